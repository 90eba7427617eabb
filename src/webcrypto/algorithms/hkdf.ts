// HKDF (RFC 5869) on the kernel's HMAC. Both HMAC keys are new on every
// call (the salt, then the pseudorandom key), so the native job binds its
// own two short-lived tfms and keeps the pseudorandom key in native memory.
import { binding } from '../../kernel/binding';
import { kernelError } from '../../kernel/errors';
import { runsAsync } from '../../kernel/schedule';
import { Session, sharedSession } from '../../kernel/session';
import type { AlgorithmModule } from '../algorithm-module';
import { domError } from '../dom-errors';
import type { HkdfParams } from '../params';
import { hmacName, keyNeedsDigest } from './hmac';
import { kdfKeyImport, outputBytes } from './kdf-key';
import { hashInfo } from './sha';
import { secretOf } from './secret-key';

export const hkdf: AlgorithmModule = {
  ...kdfKeyImport('HKDF'),

  async deriveBits(alg, key, lengthBits) {
    const { hash, info } = alg as HkdfParams;
    let { salt } = alg as HkdfParams;
    const length = outputBytes(lengthBits, 'HKDF');
    const { kernelName, digestBytes } = hashInfo(hash);
    if (length > 255 * digestBytes)
      throw domError('OperationError', `HKDF with ${hash.name} can derive at most ${255 * digestBytes * 8} bits`);
    if (length === 0) return new ArrayBuffer(0);
    // The salt is the extract step's HMAC key; shorten a too-long one as HMAC would.
    if (keyNeedsDigest(salt.byteLength, hash)) {
      const long = salt;
      salt = new Uint8Array(await Session.run([sharedSession('hash', kernelName)], long.byteLength,
        ([op], async) => binding().hash(op!, long, digestBytes, async)));
    }
    const secret = secretOf(key);
    const name = hmacName(hash);
    try {
      return await binding().hkdf(name, secret, salt, info, digestBytes, length,
        runsAsync(secret.byteLength + info.byteLength + length));
    } catch (error) {
      throw kernelError(error, { type: 'hash', name });
    }
  },
};
