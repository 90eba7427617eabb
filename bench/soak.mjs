// Soak: N mixed operations through this library, sampling the process's RSS,
// its open file descriptors (/proc/self/fd) and the library's open AF_ALG
// sockets, to show whether they stay flat.
//
//   node bench/soak.mjs [--ops N] [--json FILE]     (N defaults to 1,000,000)
//
// The mix runs 64 operations at a time and covers both job paths and the
// key lifecycle: digests (64 B sync, 64 KiB thread pool), HMAC sign/verify,
// AES-GCM (AEAD and composite paths), AES-CBC, AES-CTR, AES-KW, PBKDF2,
// HKDF (which binds short-lived sockets per call), getRandomValues, and
// fresh keys imported and used, then dropped (their sockets are closed by
// eviction or when the key is collected). Before each sample the heap is
// collected and finalizers get a turn, so the counts compare like with
// like; the socket count right after the collection (before the sockets of
// keys that just died are closed) is recorded too.
// A run of at least 1,000,000 operations writes bench/soak.json, which
// RESULTS.md reports.
import { readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { setTimeout as sleep } from 'node:timers/promises';
import { runInNewContext } from 'node:vm';
import { data, ivBytes, keyBytes, wrappedKeyBytes } from './inputs.mjs';
import { buildDist, checkAddon, ensureKernel, gitRevision, machine, ROOT } from './setup.mjs';

const require = createRequire(import.meta.url);
process.chdir(ROOT);

const args = process.argv.slice(2);
let ops = 1_000_000;
let jsonFile = null;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--ops') ops = Number(args[++i]);
  else if (args[i] === '--json') jsonFile = args[++i];
  else {
    console.error('usage: node bench/soak.mjs [--ops N] [--json FILE]');
    process.exit(2);
  }
}
if (!(ops > 0)) {
  console.error('bench: --ops needs a positive number');
  process.exit(2);
}

buildDist();
checkAddon();
if (ensureKernel('bench/soak.mjs', args)) await soak();

