// Hybrid mode in one key world: the platform's WebCrypto (Node's) serves
// what AF_ALG cannot (ECDSA, ECDH, RSA-*, Ed25519, X25519) and hands back
// this library's CryptoKeys, so those keys mix with kernel keys: a kernel
// AES-GCM or AES-KW key wraps an ECDSA/RSA/Ed25519 private key, ECDH and
// X25519 derive kernel AES-GCM and HMAC keys, HKDF runs over ECDH bits.
// Every result is checked against Node's own WebCrypto on the same key
// material, and operationCounts/servingBackends must show the symmetric work
// in the kernel and the asymmetric work on the platform.
import { beforeAll, describe, expect, test } from 'vitest';
import { createCrypto, CryptoKey, operationCounts, servingBackends, type CryptoKeyPair } from '../../src/index';
import { ASYMMETRIC_ALGORITHMS } from '../../src/webcrypto/platform';
import { REGISTRY } from '../../src/webcrypto/registry';
import { hex, randomData } from '../helpers/bytes';
import { requireAfAlg } from '../helpers/kernel';
import { NodeCryptoKey, nodeSubtle } from '../helpers/oracles';
import { expectDomRejection, outcomeOf } from '../helpers/outcomes';

beforeAll(() => requireAfAlg());

const crypto = createCrypto({ mode: 'hybrid' });
const subtle = crypto.subtle;
const F4 = new Uint8Array([1, 0, 1]);
const MESSAGE = new TextEncoder().encode('one key world: kernel and platform');

// ---- helpers ----------------------------------------------------------------

type Params = string | Record<string, unknown>;
type Counts = ReturnType<typeof operationCounts>;

async function generatePair(alg: Params, usages: KeyUsage[], extractable = true): Promise<CryptoKeyPair> {
  return await subtle.generateKey(alg, extractable, usages) as CryptoKeyPair;
}

async function generateSecret(alg: Params, usages: KeyUsage[], extractable = true): Promise<CryptoKey> {
  return await subtle.generateKey(alg, extractable, usages) as CryptoKey;
}

/** One of ours as Node sees it: the same key material imported into Node's WebCrypto. */
async function toNode(key: CryptoKey, alg: Params, usages: KeyUsage[]): Promise<globalThis.CryptoKey> {
  const format = key.type === 'private' ? 'pkcs8' : key.type === 'public' ? 'spki' : 'raw';
  return nodeSubtle.importKey(format, await subtle.exportKey(format, key) as ArrayBuffer, alg as AlgorithmIdentifier, true, usages);
}

/** What the counters added between two snapshots (absent = 0). */
function added(before: Counts, after: Counts): Counts {
  const out: Counts = { kernel: {}, platform: {} };
  for (const backend of ['kernel', 'platform'] as const)
    for (const [name, n] of Object.entries(after[backend])) {
      const delta = n - (before[backend][name] ?? 0);
      if (delta !== 0) out[backend][name] = delta;
    }
  return out;
}

async function countsOf<T>(work: () => Promise<T>): Promise<[T, Counts]> {
  const before = operationCounts(crypto);
  const result = await work();
  return [result, added(before, operationCounts(crypto))];
}

function expectOurKey(key: unknown, type: KeyType): void {
  expect(key).toBeInstanceOf(CryptoKey);
  expect(key).not.toBeInstanceOf(NodeCryptoKey as unknown as typeof CryptoKey);
  expect(Object.getPrototypeOf(key)).toBe(CryptoKey.prototype);
  expect(Object.prototype.toString.call(key)).toBe('[object CryptoKey]');
  expect((key as Record<symbol, unknown>)[Symbol.toStringTag]).toBe('CryptoKey');
  expect((key as CryptoKey).type).toBe(type);
}

// ---- key pairs from the platform are our CryptoKeys ----------------------------

interface PairCase {
  label: string;
  generate: Params;
  usages: KeyUsage[];
}

const PAIRS: PairCase[] = [
  { label: 'ECDSA P-256', generate: { name: 'ECDSA', namedCurve: 'P-256' }, usages: ['sign', 'verify'] },
  { label: 'ECDSA P-384', generate: { name: 'ECDSA', namedCurve: 'P-384' }, usages: ['sign', 'verify'] },
  { label: 'RSA-PSS 2048', generate: { name: 'RSA-PSS', modulusLength: 2048, publicExponent: F4, hash: 'SHA-256' }, usages: ['sign', 'verify'] },
  { label: 'RSASSA-PKCS1-v1_5 2048', generate: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: F4, hash: 'SHA-256' }, usages: ['sign', 'verify'] },
  { label: 'RSA-OAEP 2048', generate: { name: 'RSA-OAEP', modulusLength: 2048, publicExponent: F4, hash: 'SHA-256' }, usages: ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'] },
  { label: 'Ed25519', generate: { name: 'Ed25519' }, usages: ['sign', 'verify'] },
  { label: 'X25519', generate: { name: 'X25519' }, usages: ['deriveKey', 'deriveBits'] },
  { label: 'ECDH P-256', generate: { name: 'ECDH', namedCurve: 'P-256' }, usages: ['deriveKey', 'deriveBits'] },
];

