// Streaming WebCrypto (src/streams) against the one-shot SubtleCrypto of
// the same library, in strict mode (so every byte came from the kernel):
// digestStream, signStream/verifyStream (HMAC), encryptStream/decryptStream
// (AES-CBC, AES-CTR, AES-GCM). The joined output must be byte-identical to
// subtle.digest/sign/encrypt/decrypt of the joined input, for any way of
// cutting the input into chunks; errors must be the spec's; kernel sockets
// must come back however a stream ends; memory must stay flat.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline as nodePipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as ponyfill from 'web-streams-polyfill';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import {
  createCrypto, decryptStream, digestStream, encryptStream, signStream, verifyStream,
  type CipherStreamAlgorithm, type CryptoKey, type StreamChunk, type StreamClasses, type StreamOutput,
} from '../../src/index';
import { setJobPath } from '../../src/kernel/schedule';
import { openSocketCount } from '../../src/kernel/session';
import { hex, KiB, MiB, randomData } from '../helpers/bytes';
import { requireAfAlg } from '../helpers/kernel';

const subtle = createCrypto({ mode: 'strict' }).subtle;
const HASHES = ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'] as const;

beforeAll(requireAfAlg);
afterEach(() => setJobPath('auto'));

// ---- helpers ------------------------------------------------------------------------

/** A deterministic pseudo-random generator, so a failing chunking can be reproduced from its seed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

type Chunking = { name: string; sizes: (remaining: number, random: () => number) => number };

/** Ways of cutting an input: the shapes that break block buffering if anything does. */
const CHUNKINGS: Chunking[] = [
  { name: 'whole', sizes: (remaining) => remaining },
  { name: '0..3 blocks', sizes: (_r, random) => Math.floor(random() * 49) },
  { name: 'odd sizes', sizes: (_r, random) => 1 + 2 * Math.floor(random() * 40) },
  { name: 'one byte then 16n+1', sizes: (_r, random) => (random() < 0.3 ? 1 : 16 * Math.floor(random() * 5) + 1) },
  { name: '1 MiB', sizes: () => MiB },
  { name: '1 byte..256 KiB', sizes: (_r, random) => 1 + Math.floor(random() * 256 * KiB) },
];

/**
 * The chunkings worth running for an input: every one for short inputs,
 * only those with large chunks beyond SMALL_CHUNKS_UP_TO (tiny chunks over
 * megabytes would only measure the VM's speed, not test anything new).
 */
function chunking(name: string): Chunking {
  return CHUNKINGS.find((c) => c.name === name)!;
}

const SMALL_CHUNKS_UP_TO = 4 * KiB;
function chunkingsFor(length: number): Chunking[] {
  return length <= SMALL_CHUNKS_UP_TO
    ? CHUNKINGS
    : CHUNKINGS.filter((c) => ['whole', '1 MiB', '1 byte..256 KiB'].includes(c.name));
}

/** data cut into chunks (including empty ones) by a chunking. */
function cut(data: Uint8Array, chunking: Chunking, seed = 1): Uint8Array[] {
  const random = prng(seed);
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < data.byteLength;) {
    const size = Math.min(chunking.sizes(data.byteLength - at, random), data.byteLength - at);
    chunks.push(data.slice(at, at + size));
    at += size;
  }
  if (chunking.name === '0..3 blocks') chunks.splice(chunks.length >> 1, 0, new Uint8Array(0));
  return chunks;
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * 'same', or where two byte strings part: a short text, so that a mismatch
 * of megabytes never makes the test runner diff megabyte-long strings.
 */
function compare(actual: ArrayBuffer | ArrayBufferView, expected: ArrayBuffer | ArrayBufferView): string {
  const view = (b: ArrayBuffer | ArrayBufferView) =>
    ArrayBuffer.isView(b) ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : new Uint8Array(b);
  const a = view(actual), e = view(expected);
  let at = 0;
  while (at < a.byteLength && at < e.byteLength && a[at] === e[at]) at++;
  if (at === a.byteLength && at === e.byteLength) return 'same';
  return `${a.byteLength} bytes, expected ${e.byteLength}; they part at byte ${at}: ` +
    `${hex(a.subarray(at, at + 16))} instead of ${hex(e.subarray(at, at + 16))}`;
}

function source(chunks: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else controller.close();
    },
  });
}

