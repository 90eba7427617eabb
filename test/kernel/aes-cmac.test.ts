// AFALG-AES-CMAC, this library's extension (not WebCrypto): AES-CMAC (NIST
// SP 800-38B, RFC 4493) through the kernel's cmac(aes), against the RFC's
// examples and an AES-CMAC built on node:crypto's AES (test/helpers), on
// both job paths; constant-time verify; AES key lifecycle without a JWK alg.
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createCrypto } from '../../src/index';
import { setJobPath } from '../../src/kernel/schedule';
import type { CryptoKey } from '../../src/webcrypto/crypto-key';
import { aesCmac } from '../helpers/aes-cmac';
import { fromHex, hex, KiB, randomData } from '../helpers/bytes';
import { requireAfAlg } from '../helpers/kernel';
import { expectDomRejection } from '../helpers/outcomes';

const subtle = createCrypto({ mode: 'strict' }).subtle;
const NAME = 'AFALG-AES-CMAC';

beforeAll(requireAfAlg);
afterEach(() => setJobPath('auto'));

async function importKey(raw: Uint8Array, usages: readonly string[] = ['sign', 'verify']): Promise<CryptoKey> {
  return subtle.importKey('raw', raw, NAME, true, usages);
}

test('RFC 4493 section 4, examples 1 to 4', async () => {
  const key = await importKey(fromHex('2b7e151628aed2a6abf7158809cf4f3c'));
  const message = fromHex('6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51' +
    '30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710');
  const macs: [number, string][] = [[0, 'bb1d6929e95937287fa37d129b756746'], [16, '070a16b46b4d4144f79bdd9dd04a287c'],
    [40, 'dfa66747de9ae63030ca32611497c827'], [64, '51f0bebf7e3b9d92fc49741779363cfe']];
  for (const [length, mac] of macs) {
    expect(hex(await subtle.sign(NAME, key, message.subarray(0, length))), `${length} bytes`).toBe(mac);
    expect(hex(aesCmac(fromHex('2b7e151628aed2a6abf7158809cf4f3c'), message.subarray(0, length)))).toBe(mac);
  }
});

describe.each([128, 192, 256])('%i-bit keys', (bits) => {
  test.each(['sync', 'async'] as const)('agree with AES-CMAC over node:crypto on the %s path', async (path) => {
    setJobPath(path);
    const raw = randomData(bits / 8);
    const key = await importKey(raw);
    for (const size of [0, 1, 15, 16, 17, 31, 32, 33, 1000, 64 * KiB + 3]) {
      const data = randomData(size);
      const expected = aesCmac(raw, data);
      expect(hex(await subtle.sign(NAME, key, data)), `${size} bytes`).toBe(hex(expected));
      expect(await subtle.verify(NAME, key, expected, data)).toBe(true);
    }
  });
});

test('verify is false for a wrong, truncated or extended MAC', async () => {
  const key = await importKey(randomData(16));
  const data = randomData(50);
  const mac = new Uint8Array(await subtle.sign(NAME, key, data));
  for (let i = 0; i < 16; i++) {
    const wrong = mac.slice();
    wrong[i]! ^= 1 << (i % 8);
    expect(await subtle.verify(NAME, key, wrong, data)).toBe(false);
  }
  expect(await subtle.verify(NAME, key, mac.subarray(0, 15), data)).toBe(false);
  expect(await subtle.verify(NAME, key, new Uint8Array([...mac, 0]), data)).toBe(false);
  expect(await subtle.verify(NAME, key, new Uint8Array(0), data)).toBe(false);
});

describe('keys', () => {
  test('generateKey: 128, 192 and 256 bits; other lengths are OperationError, other usages SyntaxError', async () => {
    for (const length of [128, 192, 256]) {
      const key = await subtle.generateKey({ name: 'afalg-aes-cmac', length }, true, ['verify', 'sign']) as CryptoKey;
      expect(key.algorithm).toEqual({ name: NAME, length });
      expect(key.usages).toEqual(['verify', 'sign']);
      expect((await subtle.exportKey('raw', key) as ArrayBuffer).byteLength).toBe(length / 8);
    }
    await expectDomRejection(() => subtle.generateKey({ name: NAME, length: 64 }, true, ['sign']), 'OperationError');
    await expectDomRejection(() => subtle.generateKey({ name: NAME, length: 128 }, true, ['encrypt']), 'SyntaxError');
  });

  test("import and export: raw, raw-secret and jwk (no alg: RFC 7518 defines none for CMAC)", async () => {
    const raw = randomData(24);
    await expectDomRejection(() => importKey(raw.subarray(0, 15)), 'DataError');
    const key = await subtle.importKey('raw-secret', raw, NAME, true, ['sign']);
    expect(key.algorithm).toEqual({ name: NAME, length: 192 });
    expect(hex(await subtle.exportKey('raw-secret', key) as ArrayBuffer)).toBe(hex(raw));
    const jwk = await subtle.exportKey('jwk', key);
    expect(jwk).toEqual({ kty: 'oct', k: Buffer.from(raw).toString('base64url'), key_ops: ['sign'], ext: true });
    await expectDomRejection(() => subtle.importKey('jwk', { ...jwk, alg: 'A192CBC' }, NAME, true, ['sign']), 'DataError');
    await expectDomRejection(() => subtle.importKey('jwk', { ...jwk, use: 'enc' }, NAME, true, ['sign']), 'DataError');
    const back = await subtle.importKey('jwk', { ...jwk, use: 'sig' }, NAME, true, ['sign']);
    expect(hex(await subtle.sign(NAME, back, raw))).toBe(hex(aesCmac(raw, raw)));
  });

  test('a deriveKey target (AesDerivedKeyParams), and an AES-GCM key is not a CMAC key', async () => {
    const base = await subtle.importKey('raw', randomData(32), 'HKDF', false, ['deriveKey', 'deriveBits']);
    const hkdf = { name: 'HKDF', hash: 'SHA-256', salt: randomData(8), info: randomData(8) };
    const derived = await subtle.deriveKey(hkdf, base, { name: NAME, length: 256 }, true, ['sign']);
    const bits = new Uint8Array(await subtle.deriveBits(hkdf, base, 256));
    expect(hex(await subtle.exportKey('raw', derived) as ArrayBuffer)).toBe(hex(bits));
    const gcm = await subtle.importKey('raw', randomData(16), 'AES-GCM', false, ['encrypt']);
    await expectDomRejection(() => subtle.sign(NAME, gcm, new Uint8Array(1)), 'InvalidAccessError');
  });
});
