// SHA3-256/384/512 (FIPS 202, the WICG "Modern Algorithms" draft) through the
// kernel's sha3-* hashes: published digests, Node 24's WebCrypto on random
// inputs (on both job paths), and SHA-3 inside HMAC, HKDF and PBKDF2 as
// Node 24 has it.
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createCrypto } from '../../src/index';
import { setJobPath } from '../../src/kernel/schedule';
import { fromHex, hex, KiB, randomData } from '../helpers/bytes';
import { requireAfAlg } from '../helpers/kernel';
import { inNode24 } from '../helpers/node24';
import { expectDomRejection } from '../helpers/outcomes';

const subtle = createCrypto({ mode: 'strict' }).subtle;
const SHA3 = ['SHA3-256', 'SHA3-384', 'SHA3-512'] as const;

beforeAll(requireAfAlg);
afterEach(() => setJobPath('auto'));

// FIPS 202 examples (NIST "Examples with Intermediate Values"): the empty message and "abc".
const VECTORS: Record<(typeof SHA3)[number], { empty: string; abc: string }> = {
  'SHA3-256': {
    empty: 'a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a',
    abc: '3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532',
  },
  'SHA3-384': {
    empty: '0c63a75b845e4f7d01107d852e4c2485c51a50aaaa94fc61995e71bbee983a2ac3713831264adb47fb6bd1e058d5f004',
    abc: 'ec01498288516fc926459f58e2c6ad8df9b473cb0fc08c2596da7cf0e49be4b298d88cea927ac7f539f1edf228376d25',
  },
  'SHA3-512': {
    empty: 'a69f73cca23a9ac5c8b567dc185a756e97c982164fe25859e0d1dcc1475c80a615b2123af1f5f94c11e3e9402c3ac558f500199d95b6d3e301758586281dcd26',
    abc: 'b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0',
  },
};

describe.each(SHA3)('%s', (name) => {
  test('FIPS 202 examples', async () => {
    expect(hex(await subtle.digest(name, new Uint8Array(0)))).toBe(VECTORS[name].empty);
    expect(hex(await subtle.digest(name.toLowerCase(), new TextEncoder().encode('abc')))).toBe(VECTORS[name].abc);
  });

  test('agrees with Node 24 on random inputs around the rate and the thread-pool threshold, on both job paths', async () => {
    const inputs = [1, 71, 72, 73, 103, 104, 105, 135, 136, 137, 1000, 64 * KiB - 1, 64 * KiB, 200 * KiB].map(randomData);
    const theirs = inNode24<string[]>(
      'return Promise.all(input.data.map(async (h) => hex(await crypto.subtle.digest(input.name, bytes(h)))));',
      { name, data: inputs.map(hex) });
    for (const path of ['sync', 'async'] as const) {
      setJobPath(path);
      const ours = await Promise.all(inputs.map(async (data) => hex(await subtle.digest(name, data))));
      expect(ours, `${path} path`).toEqual(theirs);
    }
  });
});

describe('SHA-3 as the hash of HMAC, HKDF and PBKDF2 (as Node 24 has it)', () => {
  test('HMAC signatures, HKDF and PBKDF2 bits agree with Node 24', async () => {
    const cases = SHA3.map((hash) => ({ hash, key: hex(randomData(48)), data: hex(randomData(300)), salt: hex(randomData(16)) }));
    const theirs = inNode24<{ mac: string; hkdf: string; pbkdf2: string }[]>(`
      const s = crypto.subtle;
      return Promise.all(input.map(async ({ hash, key, data, salt }) => {
        const hmac = await s.importKey('raw', bytes(key), { name: 'HMAC', hash }, false, ['sign']);
        const hkdf = await s.importKey('raw', bytes(key), 'HKDF', false, ['deriveBits']);
        const pbkdf2 = await s.importKey('raw', bytes(key), 'PBKDF2', false, ['deriveBits']);
        return {
          mac: hex(await s.sign('HMAC', hmac, bytes(data))),
          hkdf: hex(await s.deriveBits({ name: 'HKDF', hash, salt: bytes(salt), info: bytes(data) }, hkdf, 512)),
          pbkdf2: hex(await s.deriveBits({ name: 'PBKDF2', hash, salt: bytes(salt), iterations: 3 }, pbkdf2, 512)),
        };
      }));`, cases);
    for (const [i, { hash, key, data, salt }] of cases.entries()) {
      const hmac = await subtle.importKey('raw', fromHex(key), { name: 'HMAC', hash }, false, ['sign', 'verify']);
      const mac = await subtle.sign('HMAC', hmac, fromHex(data));
      expect(hex(mac), hash).toBe(theirs[i]!.mac);
      expect(await subtle.verify('HMAC', hmac, mac, fromHex(data))).toBe(true);
      const hkdf = await subtle.importKey('raw', fromHex(key), 'HKDF', false, ['deriveBits']);
      expect(hex(await subtle.deriveBits({ name: 'HKDF', hash, salt: fromHex(salt), info: fromHex(data) }, hkdf, 512))).toBe(theirs[i]!.hkdf);
      const pbkdf2 = await subtle.importKey('raw', fromHex(key), 'PBKDF2', false, ['deriveBits']);
      expect(hex(await subtle.deriveBits({ name: 'PBKDF2', hash, salt: fromHex(salt), iterations: 3 }, pbkdf2, 512))).toBe(theirs[i]!.pbkdf2);
    }
  });

  test('an HMAC key needs an explicit length (no default is defined), and its JWK has no alg', async () => {
    await expectDomRejection(() => subtle.generateKey({ name: 'HMAC', hash: 'SHA3-256' }, true, ['sign']), 'NotSupportedError');
    const base = await subtle.importKey('raw', randomData(32), 'HKDF', false, ['deriveKey']);
    const hkdf = { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: new Uint8Array(0) };
    await expectDomRejection(() => subtle.deriveKey(hkdf, base, { name: 'HMAC', hash: 'SHA3-256' }, true, ['sign']), 'NotSupportedError');
    const derived = await subtle.deriveKey(hkdf, base, { name: 'HMAC', hash: 'SHA3-256', length: 256 }, true, ['sign']);
    expect(derived.algorithm).toEqual({ name: 'HMAC', hash: { name: 'SHA3-256' }, length: 256 });
    const key = await subtle.generateKey({ name: 'HMAC', hash: 'SHA3-512', length: 512 }, true, ['sign']);
    const jwk = await subtle.exportKey('jwk', key);
    expect(jwk).toEqual({ kty: 'oct', k: expect.any(String), key_ops: ['sign'], ext: true });
    await expectDomRejection(() => subtle.importKey('jwk', { ...jwk, alg: 'HS512' }, { name: 'HMAC', hash: 'SHA3-512' }, true, ['sign']), 'DataError');
    const back = await subtle.importKey('jwk', jwk, { name: 'HMAC', hash: 'SHA3-512' }, true, ['sign']);
    expect(hex(await subtle.exportKey('raw', back) as ArrayBuffer)).toBe(hex(await subtle.exportKey('raw', key) as ArrayBuffer));
  });
});