/** Every chunk a readable side gives, in order. */
async function readAll(readable: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  const reader = readable.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return chunks;
    expect(value).toBeInstanceOf(Uint8Array);
    chunks.push(value);
  }
}

async function through(stream: TransformStream<StreamChunk, StreamOutput>, chunks: readonly Uint8Array[]): Promise<Uint8Array> {
  return concat(await readAll(source(chunks).pipeThrough(stream)));
}

async function writeAll(writable: WritableStream<StreamChunk>, chunks: readonly Uint8Array[]): Promise<void> {
  await source(chunks).pipeTo(writable);
}

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

async function expectDomError(promise: Promise<unknown>, name: string): Promise<DOMException> {
  const error = await errorOf(promise);
  expect(error).toBeInstanceOf(DOMException);
  expect((error as DOMException).name).toBe(name);
  return error as DOMException;
}

function expectThrowsDom(call: () => unknown, name: string): void {
  let thrown: unknown;
  try {
    call();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `expected ${name}`).toBeInstanceOf(DOMException);
  expect((thrown as DOMException).name).toBe(name);
}

const aesKeys = new Map<string, CryptoKey>();
async function aesKey(name: string, bits = 256): Promise<CryptoKey> {
  const id = `${name}/${bits}`;
  if (!aesKeys.has(id))
    aesKeys.set(id, await subtle.importKey('raw', randomData(bits / 8), name, false, ['encrypt', 'decrypt']) as CryptoKey);
  return aesKeys.get(id)!;
}

async function hmacKey(hash: string, usages: KeyUsage[] = ['sign', 'verify']): Promise<CryptoKey> {
  return await subtle.importKey('raw', randomData(48), { name: 'HMAC', hash }, false, usages) as CryptoKey;
}

/** Lets finalizers and closes settle (a socket closes when the job on it ends). */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await sleep(5);
}

// A couple of inputs per length, shared across tests.
const inputs = new Map<number, Uint8Array>();
function input(length: number): Uint8Array<ArrayBuffer> {
  if (!inputs.has(length)) inputs.set(length, randomData(length));
  return inputs.get(length)! as Uint8Array<ArrayBuffer>;
}

/** stream/promises pipeline, which takes web streams at run time (Node 20) though @types/node 20 does not say so. */
const pipeline = nodePipeline as unknown as (...streams: unknown[]) => Promise<void>;

const LENGTHS = [0, 1, 15, 16, 17, 31, 32, 33, 1000, 4000, 64 * KiB + 5, 3 * MiB + 7];

// ---- digest, HMAC ---------------------------------------------------------------------

describe('digestStream', () => {
  test.each(HASHES)('%s: identical to subtle.digest for every length and chunking', async (hash) => {
    for (const length of LENGTHS) {
      const data = input(length);
      const expected = hex(await subtle.digest(hash, data));
      for (const chunking of chunkingsFor(length)) {
        const { writable, digest } = digestStream(hash);
        await writeAll(writable, cut(data, chunking, length));
        expect(hex(await digest), `${length} bytes, ${chunking.name}`).toBe(expected);
      }
    }
  });

  test('empty input (closed at once) gives the digest of the empty message', async () => {
    for (const hash of HASHES) {
      const { writable, digest } = digestStream({ name: hash.toLowerCase() });
      await writable.close();
      expect(hex(await digest)).toBe(hex(await subtle.digest(hash, new Uint8Array(0))));
    }
  });

  test('both job paths give the same digest (small chunks on the thread pool, a large one synchronously)', async () => {
    const data = input(3 * MiB + 7);
    const expected = hex(await subtle.digest('SHA-256', data));
    for (const path of ['async', 'sync'] as const) {
      setJobPath(path);
      const { writable, digest } = digestStream('SHA-256');
      await writeAll(writable, [data.subarray(0, 100), data.subarray(100, 5000), data.subarray(5000)]);
      expect(hex(await digest), path).toBe(expected);
    }
  });

  test('every BufferSource is a chunk: ArrayBuffer, DataView, offset views', async () => {
    const data = input(1000);
    const { writable, digest } = digestStream('SHA-256');
    const writer = writable.getWriter();
    await writer.write(data.slice(0, 100).buffer);
    await writer.write(new DataView(data.buffer, data.byteOffset + 100, 200));
    await writer.write(new Uint16Array(data.slice(300, 1000).buffer));
    await writer.close();
    expect(hex(await digest)).toBe(hex(await subtle.digest('SHA-256', data)));
  });

  test('argument errors throw at once, as subtle.digest would reject', () => {
    expect(() => (digestStream as (...args: unknown[]) => unknown)()).toThrow(TypeError);
    expectThrowsDom(() => digestStream('MD5'), 'NotSupportedError');
    expectThrowsDom(() => digestStream('HMAC'), 'NotSupportedError');
    expect(() => digestStream('SHA-256', { highWaterMark: -1 })).toThrow(RangeError);
    expect(() => digestStream('SHA-256', { streams: {} as StreamClasses })).toThrow(TypeError);
  });

  test('a chunk that is no BufferSource errors the stream with TypeError, and the digest rejects', async () => {
    const { writable, digest } = digestStream('SHA-256');
    const writer = writable.getWriter();
    await writer.write(new Uint8Array(10));
    const error = await errorOf(writer.write('text' as unknown as BufferSource));
    expect(error).toBeInstanceOf(TypeError);
    expect(await errorOf(digest)).toBe(error);
    await expect(writer.closed).rejects.toBe(error);
  });
});

