// crypto.getRandomValues and crypto.randomUUID over each randomness source:
// 'getrandom' (getrandom(2)), 'drbg' (the AF_ALG rng type, the kernel's
// drbg_nopr_ctr_aes256) and 'drbg:<name>' (an rng bound by name). The
// addon's getRandom()/rngFill() calls are watched to prove which source
// served each draw. Exceptions follow the spec (WebIDL TypeError for a
// non-view, TypeMismatchError, QuotaExceededError); Node is compared where
// it agrees (it throws TypeMismatchError for non-views and accepts views of
// SharedArrayBuffers).
import { afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { createCrypto, type Crypto } from '../../src/index';
import { binding } from '../../src/kernel/binding';
import type { RandomSource } from '../../src/webcrypto/random';
import { hex } from '../helpers/bytes';
import { requireAfAlg } from '../helpers/kernel';
import { nodeCrypto } from '../helpers/oracles';
import { expectDomThrow } from '../helpers/outcomes';

beforeAll(requireAfAlg);
afterEach(() => {
  vi.restoreAllMocks();
});

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

type IntegerArray = Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array
  | BigInt64Array | BigUint64Array;
const INTEGER_ARRAYS: [string, { new (length: number): IntegerArray; BYTES_PER_ELEMENT: number }][] = [
  ['Int8Array', Int8Array], ['Uint8Array', Uint8Array], ['Uint8ClampedArray', Uint8ClampedArray],
  ['Int16Array', Int16Array], ['Uint16Array', Uint16Array], ['Int32Array', Int32Array], ['Uint32Array', Uint32Array],
  ['BigInt64Array', BigInt64Array], ['BigUint64Array', BigUint64Array],
];

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/**
 * The byte lengths each addon entry point filled while fn ran:
 * getRandom(view) and rngFill(op, view).
 */
function servedBy(fn: () => void): { getRandom: number[]; rngFill: number[] } {
  const addon = binding() as unknown as Record<'getRandom' | 'rngFill', (...args: unknown[]) => unknown>;
  const getRandom = vi.spyOn(addon, 'getRandom');
  const rngFill = vi.spyOn(addon, 'rngFill');
  try {
    fn();
    return {
      getRandom: getRandom.mock.calls.map((args) => (args[0] as ArrayBufferView).byteLength),
      rngFill: rngFill.mock.calls.map((args) => (args[1] as ArrayBufferView).byteLength),
    };
  } finally {
    getRandom.mockRestore();
    rngFill.mockRestore();
  }
}

/** Two 64-byte draws: they differ, and neither is one repeated byte. */
function expectNonConstant(crypto: Crypto): void {
  const a = crypto.getRandomValues(new Uint8Array(64));
  const b = crypto.getRandomValues(new Uint8Array(64));
  expect(hex(a)).not.toBe(hex(b));
  expect(new Set(a).size).toBeGreaterThan(1);
  expect(new Set(b).size).toBeGreaterThan(1);
}

const SOURCES: [RandomSource, 'getRandom' | 'rngFill'][] = [
  ['getrandom', 'getRandom'],
  ['drbg', 'rngFill'],
  ['drbg:stdrng', 'rngFill'],
  ['drbg:drbg_nopr_hmac_sha256', 'rngFill'],
];

describe.each(SOURCES)("random source '%s'", (random, entryPoint) => {
  const crypto = createCrypto({ random, mode: 'strict' });

  test(`draws come from the addon's ${entryPoint}() and are not constant`, () => {
    const served = servedBy(() => expectNonConstant(crypto));
    expect(served[entryPoint]).toEqual([64, 64]);
    // The DRBG is seeded from getrandom(2) when its socket is first bound
    // (32 bytes of personalization); no draw is served from getrandom.
    if (entryPoint === 'rngFill') expect(served.getRandom.filter((n) => n === 64)).toEqual([]);
    else expect(served.rngFill).toEqual([]);
  });

  test.each(INTEGER_ARRAYS)('%s: filled in place, the same object returned', (_name, Kind) => {
    const array = new Kind(64 / Kind.BYTES_PER_ELEMENT);
    const result = crypto.getRandomValues(array);
    expect(result).toBe(array);
    expect(new Set(bytesOf(array)).size).toBeGreaterThan(1);
  });

  test('a view at an offset: only its own bytes change', () => {
    const buffer = new ArrayBuffer(64);
    const view = new Uint32Array(buffer, 16, 8);
    crypto.getRandomValues(view);
    const all = new Uint8Array(buffer);
    expect([...all.subarray(0, 16), ...all.subarray(48)]).toEqual(Array(32).fill(0));
    expect(new Set(all.subarray(16, 48)).size).toBeGreaterThan(1);
  });

  test('65536 bytes is allowed; 65537 is QuotaExceededError and leaves the array untouched', () => {
    const max = crypto.getRandomValues(new Uint8Array(65536));
    expect(new Set(max).size).toBeGreaterThan(200);
    // 8192 random 64-bit values: a repeat has probability about 2^-38.
    expect(new Set(crypto.getRandomValues(new BigUint64Array(8192))).size).toBe(8192);
    const over = new Uint8Array(65537);
    expectDomThrow(() => crypto.getRandomValues(over), 'QuotaExceededError');
    expect(over.every((b) => b === 0)).toBe(true);
    expectDomThrow(() => crypto.getRandomValues(new Uint32Array(16385)), 'QuotaExceededError');
  });

  test('a zero-length array works', () => {
    const empty = new Uint8Array(0);
    expect(crypto.getRandomValues(empty)).toBe(empty);
  });

  test('randomUUID: RFC 9562 version 4 format, unique over 1000 calls', () => {
    const uuids = Array.from({ length: 1000 }, () => crypto.randomUUID());
    for (const uuid of uuids) expect(uuid).toMatch(UUID_V4);
    expect(new Set(uuids).size).toBe(1000);
    // The other 122 bits vary: every hex position except the fixed version
    // digit takes more than one value over 1000 UUIDs.
    for (let i = 0; i < 36; i++) {
      if (i === 8 || i === 13 || i === 14 || i === 18 || i === 23) continue;
      expect(new Set(uuids.map((u) => u[i])).size, `position ${i}`).toBeGreaterThan(1);
    }
  });
});

describe('the array argument', () => {
  const crypto = createCrypto({ mode: 'strict' });

  test.each([
    ['Float32Array', () => new Float32Array(4)],
    ['Float64Array', () => new Float64Array(4)],
    ['DataView', () => new DataView(new ArrayBuffer(4))],
    ['Float64Array over the quota (the type is checked first)', () => new Float64Array(10000)],
  ])('%s: TypeMismatchError, as Node', (_label, make) => {
    expectDomThrow(() => crypto.getRandomValues(make() as never), 'TypeMismatchError');
    expectDomThrow(() => nodeCrypto.getRandomValues(make() as never), 'TypeMismatchError');
  });

  test.each([
    ['an ArrayBuffer', () => new ArrayBuffer(4)], ['an Array', () => [1, 2]], ['null', () => null],
    ['undefined', () => undefined], ['a string', () => 'abc'], ['a number', () => 4], ['a plain object', () => ({})],
    ['a view of a SharedArrayBuffer', () => new Uint8Array(new SharedArrayBuffer(4))],
    // No [AllowResizable] on getRandomValues' argument (found by conformance/).
    ['a view of a resizable ArrayBuffer', () => new Uint8Array(Reflect.construct(ArrayBuffer, [4, { maxByteLength: 8 }]) as ArrayBuffer)],
  ])('%s: TypeError (WebIDL ArrayBufferView conversion)', (_label, make) => {
    expect(() => crypto.getRandomValues(make() as never)).toThrow(TypeError);
  });
});

describe('choosing the source', () => {
  test("'drbg:nosuch' fails with NotSupportedError naming the missing kernel piece", () => {
    const crypto = createCrypto({ random: 'drbg:nosuch', mode: 'strict' });
    const error = expectDomThrow(() => crypto.getRandomValues(new Uint8Array(16)), 'NotSupportedError');
    expect(error.message).toContain('nosuch');
    expect(error.message).toMatch(/CONFIG_CRYPTO_USER_API_RNG|algif_rng/);
    expectDomThrow(() => crypto.randomUUID(), 'NotSupportedError');
  });

  test('AFALG_WEBCRYPTO_RANDOM picks the default source', () => {
    const saved = process.env.AFALG_WEBCRYPTO_RANDOM;
    try {
      process.env.AFALG_WEBCRYPTO_RANDOM = 'drbg';
      const crypto = createCrypto({ mode: 'strict' });
      expect(servedBy(() => crypto.getRandomValues(new Uint8Array(16))).rngFill).toEqual([16]);
    } finally {
      if (saved === undefined) delete process.env.AFALG_WEBCRYPTO_RANDOM;
      else process.env.AFALG_WEBCRYPTO_RANDOM = saved;
    }
  });

  test.each(['bogus-source', 'drbg:', 'GETRANDOM', ' getrandom'])(
    "AFALG_WEBCRYPTO_RANDOM='%s' is a TypeError naming the value", (value) => {
      const saved = process.env.AFALG_WEBCRYPTO_RANDOM;
      try {
        process.env.AFALG_WEBCRYPTO_RANDOM = value;
        expect(() => createCrypto()).toThrow(TypeError);
        expect(() => createCrypto()).toThrow(`'${value}'`);
      } finally {
        if (saved === undefined) delete process.env.AFALG_WEBCRYPTO_RANDOM;
        else process.env.AFALG_WEBCRYPTO_RANDOM = saved;
      }
    });

  test("an invalid 'random' option is a TypeError naming the value", () => {
    expect(() => createCrypto({ random: 'urandom' as RandomSource })).toThrow(/'urandom'/);
  });
});
