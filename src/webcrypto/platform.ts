// Hybrid mode's fallback: the platform's own WebCrypto (Node's, captured
// before this library could replace globalThis.crypto), wrapped so that its
// keys are our CryptoKeys and its algorithms plug into the facade as one
// more algorithm module.
import { W3C_KEY_FORMATS, type AlgorithmModule, type CryptoKeyPair, type KeyFormat } from './algorithm-module';
import { createPlatformKey, keySlots, type CryptoKey } from './crypto-key';
import { domError } from './dom-errors';
import type { NormalizedAlgorithm } from './params';

/** The WebCrypto this process had before any install(). */
export const nativePlatform: globalThis.SubtleCrypto | undefined = globalThis.crypto?.subtle;

/**
 * WebCrypto algorithms that no AF_ALG socket type can compute (the kernel's
 * crypto user API has hash, skcipher, aead and rng, nothing asymmetric).
 */
export const ASYMMETRIC_ALGORITHMS = [
  'RSASSA-PKCS1-v1_5', 'RSA-PSS', 'RSA-OAEP', 'ECDSA', 'ECDH', 'Ed25519', 'X25519', 'Ed448', 'X448',
];

/**
 * Other algorithms a platform WebCrypto may have (Node 24 has some of the
 * WICG "Modern Algorithms" draft). Only names on these lists are handed to
 * the platform; any other unknown name is NotSupportedError here, before a
 * key check could report something else.
 */
export const PLATFORM_ONLY_ALGORITHMS = [
  ...ASYMMETRIC_ALGORITHMS,
  'ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87', 'ML-KEM-512', 'ML-KEM-768', 'ML-KEM-1024',
  'AES-OCB', 'cSHAKE128', 'cSHAKE256',
  'KMAC128', 'KMAC256', 'Argon2d', 'Argon2i', 'Argon2id',
];

const ORIGINAL = Symbol('algorithm as the caller gave it');

interface PlatformAlgorithm extends NormalizedAlgorithm {
  readonly [ORIGINAL]: unknown;
}

/** A normalized algorithm that the platform will normalize for itself. */
export function platformAlgorithm(name: string, original: unknown): NormalizedAlgorithm {
  return { name, [ORIGINAL]: original } as PlatformAlgorithm;
}

export function isPlatformAlgorithm(alg: NormalizedAlgorithm): boolean {
  return ORIGINAL in alg;
}

/** The platform's key behind one of our keys (TypeError for a kernel key). */
function platformKey(key: unknown): globalThis.CryptoKey {
  const material = keySlots(key)?.material;
  if (material?.backend !== 'platform')
    throw domError('InvalidAccessError', 'A key computed on by the kernel cannot be used with an algorithm of the platform');
  return material.key;
}

/** The caller's algorithm with our keys (e.g. ECDH's `public`) swapped for the platform's. */
function platformParams(alg: NormalizedAlgorithm): AlgorithmIdentifier {
  const original = (alg as PlatformAlgorithm)[ORIGINAL];
  if (typeof original !== 'object' || original === null) return original as string;
  const params: Record<string, unknown> = {};
  for (const key in original) {
    const value = (original as Record<string, unknown>)[key];
    params[key] = keySlots(value) ? platformKey(value) : value;
  }
  return params as unknown as Algorithm;
}

function wrap(result: globalThis.CryptoKey | globalThis.CryptoKeyPair): CryptoKey | CryptoKeyPair {
  if ('privateKey' in result)
    return { publicKey: createPlatformKey(result.publicKey), privateKey: createPlatformKey(result.privateKey) };
  return createPlatformKey(result);
}

const CARRIER = { name: 'HMAC', hash: 'SHA-256' };

/** Our byte copies are never shared; TypeScript's DOM types want that said. */
function source(bytes: Uint8Array): BufferSource {
  return bytes as Uint8Array<ArrayBuffer>;
}

/** The whole output of a key agreement, in bits, for a deriveKey whose target takes it all (HKDF). */
const AGREEMENT_BITS: Readonly<Record<string, number>> = {
  'P-256': 256, 'P-384': 384, 'P-521': 528, X25519: 256, X448: 448,
};

/**
 * The bits for a deriveKey from a platform base key. The platform's
 * deriveBits would demand the "deriveBits" usage, but deriveKey needs only
 * "deriveKey": so the platform derives an extractable HMAC key of exactly
 * that length (checking the base key's algorithm and "deriveKey" usage
 * itself), whose raw bytes are the bits.
 */
