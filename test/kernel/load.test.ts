// Load: many operations in flight over many keys, as a busy server makes
// them. Every result is checked against node:crypto, no call fails (no
// EMFILE/ENFILE), and the AF_ALG sockets open at any moment stay within
// SOCKET_BUDGET (src/kernel/session.ts: min(1024, open-file limit / 4)).
// The sockets are counted twice: by the library's own counters, and from
// /proc/self/fd, which cannot be fooled by a bookkeeping bug.
//
// The same load runs again in a child vitest whose open-file limit is 256
// (prlimit --nofile=256), where the budget is 64 sockets: slower, not failing.
//
// And one key hammered by sync and thread-pool jobs at once: every job
// function of the addon is wrapped to record which op sockets are busy, so a
// socket handed to a second operation before the first ended is caught.
import { spawnSync } from 'node:child_process';
import { createCipheriv, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { binding, type AlgSocket } from '../../src/kernel/binding';
import { ASYNC_THRESHOLD_BYTES, setJobPath } from '../../src/kernel/schedule';
import { openSocketCount, SOCKET_BUDGET } from '../../src/kernel/session';
import { createCrypto } from '../../src/webcrypto/crypto';
import type { CryptoKey } from '../../src/webcrypto/crypto-key';
import { hex, randomData } from '../helpers/bytes';
import { socketFds } from '../helpers/descriptors';
import { requireAfAlg } from '../helpers/kernel';

const KEYS = 1000;
const OPERATIONS = 10_000;
/** Set in the child that runs this file under a low open-file limit. */
const LOW_LIMIT = process.env.AFALG_LOAD_NOFILE;

const subtle = createCrypto({ mode: 'strict' }).subtle;

beforeAll(() => requireAfAlg());
afterEach(() => setJobPath('auto'));

function openFileLimit(): number {
  return Number(/^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))![1]);
}

/** A key with what node:crypto says its operation must give. */
interface LoadKey {
  key: CryptoKey;
  run(message: Uint8Array, nonce: Uint8Array): Promise<ArrayBuffer>;
  expected(message: Uint8Array, nonce: Uint8Array): string;
}

async function makeKey(i: number): Promise<LoadKey> {
  const raw = randomData(32);
  if (i % 2 === 0) {
    const key = await subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return {
      key,
      run: (message) => subtle.sign('HMAC', key, message),
      expected: (message) => createHmac('sha256', raw).update(message).digest('hex'),
    };
  }
  const key = await subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt']);
  return {
    key,
    run: (message, iv) => subtle.encrypt({ name: 'AES-GCM', iv }, key, message),
    expected: (message, iv) => {
      const cipher = createCipheriv('aes-256-gcm', raw, iv);
      return hex(Buffer.concat([cipher.update(message), cipher.final(), cipher.getAuthTag()]));
    },
  };
}

describe(`${OPERATIONS.toLocaleString('en')} operations in flight over ${KEYS.toLocaleString('en')} keys` +
         (LOW_LIMIT ? ` under ulimit -n ${LOW_LIMIT}` : ''), () => {
  it('all complete with the right bytes, and the AF_ALG sockets stay within SOCKET_BUDGET', async () => {
    if (LOW_LIMIT) {
      expect(openFileLimit()).toBe(Number(LOW_LIMIT));
      expect(SOCKET_BUDGET).toBe(Number(LOW_LIMIT) / 4);
    }
    const keys = await Promise.all(Array.from({ length: KEYS }, (_, i) => makeKey(i)));
    // Sockets other than AF_ALG ones (vitest's IPC channel) stay as they are.
    const otherSockets = socketFds().size - binding().openSocketCount();
    let peak = { pool: 0, fds: 0 };
    const sampleFds = () => {
      peak.fds = Math.max(peak.fds, socketFds().size - otherSockets);
    };
    const sampler = setInterval(sampleFds, 5);

    // The thread pool path for all: each call's promise stays pending
    // until its job ran, so all are in flight at once.
    setJobPath('async');
    const started = performance.now();
    const failures = new Map<string, number>();
    try {
      const calls = Array.from({ length: OPERATIONS }, (_, n) => {
        const target = keys[n % KEYS]!;
        const message = randomData(16 + (n % 200));
        const nonce = randomData(12);
        return target.run(message, nonce).then(
          (result) => (hex(result) === target.expected(message, nonce) ? 'ok' : 'wrong bytes'),
          (error: Error) => `${error.name}: ${error.message}`,
        ).finally(() => {
          peak.pool = Math.max(peak.pool, openSocketCount());
        });
      });
      for (const outcome of await Promise.all(calls))
        if (outcome !== 'ok') failures.set(outcome, (failures.get(outcome) ?? 0) + 1);
    } finally {
      clearInterval(sampler);
    }
    sampleFds();
    const seconds = (performance.now() - started) / 1000;
    console.log(`load: ${OPERATIONS} operations over ${KEYS} keys in ${seconds.toFixed(1)} s with an open-file limit of ` +
      `${openFileLimit()}: peak AF_ALG sockets ${peak.pool} by the pool's count, ${peak.fds} in /proc/self/fd ` +
      `(SOCKET_BUDGET ${SOCKET_BUDGET})`);

    expect(Object.fromEntries(failures)).toEqual({});
    expect(peak.pool).toBeLessThanOrEqual(SOCKET_BUDGET);
    expect(peak.fds).toBeLessThanOrEqual(SOCKET_BUDGET);
    // The test means something: more keys than the budget has sockets for.
    expect(2 * KEYS).toBeGreaterThan(SOCKET_BUDGET);
    expect(peak.fds).toBeGreaterThan(0);
  });
});

