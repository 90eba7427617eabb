// AES-KW (RFC 3394), run as the RFC's 6n block steps over the kernel's
// ecb(aes): the RFC's own vectors, agreement with the oracles on both job
// paths, integrity failures, and what AES-KW keys may and may not do.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setJobPath, type JobPath } from '../../src/kernel/schedule';
import { createCrypto } from '../../src/webcrypto/crypto';
import type { CryptoKey } from '../../src/webcrypto/crypto-key';
import { fromHex, hex, randomData } from '../helpers/bytes';
import { requireAfAlg } from '../helpers/kernel';
import { nodeSubtle, peculiarSubtle } from '../helpers/oracles';
import { expectDomRejection, expectTypeErrorRejection } from '../helpers/outcomes';

const subtle = createCrypto().subtle;
const NAME = 'AES-KW';
const HMAC = { name: 'HMAC', hash: 'SHA-256' };

beforeAll(() => requireAfAlg());

// ---- helpers ----------------------------------------------------------------

/** A copy on a plain ArrayBuffer, as the DOM typings of @peculiar/webcrypto ask. */
function own(data: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(data);
}

/** data with one bit flipped at offset (negative offsets count from the end). */
function flipped(data: ArrayBuffer | Uint8Array, offset: number): Uint8Array {
  const copy = new Uint8Array(data instanceof Uint8Array ? data : new Uint8Array(data));
  copy[offset < 0 ? copy.byteLength + offset : offset]! ^= 0x80;
  return copy;
}

async function ourKek(raw: Uint8Array, usages: readonly string[] = ['wrapKey', 'unwrapKey']): Promise<CryptoKey> {
  return subtle.importKey('raw', raw, NAME, false, usages);
}

/** Key data of any length as an extractable key: AES for 16/24/32 bytes, HMAC otherwise. */
function keyAlgorithmFor(bytes: number): object {
  return [16, 24, 32].includes(bytes) ? { name: 'AES-GCM' } : HMAC;
}
function keyUsagesFor(bytes: number): string[] {
  return [16, 24, 32].includes(bytes) ? ['encrypt'] : ['sign'];
}

/** Wraps raw key data here: imports it as an extractable key, then wrapKey('raw'). */
async function ourWrap(kek: CryptoKey, keyData: Uint8Array): Promise<ArrayBuffer> {
  const key = await subtle.importKey('raw', keyData, keyAlgorithmFor(keyData.byteLength), true, keyUsagesFor(keyData.byteLength));
  return subtle.wrapKey('raw', key, kek, NAME);
}

/** Unwraps here and returns the key data (unwrapKey('raw') to an extractable key, then exportKey). */
async function ourUnwrap(kek: CryptoKey, wrapped: ArrayBuffer | Uint8Array, keyBytes: number): Promise<ArrayBuffer> {
  const key = await subtle.unwrapKey('raw', wrapped, kek, NAME, keyAlgorithmFor(keyBytes), true, keyUsagesFor(keyBytes));
  return (await subtle.exportKey('raw', key)) as ArrayBuffer;
}

/** Both directions against Node: same wrapped bytes, Node unwraps ours, we unwrap Node's. */
async function crossCheck(kekRaw: Uint8Array, keyData: Uint8Array): Promise<void> {
  const kek = await ourKek(kekRaw);
  const nodeKek = await nodeSubtle.importKey('raw', kekRaw, NAME, false, ['wrapKey', 'unwrapKey']);
  const nodeKey = await nodeSubtle.importKey('raw', keyData, HMAC, true, ['sign']);
  const ours = await ourWrap(kek, keyData);
  const node = await nodeSubtle.wrapKey('raw', nodeKey, nodeKek, NAME);
  expect(ours.byteLength).toBe(keyData.byteLength + 8);
  expect(hex(ours)).toBe(hex(node));
  const unwrappedByNode = await nodeSubtle.unwrapKey('raw', ours, nodeKek, NAME, HMAC, true, ['sign']);
  expect(hex(await nodeSubtle.exportKey('raw', unwrappedByNode))).toBe(hex(keyData));
  expect(hex(await ourUnwrap(kek, node, keyData.byteLength))).toBe(hex(keyData));
}

