// AES-CTR on the kernel's ctr(aes): NIST SP 800-38A vectors, agreement with
// Node's WebCrypto on both job paths, and WebCrypto's `length`: only the low
// `length` bits of the counter block count and wrap (the kernel carries
// through all 128 bits, so the request must be split where they wrap).
import { createCipheriv } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setJobPath, type JobPath } from '../../src/kernel/schedule';
import { createCrypto } from '../../src/webcrypto/crypto';
import type { CryptoKey } from '../../src/webcrypto/crypto-key';
import { fromHex, hex, KiB, MiB, randomData } from '../helpers/bytes';
import { requireAfAlg } from '../helpers/kernel';
import { nodeSubtle, peculiarSubtle } from '../helpers/oracles';
import { errorName, expectDomRejection, expectTypeErrorRejection } from '../helpers/outcomes';

const subtle = createCrypto().subtle;
const NAME = 'AES-CTR';

beforeAll(() => requireAfAlg());

// ---- helpers ----------------------------------------------------------------

function bytesOf(data: ArrayBuffer | ArrayBufferView): Uint8Array {
  return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
}

/** Equal bytes; small inputs fail with a hex diff, large ones with the first differing offset. */
function expectSameBytes(actual: ArrayBuffer | ArrayBufferView, expected: ArrayBuffer | ArrayBufferView): void {
  const a = bytesOf(actual);
  const b = bytesOf(expected);
  if (a.byteLength <= 4 * KiB && b.byteLength <= 4 * KiB) {
    expect(hex(a)).toBe(hex(b));
    return;
  }
  expect(a.byteLength, 'byte length').toBe(b.byteLength);
  if (!Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))) {
    const at = a.findIndex((x, i) => x !== b[i]);
    expect.fail(`bytes differ first at offset ${at} of ${a.byteLength}`);
  }
}

/** A copy on a plain ArrayBuffer, as the DOM typings of @peculiar/webcrypto ask. */
function own(data: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(data);
}

async function ourKey(raw: Uint8Array, usages: readonly string[] = ['encrypt', 'decrypt']): Promise<CryptoKey> {
  return subtle.importKey('raw', raw, NAME, false, usages);
}

async function nodeKey(raw: Uint8Array) {
  return nodeSubtle.importKey('raw', raw, NAME, false, ['encrypt', 'decrypt']);
}

interface CtrParams {
  name: string;
  counter: Uint8Array;
  length: number;
}

/** Both directions against Node: same ciphertext, ours decrypts there, Node's decrypts here. */
async function crossCheck(raw: Uint8Array, params: CtrParams, plaintext: Uint8Array): Promise<ArrayBuffer> {
  const [mine, theirs] = await Promise.all([ourKey(raw), nodeKey(raw)]);
  const ours = await subtle.encrypt(params, mine, plaintext);
  const node = await nodeSubtle.encrypt(params, theirs, plaintext);
  expect(ours.byteLength).toBe(plaintext.byteLength);
  expectSameBytes(ours, node);
  expectSameBytes(await nodeSubtle.decrypt(params, theirs, ours), plaintext);
  expectSameBytes(await subtle.decrypt(params, mine, node), plaintext);
  return ours;
}

/**
 * WebCrypto AES-CTR written out from the spec over raw AES (OpenSSL's ECB):
 * counter block i keeps the high 128-length bits and adds i to the low ones
 * modulo 2^length. Independent of both the kernel and Node's WebCrypto.
 */
function referenceCtr(raw: Uint8Array, counter: Uint8Array, length: number, data: Uint8Array): Uint8Array {
  const mask = (1n << BigInt(length)) - 1n;
  const start = BigInt(`0x${hex(counter)}`);
  const blocks = Math.ceil(data.byteLength / 16);
  const counters = Buffer.alloc(blocks * 16);
  for (let i = 0; i < blocks; i++) {
    const block = (start & ~mask) | ((start + BigInt(i)) & mask);
    counters.write(block.toString(16).padStart(32, '0'), i * 16, 'hex');
  }
  const ecb = createCipheriv(`aes-${raw.byteLength * 8}-ecb`, raw, null).setAutoPadding(false);
  const keystream = Buffer.concat([ecb.update(counters), ecb.final()]);
  return data.map((byte, i) => byte ^ keystream[i]!);
}

