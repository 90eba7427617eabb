// Kernel sessions: a bound tfm socket (keyed once, for keyed algorithms) with
// op sockets under it, reused across calls. Sessions are a cache: any idle
// session can be closed to free descriptors and is rebuilt on next use.
import { readFileSync } from 'node:fs';
import { binding, type AlgSocket } from './binding';
import { KernelError, kernelError, type AlgType, type KernelAlgorithmRef } from './errors';
import { runsAsync } from './schedule';

/** One op socket per in-flight operation; this many run at once per session. */
const MAX_ASYNC_PER_SESSION = 4;
/** Idle op sockets kept per session for reuse. */
const MAX_IDLE_OPS = 4;

/**
 * The most AF_ALG sockets this process keeps open at once: at most 1024,
 * and at most a quarter of the open-file limit, so a low `ulimit -n` still
 * leaves room for the application's own files.
 */
export const SOCKET_BUDGET = computeSocketBudget();

function computeSocketBudget(): number {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const soft = /^Max open files\s+(\d+)/m.exec(limits);
    if (soft) return Math.max(8, Math.min(1024, Math.floor(Number(soft[1]) / 4)));
  } catch {
    // not Linux, or /proc is not mounted: use the default
  }
  return 1024;
}

/** A counting semaphore: enter() waits while `limit` holders are inside. */
class Gate {
  private inside = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async enter(): Promise<void> {
    if (this.inside >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.inside++;
  }
  leave(): void {
    const next = this.waiting.shift();
    if (next) next(); // the slot passes straight to the next waiter
    else this.inside--;
  }
}

/**
 * Jobs queued on the thread pool at once. Each holds up to two sessions'
 * tfm and op sockets that cannot be evicted while it runs, so this keeps
 * them within an eighth of the budget: thousands of keys in flight wait
 * here instead of running the process out of descriptors. (The libuv pool
 * runs four at a time anyway.)
 */
const asyncJobs = new Gate(Math.max(4, Math.floor(SOCKET_BUDGET / 8)));

/** Sessions with open sockets, least recently used first. */
const openSessions = new Set<Session>();
/** The last session moved to the end of openSessions. */
let mostRecent: Session | undefined;

function forgetOpenSession(session: Session): void {
  openSessions.delete(session);
  if (mostRecent === session) mostRecent = undefined;
}
let openSockets = 0;

export class Session implements KernelAlgorithmRef {
  private tfm: AlgSocket | undefined;
  private readonly idle: AlgSocket[] = [];
  private inUse = 0;
  /** Async jobs of this session at once (one op socket each). */
  private readonly asyncTurns = new Gate(MAX_ASYNC_PER_SESSION);
  private closeWhenIdle = false;

  /** configure keys the fresh tfm (ALG_SET_KEY, AUTHSIZE) each time it is bound. */
  constructor(
    readonly type: AlgType,
    readonly name: string,
    private readonly configure?: (tfm: AlgSocket) => void,
  ) {}

  toString(): string {
    return `${this.type}:${this.name}`;
  }

  /**
   * Runs job on op sockets of these sessions: synchronously for small inputs
   * (returning the result itself, or throwing), on the thread pool for large
   * ones (returning a promise). No promise is made on the synchronous path:
   * the facade makes the one its caller gets. An op socket whose job failed
   * is closed, never reused.
   */
  static run<T>(sessions: Session[], inputBytes: number,
                job: (ops: AlgSocket[], async: boolean) => T | Promise<T>): T | Promise<T> {
    if (runsAsync(inputBytes)) return Session.runAsync(sessions, job);
    return Session.withOps(sessions, (ops) => job(ops, false) as T);
  }

  /** Runs job synchronously on an op socket of session. */
  static runSync<T>(session: Session, job: (op: AlgSocket) => T): T {
    return Session.withOps([session], (ops) => job(ops[0]!));
  }

  private static withOps<T>(sessions: Session[], job: (ops: AlgSocket[]) => T): T {
    for (let attempt = 1; ; attempt++) {
      const ops: AlgSocket[] = [];
      try {
        for (const session of sessions) ops.push(session.acquire());
        const result = job(ops);
        for (let i = 0; i < ops.length; i++) sessions[i]!.release(ops[i]!);
        return result;
      } catch (error) {
        if (!Session.recover(sessions, ops, error, attempt)) throw kernelError(error, Session.culprit(sessions, ops));
      }
    }
  }

