// What the key-producing operations (generateKey, importKey, deriveKey,
// unwrapKey) share: describing a key so that three implementations can be
// compared, and using a key in the ways its usages allow. A generated key
// is random, so its bytes cannot be compared; instead it is exported and
// imported into every implementation (this one included) and both copies
// are used on the same input: "same" means the other side computes what
// this side computes, in both directions across the three runs.
import { keyFacts } from '../lib/implementations.mjs';
import { observe, outcomeOfError } from '../lib/outcome.mjs';
import { fromHex, toHex } from '../lib/values.mjs';

export const ALLOWED_USAGES = {
  'HMAC': ['sign', 'verify'],
  'AES-CBC': ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'],
  'AES-CTR': ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'],
  'AES-GCM': ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'],
  'AES-KW': ['wrapKey', 'unwrapKey'],
  'ChaCha20-Poly1305': ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'],
  'AFALG-AES-CMAC': ['sign', 'verify'],
  'PBKDF2': ['deriveKey', 'deriveBits'],
  'HKDF': ['deriveKey', 'deriveBits'],
};

/** The format a family's secret bytes import and export in: the WICG draft's algorithms take only 'raw-secret'. */
export function rawFormat(name) {
  return name === 'ChaCha20-Poly1305' ? 'raw-secret' : 'raw';
}

/** The algorithms whose keys sign and verify (MACs). */
const MACS = ['HMAC', 'AFALG-AES-CMAC'];

const MESSAGE = fromHex('54686520717569636b2062726f776e20666f78206a756d7073206f76657220746865206c617a7920646f672e');
/** The key wrapped by the wrap/unwrap probes (32 bytes, as an HMAC SHA-256 key). */
const PAYLOAD_HEX = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const PAYLOAD_ALG = { name: 'HMAC', hash: 'SHA-256' };

/** Fixed parameters for using a key of each cipher family on MESSAGE. */
export function cipherParams(name) {
  switch (name) {
    case 'AES-CBC': return { name, iv: fromHex('000102030405060708090a0b0c0d0e0f') };
    case 'AES-CTR': return { name, counter: fromHex('f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff'), length: 64 };
    case 'AES-GCM': return { name, iv: fromHex('cafebabefacedbaddecaf888'), additionalData: fromHex('feedface') };
    case 'AES-KW': return { name };
    case 'ChaCha20-Poly1305': return { name, iv: fromHex('070000004041424344454647'), additionalData: fromHex('50515253') };
    default: throw new Error(`no cipher parameters for ${name}`);
  }
}

const same = (a, b) => toHex(a) === toHex(b);

async function payloadKey(t) {
  return t.importKey({ format: 'raw', hex: PAYLOAD_HEX, alg: PAYLOAD_ALG, extractable: true, usages: ['sign'] }, 'import payload key');
}

/**
 * Uses keyI (on target I, with its own usages) and keyJ (the same bytes on
 * target J, all usages) on the same input; "same" when they agree.
 */
async function compareUse(I, keyI, J, keyJ, name) {
  const usages = keyI.usages;
  if (MACS.includes(name)) {
    if (usages.includes('sign'))
      return same(await I.call('sign', name, keyI, MESSAGE), await J.call('sign', name, keyJ, MESSAGE)) ? 'same' : 'differs';
    const signature = await J.call('sign', name, keyJ, MESSAGE);
    return (await I.call('verify', name, keyI, signature, MESSAGE)) === true ? 'same' : 'differs';
  }
  if (name === 'PBKDF2' || name === 'HKDF') {
    const params = name === 'PBKDF2'
      ? { name, hash: 'SHA-256', salt: MESSAGE, iterations: 3 }
      : { name, hash: 'SHA-256', salt: MESSAGE, info: fromHex('0102') };
    if (usages.includes('deriveBits'))
      return same(await I.call('deriveBits', params, keyI, 256), await J.call('deriveBits', params, keyJ, 256)) ? 'same' : 'differs';
    const derive = async (t, key) => t.call('exportKey', 'raw',
      await t.call('deriveKey', params, key, { name: 'HMAC', hash: 'SHA-256', length: 256 }, true, ['sign']));
    return same(await derive(I, keyI), await derive(J, keyJ)) ? 'same' : 'differs';
  }
  const params = cipherParams(name);
  if (usages.includes('encrypt'))
    return same(await I.call('encrypt', params, keyI, MESSAGE), await J.call('encrypt', params, keyJ, MESSAGE)) ? 'same' : 'differs';
  if (usages.includes('decrypt'))
    return same(await I.call('decrypt', params, keyI, await J.call('encrypt', params, keyJ, MESSAGE)), MESSAGE) ? 'same' : 'differs';
  const wrapped = await J.call('wrapKey', 'raw', await payloadKey(J), keyJ, params);
  if (usages.includes('wrapKey'))
    return same(await I.call('wrapKey', 'raw', await payloadKey(I), keyI, params), wrapped) ? 'same' : 'differs';
  const unwrapped = await I.call('unwrapKey', 'raw', wrapped, keyI, params, PAYLOAD_ALG, true, ['sign']);
  return toHex(await I.call('exportKey', 'raw', unwrapped)) === PAYLOAD_HEX ? 'same' : 'differs';
}

