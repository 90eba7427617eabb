// SubtleCrypto (https://w3c.github.io/webcrypto/#subtlecrypto-interface).
// Each method follows the spec's steps in order: WebIDL conversion of the
// arguments, copies of the data, algorithm normalization, the key checks
// (InvalidAccessError), then the algorithm module. Every failure becomes a
// rejection; nothing here names an algorithm (registry.ts does).
import type { CryptoKeyPair, JsonWebKey, KeyFormat, MaybePromise } from './algorithm-module';
import { KEY_FORMATS } from './algorithm-module';
import { types } from 'node:util';
import { CryptoKey, KEY_USAGES, keySlots, normalizedUsages, type KeySlots, type KeyUsage } from './crypto-key';
import { domError, toDomError } from './dom-errors';
import { defineInterface } from './idl-interface';
import { toJsonWebKey } from './jwk';
import { Dispatch, type Route } from './dispatch';
import type { NormalizedAlgorithm } from './params';
import { isPlatformAlgorithm } from './platform';
import type { Operation } from './registry';
import {
  copyBytes, ordinal, requireArguments, toAlgorithmIdentifier, toBoolean, toBufferSource,
  toEnum, toSequence, toUnsigned, type Context,
} from './webidl';

const CONSTRUCT = Symbol('construct SubtleCrypto');
let dispatchOf: (value: unknown) => Dispatch | undefined;

export function createSubtle(dispatch: Dispatch): SubtleCrypto {
  return new SubtleCrypto(CONSTRUCT, dispatch);
}

/** The backend routing of one of our SubtleCrypto objects. */
export function subtleDispatch(subtle: SubtleCrypto): Dispatch {
  return dispatchOf(subtle)!;
}

/** A method's message prefix and the contexts of its arguments (1-based), made once per method. */
interface MethodContexts {
  readonly prefix: string;
  readonly arg: (n: number) => Context;
}
const methodContexts = new Map<string, MethodContexts>();

function contextsOf(method: string): MethodContexts {
  let contexts = methodContexts.get(method);
  if (contexts === undefined) {
    const prefix = `Failed to execute '${method}' on 'SubtleCrypto'`;
    const args = Array.from({ length: 8 }, (_, n): Context => ({ prefix, context: ordinal(n) }));
    contexts = { prefix, arg: (n) => args[n]! };
    methodContexts.set(method, contexts);
  }
  return contexts;
}

/** The dispatch of self and the argument contexts of one method call, for messages. */
function argumentsOf(method: string, self: unknown, given: number, required: number) {
  const { prefix, arg } = contextsOf(method);
  const dispatch = dispatchOf(self);
  if (dispatch === undefined) throw new TypeError(`${prefix}: Illegal invocation`);
  requireArguments(prefix, given, required);
  return { dispatch, arg };
}

function toKey(value: unknown, ctx: Context): CryptoKey {
  if (keySlots(value) === undefined) throw new TypeError(`${ctx.prefix}: ${ctx.context} is not of type 'CryptoKey'`);
  return value as CryptoKey;
}

function toUsages(value: unknown, ctx: Context): KeyUsage[] {
  return toSequence(value, ctx, (item, c) => toEnum(item, KEY_USAGES, 'KeyUsage', c));
}

function slots(key: CryptoKey): KeySlots {
  return keySlots(key)!;
}

/**
 * The spec's checks that key may serve normalized for usage. A platform
 * key used with a platform algorithm is checked by the platform itself.
 */
function checkKey(key: CryptoKey, normalized: NormalizedAlgorithm, usage: KeyUsage): void {
  const { algorithm, usages, material } = slots(key);
  if (isPlatformAlgorithm(normalized) && material.backend === 'platform') return;
  if (algorithm.name !== normalized.name || isPlatformAlgorithm(normalized) !== (material.backend === 'platform'))
    throw domError('InvalidAccessError', `The key is a ${algorithm.name} key and cannot be used with ${normalized.name}`);
  if (!usages.includes(usage))
    throw domError('InvalidAccessError', `The key's usages do not include '${usage}'`);
}

