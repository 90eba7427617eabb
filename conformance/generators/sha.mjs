// digest for SHA-1, SHA-256, SHA-384, SHA-512 and the WICG draft's SHA3-256, SHA3-384, SHA3-512.
import { buildValue } from '../lib/values.mjs';
import {
  algorithm, badAlgorithmValue, buffer, cell, dataHex, fc, invalidShape, unicodeLookalike, unknownNames,
} from './common.mjs';
import { algSpec, bytesSpec } from '../lib/values.mjs';

function digestCell(name) {
  const lookalike = unicodeLookalike(name);
  return cell({
    variants: {
      'valid': [12, fc.record({ alg: algorithm(name), data: buffer(dataHex({ large: 300_000 })) })],
      'valid-extra-members': [1, fc.record({
        alg: algorithm(name, fc.constant({ length: 7, hash: 'nonsense', iv: { $bytes: '00', shape: 'u8' } })),
        data: buffer(),
      })],
      'unknown-name': [2, fc.record({ alg: unknownNames().map((n) => algSpec({ form: 'string', name: n })), data: buffer() })],
      'registered-but-not-digest': [1, fc.record({
        alg: fc.constantFrom('HMAC', 'AES-GCM', 'PBKDF2', 'HKDF').map((n) => algSpec({ form: 'object', name: n, members: {} })),
        data: buffer(),
      })],
      ...(lookalike ? { 'unicode-lookalike-name': [1, fc.record({ alg: fc.constant(algSpec({ form: 'string', name: lookalike })), data: buffer() })] } : {}),
      'bad-algorithm-value': [1, fc.record({ alg: badAlgorithmValue, data: buffer() })],
      'bad-data': [3, fc.record({ alg: algorithm(name), data: fc.tuple(dataHex(), invalidShape).map(([h, s]) => bytesSpec(h, s)) })],
      'missing-data': [1, fc.record({ alg: algorithm(name) })],
    },
    run: async (spec, t) => {
      const args = [buildValue(spec.alg)];
      if (spec.variant !== 'missing-data') args.push(buildValue(spec.data));
      return t.call('digest', ...args);
    },
  });
}

export default Object.fromEntries(['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512', 'SHA3-256', 'SHA3-384', 'SHA3-512']
  .map((name) => [name, { digest: digestCell(name) }]));
