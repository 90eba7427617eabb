// Strict mode: only the kernel. Every symmetric algorithm works (checked
// against Node's bytes) and is counted under 'kernel'; every asymmetric one
// rejects with NotSupportedError naming the algorithm and saying why, and
// the platform's WebCrypto is never called. The register entry honours
// AFALG_WEBCRYPTO_MODE=strict, and a mode that is neither 'hybrid' nor
// 'strict' fails loudly instead of quietly picking one.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createCrypto, CryptoKey, install, operationCounts, servingBackends, type CryptoKeyPair } from '../../src/index';
import { ASYMMETRIC_ALGORITHMS } from '../../src/webcrypto/platform';
import { REGISTRY } from '../../src/webcrypto/registry';
import { buildPackage, report, type BuiltPackage } from '../helpers/built-package';
import { hex, randomData } from '../helpers/bytes';
import { requireAfAlg } from '../helpers/kernel';
import { nodeSubtle } from '../helpers/oracles';
import { expectDomRejection } from '../helpers/outcomes';

beforeAll(() => requireAfAlg());

const crypto = createCrypto({ mode: 'strict' });
const subtle = crypto.subtle;
const MESSAGE = new TextEncoder().encode('strict: the kernel or nothing');

/** Node's SubtleCrypto behind a proxy that records every method called on it. */
function spiedPlatform(): { platform: globalThis.SubtleCrypto; calls: string[] } {
  const calls: string[] = [];
  const platform = new Proxy(nodeSubtle, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(property));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { platform: platform as unknown as globalThis.SubtleCrypto, calls };
}

/** The rejection is a NotSupportedError that names the algorithm and says why (no AF_ALG path; use hybrid). */
async function expectStrictRejection(call: () => unknown, name: string): Promise<void> {
  const error = await expectDomRejection(call, 'NotSupportedError');
  expect(error.message).toContain(name);
  expect(error.message).toMatch(/strict mode/);
  expect(error.message).toMatch(/AF_ALG/);
  expect(error.message).toMatch(/asymmetric/);
  expect(error.message).toMatch(/hybrid/);
}

// ---- the symmetric algorithms work, in the kernel -----------------------------------

