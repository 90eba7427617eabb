// Keys are the truth, kernel sessions a cache (DESIGN.md): a key that is
// garbage-collected closes its tfm and op sockets, and an application that
// uses more keys than the socket budget allows keeps working, with results
// that stay correct while idle sessions are evicted and rebuilt from the keys.
//
// How garbage collection is forced: in this process. vitest runs each test
// file in a forked Node; `--expose-gc` can be switched on at run time with
// v8.setFlagsFromString, and the gc function it makes is then fetched from a
// new context (jest's leak detector does the same). The alternative, a child
// `node --expose-gc` running a compiled copy of the package, would need a
// tsc build of dist/ first (slow under the VM's CPU emulation) and would
// measure a second copy of the modules; in process, the counters read are
// those of the very modules under test: session.ts's openSocketCount() (the
// sockets the session pool opened) and the addon's openSocketCount() (every
// AlgSocket the addon has not closed).
import { createHmac, randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { binding } from '../../src/kernel/binding';
import { setJobPath } from '../../src/kernel/schedule';
import { openSocketCount, SOCKET_BUDGET } from '../../src/kernel/session';
import { createCrypto } from '../../src/webcrypto/crypto';
import type { CryptoKey } from '../../src/webcrypto/crypto-key';
import { requireAfAlg } from '../helpers/kernel';

// ---- helpers ----------------------------------------------------------------

const subtle = createCrypto({ mode: 'strict' }).subtle;
const hmacSha256 = { name: 'HMAC', hash: 'SHA-256' };

const hex = (data: ArrayBuffer | Uint8Array): string => Buffer.from(data instanceof Uint8Array ? data : new Uint8Array(data)).toString('hex');
const random = (length: number): Uint8Array => new Uint8Array(randomBytes(length));
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 5));

function exposeGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
const gc = exposeGc();

/** Both counts: the session pool's and the addon's. */
function sockets(): { pool: number; addon: number } {
  return { pool: openSocketCount(), addon: binding().openSocketCount() };
}

/**
 * Collects garbage until the counts fall to `target` (finalizers run as
 * tasks after a collection, so each round waits for the next task).
 */
async function collectUntil(target: { pool: number; addon: number }): Promise<{ pool: number; addon: number }> {
  for (let round = 0; round < 50; round++) {
    gc();
    await nextTask();
    const now = sockets();
    if (now.pool <= target.pool && now.addon <= target.addon) return now;
  }
  return sockets();
}

/** Collects garbage until the counts stop changing: what is left is alive. */
async function settle(): Promise<{ pool: number; addon: number }> {
  let last = sockets();
  for (let round = 0, unchanged = 0; round < 50 && unchanged < 3; round++) {
    gc();
    await nextTask();
    const now = sockets();
    unchanged = now.pool === last.pool && now.addon === last.addon ? unchanged + 1 : 0;
    last = now;
  }
  return last;
}

beforeAll(() => requireAfAlg());
afterEach(() => setJobPath('auto'));

// ---- garbage collection -----------------------------------------------------

/** A way to make a key and use it so that it holds kernel sockets. */
interface KeyUse {
  readonly name: string;
  readonly make: () => Promise<CryptoKey>;
  readonly use: (key: CryptoKey) => Promise<unknown>;
}

const KEY_USES: readonly KeyUse[] = [
  {
    name: 'HMAC (sign)',
    make: () => subtle.importKey('raw', random(32), hmacSha256, false, ['sign']),
    use: (key) => subtle.sign('HMAC', key, random(64)),
  },
  {
    name: 'HMAC with a 70,000-byte key (pre-hashed)',
    make: () => subtle.importKey('raw', random(70_000), hmacSha256, false, ['sign']),
    use: (key) => subtle.sign('HMAC', key, random(64)),
  },
  {
    name: 'AES-GCM (encrypt)',
    make: () => subtle.importKey('raw', random(16), 'AES-GCM', false, ['encrypt']),
    use: (key) => subtle.encrypt({ name: 'AES-GCM', iv: random(12) }, key, random(64)),
  },
  {
    name: 'AES-CBC (encrypt)',
    make: () => subtle.importKey('raw', random(32), 'AES-CBC', false, ['encrypt']),
    use: (key) => subtle.encrypt({ name: 'AES-CBC', iv: random(16) }, key, random(64)),
  },
  {
    name: 'PBKDF2 (deriveBits)',
    make: () => subtle.importKey('raw', random(12), 'PBKDF2', false, ['deriveBits']),
    use: (key) => subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: random(8), iterations: 2 }, key, 256),
  },
];

