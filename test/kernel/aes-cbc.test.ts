// AES-CBC on the kernel's cbc(aes): NIST SP 800-38A vectors, byte-for-byte
// agreement with Node's WebCrypto on both job paths, PKCS#7 padding (ours:
// the kernel does none) and the spec's errors.
import { createCipheriv } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setJobPath, type JobPath } from '../../src/kernel/schedule';
import { createCrypto } from '../../src/webcrypto/crypto';
import type { CryptoKey } from '../../src/webcrypto/crypto-key';
import { fromHex, hex, KiB, MiB, randomData } from '../helpers/bytes';
import { requireAfAlg } from '../helpers/kernel';
import { nodeSubtle, peculiarSubtle } from '../helpers/oracles';
import { expectDomRejection, expectTypeErrorRejection } from '../helpers/outcomes';

const subtle = createCrypto().subtle;
const NAME = 'AES-CBC';
const USAGES = ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'] as const;

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

async function ourKey(raw: Uint8Array, usages: readonly string[] = ['encrypt', 'decrypt']): Promise<CryptoKey> {
  return subtle.importKey('raw', raw, NAME, false, usages);
}

async function nodeKey(raw: Uint8Array) {
  return nodeSubtle.importKey('raw', raw, NAME, false, ['encrypt', 'decrypt']);
}

/** Both directions against Node: same ciphertext, ours decrypts there, Node's decrypts here. */
async function crossCheck(raw: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): Promise<void> {
  const params = { name: NAME, iv };
  const [mine, theirs] = await Promise.all([ourKey(raw), nodeKey(raw)]);
  const ours = await subtle.encrypt(params, mine, plaintext);
  const node = await nodeSubtle.encrypt(params, theirs, plaintext);
  expect(ours.byteLength).toBe((Math.floor(plaintext.byteLength / 16) + 1) * 16);
  expectSameBytes(ours, node);
  expectSameBytes(await nodeSubtle.decrypt(params, theirs, ours), plaintext);
  expectSameBytes(await subtle.decrypt(params, mine, node), plaintext);
}

/** A copy on a plain ArrayBuffer, as the DOM typings of @peculiar/webcrypto ask. */
function own(data: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(data);
}

/** Encrypts already-padded blocks with no padding of its own (OpenSSL through node:crypto). */
function rawCbcEncrypt(raw: Uint8Array, iv: Uint8Array, blocks: Uint8Array): Uint8Array {
  const cipher = createCipheriv(`aes-${raw.byteLength * 8}-cbc`, raw, iv).setAutoPadding(false);
  return new Uint8Array(Buffer.concat([cipher.update(blocks), cipher.final()]));
}

// ---- known answers ----------------------------------------------------------

// NIST SP 800-38A, F.2.1/F.2.2 (CBC-AES128) and F.2.5/F.2.6 (CBC-AES256).
const SP800_38A_IV = fromHex('000102030405060708090a0b0c0d0e0f');
const SP800_38A_PLAINTEXT = fromHex(`
  6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51
  30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710`);
const CBC_VECTORS = [
  {
    name: 'F.2.1/F.2.2 CBC-AES128',
    key: '2b7e151628aed2a6abf7158809cf4f3c',
    ciphertext: `7649abac8119b246cee98e9b12e9197d 5086cb9b507219ee95db113a917678b2
                 73bed6b8e3c1743b7116e69e22229516 3ff1caa1681fac09120eca307586e1a7`,
  },
  {
    name: 'F.2.5/F.2.6 CBC-AES256',
    key: '603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4',
    ciphertext: `f58c4c04d6e5f1ba779eabfb5f7bfbd6 9cfc4e967edb808d679f777bc6702c7d
                 39f23369a9d9bacfa530e26304231461 b2eb05e2c39be9fcda6c19078c6a9d1b`,
  },
];

