// crypto.subtle.digest computed by the kernel (hash:sha1/sha256/sha384/
// sha512 through AF_ALG), against published vectors and against Node's
// webcrypto, on both job paths.
//
// The Crypto under test is in strict mode: nothing can fall back to the
// platform, so every digest that resolves was computed through AF_ALG. The
// job path is forced with setJobPath and checked by watching the addon's
// hash() calls (its last argument says sync or thread pool).
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { createCrypto } from '../../src/index';
import { binding } from '../../src/kernel/binding';
import { setJobPath, type JobPath } from '../../src/kernel/schedule';
import { openSocketCount } from '../../src/kernel/session';
import { fromHex, hex, KiB, MiB, randomData } from '../helpers/bytes';
import { requireAfAlg } from '../helpers/kernel';
import { nodeSubtle, peculiarSubtle } from '../helpers/oracles';
import { expectDomRejection, expectTypeErrorRejection } from '../helpers/outcomes';

const subtle = createCrypto({ mode: 'strict' }).subtle;
const HASHES = ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'] as const;

beforeAll(requireAfAlg);
afterEach(() => {
  vi.restoreAllMocks();
  setJobPath('auto');
});

/** Records the async flag of every addon hash() call while fn runs. */
async function hashJobPaths(fn: () => Promise<void>): Promise<boolean[]> {
  const addon = binding() as unknown as Record<'hash', (...args: unknown[]) => unknown>;
  const spy = vi.spyOn(addon, 'hash');
  try {
    await fn();
    return spy.mock.calls.map((args) => args[3] as boolean);
  } finally {
    spy.mockRestore();
  }
}

/** Node's digest of data, computed once per (algorithm, input). */
const nodeDigests = new Map<string, string>();
async function nodeDigest(algorithm: string, data: Uint8Array, id: string): Promise<string> {
  const key = `${algorithm}/${id}`;
  if (!nodeDigests.has(key)) nodeDigests.set(key, hex(await nodeSubtle.digest(algorithm, data)));
  return nodeDigests.get(key)!;
}

// Around each block boundary (64 bytes for SHA-1/256, 128 for SHA-384/512;
// 55/56 and 111/112 decide whether the length fits the last block), the
// 64 KiB sync/async threshold, and large inputs.
const LENGTHS = [0, 1, 55, 56, 63, 64, 65, 127, 128, 129, 1000,
  64 * KiB - 1, 64 * KiB, 64 * KiB + 1, MiB, 16 * MiB];
const inputs = new Map<number, Uint8Array>();
function input(length: number): Uint8Array {
  if (!inputs.has(length)) inputs.set(length, randomData(length));
  return inputs.get(length)!;
}

describe.each<JobPath>(['sync', 'async'])('random data on the %s job path: byte-identical to Node', (path) => {
  beforeAll(() => setJobPath(path));
  afterAll(() => setJobPath('auto'));

  test.each(LENGTHS)('%i bytes, all four hashes', async (length) => {
    setJobPath(path);
    const data = input(length);
    const paths = await hashJobPaths(async () => {
      for (const algorithm of HASHES) {
        const ours = await subtle.digest(algorithm, data);
        expect(ours).toBeInstanceOf(ArrayBuffer);
        expect(hex(ours), algorithm).toBe(await nodeDigest(algorithm, data, String(length)));
      }
    });
    expect(paths).toEqual(HASHES.map(() => path === 'async'));
  });
});

