// What a stream holds in the kernel between chunks: op sockets leased from
// their sessions (with a pending MSG_MORE hash, a half-done GHASH) and
// native secrets (GCM's J0). A hold ends exactly once: cleanly when the
// stream finished (the sockets go back to their pools), or not (closed,
// since their state is unusable) when it errored, was aborted or cancelled,
// or was garbage-collected without ending.
import type { AlgSocket, Secret } from '../kernel/binding';
import { kernelError, type KernelAlgorithmRef } from '../kernel/errors';
import type { Lease, Session } from '../kernel/session';

// The safety net: a stream dropped before it ended (never closed, never
// aborted) gives its sockets back once every part of it is collected. The
// held value must never reference the stream.
interface Watch {
  readonly hold: KernelHold;
  /** Parts not collected yet. */
  remaining: number;
}
const dropped = new FinalizationRegistry<Watch>((watch) => {
  if (--watch.remaining === 0) watch.hold.end(false);
});

export class KernelHold {
  readonly #leases: Lease[] = [];
  readonly #secrets: Secret[] = [];
  /** Jobs running on the held sockets (a thread-pool job reads J0 until it ends). */
  #running = 0;
  #ended = false;
  #reason: unknown;

  /**
   * Ends the hold (not cleanly) if all of parts are collected before it
   * ended. Watch what the user holds, not a wrapper: Node's TransformStream
   * object can be collected while its readable and writable sides are in
   * use (they do not reference it), so a TransformStream is watched through
   * both sides.
   */
  watch(...parts: object[]): void {
    const watch: Watch = { hold: this, remaining: parts.length };
    for (const part of parts) dropped.register(part, watch, this);
  }

  /** An op socket of session, held until the hold ends. */
  lease(session: Session): AlgSocket {
    this.#check();
    const lease = session.lease();
    this.#leases.push(lease);
    return lease.op;
  }

  /** A native secret, wiped when the hold ends and no job is using it. */
  keep(secret: Secret): void {
    if (this.#ended) {
      secret.wipe();
      this.#check();
    }
    this.#secrets.push(secret);
  }

  /**
   * Runs a kernel job on held sockets; addon errors become KernelErrors
   * naming algorithm. Refuses once the hold has ended (a cancel arrived
   * while an earlier job was running).
   */
  async run<T>(algorithm: KernelAlgorithmRef, job: () => T | Promise<T>): Promise<T> {
    this.#check();
    this.#running++;
    try {
      return await job();
    } catch (error) {
      throw kernelError(error, algorithm);
    } finally {
      this.#running--;
      if (this.#ended) this.#wipeSecrets();
    }
  }

  /**
   * Gives everything back: clean, the sockets carry no pending state and
   * return to their pools; otherwise they are closed (a socket that a
   * running job still uses is closed by the addon when the job ends).
   * Secrets are wiped once no job runs. Idempotent.
   */
  end(clean: boolean, reason?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#reason = reason;
    dropped.unregister(this);
    for (const lease of this.#leases.splice(0)) {
      try {
        if (clean) lease.release();
        else lease.discard();
      } catch {
        // Ending runs on error paths and in a finalizer: it must not throw,
        // and one socket that fails to close must not keep the rest open.
      }
    }
    this.#wipeSecrets();
  }

  // Secret.wipe() frees the bytes, which a thread-pool job reads through a
  // reference: wait until the last job has ended.
  #wipeSecrets(): void {
    if (this.#running > 0) return;
    for (const secret of this.#secrets.splice(0)) secret.wipe();
  }

  #check(): void {
    if (this.#ended) throw this.#reason ?? new TypeError('The stream has ended; its kernel sockets were given back');
  }
}
