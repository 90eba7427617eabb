// The package as users get it (dist/ compiled from src/, esm/, package.json,
// the built addon), assembled in a fresh temporary folder so that:
// - the child processes run the current sources, not whatever dist/ a
//   previous build left in the checkout;
// - the test never writes into the checkout's dist/, which other builds use;
// - `afalg-webcrypto` and `afalg-webcrypto/register` resolve through the
//   package's own "exports" (a package may import itself by name).
// The addon is not rebuilt: build/ is a symlink to the checkout's build/.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const checkout = path.resolve(__dirname, '..', '..');

export interface ChildResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface BuiltPackage {
  readonly root: string;
  /** Runs `node ...args` with the package folder as cwd. */
  node(args: string[], env?: Record<string, string | undefined>): ChildResult;
  remove(): void;
}

export function buildPackage(): BuiltPackage {
  const root = mkdtempSync(path.join(tmpdir(), 'afalg-webcrypto-pkg-'));
  const tsc = require.resolve('typescript/bin/tsc');
  const build = spawnSync(process.execPath,
    [tsc, '-p', path.join(checkout, 'tsconfig.build.json'), '--outDir', path.join(root, 'dist')],
    { cwd: checkout, encoding: 'utf8' });
  if (build.status !== 0)
    throw new Error(`tsc -p tsconfig.build.json failed (${build.status}):\n${build.stdout}\n${build.stderr}`);
  cpSync(path.join(checkout, 'esm'), path.join(root, 'esm'), { recursive: true });
  cpSync(path.join(checkout, 'package.json'), path.join(root, 'package.json'));
  symlinkSync(path.join(checkout, 'build'), path.join(root, 'build'));
  return {
    root,
    node(args, env = {}) {
      const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
      delete childEnv.NODE_OPTIONS; // vitest's loader flags are not the user's
      const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', env: childEnv, timeout: 120_000 });
      return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
    },
    remove() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The last line of a child's stdout, parsed as JSON (children print one report). */
export function report<T>(result: ChildResult): T {
  if (result.status !== 0)
    throw new Error(`child exited with ${result.status ?? result.signal}:\n${result.stderr}\n${result.stdout}`);
  const lines = result.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as T;
}
