// The /proc/crypto parser and driver choice, on sample text in the kernel's
// own format (padded keys, blank lines between records, a trailing newline).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { numericField, parseProcCrypto, ProcCrypto, readFips } from '../../src/kernel/proc-crypto';

/** Builds one record the way the kernel prints it: key padded to 12, " : ", value. */
function record(fields: [string, string | number][]): string {
  return fields.map(([key, value]) => `${key.padEnd(12)} : ${value}`).join('\n') + '\n';
}

function hashRecord(name: string, driver: string, module: string, priority: number, extra: [string, string][] = []) {
  return record([
    ['name', name], ['driver', driver], ['module', module], ['priority', priority], ['refcnt', 1],
    ['selftest', 'passed'], ['internal', 'no'], ['type', 'shash'], ['blocksize', 64], ['digestsize', 32],
    ...extra,
  ]);
}

function gcmRecord(driver: string, priority: number, overrides: Record<string, string> = {}) {
  const fields: Record<string, string | number> = {
    name: 'gcm(aes)', driver, module: 'aesni_intel', priority, refcnt: 1, selftest: 'passed',
    internal: 'no', type: 'aead', async: 'yes', blocksize: 1, ivsize: 12, maxauthsize: 16, geniv: '<none>',
    ...overrides,
  };
  return record(Object.entries(fields));
}

const SAMPLE = [
  hashRecord('sha256', 'sha256-generic', 'kernel', 100),
  hashRecord('sha256', 'sha256-avx2', 'sha256_ssse3', 170),
  hashRecord('sha256', 'sha256-avx', 'sha256_ssse3', 160),
  gcmRecord('generic-gcm-aesni', 400),
  gcmRecord('generic-gcm-aesni-avx', 500),
  // Never chosen: internal, not self-tested, or still being instantiated.
  gcmRecord('__generic-gcm-aesni-avx512', 900, { internal: 'yes' }),
  gcmRecord('gcm-untested', 800, { selftest: 'unknown' }),
  record([['name', 'gcm(aes)'], ['driver', 'gcm(aes)'], ['module', 'kernel'], ['priority', -1],
    ['refcnt', 1], ['selftest', 'passed'], ['internal', 'no'], ['type', 'larval'], ['flags', '0x24']]),
  record([['name', 'cbc(aes)'], ['driver', 'cbc-aes-aesni'], ['module', 'aesni_intel'], ['priority', 400],
    ['refcnt', 1], ['selftest', 'passed'], ['internal', 'no'], ['type', 'skcipher'], ['async', 'no'],
    ['blocksize', 16], ['min keysize', 16], ['max keysize', 32], ['ivsize', 16], ['chunksize', 16],
    ['walksize', 16]]),
  record([['name', 'stdrng'], ['driver', 'drbg_nopr_hmac_sha512'], ['module', 'kernel'], ['priority', 217],
    ['refcnt', 2], ['selftest', 'passed'], ['internal', 'no'], ['type', 'rng'], ['seedsize', 0]]),
  record([['name', 'stdrng'], ['driver', 'drbg_nopr_ctr_aes256'], ['module', 'kernel'], ['priority', 211],
    ['refcnt', 1], ['selftest', 'passed'], ['internal', 'no'], ['type', 'rng'], ['seedsize', 0]]),
].join('\n');

describe('parseProcCrypto', () => {
  it('reads every record with its typed and raw fields', () => {
    const records = parseProcCrypto(SAMPLE);
    expect(records).toHaveLength(11);
    const cbc = records.find((r) => r.driver === 'cbc-aes-aesni')!;
    expect(cbc).toMatchObject({
      name: 'cbc(aes)', module: 'aesni_intel', priority: 400, selftest: 'passed', internal: false, type: 'skcipher',
    });
    expect(cbc.fields['min keysize']).toBe('16');
    expect(numericField(cbc, 'max keysize')).toBe(32);
    expect(numericField(cbc, 'ivsize')).toBe(16);
    expect(numericField(cbc, 'digestsize')).toBeUndefined();
    expect(records.find((r) => r.type === 'larval')!.priority).toBe(-1);
    expect(records.find((r) => r.driver === '__generic-gcm-aesni-avx512')!.internal).toBe(true);
  });

  it('keeps the value after the first colon whole, and tolerates spacing and CRLF-free extras', () => {
    const [geniv] = parseProcCrypto('name : x\ndriver : y\ngeniv        : <none>\nnote : a : b\n\n\n');
    expect(geniv!.fields.geniv).toBe('<none>');
    expect(geniv!.fields.note).toBe('a : b');
  });

  it('skips empty text, stray lines and records without a name or driver', () => {
    expect(parseProcCrypto('')).toEqual([]);
    expect(parseProcCrypto('\n\n')).toEqual([]);
    expect(parseProcCrypto('garbage\n\nname : lonely\npriority : 1\n')).toEqual([]);
  });
});

describe('ProcCrypto.driverFor', () => {
  const proc = ProcCrypto.parse(SAMPLE);

  it('picks the highest-priority usable implementation of a generic name', () => {
    expect(proc.driverFor('sha256')?.driver).toBe('sha256-avx2');
    expect(proc.driverFor('stdrng')?.driver).toBe('drbg_nopr_hmac_sha512');
    expect(proc.driverFor('cbc(aes)')?.module).toBe('aesni_intel');
  });

  it('ignores internal, untested and larval records however high their priority', () => {
    expect(proc.driverFor('gcm(aes)')?.driver).toBe('generic-gcm-aesni-avx');
  });

  it('matches a driver name, which pins one implementation', () => {
    expect(proc.driverFor('drbg_nopr_ctr_aes256')?.priority).toBe(211);
  });

  it('returns undefined for a name with no usable record', () => {
    expect(proc.driverFor('hmac(sha256)')).toBeUndefined();
    expect(ProcCrypto.parse(gcmRecord('only-untested', 1, { selftest: 'unknown' })).driverFor('gcm(aes)'))
      .toBeUndefined();
  });
});

describe('readFips', () => {
  const dir = mkdtempSync(join(tmpdir(), 'afalg-fips-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads fips_enabled, fips_name and fips_version', () => {
    writeFileSync(join(dir, 'fips_enabled'), '1\n');
    writeFileSync(join(dir, 'fips_name'), 'Linux Kernel Cryptographic API\n');
    writeFileSync(join(dir, 'fips_version'), '6.12.117+deb13-amd64\n');
    expect(readFips(dir)).toEqual({
      enabled: true, name: 'Linux Kernel Cryptographic API', version: '6.12.117+deb13-amd64',
    });
    writeFileSync(join(dir, 'fips_enabled'), '0\n');
    expect(readFips(dir).enabled).toBe(false);
  });

  it('reports unknown when the kernel has no FIPS support', () => {
    expect(readFips(join(dir, 'absent'))).toEqual({ enabled: undefined, name: undefined, version: undefined });
  });
});
