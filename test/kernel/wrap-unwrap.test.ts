// wrapKey / unwrapKey: exportKey + encrypt (or AES-KW's wrapKey) and
// decrypt (or unwrapKey) + importKey, with each AES family as the wrapping
// algorithm, in formats raw and jwk. What we wrap Node unwraps, what Node
// wraps we unwrap, and the spec's errors come out in its order.
//
// Most of this file runs in strict mode, where every call stays on the
// kernel. Hybrid mode (the default) routes what the kernel cannot do to
// Node's WebCrypto; the last section checks that wrapping is unaffected.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setJobPath, type JobPath } from '../../src/kernel/schedule';
import { createCrypto } from '../../src/webcrypto/crypto';
import type { CryptoKey } from '../../src/webcrypto/crypto-key';
import { hex, randomData } from '../helpers/bytes';
import { requireAfAlg } from '../helpers/kernel';
import { nodeSubtle } from '../helpers/oracles';
import { expectDomRejection } from '../helpers/outcomes';

type Subtle = ReturnType<typeof createCrypto>['subtle'];
const subtle: Subtle = createCrypto({ mode: 'strict' }).subtle;
const hybridSubtle: Subtle = createCrypto({ mode: 'hybrid' }).subtle;

beforeAll(() => requireAfAlg());

// ---- the cases --------------------------------------------------------------

type Format = 'raw' | 'jwk';

interface Wrapper {
  name: string;
  /** Fresh params for one wrap (a new iv or counter each time). */
  params(): Record<string, unknown>;
}

const WRAPPERS: Wrapper[] = [
  { name: 'AES-KW', params: () => ({ name: 'AES-KW' }) },
  { name: 'AES-GCM', params: () => ({ name: 'AES-GCM', iv: randomData(12), additionalData: randomData(5) }) },
  { name: 'AES-CBC', params: () => ({ name: 'AES-CBC', iv: randomData(16) }) },
  { name: 'AES-CTR', params: () => ({ name: 'AES-CTR', counter: randomData(16), length: 64 }) },
];

interface Wrapped {
  what: string;
  generate: Record<string, unknown>;
  /** The unwrappedKeyAlgorithm (importKey's algorithm) for this key. */
  importAs: Record<string, unknown>;
  usages: string[];
}

// Raw sizes are multiples of 8 bytes, so AES-KW can wrap every one as raw.
const WRAPPED: Wrapped[] = [
  { what: 'an HMAC SHA-256 key', generate: { name: 'HMAC', hash: 'SHA-256' }, importAs: { name: 'HMAC', hash: 'SHA-256' }, usages: ['sign', 'verify'] },
  { what: 'an HMAC SHA-512 key of 192 bits', generate: { name: 'HMAC', hash: 'SHA-512', length: 192 }, importAs: { name: 'HMAC', hash: 'SHA-512' }, usages: ['sign'] },
  { what: 'an AES-GCM 128 key', generate: { name: 'AES-GCM', length: 128 }, importAs: { name: 'AES-GCM' }, usages: ['encrypt', 'decrypt'] },
  { what: 'an AES-CBC 192 key', generate: { name: 'AES-CBC', length: 192 }, importAs: { name: 'AES-CBC' }, usages: ['decrypt'] },
  { what: 'an AES-KW 256 key', generate: { name: 'AES-KW', length: 256 }, importAs: { name: 'AES-KW' }, usages: ['wrapKey', 'unwrapKey'] },
];

// ---- helpers ----------------------------------------------------------------

async function wrappingKeys(name: string, kekRaw: Uint8Array, usages: string[] = ['wrapKey', 'unwrapKey'], ours: Subtle = subtle) {
  return {
    ours: await ours.importKey('raw', kekRaw, name, false, usages),
    node: await nodeSubtle.importKey('raw', kekRaw, name, false, usages as KeyUsage[]),
  };
}

async function rawOf(key: CryptoKey): Promise<string> {
  return hex((await subtle.exportKey('raw', key)) as ArrayBuffer);
}

/** The JSON text our jwk export of key serializes to (what wrapKey('jwk') encrypts). */
async function jwkText(key: CryptoKey): Promise<string> {
  return JSON.stringify(await subtle.exportKey('jwk', key));
}