describe('generateKey of a key pair (platform) returns a CryptoKeyPair of our CryptoKeys', () => {
  test.each(PAIRS)('$label', async ({ generate, usages }) => {
    const [pair, counts] = await countsOf(() => generatePair(generate, usages, false));
    const node = await nodeSubtle.generateKey(generate as AlgorithmIdentifier, false, usages) as globalThis.CryptoKeyPair;
    expect(Object.keys(pair).sort()).toEqual(['privateKey', 'publicKey']);
    expectOurKey(pair.publicKey, 'public');
    expectOurKey(pair.privateKey, 'private');
    // The spec's slots, exactly as Node sets them for the same request.
    expect(pair.publicKey.algorithm).toEqual(node.publicKey.algorithm);
    expect(pair.privateKey.algorithm).toEqual(node.privateKey.algorithm);
    expect(pair.publicKey.usages).toEqual(node.publicKey.usages);
    expect(pair.privateKey.usages).toEqual(node.privateKey.usages);
    expect(pair.publicKey.extractable).toBe(true);
    expect(pair.privateKey.extractable).toBe(false);
    await expectDomRejection(() => subtle.exportKey('pkcs8', pair.privateKey), 'InvalidAccessError');
    const name = (generate as { name: string }).name;
    expect(counts).toEqual({ kernel: {}, platform: { [name]: 1 } });
  });

  test('Node\'s own CryptoKeys are not ours, and ours are not Node\'s: each side rejects the other\'s with TypeError', async () => {
    const nodePair = await nodeSubtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']) as globalThis.CryptoKeyPair;
    const ourPair = await generatePair({ name: 'ECDSA', namedCurve: 'P-256' }, ['sign', 'verify']);
    const alg = { name: 'ECDSA', hash: 'SHA-256' };
    expect(await outcomeOf(() => subtle.sign(alg, nodePair.privateKey, MESSAGE))).toBe('TypeError');
    expect(await outcomeOf(() => nodeSubtle.sign(alg, ourPair.privateKey as unknown as globalThis.CryptoKey, MESSAGE))).toBe('TypeError');
  });
});

// ---- sign and verify, checked by Node ----------------------------------------

const SIGNERS = [
  { label: 'ECDSA P-256', generate: { name: 'ECDSA', namedCurve: 'P-256' }, sign: { name: 'ECDSA', hash: 'SHA-256' } },
  { label: 'RSA-PSS 2048', generate: { name: 'RSA-PSS', modulusLength: 2048, publicExponent: F4, hash: 'SHA-256' }, sign: { name: 'RSA-PSS', saltLength: 32 } },
  { label: 'RSASSA-PKCS1-v1_5 2048', generate: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: F4, hash: 'SHA-384' }, sign: { name: 'RSASSA-PKCS1-v1_5' } },
  { label: 'Ed25519', generate: { name: 'Ed25519' }, sign: { name: 'Ed25519' } },
];

describe('platform signatures verify with Node and the other way round', () => {
  test.each(SIGNERS)('$label', async ({ generate, sign }) => {
    const pair = await generatePair(generate, ['sign', 'verify']);
    const nodePublic = await toNode(pair.publicKey, generate, ['verify']);
    const signature = await subtle.sign(sign, pair.privateKey, MESSAGE);
    expect(await subtle.verify(sign, pair.publicKey, signature, MESSAGE)).toBe(true);
    expect(await nodeSubtle.verify(sign as Algorithm, nodePublic, signature, MESSAGE)).toBe(true);
    expect(await subtle.verify(sign, pair.publicKey, signature, randomData(MESSAGE.length))).toBe(false);
    const nodePrivate = await toNode(pair.privateKey, generate, ['sign']);
    const nodeSignature = await nodeSubtle.sign(sign as Algorithm, nodePrivate, MESSAGE);
    expect(await subtle.verify(sign, pair.publicKey, nodeSignature, MESSAGE)).toBe(true);
  });
});

// ---- private keys wrapped by kernel keys ---------------------------------------

const WRAPPED = [
  { label: 'ECDSA P-256', generate: { name: 'ECDSA', namedCurve: 'P-256' }, sign: { name: 'ECDSA', hash: 'SHA-256' } },
  { label: 'RSA-PSS 2048', generate: { name: 'RSA-PSS', modulusLength: 2048, publicExponent: F4, hash: 'SHA-256' }, sign: { name: 'RSA-PSS', saltLength: 32 } },
  { label: 'Ed25519', generate: { name: 'Ed25519' }, sign: { name: 'Ed25519' } },
];
const FORMATS = ['pkcs8', 'jwk'] as const;
const WRAP_CASES = WRAPPED.flatMap((c) => FORMATS.map((format) => ({ ...c, format })));

