// AES-CBC, AES-CTR, AES-GCM and ChaCha20-Poly1305 (encrypt, decrypt, and
// wrapKey/unwrapKey through their encrypt/decrypt fallback) and AES-KW
// (wrapKey, unwrapKey), plus the key operations every one of these rows has.
import { buildValue, bytesSpec, fromHex, toHex } from '../lib/values.mjs';
import {
  algorithm, badAlgorithmValue, buffer, cell, dataHex, fc, hex, invalidShape, unknownNames, validShape,
} from './common.mjs';
import { deriveKeyCell } from './derive.mjs';
import { exportKeyCell, generateKeyCell, importKeyCell } from './key-ops.mjs';
import { keyOutcome, rawFormat } from './keys.mjs';

const TAG_LENGTHS = [32, 64, 96, 104, 112, 120, 128];
const aesKeyHex = fc.constantFrom(16, 24, 32).chain((n) => hex(n, n));
const keyHexOf = (mode) => (mode === 'ChaCha20-Poly1305' ? hex(32, 32) : aesKeyHex);

/** A raw key spec for an algorithm given as a name or a dictionary. */
function rawKey(hexKey, alg, keyUsages) {
  return { format: rawFormat(typeof alg === 'string' ? alg : alg.name), hex: hexKey, alg, usages: keyUsages };
}

/** Flips one bit of hex (at a position chosen by `at`, a fraction in [0, 1)). */
export function flipBit(hexString, at) {
  const bytes = fromHex(hexString);
  if (bytes.byteLength === 0) return '00';
  const bit = Math.floor(at * bytes.byteLength * 8);
  bytes[bit >> 3] ^= 1 << (bit & 7);
  return toHex(bytes);
}

/** Runs body on Node, then @peculiar, then ours, until one succeeds: an input only an oracle computes. */
export async function produce(targets, body) {
  const failures = [];
  for (const id of ['node', 'peculiar', 'ours']) {
    try {
      return { by: id, value: await body(targets[id]) };
    } catch (error) {
      failures.push(`${id}: ${error?.name ?? ''} ${error?.message ?? error}`);
    }
  }
  throw new Error(`no implementation could prepare the input (${failures.join('; ')})`);
}

// ---- parameters of each mode, as dictionary members ----------------------

/** CTR: a counter whose low `length` bits are sometimes close to wrapping, and data that fits the counter space. */
const ctrValid = fc.record({
  length: fc.oneof({ weight: 2, arbitrary: fc.integer({ min: 1, max: 8 }) }, { weight: 3, arbitrary: fc.integer({ min: 9, max: 127 }) },
    { weight: 2, arbitrary: fc.constantFrom(128, 64, 32) }),
  counter: hex(16, 16),
  nearWrap: fc.oneof({ weight: 2, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.nat(3) }),
}).chain(({ length, counter, nearWrap }) => {
  let value = BigInt(`0x${counter}`);
  if (nearWrap >= 0) {
    const mask = (1n << BigInt(length)) - 1n;
    value = (value & ~mask) | ((mask - BigInt(nearWrap)) & mask);
  }
  const maxBytes = length >= 13 ? 6000 : Math.min(6000, 16 * 2 ** length);
  return fc.record({
    members: fc.constant({ counter: bytesSpec(value.toString(16).padStart(32, '0')), length }),
    data: fc.integer({ min: 0, max: maxBytes }).chain((n) => hex(n, n)),
  }).map((r) => ({ ...r, wraps: nearWrap >= 0 && r.data.length / 32 > nearWrap + 1 }));
});