describe('signStream / verifyStream (HMAC)', () => {
  test.each(HASHES)('HMAC %s: identical to subtle.sign, verified by verifyStream', async (hash) => {
    const key = await hmacKey(hash);
    for (const length of [0, 1, 63, 64, 65, 1000, 4000, 64 * KiB + 5, 3 * MiB + 7]) {
      const data = input(length);
      const expected = new Uint8Array(await subtle.sign('HMAC', key, data));
      for (const chunking of chunkingsFor(length)) {
        const chunks = cut(data, chunking, length);
        const signer = signStream('HMAC', key);
        await writeAll(signer.writable, chunks);
        expect(hex(await signer.signature), `${length} bytes, ${chunking.name}`).toBe(hex(expected));
      }
      const verifier = verifyStream({ name: 'HMAC' }, key, expected);
      await writeAll(verifier.writable, cut(data, chunking(length <= SMALL_CHUNKS_UP_TO ? '0..3 blocks' : '1 byte..256 KiB'), length));
      expect(await verifier.valid).toBe(true);
      const wrong = expected.slice();
      wrong[0]! ^= 1;
      const rejecter = verifyStream('HMAC', key, wrong);
      await writeAll(rejecter.writable, [data]);
      expect(await rejecter.valid).toBe(false);
      const short = verifyStream('HMAC', key, expected.subarray(1));
      await writeAll(short.writable, [data]);
      expect(await short.valid).toBe(false);
    }
  });

  test('the signature is copied when verifyStream is called', async () => {
    const key = await hmacKey('SHA-256');
    const data = input(1000);
    const signature = new Uint8Array(await subtle.sign('HMAC', key, data));
    const verifier = verifyStream('HMAC', key, signature);
    signature.fill(0);
    await writeAll(verifier.writable, [data]);
    expect(await verifier.valid).toBe(true);
  });

  test('key and usage checks as subtle.sign/verify make them', async () => {
    const signOnly = await hmacKey('SHA-256', ['sign']);
    const aes = await aesKey('AES-CBC');
    expectThrowsDom(() => verifyStream('HMAC', signOnly, new Uint8Array(32)), 'InvalidAccessError');
    expectThrowsDom(() => signStream('HMAC', aes), 'InvalidAccessError');
    expectThrowsDom(() => signStream('SHA-256', signOnly), 'NotSupportedError');
    expect(() => signStream('HMAC', {} as CryptoKey)).toThrow(TypeError);
    expect(() => verifyStream('HMAC', signOnly, 'sig' as unknown as BufferSource)).toThrow(TypeError);
  });
});

// ---- AES-CBC, AES-CTR -------------------------------------------------------------------

/** maxBytes: what the counter allows (2^length blocks). */
type CipherCase = { name: string; params: () => CipherStreamAlgorithm & Record<string, unknown>; maxBytes: number };

const counterNear = (lowBytes: number[]): Uint8Array => {
  const counter = randomData(16);
  counter.set(lowBytes, 16 - lowBytes.length);
  return counter;
};

