// PBKDF2 (RFC 8018) on the kernel's HMAC, through the public SubtleCrypto:
// published vectors (RFC 6070 for SHA-1, RFC 7914 for SHA-256), agreement
// with Node's WebCrypto over password, salt, iteration and length sizes on
// both job paths, the spec's import and deriveBits rules, and deriveKey into
// every symmetric key type, each derived key then used and checked against
// the same key derived by Node. Strict mode: the kernel computes everything.
import { randomBytes, type webcrypto } from 'node:crypto';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setJobPath, type JobPath } from '../../src/kernel/schedule';
import { createCrypto } from '../../src/webcrypto/crypto';
import type { CryptoKey } from '../../src/webcrypto/crypto-key';
import { requireAfAlg } from '../helpers/kernel';
import { nodeSubtle } from '../helpers/oracles';

// ---- helpers ----------------------------------------------------------------

const subtle = createCrypto({ mode: 'strict' }).subtle;

type Hash = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';
const HASHES: readonly Hash[] = ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'];
const DIGEST_BITS: Record<Hash, number> = { 'SHA-1': 160, 'SHA-256': 256, 'SHA-384': 384, 'SHA-512': 512 };
const JOB_PATHS: readonly JobPath[] = ['sync', 'async'];

const hex = (data: ArrayBuffer | Uint8Array): string => Buffer.from(data instanceof Uint8Array ? data : new Uint8Array(data)).toString('hex');
const ascii = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'latin1'));
const random = (length: number): Uint8Array => new Uint8Array(randomBytes(length));

/** The promise rejects with an error of this name (a DOMException, or a TypeError). */
async function expectRejects(promise: Promise<unknown>, name: string): Promise<void> {
  const outcome = await promise.then(
    (value) => ({ fulfilled: value }),
    (error: unknown) => ({ rejected: error }),
  );
  if (!('rejected' in outcome)) throw new Error(`expected a rejection with ${name}, but the promise fulfilled`);
  const error = outcome.rejected;
  expect(error).toBeInstanceOf(name === 'TypeError' ? TypeError : DOMException);
  expect((error as Error).name).toBe(name);
}

const params = (hash: Hash | string, salt: Uint8Array, iterations: number) => ({ name: 'PBKDF2', hash, salt, iterations });

function importOurs(password: Uint8Array, usages = ['deriveBits', 'deriveKey']): Promise<CryptoKey> {
  return subtle.importKey('raw', password, 'PBKDF2', false, usages);
}

function importNode(password: Uint8Array): Promise<webcrypto.CryptoKey> {
  return nodeSubtle.importKey('raw', password, 'PBKDF2', false, ['deriveBits', 'deriveKey']);
}

/** Runs the body of a describe once per job path, forcing that path. */
function onEachJobPath(body: (path: JobPath) => void): void {
  describe.each(JOB_PATHS)('on the %s job path', (path) => {
    beforeEach(() => setJobPath(path));
    afterEach(() => setJobPath('auto'));
    body(path);
  });
}

beforeAll(() => requireAfAlg());

// ---- published vectors ------------------------------------------------------

interface Pbkdf2Vector {
  readonly name: string;
  readonly hash: Hash;
  readonly password: Uint8Array;
  readonly salt: Uint8Array;
  readonly iterations: number;
  readonly derived: string;
}

