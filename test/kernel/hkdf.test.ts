// HKDF (RFC 5869) on the kernel's HMAC, through the public SubtleCrypto: the
// RFC's test cases, agreement with Node's WebCrypto over IKM, salt, info and
// output sizes on both job paths (salts over 64 KiB are the extract step's
// HMAC key and are pre-hashed before they reach the kernel), the spec's
// import and deriveBits rules, and deriveKey. Strict mode: the kernel
// computes everything.
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
const DIGEST_BYTES: Record<Hash, number> = { 'SHA-1': 20, 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };
const JOB_PATHS: readonly JobPath[] = ['sync', 'async'];

const hex = (data: ArrayBuffer | Uint8Array): string => Buffer.from(data instanceof Uint8Array ? data : new Uint8Array(data)).toString('hex');
const filled = (byte: number, length: number): Uint8Array => new Uint8Array(length).fill(byte);
const random = (length: number): Uint8Array => new Uint8Array(randomBytes(length));
/** The bytes first..last, inclusive. */
const run = (first: number, last: number): Uint8Array => Uint8Array.from({ length: last - first + 1 }, (_, i) => first + i);
const NONE = new Uint8Array(0);

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

const params = (hash: Hash | string, salt: Uint8Array, info: Uint8Array) => ({ name: 'HKDF', hash, salt, info });

function importOurs(ikm: Uint8Array, usages = ['deriveBits', 'deriveKey']): Promise<CryptoKey> {
  return subtle.importKey('raw', ikm, 'HKDF', false, usages);
}

function importNode(ikm: Uint8Array): Promise<webcrypto.CryptoKey> {
  return nodeSubtle.importKey('raw', ikm, 'HKDF', false, ['deriveBits', 'deriveKey']);
}

async function deriveOurs(hash: Hash, ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, bits: number): Promise<string> {
  return hex(await subtle.deriveBits(params(hash, salt, info), await importOurs(ikm), bits));
}

async function deriveNode(hash: Hash, ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, bits: number): Promise<string> {
  return hex(await nodeSubtle.deriveBits(params(hash, salt, info), await importNode(ikm), bits));
}