const CBC_CTR_CASES: CipherCase[] = [
  { name: 'AES-CBC', params: () => ({ name: 'AES-CBC', iv: input(16) }), maxBytes: Infinity },
  { name: 'AES-CTR length 64', params: () => ({ name: 'AES-CTR', counter: input(16), length: 64 }), maxBytes: Infinity },
  // The low 8 bits wrap after 2 blocks: inside most chunks, and at a chunk boundary for 32-byte chunks.
  { name: 'AES-CTR length 8, wrapping after 2 blocks', params: () => ({ name: 'AES-CTR', counter: counterNear([0xfe]), length: 8 }), maxBytes: 256 * 16 },
  // The whole 128-bit block wraps (the kernel's own carry agrees here).
  { name: 'AES-CTR length 128 at ff..fe', params: () => ({ name: 'AES-CTR', counter: new Uint8Array(16).fill(0xff).fill(0xfe, 15), length: 128 }), maxBytes: Infinity },
  // 2^16 blocks (1 MiB), all of them used by the 1 MiB input, wrapping 256 blocks in.
  { name: 'AES-CTR length 16 at 0xff00', params: () => ({ name: 'AES-CTR', counter: counterNear([0xff, 0x00]), length: 16 }), maxBytes: MiB },
];

describe.each(CBC_CTR_CASES)('$name streams', ({ name, params, maxBytes }) => {
  const algorithm = name.split(' ')[0]!;

  test('encrypt and decrypt: identical to subtle for every length and chunking', async () => {
    const key = await aesKey(algorithm);
    const alg = params();
    for (const length of [...LENGTHS, MiB]) {
      if (length > maxBytes) continue;
      const data = input(length);
      const expected = new Uint8Array(await subtle.encrypt(alg, key, data));
      for (const chunking of chunkingsFor(length)) {
        const what = `${length} bytes, ${chunking.name}`;
        expect(compare(await through(encryptStream(alg, key), cut(data, chunking, length)), expected), what).toBe('same');
        expect(compare(await through(decryptStream(alg, key), cut(expected, chunking, length + 1)), data), what).toBe('same');
      }
    }
  });

  test('both job paths give the same bytes', async () => {
    const key = await aesKey(algorithm);
    const alg = params();
    const data = input(Math.min(3 * MiB + 7, maxBytes));
    const expected = await subtle.encrypt(alg, key, data);
    for (const path of ['async', 'sync'] as const) {
      setJobPath(path);
      const chunks = [data.subarray(0, 100), data.subarray(100, 5003), data.subarray(5003)];
      expect(compare(await through(encryptStream(alg, key), chunks), expected), path).toBe('same');
    }
  });
});

describe('AES-CBC specifics', () => {
  test('decryption errors at the end: bad padding, a partial block, nothing at all', async () => {
    const key = await aesKey('AES-CBC');
    const iv = input(16);
    const good = new Uint8Array(await subtle.encrypt({ name: 'AES-CBC', iv }, key, input(100)));
    // A padding byte of 0 after decryption: encrypt a final block ending in 0 with no padding of our own.
    const badPad = new Uint8Array(await subtle.encrypt({ name: 'AES-CBC', iv }, key, new Uint8Array(16))).subarray(0, 16);
    await expectDomError(through(decryptStream({ name: 'AES-CBC', iv }, key), [badPad]), 'OperationError');
    await expectDomError(through(decryptStream({ name: 'AES-CBC', iv }, key), [good.subarray(0, 40)]), 'OperationError');
    await expectDomError(through(decryptStream({ name: 'AES-CBC', iv }, key), []), 'OperationError');
  });

  test('a wrong iv length throws OperationError when the stream is made', async () => {
    const key = await aesKey('AES-CBC');
    expectThrowsDom(() => encryptStream({ name: 'AES-CBC', iv: new Uint8Array(12) }, key), 'OperationError');
  });
});

describe('AES-CTR specifics', () => {
  test('data needing more than 2^length blocks is OperationError as soon as it arrives', async () => {
    const key = await aesKey('AES-CTR');
    const alg = { name: 'AES-CTR', counter: input(16), length: 4 }; // 16 blocks = 256 bytes
    expect((await through(encryptStream(alg, key), [input(256).subarray(0, 200), input(256).subarray(200)])).byteLength).toBe(256);
    const stream = encryptStream(alg, key);
    const chunks = readAll(stream.readable);
    const writer = stream.writable.getWriter();
    await writer.write(input(200));
    const error = await expectDomError(writer.write(input(57)), 'OperationError');
    expect(error.message).toMatch(/17 counter blocks.*4-bit counter has only 16/);
    await expect(chunks).rejects.toBe(error);
    expectThrowsDom(() => encryptStream({ name: 'AES-CTR', counter: new Uint8Array(8), length: 64 }, key), 'OperationError');
    expectThrowsDom(() => encryptStream({ name: 'AES-CTR', counter: input(16), length: 0 }, key), 'OperationError');
  });
});