// RFC 6070 section 2 (PBKDF2-HMAC-SHA1). Its fourth case (c = 16,777,216)
// is left out: every iteration is one send and one recv on the op socket,
// about 33 million syscalls, which take many minutes in the test VM (qemu
// emulates the CPU); cases 3, 5 and 6 already run 4096 iterations each.
const RFC_6070: readonly Pbkdf2Vector[] = [
  { name: 'RFC 6070 case 1', hash: 'SHA-1', password: ascii('password'), salt: ascii('salt'), iterations: 1,
    derived: '0c60c80f961f0e71f3a9b524af6012062fe037a6' },
  { name: 'RFC 6070 case 2', hash: 'SHA-1', password: ascii('password'), salt: ascii('salt'), iterations: 2,
    derived: 'ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957' },
  { name: 'RFC 6070 case 3', hash: 'SHA-1', password: ascii('password'), salt: ascii('salt'), iterations: 4096,
    derived: '4b007901b765489abead49d926f721d065a429c1' },
  { name: 'RFC 6070 case 5 (25 bytes: two blocks)', hash: 'SHA-1', password: ascii('passwordPASSWORDpassword'),
    salt: ascii('saltSALTsaltSALTsaltSALTsaltSALTsalt'), iterations: 4096,
    derived: '3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038' },
  { name: 'RFC 6070 case 6 (NUL bytes in password and salt)', hash: 'SHA-1', password: ascii('pass\0word'),
    salt: ascii('sa\0lt'), iterations: 4096, derived: '56fa6aa75548099dcc37d7f03425e0c3' },
];

// RFC 7914 section 11: the PBKDF2-HMAC-SHA256 vectors scrypt is built on.
const RFC_7914: readonly Pbkdf2Vector[] = [
  { name: 'RFC 7914 section 11, c = 1', hash: 'SHA-256', password: ascii('passwd'), salt: ascii('salt'), iterations: 1,
    derived: '55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc' +
      '49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783' },
  { name: 'RFC 7914 section 11, c = 80000', hash: 'SHA-256', password: ascii('Password'), salt: ascii('NaCl'),
    iterations: 80000,
    derived: '4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56' +
      'a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d' },
];

const VECTORS = [...RFC_6070, ...RFC_7914];
const FAST_VECTORS = VECTORS.filter((v) => v.iterations < 80000);

async function deriveVector({ hash, password, salt, iterations, derived }: Pbkdf2Vector): Promise<string> {
  const key = await importOurs(password);
  return hex(await subtle.deriveBits(params(hash, salt, iterations), key, derived.length * 4));
}

describe('published vectors', () => {
  it.each(VECTORS)('are typed correctly: Node agrees with $name', async (vector) => {
    const { hash, password, salt, iterations, derived } = vector;
    const bits = await nodeSubtle.deriveBits(params(hash, salt, iterations), await importNode(password), derived.length * 4);
    expect(hex(bits)).toBe(derived);
  });

  onEachJobPath(() => {
    it.each(FAST_VECTORS)('$name', async (vector) => {
      expect(await deriveVector(vector)).toBe(vector.derived);
    });
  });

  // 80,000 iterations of two blocks: run once, on the path the library picks.
  it.each(VECTORS.filter((v) => v.iterations >= 80000))('$name (the automatic job path)', async (vector) => {
    expect(await deriveVector(vector)).toBe(vector.derived);
  });
});

// ---- cross-checks against Node ----------------------------------------------

// Passwords around the block size (64 bytes for SHA-1/256) and over ALG_SET_KEY's
// 64 KiB limit (pre-hashed natively); lengths of one byte, one block, a
// non-multiple of the digest size, and many blocks.
const PASSWORD_BYTES = [0, 1, 64, 65, 70_000];
const SALT_BYTES = [0, 16];
const LENGTH_BITS = [8, 256, 1000, 4096];