describe('FIPS 180-4 example messages (published digests)', () => {
  const ABC = 'abc';
  const MSG448 = 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq';
  const MSG896 = 'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu';
  const VECTORS: [string, string, string][] = [
    ['SHA-1', ABC, 'a9993e36 4706816a ba3e2571 7850c26c 9cd0d89d'],
    ['SHA-1', MSG448, '84983e44 1c3bd26e baae4aa1 f95129e5 e54670f1'],
    ['SHA-256', ABC, 'ba7816bf 8f01cfea 414140de 5dae2223 b00361a3 96177a9c b410ff61 f20015ad'],
    ['SHA-256', MSG448, '248d6a61 d20638b8 e5c02693 0c3e6039 a33ce459 64ff2167 f6ecedd4 19db06c1'],
    ['SHA-384', ABC, 'cb00753f45a35e8b b5a03d699ac65007 272c32ab0eded163 1a8b605a43ff5bed 8086072ba1e7cc23 58baeca134c825a7'],
    ['SHA-384', MSG448, '3391fdddfc8dc739 3707a65b1b470939 7cf8b1d162af05ab fe8f450de5f36bc6 b0455a8520bc4e6f 5fe95b1fe3c8452b'],
    ['SHA-384', MSG896, '09330c33f71147e8 3d192fc782cd1b47 53111b173b3b05d2 2fa08086e3b0f712 fcc7c71a557e2db9 66c3e9fa91746039'],
    ['SHA-512', ABC, 'ddaf35a193617aba cc417349ae204131 12e6fa4e89a97ea2 0a9eeee64b55d39a 2192992a274fc1a8 36ba3c23a3feebbd 454d4423643ce80e 2a9ac94fa54ca49f'],
    ['SHA-512', MSG448, '204a8fc6dda82f0a 0ced7beb8e08a416 57c16ef468b228a8 279be331a703c335 96fd15c13b1b07f9 aa1d3bea57789ca0 31ad85c7a71dd703 54ec631238ca3445'],
    ['SHA-512', MSG896, '8e959b75dae313da 8cf4f72814fc143f 8f7779c6eb9f7fa1 7299aeadb6889018 501d289e4900f7e4 331b99dec4b5433a c7d329eeb6dd2654 5e96e55b874be909'],
  ];

  test.each(VECTORS)('%s(%s)', async (algorithm, message, digest) => {
    const data = new TextEncoder().encode(message);
    for (const path of ['sync', 'async'] as const) {
      setJobPath(path);
      expect(hex(await subtle.digest(algorithm, data)), path).toBe(hex(fromHex(digest)));
    }
    // The oracles agree with the published value too.
    expect(hex(await peculiarSubtle.digest(algorithm, data))).toBe(hex(fromHex(digest)));
  });
});

describe('the algorithm argument', () => {
  const forms: [string, unknown][] = [
    ["'SHA-256'", 'SHA-256'],
    ["{name: 'SHA-256'}", { name: 'SHA-256' }],
    ["'sHa-256'", 'sHa-256'],
    ["{name: 'sha-256'}", { name: 'sha-256' }],
    ['{name, unrelated member}', { name: 'SHA-256', length: 1 }],
  ];
  test.each(forms)('%s gives the SHA-256 digest', async (_label, algorithm) => {
    const data = input(1000);
    expect(hex(await subtle.digest(algorithm, data))).toBe(await nodeDigest('SHA-256', data, '1000'));
  });

  test.each(['SHA-224', 'MD5', 'SHA3-224', 'SHA-512/256', 'sha256', 'HMAC', ''])(
    "'%s' rejects with NotSupportedError", async (name) => {
      await expectDomRejection(() => subtle.digest(name, new Uint8Array(1)), 'NotSupportedError');
    });
});

describe('BufferSource kinds: the digest of exactly the viewed bytes', () => {
  const pool = input(1000);
  const kinds: [string, () => ArrayBuffer | ArrayBufferView][] = [
    ['ArrayBuffer', () => pool.slice(0, 100).buffer],
    ['Uint8Array at an offset', () => new Uint8Array(pool.buffer, 17, 100)],
    ['DataView at an offset', () => new DataView(pool.buffer, 3, 101)],
    ['Int32Array at an offset', () => new Int32Array(pool.slice().buffer, 8, 25)],
    ['Float64Array', () => new Float64Array(pool.slice(0, 80).buffer)],
    ['BigUint64Array', () => new BigUint64Array(pool.slice(0, 64).buffer)],
    ['Buffer (from the shared pool, so at an offset)', () => Buffer.from(pool.subarray(5, 60))],
  ];
  test.each(kinds)('%s', async (_label, make) => {
    const source = make();
    const viewed = ArrayBuffer.isView(source)
      ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength)
      : new Uint8Array(source);
    for (const algorithm of HASHES)
      expect(hex(await subtle.digest(algorithm, source)), algorithm).toBe(hex(await nodeSubtle.digest(algorithm, viewed)));
  });
});