// ---- AES-GCM ------------------------------------------------------------------------------

describe('AES-GCM streams', () => {
  const IV_LENGTHS = [12, 1, 8, 16, 60];
  const GCM_LENGTHS = [0, 1, 15, 16, 17, 1000, 4000, 64 * KiB + 5, MiB + 7];

  test.each(IV_LENGTHS)('%i-byte iv: encryption identical to subtle.encrypt, the tag last; decryption gives the plaintext back', async (ivBytes) => {
    const key = await aesKey('AES-GCM', ivBytes === 12 ? 128 : 256);
    for (const [aad, tagLength] of [[undefined, undefined], [input(33), 96], [input(16), 32]] as const) {
      const alg = { name: 'AES-GCM', iv: randomData(ivBytes), ...(aad && { additionalData: aad }), ...(tagLength && { tagLength }) };
      const tagBytes = (tagLength ?? 128) / 8;
      for (const length of GCM_LENGTHS) {
        const data = input(length);
        const expected = new Uint8Array(await subtle.encrypt(alg, key, data));
        for (const chunking of chunkingsFor(length)) {
          const what = `${length} bytes, ${chunking.name}, tag ${tagBytes}`;
          const chunks = await readAll(source(cut(data, chunking, length)).pipeThrough(encryptStream(alg, key)));
          expect(compare(concat(chunks), expected), what).toBe('same');
          expect(hex(chunks.at(-1)!), `${what}: the last chunk is the tag`).toBe(hex(expected.subarray(expected.byteLength - tagBytes)));
          expect(compare(await through(decryptStream(alg, key), cut(expected, chunking, length)), data), what).toBe('same');
        }
      }
    }
  });

  test('both job paths give the same bytes', async () => {
    const key = await aesKey('AES-GCM');
    const alg = { name: 'AES-GCM', iv: input(12), additionalData: input(5) };
    const data = input(MiB + 7);
    const expected = await subtle.encrypt(alg, key, data);
    for (const path of ['async', 'sync'] as const) {
      setJobPath(path);
      expect(compare(await through(encryptStream(alg, key), [data.subarray(0, 100), data.subarray(100)]), expected), path).toBe('same');
    }
  });

  test('a bad tag, a changed ciphertext byte or changed AAD: OperationError, and not one chunk of plaintext', async () => {
    const key = await aesKey('AES-GCM');
    for (const length of [1000, MiB + 7]) {
      const alg = { name: 'AES-GCM', iv: input(12), additionalData: input(7) };
      const sealed = new Uint8Array(await subtle.encrypt(alg, key, input(length)));
      const badTag = sealed.slice();
      badTag[badTag.byteLength - 1]! ^= 1;
      const badText = sealed.slice();
      badText[3]! ^= 0x80;
      for (const [what, data, params] of [
        ['tag', badTag, alg], ['ciphertext', badText, alg], ['aad', sealed, { ...alg, additionalData: input(8) }],
      ] as const) {
        const stream = decryptStream(params, key);
        const emitted: Uint8Array[] = [];
        const sink = stream.readable.pipeTo(new WritableStream({ write: (chunk) => void emitted.push(chunk) }));
        const written = source(cut(data, chunking('1 byte..256 KiB'))).pipeTo(stream.writable);
        await expectDomError(sink, 'OperationError');
        await expectDomError(written, 'OperationError');
        expect(emitted, `bad ${what}, ${length} bytes`).toEqual([]);
      }
    }
  });

  test('an empty message (tag only, no AAD) with a forged tag is OperationError', async () => {
    const key = await aesKey('AES-GCM');
    for (const iv of [input(12), input(13)]) {
      const alg = { name: 'AES-GCM', iv };
      const sealed = new Uint8Array(await subtle.encrypt(alg, key, new Uint8Array(0)));
      expect((await through(decryptStream(alg, key), [sealed])).byteLength).toBe(0);
      const forged = sealed.slice();
      forged[0]! ^= 1;
      await expectDomError(through(decryptStream(alg, key), [forged]), 'OperationError');
      // and the sockets are still good for the next message
      expect((await through(decryptStream(alg, key), [sealed])).byteLength).toBe(0);
    }
  });

  test('decryption holds at most maxBufferedBytes, then errors with OperationError saying so', async () => {
    const key = await aesKey('AES-GCM');
    const alg = { name: 'AES-GCM', iv: input(12) };
    const sealed = new Uint8Array(await subtle.encrypt(alg, key, input(1000)));
    expect(hex(await through(decryptStream(alg, key, { maxBufferedBytes: 1016 }), cut(sealed, chunking('odd sizes')))))
      .toBe(hex(input(1000)));
    const error = await expectDomError(through(decryptStream(alg, key, { maxBufferedBytes: 1015 }), cut(sealed, chunking('odd sizes'))), 'OperationError');
    expect(error.message).toMatch(/maxBufferedBytes/);
    expect(() => decryptStream(alg, key, { maxBufferedBytes: 1.5 })).toThrow(RangeError);
  });

  test('parameter errors throw OperationError when the stream is made, as subtle.encrypt would reject', async () => {
    const key = await aesKey('AES-GCM');
    expectThrowsDom(() => encryptStream({ name: 'AES-GCM', iv: new Uint8Array(0) }, key), 'OperationError');
    expectThrowsDom(() => encryptStream({ name: 'AES-GCM', iv: input(12), tagLength: 40 }, key), 'OperationError');
    expectThrowsDom(() => decryptStream({ name: 'AES-GCM', iv: input(12), tagLength: 129 }, key), 'OperationError');
    expectThrowsDom(() => encryptStream({ name: 'AES-KW' }, key), 'NotSupportedError');
    expectThrowsDom(() => encryptStream({ name: 'AES-CBC', iv: input(16) }, key), 'InvalidAccessError');
    const encryptOnly = await subtle.importKey('raw', randomData(16), 'AES-GCM', false, ['encrypt']) as CryptoKey;
    expectThrowsDom(() => decryptStream({ name: 'AES-GCM', iv: input(12) }, encryptOnly), 'InvalidAccessError');
  });
});

