// Keys that live in the kernel's keyrings (not part of WebCrypto). AF_ALG
// can key a tfm from a keyring key by its serial (ALG_SET_KEY_BY_KEY_SERIAL,
// Linux 6.2+), so the key bytes never enter this process: a "logon" key
// cannot even be read back by its owner.
import { binding } from './kernel/binding';
import { kernelError, KernelError, type AlgType } from './kernel/errors';
import { KEYRINGS, KernelKey, type KeyringName } from './kernel/kernel-key';
import { keySlots, normalizedUsages, type CryptoKey, type KeyUsage } from './webcrypto/crypto-key';
import { domError, toDomError } from './webcrypto/dom-errors';
import { normalizeAlgorithm } from './webcrypto/normalize';
import { registration } from './webcrypto/registry';

export type { KeyringName };

/** A key in a kernel keyring: by serial, or by type and description. */
export type KeyringKeyReference =
  | { serial: number }
  | { description: string; type?: 'user' | 'logon' | 'encrypted' | 'trusted'; keyring?: KeyringName };

const ctx = { prefix: "Failed to execute 'importKeyringKey'", context: '2nd argument' };

function serialOf(ref: KeyringKeyReference): number {
  if ('serial' in ref) {
    if (!Number.isInteger(ref.serial) || ref.serial <= 0) throw new TypeError('serial must be a positive integer');
    return ref.serial;
  }
  try {
    return binding().searchKey(ref.type ?? 'logon', ref.description, KEYRINGS[ref.keyring ?? 'session']);
  } catch (error) {
    throw domError('DataError', `No ${ref.type ?? 'logon'} key '${ref.description}' in the ${ref.keyring ?? 'session'} keyring`, error);
  }
}

/**
 * A non-extractable CryptoKey for AES-CBC/CTR/GCM/KW or HMAC whose bytes
 * are the keyring key's payload. The algorithm names the key's size, which
 * cannot be read from a logon key: `{name: 'AES-GCM', length: 256}` or
 * `{name: 'HMAC', hash: 'SHA-256', length: 256}`.
 */
export async function importKeyringKey(ref: KeyringKeyReference, algorithm: AlgorithmIdentifier | object,
  usages: KeyUsage[]): Promise<CryptoKey> {
  try {
    const name = typeof algorithm === 'string' ? algorithm : String((algorithm as { name?: unknown }).name);
    const op = registration(name)?.ops.generateKey === 'HmacKeyGenParams' ? 'importKey' : 'generateKey';
    const alg = normalizeAlgorithm(algorithm, op, ctx);
    const row = registration(alg.name)!;
    if (row.module.importKernelKey === undefined)
      throw domError('NotSupportedError', `${alg.name} keys cannot come from a keyring`);
    const kernelKey = KernelKey.fromSerial(serialOf(ref));
    const key = row.module.importKernelKey(kernelKey, alg, normalizedUsages(usages));
    // Key a throw-away tfm now, so a wrong serial, a revoked key or a
    // payload of the wrong size fails here rather than at first use.
    const [type, kernelName] = row.kernel[0]!.split(':') as [AlgType, string];
    probeKey(type, kernelName, kernelKey);
    return key;
  } catch (error) {
    throw toDomError(error);
  }
}

function probeKey(type: AlgType, name: string, kernelKey: KernelKey): void {
  let tfm;
  try {
    tfm = binding().AlgSocket.bind(type, name);
    kernelKey.applyTo(tfm);
  } catch (error) {
    const mapped = kernelError(error, { type, name });
    if (mapped instanceof KernelError && mapped.kind === 'unavailable') throw mapped;
    throw domError('DataError', `The keyring key cannot key ${type}:${name}: ${(mapped as Error).message}`, mapped);
  } finally {
    tfm?.close();
  }
}

/**
 * Moves a non-extractable key's bytes out of this process into a kernel
 * keyring (as a logon key) and wipes the process's copy. Returns the serial.
 */
export function moveKeyToKeyring(key: CryptoKey,
  options: { keyring?: KeyringName; description?: string } = {}): number {
  const slots = keySlots(key);
  if (slots === undefined) throw new TypeError('moveKeyToKeyring needs a CryptoKey of this library');
  const { material, extractable } = slots;
  if (material.backend !== 'kernel') throw domError('NotSupportedError', 'Only kernel keys can move to a keyring');
  if (extractable) throw domError('InvalidAccessError', 'An extractable key must keep its bytes; only non-extractable keys can move');
  if (material.key.serial !== undefined) return material.key.serial;
  const random = new Uint8Array(8);
  binding().getRandom(random);
  const description = options.description ?? `afalg-webcrypto:${Buffer.from(random).toString('hex')}`;
  try {
    return material.key.moveToKeyring(options.keyring ?? 'process', description);
  } catch (error) {
    throw toDomError(kernelError(error));
  }
}