/** A secret or private key must be usable for something. */
function checkNotUseless(result: CryptoKey | CryptoKeyPair): void {
  const key = result instanceof CryptoKey ? result : result.privateKey;
  const { type, usages } = slots(key);
  if ((type === 'secret' || type === 'private') && usages.length === 0)
    throw domError('SyntaxError', `A ${type} key must have at least one usage`);
}

/** Normalizes for op, falling back to `fallback` as wrapKey/unwrapKey do. */
function normalizeWithFallback(dispatch: Dispatch, alg: unknown, op: Operation, fallback: Operation,
  ctx: Context): [NormalizedAlgorithm, Operation] {
  try {
    return [dispatch.normalize(alg, op, ctx), op];
  } catch {
    return [dispatch.normalize(alg, fallback, ctx), fallback];
  }
}

function rejectAsDomError(error: unknown): never {
  throw toDomError(error);
}

/** The promise of an operation: work's result, or its failure as the spec's exception. */
function settle<T>(work: () => MaybePromise<T>): Promise<T> {
  try {
    const result = work();
    return result instanceof Promise ? result.then(undefined, rejectAsDomError) : Promise.resolve(result);
  } catch (error) {
    return Promise.reject(toDomError(error));
  }
}

/**
 * A method's promise, without an async function's extra promise layers
 * (small operations are dominated by such per-call costs). convert runs the
 * argument conversion, whose exceptions reject as they are, and returns the
 * operation, which settle() runs.
 */
function methodPromise<T>(convert: () => () => MaybePromise<T>): Promise<T> {
  let operation: () => MaybePromise<T>;
  try {
    operation = convert();
  } catch (error) {
    return Promise.reject(error);
  }
  return settle(operation);
}

/** The route for normalized and op, counted as one operation of its backend. */
function counted(dispatch: Dispatch, normalized: NormalizedAlgorithm, op: Operation): Route {
  const route = dispatch.route(normalized, op);
  dispatch.count(route, normalized.name);
  return route;
}

async function exportOf(dispatch: Dispatch, key: CryptoKey, format: KeyFormat): Promise<ArrayBuffer | JsonWebKey> {
  const { algorithm, extractable } = slots(key);
  const route = dispatch.routeForKey(key, 'exportKey');
  if (!extractable) throw domError('InvalidAccessError', 'The key is not extractable');
  dispatch.count(route, algorithm.name);
  return route.module.exportKey!(format, key);
}

async function importWith(dispatch: Dispatch, format: KeyFormat, keyData: Uint8Array | JsonWebKey,
  normalized: NormalizedAlgorithm, extractable: boolean, usages: KeyUsage[]): Promise<CryptoKey> {
  const key = await counted(dispatch, normalized, 'importKey').module.importKey!(format, keyData, normalized, extractable, usages);
  checkNotUseless(key);
  return key;
}

/** WebIDL's (BufferSource or JsonWebKey): a buffer, or a converted dictionary. */
function toKeyDataUnion(keyData: unknown, ctx: Context): ArrayBufferView | ArrayBuffer | JsonWebKey {
  if (ArrayBuffer.isView(keyData) || types.isAnyArrayBuffer(keyData)) return toBufferSource(keyData, ctx);
  return toJsonWebKey(keyData, ctx);
}

/** keyData as the format needs it: a copy of the buffer's bytes, or the JsonWebKey. */
function keyDataFor(format: KeyFormat, keyData: ArrayBufferView | ArrayBuffer | JsonWebKey, ctx: Context): Uint8Array | JsonWebKey {
  const isBuffer = ArrayBuffer.isView(keyData) || types.isArrayBuffer(keyData);
  if (format === 'jwk') {
    if (isBuffer) throw new TypeError(`${ctx.prefix}: ${ctx.context} must be a JsonWebKey for format 'jwk'`);
    return keyData as JsonWebKey;
  }
  if (!isBuffer) throw new TypeError(`${ctx.prefix}: ${ctx.context} must be a BufferSource for format '${format}'`);
  return copyBytes(keyData as ArrayBufferView | ArrayBuffer);
}