async function derivedKeyBits(subtle: globalThis.SubtleCrypto, params: AlgorithmIdentifier,
  base: globalThis.CryptoKey, lengthBits: number | null): Promise<ArrayBuffer> {
  const algorithm = base.algorithm as { name: string; namedCurve?: string };
  const length = lengthBits ?? AGREEMENT_BITS[algorithm.namedCurve ?? algorithm.name];
  if (length === undefined || length === 0)
    throw domError('OperationError', `Cannot tell how many bits a ${algorithm.name} key derives`);
  const carrier = await subtle.deriveKey(params, base, { name: 'HMAC', hash: 'SHA-256', length }, true, ['sign']);
  return subtle.exportKey('raw', carrier);
}

/** The W3C spec's symmetric algorithms, for which the WICG draft makes 'raw-secret' an alias of 'raw'. */
const W3C_SECRET_KEY_ALGORITHMS = ['AES-CBC', 'AES-CTR', 'AES-GCM', 'AES-KW', 'HMAC', 'HKDF', 'PBKDF2'];

/** The format to ask the platform for: 'raw' where 'raw-secret' is its alias, which Node before 24 does not know. */
function platformFormat(format: KeyFormat, algorithm: string): 'raw' {
  const alias = format === 'raw-secret' && W3C_SECRET_KEY_ALGORITHMS.includes(algorithm);
  return (alias ? 'raw' : format) as 'raw';
}

/**
 * The platform call's result; but where a platform without the WICG draft's key formats
 * (Node before 24) rejects one of them as a TypeError of its KeyFormat enum,
 * the NotSupportedError the draft gives for a format an algorithm lacks.
 */
async function formatKnown<T>(format: KeyFormat, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof TypeError && !W3C_KEY_FORMATS.includes(format))
      throw domError('NotSupportedError', `The platform WebCrypto does not support key format '${format}'`, error);
    throw error;
  }
}

/** The platform's WebCrypto as an algorithm module. */
export function platformModule(subtle: globalThis.SubtleCrypto): AlgorithmModule {
  return {
    digest: (alg, data) => subtle.digest(platformParams(alg), source(data)),
    encrypt: (alg, key, data) => subtle.encrypt(platformParams(alg), platformKey(key), source(data)),
    decrypt: (alg, key, data) => subtle.decrypt(platformParams(alg), platformKey(key), source(data)),
    sign: (alg, key, data) => subtle.sign(platformParams(alg), platformKey(key), source(data)),
    verify: (alg, key, signature, data) => subtle.verify(platformParams(alg), platformKey(key), source(signature), source(data)),
    deriveBits: async (alg, key, length, purpose) => {
      const base = platformKey(key);
      if (purpose === 'deriveKey') return derivedKeyBits(subtle, platformParams(alg), base, length);
      return length === null
        ? subtle.deriveBits(platformParams(alg), base)
        : subtle.deriveBits(platformParams(alg), base, length);
    },
    generateKey: async (alg, extractable, usages) =>
      wrap(await subtle.generateKey(platformParams(alg), extractable, usages) as globalThis.CryptoKey),
    importKey: async (format, keyData, alg, extractable, usages) =>
      createPlatformKey(await formatKnown(format, () => format === 'jwk'
        ? subtle.importKey('jwk', keyData as globalThis.JsonWebKey, platformParams(alg), extractable, usages)
        : subtle.importKey(platformFormat(format, alg.name), source(keyData as Uint8Array), platformParams(alg), extractable, usages))),
    exportKey: (format, key) => formatKnown(format, () => subtle.exportKey(platformFormat(format, keySlots(key)!.algorithm.name), platformKey(key))),
    // The facade hands wrapKey the exported bytes; the platform's wrapKey
    // wants a key. Any bytes import as an extractable HMAC key, whose raw
    // export is those bytes again, so wrapping it wraps exactly them.
    wrapKey: async (alg, key, bytes) => {
      const carrier = await subtle.importKey('raw', source(bytes), CARRIER, true, ['sign']);
      return subtle.wrapKey('raw', carrier, platformKey(key), platformParams(alg));
    },
    unwrapKey: async (alg, key, bytes) => {
      const carrier = await subtle.unwrapKey('raw', source(bytes), platformKey(key), platformParams(alg), CARRIER, true, ['sign']);
      return subtle.exportKey('raw', carrier);
    },
  };
}
