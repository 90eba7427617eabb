// JsonWebKey: the WebIDL dictionary conversion, base64url, and the member
// checks every symmetric import shares (RFC 7517, RFC 7518; the spec's
// "import key" steps for format "jwk").
import type { JsonWebKey } from './algorithm-module';
import type { KeyUsage } from './crypto-key';
import { domError } from './dom-errors';
import { dictionary, toBoolean, toDictionary, toDOMString, toSequence, type Context } from './webidl';

const string = { convert: toDOMString };
const RsaOtherPrimesInfo = dictionary('RsaOtherPrimesInfo', undefined, [
  { key: 'r', ...string }, { key: 'd', ...string }, { key: 't', ...string },
]);
export const JsonWebKeyDictionary = dictionary('JsonWebKey', undefined, [
  ...['kty', 'use', 'alg', 'crv', 'x', 'y', 'd', 'n', 'e', 'p', 'q', 'dp', 'dq', 'qi', 'k'].map((key) => ({ key, ...string })),
  { key: 'key_ops', convert: (v: unknown, ctx: Context) => toSequence(v, ctx, toDOMString) },
  { key: 'ext', convert: toBoolean },
  { key: 'oth', convert: (v: unknown, ctx: Context) => toSequence(v, ctx, (item, c) => toDictionary(item, RsaOtherPrimesInfo, c)) },
]);

export function toJsonWebKey(value: unknown, ctx: Context): JsonWebKey {
  return toDictionary(value, JsonWebKeyDictionary, ctx) as JsonWebKey;
}

/**
 * Whether every character is in the base64url alphabet. Not a RegExp: V8
 * keeps the last string a RegExp matched (RegExp.input) alive, which would
 * keep a secret key's text in the heap after the caller dropped it.
 */
function isBase64urlAlphabet(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const ok = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f;
    if (!ok) return false;
  }
  return true;
}

/** Strict base64url without padding (RFC 7515 section 2); DataError otherwise. */
export function base64urlDecode(text: string, member: string): Uint8Array {
  // A length of 1 mod 4 cannot come from any byte string.
  if (!isBase64urlAlphabet(text) || text.length % 4 === 1)
    throw domError('DataError', `JWK member '${member}' is not valid base64url`);
  const bytes = new Uint8Array(Buffer.from(text, 'base64url'));
  // Reject non-canonical encodings (stray bits in the last character).
  if (Buffer.from(bytes).toString('base64url') !== text)
    throw domError('DataError', `JWK member '${member}' is not canonical base64url`);
  return bytes;
}

export function base64urlEncode(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/** Steps 2-4 of every symmetric ("oct") JWK import: kty, then the decoded `k`. */
export function readOctetKey(jwk: JsonWebKey): Uint8Array {
  if (jwk.kty !== 'oct') throw domError('DataError', "JWK member 'kty' must be 'oct'");
  if (jwk.k === undefined) throw domError('DataError', "JWK member 'k' is missing");
  return base64urlDecode(jwk.k, 'k');
}

/** The later steps every JWK import shares: use, key_ops against the usages, ext. */
export function checkJwkUsage(jwk: JsonWebKey, usages: readonly KeyUsage[], extractable: boolean, use: 'enc' | 'sig'): void {
  if (usages.length > 0 && jwk.use !== undefined && jwk.use !== use)
    throw domError('DataError', `JWK member 'use' must be '${use}'`);
  if (jwk.key_ops !== undefined) {
    if (new Set(jwk.key_ops).size !== jwk.key_ops.length)
      throw domError('DataError', "JWK member 'key_ops' contains duplicates");
    const missing = usages.find((u) => !jwk.key_ops!.includes(u));
    if (missing !== undefined)
      throw domError('DataError', `JWK member 'key_ops' does not allow the requested usage '${missing}'`);
  }
  if (jwk.ext === false && extractable)
    throw domError('DataError', "JWK member 'ext' is false but the key was requested as extractable");
}

/** The JWK an extractable secret key exports as. */
export function octetJwk(bytes: Uint8Array, alg: string | undefined, usages: readonly KeyUsage[], extractable: boolean): JsonWebKey {
  const jwk: JsonWebKey = { kty: 'oct', k: base64urlEncode(bytes) };
  if (alg !== undefined) jwk.alg = alg;
  jwk.key_ops = [...usages];
  jwk.ext = extractable;
  return jwk;
}
