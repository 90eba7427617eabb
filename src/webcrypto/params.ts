// The algorithm dictionaries of the WebCrypto spec, as WebIDL conversion
// specs (for normalize.ts) and as the TypeScript shapes the algorithm
// modules receive after normalization. Sizes from the spec are in bits.
import {
  dictionary, toAlgorithmIdentifier, toBytes, toDOMString, toUnsigned,
  type Context, type DictionarySpec,
} from './webidl';

const enforce = (bits: 8 | 16 | 32) => (v: unknown, ctx: Context) => toUnsigned(v, bits, true, ctx);

export const Algorithm = dictionary('Algorithm', undefined, [
  { key: 'name', convert: toDOMString, required: true },
]);

const AesKeyGenParams = dictionary('AesKeyGenParams', Algorithm, [
  { key: 'length', convert: enforce(16), required: true },
]);
const AesDerivedKeyParams = dictionary('AesDerivedKeyParams', Algorithm, [
  { key: 'length', convert: enforce(16), required: true },
]);
const AesCbcParams = dictionary('AesCbcParams', Algorithm, [
  { key: 'iv', convert: toBytes, required: true },
]);
const AesCtrParams = dictionary('AesCtrParams', Algorithm, [
  { key: 'counter', convert: toBytes, required: true },
  { key: 'length', convert: enforce(8), required: true },
]);
const AEAD_MEMBERS = [
  { key: 'iv', convert: toBytes, required: true },
  { key: 'additionalData', convert: toBytes },
  { key: 'tagLength', convert: enforce(8) },
];
const AesGcmParams = dictionary('AesGcmParams', Algorithm, AEAD_MEMBERS);
// The WICG "Modern Algorithms" draft's name for the same members (ChaCha20-Poly1305).
const AeadParams = dictionary('AeadParams', Algorithm, AEAD_MEMBERS);
const HmacImportParams = dictionary('HmacImportParams', Algorithm, [
  { key: 'hash', convert: toAlgorithmIdentifier, required: true },
  { key: 'length', convert: enforce(32) },
]);
const HmacKeyGenParams = dictionary('HmacKeyGenParams', Algorithm, [
  { key: 'hash', convert: toAlgorithmIdentifier, required: true },
  { key: 'length', convert: enforce(32) },
]);
const Pbkdf2Params = dictionary('Pbkdf2Params', Algorithm, [
  { key: 'salt', convert: toBytes, required: true },
  { key: 'iterations', convert: enforce(32), required: true },
  { key: 'hash', convert: toAlgorithmIdentifier, required: true },
]);
const HkdfParams = dictionary('HkdfParams', Algorithm, [
  { key: 'hash', convert: toAlgorithmIdentifier, required: true },
  { key: 'salt', convert: toBytes, required: true },
  { key: 'info', convert: toBytes, required: true },
]);

/** Every params dictionary a registry row may name. */
export const DICTIONARIES = {
  Algorithm, AesKeyGenParams, AesDerivedKeyParams, AesCbcParams, AesCtrParams, AesGcmParams, AeadParams,
  HmacImportParams, HmacKeyGenParams, Pbkdf2Params, HkdfParams,
} satisfies Record<string, DictionarySpec>;
export type DictionaryName = keyof typeof DICTIONARIES;

/** Members whose value is itself an algorithm, normalized for op "digest". */
export const HASH_MEMBERS: readonly string[] = ['hash'];

// ---- normalized shapes ------------------------------------------------------

export interface NormalizedAlgorithm {
  name: string;
}
export interface HashedAlgorithm extends NormalizedAlgorithm {
  hash: NormalizedAlgorithm;
}
export interface AesKeyGenParams extends NormalizedAlgorithm {
  length: number;
}
export interface AesCbcParams extends NormalizedAlgorithm {
  iv: Uint8Array;
}
export interface AesCtrParams extends NormalizedAlgorithm {
  counter: Uint8Array;
  length: number;
}
export interface AeadParams extends NormalizedAlgorithm {
  iv: Uint8Array;
  additionalData?: Uint8Array;
  tagLength?: number;
}
export type AesGcmParams = AeadParams;
export interface HmacKeyParams extends HashedAlgorithm {
  length?: number;
}
export interface Pbkdf2Params extends HashedAlgorithm {
  salt: Uint8Array;
  iterations: number;
}
export interface HkdfParams extends HashedAlgorithm {
  salt: Uint8Array;
  info: Uint8Array;
}