if (!LOW_LIMIT) {
  describe('under ulimit -n 256', () => {
    it('the same load completes in a child whose open-file limit is 256 (budget 64 sockets)', () => {
      const vitest = path.resolve(__dirname, '..', '..', 'node_modules', 'vitest', 'vitest.mjs');
      const child = spawnSync('prlimit', ['--nofile=256:256', process.execPath, vitest, 'run', '--project', 'kernel',
        __filename],
      { encoding: 'utf8', env: { ...process.env, AFALG_LOAD_NOFILE: '256' }, timeout: 15 * 60_000 });
      const figures = /load: .*/.exec(child.stdout)?.[0];
      console.log(figures ?? child.stdout + child.stderr);
      expect(child.status, child.stdout + child.stderr).toBe(0);
      expect(figures).toMatch(/open-file limit of 256: .*\(SOCKET_BUDGET 64\)/);
    }, 15 * 60_000);
  });

  describe('one key, sync and thread-pool jobs at once: an op socket serves one operation at a time', () => {
    /** The addon's functions that run an operation on op sockets. */
    const JOBS = ['hash', 'skcipher', 'ctr', 'aead', 'gcm', 'aesKw', 'pbkdf2', 'digestSecret', 'hashUpdate',
      'hashFinal', 'gcmStart', 'gcmUpdate', 'gcmFinal', 'rngFill', 'installGhashKey'] as const;

    /**
     * Wraps the job functions: a socket passed to a job while an earlier
     * job on it has not ended is a violation. Returns how to read the
     * findings and how to undo the wrapping.
     */
    function watchOpSockets() {
      const addon = binding() as unknown as Record<string, (...args: unknown[]) => unknown>;
      const AlgSocketClass = (binding() as unknown as { AlgSocket: new () => AlgSocket }).AlgSocket;
      const busy = new Set<AlgSocket>();
      const found = { violations: 0, mostBusy: 0 };
      const originals = new Map(JOBS.map((name) => [name, addon[name]!]));
      for (const [name, original] of originals) {
        addon[name] = (...args: unknown[]) => {
          const sockets = args.filter((a): a is AlgSocket => a instanceof AlgSocketClass);
          for (const socket of sockets) {
            if (busy.has(socket)) found.violations++;
            busy.add(socket);
          }
          found.mostBusy = Math.max(found.mostBusy, busy.size);
          const done = () => sockets.forEach((socket) => busy.delete(socket));
          let result: unknown;
          try {
            result = original(...args);
          } catch (error) {
            done();
            throw error;
          }
          if (result instanceof Promise) return result.finally(done);
          done();
          return result;
        };
      }
      return { found, restore: () => originals.forEach((original, name) => { addon[name] = original; }) };
    }

    it('16 lanes mixing small (sync) and large (thread pool) HMAC and AES-GCM calls on the same two keys', async () => {
      const hmac = await makeKey(0);
      const gcm = await makeKey(1);
      const small = randomData(100);
      const large = randomData(ASYNC_THRESHOLD_BYTES + 1000);
      const watch = watchOpSockets();
      const wrong: string[] = [];
      let calls = 0;
      try {
        await Promise.all(Array.from({ length: 16 }, async (_, lane) => {
          for (let step = 0; step < 60; step++) {
            const target = (lane + step) % 2 === 0 ? hmac : gcm;
            const message = (lane * 7 + step) % 3 === 0 ? large : small;
            const nonce = randomData(12);
            calls++;
            if (hex(await target.run(message, nonce)) !== target.expected(message, nonce))
              wrong.push(`lane ${lane} step ${step}`);
          }
        }));
      } finally {
        watch.restore();
      }
      expect(calls).toBe(16 * 60);
      expect(wrong).toEqual([]);
      expect(watch.found.violations).toBe(0);
      // The test means something: jobs did overlap (thread-pool jobs in
      // flight while others ran), so a shared socket would have been seen.
      expect(watch.found.mostBusy).toBeGreaterThanOrEqual(4);
    });
  });
}
