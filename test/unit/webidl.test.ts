// WebIDL argument conversion of the facade (src/webcrypto/webidl.ts and
// the method prologues in subtle.ts / crypto.ts), compared with Node's
// webcrypto wherever Node follows the spec. Where they differ, the test
// says so and holds ours to the W3C spec (Editor's Draft, 2026) and WebIDL.
//
// Runs natively without AF_ALG: every check here is decided before any
// kernel call. Where a call would reach the kernel, the outcome compared is
// "was it a TypeError" (conversion failed) or the algorithm module is
// replaced by a stub that records what it received.
import { afterEach, describe, expect, test, vi } from 'vitest';
import { createCrypto, Crypto, CryptoKey, SubtleCrypto } from '../../src/index';
import { sha } from '../../src/webcrypto/algorithms/sha';
import type { AlgorithmModule } from '../../src/webcrypto/algorithm-module';
import { toUnsigned } from '../../src/webcrypto/webidl';
import { randomData } from '../helpers/bytes';
import { looseNodeSubtle, nodeCrypto, NodeCryptoKey, nodeSubtle } from '../helpers/oracles';
import { outcomeOf, rejectionOf } from '../helpers/outcomes';

// Strict mode: these are checks of our facade, not of the platform fallback.
const crypto = createCrypto({ mode: 'strict' });
const subtle = crypto.subtle;
type Loose = (...args: unknown[]) => Promise<unknown>;
const loose = (method: keyof SubtleCrypto): Loose =>
  (...args) => (subtle[method] as unknown as Loose).apply(subtle, args);
const ctx = { prefix: 'test', context: 'value' };

/**
 * Replaces SHA digests with a stub that records the bytes it was given, as
 * they were when it was called. (Whether the module gets a copy or a view is
 * the facade's business: a synchronous job may read the caller's bytes; the
 * kernel tests check that results reflect the bytes at call time.)
 */
function recordDigestInputs(): Uint8Array[] {
  const seen: Uint8Array[] = [];
  vi.spyOn(sha as Required<AlgorithmModule>, 'digest').mockImplementation(async (_alg, data) => {
    seen.push(data.slice());
    return new ArrayBuffer(32);
  });
  return seen;
}

afterEach(() => {
  vi.restoreAllMocks();
});

// Values an integer argument may be given. The spec answer for each is
// decided by WebIDL's ConvertToInt; the tests take it from independent
// implementations (Node's converters, the JS engine's ToUintN).
const INTEGER_INPUTS: [string, () => unknown][] = [
  ['0', () => 0], ['1', () => 1], ['127.9', () => 127.9], ['128', () => 128], ["'128'", () => '128'],
  ["' 0x80 '", () => ' 0x80 '], ['128.5', () => 128.5], ['-0', () => -0], ['-0.5', () => -0.5], ['-1', () => -1],
  ['255', () => 255], ['256', () => 256], ['65535', () => 65535], ['65535.9', () => 65535.9], ['65536', () => 65536],
  ['2^32-1', () => 2 ** 32 - 1], ['2^32', () => 2 ** 32], ['2^32+128', () => 2 ** 32 + 128], ['2^53', () => 2 ** 53],
  ['1e300', () => 1e300], ['NaN', () => NaN], ['Infinity', () => Infinity], ['-Infinity', () => -Infinity],
  ['null', () => null], ['true', () => true], ['false', () => false], ["''", () => ''], ["'abc'", () => 'abc'],
  ['[]', () => []], ['[192]', () => [192]], ['{valueOf: 256}', () => ({ valueOf: () => 256 })],
  ['5e-324', () => 5e-324], ['128n', () => 128n], ['Symbol()', () => Symbol('x')],
];

