// The polyfill: install() in this process, and the package's entry points
// (ESM index, ESM register, CommonJS) in child processes, on a kernel with
// AF_ALG. The children run a package assembled in a temporary folder from
// the current sources (test/helpers/built-package.ts explains why this test
// builds its own dist/ rather than relying on the checkout's).
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { Crypto, CryptoKey, install, operationCounts, SubtleCrypto } from '../../src/index';
import { binding } from '../../src/kernel/binding';
import { openSocketCount } from '../../src/kernel/session';
import { buildPackage, report, type BuiltPackage } from '../helpers/built-package';
import { hex, randomData } from '../helpers/bytes';
import { requireAfAlg } from '../helpers/kernel';
import { nodeCrypto, NodeCryptoKey, nodeSubtle } from '../helpers/oracles';

beforeAll(requireAfAlg);

const GLOBALS = ['crypto', 'Crypto', 'SubtleCrypto', 'CryptoKey'] as const;
type GlobalName = (typeof GLOBALS)[number];
const g = globalThis as unknown as Record<GlobalName, unknown>;

function globalDescriptors(): Record<GlobalName, PropertyDescriptor | undefined> {
  return Object.fromEntries(GLOBALS.map((name) => [name, Object.getOwnPropertyDescriptor(globalThis, name)])) as
    Record<GlobalName, PropertyDescriptor | undefined>;
}

/** Restores the globals even when a test fails half-way. */
const restorers: (() => void)[] = [];
function installForTest(options?: Parameters<typeof install>[0]): () => void {
  const restore = install(options);
  restorers.push(restore);
  return restore;
}
afterEach(() => {
  while (restorers.length) restorers.pop()!();
  vi.restoreAllMocks();
});

describe('install()', () => {
  test('replaces globalThis.crypto, Crypto, SubtleCrypto and CryptoKey; the returned function restores the originals', () => {
    const before = globalDescriptors();
    const originalCrypto = g.crypto;
    expect(originalCrypto).toBe(nodeCrypto);
    const restore = installForTest();
    expect(g.crypto).toBeInstanceOf(Crypto);
    expect(g.crypto).not.toBe(nodeCrypto);
    expect(g.Crypto).toBe(Crypto);
    expect(g.SubtleCrypto).toBe(SubtleCrypto);
    expect(g.CryptoKey).toBe(CryptoKey);
    restore();
    expect(globalDescriptors()).toEqual(before);
    expect(g.crypto).toBe(originalCrypto);
    expect(g.CryptoKey).toBe(NodeCryptoKey);
  });

  test('nested installs unwind in reverse order', () => {
    const before = globalDescriptors();
    const restoreOuter = installForTest();
    const outer = g.crypto;
    const restoreInner = installForTest({ mode: 'strict' });
    expect(g.crypto).not.toBe(outer);
    restoreInner();
    expect(g.crypto).toBe(outer);
    restoreOuter();
    expect(globalDescriptors()).toEqual(before);
  });

  // WebIDL makes `crypto` an attribute of the global (enumerable) and the
  // interface objects non-enumerable data properties; Node follows that.
  // install() once made `crypto` non-enumerable, so Object.keys(globalThis)
  // lost it (found by this test).
  test('the installed globals keep the enumerability and configurability they had', () => {
    const before = globalDescriptors();
    installForTest();
    const after = globalDescriptors();
    for (const name of GLOBALS) {
      expect(after[name]?.enumerable, name).toBe(before[name]?.enumerable);
      expect(after[name]?.configurable, name).toBe(before[name]?.configurable);
    }
  });
});

describe('after install()', () => {
  test('crypto.subtle.digest runs in the kernel: the addon hashes, sockets open, the kernel counter moves', async () => {
    installForTest();
    const crypto = g.crypto as Crypto;
    const hashCalls = vi.spyOn(binding() as unknown as Record<'hash', (...a: unknown[]) => unknown>, 'hash');
    const socketsBefore = openSocketCount();
    const data = randomData(1000);
    // SHA-384: no other test in this file has opened its session yet.
    const digest = await crypto.subtle.digest('SHA-384', data);
    expect(hex(digest)).toBe(hex(await nodeSubtle.digest('SHA-384', data)));
    expect(hashCalls).toHaveBeenCalledTimes(1);
    expect(openSocketCount()).toBeGreaterThan(socketsBefore);
    expect(operationCounts(crypto).kernel['SHA-384']).toBe(1);
    expect(operationCounts(crypto).platform['SHA-384']).toBeUndefined();
  });

  test('instanceof and @@toStringTag hold for the global interfaces, with the same tags as Node', async () => {
    installForTest();
    const crypto = g.crypto as Crypto;
    const GlobalCrypto = g.Crypto as typeof Crypto;
    const GlobalSubtle = g.SubtleCrypto as typeof SubtleCrypto;
    const GlobalKey = g.CryptoKey as typeof CryptoKey;
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 128 }, false, ['encrypt']) as CryptoKey;
    expect(crypto).toBeInstanceOf(GlobalCrypto);
    expect(crypto.subtle).toBeInstanceOf(GlobalSubtle);
    expect(key).toBeInstanceOf(GlobalKey);
    const nodeKey = await nodeSubtle.generateKey({ name: 'AES-GCM', length: 128 }, false, ['encrypt']);
    const tag = (o: unknown) => Object.prototype.toString.call(o);
    expect([tag(crypto), tag(crypto.subtle), tag(key)]).toEqual(['[object Crypto]', '[object SubtleCrypto]', '[object CryptoKey]']);
    expect([tag(crypto), tag(crypto.subtle), tag(key)]).toEqual([tag(nodeCrypto), tag(nodeSubtle), tag(nodeKey)]);
  });

  test("new CryptoKey(), new SubtleCrypto() and new Crypto() throw TypeError('Illegal constructor')", () => {
    installForTest();
    for (const name of ['Crypto', 'SubtleCrypto', 'CryptoKey'] as const) {
      const Interface = g[name] as new () => unknown;
      expect(() => new Interface(), name).toThrow(new TypeError('Illegal constructor'));
    }
  });
});