/** A random counter block whose low `length` bits are 2^length - 1 - before (the wrap comes after before+1 blocks). */
function counterNearWrap(length: number, before = 0): Uint8Array {
  const mask = (1n << BigInt(length)) - 1n;
  const high = BigInt(`0x${hex(randomData(16))}`) & ~mask & ((1n << 128n) - 1n);
  const block = high | (mask - BigInt(before));
  return fromHex(block.toString(16).padStart(32, '0'));
}

// ---- known answers ----------------------------------------------------------

// NIST SP 800-38A, F.5.1/F.5.2 (CTR-AES128) and F.5.5/F.5.6 (CTR-AES256).
const SP800_38A_COUNTER = fromHex('f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff');
const SP800_38A_PLAINTEXT = fromHex(`
  6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51
  30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710`);
const CTR_VECTORS = [
  {
    name: 'F.5.1/F.5.2 CTR-AES128',
    key: '2b7e151628aed2a6abf7158809cf4f3c',
    ciphertext: `874d6191b620e3261bef6864990db6ce 9806f66b7970fdff8617187bb9fffdff
                 5ae4df3edbd5d35e5b4f09020db03eab 1e031dda2fbe03d1792170a0f3009cee`,
  },
  {
    name: 'F.5.5/F.5.6 CTR-AES256',
    key: '603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4',
    ciphertext: `601ec313775789a5b7a7f504bbf3d228 f443e3ca4d62b59aca84e990cacaf5c5
                 2b0930daa23de94ce87017ba2d84988d dfc9c58db67aada613c2dd08457941a6`,
  },
];

describe.each<JobPath>(['sync', 'async'])('NIST SP 800-38A vectors on the %s job path', (path) => {
  beforeAll(() => setJobPath(path));
  afterAll(() => setJobPath('auto'));

  // The vector's counter (low bytes ...feff) counts up by 3 without wrapping 16 or more bits.
  for (const length of [16, 64, 128]) {
    test.each(CTR_VECTORS)(`$name, length ${length}`, async ({ key, ciphertext }) => {
      const k = await ourKey(fromHex(key));
      const params = { name: NAME, counter: SP800_38A_COUNTER, length };
      expect(hex(await subtle.encrypt(params, k, SP800_38A_PLAINTEXT))).toBe(hex(fromHex(ciphertext)));
      expect(hex(await subtle.decrypt(params, k, fromHex(ciphertext)))).toBe(hex(SP800_38A_PLAINTEXT));
      // A prefix that ends inside a block is the same prefix of the ciphertext.
      expect(hex(await subtle.encrypt(params, k, SP800_38A_PLAINTEXT.subarray(0, 21)))).toBe(hex(fromHex(ciphertext).subarray(0, 21)));
    });
  }
});

// ---- cross-checks -----------------------------------------------------------

const KEY_BITS = [128, 192, 256];
const DATA_SIZES = [0, 1, 15, 16, 17, 1 * MiB];

describe.each<JobPath>(['sync', 'async'])("same bytes as Node's WebCrypto on the %s job path", (path) => {
  beforeAll(() => setJobPath(path));
  afterAll(() => setJobPath('auto'));

  for (const bits of KEY_BITS) {
    test.each(DATA_SIZES)(`AES-${bits}, %i bytes`, async (size) => {
      await crossCheck(randomData(bits / 8), { name: NAME, counter: randomData(16), length: 64 }, randomData(size));
    });
  }

  test('@peculiar/webcrypto decrypts ours and we decrypt its ciphertext (length 128, no wrap)', async () => {
    // @peculiar/webcrypto runs OpenSSL's aes-ctr, which carries through all 128
    // bits whatever `length` says, so it is a fair oracle only without a wrap.
    for (const bits of KEY_BITS) {
      const raw = randomData(bits / 8);
      const params = { name: NAME, counter: own(fromHex('000102030405060708090a0b0c0d0e0f')), length: 128 };
      const plaintext = randomData(1000);
      const mine = await ourKey(raw);
      const theirs = await peculiarSubtle.importKey('raw', own(raw), NAME, false, ['encrypt', 'decrypt']);
      const ours = await subtle.encrypt(params, mine, plaintext);
      expectSameBytes(await peculiarSubtle.decrypt(params, theirs, ours), plaintext);
      expectSameBytes(await subtle.decrypt(params, mine, await peculiarSubtle.encrypt(params, theirs, own(plaintext))), plaintext);
    }
  });
});

