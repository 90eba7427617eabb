// CryptoKey (https://w3c.github.io/webcrypto/#cryptokey-interface): the
// interface's shape against Node's, the cached attribute objects, keys that
// cannot be changed through what the attributes return, inspection that
// never shows key bytes, and look-alike objects refused as keys. Strict
// mode: every key here is a kernel key.
import { createHmac, randomBytes, type webcrypto } from 'node:crypto';
import { inspect } from 'node:util';
import * as workerThreads from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCrypto } from '../../src/webcrypto/crypto';
import { CryptoKey } from '../../src/webcrypto/crypto-key';
import { requireAfAlg } from '../helpers/kernel';
import { NodeCryptoKey, nodeSubtle, peculiarSubtle } from '../helpers/oracles';

// ---- helpers ----------------------------------------------------------------

const subtle = createCrypto({ mode: 'strict' }).subtle;
const ATTRIBUTES = ['type', 'extractable', 'algorithm', 'usages'] as const;

const hex = (data: ArrayBuffer | Uint8Array): string => Buffer.from(data instanceof Uint8Array ? data : new Uint8Array(data)).toString('hex');
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

const hmacSha256 = { name: 'HMAC', hash: 'SHA-256' };

/** The spec's "normalized value" of a usages list: each recognized usage once, in KeyUsage order. */
const KEY_USAGE_ORDER = ['encrypt', 'decrypt', 'sign', 'verify', 'deriveKey', 'deriveBits', 'wrapKey', 'unwrapKey'];
const normalizedUsages = (usages: readonly string[]) => KEY_USAGE_ORDER.filter((usage) => usages.includes(usage));

/** A property descriptor reduced to what WebIDL fixes (no function identities). */
function shapeOf(descriptor: PropertyDescriptor | undefined) {
  if (descriptor === undefined) return undefined;
  const { enumerable, configurable, writable, value, get, set } = descriptor;
  return {
    enumerable, configurable, writable,
    value: typeof value === 'function' ? 'function' : value,
    get: typeof get, set: typeof set,
  };
}

beforeAll(() => requireAfAlg());

// ---- the interface ----------------------------------------------------------

describe('the CryptoKey interface has the shape of Node\'s', () => {
  it.each(ATTRIBUTES)('%s is an enumerable, configurable getter without a setter on the prototype', (name) => {
    const ours = shapeOf(Object.getOwnPropertyDescriptor(CryptoKey.prototype, name));
    expect(ours).toEqual({ enumerable: true, configurable: true, writable: undefined, value: undefined, get: 'function', set: 'undefined' });
    expect(ours).toEqual(shapeOf(Object.getOwnPropertyDescriptor(NodeCryptoKey.prototype, name)));
  });

  it("Symbol.toStringTag is 'CryptoKey' (not writable, not enumerable, configurable)", async () => {
    const descriptor = Object.getOwnPropertyDescriptor(CryptoKey.prototype, Symbol.toStringTag);
    expect(shapeOf(descriptor)).toEqual(shapeOf(Object.getOwnPropertyDescriptor(NodeCryptoKey.prototype, Symbol.toStringTag)));
    expect(descriptor?.value).toBe('CryptoKey');
    const key = await subtle.generateKey(hmacSha256, true, ['sign']);
    expect(Object.prototype.toString.call(key)).toBe('[object CryptoKey]');
  });

  it('the prototype has the four attributes and nothing else that is enumerable', () => {
    const enumerable = (proto: object) => Object.keys(proto).sort();
    expect(enumerable(CryptoKey.prototype)).toEqual([...ATTRIBUTES].sort());
    expect(enumerable(CryptoKey.prototype)).toEqual(enumerable(NodeCryptoKey.prototype));
  });

  it('new CryptoKey() and CryptoKey() throw a TypeError, as Node\'s do', () => {
    const construct = (cls: unknown) => () => new (cls as new () => unknown)();
    const call = (cls: unknown) => () => (cls as () => unknown)();
    expect(construct(CryptoKey)).toThrow(TypeError);
    expect(construct(NodeCryptoKey)).toThrow(TypeError);
    expect(call(CryptoKey)).toThrow(TypeError);
    expect(() => Reflect.construct(CryptoKey, [Symbol('construct CryptoKey'), {}])).toThrow(TypeError);
  });

  it('a key is a CryptoKey with no own properties; JSON.stringify gives {} as for Node\'s keys', async () => {
    const key = await subtle.importKey('raw', random(16), hmacSha256, true, ['sign']);
    const node = await nodeSubtle.importKey('raw', random(16), hmacSha256, true, ['sign']);
    expect(key).toBeInstanceOf(CryptoKey);
    expect(Object.getPrototypeOf(key)).toBe(CryptoKey.prototype);
    expect(Reflect.ownKeys(key)).toEqual([]);
    expect(JSON.stringify(key)).toBe('{}');
    expect(JSON.stringify(node)).toBe('{}');
  });

  it.each(ATTRIBUTES)('the %s getter throws a TypeError for anything but one of our keys', async (name) => {
    const getter = Object.getOwnPropertyDescriptor(CryptoKey.prototype, name)!.get!;
    const nodeKey = await nodeSubtle.importKey('raw', random(16), hmacSha256, true, ['sign']);
    for (const receiver of [{}, Object.create(CryptoKey.prototype), nodeKey, null, undefined])
      expect(() => getter.call(receiver)).toThrow(TypeError);
  });
});

