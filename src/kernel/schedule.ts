// Which thread runs a job. Small inputs run synchronously on the JS thread
// (two syscalls, no thread hop) and give an already-settled promise; large
// ones go to the libuv thread pool so the event loop never stalls.

/**
 * Inputs of at least this many bytes run on the thread pool.
 * Measured by `npm run bench` (trial "threshold"): in the VM a thread hop
 * costs about as much as hashing 16 KiB synchronously, and a 64 KiB AES or
 * hash job blocks the event loop for well under a millisecond natively.
 */
export const ASYNC_THRESHOLD_BYTES = 64 * 1024;

export type JobPath = 'auto' | 'sync' | 'async';
let forcedPath: JobPath = 'auto';

/** Forces every job onto one path (tests run each vector through both). */
export function setJobPath(path: JobPath): void {
  forcedPath = path;
}

export function runsAsync(inputBytes: number): boolean {
  if (forcedPath !== 'auto') return forcedPath === 'async';
  return inputBytes >= ASYNC_THRESHOLD_BYTES;
}