describe('many operations at once', () => {
  // One op socket per in-flight operation: concurrent calls on one key must
  // not mix their counters or data.
  test('24 encrypts of one key in flight together, small and large, each as Node computes it', async () => {
    const raw = randomData(16);
    const [mine, theirs] = await Promise.all([ourKey(raw), nodeKey(raw)]);
    const jobs = Array.from({ length: 24 }, (_, i) => ({
      params: { name: NAME, counter: randomData(16), length: 64 },
      plaintext: randomData(i % 2 === 0 ? 100 * KiB + i : 100 + i),
    }));
    const ours = await Promise.all(jobs.map(({ params, plaintext }) => subtle.encrypt(params, mine, plaintext)));
    for (const [i, { params, plaintext }] of jobs.entries())
      expectSameBytes(ours[i]!, await nodeSubtle.encrypt(params, theirs, plaintext));
  });
});

describe('large inputs', () => {
  // The skcipher send buffer holds about 208 KiB: larger requests are chunked.
  test('64 MiB encrypts and decrypts as Node does', async () => {
    await crossCheck(randomData(32), { name: NAME, counter: randomData(16), length: 128 }, randomData(64 * MiB));
  }, 600_000);
});

// ---- the counter's length ---------------------------------------------------

describe.each<JobPath>(['sync', 'async'])('counters that wrap in the low `length` bits, on the %s job path', (path) => {
  beforeAll(() => setJobPath(path));
  afterAll(() => setJobPath('auto'));

  // Each counter has all its low `length` bits set (less `before`), so the wrap
  // comes inside the message; data is at most 2^length blocks.
  const WRAPS = [
    { length: 1, before: 0, size: 32 },
    { length: 2, before: 1, size: 61 },
    { length: 8, before: 0, size: 5 * 16 + 3 },
    { length: 8, before: 3, size: 256 * 16 },
    { length: 16, before: 0, size: 100 },
    { length: 32, before: 0, size: 5 * 16 },
    { length: 32, before: 2, size: 3 * 16 + 1 },
    { length: 64, before: 0, size: 5 * 16 },
    { length: 64, before: 1, size: 64 * KiB + 5 },
    { length: 127, before: 0, size: 5 * 16 },
    { length: 128, before: 0, size: 5 * 16 },
    { length: 128, before: 4, size: 5 * 16 + 15 },
  ];

  test.each(WRAPS)('length $length, $before blocks before the wrap, $size bytes', async ({ length, before, size }) => {
    const raw = randomData(16);
    const counter = counterNearWrap(length, before);
    const plaintext = randomData(size);
    const ours = await crossCheck(raw, { name: NAME, counter, length }, plaintext);
    expectSameBytes(ours, referenceCtr(raw, counter, length, plaintext));
  });

  test('every length from 1 to 128, wrapping after the first block', async () => {
    const raw = randomData(16);
    for (let length = 1; length <= 128; length++) {
      const counter = counterNearWrap(length);
      const plaintext = randomData(Math.min(3, 2 ** length) * 16 - 5);
      const ours = await crossCheck(raw, { name: NAME, counter, length }, plaintext);
      expectSameBytes(ours, referenceCtr(raw, counter, length, plaintext));
    }
  });

  test('counter ff..ff with length 8, 16, 32, 64, 127 and 128 (the high bits stay, the low bits wrap to 0)', async () => {
    const raw = randomData(24);
    const counter = new Uint8Array(16).fill(0xff);
    const plaintext = randomData(3 * 16);
    for (const length of [8, 16, 32, 64, 127, 128]) {
      const ours = await crossCheck(raw, { name: NAME, counter, length }, plaintext);
      expectSameBytes(ours, referenceCtr(raw, counter, length, plaintext));
    }
  });

  test('a 64-bit counter at ..ff ff ff ff ff ff ff ff does not carry into the upper half (the kernel alone would)', async () => {
    const raw = randomData(16);
    const counter = fromHex('0123456789abcdef ffffffffffffffff');
    const plaintext = randomData(2 * 16);
    const ours = new Uint8Array(await crossCheck(raw, { name: NAME, counter, length: 64 }, plaintext));
    // Block 2 uses counter 0123456789abcdef 0000000000000000, not 0123456789abcdf0 0000000000000000.
    const secondBlock = await subtle.encrypt({ name: NAME, counter: fromHex('0123456789abcdef 0000000000000000'), length: 64 },
      await ourKey(raw), plaintext.subarray(16));
    expect(hex(ours.subarray(16))).toBe(hex(secondBlock));
  });

  test('exactly 2^16 blocks (1 MiB) with length 16 and a wrap after 16 blocks', async () => {
    const raw = randomData(32);
    const counter = counterNearWrap(16, 15);
    const plaintext = randomData(MiB);
    const ours = await crossCheck(raw, { name: NAME, counter, length: 16 }, plaintext);
    expectSameBytes(ours, referenceCtr(raw, counter, 16, plaintext));
  });
});

