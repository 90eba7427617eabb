// worker_threads: each thread loads its own instance of the addon (its own
// sockets, type tags and cleanup hook) and its own sessions. Workers and the
// main thread run mixed operations at once, every result checked against
// node:crypto; workers terminated while their thread-pool jobs run do not
// crash the process; and once every worker has exited, no AF_ALG socket of
// theirs is left open (counted in /proc/self/fd).
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binding } from '../../src/kernel/binding';
import { buildPackage, type BuiltPackage } from '../helpers/built-package';
import { socketFds } from '../helpers/descriptors';
import { requireAfAlg } from '../helpers/kernel';

// Mixed operations through one crypto instance, each checked against
// node:crypto: digests, HMAC, AES-GCM and AES-CBC, small (run on the calling
// thread) and large (run on the thread pool). Resolves to the failures.
const OPERATIONS = String.raw`
const nodeCrypto = require('node:crypto');
const hex = (bytes) => Buffer.from(bytes).toString('hex');
function cipher(name, key, iv, data) {
  const c = nodeCrypto.createCipheriv(name, key, iv);
  const out = [c.update(data), c.final()];
  if (name.endsWith('gcm')) out.push(c.getAuthTag());
  return hex(Buffer.concat(out));
}
exports.mixedOperations = async function (crypto, rounds) {
  const { subtle } = crypto;
  const raw = nodeCrypto.randomBytes(32);
  const hmacKey = await subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const gcmKey = await subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt']);
  const cbcKey = await subtle.importKey('raw', raw, 'AES-CBC', false, ['encrypt']);
  const failures = [];
  for (let round = 0; round < rounds; round++) {
    const data = nodeCrypto.randomBytes(round % 4 === 0 ? 70_000 : 100 + round);
    const iv = nodeCrypto.randomBytes(16);
    const checks = {
      digest: subtle.digest('SHA-256', data).then((r) => hex(r) === nodeCrypto.createHash('sha256').update(data).digest('hex')),
      hmac: subtle.sign('HMAC', hmacKey, data).then((r) => hex(r) === nodeCrypto.createHmac('sha256', raw).update(data).digest('hex')),
      gcm: subtle.encrypt({ name: 'AES-GCM', iv: iv.subarray(0, 12) }, gcmKey, data)
        .then((r) => hex(r) === cipher('aes-256-gcm', raw, iv.subarray(0, 12), data)),
      cbc: subtle.encrypt({ name: 'AES-CBC', iv }, cbcKey, data).then((r) => hex(r) === cipher('aes-256-cbc', raw, iv, data)),
    };
    for (const [name, check] of Object.entries(checks)) {
      const outcome = await check.catch((error) => error.name + ': ' + error.message);
      if (outcome !== true) failures.push(name + ' round ' + round + ': ' + (outcome || 'wrong bytes'));
    }
  }
  return failures;
};
`;

// A worker: 'mixed' runs the operations and reports its failures and open
// sockets; 'busy' keeps large digests on the thread pool until terminated.
const WORKER = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const { crypto } = require('afalg-webcrypto');
const { mixedOperations } = require('./operations.cjs');
async function main() {
  if (workerData.mode === 'mixed') {
    const failures = await mixedOperations(crypto, workerData.rounds);
    const { binding } = require('./dist/kernel/binding.js');
    parentPort.postMessage({ failures, sockets: binding().openSocketCount() });
    return;
  }
  const big = new Uint8Array(8 * 1024 * 1024);
  let started = 0;
  for (;;) {
    const batch = Array.from({ length: 4 }, () => crypto.subtle.digest('SHA-512', big));
    if (started++ === 0) parentPort.postMessage('busy');
    await Promise.all(batch);
  }
}
main();
`;

let pkg: BuiltPackage;

beforeAll(() => {
  requireAfAlg();
  pkg = buildPackage();
  writeFileSync(path.join(pkg.root, 'operations.cjs'), OPERATIONS);
  writeFileSync(path.join(pkg.root, 'worker.cjs'), WORKER);
});
afterAll(() => pkg?.remove());

/** AF_ALG sockets of this process that the main thread's addon instance does not hold. */
function socketsOfOtherThreads(otherSockets: number): number {
  return socketFds().size - binding().openSocketCount() - otherSockets;
}

function startWorker(workerData: object): Worker {
  return new Worker(path.join(pkg.root, 'worker.cjs'), { workerData });
}

describe('worker_threads', () => {
  it('4 workers and the main thread run mixed operations at once; every result matches node:crypto', async () => {
    const load = createRequire(path.join(pkg.root, 'package.json'));
    const { crypto } = load('afalg-webcrypto') as { crypto: unknown };
    const { mixedOperations } = load('./operations.cjs') as {
      mixedOperations(crypto: unknown, rounds: number): Promise<string[]>;
    };
    const workers = Array.from({ length: 4 }, () => startWorker({ mode: 'mixed', rounds: 40 }));
    const reports = workers.map((worker) => new Promise<{ failures: string[]; sockets: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    }));
    const mainFailures = await mixedOperations(crypto, 40);
    const workerReports = await Promise.all(reports);
    await Promise.all(workers.map((worker) => worker.terminate()));

    expect(mainFailures).toEqual([]);
    for (const report of workerReports) {
      expect(report.failures).toEqual([]);
      // Each worker had sockets of its own open (its addon instance's count).
      expect(report.sockets).toBeGreaterThan(0);
    }
  });

  it('workers terminated while their thread-pool jobs run: the process carries on and no socket is left open', async () => {
    // Sockets that are not AF_ALG sockets of this thread (vitest's IPC) stay as they are.
    const otherSockets = socketFds().size - binding().openSocketCount();
    expect(socketsOfOtherThreads(otherSockets)).toBe(0);
    for (let round = 0; round < 3; round++) {
      const workers = Array.from({ length: 4 }, () => startWorker({ mode: 'busy' }));
      await Promise.all(workers.map((worker) => new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      })));
      expect(socketsOfOtherThreads(otherSockets)).toBeGreaterThan(0);
      const exitCodes = await Promise.all(workers.map((worker) => worker.terminate()));
      expect(exitCodes).toEqual([1, 1, 1, 1]); // terminated, as asked
    }
    // A job still running when its worker ended closes its socket when it finishes.
    for (let wait = 0; wait < 100 && socketsOfOtherThreads(otherSockets) > 0; wait++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(socketsOfOtherThreads(otherSockets)).toBe(0);
  });
});