/** The bytes wrapKey wraps for a key in a format (pkcs8 bytes, or the JWK's JSON). */
async function encodingOf(key: CryptoKey, format: 'pkcs8' | 'jwk'): Promise<Uint8Array> {
  const exported = await subtle.exportKey(format, key);
  return exported instanceof ArrayBuffer ? new Uint8Array(exported) : new TextEncoder().encode(JSON.stringify(exported));
}

/** The unwrapped private key signs, and the original public key verifies it. */
async function expectSignsLike(unwrapped: CryptoKey, original: CryptoKeyPair, sign: Params): Promise<void> {
  expectOurKey(unwrapped, 'private');
  expect(unwrapped.algorithm).toEqual(original.privateKey.algorithm);
  expect(unwrapped.usages).toEqual(['sign']);
  const signature = await subtle.sign(sign, unwrapped, MESSAGE);
  expect(await subtle.verify(sign, original.publicKey, signature, MESSAGE)).toBe(true);
  expect(hex(await subtle.exportKey('pkcs8', unwrapped) as ArrayBuffer))
    .toBe(hex(await subtle.exportKey('pkcs8', original.privateKey) as ArrayBuffer));
}

describe('a kernel AES-GCM key wraps and unwraps platform private keys', () => {
  test.each(WRAP_CASES)('$label as $format', async ({ generate, sign, format }) => {
    const pair = await generatePair(generate, ['sign', 'verify']);
    const raw = randomData(32);
    const gcm = await subtle.importKey('raw', raw, 'AES-GCM', false, ['wrapKey', 'unwrapKey']);
    const iv = randomData(12);
    const gcmParams = { name: 'AES-GCM', iv, additionalData: randomData(20) };
    const [wrapped, wrapCounts] = await countsOf(() => subtle.wrapKey(format, pair.privateKey, gcm, gcmParams));
    // The export ran on the platform and the encryption in the kernel.
    expect(wrapCounts).toEqual({ kernel: { 'AES-GCM': 1 }, platform: { [generate.name]: 1 } });

    // Node, holding the same AES key, decrypts exactly the key's encoding.
    const nodeGcm = await nodeSubtle.importKey('raw', raw, 'AES-GCM', false, ['decrypt']);
    const plain = new Uint8Array(await nodeSubtle.decrypt(gcmParams, nodeGcm, wrapped));
    expect(hex(plain)).toBe(hex(await encodingOf(pair.privateKey, format)));

    const [unwrapped, unwrapCounts] = await countsOf(() =>
      subtle.unwrapKey(format, wrapped, gcm, gcmParams, generate, true, ['sign']));
    expect(unwrapCounts).toEqual({ kernel: { 'AES-GCM': 1 }, platform: { [generate.name]: 1 } });
    await expectSignsLike(unwrapped, pair, sign);

    // A tampered wrapping fails authentication in the kernel: OperationError.
    const tampered = new Uint8Array(wrapped);
    tampered[0]! ^= 1;
    await expectDomRejection(() => subtle.unwrapKey(format, tampered, gcm, gcmParams, generate, true, ['sign']), 'OperationError');
  });
});

// wrapKey with an encrypt-only algorithm (AES-GCM, AES-CBC, AES-CTR) falls
// back to its encrypt operation (the spec's wrapKey step); in hybrid mode that
// fallback must still find the kernel module, for kernel keys of any kind.
const ENCRYPT_WRAPPERS = [
  { name: 'AES-GCM', params: () => ({ name: 'AES-GCM', iv: randomData(12) }) },
  { name: 'AES-CBC', params: () => ({ name: 'AES-CBC', iv: randomData(16) }) },
  { name: 'AES-CTR', params: () => ({ name: 'AES-CTR', counter: randomData(16), length: 64 }) },
];

describe('hybrid mode: a kernel key wraps a kernel key with an encrypt-only algorithm, like Node', () => {
  test.each(ENCRYPT_WRAPPERS)('$name wraps a raw HMAC key', async ({ name, params }) => {
    const raw = randomData(32);
    const secret = randomData(64);
    const wrapper = await subtle.importKey('raw', raw, name, false, ['wrapKey', 'unwrapKey']);
    const hmac = await subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, true, ['sign']);
    const p = params();
    const [wrapped, counts] = await countsOf(() => subtle.wrapKey('raw', hmac, wrapper, p));
    expect(counts).toEqual({ kernel: { [name]: 1, HMAC: 1 }, platform: {} });
    const nodeWrapper = await nodeSubtle.importKey('raw', raw, name, false, ['wrapKey']);
    const nodeHmac = await nodeSubtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, true, ['sign']);
    expect(hex(wrapped)).toBe(hex(await nodeSubtle.wrapKey('raw', nodeHmac, nodeWrapper, p)));
    const unwrapped = await subtle.unwrapKey('raw', wrapped, wrapper, p, { name: 'HMAC', hash: 'SHA-256' }, true, ['sign']);
    expect(hex(await subtle.exportKey('raw', unwrapped) as ArrayBuffer)).toBe(hex(secret));
  });
});

