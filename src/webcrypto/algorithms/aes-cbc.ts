// AES-CBC through the kernel's cbc(aes). The kernel does no padding: PKCS#7
// is added here before encryption and checked in constant time after
// decryption.
import { binding } from '../../kernel/binding';
import { Session } from '../../kernel/session';
import type { AlgorithmModule, MaybePromise } from '../algorithm-module';
import type { CryptoKey } from '../crypto-key';
import { domError } from '../dom-errors';
import type { AesCbcParams } from '../params';
import { aesKeyLifecycle, CIPHER_USAGES } from './aes-key';
import { keyedSession } from './secret-key';

const BLOCK_BYTES = 16;

function checkIv(iv: Uint8Array): void {
  if (iv.byteLength !== BLOCK_BYTES)
    throw domError('OperationError', `AES-CBC iv must be 16 bytes, not ${iv.byteLength}`);
}

function cbc(key: CryptoKey, encrypt: boolean, iv: Uint8Array, data: Uint8Array): MaybePromise<ArrayBuffer> {
  return Session.run([keyedSession(key, 'skcipher', 'cbc(aes)')], data.byteLength,
    ([op], async) => binding().skcipher(op!, encrypt, iv, data, async));
}

/** The length of the plaintext inside padded, or -1 when the padding is bad; constant time. */
function unpaddedLength(padded: Uint8Array): number {
  const n = padded.byteLength;
  if (n === 0) return -1;
  const pad = padded[n - 1]!;
  // bad != 0 when pad is 0 or more than a block, or any of the last pad bytes differs.
  let bad = ((pad - 1) >>> 8) | ((BLOCK_BYTES - pad) >>> 8 & 1);
  for (let i = 1; i <= BLOCK_BYTES; i++) {
    const inPad = ((i - pad - 1) >>> 31) & 1; // 1 when i <= pad
    bad |= inPad & (((padded[n - i]! ^ pad) + 0xff) >>> 8); // 1 when they differ
  }
  return bad === 0 ? n - pad : -1;
}

export const aesCbc: AlgorithmModule = {
  ...aesKeyLifecycle({ name: 'AES-CBC', usages: CIPHER_USAGES, jwkSuffix: 'CBC' }),

  async encrypt(alg, key, data) {
    const { iv } = alg as AesCbcParams;
    checkIv(iv);
    const pad = BLOCK_BYTES - (data.byteLength % BLOCK_BYTES);
    const padded = new Uint8Array(data.byteLength + pad);
    padded.set(data);
    padded.fill(pad, data.byteLength);
    try {
      return await cbc(key, true, iv, padded);
    } finally {
      padded.fill(0);
    }
  },

  async decrypt(alg, key, data) {
    const { iv } = alg as AesCbcParams;
    checkIv(iv);
    if (data.byteLength === 0 || data.byteLength % BLOCK_BYTES !== 0)
      throw domError('OperationError', 'AES-CBC ciphertext must be a non-empty multiple of 16 bytes');
    const padded = new Uint8Array(await cbc(key, false, iv, data));
    const length = unpaddedLength(padded);
    try {
      if (length < 0) throw domError('OperationError', 'AES-CBC decryption failed: bad padding');
      return padded.slice(0, length).buffer;
    } finally {
      padded.fill(0);
    }
  },
};
