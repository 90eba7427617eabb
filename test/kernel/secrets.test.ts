// Key bytes do not escape: not into error messages or util.inspect output,
// and not into the JavaScript heap. For the heap, a child `node --expose-gc`
// running the built package imports a non-extractable key (raw bytes or a
// JWK), drops its own copy, collects garbage, uses the key, and writes a V8
// heap snapshot; this test searches the snapshot for the key.
//
// What a heap snapshot can show: every string and the shape of every object,
// but not the contents of ArrayBuffers (checked: a Uint8Array's bytes never
// appear in one). So the search is for the key as a string in every
// rendering code might make of it (hex, base64, base64url, latin1, a JWK's
// `k`), plus the raw bytes for completeness. Each case also takes a snapshot
// while the caller still holds the key as a string (the JWK itself, or a hex
// copy), which the search must find: the control that shows it can fail.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { inspect } from 'node:util';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCrypto } from '../../src/webcrypto/crypto';
import { buildPackage, report, type BuiltPackage } from '../helpers/built-package';
import { requireAfAlg } from '../helpers/kernel';

// The child: argv is the key file, the folder for the snapshots, the
// algorithm and the format. Key material reaches it only through the file.
const CHILD = String.raw`
const { crypto } = require('afalg-webcrypto');
const { readFileSync } = require('node:fs');
const { writeHeapSnapshot } = require('node:v8');
const [keyFile, outDir, algorithm, format] = process.argv.slice(2);
const message = new Uint8Array(100);
const ALGORITHMS = {
  'AES-GCM': { params: 'AES-GCM', usages: ['encrypt'],
    use: (key) => crypto.subtle.encrypt({ name: 'AES-GCM', iv: new Uint8Array(12) }, key, message) },
  HMAC: { params: { name: 'HMAC', hash: 'SHA-256' }, usages: ['sign'],
    use: (key) => crypto.subtle.sign('HMAC', key, message) },
};
const collect = async () => {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
};
async function main() {
  const { params, usages, use } = ALGORITHMS[algorithm];
  // The caller's copy: a JWK (its k is a string), or raw bytes plus, for
  // the control, the same key as a hex string.
  let keyData = format === 'jwk'
    ? { kty: 'oct', k: readFileSync(keyFile).toString('base64url') }
    : new Uint8Array(readFileSync(keyFile));
  let control = format === 'jwk' ? undefined : readFileSync(keyFile).toString('hex');
  writeHeapSnapshot(outDir + '/held.heapsnapshot');
  const key = await crypto.subtle.importKey(format, keyData, params, false, usages);
  keyData = undefined;
  control = undefined;
  const first = Buffer.from(await use(key)).toString('hex');
  await collect();
  writeHeapSnapshot(outDir + '/dropped.heapsnapshot');
  // The key is alive until here, and still gives the same bytes.
  const again = Buffer.from(await use(key)).toString('hex');
  console.log(JSON.stringify({ sameResult: first === again, extractable: key.extractable }));
}
main().catch((error) => { console.error(error); process.exit(1); });
`;

/** Every string form of the key that code could plausibly make, by name. */
function renderings(key: Buffer): Record<string, string> {
  const numbers = Array.from(key);
  return {
    hex: key.toString('hex'), HEX: key.toString('hex').toUpperCase(), base64: key.toString('base64'),
    base64url: key.toString('base64url'), latin1: key.toString('latin1'),
    'hex with spaces': key.toString('hex').replace(/(..)(?!$)/g, '$1 '), 'numbers': numbers.join(','),
    'numbers with spaces': numbers.join(', '),
  };
}

/** The renderings of key that text contains (with runs of white space as one space: inspect lays out columns). */
function keyFormsIn(text: string, key: Buffer): string[] {
  const folded = text.replace(/\s+/g, ' ');
  return Object.entries(renderings(key)).filter(([, form]) => text.includes(form) || folded.includes(form)).map(([name]) => name);
}

/** Which renderings of key a heap snapshot holds, as strings or as raw bytes. */
function findKey(snapshotFile: string, key: Buffer): string[] {
  const text = readFileSync(snapshotFile);
  const found = text.includes(key) ? ['raw bytes'] : [];
  const { strings } = JSON.parse(text.toString('utf8')) as { strings: string[] };
  return [...found, ...keyFormsIn(strings.join('\n'), key)];
}