// ---- known answers ----------------------------------------------------------

// RFC 3394 section 4.
const KEK128 = '000102030405060708090A0B0C0D0E0F';
const KEK192 = `${KEK128}1011121314151617`;
const KEK256 = `${KEK192}18191A1B1C1D1E1F`;
const DATA128 = '00112233445566778899AABBCCDDEEFF';
const DATA192 = `${DATA128}0001020304050607`;
const DATA256 = `${DATA128}000102030405060708090A0B0C0D0E0F`;
const RFC3394 = [
  { section: '4.1', kek: KEK128, data: DATA128, wrapped: '1FA68B0A8112B447 AEF34BD8FB5A7B82 9D3E862371D2CFE5' },
  { section: '4.2', kek: KEK192, data: DATA128, wrapped: '96778B25AE6CA435 F92B5B97C050AED2 468AB8A17AD84E5D' },
  { section: '4.3', kek: KEK256, data: DATA128, wrapped: '64E8C3F9CE0F5BA2 63E9777905818A2A 93C8191E7D6E8AE7' },
  { section: '4.4', kek: KEK192, data: DATA192, wrapped: '031D33264E15D332 68F24EC260743EDC E1C6C7DDEE725A93 6BA814915C6762D2' },
  { section: '4.5', kek: KEK256, data: DATA192, wrapped: 'A8F9BC1612C68B3F F6E6F4FBE30E71E4 769C8B80A32CB895 8CD5D17D6B254DA1' },
  {
    section: '4.6', kek: KEK256, data: DATA256,
    wrapped: '28C9F404C4B810F4 CBCCB35CFB87F826 3F5786E2D80ED326 CBC7F0E71A99F43B FB988B9B7A02DD21',
  },
];

describe.each<JobPath>(['sync', 'async'])('RFC 3394 vectors on the %s job path', (path) => {
  beforeAll(() => setJobPath(path));
  afterAll(() => setJobPath('auto'));

  test.each(RFC3394)('section $section', async ({ kek, data, wrapped }) => {
    const k = await ourKek(fromHex(kek));
    expect(hex(await ourWrap(k, fromHex(data)))).toBe(hex(fromHex(wrapped)));
    expect(hex(await ourUnwrap(k, fromHex(wrapped), fromHex(data).byteLength))).toBe(hex(fromHex(data)));
    // The key data may be of any algorithm: the same bytes wrapped from an HMAC key.
    const hmacKey = await subtle.importKey('raw', fromHex(data), HMAC, true, ['sign']);
    expect(hex(await subtle.wrapKey('raw', hmacKey, k, NAME))).toBe(hex(fromHex(wrapped)));
  });
});

// ---- cross-checks -----------------------------------------------------------

const KEK_BITS = [128, 192, 256];
// Multiples of 8 bytes from the smallest RFC 3394 allows (two blocks) up.
const KEY_DATA_SIZES = [16, 24, 32, 40, 64, 128, 520];