// ---- attribute values -------------------------------------------------------

describe('the attributes', () => {
  it('algorithm and usages return the same (cached) object on every read, as the spec and Node do', async () => {
    const key = await subtle.importKey('raw', random(16), hmacSha256, true, ['sign', 'verify']);
    const node = await nodeSubtle.importKey('raw', random(16), hmacSha256, true, ['sign', 'verify']);
    expect(key.algorithm).toBe(key.algorithm);
    expect(key.usages).toBe(key.usages);
    expect(node.algorithm).toBe(node.algorithm);
    expect(node.usages).toBe(node.usages);
  });

  interface FamilyCase {
    readonly name: string;
    readonly format: 'raw';
    readonly keyData: Uint8Array;
    readonly algorithm: object | string;
    readonly extractable: boolean;
    readonly usages: KeyUsage[];
  }
  const FAMILIES: readonly FamilyCase[] = [
    { name: 'HMAC SHA-1', format: 'raw', keyData: random(20), algorithm: { name: 'HMAC', hash: 'SHA-1' }, extractable: true, usages: ['sign', 'verify'] },
    { name: 'HMAC SHA-512, length 1040', format: 'raw', keyData: random(130), algorithm: { name: 'HMAC', hash: 'SHA-512', length: 1040 }, extractable: false, usages: ['verify'] },
    { name: 'AES-CBC 128', format: 'raw', keyData: random(16), algorithm: 'AES-CBC', extractable: true, usages: ['encrypt', 'decrypt'] },
    { name: 'AES-CTR 192', format: 'raw', keyData: random(24), algorithm: 'AES-CTR', extractable: false, usages: ['decrypt'] },
    { name: 'AES-GCM 256', format: 'raw', keyData: random(32), algorithm: 'AES-GCM', extractable: true, usages: ['encrypt', 'wrapKey'] },
    { name: 'AES-KW 256', format: 'raw', keyData: random(32), algorithm: 'AES-KW', extractable: true, usages: ['wrapKey', 'unwrapKey'] },
    { name: 'PBKDF2', format: 'raw', keyData: random(9), algorithm: 'PBKDF2', extractable: false, usages: ['deriveBits', 'deriveKey'] },
    { name: 'HKDF', format: 'raw', keyData: random(9), algorithm: 'HKDF', extractable: false, usages: ['deriveKey'] },
  ];
  // Usages are compared with the spec's normalized value rather than Node 20's
  // (which keeps the caller's order): see the next describe.
  it.each(FAMILIES)('$name: type, extractable and algorithm equal Node\'s for the same import', async (c) => {
    const ours = await subtle.importKey(c.format, c.keyData, c.algorithm, c.extractable, c.usages);
    const node = await nodeSubtle.importKey(c.format, c.keyData, c.algorithm as webcrypto.AlgorithmIdentifier, c.extractable, c.usages);
    expect(ours.type).toBe(node.type);
    expect(ours.extractable).toBe(node.extractable);
    expect(ours.algorithm).toEqual(node.algorithm);
    expect(ours.usages).toEqual(normalizedUsages(c.usages));
  });
});

