// PBKDF2 (RFC 8018) on the kernel's HMAC: the password keys an hmac(<hash>)
// tfm once, and the native job runs every iteration on one op socket, two
// syscalls each, off the event loop for any non-trivial iteration count.
// The output's blocks are independent chains, so a long output runs its
// blocks as parallel jobs, each on its own op socket.
import { binding } from '../../kernel/binding';
import { runsAsync } from '../../kernel/schedule';
import { Session } from '../../kernel/session';
import type { AlgorithmModule } from '../algorithm-module';
import { domError } from '../dom-errors';
import type { Pbkdf2Params } from '../params';
import { hmacSession } from './hmac';
import { kdfKeyImport, outputBytes } from './kdf-key';
import { hashInfo } from './sha';

export const pbkdf2: AlgorithmModule = {
  ...kdfKeyImport('PBKDF2'),

  async deriveBits(alg, key, lengthBits) {
    const { hash, salt, iterations } = alg as Pbkdf2Params;
    const length = outputBytes(lengthBits, 'PBKDF2');
    if (iterations === 0) throw domError('OperationError', 'PBKDF2 iterations must not be zero');
    if (length === 0) return new ArrayBuffer(0);
    const { digestBytes, blockBytes } = hashInfo(hash);
    // The work, in bytes hashed, decides between this thread and the pool.
    const blocks = Math.ceil(length / digestBytes);
    const blockWork = iterations * 2 * blockBytes + salt.byteLength;
    const session = hmacSession(key, hash);
    const derive = (firstBlock: number, bytes: number) =>
      Session.run([session], blockWork * Math.ceil(bytes / digestBytes),
        ([op], async) => binding().pbkdf2(op!, salt, iterations, digestBytes, firstBlock, bytes, async));
    if (blocks === 1 || !runsAsync(blockWork)) return derive(1, length);
    const parts = await Promise.allSettled(Array.from({ length: blocks },
      (_, i) => derive(i + 1, Math.min(digestBytes, length - i * digestBytes))));
    const bits = new Uint8Array(length);
    parts.forEach((part, i) => {
      if (part.status === 'rejected') return;
      bits.set(new Uint8Array(part.value), i * digestBytes);
      new Uint8Array(part.value).fill(0);
    });
    const failed = parts.find((part) => part.status === 'rejected');
    if (failed === undefined) return bits.buffer;
    bits.fill(0);  // never a partial result
    throw failed.reason;
  },
};
