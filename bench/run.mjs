// `npm run bench`: this library against Node's webcrypto, @peculiar/webcrypto
// and the raw AF_ALG floor (bench/floor.c), side by side in one run.
//
//   node bench/run.mjs [--quick] [--filter REGEXP] [--json FILE] [--rounds N] [--round-ms MS]
//
// --quick      CI smoke: 64 B and 64 KiB only, 2 short rounds, PBKDF2 at 10k iterations
// --filter RE  only the cases whose name matches RE (case-insensitive); "stall" selects
//              the event-loop measurement
// --json FILE  also write the results as JSON to FILE
// A complete run (neither --quick nor --filter) writes bench/results.json and bench/RESULTS.md.
//
// Without AF_ALG here (socket() gives EAFNOSUPPORT), it re-runs itself inside the project's VM
// (scripts/vm/run), after building what it needs on this machine. See bench/README.md.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  analyze, COLUMNS, evaluateTargets, markdownTable, median, rows, targetLines, textTable,
} from './report.mjs';
import { buildDist, buildFloor, checkAddon, ensureKernel, gitRevision, machine, ROOT } from './setup.mjs';
import { allTrials, sizeLabel } from './trials.mjs';

process.chdir(ROOT);
const require = createRequire(import.meta.url);
const started = performance.now();

// --- arguments ----------------------------------------------------------------------

function parseArgs(argv) {
  const options = { quick: false, filter: null, json: null, rounds: null, roundMs: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--quick') options.quick = true;
    else if (arg === '--filter') options.filter = new RegExp(value(), 'i');
    else if (arg === '--json') options.json = value();
    else if (arg === '--rounds') options.rounds = Number(value());
    else if (arg === '--round-ms') options.roundMs = Number(value());
    else if (arg === '--help' || arg === '-h') usage();
    else usage(`unknown argument ${arg}`);
  }
  return options;
}

function usage(problem) {
  if (problem) console.error(`bench: ${problem}`);
  console.error('usage: node bench/run.mjs [--quick] [--filter REGEXP] [--json FILE] [--rounds N] [--round-ms MS]');
  process.exit(problem ? 2 : 0);
}

const options = parseArgs(process.argv.slice(2));
const complete = !options.quick && options.filter === null;
// Rounds per peer, the length of one, and the warm-up before them. One case
// takes about peers x (warm + rounds x round) per mode, plus ~3.5 s under
// the VM to start node and load the peers; a 1000-in-flight round is one
// batch of 1000 (0.2-1 s each in the VM), so that mode gets fewer rounds.
// These keep a complete VM run near 10 minutes.
// --quick is a smoke test (every path runs and agrees with Node), sized for
// about 3 minutes in the VM: 23 cases, 2 short rounds, no forced-path peers.
const config = {
  quick: options.quick,
  rounds: options.rounds ?? (options.quick ? 2 : 5),
  inFlightRounds: options.rounds ?? (options.quick ? 1 : 3),
  roundMs: options.roundMs ?? (options.quick ? 40 : 100),
  warmMs: options.quick ? 40 : 150,
  stallBytes: options.quick ? 16 * 1024 * 1024 : 64 * 1024 * 1024,
  stallRepeats: options.quick ? 1 : 3,
};

buildFloor();
buildDist();
checkAddon();
if (ensureKernel('bench/run.mjs', process.argv.slice(2))) await main();

// --- the run ----------------------------------------------------------------------

/** Runs script in a fresh node process; resolves with the parsed RESULT line. */
function child(args) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--expose-gc', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (chunk) => (out += chunk));
    proc.on('error', reject);
    proc.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code === 0 && line) resolve(JSON.parse(line.slice(7)));
      else reject(new Error(`${args.join(' ')} exited with ${code}${out ? `: ${out.trim()}` : ''}`));
    });
  });
}

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

async function runStall() {
  // A fresh process per run; ours and Node alternate so drift hits both
  // alike. @peculiar (synchronous, so it blocks for the whole operation)
  // runs once, for scale.
  const names = ['ours', 'node', 'peculiar'];
  const runs = [];
  for (let r = 0; r < config.stallRepeats; r++)
    for (const name of names.slice(0, r === 0 ? 3 : 2)) runs.push(await child(['bench/stall.mjs', name, String(config.stallBytes)]));
  const peers = {};
  for (const name of names) {
    const mine = runs.filter((x) => x.peer === name);
    const pick = (k) => median(mine.map((x) => x[k]));
    peers[name] = {
      maxMs: pick('maxMs'), minMaxMs: Math.min(...mine.map((x) => x.maxMs)), maxMaxMs: Math.max(...mine.map((x) => x.maxMs)),
      p99Ms: pick('p99Ms'), meanMs: pick('meanMs'), opMs: pick('opMs'), idleMaxMs: pick('idleMaxMs'),
    };
  }
  return { bytes: config.stallBytes, repeats: config.stallRepeats, peers, runs };
}