/**
 * Wraps key here and with Node under the same wrapping key and params; each
 * side unwraps the other's result to the same key bytes, algorithm and
 * usages. Raw wraps are deterministic, so the bytes must match too (JWK text
 * may order its members differently).
 */
async function crossCheck(wrapper: Wrapper, wrapped: Wrapped, format: Format, ourSubtle: Subtle = subtle): Promise<void> {
  const kek = await wrappingKeys(wrapper.name, randomData(32), undefined, ourSubtle);
  const key = (await ourSubtle.generateKey(wrapped.generate, true, wrapped.usages)) as CryptoKey;
  const raw = (await ourSubtle.exportKey('raw', key)) as ArrayBuffer;
  const params = wrapper.params();

  const ours = await ourSubtle.wrapKey(format, key, kek.ours, params);
  const byNode = await nodeSubtle.unwrapKey(format, ours, kek.node, params as never, wrapped.importAs as never, true, wrapped.usages as KeyUsage[]);
  expect(hex(await nodeSubtle.exportKey('raw', byNode))).toBe(hex(raw));
  expect(byNode.algorithm).toEqual(key.algorithm);

  const nodeKey = await nodeSubtle.importKey('raw', raw, wrapped.importAs as never, true, wrapped.usages as KeyUsage[]);
  const theirs = await nodeSubtle.wrapKey(format, nodeKey, kek.node, params as never);
  const byUs = await ourSubtle.unwrapKey(format, theirs, kek.ours, params, wrapped.importAs, true, wrapped.usages);
  expect(await rawOf(byUs)).toBe(hex(raw));
  expect(byUs.algorithm).toEqual(key.algorithm);
  expect(byUs.usages).toEqual(wrapped.usages);
  expect(byUs.extractable).toBe(true);

  if (format === 'raw') expect(hex(ours)).toBe(hex(theirs));
}

// ---- round trips ------------------------------------------------------------

describe.each<JobPath>(['sync', 'async'])('wrapped here, unwrapped by Node and back, on the %s job path', (path) => {
  beforeAll(() => setJobPath(path));
  afterAll(() => setJobPath('auto'));

  // AES-KW with jwk is below: the JSON text has to be padded to 8 bytes.
  const CASES = WRAPPERS.flatMap((wrapper) => (['raw', 'jwk'] as const)
    .filter((format) => !(wrapper.name === 'AES-KW' && format === 'jwk'))
    .flatMap((format) => WRAPPED.map((wrapped) => ({ wrapper, format, wrapped }))));

  test.each(CASES)('$wrapper.name, $format, $wrapped.what', async ({ wrapper, format, wrapped }) => {
    await crossCheck(wrapper, wrapped, format);
  });
});

