// AES-CMAC (NIST SP 800-38B, RFC 4493) as a sign/verify algorithm. Not part
// of WebCrypto or of the WICG drafts, so it is registered under a name that
// says it is this library's extension: 'AFALG-AES-CMAC'. Its keys are AES
// keys (128, 192 or 256 bits; AesKeyGenParams, AesDerivedKeyParams) used
// for signing; JWK has no "alg" for CMAC, so its JWKs carry none. The MAC is
// the kernel's cmac(aes), 16 bytes, untruncated.
import { binding } from '../../kernel/binding';
import { Session } from '../../kernel/session';
import type { AlgorithmModule, MaybePromise } from '../algorithm-module';
import type { CryptoKey } from '../crypto-key';
import { aesKeyLifecycle } from './aes-key';
import { keyedSession, macMatches } from './secret-key';

export const AES_CMAC = 'AFALG-AES-CMAC';
const MAC_BYTES = 16;

function mac(key: CryptoKey, data: Uint8Array): MaybePromise<ArrayBuffer> {
  return Session.run([keyedSession(key, 'hash', 'cmac(aes)')], data.byteLength,
    ([op], async) => binding().hash(op!, data, MAC_BYTES, async));
}

export const aesCmac: AlgorithmModule = {
  ...aesKeyLifecycle({ name: AES_CMAC, usages: ['sign', 'verify'], jwkAlg: () => undefined, jwkUse: 'sig' }),

  sign(_alg, key, data) {
    return mac(key, data);
  },

  verify(_alg, key, signature, data) {
    return macMatches(mac(key, data), signature);
  },
};
