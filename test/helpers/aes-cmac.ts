// AES-CMAC (NIST SP 800-38B, section 6.2) over node:crypto's AES-ECB, as an
// independent oracle for the kernel's cmac(aes): no WebCrypto has CMAC.
import { createCipheriv } from 'node:crypto';

function encryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  const cipher = createCipheriv(`aes-${key.byteLength * 8}-ecb`, key, null).setAutoPadding(false);
  return new Uint8Array(Buffer.concat([cipher.update(block), cipher.final()]));
}

/** The subkey step: a left shift by one bit, reduced by R_128 = 0x87. */
function double(block: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = ((block[i]! << 1) | (i < 15 ? block[i + 1]! >> 7 : 0)) & 0xff;
  if (block[0]! & 0x80) out[15]! ^= 0x87;
  return out;
}

export function aesCmac(key: Uint8Array, message: Uint8Array): Uint8Array {
  const k1 = double(encryptBlock(key, new Uint8Array(16)));
  const k2 = double(k1);
  const blocks = Math.max(1, Math.ceil(message.byteLength / 16));
  const complete = message.byteLength > 0 && message.byteLength % 16 === 0;
  const last = new Uint8Array(16);
  last.set(message.subarray((blocks - 1) * 16));
  if (!complete) last[message.byteLength - (blocks - 1) * 16] = 0x80;
  const subkey = complete ? k1 : k2;
  let x: Uint8Array = new Uint8Array(16);
  for (let b = 0; b < blocks; b++) {
    const block = b < blocks - 1 ? message.subarray(b * 16, b * 16 + 16) : last.map((v, i) => v ^ subkey[i]!);
    x = encryptBlock(key, x.map((v, i) => v ^ block[i]!));
  }
  return x;
}