describe.each<JobPath>(['sync', 'async'])('NIST SP 800-38A vectors on the %s job path', (path) => {
  beforeAll(() => setJobPath(path));
  afterAll(() => setJobPath('auto'));

  test.each(CBC_VECTORS)('$name', async ({ key, ciphertext }) => {
    const k = await ourKey(fromHex(key));
    const expected = fromHex(ciphertext);
    const params = { name: NAME, iv: SP800_38A_IV };
    // WebCrypto pads: the vector is our first four blocks, then comes one whole padding block.
    const ours = new Uint8Array(await subtle.encrypt(params, k, SP800_38A_PLAINTEXT));
    expect(ours.byteLength).toBe(80);
    expect(hex(ours.subarray(0, 64))).toBe(hex(expected));
    // The padding block is CBC of sixteen 0x10 bytes after the vector's last block.
    const padBlock = ours.subarray(64);
    expect(hex(padBlock)).toBe(hex(rawCbcEncrypt(fromHex(key), expected.subarray(48), new Uint8Array(16).fill(16))));
    // Decrypt direction (F.2.2/F.2.6): the vector followed by that padding block.
    const decrypted = await subtle.decrypt(params, k, new Uint8Array([...expected, ...padBlock]));
    expect(hex(decrypted)).toBe(hex(SP800_38A_PLAINTEXT));
  });
});

// ---- cross-checks -----------------------------------------------------------

const KEY_BITS = [128, 192, 256];
const DATA_SIZES = [0, 1, 15, 16, 17, 1 * MiB];

describe.each<JobPath>(['sync', 'async'])("same bytes as Node's WebCrypto on the %s job path", (path) => {
  beforeAll(() => setJobPath(path));
  afterAll(() => setJobPath('auto'));

  for (const bits of KEY_BITS) {
    test.each(DATA_SIZES)(`AES-${bits}, %i bytes`, async (size) => {
      await crossCheck(randomData(bits / 8), randomData(16), randomData(size));
    });
  }

  test('@peculiar/webcrypto decrypts ours and we decrypt its ciphertext', async () => {
    for (const bits of KEY_BITS) {
      const raw = randomData(bits / 8);
      const params = { name: NAME, iv: own(randomData(16)) };
      const plaintext = randomData(1000);
      const mine = await ourKey(raw);
      const theirs = await peculiarSubtle.importKey('raw', own(raw), NAME, false, ['encrypt', 'decrypt']);
      const ours = await subtle.encrypt(params, mine, plaintext);
      expectSameBytes(await peculiarSubtle.decrypt(params, theirs, ours), plaintext);
      expectSameBytes(await subtle.decrypt(params, mine, await peculiarSubtle.encrypt(params, theirs, own(plaintext))), plaintext);
    }
  });
});

describe('large inputs', () => {
  // The skcipher send buffer holds about 208 KiB: larger requests are chunked.
  test('64 MiB encrypts and decrypts as Node does', async () => {
    await crossCheck(randomData(32), randomData(16), randomData(64 * MiB));
  }, 600_000);
});

// ---- inputs are read at call time -----------------------------------------

describe.each<JobPath>(['sync', 'async'])('inputs changed right after the call, on the %s job path', (path) => {
  beforeAll(() => setJobPath(path));
  afterAll(() => setJobPath('auto'));

  // The spec takes a copy of the data and of the iv when the method is
  // called: what the caller does to them afterwards changes nothing.
  test.each([1 * KiB, 100 * KiB])('%i bytes overwritten (with the iv) after encrypt and decrypt return their promises', async (size) => {
    const raw = randomData(16);
    const plaintext = randomData(size);
    const iv = randomData(16);
    const nodeCiphertext = new Uint8Array(await nodeSubtle.encrypt({ name: NAME, iv }, await nodeKey(raw), plaintext));
    const expectedPlaintext = plaintext.slice();
    const key = await ourKey(raw);
    const encrypting = subtle.encrypt({ name: NAME, iv }, key, plaintext);
    plaintext.fill(0);
    iv.fill(0);
    expectSameBytes(await encrypting, nodeCiphertext);
    const decryptIv = randomData(16);
    const sealed = new Uint8Array(await nodeSubtle.encrypt({ name: NAME, iv: decryptIv }, await nodeKey(raw), expectedPlaintext));
    const decrypting = subtle.decrypt({ name: NAME, iv: decryptIv }, key, sealed);
    sealed.fill(0);
    decryptIv.fill(0);
    expectSameBytes(await decrypting, expectedPlaintext);
  });

  test('the ciphertext buffer detached after decrypt returns its promise', async () => {
    const raw = randomData(32);
    const plaintext = randomData(100 * KiB);
    const params = { name: NAME, iv: randomData(16) };
    const sealed = new Uint8Array(await nodeSubtle.encrypt(params, await nodeKey(raw), plaintext));
    const pending = subtle.decrypt(params, await ourKey(raw), sealed);
    structuredClone(sealed.buffer, { transfer: [sealed.buffer] });
    expect(sealed.byteLength).toBe(0);
    expectSameBytes(await pending, plaintext);
  });
});

