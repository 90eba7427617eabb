// generateKey, importKey and exportKey cells for the secret-key families
// (HMAC, the four AES modes, ChaCha20-Poly1305 and AFALG-AES-CMAC),
// parameterized by a family description.
import { buildValue, bytesSpec } from '../lib/values.mjs';
import {
  algorithm, badUsagesValue, casing, cell, fc, foreignUsages, hex, invalidShape, unknownNames, usages, validShape,
} from './common.mjs';
import { ALLOWED_USAGES, keyOutcome, rawFormat } from './keys.mjs';

export const HASHES = ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'];
const HMAC_JWK_ALG = { 'SHA-1': 'HS1', 'SHA-256': 'HS256', 'SHA-384': 'HS384', 'SHA-512': 'HS512' };
const HASH_BLOCK_BITS = { 'SHA-1': 512, 'SHA-256': 512, 'SHA-384': 1024, 'SHA-512': 1024 };

/** A hash member: the canonical name kept beside the value as given (string or dictionary, any casing). */
export const hashMember = fc.constantFrom(...HASHES).chain((name) =>
  fc.tuple(casing(name), fc.boolean()).map(([n, asString]) => ({ hashName: name, hash: asString ? n : { name: n } })));

export function base64url(hexString) {
  return Buffer.from(hexString, 'hex').toString('base64url');
}

/**
 * A family: its name, allowed usages, key bytes for import, the members of
 * its import and generate dictionaries, its JWK "alg" (undefined: none is
 * defined) and "use", and whether its generate dictionary has an AES length.
 */
export const FAMILIES = {
  'HMAC': {
    name: 'HMAC',
    keyHex: fc.oneof({ weight: 5, arbitrary: hex(1, 64) }, { weight: 2, arbitrary: hex(65, 160) }, { weight: 1, arbitrary: hex(161, 400) }),
    /**
     * Import members consistent with the key bytes: hash, and sometimes a
     * length: the key's bits, or (with edges) one in (bits - 8, bits) that
     * is not a whole number of bytes, which the spec allows.
     */
    importMembers: (keyHex, { edges = true } = {}) => fc.tuple(hashMember, fc.nat(8)).map(([h, pick]) => {
      const bits = keyHex.length * 4;
      const members = { hash: h.hash };
      if (pick === 0) members.length = bits;
      else if (pick === 1 && edges) members.length = bits - 1 - (bits % 7);
      return { members, hashName: h.hashName, ...(members.length % 8 ? { tags: ['hmac-length-not-byte-multiple'] } : {}) };
    }),
    generateMembers: fc.tuple(hashMember, fc.nat(5), fc.integer({ min: 1, max: 128 })).map(([h, pick, bytes]) => {
      const members = { hash: h.hash };
      if (pick <= 1) members.length = bytes * 8;
      return { members, hashName: h.hashName };
    }),
    jwkAlg: (_bits, hashName) => HMAC_JWK_ALG[hashName],
    wrongJwkAlgs: (_bits, hashName) => [...Object.values(HMAC_JWK_ALG).filter((a) => a !== HMAC_JWK_ALG[hashName]), 'A128KW', 'hs256'],
    use: 'sig',
  },
  ...Object.fromEntries(['CBC', 'CTR', 'GCM', 'KW'].map((mode) => [`AES-${mode}`, {
    name: `AES-${mode}`,
    keyHex: fc.constantFrom(16, 24, 32).chain((n) => hex(n, n)),
    importMembers: () => fc.constant({ members: {} }),
    generateMembers: fc.constantFrom(128, 192, 256).map((length) => ({ members: { length } })),
    jwkAlg: (bits) => `A${bits}${mode}`,
    wrongJwkAlgs: (bits) => [128, 192, 256].filter((b) => b !== bits).map((b) => `A${b}${mode}`)
      .concat([`A${bits}${mode === 'GCM' ? 'CBC' : 'GCM'}`, `a${bits}${mode.toLowerCase()}`, 'HS256']),
    use: 'enc',
    aesLength: true,
  }])),
  'ChaCha20-Poly1305': {
    name: 'ChaCha20-Poly1305',
    keyHex: hex(32, 32),
    importMembers: () => fc.constant({ members: {} }),
    generateMembers: fc.constant({ members: {} }),
    jwkAlg: () => 'C20P',
    wrongJwkAlgs: () => ['A256GCM', 'c20p', 'XC20P'],
    use: 'enc',
  },
  'AFALG-AES-CMAC': {
    name: 'AFALG-AES-CMAC',
    keyHex: fc.constantFrom(16, 24, 32).chain((n) => hex(n, n)),
    importMembers: () => fc.constant({ members: {} }),
    generateMembers: fc.constantFrom(128, 192, 256).map((length) => ({ members: { length } })),
    jwkAlg: () => undefined,
    wrongJwkAlgs: (bits) => [`A${bits}CBC`, 'HS256', 'A128KW'],
    use: 'sig',
    aesLength: true,
  },
};

