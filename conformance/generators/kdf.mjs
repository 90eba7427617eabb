// PBKDF2 and HKDF: deriveBits and importKey (their keys cannot be
// generated or exported), and deriveKey to a PBKDF2/HKDF key (the spec's
// "get key length" for them, which returns null).
import { buildValue, bytesSpec } from '../lib/values.mjs';
import {
  algorithm, badUsagesValue, cell, fc, foreignUsages, hex, invalidShape, unknownNames, usages, validShape,
} from './common.mjs';
import { deriveKdfKeyCell } from './derive.mjs';
import { hashMember } from './key-ops.mjs';
import { ALLOWED_USAGES, keyOutcome } from './keys.mjs';

const DIGEST_BITS = { 'SHA-1': 160, 'SHA-256': 256, 'SHA-384': 384, 'SHA-512': 512 };

/** PBKDF2 iteration counts: mostly small (each costs two syscalls per output block on our side). */
const iterations = fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 1, max: 10 }) }, { weight: 3, arbitrary: fc.integer({ min: 11, max: 300 }) },
  { weight: 1, arbitrary: fc.integer({ min: 301, max: 1500 }) });

function members(name) {
  const salt = fc.tuple(hex(0, 64), validShape).map(([h, s]) => bytesSpec(h, s));
  if (name === 'PBKDF2') {
    return fc.record({ hash: hashMember, salt, iterations }).map(({ hash, ...m }) => ({ hashName: hash.hashName, members: { hash: hash.hash, ...m } }));
  }
  const info = fc.tuple(hex(0, 64), validShape).map(([h, s]) => bytesSpec(h, s));
  return fc.record({ hash: hashMember, salt, info }).map(({ hash, ...m }) => ({ hashName: hash.hashName, members: { hash: hash.hash, ...m } }));
}

/** A valid output length for the case (in bits, a multiple of 8), kept cheap for long PBKDF2 runs. */
function lengthFor(name, m) {
  const digestBits = DIGEST_BITS[m.hashName];
  if (name === 'HKDF')
    return fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 64 }).map((n) => n * 8) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 255 * digestBits / 8 }).map((n) => n * 8) });
  const maxBytes = m.members.iterations > 300 ? digestBits / 8 : 96;
  return fc.integer({ min: 1, max: maxBytes }).map((n) => n * 8);
}

