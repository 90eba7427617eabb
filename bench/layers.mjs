// Where a small operation's time goes: the same operation timed at each
// layer of the library, from the raw syscalls up to crypto.subtle,
// interleaved round by round in one process (like case.mjs), so the
// difference between two adjacent layers is what that layer costs.
//
//   node --expose-gc bench/layers.mjs [--rounds N] [--round-ms MS]
//   node bench/layers.mjs --profile CASE --seconds S   (only crypto.subtle, for --cpu-prof)
//
// Layers, bottom up:
//   floor          bench/floor.c: sendmsg + read, no JavaScript
//   promise        an already-resolved promise awaited: the await the layers above pay
//   addon sync     the addon's job function on a held op socket, on the JS thread
//   addon pool     the same job on the libuv thread pool (awaited)
//   session        kernel/session.ts Session.run: socket pool + promise around the addon call
//   subtle         crypto.subtle: WebIDL conversion, input copy, normalization, key checks
//   node           Node's crypto.webcrypto, for scale
// Needs AF_ALG (run it inside scripts/vm/run where the kernel has none).
import { createRequire } from 'node:module';
import { data, ivBytes, keyBytes } from './inputs.mjs';
import { startFloor } from './peers.mjs';
import { median } from './report.mjs';

const require = createRequire(import.meta.url);
const { crypto } = await import('../esm/index.mjs');
const { webcrypto } = await import('node:crypto');
const { binding } = require('../dist/kernel/binding.js');
const { Session, sharedSession } = require('../dist/kernel/session.js');
const b = binding();

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const rounds = Number(option('--rounds', 5));
const roundMs = Number(option('--round-ms', 150));

const message = data(64);
const iv = ivBytes(12);
const empty = new Uint8Array(0);

async function cases() {
  const hashOp = b.AlgSocket.bind('hash', 'sha256').accept();
  const hashSession = sharedSession('hash', 'sha256');

  const hmacTfm = b.AlgSocket.bind('hash', 'hmac(sha256)');
  hmacTfm.setKey(keyBytes());
  const hmacOp = hmacTfm.accept();
  const hmacSession = new Session('hash', 'hmac(sha256)', (tfm) => tfm.setKey(keyBytes()));
  const hmacOurs = await crypto.subtle.importKey('raw', keyBytes(), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const hmacNode = await webcrypto.subtle.importKey('raw', keyBytes(), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);

  const gcmConfigure = (tfm) => {
    tfm.setKey(keyBytes());
    tfm.setAeadAuthsize(16);
  };
  const gcmTfm = b.AlgSocket.bind('aead', 'gcm(aes)');
  gcmConfigure(gcmTfm);
  const gcmOp = gcmTfm.accept();
  const gcmSession = new Session('aead', 'gcm(aes)', gcmConfigure);
  const gcmOurs = await crypto.subtle.importKey('raw', keyBytes(), 'AES-GCM', false, ['encrypt']);
  const gcmNode = await webcrypto.subtle.importKey('raw', keyBytes(), 'AES-GCM', false, ['encrypt']);
  const gcm = { name: 'AES-GCM', iv };

  const resolved = Promise.resolve(new ArrayBuffer(32));
  const randomView = new Uint8Array(65536);
  return [
    {
      id: 'digest SHA-256 64B',
      floor: ['sha256', 64],
      layers: {
        'addon sync': () => b.hash(hashOp, message, 32, false),
        'addon pool': () => b.hash(hashOp, message, 32, true),
        session: () => Session.run([hashSession], 64, ([op], async) => b.hash(op, message, 32, async)),
        subtle: () => crypto.subtle.digest('SHA-256', message),
        node: () => webcrypto.subtle.digest('SHA-256', message),
      },
    },
    {
      id: 'HMAC-SHA-256 sign 64B',
      floor: ['hmac-sign', 64],
      layers: {
        'addon sync': () => b.hash(hmacOp, message, 32, false),
        'addon pool': () => b.hash(hmacOp, message, 32, true),
        session: () => Session.run([hmacSession], 64, ([op], async) => b.hash(op, message, 32, async)),
        subtle: () => crypto.subtle.sign('HMAC', hmacOurs, message),
        node: () => webcrypto.subtle.sign('HMAC', hmacNode, message),
      },
    },
    {
      id: 'AES-GCM encrypt 64B',
      floor: ['gcm-enc', 64],
      layers: {
        'addon sync': () => b.aead(gcmOp, true, iv, empty, message, 16, false),
        'addon pool': () => b.aead(gcmOp, true, iv, empty, message, 16, true),
        session: () => Session.run([gcmSession], 80, ([op], async) => b.aead(op, true, iv, empty, message, 16, async)),
        subtle: () => crypto.subtle.encrypt(gcm, gcmOurs, message),
        node: () => webcrypto.subtle.encrypt(gcm, gcmNode, message),
      },
    },
  ].map((c) => ({ ...c, layers: { promise: () => resolved, ...c.layers } })).concat([
    {
      // A synchronous API: no promise layer; "subtle" is crypto.getRandomValues.
      id: 'getRandomValues 64KiB',
      floor: ['getrandom', 65536],
      sync: true,
      layers: {
        'addon sync': () => b.getRandom(randomView),
        subtle: () => crypto.getRandomValues(randomView),
        node: () => webcrypto.getRandomValues(randomView),
      },
    },
  ]);
}

/** Microseconds per operation over one round of at least ms. */
async function round(fn, ms, isSync) {
  let ops = 0;
  let elapsed;
  const start = performance.now();
  do {
    if (isSync) fn();
    else await fn();
    ops++;
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  return (elapsed * 1000) / ops;
}

if (args.includes('--profile')) {
  // Only crypto.subtle, for `node --cpu-prof bench/layers.mjs --profile ID --seconds S`.
  const wanted = option('--profile');
  const c = (await cases()).find((x) => x.id === wanted);
  if (!c) throw new Error(`no case ${wanted}; one of: ${(await cases()).map((x) => x.id).join(', ')}`);
  const us = await round(c.layers.subtle, Number(option('--seconds', 5)) * 1000, Boolean(c.sync));
  console.log(`${c.id}: crypto.subtle ${us.toFixed(1)} us/op`);
} else {
  for (const c of await cases()) {
    const floor = await startFloor(c.floor);
    const names = ['floor', ...Object.keys(c.layers)];
    const run = (name, ms) => (name === 'floor'
      ? floor.round(ms).then((r) => (r.ms * 1000) / r.ops)
      : round(c.layers[name], ms, c.sync || name === 'addon sync'));
    for (const name of names) await run(name, roundMs);  // warm-up
    const us = Object.fromEntries(names.map((n) => [n, []]));
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < names.length; k++) {
        const name = names[(r + k) % names.length];
        globalThis.gc?.();
        us[name].push(await run(name, roundMs));
      }
    }
    floor.stop();
    console.log(`\n${c.id}: microseconds per operation (median [min–max] of ${rounds} rounds)`);
    let previous = null;
    for (const name of names) {
      const m = median(us[name]);
      const step = previous === null || name === 'promise' || name === 'node' ? ''
        : `  (+${(m - previous).toFixed(1)} over the layer above)`;
      console.log(`  ${name.padEnd(12)} ${m.toFixed(1).padStart(8)} [${Math.min(...us[name]).toFixed(1)}–${Math.max(...us[name]).toFixed(1)}]${step}`);
      if (name !== 'promise' && name !== 'addon pool' && name !== 'node') previous = m;
    }
  }
}
