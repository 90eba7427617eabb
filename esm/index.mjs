// ESM entry: the same objects as the CommonJS build (one instance of each
// class, so `instanceof` agrees across both entry points).
import cjs from '../dist/index.js';

export const {
  crypto, subtle, createCrypto, install, operationCounts, servingBackends, Crypto, CryptoKey, SubtleCrypto, KernelError,
} = cjs;
export default cjs;