describe.each<JobPath>(['sync', 'async'])("same bytes as Node's WebCrypto on the %s job path", (path) => {
  beforeAll(() => setJobPath(path));
  afterAll(() => setJobPath('auto'));

  for (const bits of KEK_BITS) {
    test.each(KEY_DATA_SIZES)(`AES-${bits} KEK, %i bytes of key data`, async (size) => {
      await crossCheck(randomData(bits / 8), randomData(size));
    });
  }

  test('@peculiar/webcrypto unwraps ours and we unwrap its', async () => {
    for (const bits of KEK_BITS) {
      const kekRaw = randomData(bits / 8);
      const keyData = randomData(32);
      const kek = await ourKek(kekRaw);
      const theirKek = await peculiarSubtle.importKey('raw', own(kekRaw), NAME, false, ['wrapKey', 'unwrapKey']);
      const theirKey = await peculiarSubtle.importKey('raw', own(keyData), { name: 'AES-CBC' }, true, ['encrypt']);
      const ours = await ourWrap(kek, keyData);
      const unwrapped = await peculiarSubtle.unwrapKey('raw', ours, theirKek, NAME, { name: 'AES-CBC' }, true, ['encrypt']);
      expect(hex(await peculiarSubtle.exportKey('raw', unwrapped))).toBe(hex(keyData));
      const theirs = await peculiarSubtle.wrapKey('raw', theirKey, theirKek, NAME);
      expect(hex(theirs)).toBe(hex(ours));
      expect(hex(await ourUnwrap(kek, theirs, 32))).toBe(hex(keyData));
    }
  });
});

// ---- errors -----------------------------------------------------------------

describe('what AES-KW cannot wrap or unwrap', () => {
  // RFC 3394 wraps n >= 2 64-bit blocks; the spec: "If plaintext is not a multiple of 64 bits, OperationError".
  test.each([1, 7, 8, 9, 12, 15, 17, 20, 33, 65])('wrapping %i bytes of key data: OperationError, as in Node', async (size) => {
    const kekRaw = randomData(16);
    const key = await subtle.importKey('raw', randomData(size), HMAC, true, ['sign']);
    const kek = await ourKek(kekRaw);
    await expectDomRejection(() => subtle.wrapKey('raw', key, kek, NAME), 'OperationError');
    const nodeKek = await nodeSubtle.importKey('raw', kekRaw, NAME, false, ['wrapKey']);
    const nodeKey = await nodeSubtle.importKey('raw', randomData(size), HMAC, true, ['sign']);
    await expectDomRejection(() => nodeSubtle.wrapKey('raw', nodeKey, nodeKek, NAME), 'OperationError');
  });

  test.each([0, 8, 16, 17, 23, 25, 31, 39])('unwrapping %i bytes (not n+1 >= 3 blocks): OperationError', async (size) => {
    const kek = await ourKek(randomData(16));
    await expectDomRejection(() => subtle.unwrapKey('raw', randomData(size), kek, NAME, HMAC, true, ['sign']), 'OperationError');
  });

  test.each([0, 7, 8, 15, 16, 23, 31])('a wrapped 256-bit key with bit 7 of byte %i flipped: OperationError', async (offset) => {
    const kek = await ourKek(randomData(32));
    const wrapped = await ourWrap(kek, randomData(32));
    await expectDomRejection(() => subtle.unwrapKey('raw', flipped(wrapped, offset), kek, NAME, { name: 'AES-CBC' }, true, ['encrypt']),
      'OperationError');
  });

  test('a wrapped key with its last byte flipped, or unwrapped with another KEK: OperationError', async () => {
    for (const size of [16, 24, 40, 128]) {
      const kek = await ourKek(randomData(24));
      const wrapped = await ourWrap(kek, randomData(size));
      await expectDomRejection(() => subtle.unwrapKey('raw', flipped(wrapped, -1), kek, NAME, HMAC, true, ['sign']), 'OperationError');
      const otherKek = await ourKek(randomData(24));
      await expectDomRejection(() => subtle.unwrapKey('raw', wrapped, otherKek, NAME, HMAC, true, ['sign']), 'OperationError');
      // The KEK still works after the failures.
      expect((await ourUnwrap(kek, wrapped, size)).byteLength).toBe(size);
    }
  });

  test('random bytes of a valid length: OperationError', async () => {
    const kek = await ourKek(randomData(16));
    for (const size of [24, 32, 40])
      await expectDomRejection(() => subtle.unwrapKey('raw', randomData(size), kek, NAME, HMAC, true, ['sign']), 'OperationError');
  });
});

