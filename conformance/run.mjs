#!/usr/bin/env node
// The conformance suite (issue 6): a generated matrix over every registered
// algorithm and operation, run on this library, Node's webcrypto and
// @peculiar/webcrypto; known-answer tests from the standards; interface
// shape checks. Writes conformance/REPORT.md and conformance/report.json.
//
//   node conformance/run.mjs [--cases N] [--seed S] [--replay CASE_ID] [--filter ALG[,ALG...]] [--no-report]
//
// Exit status: 0 pass, 1 conformance failures, 2 the suite could not run.
import { nodeInterfaces, nodeWebcrypto } from './lib/oracles.mjs'; // first: before anything could replace the globals
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadAdjudicator } from './lib/adjudicate.mjs';
import { ensureBuilt, insideVm, probeAfAlg, runInVm } from './lib/environment.mjs';
import { createTargets, IMPLEMENTATION_IDS } from './lib/implementations.mjs';
import { runInterfaceChecks } from './lib/interface.mjs';
import { runKats } from './lib/kat.mjs';
import { addToTally, classify, emptyTally, opSlug, parseCaseId, runCase, specOf } from './lib/matrix.mjs';
import { runPasses, writeReports } from './lib/report.mjs';
import { startWatchdog } from './lib/watchdog.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const require = createRequire(import.meta.url);

/** A case running longer than this (in seconds) is declared hung and the run is killed. */
const HANG_SECONDS = Number(process.env.AFALG_CONFORMANCE_HANG_SECONDS) || 300;
/** Cases per (algorithm, operation) cell by default: 4,800 cases, about 90 s in the VM under TCG (measured), well inside CI's budget. */
const DEFAULT_CASES = 100;
const DEFAULT_SEED = 20261125;

const USAGE = `usage: node conformance/run.mjs [--cases N] [--seed S] [--replay CASE_ID] [--filter ALG[,ALG...]] [--no-report]
  --cases N      cases per algorithm x operation cell (default ${DEFAULT_CASES})
  --seed S       the run's seed (default ${DEFAULT_SEED}); printed by every run
  --replay ID    run one case alone and print its input and the three outcomes (ID as printed, e.g. AES-GCM/encrypt/17)
  --filter ALG   only these algorithms (comma-separated names, or NAME/operation); no report is written
  --no-report    run everything but leave REPORT.md and report.json as they are (npm test does this)`;