describe('a kernel AES-KW key wraps platform private keys whose encoding is a multiple of 8 bytes', () => {
  test.each(WRAPPED.map((c) => ({ ...c, format: 'pkcs8' as const })))('$label as $format: like Node', async ({ generate, sign, format }) => {
    const pair = await generatePair(generate, ['sign', 'verify']);
    const raw = randomData(32);
    const kw = await subtle.importKey('raw', raw, 'AES-KW', false, ['wrapKey', 'unwrapKey']);
    const nodeKw = await nodeSubtle.importKey('raw', raw, 'AES-KW', false, ['wrapKey', 'unwrapKey']);
    const nodePrivate = await toNode(pair.privateKey, generate, ['sign']);
    const length = (await encodingOf(pair.privateKey, format)).byteLength;
    if (length % 8 !== 0) {
      // RFC 3394 wraps whole 64-bit blocks: a 138-byte P-256 pkcs8 (and most
      // RSA pkcs8 lengths) cannot be wrapped, by us or by Node.
      await expectDomRejection(() => subtle.wrapKey(format, pair.privateKey, kw, 'AES-KW'), 'OperationError');
      await expectDomRejection(() => nodeSubtle.wrapKey(format, nodePrivate, nodeKw, 'AES-KW'), 'OperationError');
      return;
    }
    const [wrapped, counts] = await countsOf(() => subtle.wrapKey(format, pair.privateKey, kw, 'AES-KW'));
    expect(counts).toEqual({ kernel: { 'AES-KW': 1 }, platform: { [generate.name]: 1 } });
    // AES-KW is deterministic: Node's wrapping of the same bytes is identical.
    expect(hex(wrapped)).toBe(hex(await nodeSubtle.wrapKey(format, nodePrivate, nodeKw, 'AES-KW')));
    const unwrapped = await subtle.unwrapKey(format, wrapped, kw, 'AES-KW', generate, true, ['sign']) as CryptoKey;
    await expectSignsLike(unwrapped, pair, sign);
  });

  test('Ed25519 pkcs8 (always 48 bytes) wraps to 56 bytes', async () => {
    const pair = await generatePair({ name: 'Ed25519' }, ['sign', 'verify']);
    expect((await encodingOf(pair.privateKey, 'pkcs8')).byteLength).toBe(48);
    const kw = await generateSecret({ name: 'AES-KW', length: 128 }, ['wrapKey', 'unwrapKey']);
    const wrapped = await subtle.wrapKey('pkcs8', pair.privateKey, kw, 'AES-KW');
    expect(wrapped.byteLength).toBe(56);
    const unwrapped = await subtle.unwrapKey('pkcs8', wrapped, kw, 'AES-KW', 'Ed25519', true, ['sign']) as CryptoKey;
    await expectSignsLike(unwrapped, pair, 'Ed25519');
  });

  // The spec lets an implementation adapt a JWK's serialization to the
  // wrapping algorithm (wrapKey, the note at the JSON step), and Node,
  // Chrome, Firefox, Deno and Bun all pad the JSON with spaces to a multiple
  // of 8 bytes for AES-KW, so `wrapKey('jwk', key, kw, 'AES-KW')` works
  // everywhere. Unchanged code relying on it must keep working here.
  test.each(WRAPPED.map((c) => ({ ...c, format: 'jwk' as const })))('$label as $format: padded like Node', async ({ generate, sign, format }) => {
    const pair = await generatePair(generate, ['sign', 'verify']);
    const raw = randomData(32);
    const kw = await subtle.importKey('raw', raw, 'AES-KW', false, ['wrapKey', 'unwrapKey']);
    const nodeKw = await nodeSubtle.importKey('raw', raw, 'AES-KW', false, ['wrapKey', 'unwrapKey']);
    const nodePrivate = await toNode(pair.privateKey, generate, ['sign']);
    const nodeWrapped = await nodeSubtle.wrapKey(format, nodePrivate, nodeKw, 'AES-KW');
    const wrapped = await subtle.wrapKey(format, pair.privateKey, kw, 'AES-KW');
    expect(hex(wrapped)).toBe(hex(nodeWrapped));
    const unwrapped = await subtle.unwrapKey(format, nodeWrapped, kw, 'AES-KW', generate, true, ['sign']) as CryptoKey;
    await expectSignsLike(unwrapped, pair, sign);
  });
});

// ---- ECDH and X25519 derive kernel keys ----------------------------------------