describe('AES-KW is only for wrapKey and unwrapKey', () => {
  // encrypt and decrypt are not registered operations of AES-KW, so normalizing
  // the algorithm for them fails first: NotSupportedError (Node agrees). In
  // hybrid mode an algorithm the kernel has must not be sent to the platform
  // for an operation it does not define.
  const OPS_AND_MODES = (['encrypt', 'decrypt'] as const).flatMap((op) => (['strict', 'hybrid'] as const).map((mode) => ({ op, mode })));

  test.each(OPS_AND_MODES)('$op with AES-KW in $mode mode: NotSupportedError', async ({ op, mode }) => {
    const modal = createCrypto({ mode }).subtle;
    const kek = await modal.importKey('raw', randomData(16), NAME, false, ['wrapKey', 'unwrapKey']);
    await expectDomRejection(() => modal[op]({ name: NAME }, kek, randomData(16)), 'NotSupportedError');
    await expectDomRejection(() => modal[op]('aes-kw', kek, randomData(16)), 'NotSupportedError');
  });

  test.each(['encrypt', 'decrypt', 'sign', 'deriveBits'])("usage '%s' for an AES-KW key: SyntaxError", async (usage) => {
    await expectDomRejection(() => subtle.generateKey({ name: NAME, length: 128 }, true, ['wrapKey', usage]), 'SyntaxError');
    await expectDomRejection(() => subtle.importKey('raw', randomData(16), NAME, true, [usage]), 'SyntaxError');
  });

  test('an AES-KW key with an AES-GCM wrap algorithm, or an AES-CBC key with AES-KW: InvalidAccessError', async () => {
    const kek = await ourKek(randomData(16));
    const cbcKey = await subtle.importKey('raw', randomData(16), 'AES-CBC', true, ['wrapKey', 'unwrapKey', 'encrypt']);
    await expectDomRejection(() => subtle.wrapKey('raw', cbcKey, kek, { name: 'AES-GCM', iv: randomData(12) }), 'InvalidAccessError');
    await expectDomRejection(() => subtle.wrapKey('raw', cbcKey, cbcKey, NAME), 'InvalidAccessError');
    await expectDomRejection(() => subtle.unwrapKey('raw', randomData(24), cbcKey, NAME, HMAC, true, ['sign']), 'InvalidAccessError');
  });

  test('a KEK without the usage: InvalidAccessError', async () => {
    const raw = randomData(16);
    const wrapOnly = await ourKek(raw, ['wrapKey']);
    const unwrapOnly = await ourKek(raw, ['unwrapKey']);
    const wrapped = await ourWrap(wrapOnly, randomData(16));
    await expectDomRejection(() => ourWrap(unwrapOnly, randomData(16)), 'InvalidAccessError');
    await expectDomRejection(() => subtle.unwrapKey('raw', wrapped, wrapOnly, NAME, HMAC, true, ['sign']), 'InvalidAccessError');
    expect((await ourUnwrap(unwrapOnly, wrapped, 16)).byteLength).toBe(16);
  });
});

// ---- keys -------------------------------------------------------------------