describe('[EnforceRange] integer members', () => {
  test.each(INTEGER_INPUTS)('unsigned short AesKeyGenParams.length = %s: same outcome and length as Node', async (_label, make) => {
    const call = (s: Loose) => s({ name: 'AES-CBC', length: make() }, true, ['encrypt']);
    const ours = await call(loose('generateKey')).then((k) => `ok:${((k as CryptoKey).algorithm as { length: number }).length}`, (e: Error) => e.name);
    const node = await call(looseNodeSubtle.generateKey.bind(nodeSubtle)).then((k) => `ok:${((k as CryptoKey).algorithm as { length: number }).length}`, (e: Error) => e.name);
    expect(ours).toBe(node);
  });

  test.each(INTEGER_INPUTS)('unsigned long HmacImportParams.length = %s: TypeError exactly when Node gives one', async (_label, make) => {
    const key = randomData(32);
    const call = (s: Loose) => s('raw', key, { name: 'HMAC', hash: 'SHA-256', length: make() }, true, ['sign']);
    const ours = await outcomeOf(() => call(loose('importKey')));
    const node = await outcomeOf(() => call(looseNodeSubtle.importKey.bind(nodeSubtle)));
    expect(ours === 'TypeError').toBe(node === 'TypeError');
  });

  test.each(INTEGER_INPUTS)('octet AesCtrParams.length = %s: TypeError exactly when Node gives one', async (_label, make) => {
    const ourKey = await subtle.generateKey({ name: 'AES-CTR', length: 128 }, true, ['encrypt']);
    const nodeKey = await nodeSubtle.generateKey({ name: 'AES-CTR', length: 128 }, true, ['encrypt']);
    const params = () => ({ name: 'AES-CTR', counter: new Uint8Array(16), length: make() });
    const ours = await outcomeOf(() => loose('encrypt')(params(), ourKey, new Uint8Array(16)));
    const node = await outcomeOf(() => looseNodeSubtle.encrypt.call(nodeSubtle, params(), nodeKey, new Uint8Array(16)));
    expect(ours === 'TypeError').toBe(node === 'TypeError');
  });
});

describe('integers without [EnforceRange] (deriveBits length) wrap modulo 2^bits', () => {
  // WebIDL ConvertToInt without [EnforceRange] is the engine's ToUint8,
  // ToUint16 and ToUint32, which typed-array stores apply.
  const engine = { 8: Uint8Array, 16: Uint16Array, 32: Uint32Array } as const;
  for (const bits of [8, 16, 32] as const) {
    test.each(INTEGER_INPUTS)(`${bits}-bit %s`, (_label, make) => {
      const value = make();
      let expected: number | string;
      try {
        expected = new engine[bits]([value as number])[0]!;
      } catch (error) {
        expected = (error as Error).name;
      }
      let ours: number | string;
      try {
        ours = toUnsigned(value, bits, false, ctx);
      } catch (error) {
        ours = (error as Error).name;
      }
      expect(Object.is(ours, expected), `ours ${String(ours)}, engine ${String(expected)}`).toBe(true);
    });
  }
});