/** A usable JWK for the key bytes, with optional members present or not. */
function validJwk(family, keyHex, hashName, keyUsages, extractable) {
  const bits = keyHex.length * 4;
  return fc.record({ withAlg: fc.boolean(), withUse: fc.boolean(), withOps: fc.nat(2), withExt: fc.boolean() })
    .map(({ withAlg, withUse, withOps, withExt }) => {
      const jwk = { kty: 'oct', k: base64url(keyHex) };
      if (withAlg && family.jwkAlg(bits, hashName) !== undefined) jwk.alg = family.jwkAlg(bits, hashName);
      if (withUse) jwk.use = family.use;
      if (withOps === 1) jwk.key_ops = [...new Set(keyUsages)];
      if (withOps === 2) jwk.key_ops = [...ALLOWED_USAGES[family.name]];
      if (withExt) jwk.ext = extractable || withAlg; // ext: true, or false on a non-extractable import
      return jwk;
    });
}

/** One way to break a JWK; the spec's answer is DataError unless WebIDL rejects it first (TypeError). */
function brokenJwk(family, keyHex, hashName, keyUsages) {
  const bits = keyHex.length * 4;
  const k = base64url(keyHex);
  const other = ALLOWED_USAGES[family.name].filter((u) => !keyUsages.includes(u));
  const breakages = [
    ['kty-RSA', { kty: 'RSA', k }],
    ['kty-uppercase', { kty: 'OCT', k }],
    ['kty-missing', { k }],
    ['k-missing', { kty: 'oct' }],
    ['k-standard-base64', { kty: 'oct', k: `${k}+/` }],
    ['k-padded', { kty: 'oct', k: `${Buffer.from(keyHex, 'hex').toString('base64')}` + (keyHex.length % 6 === 0 ? '=' : '') }],
    ['k-whitespace', { kty: 'oct', k: `${k.slice(0, 2)} ${k.slice(2)}` }],
    ['k-length-1-mod-4', { kty: 'oct', k: `${k}A`.length % 4 === 1 ? `${k}A` : `${k}AAAAA`.slice(0, k.length + (((1 - k.length) % 4) + 4) % 4) }],
    ['alg-mismatch', { kty: 'oct', k, alg: family.wrongJwkAlgs(bits, hashName)[keyHex.length % family.wrongJwkAlgs(bits, hashName).length] }],
    ['use-mismatch', { kty: 'oct', k, use: family.use === 'sig' ? 'enc' : 'sig' }],
    ['key_ops-duplicate', { kty: 'oct', k, key_ops: [...keyUsages, keyUsages[0]] }],
    ['ext-false', { kty: 'oct', k, ext: false }], // imported with extractable: true
    ['key_ops-not-sequence', { kty: 'oct', k, key_ops: keyUsages[0] }],
  ];
  if (other.length > 0) breakages.push(['key_ops-without-usage', { kty: 'oct', k, key_ops: other }]);
  return fc.constantFrom(...breakages);
}

function importAlgorithm(family, members) {
  return algorithm(family.name, fc.constant(members));
}

