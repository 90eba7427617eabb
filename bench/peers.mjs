// The peers, as a Map from name to how to load it. A WebCrypto peer is a
// `crypto` object (plus hooks around its rounds); the floor is the C
// program, driven over a pipe. Only the peers a trial names are loaded.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
export const FLOOR_BINARY = fileURLToPath(new URL('./.out/floor', import.meta.url));

async function ours() {
  return import('../esm/index.mjs');
}

/** The library's job-path switch (same module instance as esm/index.mjs uses). */
export function schedule() {
  return require('../dist/kernel/schedule.js');
}

function forcedPath(path) {
  return async () => ({
    crypto: (await ours()).crypto,
    enter: () => schedule().setJobPath(path),
    leave: () => schedule().setJobPath('auto'),
  });
}

export const PEERS = new Map([
  ['ours', { label: 'ours', load: async () => ({ crypto: (await ours()).crypto }) }],
  ['ours:sync', { label: 'ours, forced sync path', load: forcedPath('sync') }],
  ['ours:async', { label: 'ours, forced thread-pool path', load: forcedPath('async') }],
  ['ours:drbg', {
    label: 'ours, AF_ALG DRBG source',
    load: async () => ({ crypto: (await ours()).createCrypto({ random: 'drbg' }) }),
  }],
  ['ours:stream', {
    label: 'ours, streaming API (bench/stream-trials.mjs)',
    load: async () => ({ crypto: (await ours()).crypto, streams: await ours() }),
  }],
  ['node', { label: "Node's crypto.webcrypto", load: async () => ({ crypto: (await import('node:crypto')).webcrypto }) }],
  ['peculiar', {
    label: '@peculiar/webcrypto',
    load: async () => ({ crypto: new (await import('@peculiar/webcrypto')).Crypto() }),
  }],
  ['floor', { label: 'raw AF_ALG floor (bench/floor.c)', load: null }],
  ['floor:uring', { label: 'raw AF_ALG floor, io_uring-chained (bench/floor.c pbkdf2-uring)', load: null }],
  ['floor:clone', { label: 'raw AF_ALG floor, HMAC from accept()-cloned sha256 states (bench/floor.c pbkdf2-clone)', load: null }],
  ['floor:splice', { label: 'raw AF_ALG floor, zero-copy input (bench/floor.c KIND+splice)', load: null }],
]);

/**
 * Starts the floor program for argv; resolves once its setup operation is
 * done, with its output summary and a round(ms) => {ops, ms} function.
 */
export async function startFloor(argv) {
  const child = spawn(FLOOR_BINARY, argv.map(String), { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const queue = [];
  const waiting = [];
  let ended = false;
  lines.on('line', (line) => (waiting.length ? waiting.shift().resolve(line) : queue.push(line)));
  const fail = (error) => { ended = true; for (const w of waiting.splice(0)) w.reject(error); };
  child.on('error', fail);
  child.on('exit', (code) => fail(new Error(`the floor program (${argv.join(' ')}) exited with ${code}`)));
  const next = () => (queue.length ? Promise.resolve(queue.shift())
    : ended ? Promise.reject(new Error('the floor program has ended'))
    : new Promise((resolve, reject) => waiting.push({ resolve, reject })));
  const [ready, outputBytes, head, tail] = (await next()).split(' ');
  if (ready !== 'ready') throw new Error(`unexpected line from the floor program: ${ready}`);
  return {
    output: { bytes: Number(outputBytes), head, tail },
    async round(ms) {
      child.stdin.write(`R ${ms}\n`);
      const [ops, ns] = (await next()).split(' ').map(Number);
      return { ops, ms: ns / 1e6 };
    },
    stop() {
      child.stdin.end('Q\n');
    },
  };
}

/** The summary the floor prints of an output: its length, first and last <= 32 bytes in hex. */
export function summarize(bytes) {
  const show = Math.min(32, bytes.length);
  const hex = (b) => Buffer.from(b).toString('hex');
  return { bytes: bytes.length, head: hex(bytes.subarray(0, show)), tail: hex(bytes.subarray(bytes.length - show)) };
}
