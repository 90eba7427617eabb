// The polyfill installed over globalThis.crypto for a test file, with a way
// to run a piece of code on Node's own WebCrypto in between. Clients such as
// jose and oauth4webapi read the global `crypto` (and `CryptoKey`) on every
// call, so swapping the globals really switches which implementation they
// use: Node's (OpenSSL) inside onNode(), ours everywhere else.
import { install, type InstallOptions } from '../../src/polyfill/install';
import type { Crypto } from '../../src/webcrypto/crypto';

const GLOBALS = ['crypto', 'Crypto', 'SubtleCrypto', 'CryptoKey'] as const;

type Descriptors = [string, PropertyDescriptor | undefined][];

function snapshot(): Descriptors {
  return GLOBALS.map((name) => [name, Object.getOwnPropertyDescriptor(globalThis, name)]);
}

function apply(descriptors: Descriptors): void {
  for (const [name, descriptor] of descriptors) {
    if (descriptor) Object.defineProperty(globalThis, name, descriptor);
    else delete (globalThis as Record<string, unknown>)[name];
  }
}

export interface InstalledPolyfill {
  /** Our Crypto, as installed on globalThis. */
  readonly crypto: Crypto;
  /** Runs fn with Node's own WebCrypto as the globals, then puts ours back. */
  onNode<T>(fn: () => Promise<T>): Promise<T>;
  /** Puts Node's globals back for good (afterAll). */
  uninstall(): void;
}

export function installPolyfill(options: InstallOptions): InstalledPolyfill {
  const restore = install(options);
  const ours = snapshot();
  const crypto = globalThis.crypto as unknown as Crypto;
  return {
    crypto,
    async onNode(fn) {
      restore();
      try {
        if ((globalThis.crypto as unknown) === crypto) throw new Error('onNode: the globals were not restored');
        return await fn();
      } finally {
        apply(ours);
      }
    },
    uninstall: restore,
  };
}
