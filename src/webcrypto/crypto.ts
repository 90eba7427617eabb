// Crypto (https://w3c.github.io/webcrypto/#crypto-interface): subtle,
// getRandomValues and randomUUID, over kernel randomness.
import { types } from 'node:util';
import { domError, toDomError } from './dom-errors';
import { defineInterface } from './idl-interface';
import { fillRandom, parseRandomSource, type RandomSource } from './random';
import { Dispatch, parseMode, type AlgorithmBackend, type Backend, type Mode } from './dispatch';
import { nativePlatform } from './platform';
import { createSubtle, subtleDispatch, SubtleCrypto } from './subtle';
import { requireArguments } from './webidl';

export interface CryptoOptions {
  /**
   * 'hybrid': the kernel serves what it can, the platform's own WebCrypto
   * the rest (asymmetric algorithms, anything this kernel lacks).
   * 'strict': the kernel only; everything else is NotSupportedError.
   * Default: AFALG_WEBCRYPTO_MODE, else 'hybrid'.
   */
  mode?: Mode;
  /** The fallback for hybrid mode; default: the WebCrypto this process had before install(). */
  platform?: globalThis.SubtleCrypto;
  /**
   * Where random bytes come from; default: AFALG_WEBCRYPTO_RANDOM, else
   * 'getrandom'. See random.ts.
   */
  random?: RandomSource;
}

/** The largest getRandomValues request the spec allows, in bytes. */
const MAX_RANDOM_BYTES = 65536;

const CONSTRUCT = Symbol('construct Crypto');
let isCrypto: (value: unknown) => boolean;

function isIntegerTypedArray(value: ArrayBufferView): boolean {
  return types.isInt8Array(value) || types.isUint8Array(value) || types.isUint8ClampedArray(value) ||
    types.isInt16Array(value) || types.isUint16Array(value) || types.isInt32Array(value) ||
    types.isUint32Array(value) || types.isBigInt64Array(value) || types.isBigUint64Array(value);
}

export class Crypto {
  readonly #subtle: SubtleCrypto;
  readonly #random: RandomSource;

  constructor(...args: unknown[]) {
    if (args[0] !== CONSTRUCT) throw new TypeError('Illegal constructor');
    const options = (args[1] ?? {}) as CryptoOptions;
    const mode = options.mode ?? parseMode(process.env.AFALG_WEBCRYPTO_MODE);
    this.#subtle = createSubtle(new Dispatch(parseMode(mode), options.platform ?? nativePlatform));
    this.#random = parseRandomSource(options.random ?? process.env.AFALG_WEBCRYPTO_RANDOM);
  }

  static {
    isCrypto = (value) => typeof value === 'object' && value !== null && #subtle in value;
  }

  get subtle(): SubtleCrypto {
    if (!isCrypto(this)) throw new TypeError('Illegal invocation');
    return this.#subtle;
  }

  getRandomValues<T extends ArrayBufferView | null>(array: T): T {
    const prefix = "Failed to execute 'getRandomValues' on 'Crypto'";
    if (!isCrypto(this)) throw new TypeError(`${prefix}: Illegal invocation`);
    requireArguments(prefix, arguments.length, 1);
    if (!ArrayBuffer.isView(array))
      throw new TypeError(`${prefix}: 1st argument is not an ArrayBufferView`);
    if (types.isSharedArrayBuffer(array.buffer))
      throw new TypeError(`${prefix}: 1st argument is a view of a SharedArrayBuffer, which is not allowed`);
    if ((array.buffer as { resizable?: boolean }).resizable === true)
      throw new TypeError(`${prefix}: 1st argument is a view of a resizable ArrayBuffer, which is not allowed`);
    if (!isIntegerTypedArray(array))
      throw domError('TypeMismatchError', `${prefix}: the array must be an integer TypedArray (not a float array or a DataView)`);
    if (array.byteLength > MAX_RANDOM_BYTES)
      throw domError('QuotaExceededError',
        `${prefix}: the array's byte length (${array.byteLength}) exceeds the ${MAX_RANDOM_BYTES} bytes allowed`);
    try {
      fillRandom(array, this.#random);
    } catch (error) {
      throw toDomError(error);
    }
    return array;
  }

  randomUUID(): string {
    if (!isCrypto(this)) throw new TypeError("Failed to execute 'randomUUID' on 'Crypto': Illegal invocation");
    const bytes = new Uint8Array(16);
    try {
      fillRandom(bytes, this.#random);
    } catch (error) {
      throw toDomError(error);
    }
    // RFC 9562 section 5.4: version 4 in the high nibble of byte 6,
    // variant 10 in the high bits of byte 8.
    bytes[6] = (bytes[6]! & 0x0f) | 0x40;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    const hex = Buffer.from(bytes).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}
defineInterface(Crypto);

/** A Crypto whose cryptography runs in the kernel. Touches no globals. */
export function createCrypto(options: CryptoOptions = {}): Crypto {
  return new Crypto(CONSTRUCT, options);
}

/** Which backend serves each algorithm for this Crypto (kernel, platform or unavailable). */
export function servingBackends(crypto: Crypto): AlgorithmBackend[] {
  return subtleDispatch(crypto.subtle).servingTable();
}

/** How many operations each backend has served for this Crypto, per algorithm. */
export function operationCounts(crypto: Crypto): Record<Backend, Record<string, number>> {
  return subtleDispatch(crypto.subtle).operationCounts();
}