describe('changing what the attributes return changes nothing the key does', () => {
  const raw = random(32);
  const message = random(50);
  const expectedMac = createHmac('sha256', raw).update(message).digest('hex');

  it('mutating the algorithm object: the key still signs with SHA-256 and exports as HS256', async () => {
    const key = await subtle.importKey('raw', raw, hmacSha256, true, ['sign']);
    const algorithm = key.algorithm as { name: string; hash: { name: string }; length: number };
    algorithm.name = 'AES-GCM';
    algorithm.hash.name = 'SHA-512';
    algorithm.length = 8;
    (algorithm as { hash: unknown }).hash = 'SHA-1';
    expect(key.algorithm).toBe(algorithm); // still the cached object, as mutated
    expect(hex(await subtle.sign('HMAC', key, message))).toBe(expectedMac);
    expect((await subtle.exportKey('jwk', key) as { alg?: string }).alg).toBe('HS256');
    expect(hex(await subtle.exportKey('raw', key) as ArrayBuffer)).toBe(hex(raw));
    await expectRejects(subtle.encrypt({ name: 'AES-GCM', iv: random(12) }, key, message), 'InvalidAccessError');
  });

  it('mutating the usages array: the key keeps exactly its usages', async () => {
    const key = await subtle.importKey('raw', raw, hmacSha256, true, ['sign']);
    const usages = key.usages;
    usages.push('verify');
    expect(key.usages).toEqual(['sign', 'verify']);
    await expectRejects(subtle.verify('HMAC', key, new Uint8Array(32), message), 'InvalidAccessError');
    usages.length = 0;
    expect(hex(await subtle.sign('HMAC', key, message))).toBe(expectedMac);
  });

  it('assigning the attributes fails; defining own properties over them does not reach the key', async () => {
    const key = await subtle.importKey('raw', raw, hmacSha256, false, ['sign']);
    for (const [name, value] of [['type', 'public'], ['extractable', true], ['algorithm', {}], ['usages', []]] as const)
      expect(Reflect.set(key, name, value)).toBe(false);
    expect(key.type).toBe('secret');
    expect(key.extractable).toBe(false);
    Object.defineProperty(key, 'extractable', { value: true });
    Object.defineProperty(key, 'usages', { value: ['sign', 'verify'] });
    Object.defineProperty(key, 'algorithm', { value: { name: 'AES-GCM', length: 256 } });
    expect(key.extractable).toBe(true); // the own property, not the key
    await expectRejects(subtle.exportKey('raw', key), 'InvalidAccessError');
    await expectRejects(subtle.verify('HMAC', key, new Uint8Array(32), message), 'InvalidAccessError');
    await expectRejects(subtle.encrypt({ name: 'AES-GCM', iv: random(12) }, key, message), 'InvalidAccessError');
    expect(hex(await subtle.sign('HMAC', key, message))).toBe(expectedMac);
  });

  it('changing the key data after importKey changes nothing', async () => {
    const data = raw.slice();
    const key = await subtle.importKey('raw', data, hmacSha256, true, ['sign']);
    data.fill(0);
    expect(hex(await subtle.sign('HMAC', key, message))).toBe(expectedMac);
  });
});

