// AES-GCM. Two kernel paths give the same bytes (the tests prove it):
// - gcm(aes) as an AEAD socket: one sendmsg and one recvmsg, used for
//   12-byte IVs and messages that fit the socket's send buffer whole;
// - GCM built from ctr(aes) and ghash keyed with H = E_K(0^128) (the native
//   GcmJob), for every other IV length and for large messages. It verifies
//   the tag before it decrypts anything.
import { binding } from '../../kernel/binding';
import { KernelError } from '../../kernel/errors';
import { runsAsync } from '../../kernel/schedule';
import { Session } from '../../kernel/session';
import type { AlgorithmModule, MaybePromise } from '../algorithm-module';
import type { CryptoKey } from '../crypto-key';
import { domError } from '../dom-errors';
import type { AesGcmParams } from '../params';
import { aesKeyLifecycle, CIPHER_USAGES } from './aes-key';
import { keyedSession, materialOf } from './secret-key';

const TAG_LENGTHS = [32, 64, 96, 104, 112, 120, 128];
/** The kernel's gcm(aes) accepts only this IV length. */
const AEAD_IV_BYTES = 12;
/**
 * The largest AAD + text + tag sent to gcm(aes) in one message. An AEAD
 * message must fit the op socket's send buffer (212,992 bytes by default on
 * 6.12; 150 KiB measured to work, 300 KiB not); larger ones take the
 * composite path.
 */
export const AEAD_MAX_MESSAGE_BYTES = 128 * 1024;
/** The most plaintext GCM can take under one key and IV: 2^39 - 256 bits. */
const MAX_TEXT_BYTES = (2 ** 39 - 256) / 8;

export type GcmPath = 'auto' | 'aead' | 'composite';
let forcedPath: GcmPath = 'auto';

/** Forces one kernel path (the tests compare both). */
export function setGcmPath(path: GcmPath): void {
  forcedPath = path;
}

function aeadSession(key: CryptoKey, tagBytes: number): Session {
  return keyedSession(key, 'aead', 'gcm(aes)', (tfm) => tfm.setAeadAuthsize(tagBytes), `/${tagBytes}`);
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

function gcm(alg: AesGcmParams, key: CryptoKey, encrypt: boolean, data: Uint8Array): MaybePromise<ArrayBuffer> {
  const { iv } = alg;
  const aad = alg.additionalData ?? new Uint8Array(0);
  const tagLength = alg.tagLength ?? 128;
  if (!TAG_LENGTHS.includes(tagLength))
    throw domError('OperationError', `AES-GCM tagLength must be one of ${TAG_LENGTHS.join(', ')}, not ${tagLength}`);
  if (iv.byteLength === 0) throw domError('OperationError', 'AES-GCM iv must not be empty');
  const tagBytes = tagLength / 8;
  if (encrypt && data.byteLength > MAX_TEXT_BYTES)
    throw domError('OperationError', 'AES-GCM plaintext is longer than 2^39 - 256 bits');
  if (!encrypt && data.byteLength < tagBytes)
    throw domError('OperationError', `AES-GCM ciphertext is shorter than the ${tagBytes}-byte tag`);
  const messageBytes = aad.byteLength + data.byteLength + (encrypt ? tagBytes : 0);
  // An AEAD decryption with no AAD and no ciphertext would read nothing back,
  // and the kernel checks the tag only inside a read: that case (and any
  // other with nothing to read) takes the composite path, which always does.
  const outputBytes = aad.byteLength + data.byteLength + (encrypt ? tagBytes : -tagBytes);
  const aeadFits = iv.byteLength === AEAD_IV_BYTES && messageBytes <= AEAD_MAX_MESSAGE_BYTES && outputBytes > 0;
  const composite = (input: Uint8Array) => Session.run(compositeSessions(key), messageBytes,
    ([ctrOp, ghashOp], async) => binding().gcm(ctrOp!, ghashOp!, encrypt, iv, aad, input, tagBytes, async));
  // Nothing to read back means gcm(aes) cannot check the tag: composite, whatever is forced.
  if (forcedPath === 'composite' || (forcedPath === 'auto' && !aeadFits) || outputBytes === 0) return composite(data);
  // gcm(aes) needs the whole message in the socket's send buffer. Should a
  // send buffer be smaller than assumed (EAGAIN), the composite path runs
  // instead, on the same bytes (data is the call-time copy nothing else
  // holds, so it is still as it was at the call).
  const aead = aeadSession(key, tagBytes);
  const fallback = (error: unknown) => {
    const tooBig = error instanceof KernelError && (error.code === 'EAGAIN' || error.code === 'EMSGSIZE');
    return tooBig && forcedPath === 'auto';
  };
  if (!runsAsync(messageBytes)) {
    try {
      return Session.runSync(aead, (op) => binding().aead(op, encrypt, iv, aad, data, tagBytes, false));
    } catch (error) {
      if (!fallback(error)) throw error;
      return composite(data);
    }
  }
  // runsAsync(messageBytes): Session.run queues the job and returns its promise.
  const queued = Session.run([aead], messageBytes, ([op]) => binding().aead(op!, encrypt, iv, aad, data, tagBytes, true));
  return (queued as Promise<ArrayBuffer>).catch((error: unknown) => {
    if (!fallback(error)) throw error;
    return composite(data);
  });
}

export const aesGcm: AlgorithmModule = {
  ...aesKeyLifecycle({ name: 'AES-GCM', usages: CIPHER_USAGES, jwkSuffix: 'GCM' }),
  encrypt(alg, key, data) {
    return gcm(alg as AesGcmParams, key, true, data);
  },
  decrypt(alg, key, data) {
    return gcm(alg as AesGcmParams, key, false, data);
  },
};