// ---- padding ----------------------------------------------------------------

describe('PKCS#7 padding', () => {
  const raw = randomData(16);
  const iv = randomData(16);
  const params = { name: NAME, iv };

  test.each([0, 1, 15, 16, 17, 31, 32])('%i bytes of plaintext gain 16 - (n mod 16) bytes of padding', async (size) => {
    const key = await ourKey(raw);
    const plaintext = randomData(size);
    const ciphertext = await subtle.encrypt(params, key, plaintext);
    const pad = 16 - (size % 16);
    const padded = new Uint8Array([...plaintext, ...new Uint8Array(pad).fill(pad)]);
    expect(hex(ciphertext)).toBe(hex(rawCbcEncrypt(raw, iv, padded)));
  });

  // Each last block decrypts to the given bytes (a prefix block of data comes first).
  const BAD_LAST_BLOCKS = [
    { why: 'last byte 0', block: '000102030405060708090a0b0c0d0e00' },
    { why: 'last byte 17 (more than a block)', block: '11111111111111111111111111111111' },
    { why: 'last byte 0xff', block: 'ffffffffffffffffffffffffffffffff' },
    { why: 'pad 2 but the byte before is 3', block: '000102030405060708090a0b0c0d0302' },
    { why: 'pad 5 with the first pad byte wrong', block: '000102030405060708090a0604050505' },
    { why: 'pad 16 with the first byte wrong', block: '00101010101010101010101010101010' },
    { why: 'pad 16 with a middle byte wrong', block: '10101010101010100f10101010101010' },
  ];

  test.each(BAD_LAST_BLOCKS)('bad padding, $why: OperationError', async ({ block }) => {
    const key = await ourKey(raw);
    for (const prefix of [0, 32]) {
      const ciphertext = rawCbcEncrypt(raw, iv, new Uint8Array([...randomData(prefix), ...fromHex(block)]));
      await expectDomRejection(() => subtle.decrypt(params, key, ciphertext), 'OperationError');
    }
  });

  const GOOD_LAST_BLOCKS = [
    { pad: 1, block: '000102030405060708090a0b0c0d0e01', plaintext: '000102030405060708090a0b0c0d0e' },
    { pad: 2, block: '000102030405060708090a0b0c0d0202', plaintext: '000102030405060708090a0b0c0d' },
    { pad: 16, block: '10101010101010101010101010101010', plaintext: '' },
  ];

  test.each(GOOD_LAST_BLOCKS)('good padding of $pad bytes is removed', async ({ block, plaintext }) => {
    const key = await ourKey(raw);
    const decrypted = await subtle.decrypt(params, key, rawCbcEncrypt(raw, iv, fromHex(block)));
    expect(hex(decrypted)).toBe(plaintext);
  });
});

// ---- parameter errors -------------------------------------------------------

describe('iv and ciphertext errors', () => {
  test.each([0, 1, 12, 15, 17, 32])('an iv of %i bytes: OperationError for encrypt and decrypt', async (size) => {
    const key = await ourKey(randomData(16));
    const params = { name: NAME, iv: new Uint8Array(size) };
    await expectDomRejection(() => subtle.encrypt(params, key, randomData(16)), 'OperationError');
    await expectDomRejection(() => subtle.decrypt(params, key, randomData(32)), 'OperationError');
  });

  test('a missing iv: TypeError', async () => {
    const key = await ourKey(randomData(16));
    await expectTypeErrorRejection(() => subtle.encrypt({ name: NAME }, key, randomData(16)));
  });

  test.each([0, 1, 15, 17, 31, 33])('a ciphertext of %i bytes (not a non-empty multiple of 16): OperationError', async (size) => {
    const key = await ourKey(randomData(16));
    await expectDomRejection(() => subtle.decrypt({ name: NAME, iv: randomData(16) }, key, randomData(size)), 'OperationError');
  });
});