describe('deriveBits agrees with Node', () => {
  const passwords = new Map(PASSWORD_BYTES.map((n) => [n, random(n)]));
  const salts = new Map(SALT_BYTES.map((n) => [n, random(n)]));

  onEachJobPath(() => {
    describe.each(HASHES)('PBKDF2 with %s', (hash) => {
      it.each(PASSWORD_BYTES)('password of %i bytes: salts of 0 and 16 bytes, 1 and 2 iterations, every length', async (n) => {
        const password = passwords.get(n)!;
        const ours = await importOurs(password);
        const node = await importNode(password);
        for (const salt of salts.values()) {
          for (const iterations of [1, 2]) {
            for (const length of LENGTH_BITS) {
              const alg = params(hash, salt, iterations);
              const expected = hex(await nodeSubtle.deriveBits(alg, node, length));
              expect(hex(await subtle.deriveBits(alg, ours, length)), `${salt.length}-byte salt, c=${iterations}, ${length} bits`)
                .toBe(expected);
            }
          }
        }
      });

      it('1000 iterations, one block and several blocks', async () => {
        const password = passwords.get(65)!;
        const ours = await importOurs(password);
        const node = await importNode(password);
        for (const length of [DIGEST_BITS[hash], 1000]) {
          const alg = params(hash, salts.get(16)!, 1000);
          expect(hex(await subtle.deriveBits(alg, ours, length))).toBe(hex(await nodeSubtle.deriveBits(alg, node, length)));
        }
      });
    });
  });

  it('the same key derives many times, with different parameters, interleaved', async () => {
    const password = random(20);
    const ours = await importOurs(password);
    const node = await importNode(password);
    const cases = HASHES.flatMap((hash) => [1, 3, 10].map((iterations) => params(hash, random(8), iterations)));
    const results = await Promise.all(cases.map((alg) => subtle.deriveBits(alg, ours, 512)));
    for (const [i, alg] of cases.entries())
      expect(hex(results[i]!)).toBe(hex(await nodeSubtle.deriveBits(alg, node, 512)));
  });

  it('the salt is copied when deriveBits is called: changing it afterwards changes nothing', async () => {
    setJobPath('async');
    try {
      const password = random(10);
      const salt = random(16);
      const expected = hex(await nodeSubtle.deriveBits(params('SHA-256', salt, 5000), await importNode(password), 256));
      const pending = subtle.deriveBits(params('SHA-256', salt, 5000), await importOurs(password), 256);
      salt.fill(0);
      expect(hex(await pending)).toBe(expected);
    } finally {
      setJobPath('auto');
    }
  });
});

// ---- deriveBits errors ------------------------------------------------------

describe('deriveBits: the length and the iterations', () => {
  const alg = params('SHA-256', random(16), 1);

  it('length 0 gives an empty ArrayBuffer', async () => {
    const bits = await subtle.deriveBits(alg, await importOurs(random(8)), 0);
    expect(bits).toBeInstanceOf(ArrayBuffer);
    expect(bits.byteLength).toBe(0);
  });

  it('a null or missing length is an OperationError', async () => {
    const key = await importOurs(random(8));
    await expectRejects(subtle.deriveBits(alg, key, null), 'OperationError');
    await expectRejects(subtle.deriveBits(alg, key), 'OperationError');
  });

  it.each([1, 7, 12, 100, 257])('length %i (not a multiple of 8) is an OperationError', async (length) => {
    await expectRejects(subtle.deriveBits(alg, await importOurs(random(8)), length), 'OperationError');
  });

  it('iterations 0 is an OperationError, even for length 0', async () => {
    const key = await importOurs(random(8));
    await expectRejects(subtle.deriveBits(params('SHA-256', random(16), 0), key, 256), 'OperationError');
    await expectRejects(subtle.deriveBits(params('SHA-256', random(16), 0), key, 0), 'OperationError');
  });

  it('iterations or length outside unsigned long is a TypeError', async () => {
    const key = await importOurs(random(8));
    await expectRejects(subtle.deriveBits(params('SHA-256', random(16), -1), key, 256), 'TypeError');
    await expectRejects(subtle.deriveBits(params('SHA-256', random(16), 2 ** 32), key, 256), 'TypeError');
  });

  it('a missing salt, iterations or hash is a TypeError (required members)', async () => {
    const key = await importOurs(random(8));
    await expectRejects(subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', iterations: 1 }, key, 256), 'TypeError');
    await expectRejects(subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: random(4) }, key, 256), 'TypeError');
    await expectRejects(subtle.deriveBits({ name: 'PBKDF2', salt: random(4), iterations: 1 }, key, 256), 'TypeError');
  });

  it.each(['SHA-224', 'MD5', 'PBKDF2', 'HMAC'])('hash %s is NotSupportedError', async (hash) => {
    await expectRejects(subtle.deriveBits(params(hash, random(4), 1), await importOurs(random(8)), 256), 'NotSupportedError');
  });

  it('the hash may be an object and any ASCII case', async () => {
    const password = random(8);
    const salt = random(4);
    const expected = hex(await nodeSubtle.deriveBits(params('SHA-384', salt, 3), await importNode(password), 384));
    for (const hash of ['sha-384', { name: 'Sha-384' }, { name: 'SHA-384' }]) {
      const bits = await subtle.deriveBits({ name: 'pbkdf2', hash, salt, iterations: 3 }, await importOurs(password), 384);
      expect(hex(bits)).toBe(expected);
    }
  });
});