describe('strict mode serves every symmetric algorithm from the kernel, with Node\'s bytes', () => {
  test.each(['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'])('digest %s', async (hash) => {
    expect(hex(await subtle.digest(hash, MESSAGE))).toBe(hex(await nodeSubtle.digest(hash, MESSAGE)));
  });

  test('HMAC generateKey, sign, verify, export', async () => {
    const key = await subtle.generateKey({ name: 'HMAC', hash: 'SHA-384' }, true, ['sign', 'verify']) as CryptoKey;
    const mac = await subtle.sign('HMAC', key, MESSAGE);
    expect(await subtle.verify('HMAC', key, mac, MESSAGE)).toBe(true);
    const nodeKey = await nodeSubtle.importKey('raw', await subtle.exportKey('raw', key) as ArrayBuffer,
      { name: 'HMAC', hash: 'SHA-384' }, false, ['sign']);
    expect(hex(mac)).toBe(hex(await nodeSubtle.sign('HMAC', nodeKey, MESSAGE)));
  });

  const CIPHERS = [
    { name: 'AES-CBC', params: () => ({ name: 'AES-CBC', iv: randomData(16) }) },
    { name: 'AES-CTR', params: () => ({ name: 'AES-CTR', counter: randomData(16), length: 32 }) },
    { name: 'AES-GCM', params: () => ({ name: 'AES-GCM', iv: randomData(12), additionalData: randomData(7), tagLength: 96 }) },
  ];
  test.each(CIPHERS)('$name encrypt and decrypt', async ({ name, params }) => {
    const raw = randomData(32);
    const key = await subtle.importKey('raw', raw, name, false, ['encrypt', 'decrypt']);
    const nodeKey = await nodeSubtle.importKey('raw', raw, name, false, ['encrypt']);
    const p = params();
    const data = randomData(1000);
    const sealed = await subtle.encrypt(p, key, data);
    expect(hex(sealed)).toBe(hex(await nodeSubtle.encrypt(p, nodeKey, data)));
    expect(hex(await subtle.decrypt(p, key, sealed))).toBe(hex(data));
  });

  test('AES-KW wraps a raw AES key, and AES-GCM wraps one through encrypt', async () => {
    const kwRaw = randomData(16);
    const kw = await subtle.importKey('raw', kwRaw, 'AES-KW', false, ['wrapKey', 'unwrapKey']);
    const nodeKw = await nodeSubtle.importKey('raw', kwRaw, 'AES-KW', false, ['wrapKey']);
    const secret = randomData(32);
    const inner = await subtle.importKey('raw', secret, 'AES-CTR', true, ['encrypt']);
    const nodeInner = await nodeSubtle.importKey('raw', secret, 'AES-CTR', true, ['encrypt']);
    const wrapped = await subtle.wrapKey('raw', inner, kw, 'AES-KW');
    expect(hex(wrapped)).toBe(hex(await nodeSubtle.wrapKey('raw', nodeInner, nodeKw, 'AES-KW')));
    const unwrapped = await subtle.unwrapKey('raw', wrapped, kw, 'AES-KW', 'AES-CTR', true, ['encrypt']);
    expect(hex(await subtle.exportKey('raw', unwrapped) as ArrayBuffer)).toBe(hex(secret));

    const gcm = await subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['wrapKey', 'unwrapKey']) as CryptoKey;
    const iv = randomData(12);
    const jwkWrapped = await subtle.wrapKey('jwk', inner, gcm, { name: 'AES-GCM', iv });
    const back = await subtle.unwrapKey('jwk', jwkWrapped, gcm, { name: 'AES-GCM', iv }, 'AES-CTR', true, ['encrypt']);
    expect(hex(await subtle.exportKey('raw', back) as ArrayBuffer)).toBe(hex(secret));
  });

  test('PBKDF2 and HKDF deriveBits, and deriveKey into AES-GCM', async () => {
    const password = new TextEncoder().encode('correct horse battery staple');
    const pbkdf2 = { name: 'PBKDF2', hash: 'SHA-256', salt: randomData(16), iterations: 1000 };
    const base = await subtle.importKey('raw', password, 'PBKDF2', false, ['deriveBits', 'deriveKey']);
    const nodeBase = await nodeSubtle.importKey('raw', password, 'PBKDF2', false, ['deriveBits']);
    const bits = await subtle.deriveBits(pbkdf2, base, 256);
    expect(hex(bits)).toBe(hex(await nodeSubtle.deriveBits(pbkdf2, nodeBase, 256)));
    const aes = await subtle.deriveKey(pbkdf2, base, { name: 'AES-GCM', length: 256 }, true, ['encrypt']);
    expect(hex(await subtle.exportKey('raw', aes) as ArrayBuffer)).toBe(hex(bits));

    const hkdf = { name: 'HKDF', hash: 'SHA-512', salt: randomData(32), info: randomData(10) };
    const ikm = await subtle.importKey('raw', bits, 'HKDF', false, ['deriveBits']);
    const nodeIkm = await nodeSubtle.importKey('raw', bits, 'HKDF', false, ['deriveBits']);
    expect(hex(await subtle.deriveBits(hkdf, ikm, 640))).toBe(hex(await nodeSubtle.deriveBits(hkdf, nodeIkm, 640)));
  });

  test('getRandomValues and randomUUID work', () => {
    const a = crypto.getRandomValues(new Uint8Array(64));
    expect(new Set(a).size).toBeGreaterThan(1);
    expect(crypto.randomUUID()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test('everything above was counted under kernel, nothing under platform', () => {
    const counts = operationCounts(crypto);
    expect(counts.platform).toEqual({});
    for (const name of ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512', 'HMAC', 'AES-CBC', 'AES-CTR', 'AES-GCM', 'AES-KW', 'PBKDF2', 'HKDF'])
      expect(counts.kernel[name], name).toBeGreaterThan(0);
  });
});

// ---- the asymmetric algorithms reject, and the platform is never asked ------------------

const GENERATE: Record<string, { params: Record<string, unknown>; usages: KeyUsage[] }> = {
  'RSASSA-PKCS1-v1_5': { params: { modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, usages: ['sign'] },
  'RSA-PSS': { params: { modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, usages: ['sign'] },
  'RSA-OAEP': { params: { modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, usages: ['decrypt'] },
  ECDSA: { params: { namedCurve: 'P-256' }, usages: ['sign'] },
  ECDH: { params: { namedCurve: 'P-256' }, usages: ['deriveBits'] },
  Ed25519: { params: {}, usages: ['sign'] },
  X25519: { params: {}, usages: ['deriveBits'] },
  Ed448: { params: {}, usages: ['sign'] },
  X448: { params: {}, usages: ['deriveBits'] },
};

describe('strict mode rejects every asymmetric algorithm with NotSupportedError saying why', () => {
  test('the table covers every algorithm the library calls asymmetric', () => {
    expect(Object.keys(GENERATE).sort()).toEqual([...ASYMMETRIC_ALGORITHMS].sort());
  });

  test.each(ASYMMETRIC_ALGORITHMS)('%s: generateKey and importKey reject; the platform is never called', async (name) => {
    const { platform, calls } = spiedPlatform();
    const strict = createCrypto({ mode: 'strict', platform });
    const { params, usages } = GENERATE[name]!;
    await expectStrictRejection(() => strict.subtle.generateKey({ name, ...params }, true, usages), name);
    await expectStrictRejection(() => strict.subtle.importKey('spki', randomData(91), { name, ...params }, true, []), name);
    await expectStrictRejection(() => strict.subtle.importKey('jwk', { kty: 'EC' }, { name, ...params }, true, []), name);
    expect(calls).toEqual([]);
    expect(operationCounts(strict)).toEqual({ kernel: {}, platform: {} });
  });

  test('the message names the algorithm as the caller spelled it', async () => {
    await expectStrictRejection(() => subtle.generateKey({ name: 'ecdsa', namedCurve: 'P-256' }, false, ['sign']), 'ecdsa');
    await expectStrictRejection(() => subtle.generateKey('Ed25519', false, ['sign']), 'Ed25519');
  });

  describe('operations on keys a hybrid Crypto made', () => {
    const hybrid = createCrypto({ mode: 'hybrid' });
    let ecdsa: CryptoKeyPair;
    let ecdh: CryptoKeyPair;
    let rsa: CryptoKeyPair;
    beforeAll(async () => {
      ecdsa = await hybrid.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']) as CryptoKeyPair;
      ecdh = await hybrid.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits', 'deriveKey']) as CryptoKeyPair;
      rsa = await hybrid.subtle.generateKey({ name: 'RSA-OAEP', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
        true, ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey']) as CryptoKeyPair;
    });

    test('sign, verify, encrypt, decrypt, deriveBits, deriveKey reject naming the algorithm', async () => {
      await expectStrictRejection(() => subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, ecdsa.privateKey, MESSAGE), 'ECDSA');
      await expectStrictRejection(() => subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, ecdsa.publicKey, new Uint8Array(64), MESSAGE), 'ECDSA');
      await expectStrictRejection(() => subtle.encrypt({ name: 'RSA-OAEP' }, rsa.publicKey, MESSAGE), 'RSA-OAEP');
      await expectStrictRejection(() => subtle.decrypt({ name: 'RSA-OAEP' }, rsa.privateKey, new Uint8Array(256)), 'RSA-OAEP');
      await expectStrictRejection(() => subtle.deriveBits({ name: 'ECDH', public: ecdh.publicKey }, ecdh.privateKey, 256), 'ECDH');
      await expectStrictRejection(() => subtle.deriveKey({ name: 'ECDH', public: ecdh.publicKey }, ecdh.privateKey,
        { name: 'AES-GCM', length: 256 }, false, ['encrypt']), 'ECDH');
    });

    test('wrapKey with RSA-OAEP, unwrapKey into ECDSA: NotSupportedError naming the asymmetric algorithm', async () => {
      const aes = await subtle.generateKey({ name: 'AES-GCM', length: 128 }, true, ['encrypt']) as CryptoKey;
      await expectStrictRejection(() => subtle.wrapKey('raw', aes, rsa.publicKey, { name: 'RSA-OAEP' }), 'RSA-OAEP');
      const kw = await subtle.generateKey({ name: 'AES-KW', length: 128 }, false, ['unwrapKey']) as CryptoKey;
      await expectStrictRejection(() => subtle.unwrapKey('pkcs8', randomData(144), kw, 'AES-KW',
        { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']), 'ECDSA');
    });

    test('exportKey, or wrapping with a kernel key, of a platform key: NotSupportedError (strict mode never asks the platform)', async () => {
      const exportError = await expectDomRejection(() => subtle.exportKey('spki', ecdsa.publicKey), 'NotSupportedError');
      expect(exportError.message).toContain('ECDSA');
      expect(exportError.message).toMatch(/strict mode/);
      const kw = await subtle.generateKey({ name: 'AES-KW', length: 128 }, false, ['wrapKey']) as CryptoKey;
      const wrapError = await expectDomRejection(() => subtle.wrapKey('pkcs8', ecdsa.privateKey, kw, 'AES-KW'), 'NotSupportedError');
      expect(wrapError.message).toContain('ECDSA');
    });
  });

  test('an unknown algorithm is NotSupportedError too, without the asymmetric explanation', async () => {
    const error = await expectDomRejection(() => subtle.generateKey({ name: 'NO-SUCH-ALG' }, false, ['sign']), 'NotSupportedError');
    expect(error.message).toContain('NO-SUCH-ALG');
    expect(error.message).not.toMatch(/asymmetric/);
  });

  test('in hybrid mode the same calls reach the platform (the contrast)', async () => {
    const { platform, calls } = spiedPlatform();
    const hybrid = createCrypto({ mode: 'hybrid', platform });
    const pair = await hybrid.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']) as CryptoKeyPair;
    expect(pair.privateKey).toBeInstanceOf(CryptoKey);
    await hybrid.subtle.digest('SHA-256', MESSAGE);
    expect(calls).toEqual(['generateKey']);
    expect(operationCounts(hybrid)).toEqual({ kernel: { 'SHA-256': 1 }, platform: { ECDSA: 1 } });
  });
});

// ---- servingBackends ----------------------------------------------------------------------

test('servingBackends in strict mode: every registered algorithm from the kernel, every asymmetric one unavailable', () => {
  expect(servingBackends(crypto)).toEqual([
    ...REGISTRY.map((row) => ({ algorithm: row.name, servedBy: 'kernel', kernel: row.kernel })),
    ...ASYMMETRIC_ALGORITHMS.map((algorithm) => ({ algorithm, servedBy: 'unavailable', kernel: [] })),
  ]);
});

// ---- choosing the mode: option and environment ------------------------------------------

describe('choosing the mode', () => {
  const saved = process.env.AFALG_WEBCRYPTO_MODE;
  afterEach(() => {
    if (saved === undefined) delete process.env.AFALG_WEBCRYPTO_MODE;
    else process.env.AFALG_WEBCRYPTO_MODE = saved;
  });

  test('AFALG_WEBCRYPTO_MODE=strict makes createCrypto() strict; hybrid, empty or unset make it hybrid', async () => {
    process.env.AFALG_WEBCRYPTO_MODE = 'strict';
    await expectStrictRejection(() => createCrypto().subtle.generateKey('Ed25519', false, ['sign']), 'Ed25519');
    for (const value of ['hybrid', '', undefined]) {
      if (value === undefined) delete process.env.AFALG_WEBCRYPTO_MODE;
      else process.env.AFALG_WEBCRYPTO_MODE = value;
      const pair = await createCrypto().subtle.generateKey('Ed25519', false, ['sign']) as CryptoKeyPair;
      expect(pair.privateKey).toBeInstanceOf(CryptoKey);
    }
  });

  test('the option wins over the environment', async () => {
    process.env.AFALG_WEBCRYPTO_MODE = 'strict';
    expect(await createCrypto({ mode: 'hybrid' }).subtle.generateKey('Ed25519', false, ['sign'])).toHaveProperty('privateKey');
    process.env.AFALG_WEBCRYPTO_MODE = 'hybrid';
    await expectStrictRejection(() => createCrypto({ mode: 'strict' }).subtle.generateKey('Ed25519', false, ['sign']), 'Ed25519');
  });

  test.each(['bogus', 'STRICT', 'Hybrid', ' strict'])('an invalid mode %j fails loudly: TypeError naming it (option, environment, install)', (value) => {
    expect(() => createCrypto({ mode: value as never })).toThrow(TypeError);
    expect(() => createCrypto({ mode: value as never })).toThrow(`'${value}'`);
    process.env.AFALG_WEBCRYPTO_MODE = value;
    expect(() => createCrypto()).toThrow(TypeError);
    expect(() => createCrypto()).toThrow(`'${value}'`);
    const before = globalThis.crypto;
    expect(() => install()).toThrow(`'${value}'`);
    expect(globalThis.crypto).toBe(before); // a failed install leaves the globals alone
  });
});

// ---- the register entry in a child process ---------------------------------------------------

describe('node --import ./esm/register.mjs (the built package, in a child process)', () => {
  let pkg: BuiltPackage;
  beforeAll(() => {
    pkg = buildPackage();
  }, 600_000);
  afterAll(() => pkg?.remove());

  // Runs on the globals the register entry installed, as an app would, and
  // reports what it saw in one JSON line.
  const script = `
    import { CryptoKey, operationCounts, servingBackends } from 'afalg-webcrypto';
    const subtle = globalThis.crypto.subtle;
    const out = { tag: String(globalThis.crypto), ourCryptoKey: globalThis.CryptoKey === CryptoKey };
    out.digest = Buffer.from(await subtle.digest('SHA-256', new TextEncoder().encode('abc'))).toString('hex');
    const aes = await subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    const iv = globalThis.crypto.getRandomValues(new Uint8Array(12));
    const sealed = await subtle.encrypt({ name: 'AES-GCM', iv }, aes, new TextEncoder().encode('hi'));
    out.roundTrip = new TextDecoder().decode(await subtle.decrypt({ name: 'AES-GCM', iv }, aes, sealed));
    try {
      const pair = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
      out.ecdsa = { ok: pair.privateKey instanceof CryptoKey };
    } catch (error) {
      out.ecdsa = { name: error.name, message: error.message };
    }
    out.servedBy = Object.fromEntries(servingBackends(globalThis.crypto).map((row) => [row.algorithm, row.servedBy]));
    out.counts = operationCounts(globalThis.crypto);
    console.log(JSON.stringify(out));`;
  const run = (mode: string | undefined) =>
    pkg.node(['--import', './esm/register.mjs', '--input-type=module', '-e', script], { AFALG_WEBCRYPTO_MODE: mode });

  interface Report {
    tag: string;
    ourCryptoKey: boolean;
    digest: string;
    roundTrip: string;
    ecdsa: { ok?: boolean; name?: string; message?: string };
    servedBy: Record<string, string>;
    counts: { kernel: Record<string, number>; platform: Record<string, number> };
  }
  const SHA256_ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

  test('AFALG_WEBCRYPTO_MODE=strict: globalThis.crypto is ours and strict', () => {
    const result = report<Report>(run('strict'));
    expect(result).toMatchObject({ tag: '[object Crypto]', ourCryptoKey: true, digest: SHA256_ABC, roundTrip: 'hi' });
    expect(result.ecdsa.name).toBe('NotSupportedError');
    expect(result.ecdsa.message).toContain('ECDSA');
    expect(result.ecdsa.message).toMatch(/strict mode/);
    expect(result.servedBy).toMatchObject({ 'SHA-256': 'kernel', 'AES-GCM': 'kernel', ECDSA: 'unavailable', Ed25519: 'unavailable' });
    expect(result.counts).toEqual({ kernel: { 'SHA-256': 1, 'AES-GCM': 3 }, platform: {} });
  });

  test('unset: hybrid, so ECDSA comes from the platform as our CryptoKey', () => {
    const result = report<Report>(run(undefined));
    expect(result).toMatchObject({ tag: '[object Crypto]', ourCryptoKey: true, digest: SHA256_ABC, roundTrip: 'hi', ecdsa: { ok: true } });
    expect(result.servedBy).toMatchObject({ 'SHA-256': 'kernel', 'AES-GCM': 'kernel', ECDSA: 'platform', Ed25519: 'platform' });
    expect(result.counts).toEqual({ kernel: { 'SHA-256': 1, 'AES-GCM': 3 }, platform: { ECDSA: 1 } });
  });

  test('AFALG_WEBCRYPTO_MODE=bogus: the process fails at startup with a TypeError naming the value', () => {
    const result = run('bogus');
    expect(result.status).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/TypeError/);
    expect(result.stderr).toContain("'bogus'");
  });
});