function validMembers(mode, { longIv = false } = {}) {
  switch (mode) {
    case 'AES-CBC': return fc.record({ members: hex(16, 16).chain((iv) => validShape.map((s) => ({ iv: bytesSpec(iv, s === 'detached' ? 'u8' : s) }))), data: dataHex() });
    case 'AES-CTR': return ctrValid;
    case 'AES-GCM': return fc.record({
      // 12-byte ivs take the kernel's gcm(aes); others the composite GCM. Over 128 bytes no oracle can check (OpenSSL caps them).
      iv: longIv ? hex(129, 300)
        : fc.oneof({ weight: 6, arbitrary: hex(12, 12) }, { weight: 2, arbitrary: hex(1, 11) }, { weight: 2, arbitrary: hex(13, 80) }, { weight: 1, arbitrary: hex(81, 128) }),
      aad: fc.option(hex(0, 100), { nil: undefined }),
      tagLength: fc.option(fc.constantFrom(...TAG_LENGTHS), { nil: undefined }),
      data: fc.oneof({ weight: 12, arbitrary: dataHex() }, { weight: 1, arbitrary: fc.integer({ min: 129 * 1024, max: 200 * 1024 }).chain((n) => hex(n, n)) }),
    }).map(({ iv, aad, tagLength, data }) => {
      const members = { iv: bytesSpec(iv) };
      if (aad !== undefined) members.additionalData = bytesSpec(aad);
      if (tagLength !== undefined) members.tagLength = tagLength;
      return { members, data, ivBytes: iv.length / 2 };
    });
    // (Messages stay under this library's 128 KiB ChaCha20-Poly1305 limit: docs/modern-algorithms.md.)
    case 'ChaCha20-Poly1305': return fc.record({
      iv: hex(12, 12),
      aad: fc.option(hex(0, 100), { nil: undefined }),
      tagLength: fc.option(fc.constant(128), { nil: undefined }),
      data: dataHex(),
    }).map(({ iv, aad, tagLength, data }) => {
      const members = { iv: bytesSpec(iv) };
      if (aad !== undefined) members.additionalData = bytesSpec(aad);
      if (tagLength !== undefined) members.tagLength = tagLength;
      return { members, data };
    });
    default: throw new Error(mode);
  }
}

/** Parameter mistakes each mode's encrypt and decrypt must reject, with the error the spec names in the comment. */
function badMembers(mode) {
  switch (mode) {
    case 'AES-CBC': return fc.oneof(
      fc.integer({ min: 0, max: 40 }).filter((n) => n !== 16).chain((n) => hex(n, n)).map((iv) => ['iv-wrong-length', { iv: bytesSpec(iv) }]), // OperationError
      fc.constant(['iv-missing', {}]), // TypeError
      invalidShape.map((s) => ['iv-bad-type', { iv: bytesSpec('000102030405060708090a0b0c0d0e0f', s) }]), // TypeError
    );
    case 'AES-CTR': return fc.oneof(
      fc.integer({ min: 0, max: 40 }).filter((n) => n !== 16).chain((n) => hex(n, n)).map((c) => ['counter-wrong-length', { counter: bytesSpec(c), length: 64 }]), // OperationError
      fc.constant(['length-zero', { counter: bytesSpec('00'.repeat(16)), length: 0 }]), // OperationError
      fc.integer({ min: 129, max: 255 }).map((length) => ['length-over-128', { counter: bytesSpec('00'.repeat(16)), length }]), // OperationError
      fc.constantFrom(256, -1, 1000, { $value: 'NaN' }).map((length) => ['length-out-of-range', { counter: bytesSpec('00'.repeat(16)), length }]), // TypeError
      fc.constant(['length-missing', { counter: bytesSpec('00'.repeat(16)) }]), // TypeError
      fc.constant(['counter-missing', { length: 64 }]), // TypeError
    );
    case 'AES-GCM': return fc.oneof(
      fc.integer({ min: 0, max: 255 }).filter((n) => !TAG_LENGTHS.includes(n)).map((tagLength) => ['tagLength-invalid', { iv: bytesSpec('00'.repeat(12)), tagLength }]), // OperationError
      fc.constantFrom(256, 1024, -1, { $value: 'Infinity' }).map((tagLength) => ['tagLength-out-of-range', { iv: bytesSpec('00'.repeat(12)), tagLength }]), // TypeError
      fc.constant(['iv-empty', { iv: bytesSpec('') }]),
      fc.constant(['iv-missing', {}]), // TypeError
      invalidShape.map((s) => ['aad-bad-type', { iv: bytesSpec('00'.repeat(12)), additionalData: bytesSpec('0102', s) }]), // TypeError
    );
    case 'ChaCha20-Poly1305': return fc.oneof(
      fc.integer({ min: 0, max: 40 }).filter((n) => n !== 12).chain((n) => hex(n, n)).map((iv) => ['iv-wrong-length', { iv: bytesSpec(iv) }]), // OperationError
      fc.integer({ min: 0, max: 255 }).filter((n) => n !== 128).map((tagLength) => ['tagLength-invalid', { iv: bytesSpec('00'.repeat(12)), tagLength }]), // OperationError
      fc.constantFrom(256, -1, { $value: 'Infinity' }).map((tagLength) => ['tagLength-out-of-range', { iv: bytesSpec('00'.repeat(12)), tagLength }]), // TypeError
      fc.constant(['iv-missing', {}]), // TypeError
      invalidShape.map((s) => ['aad-bad-type', { iv: bytesSpec('00'.repeat(12)), additionalData: bytesSpec('0102', s) }]), // TypeError
    );
    default: throw new Error(mode);
  }
}

