// Runs one trial in this (fresh) process: loads the trial's peers, checks
// that each computes the same bytes as Node's webcrypto, then times them in
// rounds interleaved peer by peer (the order rotates every round), so that
// every ratio compares rounds taken moments apart. Prints one line
// "RESULT <json>" on stdout. Started by run.mjs:
//   node --expose-gc bench/case.mjs '{"id":..., "quick":..., "rounds":..., "roundMs":..., "warmMs":...}'
import { PEERS, schedule, startFloor, summarize } from './peers.mjs';
import { findTrial, IN_FLIGHT } from './trials.mjs';

const spec = JSON.parse(process.argv[2]);
const trial = findTrial(spec.id, { quick: spec.quick });

function log(message) {
  process.stderr.write(`  [${trial.id}] ${message}\n`);
}

/** The bytes of an operation's result, for comparison; null when it has none to compare. */
function resultBytes(result) {
  if (result instanceof ArrayBuffer) return new Uint8Array(result);
  if (typeof result === 'boolean') return new Uint8Array([result ? 1 : 0]);
  return null;  // a CryptoKey, or random bytes
}

function sameSummary(a, b) {
  return a.bytes === b.bytes && a.head === b.head && a.tail === b.tail;
}

// Our library's other job path (sync for inputs that default to the thread
// pool, and the reverse), when the trial asks for it.
const names = [...trial.peers];
if (trial.otherPath && !spec.quick) {
  const { ASYNC_THRESHOLD_BYTES } = schedule();
  names.splice(1, 0, trial.bytes >= ASYNC_THRESHOLD_BYTES ? 'ours:sync' : 'ours:async');
}

const peers = [];
for (const name of names) {
  const loaded = await PEERS.get(name).load();
  const op = await trial.prepare(loaded.crypto, loaded);
  peers.push({ name, ...loaded, op });
}

// Same bytes as Node's webcrypto, on every peer's path, before any timing.
const reference = peers.find((p) => p.name === 'node');
const expected = resultBytes(await reference.op(true));
const deterministic = expected !== null && trial.family !== 'random';
for (const peer of peers) {
  peer.enter?.();
  const start = performance.now();
  const got = resultBytes(await peer.op(true));  // true: keep the whole output (stream-trials.mjs)
  peer.checkMs = performance.now() - start;
  peer.leave?.();
  if (deterministic && Buffer.compare(Buffer.from(got), Buffer.from(expected)) !== 0)
    throw new Error(`${peer.name} computed different bytes from Node's webcrypto`);
}

const floors = [];
async function addFloor(name, argv) {
  const floor = await startFloor(argv);
  floors.push(floor);
  if (deterministic && !sameSummary(floor.output, summarize(expected)))
    throw new Error(`${name} computed different bytes from Node's webcrypto: ${JSON.stringify(floor.output)}`);
  peers.push({ name, floor });
  names.push(name);
}
if (trial.floor !== null) await addFloor('floor', trial.floor);
for (const [name, argv] of Object.entries(trial.extraFloors)) {
  // An experiment: when the kernel refuses it (io_uring disabled, say), say so and go on.
  await addFloor(name, argv).catch((error) => log(`${name} left out: ${error.message}`));
}

/** Runs peer's operation for at least ms (and at least once): {ops, ms}. */
async function round(peer, mode, ms) {
  if (peer.floor) return peer.floor.round(ms);
  const { op } = peer;
  peer.enter?.();
  let ops = 0;
  let elapsed;
  const start = performance.now();
  if (mode === 'x1000') {
    const batch = new Array(IN_FLIGHT);
    do {
      for (let i = 0; i < IN_FLIGHT; i++) batch[i] = op();
      await Promise.all(batch);
      ops += IN_FLIGHT;
      elapsed = performance.now() - start;
    } while (elapsed < ms);
  } else if (trial.sync) {
    do {
      op();
      ops++;
      elapsed = performance.now() - start;
    } while (elapsed < ms);
  } else {
    do {
      await op();
      ops++;
      elapsed = performance.now() - start;
    } while (elapsed < ms);
  }
  peer.leave?.();
  return { ops, ms: elapsed };
}

const result = { id: trial.id, family: trial.family, bytes: trial.bytes, peers: names, modes: {} };
for (const mode of trial.modes) {
  // The floor is one operation at a time by construction, so it runs in
  // 'seq' only; so do our forced paths (they explain per-call costs, and
  // leaving them out of 'x1000' keeps a VM run near 10 minutes).
  const active = peers.filter((p) => mode === 'seq' || (!p.floor && !p.name.startsWith('ours:')));
  // Warm-up: every peer, in the same interleaved way, discarded. A peer whose
  // check call above already took longer (16 MiB, PBKDF2) is warm; and the
  // 'seq' rounds warmed the very code that 'x1000' runs.
  if (mode === 'seq')
    for (const peer of active) if (!(peer.checkMs > spec.warmMs)) await round(peer, mode, spec.warmMs);
  const rounds = Object.fromEntries(active.map((p) => [p.name, []]));
  const count = mode === 'x1000' ? spec.inFlightRounds : spec.rounds;
  for (let r = 0; r < count; r++) {
    for (let k = 0; k < active.length; k++) {
      const peer = active[(r + k) % active.length];
      // Each peer starts its round on a collected heap: nobody pays for
      // another peer's garbage (its own young-generation GC stays in).
      globalThis.gc?.();
      rounds[peer.name].push(await round(peer, mode, spec.roundMs));
    }
  }
  result.modes[mode] = rounds;
  log(`${mode} done`);
}
for (const floor of floors) floor.stop();
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
