// WebIDL conversions (https://webidl.spec.whatwg.org/#es-type-mapping) for
// the types WebCrypto's methods and dictionaries use. Every failure is a
// TypeError whose message names the argument or member that was wrong.
import { types } from 'node:util';

/** Where a value came from, for messages: "Failed to execute 'digest' on 'SubtleCrypto': 2nd argument". */
export interface Context {
  readonly prefix: string;
  readonly context: string;
}

function fail(ctx: Context, problem: string): TypeError {
  return new TypeError(`${ctx.prefix}: ${ctx.context} ${problem}`);
}

/** A dictionary member's context; its text is built only when a message needs it. */
class MemberContext implements Context {
  constructor(private readonly parent: Context, private readonly key: string) {}
  get prefix(): string {
    return this.parent.prefix;
  }
  get context(): string {
    return `${this.parent.context} member '${this.key}'`;
  }
}

export function member(ctx: Context, key: string): Context {
  return new MemberContext(ctx, key);
}

export function requireArguments(prefix: string, given: number, required: number): void {
  if (given < required)
    throw new TypeError(`${prefix}: ${required} argument${required === 1 ? '' : 's'} required, but only ${given} present.`);
}

export function ordinal(n: number): string {
  const suffix = n === 1 ? 'st' : n === 2 ? 'nd' : n === 3 ? 'rd' : 'th';
  return `${n}${suffix} argument`;
}

export function toDOMString(value: unknown, ctx: Context): string {
  if (typeof value === 'symbol') throw fail(ctx, 'is a Symbol and cannot be converted to a string');
  return `${value as string}`;
}

export function toBoolean(value: unknown): boolean {
  return Boolean(value);
}

function toNumber(value: unknown, ctx: Context): number {
  if (typeof value === 'symbol' || typeof value === 'bigint')
    throw fail(ctx, `is a ${typeof value === 'symbol' ? 'Symbol' : 'BigInt'} and cannot be converted to a number`);
  return Number(value);
}

/** An unsigned integer type of `bits` bits, with or without [EnforceRange]. */
export function toUnsigned(value: unknown, bits: 8 | 16 | 32, enforceRange: boolean, ctx: Context): number {
  const x = toNumber(value, ctx);
  const max = 2 ** bits - 1;
  if (enforceRange) {
    if (!Number.isFinite(x)) throw fail(ctx, 'is not a finite number');
    const n = Math.trunc(x);
    if (n < 0 || n > max) throw fail(ctx, `is outside the range 0 to ${max}`);
    return n + 0; // turns -0 into 0
  }
  if (!Number.isFinite(x) || x === 0) return 0;
  const n = Math.trunc(x) % 2 ** bits;
  return n < 0 ? n + 2 ** bits : n + 0;
}

/**
 * BufferSource: an ArrayBuffer or a view of one. Shared and resizable
 * buffers are rejected (WebIDL allows them only where [AllowShared] /
 * [AllowResizable] say so, and WebCrypto says neither).
 */
export function toBufferSource(value: unknown, ctx: Context): ArrayBufferView | ArrayBuffer {
  let buffer: ArrayBufferLike;
  if (ArrayBuffer.isView(value)) buffer = value.buffer;
  else if (types.isArrayBuffer(value)) buffer = value;
  else if (types.isSharedArrayBuffer(value)) throw fail(ctx, 'is a SharedArrayBuffer, which is not allowed');
  else throw fail(ctx, 'is not an ArrayBuffer, a TypedArray or a DataView');
  if (types.isSharedArrayBuffer(buffer)) throw fail(ctx, 'is a view of a SharedArrayBuffer, which is not allowed');
  if ((buffer as { resizable?: boolean }).resizable === true)
    throw fail(ctx, 'is backed by a resizable ArrayBuffer, which is not allowed');
  return value as ArrayBufferView | ArrayBuffer;
}

/** "Get a copy of the bytes held by the buffer source" (a detached buffer gives none). */
export function copyBytes(source: ArrayBufferView | ArrayBuffer): Uint8Array {
  // A detached buffer (and any view of one) reports byteLength 0.
  if (source.byteLength === 0) return new Uint8Array(0);
  if (ArrayBuffer.isView(source))
    return new Uint8Array(source.buffer, source.byteOffset, source.byteLength).slice();
  return new Uint8Array(source.slice(0));
}

/** BufferSource converted and copied, as dictionary members and method arguments need. */
export function toBytes(value: unknown, ctx: Context): Uint8Array {
  return copyBytes(toBufferSource(value, ctx));
}

/** An IDL enumeration value. */
export function toEnum<T extends string>(value: unknown, allowed: readonly T[], typeName: string, ctx: Context): T {
  const s = toDOMString(value, ctx);
  if (!(allowed as readonly string[]).includes(s))
    throw fail(ctx, `value '${s}' is not a valid enum value of type ${typeName}`);
  return s as T;
}

/** sequence<T>: any iterable object. */
export function toSequence<T>(value: unknown, ctx: Context, convert: (item: unknown, ctx: Context) => T): T[] {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null)
    throw fail(ctx, 'is not a sequence (an iterable object)');
  const iterator = (value as { [Symbol.iterator]?: unknown })[Symbol.iterator];
  if (typeof iterator !== 'function') throw fail(ctx, 'is not iterable');
  const out: T[] = [];
  let index = 0;
  for (const item of value as Iterable<unknown>)
    out.push(convert(item, { prefix: ctx.prefix, context: `${ctx.context}[${index++}]` }));
  return out;
}

/** (object or DOMString): AlgorithmIdentifier and HashAlgorithmIdentifier. */
export function toAlgorithmIdentifier(value: unknown, ctx: Context): object | string {
  if ((typeof value === 'object' && value !== null) || typeof value === 'function') return value;
  return toDOMString(value, ctx);
}

/** One dictionary member: its converter and whether it is required. */
export interface MemberSpec {
  readonly key: string;
  readonly convert: (value: unknown, ctx: Context) => unknown;
  readonly required?: boolean;
}

/** A dictionary type, with its inherited members. */
export interface DictionarySpec {
  readonly name: string;
  /** Every member in the order WebIDL reads them: ancestors' first, each dictionary's sorted by key. */
  readonly members: readonly MemberSpec[];
}

export function dictionary(name: string, parent: DictionarySpec | undefined, members: MemberSpec[]): DictionarySpec {
  const own = [...members].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { name, members: [...(parent?.members ?? []), ...own] };
}

/** Converts an ECMAScript value to a dictionary; absent members stay absent. */
export function toDictionary(value: unknown, spec: DictionarySpec, ctx: Context): Record<string, unknown> {
  if (value !== undefined && value !== null && typeof value !== 'object' && typeof value !== 'function')
    throw fail(ctx, `cannot be converted to a dictionary (${spec.name})`);
  const source = (value ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const m of spec.members) {
    const raw = source[m.key];
    if (raw === undefined) {
      if (m.required) throw fail(ctx, `cannot be converted to '${spec.name}': the required member '${m.key}' is missing`);
      continue;
    }
    out[m.key] = m.convert(raw, member(ctx, m.key));
  }
  return out;
}
