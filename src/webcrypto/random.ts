// Where getRandomValues and randomUUID get their bytes: both sources are the
// kernel's. getrandom(2) is the default because it is far faster (one
// syscall for up to 64 KiB; the DRBG socket yields 128 bytes per read, and
// the benchmark measures the difference); the AF_ALG DRBG is there for
// deployments that must draw from a specific SP 800-90A instance.
import { binding } from '../kernel/binding';
import { kernelError } from '../kernel/errors';
import { sharedSession, Session } from '../kernel/session';

/**
 * 'getrandom': getrandom(2). 'drbg': the AF_ALG rng type with the kernel's
 * fastest non-prediction-resistant DRBG (drbg_nopr_ctr_aes256; stdrng is
 * the hmac_sha512 one on Debian, about 10x slower per read).
 * 'drbg:NAME': the AF_ALG rng type bound to a driver or algorithm name.
 */
export type RandomSource = 'getrandom' | 'drbg' | `drbg:${string}`;

export const DEFAULT_DRBG = 'drbg_nopr_ctr_aes256';

export function parseRandomSource(value: string | undefined): RandomSource {
  if (value === undefined || value === '' || value === 'getrandom') return 'getrandom';
  if (value === 'drbg' || (value.startsWith('drbg:') && value.length > 5)) return value as RandomSource;
  throw new TypeError(`Unknown random source '${value}': use 'getrandom', 'drbg' or 'drbg:<kernel rng name>'`);
}

function drbgSession(name: string): Session {
  // The DRBG must be seeded (ALG_SET_KEY) before accept(), or every read
  // fails with EINVAL; the seed bytes act as personalization on top of the
  // kernel's own entropy.
  return sharedSession('rng', name, (tfm) => {
    const seed = new Uint8Array(32);
    binding().getRandom(seed);
    tfm.setKey(seed);
    seed.fill(0);
  });
}

/** Fills view with kernel randomness, synchronously. */
export function fillRandom(view: ArrayBufferView, source: RandomSource): void {
  if (source === 'getrandom') {
    try {
      binding().getRandom(view);
    } catch (error) {
      throw kernelError(error);
    }
    return;
  }
  const name = source === 'drbg' ? DEFAULT_DRBG : source.slice(5);
  // rng reads are small and synchronous: a zero input size keeps them on this thread.
  Session.runSync(drbgSession(name), (op) => binding().rngFill(op, view));
}
