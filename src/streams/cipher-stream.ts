// AES-CBC, AES-CTR and AES-GCM as TransformStreams whose output, joined,
// is byte for byte what subtle.encrypt / subtle.decrypt return for the
// joined input. Each algorithm is an engine: update() takes the chunks as
// they come (whole blocks go to the kernel at once, the tail waits) and
// finish() does the end (padding, the partial block, the tag).
//
// - AES-CBC: one leased cbc(aes) op socket; each request carries its IV:
//   the last ciphertext block produced (encrypt) or consumed (decrypt).
//   Encryption pads at the end; decryption keeps the last block back to
//   check the padding at the end.
// - AES-CTR: one leased ctr(aes) op socket; each request starts at the
//   counter block after the blocks done so far, with WebCrypto's `length`
//   bit wrap (BigInt arithmetic here, the split at the wrap in the addon).
// - AES-GCM encryption: the composite path (ctr(aes) and ghash keyed with
//   H) on two leased op sockets: gcmStart, gcmUpdate per chunk, gcmFinal
//   for the tag, which is the last chunk.
// - AES-GCM decryption never releases plaintext before the tag is verified:
//   it holds the ciphertext (up to maxBufferedBytes) and decrypts it once at
//   the end, exactly as subtle.decrypt does.
import { binding, type AlgSocket, type Secret } from '../kernel/binding';
import type { KernelAlgorithmRef } from '../kernel/errors';
import { runsAsync } from '../kernel/schedule';
import { aesGcm, compositeSessions } from '../webcrypto/algorithms/aes-gcm';
import { keyedSession } from '../webcrypto/algorithms/secret-key';
import type { CryptoKey } from '../webcrypto/crypto-key';
import { domError } from '../webcrypto/dom-errors';
import type {
  AesCbcParams as NormalizedAesCbcParams, AesCtrParams as NormalizedAesCtrParams,
  AesGcmParams as NormalizedAesGcmParams, NormalizedAlgorithm,
} from '../webcrypto/params';
import { toAlgorithmIdentifier, type Context } from '../webcrypto/webidl';
import { argumentsOf, checkStreamKey, normalizeForStream, toKey } from './arguments';
import { BLOCK_BYTES, BlockBuffer } from './block-buffer';
import { KernelHold } from './kernel-hold';
import {
  byteStrategy, chunkBytes, readOptions, streamError,
  type CipherStreamOptions, type ResolvedOptions, type StreamChunk, type StreamOutput,
} from './options';

type Emit = (output: StreamOutput) => void;

/** The algorithm argument of encryptStream / decryptStream (the DOM's dictionaries). */
export type CipherStreamAlgorithm = AlgorithmIdentifier | AesCbcParams | AesCtrParams | AesGcmParams;

interface CipherEngine {
  /** The kernel sockets and secrets the stream holds. */
  readonly hold: KernelHold;
  /** The kernel algorithm errors are reported against. */
  readonly algorithm: KernelAlgorithmRef;
  /** Takes the next chunk (a view the engine must copy what it keeps of). */
  update(chunk: Uint8Array, emit: Emit): Promise<void>;
  /** The end of the input. */
  finish(emit: Emit): Promise<void>;
  /** Drops (and wipes) whatever is buffered; the stream is over. */
  forget(): void;
}

type EngineFactory = (alg: NormalizedAlgorithm, key: CryptoKey, encrypt: boolean, options: ResolvedOptions) => CipherEngine;

// ---- AES-CBC ------------------------------------------------------------------

/** The length of the plaintext inside padded, or -1 when the PKCS#7 padding is bad; constant time. */
function unpaddedLength(padded: Uint8Array): number {
  const n = padded.byteLength;
  const pad = padded[n - 1]!;
  // bad != 0 when pad is 0 or more than a block, or when any of the last pad bytes differs from it.
  let bad = ((pad - 1) >>> 8) | (((BLOCK_BYTES - pad) >>> 8) & 1);
  for (let i = 1; i <= BLOCK_BYTES; i++) {
    const inPad = ((i - pad - 1) >>> 31) & 1; // 1 when i <= pad
    bad |= inPad & (((padded[n - i]! ^ pad) + 0xff) >>> 8); // 1 when they differ
  }
  return bad === 0 ? n - pad : -1;
}

