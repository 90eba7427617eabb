// Known disagreements between this library and an oracle, each decided
// against the W3C spec in ADJUDICATIONS.md (a heading with the same id).
//
// A rule applies to one oracle ('node', 'peculiar') or 'both', and explains
// a disagreement in one of two ways (see lib/adjudicate.mjs):
//   errorPair(ours, theirs, c)  one error name against another at the same
//                               place ("reject:OperationError" / "reject:Error(OperationError)")
//   match(c)                    the whole disagreement
// c = {row, op, variant, tags, spec, specText, oracle, ours, theirs, equalModuloErrors}.
// verdict 'ours': the spec sides with this library. verdict 'oracle': the
// spec sides with the oracle, so it is a bug of ours, and it fails the run.
//
// Keep each rule narrow: it explains one behaviour, it does not silence a cell.

/** The DOMException names WebCrypto's algorithms throw (TypeError comes from WebIDL). */
const DOM_NAMES = ['NotSupportedError', 'OperationError', 'InvalidAccessError', 'DataError', 'SyntaxError', 'QuotaExceededError', 'TypeMismatchError'];

/** Splits "setup(step):reject:X" into the step prefix and "reject:X". */
function parts(token) {
  const m = /^((?:setup\([^)]*\):)?)((?:reject|throw):.*)$/.exec(token);
  return m ? { step: m[1], end: m[2] } : { step: '', end: token };
}

/** Whether ours/theirs are the same step ending in the given error names. */
function pair(ours, theirs, oursName, theirsTest) {
  const a = parts(ours);
  const b = parts(theirs);
  if (a.step !== b.step) return false;
  const kind = a.end.slice(0, a.end.indexOf(':'));
  if (b.end.slice(0, b.end.indexOf(':')) !== kind) return false;
  const x = a.end.slice(kind.length + 1);
  const y = b.end.slice(kind.length + 1);
  return (typeof oursName === 'string' ? x === oursName : oursName(x)) && theirsTest(y);
}

const failed = (outcome) => /^(setup\([^)]*\):)?(reject|throw):/.test(outcome);
const json = (outcome) => {
  try {
    return JSON.parse(outcome);
  } catch {
    return undefined;
  }
};

