// The key lifecycle every AES family shares (generateKey, importKey,
// exportKey, get key length), parameterized by the family's name, its
// allowed usages, the JWK "alg" of its keys (A128GCM, A256KW, ...) and the
// JWK "use" its keys carry.
import { binding } from '../../kernel/binding';
import type { AlgorithmModule, JsonWebKey } from '../algorithm-module';
import { createSecretKey, type KeyUsage } from '../crypto-key';
import { domError } from '../dom-errors';
import { checkJwkUsage, octetJwk, readOctetKey } from '../jwk';
import type { AesKeyGenParams } from '../params';
import { checkUsages } from '../usages';
import { exportSecret, isRawSecret, notSupportedFormat, slotsOf } from './secret-key';

const AES_KEY_BITS = [128, 192, 256];

export interface AesFamily {
  readonly name: string;
  readonly usages: readonly KeyUsage[];
  /**
   * The JWK `alg` of a key of this many bits (RFC 7518), or undefined where
   * none is defined: such keys export without `alg` and import only without.
   */
  readonly jwkAlg: (bits: number) => string | undefined;
  /** The JWK `use` its keys may carry (RFC 7517); 'enc' unless given. */
  readonly jwkUse?: 'enc' | 'sig';
}

/** The RFC 7518 names of the four WebCrypto AES modes: A128GCM, A256KW, ... */
export function jwkAlgWithSuffix(suffix: string): (bits: number) => string {
  return (bits) => `A${bits}${suffix}`;
}

function checkLength(bits: number, error: 'OperationError' | 'DataError'): void {
  if (!AES_KEY_BITS.includes(bits))
    throw domError(error, `AES key length must be 128, 192 or 256 bits, not ${bits}`);
}

export function aesKeyLifecycle(family: AesFamily): Required<Pick<AlgorithmModule,
  'generateKey' | 'importKey' | 'exportKey' | 'getKeyLength' | 'importKernelKey'>> {
  const { name, usages: allowed, jwkAlg, jwkUse = 'enc' } = family;
  return {
    generateKey(alg, extractable, usages) {
      checkUsages(usages, allowed, name);
      const { length } = alg as AesKeyGenParams;
      checkLength(length, 'OperationError');
      return createSecretKey(binding().Secret.random(length / 8), { name, length }, extractable, usages);
    },

    importKey(format, keyData, _alg, extractable, usages) {
      checkUsages(usages, allowed, name);
      let bytes: Uint8Array;
      if (isRawSecret(format)) {
        bytes = keyData as Uint8Array;
        checkLength(bytes.byteLength * 8, 'DataError');
      } else if (format === 'jwk') {
        const jwk = keyData as JsonWebKey;
        bytes = readOctetKey(jwk);
        const bits = bytes.byteLength * 8;
        checkLength(bits, 'DataError');
        const alg = jwkAlg(bits);
        if (jwk.alg !== undefined && jwk.alg !== alg)
          throw domError('DataError', alg === undefined
            ? `JWK member 'alg' must be absent for ${name} (RFC 7518 defines none)`
            : `JWK member 'alg' must be '${alg}' for a ${bits}-bit ${name} key`);
        checkJwkUsage(jwk, usages, extractable, jwkUse);
      } else {
        throw notSupportedFormat(format, name);
      }
      try {
        return createSecretKey(binding().Secret.fromBytes(bytes), { name, length: bytes.byteLength * 8 }, extractable, usages);
      } finally {
        bytes.fill(0);
      }
    },

    exportKey(format, key) {
      const { algorithm, usages, extractable } = slotsOf(key);
      if (isRawSecret(format)) return exportSecret(key);
      if (format === 'jwk') {
        const bytes = new Uint8Array(exportSecret(key));
        try {
          return octetJwk(bytes, jwkAlg(algorithm.length as number), usages, extractable);
        } finally {
          bytes.fill(0);
        }
      }
      throw notSupportedFormat(format, name);
    },

    importKernelKey(kernelKey, alg, usages) {
      checkUsages(usages, allowed, name);
      const { length } = alg as AesKeyGenParams;
      checkLength(length, 'DataError');
      return createSecretKey(kernelKey, { name, length }, false, usages);
    },

    getKeyLength(alg) {
      const { length } = alg as AesKeyGenParams;
      checkLength(length, 'OperationError');
      return length;
    },
  };
}

export const CIPHER_USAGES: readonly KeyUsage[] = ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'];
