// Every generator, keyed by algorithm name (as the registry spells it) and
// then by operation (as the registry names it). Cells whose operation the
// registry row does not list are reported as extra rows; a registry
// operation without a cell fails the run.
import aes from './aes.mjs';
import cryptoMethods from './crypto.mjs';
import macs from './hmac.mjs';
import kdf from './kdf.mjs';
import sha from './sha.mjs';

/** Rows that are not registry algorithms: the Crypto interface's own methods. */
export const NON_REGISTRY_ROWS = ['Crypto'];

export function buildGenerators(context) {
  return { ...sha, ...macs(context), ...aes(context), ...kdf(context), ...cryptoMethods(context) };
}