/** The byte length of the AES-GCM iv a case passes (the first "iv" member in its spec). */
function gcmIvBytes(c) {
  const m = /"iv":\{"\$bytes":"([0-9a-f]*)"/.exec(c.specText);
  return m ? m[1].length / 2 : undefined;
}

const hasShape = (c, ...shapes) => shapes.some((s) => c.specText.includes(`"shape":"${s}"`));

export default [
  // ---- bugs of ours (first, so that no broader rule explains them away) -----
  {
    id: 'kdf-get-key-length-not-registered',
    oracle: 'both',
    verdict: 'oracle',
    errorPair: (ours, theirs, c) => ['HKDF', 'PBKDF2'].includes(c.row) && c.op === 'get key length'
      && pair(ours, theirs, 'NotSupportedError', (y) => y === 'OperationError' || y === 'Error(OperationError)'),
  },

  // ---- WebIDL: BufferSource and ArrayBufferView ---------------------------
  {
    id: 'resizable-buffer-source',
    oracle: 'both',
    verdict: 'ours',
    match: (c) => hasShape(c, 'resizable', 'resizable-view') && c.ours === 'reject:TypeError' && !failed(c.theirs),
  },
  {
    id: 'peculiar-shared-buffer-source',
    oracle: 'peculiar',
    verdict: 'ours',
    match: (c) => hasShape(c, 'SharedArrayBuffer', 'SharedArrayBuffer-view') && c.ours === 'reject:TypeError' && !failed(c.theirs),
  },
  {
    id: 'getrandomvalues-shared-buffer',
    oracle: 'both',
    verdict: 'ours',
    match: (c) => c.row === 'Crypto' && c.op === 'getRandomValues' && c.spec.backing === 'shared' && c.ours === 'throw:TypeError' && !failed(c.theirs),
  },

  {
    id: 'detached-buffer-source',
    oracle: 'both',
    verdict: 'ours',
    match: (c) => hasShape(c, 'detached', 'detached-ArrayBuffer') && !failed(c.ours) && c.theirs === 'reject:TypeError',
  },

  // ---- names ---------------------------------------------------------------
  {
    id: 'node-unicode-case-folding',
    oracle: 'node',
    verdict: 'ours',
    match: (c) => c.variant === 'unicode-lookalike-name' && c.ours === 'reject:NotSupportedError' && !failed(c.theirs),
  },

  // ---- error names -----------------------------------------------------------
  {
    id: 'peculiar-plain-error',
    oracle: 'peculiar',
    verdict: 'ours',
    errorPair: (ours, theirs) => pair(ours, theirs, (x) => DOM_NAMES.includes(x), (y) => /^Error(\(\w+\))?$/.test(y)),
  },
  {
    id: 'peculiar-typeerror-for-syntaxerror',
    oracle: 'peculiar',
    verdict: 'ours',
    errorPair: (ours, theirs) => pair(ours, theirs, 'SyntaxError', (y) => y === 'TypeError'),
  },
  {
    id: 'peculiar-typeerror-for-operationerror',
    oracle: 'peculiar',
    verdict: 'ours',
    errorPair: (ours, theirs) => pair(ours, theirs, 'OperationError', (y) => y === 'TypeError' || y === 'RangeError'),
  },
  {
    id: 'node-invalid-access-exception',
    oracle: 'node',
    verdict: 'ours',
    errorPair: (ours, theirs) => pair(ours, theirs, 'InvalidAccessError', (y) => y === 'InvalidAccessException'),
  },
  {
    id: 'node-unsupported-format-invalid-access',
    oracle: 'node',
    verdict: 'ours',
    errorPair: (ours, theirs, c) => ['spki', 'pkcs8'].includes(c.spec.format) && pair(ours, theirs, 'NotSupportedError', (y) => y === 'InvalidAccessError'),
  },
  {
    id: 'pbkdf2-zero-iterations',
    oracle: 'both',
    verdict: 'ours',
    errorPair: (ours, theirs, c) => c.row === 'PBKDF2' && c.variant === 'iterations-zero' && pair(ours, theirs, 'OperationError', (y) => y === 'TypeError'),
  },

  // ---- AES-GCM ---------------------------------------------------------------
  {
    id: 'node-gcm-iv-shorter-than-12-bytes',
    oracle: 'node',
    verdict: 'ours',
    match: (c) => c.row === 'AES-GCM' && gcmIvBytes(c) !== undefined && gcmIvBytes(c) > 0 && gcmIvBytes(c) < 12
      && !failed(c.ours) && c.theirs === 'reject:OperationError',
  },

  {
    id: 'openssl-gcm-iv-over-128-bytes',
    oracle: 'both',
    verdict: 'ours',
    match: (c) => c.row === 'AES-GCM' && gcmIvBytes(c) > 128 && !failed(c.ours)
      && (c.theirs === 'reject:OperationError' || c.theirs === 'reject:TypeError'),
  },

  // ---- AES-KW ----------------------------------------------------------------
  {
    id: 'node-aes-kw-pads-jwk',
    oracle: 'node',
    verdict: 'ours',
    match: (c) => c.row === 'AES-KW' && c.op === 'wrapKey' && c.spec.format === 'jwk' && c.ours === 'reject:OperationError' && !failed(c.theirs),
  },

  // ---- HMAC ------------------------------------------------------------------
  {
    id: 'node-hmac-get-key-length-zero',
    oracle: 'node',
    verdict: 'ours',
    errorPair: (ours, theirs, c) => c.row === 'HMAC' && c.op === 'get key length' && c.variant === 'length-zero'
      && pair(ours, theirs, 'TypeError', (y) => y === 'OperationError'),
  },

  {
    id: 'hmac-jwk-import-ignores-length',
    oracle: 'both',
    verdict: 'ours',
    match: (c) => {
      if (c.row !== 'HMAC' || c.op !== 'importKey' || c.spec.format !== 'jwk') return false;
      const length = c.spec.alg?.$alg?.members?.length;
      const ours = json(c.ours);
      const theirs = json(c.theirs);
      if (length === undefined || ours?.facts?.algorithm?.length !== length || !theirs?.facts?.algorithm) return false;
      theirs.facts.algorithm.length = length;
      return c.equalModuloErrors(c.ours, JSON.stringify(theirs));
    },
  },
  {
    id: 'node-hmac-length-not-byte-multiple',
    oracle: 'node',
    verdict: 'ours',
    match: (c) => c.row === 'HMAC' && (c.tags.includes('hmac-length-not-byte-multiple') || c.variant === 'valid-length-not-byte-multiple')
      && !failed(c.ours) && (c.theirs === 'reject:DataError' || c.theirs === 'reject:TypeError' || c.theirs === 'setup(importKey):reject:DataError'),
  },

  // ---- JWK -------------------------------------------------------------------
  {
    id: 'node-lenient-base64url',
    oracle: 'node',
    verdict: 'ours',
    match: (c) => c.variant === 'jwk-malformed' && /^k-/.test(c.spec.breakage ?? '') && c.ours === 'reject:DataError' && !failed(c.theirs),
  },

  // ---- generateKey -----------------------------------------------------------
  {
    id: 'node-generatekey-dedups-usages',
    oracle: 'node',
    verdict: 'ours',
    match: (c) => {
      if (c.op !== 'generateKey') return false;
      const ours = json(c.ours);
      const theirs = json(c.theirs);
      if (!ours?.facts?.usages || !theirs?.facts?.usages) return false;
      ours.facts.usages = [...new Set(ours.facts.usages)];
      return JSON.stringify(ours) !== c.ours && c.equalModuloErrors(JSON.stringify(ours), c.theirs);
    },
  },

];
