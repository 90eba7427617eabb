// Hostile input: generated calls across every SubtleCrypto method (and
// getRandomValues) with malformed algorithms, keys, buffers, JWKs, usages and
// lengths. Each call must settle within a bound, never throw synchronously
// from a promise-returning method, and every rejection must be a TypeError or
// a DOMException with a name the spec uses. Fulfilled results must have the
// right type. The seed is printed; AFALG_FUZZ_SEED replays a run and
// AFALG_FUZZ_RUNS sets the count (CI runs the default; e.g.
// `AFALG_FUZZ_RUNS=100000 npm test -- test/kernel/fuzz` for the full run).
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { openSocketCount } from '../../src/kernel/session';
import { createCrypto, type Crypto } from '../../src/webcrypto/crypto';
import { CryptoKey } from '../../src/webcrypto/crypto-key';

const RUNS = Number(process.env.AFALG_FUZZ_RUNS ?? 10_000);
const SEED = Number(process.env.AFALG_FUZZ_SEED ?? Date.now() % 2 ** 31);
/** No call may take longer than this (the VM emulates the CPU). */
const SETTLE_MS = 20_000;

const SPEC_ERRORS = new Set([
  'TypeError', 'NotSupportedError', 'SyntaxError', 'InvalidAccessError', 'DataError', 'OperationError',
  'QuotaExceededError', 'TypeMismatchError',
]);

const METHODS = [
  'digest', 'encrypt', 'decrypt', 'sign', 'verify', 'generateKey', 'deriveKey', 'deriveBits',
  'importKey', 'exportKey', 'wrapKey', 'unwrapKey',
] as const;
type Method = (typeof METHODS)[number];

const NAMES = [
  'SHA-1', 'SHA-256', 'sha-384', 'SHA-512', 'HMAC', 'hmac', 'AES-CBC', 'AES-CTR', 'aes-gcm', 'AES-KW', 'PBKDF2',
  'HKDF', 'ECDSA', 'Ed25519', 'X25519', 'RSA-OAEP', 'ſha-256', 'SHA-3', '', 'AES', '\u0000',
];
const USAGES = ['encrypt', 'decrypt', 'sign', 'verify', 'deriveKey', 'deriveBits', 'wrapKey', 'unwrapKey', 'bogus', ''];
const FORMATS = ['raw', 'jwk', 'spki', 'pkcs8', 'RAW', 'bogus'];

/** A pool of real keys of every kind the library makes, with various usages. */
let keys: CryptoKey[] = [];
let crypto: Crypto;

function detachedBuffer(): ArrayBuffer {
  const buffer = new ArrayBuffer(16);
  structuredClone(buffer, { transfer: [buffer] });
  return buffer;
}

/** Resizable and growable buffers, and views that track their length (ES2024; WebIDL refuses them). */
function resizableBuffers(): unknown[] {
  // TypeScript's ES2022 library does not know the maxByteLength option yet.
  type Resizing<T> = new (byteLength: number, options: { maxByteLength: number }) => T;
  const resizable = new (ArrayBuffer as Resizing<ArrayBuffer>)(16, { maxByteLength: 64 });
  const growable = new (SharedArrayBuffer as Resizing<SharedArrayBuffer>)(16, { maxByteLength: 64 });
  return [resizable, new Uint8Array(resizable), new DataView(resizable, 4), growable, new Uint8Array(growable)];
}

// ---- arbitraries ---------------------------------------------------------------------------

const number = fc.oneof(
  fc.constantFrom(0, 1, 7, 8, 12, 16, 32, 64, 96, 100, 104, 128, 129, 192, 255, 256, 512, 1024, -1, 2 ** 32, 2 ** 53,
    NaN, Infinity, -0, 1.5),
  fc.integer({ min: -5, max: 1100 }),
);

