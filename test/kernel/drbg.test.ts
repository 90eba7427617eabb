// The DRBG test interface on a distribution kernel. Debian's kernels (the
// ones this suite boots) are built without CONFIG_CRYPTO_USER_API_RNG_CAVP,
// so ALG_SET_DRBG_ENTROPY gives ENOPROTOOPT: DrbgTest must say which option
// is missing and leave no socket open. The known-answer tests run in the test
// kernel that has the option: test/cavp (npm run test:cavp).
import { beforeAll, expect, test } from 'vitest';
import { DrbgTest, KernelError } from '../../src/index';
import { binding } from '../../src/kernel/binding';
import { requireAfAlg } from '../helpers/kernel';
import { DRBG_VECTORS } from '../cavp/drbg-vectors';

beforeAll(requireAfAlg);

const bytes = (hexString: string) => Buffer.from(hexString, 'hex');

test.each(['drbg_nopr_hmac_sha256', 'drbg_nopr_sha256', 'drbg_nopr_ctr_aes128'])(
  '%s: instantiating with test entropy fails naming CONFIG_CRYPTO_USER_API_RNG_CAVP', (name) => {
    const vector = DRBG_VECTORS.find((v) => v.name === name)!;
    const socketsBefore = binding().openSocketCount();
    let thrown: unknown;
    try {
      DrbgTest.instantiate({ name, entropyInput: bytes(vector.entropyInput), nonce: bytes(vector.nonce) });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(KernelError);
    const error = thrown as KernelError;
    expect([error.kind, error.code, error.syscall]).toEqual(
      ['unavailable', 'ENOPROTOOPT', 'setsockopt(ALG_SET_DRBG_ENTROPY)']);
    expect(error.message).toContain('CONFIG_CRYPTO_USER_API_RNG_CAVP');
    expect(error.message).toContain(`rng:${name}`);
    expect(binding().openSocketCount()).toBe(socketsBefore);
  });

test('a DRBG name the kernel does not have fails at bind, naming the drbg module', () => {
  expect(() => DrbgTest.instantiate({ name: 'drbg_nopr_hmac_sha1024', entropyInput: new Uint8Array(48) }))
    .toThrow(/rng:drbg_nopr_hmac_sha1024.*CONFIG_CRYPTO_DRBG/);
});
