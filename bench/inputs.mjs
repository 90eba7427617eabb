// The bytes every peer works on. bench/floor.c computes the same formulas,
// so its outputs can be compared with Node's byte for byte.

/** Message data: byte i is (i * 131 + 17) mod 256 (period 256, so it tiles fast). */
export function data(bytes) {
  const period = new Uint8Array(256);
  for (let i = 0; i < 256; i++) period[i] = (i * 131 + 17) & 0xff;
  const out = new Uint8Array(bytes);
  if (bytes > 0) Buffer.from(out.buffer, 0, bytes).fill(period);
  return out;
}

/** AES and HMAC keys and the PBKDF2 password: byte i is (i * 7 + 1) mod 256. */
export function keyBytes(bytes = 32) {
  return Uint8Array.from({ length: bytes }, (_, i) => (i * 7 + 1) & 0xff);
}

/** IVs, the AES-CTR counter block and the PBKDF2 salt: byte i is 0xa0 + i. */
export function ivBytes(bytes = 16) {
  return Uint8Array.from({ length: bytes }, (_, i) => (0xa0 + i) & 0xff);
}

/** The key AES-KW wraps: byte i is (i * 11 + 3) mod 256. */
export function wrappedKeyBytes(bytes = 32) {
  return Uint8Array.from({ length: bytes }, (_, i) => (i * 11 + 3) & 0xff);
}
