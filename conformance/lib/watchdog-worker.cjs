// The watchdog's thread (see watchdog.mjs): wakes every second and kills the
// process when one case has been running for longer than the limit.
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const state = new Int32Array(workerData.shared, 0, 2);
const id = new Uint8Array(workerData.shared, 8);
setInterval(() => {
  const started = Atomics.load(state, 0);
  if (started === 0 || Math.floor(Date.now() / 1000) - started < workerData.limitSeconds) return;
  const name = Buffer.from(id.subarray(0, Atomics.load(state, 1))).toString('utf8');
  writeSync(2, '\nconformance: HUNG: case ' + name + ' has not finished after ' + workerData.limitSeconds
    + ' s (the main thread is blocked, or an operation never settles); replay it: node conformance/run.mjs --seed '
    + workerData.seed + ' --replay ' + name + '\n');
  process.kill(process.pid, 'SIGKILL');
}, 1000);