describe('the data is copied when digest is called', () => {
  test.each<JobPath>(['sync', 'async'])('%s path: overwriting the input right after the call does not change the result', async (path) => {
    setJobPath(path);
    const data = randomData(MiB);
    const expected = hex(await nodeSubtle.digest('SHA-256', data));
    const promise = subtle.digest('SHA-256', data);
    data.fill(0);
    expect(hex(await promise)).toBe(expected);
  });

  test.each<JobPath>(['sync', 'async'])('%s path: detaching the input buffer right after the call does not change the result', async (path) => {
    setJobPath(path);
    const data = randomData(MiB);
    const expected = hex(await nodeSubtle.digest('SHA-512', data));
    const promise = subtle.digest('SHA-512', data);
    structuredClone(data.buffer, { transfer: [data.buffer] });
    expect(data.byteLength).toBe(0);
    expect(hex(await promise)).toBe(expected);
  });

  test('async path: digests queued behind others still see the bytes as they were at their call', async () => {
    // More concurrent jobs than a session runs at once, so some wait for a
    // turn before the addon ever sees their input.
    setJobPath('async');
    const inputs = Array.from({ length: 12 }, () => randomData(256 * KiB));
    const expected = await Promise.all(inputs.map(async (d) => hex(await nodeSubtle.digest('SHA-256', d))));
    const promises = inputs.map((d) => subtle.digest('SHA-256', d));
    for (const d of inputs) d.fill(0);
    expect((await Promise.all(promises)).map(hex)).toEqual(expected);
  });
});

describe('many digests at once', () => {
  const SIZES = [0, 1, 100, 4 * KiB, 64 * KiB - 1, 64 * KiB, 100 * KiB, 300 * KiB, MiB];
  test.each<JobPath>(['auto', 'async'])('100 concurrent digests of mixed sizes and hashes on the %s path are all right', async (path) => {
    setJobPath(path);
    const jobs = Array.from({ length: 100 }, (_, i) => ({
      algorithm: HASHES[i % HASHES.length]!,
      data: randomData(SIZES[(i * 7) % SIZES.length]!),
    }));
    const expected = await Promise.all(jobs.map(async (j) => hex(await nodeSubtle.digest(j.algorithm, j.data))));
    const results = await Promise.all(jobs.map((j) => subtle.digest(j.algorithm, j.data)));
    expect(results.map(hex)).toEqual(expected);
    // Op sockets are pooled per session, not opened per call.
    expect(openSocketCount()).toBeLessThan(50);
  });
});

describe('invalid arguments: a rejected promise, never a synchronous throw', () => {
  test('data that is not a BufferSource: TypeError', async () => {
    for (const data of ['abc', 123, null, undefined, [1, 2], { byteLength: 1 }])
      await expectTypeErrorRejection(() => subtle.digest('SHA-256', data));
  });

  test('SharedArrayBuffer, or a view of one: TypeError', async () => {
    await expectTypeErrorRejection(() => subtle.digest('SHA-256', new SharedArrayBuffer(8)));
    await expectTypeErrorRejection(() => subtle.digest('SHA-256', new Uint8Array(new SharedArrayBuffer(8))));
  });

  test('missing arguments: TypeError', async () => {
    const digest = subtle.digest as (...args: unknown[]) => Promise<ArrayBuffer>;
    await expectTypeErrorRejection(() => digest.call(subtle));
    await expectTypeErrorRejection(() => digest.call(subtle, 'SHA-256'));
  });

  test('an unknown algorithm with invalid data: TypeError (arguments are converted first)', async () => {
    await expectTypeErrorRejection(() => subtle.digest('NO-SUCH-HASH', 'abc'));
  });
});