describe('BufferSource arguments', () => {
  // ES2024 constructor options, which the ES2023 lib typings do not declare.
  type GrowableConstructor<T> = new (length: number, options: { maxByteLength: number }) => T;
  const resizable = () => new (ArrayBuffer as GrowableConstructor<ArrayBuffer>)(8, { maxByteLength: 16 });
  const detached = () => {
    const buffer = new ArrayBuffer(8);
    structuredClone(buffer, { transfer: [buffer] });
    return buffer;
  };
  const growableShared = () => new (SharedArrayBuffer as GrowableConstructor<SharedArrayBuffer>)(8, { maxByteLength: 16 });
  const otherRealm = () => require('node:vm').runInNewContext('new Uint8Array([1, 2, 3]).buffer') as ArrayBuffer;
  // [label, value, accepted by the spec, Node agrees with the spec]
  const cases: [string, () => unknown, boolean, boolean][] = [
    ['ArrayBuffer', () => new ArrayBuffer(5), true, true],
    ['Uint8Array', () => new Uint8Array([1, 2, 3]), true, true],
    ['Uint8Array at an offset', () => new Uint8Array(new ArrayBuffer(10), 3, 4), true, true],
    ['Int32Array', () => new Int32Array([1, -1]), true, true],
    ['Float64Array', () => new Float64Array([1.5]), true, true],
    ['BigInt64Array', () => new BigInt64Array([-1n]), true, true],
    ['DataView', () => new DataView(new ArrayBuffer(9), 2, 5), true, true],
    ['Buffer', () => Buffer.from('abc'), true, true],
    // WebIDL checks the [[ArrayBufferData]] slot, not the prototype chain. Node 20 rejects it.
    ['ArrayBuffer of another realm', otherRealm, true, false],
    ['detached ArrayBuffer (its bytes: none)', detached, true, true],
    ['SharedArrayBuffer', () => new SharedArrayBuffer(8), false, true],
    ['view of a SharedArrayBuffer', () => new Uint8Array(new SharedArrayBuffer(8)), false, true],
    ['growable SharedArrayBuffer', growableShared, false, true],
    // WebIDL: without [AllowResizable], a resizable buffer is a TypeError. Node 20 accepts it.
    ['resizable ArrayBuffer', resizable, false, false],
    ['view of a resizable ArrayBuffer', () => new Uint8Array(resizable()), false, false],
    ['Array', () => [1, 2, 3], false, true],
    ['string', () => 'abc', false, true],
    ['number', () => 3, false, true],
    ['null', () => null, false, true],
    ['undefined', () => undefined, false, true],
    ['{byteLength}', () => ({ byteLength: 4 }), false, true],
    ['object inheriting from ArrayBuffer.prototype', () => Object.create(ArrayBuffer.prototype), false, true],
    ['Proxy of an ArrayBuffer', () => new Proxy(new ArrayBuffer(4), {}), false, true],
  ];

  test.each(cases)('digest(%s)', async (_label, make, accepted, nodeAgrees) => {
    const seen = recordDigestInputs();
    const value = make();
    const ours = await outcomeOf(() => loose('digest')('SHA-256', value));
    expect(ours).toBe(accepted ? 'ok' : 'TypeError');
    if (nodeAgrees) expect(await outcomeOf(() => looseNodeSubtle.digest.call(nodeSubtle, 'SHA-256', make()))).toBe(ours);
    if (!accepted) return;
    // The module got exactly the bytes the source viewed.
    const source = value as ArrayBufferView | ArrayBuffer;
    const viewed = source.byteLength === 0 ? new Uint8Array(0) // also a detached buffer
      : ArrayBuffer.isView(source) ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength)
      : new Uint8Array(source);
    expect(seen).toHaveLength(1);
    expect([...seen[0]!]).toEqual([...viewed]);
  });
});

// The spec's IDL: each method, its required argument count (= its `length`).
// deriveBits is `(algorithm, baseKey, optional unsigned long? length = null)`,
// so its length is 2 (Node 20.20 agrees).
const SUBTLE_METHODS: [keyof SubtleCrypto, number][] = [
  ['encrypt', 3], ['decrypt', 3], ['sign', 3], ['verify', 4], ['digest', 2], ['generateKey', 3],
  ['deriveKey', 5], ['deriveBits', 2], ['importKey', 5], ['exportKey', 2], ['wrapKey', 4], ['unwrapKey', 7],
];

describe('missing arguments', () => {
  test.each(SUBTLE_METHODS)('%s with fewer than %i arguments rejects with TypeError, as Node does', async (method, required) => {
    for (let given = 0; given < required; given++) {
      const args = Array.from({ length: given }, () => undefined);
      const error = await rejectionOf(() => loose(method)(...args));
      expect(error, `${method} with ${given} arguments`).toBeInstanceOf(TypeError);
      expect((error as Error).message).toContain(`${required} argument`);
      const nodeMethod = (nodeSubtle as unknown as Record<string, Loose>)[method]!;
      expect(await outcomeOf(() => nodeMethod.apply(nodeSubtle, args))).toBe('TypeError');
    }
  });

  test('getRandomValues() without an argument throws TypeError, as Node does', () => {
    expect(() => (crypto.getRandomValues as () => unknown)()).toThrow(TypeError);
    expect(() => (nodeCrypto.getRandomValues as () => unknown)()).toThrow(TypeError);
  });
});