const NODE_HASH: Record<Hash, string> = { 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

/**
 * RFC 5869 section 2 written out over node:crypto's HMAC, for inputs Node's
 * WebCrypto refuses: OpenSSL takes at most 1024 bytes of info (Node rejects
 * more with a RangeError), while WebCrypto and RFC 5869 set no limit.
 */
function rfc5869(hash: Hash, ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, bits: number): string {
  const hmac = (key: Uint8Array, ...parts: Uint8Array[]) => {
    const mac = createHmac(NODE_HASH[hash], key);
    for (const part of parts) mac.update(part);
    return new Uint8Array(mac.digest());
  };
  const prk = hmac(salt, ikm);
  const blocks: Uint8Array[] = [];
  let previous = NONE;
  for (let i = 1; blocks.length * DIGEST_BYTES[hash] < bits / 8; i++) {
    previous = hmac(prk, previous, info, Uint8Array.of(i));
    blocks.push(previous);
  }
  return Buffer.concat(blocks).subarray(0, bits / 8).toString('hex');
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

interface HkdfVector {
  readonly name: string;
  readonly hash: Hash;
  readonly ikm: Uint8Array;
  readonly salt: Uint8Array;
  readonly info: Uint8Array;
  readonly okm: string;
}

// RFC 5869 appendix A. WebCrypto's salt is a required member, so test case
// 7's "salt not provided" is passed as an empty salt: RFC 5869 then uses
// HashLen zero bytes, and HMAC pads any key shorter than a block with zero
// bytes, so an empty key and HashLen zero bytes are the same HMAC key (the
// case below with an explicit 20-byte zero salt checks that equivalence).
const RFC_5869: readonly HkdfVector[] = [
  {
    name: 'test case 1 (SHA-256)', hash: 'SHA-256', ikm: filled(0x0b, 22), salt: run(0x00, 0x0c), info: run(0xf0, 0xf9),
    okm: '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
  },
  {
    name: 'test case 2 (SHA-256, 80-byte inputs)', hash: 'SHA-256', ikm: run(0x00, 0x4f), salt: run(0x60, 0xaf), info: run(0xb0, 0xff),
    okm: 'b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c' +
      '59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71' +
      'cc30c58179ec3e87c14c01d5c1f3434f1d87',
  },
  {
    name: 'test case 3 (SHA-256, empty salt and info)', hash: 'SHA-256', ikm: filled(0x0b, 22), salt: NONE, info: NONE,
    okm: '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8',
  },
  {
    name: 'test case 4 (SHA-1)', hash: 'SHA-1', ikm: filled(0x0b, 11), salt: run(0x00, 0x0c), info: run(0xf0, 0xf9),
    okm: '085a01ea1b10f36933068b56efa5ad81a4f14b822f5b091568a9cdd4f155fda2c22e422478d305f3f896',
  },
  {
    name: 'test case 5 (SHA-1, 80-byte inputs)', hash: 'SHA-1', ikm: run(0x00, 0x4f), salt: run(0x60, 0xaf), info: run(0xb0, 0xff),
    okm: '0bd770a74d1160f7c9f12cd5912a06ebff6adcae899d92191fe4305673ba2ffe' +
      '8fa3f1a4e5ad79f3f334b3b202b2173c486ea37ce3d397ed034c7f9dfeb15c5e' +
      '927336d0441f4c4300e2cff0d0900b52d3b4',
  },
  {
    name: 'test case 6 (SHA-1, empty salt and info)', hash: 'SHA-1', ikm: filled(0x0b, 22), salt: NONE, info: NONE,
    okm: '0ac1af7002b3d761d1e55298da9d0506b9ae52057220a306e07b6b87e8df21d0ea00033de03984d34918',
  },
  {
    name: 'test case 7 (SHA-1, salt not provided: empty)', hash: 'SHA-1', ikm: filled(0x0c, 22), salt: NONE, info: NONE,
    okm: '2c91117204d745f3500d636a62f64f0ab3bae548aa53d423b0d1f27ebba6f5e5673a081d70cce7acfc48',
  },
  {
    name: 'test case 7 (SHA-1, salt not provided: HashLen zero bytes)', hash: 'SHA-1', ikm: filled(0x0c, 22), salt: filled(0, 20), info: NONE,
    okm: '2c91117204d745f3500d636a62f64f0ab3bae548aa53d423b0d1f27ebba6f5e5673a081d70cce7acfc48',
  },
];

describe('RFC 5869 test cases', () => {
  it.each(RFC_5869)('are typed correctly: Node and the written-out RFC agree with $name', async ({ hash, ikm, salt, info, okm }) => {
    expect(await deriveNode(hash, ikm, salt, info, okm.length * 4)).toBe(okm);
    expect(rfc5869(hash, ikm, salt, info, okm.length * 4)).toBe(okm);
  });

  onEachJobPath(() => {
    it.each(RFC_5869)('$name', async ({ hash, ikm, salt, info, okm }) => {
      expect(await deriveOurs(hash, ikm, salt, info, okm.length * 4)).toBe(okm);
    });

    it('test case 1 to every length from 1 byte to 42 bytes is a prefix of the full output', async () => {
      const { hash, ikm, salt, info, okm } = RFC_5869[0]!;
      const key = await importOurs(ikm);
      for (let bytes = 1; bytes <= 42; bytes++)
        expect(hex(await subtle.deriveBits(params(hash, salt, info), key, bytes * 8))).toBe(okm.slice(0, bytes * 2));
    });
  });
});

// ---- cross-checks against Node ----------------------------------------------

// One parameter varies at a time around a base case; the sizes sit around
// the block sizes (64, 128 bytes) and ALG_SET_KEY's 64 KiB limit, which only
// the salt meets as a key (the IKM and info are HMAC messages).
const IKM_BYTES = [0, 1, 32, 64, 65, 128, 129, 1000, 65536, 65537, 70_000];
const SALT_BYTES = [0, 1, 20, 64, 65, 128, 129, 65536, 65537, 70_000];
const INFO_BYTES = [0, 1, 16, 255, 1024, 1025, 70_000];

describe('deriveBits agrees with Node', () => {
  const base = { ikm: random(32), salt: random(16), info: random(16) };

  onEachJobPath(() => {
    describe.each(HASHES)('HKDF with %s', (hash) => {
      it('IKM of 0 to 70,000 bytes', async () => {
        for (const n of IKM_BYTES) {
          const ikm = random(n);
          expect(await deriveOurs(hash, ikm, base.salt, base.info, 336), `${n}-byte IKM`)
            .toBe(await deriveNode(hash, ikm, base.salt, base.info, 336));
        }
      });

      it('salts of 0 to 70,000 bytes (over 64 KiB: pre-hashed)', async () => {
        for (const n of SALT_BYTES) {
          const salt = random(n);
          expect(await deriveOurs(hash, base.ikm, salt, base.info, 336), `${n}-byte salt`)
            .toBe(await deriveNode(hash, base.ikm, salt, base.info, 336));
        }
      });

      it('info of 0 to 70,000 bytes (over 1024 bytes: against RFC 5869 written out, Node refuses)', async () => {
        for (const n of INFO_BYTES) {
          const info = random(n);
          const expected = rfc5869(hash, base.ikm, base.salt, info, 336);
          if (n <= 1024) expect(await deriveNode(hash, base.ikm, base.salt, info, 336)).toBe(expected);
          expect(await deriveOurs(hash, base.ikm, base.salt, info, 336), `${n}-byte info`).toBe(expected);
        }
      });

      it('lengths from 8 bits up to 255 * HashLen bytes', async () => {
        const hashLen = DIGEST_BYTES[hash];
        for (const bytes of [1, hashLen - 1, hashLen, hashLen + 1, 2 * hashLen, 1000, 255 * hashLen - 1, 255 * hashLen]) {
          expect(await deriveOurs(hash, base.ikm, base.salt, base.info, bytes * 8), `${bytes} bytes`)
            .toBe(await deriveNode(hash, base.ikm, base.salt, base.info, bytes * 8));
        }
      });

      it('empty salt and info, with a large IKM and the largest output', async () => {
        const ikm = random(70_000);
        const bits = 255 * DIGEST_BYTES[hash] * 8;
        expect(await deriveOurs(hash, ikm, NONE, NONE, bits)).toBe(await deriveNode(hash, ikm, NONE, NONE, bits));
      });
    });
  });

  it('a salt over 64 KiB acts as its digest, as an HMAC key does (RFC 2104)', async () => {
    const salt = random(70_000);
    for (const hash of HASHES) {
      const digest = new Uint8Array(await nodeSubtle.digest(hash, salt));
      expect(await deriveOurs(hash, base.ikm, salt, base.info, 256))
        .toBe(await deriveOurs(hash, base.ikm, digest, base.info, 256));
    }
  });

  it('the salt and info are copied when deriveBits is called: changing them afterwards changes nothing', async () => {
    setJobPath('async');
    try {
      const salt = random(70_000);
      const info = random(100);
      const expected = rfc5869('SHA-512', base.ikm, salt, info, 8000);
      const pending = subtle.deriveBits(params('SHA-512', salt, info), await importOurs(base.ikm), 8000);
      salt.fill(0);
      info.fill(0);
      expect(hex(await pending)).toBe(expected);
    } finally {
      setJobPath('auto');
    }
  });

  it('many derivations from one key, concurrently', async () => {
    const key = await importOurs(base.ikm);
    const cases = HASHES.flatMap((hash) => [0, 1, 2, 3].map(() => params(hash, random(8), random(8))));
    const results = await Promise.all(cases.map((alg) => subtle.deriveBits(alg, key, 512)));
    for (const [i, alg] of cases.entries())
      expect(hex(results[i]!)).toBe(await deriveNode(alg.hash as Hash, base.ikm, alg.salt, alg.info, 512));
  });
});

// ---- deriveBits errors ------------------------------------------------------

describe('deriveBits: the length', () => {
  const alg = (hash: Hash = 'SHA-256') => params(hash, random(16), random(4));

  it('length 0 gives an empty ArrayBuffer', async () => {
    const bits = await subtle.deriveBits(alg(), await importOurs(random(8)), 0);
    expect(bits).toBeInstanceOf(ArrayBuffer);
    expect(bits.byteLength).toBe(0);
  });

  it('a null or missing length is an OperationError', async () => {
    const key = await importOurs(random(8));
    await expectRejects(subtle.deriveBits(alg(), key, null), 'OperationError');
    await expectRejects(subtle.deriveBits(alg(), key), 'OperationError');
  });

  it.each([1, 4, 12, 255, 260])('length %i (not a multiple of 8) is an OperationError', async (length) => {
    await expectRejects(subtle.deriveBits(alg(), await importOurs(random(8)), length), 'OperationError');
  });

  // RFC 5869: L <= 255 * HashLen. (@peculiar/webcrypto wrongly accepts more.)
  it.each(HASHES)('more than 255 * HashLen bytes with %s is an OperationError', async (hash) => {
    const key = await importOurs(random(8));
    const tooLong = (255 * DIGEST_BYTES[hash] + 1) * 8;
    await expectRejects(nodeSubtle.deriveBits(alg(hash), await importNode(random(8)), tooLong), 'OperationError');
    await expectRejects(subtle.deriveBits(alg(hash), key, tooLong), 'OperationError');
    await expectRejects(subtle.deriveBits(alg(hash), key, 2 ** 32 - 8), 'OperationError');
  });

  it('a missing salt, info or hash is a TypeError (required members)', async () => {
    const key = await importOurs(random(8));
    await expectRejects(subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', info: NONE }, key, 256), 'TypeError');
    await expectRejects(subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: NONE }, key, 256), 'TypeError');
    await expectRejects(subtle.deriveBits({ name: 'HKDF', salt: NONE, info: NONE }, key, 256), 'TypeError');
  });

  it.each(['SHA-224', 'MD5', 'HKDF', 'HMAC'])('hash %s is NotSupportedError', async (hash) => {
    await expectRejects(subtle.deriveBits(params(hash, NONE, NONE), await importOurs(random(8)), 256), 'NotSupportedError');
  });

  it('the hash may be an object and any ASCII case', async () => {
    const ikm = random(8);
    const salt = random(4);
    const expected = await deriveNode('SHA-1', ikm, salt, NONE, 160);
    for (const hash of ['sha-1', { name: 'Sha-1' }, { name: 'SHA-1' }]) {
      const bits = await subtle.deriveBits({ name: 'hkdf', hash, salt, info: NONE }, await importOurs(ikm), 160);
      expect(hex(bits)).toBe(expected);
    }
  });
});

// ---- importKey and key checks -----------------------------------------------

describe('importKey', () => {
  it('gives a non-extractable secret key with algorithm {name: "HKDF"}, like Node\'s', async () => {
    const ours = await importOurs(random(8));
    expect(ours.type).toBe('secret');
    expect(ours.extractable).toBe(false);
    expect(ours.algorithm).toEqual({ name: 'HKDF' });
    expect(ours.algorithm).toEqual((await importNode(random(8))).algorithm);
  });

  it.each(['jwk', 'spki', 'pkcs8'])('format %s is NotSupportedError', async (format) => {
    const keyData = format === 'jwk' ? { kty: 'oct', k: 'AAAA' } : random(8);
    await expectRejects(subtle.importKey(format, keyData, 'HKDF', false, ['deriveBits']), 'NotSupportedError');
  });

  it('extractable true is a SyntaxError', async () => {
    await expectRejects(subtle.importKey('raw', random(8), 'HKDF', true, ['deriveBits']), 'SyntaxError');
  });

  const BAD_USAGES = [['sign'], ['deriveBits', 'decrypt'], ['unwrapKey', 'deriveKey'], []].map((usages) => ({ usages }));
  it.each(BAD_USAGES)('usages $usages are a SyntaxError', async ({ usages }) => {
    await expectRejects(subtle.importKey('raw', random(8), 'HKDF', false, usages), 'SyntaxError');
  });

  it('the key cannot be exported: HKDF has no export operation (NotSupportedError)', async () => {
    await expectRejects(subtle.exportKey('raw', await importOurs(random(8))), 'NotSupportedError');
  });
});

describe('the base key must fit the call (InvalidAccessError)', () => {
  const alg = params('SHA-256', random(16), random(4));

  it('deriveBits needs the deriveBits usage, deriveKey the deriveKey usage', async () => {
    await expectRejects(subtle.deriveBits(alg, await importOurs(random(8), ['deriveKey']), 256), 'InvalidAccessError');
    await expectRejects(subtle.deriveKey(alg, await importOurs(random(8), ['deriveBits']), { name: 'AES-CBC', length: 128 }, true, ['encrypt']),
      'InvalidAccessError');
  });

  it('a PBKDF2 key cannot be used for HKDF', async () => {
    const pbkdf2Key = await subtle.importKey('raw', random(8), 'PBKDF2', false, ['deriveBits']);
    await expectRejects(subtle.deriveBits(alg, pbkdf2Key, 256), 'InvalidAccessError');
  });

  it('an HMAC key cannot be used for HKDF', async () => {
    const hmacKey = await subtle.importKey('raw', random(8), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    await expectRejects(subtle.deriveBits(alg, hmacKey, 256), 'InvalidAccessError');
  });
});

// ---- deriveKey --------------------------------------------------------------

describe('deriveKey', () => {
  const ikm = random(32);
  const alg = params('SHA-384', random(32), random(10));
  const message = random(64);

  it.each([128, 192, 256])('AES-GCM %i: encrypts like the key Node derives', async (length) => {
    const type = { name: 'AES-GCM', length };
    const ours = await subtle.deriveKey(alg, await importOurs(ikm), type, false, ['encrypt', 'decrypt']);
    const node = await nodeSubtle.deriveKey(alg, await importNode(ikm), type, false, ['encrypt', 'decrypt']);
    expect(ours.algorithm).toEqual(node.algorithm);
    const gcm = { name: 'AES-GCM', iv: random(12) };
    expect(hex(await subtle.encrypt(gcm, ours, message))).toBe(hex(await nodeSubtle.encrypt(gcm, node, message)));
  });

  it.each(HASHES)('HMAC %s with the default length signs like the key Node derives', async (hash) => {
    const type = { name: 'HMAC', hash };
    const ours = await subtle.deriveKey(alg, await importOurs(ikm), type, true, ['sign', 'verify']);
    const node = await nodeSubtle.deriveKey(alg, await importNode(ikm), type, true, ['sign', 'verify']);
    expect(ours.algorithm).toEqual(node.algorithm);
    expect(hex(await subtle.exportKey('raw', ours) as ArrayBuffer)).toBe(hex(await nodeSubtle.exportKey('raw', node)));
    expect(hex(await subtle.sign('HMAC', ours, message))).toBe(hex(await nodeSubtle.sign('HMAC', node, message)));
  });

  it('an HMAC key longer than 255 * HashLen bytes cannot be derived (OperationError)', async () => {
    // SHA-1 HKDF gives at most 5100 bytes; this HMAC key wants 5101.
    const small = params('SHA-1', random(4), NONE);
    await expectRejects(subtle.deriveKey(small, await importOurs(ikm), { name: 'HMAC', hash: 'SHA-1', length: 5101 * 8 }, true, ['sign']),
      'OperationError');
  });

  it('AES length 100 is an OperationError, HMAC length 0 a TypeError', async () => {
    await expectRejects(subtle.deriveKey(alg, await importOurs(ikm), { name: 'AES-CTR', length: 100 }, true, ['encrypt']), 'OperationError');
    await expectRejects(subtle.deriveKey(alg, await importOurs(ikm), { name: 'HMAC', hash: 'SHA-1', length: 0 }, true, ['sign']), 'TypeError');
  });
});
