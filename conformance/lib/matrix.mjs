// The generated matrix: for each registered algorithm and operation, N
// cases drawn from that cell's generator with a seed derived from the run's
// seed, the cell and the case's index (so a case can be replayed alone),
// each run on the three implementations and classified against the
// adjudications.
import fc from 'fast-check';
import { IMPLEMENTATION_IDS, ORACLE_IDS } from './implementations.mjs';
import { observe } from './outcome.mjs';

/** A 32-bit FNV-1a hash: the per-case seed. */
function fnv1a(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h | 0;
}

/** "wrapKey (via encrypt)" -> "wrapKey-via-encrypt", "get key length" -> "get-key-length". */
export function opSlug(op) {
  return op.replace(/[()]/g, '').trim().replace(/\s+/g, '-');
}

export function caseId(row, op, index) {
  return `${row}/${opSlug(op)}/${index}`;
}

export function parseCaseId(id) {
  const match = /^(.+)\/([^/]+)\/(\d+)$/.exec(id);
  if (!match) throw new Error(`not a case id: ${id} (expected ALGORITHM/operation/index, e.g. AES-GCM/encrypt/17)`);
  return { row: match[1], slug: match[2], index: Number(match[3]) };
}

/** The case's spec: one sample of the cell's arbitrary, seeded by (run seed, cell, index). */
export function specOf(cellDef, seed, row, op, index) {
  return fc.sample(cellDef.arbitrary, { seed: fnv1a(`${seed}|${row}|${op}|${index}`), numRuns: 1 })[0];
}

const CALL_TIMEOUT_MS = 120_000;

function withTimeout(promise, what) {
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve(`timeout:${what} did not settle in ${CALL_TIMEOUT_MS / 1000} s`), CALL_TIMEOUT_MS);
    timer.unref?.();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Runs one case on the three implementations; returns its spec, prepared input and outcomes. */
export async function runCase(cellDef, targets, { seed, row, op, index }) {
  const id = caseId(row, op, index);
  const spec = specOf(cellDef, seed, row, op, index);
  let prepared;
  if (cellDef.prepare) {
    try {
      prepared = await withTimeout(cellDef.prepare(spec, targets), 'prepare');
    } catch (error) {
      return { id, row, op, spec, prepareError: String(error?.message ?? error) };
    }
  }
  const outcomes = {};
  for (const impl of IMPLEMENTATION_IDS)
    outcomes[impl] = await withTimeout(observe(() => cellDef.run(spec, targets[impl], { targets, prepared })), `${impl}'s run`);
  return { id, row, op, spec, prepared, outcomes };
}

/**
 * Classifies a finished case. Each disagreement of ours with an oracle is
 * looked up in the adjudications: "adjudicated" (the spec sides with us),
 * "known-bug" (the spec sides with the oracle), or unadjudicated. The case
 * fails when it disagrees with both oracles and not every disagreement is
 * adjudicated for us, when a disagreement is a known bug of ours, when our
 * promise-returning method threw synchronously, or when its input could not
 * be prepared.
 */
export function classify(result, cellDef, adjudicator) {
  if (result.prepareError) return { ...result, status: 'fail', reasons: [`prepare failed: ${result.prepareError}`], diffs: [] };
  const { outcomes } = result;
  const diffs = [];
  for (const oracle of ORACLE_IDS) {
    if (outcomes[oracle] === outcomes.ours) continue;
    const found = adjudicator.explain({ ...result, variant: result.spec.variant, tags: result.spec.tags ?? [], oracle, ours: outcomes.ours, theirs: outcomes[oracle] });
    diffs.push({
      oracle,
      rule: found?.map((r) => r.id).join('+'),
      verdict: found === undefined ? undefined : found.some((r) => r.verdict === 'oracle') ? 'oracle' : 'ours',
    });
  }
  const reasons = [];
  if (!cellDef.sync && outcomes.ours.startsWith('throw:')) reasons.push('our method threw synchronously instead of returning a rejected promise');
  if (outcomes.ours.startsWith('timeout:')) reasons.push(outcomes.ours);
  for (const d of diffs) if (d.verdict === 'oracle') reasons.push(`known bug of ours (${d.rule}): the spec agrees with ${d.oracle}`);
  const unadjudicated = diffs.filter((d) => d.rule === undefined);
  if (diffs.length === ORACLE_IDS.length && unadjudicated.length > 0)
    reasons.push(`disagrees with both oracles, ${unadjudicated.map((d) => d.oracle).join(' and ')} not adjudicated`);
  let status = 'agree';
  if (reasons.length > 0) status = 'fail';
  else if (unadjudicated.length > 0) status = 'one-oracle';
  else if (diffs.length > 0) status = 'adjudicated';
  return { ...result, status, reasons, diffs };
}

/** Tallies of one cell, for the report. */
export function emptyTally() {
  return { cases: 0, agreeNode: 0, agreePeculiar: 0, agreeBoth: 0, adjudicated: 0, oneOracle: 0, failed: 0, variants: {} };
}

export function addToTally(tally, c) {
  tally.cases++;
  if (c.outcomes) {
    if (c.outcomes.node === c.outcomes.ours) tally.agreeNode++;
    if (c.outcomes.peculiar === c.outcomes.ours) tally.agreePeculiar++;
    if (c.outcomes.node === c.outcomes.ours && c.outcomes.peculiar === c.outcomes.ours) tally.agreeBoth++;
  }
  if (c.status === 'adjudicated') tally.adjudicated++;
  if (c.status === 'one-oracle') tally.oneOracle++;
  if (c.status === 'fail') tally.failed++;
  const variant = c.spec?.variant ?? '?';
  tally.variants[variant] = (tally.variants[variant] ?? 0) + 1;
}
