// AES-KW (RFC 3394) over the kernel's ecb(aes). The kernel's own kw(aes)
// keeps the integrity block inside the socket on encryption (no syscall
// returns it), so the native job runs the RFC's 6n block steps on ecb(aes)
// in both directions.
import { binding } from '../../kernel/binding';
import { Session } from '../../kernel/session';
import type { AlgorithmModule, MaybePromise } from '../algorithm-module';
import type { CryptoKey } from '../crypto-key';
import { domError } from '../dom-errors';
import { aesKeyLifecycle, jwkAlgWithSuffix } from './aes-key';
import { keyedSession } from './secret-key';

function kw(key: CryptoKey, wrap: boolean, data: Uint8Array): MaybePromise<ArrayBuffer> {
  return Session.run([keyedSession(key, 'skcipher', 'ecb(aes)')], data.byteLength,
    ([op], async) => binding().aesKw(op!, wrap, data, async));
}

export const aesKw: AlgorithmModule = {
  ...aesKeyLifecycle({ name: 'AES-KW', usages: ['wrapKey', 'unwrapKey'], jwkAlg: jwkAlgWithSuffix('KW') }),

  wrapKey(_alg, key, bytes) {
    if (bytes.byteLength % 8 !== 0 || bytes.byteLength < 16)
      throw domError('OperationError', `AES-KW can wrap only a multiple of 8 bytes, at least 16 (got ${bytes.byteLength})`);
    return kw(key, true, bytes);
  },

  unwrapKey(_alg, key, bytes) {
    if (bytes.byteLength % 8 !== 0 || bytes.byteLength < 24)
      throw domError('OperationError', `AES-KW wrapped data must be a multiple of 8 bytes, at least 24 (got ${bytes.byteLength})`);
    return kw(key, false, bytes);
  },
};