/** encrypt or decrypt for one mode. Decrypt's valid ciphertexts come from an oracle's encrypt. */
function cipherCell(mode, op) {
  const inverse = op === 'encrypt' ? 'decrypt' : 'encrypt';
  const keyHex = keyHexOf(mode);
  const validWith = (options) => fc.record({ key: keyHex, p: validMembers(mode, options), dataShape: validShape })
    .chain(({ key, p, dataShape }) => algorithm(mode, fc.constant(p.members)).map((alg) => ({
      key: rawKey(key, mode, [op]), alg, params: p.members, plain: p.data, dataShape,
      ...(p.wraps ? { tags: ['ctr-wrap'] } : {}),
      ...(p.ivBytes !== undefined && p.ivBytes !== 12 ? { tags: ['gcm-iv-not-12'] } : {}),
    })));
  const valid = validWith();
  const withBadParams = fc.record({ key: keyHex, bad: badMembers(mode), data: hex(0, 64) }).map(({ key, bad: [what, members], data }) => ({
    key: rawKey(key, mode, [op]), alg: { $alg: { form: 'object', name: mode, members } }, what, plain: data, dataShape: 'u8', skipPrepare: true,
  }));
  const simple = (keyUsages, keyAlg = mode) => fc.record({ key: keyHex, p: validMembers(mode), dataShape: validShape }).map(({ key, p, dataShape }) => ({
    key: rawKey(key, keyAlg, keyUsages), alg: { $alg: { form: 'object', name: mode, members: p.members } },
    params: p.members, plain: p.data, dataShape,
  }));
  const variants = {
    'valid': [14, valid],
    ...(mode === 'AES-GCM' ? { 'valid-iv-over-128-bytes': [1, validWith({ longIv: true })] } : {}),
    'bad-params': [5, withBadParams],
    'wrong-usage': [1, simple([inverse])],
    'wrong-key-algorithm': [1, fc.constantFrom('AES-CBC', 'AES-CTR', 'AES-GCM', 'AES-KW').filter((m) => m !== mode)
      .chain((other) => simple(other === 'AES-KW' ? ['wrapKey'] : [op], other)).map((c) => ({ ...c, skipPrepare: true }))],
    'hmac-key': [1, simple(['sign'], { form: 'object', name: 'HMAC', members: { hash: 'SHA-256' } }).map((c) => ({ ...c, skipPrepare: true }))],
    'unknown-name': [1, simple([op]).chain((c) => unknownNames().map((n) => ({ ...c, alg: { $alg: { form: 'object', name: n, members: c.params } }, skipPrepare: true })))],
    'no-such-operation': [1, simple([op]).chain((c) => fc.constantFrom('AES-KW', 'HMAC', 'SHA-256', 'PBKDF2').map((n) => ({ ...c, alg: { $alg: { form: 'object', name: n, members: c.params } }, skipPrepare: true })))],
    'bad-algorithm-value': [1, simple([op]).chain((c) => badAlgorithmValue.map((alg) => ({ ...c, alg, skipPrepare: true })))],
    'bad-data': [1, simple([op]).chain((c) => invalidShape.map((dataShape) => ({ ...c, dataShape, skipPrepare: true })))],
    'not-a-key': [1, simple([op]).map((c) => ({ ...c, notKey: true, skipPrepare: true }))],
  };
  if (op === 'decrypt') {
    variants['tampered'] = [3, fc.record({ c: valid, at: fc.double({ min: 0, max: 0.999, noNaN: true }) })
      .map(({ c, at }) => ({ ...c, tamper: at }))];
    variants['truncated'] = [2, fc.record({ c: valid, cut: fc.integer({ min: 1, max: 20 }) }).map(({ c, cut }) => ({ ...c, truncate: cut }))];
    variants['random-ciphertext'] = [1, fc.record({ c: valid, junk: hex(0, 48) }).map(({ c, junk }) => ({ ...c, junk, skipPrepare: true }))];
  }
  return cell({
    variants,
    prepare: op === 'decrypt'
      ? async (spec, targets) => {
        if (spec.skipPrepare || spec.params === undefined) return undefined;
        // The ciphertext: the plaintext encrypted by an oracle under the same key and parameters.
        const produced = await produce(targets, async (t) => {
          const key = await t.importKey({ ...spec.key, alg: spec.key.alg, usages: ['encrypt'] });
          const params = { name: mode, ...buildValue(spec.params) };
          return toHex(await t.call('encrypt', params, key, fromHex(spec.plain)));
        });
        let ciphertext = produced.value;
        if (spec.tamper !== undefined) ciphertext = flipBit(ciphertext, spec.tamper);
        if (spec.truncate !== undefined) ciphertext = ciphertext.slice(0, Math.max(0, ciphertext.length - spec.truncate * 2));
        return { ciphertext, by: produced.by };
      }
      : undefined,
    run: async (spec, t, { prepared }) => {
      const key = spec.notKey ? { type: 'secret', algorithm: { name: mode } } : await t.importKey(spec.key);
      const input = op === 'encrypt' || prepared === undefined ? (spec.junk ?? spec.plain) : prepared.ciphertext;
      return t.call(op, buildValue(spec.alg), key, buildValue(bytesSpec(input, spec.dataShape)));
    },
  });
}

