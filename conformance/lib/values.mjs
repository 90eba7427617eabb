// Case specs are plain JSON (so a report can print them and --replay can
// rebuild them); this file turns their markers into the JavaScript values a
// WebCrypto call receives. Every call gets fresh objects: a detached or
// transferred buffer cannot be shared between the three implementations.
//
// Markers inside a spec:
//   {$bytes: 'hex', shape: 'u8'}   a BufferSource of those bytes (shapes below)
//   {$alg: {form, name, members}}  an AlgorithmIdentifier (see buildAlgorithm)
//   {$value: 'undefined' | 'symbol' | 'function' | 'bigint' | 'NaN' | 'Infinity' | '-0'}
//   anything else                  itself, with its members built recursively

export function fromHex(hex) {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

export function toHex(bytes) {
  if (bytes instanceof ArrayBuffer) bytes = new Uint8Array(bytes);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** BufferSource shapes WebIDL accepts for BufferSource: same bytes, different wrappers. */
export const VALID_SHAPES = ['u8', 'ArrayBuffer', 'DataView', 'Buffer', 'offset-view', 'Int16Array', 'Float64Array', 'Uint8ClampedArray'];
/** Values WebIDL rejects for BufferSource (TypeError); "detached" is accepted and holds no bytes. */
export const INVALID_SHAPES = ['SharedArrayBuffer-view', 'SharedArrayBuffer', 'resizable-view', 'resizable', 'string', 'number',
  'null', 'plain-array', 'plain-object'];

/** A fresh BufferSource holding bytes, in the given shape. */
export function makeBuffer(hex, shape) {
  const bytes = fromHex(hex);
  const n = bytes.byteLength;
  switch (shape) {
    case 'u8': return bytes;
    case 'ArrayBuffer': return bytes.buffer.slice(0);
    case 'DataView': return new DataView(bytes.buffer.slice(0));
    case 'Buffer': return Buffer.from(bytes);
    case 'Uint8ClampedArray': return new Uint8ClampedArray(bytes);
    case 'offset-view': {
      // The bytes in the middle of a larger buffer full of other bytes.
      const outer = new Uint8Array(n + 13).fill(0xee);
      outer.set(bytes, 5);
      return outer.subarray(5, 5 + n);
    }
    case 'Int16Array':
      return n % 2 === 0 ? new Int16Array(bytes.buffer.slice(0)) : bytes;
    case 'Float64Array':
      return n % 8 === 0 ? new Float64Array(bytes.buffer.slice(0)) : bytes;
    case 'detached': {
      const buffer = bytes.buffer.slice(0);
      const view = new Uint8Array(buffer);
      structuredClone(buffer, { transfer: [buffer] });
      return view;
    }
    case 'detached-ArrayBuffer': {
      const buffer = bytes.buffer.slice(0);
      structuredClone(buffer, { transfer: [buffer] });
      return buffer;
    }
    case 'SharedArrayBuffer-view': {
      const view = new Uint8Array(new SharedArrayBuffer(n));
      view.set(bytes);
      return view;
    }
    case 'SharedArrayBuffer': {
      const shared = new SharedArrayBuffer(n);
      new Uint8Array(shared).set(bytes);
      return shared;
    }
    case 'resizable-view': {
      const buffer = new ArrayBuffer(n, { maxByteLength: n + 64 });
      const view = new Uint8Array(buffer);
      view.set(bytes);
      return view;
    }
    case 'resizable': {
      const buffer = new ArrayBuffer(n, { maxByteLength: n + 64 });
      new Uint8Array(buffer).set(bytes);
      return buffer;
    }
    case 'string': return hex;
    case 'number': return n;
    case 'null': return null;
    case 'plain-array': return Array.from(bytes);
    case 'plain-object': return { length: n, byteLength: n, 0: bytes[0] };
    default: throw new Error(`unknown buffer shape ${shape}`);
  }
}

/** The bytes a shape actually carries (a detached buffer carries none). */
export function effectiveHex(hex, shape) {
  return shape === 'detached' || shape === 'detached-ArrayBuffer' ? '' : hex;
}

/**
 * An AlgorithmIdentifier:
 *   {form: 'string', name}               the DOMString form
 *   {form: 'object', name, members}      {name, ...members}
 *   {form: 'object-no-name', members}    a dictionary without its required name
 *   {form: 'raw', value}                 any other value (number, null, ...)
 */
export function buildAlgorithm(alg) {
  switch (alg.form) {
    case 'string': return alg.name;
    case 'object': return { name: alg.name, ...buildValue(alg.members ?? {}) };
    case 'object-no-name': return { ...buildValue(alg.members ?? {}) };
    case 'raw': return buildValue(alg.value);
    default: throw new Error(`unknown algorithm form ${alg.form}`);
  }
}

const SPECIAL_VALUES = {
  undefined: () => undefined,
  symbol: () => Symbol('conformance'),
  function: () => function notAnAlgorithm() {},
  bigint: () => 10n,
  NaN: () => NaN,
  Infinity: () => Infinity,
  '-0': () => -0,
};

export function buildValue(spec) {
  if (spec === null || typeof spec !== 'object') return spec;
  if (Array.isArray(spec)) return spec.map(buildValue);
  if ('$bytes' in spec) return makeBuffer(spec.$bytes, spec.shape ?? 'u8');
  if ('$alg' in spec) return buildAlgorithm(spec.$alg);
  if ('$value' in spec) {
    const make = SPECIAL_VALUES[spec.$value];
    if (!make) throw new Error(`unknown special value ${spec.$value}`);
    return make();
  }
  return Object.fromEntries(Object.entries(spec).map(([k, v]) => [k, buildValue(v)]));
}

/** Spec helpers for generators. */
export const bytesSpec = (hex, shape = 'u8') => ({ $bytes: hex, shape });
export const algSpec = (alg) => ({ $alg: alg });
