// ChaCha20-Poly1305 (RFC 8439) as the WICG "Modern Algorithms" draft defines
// it for WebCrypto: 256-bit keys, 12-byte nonces, 128-bit tags, key formats
// 'raw-secret' and 'jwk' (alg "C20P"). The kernel's rfc7539(chacha20,poly1305)
// AEAD seals and opens each message in one sendmsg and one recvmsg.
import { binding } from '../../kernel/binding';
import type { AlgorithmModule, JsonWebKey, MaybePromise } from '../algorithm-module';
import { createSecretKey, type CryptoKey } from '../crypto-key';
import { domError } from '../dom-errors';
import { checkJwkUsage, octetJwk, readOctetKey } from '../jwk';
import type { AeadParams } from '../params';
import { checkUsages } from '../usages';
import { AEAD_MAX_MESSAGE_BYTES, aeadMessage, aeadSession, messageBytes, sealOrOpen } from './aead';
import { CIPHER_USAGES } from './aes-key';
import { exportSecret, notSupportedFormat, slotsOf } from './secret-key';

const NAME = 'ChaCha20-Poly1305';
const KERNEL_NAME = 'rfc7539(chacha20,poly1305)';
const KEY_BITS = 256;
const NONCE_BYTES = 12;
const JWK_ALG = 'C20P';

function chacha(alg: AeadParams, key: CryptoKey, encrypt: boolean, data: Uint8Array): MaybePromise<ArrayBuffer> {
  if (alg.iv.byteLength !== NONCE_BYTES)
    throw domError('OperationError', `${NAME} iv must be ${NONCE_BYTES} bytes, not ${alg.iv.byteLength}`);
  const m = aeadMessage(NAME, alg, encrypt, data, [128]);
  // The kernel has no other ChaCha20-Poly1305 to fall back on for what one
  // AEAD socket message cannot hold (docs/modern-algorithms.md).
  const tooBig = (size: number) => domError('OperationError',
    `${NAME} messages (additional data, text and tag) are limited to ${AEAD_MAX_MESSAGE_BYTES} bytes ` +
    `by the kernel's AEAD socket; this one is ${size}`);
  const size = messageBytes(m);
  if (size > AEAD_MAX_MESSAGE_BYTES) throw tooBig(size);
  return sealOrOpen(aeadSession(key, KERNEL_NAME, m.tagBytes), m, () => {
    throw tooBig(size);
  });
}

function checkKeyBits(bits: number): void {
  if (bits !== KEY_BITS) throw domError('DataError', `${NAME} keys are ${KEY_BITS} bits, not ${bits}`);
}

export const chacha20Poly1305: AlgorithmModule = {
  generateKey(_alg, extractable, usages) {
    checkUsages(usages, CIPHER_USAGES, NAME);
    return createSecretKey(binding().Secret.random(KEY_BITS / 8), { name: NAME }, extractable, usages);
  },

  importKey(format, keyData, _alg, extractable, usages) {
    checkUsages(usages, CIPHER_USAGES, NAME);
    let bytes: Uint8Array;
    if (format === 'raw-secret') {
      bytes = keyData as Uint8Array;
    } else if (format === 'jwk') {
      const jwk = keyData as JsonWebKey;
      bytes = readOctetKey(jwk);
      if (jwk.alg !== undefined && jwk.alg !== JWK_ALG)
        throw domError('DataError', `JWK member 'alg' must be '${JWK_ALG}' for a ${NAME} key`);
      checkJwkUsage(jwk, usages, extractable, 'enc');
    } else {
      // The draft keeps 'raw' for the W3C spec's algorithms only.
      throw notSupportedFormat(format, NAME);
    }
    try {
      checkKeyBits(bytes.byteLength * 8);
      return createSecretKey(binding().Secret.fromBytes(bytes), { name: NAME }, extractable, usages);
    } finally {
      bytes.fill(0);
    }
  },

  exportKey(format, key) {
    if (format === 'raw-secret') return exportSecret(key);
    if (format === 'jwk') {
      const { usages, extractable } = slotsOf(key);
      const bytes = new Uint8Array(exportSecret(key));
      try {
        return octetJwk(bytes, JWK_ALG, usages, extractable);
      } finally {
        bytes.fill(0);
      }
    }
    throw notSupportedFormat(format, NAME);
  },

  importKernelKey(kernelKey, _alg, usages) {
    checkUsages(usages, CIPHER_USAGES, NAME);
    return createSecretKey(kernelKey, { name: NAME }, false, usages);
  },

  getKeyLength: () => KEY_BITS,

  encrypt(alg, key, data) {
    return chacha(alg as AeadParams, key, true, data);
  },

  decrypt(alg, key, data) {
    return chacha(alg as AeadParams, key, false, data);
  },
};
