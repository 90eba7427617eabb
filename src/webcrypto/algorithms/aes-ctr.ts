// AES-CTR through the kernel's ctr(aes). WebCrypto counts only the low
// `length` bits of the counter block; the native job splits the request
// where those bits wrap, since the kernel carries through all 128 bits.
import { binding } from '../../kernel/binding';
import { Session } from '../../kernel/session';
import type { AlgorithmModule, MaybePromise } from '../algorithm-module';
import type { CryptoKey } from '../crypto-key';
import { domError } from '../dom-errors';
import type { AesCtrParams } from '../params';
import { aesKeyLifecycle, jwkAlgWithSuffix, CIPHER_USAGES } from './aes-key';
import { keyedSession } from './secret-key';

function ctr(alg: AesCtrParams, key: CryptoKey, data: Uint8Array): MaybePromise<ArrayBuffer> {
  const { counter, length } = alg;
  if (counter.byteLength !== 16)
    throw domError('OperationError', `AES-CTR counter must be 16 bytes, not ${counter.byteLength}`);
  if (length === 0 || length > 128)
    throw domError('OperationError', `AES-CTR length must be 1 to 128 bits, not ${length}`);
  // More blocks than distinct counter values would reuse keystream.
  const blocks = Math.ceil(data.byteLength / 16);
  if (length < 53 && blocks > 2 ** length)
    throw domError('OperationError', `AES-CTR data needs ${blocks} counter blocks, but a ${length}-bit counter has only ${2 ** length}`);
  return Session.run([keyedSession(key, 'skcipher', 'ctr(aes)')], data.byteLength,
    ([op], async) => binding().ctr(op!, counter, length, data, async));
}

export const aesCtr: AlgorithmModule = {
  ...aesKeyLifecycle({ name: 'AES-CTR', usages: CIPHER_USAGES, jwkAlg: jwkAlgWithSuffix('CTR') }),
  // Encryption and decryption are the same keystream XOR.
  encrypt(alg, key, data) {
    return ctr(alg as AesCtrParams, key, data);
  },
  decrypt(alg, key, data) {
    return ctr(alg as AesCtrParams, key, data);
  },
};
