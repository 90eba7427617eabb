// jose (unchanged, from node_modules) on the polyfill, in both modes.
//
// jose's webapi build calls the global `crypto.subtle` and
// `crypto.getRandomValues` at every operation, so install() really puts it
// on our implementation; operationCounts(globalThis.crypto) rising under
// 'kernel' for HS256, A256GCM, A128KW, PBES2 ... proves it.
//
// The other side of each interop check is jose on Node's own WebCrypto:
// onNode() puts Node's globals back for the duration of one callback (jose
// reads the global at each call, so that run is jose on OpenSSL), and
// asserts that our counters did not move meanwhile. Keys cross between the
// two only as bytes or JWKs (each side imports its own CryptoKey); where the
// algorithm is deterministic (HS*, RS256, EdDSA, AES-KW, and AES-GCM/CBC with
// a fixed CEK and IV) both sides must produce the very same token.
//
// Strict mode: the symmetric algorithms pass exactly as in hybrid mode; the
// asymmetric ones reject with NotSupportedError (jose passes the
// DOMException through unchanged) when the key is generated or imported.
import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CryptoKey, operationCounts } from '../../src/index';
import type { Mode } from '../../src/webcrypto/dispatch';
import { randomData } from '../helpers/bytes';
import { requireAfAlg } from '../helpers/kernel';
import { installPolyfill, type InstalledPolyfill } from '../helpers/polyfill-globals';

type Counts = ReturnType<typeof operationCounts>;

const PAYLOAD = { sub: 'alice', scope: 'read write', n: 42 };
const IAT = 1_700_000_000;
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const PLAINTEXT = new TextEncoder().encode('jose on the kernel, and back');

