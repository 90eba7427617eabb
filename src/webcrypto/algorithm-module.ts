// What an algorithm module implements: the operations its registry row
// lists, each receiving normalized params and already-checked keys.
import type { KernelKey } from '../kernel/kernel-key';
import type { CryptoKey, KeyUsage } from './crypto-key';
import type { NormalizedAlgorithm } from './params';

/**
 * KeyFormat as the WICG "Modern Algorithms" draft extends it: the W3C spec's
 * four, and raw key bytes by kind. Of the new ones, this library's algorithms
 * take 'raw-secret'; the others reach only the platform's algorithms.
 */
export type KeyFormat = 'raw-public' | 'raw-private' | 'raw-seed' | 'raw-secret' | 'raw' | 'spki' | 'pkcs8' | 'jwk';
export const KEY_FORMATS: readonly KeyFormat[] = ['raw-public', 'raw-private', 'raw-seed', 'raw-secret', 'raw', 'spki', 'pkcs8', 'jwk'];
/** The formats of the W3C spec, which every platform WebCrypto knows. */
export const W3C_KEY_FORMATS: readonly KeyFormat[] = ['raw', 'spki', 'pkcs8', 'jwk'];

/** JsonWebKey as WebIDL converts it (all members optional). */
export interface JsonWebKey {
  kty?: string;
  use?: string;
  key_ops?: string[];
  alg?: string;
  ext?: boolean;
  k?: string;
  [member: string]: unknown;
}

export type MaybePromise<T> = T | Promise<T>;

/** fn of result's value: now for a value, when it settles for a promise. */
export function thenMaybe<T, U>(result: MaybePromise<T>, fn: (value: T) => U): MaybePromise<U> {
  return result instanceof Promise ? result.then(fn) : fn(result);
}

export interface CryptoKeyPair {
  publicKey: CryptoKey;
  privateKey: CryptoKey;
}

/**
 * Operations run after the facade has converted the arguments, normalized
 * the algorithm and checked that the key's algorithm and usages allow the
 * call. Each may return a value or a promise (a job that ran synchronously
 * returns its value, so the facade makes the only promise); a throw becomes
 * a rejection.
 * Byte arguments (data, params' BufferSource members) are the call-time
 * copies the facade made and nothing else holds, so a module may hand them
 * to a thread-pool job as they are.
 */
export interface AlgorithmModule {
  digest?(alg: NormalizedAlgorithm, data: Uint8Array): MaybePromise<ArrayBuffer>;
  encrypt?(alg: NormalizedAlgorithm, key: CryptoKey, data: Uint8Array): MaybePromise<ArrayBuffer>;
  decrypt?(alg: NormalizedAlgorithm, key: CryptoKey, data: Uint8Array): MaybePromise<ArrayBuffer>;
  sign?(alg: NormalizedAlgorithm, key: CryptoKey, data: Uint8Array): MaybePromise<ArrayBuffer>;
  verify?(alg: NormalizedAlgorithm, key: CryptoKey, signature: Uint8Array, data: Uint8Array): MaybePromise<boolean>;
  /** `purpose` says which usage the caller checked: deriveKey's bits are not deriveBits'. */
  deriveBits?(alg: NormalizedAlgorithm, key: CryptoKey, lengthBits: number | null,
    purpose?: 'deriveBits' | 'deriveKey'): MaybePromise<ArrayBuffer>;
  wrapKey?(alg: NormalizedAlgorithm, key: CryptoKey, bytes: Uint8Array): MaybePromise<ArrayBuffer>;
  unwrapKey?(alg: NormalizedAlgorithm, key: CryptoKey, bytes: Uint8Array): MaybePromise<ArrayBuffer>;
  generateKey?(alg: NormalizedAlgorithm, extractable: boolean, usages: KeyUsage[]):
    CryptoKey | CryptoKeyPair | Promise<CryptoKey | CryptoKeyPair>;
  importKey?(format: KeyFormat, keyData: Uint8Array | JsonWebKey, alg: NormalizedAlgorithm,
    extractable: boolean, usages: KeyUsage[]): CryptoKey | Promise<CryptoKey>;
  exportKey?(format: KeyFormat, key: CryptoKey): ArrayBuffer | JsonWebKey | Promise<ArrayBuffer | JsonWebKey>;
  /**
   * A non-extractable key whose bytes stay in a kernel keyring (not part of
   * WebCrypto; see src/keyring.ts). alg is normalized for "generateKey".
   */
  importKernelKey?(key: KernelKey, alg: NormalizedAlgorithm, usages: KeyUsage[]): CryptoKey;
  /** The spec's "get key length": bits for deriveKey, or null for "the hash's block size" style defaults. */
  getKeyLength?(alg: NormalizedAlgorithm): number | null;
}