describe('AES-KW with format jwk', () => {
  // AES-KW wraps only multiples of 8 bytes, and JWK text rarely is one. The
  // spec's wrapKey note lets an implementation adapt the serialization;
  // Node (lib/internal/crypto/webcrypto.js), Chromium, Firefox, Deno and Bun
  // all append spaces up to a multiple of 8, which JSON.parse ignores on unwrap.

  test('a JWK whose text is a multiple of 8 bytes wraps, and Node unwraps it', async () => {
    const kek = await wrappingKeys('AES-KW', randomData(16));
    // HMAC keys of 8..64 bytes: find one whose JWK text needs no padding.
    let key: CryptoKey | undefined;
    for (let bits = 64; bits <= 512 && key === undefined; bits += 8) {
      const candidate = (await subtle.generateKey({ name: 'HMAC', hash: 'SHA-256', length: bits }, true, ['sign'])) as CryptoKey;
      if ((await jwkText(candidate)).length % 8 === 0) key = candidate;
    }
    expect(key, 'an HMAC key whose JWK text is a multiple of 8 bytes').toBeDefined();
    const wrapped = await subtle.wrapKey('jwk', key!, kek.ours, 'AES-KW');
    expect(wrapped.byteLength).toBe((await jwkText(key!)).length + 8);
    const byNode = await nodeSubtle.unwrapKey('jwk', wrapped, kek.node, 'AES-KW', { name: 'HMAC', hash: 'SHA-256' }, true, ['sign']);
    expect(hex(await nodeSubtle.exportKey('raw', byNode))).toBe(await rawOf(key!));
  });

  test.each(WRAPPED)("Node's padded JWK of $what unwraps here", async (wrapped) => {
    const kek = await wrappingKeys('AES-KW', randomData(32));
    const raw = randomData(wrapped.generate.name === 'HMAC' ? 40 : (wrapped.generate.length as number) / 8);
    const nodeKey = await nodeSubtle.importKey('raw', raw, wrapped.importAs as never, true, wrapped.usages as KeyUsage[]);
    const theirs = await nodeSubtle.wrapKey('jwk', nodeKey, kek.node, 'AES-KW');
    const byUs = await subtle.unwrapKey('jwk', theirs, kek.ours, 'AES-KW', wrapped.importAs, true, wrapped.usages);
    expect(await rawOf(byUs)).toBe(hex(raw));
  });

  test.each(WRAPPED)('a JWK of $what whose text is not a multiple of 8 bytes wraps (padded, as in Node)', async (wrapped) => {
    const kek = await wrappingKeys('AES-KW', randomData(32));
    // Generate until the JWK text is not a multiple of 8 (the HMAC length changes it).
    let key = (await subtle.generateKey(wrapped.generate, true, wrapped.usages)) as CryptoKey;
    if ((await jwkText(key)).length % 8 === 0 && wrapped.generate.name === 'HMAC')
      key = (await subtle.generateKey({ ...wrapped.generate, length: 200 }, true, wrapped.usages)) as CryptoKey;
    const text = await jwkText(key);
    expect(text.length % 8, `JWK text of ${text.length} bytes`).not.toBe(0);
    const ours = await subtle.wrapKey('jwk', key, kek.ours, 'AES-KW');
    expect(ours.byteLength % 8).toBe(0);
    const byNode = await nodeSubtle.unwrapKey('jwk', ours, kek.node, 'AES-KW', wrapped.importAs as never, true, wrapped.usages as KeyUsage[]);
    expect(hex(await nodeSubtle.exportKey('raw', byNode))).toBe(await rawOf(key));
  });
});

// ---- errors -----------------------------------------------------------------

describe('unwrapping bytes that are not a JWK', () => {
  // AES-CTR has no integrity check, so any bytes decrypt and reach the JSON
  // parse: the spec's "parse a JWK" fails with DataError. Node encrypts them.
  const GARBAGE = [
    { what: 'not UTF-8', bytes: new Uint8Array([0xff, 0xfe, 0x7b, 0x7d]) },
    { what: 'not JSON', bytes: new TextEncoder().encode('kty=oct') },
    { what: 'a truncated object', bytes: new TextEncoder().encode('{"kty":"oct","k":"AAAA') },
    { what: 'a JSON array', bytes: new TextEncoder().encode('[{"kty":"oct"}]') },
    { what: 'JSON null', bytes: new TextEncoder().encode('null') },
    { what: 'a JSON string', bytes: new TextEncoder().encode('"oct"') },
    { what: 'an object without kty', bytes: new TextEncoder().encode('{}') },
    { what: 'kty RSA', bytes: new TextEncoder().encode(`{"kty":"RSA","k":"${Buffer.from(randomData(16)).toString('base64url')}"}`) },
    { what: 'k that is not base64url', bytes: new TextEncoder().encode('{"kty":"oct","k":"AA+/AA+/AA+/AA+/AA+/AA"}') },
    { what: 'an HMAC JWK (alg HS256) unwrapped as AES-GCM', bytes: new TextEncoder().encode(`{"kty":"oct","k":"${Buffer.from(randomData(32)).toString('base64url')}","alg":"HS256"}`) },
    { what: 'an empty message', bytes: new Uint8Array(0) },
  ];

  test.each(GARBAGE)('$what: DataError', async ({ bytes }) => {
    const kek = await wrappingKeys('AES-CTR', randomData(16), ['encrypt', 'unwrapKey']);
    const params = { name: 'AES-CTR', counter: randomData(16), length: 128 };
    const sealed = await nodeSubtle.encrypt(params, kek.node, bytes);
    await expectDomRejection(() => subtle.unwrapKey('jwk', sealed, kek.ours, params, { name: 'AES-GCM' }, true, ['encrypt']), 'DataError');
  });

  test('with AES-GCM the tag check fails first: OperationError', async () => {
    const kek = await wrappingKeys('AES-GCM', randomData(16));
    const params = { name: 'AES-GCM', iv: randomData(12) };
    await expectDomRejection(() => subtle.unwrapKey('jwk', randomData(64), kek.ours, params, { name: 'AES-GCM' }, true, ['encrypt']), 'OperationError');
  });

  test('with AES-KW the integrity check fails first: OperationError', async () => {
    const kek = await wrappingKeys('AES-KW', randomData(16));
    await expectDomRejection(() => subtle.unwrapKey('jwk', randomData(64), kek.ours, 'AES-KW', { name: 'AES-GCM' }, true, ['encrypt']), 'OperationError');
  });

  test('raw key bytes of the wrong length for the target: DataError', async () => {
    const kek = await wrappingKeys('AES-CBC', randomData(16), ['encrypt', 'unwrapKey']);
    const params = { name: 'AES-CBC', iv: randomData(16) };
    const sealed = await nodeSubtle.encrypt(params, kek.node, randomData(20));
    await expectDomRejection(() => subtle.unwrapKey('raw', sealed, kek.ours, params, { name: 'AES-GCM' }, true, ['encrypt']), 'DataError');
  });
});