// ---- wrapKey / unwrapKey -------------------------------------------------

/** Keys to wrap: AES keys and HMAC keys of various lengths, raw or JWK. */
const payload = fc.oneof(
  fc.constantFrom(16, 24, 32).chain((n) => hex(n, n)).map((h) => ({ hex: h, alg: 'AES-GCM', usages: ['encrypt'] })),
  fc.integer({ min: 1, max: 80 }).chain((n) => hex(n, n)).map((h) => ({ hex: h, alg: { name: 'HMAC', hash: 'SHA-256' }, usages: ['sign'] })),
);

function wrapParams(mode) {
  if (mode === 'AES-KW') return fc.constant({});
  return validMembers(mode).map((p) => p.members);
}

/** wrapKey for AES-KW, or wrapKey through encrypt for the other modes. */
function wrapKeyCell(mode) {
  const wrapUsage = ['wrapKey'];
  const base = fc.record({ kek: keyHexOf(mode), payload, format: fc.constantFrom('raw', 'raw', 'jwk'), members: wrapParams(mode) })
    .chain((c) => algorithm(mode, fc.constant(c.members)).map((alg) => ({ ...c, alg })));
  const variants = {
    'valid': [12, base],
    'payload-not-extractable': [1, base.map((c) => ({ ...c, payloadExtractable: false }))],
    'wrapping-key-lacks-usage': [1, base.map((c) => ({ ...c, kekUsages: mode === 'AES-KW' ? ['unwrapKey'] : ['encrypt'] }))],
    'wrapping-key-other-algorithm': [1, base.map((c) => ({ ...c, kekAlg: mode === 'AES-GCM' ? 'AES-CBC' : 'AES-GCM' }))],
    'format-unsupported': [1, base.chain((c) => fc.constantFrom('spki', 'pkcs8').map((format) => ({ ...c, format })))],
    'format-invalid': [1, base.chain((c) => fc.constantFrom('RAW', 'pem').map((format) => ({ ...c, format })))],
    'unknown-name': [1, base.chain((c) => unknownNames().map((n) => ({ ...c, alg: { $alg: { form: 'object', name: n, members: c.members } } })))],
  };
  return cell({
    variants,
    run: async (spec, t) => {
      const kek = await t.importKey(rawKey(spec.kek, spec.kekAlg ?? mode, spec.kekUsages ?? wrapUsage), 'import wrapping key');
      const key = await t.importKey({ format: 'raw', ...spec.payload, extractable: spec.payloadExtractable ?? true }, 'import key to wrap');
      const wrapped = await t.call('wrapKey', spec.format, key, kek, buildValue(spec.alg));
      if (spec.format !== 'jwk') return wrapped;
      // A wrapped JWK's bytes depend on the JSON member order, which the spec
      // leaves open: compare what unwrapping it gives instead.
      const unwrapped = await t.call('unwrapKey', 'jwk', wrapped, await t.importKey(rawKey(spec.kek, mode, ['unwrapKey'])),
        buildValue(spec.alg), spec.payload.alg, true, spec.payload.usages);
      return { unwrapped: toHex(await t.call('exportKey', 'raw', unwrapped)) };
    },
  });
}