/** What J makes of keyI's bytes: "same", "differs", or how the attempt failed. */
export async function crossCheck(I, keyI, rawHex, J) {
  const name = keyI.algorithm.name;
  const importAlg = name === 'HMAC'
    ? { name, hash: keyI.algorithm.hash.name, length: keyI.algorithm.length }
    : name;
  try {
    const keyJ = await J.importKey({ format: rawFormat(name), hex: rawHex, alg: importAlg, usages: ALLOWED_USAGES[name] }, `import into ${J.id}`);
    return await compareUse(I, keyI, J, keyJ, name);
  } catch (error) {
    return outcomeOfError(error);
  }
}

/** The recognized key usage values, in the spec's order. */
const KEY_USAGE_ORDER = ['encrypt', 'decrypt', 'sign', 'verify', 'deriveKey', 'deriveBits', 'wrapKey', 'unwrapKey'];

const JUNK_32 = fromHex('8ce24998625615b603a033aca13fb894be9112a5c3a211a8ba262a3cca7e2ca7');

/**
 * What the key computes with its first usage on fixed inputs: the same key
 * bytes must give the same output everywhere (used for imported and
 * derived keys, whose bytes the case chose).
 */
export async function useOutcome(I, key) {
  const name = key.algorithm.name;
  // The first usage in the spec's order, so that the order an implementation lists them in does not matter.
  const usage = KEY_USAGE_ORDER.find((u) => key.usages.includes(u));
  return observe(async () => {
    switch (usage) {
      case 'sign': return I.call('sign', name, key, MESSAGE);
      case 'verify': return I.call('verify', name, key, JUNK_32, MESSAGE);
      case 'encrypt': return I.call('encrypt', cipherParams(name), key, MESSAGE);
      case 'decrypt': return I.call('decrypt', cipherParams(name), key, JUNK_32);
      case 'wrapKey': return I.call('wrapKey', 'raw', await payloadKey(I), key, cipherParams(name));
      case 'unwrapKey': {
        const unwrapped = await I.call('unwrapKey', 'raw', name === 'AES-KW' ? JUNK_32.slice(0, 24) : JUNK_32, key,
          cipherParams(name), PAYLOAD_ALG, true, ['sign']);
        return I.call('exportKey', 'raw', unwrapped);
      }
      case 'deriveBits':
        return I.call('deriveBits', name === 'PBKDF2'
          ? { name, hash: 'SHA-256', salt: MESSAGE, iterations: 2 }
          : { name, hash: 'SHA-256', salt: MESSAGE, info: MESSAGE }, key, 384);
      case 'deriveKey': {
        const derived = await I.call('deriveKey', name === 'PBKDF2'
          ? { name, hash: 'SHA-1', salt: MESSAGE, iterations: 2 }
          : { name, hash: 'SHA-1', salt: MESSAGE, info: MESSAGE }, key, { name: 'AES-GCM', length: 256 }, true, ['encrypt']);
        return I.call('exportKey', 'raw', derived);
      }
      default: return `no usage to exercise (${usage})`;
    }
  });
}

/**
 * The comparable outcome of a key an operation returned on target I:
 * its attributes, its exported length, and (when extractable) what each of
 * the three implementations makes of its bytes.
 */
export async function keyOutcome(I, key, targets, { exportBytes = false, use = false } = {}) {
  const facts = keyFacts(key);
  if (!key || typeof key !== 'object' || !('extractable' in key)) return { facts };
  if (!key.extractable) {
    // (exportKey of a non-extractable key is the exportKey cells' business.)
    const outcome = { facts };
    if (use) outcome.use = await useOutcome(I, key);
    return outcome;
  }
  let raw;
  try {
    raw = new Uint8Array(await I.call('exportKey', rawFormat(facts.algorithm?.name), key));
  } catch (error) {
    return { facts, export: outcomeOfError(error) };
  }
  const rawHex = toHex(raw);
  const cross = {};
  for (const J of Object.values(targets)) cross[J.id] = await crossCheck(I, key, rawHex, J);
  const outcome = { facts, export: exportBytes ? `raw:${rawHex}` : `raw(${raw.byteLength})`, cross };
  if (use) outcome.use = await useOutcome(I, key);
  return outcome;
}