function stallTable(stall) {
  const header = ['peer', 'max delay ms (median [min–max])', 'p99 ms', 'mean ms', 'both ops took ms', 'idle max ms', 'max vs Node'];
  const body = Object.entries(stall.peers).map(([name, p]) => [
    name, `${p.maxMs.toFixed(1)} [${p.minMaxMs.toFixed(1)}–${p.maxMaxMs.toFixed(1)}]`, p.p99Ms.toFixed(1),
    p.meanMs.toFixed(2), p.opMs.toFixed(0), p.idleMaxMs.toFixed(1), `${(p.maxMs / stall.peers.node.maxMs).toFixed(2)}x`,
  ]);
  return { header, body };
}

function readSoak() {
  try {
    return JSON.parse(readFileSync('bench/soak.json', 'utf8'));
  } catch {
    return null;
  }
}

function markdown(results) {
  const { machine: m, host, config: c } = results;
  const stall = results.stall ? stallTable(results.stall) : null;
  const soak = results.soak;
  const lines = [
    '# Benchmark results',
    '',
    `Generated by \`node bench/run.mjs\` (\`npm run bench\`) on ${results.date}, revision \`${results.revision}\`; ` +
      `the run took ${seconds(results.elapsedMs)}. Method, peers and a diagnosis of where the time goes: [README.md](README.md).`,
    '',
    `- Ran on: Linux ${m.kernel}, ${m.nproc} CPUs (${m.cpu}), Node ${m.node}` +
      (results.inVm ? ', inside the project VM (scripts/vm/run: Debian kernel under qemu TCG emulation)' : ''),
    ...(host ? [`- Host: Linux ${host.kernel}, ${host.nproc} CPUs (${host.cpu}), Node ${host.node}`] : []),
    `- Peers: ours = this library (default job path); Node = \`crypto.webcrypto\`; @peculiar = @peculiar/webcrypto ` +
      `${results.versions.peculiar}; floor = bench/floor.c, the same AF_ALG syscalls with no WebCrypto layer.`,
    `- Method: ${c.rounds} timed rounds of >= ${c.roundMs} ms per peer (${c.inFlightRounds} rounds of >= 1 batch ` +
      `for 1000 in flight) after a ${c.warmMs} ms warm-up, interleaved peer by peer (the order rotates each round), ` +
      'one fresh process per case; medians over rounds.',
    '',
    '## How to read this',
    '',
    '- Under TCG emulation every absolute number is scaled (roughly 10x slower than the host, and not uniformly: ' +
      'syscalls, JIT code and the kernel\'s AES/SHA code slow down by different factors). **Ratios between peers in ' +
      'this one run are what count**; absolute ops/s are not comparable with other machines or other runs.',
    '- `ops/s [min–max]`: median over rounds, and the slowest and fastest round. Ratios are ours ÷ the peer: ' +
      'the ratio of medians, with `[min–max]` of the round-by-round ratios (round r of ours against round r of the peer). ' +
      '> 1 means ours is faster.',
    '- "awaited 1 by 1": `await` each call before the next; "1000 in flight": 1000 calls started, then `Promise.all`. ' +
      'The floor runs one operation at a time, so it has no "in flight" row.',
    '- "ours, other path": our library with its job path forced (`setJobPath`): `sync` runs on the JS thread, ' +
      '`pool` on the libuv thread pool; `drbg` draws getRandomValues from the AF_ALG DRBG instead of getrandom(2). ' +
      'The ratio in parentheses is the default path ÷ that one.',
    '- MiB/s counts the WebCrypto input (plaintext, message) bytes.',
    '',
    '## Targets (issue 7)',
    '',
    ...targetLines(results.targets),
    '',
    '## Results',
    '',
    markdownTable(COLUMNS, rows(results.cases)),
    '',
  ];
  if (results.failures.length) {
    lines.push('Cases that failed in this run:', '', ...results.failures.map((f) => `- ${f.id}: ${f.error}`), '');
  }
  if (stall) {
    lines.push('## Event-loop stall', '',
      `A ${sizeLabel(results.stall.bytes)} AES-GCM encrypt and a ${sizeLabel(results.stall.bytes)} SHA-256 digest started ` +
      'together; `perf_hooks.monitorEventLoopDelay` (1 ms resolution) from just before the calls until both settle. ' +
      `Each peer in a fresh process; ours and Node ${results.stall.repeats} runs each, alternating (@peculiar once). "idle max" is the same measurement ` +
      'over an idle stretch of the same length (the noise floor of the emulated machine).', '',
      markdownTable(stall.header, stall.body), '');
  }
  if (soak) {
    lines.push('## Memory soak (bench/soak.mjs)', '',
      `${soak.ops.toLocaleString('en')} mixed operations on Linux ${soak.kernel}, ${soak.date}` +
        `${soak.revision ? `, revision \`${soak.revision}\`` : ''}. ${soak.verdict.summary}`, '',
      markdownTable(['ops done', 'RSS MiB', 'heap MiB', 'open fds', 'AF_ALG sockets', 'sockets before finalizers ran'],
        soak.samples.map((s) => [s.ops.toLocaleString('en'), s.rssMiB.toFixed(1), s.heapMiB.toFixed(1), String(s.fds),
          String(s.sockets), s.socketsAtGc === undefined ? '—' : String(s.socketsAtGc)])),
      '');
  }
  return lines.join('\n');
}

async function main() {
  const trials = allTrials({ quick: config.quick }).filter((t) => !options.filter || options.filter.test(t.id));
  const wantStall = !options.filter || options.filter.test('stall');
  const where = process.env.AFALG_VM ? 'in the VM' : 'natively';
  console.log(`bench: ${trials.length} cases${wantStall ? ' + event-loop stall' : ''} ${where}; ` +
    `${config.rounds} rounds x ${config.roundMs} ms per peer`);

  const cases = [];
  const failures = [];
  for (const trial of trials) {
    const t0 = performance.now();
    try {
      const spec = {
        id: trial.id, quick: config.quick, rounds: config.rounds, inFlightRounds: config.inFlightRounds,
        roundMs: config.roundMs, warmMs: config.warmMs,
      };
      const analysis = analyze(await child(['bench/case.mjs', JSON.stringify(spec)]));
      cases.push(analysis);
      console.log(`${textTable(COLUMNS, rows([analysis]))}\n  (${seconds(performance.now() - t0)})\n`);
    } catch (error) {
      failures.push({ id: trial.id, error: error.message });
      console.error(`bench: ${trial.id} failed: ${error.message}`);
    }
  }

  let stall = null;
  if (wantStall) {
    const t0 = performance.now();
    try {
      stall = await runStall();
      const { header, body } = stallTable(stall);
      console.log(`Event-loop stall (${sizeLabel(stall.bytes)} AES-GCM encrypt + SHA-256 digest in flight):\n` +
        `${textTable(header, body)}\n  (${seconds(performance.now() - t0)})\n`);
    } catch (error) {
      failures.push({ id: 'stall', error: error.message });
      console.error(`bench: the event-loop stall measurement failed: ${error.message}`);
    }
  }

  const soak = readSoak();
  const targets = evaluateTargets(cases, stall, soak);
  const host = process.env.AFALG_BENCH_HOST ? JSON.parse(process.env.AFALG_BENCH_HOST) : null;
  const results = {
    date: new Date().toISOString(),
    revision: host?.revision ?? gitRevision(),
    inVm: Boolean(process.env.AFALG_VM),
    machine: machine(),
    host: host && { nproc: host.nproc, cpu: host.cpu, kernel: host.kernel, node: host.node },
    versions: { peculiar: require('@peculiar/webcrypto/package.json').version },
    config,
    elapsedMs: performance.now() - started,
    targets,
    cases,
    stall,
    soak: soak && { ops: soak.ops, date: soak.date, kernel: soak.kernel, revision: soak.revision, verdict: soak.verdict, samples: soak.samples },
    failures,
  };

  console.log('== full table');
  console.log(textTable(COLUMNS, rows(cases)));
  console.log('\n== targets');
  console.log(targetLines(targets).join('\n').replaceAll('**', ''));
  if (options.json) writeFileSync(options.json, `${JSON.stringify(results, null, 2)}\n`);
  if (complete) {
    writeFileSync('bench/results.json', `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync('bench/RESULTS.md', markdown(results));
    console.log('\nbench: wrote bench/results.json and bench/RESULTS.md');
  }
  console.log(`bench: done in ${seconds(performance.now() - started)}`);
  process.exitCode = failures.length ? 1 : 0;
}
