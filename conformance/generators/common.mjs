// Building blocks the per-family generators share: fast-check arbitraries
// for bytes, names (with non-canonical casing), BufferSource shapes, usages
// and the malformed values WebIDL must reject; and the cell() helper that
// turns a table of named variants into one arbitrary.
import fc from 'fast-check';
import { INVALID_SHAPES, VALID_SHAPES, algSpec, bytesSpec, toHex } from '../lib/values.mjs';

export { fc };

/** Random bytes as hex, length in [min, max]. */
export function hex(min, max) {
  return fc.uint8Array({ minLength: min, maxLength: max }).map(toHex);
}

/** Mostly short data, sometimes a few KiB, rarely large (large inputs take the kernel's thread-pool path). */
export function dataHex({ large = 70_000 } = {}) {
  return fc.oneof(
    { weight: 8, arbitrary: hex(0, 96) },
    { weight: 3, arbitrary: hex(97, 4096) },
    { weight: 1, arbitrary: fc.integer({ min: 4097, max: large }).chain((n) => hex(n, n)) },
  );
}

/** A name as given, or in another ASCII casing (ASCII case-insensitive match is required). */
export function casing(name) {
  const mixed = fc.array(fc.boolean(), { minLength: name.length, maxLength: name.length })
    .map((flags) => [...name].map((c, i) => (flags[i] ? c.toLowerCase() : c.toUpperCase())).join(''));
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(name) },
    { weight: 1, arbitrary: fc.constantFrom(name.toLowerCase(), name.toUpperCase()) },
    { weight: 1, arbitrary: mixed },
  );
}

/**
 * The name with one letter replaced by a non-ASCII character whose Unicode
 * case mapping gives that ASCII letter (U+017F for s, U+212A for k, U+0130
 * for i): the spec's match is ASCII case-insensitive, so these must not match.
 */
export function unicodeLookalike(name) {
  const swaps = [[/s/i, '\u017f'], [/k/i, '\u212a'], [/i/i, '\u0130']];
  for (const [pattern, replacement] of swaps) if (pattern.test(name)) return name.replace(pattern, replacement);
  return undefined;
}

/** An AlgorithmIdentifier spec: the string form (when there are no members) or the object form. */
export function algorithm(name, members = fc.constant({})) {
  return fc.tuple(casing(name), members, fc.boolean()).map(([n, m, asString]) =>
    algSpec(asString && Object.keys(m).length === 0 ? { form: 'string', name: n } : { form: 'object', name: n, members: m }));
}

export const validShape = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...VALID_SHAPES) },
  { weight: 1, arbitrary: fc.constant('detached') },
);
export const invalidShape = fc.constantFrom(...INVALID_SHAPES);

/** A BufferSource spec with random bytes in a random accepted shape. */
export function buffer(bytes = dataHex()) {
  return fc.tuple(bytes, validShape).map(([h, shape]) => bytesSpec(h, shape));
}

/** Values that are not an AlgorithmIdentifier WebIDL can normalize to a registered name. */
export const badAlgorithmValue = fc.constantFrom(
  { form: 'raw', value: 256 },                       // DOMString "256": NotSupportedError
  { form: 'raw', value: null },                      // DOMString "null": NotSupportedError
  { form: 'raw', value: { $value: 'undefined' } },   // DOMString "undefined": NotSupportedError
  { form: 'object-no-name', members: {} },           // dictionary without its required name: TypeError
  { form: 'raw', value: { name: { $value: 'symbol' } } }, // name cannot become a DOMString: TypeError
  { form: 'raw', value: { $value: 'symbol' } },      // a Symbol is not a DOMString: TypeError
).map(algSpec);

export const KEY_USAGES = ['encrypt', 'decrypt', 'sign', 'verify', 'deriveKey', 'deriveBits', 'wrapKey', 'unwrapKey'];

/** A non-empty selection of allowed usages, in random order, sometimes with a repeat. */
export function usages(allowed) {
  return fc.tuple(fc.shuffledSubarray(allowed, { minLength: 1 }), fc.nat(9)).map(([list, dup]) =>
    (dup === 0 ? [...list, list[0]] : list));
}

/** Usages that include at least one the algorithm does not allow (SyntaxError). */
export function foreignUsages(allowed) {
  const others = KEY_USAGES.filter((u) => !allowed.includes(u));
  return fc.tuple(fc.subarray(allowed), fc.constantFrom(...others)).chain(([ok, bad]) => fc.shuffledSubarray([...ok, bad], { minLength: ok.length + 1 }));
}

/** keyUsages values WebIDL cannot convert to sequence<KeyUsage> (TypeError). */
export const badUsagesValue = fc.constantFrom('sign', ['Sign'], ['encrypt '], [{ $value: 'symbol' }], null, 7, { length: 1, 0: 'sign' });

/**
 * One generator cell: named variants, each [weight, arbitrary of spec
 * fields]. The spec gets the variant name; variants named "valid..." are
 * inputs the spec accepts. Optional fields: prepare(spec, targets) runs
 * once per case before the three runs (e.g. produces a ciphertext with an
 * oracle), sync marks a synchronous method (throws are its way to fail).
 */
export function cell({ variants, run, prepare, sync = false }) {
  const choices = Object.entries(variants).map(([variant, [weight, arbitrary]]) => ({
    weight,
    arbitrary: arbitrary.map((fields) => ({ variant, ...fields })),
  }));
  return { arbitrary: fc.oneof(...choices), run, prepare, sync, variants: Object.keys(variants) };
}

/** Unknown or wrongly spelled algorithm names for an operation (NotSupportedError). */
export function unknownNames(extra = []) {
  // (Not the spec's other algorithms, RSA-OAEP, ECDH...: this library does not claim them, and an
  // oracle that has them answers about their parameters instead.)
  return fc.constantFrom('SHA-224', 'SHA3-224', 'SHA256', 'MD5', '', 'AES', 'AES-OCB', 'HMAC-SHA256', ' HMAC',
    'AES-GCM ', 'AES_GCM', 'PBKDF', ...extra);
}
