// AES-GCM. Two kernel paths give the same bytes (the tests prove it):
// - gcm(aes) as an AEAD socket: one sendmsg and one recvmsg, used for
//   12-byte IVs and messages that fit the socket's send buffer whole;
// - GCM built from ctr(aes) and ghash keyed with H = E_K(0^128) (the native
//   GcmJob), for every other IV length and for large messages. It verifies
//   the tag before it decrypts anything.
import { binding } from '../../kernel/binding';
import { Session } from '../../kernel/session';
import type { AlgorithmModule, MaybePromise } from '../algorithm-module';
import type { CryptoKey } from '../crypto-key';
import { domError } from '../dom-errors';
import type { AesGcmParams } from '../params';
import { AEAD_MAX_MESSAGE_BYTES, aeadMessage, aeadSession, messageBytes, sealOrOpen, type AeadMessage } from './aead';
import { aesKeyLifecycle, CIPHER_USAGES, jwkAlgWithSuffix } from './aes-key';
import { keyedSession, materialOf } from './secret-key';

const TAG_LENGTHS = [32, 64, 96, 104, 112, 120, 128];
/** The kernel's gcm(aes) accepts only this IV length. */
const AEAD_IV_BYTES = 12;
/** Larger messages take the composite path (exported for the tests). */
export { AEAD_MAX_MESSAGE_BYTES };
/** The most plaintext GCM can take under one key and IV: 2^39 - 256 bits. */
const MAX_TEXT_BYTES = (2 ** 39 - 256) / 8;

export type GcmPath = 'auto' | 'aead' | 'composite';
let forcedPath: GcmPath = 'auto';

/** Forces one kernel path (the tests compare both). */
export function setGcmPath(path: GcmPath): void {
  forcedPath = path;
}

/**
 * The key's composite-path sessions: ctr(aes), and ghash keyed with H.
 * Exported for the streaming encryption (src/streams), which leases op
 * sockets of both across chunks.
 */
export function compositeSessions(key: CryptoKey): [Session, Session] {
  const ctr = keyedSession(key, 'skcipher', 'ctr(aes)');
  // The ghash tfm is keyed with H, which the native side computes from the
  // ctr session and installs without it ever reaching JavaScript.
  const ghash = materialOf(key).sessions.get('hash', 'ghash', (tfm) => Session.runSync(ctr, (op) => binding().installGhashKey(op, tfm)));
  return [ctr, ghash];
}

function composite(key: CryptoKey, m: AeadMessage): MaybePromise<ArrayBuffer> {
  return Session.run(compositeSessions(key), messageBytes(m),
    ([ctrOp, ghashOp], async) => binding().gcm(ctrOp!, ghashOp!, m.encrypt, m.iv, m.aad, m.data, m.tagBytes, async));
}

function gcm(alg: AesGcmParams, key: CryptoKey, encrypt: boolean, data: Uint8Array): MaybePromise<ArrayBuffer> {
  const m = aeadMessage('AES-GCM', alg, encrypt, data, TAG_LENGTHS);
  if (m.iv.byteLength === 0) throw domError('OperationError', 'AES-GCM iv must not be empty');
  if (encrypt && data.byteLength > MAX_TEXT_BYTES)
    throw domError('OperationError', 'AES-GCM plaintext is longer than 2^39 - 256 bits');
  const aeadFits = m.iv.byteLength === AEAD_IV_BYTES && messageBytes(m) <= AEAD_MAX_MESSAGE_BYTES;
  if (forcedPath === 'composite' || (forcedPath === 'auto' && !aeadFits)) return composite(key, m);
  // gcm(aes) needs the whole message in the socket's send buffer. Should a
  // send buffer be smaller than assumed, the composite path runs instead.
  return sealOrOpen(aeadSession(key, 'gcm(aes)', m.tagBytes), m, (error) => {
    if (forcedPath !== 'auto') throw error;
    return composite(key, m);
  });
}

export const aesGcm: AlgorithmModule = {
  ...aesKeyLifecycle({ name: 'AES-GCM', usages: CIPHER_USAGES, jwkAlg: jwkAlgWithSuffix('GCM') }),
  encrypt(alg, key, data) {
    return gcm(alg as AesGcmParams, key, true, data);
  },
  decrypt(alg, key, data) {
    return gcm(alg as AesGcmParams, key, false, data);
  },
};