describe('keys that cannot take part', () => {
  test.each(WRAPPERS)('a non-extractable key cannot be wrapped with $name: InvalidAccessError', async (wrapper) => {
    const kek = await wrappingKeys(wrapper.name, randomData(16));
    for (const format of ['raw', 'jwk']) {
      const key = (await subtle.generateKey({ name: 'AES-GCM', length: 128 }, false, ['encrypt'])) as CryptoKey;
      await expectDomRejection(() => subtle.wrapKey(format, key, kek.ours, wrapper.params()), 'InvalidAccessError');
    }
  });

  test.each(WRAPPERS)('a $name wrapping key without wrapKey: InvalidAccessError; without unwrapKey: InvalidAccessError', async (wrapper) => {
    const kekRaw = randomData(16);
    const usagesWithout = (usage: string) => (wrapper.name === 'AES-KW' ? ['wrapKey', 'unwrapKey'] : ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'])
      .filter((u) => u !== usage);
    const noWrap = await subtle.importKey('raw', kekRaw, wrapper.name, false, usagesWithout('wrapKey'));
    const noUnwrap = await subtle.importKey('raw', kekRaw, wrapper.name, false, usagesWithout('unwrapKey'));
    const key = (await subtle.generateKey({ name: 'AES-CBC', length: 256 }, true, ['encrypt'])) as CryptoKey;
    const params = wrapper.params();
    await expectDomRejection(() => subtle.wrapKey('raw', key, noWrap, params), 'InvalidAccessError');
    const wrapped = await subtle.wrapKey('raw', key, noUnwrap, params);
    await expectDomRejection(() => subtle.unwrapKey('raw', wrapped, noUnwrap, params, 'AES-CBC', true, ['encrypt']), 'InvalidAccessError');
    expect(await rawOf(await subtle.unwrapKey('raw', wrapped, noWrap, params, 'AES-CBC', true, ['encrypt']))).toBe(await rawOf(key));
  });

  test('wrapKey and unwrapKey need only those usages, not encrypt or decrypt', async () => {
    for (const wrapper of WRAPPERS.filter((w) => w.name !== 'AES-KW')) {
      const kek = await wrappingKeys(wrapper.name, randomData(16), ['wrapKey', 'unwrapKey']);
      const key = (await subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, true, ['sign', 'verify'])) as CryptoKey;
      const params = wrapper.params();
      const wrapped = await subtle.wrapKey('jwk', key, kek.ours, params);
      const back = await subtle.unwrapKey('jwk', wrapped, kek.ours, params, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
      expect(back.extractable).toBe(false);
      expect(back.usages).toEqual(['verify']);
      await expectDomRejection(() => subtle.encrypt(params, kek.ours, randomData(16)), 'InvalidAccessError');
    }
  });

  test('a wrapping key of another algorithm than the params name: InvalidAccessError', async () => {
    const gcmKek = await wrappingKeys('AES-GCM', randomData(16));
    const key = (await subtle.generateKey({ name: 'AES-CBC', length: 128 }, true, ['encrypt'])) as CryptoKey;
    await expectDomRejection(() => subtle.wrapKey('raw', key, gcmKek.ours, { name: 'AES-CBC', iv: randomData(16) }), 'InvalidAccessError');
    await expectDomRejection(() => subtle.wrapKey('raw', key, gcmKek.ours, 'AES-KW'), 'InvalidAccessError');
  });

  test('formats a secret key has not: NotSupportedError', async () => {
    const kek = await wrappingKeys('AES-GCM', randomData(16));
    const key = (await subtle.generateKey({ name: 'AES-CBC', length: 128 }, true, ['encrypt'])) as CryptoKey;
    for (const format of ['spki', 'pkcs8'])
      await expectDomRejection(() => subtle.wrapKey(format, key, kek.ours, { name: 'AES-GCM', iv: randomData(12) }), 'NotSupportedError');
  });

  test('unwrapping to bad usages: SyntaxError', async () => {
    const kek = await wrappingKeys('AES-KW', randomData(16));
    const key = (await subtle.generateKey({ name: 'AES-CBC', length: 128 }, true, ['encrypt'])) as CryptoKey;
    const wrapped = await subtle.wrapKey('raw', key, kek.ours, 'AES-KW');
    await expectDomRejection(() => subtle.unwrapKey('raw', wrapped, kek.ours, 'AES-KW', 'AES-CBC', true, []), 'SyntaxError');
    await expectDomRejection(() => subtle.unwrapKey('raw', wrapped, kek.ours, 'AES-KW', 'AES-CBC', true, ['sign']), 'SyntaxError');
  });

  test('an unknown unwrapped key algorithm, or an unknown wrap algorithm: NotSupportedError', async () => {
    const kek = await wrappingKeys('AES-KW', randomData(16));
    const key = (await subtle.generateKey({ name: 'AES-CBC', length: 128 }, true, ['encrypt'])) as CryptoKey;
    const wrapped = await subtle.wrapKey('raw', key, kek.ours, 'AES-KW');
    await expectDomRejection(() => subtle.unwrapKey('raw', wrapped, kek.ours, 'AES-KW', 'AES-XTS', true, ['encrypt']), 'NotSupportedError');
    await expectDomRejection(() => subtle.wrapKey('raw', key, kek.ours, 'AES-KWP'), 'NotSupportedError');
  });
});

// ---- hybrid mode ------------------------------------------------------------

describe('in hybrid mode (the default)', () => {
  // AES-GCM, AES-CBC and AES-CTR have no 'wrapKey' operation of their own:
  // the spec normalizes for 'wrapKey', and when that fails, for 'encrypt'.
  // Hybrid mode must not hand the first failure to the platform instead.
  const CASES = WRAPPERS.flatMap((wrapper) => (['raw', 'jwk'] as const)
    .filter((format) => !(wrapper.name === 'AES-KW' && format === 'jwk'))
    .map((format) => ({ wrapper, format })));

  test.each(CASES)('$wrapper.name, $format: an HMAC key wraps and unwraps as in Node', async ({ wrapper, format }) => {
    await crossCheck(wrapper, WRAPPED[0]!, format, hybridSubtle);
  });

  test('unwrapping garbage jwk with AES-CTR: DataError', async () => {
    const kek = await wrappingKeys('AES-CTR', randomData(16), ['encrypt', 'unwrapKey'], hybridSubtle);
    const params = { name: 'AES-CTR', counter: randomData(16), length: 128 };
    const sealed = await nodeSubtle.encrypt(params, kek.node, new TextEncoder().encode('kty=oct'));
    await expectDomRejection(() => hybridSubtle.unwrapKey('jwk', sealed, kek.ours, params, { name: 'AES-GCM' }, true, ['encrypt']), 'DataError');
  });

  test('an unknown wrap algorithm with a kernel key: NotSupportedError, as in Node', async () => {
    const kek = await wrappingKeys('AES-KW', randomData(16), undefined, hybridSubtle);
    const key = (await hybridSubtle.generateKey({ name: 'AES-CBC', length: 128 }, true, ['encrypt'])) as CryptoKey;
    const nodeKey = await nodeSubtle.importKey('raw', await hybridSubtle.exportKey('raw', key) as ArrayBuffer, 'AES-CBC', true, ['encrypt']);
    await expectDomRejection(() => nodeSubtle.wrapKey('raw', nodeKey, kek.node, 'AES-KWP'), 'NotSupportedError');
    await expectDomRejection(() => hybridSubtle.wrapKey('raw', key, kek.ours, 'AES-KWP'), 'NotSupportedError');
  });
});