const AGREEMENTS = [
  { label: 'ECDH P-256', generate: { name: 'ECDH', namedCurve: 'P-256' }, bits: 256 },
  { label: 'ECDH P-384', generate: { name: 'ECDH', namedCurve: 'P-384' }, bits: 384 },
  { label: 'X25519', generate: { name: 'X25519' }, bits: 256 },
];

async function parties(generate: Params): Promise<[CryptoKeyPair, CryptoKeyPair]> {
  const usages: KeyUsage[] = ['deriveKey', 'deriveBits'];
  return [await generatePair(generate, usages), await generatePair(generate, usages)];
}

/** The shared secret as Node computes it from the same key material. */
async function nodeSharedBits(generate: Params, mine: CryptoKeyPair, theirs: CryptoKeyPair, bits: number): Promise<string> {
  const name = (generate as { name: string }).name;
  const privateKey = await toNode(mine.privateKey, generate, ['deriveBits']);
  const publicKey = await toNode(theirs.publicKey, generate, []);
  return hex(await nodeSubtle.deriveBits({ name, public: publicKey } as Algorithm, privateKey, bits));
}

describe('ECDH and X25519 deriveKey into kernel keys', () => {
  test.each(AGREEMENTS)('$label -> AES-GCM 256: both parties get the key Node derives; it encrypts in the kernel', async ({ generate, bits }) => {
    const name = generate.name;
    const [alice, bob] = await parties(generate);
    const aesParams = { name: 'AES-GCM', length: 256 };
    const [aliceKey, counts] = await countsOf(() =>
      subtle.deriveKey({ name, public: bob.publicKey }, alice.privateKey, aesParams, true, ['encrypt', 'decrypt']));
    expect(counts).toEqual({ kernel: { 'AES-GCM': 1 }, platform: { [name]: 1 } });
    const bobKey = await subtle.deriveKey({ name, public: alice.publicKey }, bob.privateKey, aesParams, false, ['decrypt']);
    expectOurKey(aliceKey, 'secret');
    expect(aliceKey.algorithm).toEqual({ name: 'AES-GCM', length: 256 });
    const shared = await nodeSharedBits(generate, alice, bob, bits);
    expect(hex(await subtle.exportKey('raw', aliceKey) as ArrayBuffer)).toBe(shared.slice(0, 64));

    const iv = randomData(12);
    const [sealed, encryptCounts] = await countsOf(() => subtle.encrypt({ name: 'AES-GCM', iv }, aliceKey, MESSAGE));
    expect(encryptCounts).toEqual({ kernel: { 'AES-GCM': 1 }, platform: {} });
    expect(new TextDecoder().decode(await subtle.decrypt({ name: 'AES-GCM', iv }, bobKey, sealed))).toBe(new TextDecoder().decode(MESSAGE));
    const nodeKey = await nodeSubtle.importKey('raw', Buffer.from(shared.slice(0, 64), 'hex'), 'AES-GCM', false, ['encrypt']);
    expect(hex(sealed)).toBe(hex(await nodeSubtle.encrypt({ name: 'AES-GCM', iv }, nodeKey, MESSAGE)));
  });

  test.each(AGREEMENTS)('$label -> HMAC with an explicit length of $bits bits: signs in the kernel like Node', async ({ generate, bits }) => {
    const name = generate.name;
    const [alice, bob] = await parties(generate);
    const hash = bits === 384 ? 'SHA-384' : 'SHA-256';
    const hmacParams = { name: 'HMAC', hash, length: bits };
    const aliceKey = await subtle.deriveKey({ name, public: bob.publicKey }, alice.privateKey, hmacParams, false, ['sign']);
    const bobKey = await subtle.deriveKey({ name, public: alice.publicKey }, bob.privateKey, hmacParams, true, ['verify']);
    expectOurKey(aliceKey, 'secret');
    expect(aliceKey.algorithm).toEqual({ name: 'HMAC', hash: { name: hash }, length: bits });
    const [mac, counts] = await countsOf(() => subtle.sign('HMAC', aliceKey, MESSAGE));
    expect(counts).toEqual({ kernel: { HMAC: 1 }, platform: {} });
    expect(await subtle.verify('HMAC', bobKey, mac, MESSAGE)).toBe(true);
    const shared = await nodeSharedBits(generate, alice, bob, bits);
    expect(hex(await subtle.exportKey('raw', bobKey) as ArrayBuffer)).toBe(shared);
    const nodeKey = await nodeSubtle.importKey('raw', Buffer.from(shared, 'hex'), { name: 'HMAC', hash }, false, ['sign']);
    expect(hex(mac)).toBe(hex(await nodeSubtle.sign('HMAC', nodeKey, MESSAGE)));
  });

  test.each(AGREEMENTS)('$label -> HMAC without a length (the hash block size, more than the curve gives): OperationError, as in Node', async ({ generate }) => {
    const name = generate.name;
    const [alice, bob] = await parties(generate);
    const hmacParams = { name: 'HMAC', hash: 'SHA-256' };
    await expectDomRejection(() => subtle.deriveKey({ name, public: bob.publicKey }, alice.privateKey, hmacParams, false, ['sign']), 'OperationError');
    const nodePrivate = await toNode(alice.privateKey, generate, ['deriveKey']);
    const nodePublic = await toNode(bob.publicKey, generate, []);
    await expectDomRejection(() => nodeSubtle.deriveKey({ name, public: nodePublic } as Algorithm, nodePrivate, hmacParams, false, ['sign']), 'OperationError');
  });

  // The spec checks the base key's usages for 'deriveKey' in deriveKey and
  // for 'deriveBits' in deriveBits; MDN's ECDH example makes its keys with
  // ['deriveKey'] only.
  test('an ECDH key with only the deriveKey usage derives a key; one with only deriveBits does not (as in Node)', async () => {
    const generate = { name: 'ECDH', namedCurve: 'P-256' };
    const aesParams = { name: 'AES-GCM', length: 128 };
    const deriveKeyOnly = await generatePair(generate, ['deriveKey']);
    const key = await subtle.deriveKey({ name: 'ECDH', public: deriveKeyOnly.publicKey }, deriveKeyOnly.privateKey, aesParams, false, ['encrypt']);
    expectOurKey(key, 'secret');
    await expectDomRejection(() => subtle.deriveBits({ name: 'ECDH', public: deriveKeyOnly.publicKey }, deriveKeyOnly.privateKey, 128), 'InvalidAccessError');
    const deriveBitsOnly = await generatePair(generate, ['deriveBits']);
    await expectDomRejection(() => subtle.deriveKey({ name: 'ECDH', public: deriveBitsOnly.publicKey }, deriveBitsOnly.privateKey, aesParams, false, ['encrypt']), 'InvalidAccessError');
  });

  test('ECDH with a kernel key or an X25519 key as `public`: InvalidAccessError, as in Node', async () => {
    const [alice] = await parties({ name: 'ECDH', namedCurve: 'P-256' });
    const aes = await generateSecret({ name: 'AES-GCM', length: 128 }, ['encrypt']);
    const x = await generatePair({ name: 'X25519' }, ['deriveBits']);
    await expectDomRejection(() => subtle.deriveBits({ name: 'ECDH', public: aes }, alice.privateKey, 256), 'InvalidAccessError');
    await expectDomRejection(() => subtle.deriveBits({ name: 'ECDH', public: x.publicKey }, alice.privateKey, 256), 'InvalidAccessError');
  });
});