function deriveBitsCell(name) {
  const base = (lengthArb) => fc.record({ password: hex(0, 64), m: members(name) }).chain(({ password, m }) =>
    fc.record({ alg: algorithm(name, fc.constant(m.members)), length: lengthArb ? lengthArb(m) : lengthFor(name, m) })
      .map(({ alg, length }) => ({ password, alg, length, members: m.members, hashName: m.hashName })));
  const withMembers = (change) => base().map((c) => ({ ...c, alg: { $alg: { form: 'object', name, members: change(c.members, c) } } }));
  const variants = {
    'valid': [14, base()],
    'length-zero': [1, base(() => fc.constant(0))],
    'length-null': [1, base(() => fc.constant(null))],
    'length-missing': [1, base().map((c) => ({ ...c, length: undefined, omitLength: true }))],
    'length-not-byte-multiple': [1, base(() => fc.integer({ min: 1, max: 1023 }).filter((n) => n % 8 !== 0))],
    // length is `optional unsigned long?` without [EnforceRange]: converted modulo 2^32.
    'length-modulo-2^32': [1, base(() => fc.constantFrom(2 ** 32, 2 ** 32 + 256, { $value: 'NaN' }, 256.9))],
    'hash-unknown': [1, withMembers((m) => ({ ...m, hash: 'SHA-224' }))],
    'hash-not-a-digest': [1, withMembers((m) => ({ ...m, hash: 'HMAC' }))],
    'hash-missing': [1, withMembers(({ hash, ...m }) => m)],
    'salt-missing': [1, withMembers(({ salt, ...m }) => m)],
    'salt-bad-type': [1, fc.tuple(base(), invalidShape).map(([c, s]) => ({ ...c, alg: { $alg: { form: 'object', name, members: { ...c.members, salt: bytesSpec('0102', s) } } } }))],
    'base-key-lacks-usage': [1, base().map((c) => ({ ...c, keyUsages: ['deriveKey'] }))],
    'base-key-other-kdf': [1, base().map((c) => ({ ...c, keyAlg: name === 'HKDF' ? 'PBKDF2' : 'HKDF' }))],
    'unknown-name': [1, base().chain((c) => unknownNames().map((n) => ({ ...c, alg: { $alg: { form: 'object', name: n, members: c.members } } })))],
  };
  if (name === 'PBKDF2') {
    variants['iterations-zero'] = [1, withMembers((m) => ({ ...m, iterations: 0 }))];
    variants['iterations-missing'] = [1, withMembers(({ iterations: _, ...m }) => m)];
  } else {
    variants['length-over-255-blocks'] = [1, base((m) => fc.integer({ min: 1, max: 64 }).map((extra) => (255 * DIGEST_BITS[m.hashName]) + extra * 8))];
    variants['info-missing'] = [1, withMembers(({ info, ...m }) => m)];
  }
  return cell({
    variants,
    run: async (spec, t) => {
      // @peculiar takes a length of 2^32 + 256 as it is (Web IDL's unsigned long is that modulo 2^32) and
      // derives half a gigabyte: minutes, and gigabytes of memory under emulation. Record that instead.
      if (t.id === 'peculiar' && typeof spec.length === 'number' && spec.length >= 2 ** 32)
        return `not run: would derive ${Math.floor(spec.length / 8)} bytes (no conversion modulo 2^32)`;
      const key = await t.importKey({ format: 'raw', hex: spec.password, alg: spec.keyAlg ?? name, usages: spec.keyUsages ?? ['deriveBits'] }, 'import base key');
      const args = [buildValue(spec.alg), key];
      if (!spec.omitLength) args.push(buildValue(spec.length));
      return t.call('deriveBits', ...args);
    },
  });
}

function importKeyCell(name) {
  const allowed = ALLOWED_USAGES[name];
  const base = (usageArb = usages(allowed)) => fc.record({ secret: hex(0, 80), shape: validShape, alg: algorithm(name), usages: usageArb, extractable: fc.constant(false), format: fc.constant('raw') });
  return cell({
    variants: {
      'valid': [10, base()],
      'extractable': [2, base().map((c) => ({ ...c, extractable: true }))],
      'format-jwk': [1, base().map((c) => ({ ...c, format: 'jwk', jwk: { kty: 'oct', k: Buffer.from(c.secret, 'hex').toString('base64url') } }))],
      'format-unsupported': [1, base().chain((c) => fc.constantFrom('spki', 'pkcs8').map((format) => ({ ...c, format })))],
      'format-invalid': [1, base().chain((c) => fc.constantFrom('RAW', 'secret').map((format) => ({ ...c, format })))],
      'bad-usages': [1, base(foreignUsages(allowed))],
      'empty-usages': [1, base(fc.constant([]))],
      'bad-usages-value': [1, base(badUsagesValue)],
      'bad-key-data': [1, base().chain((c) => invalidShape.map((shape) => ({ ...c, shape })))],
      'unknown-name': [1, base().chain((c) => unknownNames().map((n) => ({ ...c, alg: { $alg: { form: 'string', name: n } } })))],
    },
    run: async (spec, t) => {
      const keyData = spec.format === 'jwk' ? buildValue(spec.jwk) : buildValue(bytesSpec(spec.secret, spec.shape));
      const key = await t.call('importKey', spec.format, keyData, buildValue(spec.alg), spec.extractable, buildValue(spec.usages));
      return keyOutcome(t, key, {}, { use: true });
    },
  });
}

export default function kdf() {
  return Object.fromEntries(['PBKDF2', 'HKDF'].map((name) => [name, {
    deriveBits: deriveBitsCell(name),
    importKey: importKeyCell(name),
    // Not in the registry row: deriveKey with this algorithm as the derived key type.
    'get key length': deriveKdfKeyCell(name),
  }]));
}