// The spec's importKey, deriveKey and unwrapKey set [[usages]] to "the
// normalized value of usages": the recognized usages in the order of the
// KeyUsage enum, each once (section "Terminology", since 2014). Browsers keep
// usages as a bit mask and show them that way; Node 20 and @peculiar 1.7.2 keep the
// caller's list as given.
describe('imported and derived keys hold the normalized usages', () => {
  it('importKey with usages [verify, sign, verify] gives [sign, verify]', async () => {
    const key = await subtle.importKey('raw', random(16), hmacSha256, true, ['verify', 'sign', 'verify']);
    expect(key.usages).toEqual(normalizedUsages(['verify', 'sign', 'verify']));
    expect(key.usages).toEqual(['sign', 'verify']);
    expect((await subtle.exportKey('jwk', key) as { key_ops?: string[] }).key_ops).toEqual(['sign', 'verify']);
  });

  it('deriveKey with usages [unwrapKey, decrypt, encrypt, decrypt] gives [encrypt, decrypt, unwrapKey]', async () => {
    const base = await subtle.importKey('raw', random(16), 'HKDF', false, ['deriveKey']);
    const key = await subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: random(4), info: random(4) }, base,
      { name: 'AES-GCM', length: 128 }, false, ['unwrapKey', 'decrypt', 'encrypt', 'decrypt']);
    expect(key.usages).toEqual(['encrypt', 'decrypt', 'unwrapKey']);
  });
});

// generateKey is the exception: AES and HMAC "generate key" set [[usages]] "to
// be usages", the list as given, and the generateKey method adds nothing
// (Editor's Draft of 2026-04). @peculiar and Node 20 agree; Node 24 normalizes
// (conformance/ADJUDICATIONS.md, node-generatekey-drops-repeated-usages).
describe('generated keys hold the usages as given', () => {
  it.each([
    ['AES-KW', { name: 'AES-KW', length: 128 }, ['unwrapKey', 'wrapKey']],
    ['AES-GCM', { name: 'AES-GCM', length: 256 }, ['decrypt', 'wrapKey', 'encrypt', 'decrypt']],
    ['HMAC', { name: 'HMAC', hash: 'SHA-256' }, ['verify', 'sign']],
  ] as const)('%s: the same list, as @peculiar', async (_name, algorithm, usages) => {
    const ours = await subtle.generateKey(algorithm, true, [...usages]) as CryptoKey;
    const peculiar = await peculiarSubtle.generateKey(algorithm, true, [...usages]) as CryptoKey;
    expect(ours.usages).toEqual([...usages]);
    expect(ours.usages).toEqual(peculiar.usages);
  });
});

// ---- inspection -------------------------------------------------------------