  private static async runAsync<T>(sessions: Session[],
                                   job: (ops: AlgSocket[], async: boolean) => T | Promise<T>): Promise<T> {
    const lead = sessions[0]!;
    await asyncJobs.enter();
    await lead.asyncTurns.enter();
    try {
      for (let attempt = 1; ; attempt++) {
        const ops: AlgSocket[] = [];
        try {
          for (const session of sessions) ops.push(session.acquire());
          const result = await job(ops, true);
          sessions.forEach((s, i) => s.release(ops[i]!));
          return result;
        } catch (error) {
          if (!Session.recover(sessions, ops, error, attempt)) throw kernelError(error, Session.culprit(sessions, ops));
        }
      }
    } finally {
      lead.asyncTurns.leave();
      asyncJobs.leave();
    }
  }

  /**
   * After a failed job: drops its op sockets, and says whether to retry.
   * A socket closed underneath us (EBADF, ENOTSOCK: other code closed our
   * descriptor) is no reason to fail: the sessions are rebuilt and the job,
   * whose inputs are unchanged, runs once more.
   */
  private static recover(sessions: Session[], ops: AlgSocket[], error: unknown, attempt: number): boolean {
    ops.forEach((op, i) => sessions[i]!.discard(op));
    const code = (error as { code?: unknown }).code;
    if (attempt > 1 || (code !== 'EBADF' && code !== 'ENOTSOCK')) return false;
    for (const session of sessions) session.rebuild();
    return true;
  }

  /** The session whose acquire failed, else the first. */
  private static culprit(sessions: Session[], ops: AlgSocket[]): Session | undefined {
    return sessions[ops.length < sessions.length ? ops.length : 0];
  }

  /**
   * An op socket held across calls (a stream's pending MSG_MORE state).
   * The holder must end the lease: release() when the socket is clean
   * again, discard() otherwise (it is closed).
   */
  lease(): Lease {
    let op: AlgSocket | undefined;
    try {
      op = this.acquire();
    } catch (error) {
      throw kernelError(error, this);
    }
    const held = op;
    let ended = false;
    const end = (reuse: boolean) => {
      if (ended) return;
      ended = true;
      if (reuse) this.release(held);
      else this.discard(held);
    };
    return { op: held, release: () => end(true), discard: () => end(false) };
  }

  /** Runs fn with this session's bound tfm (for setup such as the GHASH key). */
  withTfm<T>(fn: (tfm: AlgSocket) => T): T {
    try {
      return fn(this.boundTfm());
    } catch (error) {
      throw kernelError(error, this);
    }
  }

  /** Closes the sockets now, or when the running jobs end. Rebuilt on next use. */
  close(): void {
    if (this.inUse > 0) {
      this.closeWhenIdle = true;
      return;
    }
    for (const op of this.idle.splice(0)) closeSocket(op);
    if (this.tfm) closeSocket(this.tfm);
    this.tfm = undefined;
    this.closeWhenIdle = false;
    forgetOpenSession(this);
  }

  /**
   * Forgets the tfm and idle op sockets so the next use binds afresh.
   * Sockets that are no longer ours (closed or reused underneath us) are
   * abandoned, never closed: their number may belong to another file now.
   */
  private rebuild(): void {
    for (const socket of [...this.idle.splice(0), ...(this.tfm ? [this.tfm] : [])]) {
      if (socket.healthy) closeSocket(socket);
      else abandonSocket(socket);
    }
    this.tfm = undefined;
    forgetOpenSession(this);
  }

  private boundTfm(): AlgSocket {
    if (this.tfm === undefined) {
      const tfm = openSocket(() => binding().AlgSocket.bind(this.type, this.name));
      try {
        this.configure?.(tfm);
      } catch (error) {
        closeSocket(tfm);
        throw error;
      }
      this.tfm = tfm;
    }
    // Most recently used goes last; a session used again and again stays
    // put (moving it on every call cost a few percent of a small operation).
    if (mostRecent !== this) {
      openSessions.delete(this);
      openSessions.add(this);
      mostRecent = this;
    }
    return this.tfm;
  }