describe('data that needs more than 2^length counter blocks', () => {
  // The spec gives no limit; Node (like Chromium) refuses to reuse a counter
  // block with OperationError, and so must we.
  const LIMITS = [
    { length: 1, allowed: 32 },
    { length: 2, allowed: 64 },
    { length: 4, allowed: 256 },
    { length: 8, allowed: 4096 },
    { length: 12, allowed: 64 * KiB },
    { length: 16, allowed: MiB },
  ];

  test.each(LIMITS)('length $length: $allowed bytes work, one more is OperationError, as in Node', async ({ length, allowed }) => {
    const raw = randomData(16);
    const [mine, theirs] = await Promise.all([ourKey(raw), nodeKey(raw)]);
    const params = { name: NAME, counter: randomData(16), length };
    const fits = randomData(allowed);
    expectSameBytes(await subtle.encrypt(params, mine, fits), await nodeSubtle.encrypt(params, theirs, fits));
    const tooLong = randomData(allowed + 1);
    await expectDomRejection(() => subtle.encrypt(params, mine, tooLong), 'OperationError');
    await expectDomRejection(() => subtle.decrypt(params, mine, tooLong), 'OperationError');
    const nodeOutcome = await nodeSubtle.encrypt(params, theirs, tooLong).then(() => 'ok', errorName);
    expect(nodeOutcome).toBe('OperationError');
  });
});

// ---- inputs are read at call time -----------------------------------------

describe.each<JobPath>(['sync', 'async'])('inputs changed right after the call, on the %s job path', (path) => {
  beforeAll(() => setJobPath(path));
  afterAll(() => setJobPath('auto'));

  // The spec takes a copy of the data and of the params' buffers when the
  // method is called: what the caller does to them afterwards changes nothing.
  test.each([1 * KiB, 100 * KiB])('%i bytes overwritten (with the counter) after encrypt returns its promise', async (size) => {
    const raw = randomData(16);
    const plaintext = randomData(size);
    const counter = randomData(16);
    const expected = await nodeSubtle.encrypt({ name: NAME, counter, length: 64 }, await nodeKey(raw), plaintext);
    const pending = subtle.encrypt({ name: NAME, counter, length: 64 }, await ourKey(raw), plaintext);
    plaintext.fill(0);
    counter.fill(0);
    expectSameBytes(await pending, expected);
  });

  test('the plaintext buffer detached after encrypt returns its promise', async () => {
    const raw = randomData(16);
    const plaintext = randomData(100 * KiB);
    const params = { name: NAME, counter: randomData(16), length: 64 };
    const expected = await nodeSubtle.encrypt(params, await nodeKey(raw), plaintext);
    const pending = subtle.encrypt(params, await ourKey(raw), plaintext);
    structuredClone(plaintext.buffer, { transfer: [plaintext.buffer] });
    expect(plaintext.byteLength).toBe(0);
    expectSameBytes(await pending, expected);
  });
});

