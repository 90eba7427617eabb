// iron-webcrypto (unchanged, from node_modules) on the polyfill, in both
// modes. Iron takes the WebCrypto object as its first argument, so the app
// code is `Iron.seal(crypto, ...)` with the global `crypto`: installed, that
// is ours. Its cryptography is all symmetric (PBKDF2 to stretch the
// password, AES-256-CBC or AES-128-CTR to encrypt, HMAC-SHA256 to
// authenticate), so it must work the same in hybrid and strict mode, with
// every operation counted under 'kernel'.
//
// Interop: Node's own WebCrypto (node:crypto's webcrypto, passed explicitly
// as iron's crypto argument) unseals what we sealed, and we unseal what it
// sealed; our counters must not move while Node works.
import { webcrypto } from 'node:crypto';
import * as Iron from 'iron-webcrypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { operationCounts } from '../../src/index';
import type { Mode } from '../../src/webcrypto/dispatch';
import { randomData } from '../helpers/bytes';
import { requireAfAlg } from '../helpers/kernel';
import { installPolyfill, type InstalledPolyfill } from '../helpers/polyfill-globals';

type Counts = ReturnType<typeof operationCounts>;
type IronCrypto = Parameters<typeof Iron.seal>[0];

const PASSWORD = 'a password of at least thirty-two characters, for iron';
const OBJECT = { user: 'alice', roles: ['admin', 'dev'], n: 42, nested: { ok: true, text: 'é ✓ 日本' } };
const NODE = webcrypto as unknown as IronCrypto;
const CTR: Iron.SealOptions = { ...Iron.defaults, encryption: { ...Iron.defaults.encryption, algorithm: 'aes-128-ctr' } };

