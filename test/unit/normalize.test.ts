// "Normalizing an algorithm" (src/webcrypto/normalize.ts with the real
// registry and params.ts): name matching, dictionary conversion, hash
// members, and where normalization sits among a method's steps. Compared
// with Node's webcrypto where Node follows the W3C spec (Editor's Draft,
// 2026); where it does not, the spec decides and the test says so.
//
// Runs natively: normalization makes no syscall. Methods that would reach
// the kernel get a stub module that records its inputs.
import { afterEach, describe, expect, test, vi } from 'vitest';
import { createCrypto, type CryptoKey } from '../../src/index';
import { aesCbc } from '../../src/webcrypto/algorithms/aes-cbc';
import { hmac } from '../../src/webcrypto/algorithms/hmac';
import { sha } from '../../src/webcrypto/algorithms/sha';
import type { AlgorithmModule } from '../../src/webcrypto/algorithm-module';
import { normalizeAlgorithm } from '../../src/webcrypto/normalize';
import type { DictionaryName } from '../../src/webcrypto/params';
import { REGISTRY, type Operation } from '../../src/webcrypto/registry';
import { hex, randomData } from '../helpers/bytes';
import { looseNodeSubtle, nodeSubtle } from '../helpers/oracles';
import { outcomeOf } from '../helpers/outcomes';

// Strict mode: what our normalization does, not the platform fallback's (see the hybrid tests).
const subtle = createCrypto({ mode: 'strict' }).subtle;
type Loose = (...args: unknown[]) => Promise<unknown>;
const ours = (method: 'digest' | 'generateKey' | 'importKey' | 'encrypt' | 'sign') =>
  (...args: unknown[]) => (subtle[method] as unknown as Loose).apply(subtle, args);
const ctx = { prefix: 'test', context: 'algorithm' };

function normalize(alg: unknown, op: Operation): Record<string, unknown> {
  return normalizeAlgorithm(alg, op, ctx) as unknown as Record<string, unknown>;
}

function thrownBy(call: () => unknown): string {
  try {
    call();
    return 'ok';
  } catch (error) {
    return (error as Error).name;
  }
}

/** Records the property reads of obj, in order. */
function recordingReads<T extends object>(obj: T, reads: string[], prefix = ''): T {
  return new Proxy(obj, {
    get(target, key, receiver) {
      if (typeof key === 'string') reads.push(prefix + key);
      return Reflect.get(target, key, receiver);
    },
  });
}

afterEach(() => {
  vi.restoreAllMocks();
});

// Valid members for each params dictionary (besides name), so that a
// conversion succeeds and only the thing under test varies.
const VALID_MEMBERS: Record<DictionaryName, () => Record<string, unknown>> = {
  Algorithm: () => ({}),
  AesKeyGenParams: () => ({ length: 128 }),
  AesDerivedKeyParams: () => ({ length: 128 }),
  AesCbcParams: () => ({ iv: new Uint8Array(16) }),
  AesCtrParams: () => ({ counter: new Uint8Array(16), length: 64 }),
  AesGcmParams: () => ({ iv: new Uint8Array(12) }),
  AeadParams: () => ({ iv: new Uint8Array(12) }),
  HmacImportParams: () => ({ hash: 'SHA-256' }),
  HmacKeyGenParams: () => ({ hash: 'SHA-256' }),
  Pbkdf2Params: () => ({ salt: new Uint8Array(8), iterations: 1, hash: 'SHA-256' }),
  HkdfParams: () => ({ hash: 'SHA-256', salt: new Uint8Array(8), info: new Uint8Array(4) }),
};

/** Every (registered name, operation, dictionary) the registry has. */
const REGISTERED = REGISTRY.flatMap((row) =>
  Object.entries(row.ops).map(([op, dictionary]) => [row.name, op as Operation, dictionary as DictionaryName] as const));