let pkg: BuiltPackage;
let work: string;

beforeAll(() => {
  requireAfAlg();
  pkg = buildPackage();
  work = mkdtempSync(path.join(pkg.root, 'secrets-'));
  writeFileSync(path.join(pkg.root, 'secret-child.cjs'), CHILD);
});
afterAll(() => pkg?.remove());

describe('errors and inspection never show key bytes', () => {
  const subtle = createCrypto({ mode: 'strict' }).subtle;
  /** Everything a log line could print of an error: message, properties, causes. */
  const printed = (error: unknown) => `${String(error)}\n${inspect(error, { depth: 10, showHidden: true })}`;

  it.each([
    ['a raw AES key of 17 bytes', (key: Buffer) => subtle.importKey('raw', key, 'AES-GCM', false, ['encrypt'])],
    ['a JWK AES key of 17 bytes', (key: Buffer) => subtle.importKey('jwk', { kty: 'oct', k: key.toString('base64url') },
      'AES-GCM', false, ['encrypt'])],
    ['a JWK with the wrong alg', (key: Buffer) => subtle.importKey('jwk', { kty: 'oct', k: key.toString('base64url'), alg: 'A256GCM' },
      'AES-CBC', false, ['encrypt'])],
    ['a JWK whose k has a stray character', (key: Buffer) => subtle.importKey('jwk', { kty: 'oct', k: `${key.toString('base64url')}!` },
      'AES-GCM', false, ['encrypt'])],
    ['an HMAC key shorter than its length', (key: Buffer) => subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256', length: 512 },
      false, ['sign'])],
  ])('%s: the rejection does not show the bytes', async (_label, call) => {
    const key = randomBytes(17);
    const error = await (call(key) as Promise<unknown>).then(() => undefined, (e: unknown) => e);
    expect(error).toBeDefined();
    expect(keyFormsIn(printed(error), key)).toEqual([]);
  });

  it('the search finds a key that an error does show (the control)', () => {
    const key = randomBytes(17);
    expect(keyFormsIn(printed(new Error(`bad key ${key.toString('base64url')}`)), key)).toEqual(['base64url']);
    expect(keyFormsIn(printed(Object.assign(new Error('bad key'), { key: new Uint8Array(key) })), key)).toContain('numbers with spaces');
    expect(keyFormsIn(printed(Object.assign(new Error('bad key'), { key })), key)).toContain('hex with spaces');
  });

  it('util.inspect of an extractable key shows its slots, not its bytes', async () => {
    const raw = randomBytes(32);
    const key = await subtle.importKey('raw', raw, 'AES-GCM', true, ['encrypt']);
    const text = inspect(key, { depth: 10, showHidden: true });
    expect(text).toContain('AES-GCM');
    expect(keyFormsIn(text, raw)).toEqual([]);
  });
});

describe('a non-extractable key leaves no key bytes in the V8 heap once the caller drops its copy', () => {
  it.each([
    ['AES-GCM', 'raw', 'hex'],
    ['AES-GCM', 'jwk', 'base64url'],
    ['HMAC', 'raw', 'hex'],
    ['HMAC', 'jwk', 'base64url'],
  ])('%s imported from %s', (algorithm, format, heldAs) => {
    const key = randomBytes(32);
    const dir = mkdtempSync(path.join(work, `${algorithm}-${format}-`));
    const keyFile = path.join(dir, 'key');
    writeFileSync(keyFile, key);
    const result = report<{ sameResult: boolean; extractable: boolean }>(
      pkg.node(['--expose-gc', 'secret-child.cjs', keyFile, dir, algorithm, format]));
    expect(result).toEqual({ sameResult: true, extractable: false });
    // The control: while the caller held the key as a string, the search finds it.
    expect(findKey(path.join(dir, 'held.heapsnapshot'), key)).toContain(heldAs);
    expect(findKey(path.join(dir, 'dropped.heapsnapshot'), key)).toEqual([]);
    rmSync(dir, { recursive: true });
  });
});
