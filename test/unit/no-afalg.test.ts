// The package on a machine whose kernel has no AF_ALG (this build host, a
// container with a locked-down kernel, a kernel without
// CONFIG_CRYPTO_USER_API). Importing must still work; in strict mode every
// kernel operation must fail with NotSupportedError saying which kernel
// piece is missing; in hybrid mode (the default) the platform's WebCrypto
// serves instead; getRandomValues (getrandom(2), no AF_ALG needed) works.
//
// This file runs in the `unit` project, natively. Which machine that is
// decides the expectation, so the file is meaningful on both kinds of host
// instead of failing on one of them: the precondition is probed through the
// addon (socket(AF_ALG) -> EAFNOSUPPORT), and
// - without AF_ALG: strict mode rejects with NotSupportedError, hybrid mode
//   gives Node's answers computed by the platform;
// - with AF_ALG (a developer's Linux box, or the VM): both modes give Node's
//   answers computed by the kernel.
// Any other probe result (the addon fails to load, a different errno) fails
// the file. The `kernel` project covers the AF_ALG side in depth.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createCrypto, operationCounts } from '../../src/index';
import { KernelError } from '../../src/kernel/errors';
import { setJobPath, type JobPath } from '../../src/kernel/schedule';
import { openSocketCount } from '../../src/kernel/session';
import { buildPackage, report, type BuiltPackage } from '../helpers/built-package';
import { hex, KiB, randomData } from '../helpers/bytes';
import { afAlgState } from '../helpers/kernel';
import { nodeSubtle } from '../helpers/oracles';
import { expectDomRejection, expectDomThrow } from '../helpers/outcomes';

const host = afAlgState();
const MISSING_PIECE = 'CONFIG_CRYPTO_USER_API';
// SHA-256("abc"), FIPS 180-4 example B.1.
const SHA256_ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

describe('the host', () => {
  test('is probed through the addon: EAFNOSUPPORT means no AF_ALG, success means AF_ALG', () => {
    // afAlgState() throws on any other failure, so reaching here means the
    // addon loaded and the answer is one of the two this file handles.
    console.info(`no-afalg.test.ts: this host ${host.present ? 'HAS' : 'has NO'} AF_ALG; checking the matching behaviour`);
    expect(typeof host.present).toBe('boolean');
  });
});

describe('importing the package', () => {
  test('does not throw and gives the documented exports', async () => {
    const pkg = await import('../../src/index');
    expect(pkg.crypto).toBeInstanceOf(pkg.Crypto);
    expect(pkg.subtle).toBeInstanceOf(pkg.SubtleCrypto);
    expect(typeof pkg.install).toBe('function');
    expect(typeof pkg.createCrypto).toBe('function');
  });
});

describe.each<JobPath>(['sync', 'async'])('strict mode, subtle.digest on the %s job path', (path) => {
  beforeAll(() => setJobPath(path));
  afterAll(() => setJobPath('auto'));

  for (const size of [0, 100, 200 * KiB]) {
    test(`${size} bytes: ${host.present ? "Node's digest" : `NotSupportedError naming ${MISSING_PIECE}`}`, async () => {
      const crypto = createCrypto({ mode: 'strict' });
      const data = randomData(size);
      if (host.present) {
        const ours = await crypto.subtle.digest('SHA-256', data);
        expect(hex(ours)).toBe(hex(await nodeSubtle.digest('SHA-256', data)));
        return;
      }
      const socketsBefore = openSocketCount();
      const error = await expectDomRejection(() => crypto.subtle.digest('SHA-256', data), 'NotSupportedError');
      expect(error.message).toContain(MISSING_PIECE);
      // The DOMException keeps the kernel's answer as its cause.
      const cause = (error as { cause?: unknown }).cause;
      expect(cause).toBeInstanceOf(KernelError);
      expect((cause as KernelError).code).toBe('EAFNOSUPPORT');
      expect((cause as KernelError).syscall).toBe('socket');
      // A failed attempt holds no descriptor.
      expect(openSocketCount()).toBe(socketsBefore);
    });
  }
});

describe('hybrid mode (the default)', () => {
  test(`digest gives Node's answer, computed by the ${host.present ? 'kernel' : 'platform'}`, async () => {
    const crypto = createCrypto();
    const data = randomData(1000);
    expect(hex(await crypto.subtle.digest('SHA-256', data))).toBe(hex(await nodeSubtle.digest('SHA-256', data)));
    const counts = operationCounts(crypto);
    expect(counts[host.present ? 'kernel' : 'platform']['SHA-256']).toBe(1);
    expect(counts[host.present ? 'platform' : 'kernel']['SHA-256']).toBeUndefined();
  });
});

