// The doctor: what this kernel offers afalg-webcrypto. It binds every kernel
// algorithm the registry uses (which also instantiates templates such as
// gcm(aes)), then reads /proc/crypto to name the driver that serves each,
// then runs each registered algorithm's known-answer test through the public
// API. runDoctor() returns the report as data; renderText() prints it.
import { release } from 'node:os';
import { KernelError, type AlgType } from '../kernel/errors';
import { ProcCrypto, readFips, type FipsState } from '../kernel/proc-crypto';
import { probe } from '../kernel/session';
import { createCrypto, servingBackends, type Crypto } from '../webcrypto/crypto';
import { parseMode, type AlgorithmBackend, type Mode } from '../webcrypto/dispatch';
import { DEFAULT_DRBG, parseRandomSource, type RandomSource } from '../webcrypto/random';
import { REGISTRY, type Registration } from '../webcrypto/registry';
import { SELF_TESTS, type SelfTest, type SelfTestSubtle } from './self-tests';

/** One kernel algorithm as `type:name`, bound and looked up in /proc/crypto. */
export interface KernelAlgorithmStatus {
  /** e.g. hash:hmac(sha256) */
  readonly ref: string;
  readonly available: boolean;
  /** The implementation bind() got (from /proc/crypto), when listed there. */
  readonly driver?: string;
  /** Its module, or "kernel" when built in. */
  readonly module?: string;
  readonly priority?: number;
  /** Why it is unavailable: the kernel error, naming the module or Kconfig option. */
  readonly reason?: string;
}

export type SelfTestStatus = 'passed' | 'failed' | 'no self-test' | 'skipped';

export interface AlgorithmStatus {
  /** The WebCrypto name, as REGISTRY spells it. */
  readonly name: string;
  readonly kernel: readonly KernelAlgorithmStatus[];
  readonly selfTest: { readonly status: SelfTestStatus; readonly detail?: string };
}

export interface DoctorReport {
  readonly kernelRelease: string;
  readonly node: string;
  /** Whether this ran inside the project's VM (scripts/vm/run). */
  readonly inVm: boolean;
  /** Whether the native addon loaded; nothing else is checked without it. */
  readonly addon: { readonly loaded: boolean; readonly reason?: string };
  readonly afalg: { readonly present: boolean; readonly reason?: string };
  /** Each AF_ALG type, checked by binding one baseline algorithm. */
  readonly types: readonly (KernelAlgorithmStatus & { readonly type: AlgType })[];
  readonly fips: FipsState;
  readonly random: {
    readonly source: string;
    readonly works: boolean;
    readonly reason?: string;
    /** The DRBG bound, for the 'drbg' sources. */
    readonly kernel?: KernelAlgorithmStatus;
  };
  readonly algorithms: readonly AlgorithmStatus[];
  /** The mode (AFALG_WEBCRYPTO_MODE) and which backend serves each algorithm in it. */
  readonly backends: { readonly mode: string; readonly table: readonly AlgorithmBackend[] };
  /** Everything that makes the exit code 1 or 2, one line each. */
  readonly problems: readonly string[];
  /** Worth knowing but not a failure (a registered algorithm without a self-test). */
  readonly notes: readonly string[];
  /** 0: everything registered works; 1: something is missing or failed; 2: no AF_ALG. */
  readonly exitCode: 0 | 1 | 2;
}

export interface DoctorOptions {
  /** The rows to check; default REGISTRY. */
  readonly registry?: readonly Registration[];
  /** Known-answer tests by algorithm name; default SELF_TESTS. */
  readonly selfTests?: Readonly<Record<string, SelfTest>>;
  /** How long one self-test may take. The VM emulates the CPU, so be generous. */
  readonly selfTestTimeoutMs?: number;
}

