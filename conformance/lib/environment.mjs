// Where the suite runs: the package must be built (dist/ from src/, the
// addon), and the kernel must have AF_ALG. Without AF_ALG (socket fails
// with EAFNOSUPPORT) and outside the VM, the suite re-runs itself in the
// project's VM (scripts/vm/run), which boots a kernel that has it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

function newestMtime(dir, filter) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path, filter));
    else if (filter(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function run(command, args, root) {
  console.log(`conformance: ${[command, ...args].join(' ')}`);
  const { status, error } = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (error) throw new Error(`cannot run ${command}: ${error.message}`);
  return status ?? 1;
}

/**
 * Builds what is missing or stale: the addon (node-gyp, as `npm test`
 * does) and dist/ (tsc -p tsconfig.build.json) when any file under src/
 * is newer than dist/index.js. Throws when a build fails.
 */
export function ensureBuilt(root) {
  const addon = join(root, 'build', 'Release', 'afalg.node');
  const nativeSources = [join(root, 'binding.gyp'), ...readdirSync(join(root, 'native')).map((n) => join(root, 'native', n))];
  const addonStale = !existsSync(addon) || Math.max(...nativeSources.map((p) => statSync(p).mtimeMs)) > statSync(addon).mtimeMs;
  if (addonStale && run('npx', ['node-gyp', 'rebuild'], root) !== 0) throw new Error('building the addon (npx node-gyp rebuild) failed');

  const distIndex = join(root, 'dist', 'index.js');
  const srcNewest = newestMtime(join(root, 'src'), (name) => name.endsWith('.ts'));
  if (!existsSync(distIndex) || srcNewest > statSync(distIndex).mtimeMs) {
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    if (run(process.execPath, [tsc, '-p', 'tsconfig.build.json'], root) !== 0) throw new Error('building dist/ (tsc -p tsconfig.build.json) failed');
  }
}

/** 'ok' when this kernel binds an AF_ALG hash socket, else the error code (EAFNOSUPPORT: no AF_ALG at all). */
export function probeAfAlg(root) {
  const require = createRequire(import.meta.url);
  try {
    const addon = require(join(root, 'build', 'Release', 'afalg.node'));
    const socket = addon.AlgSocket.bind('hash', 'sha256');
    socket.close();
    return 'ok';
  } catch (error) {
    return error?.code ?? String(error?.message ?? error);
  }
}

export const insideVm = () => process.env.AFALG_VM === '1';

/** Runs this same command inside the VM and returns its exit status. */
export function runInVm(root, args) {
  const script = join(root, 'scripts', 'vm', 'run');
  console.log('conformance: this kernel has no AF_ALG (EAFNOSUPPORT); running the suite in the VM (scripts/vm/run)');
  const { status, signal, error } = spawnSync(script, ['--', process.execPath, 'conformance/run.mjs', ...args], { cwd: root, stdio: 'inherit' });
  if (error) throw new Error(`cannot run ${script}: ${error.message}`);
  if (signal) return 128 + (({ SIGINT: 2, SIGTERM: 15, SIGKILL: 9 })[signal] ?? 1);
  return status ?? 1;
}
