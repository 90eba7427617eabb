// The MACs: HMAC, and this library's AFALG-AES-CMAC: sign, verify, and the
// key operations.
import { buildValue, bytesSpec, fromHex, toHex } from '../lib/values.mjs';
import { flipBit, produce } from './aes.mjs';
import { algorithm, badAlgorithmValue, buffer, cell, dataHex, fc, hex, invalidShape, unknownNames } from './common.mjs';
import { deriveKeyCell } from './derive.mjs';
import { FAMILIES, exportKeyCell, generateKeyCell, importKeyCell } from './key-ops.mjs';

/** A key of the MAC to import: bytes and import members (HMAC: a hash, sometimes a length in (bits - 8, bits]). */
const macKey = (name, keyUsages) => FAMILIES[name].keyHex.chain((keyHex) => FAMILIES[name].importMembers(keyHex, { edges: false }).map((m) => ({
  format: 'raw', hex: keyHex, alg: { form: 'object', name, members: m.members }, usages: keyUsages,
})));

/** The variants sign and verify share; `usage` is the operation's own. */
function macVariants(name, usage, extra) {
  const other = usage === 'sign' ? 'verify' : 'sign';
  const base = (keyUsages = [usage]) => fc.record({ key: macKey(name, keyUsages), alg: algorithm(name), data: buffer(), ...extra });
  return {
    'valid': [12, base()],
    'wrong-usage': [1, base([other])],
    'wrong-key-algorithm': [1, base().chain((c) => hex(16, 16).map((k) => ({ ...c, key: { format: 'raw', hex: k, alg: 'AES-GCM', usages: ['encrypt'] } })))],
    'unknown-name': [1, base().chain((c) => unknownNames().map((n) => ({ ...c, alg: { $alg: { form: 'string', name: n } } })))],
    'no-such-operation': [1, base().chain((c) => fc.constantFrom('AES-GCM', 'SHA-256', 'HKDF').map((n) => ({ ...c, alg: { $alg: { form: 'string', name: n } } })))],
    'bad-algorithm-value': [1, base().chain((c) => badAlgorithmValue.map((alg) => ({ ...c, alg })))],
    'bad-data': [1, base().chain((c) => fc.tuple(dataHex(), invalidShape).map(([h, s]) => ({ ...c, data: bytesSpec(h, s) })))],
    'not-a-key': [1, base().map((c) => ({ ...c, notKey: true }))],
  };
}

function signCell(name) {
  return cell({
    variants: macVariants(name, 'sign', {}),
    run: async (spec, t) => {
      const key = spec.notKey ? { type: 'secret', algorithm: { name }, usages: ['sign'] } : await t.importKey(spec.key);
      return t.call('sign', buildValue(spec.alg), key, buildValue(spec.data));
    },
  });
}

const MUTATIONS = ['none', 'none', 'none', 'flip-bit', 'truncate', 'extend', 'empty', 'random'];

function verifyCell(name) {
  return cell({
    variants: {
      ...macVariants(name, 'verify', { mutation: fc.constantFrom(...MUTATIONS), at: fc.double({ min: 0, max: 0.999, noNaN: true }), sigShape: fc.constantFrom('u8', 'ArrayBuffer', 'DataView', 'offset-view') }),
      'bad-signature': [1, fc.record({ key: macKey(name, ['verify']), alg: algorithm(name), data: buffer(), mutation: fc.constant('none'), sigShape: invalidShape })],
    },
    prepare: async (spec, targets) => {
      // Only these variants need the right signature; the others fail before any MAC is computed.
      if (spec.variant !== 'valid' && spec.variant !== 'bad-signature') return { signature: '00'.repeat(32) };
      // The right signature, from an oracle; then the case's mutation of it.
      const produced = await produce(targets, async (t) => {
        const key = await t.importKey({ ...spec.key, usages: ['sign'] });
        const data = buildValue(spec.data);
        return toHex(await t.call('sign', name, key, data));
      });
      let signature = produced.value;
      switch (spec.mutation) {
        case 'flip-bit': signature = flipBit(signature, spec.at); break;
        case 'truncate': signature = signature.slice(0, 2 * Math.floor((signature.length / 2) * spec.at)); break;
        case 'extend': signature += '00'; break;
        case 'empty': signature = ''; break;
        case 'random': signature = toHex(fromHex(signature).map((b, i) => (b * 31 + i * 7 + 1) & 0xff)); break;
        default: break;
      }
      return { signature, by: produced.by };
    },
    run: async (spec, t, { prepared }) => {
      const key = spec.notKey ? { type: 'secret', algorithm: { name }, usages: ['verify'] } : await t.importKey(spec.key);
      return t.call('verify', buildValue(spec.alg), key, buildValue(bytesSpec(prepared.signature, spec.sigShape ?? 'u8')), buildValue(spec.data));
    },
  });
}

export default function macs(context) {
  return Object.fromEntries(['HMAC', 'AFALG-AES-CMAC'].map((name) => [name, {
    sign: signCell(name),
    verify: verifyCell(name),
    generateKey: generateKeyCell(name, context),
    importKey: importKeyCell(name),
    exportKey: exportKeyCell(name),
    'get key length': deriveKeyCell(name, context),
  }]));
}
