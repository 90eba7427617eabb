// Cuts a byte stream into whole AES blocks. Block modes run on whole
// blocks mid-stream (CBC cannot do otherwise; CTR and GCM must start each
// request on a counter block); the tail waits for more data or the end.
export const BLOCK_BYTES = 16;

export class BlockBuffer {
  #tail: Uint8Array = new Uint8Array(0);

  /**
   * keepLastBlock: never hand out the stream's final block before the end,
   * even when it is complete (CBC decryption checks the padding there).
   */
  constructor(private readonly keepLastBlock: boolean) {}

  /**
   * The whole blocks of tail || chunk to process now, as a new array the
   * caller owns (safe to hand to a thread-pool job); the rest is kept.
   */
  take(chunk: Uint8Array): Uint8Array {
    const tail = this.#tail;
    const total = tail.byteLength + chunk.byteLength;
    let keep = total % BLOCK_BYTES;
    if (this.keepLastBlock && keep === 0) keep = Math.min(BLOCK_BYTES, total);
    const now = total - keep;
    const out = new Uint8Array(now);
    let next: Uint8Array;
    if (now === 0) {
      next = new Uint8Array(total);
      next.set(tail);
      next.set(chunk, tail.byteLength);
    } else {
      // now is a whole number of blocks and the tail is at most one block, so it comes first whole.
      out.set(tail);
      out.set(chunk.subarray(0, now - tail.byteLength), tail.byteLength);
      next = chunk.slice(now - tail.byteLength);
    }
    tail.fill(0); // it may hold plaintext
    this.#tail = next;
    return out;
  }

  /** What is left at the end (the caller wipes it when done). */
  rest(): Uint8Array {
    const tail = this.#tail;
    this.#tail = new Uint8Array(0);
    return tail;
  }

  /** Forgets the tail, wiping it. */
  wipe(): void {
    this.rest().fill(0);
  }
}
