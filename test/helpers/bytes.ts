// Test data: random inputs (the oracles say what the answer is) and hex.
import { randomBytes } from 'node:crypto';

export function randomData(length: number): Uint8Array {
  return new Uint8Array(randomBytes(length));
}

export function hex(data: ArrayBuffer | ArrayBufferView): string {
  const bytes = ArrayBuffer.isView(data)
    ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : new Uint8Array(data);
  return Buffer.from(bytes).toString('hex');
}

export function fromHex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
}

export const KiB = 1024;
export const MiB = 1024 * KiB;