// ---- kernel sockets come back -------------------------------------------------------------------

describe('an aborted, cancelled, failed or dropped stream gives its kernel sockets back', () => {
  /** Runs each way of ending once to warm the sessions up, then many times; the count must not grow. */
  async function noLeak(name: string, scenario: () => Promise<void>): Promise<void> {
    await scenario();
    await settle();
    const baseline = openSocketCount();
    for (let i = 0; i < 8; i++) await scenario();
    await settle();
    expect(openSocketCount(), name).toBeLessThanOrEqual(baseline);
  }

  test('digest and HMAC writables: abort mid-stream, a failed write, a normal close', async () => {
    const key = await hmacKey('SHA-512');
    await noLeak('digest aborted', async () => {
      const { writable, digest } = digestStream('SHA-256');
      const writer = writable.getWriter();
      await writer.write(input(1000));
      await writer.abort(new Error('stop'));
      await expect(digest).rejects.toThrow('stop');
    });
    await noLeak('hmac aborted during a thread-pool job', async () => {
      const { writable, signature } = signStream('HMAC', key);
      const writer = writable.getWriter();
      void writer.write(input(3 * MiB + 7)).catch(() => undefined);
      await writer.abort('stop');
      await expect(signature).rejects.toBe('stop');
    });
    await noLeak('digest failed', async () => {
      const { writable, digest } = digestStream('SHA-1');
      const writer = writable.getWriter();
      await writer.write(input(17));
      await writer.write(42 as unknown as BufferSource).catch(() => undefined);
      await expect(digest).rejects.toBeInstanceOf(TypeError);
    });
    await noLeak('source errored while piping', async () => {
      const { writable, digest } = digestStream('SHA-384');
      const failing = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(input(1000));
          controller.error(new Error('disk gone'));
        },
      });
      await expect(failing.pipeTo(writable)).rejects.toThrow('disk gone');
      await expect(digest).rejects.toThrow('disk gone');
    });
  });

  test.each(['AES-CBC', 'AES-CTR', 'AES-GCM'])('%s transforms: readable cancelled, writable aborted, a job in flight, a failure', async (name) => {
    const key = await aesKey(name);
    const params = () => (name === 'AES-CBC' ? { name, iv: input(16) }
      : name === 'AES-CTR' ? { name, counter: input(16), length: 64 } : { name, iv: input(12) });
    await noLeak('readable cancelled', async () => {
      const stream = encryptStream(params(), key);
      const reader = stream.readable.getReader();
      const writer = stream.writable.getWriter();
      void writer.write(input(1000)).catch(() => undefined);
      await reader.read();
      await reader.cancel('enough');
    });
    await noLeak('writable aborted', async () => {
      const stream = encryptStream(params(), key);
      const done = readAll(stream.readable).catch(() => undefined);
      const writer = stream.writable.getWriter();
      await writer.write(input(1000));
      await writer.abort(new Error('stop'));
      await done;
    });
    await noLeak('cancelled while a thread-pool job runs', async () => {
      const stream = encryptStream(params(), key);
      const reader = stream.readable.getReader();
      const writer = stream.writable.getWriter();
      const first = writer.write(input(3 * MiB + 7)).catch(() => undefined);
      await reader.cancel('now');
      await first;
      await settle();
    });
    await noLeak('a chunk that is no BufferSource', async () => {
      const stream = encryptStream(params(), key);
      const done = readAll(stream.readable).catch(() => undefined);
      const writer = stream.writable.getWriter();
      await writer.write(input(40));
      await writer.write(null as unknown as BufferSource).catch(() => undefined);
      await done;
    });
    await noLeak('finished normally', async () => {
      await through(encryptStream(params(), key), [input(40), input(1000)]);
    });
  });

  test('a stream dropped without ending is collected and closes its sockets (FinalizationRegistry)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const key = await aesKey('AES-CTR');
    const start = async () => {
      const { writable } = digestStream('SHA-256');
      const writer = writable.getWriter();
      await writer.write(input(1000)); // the op socket is leased, with a pending hash
      const stream = encryptStream({ name: 'AES-CTR', counter: input(16), length: 64 }, key);
      const reader = stream.readable.getReader();
      void stream.writable.getWriter().write(input(100));
      await reader.read(); // the ctr op socket is leased
    };
    await start();
    await settle();
    gc();
    await settle();
    const baseline = openSocketCount();
    for (let i = 0; i < 5; i++) await start();
    const held = openSocketCount();
    expect(held).toBeGreaterThan(baseline);
    for (let i = 0; i < 20 && openSocketCount() > baseline; i++) {
      gc();
      await sleep(20);
    }
    expect(openSocketCount()).toBeLessThanOrEqual(baseline);
  });

  test('a stream in use is never collected: only its TransformStream object dropped, its sides still piping', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const key = await aesKey('AES-CBC');
    const alg = { name: 'AES-CBC', iv: input(16) };
    const data = input(4000);
    // Node's TransformStream object is collectable while its sides live on.
    const sides = (() => {
      const { readable, writable } = encryptStream(alg, key);
      return { readable, writable };
    })();
    const writer = sides.writable.getWriter();
    const output = readAll(sides.readable);
    await writer.write(data.subarray(0, 1000));
    for (let i = 0; i < 5; i++) {
      gc();
      await sleep(20);
    }
    await writer.write(data.subarray(1000));
    await writer.close();
    expect(compare(concat(await output), await subtle.encrypt(alg, key, data))).toBe('same');
  });
});