export function generateKeyCell(familyName, { targets }) {
  const family = FAMILIES[familyName];
  const allowed = ALLOWED_USAGES[familyName];
  const base = (members = family.generateMembers.map((m) => m.members)) =>
    fc.record({ alg: algorithm(familyName, members), extractable: fc.boolean(), usages: usages(allowed) });
  const variants = {
    'valid': [10, base()],
    'bad-usages': [2, fc.record({ alg: algorithm(familyName, family.generateMembers.map((m) => m.members)), extractable: fc.boolean(), usages: foreignUsages(allowed) })],
    'empty-usages': [1, fc.record({ alg: algorithm(familyName, family.generateMembers.map((m) => m.members)), extractable: fc.boolean(), usages: fc.constant([]) })],
    'bad-usages-value': [1, fc.record({ alg: algorithm(familyName, family.generateMembers.map((m) => m.members)), extractable: fc.boolean(), usages: badUsagesValue })],
    'unknown-name': [1, fc.record({ alg: unknownNames().map((n) => ({ $alg: { form: 'object', name: n, members: { length: 128 } } })), extractable: fc.boolean(), usages: usages(allowed) })],
  };
  if (familyName === 'HMAC') {
    Object.assign(variants, {
      'valid-length-not-byte-multiple': [1, base(fc.tuple(hashMember, fc.integer({ min: 1, max: 1000 }).filter((n) => n % 8 !== 0))
        .map(([h, length]) => ({ hash: h.hash, length })))],
      'length-zero': [1, base(hashMember.map((h) => ({ hash: h.hash, length: 0 })))],
      'length-out-of-range': [1, base(fc.tuple(hashMember, fc.constantFrom(-1, 2 ** 32, { $value: 'NaN' }, { $value: 'Infinity' }))
        .map(([h, length]) => ({ hash: h.hash, length })))],
      'hash-missing': [1, base(fc.constant({ length: 256 }))],
      'hash-unknown': [1, base(fc.constantFrom('SHA-224', 'MD5', 'HMAC', 'SHA3-256', { name: 'sha256' }).map((hash) => ({ hash })))],
    });
  } else if (family.aesLength) {
    Object.assign(variants, {
      'length-unsupported': [2, base(fc.oneof(fc.constantFrom(0, 64, 127, 129, 160, 384, 512, 1024),
        fc.integer({ min: 0, max: 65535 }).filter((n) => ![128, 192, 256].includes(n))).map((length) => ({ length })))],
      'length-out-of-range': [1, base(fc.constantFrom(-1, 65536, 2 ** 32 + 128, { $value: 'NaN' }).map((length) => ({ length })))],
      'length-missing': [1, base(fc.constant({}))],
    });
  }
  return cell({
    variants,
    run: async (spec, t) => {
      const key = await t.call('generateKey', buildValue(spec.alg), spec.extractable, buildValue(spec.usages));
      return keyOutcome(t, key, targets);
    },
  });
}

export function importKeyCell(familyName) {
  const family = FAMILIES[familyName];
  const allowed = ALLOWED_USAGES[familyName];
  /** key bytes, import members, usages, extractable: the common prefix of every variant. */
  const keyed = (usageArb = usages(allowed)) => family.keyHex.chain((keyHex) =>
    fc.record({ members: family.importMembers(keyHex), keyUsages: usageArb, extractable: fc.boolean() })
      .map((r) => ({ keyHex, ...r })));
  const raw = (usageArb, shape = validShape) => keyed(usageArb).chain(({ keyHex, members, keyUsages, extractable }) =>
    fc.record({ alg: importAlgorithm(family, members.members), shape }).map(({ alg, shape: s }) => ({
      format: rawFormat(familyName), data: bytesSpec(keyHex, s), alg, extractable, usages: keyUsages, ...(members.tags ? { tags: members.tags } : {}),
    })));
  const jwkCase = (make, extractableOverride) => keyed().chain(({ keyHex, members, keyUsages, extractable }) =>
    fc.record({ alg: importAlgorithm(family, members.members), jwk: make(keyHex, members.hashName, keyUsages, extractable) })
      .map(({ alg, jwk }) => {
        const [breakage, body] = Array.isArray(jwk) ? jwk : [undefined, jwk];
        const ext = extractableOverride ?? extractable;
        return {
          format: 'jwk', jwk: body, breakage, alg, extractable: breakage === 'ext-false' ? true : ext, usages: keyUsages,
          ...(members.tags ? { tags: members.tags } : {}),
        };
      }));
  const variants = {
    'valid-raw': [6, raw()],
    'valid-jwk': [5, jwkCase((keyHex, hashName, keyUsages, extractable) => validJwk(family, keyHex, hashName, keyUsages, extractable))],
    'jwk-malformed': [6, jwkCase((keyHex, hashName, keyUsages) => brokenJwk(family, keyHex, hashName, keyUsages))],
    'raw-bad-data': [1, raw(undefined, invalidShape)],
    'format-unsupported': [1, raw().chain((c) => fc.constantFrom('spki', 'pkcs8', ...(rawFormat(familyName) === 'raw' ? [] : ['raw'])).map((format) => ({ ...c, format })))],
    'format-invalid': [1, raw().chain((c) => fc.constantFrom('RAW', 'Jwk', 'der', '', 'raw ').map((format) => ({ ...c, format })))],
    'jwk-given-bytes': [1, raw().map((c) => ({ ...c, format: 'jwk' }))],
    'raw-given-jwk': [1, jwkCase((keyHex, hashName, keyUsages, extractable) => validJwk(family, keyHex, hashName, keyUsages, extractable))
      .map((c) => ({ ...c, format: 'raw', data: c.jwk, jwk: undefined }))],
    'bad-usages': [1, raw(foreignUsages(allowed))],
    'empty-usages': [1, raw(fc.constant([]))],
    'unknown-name': [1, raw().chain((c) => unknownNames().map((n) => ({ ...c, alg: { $alg: { form: 'string', name: n } } })))],
  };
  if (familyName === 'HMAC') {
    Object.assign(variants, {
      'raw-empty': [1, raw().map((c) => ({ ...c, data: bytesSpec('') }))],
      'length-mismatch': [2, raw().chain((c) => {
        const bits = c.data.$bytes.length * 4;
        const hash = c.alg.$alg.members?.hash ?? 'SHA-256';
        return fc.constantFrom(bits + 1, bits + 8, bits - 8, 0, Math.max(bits - 64, 0))
          .map((length) => ({ ...c, alg: { $alg: { form: 'object', name: 'HMAC', members: { hash, length } } } }));
      })],
      'hash-missing': [1, raw().map((c) => ({ ...c, alg: { $alg: { form: 'object', name: 'HMAC', members: {} } } }))],
      'hash-unknown': [1, raw().chain((c) => fc.constantFrom('SHA-224', 'HMAC', 'sha256').map((hash) => ({ ...c, alg: { $alg: { form: 'object', name: 'HMAC', members: { hash } } } })))],
    });
  } else {
    Object.assign(variants, {
      'raw-bad-length': [2, fc.record({
        hexData: fc.constantFrom(0, 1, 8, 15, 17, 20, 23, 25, 31, 33, 48, 64).chain((n) => hex(n, n)),
        alg: algorithm(familyName), extractable: fc.boolean(), usages: usages(allowed),
      }).map(({ hexData, ...c }) => ({ ...c, format: rawFormat(familyName), data: bytesSpec(hexData) }))],
    });
  }
  return cell({
    variants,
    run: async (spec, t) => {
      const keyData = spec.format === 'jwk' || spec.variant === 'raw-given-jwk' ? buildValue(spec.jwk ?? spec.data) : buildValue(spec.data);
      const key = await t.call('importKey', spec.format, keyData, buildValue(spec.alg), spec.extractable, buildValue(spec.usages));
      return keyOutcome(t, key, {}, { exportBytes: true, use: true });
    },
  });
}

