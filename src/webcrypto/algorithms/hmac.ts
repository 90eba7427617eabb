// HMAC through the kernel's hmac(<hash>) hash sessions, keyed once per key.
import { binding, type Secret } from '../../kernel/binding';
import type { KernelKey } from '../../kernel/kernel-key';
import { Session, sharedSession } from '../../kernel/session';
import type { AlgorithmModule, JsonWebKey, MaybePromise } from '../algorithm-module';
import { createSecretKey, type CryptoKey, type KeyUsage } from '../crypto-key';
import { domError } from '../dom-errors';
import { checkJwkUsage, octetJwk, readOctetKey } from '../jwk';
import type { HmacKeyParams, NormalizedAlgorithm } from '../params';
import { checkUsages } from '../usages';
import { hashInfo } from './sha';
import { exportSecret, isRawSecret, macMatches, materialOf, notSupportedFormat, slotsOf } from './secret-key';

const USAGES: readonly KeyUsage[] = ['sign', 'verify'];

/**
 * Whether an HMAC key goes to the kernel as its digest: when it is longer
 * than the hash's block, which is what HMAC itself does with such a key
 * (RFC 2104), so the MAC is unchanged. The kernel then never gets more
 * than a block: ALG_SET_KEY copies the key into socket option memory,
 * bounded by net.core.optmem_max (20 KiB by default before Linux 6.9,
 * 128 KiB since), and a longer key fails there with ENOMEM.
 */
export function keyNeedsDigest(keyBytes: number, hash: NormalizedAlgorithm): boolean {
  return keyBytes > hashInfo(hash).blockBytes;
}

/** The secret the kernel gets as the HMAC key: the key itself, or its digest if it is longer than a block. */
export function kernelHmacKey(secret: Secret, hash: NormalizedAlgorithm): Secret {
  if (!keyNeedsDigest(secret.byteLength, hash)) return secret;
  const { kernelName, digestBytes } = hashInfo(hash);
  return Session.runSync(sharedSession('hash', kernelName), (op) => binding().digestSecret(op, secret, digestBytes));
}

function hashOf(key: CryptoKey): NormalizedAlgorithm {
  return slotsOf(key).algorithm.hash as NormalizedAlgorithm;
}

export function hmacName(hash: NormalizedAlgorithm): string {
  return `hmac(${hashInfo(hash).kernelName})`;
}

/** The key's hmac(<hash>) session (HMAC keys, and PBKDF2 passwords). */
export function hmacSession(key: CryptoKey, hash: NormalizedAlgorithm): Session {
  const { key: kernelKey, sessions } = materialOf(key);
  return sessions.get('hash', hmacName(hash), (tfm) => kernelKey.applyTo(tfm, (secret) => kernelHmacKey(secret, hash)));
}

function mac(key: CryptoKey, data: Uint8Array): MaybePromise<ArrayBuffer> {
  const hash = hashOf(key);
  return Session.run([hmacSession(key, hash)], data.byteLength,
    ([op], async) => binding().hash(op!, data, hashInfo(hash).digestBytes, async));
}

/** The key length when the algorithm gives none: the hash's block size, where that default is defined. */
function defaultLengthBits(hash: NormalizedAlgorithm): number {
  const { blockBytes, hmacDefaultLength } = hashInfo(hash);
  if (!hmacDefaultLength)
    throw domError('NotSupportedError', `An HMAC key with ${hash.name} needs an explicit length (the draft defines no default)`);
  return blockBytes * 8;
}

function createHmacKey(secret: Secret | KernelKey, hash: NormalizedAlgorithm, lengthBits: number,
  extractable: boolean, usages: readonly KeyUsage[]): CryptoKey {
  return createSecretKey(secret, { name: 'HMAC', hash: { name: hash.name }, length: lengthBits }, extractable, usages);
}

export const hmac: AlgorithmModule = {
  generateKey(alg, extractable, usages) {
    checkUsages(usages, USAGES, 'HMAC');
    const { hash, length } = alg as HmacKeyParams;
    const bits = length ?? defaultLengthBits(hash);
    if (bits === 0) throw domError('OperationError', 'HMAC key length must not be zero');
    // A key of `bits` bits: the unused low bits of the last byte are zero.
    return createHmacKey(binding().Secret.random(Math.ceil(bits / 8), bits), hash, bits, extractable, usages);
  },

  importKey(format, keyData, alg, extractable, usages) {
    checkUsages(usages, USAGES, 'HMAC');
    const { hash, length } = alg as HmacKeyParams;
    let bytes: Uint8Array;
    if (isRawSecret(format)) {
      bytes = keyData as Uint8Array;
    } else if (format === 'jwk') {
      const jwk = keyData as JsonWebKey;
      bytes = readOctetKey(jwk);
      const { hmacJwkAlg } = hashInfo(hash);
      if (jwk.alg !== undefined && jwk.alg !== hmacJwkAlg)
        throw domError('DataError', hmacJwkAlg === undefined
          ? `JWK member 'alg' must be absent for HMAC with ${hash.name} (RFC 7518 defines none)`
          : `JWK member 'alg' must be '${hmacJwkAlg}' for HMAC with ${hash.name}`);
      checkJwkUsage(jwk, usages, extractable, 'sig');
    } else {
      throw notSupportedFormat(format, 'HMAC');
    }
    try {
      let bits = bytes.byteLength * 8;
      if (bits === 0) throw domError('DataError', 'HMAC key data must not be empty');
      if (length !== undefined) {
        if (length > bits || length <= bits - 8)
          throw domError('DataError', `HMAC length ${length} does not match key data of ${bits} bits`);
        bits = length;
        // The key is "the first length bits of data": clear the rest of the last byte.
        if (bits % 8 !== 0) bytes[bytes.byteLength - 1]! &= 0xff << (8 - (bits % 8));
      }
      return createHmacKey(binding().Secret.fromBytes(bytes), hash, bits, extractable, usages);
    } finally {
      bytes.fill(0);
    }
  },

  exportKey(format, key) {
    if (isRawSecret(format)) return exportSecret(key);
    if (format === 'jwk') {
      const { usages, extractable } = slotsOf(key);
      const bytes = new Uint8Array(exportSecret(key));
      try {
        return octetJwk(bytes, hashInfo(hashOf(key)).hmacJwkAlg, usages, extractable);
      } finally {
        bytes.fill(0);
      }
    }
    throw notSupportedFormat(format, 'HMAC');
  },

  importKernelKey(kernelKey, alg, usages) {
    checkUsages(usages, USAGES, 'HMAC');
    const { hash, length } = alg as HmacKeyParams;
    if (length === undefined || length === 0)
      throw new TypeError('An HMAC key from a keyring needs its length (in bits) in the algorithm');
    return createHmacKey(kernelKey, hash, length, false, usages);
  },

  getKeyLength(alg) {
    const { hash, length } = alg as HmacKeyParams;
    if (length === undefined) return defaultLengthBits(hash);
    if (length === 0) throw new TypeError('HMAC length must not be zero');
    return length;
  },

  sign(_alg, key, data) {
    return mac(key, data);
  },

  verify(_alg, key, signature, data) {
    return macMatches(mac(key, data), signature);
  },
};
