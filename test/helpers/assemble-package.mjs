// Assembles the package as users get it into DIR (dist/ compiled from src/,
// esm/, package.json, and build/ as a symlink to the checkout's built addon):
//
//   node test/helpers/assemble-package.mjs DIR
//
// scripts/test.mjs runs it once on the host before the kernel tests (compiling
// inside the VM costs a minute or more per test file); built-package.ts runs it
// when the tests are started some other way.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const checkout = fileURLToPath(new URL('../..', import.meta.url));
const [dir] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node test/helpers/assemble-package.mjs DIR');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const build = spawnSync(process.execPath,
  [tsc, '-p', path.join(checkout, 'tsconfig.build.json'), '--outDir', path.join(dir, 'dist')],
  { cwd: checkout, stdio: 'inherit' });
if (build.status !== 0) {
  console.error(`assemble-package: tsc -p tsconfig.build.json failed (${build.status ?? build.signal})`);
  process.exit(1);
}
cpSync(path.join(checkout, 'esm'), path.join(dir, 'esm'), { recursive: true });
cpSync(path.join(checkout, 'package.json'), path.join(dir, 'package.json'));
symlinkSync(path.join(checkout, 'build'), path.join(dir, 'build'));