/** One baseline algorithm per AF_ALG type: if it binds, the type is there. */
export const TYPE_BASELINES: readonly { type: AlgType; name: string }[] = [
  { type: 'hash', name: 'sha256' },
  { type: 'skcipher', name: 'cbc(aes)' },
  { type: 'aead', name: 'gcm(aes)' },
  { type: 'rng', name: 'stdrng' },
];

const ALG_TYPES: readonly string[] = TYPE_BASELINES.map((baseline) => baseline.type);

/** Splits `hash:hmac(sha256)` at the first colon. */
function parseRef(ref: string): { type: AlgType; name: string } | undefined {
  const colon = ref.indexOf(':');
  const type = ref.slice(0, colon);
  return colon > 0 && ALG_TYPES.includes(type) ? { type: type as AlgType, name: ref.slice(colon + 1) } : undefined;
}

/** Binds ref once: undefined if it works, else why not. */
function bindError(ref: string): string | undefined {
  const parsed = parseRef(ref);
  if (parsed === undefined) return `"${ref}" is not of the form hash|skcipher|aead|rng:<kernel name>`;
  return probe(parsed.type, parsed.name)?.message;
}

/**
 * Why AF_ALG itself is unusable (EAFNOSUPPORT: the kernel has no AF_ALG), or
 * undefined when sockets can be made. Throws if the native addon cannot load.
 */
export function afalgAbsence(): KernelError | undefined {
  const error = probe('hash', 'sha256');
  return error?.code === 'EAFNOSUPPORT' ? error : undefined;
}

/** Binds every ref first, then reads /proc/crypto once for the drivers. */
function checkKernelAlgorithms(refs: readonly string[]): Map<string, KernelAlgorithmStatus> {
  const errors = new Map(refs.map((ref) => [ref, bindError(ref)]));
  let proc: ProcCrypto | undefined;
  try {
    proc = ProcCrypto.read();
  } catch {
    // /proc not mounted: the algorithms still work, only their drivers go unnamed
  }
  const result = new Map<string, KernelAlgorithmStatus>();
  for (const [ref, reason] of errors) {
    if (reason !== undefined) {
      result.set(ref, { ref, available: false, reason });
      continue;
    }
    const record = proc?.driverFor(parseRef(ref)!.name);
    result.set(ref, record
      ? { ref, available: true, driver: record.driver, module: record.module, priority: record.priority }
      : { ref, available: true });
  }
  return result;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.name === 'Error' ? error.message : `${error.name}: ${error.message}`;
  return String(error);
}

async function runSelfTest(test: SelfTest, subtle: SelfTestSubtle, timeoutMs: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    await Promise.race([test(subtle), timeout]);
    return undefined;
  } catch (error) {
    return describeError(error);
  } finally {
    clearTimeout(timer);
  }
}

function drbgName(source: RandomSource): string | undefined {
  if (source === 'drbg') return DEFAULT_DRBG;
  return source.startsWith('drbg:') ? source.slice(5) : undefined;
}