describe('algorithm names match ASCII case-insensitively', () => {
  const spellings = (name: string) => [name, name.toLowerCase(), name.toUpperCase(),
    [...name].map((c, i) => (i % 2 ? c.toLowerCase() : c.toUpperCase())).join('')];

  test.each(REGISTERED)('%s for %s: any ASCII case gives the registered name', (name, op, dictionary) => {
    for (const spelling of spellings(name)) {
      expect(normalize({ name: spelling, ...VALID_MEMBERS[dictionary]() }, op).name).toBe(name);
      if (dictionary === 'Algorithm') expect(normalize(spelling, op).name).toBe(name);
    }
  });

  // Characters whose Unicode case mapping gives an ASCII letter: U+017F
  // (long s) uppercases to S, U+212A (Kelvin sign) lowercases to k. An
  // ASCII case-insensitive match must not equate them with s and k.
  const nonAscii = REGISTERED.flatMap(([name, op, dictionary]) => [
    ...(/s/i.test(name) ? [[name.replace(/s/i, '\u017f'), op, dictionary] as const] : []),
    ...(/k/i.test(name) ? [[name.replace(/k/i, '\u212a'), op, dictionary] as const] : []),
  ]);
  test.each(nonAscii)('%s for %s is NotSupportedError', (name, op, dictionary) => {
    expect(thrownBy(() => normalize({ name, ...VALID_MEMBERS[dictionary]() }, op))).toBe('NotSupportedError');
  });

  test("through subtle.digest: 'ſha-256' rejects NotSupportedError (Node 20 accepts it: it compares toUpperCase())", async () => {
    const seen = vi.spyOn(sha as Required<AlgorithmModule>, 'digest').mockResolvedValue(new ArrayBuffer(32));
    expect(await outcomeOf(() => ours('digest')('\u017fha-256', new Uint8Array(1)))).toBe('NotSupportedError');
    expect(seen).not.toHaveBeenCalled();
    expect(await outcomeOf(() => nodeSubtle.digest('\u017fha-256', new Uint8Array(1)))).toBe('ok');
  });

  test.each([
    ['SHA-256 ', 'trailing space'], ['SHA256', 'no dash'], ['SHA-256\0', 'trailing NUL'], ['ＳＨＡ-256', 'fullwidth letters'],
    ['SHA-224', 'not a WebCrypto digest'], ['', 'empty'],
  ])("digest '%s' (%s) is NotSupportedError, as Node", async (name) => {
    vi.spyOn(sha as Required<AlgorithmModule>, 'digest').mockResolvedValue(new ArrayBuffer(32));
    expect(await outcomeOf(() => ours('digest')(name, new Uint8Array(1)))).toBe('NotSupportedError');
    expect(await outcomeOf(() => nodeSubtle.digest(name, new Uint8Array(1)))).toBe('NotSupportedError');
  });

  test('a name registered for other operations only is NotSupportedError (SHA-256 for encrypt, AES-GCM for digest)', () => {
    expect(thrownBy(() => normalize('SHA-256', 'encrypt'))).toBe('NotSupportedError');
    expect(thrownBy(() => normalize('AES-GCM', 'digest'))).toBe('NotSupportedError');
  });
});

describe('hybrid mode (the default) keeps the spec\'s name matching', () => {
  // Hybrid mode hands algorithms the kernel does not serve to the platform's
  // WebCrypto. A name that matches no registered algorithm ASCII
  // case-insensitively must still be NotSupportedError, even though Node
  // itself would accept it (Node 20 compares toUpperCase()).
  test("digest '\u017fha-256' rejects NotSupportedError", async () => {
    const hybrid = createCrypto({ mode: 'hybrid' }).subtle;
    expect(await outcomeOf(() => hybrid.digest('\u017fha-256', new Uint8Array(1)))).toBe('NotSupportedError');
  });

  test("digest 'sHa-256' works and equals Node's", async () => {
    const hybrid = createCrypto({ mode: 'hybrid' }).subtle;
    const data = randomData(100);
    expect(hex(await hybrid.digest('sHa-256', data))).toBe(hex(await nodeSubtle.digest('SHA-256', data)));
  });
});