// ---- importKey --------------------------------------------------------------

describe('importKey', () => {
  it('gives a non-extractable secret key with algorithm {name: "PBKDF2"}, like Node\'s', async () => {
    const ours = await importOurs(random(8), ['deriveKey', 'deriveBits']);
    const node = await importNode(random(8));
    expect(ours.type).toBe('secret');
    expect(ours.extractable).toBe(false);
    expect(ours.algorithm).toEqual({ name: 'PBKDF2' });
    expect(ours.algorithm).toEqual(node.algorithm);
  });

  it('an empty password is allowed', async () => {
    const salt = random(8);
    const expected = hex(await nodeSubtle.deriveBits(params('SHA-1', salt, 2), await importNode(new Uint8Array(0)), 160));
    expect(hex(await subtle.deriveBits(params('SHA-1', salt, 2), await importOurs(new Uint8Array(0)), 160))).toBe(expected);
  });

  it.each(['jwk', 'spki', 'pkcs8'])('format %s is NotSupportedError', async (format) => {
    const keyData = format === 'jwk' ? { kty: 'oct', k: 'AAAA' } : random(8);
    await expectRejects(subtle.importKey(format, keyData, 'PBKDF2', false, ['deriveBits']), 'NotSupportedError');
  });

  it('extractable true is a SyntaxError', async () => {
    await expectRejects(subtle.importKey('raw', random(8), 'PBKDF2', true, ['deriveBits']), 'SyntaxError');
  });

  const BAD_USAGES = [['sign'], ['deriveBits', 'encrypt'], ['verify', 'deriveKey'], ['wrapKey'], []].map((usages) => ({ usages }));
  it.each(BAD_USAGES)('usages $usages are a SyntaxError', async ({ usages }) => {
    await expectRejects(subtle.importKey('raw', random(8), 'PBKDF2', false, usages), 'SyntaxError');
  });

  it('the key cannot be exported: PBKDF2 has no export operation (NotSupportedError)', async () => {
    // exportKey step 4 (no export operation) comes before step 5 (not extractable).
    await expectRejects(subtle.exportKey('raw', await importOurs(random(8))), 'NotSupportedError');
  });

  it('generateKey is NotSupportedError', async () => {
    await expectRejects(subtle.generateKey({ name: 'PBKDF2' }, false, ['deriveBits']), 'NotSupportedError');
  });
});

describe('the base key must fit the call (InvalidAccessError)', () => {
  it('deriveBits needs the deriveBits usage', async () => {
    const key = await importOurs(random(8), ['deriveKey']);
    await expectRejects(subtle.deriveBits(params('SHA-256', random(8), 1), key, 256), 'InvalidAccessError');
  });

  it('deriveKey needs the deriveKey usage', async () => {
    const key = await importOurs(random(8), ['deriveBits']);
    await expectRejects(subtle.deriveKey(params('SHA-256', random(8), 1), key, { name: 'AES-GCM', length: 256 }, true, ['encrypt']),
      'InvalidAccessError');
  });

  it('an HKDF key cannot be used for PBKDF2', async () => {
    const hkdfKey = await subtle.importKey('raw', random(8), 'HKDF', false, ['deriveBits', 'deriveKey']);
    await expectRejects(subtle.deriveBits(params('SHA-256', random(8), 1), hkdfKey, 256), 'InvalidAccessError');
  });

  it('the base key is checked before the derived key type\'s length', async () => {
    const key = await importOurs(random(8), ['deriveBits']);
    await expectRejects(subtle.deriveKey(params('SHA-256', random(8), 1), key, { name: 'AES-GCM', length: 100 }, true, ['encrypt']),
      'InvalidAccessError');
  });
});

