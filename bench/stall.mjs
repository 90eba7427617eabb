// Event-loop stall: with one large AES-GCM encrypt and one large SHA-256
// digest in flight at once, how long does the event loop go without a turn?
// Run in a fresh process per peer by run.mjs:
//   node bench/stall.mjs PEER BYTES
// Prints "RESULT {maxMs, p99Ms, meanMs, idleMaxMs, opMs}": delays from
// perf_hooks.monitorEventLoopDelay at 1 ms resolution, from just before the
// two calls until just after both settle; idleMaxMs is the same measurement
// over an idle stretch of the same length, this process's noise floor.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { data, ivBytes, keyBytes } from './inputs.mjs';
import { PEERS } from './peers.mjs';

const [peerName, bytesArg] = process.argv.slice(2);
const bytes = Number(bytesArg);
const { crypto } = await PEERS.get(peerName).load();
const key = await crypto.subtle.importKey('raw', keyBytes(), 'AES-GCM', false, ['encrypt']);
const params = { name: 'AES-GCM', iv: ivBytes(12) };
const input = data(bytes);
// Warm both paths (module loading, kernel sessions, JIT) on a small input.
const small = data(1024 * 1024);
await crypto.subtle.encrypt(params, key, small);
await crypto.subtle.digest('SHA-256', small);

async function measure(work) {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  await sleep(20);
  const start = performance.now();
  await work();
  const opMs = performance.now() - start;
  await sleep(20);
  histogram.disable();
  return { maxMs: histogram.max / 1e6, p99Ms: histogram.percentile(99) / 1e6, meanMs: histogram.mean / 1e6, opMs };
}

globalThis.gc?.();
const busy = await measure(() => Promise.all([
  crypto.subtle.encrypt(params, key, input),
  crypto.subtle.digest('SHA-256', input),
]));
const idle = await measure(() => sleep(busy.opMs));
process.stdout.write(`RESULT ${JSON.stringify({ peer: peerName, bytes, ...busy, idleMaxMs: idle.maxMs })}\n`);
