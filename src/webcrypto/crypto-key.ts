// CryptoKey (https://w3c.github.io/webcrypto/#cryptokey-interface). The
// public constructor throws; keys are made by createKey. Slots live in a
// private field, so neither a caller nor a look-alike object can change a
// key's type, usages or material, and inspection never shows key bytes.
import { inspect } from 'node:util';
import * as workerThreads from 'node:worker_threads';
import type { Secret } from '../kernel/binding';
import { KernelKey } from '../kernel/kernel-key';
import { KeySessions } from '../kernel/session';
import { defineInterface } from './idl-interface';

export type KeyType = 'secret' | 'private' | 'public';
export type KeyUsage =
  | 'encrypt' | 'decrypt' | 'sign' | 'verify' | 'deriveKey' | 'deriveBits' | 'wrapKey' | 'unwrapKey';
export const KEY_USAGES: readonly KeyUsage[] = [
  'encrypt', 'decrypt', 'sign', 'verify', 'deriveKey', 'deriveBits', 'wrapKey', 'unwrapKey',
];

/** The [[algorithm]] slot: a KeyAlgorithm dictionary such as {name:'HMAC', hash:{name:'SHA-256'}, length:256}. */
export interface KeyAlgorithm {
  readonly name: string;
  readonly [member: string]: unknown;
}

/** A secret key computed on by the kernel: where its bytes are, and its sessions. */
export interface SecretKeyMaterial {
  readonly backend: 'kernel';
  readonly key: KernelKey;
  readonly sessions: KeySessions;
}

/** A key that lives in the platform's own WebCrypto (hybrid mode's fallback). */
export interface PlatformKeyMaterial {
  readonly backend: 'platform';
  readonly key: globalThis.CryptoKey;
}

export type KeyMaterial = SecretKeyMaterial | PlatformKeyMaterial;

export interface KeySlots {
  readonly type: KeyType;
  readonly extractable: boolean;
  readonly algorithm: KeyAlgorithm;
  readonly usages: readonly KeyUsage[];
  readonly material: KeyMaterial;
}

interface PublicSlots extends KeySlots {
  /** The cached ECMAScript objects the attributes return. */
  readonly algorithmObject: object;
  readonly usagesObject: KeyUsage[];
}

const CONSTRUCT = Symbol('construct CryptoKey');
let readSlots: (key: unknown) => KeySlots | undefined;

/** The slots of key, or undefined when key is not one of our CryptoKeys. */
export function keySlots(key: unknown): KeySlots | undefined {
  return readSlots(key);
}

/**
 * "The normalized value of usages": each usage once, in the order of the
 * KeyUsage enumeration. importKey, deriveKey and unwrapKey set a key's usages
 * to it; generateKey sets them to the list as given (conformance/ADJUDICATIONS.md).
 */
export function normalizedUsages(usages: readonly KeyUsage[]): KeyUsage[] {
  return KEY_USAGES.filter((usage) => usages.includes(usage));
}

// CryptoKey is [Serializable], but a user-land class cannot take part in
// structured cloning: cloned, a key would arrive as an empty object. Node
// 22.10+ can refuse it instead (DataCloneError); Node 20 cannot.
const markAsUncloneable = (workerThreads as { markAsUncloneable?: (value: object) => void }).markAsUncloneable;

export function createKey(slots: KeySlots): CryptoKey {
  const key = new CryptoKey(CONSTRUCT, {
    ...slots,
    usages: [...slots.usages],
    algorithmObject: deepCopy(slots.algorithm) as object,
    usagesObject: [...slots.usages],
  });
  markAsUncloneable?.(key);
  return key;
}

function deepCopy(value: unknown): unknown {
  if (value instanceof Uint8Array) return value.slice();
  if (Array.isArray(value)) return value.map(deepCopy);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deepCopy(v)]));
  return value;
}

export class CryptoKey {
  readonly #slots: PublicSlots;

  constructor(...args: unknown[]) {
    if (args[0] !== CONSTRUCT) throw new TypeError('Illegal constructor');
    this.#slots = args[1] as PublicSlots;
  }

  get type(): KeyType {
    return this.#slots.type;
  }

  get extractable(): boolean {
    return this.#slots.extractable;
  }

  get algorithm(): object {
    return this.#slots.algorithmObject;
  }

  get usages(): KeyUsage[] {
    return this.#slots.usagesObject;
  }

  static {
    // Module-private access to the slots: nothing on the class exposes them.
    readSlots = (key) => (typeof key === 'object' && key !== null && #slots in key ? (key as CryptoKey).#slots : undefined);
  }

  [inspect.custom](depth: number, options: { stylize: unknown }, inspectFn: typeof inspect): string {
    const slots = this.#slots;
    if (depth < 0) return '[CryptoKey]';
    const body = { type: slots.type, extractable: slots.extractable, algorithm: slots.algorithm, usages: slots.usages };
    return `CryptoKey ${inspectFn(body, { ...options, depth: depth - 1 } as never)}`;
  }
}
defineInterface(CryptoKey);

/** A secret key whose bytes (in native memory, or in a kernel keyring) the kernel computes with. */
export function createSecretKey(
  source: Secret | KernelKey, algorithm: KeyAlgorithm, extractable: boolean, usages: readonly KeyUsage[],
): CryptoKey {
  const sessions = new KeySessions();
  const kernelKey = source instanceof KernelKey ? source : KernelKey.fromSecret(source);
  const key = createKey({ type: 'secret', extractable, algorithm, usages, material: { backend: 'kernel', key: kernelKey, sessions } });
  sessions.closeWhenCollected(key);
  return key;
}

/** One of our CryptoKeys standing for a key of the platform's WebCrypto. */
export function createPlatformKey(key: globalThis.CryptoKey): CryptoKey {
  return createKey({
    type: key.type,
    extractable: key.extractable,
    algorithm: key.algorithm as KeyAlgorithm,
    usages: key.usages as KeyUsage[],
    material: { backend: 'platform', key },
  });
}
