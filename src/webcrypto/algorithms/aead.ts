// What the AEAD families share (AES-GCM, ChaCha20-Poly1305): reading
// AeadParams, the key's kernel "aead" session for one tag size, and one
// message sealed or opened by the native AEAD job in a single sendmsg and
// recvmsg. The job wipes unauthenticated plaintext when the tag is wrong,
// and reads back at least one byte, so the kernel checks the tag even of a
// tag-only message (docs/kernel-notes.md).
import { binding } from '../../kernel/binding';
import { KernelError } from '../../kernel/errors';
import { Session } from '../../kernel/session';
import type { MaybePromise } from '../algorithm-module';
import type { CryptoKey } from '../crypto-key';
import { domError } from '../dom-errors';
import type { AeadParams } from '../params';
import { keyedSession } from './secret-key';

/**
 * The largest AAD + text + tag sent to an AEAD socket in one message. It
 * must fit the op socket's send buffer and its output the receive buffer
 * (212,992 bytes each by default on 6.12): 150 KiB was measured to work;
 * 300 KiB, even with a larger send buffer, came back wrong.
 */
export const AEAD_MAX_MESSAGE_BYTES = 128 * 1024;

/** One AEAD request, with AeadParams' defaults applied (no AAD, a 128-bit tag). */
export interface AeadMessage {
  readonly encrypt: boolean;
  readonly iv: Uint8Array;
  readonly aad: Uint8Array;
  /** Plaintext to seal, or ciphertext followed by its tag to open. */
  readonly data: Uint8Array;
  readonly tagBytes: number;
}

/**
 * The message params describe, after the checks every AEAD makes: a tag
 * length the algorithm allows, and a ciphertext long enough to hold the
 * tag (both OperationError).
 */
export function aeadMessage(name: string, params: AeadParams, encrypt: boolean, data: Uint8Array,
  tagLengths: readonly number[]): AeadMessage {
  const tagLength = params.tagLength ?? 128;
  if (!tagLengths.includes(tagLength))
    throw domError('OperationError', `${name} tagLength must be ${tagLengths.join(', ')}, not ${tagLength}`);
  const tagBytes = tagLength / 8;
  if (!encrypt && data.byteLength < tagBytes)
    throw domError('OperationError', `${name} ciphertext is shorter than the ${tagBytes}-byte tag`);
  return { encrypt, iv: params.iv, aad: params.additionalData ?? new Uint8Array(0), data, tagBytes };
}

/** What the kernel must hold at once: AAD, then the plaintext and tag, or the ciphertext and tag. */
export function messageBytes(m: AeadMessage): number {
  return m.aad.byteLength + m.data.byteLength + (m.encrypt ? m.tagBytes : 0);
}

/** The key's session of the kernel AEAD `kernelName`, its tfm set to this tag size. */
export function aeadSession(key: CryptoKey, kernelName: string, tagBytes: number): Session {
  return keyedSession(key, 'aead', kernelName, (tfm) => tfm.setAeadAuthsize(tagBytes), `/${tagBytes}`);
}

/** Whether a kernel failure says that the message did not fit the op socket's send buffer. */
export function tooBigForSocket(error: unknown): boolean {
  return error instanceof KernelError && (error.code === 'EAGAIN' || error.code === 'EMSGSIZE');
}

/**
 * Seals or opens m on session: synchronously for small messages (the result
 * itself), on the thread pool for large ones (a promise). m.data is the
 * facade's call-time copy, which nothing else holds. An AEAD message must
 * fit the op socket's send buffer whole; should it not, the result is
 * `tooBig`'s.
 */
export function sealOrOpen(session: Session, m: AeadMessage,
  tooBig: (error: unknown) => MaybePromise<ArrayBuffer>): MaybePromise<ArrayBuffer> {
  const fallback = (error: unknown) => {
    if (!tooBigForSocket(error)) throw error;
    return tooBig(error);
  };
  let result: MaybePromise<ArrayBuffer>;
  try {
    result = Session.run([session], messageBytes(m),
      ([op], async) => binding().aead(op!, m.encrypt, m.iv, m.aad, m.data, m.tagBytes, async));
  } catch (error) {
    return fallback(error);
  }
  return result instanceof Promise ? result.catch(fallback) : result;
}
