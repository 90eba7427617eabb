// Known-answer tests: the published vectors in conformance/vectors/, typed
// in from the documents, run through each implementation's public API. Only
// ours decides pass or fail; the oracles' results are shown beside it (a
// vector every implementation fails is more likely a typo in the vector).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { outcomeOfError } from './outcome.mjs';
import { fromHex, toHex } from './values.mjs';

const ascii = (s) => new Uint8Array(Buffer.from(s, 'latin1'));

/** The bytes with the last bit of the last byte flipped (a forged tag, MAC or integrity block). */
function flipLastBit(hex) {
  const bytes = fromHex(hex);
  bytes[bytes.byteLength - 1] ^= 1;
  return bytes;
}

/** The call must reject with this DOMException name. */
async function expectRejection(promise, name) {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DOMException && error.name === name) return;
    throw new Error(`: got ${error?.name ?? error}, expected a rejection with ${name}`);
  }
  throw new Error(`: got a result, expected a rejection with ${name}`);
}

function expectHex(actual, expected, what) {
  const got = toHex(actual);
  if (got !== expected) throw new Error(`${what}: got ${got}, expected ${expected}`);
}

async function importRaw(t, hex, alg, usages, extractable = false) {
  return t.call('importKey', 'raw', fromHex(hex), alg, extractable, usages);
}