// ---- HKDF over ECDH bits ----------------------------------------------------------

describe('HKDF (kernel) over ECDH-derived bits (platform)', () => {
  test('deriveBits(ECDH) -> importKey HKDF -> deriveBits and deriveKey AES-GCM: the bytes Node computes', async () => {
    const generate = { name: 'ECDH', namedCurve: 'P-256' };
    const [alice, bob] = await parties(generate);
    const bits = await subtle.deriveBits({ name: 'ECDH', public: bob.publicKey }, alice.privateKey, 256);
    expect(hex(bits)).toBe(await nodeSharedBits(generate, alice, bob, 256));
    const hkdf = { name: 'HKDF', hash: 'SHA-256', salt: randomData(16), info: new TextEncoder().encode('hybrid test') };
    const [okm, counts] = await countsOf(async () => {
      const ikm = await subtle.importKey('raw', bits, 'HKDF', false, ['deriveBits', 'deriveKey']);
      return subtle.deriveBits(hkdf, ikm, 512);
    });
    expect(counts).toEqual({ kernel: { HKDF: 2 }, platform: {} });
    const nodeIkm = await nodeSubtle.importKey('raw', bits, 'HKDF', false, ['deriveBits']);
    expect(hex(okm)).toBe(hex(await nodeSubtle.deriveBits(hkdf, nodeIkm, 512)));

    const ikm = await subtle.importKey('raw', bits, 'HKDF', false, ['deriveKey']);
    const aes = await subtle.deriveKey(hkdf, ikm, { name: 'AES-GCM', length: 128 }, true, ['encrypt']);
    expect(hex(await subtle.exportKey('raw', aes) as ArrayBuffer)).toBe(hex(okm).slice(0, 32));
  });

  // deriveKey into an HKDF key is the one-call form of the same thing; the
  // spec's "get key length" for HKDF is null (take the base algorithm's
  // full output), and Node supports it.
  test('deriveKey(ECDH -> HKDF) then HKDF deriveBits: the bytes Node computes', async () => {
    const generate = { name: 'ECDH', namedCurve: 'P-256' };
    const [alice, bob] = await parties(generate);
    const ikm = await subtle.deriveKey({ name: 'ECDH', public: bob.publicKey }, alice.privateKey, 'HKDF', false, ['deriveBits']);
    expectOurKey(ikm, 'secret');
    expect(ikm.algorithm).toEqual({ name: 'HKDF' });
    const hkdf = { name: 'HKDF', hash: 'SHA-512', salt: new Uint8Array(0), info: new Uint8Array(0) };
    const okm = await subtle.deriveBits(hkdf, ikm, 256);
    const shared = Buffer.from(await nodeSharedBits(generate, alice, bob, 256), 'hex');
    const nodeIkm = await nodeSubtle.importKey('raw', shared, 'HKDF', false, ['deriveBits']);
    expect(hex(okm)).toBe(hex(await nodeSubtle.deriveBits(hkdf, nodeIkm, 256)));
  });
});