function parseArgs(argv) {
  const args = { cases: DEFAULT_CASES, seed: DEFAULT_SEED, replay: undefined, filter: undefined, report: true };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${flag} needs a value`);
      return argv[++i];
    };
    if (flag === '--cases') args.cases = Number(value());
    else if (flag === '--seed') args.seed = Number(value());
    else if (flag === '--replay') args.replay = value();
    else if (flag === '--filter') args.filter = value();
    else if (flag === '--no-report') args.report = false;
    else if (flag === '--help' || flag === '-h') args.help = true;
    else throw new Error(`unknown argument ${flag}`);
  }
  if (!Number.isInteger(args.cases) || args.cases < 1) throw new Error('--cases must be a positive integer');
  if (!Number.isSafeInteger(args.seed)) throw new Error('--seed must be an integer');
  return args;
}

/** A predicate over (row, op) from --filter "HMAC,AES-GCM/encrypt". */
function makeFilter(text) {
  if (!text) return undefined;
  const parts = text.split(',').map((p) => p.trim().toLowerCase()).filter(Boolean);
  return (row, op) => parts.some((p) => {
    const [alg, operation] = p.split('/');
    return alg === row.toLowerCase() && (operation === undefined || op === undefined || operation === opSlug(op).toLowerCase());
  });
}

function packageVersion(dir) {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
}

/** The cells to run: every registry operation (a missing generator is a problem), then extra generator operations. */
function planCells(registry, generators, nonRegistryRows, problems) {
  const cells = [];
  const registered = new Set(registry.map((r) => r.name));
  for (const row of registry) {
    const rowGenerators = generators[row.name];
    if (!rowGenerators) problems.push(`NO GENERATOR for the registered algorithm ${row.name}: add one in conformance/generators/`);
    for (const op of Object.keys(row.ops)) {
      if (!rowGenerators?.[op]) problems.push(`NO GENERATOR for ${row.name} x ${op}: add a cell in conformance/generators/`);
      else cells.push({ row: row.name, op, cell: rowGenerators[op], extra: false });
    }
    for (const op of Object.keys(rowGenerators ?? {}))
      if (!(op in row.ops)) cells.push({ row: row.name, op, cell: rowGenerators[op], extra: true });
  }
  for (const [name, ops] of Object.entries(generators)) {
    if (registered.has(name)) continue;
    if (!nonRegistryRows.includes(name)) {
      problems.push(`generators exist for ${name}, which the registry does not list (removed or renamed?)`);
      continue;
    }
    for (const [op, cell] of Object.entries(ops)) cells.push({ row: name, op, cell, extra: true });
  }
  return cells;
}

function summarizeOutcome(text, max = 300) {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`conformance: ${error.message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }

  try {
    ensureBuilt(root);
  } catch (error) {
    console.error(`conformance: ${error.message}`);
    return 2;
  }
  const afalg = probeAfAlg(root);
  // AFALG_CONFORMANCE_ANY_KERNEL=1: run here anyway (to work on the generators; ours then fails everything).
  if (afalg !== 'ok' && process.env.AFALG_CONFORMANCE_ANY_KERNEL !== '1') {
    if (afalg === 'EAFNOSUPPORT' && !insideVm()) return runInVm(root, process.argv.slice(2));
    console.error(`conformance: this kernel cannot bind an AF_ALG socket (${afalg})${insideVm() ? ', even inside the VM' : ''}; the suite needs one`);
    return 2;
  }

  const started = performance.now();
  const library = await import(pathToFileURL(join(root, 'esm', 'index.mjs')).href);
  const { REGISTRY } = require(join(root, 'dist', 'webcrypto', 'registry.js'));
  const { Crypto: PeculiarCrypto, CryptoKey: PeculiarCryptoKey } = require('@peculiar/webcrypto');
  const peculiar = new PeculiarCrypto();
  const versions = {
    ours: packageVersion(root),
    node: process.versions.node,
    peculiar: packageVersion(dirname(require.resolve('@peculiar/webcrypto/package.json'))),
    fastCheck: packageVersion(dirname(require.resolve('fast-check/package.json'))),
  };
  // Strict mode: the kernel only. (The default, hybrid, would hand what the kernel lacks
  // to Node's own WebCrypto, and the suite would compare Node with itself.)
  const ours = library.createCrypto({ mode: 'strict' });
  const targets = createTargets({
    ours,
    oursInterfaces: { Crypto: library.Crypto, SubtleCrypto: library.SubtleCrypto, CryptoKey: library.CryptoKey },
    node: nodeWebcrypto,
    nodeInterfaces,
    peculiar,
    peculiarInterfaces: { Crypto: PeculiarCrypto, SubtleCrypto: Object.getPrototypeOf(peculiar.subtle).constructor, CryptoKey: PeculiarCryptoKey },
    versions,
  });

  const problems = [];
  const adjudicator = loadAdjudicator(join(here, 'ADJUDICATIONS.md'));
  problems.push(...adjudicator.problems);
  const { buildGenerators, NON_REGISTRY_ROWS } = await import('./generators/index.mjs');
  const generators = buildGenerators({ targets });
  const plan = planCells(REGISTRY, generators, NON_REGISTRY_ROWS, problems);
  for (const problem of problems) console.error(`conformance: PROBLEM ${problem}`);

  console.log(`conformance: seed ${args.seed}, ${args.cases} cases per cell, ${plan.length} cells; kernel ${release()}${insideVm() ? ' (VM)' : ''}; `
    + `Node ${versions.node}, @peculiar/webcrypto ${versions.peculiar}`);

  // --replay: one case, in full.
  if (args.replay) {
    const { row, slug, index } = parseCaseId(args.replay);
    const entry = plan.find((c) => c.row === row && opSlug(c.op) === slug);
    if (!entry) {
      console.error(`conformance: no cell ${row}/${slug} (cells: ${plan.map((c) => `${c.row}/${opSlug(c.op)}`).join(', ')})`);
      return 2;
    }
    startWatchdog({ limitSeconds: HANG_SECONDS, seed: args.seed }).running(args.replay);
    const result = classify(await runCase(entry.cell, targets, { seed: args.seed, row, op: entry.op, index }), entry.cell, adjudicator);
    console.log(`case ${result.id} (seed ${args.seed})\nspec: ${summarizeOutcome(JSON.stringify(specOf(entry.cell, args.seed, row, entry.op, index), null, 1), 20000)}`);
    if (result.prepared !== undefined) console.log(`prepared input: ${summarizeOutcome(JSON.stringify(result.prepared), 4000)}`);
    if (result.prepareError) console.log(`prepare failed: ${result.prepareError}`);
    for (const impl of IMPLEMENTATION_IDS) if (result.outcomes) console.log(`${impl.padEnd(8)} ${summarizeOutcome(result.outcomes[impl], 4000)}`);
    console.log(`status: ${result.status}${result.reasons.length ? ` (${result.reasons.join('; ')})` : ''}`);
    for (const d of result.diffs) console.log(`  differs from ${d.oracle}: ${d.rule ? `adjudicated by ${d.rule} (${d.verdict === 'ours' ? 'the spec sides with us' : 'a bug of ours'})` : 'not adjudicated'}`);
    return result.status === 'fail' ? 1 : 0;
  }

  const filter = makeFilter(args.filter);
  const cells = plan.filter((c) => !filter || filter(c.row, c.op));
  if (filter && cells.length === 0) {
    console.error(`conformance: --filter ${args.filter} matches no cell`);
    return 2;
  }

  const watchdog = startWatchdog({ limitSeconds: HANG_SECONDS, seed: args.seed });
  const trace = process.env.AFALG_CONFORMANCE_TRACE === '1';
  const cases = [];
  for (const entry of cells) {
    const cellStarted = performance.now();
    entry.tally = emptyTally();
    for (let index = 0; index < args.cases; index++) {
      const id = `${entry.row}/${opSlug(entry.op)}/${index}`;
      if (trace) console.error(`conformance: case ${id}`);
      watchdog.running(id);
      const result = classify(await runCase(entry.cell, targets, { seed: args.seed, row: entry.row, op: entry.op, index }), entry.cell, adjudicator);
      watchdog.running(undefined);
      addToTally(entry.tally, result);
      cases.push(result);
      if (result.status === 'fail') {
        console.log(`  FAIL ${result.id} (${result.spec?.variant}): ${result.reasons.join('; ')}`);
        if (result.outcomes) for (const impl of IMPLEMENTATION_IDS) console.log(`       ${impl.padEnd(8)} ${summarizeOutcome(result.outcomes[impl], 200)}`);
      }
    }
    const t = entry.tally;
    console.log(`${entry.row} ${entry.op}${entry.extra ? ' *' : ''}: ${t.cases} cases, =node ${t.agreeNode}, =peculiar ${t.agreePeculiar}, `
      + `adjudicated ${t.adjudicated}, one-oracle ${t.oneOracle}, failed ${t.failed} (${((performance.now() - cellStarted) / 1000).toFixed(1)} s)`);
  }

  const katFilter = filter ? (row) => filter(row) : undefined;
  const kats = await runKats(join(here, 'vectors'), targets, katFilter);
  for (const k of kats) if (k.ours !== 'pass') console.log(`  KAT FAIL ${k.file} ${k.id} ${k.check}: ${k.ours}`);
  console.log(`known-answer tests: ${kats.filter((k) => k.ours === 'pass').length}/${kats.length} pass`);

  const keyFor = async (t) => t.call('importKey', 'raw', new Uint8Array(32), { name: 'HMAC', hash: 'SHA-256' }, true, ['sign', 'verify']);
  const impls = {};
  for (const [id, t] of Object.entries(targets)) impls[id] = { crypto: t.crypto, ...t.interfaces, key: await keyFor(t) };
  const interfaceChecks = filter ? [] : await runInterfaceChecks(impls);
  for (const c of interfaceChecks) if (!c.pass) console.log(`  INTERFACE ${c.gating ? 'FAIL' : 'info'} ${c.id}: expected ${JSON.stringify(c.expected)}, ours ${JSON.stringify(c.ours)}`);
  if (!filter) console.log(`interface checks: ${interfaceChecks.filter((c) => c.pass).length}/${interfaceChecks.length} as the IDL says`);

  // Proof that the kernel did the work: in strict mode nothing may have reached the platform.
  const counts = library.operationCounts?.(ours);
  if (counts && Object.keys(counts.platform).length > 0)
    problems.push(`operations were served by the platform's WebCrypto, not the kernel: ${JSON.stringify(counts.platform)}`);
  const servedBy = library.servingBackends?.(ours) ?? [];

  for (const problem of problems) console.log(`  PROBLEM ${problem}`);
  const failed = cases.filter((c) => c.status === 'fail').length;
  const durationSeconds = (performance.now() - started) / 1000;
  let passed;
  if (filter || !args.report) {
    passed = runPasses({ cases, kats, interfaceChecks, problems });
    console.log(`conformance: ${filter ? '--filter' : '--no-report'} given, so REPORT.md and report.json are not rewritten`);
  } else {
    passed = writeReports({
      mdPath: join(here, 'REPORT.md'), jsonPath: join(here, 'report.json'),
      run: {
        seed: args.seed, casesPerCell: args.cases, durationSeconds, date: new Date().toISOString(), kernel: release(),
        where: insideVm() ? 'VM (scripts/vm/run)' : 'this machine', versions,
        mode: 'strict', servedBy, operationCounts: counts,
      },
      cells, cases, kats, interfaceChecks, adjudicator, problems,
    });
    console.log('conformance: wrote conformance/REPORT.md and conformance/report.json');
  }
  console.log(`conformance: ${passed ? 'PASS' : 'FAIL'}: ${cases.length} cases (${failed} failed, `
    + `${cases.filter((c) => c.status === 'one-oracle').length} one-oracle), seed ${args.seed}, ${durationSeconds.toFixed(1)} s`);
  return passed ? 0 : 1;
}

const status = await main().catch((error) => {
  console.error('conformance: the suite crashed:', error);
  return 2;
});
// Exit now: pooled kernel sockets and finalizers must not keep the process alive.
process.exit(status);
