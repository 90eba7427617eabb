// How a call ended, as one string that three implementations can be compared
// on: "reject:OperationError", "throw:TypeError" (a synchronous throw, which
// a promise-returning WebCrypto method must never do), or a description of
// the value it returned.
import { createHash } from 'node:crypto';
import { types } from 'node:util';

/** The spec-visible name of an exception: DOMException name, native error class, or Error(Class). */
export function errorName(error) {
  if (error instanceof DOMException) return error.name;
  if (error instanceof TypeError) return 'TypeError';
  if (error instanceof RangeError) return 'RangeError';
  if (error instanceof SyntaxError) return 'SyntaxError(js)';
  if (error instanceof Error) {
    // A library's own Error subclass: the spec never names these, so keep the class for the report.
    const cls = error.constructor?.name ?? 'Error';
    return cls === 'Error' ? 'Error' : `Error(${cls})`;
  }
  return `non-error(${typeof error})`;
}

/** Thrown by Target.call when a method threw instead of returning a promise. */
export class SyncThrow extends Error {
  constructor(inner) {
    super(`threw synchronously: ${inner?.message ?? String(inner)}`);
    this.inner = inner;
  }
}

/** Thrown by a generator when the case's setup (an import it needs) failed. */
export class SetupFailure extends Error {
  constructor(step, inner) {
    super(`${step}: ${inner?.message ?? String(inner)}`);
    this.step = step;
    this.inner = inner;
  }
}

/** The outcome of an exception that ended a case. */
export function outcomeOfError(error) {
  if (error instanceof SyncThrow) return `throw:${errorName(error.inner)}`;
  if (error instanceof SetupFailure) {
    const inner = error.inner instanceof SyncThrow ? `throw:${errorName(error.inner.inner)}` : `reject:${errorName(error.inner)}`;
    return `setup(${error.step}):${inner}`;
  }
  return `reject:${errorName(error)}`;
}

const LONG = 64;

function describeBytes(bytes) {
  const view = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  if (view.byteLength <= LONG) return `bytes(${view.byteLength}):${Buffer.from(view).toString('hex')}`;
  // Long outputs: a fingerprint, so reports stay readable. (Hashing here only
  // labels a value already computed; it decides nothing.)
  const digest = createHash('sha256').update(view).digest('hex').slice(0, 32);
  return `bytes(${view.byteLength}):sha256~${digest}`;
}

/** A value as a canonical string: ArrayBuffers as hex, objects with sorted keys. */
export function describe(value) {
  if (value instanceof ArrayBuffer) return describeBytes(value);
  if (types.isSharedArrayBuffer(value)) return `SharedArrayBuffer(${value.byteLength})`;
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}:${describeBytes(new Uint8Array(value.buffer, value.byteOffset, value.byteLength))}`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'undefined';
  if (typeof value !== 'object' || value === null) return String(value);
  return canonicalJson(value);
}

function canonicalJson(value) {
  return JSON.stringify(value, (_key, v) => {
    if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return describe(v);
    if (v && typeof v === 'object' && !Array.isArray(v))
      return Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]));
    return v;
  });
}

/** Runs a case body and returns its outcome string. */
export async function observe(body) {
  try {
    return describe(await body());
  } catch (error) {
    return outcomeOfError(error);
  }
}
