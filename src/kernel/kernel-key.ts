// Where the kernel gets a key's bytes from when a tfm is (re)bound: bytes
// held in native memory (ALG_SET_KEY), or a key in a kernel keyring
// (ALG_SET_KEY_BY_KEY_SERIAL, Linux 6.2+), whose bytes never enter the
// process at all.
import { binding, type AlgSocket, type Secret } from './binding';
import { kernelError, KernelError } from './errors';

/** The special keyrings of keyctl(2), as add_key(2) takes them. */
export const KEYRINGS = { thread: -1, process: -2, session: -3, user: -4 } as const;
export type KeyringName = keyof typeof KEYRINGS;

export class KernelKey {
  private constructor(private secretBytes: Secret | undefined, private keySerial: number | undefined) {}

  static fromSecret(secret: Secret): KernelKey {
    return new KernelKey(secret, undefined);
  }

  static fromSerial(serial: number): KernelKey {
    return new KernelKey(undefined, serial);
  }

  /** The kernel keyring key holding this key, if it lives in one. */
  get serial(): number | undefined {
    return this.keySerial;
  }

  /** The key bytes in native memory; absent once the key lives in a keyring. */
  get secret(): Secret {
    if (this.secretBytes === undefined)
      throw new KernelError('the key lives in a kernel keyring; its bytes are not available to this process',
        'failed', 'EKEYINKEYRING', 0, 'key', undefined);
    return this.secretBytes;
  }

  /**
   * Keys a freshly bound tfm. `prepare` may replace the bytes first (HMAC
   * shortens over-long keys); a keyring key is always used as it is.
   */
  applyTo(tfm: AlgSocket, prepare: (secret: Secret) => Secret = (s) => s): void {
    if (this.keySerial === undefined) {
      tfm.setKey(prepare(this.secret));
      return;
    }
    try {
      tfm.setKeySerial(this.keySerial);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'ENOPROTOOPT')
        throw new KernelError('this kernel cannot take keys from a keyring (ALG_SET_KEY_BY_KEY_SERIAL needs Linux 6.2 or later, and CONFIG_KEYS)',
          'unavailable', code, 92, 'setsockopt(ALG_SET_KEY_BY_KEY_SERIAL)', undefined);
      throw error;
    }
  }

  /**
   * Moves the bytes into a kernel keyring as a "logon" key (which no
   * process can read back) and wipes the native copy. Tfms bound later are
   * keyed by serial.
   */
  moveToKeyring(keyring: KeyringName, description: string): number {
    const secret = this.secret;
    try {
      this.keySerial = binding().addKey('logon', description, secret, KEYRINGS[keyring]);
    } catch (error) {
      throw kernelError(error);
    }
    secret.wipe();
    this.secretBytes = undefined;
    return this.keySerial;
  }
}