export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  const registry = options.registry ?? REGISTRY;
  const selfTests = options.selfTests ?? SELF_TESTS;
  const problems: string[] = [];
  const notes: string[] = [];
  const base = {
    kernelRelease: release(),
    node: process.version,
    inVm: process.env.AFALG_VM === '1',
    fips: readFips(),
  };

  let absence: KernelError | undefined;
  try {
    absence = afalgAbsence();
  } catch (error) {
    const reason = describeError(error);
    problems.push(`native addon: ${reason}`);
    const notChecked = 'not checked: the native addon did not load';
    return {
      ...base, addon: { loaded: false, reason }, afalg: { present: false, reason: notChecked }, types: [],
      random: { source: process.env.AFALG_WEBCRYPTO_RANDOM || 'getrandom', works: false, reason: notChecked },
      algorithms: [], backends: { mode: process.env.AFALG_WEBCRYPTO_MODE || 'hybrid', table: [] }, problems, notes, exitCode: 1,
    };
  }

  // The random source: the setting, and whether a read works (getrandom needs no AF_ALG).
  const randomSetting = process.env.AFALG_WEBCRYPTO_RANDOM;
  let source: RandomSource | undefined;
  let randomReason: string | undefined;
  try {
    source = parseRandomSource(randomSetting);
  } catch (error) {
    randomReason = `AFALG_WEBCRYPTO_RANDOM: ${describeError(error)}`;
  }
  let mode: Mode = 'hybrid';
  try {
    mode = parseMode(process.env.AFALG_WEBCRYPTO_MODE);
  } catch (error) {
    problems.push(`AFALG_WEBCRYPTO_MODE: ${describeError(error)}`);
  }
  // createCrypto reads the variables too: pass the parsed values, or valid ones if they were invalid.
  const crypto: Crypto = createCrypto({ random: source ?? 'getrandom', mode });
  const backends = { mode, table: servingBackends(crypto) };
  if (source !== undefined) {
    try {
      crypto.getRandomValues(new Uint8Array(16));
    } catch (error) {
      randomReason = describeError(error);
    }
  }
  const randomSource = source ?? randomSetting ?? '';
  if (randomReason !== undefined) problems.push(`random source ${randomSource}: ${randomReason}`);
  const randomResult = { source: randomSource, works: randomReason === undefined,
    ...(randomReason !== undefined && { reason: randomReason }) };

  if (absence) {
    problems.unshift(`AF_ALG: ${absence.message}`);
    return {
      ...base, addon: { loaded: true }, afalg: { present: false, reason: absence.message }, types: [],
      random: randomResult, algorithms: [], backends, problems, notes, exitCode: 2,
    };
  }
  const drbg = source && drbgName(source);

  // Bind everything, then read /proc/crypto once.
  const refs = new Set<string>(TYPE_BASELINES.map(({ type, name }) => `${type}:${name}`));
  for (const row of registry) row.kernel.forEach((ref) => refs.add(ref));
  if (drbg !== undefined) refs.add(`rng:${drbg}`);
  const kernel = checkKernelAlgorithms([...refs]);

  const types = TYPE_BASELINES.map(({ type, name }) => ({ type, ...kernel.get(`${type}:${name}`)! }));
  for (const status of types)
    if (!status.available) problems.push(`AF_ALG type ${status.type} (${status.ref}): ${status.reason}`);

  const random = { ...randomResult, ...(drbg !== undefined && { kernel: kernel.get(`rng:${drbg}`)! }) };

  const algorithms: AlgorithmStatus[] = [];
  for (const row of registry) {
    const statuses = row.kernel.map((ref) => kernel.get(ref)!);
    for (const status of statuses)
      if (!status.available) problems.push(`${row.name}: ${status.ref}: ${status.reason}`);
    const test = selfTests[row.name];
    let selfTest: AlgorithmStatus['selfTest'];
    if (test === undefined) {
      selfTest = { status: 'no self-test' };
      notes.push(`${row.name}: no self-test, so it is registered but unverified`);
    } else if (statuses.some((status) => !status.available)) {
      selfTest = { status: 'skipped', detail: 'a kernel algorithm it needs is missing' };
    } else {
      const failure = await runSelfTest(test, crypto.subtle, options.selfTestTimeoutMs ?? 60_000);
      selfTest = failure === undefined ? { status: 'passed' } : { status: 'failed', detail: failure };
      if (failure !== undefined) problems.push(`${row.name}: self-test failed: ${failure}`);
    }
    algorithms.push({ name: row.name, kernel: statuses, selfTest });
  }

  return {
    ...base, addon: { loaded: true }, afalg: { present: true }, types, random, algorithms, backends,
    problems, notes, exitCode: problems.length > 0 ? 1 : 0,
  };
}

// --- text --------------------------------------------------------------------------------------

function serving(status: KernelAlgorithmStatus): string {
  if (!status.available) return `MISSING: ${status.reason}`;
  if (status.driver === undefined) return 'available (not listed in /proc/crypto)';
  const module = status.module === 'kernel' ? 'built in' : `module ${status.module}`;
  return `${status.driver} (${module}, priority ${status.priority})`;
}