describe('the entry points in a child process', () => {
  let pkg: BuiltPackage;
  beforeAll(() => {
    pkg = buildPackage();
  }, 600_000);
  afterAll(() => pkg?.remove());

  // Run after the entry point under test loaded: digests 'abc' with the
  // global crypto, and reports who computed it. The kernel counter and the
  // package's own socket count (same module instance as the entry point's,
  // through the require cache) prove the kernel did.
  const probeGlobal = `
    const pkg = require('afalg-webcrypto');
    const { openSocketCount } = require('./dist/kernel/session.js');
    (async () => {
      const crypto = globalThis.crypto;
      const digest = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode('abc'))).toString('hex');
      const ctorErrors = ['Crypto', 'SubtleCrypto', 'CryptoKey'].map((name) => {
        try { new globalThis[name](); return 'constructed'; } catch (e) { return e.constructor.name + ': ' + e.message; }
      });
      console.log(JSON.stringify({
        digest,
        isPackageCrypto: crypto instanceof pkg.Crypto,
        isGlobalCrypto: crypto instanceof Crypto && crypto.subtle instanceof SubtleCrypto,
        notNode: crypto !== require('node:crypto').webcrypto,
        tag: Object.prototype.toString.call(crypto),
        kernelDigests: pkg.operationCounts(crypto).kernel['SHA-256'] ?? 0,
        sockets: openSocketCount(),
        ctorErrors,
      }));
    })();`;
  interface GlobalReport {
    digest: string; isPackageCrypto: boolean; isGlobalCrypto: boolean; notNode: boolean; tag: string;
    kernelDigests: number; sockets: number; ctorErrors: string[];
  }
  // SHA-256("abc"), FIPS 180-4 example B.1.
  const SHA256_ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

  test.each([
    ['--import ./esm/register.mjs', ['--import', './esm/register.mjs']],
    ['--import afalg-webcrypto/register', ['--import', 'afalg-webcrypto/register']],
    ['-r afalg-webcrypto/register (CommonJS)', ['-r', 'afalg-webcrypto/register']],
  ])('node %s: the global crypto is ours and digests in the kernel', (_label, flags) => {
    const result = report<GlobalReport>(pkg.node([...flags, '-e', probeGlobal], { AFALG_WEBCRYPTO_MODE: undefined }));
    expect(result).toEqual({
      digest: SHA256_ABC, isPackageCrypto: true, isGlobalCrypto: true, notNode: true, tag: '[object Crypto]',
      kernelDigests: 1, sockets: result.sockets,
      ctorErrors: ['TypeError: Illegal constructor', 'TypeError: Illegal constructor', 'TypeError: Illegal constructor'],
    });
    expect(result.sockets).toBeGreaterThan(0);
  });

  test('the ESM entry: named exports are the CommonJS objects; crypto digests in the kernel; no globals touched', () => {
    const script = `
      import * as esm from 'afalg-webcrypto';
      import * as byPath from './esm/index.mjs';
      import { createRequire } from 'node:module';
      const require = createRequire(process.cwd() + '/');
      const cjs = require('./dist/index.js');
      const names = ['crypto', 'subtle', 'createCrypto', 'install', 'Crypto', 'CryptoKey', 'SubtleCrypto', 'KernelError'];
      const digest = Buffer.from(await esm.subtle.digest('SHA-512', new TextEncoder().encode('abc'))).toString('hex');
      console.log(JSON.stringify({
        missing: names.filter((n) => esm[n] === undefined),
        differ: names.filter((n) => esm[n] !== cjs[n] || byPath[n] !== esm[n]),
        defaultIsCjs: esm.default === cjs,
        globalUntouched: globalThis.crypto === require('node:crypto').webcrypto,
        digest,
        kernelDigests: cjs.operationCounts(esm.crypto).kernel['SHA-512'] ?? 0,
      }));`;
    const result = report<Record<string, unknown>>(pkg.node(['--input-type=module', '-e', script]));
    expect(result).toEqual({
      missing: [], differ: [], defaultIsCjs: true, globalUntouched: true,
      // SHA-512("abc"), FIPS 180-4 example C.1.
      digest: 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
      kernelDigests: 1,
    });
  });

  test('the CommonJS entry: require(dist/index.js) and require by package name give one instance; install() works', () => {
    const script = `
      const byPath = require('./dist/index.js');
      const byName = require('afalg-webcrypto');
      (async () => {
        const restore = byName.install();
        const installed = globalThis.crypto instanceof byPath.Crypto;
        const digest = Buffer.from(await globalThis.crypto.subtle.digest('SHA-1', new TextEncoder().encode('abc'))).toString('hex');
        const kernelDigests = byPath.operationCounts(globalThis.crypto).kernel['SHA-1'] ?? 0;
        restore();
        console.log(JSON.stringify({
          same: byPath === byName, installed, digest, kernelDigests,
          restored: globalThis.crypto === require('node:crypto').webcrypto,
        }));
      })();`;
    const result = report<Record<string, unknown>>(pkg.node(['-e', script]));
    expect(result).toEqual({
      // SHA-1("abc"), FIPS 180-4 example A.1.
      same: true, installed: true, digest: 'a9993e364706816aba3e25717850c26c9cd0d89d', kernelDigests: 1, restored: true,
    });
  });
});
