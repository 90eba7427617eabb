// What every secret-key family shares: reading a key's material, keyed
// kernel sessions, and constant-time comparison.
import type { AlgSocket, Secret } from '../../kernel/binding';
import type { AlgType } from '../../kernel/errors';
import type { Session } from '../../kernel/session';
import { thenMaybe, type MaybePromise } from '../algorithm-module';
import { keySlots, type CryptoKey, type KeySlots, type SecretKeyMaterial } from '../crypto-key';
import { domError } from '../dom-errors';

export function slotsOf(key: CryptoKey): KeySlots {
  return keySlots(key)!;
}

/** The kernel-side material of a key (the facade routes only kernel keys here). */
export function materialOf(key: CryptoKey): SecretKeyMaterial {
  const { material } = slotsOf(key);
  if (material.backend !== 'kernel') throw new Error('a platform key reached a kernel algorithm module');
  return material;
}

export function secretOf(key: CryptoKey): Secret {
  return materialOf(key).key.secret;
}

/**
 * The key's session for a kernel algorithm, keyed with the key's secret.
 * `extra` applies further tfm-wide settings (an AEAD tag size); `variant`
 * must name them so that tfms with different settings are kept apart.
 */
export function keyedSession(key: CryptoKey, type: AlgType, name: string,
  extra?: (tfm: AlgSocket) => void, variant = ''): Session {
  const { key: kernelKey, sessions } = materialOf(key);
  return sessions.get(type, name, (tfm) => {
    kernelKey.applyTo(tfm);
    extra?.(tfm);
  }, variant);
}

/** The key bytes as a fresh ArrayBuffer (for exportKey of an extractable key). */
export function exportSecret(key: CryptoKey): ArrayBuffer {
  return secretOf(key).exportBytes();
}

/** Compares in time that depends only on the lengths. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/**
 * Whether format asks for a secret key's raw bytes: 'raw', or 'raw-secret',
 * which the WICG "Modern Algorithms" draft makes an alias of 'raw' for every
 * symmetric algorithm of the W3C spec.
 */
export function isRawSecret(format: string): boolean {
  return format === 'raw' || format === 'raw-secret';
}

/** A MAC algorithm's verify: whether the MAC it computes equals signature, compared in constant time. */
export function macMatches(computed: MaybePromise<ArrayBuffer>, signature: Uint8Array): MaybePromise<boolean> {
  return thenMaybe(computed, (mac) => constantTimeEqual(new Uint8Array(mac), signature));
}

export function notSupportedFormat(format: string, algorithm: string): DOMException {
  return domError('NotSupportedError', `${algorithm} keys cannot be used with format '${format}'`);
}
