// Which thread runs a job. Small inputs run synchronously on the JS thread
// (two syscalls, no thread hop) and give an already-settled promise; large
// ones go to the libuv thread pool so the event loop never stalls.

/**
 * Inputs of at least this many bytes run on the thread pool.
 *
 * For one operation at a time the pool never wins on throughput: in
 * `npm run bench`'s 64 KiB and 256 KiB rows ("ours, other path") the
 * synchronous path was faster at both sizes in almost every case
 * (bench/README.md, "ASYNC_THRESHOLD_BYTES").
 * So this is a budget for how long one synchronous job may block the event
 * loop: a 64 KiB hash or AES job takes about 2 ms in the emulated VM and
 * roughly a tenth of that natively; 256 KiB would take four times as long.
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