// ---- keys -------------------------------------------------------------------

describe('keys', () => {
  test.each(KEY_BITS)('generateKey length %i: {name, length}, secret, the usages asked for', async (length) => {
    const key = (await subtle.generateKey({ name: 'aes-cbc', length }, true, ['encrypt', 'decrypt'])) as CryptoKey;
    expect(key.algorithm).toEqual({ name: NAME, length });
    expect(key.type).toBe('secret');
    expect(key.extractable).toBe(true);
    expect(key.usages).toEqual(['encrypt', 'decrypt']);
    const raw = new Uint8Array((await subtle.exportKey('raw', key)) as ArrayBuffer);
    expect(raw.byteLength).toBe(length / 8);
    // The generated key works, and means the same to Node.
    await crossCheck(raw, randomData(16), randomData(40));
  });

  test.each([0, 1, 64, 127, 129, 384, 512])('generateKey length %i: OperationError', async (length) => {
    await expectDomRejection(() => subtle.generateKey({ name: NAME, length }, true, ['encrypt']), 'OperationError');
  });

  test('generateKey length 65536 (outside unsigned short): TypeError', async () => {
    await expectTypeErrorRejection(() => subtle.generateKey({ name: NAME, length: 65536 }, true, ['encrypt']));
  });

  test.each([['sign'], ['encrypt', 'verify'], ['deriveKey'], ['deriveBits']].map((usages) => ({ usages })))('usages $usages: SyntaxError', async ({ usages }) => {
    await expectDomRejection(() => subtle.generateKey({ name: NAME, length: 128 }, true, usages), 'SyntaxError');
    await expectDomRejection(() => subtle.importKey('raw', randomData(16), NAME, true, usages), 'SyntaxError');
  });

  test('empty usages: SyntaxError for generateKey and importKey', async () => {
    await expectDomRejection(() => subtle.generateKey({ name: NAME, length: 128 }, true, []), 'SyntaxError');
    await expectDomRejection(() => subtle.importKey('raw', randomData(16), NAME, true, []), 'SyntaxError');
  });

  test('an unknown usage string: TypeError', async () => {
    await expectTypeErrorRejection(() => subtle.generateKey({ name: NAME, length: 128 }, true, ['encrypt', 'frobnicate']));
  });

  test('every AES-CBC usage is allowed', async () => {
    const key = (await subtle.generateKey({ name: NAME, length: 256 }, false, USAGES)) as CryptoKey;
    expect(key.usages).toEqual([...USAGES]);
    expect(key.extractable).toBe(false);
  });

  test.each([0, 1, 8, 15, 17, 20, 23, 25, 31, 33, 64])('import raw of %i bytes: DataError', async (size) => {
    await expectDomRejection(() => subtle.importKey('raw', randomData(size), NAME, true, ['encrypt']), 'DataError');
  });

  test.each(KEY_BITS)('import raw %i-bit key: algorithm {name, length}', async (bits) => {
    const key = await subtle.importKey('raw', randomData(bits / 8), { name: NAME }, false, ['decrypt']);
    expect(key.algorithm).toEqual({ name: NAME, length: bits });
    expect(key.usages).toEqual(['decrypt']);
  });

  test.each(KEY_BITS)('jwk export and import of a %i-bit key agree with Node', async (bits) => {
    const raw = randomData(bits / 8);
    const key = await subtle.importKey('raw', raw, NAME, true, ['encrypt', 'decrypt']);
    const jwk = await subtle.exportKey('jwk', key);
    const nodeJwk = await nodeSubtle.exportKey('jwk', await nodeSubtle.importKey('raw', raw, NAME, true, ['encrypt', 'decrypt']));
    expect(jwk).toEqual(nodeJwk);
    expect(jwk).toEqual({ kty: 'oct', k: Buffer.from(raw).toString('base64url'), alg: `A${bits}CBC`, key_ops: ['encrypt', 'decrypt'], ext: true });
    const back = await subtle.importKey('jwk', nodeJwk, NAME, true, ['encrypt']);
    expect(hex((await subtle.exportKey('raw', back)) as ArrayBuffer)).toBe(hex(raw));
    // alg is optional on import.
    await subtle.importKey('jwk', { kty: 'oct', k: Buffer.from(raw).toString('base64url') }, NAME, false, ['encrypt']);
  });

  const k128 = Buffer.from(randomData(16)).toString('base64url');
  const BAD_JWKS = [
    { why: 'alg for another length', jwk: { kty: 'oct', k: k128, alg: 'A256CBC' } },
    { why: 'alg for another mode', jwk: { kty: 'oct', k: k128, alg: 'A128GCM' } },
    { why: "kty 'RSA'", jwk: { kty: 'RSA', k: k128 } },
    { why: 'no kty', jwk: { k: k128 } },
    { why: 'no k', jwk: { kty: 'oct' } },
    { why: 'k with base64 characters', jwk: { kty: 'oct', k: '+/+/+/+/+/+/+/+/+/+/+w' } },
    { why: 'k with padding', jwk: { kty: 'oct', k: `${k128}==` } },
    { why: 'k that is not base64 at all', jwk: { kty: 'oct', k: '!!!!' } },
    { why: 'k of 20 bytes', jwk: { kty: 'oct', k: Buffer.from(randomData(20)).toString('base64url') } },
    { why: 'key_ops without the requested usage', jwk: { kty: 'oct', k: k128, key_ops: ['decrypt'] } },
    { why: "use 'sig'", jwk: { kty: 'oct', k: k128, use: 'sig' } },
    { why: 'ext false for an extractable import', jwk: { kty: 'oct', k: k128, ext: false } },
  ];

  test.each(BAD_JWKS)('import jwk with $why: DataError', async ({ jwk }) => {
    await expectDomRejection(() => subtle.importKey('jwk', jwk, NAME, true, ['encrypt']), 'DataError');
  });

  test("import jwk with use 'enc', matching key_ops and ext true works", async () => {
    const key = await subtle.importKey('jwk', { kty: 'oct', k: k128, use: 'enc', key_ops: ['encrypt', 'decrypt'], ext: true, alg: 'A128CBC' },
      NAME, true, ['encrypt']);
    expect(key.algorithm).toEqual({ name: NAME, length: 128 });
  });

  test('exportKey of a non-extractable key: InvalidAccessError', async () => {
    const key = await ourKey(randomData(16));
    await expectDomRejection(() => subtle.exportKey('raw', key), 'InvalidAccessError');
    await expectDomRejection(() => subtle.exportKey('jwk', key), 'InvalidAccessError');
  });

  test.each(['spki', 'pkcs8'])('format %s: NotSupportedError for exportKey and importKey', async (format) => {
    const key = await subtle.importKey('raw', randomData(16), NAME, true, ['encrypt']);
    // Node says InvalidAccessError for the export (DESIGN.md); the spec says NotSupportedError.
    await expectDomRejection(() => subtle.exportKey(format, key), 'NotSupportedError');
    await expectDomRejection(() => subtle.importKey(format, randomData(16), NAME, true, ['encrypt']), 'NotSupportedError');
  });

  test('a key of another algorithm: InvalidAccessError', async () => {
    const ctrKey = await subtle.importKey('raw', randomData(16), 'AES-CTR', false, ['encrypt', 'decrypt']);
    const gcmKey = await subtle.importKey('raw', randomData(16), 'AES-GCM', false, ['encrypt', 'decrypt']);
    for (const key of [ctrKey, gcmKey]) {
      await expectDomRejection(() => subtle.encrypt({ name: NAME, iv: randomData(16) }, key, randomData(16)), 'InvalidAccessError');
      await expectDomRejection(() => subtle.decrypt({ name: NAME, iv: randomData(16) }, key, randomData(16)), 'InvalidAccessError');
    }
  });

  test('a key without the usage: InvalidAccessError', async () => {
    const raw = randomData(16);
    const params = { name: NAME, iv: randomData(16) };
    const encryptOnly = await ourKey(raw, ['encrypt']);
    const decryptOnly = await ourKey(raw, ['decrypt']);
    const ciphertext = await subtle.encrypt(params, encryptOnly, randomData(16));
    await expectDomRejection(() => subtle.decrypt(params, encryptOnly, ciphertext), 'InvalidAccessError');
    await expectDomRejection(() => subtle.encrypt(params, decryptOnly, randomData(16)), 'InvalidAccessError');
  });
});