// ---- exportKey of platform keys: what Node exports for the same key ------------------

const EXPORTS = [
  { label: 'ECDSA P-256', alg: { name: 'ECDSA', namedCurve: 'P-256' }, usages: ['sign', 'verify'], raw: true },
  { label: 'ECDSA P-521', alg: { name: 'ECDSA', namedCurve: 'P-521' }, usages: ['sign', 'verify'], raw: true },
  { label: 'ECDH P-384', alg: { name: 'ECDH', namedCurve: 'P-384' }, usages: ['deriveBits'], raw: true },
  { label: 'RSA-PSS 2048', alg: { name: 'RSA-PSS', modulusLength: 2048, publicExponent: F4, hash: 'SHA-512' }, usages: ['sign', 'verify'], raw: false },
  { label: 'RSA-OAEP 2048', alg: { name: 'RSA-OAEP', modulusLength: 2048, publicExponent: F4, hash: 'SHA-1' }, usages: ['encrypt', 'decrypt'], raw: false },
  { label: 'Ed25519', alg: { name: 'Ed25519' }, usages: ['sign', 'verify'], raw: true },
  { label: 'X25519', alg: { name: 'X25519' }, usages: ['deriveBits'], raw: true },
] as const;

const PUBLIC_USAGES: Record<string, KeyUsage[]> = { sign: ['verify'], encrypt: ['encrypt'], deriveBits: [] };
const PRIVATE_USAGES: Record<string, KeyUsage[]> = { sign: ['sign'], encrypt: ['decrypt'], deriveBits: ['deriveBits'] };

/** Every export of a pair, in a form toEqual can compare. */
async function exportsOf(s: { exportKey(format: string, key: never): Promise<unknown> }, pair: { publicKey: unknown; privateKey: unknown }, raw: boolean) {
  const bytes = async (format: string, key: unknown) => hex(await s.exportKey(format, key as never) as ArrayBuffer);
  return {
    spki: await bytes('spki', pair.publicKey),
    pkcs8: await bytes('pkcs8', pair.privateKey),
    publicJwk: await s.exportKey('jwk', pair.publicKey as never),
    privateJwk: await s.exportKey('jwk', pair.privateKey as never),
    raw: raw ? await bytes('raw', pair.publicKey) : null,
  };
}

describe('exportKey of platform keys equals what Node exports for the same key material', () => {
  test.each(EXPORTS)('$label: generated here, imported into Node from pkcs8 and spki', async ({ alg, usages, raw }) => {
    const pair = await generatePair(alg, [...usages]);
    const first = usages[0];
    const nodePair = {
      publicKey: await toNode(pair.publicKey, alg, PUBLIC_USAGES[first]!),
      privateKey: await toNode(pair.privateKey, alg, PRIVATE_USAGES[first]!),
    };
    const ours = await exportsOf(subtle as never, pair, raw);
    expect(ours).toEqual(await exportsOf(nodeSubtle as never, nodePair, raw));
    expect(ours.privateJwk).toMatchObject({ ext: true, key_ops: PRIVATE_USAGES[first] });
  });

  test.each(EXPORTS)('$label: generated by Node, imported here from pkcs8 and jwk', async ({ alg, usages, raw }) => {
    const nodePair = await nodeSubtle.generateKey(alg as never, true, [...usages]) as globalThis.CryptoKeyPair;
    const first = usages[0];
    const pkcs8 = await nodeSubtle.exportKey('pkcs8', nodePair.privateKey);
    const jwk = await nodeSubtle.exportKey('jwk', nodePair.publicKey);
    const pair = {
      privateKey: await subtle.importKey('pkcs8', pkcs8, alg, true, PRIVATE_USAGES[first]!),
      publicKey: await subtle.importKey('jwk', jwk, alg, true, PUBLIC_USAGES[first]!),
    };
    expectOurKey(pair.privateKey, 'private');
    expectOurKey(pair.publicKey, 'public');
    expect(await exportsOf(subtle as never, pair, raw)).toEqual(await exportsOf(nodeSubtle as never, nodePair, raw));
  });
});

// ---- the proof: which backend served what ------------------------------------------