const aesCbcEngine: EngineFactory = (alg, key, encrypt) => {
  const { iv } = alg as NormalizedAesCbcParams;
  if (iv.byteLength !== BLOCK_BYTES)
    throw domError('OperationError', `AES-CBC iv must be 16 bytes, not ${iv.byteLength}`);
  const session = keyedSession(key, 'skcipher', 'cbc(aes)');
  const hold = new KernelHold();
  const blocks = new BlockBuffer(!encrypt);
  let chain = iv.slice();
  let op: AlgSocket | undefined;

  /** data is whole blocks we own; returns the output and moves the chaining IV on. */
  const crypt = async (data: Uint8Array): Promise<StreamOutput> => {
    op ??= hold.lease(session);
    const socket = op;
    const requestIv = chain;
    const lastIn = encrypt ? undefined : data.slice(data.byteLength - BLOCK_BYTES);
    const out = new Uint8Array(await hold.run(session,
      () => binding().skcipher(socket, encrypt, requestIv, data, runsAsync(data.byteLength))));
    chain = lastIn ?? out.slice(out.byteLength - BLOCK_BYTES);
    return out;
  };

  return {
    hold,
    algorithm: session,
    async update(chunk, emit) {
      const data = blocks.take(chunk);
      if (data.byteLength === 0) return;
      try {
        emit(await crypt(data));
      } finally {
        if (encrypt) data.fill(0);
      }
    },
    async finish(emit) {
      const tail = blocks.rest();
      if (encrypt) {
        // PKCS#7: 1 to 16 bytes, each the pad length (a whole block when the input was aligned).
        const padded = new Uint8Array(BLOCK_BYTES);
        padded.set(tail);
        padded.fill(BLOCK_BYTES - tail.byteLength, tail.byteLength);
        tail.fill(0);
        try {
          emit(await crypt(padded));
        } finally {
          padded.fill(0);
        }
        return;
      }
      if (tail.byteLength !== BLOCK_BYTES)
        throw domError('OperationError', 'AES-CBC ciphertext must be a non-empty multiple of 16 bytes');
      const padded = await crypt(tail);
      try {
        const length = unpaddedLength(padded);
        if (length < 0) throw domError('OperationError', 'AES-CBC decryption failed: bad padding');
        emit(padded.slice(0, length));
      } finally {
        padded.fill(0);
      }
    },
    forget: () => blocks.wipe(),
  };
};

// ---- AES-CTR ------------------------------------------------------------------

