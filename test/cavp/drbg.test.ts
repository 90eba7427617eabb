// The kernel DRBGs against NIST SP 800-90A known answers, through the AF_ALG
// test interface (ALG_SET_DRBG_ENTROPY). Runs only in a kernel built with
// CONFIG_CRYPTO_USER_API_RNG_CAVP: `npm run test:cavp` boots the one
// scripts/vm/build-cavp-kernel builds. Stock kernels are covered by
// test/kernel/drbg.test.ts (the error naming the option).
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { DrbgTest } from '../../src/index';
import { binding, type AlgSocket } from '../../src/kernel/binding';
import { requireAfAlg } from '../helpers/kernel';
import { DRBG_VECTORS, type DrbgVector } from './drbg-vectors';

beforeAll(requireAfAlg);

const bytes = (hexString: string) => Buffer.from(hexString, 'hex');
const open: DrbgTest[] = [];
afterEach(() => {
  for (const drbg of open.splice(0)) drbg.close();
});

function instantiate(vector: DrbgVector, change: Partial<DrbgVector> = {}): DrbgTest {
  const v = { ...vector, ...change };
  const drbg = DrbgTest.instantiate({
    name: v.name,
    entropyInput: bytes(v.entropyInput),
    nonce: bytes(v.nonce),
    personalizationString: bytes(v.personalizationString),
  });
  open.push(drbg);
  return drbg;
}

/** CAVS's no-reseed procedure: two generate calls, the second one's output is the answer. */
function returnedBits(drbg: DrbgTest, vector: DrbgVector, additionalInput = vector.additionalInput): string {
  const length = vector.returnedBits.length / 2;
  drbg.generate(length, bytes(additionalInput[0]));
  return Buffer.from(drbg.generate(length, bytes(additionalInput[1]))).toString('hex');
}

const label = (v: DrbgVector) =>
  `${v.name}, ${v.personalizationString ? 'with' : 'no'} personalization, ` +
  `${v.additionalInput[0] ? 'with' : 'no'} additional input`;

test.each(DRBG_VECTORS.map((v) => [label(v), v] as const))('%s: NIST known answer', (_, vector) => {
  expect(returnedBits(instantiate(vector), vector)).toBe(vector.returnedBits);
});

// Each input must reach the DRBG: changing any one byte changes the answer.
const withEverything = DRBG_VECTORS.filter((v) => v.personalizationString && v.additionalInput[0]);
const flipFirst = (hexString: string) => (Number.parseInt(hexString.slice(0, 2), 16) ^ 1).toString(16).padStart(2, '0') +
  hexString.slice(2);

test.each(withEverything.map((v) => [v.name, v] as const))('%s: a changed entropy, nonce or personalization changes the output', (_, vector) => {
  for (const field of ['entropyInput', 'nonce', 'personalizationString'] as const)
    expect(returnedBits(instantiate(vector, { [field]: flipFirst(vector[field]) }), vector)).not.toBe(vector.returnedBits);
});

test.each(withEverything.map((v) => [v.name, v] as const))('%s: changed additional input changes the output', (_, vector) => {
  const [first, second] = vector.additionalInput;
  expect(returnedBits(instantiate(vector), vector, [flipFirst(first), second])).not.toBe(vector.returnedBits);
  expect(returnedBits(instantiate(vector), vector, [first, flipFirst(second)])).not.toBe(vector.returnedBits);
});

test('generate checks its sizes before the kernel sees them', () => {
  const drbg = instantiate(DRBG_VECTORS[0]!);
  expect(() => drbg.generate(0)).toThrow(/from 1 to 128, not 0/);
  expect(() => drbg.generate(129)).toThrow(RangeError);
  expect(() => drbg.generate(1.5)).toThrow(RangeError);
  expect(() => drbg.generate(16, new Uint8Array(129))).toThrow(/at most 128 bytes, not 129/);
});

test('close releases both sockets', () => {
  const before = binding().openSocketCount();
  const drbg = DrbgTest.instantiate({ name: 'drbg_nopr_sha256', entropyInput: new Uint8Array(48).fill(7) });
  expect(binding().openSocketCount()).toBe(before + 2);
  drbg.close();
  expect(binding().openSocketCount()).toBe(before);
});

// The kernel's own rules, through the addon (docs/kernel-notes.md).
describe('ALG_SET_DRBG_ENTROPY in the kernel', () => {
  const codeOf = (action: () => unknown) => {
    try {
      action();
    } catch (error) {
      return (error as { code?: string }).code;
    }
    return 'no error';
  };
  const withTfm = (body: (tfm: AlgSocket) => void) => {
    const tfm = binding().AlgSocket.bind('rng', 'drbg_nopr_sha256');
    try {
      body(tfm);
    } finally {
      tfm.close();
    }
  };

  test('takes at most 128 bytes, once per tfm', () => {
    withTfm((tfm) => {
      expect(codeOf(() => tfm.setDrbgEntropy(new Uint8Array(129)))).toBe('EMSGSIZE');
      expect(codeOf(() => tfm.setDrbgEntropy(new Uint8Array(128)))).toBe('no error');
      expect(codeOf(() => tfm.setDrbgEntropy(new Uint8Array(48)))).toBe('EINVAL');
    });
  });

  test('empty entropy leaves the DRBG seeding itself: op sockets take no additional input', () => {
    withTfm((tfm) => {
      tfm.setDrbgEntropy(new Uint8Array(0));
      tfm.setKey(new Uint8Array(0));
      const op = tfm.accept();
      try {
        expect(codeOf(() => binding().drbgGenerate(op, new Uint8Array(16), 16))).toBe('EOPNOTSUPP');
        const first = Buffer.from(binding().drbgGenerate(op, null, 32)).toString('hex');
        expect(Buffer.from(binding().drbgGenerate(op, null, 32)).toString('hex')).not.toBe(first);
      } finally {
        op.close();
      }
    });
  });

  test('test entropy makes the output repeatable; additional input over 128 bytes is EMSGSIZE', () => {
    const outputs = [0, 1].map(() => {
      const drbg = DrbgTest.instantiate({ name: 'drbg_nopr_ctr_aes128', entropyInput: new Uint8Array(24).fill(3) });
      open.push(drbg);
      return Buffer.from(drbg.generate(64)).toString('hex');
    });
    expect(outputs[1]).toBe(outputs[0]);
    withTfm((tfm) => {
      tfm.setDrbgEntropy(new Uint8Array(48).fill(1));
      tfm.setKey(new Uint8Array(0));
      const op = tfm.accept();
      try {
        expect(codeOf(() => binding().drbgGenerate(op, new Uint8Array(129), 16))).toBe('EMSGSIZE');
      } finally {
        op.close();
      }
    });
  });
});
