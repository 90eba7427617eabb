// Imported first by run.mjs: captures Node's own WebCrypto and its
// interface objects before anything else is loaded that could install a
// polyfill over globalThis.crypto.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const nodeWebcrypto = require('node:crypto').webcrypto;
export const nodeInterfaces = {
  Crypto: globalThis.Crypto,
  SubtleCrypto: globalThis.SubtleCrypto,
  CryptoKey: globalThis.CryptoKey,
};
