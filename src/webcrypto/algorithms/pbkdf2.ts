// PBKDF2 (RFC 8018) on the kernel's HMAC: the password keys an hmac(<hash>)
// tfm once, and the native job runs every iteration on one op socket, two
// syscalls each, off the event loop for any non-trivial iteration count.
import { binding } from '../../kernel/binding';
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
    const work = iterations * blocks * 2 * blockBytes + salt.byteLength;
    return Session.run([hmacSession(key, hash)], work,
      ([op], async) => binding().pbkdf2(op!, salt, iterations, digestBytes, length, async));
  },
};
