// Digests and HMACs over a stream: each written chunk goes to a hash op
// socket with MSG_MORE (binding hashUpdate) as it arrives, and closing the
// stream reads the result (hashFinal). The op socket is leased from the
// same session subtle.digest / subtle.sign use, for the stream's lifetime;
// memory holds at most the queue (highWaterMark) plus one chunk.
import { binding, type AlgSocket } from '../kernel/binding';
import { runsAsync } from '../kernel/schedule';
import { sharedSession, type Session } from '../kernel/session';
import { hmacSession } from '../webcrypto/algorithms/hmac';
import { constantTimeEqual } from '../webcrypto/algorithms/secret-key';
import { HASHES, hashInfo } from '../webcrypto/algorithms/sha';
import { keySlots, type CryptoKey } from '../webcrypto/crypto-key';
import type { NormalizedAlgorithm } from '../webcrypto/params';
import { copyBytes, toAlgorithmIdentifier, toBufferSource, type Context } from '../webcrypto/webidl';
import { argumentsOf, checkStreamKey, normalizeForStream, toKey } from './arguments';
import { KernelHold } from './kernel-hold';
import {
  byteStrategy, chunkBytes, deferred, readOptions, streamError,
  type ResolvedOptions, type StreamChunk, type StreamOptions,
} from './options';

/** A writable side taking the data, and the digest of all of it once the stream closes. */
export interface DigestStream {
  readonly writable: WritableStream<StreamChunk>;
  /** What subtle.digest gives for the concatenation of the chunks; rejects if the stream fails or is aborted. */
  readonly digest: Promise<ArrayBuffer>;
}

export interface SignStream {
  readonly writable: WritableStream<StreamChunk>;
  /** What subtle.sign gives for the concatenation of the chunks. */
  readonly signature: Promise<ArrayBuffer>;
}

export interface VerifyStream {
  readonly writable: WritableStream<StreamChunk>;
  /** What subtle.verify gives for the concatenation of the chunks (compared in constant time). */
  readonly valid: Promise<boolean>;
}

const DIGESTS = Object.keys(HASHES);
const MACS = ['HMAC'];

/**
 * A WritableStream whose chunks are hashed in the kernel as they arrive.
 * The result promise settles after the stream closes; a failure (a chunk
 * that is no BufferSource, a kernel error) errors the stream and rejects
 * the result with the same DOMException or TypeError.
 */
function hashingWritable(session: Session, digestBytes: number, chunkCtx: Context,
  options: ResolvedOptions): { writable: WritableStream<StreamChunk>; result: Promise<ArrayBuffer> } {
  const hold = new KernelHold();
  const result = deferred<ArrayBuffer>();
  let op: AlgSocket | undefined;
  const fail = (error: unknown): unknown => {
    const reason = streamError(error, session);
    result.reject(reason);
    hold.end(false, reason);
    return reason;
  };
  const sink: UnderlyingSink<StreamChunk> = {
    async write(chunk) {
      try {
        const view = chunkBytes(chunk, chunkCtx);
        if (view.byteLength === 0) return;
        op ??= hold.lease(session);
        const socket = op;
        // The addon reads a job's bytes in place: a synchronous job before
        // the caller can touch the chunk again, a queued one later, so that
        // one gets a copy of its own.
        const async = runsAsync(view.byteLength);
        const data = async ? view.slice() : view;
        await hold.run(session, () => binding().hashUpdate(socket, data, async));
      } catch (error) {
        throw fail(error);
      }
    },
    async close() {
      try {
        op ??= hold.lease(session);
        const socket = op;
        const value = await hold.run(session, () => binding().hashFinal(socket, digestBytes, false));
        hold.end(true);
        result.resolve(value);
      } catch (error) {
        throw fail(error);
      }
    },
    abort(reason) {
      result.reject(reason);
      hold.end(false, reason);
    },
  };
  const writable = new options.streams.WritableStream<StreamChunk>(sink, byteStrategy(options.highWaterMark));
  hold.watch(writable);
  return { writable, result: result.promise };
}

/**
 * digestStream(algorithm, options?): subtle.digest over a stream.
 * algorithm: 'SHA-1', 'SHA-256', 'SHA-384', 'SHA-512' (or {name}).
 */
export function digestStream(algorithm: AlgorithmIdentifier, options?: StreamOptions): DigestStream {
  const method = 'digestStream';
  const { arg, chunk } = argumentsOf(method, arguments.length, 1);
  const normalized = normalizeForStream(toAlgorithmIdentifier(algorithm, arg(1)), 'digest', DIGESTS, method, arg(1));
  const resolved = readOptions(options, arg(2));
  const { kernelName, digestBytes } = hashInfo(normalized);
  const { writable, result } = hashingWritable(sharedSession('hash', kernelName), digestBytes, chunk, resolved);
  return { writable, digest: result };
}

function macWritable(key: CryptoKey, chunk: Context, options: ResolvedOptions) {
  const hash = keySlots(key)!.algorithm.hash as NormalizedAlgorithm;
  return hashingWritable(hmacSession(key, hash), hashInfo(hash).digestBytes, chunk, options);
}

/** signStream(algorithm, key, options?): subtle.sign over a stream (HMAC; key usage 'sign'). */
export function signStream(algorithm: AlgorithmIdentifier, key: CryptoKey, options?: StreamOptions): SignStream {
  const method = 'signStream';
  const { arg, chunk } = argumentsOf(method, arguments.length, 2);
  const alg = toAlgorithmIdentifier(algorithm, arg(1));
  const cryptoKey = toKey(key, arg(2));
  const resolved = readOptions(options, arg(3));
  const normalized = normalizeForStream(alg, 'sign', MACS, method, arg(1));
  checkStreamKey(cryptoKey, normalized, 'sign');
  const { writable, result } = macWritable(cryptoKey, chunk, resolved);
  return { writable, signature: result };
}

/**
 * verifyStream(algorithm, key, signature, options?): subtle.verify over a
 * stream (HMAC; key usage 'verify'). The signature is copied at the call.
 */
export function verifyStream(algorithm: AlgorithmIdentifier, key: CryptoKey, signature: BufferSource,
  options?: StreamOptions): VerifyStream {
  const method = 'verifyStream';
  const { arg, chunk } = argumentsOf(method, arguments.length, 3);
  const alg = toAlgorithmIdentifier(algorithm, arg(1));
  const cryptoKey = toKey(key, arg(2));
  const expected = copyBytes(toBufferSource(signature, arg(3)));
  const resolved = readOptions(options, arg(4));
  const normalized = normalizeForStream(alg, 'verify', MACS, method, arg(1));
  checkStreamKey(cryptoKey, normalized, 'verify');
  const { writable, result } = macWritable(cryptoKey, chunk, resolved);
  const valid = result.then((mac) => constantTimeEqual(new Uint8Array(mac), expected));
  valid.catch(() => undefined); // the stream reports the failure as well
  return { writable, valid };
}