describe('servingBackends and operationCounts', () => {
  test('servingBackends: every registered algorithm from the kernel, every asymmetric one from the platform', () => {
    const table = servingBackends(createCrypto({ mode: 'hybrid' }));
    expect(table).toEqual([
      ...REGISTRY.map((row) => ({ algorithm: row.name, servedBy: 'kernel', kernel: row.kernel })),
      ...ASYMMETRIC_ALGORITHMS.map((algorithm) => ({ algorithm, servedBy: 'platform', kernel: [] })),
    ]);
    for (const name of ['SHA-256', 'HMAC', 'AES-CBC', 'AES-CTR', 'AES-GCM', 'AES-KW', 'PBKDF2', 'HKDF'])
      expect(table.find((row) => row.algorithm === name)?.servedBy).toBe('kernel');
    for (const name of ['ECDSA', 'ECDH', 'RSA-PSS', 'RSA-OAEP', 'RSASSA-PKCS1-v1_5', 'Ed25519', 'X25519'])
      expect(table.find((row) => row.algorithm === name)?.servedBy).toBe('platform');
  });

  test('a mixed workload: symmetric work counted under kernel, asymmetric under platform, exactly', async () => {
    const c = createCrypto({ mode: 'hybrid' });
    const s = c.subtle;
    expect(operationCounts(c)).toEqual({ kernel: {}, platform: {} });
    const ecdsa = await s.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']) as CryptoKeyPair; // platform ECDSA 1
    const signature = await s.sign({ name: 'ECDSA', hash: 'SHA-256' }, ecdsa.privateKey, MESSAGE); // 2
    expect(await s.verify({ name: 'ECDSA', hash: 'SHA-256' }, ecdsa.publicKey, signature, MESSAGE)).toBe(true); // 3
    const kw = await s.generateKey({ name: 'AES-KW', length: 256 }, false, ['wrapKey', 'unwrapKey']) as CryptoKey; // kernel AES-KW 1
    const ed = await s.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']) as CryptoKeyPair; // platform Ed25519 1
    const wrapped = await s.wrapKey('pkcs8', ed.privateKey, kw, 'AES-KW'); // Ed25519 2 (export), AES-KW 2
    await s.unwrapKey('pkcs8', wrapped, kw, 'AES-KW', 'Ed25519', false, ['sign']); // AES-KW 3, Ed25519 3 (import)
    const gcm = await s.generateKey({ name: 'AES-GCM', length: 128 }, false, ['encrypt', 'decrypt']) as CryptoKey; // kernel AES-GCM 1
    const iv = randomData(12);
    await s.decrypt({ name: 'AES-GCM', iv }, gcm, await s.encrypt({ name: 'AES-GCM', iv }, gcm, MESSAGE)); // AES-GCM 3
    await s.digest('SHA-256', MESSAGE); // kernel SHA-256 1
    const x = await s.generateKey({ name: 'X25519' }, false, ['deriveKey', 'deriveBits']) as CryptoKeyPair; // platform X25519 1
    const hmac = await s.deriveKey({ name: 'X25519', public: x.publicKey }, x.privateKey,
      { name: 'HMAC', hash: 'SHA-256', length: 256 }, false, ['sign']); // X25519 2, kernel HMAC 1 (import)
    await s.sign('HMAC', hmac, MESSAGE); // HMAC 2
    const password = await s.importKey('raw', new TextEncoder().encode('pw'), 'PBKDF2', false, ['deriveBits']); // kernel PBKDF2 1
    await s.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: randomData(16), iterations: 100 }, password, 256); // PBKDF2 2
    expect(operationCounts(c)).toEqual({
      kernel: { 'AES-KW': 3, 'AES-GCM': 3, 'SHA-256': 1, HMAC: 2, PBKDF2: 2 },
      platform: { ECDSA: 3, Ed25519: 3, X25519: 2 },
    });
    // Counters are per Crypto: the module-level instance saw none of this.
    expect(operationCounts(createCrypto({ mode: 'hybrid' }))).toEqual({ kernel: {}, platform: {} });
  });

  // An operator adds up operationCounts per algorithm; the same algorithm
  // must not be split by how a caller happened to spell it (names are ASCII
  // case-insensitive in WebCrypto, the kernel rows already count under the
  // spec's spelling).
  test('counts are keyed by the spec\'s spelling of the name, however the caller spells it', async () => {
    const c = createCrypto({ mode: 'hybrid' });
    const s = c.subtle;
    const pair = await s.generateKey({ name: 'ecdsa', namedCurve: 'P-256' }, false, ['sign']) as CryptoKeyPair;
    await s.sign({ name: 'EcDsA', hash: 'sha-256' }, pair.privateKey, MESSAGE);
    await s.digest('sha-256', MESSAGE);
    expect(operationCounts(c)).toEqual({ kernel: { 'SHA-256': 1 }, platform: { ECDSA: 2 } });
  });
});