describe('a garbage-collected key closes its kernel sockets', () => {
  const KEYS = 40;

  it.each(KEY_USES)('$name keys', async ({ make, use }) => {
    // One key used beforehand, so that shared sessions (the digest for
    // pre-hashing, say) are already open and count in the baseline.
    await use(await make());
    const before = await settle();

    // The keys live only inside this function's frames.
    await (async () => {
      for (let i = 0; i < KEYS; i++) await use(await make());
    })();
    const during = sockets();
    // Each key keeps at least its keyed tfm socket open (until evicted or collected).
    expect(during.pool - before.pool).toBeGreaterThanOrEqual(KEYS);
    expect(during.addon - before.addon).toBeGreaterThanOrEqual(KEYS);

    expect(await collectUntil(before)).toEqual(before);
  });

  it('a key still referenced keeps its sockets and keeps working', async () => {
    const raw = random(32);
    const message = random(32);
    const kept = await subtle.importKey('raw', raw, hmacSha256, false, ['sign']);
    await subtle.sign('HMAC', kept, message);
    const withKept = await settle();
    await (async () => {
      for (let i = 0; i < KEYS; i++) await KEY_USES[0]!.use(await KEY_USES[0]!.make());
    })();
    expect(await collectUntil(withKept)).toEqual(withKept);
    expect(hex(await subtle.sign('HMAC', kept, message))).toBe(createHmac('sha256', raw).update(message).digest('hex'));
  });
});

// ---- the socket budget ------------------------------------------------------

describe('more keys than the socket budget', () => {
  const KEYS = 2000;
  const message = random(64);
  let raws: Uint8Array[];
  let expected: string[];
  let keys: CryptoKey[];

  beforeAll(async () => {
    raws = Array.from({ length: KEYS }, () => random(32));
    expected = raws.map((raw) => createHmac('sha256', raw).update(message).digest('hex'));
    keys = await Promise.all(raws.map((raw) => subtle.importKey('raw', raw, hmacSha256, false, ['sign'])));
  });

  it('the test means something: each key needs a tfm and an op socket, twice the budget in all', () => {
    expect(2 * KEYS).toBeGreaterThan(SOCKET_BUDGET);
  });

  /** Signs with every key in turn (in `order`); returns the wrong MACs and the peak counts. */
  async function signInTurn(order: number[]) {
    const wrong: number[] = [];
    let peak = { pool: 0, addon: 0 };
    for (const i of order) {
      const mac = hex(await subtle.sign('HMAC', keys[i]!, message));
      if (mac !== expected[i]) wrong.push(i);
      const now = sockets();
      peak = { pool: Math.max(peak.pool, now.pool), addon: Math.max(peak.addon, now.addon) };
    }
    return { wrong, peak };
  }

  it(`2,000 keys used in turn stay under SOCKET_BUDGET and every MAC is right, on both job paths`, async () => {
    const ascending = [...Array(KEYS).keys()];
    setJobPath('sync');
    const first = await signInTurn(ascending);
    expect(first.wrong).toEqual([]);
    expect(first.peak.pool).toBeLessThanOrEqual(SOCKET_BUDGET);
    expect(first.peak.addon).toBeLessThanOrEqual(SOCKET_BUDGET);
    // With every key alive, at most SOCKET_BUDGET sockets are open: most keys'
    // sessions were evicted, and the second pass rebuilds them from the keys.
    setJobPath('async');
    const second = await signInTurn(ascending.reverse());
    expect(second.wrong).toEqual([]);
    expect(second.peak.pool).toBeLessThanOrEqual(SOCKET_BUDGET);
    expect(second.peak.addon).toBeLessThanOrEqual(SOCKET_BUDGET);
  });

  /** Signs with every key at once on the thread pool; returns the wrong or failed MACs and the peak counts. */
  async function signAtOnce() {
    setJobPath('async');
    let peak = { pool: 0, addon: 0 };
    const sample = () => {
      const now = sockets();
      peak = { pool: Math.max(peak.pool, now.pool), addon: Math.max(peak.addon, now.addon) };
    };
    const sampler = setInterval(sample, 1);
    try {
      const outcomes = await Promise.all(keys.map((key, i) => subtle.sign('HMAC', key, message).then(
        (mac) => (hex(mac) === expected[i] ? 'ok' : 'wrong MAC'),
        (error: Error) => `${error.name}: ${error.message}`,
      ).finally(sample)));
      const failures = new Map<string, number>();
      for (const outcome of outcomes) if (outcome !== 'ok') failures.set(outcome, (failures.get(outcome) ?? 0) + 1);
      return { failures: Object.fromEntries(failures), peak };
    } finally {
      clearInterval(sampler);
    }
  }

  // Each signature in flight holds an op socket, which cannot be evicted, so
  // more than SOCKET_BUDGET / 2 distinct keys in flight at once is where the
  // pool must free or wait rather than fail.
  it('2,000 keys used at once on the thread pool: every MAC is right', async () => {
    expect((await signAtOnce()).failures).toEqual({});
  });

  it('2,000 keys used at once on the thread pool: the open sockets stay within SOCKET_BUDGET', async () => {
    const { peak } = await signAtOnce();
    expect(peak.pool).toBeLessThanOrEqual(SOCKET_BUDGET);
    expect(peak.addon).toBeLessThanOrEqual(SOCKET_BUDGET);
  });
});
