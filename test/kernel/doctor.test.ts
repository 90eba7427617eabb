// The doctor against a real kernel: what it finds, and how it reports what is
// missing or broken. Needs AF_ALG (natively or in scripts/vm/run).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderText, runDoctor, type DoctorReport } from '../../src/cli/doctor';
import { SELF_TESTS, type SelfTestSubtle } from '../../src/cli/self-tests';
import { KernelError } from '../../src/kernel/errors';
import { parseProcCrypto } from '../../src/kernel/proc-crypto';
import { probe } from '../../src/kernel/session';
import { REGISTRY, type Registration } from '../../src/webcrypto/registry';
import { inNode24 } from '../helpers/node24';

const MODULE_OR_KCONFIG = /\bmodule \w+|CONFIG_CRYPTO_\w+/;

describe('the doctor on this kernel', () => {
  let report: DoctorReport;
  beforeAll(async () => {
    report = await runDoctor();
  });

  it('finds AF_ALG and all four socket types, each served by a driver', () => {
    expect(report.addon.loaded).toBe(true);
    expect(report.afalg.present).toBe(true);
    expect(report.types.map((t) => [t.type, t.available])).toEqual([
      ['hash', true], ['skcipher', true], ['aead', true], ['rng', true],
    ]);
    for (const type of report.types) expect(type.driver).toMatch(/\S/);
  });

  it("names SHA-256's driver as /proc/crypto lists it", () => {
    const sha256 = report.algorithms.find((a) => a.name === 'SHA-256')!;
    const [status] = sha256.kernel;
    expect(status).toMatchObject({ ref: 'hash:sha256', available: true });
    const drivers = parseProcCrypto(readFileSync('/proc/crypto', 'utf8'))
      .filter((r) => r.name === 'sha256').map((r) => r.driver);
    expect(drivers).toContain(status!.driver);
    expect(status!.module).toMatch(/\S/);
  });

  it('checks every REGISTRY row and passes every self-test it has', () => {
    expect(report.algorithms.map((a) => a.name)).toEqual(REGISTRY.map((row) => row.name));
    for (const algorithm of report.algorithms) {
      const expected = SELF_TESTS[algorithm.name] ? 'passed' : 'no self-test';
      expect({ name: algorithm.name, ...algorithm.selfTest }).toEqual({ name: algorithm.name, status: expected });
      expect(algorithm.kernel.every((k) => k.available && k.driver !== undefined)).toBe(true);
    }
  });

  it('reports FIPS mode and a working random source, and exits 0', () => {
    expect(typeof report.fips.enabled).toBe('boolean');
    expect(report.random).toMatchObject({ works: true });
    expect(report.problems).toEqual([]);
    expect(report.exitCode).toBe(0);
    expect(renderText(report)).toContain('Result: everything registered works (exit 0)');
  });
});

describe('the doctor on what is missing or broken', () => {
  const sha256 = REGISTRY.find((row) => row.name === 'SHA-256')!;
  const nosuch: Registration = { name: 'X-NOSUCH', module: {}, kernel: ['hash:nosuch'], ops: {} };

  it('probe names the module or Kconfig option behind a missing algorithm', () => {
    const error = probe('hash', 'nosuch');
    expect(error).toBeInstanceOf(KernelError);
    expect(error).toMatchObject({ code: 'ENOENT', kind: 'unavailable' });
    expect(error!.message).toMatch(MODULE_OR_KCONFIG);
  });

  it('reports a missing kernel algorithm with its reason, and exits 1', async () => {
    const report = await runDoctor({ registry: [sha256, nosuch] });
    const missing = report.algorithms.find((a) => a.name === 'X-NOSUCH')!;
    expect(missing.kernel[0]).toMatchObject({ ref: 'hash:nosuch', available: false });
    expect(missing.kernel[0]!.reason).toMatch(MODULE_OR_KCONFIG);
    expect(report.problems).toEqual([expect.stringContaining('X-NOSUCH: hash:nosuch: ')]);
    expect(report.exitCode).toBe(1);
    expect(renderText(report)).toMatch(/hash:nosuch +MISSING: .*CONFIG_CRYPTO_USER_API_HASH/);
  });

  it('reports a failing self-test, and exits 1', async () => {
    const report = await runDoctor({
      registry: [sha256],
      selfTests: { 'SHA-256': async () => { throw new Error('wrong digest'); } },
    });
    expect(report.algorithms[0]!.selfTest).toEqual({ status: 'failed', detail: 'wrong digest' });
    expect(report.exitCode).toBe(1);
  });

  it("says 'no self-test' for an algorithm without one, without failing", async () => {
    const report = await runDoctor({ registry: [sha256], selfTests: {} });
    expect(report.algorithms[0]!.selfTest).toEqual({ status: 'no self-test' });
    expect(report.notes).toEqual([expect.stringContaining('SHA-256: no self-test')]);
    expect(report.exitCode).toBe(0);
    expect(renderText(report)).toMatch(/warn +SHA-256 +self-test no self-test/);
  });
});

describe('the self-test vectors', () => {
  // Node's own WebCrypto (OpenSSL) as an independent check that the vectors were typed in right:
  // this Node's for the W3C spec's algorithms, Node 24's for the WICG draft's. No WebCrypto has
  // AFALG-AES-CMAC; test/kernel/aes-cmac.test.ts checks RFC 4493 against AES-CMAC built on node:crypto.
  const DRAFT = ['SHA3-256', 'SHA3-384', 'SHA3-512', 'ChaCha20-Poly1305'];
  const platformSubtle = globalThis.crypto.subtle as unknown as SelfTestSubtle;
  for (const [name, test] of Object.entries(SELF_TESTS).filter(([n]) => !DRAFT.includes(n) && n !== 'AFALG-AES-CMAC')) {
    it(`${name} agrees with node:crypto's webcrypto`, async () => {
      await expect(test(platformSubtle)).resolves.toBeUndefined();
    });
  }

  it(`${DRAFT.join(', ')} agree with Node 24's webcrypto`, () => {
    const file = path.join(__dirname, '..', '..', 'src', 'cli', 'self-tests.ts');
    const outcomes = inNode24<Record<string, string>>(`
      const { SELF_TESTS } = await import(input.file);
      const outcomes = {};
      for (const name of input.names) outcomes[name] = await SELF_TESTS[name](crypto.subtle).then(() => 'ok', (e) => e.message);
      return outcomes;`, { file, names: DRAFT });
    expect(outcomes).toEqual(Object.fromEntries(DRAFT.map((name) => [name, 'ok'])));
  });

  it('fail on a wrong answer', async () => {
    const wrong = { ...globalThis.crypto.subtle, digest: async () => new ArrayBuffer(32) };
    await expect(SELF_TESTS['SHA-256']!(wrong as unknown as SelfTestSubtle)).rejects.toThrow(/SHA-256\("abc"\): expected ba7816bf/);
  });
});
