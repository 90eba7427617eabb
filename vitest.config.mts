import { defineConfig } from 'vitest/config';

// Three projects, because they run in different places: `unit` needs no kernel and always runs on
// this machine; `kernel` needs AF_ALG and runs natively or inside scripts/vm/run (scripts/test.mjs
// decides); `cavp` needs a kernel with CONFIG_CRYPTO_USER_API_RNG_CAVP (scripts/vm/run --kernel cavp). Each test runs in a forked process, so a crash in the native addon fails one file.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          pool: 'forks',
        },
      },
      {
        // Known-answer tests of the DRBG test interface: only in the CAVP test kernel (npm run test:cavp).
        test: {
          name: 'cavp',
          include: ['test/cavp/**/*.test.ts'],
          environment: 'node',
          pool: 'forks',
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'kernel',
          include: ['test/kernel/**/*.test.ts'],
          environment: 'node',
          pool: 'forks',
          // The VM emulates the CPU (qemu TCG), about ten times slower than running natively.
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
