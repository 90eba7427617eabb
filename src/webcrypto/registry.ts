// The one table of registered algorithms. A row names the algorithm as the
// spec spells it, the module that implements it, the kernel algorithms it
// binds (for the doctor and for error messages) and, per operation, the
// params dictionary that operation normalizes to. The facade never names an
// algorithm: whether an operation is supported is a lookup here.
import type { AlgorithmModule } from './algorithm-module';
import type { DictionaryName } from './params';
import { AES_CMAC, aesCmac } from './algorithms/aes-cmac';
import { aesCbc } from './algorithms/aes-cbc';
import { aesCtr } from './algorithms/aes-ctr';
import { aesGcm } from './algorithms/aes-gcm';
import { aesKw } from './algorithms/aes-kw';
import { chacha20Poly1305 } from './algorithms/chacha20-poly1305';
import { hkdf } from './algorithms/hkdf';
import { hmac } from './algorithms/hmac';
import { pbkdf2 } from './algorithms/pbkdf2';
import { sha } from './algorithms/sha';

export type Operation =
  | 'encrypt' | 'decrypt' | 'sign' | 'verify' | 'digest' | 'deriveBits'
  | 'wrapKey' | 'unwrapKey' | 'generateKey' | 'importKey' | 'exportKey' | 'get key length';

export interface Registration {
  readonly name: string;
  readonly module: AlgorithmModule;
  /** Kernel algorithms this row uses, as `type:name` (`hash:hmac(sha256)`). */
  readonly kernel: readonly string[];
  readonly ops: Partial<Record<Operation, DictionaryName>>;
}

const HMAC_KERNEL = ['hash:hmac(sha1)', 'hash:hmac(sha256)', 'hash:hmac(sha384)', 'hash:hmac(sha512)'];
const AES_KEY_OPS = {
  generateKey: 'AesKeyGenParams', importKey: 'Algorithm', exportKey: 'Algorithm', 'get key length': 'AesDerivedKeyParams',
} as const;

export const REGISTRY: readonly Registration[] = [
  { name: 'SHA-1', module: sha, kernel: ['hash:sha1'], ops: { digest: 'Algorithm' } },
  { name: 'SHA-256', module: sha, kernel: ['hash:sha256'], ops: { digest: 'Algorithm' } },
  { name: 'SHA-384', module: sha, kernel: ['hash:sha384'], ops: { digest: 'Algorithm' } },
  { name: 'SHA-512', module: sha, kernel: ['hash:sha512'], ops: { digest: 'Algorithm' } },
  // From the WICG "Modern Algorithms in WebCrypto" draft, as Node 24 has them.
  { name: 'SHA3-256', module: sha, kernel: ['hash:sha3-256'], ops: { digest: 'Algorithm' } },
  { name: 'SHA3-384', module: sha, kernel: ['hash:sha3-384'], ops: { digest: 'Algorithm' } },
  { name: 'SHA3-512', module: sha, kernel: ['hash:sha3-512'], ops: { digest: 'Algorithm' } },
  {
    name: 'HMAC', module: hmac,
    kernel: HMAC_KERNEL,
    ops: { sign: 'Algorithm', verify: 'Algorithm', generateKey: 'HmacKeyGenParams', importKey: 'HmacImportParams',
      exportKey: 'Algorithm', 'get key length': 'HmacImportParams' },
  },
  {
    name: 'AES-CBC', module: aesCbc, kernel: ['skcipher:cbc(aes)'],
    ops: { encrypt: 'AesCbcParams', decrypt: 'AesCbcParams', ...AES_KEY_OPS },
  },
  {
    name: 'AES-CTR', module: aesCtr, kernel: ['skcipher:ctr(aes)'],
    ops: { encrypt: 'AesCtrParams', decrypt: 'AesCtrParams', ...AES_KEY_OPS },
  },
  {
    name: 'AES-GCM', module: aesGcm, kernel: ['aead:gcm(aes)', 'skcipher:ctr(aes)', 'hash:ghash'],
    ops: { encrypt: 'AesGcmParams', decrypt: 'AesGcmParams', ...AES_KEY_OPS },
  },
  {
    name: 'AES-KW', module: aesKw, kernel: ['skcipher:ecb(aes)'],
    ops: { wrapKey: 'Algorithm', unwrapKey: 'Algorithm', ...AES_KEY_OPS },
  },
  {
    name: 'ChaCha20-Poly1305', module: chacha20Poly1305, kernel: ['aead:rfc7539(chacha20,poly1305)'],
    ops: { encrypt: 'AeadParams', decrypt: 'AeadParams', generateKey: 'Algorithm', importKey: 'Algorithm',
      exportKey: 'Algorithm', 'get key length': 'Algorithm' },
  },
  // This library's extension (not WebCrypto): the name says so.
  {
    name: AES_CMAC, module: aesCmac, kernel: ['hash:cmac(aes)'],
    ops: { sign: 'Algorithm', verify: 'Algorithm', ...AES_KEY_OPS },
  },
  {
    name: 'PBKDF2', module: pbkdf2, kernel: HMAC_KERNEL,
    ops: { deriveBits: 'Pbkdf2Params', importKey: 'Algorithm', 'get key length': 'Algorithm' },
  },
  {
    name: 'HKDF', module: hkdf, kernel: HMAC_KERNEL,
    ops: { deriveBits: 'HkdfParams', importKey: 'Algorithm', 'get key length': 'Algorithm' },
  },
];

function asciiLowerCase(s: string): string {
  return s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

const byName = new Map(REGISTRY.map((row) => [row.name, row]));
const byLowerCaseName = new Map(REGISTRY.map((row) => [asciiLowerCase(row.name), row]));

/**
 * The row whose name is an ASCII case-insensitive match. Most callers spell
 * names as the spec does, so that exact match is tried first: lower-casing
 * on every call was the facade's largest single cost (bench/README.md).
 */
export function registration(name: string): Registration | undefined {
  return byName.get(name) ?? byLowerCaseName.get(asciiLowerCase(name));
}

/** The row whose name is an ASCII case-insensitive match, if it supports op. */
export function lookup(name: string, op: Operation): Registration | undefined {
  const row = registration(name);
  return row && row.ops[op] !== undefined ? row : undefined;
}
