// AES-CBC through the kernel's cbc(aes). The kernel does no padding: the
// native job adds PKCS#7 padding before encryption and checks it in
// constant time after decryption, without copying the data for either.
import { binding } from '../../kernel/binding';
import { Session } from '../../kernel/session';
import type { AlgorithmModule, MaybePromise } from '../algorithm-module';
import type { CryptoKey } from '../crypto-key';
import { domError } from '../dom-errors';
import type { AesCbcParams } from '../params';
import { aesKeyLifecycle, jwkAlgWithSuffix, CIPHER_USAGES } from './aes-key';
import { keyedSession } from './secret-key';

const BLOCK_BYTES = 16;

function checkIv(iv: Uint8Array): void {
  if (iv.byteLength !== BLOCK_BYTES)
    throw domError('OperationError', `AES-CBC iv must be 16 bytes, not ${iv.byteLength}`);
}

function cbc(key: CryptoKey, encrypt: boolean, iv: Uint8Array, data: Uint8Array): MaybePromise<ArrayBuffer> {
  return Session.run([keyedSession(key, 'skcipher', 'cbc(aes)')], data.byteLength,
    ([op], async) => binding().cbc(op!, encrypt, iv, data, async));
}

export const aesCbc: AlgorithmModule = {
  ...aesKeyLifecycle({ name: 'AES-CBC', usages: CIPHER_USAGES, jwkAlg: jwkAlgWithSuffix('CBC') }),

  encrypt(alg, key, data) {
    const { iv } = alg as AesCbcParams;
    checkIv(iv);
    return cbc(key, true, iv, data);
  },

  decrypt(alg, key, data) {
    const { iv } = alg as AesCbcParams;
    checkIv(iv);
    if (data.byteLength === 0 || data.byteLength % BLOCK_BYTES !== 0)
      throw domError('OperationError', 'AES-CBC ciphertext must be a non-empty multiple of 16 bytes');
    return cbc(key, false, iv, data);
  },
};