/**
 * Keys an unwrap case unwraps. AES-KW wraps whole 64-bit blocks (at least
 * two), so its payloads are multiples of 8 bytes.
 */
function unwrapPayload(mode) {
  const hmacBytes = mode === 'AES-KW' ? fc.integer({ min: 2, max: 10 }).map((n) => n * 8) : fc.integer({ min: 1, max: 80 });
  return fc.oneof(
    fc.constantFrom(16, 24, 32).chain((n) => hex(n, n)).map((h) => ({ hex: h, alg: 'AES-GCM', usages: ['encrypt'] })),
    hmacBytes.chain((n) => hex(n, n)).map((h) => ({ hex: h, alg: { name: 'HMAC', hash: 'SHA-256' }, usages: ['sign'] })),
  );
}

/** The bytes a wrapped key holds: the raw key, or a JWK's JSON (space-padded to whole blocks for AES-KW). */
function bytesToWrap(mode, format, payloadSpec) {
  if (format !== 'jwk') return payloadSpec.hex;
  const jwk = { kty: 'oct', k: Buffer.from(payloadSpec.hex, 'hex').toString('base64url'), ext: true };
  let text = JSON.stringify(jwk);
  if (mode === 'AES-KW') text += ' '.repeat((8 - (text.length % 8)) % 8);
  return Buffer.from(text, 'utf8').toString('hex');
}

/**
 * unwrapKey for AES-KW, or through decrypt for the other modes. The wrapped
 * bytes are chosen here (the raw key, or a JWK's JSON text) and wrapped by an
 * oracle: with AES-KW by wrapping an HMAC key whose bytes they are, with the
 * other modes by encrypting them.
 */