export function exportKeyCell(familyName) {
  const family = FAMILIES[familyName];
  const allowed = ALLOWED_USAGES[familyName];
  const key = (extractable) => family.keyHex.chain((keyHex) => fc.record({
    members: family.importMembers(keyHex), keyUsages: usages(allowed),
  }).map(({ members, keyUsages }) => ({
    key: { format: rawFormat(familyName), hex: keyHex, alg: { form: 'object', name: familyName, members: members.members }, extractable, usages: keyUsages },
    ...(members.tags ? { tags: members.tags } : {}),
  })));
  return cell({
    variants: {
      'valid': [8, key(true).chain((c) => fc.constantFrom(rawFormat(familyName), 'jwk').map((format) => ({ ...c, format })))],
      'not-extractable': [2, key(false).chain((c) => fc.constantFrom(rawFormat(familyName), 'jwk').map((format) => ({ ...c, format })))],
      'not-extractable-unsupported-format': [1, key(false).chain((c) => fc.constantFrom('spki', 'pkcs8').map((format) => ({ ...c, format })))],
      'format-unsupported': [1, key(true).chain((c) => fc.constantFrom('spki', 'pkcs8', ...(rawFormat(familyName) === 'raw' ? [] : ['raw'])).map((format) => ({ ...c, format })))],
      'format-invalid': [1, key(true).chain((c) => fc.constantFrom('RAW', 'JWK', '', 'x509').map((format) => ({ ...c, format })))],
      'not-a-key': [1, fc.record({ format: fc.constantFrom('raw', 'jwk'), notKey: fc.constantFrom(null, 'key', { type: 'secret', extractable: true, algorithm: { name: familyName }, usages: allowed }) })],
      'missing-key': [1, fc.record({ format: fc.constant('raw') })],
    },
    run: async (spec, t) => {
      if (spec.variant === 'missing-key') return t.call('exportKey', spec.format);
      const cryptoKey = spec.variant === 'not-a-key' ? buildValue(spec.notKey) : await t.importKey(spec.key);
      return t.call('exportKey', spec.format, cryptoKey);
    },
  });
}

export { HASH_BLOCK_BITS };