describe('dictionary members are read in WebIDL order', () => {
  // WebIDL: inherited dictionary members first, each dictionary's own
  // members in lexicographic order; absent members are still looked up.
  // The spec's normalization converts to Algorithm (reading name) and then
  // to the op's dictionary, so name is read once more at the start.
  const ORDER: [string, Operation, DictionaryName, string[]][] = [
    ['AES-CBC', 'generateKey', 'AesKeyGenParams', ['name', 'length']],
    ['AES-CBC', 'encrypt', 'AesCbcParams', ['name', 'iv']],
    ['AES-CTR', 'encrypt', 'AesCtrParams', ['name', 'counter', 'length']],
    ['AES-GCM', 'encrypt', 'AesGcmParams', ['name', 'additionalData', 'iv', 'tagLength']],
    ['HMAC', 'importKey', 'HmacImportParams', ['name', 'hash', 'length']],
    ['HMAC', 'generateKey', 'HmacKeyGenParams', ['name', 'hash', 'length']],
    ['PBKDF2', 'deriveBits', 'Pbkdf2Params', ['name', 'hash', 'iterations', 'salt']],
    ['HKDF', 'deriveBits', 'HkdfParams', ['name', 'hash', 'info', 'salt']],
  ];

  test.each(ORDER)('%s for %s (%s): %j', (name, op, dictionary, order) => {
    const reads: string[] = [];
    normalize(recordingReads({ name, ...VALID_MEMBERS[dictionary](), unrelated: 1 }, reads), op);
    expect(reads).toEqual(['name', ...order]);
  });

  test('a hash member is normalized after all members of the outer dictionary were read', () => {
    const reads: string[] = [];
    const hash = recordingReads({ name: 'SHA-384' }, reads, 'hash.');
    normalize(recordingReads({ name: 'PBKDF2', salt: new Uint8Array(1), iterations: 2, hash }, reads), 'deriveBits');
    expect(reads.slice(0, 5)).toEqual(['name', 'name', 'hash', 'iterations', 'salt']);
    expect(reads.slice(5).every((r) => r === 'hash.name')).toBe(true);
    expect(reads.length).toBeGreaterThan(5);
  });
});

describe('dictionary conversion', () => {
  test.each(REGISTERED.filter(([, , d]) => d !== 'Algorithm'))(
    '%s for %s: each required member of %s missing is a TypeError naming it',
    (name, op, dictionary) => {
      for (const member of Object.keys(VALID_MEMBERS[dictionary]())) {
        const optional = dictionary === 'HmacImportParams' || dictionary === 'HmacKeyGenParams' ? ['length'] : [];
        if (optional.includes(member)) continue;
        const alg: Record<string, unknown> = { name, ...VALID_MEMBERS[dictionary]() };
        delete alg[member];
        let error: unknown;
        try {
          normalize(alg, op);
        } catch (e) {
          error = e;
        }
        expect(error, `${member} missing`).toBeInstanceOf(TypeError);
        expect((error as Error).message).toContain(member);
      }
    });

  test('missing required members are TypeErrors in Node too (generateKey without length, importKey without hash)', async () => {
    const calls: [string, (s: typeof looseNodeSubtle) => Promise<unknown>][] = [
      ['AES length', (s) => s.generateKey({ name: 'AES-GCM' }, true, ['encrypt'])],
      ['HMAC hash', (s) => s.importKey('raw', randomData(16), { name: 'HMAC' }, true, ['sign'])],
    ];
    for (const [label, call] of calls) {
      expect(await outcomeOf(() => call({ generateKey: ours('generateKey'), importKey: ours('importKey') } as never)), label).toBe('TypeError');
      expect(await outcomeOf(() => call(looseNodeSubtle)), `node ${label}`).toBe('TypeError');
    }
  });

  test('the result holds only the dictionary members; absent optional members stay absent', () => {
    const result = normalize({ name: 'aes-gcm', iv: new Uint8Array(12), unrelated: 1, length: 128 }, 'encrypt');
    expect(Object.keys(result).sort()).toEqual(['iv', 'name']);
    expect(result.name).toBe('AES-GCM');
  });

  test('BufferSource members are copied: changing the input afterwards changes nothing', () => {
    const iv = new Uint8Array(12).fill(7);
    const additionalData = new DataView(new ArrayBuffer(5));
    const result = normalize({ name: 'AES-GCM', iv, additionalData }, 'encrypt');
    iv.fill(0);
    additionalData.setUint8(0, 9);
    expect([...(result.iv as Uint8Array)]).toEqual(Array(12).fill(7));
    expect([...(result.additionalData as Uint8Array)]).toEqual([0, 0, 0, 0, 0]);
    expect((result.iv as Uint8Array).buffer).not.toBe(iv.buffer);
  });

  test('BufferSource members reject SharedArrayBuffer views with TypeError', () => {
    expect(thrownBy(() => normalize({ name: 'AES-GCM', iv: new Uint8Array(new SharedArrayBuffer(12)) }, 'encrypt'))).toBe('TypeError');
  });
});