// ---- parameter errors -------------------------------------------------------

describe('parameter errors', () => {
  test.each([0, 1, 8, 12, 15, 17, 32])('a counter of %i bytes: OperationError', async (size) => {
    const key = await ourKey(randomData(16));
    const params = { name: NAME, counter: new Uint8Array(size), length: 64 };
    await expectDomRejection(() => subtle.encrypt(params, key, randomData(16)), 'OperationError');
    await expectDomRejection(() => subtle.decrypt(params, key, randomData(16)), 'OperationError');
  });

  // length is an [EnforceRange] octet: 0..255 reach the algorithm, which allows 1..128.
  test.each([0, 129, 200, 255])('length %i: OperationError', async (length) => {
    const key = await ourKey(randomData(16));
    const params = { name: NAME, counter: randomData(16), length };
    await expectDomRejection(() => subtle.encrypt(params, key, randomData(16)), 'OperationError');
    await expectDomRejection(() => subtle.decrypt(params, key, randomData(16)), 'OperationError');
  });

  test.each([256, -1, 1000, Infinity, NaN])('length %s (outside an octet): TypeError', async (length) => {
    const key = await ourKey(randomData(16));
    await expectTypeErrorRejection(() => subtle.encrypt({ name: NAME, counter: randomData(16), length }, key, randomData(16)));
  });

  test('a missing counter or length: TypeError', async () => {
    const key = await ourKey(randomData(16));
    await expectTypeErrorRejection(() => subtle.encrypt({ name: NAME, length: 64 }, key, randomData(16)));
    await expectTypeErrorRejection(() => subtle.encrypt({ name: NAME, counter: randomData(16) }, key, randomData(16)));
  });

  test('length 1.9 is truncated to 1 by WebIDL (2 blocks allowed)', async () => {
    const raw = randomData(16);
    const counter = randomData(16);
    const plaintext = randomData(32);
    const ours = await subtle.encrypt({ name: NAME, counter, length: 1.9 }, await ourKey(raw), plaintext);
    expectSameBytes(ours, referenceCtr(raw, counter, 1, plaintext));
  });
});

// ---- keys -------------------------------------------------------------------

