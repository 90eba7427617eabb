// Installs this library as the process's WebCrypto: globalThis.crypto and
// the interface objects Crypto, SubtleCrypto and CryptoKey.
import { createCrypto, Crypto, type CryptoOptions } from '../webcrypto/crypto';
import { CryptoKey } from '../webcrypto/crypto-key';
import { SubtleCrypto } from '../webcrypto/subtle';

export type InstallOptions = CryptoOptions;

const GLOBALS = ['crypto', 'Crypto', 'SubtleCrypto', 'CryptoKey'] as const;

/**
 * Replaces the globals and returns a function that puts back what was
 * there before.
 */
export function install(options: InstallOptions = {}): () => void {
  const previous = GLOBALS.map((name) => [name, Object.getOwnPropertyDescriptor(globalThis, name)] as const);
  const values: Record<(typeof GLOBALS)[number], unknown> = {
    crypto: createCrypto(options), Crypto, SubtleCrypto, CryptoKey,
  };
  // Each global keeps the enumerability it had (Node's crypto is enumerable, its
  // interface objects are not); all stay configurable and writable.
  for (const [name, descriptor] of previous)
    Object.defineProperty(globalThis, name, {
      value: values[name], writable: true, configurable: true, enumerable: descriptor?.enumerable ?? false,
    });
  return () => {
    for (const [name, descriptor] of previous) {
      if (descriptor) Object.defineProperty(globalThis, name, descriptor);
      else delete (globalThis as Record<string, unknown>)[name];
    }
  };
}