/**
 * A JWK as the bytes wrapKey wraps. For a key-wrapping algorithm (AES-KW,
 * which needs a multiple of 8 bytes) the JSON is padded with spaces, as the
 * spec's note permits and Node, Chromium and Firefox do; JSON.parse on
 * unwrap ignores them.
 */
function jwkText(jwk: JsonWebKey, forKeyWrap: boolean): string {
  const json = JSON.stringify(jwk);
  return forKeyWrap ? json.padEnd(Math.ceil(json.length / 8) * 8, ' ') : json;
}

function parseJwk(bytes: Uint8Array, ctx: Context): JsonWebKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw domError('DataError', 'The unwrapped key is not a JSON Web Key (invalid UTF-8 JSON)');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw domError('DataError', 'The unwrapped key is not a JSON object');
  try {
    return toJsonWebKey(parsed, ctx);
  } catch (error) {
    throw domError('DataError', `The unwrapped key is not a JSON Web Key: ${(error as Error).message}`);
  }
}

/** encrypt(), decrypt() and sign(): a key and a message; self is the unchecked `this`. */
function keyedMessageOperation(self: unknown, op: 'encrypt' | 'decrypt' | 'sign', given: number, algorithm: unknown,
  key: unknown, data: unknown): Promise<ArrayBuffer> {
  return methodPromise(() => {
    const { dispatch, arg } = argumentsOf(op, self, given, 3);
    const alg = toAlgorithmIdentifier(algorithm, arg(1));
    const cryptoKey = toKey(key, arg(2));
    const source = toBufferSource(data, arg(3));
    const normalized = dispatch.normalize(alg, op, arg(1));
    const bytes = copyBytes(source);
    return () => {
      checkKey(cryptoKey, normalized, op);
      return counted(dispatch, normalized, op).module[op]!(normalized, cryptoKey, bytes);
    };
  });
}

export class SubtleCrypto {
  readonly #dispatch: Dispatch;

  constructor(...args: unknown[]) {
    if (args[0] !== CONSTRUCT) throw new TypeError('Illegal constructor');
    this.#dispatch = args[1] as Dispatch;
  }

