// SHA-1, SHA-256, SHA-384, SHA-512 (FIPS 180-4) and SHA3-256, SHA3-384,
// SHA3-512 (FIPS 202; the WICG "Modern Algorithms" draft) digests through
// AF_ALG hash sessions.
// The HASHES table is also what HMAC, PBKDF2 and HKDF use to find the
// kernel's name and the sizes of a normalized hash algorithm.
import { binding } from '../../kernel/binding';
import { Session, sharedSession } from '../../kernel/session';
import type { AlgorithmModule } from '../algorithm-module';
import type { NormalizedAlgorithm } from '../params';

export interface HashInfo {
  /** The kernel's name (crypto_alloc_ahash), e.g. sha256. */
  readonly kernelName: string;
  readonly digestBytes: number;
  /** The HMAC block size (SHA-3: the sponge's rate). */
  readonly blockBytes: number;
  /**
   * Whether an HMAC key without a `length` defaults to blockBytes. The draft
   * leaves SHA-3's default open (WICG webcrypto-modern-algos issue 23), so
   * SHA-3 HMAC keys need an explicit length, as in Node 24.
   */
  readonly hmacDefaultLength: boolean;
  /** The JWK `alg` of an HMAC key over this hash (RFC 7518); none is defined for SHA-3. */
  readonly hmacJwkAlg?: string;
}

export const HASHES: Readonly<Record<string, HashInfo>> = {
  'SHA-1': { kernelName: 'sha1', digestBytes: 20, blockBytes: 64, hmacDefaultLength: true, hmacJwkAlg: 'HS1' },
  'SHA-256': { kernelName: 'sha256', digestBytes: 32, blockBytes: 64, hmacDefaultLength: true, hmacJwkAlg: 'HS256' },
  'SHA-384': { kernelName: 'sha384', digestBytes: 48, blockBytes: 128, hmacDefaultLength: true, hmacJwkAlg: 'HS384' },
  'SHA-512': { kernelName: 'sha512', digestBytes: 64, blockBytes: 128, hmacDefaultLength: true, hmacJwkAlg: 'HS512' },
  'SHA3-256': { kernelName: 'sha3-256', digestBytes: 32, blockBytes: 136, hmacDefaultLength: false },
  'SHA3-384': { kernelName: 'sha3-384', digestBytes: 48, blockBytes: 104, hmacDefaultLength: false },
  'SHA3-512': { kernelName: 'sha3-512', digestBytes: 64, blockBytes: 72, hmacDefaultLength: false },
};

/** The sizes of a hash that normalizeAlgorithm produced for op "digest". */
export function hashInfo(hash: NormalizedAlgorithm): HashInfo {
  const info = HASHES[hash.name];
  if (info === undefined) throw new Error(`no hash info for ${hash.name}`);
  return info;
}

export const sha: AlgorithmModule = {
  digest(alg, data) {
    const { kernelName, digestBytes } = hashInfo(alg);
    return Session.run([sharedSession('hash', kernelName)], data.byteLength,
      ([op], async) => binding().hash(op!, data, digestBytes, async));
  },
};
