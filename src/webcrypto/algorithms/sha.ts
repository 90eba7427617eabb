// SHA-1, SHA-256, SHA-384, SHA-512 digests through AF_ALG hash sessions.
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
  /** The HMAC block size: the default HMAC key length. */
  readonly blockBytes: number;
}

export const HASHES: Readonly<Record<string, HashInfo>> = {
  'SHA-1': { kernelName: 'sha1', digestBytes: 20, blockBytes: 64 },
  'SHA-256': { kernelName: 'sha256', digestBytes: 32, blockBytes: 64 },
  'SHA-384': { kernelName: 'sha384', digestBytes: 48, blockBytes: 128 },
  'SHA-512': { kernelName: 'sha512', digestBytes: 64, blockBytes: 128 },
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
