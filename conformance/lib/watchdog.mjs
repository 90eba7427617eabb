// A case that blocks the main thread (a synchronous kernel call that never
// returns) stops every timer, so the per-call timeouts cannot fire. A worker
// thread watches instead: when one case has run for longer than the limit, it
// prints the case's id and replay command and kills the process, so a hang
// fails the run with a name instead of eating the CI budget.
import { Worker } from 'node:worker_threads';

const ID_BYTES = 512;


export function startWatchdog({ limitSeconds, seed }) {
  const shared = new SharedArrayBuffer(8 + ID_BYTES);
  const state = new Int32Array(shared, 0, 2);
  const id = new Uint8Array(shared, 8);
  const worker = new Worker(new URL('./watchdog-worker.cjs', import.meta.url), { workerData: { shared, limitSeconds, seed } });
  worker.unref();
  return {
    /** Marks the start of a case (or, with undefined, that none is running). */
    running(caseId) {
      if (caseId === undefined) {
        Atomics.store(state, 0, 0);
        return;
      }
      const bytes = Buffer.from(caseId, 'utf8').subarray(0, ID_BYTES);
      id.set(bytes);
      Atomics.store(state, 1, bytes.byteLength);
      Atomics.store(state, 0, Math.floor(Date.now() / 1000));
    },
  };
}
