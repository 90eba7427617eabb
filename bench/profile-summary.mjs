// Summarizes a V8 .cpuprofile (from `node --cpu-prof`): self time by
// category (our dist/ code, Node's internals, the addon and syscalls, GC)
// and the functions with the most self time.
//   node bench/profile-summary.mjs FILE.cpuprofile [TOP]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/profile-summary.mjs FILE.cpuprofile [TOP]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

function category({ functionName, url }) {
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(program)') return 'V8/Node native (program)';
  if (url.includes('/dist/')) return 'library JS (dist/)';
  if (url.includes('/bench/')) return 'bench harness';
  if (url.startsWith('node:')) return 'Node internals (JS)';
  if (url.includes('node_modules')) return 'node_modules';
  if (url === '') return 'native functions (addon calls incl. syscalls, builtins)';
  return 'other';
}

const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const byCategory = new Map();
const byFunction = new Map();
for (const [id, us] of selfUs) {
  const { callFrame } = nodes.get(id);
  const cat = category(callFrame);
  byCategory.set(cat, (byCategory.get(cat) ?? 0) + us);
  const where = callFrame.url ? `${callFrame.url.replace(/^.*\/(dist|bench|node_modules)\//, '$1/')}:${callFrame.lineNumber + 1}` : '';
  const key = `${callFrame.functionName || '(anonymous)'} ${where}`.trim();
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
}
const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled`);
console.log('self time by category:');
for (const [cat, us] of [...byCategory].sort((a, b) => b[1] - a[1])) console.log(`  ${pct(us)}  ${cat}`);
console.log(`top ${Number(topArg ?? 25)} functions by self time:`);
for (const [fn, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 25)))
  console.log(`  ${pct(us)}  ${fn}`);
