// Keys held in kernel keyrings (ALG_SET_KEY_BY_KEY_SERIAL, Linux 6.2+): the
// bytes stay in the kernel, and results must equal those of the same key
// imported the ordinary way (and Node's).
import { release } from 'node:os';
import { afterAll, describe, expect, test } from 'vitest';
import { binding } from '../../src/kernel/binding';
import { KEYRINGS } from '../../src/kernel/kernel-key';
import { importKeyringKey, moveKeyToKeyring } from '../../src/keyring';
import { createCrypto } from '../../src/webcrypto/crypto';
import type { CryptoKey } from '../../src/webcrypto/crypto-key';
import { nodeSubtle } from '../helpers/oracles';

const subtle = createCrypto({ mode: 'strict' }).subtle;
const [major, minor] = release().split('.').map(Number) as [number, number];
const keyringKeysWork = major > 6 || (major === 6 && minor >= 2);
const added: number[] = [];

function addKey(type: 'user' | 'logon', description: string, payload: Uint8Array): number {
  const serial = binding().addKey(type, description, payload, KEYRINGS.process);
  added.push(serial);
  return serial;
}

const hex = (buffer: ArrayBuffer) => Buffer.from(buffer).toString('hex');
const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));

afterAll(() => {
  for (const serial of added) {
    try {
      binding().revokeKey(serial, KEYRINGS.process);
    } catch {
      // already revoked by a test
    }
  }
});

// Kernels before 6.2 cannot take keys by serial: there the tests below are
// not defined, and the version check at the end asserts the refusal instead
// (CI runs this file on 6.12 and on bookworm's 6.1).
if (keyringKeysWork) describe(`keyring keys on Linux ${release()}`, () => {
  test.each([128, 192, 256])('AES-GCM %i from a logon key gives the bytes of the same raw key', async (bits) => {
    const raw = random(bits / 8);
    const serial = addKey('logon', `afalg-test:gcm${bits}`, raw);
    const key = await importKeyringKey({ serial }, { name: 'AES-GCM', length: bits }, ['encrypt', 'decrypt']);
    expect(key.extractable).toBe(false);
    expect(key.algorithm).toEqual({ name: 'AES-GCM', length: bits });
    const params = { name: 'AES-GCM', iv: random(12), additionalData: random(5) };
    const data = random(1000);
    const reference = await nodeSubtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt']);
    const sealed = await subtle.encrypt(params, key, data);
    expect(hex(sealed)).toBe(hex(await nodeSubtle.encrypt(params, reference, data)));
    expect(hex(await subtle.decrypt(params, key, sealed))).toBe(hex(data.buffer));
  });

  test('HMAC from a user key found by description signs like the raw key', async () => {
    const raw = random(32);
    addKey('user', 'afalg-test:hmac', raw);
    const key = await importKeyringKey({ description: 'afalg-test:hmac', type: 'user', keyring: 'process' },
      { name: 'HMAC', hash: 'SHA-256', length: 256 }, ['sign', 'verify']);
    const reference = await nodeSubtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const data = random(77);
    const mac = await subtle.sign('HMAC', key, data);
    expect(hex(mac)).toBe(hex(await nodeSubtle.sign('HMAC', reference, data)));
    expect(await subtle.verify('HMAC', key, mac, data)).toBe(true);
  });

  test('AES-CBC, AES-CTR and AES-KW keys come from keyrings too', async () => {
    const raw = random(16);
    const serial = addKey('logon', 'afalg-test:multi', raw);
    const cbc = await importKeyringKey({ serial }, { name: 'AES-CBC', length: 128 }, ['encrypt']);
    const iv = random(16);
    const data = random(40);
    const reference = await nodeSubtle.importKey('raw', raw, 'AES-CBC', false, ['encrypt']);
    expect(hex(await subtle.encrypt({ name: 'AES-CBC', iv }, cbc, data)))
      .toBe(hex(await nodeSubtle.encrypt({ name: 'AES-CBC', iv }, reference, data)));
    const kw = await importKeyringKey({ serial }, { name: 'AES-KW', length: 128 }, ['wrapKey']);
    const wrapped = await subtle.wrapKey('raw', await subtle.importKey('raw', random(16), 'AES-CTR', true, ['encrypt']), kw, 'AES-KW');
    expect(wrapped.byteLength).toBe(24);
  });

  test('a wrong serial, a revoked key and a payload of the wrong size reject with DataError at import', async () => {
    await expect(importKeyringKey({ serial: 1 }, { name: 'AES-GCM', length: 256 }, ['encrypt']))
      .rejects.toMatchObject({ name: 'DataError' });
    const wrongSize = addKey('logon', 'afalg-test:17', random(17));
    await expect(importKeyringKey({ serial: wrongSize }, { name: 'AES-GCM', length: 128 }, ['encrypt']))
      .rejects.toMatchObject({ name: 'DataError' });
    const revoked = addKey('logon', 'afalg-test:revoked', random(16));
    binding().revokeKey(revoked, KEYRINGS.process);
    await expect(importKeyringKey({ serial: revoked }, { name: 'AES-GCM', length: 128 }, ['encrypt']))
      .rejects.toMatchObject({ name: 'DataError', message: expect.stringContaining('EKEYREVOKED') });
    await expect(importKeyringKey({ description: 'afalg-test:nosuch', keyring: 'process' }, { name: 'AES-GCM', length: 128 }, ['encrypt']))
      .rejects.toMatchObject({ name: 'DataError' });
  });

  test('usages and algorithms are checked as for importKey', async () => {
    const serial = addKey('logon', 'afalg-test:usage', random(32));
    await expect(importKeyringKey({ serial }, { name: 'AES-GCM', length: 256 }, ['sign']))
      .rejects.toMatchObject({ name: 'SyntaxError' });
    await expect(importKeyringKey({ serial }, { name: 'HKDF' }, ['deriveBits']))
      .rejects.toMatchObject({ name: 'NotSupportedError' });
  });

  test('moveKeyToKeyring takes a non-extractable key out of process memory and it keeps working', async () => {
    const key = await subtle.generateKey({ name: 'HMAC', hash: 'SHA-512' }, false, ['sign']) as CryptoKey;
    const data = random(10);
    const before = hex(await subtle.sign('HMAC', key, data));
    const serial = moveKeyToKeyring(key, { keyring: 'process', description: 'afalg-test:moved' });
    added.push(serial);
    expect(serial).toBeGreaterThan(0);
    expect(binding().searchKey('logon', 'afalg-test:moved', KEYRINGS.process)).toBe(serial);
    expect(hex(await subtle.sign('HMAC', key, data))).toBe(before);
    const extractable = await subtle.generateKey({ name: 'AES-GCM', length: 128 }, true, ['encrypt']) as CryptoKey;
    expect(() => moveKeyToKeyring(extractable)).toThrow(expect.objectContaining({ name: 'InvalidAccessError' }));
  });
});

describe(`keyring support on Linux ${release()}`, () => {
  test('import works from 6.2 on, and before 6.2 rejects with NotSupportedError naming the requirement', async () => {
    const serial = addKey('logon', 'afalg-test:version', random(16));
    const imported = importKeyringKey({ serial }, { name: 'AES-GCM', length: 128 }, ['encrypt']);
    if (keyringKeysWork) await expect(imported).resolves.toMatchObject({ type: 'secret', extractable: false });
    else await expect(imported).rejects.toMatchObject({ name: 'NotSupportedError', message: expect.stringContaining('6.2') });
  });
});
