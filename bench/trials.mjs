// The workloads, as data: one trial per (operation, algorithm, size). Each
// names the peers that run it, the floor program's arguments, and how to
// build the operation from any WebCrypto `crypto` object, so every
// WebCrypto peer runs the very same code.
import { data, ivBytes, keyBytes, wrappedKeyBytes } from './inputs.mjs';
import { streamTrials } from './stream-trials.mjs';

const KiB = 1024;
const MiB = 1024 * KiB;

/** Inputs up to this size are "small": they also run with 1000 operations in flight. */
export const SMALL_BYTES = 1 * KiB;
/** How many operations are in flight in the "x1000" mode. */
export const IN_FLIGHT = 1000;

export function sizeLabel(bytes) {
  if (bytes >= MiB) return `${bytes / MiB}MiB`;
  if (bytes >= KiB) return `${bytes / KiB}KiB`;
  return `${bytes}B`;
}

const WEBCRYPTO = ['ours', 'node', 'peculiar'];
/**
 * Up to this size a case also runs our non-default job path: the 64 KiB and
 * 256 KiB rows on both sides of ASYNC_THRESHOLD_BYTES are what set it.
 */
const OTHER_PATH_MAX_BYTES = 256 * KiB;

// A trial: { id, family, bytes (per op, for MiB/s; null: not a throughput
// case), modes ('seq': awaited one at a time; 'x1000': IN_FLIGHT at once),
// peers, otherPath (also run our library's non-default job path), floor
// (argv of bench/floor.c, or null), extraFloors (more floor variants by
// peer name), sync (the op returns no promise),
// prepare(crypto, loadedPeer) => async () => op }.
export function trial(fields) {
  const small = fields.bytes !== null && fields.bytes <= SMALL_BYTES;
  return {
    modes: small && !fields.sync ? ['seq', 'x1000'] : ['seq'],
    peers: WEBCRYPTO,
    otherPath: false,
    floor: null,
    extraFloors: {},
    sync: false,
    ...fields,
  };
}

/** From 64 KiB up, the floor also runs with zero-copy input (floor.c KIND+splice). */
function spliceFloor(kind, bytes) {
  return bytes >= 64 * KiB ? { 'floor:splice': [`${kind}+splice`, bytes] } : {};
}

function digest(hash, bytes) {
  const kind = hash === 'SHA-256' ? 'sha256' : 'sha512';
  return trial({
    id: `digest ${hash} ${sizeLabel(bytes)}`,
    family: 'digest',
    bytes,
    otherPath: bytes <= OTHER_PATH_MAX_BYTES,
    floor: [kind, bytes],
    extraFloors: spliceFloor(kind, bytes),
    async prepare(crypto) {
      const message = data(bytes);
      return () => crypto.subtle.digest(hash, message);
    },
  });
}

function hmac(op, bytes) {
  return trial({
    id: `HMAC-SHA-256 ${op} ${sizeLabel(bytes)}`,
    family: 'hmac',
    bytes,
    otherPath: true,
    floor: [op === 'sign' ? 'hmac-sign' : 'hmac-verify', bytes],
    async prepare(crypto) {
      const key = await crypto.subtle.importKey('raw', keyBytes(), { name: 'HMAC', hash: 'SHA-256' },
        false, ['sign', 'verify']);
      const message = data(bytes);
      if (op === 'sign') return () => crypto.subtle.sign('HMAC', key, message);
      const signature = await crypto.subtle.sign('HMAC', key, message);
      return () => crypto.subtle.verify('HMAC', key, signature, message);
    },
  });
}

const AES_PARAMS = {
  'AES-GCM': () => ({ name: 'AES-GCM', iv: ivBytes(12) }),
  'AES-CBC': () => ({ name: 'AES-CBC', iv: ivBytes(16) }),
  'AES-CTR': () => ({ name: 'AES-CTR', counter: ivBytes(16), length: 64 }),
};

function aes(name, op, bytes) {
  const kind = `${name.slice(4).toLowerCase()}-${op === 'encrypt' ? 'enc' : 'dec'}`;
  return trial({
    id: `${name} ${op} ${sizeLabel(bytes)}`,
    family: name,
    bytes,
    otherPath: bytes <= OTHER_PATH_MAX_BYTES,
    floor: [kind, bytes],
    extraFloors: spliceFloor(kind, bytes),
    async prepare(crypto) {
      const key = await crypto.subtle.importKey('raw', keyBytes(), name, false, ['encrypt', 'decrypt']);
      const params = AES_PARAMS[name]();
      const plaintext = data(bytes);
      if (op === 'encrypt') return () => crypto.subtle.encrypt(params, key, plaintext);
      const ciphertext = new Uint8Array(await crypto.subtle.encrypt(params, key, plaintext));
      return () => crypto.subtle.decrypt(params, key, ciphertext);
    },
  });
}