const bytes = fc.oneof(
  fc.uint8Array({ maxLength: 80 }).map((b) => b as unknown),
  fc.nat({ max: 70 }).map((n) => new Uint8Array(n).buffer as unknown),
  fc.nat({ max: 40 }).map((n) => new DataView(new ArrayBuffer(n + 4), 2, n) as unknown),
  fc.nat({ max: 8 }).map((n) => new Float32Array(n) as unknown),
  fc.constant(new Uint8Array(new SharedArrayBuffer(16)) as unknown),
  fc.constant(undefined).map(() => detachedBuffer() as unknown),
  fc.constantFrom<unknown>(...resizableBuffers()),
  fc.constantFrom<unknown>(new Uint8Array(200_000), new Uint8Array(1 << 20)),
);

const usages = fc.oneof(
  fc.array(fc.constantFrom(...USAGES), { maxLength: 4 }) as fc.Arbitrary<unknown>,
  fc.constantFrom<unknown>('sign', null, 5, {}, new Set(['sign'])),
);

const keyRef = fc.nat().map((i) => keys[i % keys.length] as unknown);

function anything(depth: number): fc.Arbitrary<unknown> {
  const leaves: fc.Arbitrary<unknown>[] = [
    fc.constantFrom<unknown>(undefined, null, true, false, '', 'raw', Symbol('s'), 10n, () => 1),
    fc.constantFrom(...NAMES),
    number,
    bytes,
    keyRef,
  ];
  if (depth <= 0) return fc.oneof(...leaves);
  return fc.oneof(...leaves, algorithm(depth - 1), jwk(depth - 1));
}

function algorithm(depth: number): fc.Arbitrary<unknown> {
  return fc.record({
    name: fc.oneof(fc.constantFrom<unknown>(...NAMES), anything(0)),
    hash: fc.oneof(fc.constantFrom<unknown>('SHA-256', 'SHA-1', { name: 'SHA-512' }, 'MD5'), anything(0)),
    length: number,
    iv: bytes,
    counter: bytes,
    additionalData: bytes,
    tagLength: number,
    salt: bytes,
    info: bytes,
    // Small enough that a valid PBKDF2 call stays quick in the VM.
    iterations: fc.constantFrom<unknown>(0, 1, 2, 1000, -1, NaN, 'x'),
    public: keyRef,
    namedCurve: fc.constantFrom<unknown>('P-256', 'P-999'),
  }, { requiredKeys: [] }).chain((rec) => (depth > 0 ? fc.constant(rec) : fc.constant(rec)));
}

function jwk(depth: number): fc.Arbitrary<unknown> {
  void depth;
  return fc.record({
    kty: fc.constantFrom<unknown>('oct', 'EC', 'RSA', '', 5),
    k: fc.oneof(fc.constantFrom<unknown>('AAAAAAAAAAAAAAAAAAAAAA', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', '!!!', 'AAAAA', ''),
      fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('base64url'))),
    alg: fc.constantFrom<unknown>('A128GCM', 'A256KW', 'HS256', 'A128CBC', 'bogus'),
    use: fc.constantFrom<unknown>('enc', 'sig', 'x'),
    key_ops: fc.oneof(fc.array(fc.constantFrom(...USAGES), { maxLength: 3 }) as fc.Arbitrary<unknown>, fc.constant<unknown>('sign')),
    ext: fc.constantFrom<unknown>(true, false, 'yes'),
  }, { requiredKeys: [] });
}

const call = fc.record({
  method: fc.constantFrom<Method | 'getRandomValues'>(...METHODS, 'getRandomValues'),
  args: fc.array(fc.oneof(
    anything(1),
    algorithm(0),
    jwk(0),
    usages,
    fc.constantFrom<unknown>(...FORMATS),
  ), { maxLength: 7 }),
});

// ---- the property ----------------------------------------------------------------------------

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`hang: ${what} did not settle in ${SETTLE_MS} ms`)), SETTLE_MS);
    }),
  ]);
}

function describeError(error: unknown): string {
  return error instanceof Error || error instanceof DOMException ? `${error.name}: ${error.message}` : String(error);
}