  private acquire(): AlgSocket {
    const tfm = this.boundTfm();
    const op = this.idle.pop() ?? openSocket(() => tfm.accept());
    this.inUse++;
    return op;
  }

  private release(op: AlgSocket): void {
    this.inUse--;
    if (this.idle.length < MAX_IDLE_OPS && !this.closeWhenIdle) this.idle.push(op);
    else closeSocket(op);
    if (this.closeWhenIdle && this.inUse === 0) this.close();
  }

  private discard(op: AlgSocket): void {
    this.inUse--;
    if (op.healthy) closeSocket(op);
    else abandonSocket(op);
    if (this.closeWhenIdle && this.inUse === 0) this.close();
  }

  /** Whether close() would free something now. */
  get evictable(): boolean {
    return this.inUse === 0 && this.tfm !== undefined;
  }
}

export interface Lease {
  readonly op: AlgSocket;
  release(): void;
  discard(): void;
}

/** Opens a socket within the budget, evicting idle sessions as needed. */
function openSocket(open: () => AlgSocket): AlgSocket {
  if (openSockets >= SOCKET_BUDGET) evictIdle(openSockets - SOCKET_BUDGET + 1);
  let socket: AlgSocket;
  try {
    socket = open();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== 'EMFILE' && code !== 'ENFILE') throw error;
    // The process ran out of descriptors elsewhere: free all we can, retry once.
    evictIdle(Infinity);
    socket = open();
  }
  openSockets++;
  return socket;
}

function closeSocket(socket: AlgSocket): void {
  if (!socket.closed) {
    socket.close();
    openSockets--;
  }
}

function abandonSocket(socket: AlgSocket): void {
  if (!socket.closed) {
    socket.abandon();
    openSockets--;
  }
}

/** Closes least recently used idle sessions until `sockets` are freed. */
function evictIdle(sockets: number): void {
  const before = openSockets;
  for (const session of [...openSessions]) {
    if (before - openSockets >= sockets) break;
    if (session.evictable) session.close();
  }
}

/** The AF_ALG sockets this library holds open (for tests and the doctor). */
export function openSocketCount(): number {
  return openSockets;
}

// Sessions of keyless algorithms (digests, the DRBG) are shared process-wide.
const sharedSessions = new Map<string, Session>();

export function sharedSession(type: AlgType, name: string, configure?: (tfm: AlgSocket) => void): Session {
  const id = `${type}:${name}`;
  let session = sharedSessions.get(id);
  if (session === undefined) {
    session = new Session(type, name, configure);
    sharedSessions.set(id, session);
  }
  return session;
}

/** Whether the kernel can bind type:name (loads the module if it can). */
export function probe(type: AlgType, name: string): KernelError | undefined {
  try {
    binding().AlgSocket.bind(type, name).close();
    return undefined;
  } catch (error) {
    const mapped = kernelError(error, { type, name });
    if (mapped instanceof KernelError) return mapped;
    throw mapped;
  }
}

// When a key is garbage-collected, its sessions (and the kernel's copy of
// its key) are closed. The held value must not reference the key itself.
const keyFinalizer = new FinalizationRegistry<Map<string, Session>>((sessions) => {
  for (const session of sessions.values()) session.close();
});

/**
 * The kernel sessions of one key: one tfm per (kernel algorithm, variant),
 * each keyed from the same secret whenever it is (re)bound.
 */
export class KeySessions {
  private readonly sessions = new Map<string, Session>();

  /** Closes the sessions once owner (the key) is garbage-collected. */
  closeWhenCollected(owner: object): void {
    keyFinalizer.register(owner, this.sessions);
  }

  /**
   * The session for type:name keyed by configure. `variant` separates tfms
   * of one algorithm that differ in a tfm-wide setting (an AEAD tag size).
   */
  get(type: AlgType, name: string, configure: (tfm: AlgSocket) => void, variant = ''): Session {
    const id = `${type}:${name}${variant}`;
    let session = this.sessions.get(id);
    if (session === undefined) {
      session = new Session(type, name, configure);
      this.sessions.set(id, session);
    }
    return session;
  }

  /** Closes every session now (they reopen on next use). */
  close(): void {
    for (const session of this.sessions.values()) session.close();
  }
}
