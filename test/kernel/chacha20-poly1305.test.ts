// ChaCha20-Poly1305 (RFC 8439; the WICG "Modern Algorithms" draft) through
// the kernel's rfc7539(chacha20,poly1305) AEAD: the RFC's example, Node 24's
// WebCrypto in both directions on random inputs, tag-only messages (the
// kernel checks a tag only inside a read), the draft's error names, key
// formats and usages.
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createCrypto } from '../../src/index';
import { setJobPath } from '../../src/kernel/schedule';
import { openSocketCount } from '../../src/kernel/session';
import { AEAD_MAX_MESSAGE_BYTES } from '../../src/webcrypto/algorithms/aead';
import type { CryptoKey } from '../../src/webcrypto/crypto-key';
import { fromHex, hex, KiB, MiB, randomData } from '../helpers/bytes';
import { requireAfAlg } from '../helpers/kernel';
import { inNode24 } from '../helpers/node24';
import { expectDomRejection, expectTypeErrorRejection } from '../helpers/outcomes';

const subtle = createCrypto({ mode: 'strict' }).subtle;
const NAME = 'ChaCha20-Poly1305';
const USAGES = ['encrypt', 'decrypt'] as const;

beforeAll(requireAfAlg);
afterEach(() => setJobPath('auto'));

function params(iv: Uint8Array, additionalData?: Uint8Array) {
  return additionalData === undefined ? { name: NAME, iv } : { name: NAME, iv, additionalData };
}

async function importKey(raw: Uint8Array, usages: readonly string[] = USAGES): Promise<CryptoKey> {
  return subtle.importKey('raw-secret', raw, NAME, true, usages);
}