async function soak() {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc');
  const { crypto } = await import('../esm/index.mjs');
  const { openSocketCount } = require('../dist/kernel/session.js');
  const { subtle } = crypto;

  const small = data(64);
  const kib = data(1024);
  const big = data(64 * 1024);
  const composite = data(256 * 1024);  // larger than gcm(aes)'s one-message limit
  const hmacKey = await subtle.importKey('raw', keyBytes(), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  const aes = {};
  for (const name of ['AES-GCM', 'AES-CBC', 'AES-CTR'])
    aes[name] = await subtle.importKey('raw', keyBytes(), name, false, ['encrypt', 'decrypt']);
  const kwKey = await subtle.importKey('raw', keyBytes(), 'AES-KW', false, ['wrapKey']);
  const toWrap = await subtle.importKey('raw', wrappedKeyBytes(), 'AES-GCM', true, ['encrypt']);
  const pbkdf2Key = await subtle.importKey('raw', keyBytes(), 'PBKDF2', false, ['deriveBits']);
  const hkdfKey = await subtle.importKey('raw', keyBytes(), 'HKDF', false, ['deriveBits']);
  const gcm = { name: 'AES-GCM', iv: ivBytes(12) };
  const cbc = { name: 'AES-CBC', iv: ivBytes(16) };
  const ctr = { name: 'AES-CTR', counter: ivBytes(16), length: 64 };
  const gcmCiphertext = await subtle.encrypt(gcm, aes['AES-GCM'], kib);
  const signature = await subtle.sign('HMAC', hmacKey, small);
  const randomView = new Uint8Array(16);

  // A 64-slot cycle: 59 small operations, then one of each rarer kind
  // (thread-pool digest and composite GCM, PBKDF2, HKDF, a fresh key).
  const common = [
    () => subtle.digest('SHA-256', small),
    () => subtle.digest('SHA-512', kib),
    () => subtle.sign('HMAC', hmacKey, small),
    () => subtle.verify('HMAC', hmacKey, signature, small),
    () => subtle.encrypt(gcm, aes['AES-GCM'], kib),
    () => subtle.decrypt(gcm, aes['AES-GCM'], gcmCiphertext),
    () => subtle.encrypt(cbc, aes['AES-CBC'], kib),
    () => subtle.encrypt(ctr, aes['AES-CTR'], kib),
    () => subtle.wrapKey('raw', toWrap, kwKey, 'AES-KW'),
    () => Promise.resolve(crypto.getRandomValues(randomView)),
  ];
  const rare = [
    () => subtle.digest('SHA-256', big),
    () => subtle.encrypt(gcm, aes['AES-GCM'], composite),
    () => subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: ivBytes(16), iterations: 100 }, pbkdf2Key, 256),
    () => subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: ivBytes(16), info: small }, hkdfKey, 256),
    async () => {
      const key = await subtle.importKey('raw', crypto.getRandomValues(new Uint8Array(32)), 'AES-GCM', false, ['encrypt']);
      return subtle.encrypt(gcm, key, small);
    },
  ];
  const cycle = [...Array.from({ length: 64 - rare.length }, (_, i) => common[i % common.length]), ...rare];

  const sampleEvery = Math.max(cycle.length, Math.ceil(ops / 40 / cycle.length) * cycle.length);
  const samples = [];
  const start = performance.now();
  const sample = async (done) => {
    gc();
    // Sockets of keys that just died close in FinalizationRegistry callbacks,
    // which run in a later task: count once right after the collection and
    // again after letting them run.
    const socketsAtGc = openSocketCount();
    await sleep(10);
    await sleep(10);
    const memory = process.memoryUsage();
    const s = {
      ops: done,
      seconds: (performance.now() - start) / 1000,
      rssMiB: memory.rss / 2 ** 20,
      heapMiB: memory.heapUsed / 2 ** 20,
      externalMiB: (memory.external + memory.arrayBuffers) / 2 ** 20,
      fds: readdirSync('/proc/self/fd').length,
      sockets: openSocketCount(),
      socketsAtGc,
    };
    samples.push(s);
    console.log(`${String(done).padStart(10)} ops  ${s.seconds.toFixed(1).padStart(7)} s  RSS ${s.rssMiB.toFixed(1).padStart(6)} MiB` +
      `  heap ${s.heapMiB.toFixed(1).padStart(5)} MiB  external ${s.externalMiB.toFixed(1).padStart(6)} MiB` +
      `  fds ${String(s.fds).padStart(4)}  AF_ALG sockets ${String(s.sockets).padStart(4)} (${socketsAtGc} before finalizers ran)`);
  };

  console.log(`soak: ${ops.toLocaleString('en')} mixed operations, ${cycle.length} at a time, a sample every ${sampleEvery.toLocaleString('en')}`);
  let done = 0;
  await sample(0);
  while (done < ops) {
    const n = Math.min(cycle.length, ops - done);
    const pending = new Array(n);
    for (let i = 0; i < n; i++) pending[i] = cycle[i]();
    await Promise.all(pending);
    done += n;
    if (done % sampleEvery === 0 || done === ops) await sample(done);
  }

  const verdict = judge(samples);
  console.log(`soak: ${verdict.summary}`);
  const result = {
    ops, date: new Date().toISOString(), kernel: machine().kernel, node: process.version,
    revision: process.env.AFALG_BENCH_HOST ? JSON.parse(process.env.AFALG_BENCH_HOST).revision : gitRevision(),
    seconds: (performance.now() - start) / 1000, verdict, samples,
  };
  if (jsonFile) writeFileSync(jsonFile, `${JSON.stringify(result, null, 2)}\n`);
  if (ops >= 1_000_000) {
    writeFileSync('bench/soak.json', `${JSON.stringify(result, null, 2)}\n`);
    console.log('soak: wrote bench/soak.json');
  }
  process.exitCode = verdict.flat ? 0 : 1;
}

/**
 * Flat means no growth after warm-up: the first quarter of the samples is
 * warm-up (JIT, pools, heap sizing). Over the rest, descriptors and sockets
 * may not exceed what the first post-warm-up samples show (+2 for the
 * moment a thread-pool job or a new key holds a socket), and the median RSS
 * of the last quarter may exceed that of the second quarter by at most
 * max(8 MiB, 5%).
 */
function judge(samples) {
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const q = Math.max(1, Math.floor(samples.length / 4));
  const settled = samples.slice(q);
  const early = settled.slice(0, q);
  const late = samples.slice(-q);
  const rssEarly = median(early.map((s) => s.rssMiB));
  const rssLate = median(late.map((s) => s.rssMiB));
  const rssAllowed = Math.max(8, rssEarly * 0.05);
  const fdEarly = Math.max(...early.map((s) => s.fds));
  const fdLate = Math.max(...settled.map((s) => s.fds));
  const sockEarly = Math.max(...early.map((s) => s.sockets));
  const sockLate = Math.max(...settled.map((s) => s.sockets));
  const rssFlat = rssLate - rssEarly <= rssAllowed;
  const fdFlat = fdLate <= fdEarly + 2;
  const sockFlat = sockLate <= sockEarly + 2;
  const flat = rssFlat && fdFlat && sockFlat;
  const word = (ok) => (ok ? 'flat' : 'GROWING');
  return {
    flat, rssFlat, fdFlat, socketsFlat: sockFlat,
    summary: `RSS ${rssEarly.toFixed(1)} -> ${rssLate.toFixed(1)} MiB (${word(rssFlat)}, allowed +${rssAllowed.toFixed(1)}); ` +
      `open fds max ${fdEarly} -> ${fdLate} (${word(fdFlat)}); AF_ALG sockets max ${sockEarly} -> ${sockLate} (${word(sockFlat)}): ` +
      (flat ? 'flat' : 'NOT flat'),
  };
}
