// What the kernel's crypto API has registered, read from /proc/crypto, and
// whether the kernel runs in FIPS mode. Reading is separate from parsing so
// the parser can be tested with sample text on any machine.
//
// A record only appears once its algorithm exists: templates such as
// hmac(sha256) or gcm(aes) are instantiated by the first bind, so bind
// (session.ts probe) first and read this file afterwards. A missing record
// never proves that an algorithm is unsupported.
import { readFileSync } from 'node:fs';

/** One blank-line-separated record of /proc/crypto. */
export interface CryptoRecord {
  /** The generic name callers bind, e.g. gcm(aes). */
  readonly name: string;
  /** The implementation, e.g. generic-gcm-aesni-avx; also bindable. */
  readonly driver: string;
  /** The module providing it, or "kernel" when built in. */
  readonly module: string;
  readonly priority: number;
  /** passed, or unknown (not tested yet, or no test exists). */
  readonly selftest: string;
  /** Internal algorithms are building blocks that cannot be bound from user space. */
  readonly internal: boolean;
  /** cipher, skcipher, aead, shash, ahash, rng, larval (being instantiated), ... */
  readonly type: string;
  /** Every field as written, including the sizes (blocksize, ivsize, digestsize, ...). */
  readonly fields: Readonly<Record<string, string>>;
}

/** A numeric field of a record (ivsize, digestsize, maxauthsize...), if present. */
export function numericField(record: CryptoRecord, key: string): number | undefined {
  const value = record.fields[key];
  return value !== undefined && /^-?\d+$/.test(value) ? Number(value) : undefined;
}

function toRecord(fields: Record<string, string>): CryptoRecord | undefined {
  const { name, driver } = fields;
  if (name === undefined || driver === undefined) return undefined;
  const priority = Number(fields.priority);
  return {
    name,
    driver,
    module: fields.module ?? 'unknown',
    priority: Number.isFinite(priority) ? priority : 0,
    selftest: fields.selftest ?? 'unknown',
    internal: fields.internal === 'yes',
    type: fields.type ?? 'unknown',
    fields,
  };
}

/**
 * Parses the text of /proc/crypto: records separated by blank lines, one
 * `key : value` per line (keys may contain spaces: "min keysize").
 * Lines without a colon and records without a name and driver are skipped.
 */
export function parseProcCrypto(text: string): CryptoRecord[] {
  const records: CryptoRecord[] = [];
  for (const block of text.split(/\n[ \t]*\n/)) {
    const fields: Record<string, string> = {};
    for (const line of block.split('\n')) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const key = line.slice(0, colon).trim();
      if (key !== '') fields[key] = line.slice(colon + 1).trim();
    }
    const record = toRecord(fields);
    if (record) records.push(record);
  }
  return records;
}

/** Whether bind() can end up on this record. */
function isUsable(record: CryptoRecord): boolean {
  return record.selftest === 'passed' && !record.internal && record.type !== 'larval';
}

export class ProcCrypto {
  constructor(readonly records: readonly CryptoRecord[]) {}

  static parse(text: string): ProcCrypto {
    return new ProcCrypto(parseProcCrypto(text));
  }

  /** Reads /proc/crypto now (after binding what you want to see). */
  static read(path = '/proc/crypto'): ProcCrypto {
    return ProcCrypto.parse(readFileSync(path, 'utf8'));
  }

  /**
   * The implementation bind() picks for a generic name: among the records
   * with that name whose self-test passed, that are not internal and not
   * larval, the highest priority (the first one listed on a tie). A driver
   * name (drbg_nopr_ctr_aes256) pins its own record, so it is matched too.
   */
  driverFor(name: string): CryptoRecord | undefined {
    let best: CryptoRecord | undefined;
    for (const record of this.records) {
      if (record.name !== name || !isUsable(record)) continue;
      if (best === undefined || record.priority > best.priority) best = record;
    }
    return best ?? this.records.find((record) => record.driver === name && isUsable(record));
  }
}

/** The kernel's FIPS state, from /proc/sys/crypto. */
export interface FipsState {
  /** undefined when the kernel has no FIPS support (CONFIG_CRYPTO_FIPS off). */
  readonly enabled: boolean | undefined;
  /** e.g. "Linux Kernel Cryptographic API" (a distribution may name its module). */
  readonly name: string | undefined;
  readonly version: string | undefined;
}

function readTrimmed(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Reads fips_enabled, fips_name and fips_version (each may be absent). */
export function readFips(dir = '/proc/sys/crypto'): FipsState {
  const enabled = readTrimmed(`${dir}/fips_enabled`);
  return {
    enabled: enabled === undefined ? undefined : enabled !== '0',
    name: readTrimmed(`${dir}/fips_name`),
    version: readTrimmed(`${dir}/fips_version`),
  };
}