describe.each<Mode>(['hybrid', 'strict'])('iron-webcrypto on the polyfill, %s mode', (mode) => {
  let polyfill: InstalledPolyfill;
  /** What an app passes to iron: the global crypto, ours once installed. */
  let ours: IronCrypto;
  beforeAll(() => {
    requireAfAlg();
    polyfill = installPolyfill({ mode });
    ours = globalThis.crypto as unknown as IronCrypto;
  });
  afterAll(() => polyfill?.uninstall());

  async function counted<T>(work: () => Promise<T>): Promise<[T, Counts]> {
    const before = operationCounts(polyfill.crypto);
    const result = await work();
    const after = operationCounts(polyfill.crypto);
    const delta: Counts = { kernel: {}, platform: {} };
    for (const backend of ['kernel', 'platform'] as const)
      for (const [name, n] of Object.entries(after[backend]))
        if (n !== (before[backend][name] ?? 0)) delta[backend][name] = n - (before[backend][name] ?? 0);
    return [result, delta];
  }

  test('the crypto iron gets is ours', () => {
    expect(ours).toBe(polyfill.crypto);
  });

  test('seal and unseal (AES-256-CBC, HMAC-SHA256, PBKDF2): round trip, all in the kernel', async () => {
    const [sealed, sealCounts] = await counted(() => Iron.seal(ours, OBJECT, PASSWORD, Iron.defaults));
    expect(sealed).toMatch(/^Fe26\.2\*/);
    expect(sealed.split('*')).toHaveLength(8);
    // Two password stretches (importKey + deriveBits each), then import + encrypt, import + sign.
    expect(sealCounts).toEqual({ kernel: { PBKDF2: 4, 'AES-CBC': 2, HMAC: 2 }, platform: {} });
    const [unsealed, unsealCounts] = await counted(() => Iron.unseal(ours, sealed, PASSWORD, Iron.defaults));
    expect(unsealed).toEqual(OBJECT);
    expect(unsealCounts).toEqual({ kernel: { PBKDF2: 4, 'AES-CBC': 2, HMAC: 2 }, platform: {} });
  });

  test('sealed here, unsealed by Node\'s WebCrypto', async () => {
    const sealed = await Iron.seal(ours, OBJECT, PASSWORD, Iron.defaults);
    const [unsealed, counts] = await counted(() => Iron.unseal(NODE, sealed, PASSWORD, Iron.defaults));
    expect(unsealed).toEqual(OBJECT);
    expect(counts).toEqual({ kernel: {}, platform: {} });
  });

  test('sealed by Node\'s WebCrypto, unsealed here', async () => {
    const [sealed, counts] = await counted(() => Iron.seal(NODE, OBJECT, PASSWORD, Iron.defaults));
    expect(counts).toEqual({ kernel: {}, platform: {} });
    expect(await Iron.unseal(ours, sealed, PASSWORD, Iron.defaults)).toEqual(OBJECT);
  });

  test('AES-128-CTR both ways, with a password id', async () => {
    const password = { id: 'v2', secret: PASSWORD };
    const [sealed, counts] = await counted(() => Iron.seal(ours, OBJECT, password, CTR));
    expect(sealed.split('*')[1]).toBe('v2');
    expect(counts).toEqual({ kernel: { PBKDF2: 4, 'AES-CTR': 2, HMAC: 2 }, platform: {} });
    const rotation = { v1: 'an older password, also thirty-two characters long', v2: PASSWORD };
    expect(await Iron.unseal(NODE, sealed, rotation, CTR)).toEqual(OBJECT);
    const fromNode = await Iron.seal(NODE, OBJECT, password, CTR);
    expect(await Iron.unseal(ours, fromNode, rotation, CTR)).toEqual(OBJECT);
  });

  test('a raw 32-byte key instead of a password (no PBKDF2), both ways', async () => {
    const key = randomData(32);
    const [sealed, counts] = await counted(() => Iron.seal(ours, OBJECT, key, Iron.defaults));
    expect(counts).toEqual({ kernel: { 'AES-CBC': 2, HMAC: 2 }, platform: {} });
    expect(await Iron.unseal(NODE, sealed, key, Iron.defaults)).toEqual(OBJECT);
    expect(await Iron.unseal(ours, await Iron.seal(NODE, OBJECT, key, Iron.defaults), key, Iron.defaults)).toEqual(OBJECT);
  });

  test('more PBKDF2 iterations and a large object', async () => {
    const options: Iron.SealOptions = {
      ...Iron.defaults,
      encryption: { ...Iron.defaults.encryption, iterations: 1000 },
      integrity: { ...Iron.defaults.integrity, iterations: 1000 },
    };
    const big = { blob: Buffer.from(randomData(100_000)).toString('base64') };
    const sealed = await Iron.seal(ours, big, PASSWORD, options);
    expect(await Iron.unseal(NODE, sealed, PASSWORD, options)).toEqual(big);
    expect(await Iron.unseal(ours, sealed, PASSWORD, options)).toEqual(big);
  });

  test('a tampered seal, or the wrong password, is refused here as by Node', async () => {
    const sealed = await Iron.seal(ours, OBJECT, PASSWORD, Iron.defaults);
    const parts = sealed.split('*');
    const encrypted = Buffer.from(parts[4]!, 'base64url');
    encrypted[0]! ^= 1;
    parts[4] = encrypted.toString('base64url');
    const tampered = parts.join('*');
    await expect(Iron.unseal(ours, tampered, PASSWORD, Iron.defaults)).rejects.toThrow('Bad hmac value');
    await expect(Iron.unseal(NODE, tampered, PASSWORD, Iron.defaults)).rejects.toThrow('Bad hmac value');
    const other = 'another password of at least thirty-two characters';
    await expect(Iron.unseal(ours, sealed, other, Iron.defaults)).rejects.toThrow('Bad hmac value');
  });

  test('nothing reached the platform, in either mode', () => {
    const counts = operationCounts(polyfill.crypto);
    expect(counts.platform).toEqual({});
    for (const name of ['PBKDF2', 'AES-CBC', 'AES-CTR', 'HMAC']) expect(counts.kernel[name], name).toBeGreaterThan(0);
  });
});
