// HMAC on the kernel's hmac(<hash>) sessions, through the public SubtleCrypto:
// the published vectors (RFC 4231, RFC 2202), cross-checks against Node's
// WebCrypto over key and message sizes (including keys too long for
// ALG_SET_KEY, which are pre-hashed natively), both job paths, and the
// spec's rules for generateKey, importKey, exportKey and their errors.
// Strict mode, so that nothing here can be served by the platform's WebCrypto:
// every MAC below was computed by the kernel.
import { createHmac, randomBytes, type webcrypto } from 'node:crypto';
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
const BLOCK_BITS: Record<Hash, number> = { 'SHA-1': 512, 'SHA-256': 512, 'SHA-384': 1024, 'SHA-512': 1024 };
const NODE_HASH: Record<Hash, string> = { 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
const JWK_ALG: Record<Hash, string> = { 'SHA-1': 'HS1', 'SHA-256': 'HS256', 'SHA-384': 'HS384', 'SHA-512': 'HS512' };
const JOB_PATHS: readonly JobPath[] = ['sync', 'async'];
const MiB = 1024 * 1024;

const fromHex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
const hex = (data: ArrayBuffer | Uint8Array): string => Buffer.from(data instanceof Uint8Array ? data : new Uint8Array(data)).toString('hex');
const ascii = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'latin1'));
const filled = (byte: number, length: number): Uint8Array => new Uint8Array(length).fill(byte);
const random = (length: number): Uint8Array => new Uint8Array(randomBytes(length));
/** The bytes first..last, inclusive. */
const run = (first: number, last: number): Uint8Array => Uint8Array.from({ length: last - first + 1 }, (_, i) => first + i);

/** HMAC by OpenSSL (node:crypto), for expectations built inside a test. */
const opensslHmac = (hash: Hash, key: Uint8Array, data: Uint8Array): string =>
  createHmac(NODE_HASH[hash], key).update(data).digest('hex');

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

const hmacParams = (hash: Hash | object | string, length?: number) =>
  length === undefined ? { name: 'HMAC', hash } : { name: 'HMAC', hash, length };

function importOurs(key: Uint8Array, hash: Hash, usages = ['sign', 'verify'], extractable = true) {
  return subtle.importKey('raw', key, hmacParams(hash), extractable, usages);
}

function importNode(key: Uint8Array, hash: Hash, usages: KeyUsage[] = ['sign', 'verify'], extractable = true) {
  return nodeSubtle.importKey('raw', key, hmacParams(hash), extractable, usages);
}