describe('keys', () => {
  test.each(KEK_BITS)('generateKey length %i: {name, length}, usable as Node reads it', async (length) => {
    const key = (await subtle.generateKey({ name: 'aes-KW', length }, true, ['wrapKey', 'unwrapKey'])) as CryptoKey;
    expect(key.algorithm).toEqual({ name: NAME, length });
    expect(key.type).toBe('secret');
    expect(key.usages).toEqual(['wrapKey', 'unwrapKey']);
    const raw = new Uint8Array((await subtle.exportKey('raw', key)) as ArrayBuffer);
    expect(raw.byteLength).toBe(length / 8);
    await crossCheck(raw, randomData(24));
  });

  test.each([0, 64, 100, 257, 512])('generateKey length %i: OperationError', async (length) => {
    await expectDomRejection(() => subtle.generateKey({ name: NAME, length }, true, ['wrapKey']), 'OperationError');
  });

  test('a missing length: TypeError', async () => {
    await expectTypeErrorRejection(() => subtle.generateKey({ name: NAME }, true, ['wrapKey']));
  });

  test('empty usages: SyntaxError', async () => {
    await expectDomRejection(() => subtle.generateKey({ name: NAME, length: 128 }, true, []), 'SyntaxError');
    await expectDomRejection(() => subtle.importKey('raw', randomData(16), NAME, true, []), 'SyntaxError');
  });

  test.each([0, 8, 15, 17, 40])('import raw of %i bytes: DataError', async (size) => {
    await expectDomRejection(() => subtle.importKey('raw', randomData(size), NAME, true, ['wrapKey']), 'DataError');
  });

  test.each(KEK_BITS)('jwk of a %i-bit key: alg A<bits>KW, as Node exports it', async (bits) => {
    const raw = randomData(bits / 8);
    const key = await subtle.importKey('raw', raw, NAME, true, ['wrapKey', 'unwrapKey']);
    const jwk = await subtle.exportKey('jwk', key);
    expect(jwk).toEqual({ kty: 'oct', k: Buffer.from(raw).toString('base64url'), alg: `A${bits}KW`, key_ops: ['wrapKey', 'unwrapKey'], ext: true });
    expect(jwk).toEqual(await nodeSubtle.exportKey('jwk', await nodeSubtle.importKey('raw', raw, NAME, true, ['wrapKey', 'unwrapKey'])));
    const back = await subtle.importKey('jwk', jwk, NAME, false, ['unwrapKey']);
    expect(back.algorithm).toEqual({ name: NAME, length: bits });
  });

  const k = Buffer.from(randomData(16)).toString('base64url');
  const BAD_JWKS = [
    { why: 'alg A128GCM', jwk: { kty: 'oct', k, alg: 'A128GCM' } },
    { why: 'alg A256KW for a 128-bit key', jwk: { kty: 'oct', k, alg: 'A256KW' } },
    { why: 'alg A128GCMKW', jwk: { kty: 'oct', k, alg: 'A128GCMKW' } },
    { why: "kty 'oct' missing", jwk: { k } },
    { why: 'k in base64 with padding', jwk: { kty: 'oct', k: Buffer.from(randomData(16)).toString('base64') } },
    { why: 'key_ops without wrapKey', jwk: { kty: 'oct', k, key_ops: ['unwrapKey'] } },
    { why: 'key_ops with a duplicate', jwk: { kty: 'oct', k, key_ops: ['wrapKey', 'wrapKey'] } },
    { why: "use 'sig'", jwk: { kty: 'oct', k, use: 'sig' } },
    { why: 'ext false', jwk: { kty: 'oct', k, ext: false } },
  ];

  test.each(BAD_JWKS)('import jwk with $why: DataError', async ({ jwk }) => {
    await expectDomRejection(() => subtle.importKey('jwk', jwk, NAME, true, ['wrapKey']), 'DataError');
  });

  test('exportKey of a non-extractable key: InvalidAccessError', async () => {
    const key = await ourKek(randomData(16));
    await expectDomRejection(() => subtle.exportKey('raw', key), 'InvalidAccessError');
    await expectDomRejection(() => subtle.exportKey('jwk', key), 'InvalidAccessError');
  });

  test.each(['spki', 'pkcs8'])('format %s: NotSupportedError', async (format) => {
    const key = await subtle.importKey('raw', randomData(16), NAME, true, ['wrapKey']);
    await expectDomRejection(() => subtle.exportKey(format, key), 'NotSupportedError');
    await expectDomRejection(() => subtle.importKey(format, randomData(16), NAME, true, ['wrapKey']), 'NotSupportedError');
  });
});