test('RFC 8439 section 2.8.2', async () => {
  const key = await importKey(fromHex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f'));
  const p = params(fromHex('070000004041424344454647'), fromHex('50515253c0c1c2c3c4c5c6c7'));
  const plaintext = new TextEncoder().encode(
    "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.");
  const sealed = await subtle.encrypt(p, key, plaintext);
  expect(hex(sealed)).toBe(
    'd31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b' +
    '1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc' +
    '3ff4def08e4b7a9de576d26586cec64b6116' + '1ae10b594f09e26a7e902ecbd0600691');
  expect(hex(await subtle.decrypt(p, key, sealed))).toBe(hex(plaintext));
});

interface Case { key: string; iv: string; aad: string | null; text: string }

describe('agrees with Node 24 in both directions', () => {
  // Sizes around the Poly1305 block, the thread-pool threshold, and the largest message (128 KiB with the tag).
  const sizes = [0, 1, 15, 16, 17, 63, 64, 65, 1000, 64 * KiB, AEAD_MAX_MESSAGE_BYTES - 16];
  const cases: Case[] = sizes.map((size, i) => ({
    key: hex(randomData(32)), iv: hex(randomData(12)), aad: i % 3 === 0 || i === sizes.length - 1 ? null : hex(randomData(i * 7)), text: hex(randomData(size)),
  }));

  test.each(['sync', 'async'] as const)('on the %s path', async (path) => {
    setJobPath(path);
    const ours: string[] = [];
    for (const c of cases) {
      const key = await importKey(fromHex(c.key));
      ours.push(hex(await subtle.encrypt(params(fromHex(c.iv), c.aad === null ? undefined : fromHex(c.aad)), key, fromHex(c.text))));
    }
    const theirs = inNode24<{ sealed: string; opened: string }[]>(`
      return Promise.all(input.cases.map(async (c, i) => {
        const key = await crypto.subtle.importKey('raw-secret', bytes(c.key), 'ChaCha20-Poly1305', false, ['encrypt', 'decrypt']);
        const p = { name: 'ChaCha20-Poly1305', iv: bytes(c.iv), ...(c.aad === null ? {} : { additionalData: bytes(c.aad) }) };
        return { sealed: hex(await crypto.subtle.encrypt(p, key, bytes(c.text))),
                 opened: hex(await crypto.subtle.decrypt(p, key, bytes(input.ours[i]))) };
      }));`, { cases, ours });
    for (const [i, c] of cases.entries()) {
      expect(ours[i], `size ${c.text.length / 2}`).toBe(theirs[i]!.sealed);
      expect(theirs[i]!.opened).toBe(c.text);
      const key = await importKey(fromHex(c.key));
      const p = params(fromHex(c.iv), c.aad === null ? undefined : fromHex(c.aad));
      expect(hex(await subtle.decrypt(p, key, fromHex(theirs[i]!.sealed)))).toBe(c.text);
    }
  });
});

describe('tag-only and forged messages', () => {
  test('an empty plaintext with and without AAD: the tag is checked', async () => {
    const key = await importKey(randomData(32));
    for (const aad of [undefined, randomData(5)]) {
      const p = params(randomData(12), aad);
      const tag = await subtle.encrypt(p, key, new Uint8Array(0));
      expect(tag.byteLength).toBe(16);
      expect((await subtle.decrypt(p, key, tag)).byteLength).toBe(0);
      const forged = new Uint8Array(tag.slice(0));
      forged[0]! ^= 1;
      await expectDomRejection(() => subtle.decrypt(p, key, forged), 'OperationError');
      await expectDomRejection(() => subtle.decrypt(p, key, new Uint8Array(16)), 'OperationError');
      // The op socket is still usable afterwards (the request did not stay queued).
      expect((await subtle.decrypt(p, key, tag)).byteLength).toBe(0);
    }
  });

  test('a flipped bit anywhere (AAD, ciphertext, tag) is OperationError', async () => {
    const key = await importKey(randomData(32));
    const aad = randomData(20);
    const p = params(randomData(12), aad);
    const sealed = new Uint8Array(await subtle.encrypt(p, key, randomData(40)));
    for (const at of [0, 39, 40, 55]) {
      const forged = sealed.slice();
      forged[at]! ^= 0x80;
      await expectDomRejection(() => subtle.decrypt(p, key, forged), 'OperationError');
    }
    const otherAad = aad.slice();
    otherAad[3]! ^= 1;
    await expectDomRejection(() => subtle.decrypt(params(p.iv, otherAad), key, sealed), 'OperationError');
  });
});

describe('limits and errors, as the draft names them', () => {
  test('iv, tagLength and ciphertext length', async () => {
    const key = await importKey(randomData(32));
    for (const iv of [0, 8, 11, 13, 16]) await expectDomRejection(() => subtle.encrypt(params(new Uint8Array(iv)), key, new Uint8Array(4)), 'OperationError');
    for (const tagLength of [0, 32, 96, 120]) await expectDomRejection(() => subtle.encrypt({ ...params(new Uint8Array(12)), tagLength }, key, new Uint8Array(4)), 'OperationError');
    await expectTypeErrorRejection(() => subtle.encrypt({ ...params(new Uint8Array(12)), tagLength: 256 }, key, new Uint8Array(4)));
    await expectTypeErrorRejection(() => subtle.encrypt({ name: NAME }, key, new Uint8Array(4)));
    expect((await subtle.encrypt({ ...params(new Uint8Array(12)), tagLength: 128 }, key, new Uint8Array(4))).byteLength).toBe(20);
    await expectDomRejection(() => subtle.decrypt(params(new Uint8Array(12)), key, new Uint8Array(15)), 'OperationError');
  });

  test('a message larger than the AEAD socket takes is OperationError, and no descriptor leaks', async () => {
    const key = await importKey(randomData(32));
    const before = openSocketCount();
    for (const size of [AEAD_MAX_MESSAGE_BYTES - 15, MiB])
      await expectDomRejection(() => subtle.encrypt(params(randomData(12)), key, randomData(size)), 'OperationError');
    await expectDomRejection(() => subtle.decrypt(params(randomData(12), randomData(1)), key, randomData(AEAD_MAX_MESSAGE_BYTES)), 'OperationError');
    expect(openSocketCount()).toBeLessThanOrEqual(before + 2);
    expect((await subtle.encrypt(params(randomData(12)), key, randomData(100))).byteLength).toBe(116);
  });

  test('a key of another algorithm, or without the usage, is InvalidAccessError', async () => {
    const aes = await subtle.importKey('raw', randomData(32), 'AES-GCM', false, ['encrypt']);
    await expectDomRejection(() => subtle.encrypt(params(new Uint8Array(12)), aes, new Uint8Array(1)), 'InvalidAccessError');
    const encryptOnly = await importKey(randomData(32), ['encrypt']);
    await expectDomRejection(() => subtle.decrypt(params(new Uint8Array(12)), encryptOnly, new Uint8Array(16)), 'InvalidAccessError');
  });
});

describe('keys', () => {
  test('generateKey makes 256-bit keys (a length member is ignored) with the usages as given; bad usages are SyntaxError', async () => {
    const key = await subtle.generateKey({ name: 'chacha20-poly1305', length: 128 } as never, true, ['unwrapKey', 'decrypt', 'encrypt']) as CryptoKey;
    expect(key.algorithm).toEqual({ name: NAME });
    expect(key.usages).toEqual(['unwrapKey', 'decrypt', 'encrypt']);
    expect((await subtle.exportKey('raw-secret', key) as ArrayBuffer).byteLength).toBe(32);
    await expectDomRejection(() => subtle.generateKey(NAME, true, ['sign']), 'SyntaxError');
    await expectDomRejection(() => subtle.generateKey(NAME, true, []), 'SyntaxError');
  });

  test("formats: 'raw-secret' and 'jwk' (alg C20P), not 'raw' or the asymmetric ones", async () => {
    const raw = randomData(32);
    await expectDomRejection(() => subtle.importKey('raw', raw, NAME, true, ['encrypt']), 'NotSupportedError');
    await expectDomRejection(() => subtle.importKey('spki', raw, NAME, true, ['encrypt']), 'NotSupportedError');
    await expectDomRejection(() => subtle.importKey('raw-secret', raw.subarray(0, 16), NAME, true, ['encrypt']), 'DataError');
    const key = await importKey(raw);
    await expectDomRejection(() => subtle.exportKey('raw', key), 'NotSupportedError');
    const jwk = await subtle.exportKey('jwk', key);
    expect(jwk).toEqual({ kty: 'oct', k: Buffer.from(raw).toString('base64url'), alg: 'C20P', key_ops: ['encrypt', 'decrypt'], ext: true });
    for (const bad of [{ alg: 'A256GCM' }, { use: 'sig' }, { key_ops: ['decrypt'] }, { k: Buffer.from(raw.subarray(0, 16)).toString('base64url') }])
      await expectDomRejection(() => subtle.importKey('jwk', { ...jwk, ...bad }, NAME, true, ['encrypt']), 'DataError');
    await expectDomRejection(() => subtle.importKey('jwk', { ...jwk, ext: false }, NAME, true, ['encrypt']), 'DataError');
    const nonExtractable = await subtle.importKey('raw-secret', raw, NAME, false, ['encrypt']);
    await expectDomRejection(() => subtle.exportKey('jwk', nonExtractable), 'InvalidAccessError');
    // Node 24 reads our JWK and we read its.
    const theirs = inNode24<{ jwk: object; raw: string }>(`
      const key = await crypto.subtle.importKey('jwk', input, 'ChaCha20-Poly1305', true, ['encrypt', 'decrypt']);
      return { jwk: await crypto.subtle.exportKey('jwk', key), raw: hex(await crypto.subtle.exportKey('raw-secret', key)) };`, jwk);
    expect(theirs.raw).toBe(hex(raw));
    const back = await subtle.importKey('jwk', theirs.jwk as JsonWebKey, NAME, true, ['encrypt', 'decrypt']);
    expect(hex(await subtle.exportKey('raw-secret', back) as ArrayBuffer)).toBe(hex(raw));
  });

  test('wraps and unwraps keys (encrypt/decrypt fallback) and is a deriveKey target, like Node 24', async () => {
    const kek = await subtle.importKey('raw-secret', randomData(32), NAME, true, ['wrapKey', 'unwrapKey']);
    const iv = randomData(12);
    const aes = await subtle.importKey('raw', randomData(16), 'AES-GCM', true, ['encrypt']);
    const wrapped = await subtle.wrapKey('raw', aes, kek, params(iv));
    const unwrapped = await subtle.unwrapKey('raw', wrapped, kek, params(iv), 'AES-GCM', true, ['encrypt']);
    expect(hex(await subtle.exportKey('raw', unwrapped) as ArrayBuffer)).toBe(hex(await subtle.exportKey('raw', aes) as ArrayBuffer));
    const self = await subtle.wrapKey('jwk', kek, kek, params(iv));
    const selfBack = await subtle.unwrapKey('jwk', self, kek, params(iv), NAME, true, ['wrapKey']);
    expect(hex(await subtle.exportKey('raw-secret', selfBack) as ArrayBuffer)).toBe(hex(await subtle.exportKey('raw-secret', kek) as ArrayBuffer));

    const ikm = randomData(32);
    const hkdf = { name: 'HKDF', hash: 'SHA-256', salt: randomData(8), info: randomData(8) };
    const base = await subtle.importKey('raw', ikm, 'HKDF', false, ['deriveKey']);
    const derived = await subtle.deriveKey(hkdf, base, NAME, true, ['encrypt']);
    const theirs = inNode24<string>(`
      const base = await crypto.subtle.importKey('raw', bytes(input.ikm), 'HKDF', false, ['deriveKey']);
      const p = { name: 'HKDF', hash: 'SHA-256', salt: bytes(input.salt), info: bytes(input.info) };
      return hex(await crypto.subtle.exportKey('raw-secret', await crypto.subtle.deriveKey(p, base, 'ChaCha20-Poly1305', true, ['encrypt'])));`,
    { ikm: hex(ikm), salt: hex(hkdf.salt), info: hex(hkdf.info) });
    expect(hex(await subtle.exportKey('raw-secret', derived) as ArrayBuffer)).toBe(theirs);
  });
});
