// Event-loop stall: with one large AES-GCM encrypt and one large SHA-256
// digest in flight at once, how long does the event loop go without a turn?
// Run in a fresh process per peer by run.mjs:
//   node bench/stall.mjs PEER BYTES [both|encrypt|digest]
// Prints "RESULT {maxMs, p99Ms, meanMs, idleMaxMs, opMs, callMs, gaps}":
// delays from perf_hooks.monitorEventLoopDelay at 1 ms resolution, from just
// before the calls until just after they settle; idleMaxMs is the same
// measurement over an idle stretch of the same length (this process's noise
// floor); callMs is how long the calls themselves took to return their
// promises (the synchronous part: argument conversion and the input copy);
// gaps lists the three longest stretches without a timer turn, as
// [ms after the calls began, length in ms], to show when the loop stalled.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { data, ivBytes, keyBytes } from './inputs.mjs';
import { PEERS } from './peers.mjs';

const [peerName, bytesArg, what = 'both'] = process.argv.slice(2);
const bytes = Number(bytesArg);
const { crypto } = await PEERS.get(peerName).load();
const key = await crypto.subtle.importKey('raw', keyBytes(), 'AES-GCM', false, ['encrypt']);
const params = { name: 'AES-GCM', iv: ivBytes(12) };
const input = data(bytes);
// Warm both paths (module loading, kernel sessions, JIT) on a small input.
const small = data(1024 * 1024);
await crypto.subtle.encrypt(params, key, small);
await crypto.subtle.digest('SHA-256', small);

async function measure(start) {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  // A 1 ms timer chain: a gap between two turns is a stall.
  const gaps = [];
  let last = performance.now();
  let ticking = true;
  const tick = () => {
    const now = performance.now();
    if (now - last > 5) gaps.push([last, now - last]);
    last = now;
    if (ticking) setTimeout(tick, 1);
  };
  setTimeout(tick, 1);
  await sleep(20);
  const t0 = performance.now();
  const pending = start();
  const callMs = performance.now() - t0;
  await pending;
  const opMs = performance.now() - t0;
  await sleep(20);
  ticking = false;
  histogram.disable();
  const top = gaps.sort((a, b) => b[1] - a[1]).slice(0, 3).map(([at, ms]) => [Math.round(at - t0), Math.round(ms)]);
  return { maxMs: histogram.max / 1e6, p99Ms: histogram.percentile(99) / 1e6, meanMs: histogram.mean / 1e6, opMs, callMs, gaps: top };
}

const calls = {
  encrypt: () => crypto.subtle.encrypt(params, key, input),
  digest: () => crypto.subtle.digest('SHA-256', input),
};
const work = what === 'both' ? () => Promise.all([calls.encrypt(), calls.digest()]) : calls[what];
globalThis.gc?.();
const busy = await measure(work);
const idle = await measure(() => sleep(busy.opMs));
process.stdout.write(`RESULT ${JSON.stringify({ peer: peerName, bytes, what, ...busy, idleMaxMs: idle.maxMs })}\n`);