// ---- deriveKey --------------------------------------------------------------

interface DerivedKeyCase {
  readonly name: string;
  /** The derivedKeyType argument. */
  readonly type: object;
  readonly usages: KeyUsage[];
  /** The derived key's algorithm attribute. */
  readonly algorithm: object;
  /** Uses a key (ours or Node's) the same way on both sides; returns bytes to compare. */
  readonly use: (subtle: SubtleLike, key: never) => Promise<ArrayBuffer>;
}

/** The part of SubtleCrypto the cases use, callable with our keys or Node's. */
interface SubtleLike {
  encrypt(alg: object, key: unknown, data: Uint8Array): Promise<ArrayBuffer>;
  sign(alg: string, key: unknown, data: Uint8Array): Promise<ArrayBuffer>;
  wrapKey(format: string, key: unknown, wrappingKey: unknown, alg: string): Promise<ArrayBuffer>;
  importKey(format: string, data: Uint8Array, alg: string, extractable: boolean, usages: string[]): Promise<unknown>;
}

const PLAINTEXT = random(100);
const IV = random(16);
const KEY_TO_WRAP = random(32);

const encryptWith = (alg: object) => (s: SubtleLike, key: never) => s.encrypt(alg, key, PLAINTEXT);
const signWith = (s: SubtleLike, key: never) => s.sign('HMAC', key, PLAINTEXT);
const wrapWith = async (s: SubtleLike, key: never) =>
  s.wrapKey('raw', await s.importKey('raw', KEY_TO_WRAP, 'AES-CBC', true, ['encrypt']), key, 'AES-KW');

const AES_USES: Record<string, (s: SubtleLike, key: never) => Promise<ArrayBuffer>> = {
  'AES-CBC': encryptWith({ name: 'AES-CBC', iv: IV }),
  'AES-CTR': encryptWith({ name: 'AES-CTR', counter: IV, length: 64 }),
  'AES-GCM': encryptWith({ name: 'AES-GCM', iv: IV.subarray(0, 12), additionalData: IV }),
  'AES-KW': wrapWith,
};
const AES_USAGES: Record<string, KeyUsage[]> = {
  'AES-CBC': ['encrypt'], 'AES-CTR': ['encrypt'], 'AES-GCM': ['encrypt'], 'AES-KW': ['wrapKey'],
};

const DERIVED_KEYS: readonly DerivedKeyCase[] = [
  ...Object.keys(AES_USES).flatMap((name) => [128, 192, 256].map((length) => ({
    name: `${name} ${length}`, type: { name, length }, usages: AES_USAGES[name]!,
    algorithm: { name, length }, use: AES_USES[name]!,
  }))),
  ...HASHES.map((hash) => ({
    name: `HMAC ${hash}, default length (the block size)`, type: { name: 'HMAC', hash }, usages: ['sign'] as KeyUsage[],
    algorithm: { name: 'HMAC', hash: { name: hash }, length: hash === 'SHA-384' || hash === 'SHA-512' ? 1024 : 512 },
    use: signWith,
  })),
  {
    name: 'HMAC SHA-256, length 256', type: { name: 'HMAC', hash: 'SHA-256', length: 256 }, usages: ['sign'],
    algorithm: { name: 'HMAC', hash: { name: 'SHA-256' }, length: 256 }, use: signWith,
  },
  {
    name: 'HMAC SHA-512, length 1032', type: { name: 'HMAC', hash: { name: 'SHA-512' }, length: 1032 }, usages: ['sign'],
    algorithm: { name: 'HMAC', hash: { name: 'SHA-512' }, length: 1032 }, use: signWith,
  },
];