describe('keys', () => {
  test.each(KEY_BITS)('generateKey length %i: {name, length}, secret, usable as Node reads it', async (length) => {
    const key = (await subtle.generateKey({ name: 'aes-ctr', length }, true, ['encrypt', 'decrypt'])) as CryptoKey;
    expect(key.algorithm).toEqual({ name: NAME, length });
    expect(key.type).toBe('secret');
    expect(key.usages).toEqual(['encrypt', 'decrypt']);
    const raw = new Uint8Array((await subtle.exportKey('raw', key)) as ArrayBuffer);
    expect(raw.byteLength).toBe(length / 8);
    await crossCheck(raw, { name: NAME, counter: randomData(16), length: 128 }, randomData(40));
  });

  test.each([0, 64, 100, 512])('generateKey length %i: OperationError', async (length) => {
    await expectDomRejection(() => subtle.generateKey({ name: NAME, length }, true, ['encrypt']), 'OperationError');
  });

  test.each([['sign'], ['verify', 'encrypt'], ['deriveBits']].map((usages) => ({ usages })))('usages $usages: SyntaxError', async ({ usages }) => {
    await expectDomRejection(() => subtle.generateKey({ name: NAME, length: 128 }, true, usages), 'SyntaxError');
    await expectDomRejection(() => subtle.importKey('raw', randomData(16), NAME, true, usages), 'SyntaxError');
  });

  test('empty usages: SyntaxError', async () => {
    await expectDomRejection(() => subtle.generateKey({ name: NAME, length: 128 }, true, []), 'SyntaxError');
    await expectDomRejection(() => subtle.importKey('raw', randomData(16), NAME, true, []), 'SyntaxError');
  });

  test.each([0, 8, 15, 17, 31, 33])('import raw of %i bytes: DataError', async (size) => {
    await expectDomRejection(() => subtle.importKey('raw', randomData(size), NAME, true, ['encrypt']), 'DataError');
  });

  test.each(KEY_BITS)('jwk of a %i-bit key: alg A<bits>CTR, as Node exports it', async (bits) => {
    const raw = randomData(bits / 8);
    const key = await subtle.importKey('raw', raw, NAME, true, ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey']);
    const jwk = await subtle.exportKey('jwk', key);
    expect(jwk).toEqual({
      kty: 'oct', k: Buffer.from(raw).toString('base64url'), alg: `A${bits}CTR`,
      key_ops: ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'], ext: true,
    });
    expect(jwk).toEqual(await nodeSubtle.exportKey('jwk',
      await nodeSubtle.importKey('raw', raw, NAME, true, ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'])));
    const back = await subtle.importKey('jwk', jwk, NAME, false, ['decrypt']);
    expect(back.algorithm).toEqual({ name: NAME, length: bits });
  });

  const k = Buffer.from(randomData(24)).toString('base64url');
  const BAD_JWKS = [
    { why: 'alg A192CBC', jwk: { kty: 'oct', k, alg: 'A192CBC' } },
    { why: 'alg A128CTR for a 192-bit key', jwk: { kty: 'oct', k, alg: 'A128CTR' } },
    { why: "kty 'EC'", jwk: { kty: 'EC', k } },
    { why: 'k not base64url', jwk: { kty: 'oct', k: `${k.slice(0, -1)}=` } },
    { why: 'key_ops without encrypt', jwk: { kty: 'oct', k, key_ops: ['decrypt', 'wrapKey'] } },
    { why: "use 'sig'", jwk: { kty: 'oct', k, use: 'sig' } },
    { why: 'ext false', jwk: { kty: 'oct', k, ext: false } },
  ];

  test.each(BAD_JWKS)('import jwk with $why: DataError', async ({ jwk }) => {
    await expectDomRejection(() => subtle.importKey('jwk', jwk, NAME, true, ['encrypt']), 'DataError');
  });

  test('exportKey of a non-extractable key: InvalidAccessError', async () => {
    const key = await ourKey(randomData(32));
    await expectDomRejection(() => subtle.exportKey('raw', key), 'InvalidAccessError');
    await expectDomRejection(() => subtle.exportKey('jwk', key), 'InvalidAccessError');
  });

  test.each(['spki', 'pkcs8'])('format %s: NotSupportedError', async (format) => {
    const key = await subtle.importKey('raw', randomData(16), NAME, true, ['encrypt']);
    await expectDomRejection(() => subtle.exportKey(format, key), 'NotSupportedError');
    await expectDomRejection(() => subtle.importKey(format, randomData(16), NAME, true, ['encrypt']), 'NotSupportedError');
  });

  test('a key of another algorithm, or without the usage: InvalidAccessError', async () => {
    const params = { name: NAME, counter: randomData(16), length: 64 };
    const cbcKey = await subtle.importKey('raw', randomData(16), 'AES-CBC', false, ['encrypt', 'decrypt']);
    await expectDomRejection(() => subtle.encrypt(params, cbcKey, randomData(16)), 'InvalidAccessError');
    const decryptOnly = await ourKey(randomData(16), ['decrypt']);
    await expectDomRejection(() => subtle.encrypt(params, decryptOnly, randomData(16)), 'InvalidAccessError');
    const encryptOnly = await ourKey(randomData(16), ['encrypt']);
    await expectDomRejection(() => subtle.decrypt(params, encryptOnly, randomData(16)), 'InvalidAccessError');
  });
});
