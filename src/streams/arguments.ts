// The argument checks of the stream factories, in the order and with the
// errors of the SubtleCrypto method each mirrors (digest, sign, verify,
// encrypt, decrypt): WebIDL conversion (TypeError), algorithm
// normalization (NotSupportedError, TypeError for bad members), then the
// key (InvalidAccessError). They throw synchronously: a stream factory
// returns a stream, not a promise.
import { keySlots, type CryptoKey, type KeyUsage } from '../webcrypto/crypto-key';
import { domError } from '../webcrypto/dom-errors';
import { normalizeAlgorithm } from '../webcrypto/normalize';
import type { NormalizedAlgorithm } from '../webcrypto/params';
import type { Operation } from '../webcrypto/registry';
import { ordinal, requireArguments, type Context } from '../webcrypto/webidl';

/** The contexts of one factory call, for messages ("Failed to execute 'digestStream': 1st argument ..."). */
export function argumentsOf(method: string, given: number, required: number) {
  const prefix = `Failed to execute '${method}'`;
  requireArguments(prefix, given, required);
  return {
    arg: (n: number): Context => ({ prefix, context: ordinal(n) }),
    /** Where a written chunk is converted. */
    chunk: { prefix: `Failed to write to '${method}'`, context: 'the chunk' } as Context,
  };
}

/**
 * normalizeAlgorithm (of an already converted AlgorithmIdentifier) for op, limited to the algorithms that have a
 * streaming form (others are NotSupportedError, as unknown names are).
 */
export function normalizeForStream(alg: unknown, op: Operation, streamable: readonly string[],
  method: string, ctx: Context): NormalizedAlgorithm {
  const normalized = normalizeAlgorithm(alg, op, ctx);
  if (!streamable.includes(normalized.name))
    throw domError('NotSupportedError',
      `${normalized.name} has no streaming form: ${method} supports ${streamable.join(', ')}`);
  return normalized;
}

/** A CryptoKey of this library, else TypeError (the WebIDL conversion). */
export function toKey(value: unknown, ctx: Context): CryptoKey {
  if (keySlots(value) === undefined) throw new TypeError(`${ctx.prefix}: ${ctx.context} is not of type 'CryptoKey'`);
  return value as CryptoKey;
}

/**
 * The checks subtle.sign/verify/encrypt/decrypt make of a key: its algorithm
 * is the normalized one and its usages include usage (InvalidAccessError).
 * Streams compute only in the kernel, so a key held by the platform's
 * WebCrypto (hybrid mode) is NotSupportedError.
 */
export function checkStreamKey(key: CryptoKey, normalized: NormalizedAlgorithm, usage: KeyUsage): void {
  const { algorithm, usages, material } = keySlots(key)!;
  if (algorithm.name !== normalized.name)
    throw domError('InvalidAccessError', `The key is a ${algorithm.name} key and cannot be used with ${normalized.name}`);
  if (!usages.includes(usage))
    throw domError('InvalidAccessError', `The key's usages do not include '${usage}'`);
  if (material.backend !== 'kernel')
    throw domError('NotSupportedError',
      `Streams compute in the kernel, and this ${algorithm.name} key belongs to the platform's WebCrypto ` +
      '(hybrid mode gave it to the platform because this kernel cannot serve the algorithm)');
}
