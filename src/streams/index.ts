// Streaming WebCrypto over WHATWG streams (issue 9): digests, HMAC and AES
// whose chunks go to the kernel as they arrive, with results identical to
// the one-shot SubtleCrypto methods. See docs/streams.md.
export { digestStream, signStream, verifyStream, type DigestStream, type SignStream, type VerifyStream } from './digest-stream';
export { decryptStream, encryptStream, type CipherStreamAlgorithm } from './cipher-stream';
export {
  DEFAULT_HIGH_WATER_MARK_BYTES, DEFAULT_MAX_BUFFERED_BYTES, defaultStreamClasses,
  type CipherStreamOptions, type StreamChunk, type StreamClasses, type StreamOptions, type StreamOutput,
} from './options';
