// Zero-copy input, floor against floor: bench/floor.c with sendmsg and with
// vmsplice+splice (KIND+splice) for SHA-256 and AES-CBC/CTR/GCM encrypt at
// 64 KiB, 1 MiB and 16 MiB, rounds interleaved. The same comparison runs
// inside `npm run bench` (peer floor:splice) at the trial sizes; this one
// adds 1 MiB and needs no JavaScript peers. Re-runs itself in the VM when
// this kernel has no AF_ALG.
//
//   node bench/splice.mjs [ROUNDS] [ROUND_MS]       default 5 rounds of 300 ms
import { median } from './report.mjs';
import { startFloor } from './peers.mjs';
import { buildFloor, ensureKernel } from './setup.mjs';
import { sizeLabel } from './trials.mjs';

const args = process.argv.slice(2);
const [rounds = 5, roundMs = 300] = args.map(Number);
const KINDS = ['sha256', 'cbc-enc', 'ctr-enc', 'gcm-enc'];
const SIZES = [64 * 1024, 1024 * 1024, 16 * 1024 * 1024];

buildFloor();
if (ensureKernel('bench/splice.mjs', args)) {
  console.log('case              sendmsg MiB/s   splice MiB/s   splice/sendmsg');
  for (const kind of KINDS) {
    for (const bytes of SIZES) {
      const ways = [await startFloor([kind, bytes]), await startFloor([`${kind}+splice`, bytes])];
      if (ways[0].output.head !== ways[1].output.head || ways[0].output.tail !== ways[1].output.tail)
        throw new Error(`${kind} ${bytes}: splice and sendmsg gave different output`);
      const rates = [[], []];
      for (let r = 0; r < rounds; r++) {
        for (const w of r % 2 ? [1, 0] : [0, 1]) {
          const { ops, ms } = await ways[w].round(roundMs);
          rates[w].push((ops * bytes) / (1024 * 1024) / (ms / 1000));
        }
      }
      for (const way of ways) way.stop();
      const [copy, splice] = rates.map(median);
      console.log(`${`${kind} ${sizeLabel(bytes)}`.padEnd(16)}  ${copy.toFixed(1).padStart(13)}  ` +
        `${splice.toFixed(1).padStart(13)}  ${(splice / copy).toFixed(2).padStart(14)}x`);
    }
  }
}