/** Each suite: its file and how one vector becomes checks (a list of [label, async (t) => void]). */
const SUITES = [
  {
    file: 'fips-180-4.json', row: (v) => v.alg,
    checks: (v) => [['digest', async (t) => expectHex(await t.call('digest', v.alg, ascii(v.ascii)), v.digest, 'digest')]],
  },
  {
    file: 'rfc4231.json', row: () => 'HMAC',
    checks: (v) => ['SHA-256', 'SHA-384', 'SHA-512'].flatMap((hash) => [
      [`sign ${hash}`, async (t) => {
        const key = await importRaw(t, v.key, { name: 'HMAC', hash }, ['sign']);
        const mac = new Uint8Array(await t.call('sign', 'HMAC', key, fromHex(v.data)));
        expectHex(v.truncatedTo ? mac.subarray(0, v.truncatedTo) : mac, v[hash], 'MAC');
      }],
      ...(v.truncatedTo ? [] : [[`verify ${hash}`, async (t) => {
        const key = await importRaw(t, v.key, { name: 'HMAC', hash }, ['verify']);
        const ok = await t.call('verify', 'HMAC', key, fromHex(v[hash]), fromHex(v.data));
        if (ok !== true) throw new Error(`verify returned ${ok}`);
      }], [`verify ${hash} (forged MAC)`, async (t) => {
        const key = await importRaw(t, v.key, { name: 'HMAC', hash }, ['verify']);
        const ok = await t.call('verify', 'HMAC', key, flipLastBit(v[hash]), fromHex(v.data));
        if (ok !== false) throw new Error(`: verify of a forged MAC returned ${ok}, expected false`);
      }]]),
    ]),
  },
  {
    file: 'rfc5869.json', row: () => 'HKDF',
    checks: (v) => [['deriveBits', async (t) => {
      const key = await importRaw(t, v.ikm, 'HKDF', ['deriveBits']);
      const okm = await t.call('deriveBits', { name: 'HKDF', hash: v.hash, salt: fromHex(v.salt), info: fromHex(v.info) }, key, v.L * 8);
      expectHex(okm, v.okm, 'OKM');
    }]],
  },
  {
    file: 'rfc6070.json', row: () => 'PBKDF2',
    checks: (v) => [['deriveBits', async (t) => {
      const key = await t.call('importKey', 'raw', ascii(v.P), 'PBKDF2', false, ['deriveBits']);
      const dk = await t.call('deriveBits', { name: 'PBKDF2', hash: 'SHA-1', salt: ascii(v.S), iterations: v.c }, key, v.dkLen * 8);
      expectHex(dk, v.DK, 'DK');
    }]],
  },
  {
    file: 'sp800-38a.json', row: (v) => v.mode,
    checks: (v) => {
      const params = v.mode === 'AES-CBC' ? { name: 'AES-CBC', iv: fromHex(v.iv) } : { name: 'AES-CTR', counter: fromHex(v.counter), length: 128 };
      return [
        ['encrypt', async (t) => {
          const key = await importRaw(t, v.key, v.mode, ['encrypt']);
          const out = new Uint8Array(await t.call('encrypt', params, key, fromHex(v.plaintext)));
          if (v.mode === 'AES-CBC' && out.byteLength !== 80) throw new Error(`ciphertext is ${out.byteLength} bytes, expected 64 + a 16-byte padding block`);
          expectHex(v.mode === 'AES-CBC' ? out.subarray(0, 64) : out, v.ciphertext, 'ciphertext');
        }],
        ['decrypt', async (t) => {
          const key = await importRaw(t, v.key, v.mode, ['encrypt', 'decrypt']);
          let ciphertext = fromHex(v.ciphertext);
          if (v.mode === 'AES-CBC') {
            // The published ciphertext, then the padding block: for an all-padding block
            // after C4 it is AES(C4 xor 10..10), which is what encrypting P1..P4 ends with.
            const full = new Uint8Array(await t.call('encrypt', params, key, fromHex(v.plaintext)));
            ciphertext = new Uint8Array([...ciphertext, ...full.subarray(64)]);
          }
          expectHex(await t.call('decrypt', params, key, ciphertext), v.plaintext, 'plaintext');
        }],
      ];
    },
  },
  {
    file: 'gcm.json', row: () => 'AES-GCM',
    checks: (v) => {
      const params = () => ({ name: 'AES-GCM', iv: fromHex(v.iv), ...(v.aad ? { additionalData: fromHex(v.aad) } : {}) });
      return [
        ['encrypt', async (t) => {
          const key = await importRaw(t, v.key, 'AES-GCM', ['encrypt']);
          expectHex(await t.call('encrypt', params(), key, fromHex(v.plaintext)), v.ciphertext + v.tag, 'ciphertext || tag');
        }],
        ['decrypt', async (t) => {
          const key = await importRaw(t, v.key, 'AES-GCM', ['decrypt']);
          expectHex(await t.call('decrypt', params(), key, fromHex(v.ciphertext + v.tag)), v.plaintext, 'plaintext');
        }],
        ['decrypt (forged tag)', async (t) => {
          const key = await importRaw(t, v.key, 'AES-GCM', ['decrypt']);
          await expectRejection(t.call('decrypt', params(), key, flipLastBit(v.ciphertext + v.tag)), 'OperationError');
        }],
      ];
    },
  },
  {
    file: 'fips-202.json', row: (v) => v.alg,
    checks: (v) => [['digest', async (t) => {
      const message = v.repeat ? new Uint8Array(v.repeat.count).fill(Number.parseInt(v.repeat.byte, 16)) : fromHex(v.message);
      expectHex(await t.call('digest', v.alg, message), v.digest, 'digest');
    }]],
  },
  {
    file: 'rfc8439.json', row: () => 'ChaCha20-Poly1305',
    checks: (v) => {
      const params = () => ({ name: 'ChaCha20-Poly1305', iv: fromHex(v.iv), additionalData: fromHex(v.aad) });
      const key = (t, usages) => t.call('importKey', 'raw-secret', fromHex(v.key), 'ChaCha20-Poly1305', false, usages);
      return [
        ['encrypt', async (t) => expectHex(await t.call('encrypt', params(), await key(t, ['encrypt']), fromHex(v.plaintext)), v.ciphertext + v.tag, 'ciphertext || tag')],
        ['decrypt', async (t) => expectHex(await t.call('decrypt', params(), await key(t, ['decrypt']), fromHex(v.ciphertext + v.tag)), v.plaintext, 'plaintext')],
        ['decrypt (forged tag)', async (t) => {
          await expectRejection(t.call('decrypt', params(), await key(t, ['decrypt']), flipLastBit(v.ciphertext + v.tag)), 'OperationError');
        }],
      ];
    },
  },
  {
    file: 'rfc4493.json', row: () => 'AFALG-AES-CMAC',
    checks: (v) => [
      ['sign', async (t) => {
        const key = await importRaw(t, v.key, 'AFALG-AES-CMAC', ['sign']);
        expectHex(await t.call('sign', 'AFALG-AES-CMAC', key, fromHex(v.message)), v.mac, 'MAC');
      }],
      ['verify (forged MAC)', async (t) => {
        const key = await importRaw(t, v.key, 'AFALG-AES-CMAC', ['verify']);
        const ok = await t.call('verify', 'AFALG-AES-CMAC', key, flipLastBit(v.mac), fromHex(v.message));
        if (ok !== false) throw new Error(`: verify of a forged MAC returned ${ok}, expected false`);
      }],
    ],
  },
  {
    file: 'rfc3394.json', row: () => 'AES-KW',
    checks: (v) => [
      ['wrapKey', async (t) => {
        const kek = await importRaw(t, v.kek, 'AES-KW', ['wrapKey']);
        const key = await importRaw(t, v.keyData, 'AES-GCM', ['encrypt'], true);
        expectHex(await t.call('wrapKey', 'raw', key, kek, 'AES-KW'), v.ciphertext, 'wrapped key');
      }],
      ['unwrapKey', async (t) => {
        const kek = await importRaw(t, v.kek, 'AES-KW', ['unwrapKey']);
        const key = await t.call('unwrapKey', 'raw', fromHex(v.ciphertext), kek, 'AES-KW', 'AES-GCM', true, ['encrypt']);
        expectHex(await t.call('exportKey', 'raw', key), v.keyData, 'unwrapped key');
      }],
      ['unwrapKey (forged)', async (t) => {
        const kek = await importRaw(t, v.kek, 'AES-KW', ['unwrapKey']);
        await expectRejection(t.call('unwrapKey', 'raw', flipLastBit(v.ciphertext), kek, 'AES-KW', 'AES-GCM', true, ['encrypt']), 'OperationError');
      }],
    ],
  },
];

/** Runs every vector (those of rows matching `filter`, if given) on the three targets. */
export async function runKats(vectorDir, targets, filter) {
  const results = [];
  for (const suite of SUITES) {
    const doc = JSON.parse(readFileSync(join(vectorDir, suite.file), 'utf8'));
    for (const vector of doc.vectors) {
      const row = suite.row(vector);
      if (filter && !filter(row)) continue;
      for (const [label, check] of suite.checks(vector)) {
        const result = { suite: doc.title, file: suite.file, source: doc.source, row, id: vector.id, check: label };
        for (const [id, t] of Object.entries(targets)) {
          try {
            await check(t);
            result[id] = 'pass';
          } catch (error) {
            result[id] = error instanceof Error && /: (got|verify of a forged)/.test(error.message) ? `FAIL ${error.message}` : `FAIL ${outcomeOfError(error)}`;
          }
        }
        results.push(result);
      }
    }
  }
  return results;
}