describe('hybrid mode: the algorithms beyond the WebCrypto core', () => {
  // Node 24's platform has SHA-3 and ChaCha20-Poly1305; Node 20's has neither, and the fallback
  // must then say NotSupportedError, as the platform does, not fail some other way.
  const platformHasDraft = Number(process.versions.node.split('.')[0]) >= 24;
  const served = host.present || platformHasDraft;

  test(`SHA3-256: ${served ? 'the FIPS 202 digest' : 'NotSupportedError from a platform without it'}`, async () => {
    const crypto = createCrypto();
    const digest = crypto.subtle.digest('SHA3-256', new Uint8Array(0));
    if (!served) {
      await expectDomRejection(() => digest, 'NotSupportedError');
      return;
    }
    expect(hex(await digest)).toBe('a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a');
  });

  test(`ChaCha20-Poly1305 generateKey: ${served ? 'a key' : 'NotSupportedError'}`, async () => {
    const generated = createCrypto().subtle.generateKey('ChaCha20-Poly1305', false, ['encrypt']);
    if (served) expect((await generated as CryptoKey).algorithm).toEqual({ name: 'ChaCha20-Poly1305' });
    else await expectDomRejection(() => generated, 'NotSupportedError');
  });

  test("'raw-secret' imports an AES key wherever it is served (the platform gets 'raw' if it lacks the format)", async () => {
    const key = await createCrypto().subtle.importKey('raw-secret', randomData(16), 'AES-GCM', true, ['encrypt']);
    expect(key.algorithm).toEqual({ name: 'AES-GCM', length: 128 });
    expect((await createCrypto().subtle.exportKey('raw-secret', key) as ArrayBuffer).byteLength).toBe(16);
  });

  test("the draft's asymmetric formats reach the platform, which rejects a format it lacks with NotSupportedError", async () => {
    const pair = await createCrypto().subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']) as CryptoKeyPair;
    const exported = createCrypto().subtle.exportKey('raw-public', pair.publicKey);
    if (platformHasDraft) expect((await exported as ArrayBuffer).byteLength).toBe(65);
    else await expectDomRejection(() => exported, 'NotSupportedError');
  });
});

describe('random numbers', () => {
  test('getRandomValues (getrandom source) works with or without AF_ALG', () => {
    const crypto = createCrypto({ random: 'getrandom' });
    const a = crypto.getRandomValues(new Uint8Array(64));
    const b = crypto.getRandomValues(new Uint8Array(64));
    expect(hex(a)).not.toBe(hex(b));
    expect(new Set(a).size).toBeGreaterThan(1);
    expect(crypto.randomUUID()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test(`the AF_ALG DRBG source: ${host.present ? 'works' : `NotSupportedError naming ${MISSING_PIECE}`}`, () => {
    const crypto = createCrypto({ random: 'drbg' });
    if (host.present) {
      const a = crypto.getRandomValues(new Uint8Array(64));
      expect(new Set(a).size).toBeGreaterThan(1);
      return;
    }
    const error = expectDomThrow(() => crypto.getRandomValues(new Uint8Array(16)), 'NotSupportedError');
    expect(error.message).toContain(MISSING_PIECE);
    expectDomThrow(() => crypto.randomUUID(), 'NotSupportedError');
  });
});

describe('the built package in a child process', () => {
  let pkg: BuiltPackage;
  beforeAll(() => {
    pkg = buildPackage();
  }, 120_000);
  afterAll(() => pkg?.remove());

  // One script for every entry point: digest 'abc', print what happened.
  const script = `
    const done = (report) => console.log(JSON.stringify(report));
    globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode('abc')).then(
      (d) => done({ ok: Buffer.from(d).toString('hex'), tag: String(globalThis.crypto) }),
      (e) => done({ error: e.name, message: e.message, tag: String(globalThis.crypto) }));`;
  const entries: [string, string[]][] = [
    ['node --import afalg-webcrypto/register', ['--import', 'afalg-webcrypto/register']],
    ['node --import ./esm/register.mjs', ['--import', './esm/register.mjs']],
    ['node -r ./dist/polyfill/register.js', ['-r', './dist/polyfill/register.js']],
  ];

  test.each(entries)('%s, AFALG_WEBCRYPTO_MODE=strict: imports; digest as the host allows', (_label, flags) => {
    const result = report<{ ok?: string; error?: string; message?: string; tag: string }>(
      pkg.node([...flags, '-e', script], { AFALG_WEBCRYPTO_MODE: 'strict' }));
    expect(result.tag).toBe('[object Crypto]');
    if (host.present) {
      expect(result.ok).toBe(SHA256_ABC);
    } else {
      expect(result.error).toBe('NotSupportedError');
      expect(result.message).toContain(MISSING_PIECE);
    }
  });

  test.each(entries)('%s, default (hybrid) mode: digest works', (_label, flags) => {
    const result = report<{ ok?: string; tag: string }>(pkg.node([...flags, '-e', script], { AFALG_WEBCRYPTO_MODE: undefined }));
    expect(result.tag).toBe('[object Crypto]');
    expect(result.ok).toBe(SHA256_ABC);
  });
});
