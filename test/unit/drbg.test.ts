// DrbgTest's argument checks, which all run before any kernel call (so here,
// without AF_ALG). Sizes come from the kernel: algif_rng.c takes at most 128
// bytes of test entropy or additional input and returns at most 128 per read.
import { expect, test } from 'vitest';
import { DrbgTest } from '../../src/drbg';

const entropy = new Uint8Array(48);

test.each([
  ['a prediction-resistant DRBG', { name: 'drbg_pr_hmac_sha256', entropyInput: entropy }, TypeError, /drbg_nopr_/],
  ['the default rng', { name: 'stdrng', entropyInput: entropy }, TypeError, /"stdrng"/],
  ['a name that is not a string', { name: 42 as unknown as string, entropyInput: entropy }, TypeError, /42/],
  ['no entropy', { name: 'drbg_nopr_sha256', entropyInput: new Uint8Array(0) }, RangeError, /1 to 128 bytes, not 0/],
  ['129 bytes of entropy and nonce', { name: 'drbg_nopr_sha256', entropyInput: new Uint8Array(100), nonce: new Uint8Array(29) },
    RangeError, /not 129/],
  ['entropy that is not a BufferSource', { name: 'drbg_nopr_sha256', entropyInput: 'abc' as unknown as BufferSource },
    TypeError, /member 'entropyInput' is not an ArrayBuffer/],
  ['a nonce that is not a BufferSource', { name: 'drbg_nopr_sha256', entropyInput: entropy, nonce: [1] as unknown as BufferSource },
    TypeError, /member 'nonce'/],
])('instantiate rejects %s', (_, params, type, message) => {
  expect(() => DrbgTest.instantiate(params)).toThrow(type);
  expect(() => DrbgTest.instantiate(params)).toThrow(message);
});
