// "get key length": the operation deriveKey runs on the derived key's
// algorithm. It has no method of its own, so these cells call deriveKey
// with an HKDF or PBKDF2 base key and the row's algorithm as the derived
// key type, and compare the derived key (its attributes and bytes).
import { buildValue } from '../lib/values.mjs';
import { algorithm, casing, cell, fc, hex, unknownNames } from './common.mjs';
import { hashMember } from './key-ops.mjs';
import { ALLOWED_USAGES, keyOutcome } from './keys.mjs';

/** A base key and the parameters of the derivation (HKDF or PBKDF2, any hash). */
export const derivation = fc.oneof(
  fc.record({ secret: hex(0, 64), hash: hashMember, salt: hex(0, 32), info: hex(0, 32) })
    .map(({ secret, hash, salt, info }) => ({
      base: 'HKDF', secret, hashName: hash.hashName,
      params: { $alg: { form: 'object', name: 'HKDF', members: { hash: hash.hash, salt: { $bytes: salt }, info: { $bytes: info } } } },
    })),
  fc.record({ secret: hex(0, 64), hash: hashMember, salt: hex(0, 32), iterations: fc.integer({ min: 1, max: 40 }) })
    .map(({ secret, hash, salt, iterations }) => ({
      base: 'PBKDF2', secret, hashName: hash.hashName,
      params: { $alg: { form: 'object', name: 'PBKDF2', members: { hash: hash.hash, salt: { $bytes: salt }, iterations } } },
    })),
);

/** Valid and invalid derivedKeyType dictionaries for a row, as [variant, weight, arbitrary of members]. */
function derivedTypes(name) {
  if (name === 'HMAC') {
    return {
      'valid': [8, fc.tuple(hashMember, fc.nat(3), fc.integer({ min: 1, max: 64 })).map(([h, pick, bytes]) =>
        (pick === 0 ? { hash: h.hash, length: bytes * 8 } : { hash: h.hash }))],
      'length-zero': [1, hashMember.map((h) => ({ hash: h.hash, length: 0 }))],
      'length-not-byte-multiple': [1, fc.tuple(hashMember, fc.integer({ min: 1, max: 511 }).filter((n) => n % 8 !== 0)).map(([h, length]) => ({ hash: h.hash, length }))],
      'hash-missing': [1, fc.constant({ length: 256 })],
      'hash-unknown': [1, fc.constantFrom('SHA-224', 'MD5', 'AES-GCM').map((hash) => ({ hash }))],
    };
  }
  // The draft's "get key length" takes no parameters: any length member is ignored.
  if (name === 'ChaCha20-Poly1305') return { 'valid': [8, fc.constantFrom({}, { length: 128 })] };
  return {
    'valid': [8, fc.constantFrom(128, 192, 256).map((length) => ({ length }))],
    'length-unsupported': [2, fc.oneof(fc.constantFrom(0, 64, 100, 512, 1024), fc.integer({ min: 0, max: 65535 }).filter((n) => ![128, 192, 256].includes(n))).map((length) => ({ length }))],
    'length-out-of-range': [1, fc.constantFrom(-1, 65536, { $value: 'NaN' }).map((length) => ({ length }))],
    'length-missing': [1, fc.constant({})],
  };
}

export function deriveKeyCell(name, { targets }) {
  const usages = ALLOWED_USAGES[name];
  const variants = {};
  for (const [variant, [weight, members]] of Object.entries(derivedTypes(name))) {
    variants[variant] = [weight, fc.record({
      derivation, derivedType: algorithm(name, members), extractable: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      usages: fc.shuffledSubarray(usages, { minLength: 1 }),
    })];
  }
  variants['derived-name-unknown'] = [1, fc.record({
    derivation, derivedType: unknownNames().map((n) => ({ $alg: { form: 'object', name: n, members: { length: 128 } } })),
    extractable: fc.constant(true), usages: fc.constant(usages.slice(0, 1)),
  })];
  variants['base-key-lacks-usage'] = [1, fc.record({
    derivation, derivedType: algorithm(name, derivedTypes(name).valid[1]), extractable: fc.constant(true),
    usages: fc.constant(usages.slice(0, 1)), baseUsages: fc.constant(['deriveBits']),
  })];
  return cell({
    variants,
    run: async (spec, t) => {
      const { derivation: d } = spec;
      const base = await t.importKey({ format: 'raw', hex: d.secret, alg: d.base, usages: spec.baseUsages ?? ['deriveKey'] }, 'import base key');
      const key = await t.call('deriveKey', buildValue(d.params), base, buildValue(spec.derivedType), spec.extractable, spec.usages);
      return keyOutcome(t, key, targets, { exportBytes: true, use: true });
    },
  });
}

/**
 * deriveKey to a PBKDF2 or HKDF key. The spec registers "get key length"
 * for both and it returns null, so with an HKDF or PBKDF2 base key the
 * derivation itself fails (OperationError: a null length); a registry
 * without that operation would reject at normalization (NotSupportedError).
 */
export function deriveKdfKeyCell(name) {
  return cell({
    variants: {
      'kdf-derived-key': [1, fc.record({ derivation, derivedType: casing(name).map((n) => ({ $alg: { form: 'string', name: n } })) })],
    },
    run: async (spec, t) => {
      const { derivation: d } = spec;
      const base = await t.importKey({ format: 'raw', hex: d.secret, alg: d.base, usages: ['deriveKey'] }, 'import base key');
      const key = await t.call('deriveKey', buildValue(d.params), base, buildValue(spec.derivedType), false, ['deriveBits']);
      return keyOutcome(t, key, {}, { use: true });
    },
  });
}