function fipsLine(fips: FipsState): string {
  if (fips.enabled === undefined) return 'off (no FIPS support in this kernel: /proc/sys/crypto/fips_enabled is absent)';
  const module = [fips.name, fips.version].filter(Boolean).join(' ');
  return `${fips.enabled ? 'ON' : 'off'}${module ? ` (${module})` : ''}`;
}

const MARK: Record<SelfTestStatus, string> = {
  passed: 'ok', failed: 'FAIL', skipped: 'FAIL', 'no self-test': 'warn',
};

/** The report as the text `afalg-webcrypto doctor` prints. */
export function renderText(report: DoctorReport): string {
  const lines: string[] = ['afalg-webcrypto doctor', ''];
  const field = (label: string, value: string) => lines.push(`  ${label.padEnd(12)}${value}`);
  field('kernel', `${report.kernelRelease}${report.inVm ? " (inside the project's VM)" : ''}`);
  field('node', report.node);
  field('addon', report.addon.loaded ? 'loaded' : `NOT LOADED: ${report.addon.reason}`);
  field('AF_ALG', report.afalg.present ? 'present' : `ABSENT: ${report.afalg.reason}`);
  field('FIPS mode', fipsLine(report.fips));
  const random = report.random;
  field('random', `${random.source}${random.kernel ? ` -> ${serving(random.kernel)}` : ''}: ` +
    (random.works ? 'works' : `FAILS: ${random.reason}`));

  if (report.types.length > 0) {
    lines.push('', 'AF_ALG types (each checked by binding one algorithm)');
    for (const status of report.types)
      lines.push(`  ${(status.available ? 'ok' : 'MISSING').padEnd(8)}${status.type.padEnd(10)}` +
        `${status.ref.slice(status.type.length + 1).padEnd(10)} ${serving(status)}`);
  }

  if (report.algorithms.length > 0) {
    lines.push('', 'Registered algorithms (kernel algorithm -> driver; known-answer self-test)');
    const refWidth = Math.max(...report.algorithms.flatMap((a) => a.kernel.map((k) => k.ref.length)), 0);
    for (const algorithm of report.algorithms) {
      const { status, detail } = algorithm.selfTest;
      const ok = status !== 'failed' && status !== 'skipped' && algorithm.kernel.every((k) => k.available);
      lines.push(`  ${(ok ? MARK[status] : 'FAIL').padEnd(8)}${algorithm.name.padEnd(10)}` +
        `self-test ${status}${detail ? `: ${detail}` : ''}`);
      for (const status of algorithm.kernel)
        lines.push(`  ${''.padEnd(18)}${status.ref.padEnd(refWidth)}  ${serving(status)}`);
    }
  }

  if (report.backends.table.length > 0) {
    lines.push('', `Backends in ${report.backends.mode} mode (AFALG_WEBCRYPTO_MODE)`);
    const label = { kernel: 'kernel', platform: 'platform fallback', unavailable: 'unavailable' } as const;
    for (const servedBy of ['kernel', 'platform', 'unavailable'] as const) {
      const names = report.backends.table.filter((row) => row.servedBy === servedBy).map((row) => row.algorithm);
      if (names.length > 0) lines.push(`  ${label[servedBy].padEnd(19)}${names.join(', ')}`);
    }
  }

  lines.push('');
  for (const note of report.notes) lines.push(`note: ${note}`);
  if (report.problems.length === 0) {
    lines.push('Result: everything registered works (exit 0)');
  } else {
    for (const problem of report.problems) lines.push(`problem: ${problem}`);
    const what = report.exitCode === 2 ? 'AF_ALG is absent' : `${report.problems.length} problem(s)`;
    lines.push(`Result: ${what} (exit ${report.exitCode})`);
  }
  return lines.join('\n') + '\n';
}