function checkResult(method: string, value: unknown): void {
  switch (method) {
    case 'verify':
      expect(typeof value).toBe('boolean');
      break;
    case 'generateKey':
      expect(value instanceof CryptoKey || (value as { privateKey?: unknown }).privateKey instanceof CryptoKey).toBe(true);
      break;
    case 'importKey': case 'deriveKey': case 'unwrapKey':
      expect(value).toBeInstanceOf(CryptoKey);
      break;
    case 'exportKey':
      expect(value instanceof ArrayBuffer || (typeof value === 'object' && value !== null)).toBe(true);
      break;
    default:
      expect(value).toBeInstanceOf(ArrayBuffer);
  }
}

async function runOne(method: Method | 'getRandomValues', args: unknown[]): Promise<void> {
  if (method === 'getRandomValues') {
    try {
      const result = (crypto.getRandomValues as (...a: unknown[]) => unknown)(...args);
      expect(result).toBe(args[0]);
    } catch (error) {
      expect(SPEC_ERRORS.has((error as Error).name), describeError(error)).toBe(true);
    }
    return;
  }
  const fn = crypto.subtle[method] as (...a: unknown[]) => unknown;
  let returned: unknown;
  try {
    returned = fn.apply(crypto.subtle, args);
  } catch (error) {
    throw new Error(`${method} threw synchronously instead of rejecting: ${describeError(error)}`);
  }
  expect(returned).toBeInstanceOf(Promise);
  try {
    checkResult(method, await withTimeout(returned as Promise<unknown>, method));
  } catch (error) {
    if ((error as Error).message?.startsWith('hang:') || (error as Error).name === 'AssertionError') throw error;
    expect(SPEC_ERRORS.has((error as Error).name), `${method} rejected with ${describeError(error)}`).toBe(true);
  }
}

beforeAll(async () => {
  crypto = createCrypto({ mode: 'hybrid' });
  const s = crypto.subtle;
  const all = ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'] as const;
  keys = [
    await s.generateKey({ name: 'AES-GCM', length: 128 }, true, [...all]) as CryptoKey,
    await s.generateKey({ name: 'AES-CBC', length: 192 }, false, ['encrypt']) as CryptoKey,
    await s.generateKey({ name: 'AES-CTR', length: 256 }, true, ['decrypt', 'encrypt']) as CryptoKey,
    await s.generateKey({ name: 'AES-KW', length: 128 }, true, ['wrapKey', 'unwrapKey']) as CryptoKey,
    await s.generateKey({ name: 'HMAC', hash: 'SHA-256' }, true, ['sign', 'verify']) as CryptoKey,
    await s.generateKey({ name: 'HMAC', hash: 'SHA-1', length: 8 }, false, ['verify']) as CryptoKey,
    await s.importKey('raw', new Uint8Array(8), 'PBKDF2', false, ['deriveBits', 'deriveKey']) as CryptoKey,
    await s.importKey('raw', new Uint8Array(0), 'HKDF', false, ['deriveKey']) as CryptoKey,
    ...Object.values(await s.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']) as object) as CryptoKey[],
    ...Object.values(await s.generateKey({ name: 'X25519' }, false, ['deriveBits']) as object) as CryptoKey[],
  ];
});

describe(`hostile input (seed ${SEED}, ${RUNS} calls; replay with AFALG_FUZZ_SEED=${SEED})`, () => {
  test('every call settles with a result of the right type or a spec-named error', async () => {
    console.log(`fuzz: seed ${SEED}, ${RUNS} runs`);
    await fc.assert(fc.asyncProperty(call, async ({ method, args }) => runOne(method, args)),
      { seed: SEED, numRuns: RUNS, endOnFailure: true });
  }, 30 * 60_000);

  test('afterwards no socket is left in use and the budget holds', async () => {
    // Idle sessions stay cached; what matters is that nothing grew without bound.
    expect(openSocketCount()).toBeLessThan(200);
    const digest = await crypto.subtle.digest('SHA-256', new Uint8Array(0));
    expect(Buffer.from(digest).toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});