async function signOurs(key: Uint8Array, hash: Hash, data: Uint8Array): Promise<string> {
  return hex(await subtle.sign('HMAC', await importOurs(key, hash), data));
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

interface MacVector {
  readonly name: string;
  readonly key: Uint8Array;
  readonly data: Uint8Array;
  /** Expected MACs; a shorter one is a truncated output (compare the prefix). */
  readonly macs: Partial<Record<Hash, string>>;
}

// RFC 4231 section 4 (HMAC-SHA-224 omitted: not a WebCrypto hash).
const RFC_4231: readonly MacVector[] = [
  {
    name: 'test case 1', key: filled(0x0b, 20), data: ascii('Hi There'),
    macs: {
      'SHA-256': 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
      'SHA-384': 'afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6',
      'SHA-512': '87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde' +
        'daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854',
    },
  },
  {
    name: 'test case 2 (key shorter than the output)', key: ascii('Jefe'), data: ascii('what do ya want for nothing?'),
    macs: {
      'SHA-256': '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
      'SHA-384': 'af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649',
      'SHA-512': '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554' +
        '9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737',
    },
  },
  {
    name: 'test case 3', key: filled(0xaa, 20), data: filled(0xdd, 50),
    macs: {
      'SHA-256': '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe',
      'SHA-384': '88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27',
      'SHA-512': 'fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39' +
        'bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb',
    },
  },
  {
    name: 'test case 4', key: run(0x01, 0x19), data: filled(0xcd, 50),
    macs: {
      'SHA-256': '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b',
      'SHA-384': '3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb',
      'SHA-512': 'b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db' +
        'a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd',
    },
  },
  {
    name: 'test case 5 (output truncated to 128 bits)', key: filled(0x0c, 20), data: ascii('Test With Truncation'),
    macs: {
      'SHA-256': 'a3b6167473100ee06e0c796c2955552b',
      'SHA-384': '3abf34c3503b2a23a46efc619baef897',
      'SHA-512': '415fad6271580a531d4179bc891d87a6',
    },
  },
  {
    name: 'test case 6 (131-byte key, hashed first)', key: filled(0xaa, 131),
    data: ascii('Test Using Larger Than Block-Size Key - Hash Key First'),
    macs: {
      'SHA-256': '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
      'SHA-384': '4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952',
      'SHA-512': '80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352' +
        '6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598',
    },
  },
  {
    name: 'test case 7 (131-byte key, data longer than a block)', key: filled(0xaa, 131),
    data: ascii('This is a test using a larger than block-size key and a larger than block-size data. ' +
      'The key needs to be hashed before being used by the HMAC algorithm.'),
    macs: {
      'SHA-256': '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
      'SHA-384': '6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e',
      'SHA-512': 'e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944' +
        'b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58',
    },
  },
];

// RFC 2202 section 3 (HMAC-SHA-1).
const RFC_2202: readonly MacVector[] = [
  { name: 'test case 1', key: filled(0x0b, 20), data: ascii('Hi There'), macs: { 'SHA-1': 'b617318655057264e28bc0b6fb378c8ef146be00' } },
  { name: 'test case 2', key: ascii('Jefe'), data: ascii('what do ya want for nothing?'), macs: { 'SHA-1': 'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79' } },
  { name: 'test case 3', key: filled(0xaa, 20), data: filled(0xdd, 50), macs: { 'SHA-1': '125d7342b9ac11cd91a39af48aa17b4f63f175d3' } },
  { name: 'test case 4', key: run(0x01, 0x19), data: filled(0xcd, 50), macs: { 'SHA-1': '4c9007f4026250c6bc8414f9bf50c86c2d7235da' } },
  { name: 'test case 5', key: filled(0x0c, 20), data: ascii('Test With Truncation'), macs: { 'SHA-1': '4c1a03424b55e07fe7f27be1d58bb9324a9a5a04' } },
  {
    name: 'test case 6 (80-byte key)', key: filled(0xaa, 80),
    data: ascii('Test Using Larger Than Block-Size Key - Hash Key First'), macs: { 'SHA-1': 'aa4ae5e15272d00e95705637ce8a3b55ed402112' },
  },
  {
    name: 'test case 7 (80-byte key, 73-byte data)', key: filled(0xaa, 80),
    data: ascii('Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data'),
    macs: { 'SHA-1': 'e8e99d0f45237d786d6bbaa7965c7808bbff1a91' },
  },
];

const VECTOR_CASES = [
  ...RFC_4231.map((v) => ({ ...v, name: `RFC 4231 ${v.name}` })),
  ...RFC_2202.map((v) => ({ ...v, name: `RFC 2202 ${v.name}` })),
].flatMap((v) => Object.entries(v.macs).map(([hash, mac]) => ({ ...v, hash: hash as Hash, mac: mac! })));

describe('published vectors', () => {
  it.each(VECTOR_CASES)('are typed correctly: Node agrees with $name, $hash', ({ key, data, hash, mac }) => {
    expect(opensslHmac(hash, key, data).slice(0, mac.length)).toBe(mac);
  });

  onEachJobPath(() => {
    it.each(VECTOR_CASES)('$name, HMAC $hash', async ({ key, data, hash, mac }) => {
      const cryptoKey = await importOurs(key, hash);
      const signature = new Uint8Array(await subtle.sign('HMAC', cryptoKey, data));
      expect(signature.byteLength * 8).toBe(hash === 'SHA-1' ? 160 : Number(hash.slice(4)));
      expect(hex(signature).slice(0, mac.length)).toBe(mac);
      expect(await subtle.verify('HMAC', cryptoKey, signature, data)).toBe(true);
      // A truncated MAC is not the MAC: verify compares the whole output.
      if (mac.length < signature.byteLength * 2)
        expect(await subtle.verify('HMAC', cryptoKey, fromHex(mac), data)).toBe(false);
    });
  });
});

// ---- cross-checks against Node ----------------------------------------------

// Around both block sizes (64, 128; a longer key reaches the kernel as its
// digest), and keys longer than ALG_SET_KEY takes at all: 20 KiB by default
// before Linux 6.9 (net.core.optmem_max), 128 KiB since.
const KEY_BYTES = [1, 32, 64, 65, 128, 129, 20_480, 65536, 65537, 70_000];
const DATA_BYTES = [0, 1, 1000, MiB];

describe('sign and verify agree with Node', () => {
  const keys = new Map(KEY_BYTES.map((n) => [n, random(n)]));
  const data = new Map(DATA_BYTES.map((n) => [n, random(n)]));

  onEachJobPath(() => {
    describe.each(HASHES)('HMAC %s', (hash) => {
      it.each(KEY_BYTES)('key of %i bytes, data of 0, 1, 1000 and 1 MiB', async (keyBytes) => {
        const raw = keys.get(keyBytes)!;
        const ours = await importOurs(raw, hash);
        const node = await importNode(raw, hash);
        for (const message of data.values()) {
          const expected = new Uint8Array(await nodeSubtle.sign('HMAC', node, message));
          const signature = new Uint8Array(await subtle.sign('HMAC', ours, message));
          expect(hex(signature), `${message.byteLength}-byte message`).toBe(hex(expected));
          expect(await subtle.verify('HMAC', ours, expected, message)).toBe(true);
        }
      });
    });
  });

  it('a 70,000-byte key gives the MAC of its digest, as RFC 2104 says, on every hash', async () => {
    const raw = keys.get(70_000)!;
    const message = data.get(1000)!;
    for (const hash of HASHES) {
      const digest = new Uint8Array(await nodeSubtle.digest(hash, raw));
      expect(await signOurs(raw, hash, message)).toBe(opensslHmac(hash, digest, message));
    }
  });

  it('the data is copied when sign is called: changing it afterwards changes nothing', async () => {
    setJobPath('async');
    try {
      const raw = random(32);
      const message = random(MiB);
      const expected = opensslHmac('SHA-256', raw, message);
      const key = await importOurs(raw, 'SHA-256');
      const pending = subtle.sign('HMAC', key, message);
      message.fill(0);
      expect(hex(await pending)).toBe(expected);
    } finally {
      setJobPath('auto');
    }
  });
});

describe('verify returns false, never an error, for a signature that does not match', () => {
  const raw = random(32);
  const message = random(100);
  const good = fromHex(opensslHmac('SHA-256', raw, message));
  const flipped = (at: number) => {
    const copy = good.slice();
    copy[at]! ^= 0x01;
    return copy;
  };
  const WRONG: readonly [string, Uint8Array][] = [
    ['a flipped first bit', flipped(0)],
    ['a flipped last bit', flipped(good.length - 1)],
    ['an empty signature', new Uint8Array(0)],
    ['one byte short', good.slice(0, -1)],
    ['one byte too long', Uint8Array.from([...good, 0])],
    ['the SHA-512 MAC of the same data', fromHex(opensslHmac('SHA-512', raw, message))],
    ['the MAC of other data', fromHex(opensslHmac('SHA-256', raw, random(100)))],
  ];

  onEachJobPath(() => {
    it.each(WRONG)('%s', async (_, signature) => {
      const key = await importOurs(raw, 'SHA-256');
      expect(await subtle.verify('HMAC', key, signature, message)).toBe(false);
      expect(await subtle.verify('HMAC', key, good, message)).toBe(true);
    });
  });
});

// ---- generateKey ------------------------------------------------------------

describe('generateKey', () => {
  it.each(HASHES)('HMAC %s: the default length is the block size, and the key works like Node\'s', async (hash) => {
    const key = await subtle.generateKey(hmacParams(hash), true, ['sign', 'verify']) as CryptoKey;
    expect(key.type).toBe('secret');
    expect(key.extractable).toBe(true);
    expect(key.usages).toEqual(['sign', 'verify']);
    expect(key.algorithm).toEqual({ name: 'HMAC', hash: { name: hash }, length: BLOCK_BITS[hash] });
    const raw = new Uint8Array(await subtle.exportKey('raw', key) as ArrayBuffer);
    expect(raw.byteLength * 8).toBe(BLOCK_BITS[hash]);
    const message = random(77);
    expect(hex(await subtle.sign('HMAC', key, message))).toBe(opensslHmac(hash, raw, message));
  });

  it.each([8, 128, 256, 512, 520, 1024, 1032, 4096])('an explicit length of %i bits', async (bits) => {
    const key = await subtle.generateKey(hmacParams('SHA-384', bits), true, ['sign']) as CryptoKey;
    expect(key.algorithm).toEqual({ name: 'HMAC', hash: { name: 'SHA-384' }, length: bits });
    const raw = new Uint8Array(await subtle.exportKey('raw', key) as ArrayBuffer);
    expect(raw.byteLength).toBe(bits / 8);
    const message = random(10);
    expect(hex(await subtle.sign('HMAC', key, message))).toBe(opensslHmac('SHA-384', raw, message));
  });

  it('two generated keys differ', async () => {
    const [a, b] = await Promise.all([1, 2].map(() => subtle.generateKey(hmacParams('SHA-256'), true, ['sign'])));
    expect(hex(await subtle.exportKey('raw', a as CryptoKey) as ArrayBuffer))
      .not.toBe(hex(await subtle.exportKey('raw', b as CryptoKey) as ArrayBuffer));
  });

  it('length 0 is an OperationError', async () => {
    await expectRejects(subtle.generateKey(hmacParams('SHA-256', 0), true, ['sign']), 'OperationError');
  });

  it('a length outside unsigned long ([EnforceRange]) is a TypeError', async () => {
    for (const length of [-1, 2 ** 32, Number.NaN, Infinity])
      await expectRejects(subtle.generateKey(hmacParams('SHA-256', length), true, ['sign']), 'TypeError');
  });

  it('a non-extractable key cannot be exported (InvalidAccessError) but signs', async () => {
    const key = await subtle.generateKey(hmacParams('SHA-256'), false, ['sign', 'verify']) as CryptoKey;
    expect(key.extractable).toBe(false);
    await expectRejects(subtle.exportKey('raw', key), 'InvalidAccessError');
    await expectRejects(subtle.exportKey('jwk', key), 'InvalidAccessError');
    const signature = await subtle.sign('HMAC', key, random(5));
    expect(signature.byteLength).toBe(32);
  });
});

// A length that is not a multiple of 8. Node rejects generateKey with length
// 100 (TypeError: "must be a multiple of 8"), but the spec's HMAC "generate
// key" takes any non-zero length: "Generate a key of length |length| bits",
// and importKey keeps "the first |length| bits of |data|". Export returns "a
// byte sequence containing" those bits, which the spec defines as the bits
// followed by zero bits up to a whole byte. So the key has ceil(length/8)
// bytes whose unused low bits are zero, and signing uses exactly that key.
describe('keys whose length is not a multiple of 8 bits', () => {
  const unusedBitsOfLastByte = (raw: Uint8Array, bits: number) => raw[raw.length - 1]! & (0xff >> (bits % 8));

  it('generateKey with length 100 gives a 100-bit key: 13 bytes, the last 4 bits zero', async () => {
    // 16 keys: random low bits would survive in at least one of them with
    // probability 1 - 2^-64.
    for (let i = 0; i < 16; i++) {
      const key = await subtle.generateKey(hmacParams('SHA-256', 100), true, ['sign']) as CryptoKey;
      expect(key.algorithm).toEqual({ name: 'HMAC', hash: { name: 'SHA-256' }, length: 100 });
      const raw = new Uint8Array(await subtle.exportKey('raw', key) as ArrayBuffer);
      expect(raw.byteLength).toBe(13);
      const message = random(20);
      // Whatever the key is, export and sign must agree on it.
      expect(hex(await subtle.sign('HMAC', key, message))).toBe(opensslHmac('SHA-256', raw, message));
      expect(unusedBitsOfLastByte(raw, 100), `exported key ${hex(raw)}`).toBe(0);
    }
  });

  it('importKey of 32 bytes with length 249 keeps the first 249 bits', async () => {
    const data = filled(0xff, 32);
    const key = await subtle.importKey('raw', data, hmacParams('SHA-256', 249), true, ['sign']);
    expect(key.algorithm).toEqual({ name: 'HMAC', hash: { name: 'SHA-256' }, length: 249 });
    const raw = new Uint8Array(await subtle.exportKey('raw', key) as ArrayBuffer);
    const message = random(20);
    expect(hex(await subtle.sign('HMAC', key, message))).toBe(opensslHmac('SHA-256', raw, message));
    expect(hex(raw)).toBe('ff'.repeat(31) + '80');
  });
});

// ---- importKey and exportKey ------------------------------------------------

describe('importKey raw', () => {
  it.each(HASHES)('HMAC %s: algorithm and JWK export equal Node\'s for the same key', async (hash) => {
    const raw = random(40);
    const ours = await importOurs(raw, hash);
    const node = await importNode(raw, hash);
    expect(ours.algorithm).toEqual({ name: 'HMAC', hash: { name: hash }, length: 320 });
    expect(ours.algorithm).toEqual(node.algorithm);
    expect(ours.usages).toEqual(node.usages);
    expect(hex(await subtle.exportKey('raw', ours) as ArrayBuffer)).toBe(hex(raw));
    const jwk = await subtle.exportKey('jwk', ours);
    expect(jwk).toEqual(await nodeSubtle.exportKey('jwk', node));
    expect(jwk).toEqual({ kty: 'oct', k: Buffer.from(raw).toString('base64url'), alg: JWK_ALG[hash], key_ops: ['sign', 'verify'], ext: true });
  });

  it('an empty key is a DataError', async () => {
    await expectRejects(subtle.importKey('raw', new Uint8Array(0), hmacParams('SHA-256'), true, ['sign']), 'DataError');
  });

  // HmacImportParams.length must lie in (bits - 8, bits] for a key of `bits` bits.
  const LENGTHS: readonly [number, string][] = [
    [256, 'ok'], [255, 'ok'], [249, 'ok'],
    [248, 'DataError'], [257, 'DataError'], [512, 'DataError'], [8, 'DataError'], [0, 'DataError'],
  ];
  it.each(LENGTHS)('length %i for 32 bytes of key data: %s', async (length, outcome) => {
    const promise = subtle.importKey('raw', random(32), hmacParams('SHA-256', length), true, ['sign']);
    if (outcome !== 'ok') return expectRejects(promise, outcome);
    expect((await promise).algorithm).toEqual({ name: 'HMAC', hash: { name: 'SHA-256' }, length });
  });

  it('the key data is copied at call time', async () => {
    const raw = random(32);
    const expected = hex(raw);
    const pending = importOurs(raw, 'SHA-256');
    raw.fill(0);
    expect(hex(await subtle.exportKey('raw', await pending) as ArrayBuffer)).toBe(expected);
  });

  it('key data from an ArrayBuffer, a DataView and an offset view', async () => {
    const backing = random(48);
    const sources = [backing.buffer.slice(8, 40), new DataView(backing.buffer, 8, 32), backing.subarray(8, 40)];
    for (const source of sources) {
      const key = await subtle.importKey('raw', source, hmacParams('SHA-256'), true, ['sign']);
      expect(hex(await subtle.exportKey('raw', key) as ArrayBuffer)).toBe(hex(backing.subarray(8, 40)));
    }
  });
});

describe('importKey jwk', () => {
  const raw = random(32);
  const k = Buffer.from(raw).toString('base64url');

  it.each(HASHES)('alg for %s, and the imported key signs like Node\'s', async (hash) => {
    const jwk = { kty: 'oct', k, alg: JWK_ALG[hash] };
    const key = await subtle.importKey('jwk', jwk, hmacParams(hash), true, ['sign', 'verify']);
    expect(key.algorithm).toEqual({ name: 'HMAC', hash: { name: hash }, length: 256 });
    const node = await nodeSubtle.importKey('jwk', jwk, hmacParams(hash), true, ['sign', 'verify']);
    const message = random(64);
    expect(hex(await subtle.sign('HMAC', key, message))).toBe(hex(await nodeSubtle.sign('HMAC', node, message)));
  });

  it('a JWK exported by Node imports and round-trips', async () => {
    const node = await nodeSubtle.generateKey(hmacParams('SHA-512'), true, ['sign', 'verify']) as webcrypto.CryptoKey;
    const jwk = await nodeSubtle.exportKey('jwk', node);
    const ours = await subtle.importKey('jwk', jwk, hmacParams('SHA-512'), true, ['sign', 'verify']);
    expect(await subtle.exportKey('jwk', ours)).toEqual(jwk);
    const message = random(300);
    expect(hex(await subtle.sign('HMAC', ours, message))).toBe(hex(await nodeSubtle.sign('HMAC', node, message)));
  });

  const ACCEPTED: readonly [string, object][] = [
    ['no alg, use or key_ops', { kty: 'oct', k }],
    ["use 'sig'", { kty: 'oct', k, use: 'sig' }],
    ['key_ops with more usages than requested', { kty: 'oct', k, key_ops: ['verify', 'sign'] }],
    ['ext true', { kty: 'oct', k, ext: true }],
  ];
  it.each(ACCEPTED)('accepts %s', async (_, jwk) => {
    const key = await subtle.importKey('jwk', jwk, hmacParams('SHA-256'), true, ['sign']);
    expect(hex(await subtle.exportKey('raw', key) as ArrayBuffer)).toBe(hex(raw));
  });

  // Every one is a DataError.
  const REJECTED: readonly [string, Hash, object][] = [
    ["alg 'HS384' for SHA-256", 'SHA-256', { kty: 'oct', k, alg: 'HS384' }],
    ["alg 'HS256' for SHA-1", 'SHA-1', { kty: 'oct', k, alg: 'HS256' }],
    ["alg 'HS1' for SHA-512", 'SHA-512', { kty: 'oct', k, alg: 'HS1' }],
    ["alg 'A256GCM'", 'SHA-256', { kty: 'oct', k, alg: 'A256GCM' }],
    ["use 'enc'", 'SHA-256', { kty: 'oct', k, use: 'enc' }],
    ["kty 'RSA'", 'SHA-256', { kty: 'RSA', k }],
    ['no kty', 'SHA-256', { k }],
    ['no k', 'SHA-256', { kty: 'oct' }],
    ['k that is not base64url', 'SHA-256', { kty: 'oct', k: 'a+b/' }],
    ['an empty k', 'SHA-256', { kty: 'oct', k: '' }],
    ['key_ops without sign', 'SHA-256', { kty: 'oct', k, key_ops: ['verify'] }],
    ['ext false for an extractable import', 'SHA-256', { kty: 'oct', k, ext: false }],
  ];
  it.each(REJECTED)('rejects %s (HMAC %s) with DataError', async (_, hash, jwk) => {
    await expectRejects(subtle.importKey('jwk', jwk, hmacParams(hash), true, ['sign']), 'DataError');
  });

  it("use 'enc' is allowed when no usages are requested (then the empty usages are a SyntaxError)", async () => {
    await expectRejects(subtle.importKey('jwk', { kty: 'oct', k, use: 'enc' }, hmacParams('SHA-256'), true, []), 'SyntaxError');
  });

  it('key data that is not a JsonWebKey, or a JWK for a raw import, is a TypeError', async () => {
    await expectRejects(subtle.importKey('jwk', raw, hmacParams('SHA-256'), true, ['sign']), 'TypeError');
    await expectRejects(subtle.importKey('raw', { kty: 'oct', k }, hmacParams('SHA-256'), true, ['sign']), 'TypeError');
  });
});

describe('exportKey', () => {
  it("jwk carries the key's usages as key_ops and its extractability as ext, as Node's does", async () => {
    const raw = random(20);
    const ours = await importOurs(raw, 'SHA-1', ['verify']);
    const jwk = await subtle.exportKey('jwk', ours);
    expect(jwk).toEqual({ kty: 'oct', k: Buffer.from(raw).toString('base64url'), alg: 'HS1', key_ops: ['verify'], ext: true });
    expect(jwk).toEqual(await nodeSubtle.exportKey('jwk', await importNode(raw, 'SHA-1', ['verify'])));
  });

  it('spki and pkcs8 are NotSupportedError', async () => {
    const key = await importOurs(random(20), 'SHA-256');
    await expectRejects(subtle.exportKey('spki', key), 'NotSupportedError');
    await expectRejects(subtle.exportKey('pkcs8', key), 'NotSupportedError');
  });

  it('an unknown format is a TypeError', async () => {
    const key = await importOurs(random(20), 'SHA-256');
    await expectRejects(subtle.exportKey('pem', key), 'TypeError');
  });
});

// ---- algorithm and usage errors ---------------------------------------------

describe('the hash member', () => {
  const SPELLINGS: readonly [string, unknown][] = [
    ['a string', 'SHA-256'],
    ['an object', { name: 'SHA-256' }],
    ['a lower-case string', 'sha-256'],
    ['a mixed-case object', { name: 'ShA-256' }],
  ];
  it.each(SPELLINGS)('as %s names SHA-256', async (_, hash) => {
    const raw = random(16);
    const message = random(16);
    for (const name of ['HMAC', 'hmac', 'Hmac']) {
      const key = await subtle.importKey('raw', raw, { name, hash }, true, ['sign']);
      expect(key.algorithm).toEqual({ name: 'HMAC', hash: { name: 'SHA-256' }, length: 128 });
      expect(hex(await subtle.sign(name, key, message))).toBe(opensslHmac('SHA-256', raw, message));
    }
    const generated = await subtle.generateKey({ name: 'hmac', hash }, true, ['sign']) as CryptoKey;
    expect(generated.algorithm).toEqual({ name: 'HMAC', hash: { name: 'SHA-256' }, length: 512 });
  });

  it.each(['SHA-224', 'SHA3-224', 'MD5', 'HMAC', 'AES-GCM', 'SHA256'])('%s is NotSupportedError', async (hash) => {
    await expectRejects(subtle.importKey('raw', random(16), hmacParams(hash), true, ['sign']), 'NotSupportedError');
    await expectRejects(subtle.generateKey(hmacParams(hash), true, ['sign']), 'NotSupportedError');
  });

  it('a missing hash is a TypeError (required member)', async () => {
    await expectRejects(subtle.importKey('raw', random(16), { name: 'HMAC' }, true, ['sign']), 'TypeError');
    await expectRejects(subtle.generateKey({ name: 'HMAC' }, true, ['sign']), 'TypeError');
  });
});

describe('usages', () => {
  const BAD = [['encrypt'], ['sign', 'decrypt'], ['deriveBits'], ['wrapKey', 'verify']].map((usages) => ({ usages }));
  it.each(BAD)('$usages is a SyntaxError for generateKey and importKey', async ({ usages }) => {
    await expectRejects(subtle.generateKey(hmacParams('SHA-256'), true, usages), 'SyntaxError');
    await expectRejects(subtle.importKey('raw', random(16), hmacParams('SHA-256'), true, usages), 'SyntaxError');
    await expectRejects(subtle.importKey('jwk', { kty: 'oct', k: 'AAAA' }, hmacParams('SHA-256'), true, usages), 'SyntaxError');
  });

  it('no usages is a SyntaxError', async () => {
    await expectRejects(subtle.generateKey(hmacParams('SHA-256'), true, []), 'SyntaxError');
    await expectRejects(subtle.importKey('raw', random(16), hmacParams('SHA-256'), true, []), 'SyntaxError');
  });

  it('a string that is not a KeyUsage is a TypeError', async () => {
    await expectRejects(subtle.generateKey(hmacParams('SHA-256'), true, ['sign', 'Sign']), 'TypeError');
  });

  it('sign needs the sign usage and verify the verify usage (InvalidAccessError)', async () => {
    const raw = random(16);
    const verifyOnly = await importOurs(raw, 'SHA-256', ['verify']);
    const signOnly = await importOurs(raw, 'SHA-256', ['sign']);
    await expectRejects(subtle.sign('HMAC', verifyOnly, random(4)), 'InvalidAccessError');
    await expectRejects(subtle.verify('HMAC', signOnly, random(32), random(4)), 'InvalidAccessError');
  });

  it('an HMAC key cannot encrypt, and an AES key cannot sign (InvalidAccessError or NotSupportedError)', async () => {
    const hmacKey = await importOurs(random(16), 'SHA-256');
    const aesKey = await subtle.importKey('raw', random(16), 'AES-GCM', true, ['encrypt']);
    await expectRejects(subtle.sign('HMAC', aesKey, random(4)), 'InvalidAccessError');
    // AES-GCM has no sign operation: normalization fails first.
    await expectRejects(subtle.sign('AES-GCM', hmacKey, random(4)), 'NotSupportedError');
    await expectRejects(subtle.encrypt({ name: 'AES-GCM', iv: random(12) }, hmacKey, random(4)), 'InvalidAccessError');
  });

  // The spec normalizes the algorithm (step 5 of sign) before it looks at the
  // key (steps 9-10), so an algorithm without a sign operation is
  // NotSupportedError whatever the key; Node agrees. Hybrid mode must not
  // change which error the same call gives.
  it('in hybrid mode too, signing with an algorithm that has no sign operation is NotSupportedError', async () => {
    const hybrid = createCrypto({ mode: 'hybrid' }).subtle;
    const hmacKey = await hybrid.importKey('raw', random(16), hmacParams('SHA-256'), true, ['sign']);
    const nodeKey = await importNode(random(16), 'SHA-256');
    await expectRejects(nodeSubtle.sign('AES-GCM', nodeKey, random(4)), 'NotSupportedError');
    await expectRejects(hybrid.sign('AES-GCM', hmacKey, random(4)), 'NotSupportedError');
  });
});