describe('deriveKey', () => {
  const password = random(24);
  const alg = params('SHA-256', random(16), 100);

  it.each(DERIVED_KEYS)('$name: the key works like the one Node derives', async ({ type, usages, algorithm, use }) => {
    const ours = await subtle.deriveKey(alg, await importOurs(password), type, true, usages);
    const node = await nodeSubtle.deriveKey(alg, await importNode(password), type as webcrypto.AesDerivedKeyParams, true, usages);
    expect(ours.type).toBe('secret');
    expect(ours.extractable).toBe(true);
    expect(ours.usages).toEqual(usages);
    expect(ours.algorithm).toEqual(algorithm);
    expect(ours.algorithm).toEqual(node.algorithm);
    expect(hex(await subtle.exportKey('raw', ours) as ArrayBuffer)).toBe(hex(await nodeSubtle.exportKey('raw', node)));
    expect(hex(await use(subtle as unknown as SubtleLike, ours as never)))
      .toBe(hex(await use(nodeSubtle as unknown as SubtleLike, node as never)));
  });

  it('the derived key is the first bits of deriveBits with the same parameters', async () => {
    const key = await importOurs(password);
    const bits = await subtle.deriveBits(alg, key, 256);
    const derived = await subtle.deriveKey(alg, key, { name: 'AES-GCM', length: 256 }, true, ['encrypt']);
    expect(hex(await subtle.exportKey('raw', derived) as ArrayBuffer)).toBe(hex(bits));
  });

  it('a non-extractable derived key works but cannot be exported', async () => {
    const derived = await subtle.deriveKey(alg, await importOurs(password), { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
    expect(derived.extractable).toBe(false);
    await expectRejects(subtle.exportKey('raw', derived), 'InvalidAccessError');
    expect((await subtle.sign('HMAC', derived, PLAINTEXT)).byteLength).toBe(20);
  });

  const INVALID_TARGETS: readonly [string, object, KeyUsage[], string][] = [
    ['AES-GCM length 100', { name: 'AES-GCM', length: 100 }, ['encrypt'], 'OperationError'],
    ['AES-CBC length 512', { name: 'AES-CBC', length: 512 }, ['encrypt'], 'OperationError'],
    ['AES-KW length 0', { name: 'AES-KW', length: 0 }, ['wrapKey'], 'OperationError'],
    ['AES-CTR without a length', { name: 'AES-CTR' }, ['encrypt'], 'TypeError'],
    // HMAC's "get key length" throws a TypeError for length 0 (Node: OperationError).
    ['HMAC length 0', { name: 'HMAC', hash: 'SHA-256', length: 0 }, ['sign'], 'TypeError'],
    // 100 bits is a valid HMAC key length, but PBKDF2 derives whole bytes only.
    ['HMAC length 100', { name: 'HMAC', hash: 'SHA-256', length: 100 }, ['sign'], 'OperationError'],
    ['HMAC without a hash', { name: 'HMAC' }, ['sign'], 'TypeError'],
    ['SHA-256 (no key type)', { name: 'SHA-256' }, ['sign'], 'NotSupportedError'],
    ['an unknown algorithm', { name: 'AES-XTS', length: 256 }, ['encrypt'], 'NotSupportedError'],
    ['AES-GCM with usages it does not allow', { name: 'AES-GCM', length: 128 }, ['sign'], 'SyntaxError'],
    ['AES-GCM with no usages', { name: 'AES-GCM', length: 128 }, [], 'SyntaxError'],
  ];
  it.each(INVALID_TARGETS)('derivedKeyType %s: %s', async (_, type, usages, error) => {
    await expectRejects(subtle.deriveKey(alg, await importOurs(password), type, true, usages), error);
  });

  // PBKDF2 and HKDF are registered for "get key length" (it returns null), so
  // normalizing them as the derived key type succeeds, and deriving null bits
  // is then PBKDF2's OperationError. Node agrees.
  it.each(['PBKDF2', 'HKDF'])('derivedKeyType %s: get key length is null, so deriveBits fails (OperationError)', async (type) => {
    await expectRejects(nodeSubtle.deriveKey(alg, await importNode(password), type, false, ['deriveBits']), 'OperationError');
    await expectRejects(subtle.deriveKey(alg, await importOurs(password), type, false, ['deriveBits']), 'OperationError');
  });
});