describe('util.inspect', () => {
  /** Every way the key bytes could show up in text. */
  function encodings(raw: Uint8Array): string[] {
    const buffer = Buffer.from(raw);
    return [
      buffer.toString('hex'), buffer.toString('hex').toUpperCase(), buffer.toString('base64'), buffer.toString('base64url'),
      Array.from(raw.subarray(0, 8)).join(', '), inspect(buffer.subarray(0, 8)).slice(8, -1),
    ];
  }

  const KEYS: readonly [string, () => Promise<[CryptoKey, Uint8Array]>][] = [
    ['an extractable HMAC key', async () => {
      const raw = random(32);
      return [await subtle.importKey('raw', raw, hmacSha256, true, ['sign', 'verify']), raw];
    }],
    ['a non-extractable AES key', async () => {
      const raw = random(32);
      return [await subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt']), raw];
    }],
    ['a PBKDF2 key', async () => {
      const raw = random(24);
      return [await subtle.importKey('raw', raw, 'PBKDF2', false, ['deriveBits']), raw];
    }],
    ['a generated HMAC key, after it was used', async () => {
      const key = await subtle.generateKey(hmacSha256, true, ['sign']) as CryptoKey;
      await subtle.sign('HMAC', key, random(10));
      return [key, new Uint8Array(await subtle.exportKey('raw', key) as ArrayBuffer)];
    }],
  ];

  it.each(KEYS)('%s shows type, extractable, algorithm and usages, never the key bytes', async (_, make) => {
    const [key, raw] = await make();
    for (const text of [inspect(key), inspect(key, { depth: Infinity, showHidden: true, getters: true }), inspect({ nested: { key } }, { depth: 5 })]) {
      expect(text).toContain('CryptoKey');
      for (const encoding of encodings(raw)) expect(text).not.toContain(encoding);
    }
    const text = inspect(key, { depth: 4 });
    expect(text).toContain(`type: '${key.type}'`);
    expect(text).toContain(`extractable: ${key.extractable}`);
    expect(text).toContain(`name: '${(key.algorithm as { name: string }).name}'`);
    for (const usage of key.usages) expect(text).toContain(`'${usage}'`);
  });

  it('shows the same fields as Node\'s inspection of the same key', async () => {
    const raw = random(16);
    const ours = await subtle.importKey('raw', raw, hmacSha256, true, ['sign']);
    const node = await nodeSubtle.importKey('raw', raw, hmacSha256, true, ['sign']);
    const fields = (text: string) => [...text.matchAll(/(\w+):/g)].map((m) => m[1]).sort();
    expect(fields(inspect(ours, { depth: 4 }))).toEqual(fields(inspect(node, { depth: 4 })));
  });
});

// ---- look-alikes ------------------------------------------------------------

describe('an object that is not one of our keys is refused with a TypeError', () => {
  const LOOK_ALIKES: readonly [string, () => Promise<unknown>][] = [
    ['a plain object with the same attributes', async () => ({
      type: 'secret', extractable: true, algorithm: { name: 'HMAC', hash: { name: 'SHA-256' }, length: 256 }, usages: ['sign', 'verify'],
    })],
    ['an object whose prototype is CryptoKey.prototype', async () => Object.create(CryptoKey.prototype)],
    ['a copy of a real key\'s own and prototype properties', async () => {
      const key = await subtle.importKey('raw', random(16), hmacSha256, true, ['sign', 'verify']);
      return Object.create(CryptoKey.prototype, {
        type: { value: key.type }, extractable: { value: key.extractable },
        algorithm: { value: key.algorithm }, usages: { value: key.usages },
      });
    }],
    ['a Proxy around a real key', async () => new Proxy(await subtle.importKey('raw', random(16), hmacSha256, true, ['sign', 'verify']), {})],
    ['Node\'s CryptoKey', async () => nodeSubtle.importKey('raw', random(16), hmacSha256, true, ['sign', 'verify'])],
  ];

  it.each(LOOK_ALIKES)('%s', async (_, make) => {
    const fake = await make();
    await expectRejects(subtle.sign('HMAC', fake, random(4)), 'TypeError');
    await expectRejects(subtle.verify('HMAC', fake, random(32), random(4)), 'TypeError');
    await expectRejects(subtle.exportKey('raw', fake), 'TypeError');
    await expectRejects(subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: random(4), info: random(4) }, fake, 256), 'TypeError');
    await expectRejects(subtle.wrapKey('raw', fake, fake, 'AES-KW'), 'TypeError');
  });
});

// CryptoKey is [Serializable], which a user-land class cannot be: Node 22.10+
// lets a key refuse cloning (worker_threads.markAsUncloneable); on Node 20 the
// clone is an empty object, which no method accepts as a key.
describe('structuredClone(key)', () => {
  const canRefuse = typeof (workerThreads as { markAsUncloneable?: unknown }).markAsUncloneable === 'function';

  it(canRefuse ? 'throws DataCloneError' : 'gives an object no method takes for a key (Node 20)', async () => {
    const key = await subtle.importKey('raw', random(16), hmacSha256, true, ['sign', 'verify']);
    if (canRefuse) {
      expect(() => structuredClone(key)).toThrow(expect.objectContaining({ name: 'DataCloneError' }));
    } else {
      const clone = structuredClone(key);
      expect(Object.keys(clone)).toEqual([]);
      await expectRejects(subtle.sign('HMAC', clone, random(4)), 'TypeError');
    }
  });
});
