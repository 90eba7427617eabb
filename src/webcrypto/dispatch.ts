// Which backend serves an algorithm: the kernel (a registry row whose
// kernel algorithms this kernel has) or, in hybrid mode, the platform's own
// WebCrypto. Strict mode never leaves the kernel. Counts every operation
// per backend so an operator can prove where the work ran.
import { probe } from '../kernel/session';
import type { AlgorithmModule } from './algorithm-module';
import { keySlots, type CryptoKey } from './crypto-key';
import { domError } from './dom-errors';
import { normalizeAlgorithm } from './normalize';
import type { NormalizedAlgorithm } from './params';
import { ASYMMETRIC_ALGORITHMS, isPlatformAlgorithm, PLATFORM_ONLY_ALGORITHMS, platformAlgorithm, platformModule } from './platform';
import { REGISTRY, registration, type Operation, type Registration } from './registry';
import type { Context } from './webidl';

export type Mode = 'hybrid' | 'strict';
export type Backend = 'kernel' | 'platform';

export function parseMode(value: string | undefined): Mode {
  if (value === undefined || value === '' || value === 'hybrid') return 'hybrid';
  if (value === 'strict') return 'strict';
  throw new TypeError(`Unknown mode '${value}': use 'hybrid' or 'strict'`);
}

// "get key length" is plain arithmetic on the params (AES, HMAC), so our
// own modules answer it whatever the kernel has, and the platform (which
// has no way to be asked) never does.
const KERNEL_ONLY_OPS: readonly Operation[] = ['get key length'];

const availability = new Map<Registration, boolean>();

/** Whether this kernel binds every kernel algorithm a registry row uses (probed once). */
export function kernelServes(row: Registration): boolean {
  let available = availability.get(row);
  if (available === undefined) {
    available = row.kernel.every((id) => {
      const colon = id.indexOf(':');
      return probe(id.slice(0, colon) as 'hash', id.slice(colon + 1)) === undefined;
    });
    availability.set(row, available);
  }
  return available;
}

export type ServedBy = Backend | 'unavailable';

export interface AlgorithmBackend {
  readonly algorithm: string;
  readonly servedBy: ServedBy;
  /** The kernel algorithms it binds when the kernel serves it. */
  readonly kernel: readonly string[];
}

/** A platform algorithm's name as the spec spells it, when we know it (counts and messages). */
function canonicalName(name: string): string {
  const lower = name.replace(/[A-Z]/g, (c) => c.toLowerCase());
  return PLATFORM_ONLY_ALGORITHMS.find((known) => known.toLowerCase() === lower) ?? name;
}

export interface Route {
  readonly backend: Backend;
  readonly module: AlgorithmModule;
}

/** The kernel route of one registry row, with the operations it served. */
interface KernelRoute extends Route {
  readonly backend: 'kernel';
  readonly row: Registration;
  served: number;
}

export class Dispatch {
  private readonly platformRoute: Route | undefined;
  /** Made once per row, so routing and counting a call allocate nothing. */
  private readonly kernelRoutes = new Map<Registration, KernelRoute>(
    REGISTRY.map((row) => [row, { backend: 'kernel', module: row.module, row, served: 0 }]));
  /** Platform operations served, per algorithm name. */
  private readonly platformCounts = new Map<string, number>();

  constructor(readonly mode: Mode, platform: globalThis.SubtleCrypto | undefined) {
    this.platformRoute = mode === 'hybrid' && platform ? { backend: 'platform', module: platformModule(platform) } : undefined;
  }

  /** normalizeAlgorithm, routing to the platform what the kernel cannot serve. */
  normalize(alg: unknown, op: Operation, ctx: Context): NormalizedAlgorithm {
    let normalized: NormalizedAlgorithm;
    try {
      normalized = normalizeAlgorithm(alg, op, ctx);
    } catch (error) {
      if (!(error instanceof DOMException) || error.name !== 'NotSupportedError') throw error;
      const given = this.nameOf(alg);
      const name = canonicalName(given);
      // Only algorithms of the platform's own go there: a registered name
      // that lacks the operation (AES-GCM has no "wrapKey") stays
      // NotSupportedError, so wrapKey falls back to encrypt; an unknown name
      // stays NotSupportedError too (some platforms would even accept
      // 'ſha-256' through Unicode case folding, against the spec).
      if (this.platformRoute && !KERNEL_ONLY_OPS.includes(op) && PLATFORM_ONLY_ALGORITHMS.includes(name))
        return platformAlgorithm(name, alg);
      if (this.mode === 'strict' && ASYMMETRIC_ALGORITHMS.includes(name))
        throw domError('NotSupportedError',
          `${given} is not available in strict mode: the kernel's AF_ALG interface has no asymmetric algorithms ` +
          '(use mode "hybrid" to serve it from the platform WebCrypto)');
      throw error;
    }
    if (this.platformRoute && !KERNEL_ONLY_OPS.includes(op) && !kernelServes(registration(normalized.name)!))
      return platformAlgorithm(normalized.name, alg);
    return normalized;
  }

  /** The backend for a normalized algorithm. */
  route(normalized: NormalizedAlgorithm, op: Operation): Route {
    if (isPlatformAlgorithm(normalized)) return this.platformRoute!;
    const row = registration(normalized.name);
    if (row === undefined || row.ops[op] === undefined)
      throw domError('NotSupportedError', `${normalized.name} does not support '${op}'`);
    return this.kernelRoutes.get(row)!;
  }

  /** The backend that holds a key (for exportKey). */
  routeForKey(key: CryptoKey, op: Operation): Route {
    const { material, algorithm } = keySlots(key)!;
    if (material.backend === 'platform') {
      if (!this.platformRoute) throw domError('NotSupportedError', `${algorithm.name} keys from the platform cannot be used in strict mode`);
      return this.platformRoute;
    }
    return this.route(algorithm as NormalizedAlgorithm, op);
  }

  /** Counts one operation of route (name: the algorithm, for platform routes). */
  count(route: Route, name: string): void {
    if (route.backend === 'kernel') (route as KernelRoute).served++;
    else this.platformCounts.set(name, (this.platformCounts.get(name) ?? 0) + 1);
  }

  /** Which backend serves each algorithm this library knows of, in this process. */
  servingTable(): AlgorithmBackend[] {
    const fallback: ServedBy = this.platformRoute ? 'platform' : 'unavailable';
    return [
      ...REGISTRY.map((row) => ({
        algorithm: row.name,
        servedBy: kernelServes(row) ? 'kernel' as const : fallback,
        kernel: row.kernel,
      })),
      ...ASYMMETRIC_ALGORITHMS.map((algorithm) => ({ algorithm, servedBy: fallback, kernel: [] })),
    ];
  }

  /** Operations served so far, per backend and algorithm. */
  operationCounts(): Record<Backend, Record<string, number>> {
    const out: Record<Backend, Record<string, number>> = { kernel: {}, platform: {} };
    for (const { row, served } of this.kernelRoutes.values()) if (served > 0) out.kernel[row.name] = served;
    for (const [name, n] of this.platformCounts) out.platform[name] = n;
    return out;
  }

  private nameOf(alg: unknown): string {
    if (typeof alg === 'string') return alg;
    const name = (alg as { name?: unknown }).name;
    return typeof name === 'string' ? name : String(name);
  }
}