describe.each<Mode>(['hybrid', 'strict'])('jose on the polyfill, %s mode', (mode) => {
  let polyfill: InstalledPolyfill;
  beforeAll(() => {
    requireAfAlg();
    polyfill = installPolyfill({ mode });
  });
  afterAll(() => polyfill?.uninstall());

  /** Runs work under the polyfill and returns what it added to our counters. */
  async function ours<T>(work: () => Promise<T>): Promise<[T, Counts]> {
    expect(globalThis.crypto).toBe(polyfill.crypto);
    const before = operationCounts(polyfill.crypto);
    const result = await work();
    const after = operationCounts(polyfill.crypto);
    const delta: Counts = { kernel: {}, platform: {} };
    for (const backend of ['kernel', 'platform'] as const)
      for (const [name, n] of Object.entries(after[backend]))
        if (n !== (before[backend][name] ?? 0)) delta[backend][name] = n - (before[backend][name] ?? 0);
    return [result, delta];
  }

  /** Runs work with jose on Node's WebCrypto; none of it may reach ours. */
  async function node<T>(work: () => Promise<T>): Promise<T> {
    const before = operationCounts(polyfill.crypto);
    const result = await polyfill.onNode(work);
    expect(operationCounts(polyfill.crypto)).toEqual(before);
    return result;
  }

  /** The kernel did the work and the platform none of it. */
  function expectKernelOnly(counts: Counts, ...names: string[]): void {
    expect(counts.platform).toEqual({});
    for (const name of names) expect(counts.kernel[name], `kernel ${name}`).toBeGreaterThan(0);
  }

  test('jose sees our globals', () => {
    expect(String(globalThis.crypto)).toBe('[object Crypto]');
    expect(globalThis.CryptoKey).toBe(CryptoKey);
  });

  // ---- JWS, symmetric: both modes ---------------------------------------------------------

  describe('JWS HS256/HS384/HS512 (HMAC in the kernel)', () => {
    test.each(['HS256', 'HS384', 'HS512'])('%s: same token as jose on Node; each verifies the other\'s', async (alg) => {
      const secret = randomData(64);
      const sign = () => new jose.SignJWT(PAYLOAD).setProtectedHeader({ alg }).setIssuedAt(IAT).sign(secret);
      const [token, counts] = await ours(sign);
      expectKernelOnly(counts, 'HMAC');
      const nodeToken = await node(sign);
      expect(token).toBe(nodeToken);

      const verified = await node(() => jose.jwtVerify(token, secret, { algorithms: [alg] }));
      expect(verified.payload).toMatchObject(PAYLOAD);
      const [mine, verifyCounts] = await ours(() => jose.jwtVerify(nodeToken, secret, { algorithms: [alg] }));
      expect(mine.payload).toEqual({ ...PAYLOAD, iat: IAT });
      expectKernelOnly(verifyCounts, 'HMAC');

      const [head, body, signature] = token.split('.');
      const forged = `${head}.${body}.${signature!.startsWith('A') ? 'B' : 'A'}${signature!.slice(1)}`;
      await expect(ours(() => jose.jwtVerify(forged, secret))).rejects.toBeInstanceOf(jose.errors.JWSSignatureVerificationFailed);
      await expect(ours(() => jose.jwtVerify(token, randomData(64)))).rejects.toBeInstanceOf(jose.errors.JWSSignatureVerificationFailed);
    });

    test('generateSecret(HS512) gives our kernel HMAC key', async () => {
      const [key, counts] = await ours(() => jose.generateSecret('HS512', { extractable: true }));
      expect(key).toBeInstanceOf(CryptoKey);
      expectKernelOnly(counts, 'HMAC');
      const token = await new jose.CompactSign(PLAINTEXT).setProtectedHeader({ alg: 'HS512' }).sign(key);
      const raw = await jose.exportJWK(key);
      const verified = await node(async () => jose.compactVerify(token, await jose.importJWK({ ...raw }, 'HS512')));
      expect(text(verified.payload)).toBe(text(PLAINTEXT));
    });
  });

  // ---- JWE, symmetric: both modes ---------------------------------------------------------

  interface SymmetricJwe {
    label: string;
    alg: string;
    enc: string;
    key: () => Uint8Array;
    kernel: string[];
    keyManagement?: () => jose.JWEKeyManagementHeaderParameters;
  }
  const CEK_BITS: Record<string, number> = { A128GCM: 128, A256GCM: 256, 'A128CBC-HS256': 256 };
  const IV_BYTES: Record<string, number> = { A128GCM: 12, A256GCM: 12, 'A128CBC-HS256': 16 };
  const SYMMETRIC_JWE: SymmetricJwe[] = [
    { label: 'dir + A128GCM', alg: 'dir', enc: 'A128GCM', key: () => randomData(16), kernel: ['AES-GCM'] },
    { label: 'dir + A256GCM', alg: 'dir', enc: 'A256GCM', key: () => randomData(32), kernel: ['AES-GCM'] },
    { label: 'dir + A128CBC-HS256', alg: 'dir', enc: 'A128CBC-HS256', key: () => randomData(32), kernel: ['AES-CBC', 'HMAC'] },
    { label: 'A128KW + A256GCM', alg: 'A128KW', enc: 'A256GCM', key: () => randomData(16), kernel: ['AES-KW', 'AES-GCM'] },
    { label: 'A256KW + A256GCM', alg: 'A256KW', enc: 'A256GCM', key: () => randomData(32), kernel: ['AES-KW', 'AES-GCM'] },
    { label: 'A128KW + A128CBC-HS256', alg: 'A128KW', enc: 'A128CBC-HS256', key: () => randomData(16), kernel: ['AES-KW', 'AES-CBC', 'HMAC'] },
    { label: 'A256KW + A128CBC-HS256', alg: 'A256KW', enc: 'A128CBC-HS256', key: () => randomData(32), kernel: ['AES-KW', 'AES-CBC', 'HMAC'] },
    {
      label: 'PBES2-HS256+A128KW + A128GCM', alg: 'PBES2-HS256+A128KW', enc: 'A128GCM',
      key: () => new TextEncoder().encode('correct horse battery staple'), kernel: ['PBKDF2', 'AES-KW', 'AES-GCM'],
      keyManagement: () => ({ p2s: randomData(16), p2c: 2048 }),
    },
  ];

  describe('JWE with symmetric key management (all in the kernel)', () => {
    test.each(SYMMETRIC_JWE)('$label: with the same CEK and IV, the same token as jose on Node; each decrypts the other\'s', async (c) => {
      const key = c.key();
      const cek = randomData(CEK_BITS[c.enc]! / 8);
      const iv = randomData(IV_BYTES[c.enc]!);
      const keyManagement = c.keyManagement?.();
      const encrypt = () => {
        const jwe = new jose.CompactEncrypt(PLAINTEXT).setProtectedHeader({ alg: c.alg, enc: c.enc }).setInitializationVector(iv);
        if (c.alg !== 'dir') jwe.setContentEncryptionKey(cek);
        if (keyManagement) jwe.setKeyManagementParameters(keyManagement);
        return jwe.encrypt(c.alg === 'dir' ? key.slice(0, CEK_BITS[c.enc]! / 8) : key);
      };
      const [token, counts] = await ours(encrypt);
      expectKernelOnly(counts, ...c.kernel);
      const nodeToken = await node(encrypt);
      expect(token).toBe(nodeToken);

      const decryptKey = c.alg === 'dir' ? key.slice(0, CEK_BITS[c.enc]! / 8) : key;
      // jose refuses PBES2 on decrypt unless the caller allows it by name.
      const allow = { keyManagementAlgorithms: [c.alg] };
      const theirs = await node(() => jose.compactDecrypt(token, decryptKey, allow));
      expect(text(theirs.plaintext)).toBe(text(PLAINTEXT));
      // A fresh token from Node (its own random CEK and IV), decrypted here.
      const fresh = await node(() => {
        const jwe = new jose.CompactEncrypt(PLAINTEXT).setProtectedHeader({ alg: c.alg, enc: c.enc });
        return jwe.encrypt(decryptKey);
      });
      const [mine, decryptCounts] = await ours(() => jose.compactDecrypt(fresh, decryptKey, allow));
      expect(text(mine.plaintext)).toBe(text(PLAINTEXT));
      expect(mine.protectedHeader).toMatchObject({ alg: c.alg, enc: c.enc });
      expectKernelOnly(decryptCounts, ...c.kernel);

      // Tampering with the ciphertext fails authentication here, as there.
      const parts = fresh.split('.');
      const ciphertext = jose.base64url.decode(parts[3]!);
      ciphertext[0]! ^= 1;
      parts[3] = jose.base64url.encode(ciphertext);
      await expect(ours(() => jose.compactDecrypt(parts.join('.'), decryptKey, allow))).rejects.toBeInstanceOf(jose.errors.JWEDecryptionFailed);
    });

    test('an encrypted JWT (A256KW + A256GCM) round trips and its claims check out', async () => {
      const key = randomData(32);
      const [token, counts] = await ours(() => new jose.EncryptJWT(PAYLOAD).setProtectedHeader({ alg: 'A256KW', enc: 'A256GCM' })
        .setIssuedAt().setExpirationTime('5m').setIssuer('urn:test').encrypt(key));
      expectKernelOnly(counts, 'AES-KW', 'AES-GCM');
      const here = await jose.jwtDecrypt(token, key, { issuer: 'urn:test' });
      const there = await node(() => jose.jwtDecrypt(token, key, { issuer: 'urn:test' }));
      expect(here.payload).toEqual(there.payload);
      expect(here.payload).toMatchObject(PAYLOAD);
    });
  });

  // ---- asymmetric: hybrid serves them from the platform, strict rejects ------------------

  interface Signer { alg: string; subtle: string; deterministic: boolean; options?: jose.GenerateKeyPairOptions }
  const SIGNERS: Signer[] = [
    { alg: 'ES256', subtle: 'ECDSA', deterministic: false },
    { alg: 'RS256', subtle: 'RSASSA-PKCS1-v1_5', deterministic: true },
    { alg: 'PS256', subtle: 'RSA-PSS', deterministic: false },
    { alg: 'EdDSA', subtle: 'Ed25519', deterministic: true },
  ];

  async function nodeSigned(alg: string) {
    return node(async () => {
      const pair = await jose.generateKeyPair(alg, { extractable: true });
      return {
        token: await new jose.SignJWT(PAYLOAD).setProtectedHeader({ alg }).setIssuedAt(IAT).sign(pair.privateKey),
        publicJwk: await jose.exportJWK(pair.publicKey),
      };
    });
  }

  if (mode === 'hybrid') {
    describe('JWS with asymmetric algorithms (the platform signs; keys are ours)', () => {
      test.each(SIGNERS)('$alg: tokens from here verify on Node and the other way round', async ({ alg, subtle, deterministic }) => {
        const [pair, genCounts] = await ours(() => jose.generateKeyPair(alg, { extractable: true }));
        expect(pair.privateKey).toBeInstanceOf(CryptoKey);
        expect(pair.publicKey).toBeInstanceOf(CryptoKey);
        expect(genCounts).toEqual({ kernel: {}, platform: { [subtle]: 1 } });
        const sign = (key: jose.CryptoKey) => new jose.SignJWT(PAYLOAD).setProtectedHeader({ alg }).setIssuedAt(IAT).sign(key);
        const [token, signCounts] = await ours(() => sign(pair.privateKey));
        expect(signCounts).toEqual({ kernel: {}, platform: { [subtle]: 1 } });

        const publicJwk = await jose.exportJWK(pair.publicKey);
        const privateJwk = await jose.exportJWK(pair.privateKey);
        const verified = await node(async () => jose.jwtVerify(token, await jose.importJWK({ ...publicJwk }, alg)));
        expect(verified.payload).toEqual({ ...PAYLOAD, iat: IAT });
        if (deterministic) {
          const nodeToken = await node(async () => sign(await jose.importJWK({ ...privateJwk }, alg) as jose.CryptoKey));
          expect(token).toBe(nodeToken);
        }

        const fromNode = await nodeSigned(alg);
        const [mine, verifyCounts] = await ours(async () => jose.jwtVerify(fromNode.token, await jose.importJWK(fromNode.publicJwk, alg)));
        expect(mine.payload).toEqual({ ...PAYLOAD, iat: IAT });
        expect(verifyCounts.kernel).toEqual({});
        expect(verifyCounts.platform[subtle]).toBe(2); // importKey, verify
        // Someone else's key does not verify it.
        await expect(ours(() => jose.jwtVerify(fromNode.token, pair.publicKey))).rejects.toBeInstanceOf(jose.errors.JWSSignatureVerificationFailed);
      });

      test('a PEM key pair (importPKCS8/importSPKI) works too', async () => {
        const pem = await node(async () => {
          const pair = await jose.generateKeyPair('ES256', { extractable: true });
          return { pkcs8: await jose.exportPKCS8(pair.privateKey), spki: await jose.exportSPKI(pair.publicKey) };
        });
        const privateKey = await jose.importPKCS8(pem.pkcs8, 'ES256', { extractable: true });
        expect(privateKey).toBeInstanceOf(CryptoKey);
        expect(await jose.exportPKCS8(privateKey)).toBe(pem.pkcs8);
        const token = await new jose.SignJWT(PAYLOAD).setProtectedHeader({ alg: 'ES256' }).sign(privateKey);
        const verified = await node(async () => jose.jwtVerify(token, await jose.importSPKI(pem.spki, 'ES256')));
        expect(verified.payload).toEqual(PAYLOAD);
      });
    });

    interface AsymmetricJwe { label: string; alg: string; enc: string; options?: jose.GenerateKeyPairOptions; platform: string; kernel: string[] }
    const ASYMMETRIC_JWE: AsymmetricJwe[] = [
      { label: 'ECDH-ES (P-256) + A256GCM', alg: 'ECDH-ES', enc: 'A256GCM', platform: 'ECDH', kernel: ['SHA-256', 'AES-GCM'] },
      { label: 'ECDH-ES+A256KW (P-256) + A128CBC-HS256', alg: 'ECDH-ES+A256KW', enc: 'A128CBC-HS256', platform: 'ECDH', kernel: ['SHA-256', 'AES-KW', 'AES-CBC', 'HMAC'] },
      { label: 'ECDH-ES+A256KW (X25519) + A256GCM', alg: 'ECDH-ES+A256KW', enc: 'A256GCM', options: { crv: 'X25519' }, platform: 'X25519', kernel: ['SHA-256', 'AES-KW', 'AES-GCM'] },
      { label: 'RSA-OAEP-256 + A256GCM', alg: 'RSA-OAEP-256', enc: 'A256GCM', platform: 'RSA-OAEP', kernel: ['AES-GCM'] },
    ];

    describe('JWE with asymmetric key management (platform) and content encryption (kernel)', () => {
      test.each(ASYMMETRIC_JWE)('$label: encrypted here, decrypted on Node, and the other way round', async (c) => {
        const pair = await jose.generateKeyPair(c.alg, { ...c.options, extractable: true });
        expect(pair.privateKey).toBeInstanceOf(CryptoKey);
        const [token, counts] = await ours(() =>
          new jose.CompactEncrypt(PLAINTEXT).setProtectedHeader({ alg: c.alg, enc: c.enc }).encrypt(pair.publicKey));
        expect(counts.platform[c.platform], `platform ${c.platform}`).toBeGreaterThan(0);
        for (const name of c.kernel) expect(counts.kernel[name], `kernel ${name}`).toBeGreaterThan(0);

        const privateJwk = await jose.exportJWK(pair.privateKey);
        const publicJwk = await jose.exportJWK(pair.publicKey);
        const theirs = await node(async () => jose.compactDecrypt(token, await jose.importJWK({ ...privateJwk }, c.alg)));
        expect(text(theirs.plaintext)).toBe(text(PLAINTEXT));

        const fromNode = await node(async () =>
          new jose.CompactEncrypt(PLAINTEXT).setProtectedHeader({ alg: c.alg, enc: c.enc }).encrypt(await jose.importJWK({ ...publicJwk }, c.alg)));
        const [mine, decryptCounts] = await ours(() => jose.compactDecrypt(fromNode, pair.privateKey));
        expect(text(mine.plaintext)).toBe(text(PLAINTEXT));
        expect(decryptCounts.platform[c.platform], `platform ${c.platform}`).toBeGreaterThan(0);
        for (const name of c.kernel) expect(decryptCounts.kernel[name], `kernel ${name}`).toBeGreaterThan(0);
      });
    });
  } else {
    describe('asymmetric algorithms reject with NotSupportedError, the symmetric ones above still work', () => {
      /** jose passes the DOMException through: NotSupportedError naming the WebCrypto algorithm. */
      async function expectNotSupported(promise: Promise<unknown>, subtle: string): Promise<void> {
        const error = await promise.then(() => undefined, (e: unknown) => e);
        expect(error, 'the promise should reject').toBeInstanceOf(DOMException);
        expect((error as DOMException).name).toBe('NotSupportedError');
        expect((error as DOMException).message).toContain(subtle);
        expect((error as DOMException).message).toMatch(/strict mode/);
      }

      test.each(SIGNERS)('$alg: generateKeyPair and importJWK of a token signer\'s key reject; the platform is never used', async ({ alg, subtle }) => {
        const fromNode = await nodeSigned(alg);
        const [, counts] = await ours(async () => {
          await expectNotSupported(jose.generateKeyPair(alg), subtle);
          await expectNotSupported(jose.importJWK(fromNode.publicJwk, alg), subtle);
          await expectNotSupported(jose.jwtVerify(fromNode.token, fromNode.publicJwk), subtle);
        });
        expect(counts).toEqual({ kernel: {}, platform: {} });
      });

      test.each([
        { alg: 'ECDH-ES', subtle: 'ECDH', options: {} },
        { alg: 'ECDH-ES+A256KW', subtle: 'X25519', options: { crv: 'X25519' } },
        { alg: 'RSA-OAEP-256', subtle: 'RSA-OAEP', options: {} },
      ])('$alg ($subtle): generating the recipient key or importing Node\'s rejects', async ({ alg, subtle, options }) => {
        const publicJwk = await node(async () => jose.exportJWK((await jose.generateKeyPair(alg, options)).publicKey));
        await expectNotSupported(jose.generateKeyPair(alg, options), subtle);
        await expectNotSupported(jose.importJWK(publicJwk, alg), subtle);
        await expectNotSupported(new jose.CompactEncrypt(PLAINTEXT).setProtectedHeader({ alg, enc: 'A256GCM' }).encrypt(publicJwk), subtle);
        expect(operationCounts(polyfill.crypto).platform).toEqual({});
      });
    });
  }

  test('no operation of this mode ever reached the platform unless hybrid asked for it', () => {
    const counts = operationCounts(polyfill.crypto);
    if (mode === 'strict') expect(counts.platform).toEqual({});
    else expect(Object.keys(counts.platform).sort()).toEqual(['ECDH', 'ECDSA', 'Ed25519', 'RSA-OAEP', 'RSA-PSS', 'RSASSA-PKCS1-v1_5', 'X25519']);
    for (const name of ['HMAC', 'AES-GCM', 'AES-CBC', 'AES-KW', 'PBKDF2']) expect(counts.kernel[name], name).toBeGreaterThan(0);
  });
});
