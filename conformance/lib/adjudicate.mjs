// Explains a disagreement with the adjudications: rules in
// conformance/adjudications.mjs, each with its note (what differs, what the
// spec says, who is right) under a heading of the same id in
// conformance/ADJUDICATIONS.md. A rule without its note, or a note without
// its rule, is an error of the suite: the run fails.
//
// Outcomes are strings that may hold several error names (a key's outcome
// records how each step ended), so a rule can explain a disagreement two
// ways:
// - errorPair(ours, theirs, context): one error name of ours against the
//   oracle's at the same place in the outcome ("reject:OperationError"
//   against "reject:Error(OperationError)"). A disagreement whose outcomes
//   are identical apart from error names is explained when every differing
//   pair is explained by some rule.
// - match(context): the whole disagreement.
// - repair(theirs, ours, context): for outcomes that are JSON (a key's
//   attributes and uses), fixes one known deviation in the parsed oracle
//   outcome and returns true if it changed anything. A disagreement is
//   explained when the repaired outcome equals ours, apart from explained
//   error names.
import { readFileSync } from 'node:fs';
import rules from '../adjudications.mjs';
import { describe } from './outcome.mjs';

/** An error name in an outcome: "reject:X", "throw:X", "setup(step):reject:X", X possibly "Error(Class)". */
const ERROR_TOKEN = /(?:setup\([^)]*\):)?(?:reject|throw):[A-Za-z]+(?:\([A-Za-z]+\))?/g;

/** The outcome with its error names taken out, and the names in order. */
export function splitErrors(outcome) {
  const tokens = outcome.match(ERROR_TOKEN) ?? [];
  return { skeleton: outcome.replace(ERROR_TOKEN, '\u0000'), tokens };
}

/** The differing [ours, theirs] error-name pairs, or undefined when the outcomes differ in more than error names. */
export function differingErrors(ours, theirs) {
  const a = splitErrors(ours);
  const b = splitErrors(theirs);
  if (a.skeleton !== b.skeleton) return undefined;
  return a.tokens.map((t, i) => [t, b.tokens[i]]).filter(([x, y]) => x !== y);
}

const appliesTo = (rule, context) => rule.oracle === 'both' || rule.oracle === context.oracle;

export function loadAdjudicator(markdownPath) {
  const problems = [];
  const markdown = readFileSync(markdownPath, 'utf8');
  const headings = new Set([...markdown.matchAll(/^### `([^`]+)`/gm)].map((m) => m[1]));
  const ids = new Set();
  for (const rule of rules) {
    if (ids.has(rule.id)) problems.push(`adjudication ${rule.id} is defined twice`);
    ids.add(rule.id);
    if (!headings.has(rule.id)) problems.push(`adjudication ${rule.id} has no note in ADJUDICATIONS.md (a heading ### \`${rule.id}\`)`);
    if (!['node', 'peculiar', 'both'].includes(rule.oracle)) problems.push(`adjudication ${rule.id}: oracle must be node, peculiar or both`);
    if (!['ours', 'oracle'].includes(rule.verdict)) problems.push(`adjudication ${rule.id}: verdict must be ours or oracle`);
    if (!rule.match && !rule.errorPair && !rule.repair) problems.push(`adjudication ${rule.id} has no match, errorPair or repair`);
  }
  for (const heading of headings) if (!ids.has(heading)) problems.push(`ADJUDICATIONS.md has a note ${heading} that no rule in adjudications.mjs uses`);
  const uses = Object.fromEntries(rules.map((r) => [r.id, 0]));

  /** The rules (for this oracle) explaining every differing error pair, or undefined. */
  function explainErrors(context, ours, theirs) {
    const pairs = differingErrors(ours, theirs);
    if (pairs === undefined || pairs.length === 0) return undefined;
    const used = [];
    for (const [x, y] of pairs) {
      const rule = rules.find((r) => appliesTo(r, context) && r.errorPair?.(x, y, context));
      if (!rule) return undefined;
      if (!used.includes(rule)) used.push(rule);
    }
    return used;
  }

  /** Applies the repair rules to the oracle's JSON outcome; the rules used if that explains the difference. */
  function repairJson(context) {
    let ours;
    let theirs;
    try {
      ours = JSON.parse(context.ours);
      theirs = JSON.parse(context.theirs);
    } catch {
      return undefined;
    }
    if (typeof ours !== 'object' || ours === null || typeof theirs !== 'object' || theirs === null) return undefined;
    const used = [];
    for (const rule of rules) {
      if (appliesTo(rule, context) && rule.repair?.(theirs, ours, context)) used.push(rule);
    }
    if (used.length === 0) return undefined;
    const repaired = describe(theirs);
    if (repaired === context.ours) return used;
    const errors = explainErrors(context, context.ours, repaired);
    return errors ? [...used, ...errors.filter((r) => !used.includes(r))] : undefined;
  }

  return {
    rules,
    problems,
    uses,
    /**
     * The rules explaining this disagreement ({row, op, variant, tags, spec,
     * oracle, ours, theirs}), or undefined. Counts their use.
     */
    explain(disagreement) {
      const context = { ...disagreement, specText: JSON.stringify(disagreement.spec ?? {}) };
      // Rules may ask whether two (transformed) outcomes differ only in explained error names.
      context.equalModuloErrors = (a, b) => a === b || explainErrors(context, a, b) !== undefined;
      let found = explainErrors(context, context.ours, context.theirs);
      if (!found) {
        const rule = rules.find((r) => appliesTo(r, context) && r.match?.(context));
        if (rule) found = [rule];
      }
      if (!found) found = repairJson(context);
      if (found) for (const rule of found) uses[rule.id]++;
      return found;
    },
  };
}
