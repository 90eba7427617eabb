// ESM entry: the same objects as the CommonJS build (one instance of each
// class, so `instanceof` agrees across both entry points).
import cjs from '../dist/index.js';

export const {
  crypto, subtle, createCrypto, install, operationCounts, servingBackends, importKeyringKey, moveKeyToKeyring,
  Crypto, CryptoKey, SubtleCrypto, KernelError,
  digestStream, signStream, verifyStream, encryptStream, decryptStream,
  DEFAULT_HIGH_WATER_MARK_BYTES, DEFAULT_MAX_BUFFERED_BYTES,
} = cjs;
export default cjs;