  static {
    dispatchOf = (value) => (typeof value === 'object' && value !== null && #dispatch in value ? (value as SubtleCrypto).#dispatch : undefined);
  }

  // encrypt, decrypt, sign, verify and digest are the per-message operations,
  // so they build their promise directly (methodPromise) rather than as
  // async functions.
  encrypt(algorithm: unknown, key: unknown, data: unknown): Promise<ArrayBuffer> {
    return keyedMessageOperation(this, 'encrypt', arguments.length, algorithm, key, data);
  }

  decrypt(algorithm: unknown, key: unknown, data: unknown): Promise<ArrayBuffer> {
    return keyedMessageOperation(this, 'decrypt', arguments.length, algorithm, key, data);
  }

  sign(algorithm: unknown, key: unknown, data: unknown): Promise<ArrayBuffer> {
    return keyedMessageOperation(this, 'sign', arguments.length, algorithm, key, data);
  }

  verify(algorithm: unknown, key: unknown, signature: unknown, data: unknown): Promise<boolean> {
    const given = arguments.length;
    return methodPromise(() => {
      const { dispatch, arg } = argumentsOf('verify', this, given, 4);
      const alg = toAlgorithmIdentifier(algorithm, arg(1));
      const cryptoKey = toKey(key, arg(2));
      const signatureSource = toBufferSource(signature, arg(3));
      const source = toBufferSource(data, arg(4));
      const normalized = dispatch.normalize(alg, 'verify', arg(1));
      const signatureBytes = copyBytes(signatureSource);
      const bytes = copyBytes(source);
      return () => {
        checkKey(cryptoKey, normalized, 'verify');
        return counted(dispatch, normalized, 'verify').module.verify!(normalized, cryptoKey, signatureBytes, bytes);
      };
    });
  }

  digest(algorithm: unknown, data: unknown): Promise<ArrayBuffer> {
    const given = arguments.length;
    return methodPromise(() => {
      const { dispatch, arg } = argumentsOf('digest', this, given, 2);
      const alg = toAlgorithmIdentifier(algorithm, arg(1));
      const source = toBufferSource(data, arg(2));
      const normalized = dispatch.normalize(alg, 'digest', arg(1));
      const bytes = copyBytes(source);
      return () => counted(dispatch, normalized, 'digest').module.digest!(normalized, bytes);
    });
  }

  async generateKey(algorithm: unknown, extractable: unknown, keyUsages: unknown): Promise<CryptoKey | CryptoKeyPair> {
    const { dispatch, arg } = argumentsOf('generateKey', this, arguments.length, 3);
    const alg = toAlgorithmIdentifier(algorithm, arg(1));
    const isExtractable = toBoolean(extractable);
    const usages = toUsages(keyUsages, arg(3));
    const normalized = dispatch.normalize(alg, 'generateKey', arg(1));
    return settle(async () => {
      const module = counted(dispatch, normalized, 'generateKey').module;
      const result = await module.generateKey!(normalized, isExtractable, usages);
      checkNotUseless(result);
      return result;
    });
  }

  async deriveKey(algorithm: unknown, baseKey: unknown, derivedKeyType: unknown, extractable: unknown,
    keyUsages: unknown): Promise<CryptoKey> {
    const { dispatch, arg } = argumentsOf('deriveKey', this, arguments.length, 5);
    const alg = toAlgorithmIdentifier(algorithm, arg(1));
    const key = toKey(baseKey, arg(2));
    const derivedType = toAlgorithmIdentifier(derivedKeyType, arg(3));
    const isExtractable = toBoolean(extractable);
    const usages = normalizedUsages(toUsages(keyUsages, arg(5)));
    const normalized = dispatch.normalize(alg, 'deriveBits', arg(1));
    const importAlg = dispatch.normalize(derivedType, 'importKey', arg(3));
    const lengthAlg = dispatch.normalize(derivedType, 'get key length', arg(3));
    return settle(async () => {
      checkKey(key, normalized, 'deriveKey');
      const length = dispatch.route(lengthAlg, 'get key length').module.getKeyLength!(lengthAlg);
      const module = counted(dispatch, normalized, 'deriveBits').module;
      const secret = new Uint8Array(await module.deriveBits!(normalized, key, length, 'deriveKey'));
      try {
        // 'raw-secret', as the WICG draft says: its algorithms import secret bytes only that way.
        return await importWith(dispatch, 'raw-secret', secret, importAlg, isExtractable, usages);
      } finally {
        secret.fill(0);
      }
    });
  }

  // `length` has a default so that deriveBits.length is 2, as the IDL's optional argument makes it.
  async deriveBits(algorithm: unknown, baseKey: unknown, length: unknown = undefined): Promise<ArrayBuffer> {
    const { dispatch, arg } = argumentsOf('deriveBits', this, arguments.length, 2);
    const alg = toAlgorithmIdentifier(algorithm, arg(1));
    const key = toKey(baseKey, arg(2));
    const lengthBits = length === undefined || length === null ? null : toUnsigned(length, 32, false, arg(3));
    const normalized = dispatch.normalize(alg, 'deriveBits', arg(1));
    return settle(() => {
      checkKey(key, normalized, 'deriveBits');
      return counted(dispatch, normalized, 'deriveBits').module.deriveBits!(normalized, key, lengthBits);
    });
  }

  async importKey(format: unknown, keyData: unknown, algorithm: unknown, extractable: unknown,
    keyUsages: unknown): Promise<CryptoKey> {
    const { dispatch, arg } = argumentsOf('importKey', this, arguments.length, 5);
    const keyFormat = toEnum(format, KEY_FORMATS, 'KeyFormat', arg(1));
    const keyInput = toKeyDataUnion(keyData, arg(2));
    const alg = toAlgorithmIdentifier(algorithm, arg(3));
    const isExtractable = toBoolean(extractable);
    const usages = normalizedUsages(toUsages(keyUsages, arg(5)));
    const normalized = dispatch.normalize(alg, 'importKey', arg(3));
    const data = keyDataFor(keyFormat, keyInput, arg(2));
    return settle(() => importWith(dispatch, keyFormat, data, normalized, isExtractable, usages));
  }

  async exportKey(format: unknown, key: unknown): Promise<ArrayBuffer | JsonWebKey> {
    const { dispatch, arg } = argumentsOf('exportKey', this, arguments.length, 2);
    const keyFormat = toEnum(format, KEY_FORMATS, 'KeyFormat', arg(1));
    const cryptoKey = toKey(key, arg(2));
    return settle(() => exportOf(dispatch, cryptoKey, keyFormat));
  }

  async wrapKey(format: unknown, key: unknown, wrappingKey: unknown, wrapAlgorithm: unknown): Promise<ArrayBuffer> {
    const { dispatch, arg } = argumentsOf('wrapKey', this, arguments.length, 4);
    const keyFormat = toEnum(format, KEY_FORMATS, 'KeyFormat', arg(1));
    const cryptoKey = toKey(key, arg(2));
    const wrapper = toKey(wrappingKey, arg(3));
    const alg = toAlgorithmIdentifier(wrapAlgorithm, arg(4));
    const [normalized, op] = normalizeWithFallback(dispatch, alg, 'wrapKey', 'encrypt', arg(4));
    return settle(async () => {
      checkKey(wrapper, normalized, 'wrapKey');
      const exported = await exportOf(dispatch, cryptoKey, keyFormat);
      const bytes = exported instanceof ArrayBuffer
        ? new Uint8Array(exported)
        : new TextEncoder().encode(jwkText(exported, op === 'wrapKey'));
      const module = counted(dispatch, normalized, op).module;
      try {
        return await (op === 'wrapKey'
          ? module.wrapKey!(normalized, wrapper, bytes)
          : module.encrypt!(normalized, wrapper, bytes));
      } finally {
        bytes.fill(0);
      }
    });
  }

  async unwrapKey(format: unknown, wrappedKey: unknown, unwrappingKey: unknown, unwrapAlgorithm: unknown,
    unwrappedKeyAlgorithm: unknown, extractable: unknown, keyUsages: unknown): Promise<CryptoKey> {
    const { dispatch, arg } = argumentsOf('unwrapKey', this, arguments.length, 7);
    const keyFormat = toEnum(format, KEY_FORMATS, 'KeyFormat', arg(1));
    const wrappedSource = toBufferSource(wrappedKey, arg(2));
    const unwrapper = toKey(unwrappingKey, arg(3));
    const alg = toAlgorithmIdentifier(unwrapAlgorithm, arg(4));
    const keyAlg = toAlgorithmIdentifier(unwrappedKeyAlgorithm, arg(5));
    const isExtractable = toBoolean(extractable);
    const usages = normalizedUsages(toUsages(keyUsages, arg(7)));
    const [normalized, op] = normalizeWithFallback(dispatch, alg, 'unwrapKey', 'decrypt', arg(4));
    const importAlg = dispatch.normalize(keyAlg, 'importKey', arg(5));
    const wrapped = copyBytes(wrappedSource);
    return settle(async () => {
      checkKey(unwrapper, normalized, 'unwrapKey');
      const module = counted(dispatch, normalized, op).module;
      const bytes = new Uint8Array(op === 'unwrapKey'
        ? await module.unwrapKey!(normalized, unwrapper, wrapped)
        : await module.decrypt!(normalized, unwrapper, wrapped));
      try {
        const keyData = keyFormat === 'jwk' ? parseJwk(bytes, arg(2)) : bytes;
        return await importWith(dispatch, keyFormat, keyData, importAlg, isExtractable, usages);
      } finally {
        bytes.fill(0);
      }
    });
  }
}
defineInterface(SubtleCrypto);
