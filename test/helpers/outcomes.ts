// How a WebCrypto call ended, in a form two implementations can be compared
// on, and assertions for the spec's "return a rejected promise" rule.
import { expect } from 'vitest';

/** 'ok', or the name of the error (DOMException name, TypeError, ...). */
export type Outcome = string;

export async function outcomeOf(call: () => unknown): Promise<Outcome> {
  try {
    await call();
    return 'ok';
  } catch (error) {
    return errorName(error);
  }
}

export function errorName(error: unknown): string {
  if (error instanceof Error || error instanceof DOMException) return error.name;
  return `non-error thrown: ${String(error)}`;
}

/**
 * Calls a promise-returning method and returns why it rejected. Fails if the
 * call throws synchronously (WebCrypto methods must return a rejected
 * promise) or if the promise fulfils.
 */
export async function rejectionOf(call: () => unknown): Promise<unknown> {
  let returned: unknown;
  try {
    returned = call();
  } catch (error) {
    throw new Error(`expected a rejected promise, but the call threw synchronously: ${String(error)}`);
  }
  expect(returned).toBeInstanceOf(Promise);
  try {
    await returned;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it fulfilled');
}

/** The call rejects (never throws) with a DOMException of this name. */
export async function expectDomRejection(call: () => unknown, name: string): Promise<DOMException> {
  const error = await rejectionOf(call);
  expect(error).toBeInstanceOf(DOMException);
  expect((error as DOMException).name).toBe(name);
  return error as DOMException;
}

/** The call rejects (never throws) with a TypeError. */
export async function expectTypeErrorRejection(call: () => unknown): Promise<TypeError> {
  const error = await rejectionOf(call);
  expect(error).toBeInstanceOf(TypeError);
  return error as TypeError;
}

/** The synchronous call throws a DOMException of this name. */
export function expectDomThrow(call: () => unknown, name: string): DOMException {
  let thrown: unknown;
  try {
    call();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `expected a DOMException named ${name}`).toBeInstanceOf(DOMException);
  expect((thrown as DOMException).name).toBe(name);
  return thrown as DOMException;
}
