// afalg-webcrypto: WebCrypto for Node.js computed by the Linux kernel
// through AF_ALG sockets.
import { createCrypto } from './webcrypto/crypto';

export { Crypto, createCrypto, operationCounts, servingBackends, type CryptoOptions } from './webcrypto/crypto';
export type { AlgorithmBackend, Backend, Mode, ServedBy } from './webcrypto/dispatch';
export { CryptoKey, type KeyAlgorithm, type KeyType, type KeyUsage } from './webcrypto/crypto-key';
export { SubtleCrypto } from './webcrypto/subtle';
export type { CryptoKeyPair, JsonWebKey, KeyFormat } from './webcrypto/algorithm-module';
export type { RandomSource } from './webcrypto/random';
export { KernelError } from './kernel/errors';
export { install, type InstallOptions } from './polyfill/install';
export {
  digestStream, signStream, verifyStream, encryptStream, decryptStream,
  DEFAULT_HIGH_WATER_MARK_BYTES, DEFAULT_MAX_BUFFERED_BYTES,
  type DigestStream, type SignStream, type VerifyStream, type CipherStreamAlgorithm,
  type StreamOptions, type CipherStreamOptions, type StreamClasses, type StreamChunk, type StreamOutput,
} from './streams';
export { DrbgTest, type DrbgTestInstantiation } from './drbg';
export { importKeyringKey, moveKeyToKeyring, type KeyringKeyReference, type KeyringName } from './keyring';

/** The default instance: kernel crypto without touching globals. */
export const crypto = createCrypto();
export const subtle = crypto.subtle;