// ---- memory, interop ----------------------------------------------------------------------------

describe('flat memory', () => {
  test('a 256 MiB generated input digests with RSS growth well under the input size', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const total = 256 * MiB;
    const chunkBytes = MiB;
    const oracle = createHash('sha256');
    let produced = 0;
    const generated = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (produced >= total) return controller.close();
        const chunk = new Uint8Array(chunkBytes);
        new DataView(chunk.buffer).setUint32(0, produced / chunkBytes);
        chunk.fill(produced / chunkBytes & 0xff, 4);
        oracle.update(chunk);
        produced += chunkBytes;
        // Collect now and then: the test measures what the stream retains, not when V8 gets round to freeing.
        if (produced % (32 * MiB) === 0) gc();
        controller.enqueue(chunk);
      },
    }, { highWaterMark: 0 });
    gc();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 50);
    try {
      const { writable, digest } = digestStream('SHA-256');
      await generated.pipeTo(writable);
      expect(hex(await digest)).toBe(oracle.digest('hex'));
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(produced).toBe(total);
    console.info(`digestStream over ${total / MiB} MiB: RSS grew by ${((peak - before) / MiB).toFixed(1)} MiB at its peak`);
    expect(peak - before, `RSS grew by ${((peak - before) / MiB).toFixed(1)} MiB`).toBeLessThan(64 * MiB);
  }, 900_000);
});

