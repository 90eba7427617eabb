// What run.mjs and soak.mjs share: building what they need (the floor
// program, a current dist/), finding out whether this kernel has AF_ALG, and
// re-running a script inside the project VM when it does not.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FLOOR_BINARY } from './peers.mjs';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

function run(command, args) {
  const { status, error } = spawnSync(command, args, { stdio: 'inherit', cwd: ROOT });
  if (error || status !== 0) {
    console.error(`bench: ${command} ${args.join(' ')} failed${error ? `: ${error.message}` : ''}`);
    process.exit(1);
  }
}

function mtime(path) {
  const full = join(ROOT, path);
  return existsSync(full) ? statSync(full).mtimeMs : -Infinity;
}

function filesUnder(dir, suffix) {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(suffix))
    .map((e) => relative(ROOT, join(e.parentPath ?? e.path, e.name)));
}

/** Builds bench/.out/floor when bench/floor.c is newer. */
export function buildFloor() {
  if (mtime(relative(ROOT, FLOOR_BINARY)) >= mtime('bench/floor.c')) return;
  mkdirSync(join(ROOT, 'bench/.out'), { recursive: true });
  console.log('bench: building bench/.out/floor (cc -O2)');
  run('cc', ['-O2', '-Wall', '-Wextra', '-o', FLOOR_BINARY, 'bench/floor.c']);
}

/** Rebuilds dist/ when any src/*.ts is newer than its compiled .js. */
export function buildDist() {
  const stale = filesUnder('src', '.ts').filter((f) => !f.endsWith('.d.ts')).some((f) =>
    mtime(join('dist', relative('src', f)).replace(/\.ts$/, '.js')) < mtime(f));
  if (!stale) return;
  console.log('bench: dist/ is stale; building it (tsc -p tsconfig.build.json)');
  run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json']);
}

/** Stops when the addon is missing; warns when native/ is newer than it. */
export function checkAddon() {
  const addon = 'build/Release/afalg.node';
  if (!existsSync(join(ROOT, addon))) {
    console.error(`bench: ${addon} is missing; build it with \`npx node-gyp rebuild\``);
    process.exit(1);
  }
  if (Math.max(mtime('binding.gyp'), ...filesUnder('native', '').map(mtime)) > mtime(addon))
    console.warn(`bench: warning: native/ is newer than ${addon}; this run measures the old build`);
}

/** 'ok', or the error code of binding an AF_ALG socket here. */
export function probeAfAlg() {
  try {
    require('../build/Release/afalg.node').AlgSocket.bind('hash', 'sha256').close();
    return 'ok';
  } catch (error) {
    return error.code ?? String(error);
  }
}

export function gitRevision() {
  const { stdout, status } = spawnSync('git', ['describe', '--always', '--dirty', '--abbrev=12'],
    { encoding: 'utf8', cwd: ROOT });
  return status === 0 ? stdout.trim() : 'unknown';
}

function cpuModel() {
  try {
    return /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function machine() {
  return { nproc: os.availableParallelism(), cpu: cpuModel(), kernel: os.release(), node: process.version };
}

/**
 * Makes sure script can run its kernel work: returns true when AF_ALG works
 * here. Otherwise, when this kernel has no AF_ALG at all and we are not
 * already in the VM, re-runs `node script args` inside scripts/vm/run (with
 * this machine's description in AFALG_BENCH_HOST), exits with its status and
 * returns false. Any other failure stops the process.
 */
export function ensureKernel(script, args) {
  const afalg = probeAfAlg();
  if (afalg === 'ok') return true;
  if (afalg !== 'EAFNOSUPPORT' || process.env.AFALG_VM) {
    console.error(`bench: cannot bind an AF_ALG socket here (${afalg})`);
    process.exit(1);
  }
  console.log(`bench: no AF_ALG in this kernel (EAFNOSUPPORT); re-running inside the VM: ` +
    `scripts/vm/run -- node ${script} ${args.join(' ')}`);
  const env = { ...process.env, AFALG_BENCH_HOST: JSON.stringify({ ...machine(), revision: gitRevision() }) };
  const child = spawn('scripts/vm/run', ['--', process.execPath, script, ...args], { stdio: 'inherit', env, cwd: ROOT });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  // scripts/vm/run stops its VM when it is interrupted.
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  return false;
}