function aesKwWrap() {
  return trial({
    id: 'AES-KW wrapKey 256-bit key',
    family: 'AES-KW',
    bytes: 32,
    otherPath: true,
    floor: ['kw-wrap', 32],
    async prepare(crypto) {
      const wrapping = await crypto.subtle.importKey('raw', keyBytes(), 'AES-KW', false, ['wrapKey', 'unwrapKey']);
      const key = await crypto.subtle.importKey('raw', wrappedKeyBytes(), 'AES-GCM', true, ['encrypt']);
      return () => crypto.subtle.wrapKey('raw', key, wrapping, 'AES-KW');
    },
  });
}

function getRandomValues(bytes) {
  return trial({
    id: `getRandomValues ${sizeLabel(bytes)}`,
    family: 'random',
    bytes,
    sync: true,  // a synchronous API: "in flight" does not apply
    peers: ['ours', 'ours:drbg', 'node', 'peculiar'],
    floor: ['getrandom', bytes],
    async prepare(crypto) {
      const view = new Uint8Array(bytes);
      return () => crypto.getRandomValues(view);
    },
  });
}

// PBKDF2-SHA-256 deriving `bits`; the floor computes one 256-bit block, so
// longer outputs (whose blocks we compute in parallel) compare with Node only.
// `constructions` adds the floor's other ways to run the same HMACs.
function pbkdf2(iterations, { bits = 256, constructions = false } = {}) {
  const oneBlock = bits === 256;
  return trial({
    id: `PBKDF2-SHA-256 ${iterations / 1000}k iterations${oneBlock ? '' : `, ${bits}-bit output`}`,
    family: 'pbkdf2',
    bytes: null,
    floor: oneBlock ? ['pbkdf2', 0, iterations] : null,
    extraFloors: constructions ? {
      // io_uring-chained SEND/RECV: fewer syscalls per iteration.
      'floor:uring': ['pbkdf2-uring', 0, iterations],
      // HMAC from hash states cloned by accept(): no keyed hmac tfm.
      'floor:clone': ['pbkdf2-clone', 0, iterations],
    } : {},
    async prepare(crypto) {
      const key = await crypto.subtle.importKey('raw', keyBytes(), 'PBKDF2', false, ['deriveBits']);
      const params = { name: 'PBKDF2', hash: 'SHA-256', salt: ivBytes(16), iterations };
      return () => crypto.subtle.deriveBits(params, key, bits);
    },
  });
}

function importKeyRaw() {
  return trial({
    id: 'importKey raw AES-256',
    family: 'importKey',
    bytes: null,
    modes: ['seq', 'x1000'],
    async prepare(crypto) {
      const raw = keyBytes();
      return () => crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
    },
  });
}

/**
 * Every trial, in report order. `quick` (CI smoke: does every path run and
 * agree with Node?) keeps one small and one medium size (64 B, 64 KiB) and
 * runs PBKDF2 at 10k iterations; a full run does 1k, 100k and 600k, and a
 * four-block output.
 */
export function allTrials({ quick = false } = {}) {
  const sizes = quick ? [64, 64 * KiB] : [64, KiB, 64 * KiB, 256 * KiB, 16 * MiB];
  const smallSizes = sizes.filter((bytes) => bytes <= SMALL_BYTES);
  const list = [];
  for (const hash of ['SHA-256', 'SHA-512']) for (const bytes of sizes) list.push(digest(hash, bytes));
  for (const op of ['sign', 'verify']) for (const bytes of smallSizes) list.push(hmac(op, bytes));
  for (const name of ['AES-GCM', 'AES-CBC', 'AES-CTR'])
    for (const op of ['encrypt', 'decrypt']) for (const bytes of sizes) list.push(aes(name, op, bytes));
  list.push(aesKwWrap());
  for (const bytes of [16, 64 * KiB]) list.push(getRandomValues(bytes));
  if (quick) list.push(pbkdf2(10_000, { constructions: true }));
  else {
    list.push(pbkdf2(1_000), pbkdf2(100_000, { constructions: true }), pbkdf2(600_000));
    list.push(pbkdf2(100_000, { bits: 1024 }));
  }
  list.push(importKeyRaw());
  list.push(...streamTrials({ quick }));
  return list;
}

export function findTrial(id, options) {
  const found = allTrials(options).find((t) => t.id === id);
  if (found === undefined) throw new Error(`no trial named '${id}'`);
  return found;
}