describe('hash members are normalized as digest algorithms', () => {
  const HASH_INPUTS: [string, () => unknown, string | undefined][] = [
    ["'SHA-256'", () => 'SHA-256', 'SHA-256'],
    ["'sha-384'", () => 'sha-384', 'SHA-384'],
    ["{name: 'Sha-512', extra}", () => ({ name: 'Sha-512', extra: 1 }), 'SHA-512'],
    ["{name: 'SHA-1'}", () => ({ name: 'SHA-1' }), 'SHA-1'],
    ["'SHA-3'", () => 'SHA-3', undefined],
    ["'HMAC' (registered, but not for digest)", () => 'HMAC', undefined],
    ['{}', () => ({}), undefined],
    ['5', () => 5, undefined],
  ];

  test.each(HASH_INPUTS)('HMAC importKey with hash %s: same key.algorithm.hash or error as Node', async (label, make, expected) => {
    const keyBytes = randomData(32);
    const call = (s: Loose) => s('raw', keyBytes, { name: 'HMAC', hash: make() }, true, ['sign']);
    const mine = await call(ours('importKey')).then((k) => (k as CryptoKey).algorithm, (e: Error) => e.name);
    const node = await call(looseNodeSubtle.importKey.bind(nodeSubtle)).then((k) => (k as CryptoKey).algorithm, (e: Error) => e.name);
    // Node 24 says NotSupportedError for a hash of {}; WebIDL's missing required
    // `name` member is a TypeError, which Node 20 and this library give.
    expect(mine).toEqual(node === 'NotSupportedError' && label === '{}' ? 'TypeError' : node);
    if (expected) expect((mine as { hash: unknown }).hash).toEqual({ name: expected });
  });

  test('normalizeAlgorithm gives the hash as a normalized Algorithm dictionary for every op with a hash member', () => {
    for (const [name, op, dictionary] of REGISTERED) {
      if (!('hash' in VALID_MEMBERS[dictionary]())) continue;
      const result = normalize({ name, ...VALID_MEMBERS[dictionary](), hash: { name: 'sha-512', length: 7 } }, op);
      expect(result.hash, `${name} ${op}`).toEqual({ name: 'SHA-512' });
    }
  });

  test("hash 'ſha-256' is NotSupportedError (ASCII matching; Node 20 accepts it)", () => {
    expect(thrownBy(() => normalize({ name: 'HMAC', hash: '\u017fha-256' }, 'importKey'))).toBe('NotSupportedError');
  });
});

describe('the algorithm is normalized before data arguments are copied (spec PR #426, Feb 2026)', () => {
  // The spec reads and normalizes the algorithm first, then copies the data
  // (w3c/webcrypto commit 5b57233, "Reorder reading algorithm and data
  // arguments"); Node 20 already does so. A getter on the algorithm that
  // modifies the data buffer therefore changes what is digested.
  test('digest: a name getter that modifies the data is seen by the digest, as in Node', async () => {
    const seen: Uint8Array[] = [];
    vi.spyOn(sha as Required<AlgorithmModule>, 'digest').mockImplementation(async (_alg, data) => {
      seen.push(data.slice());
      return new ArrayBuffer(32);
    });
    const run = async (digest: Loose) => {
      const data = new Uint8Array([1, 2, 3]);
      const algorithm = { get name() { data[0] = 99; return 'SHA-256'; } };
      return digest(algorithm, data);
    };
    const nodeResult = await run(nodeSubtle.digest.bind(nodeSubtle) as Loose);
    expect(hex(nodeResult as ArrayBuffer)).toBe(hex(await nodeSubtle.digest('SHA-256', new Uint8Array([99, 2, 3]))));
    await run(ours('digest'));
    expect([...seen[0]!]).toEqual([99, 2, 3]);
  });

  test('encrypt and sign: the same order', async () => {
    const received: Uint8Array[] = [];
    const record = async (_alg: unknown, _key: unknown, data: Uint8Array) => {
      received.push(data.slice());
      return new ArrayBuffer(16);
    };
    vi.spyOn(aesCbc as Required<AlgorithmModule>, 'encrypt').mockImplementation(record);
    vi.spyOn(hmac as Required<AlgorithmModule>, 'sign').mockImplementation(record);
    const aesKey = await subtle.generateKey({ name: 'AES-CBC', length: 128 }, false, ['encrypt']);
    const hmacKey = await subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    for (const [method, algorithmName, key] of [['encrypt', 'AES-CBC', aesKey], ['sign', 'HMAC', hmacKey]] as const) {
      const data = new Uint8Array([1, 2, 3]);
      const algorithm = { get name() { data[0] = 99; return algorithmName; }, iv: new Uint8Array(16) };
      await ours(method)(algorithm, key, data);
      expect([...received.pop()!], method).toEqual([99, 2, 3]);
    }
  });
});