function bigFromBytes(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

function bytesFromBig(value: bigint): Uint8Array {
  const bytes = new Uint8Array(BLOCK_BYTES);
  for (let i = BLOCK_BYTES - 1; i >= 0; i--) {
    bytes[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return bytes;
}

const aesCtrEngine: EngineFactory = (alg, key) => {
  const { counter, length } = alg as NormalizedAesCtrParams;
  if (counter.byteLength !== BLOCK_BYTES)
    throw domError('OperationError', `AES-CTR counter must be 16 bytes, not ${counter.byteLength}`);
  if (length === 0 || length > 128)
    throw domError('OperationError', `AES-CTR length must be 1 to 128 bits, not ${length}`);
  const session = keyedSession(key, 'skcipher', 'ctr(aes)');
  const hold = new KernelHold();
  const blocks = new BlockBuffer(false);
  // Only the low `length` bits count and wrap; the high bits stay as given.
  const initial = bigFromBytes(counter);
  const mask = (1n << BigInt(length)) - 1n;
  const counterValues = 1n << BigInt(length);
  let blocksDone = 0n;
  let bytesSeen = 0n;
  let op: AlgSocket | undefined;

  const crypt = async (data: Uint8Array): Promise<StreamOutput> => {
    op ??= hold.lease(session);
    const socket = op;
    const block = bytesFromBig((initial & ~mask) | ((initial + blocksDone) & mask));
    const out = new Uint8Array(await hold.run(session,
      () => binding().ctr(socket, block, length, data, runsAsync(data.byteLength))));
    blocksDone += BigInt(Math.ceil(data.byteLength / BLOCK_BYTES));
    return out;
  };

  const cryptAndWipe = async (data: Uint8Array, emit: Emit): Promise<void> => {
    try {
      emit(await crypt(data));
    } finally {
      data.fill(0);
    }
  };

  return {
    hold,
    algorithm: session,
    async update(chunk, emit) {
      // More blocks than distinct counter values would reuse keystream: refused as soon as the data says so.
      bytesSeen += BigInt(chunk.byteLength);
      const blocksNeeded = (bytesSeen + BigInt(BLOCK_BYTES - 1)) / BigInt(BLOCK_BYTES);
      if (blocksNeeded > counterValues)
        throw domError('OperationError',
          `AES-CTR data needs ${blocksNeeded} counter blocks, but a ${length}-bit counter has only ${counterValues}`);
      const data = blocks.take(chunk);
      if (data.byteLength > 0) await cryptAndWipe(data, emit);
    },
    async finish(emit) {
      const tail = blocks.rest();
      if (tail.byteLength > 0) await cryptAndWipe(tail, emit);
    },
    forget: () => blocks.wipe(),
  };
};

// ---- AES-GCM ------------------------------------------------------------------

const GCM_TAG_LENGTHS = [32, 64, 96, 104, 112, 120, 128];
/** The most plaintext GCM can take under one key and IV: 2^39 - 256 bits. */
const GCM_MAX_TEXT_BYTES = (2 ** 39 - 256) / 8;

/** The checks subtle.encrypt/decrypt make of AesGcmParams (OperationError), done when the stream is made. */
function gcmParams(alg: NormalizedAlgorithm): { iv: Uint8Array; aad: Uint8Array; tagBytes: number } {
  const { iv, additionalData, tagLength = 128 } = alg as NormalizedAesGcmParams;
  if (!GCM_TAG_LENGTHS.includes(tagLength))
    throw domError('OperationError', `AES-GCM tagLength must be one of ${GCM_TAG_LENGTHS.join(', ')}, not ${tagLength}`);
  if (iv.byteLength === 0) throw domError('OperationError', 'AES-GCM iv must not be empty');
  return { iv, aad: additionalData ?? new Uint8Array(0), tagBytes: tagLength / 8 };
}

function aesGcmEncryptEngine(alg: NormalizedAlgorithm, key: CryptoKey): CipherEngine {
  const { iv, aad, tagBytes } = gcmParams(alg);
  const [ctrSession, ghashSession] = compositeSessions(key);
  const hold = new KernelHold();
  const blocks = new BlockBuffer(false);
  let started: { ctr: AlgSocket; ghash: AlgSocket; j0: Secret } | undefined;
  let textBytes = 0;
  let nextBlock = 0;

  /** J0 and the AAD into GHASH, on the first data or at the end. */
  const start = async () => {
    if (started === undefined) {
      const ctr = hold.lease(ctrSession);
      const ghash = hold.lease(ghashSession);
      const j0 = await hold.run(ghashSession, () => binding().gcmStart(ghash, iv, aad));
      hold.keep(j0);
      started = { ctr, ghash, j0 };
    }
    return started;
  };

  const crypt = async (data: Uint8Array, emit: Emit): Promise<void> => {
    try {
      const { ctr, ghash, j0 } = await start();
      const first = nextBlock;
      const out = await hold.run(ctrSession,
        () => binding().gcmUpdate(ctr, ghash, j0, first, data, runsAsync(data.byteLength)));
      nextBlock += Math.ceil(data.byteLength / BLOCK_BYTES);
      emit(new Uint8Array(out));
    } finally {
      data.fill(0);
    }
  };

  return {
    hold,
    algorithm: ctrSession,
    async update(chunk, emit) {
      textBytes += chunk.byteLength;
      if (textBytes > GCM_MAX_TEXT_BYTES)
        throw domError('OperationError', 'AES-GCM plaintext is longer than 2^39 - 256 bits');
      const data = blocks.take(chunk);
      if (data.byteLength > 0) await crypt(data, emit);
    },
    async finish(emit) {
      const tail = blocks.rest();
      if (tail.byteLength > 0) await crypt(tail, emit);
      const { ctr, ghash, j0 } = await start();
      const tag = await hold.run(ctrSession, () => binding().gcmFinal(ctr, ghash, j0, aad.byteLength, textBytes, tagBytes));
      emit(new Uint8Array(tag));
    },
    forget: () => blocks.wipe(),
  };
}

function aesGcmDecryptEngine(alg: NormalizedAlgorithm, key: CryptoKey, limit: number): CipherEngine {
  gcmParams(alg);
  let parts: Uint8Array[] = [];
  let buffered = 0;
  return {
    hold: new KernelHold(), // subtle.decrypt's own path takes and returns the sockets
    algorithm: { type: 'aead', name: 'gcm(aes)' },
    async update(chunk) {
      if (buffered + chunk.byteLength > limit)
        throw domError('OperationError',
          `AES-GCM streaming decryption holds the ciphertext until the tag is verified, and this one passed the ` +
          `limit of ${limit} bytes (options.maxBufferedBytes); raise the limit or encrypt smaller messages`);
      parts.push(chunk.slice());
      buffered += chunk.byteLength;
    },
    async finish(emit) {
      const data = new Uint8Array(buffered);
      let at = 0;
      for (const part of parts) {
        data.set(part, at);
        at += part.byteLength;
      }
      parts = [];
      // Exactly subtle.decrypt after its checks: the tag is verified before anything is decrypted.
      emit(new Uint8Array(await aesGcm.decrypt!(alg, key, data)));
    },
    forget() {
      parts = [];
      buffered = 0;
    },
  };
}

const aesGcmEngine: EngineFactory = (alg, key, encrypt, options) =>
  encrypt ? aesGcmEncryptEngine(alg, key) : aesGcmDecryptEngine(alg, key, options.maxBufferedBytes);

/** The algorithms with a streaming form, and their engines. */
const ENGINES: Readonly<Record<string, EngineFactory>> = {
  'AES-CBC': aesCbcEngine,
  'AES-CTR': aesCtrEngine,
  'AES-GCM': aesGcmEngine,
};
const CIPHERS = Object.keys(ENGINES);

// ---- the stream -----------------------------------------------------------------

/** TransformStream's `cancel` hook (readable cancelled or writable aborted); newer than TypeScript's DOM types. */
type CancellableTransformer<I, O> = Transformer<I, O> & { cancel(reason: unknown): void };

function cipherTransform(engine: CipherEngine, chunkCtx: Context, options: ResolvedOptions):
  TransformStream<StreamChunk, StreamOutput> {
  const { hold } = engine;
  const fail = (error: unknown): unknown => {
    const reason = streamError(error, engine.algorithm);
    hold.end(false, reason);
    engine.forget();
    return reason;
  };
  const transformer: CancellableTransformer<StreamChunk, StreamOutput> = {
    async transform(chunk, controller) {
      try {
        const bytes = chunkBytes(chunk, chunkCtx);
        if (bytes.byteLength === 0) return;
        await engine.update(bytes, (out) => {
          if (out.byteLength > 0) controller.enqueue(out);
        });
      } catch (error) {
        throw fail(error);
      }
    },
    async flush(controller) {
      try {
        await engine.finish((out) => {
          if (out.byteLength > 0) controller.enqueue(out);
        });
        hold.end(true);
        engine.forget();
      } catch (error) {
        throw fail(error);
      }
    },
    // The readable side was cancelled or the writable side aborted: the
    // sockets may hold a half-done request, so they are closed.
    cancel(reason) {
      hold.end(false, reason);
      engine.forget();
    },
  };
  const stream = new options.streams.TransformStream<StreamChunk, StreamOutput>(
    transformer, byteStrategy(options.highWaterMark), byteStrategy(options.highWaterMark));
  hold.watch(stream.readable, stream.writable);
  return stream;
}

function cipherStream(method: string, op: 'encrypt' | 'decrypt', given: number, algorithm: unknown, key: unknown,
  options: unknown): TransformStream<StreamChunk, StreamOutput> {
  const { arg, chunk } = argumentsOf(method, given, 2);
  const alg = toAlgorithmIdentifier(algorithm, arg(1));
  const cryptoKey = toKey(key, arg(2));
  const resolved = readOptions(options, arg(3));
  const normalized = normalizeForStream(alg, op, CIPHERS, method, arg(1));
  checkStreamKey(cryptoKey, normalized, op);
  const engine = ENGINES[normalized.name]!(normalized, cryptoKey, op === 'encrypt', resolved);
  return cipherTransform(engine, chunk, resolved);
}

/**
 * encryptStream(algorithm, key, options?): subtle.encrypt over a stream.
 * AES-CBC, AES-CTR, AES-GCM (the tag is the last chunk); key usage 'encrypt'.
 */
export function encryptStream(algorithm: CipherStreamAlgorithm,
  key: CryptoKey, options?: CipherStreamOptions): TransformStream<StreamChunk, StreamOutput> {
  return cipherStream('encryptStream', 'encrypt', arguments.length, algorithm, key, options);
}

/**
 * decryptStream(algorithm, key, options?): subtle.decrypt over a stream.
 * AES-CBC, AES-CTR, AES-GCM (buffered until the tag is verified, up to
 * options.maxBufferedBytes); key usage 'decrypt'.
 */
export function decryptStream(algorithm: CipherStreamAlgorithm,
  key: CryptoKey, options?: CipherStreamOptions): TransformStream<StreamChunk, StreamOutput> {
  return cipherStream('decryptStream', 'decrypt', arguments.length, algorithm, key, options);
}