describe('interop', () => {
  test('Node streams: Readable.toWeb into digestStream; stream/promises pipeline file -> encryptStream -> file', async () => {
    const data = input(3 * MiB + 7);
    const readable = Readable.toWeb(Readable.from(cut(data, chunking('1 byte..256 KiB')).map((c) => Buffer.from(c)))) as unknown as ReadableStream<Uint8Array>;
    const { writable, digest } = digestStream('SHA-512');
    await readable.pipeTo(writable);
    expect(hex(await digest)).toBe(hex(await subtle.digest('SHA-512', data)));

    const dir = mkdtempSync(join(tmpdir(), 'afalg-streams-'));
    try {
      const plain = join(dir, 'plain'), sealed = join(dir, 'sealed'), opened = join(dir, 'opened');
      writeFileSync(plain, data);
      const key = await aesKey('AES-GCM');
      const alg = { name: 'AES-GCM', iv: input(12) };
      await pipeline(createReadStream(plain), encryptStream(alg, key), createWriteStream(sealed));
      expect(compare(readFileSync(sealed), await subtle.encrypt(alg, key, data))).toBe('same');
      await pipeline(createReadStream(sealed), decryptStream(alg, key), createWriteStream(opened));
      expect(compare(readFileSync(opened), data)).toBe('same');
      const file = digestStream('SHA-256');
      await pipeline(createReadStream(plain), file.writable);
      expect(hex(await file.digest)).toBe(hex(await subtle.digest('SHA-256', data)));
      // Writable.toWeb: a Node writable as the sink of the readable side.
      const collected: Buffer[] = [];
      const nodeSink = Writable.toWeb(new Writable({
        write(chunk: Buffer, _encoding, callback) {
          collected.push(chunk);
          callback();
        },
      })) as unknown as WritableStream<Uint8Array>;
      const cbcAlg = { name: 'AES-CBC', iv: input(16) };
      const cbcKey = await aesKey('AES-CBC');
      await source(cut(data, chunking('1 byte..256 KiB'))).pipeThrough(encryptStream(cbcAlg, cbcKey)).pipeTo(nodeSink);
      expect(compare(Buffer.concat(collected), await subtle.encrypt(cbcAlg, cbcKey, data))).toBe('same');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("web-streams-polyfill's ReadableStream as the source and WritableStream as the sink", async () => {
    const streams = ponyfill as unknown as StreamClasses;
    const data = input(64 * KiB + 5);
    const chunks = cut(data, chunking('odd sizes'));
    const polySource = () => {
      let i = 0;
      return new ponyfill.ReadableStream<Uint8Array>({
        pull(controller) {
          if (i < chunks.length) controller.enqueue(chunks[i++]!);
          else controller.close();
        },
      });
    };
    const { writable, digest } = digestStream('SHA-256', { streams });
    expect(writable).toBeInstanceOf(ponyfill.WritableStream);
    await polySource().pipeTo(writable as unknown as ponyfill.WritableStream<Uint8Array>);
    expect(hex(await digest)).toBe(hex(await subtle.digest('SHA-256', data)));

    const key = await aesKey('AES-CTR');
    const alg = { name: 'AES-CTR', counter: input(16), length: 32 };
    const out: Uint8Array[] = [];
    const transform = encryptStream(alg, key, { streams }) as unknown as ponyfill.TransformStream<Uint8Array, Uint8Array>;
    await polySource().pipeThrough(transform).pipeTo(new ponyfill.WritableStream<Uint8Array>({ write: (c) => void out.push(c) }));
    expect(compare(concat(out), await subtle.encrypt(alg, key, data))).toBe('same');

    // And a polyfill source into the default (global) streams, through its async iterator.
    const native = digestStream('SHA-1');
    const writer = native.writable.getWriter();
    for await (const chunk of polySource()) await writer.write(chunk);
    await writer.close();
    expect(hex(await native.digest)).toBe(hex(await subtle.digest('SHA-1', data)));
  });
});