function unwrapKeyCell(mode, { targets }) {
  const base = fc.record({ kek: keyHexOf(mode), payload: unwrapPayload(mode), format: fc.constantFrom('raw', 'raw', 'jwk'), members: wrapParams(mode), extractable: fc.boolean() })
    .chain((c) => algorithm(mode, fc.constant(c.members)).map((alg) => ({ ...c, alg })));
  const variants = {
    'valid': [12, base],
    'tampered': [3, fc.record({ c: base, at: fc.double({ min: 0, max: 0.999, noNaN: true }) }).map(({ c, at }) => ({ ...c, tamper: at }))],
    'truncated': [1, fc.record({ c: base, cut: fc.integer({ min: 1, max: 12 }) }).map(({ c, cut }) => ({ ...c, truncate: cut }))],
    'format-mismatch': [1, base.map((c) => ({ ...c, unwrapFormat: c.format === 'jwk' ? 'raw' : 'jwk' }))],
    'unwrapping-key-lacks-usage': [1, base.map((c) => ({ ...c, kekUsages: mode === 'AES-KW' ? ['wrapKey'] : ['decrypt'] }))],
    'unwrapped-algorithm-unknown': [1, base.map((c) => ({ ...c, unwrappedAlg: 'AES-XYZ' }))],
    'unwrapped-usages-invalid': [1, base.map((c) => ({ ...c, unwrappedUsages: ['deriveBits'] }))],
    'bad-wrapped-data': [1, base.chain((c) => invalidShape.map((wrappedShape) => ({ ...c, wrappedShape })))],
  };
  return cell({
    variants,
    prepare: async (spec, all) => {
      const plainHex = bytesToWrap(mode, spec.format, spec.payload);
      const produced = await produce(all, async (t) => {
        if (mode === 'AES-KW') {
          const kek = await t.importKey({ format: 'raw', hex: spec.kek, alg: mode, usages: ['wrapKey'] });
          const carrier = await t.importKey({ format: 'raw', hex: plainHex, alg: { name: 'HMAC', hash: 'SHA-256' }, extractable: true, usages: ['sign'] });
          return toHex(await t.call('wrapKey', 'raw', carrier, kek, 'AES-KW'));
        }
        const kek = await t.importKey(rawKey(spec.kek, mode, ['encrypt']));
        return toHex(await t.call('encrypt', { name: mode, ...buildValue(spec.members) }, kek, fromHex(plainHex)));
      });
      let wrapped = produced.value;
      if (spec.tamper !== undefined) wrapped = flipBit(wrapped, spec.tamper);
      if (spec.truncate !== undefined) wrapped = wrapped.slice(0, Math.max(0, wrapped.length - spec.truncate * 2));
      return { wrapped, by: produced.by };
    },
    run: async (spec, t, { prepared }) => {
      const kek = await t.importKey(rawKey(spec.kek, mode, spec.kekUsages ?? ['unwrapKey']), 'import unwrapping key');
      const key = await t.call('unwrapKey', spec.unwrapFormat ?? spec.format, buildValue(bytesSpec(prepared.wrapped, spec.wrappedShape ?? 'u8')), kek,
        buildValue(spec.alg), spec.unwrappedAlg ?? spec.payload.alg, spec.extractable, spec.unwrappedUsages ?? spec.payload.usages);
      return keyOutcome(t, key, targets, { exportBytes: true, use: true });
    },
  });
}

function cipherRow(mode, context) {
  const row = {
    generateKey: generateKeyCell(mode, context),
    importKey: importKeyCell(mode),
    exportKey: exportKeyCell(mode),
    'get key length': deriveKeyCell(mode, context),
  };
  if (mode === 'AES-KW') {
    row.wrapKey = wrapKeyCell(mode);
    row.unwrapKey = unwrapKeyCell(mode, context);
  } else {
    row.encrypt = cipherCell(mode, 'encrypt');
    row.decrypt = cipherCell(mode, 'decrypt');
    // Not operations of the registry row: the wrapKey/unwrapKey methods fall back to encrypt/decrypt.
    row['wrapKey (via encrypt)'] = wrapKeyCell(mode);
    row['unwrapKey (via decrypt)'] = unwrapKeyCell(mode, context);
  }
  return row;
}

export default function aes(context) {
  return Object.fromEntries(['AES-CBC', 'AES-CTR', 'AES-GCM', 'AES-KW', 'ChaCha20-Poly1305'].map((mode) => [mode, cipherRow(mode, context)]));
}
