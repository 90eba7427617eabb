// The Crypto interface's own methods: getRandomValues (synchronous) and
// randomUUID. Their results are random, so the outcome is their shape: the
// same array returned, its type and length; a version-4 UUID.
import { SyncThrow } from '../lib/outcome.mjs';
import { buildValue } from '../lib/values.mjs';
import { cell, fc } from './common.mjs';

const INTEGER_ARRAYS = { Int8Array: 1, Uint8Array: 1, Uint8ClampedArray: 1, Int16Array: 2, Uint16Array: 2, Int32Array: 4, Uint32Array: 4, BigInt64Array: 8, BigUint64Array: 8 };
const OTHER_VIEWS = { Float32Array: 4, Float64Array: 8, DataView: 1 };

function makeArray(type, length, backing) {
  const bytes = length * (INTEGER_ARRAYS[type] ?? OTHER_VIEWS[type]);
  const buffer = backing === 'shared' ? new SharedArrayBuffer(bytes)
    : backing === 'resizable' ? new ArrayBuffer(bytes, { maxByteLength: bytes + 16 }) : new ArrayBuffer(bytes);
  const Type = globalThis[type];
  return new Type(buffer);
}

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function getRandomValuesCell() {
  const integerType = fc.constantFrom(...Object.keys(INTEGER_ARRAYS));
  const lengthUpTo = (type, maxBytes) => fc.integer({ min: 0, max: Math.floor(maxBytes / (INTEGER_ARRAYS[type] ?? OTHER_VIEWS[type])) });
  return cell({
    sync: true,
    variants: {
      'valid': [10, integerType.chain((type) => fc.record({ type: fc.constant(type), length: lengthUpTo(type, 65536) }))],
      'valid-exactly-65536-bytes': [1, integerType.map((type) => ({ type, length: 65536 / INTEGER_ARRAYS[type] }))],
      'over-65536-bytes': [2, integerType.chain((type) => fc.record({ type: fc.constant(type), length: fc.integer({ min: 65536 / INTEGER_ARRAYS[type] + 1, max: 70000 }) }))],
      'not-an-integer-array': [2, fc.constantFrom(...Object.keys(OTHER_VIEWS)).chain((type) => fc.record({ type: fc.constant(type), length: lengthUpTo(type, 1024) }))],
      'shared-buffer': [1, integerType.chain((type) => fc.record({ type: fc.constant(type), length: lengthUpTo(type, 256), backing: fc.constant('shared') }))],
      'resizable-buffer': [1, integerType.chain((type) => fc.record({ type: fc.constant(type), length: lengthUpTo(type, 256), backing: fc.constant('resizable') }))],
      'not-a-view': [1, fc.record({ value: fc.constantFrom(null, 16, 'abc', [1, 2, 3], { length: 4 }, { $value: 'undefined' }) })],
      'missing-argument': [1, fc.constant({ missing: true })],
    },
    run: async (spec, t) => {
      const args = spec.missing ? [] : [spec.type ? makeArray(spec.type, spec.length, spec.backing) : buildValue(spec.value)];
      let returned;
      try {
        returned = t.crypto.getRandomValues(...args);
      } catch (error) {
        throw new SyncThrow(error); // synchronous by definition: throwing is how it fails
      }
      if (returned !== args[0]) return `returned a different object (${Object.prototype.toString.call(returned)})`;
      return `returned its argument: ${returned.constructor.name}(${returned.length})`;
    },
  });
}

function randomUuidCell() {
  return cell({
    sync: true,
    variants: { 'valid': [1, fc.constant({})] },
    run: async (_spec, t) => {
      let uuids;
      try {
        uuids = Array.from({ length: 8 }, () => t.crypto.randomUUID());
      } catch (error) {
        throw new SyncThrow(error);
      }
      const bad = uuids.find((u) => typeof u !== 'string' || !UUID_V4.test(u));
      if (bad !== undefined) return `not a lowercase version-4 UUID: ${String(bad)}`;
      return new Set(uuids).size === uuids.length ? 'eight distinct version-4 UUIDs' : 'repeated UUIDs';
    },
  });
}

export default function cryptoMethods() {
  return { Crypto: { getRandomValues: getRandomValuesCell(), randomUUID: randomUuidCell() } };
}
