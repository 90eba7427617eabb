// What every stream factory shares: which WHATWG streams implementation the
// stream is built from, its queuing strategy in bytes, the options argument,
// and the conversion of each written chunk.
import { toDomError } from '../webcrypto/dom-errors';
import { kernelError, type KernelAlgorithmRef } from '../kernel/errors';
import { toBufferSource, type Context } from '../webcrypto/webidl';

/**
 * The constructors a stream is built from. Node's globals by default (Node
 * 18 and later have them), else `web-streams-polyfill`. Pass another set
 * (for example `import * as ponyfill from 'web-streams-polyfill'`) when the
 * streams on the other end of a pipe come from that implementation: a
 * ReadableStream can only pipeTo a WritableStream of its own kind.
 */
export interface StreamClasses {
  readonly WritableStream: new <W>(sink?: UnderlyingSink<W>, strategy?: QueuingStrategy<W>) => WritableStream<W>;
  readonly TransformStream: new <I, O>(transformer?: Transformer<I, O>, writableStrategy?: QueuingStrategy<I>,
    readableStrategy?: QueuingStrategy<O>) => TransformStream<I, O>;
}

/**
 * What the writable sides take: any BufferSource. Typed with
 * ArrayBufferView of any buffer so that Uint8Array<ArrayBufferLike> (what
 * most code has) type-checks in pipeTo/pipeThrough; a view of a
 * SharedArrayBuffer is refused at run time with TypeError, as WebCrypto does.
 */
export type StreamChunk = BufferSource | ArrayBufferView;

/** What the readable sides of the cipher streams give: fresh bytes the caller owns. */
export type StreamOutput = Uint8Array<ArrayBuffer>;

export interface StreamOptions {
  /**
   * Bytes queued on each side before the stream signals backpressure
   * (a writer's `ready` waits, `pipeTo` pauses its source). Default
   * DEFAULT_HIGH_WATER_MARK_BYTES.
   */
  highWaterMark?: number;
  /** The streams implementation; default: the global one, else web-streams-polyfill. */
  streams?: StreamClasses;
}

export interface CipherStreamOptions extends StreamOptions {
  /**
   * AES-GCM decryption only: the most ciphertext held while waiting for the
   * tag (no plaintext leaves the stream before the tag is verified). Past it
   * the stream errors with OperationError. Default DEFAULT_MAX_BUFFERED_BYTES.
   */
  maxBufferedBytes?: number;
}

/**
 * 1 MiB: sixteen of Node's 64 KiB file-read chunks, enough to keep the
 * kernel busy while the producer reads the next ones, and a small, fixed
 * bound on what a stream holds whatever the size of the input.
 */
export const DEFAULT_HIGH_WATER_MARK_BYTES = 1024 * 1024;

/** 64 MiB: the default limit of AES-GCM streaming decryption's buffer. */
export const DEFAULT_MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

export interface ResolvedOptions {
  readonly highWaterMark: number;
  readonly streams: StreamClasses;
  readonly maxBufferedBytes: number;
}

let polyfill: StreamClasses | undefined;

/** The global streams when the runtime has them, else web-streams-polyfill (loaded on first need). */
export function defaultStreamClasses(): StreamClasses {
  const global = globalThis as Partial<StreamClasses>;
  if (typeof global.WritableStream === 'function' && typeof global.TransformStream === 'function')
    return global as StreamClasses;
  polyfill ??= require('web-streams-polyfill') as StreamClasses;
  return polyfill;
}

function isStreamClasses(value: unknown): value is StreamClasses {
  const classes = value as Partial<StreamClasses> | null;
  return typeof classes === 'object' && classes !== null &&
    typeof classes.WritableStream === 'function' && typeof classes.TransformStream === 'function';
}

/** The options argument of a stream factory, checked (TypeError, RangeError) and defaulted. */
export function readOptions(options: unknown, ctx: Context): ResolvedOptions {
  if (options === undefined || options === null) options = {};
  if (typeof options !== 'object') throw new TypeError(`${ctx.prefix}: ${ctx.context} is not an object`);
  const { highWaterMark, streams, maxBufferedBytes } = options as CipherStreamOptions;
  if (highWaterMark !== undefined && !(typeof highWaterMark === 'number' && highWaterMark >= 0))
    throw new RangeError(`${ctx.prefix}: ${ctx.context} member 'highWaterMark' must be a non-negative number`);
  if (streams !== undefined && !isStreamClasses(streams))
    throw new TypeError(`${ctx.prefix}: ${ctx.context} member 'streams' must have WritableStream and TransformStream constructors`);
  if (maxBufferedBytes !== undefined &&
      !(typeof maxBufferedBytes === 'number' && Number.isSafeInteger(maxBufferedBytes) && maxBufferedBytes >= 0))
    throw new RangeError(`${ctx.prefix}: ${ctx.context} member 'maxBufferedBytes' must be a non-negative integer`);
  return {
    highWaterMark: highWaterMark ?? DEFAULT_HIGH_WATER_MARK_BYTES,
    streams: streams ?? defaultStreamClasses(),
    maxBufferedBytes: maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
  };
}

function byteLengthOf(chunk: unknown): number {
  const length = (chunk as { byteLength?: unknown } | null | undefined)?.byteLength;
  return typeof length === 'number' && Number.isFinite(length) && length >= 0 ? length : 0;
}

/**
 * Counts queued chunks by their bytes. Never throws: a chunk that is no
 * BufferSource counts 0 and is then refused, with a TypeError, by the write.
 */
export function byteStrategy<T>(highWaterMark: number): QueuingStrategy<T> {
  return { highWaterMark, size: byteLengthOf };
}

/** The bytes of a written chunk, as a view (no copy): TypeError unless it is a BufferSource. */
export function chunkBytes(chunk: unknown, ctx: Context): Uint8Array {
  const source = toBufferSource(chunk, ctx);
  return ArrayBuffer.isView(source)
    ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength)
    : new Uint8Array(source);
}

/** How a failure errors a stream: the spec's DOMException (kernel failures named after the kernel algorithm). */
export function streamError(error: unknown, algorithm?: KernelAlgorithmRef): unknown {
  return toDomError(kernelError(error, algorithm));
}

export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

/**
 * A result promise (digest, signature, valid). It is marked handled: a
 * failure also errors the stream, where the caller sees it, so a caller
 * who never awaits the result must not get an unhandled rejection.
 */
export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