describe('argument conversion runs before the method steps', () => {
  test('digest: an invalid data argument rejects with TypeError before the algorithm is read (as Node)', async () => {
    for (const subtleUnderTest of [subtle, nodeSubtle]) {
      const reads: string[] = [];
      const algorithm = { get name() { reads.push('name'); return 'SHA-256'; } };
      const error = await rejectionOf(() => (subtleUnderTest.digest as Loose).call(subtleUnderTest, algorithm, 'not a buffer'));
      expect(error).toBeInstanceOf(TypeError);
      expect(reads).toEqual([]);
    }
  });

  test('AlgorithmIdentifier: a Symbol is a TypeError; other primitives become strings', async () => {
    const cases: [unknown, string][] = [
      [Symbol('SHA-256'), 'TypeError'], [256, 'NotSupportedError'], [null, 'NotSupportedError'],
      [undefined, 'NotSupportedError'], [{ name: Symbol('x') }, 'TypeError'], [{}, 'TypeError'],
      [{ name: undefined }, 'TypeError'], [{ name: null }, 'NotSupportedError'], [['SHA-256'], 'TypeError'],
      [{ name: { toString: () => 'SHA-256' } }, 'ok'], [{ toString: () => 'SHA-256' }, 'TypeError'],
    ];
    recordDigestInputs();
    for (const [algorithm, expected] of cases) {
      const data = new Uint8Array(1);
      expect(await outcomeOf(() => loose('digest')(algorithm, data)), String(expected)).toBe(expected);
      expect(await outcomeOf(() => looseNodeSubtle.digest.call(nodeSubtle, algorithm, data))).toBe(expected);
    }
  });
});

describe('interface objects: method lengths and property descriptors match Node', () => {
  // String-keyed members and @@toStringTag are WebIDL-defined; other symbols
  // (util.inspect.custom) are implementation details.
  // Node 24 also has the WICG "Modern Algorithms in the Web Cryptography API"
  // draft's members, which this library does not implement (README "Kernels
  // and Nodes"); the comparison is over the W3C specification's members.
  const DRAFT_MEMBERS = new Set(['encapsulateBits', 'encapsulateKey', 'decapsulateBits', 'decapsulateKey',
    'getPublicKey', 'supports']);
  const webidlKeys = (o: object) => Reflect.ownKeys(o)
    .filter((k) => (typeof k === 'string' && !DRAFT_MEMBERS.has(k)) || k === Symbol.toStringTag);
  const shape = (d: PropertyDescriptor | undefined) => d && {
    writable: d.writable, enumerable: d.enumerable, configurable: d.configurable,
    value: typeof d.value === 'function' ? `function/${d.value.length}`
      : typeof d.value === 'object' && d.value !== null ? 'an object' : d.value,
    get: d.get && `${d.get.name}/${d.get.length}`, set: d.set && d.set.name,
  };
  const interfaces: [string, () => object, () => Promise<object>][] = [
    ['SubtleCrypto.prototype', () => SubtleCrypto.prototype, async () => Object.getPrototypeOf(nodeSubtle)],
    ['Crypto.prototype', () => Crypto.prototype, async () => Object.getPrototypeOf(nodeCrypto)],
    ['CryptoKey.prototype', () => CryptoKey.prototype, async () => NodeCryptoKey.prototype],
    ['SubtleCrypto', () => SubtleCrypto, async () => Object.getPrototypeOf(nodeSubtle).constructor],
    ['Crypto', () => Crypto, async () => Object.getPrototypeOf(nodeCrypto).constructor],
    ['CryptoKey', () => CryptoKey, async () => NodeCryptoKey],
  ];

  test.each(interfaces)('%s', async (_label, ours, node) => {
    const o = ours();
    const n = await node();
    expect(webidlKeys(o).map(String).sort()).toEqual(webidlKeys(n).map(String).sort());
    for (const key of webidlKeys(n))
      expect(shape(Object.getOwnPropertyDescriptor(o, key)), String(key)).toEqual(shape(Object.getOwnPropertyDescriptor(n, key)));
  });

  test.each(SUBTLE_METHODS)('SubtleCrypto.prototype.%s.length is %i (its required arguments in the spec IDL)', (method, required) => {
    expect(SubtleCrypto.prototype[method].length).toBe(required);
  });

  test('Crypto.prototype.getRandomValues.length is 1 and randomUUID.length is 0', () => {
    expect(Crypto.prototype.getRandomValues.length).toBe(1);
    expect(Crypto.prototype.randomUUID.length).toBe(0);
  });
});

