// The package as users get it (dist/ compiled from src/, esm/, package.json,
// the built addon), assembled in a fresh temporary folder by
// assemble-package.mjs, so that:
// - the child processes run the current sources, not whatever dist/ a
//   previous build left in the checkout;
// - the test never writes into the checkout's dist/, which other builds use;
// - `afalg-webcrypto` and `afalg-webcrypto/register` resolve through the
//   package's own "exports" (a package may import itself by name).
// scripts/test.mjs assembles it once per run and names it in
// AFALG_TEST_PACKAGE (which scripts/vm/run passes into the VM); otherwise
// each test file assembles its own.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

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
  const shared = process.env.AFALG_TEST_PACKAGE;
  const root = shared ?? mkdtempSync(path.join(tmpdir(), 'afalg-webcrypto-pkg-'));
  if (shared === undefined) {
    const assemble = spawnSync(process.execPath, [path.join(__dirname, 'assemble-package.mjs'), root], { encoding: 'utf8' });
    if (assemble.status !== 0)
      throw new Error(`assembling the package failed (${assemble.status}):\n${assemble.stdout}\n${assemble.stderr}`);
  }
  return {
    root,
    node(args, env = {}) {
      const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
      delete childEnv.NODE_OPTIONS; // vitest's loader flags are not the user's
      const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', env: childEnv, timeout: 120_000 });
      return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
    },
    remove() {
      if (shared === undefined) rmSync(root, { recursive: true, force: true });
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