describe('brand checks', () => {
  const foreignThis: [string, () => unknown][] = [
    ['a plain object', () => ({})],
    ['an object inheriting from the prototype', () => Object.create(SubtleCrypto.prototype)],
    ["Node's SubtleCrypto", () => nodeSubtle],
    ['undefined', () => undefined],
  ];

  test.each(foreignThis)('every SubtleCrypto method called on %s rejects with TypeError (never throws)', async (_label, self) => {
    for (const [method] of SUBTLE_METHODS) {
      const fn = SubtleCrypto.prototype[method] as unknown as Loose;
      const error = await rejectionOf(() => fn.call(self(), 'SHA-256', new Uint8Array(1), undefined, undefined, undefined, undefined, undefined));
      expect(error, method).toBeInstanceOf(TypeError);
    }
  });

  test("Node's methods agree: called on a plain object they reject with TypeError", async () => {
    for (const [method] of SUBTLE_METHODS) {
      const fn = (Object.getPrototypeOf(nodeSubtle) as Record<string, Loose>)[method]!;
      expect(await outcomeOf(() => fn.call({}, 'SHA-256', new Uint8Array(1))), method).toBe('TypeError');
    }
  });

  test('Crypto members called on a foreign object throw TypeError, as Node', () => {
    const calls: [string, (proto: object) => unknown][] = [
      ['subtle getter', (proto) => Object.getOwnPropertyDescriptor(proto, 'subtle')!.get!.call({})],
      ['getRandomValues', (proto) => (proto as Crypto).getRandomValues.call({}, new Uint8Array(4))],
      ['randomUUID', (proto) => (proto as Crypto).randomUUID.call({})],
    ];
    for (const [label, call] of calls) {
      expect(() => call(Crypto.prototype), `ours: ${label}`).toThrow(TypeError);
      expect(() => call(Object.getPrototypeOf(nodeCrypto)), `node: ${label}`).toThrow(TypeError);
      expect(() => call(Object.create(Crypto.prototype)), `ours, inherited: ${label}`).toThrow(TypeError);
    }
  });

  test('CryptoKey getters called on a foreign object throw TypeError, as Node', () => {
    for (const attribute of ['type', 'extractable', 'algorithm', 'usages']) {
      const ours = Object.getOwnPropertyDescriptor(CryptoKey.prototype, attribute)!.get!;
      expect(() => ours.call({}), attribute).toThrow(TypeError);
      expect(() => ours.call(Object.create(CryptoKey.prototype)), `${attribute}, inherited`).toThrow(TypeError);
      const node = Object.getOwnPropertyDescriptor(NodeCryptoKey.prototype, attribute)!.get!;
      expect(() => node.call({}), `node: ${attribute}`).toThrow(TypeError);
    }
  });

  test('a CryptoKey of another implementation is not a CryptoKey: TypeError', async () => {
    const nodeKey = await nodeSubtle.generateKey({ name: 'AES-GCM', length: 128 }, true, ['encrypt']);
    const error = await rejectionOf(() => subtle.exportKey('raw', nodeKey));
    expect(error).toBeInstanceOf(TypeError);
  });
});

describe('interface objects cannot be constructed', () => {
  test.each([['Crypto', Crypto], ['SubtleCrypto', SubtleCrypto], ['CryptoKey', CryptoKey]] as const)(
    "new %s() throws TypeError('Illegal constructor'), as Node", (name, Interface) => {
      expect(() => new (Interface as new () => unknown)()).toThrow(new TypeError('Illegal constructor'));
      const nodeInterface = (globalThis as unknown as Record<string, new () => unknown>)[name]!;
      expect(() => new nodeInterface()).toThrow(TypeError);
    });
});
