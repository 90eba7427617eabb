// Known disagreements between this library and an oracle, each decided
// against the W3C spec in ADJUDICATIONS.md (a heading with the same id).
//
// A rule applies to one oracle ('node', 'peculiar') or 'both', and explains
// a disagreement in one of three ways (see lib/adjudicate.mjs):
//   errorPair(ours, theirs, c)  one error name against another at the same
//                               place ("reject:OperationError" / "reject:Error(OperationError)")
//   match(c)                    the whole disagreement
//   repair(theirs, ours, c)     one known deviation in an oracle's JSON outcome, fixed in place
// c = {row, op, variant, tags, spec, specText, outcomes, oracle, ours, theirs, equalModuloErrors}.
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

/** The byte length of the AES-GCM iv a case passes (the first "iv" member in its spec). */
function gcmIvBytes(c) {
  const m = /"iv":\{"\$bytes":"([0-9a-f]*)"/.exec(c.specText);
  return m ? m[1].length / 2 : undefined;
}

/** The recognized key usage values, in the spec's order ("the normalized value of a usages list"). */
const USAGE_ORDER = ['encrypt', 'decrypt', 'sign', 'verify', 'deriveKey', 'deriveBits', 'wrapKey', 'unwrapKey'];
const normalizedUsages = (list) => USAGE_ORDER.filter((u) => list.includes(u));
const sameList = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Where a key's usages (or an exported JWK's key_ops) differ only as explains(ours, theirs) says: puts
 * ours in the oracle's place. True if it changed anything.
 */
function repairUsages(theirs, ours, explains) {
  let changed = false;
  for (const [mine, other, set] of [
    [ours.facts?.usages, theirs.facts?.usages, (v) => { theirs.facts.usages = v; }],
    [ours.key_ops, theirs.key_ops, (v) => { theirs.key_ops = v; }],
  ]) {
    if (!Array.isArray(mine) || !Array.isArray(other) || sameList(mine, other)) continue;
    if (explains(mine, other)) {
      set(mine);
      changed = true;
    }
  }
  return changed;
}

/** Ours is the normalized value of the oracle's list, which it kept as given. */
const oursNormalized = (mine, other) => sameList(mine, normalizedUsages(other));
/** Ours is the list as given, which the oracle kept without its repeats. */
const theirsDeduplicated = (mine, other) => sameList([...new Set(mine)], other);

const parseJson = (outcome) => {
  try {
    return JSON.parse(outcome);
  } catch {
    return undefined;
  }
};

/** Whether any BufferSource in the case has one of these shapes (lib/values.mjs). */
const hasShape = (c, ...shapes) => shapes.some((s) => new RegExp(`"(shape|dataShape|sigShape|wrappedShape)":"${s}"`).test(c.specText));

/**
 * Rows an oracle may not know: the WICG draft's algorithms (Node 20 and @peculiar/webcrypto have none;
 * Node 24 has them) and this library's own AFALG-AES-CMAC (in no WebCrypto).
 */
const ROWS_ORACLES_MAY_LACK = ['SHA3-256', 'SHA3-384', 'SHA3-512', 'ChaCha20-Poly1305', 'AFALG-AES-CMAC'];
/** How Node and @peculiar/webcrypto reject an algorithm name they do not know. */
const UNKNOWN_ALGORITHM = /^(setup\([^)]*\):)?reject:(NotSupportedError|Error\(AlgorithmError\))$/;
/** Node 20 rejects the key format 'raw-secret' (ChaCha20-Poly1305's only raw format) as a TypeError of its KeyFormat enum. */
const UNKNOWN_KEY_FORMAT = /^(setup\([^)]*\):)?reject:TypeError$/;

export default [
  // ---- bugs of ours: rules with verdict 'oracle' go first, so that no broader rule explains them away.
  // (Earlier ones went when fixed: kdf-get-key-length-not-registered when the registry gained HKDF's
  // and PBKDF2's "get key length"; generatekey-usages-normalized when generateKey stopped normalizing.)
  // ---- usages: importKey, deriveKey and unwrapKey set "the normalized value" ----
  {
    id: 'usages-normalized',
    oracle: 'both',
    verdict: 'ours',
    repair: (theirs, ours, c) => c.op !== 'generateKey' && repairUsages(theirs, ours, oursNormalized),
  },
  {
    id: 'node-generatekey-drops-repeated-usages',
    oracle: 'node',
    verdict: 'ours',
    repair: (theirs, ours, c) => c.op === 'generateKey' && repairUsages(theirs, ours, theirsDeduplicated),
  },

  // ---- WebIDL: BufferSource and ArrayBufferView ---------------------------
  {
    id: 'resizable-buffer-source',
    oracle: 'both',
    verdict: 'ours',
    // They read the buffer; what they did with its bytes (a result, or a later error) is beside the point.
    match: (c) => hasShape(c, 'resizable', 'resizable-view') && c.ours === 'reject:TypeError' && c.theirs !== 'reject:TypeError',
  },
  {
    id: 'peculiar-shared-buffer-source',
    oracle: 'peculiar',
    verdict: 'ours',
    match: (c) => hasShape(c, 'SharedArrayBuffer', 'SharedArrayBuffer-view') && c.ours === 'reject:TypeError' && c.theirs !== 'reject:TypeError',
  },
  {
    id: 'getrandomvalues-resizable-buffer',
    oracle: 'both',
    verdict: 'ours',
    match: (c) => c.row === 'Crypto' && c.op === 'getRandomValues' && c.spec.backing === 'resizable' && c.ours === 'throw:TypeError' && !failed(c.theirs),
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
    // They throw on the detached buffer; we go on with no bytes (and may fail later, as the spec would).
    match: (c) => hasShape(c, 'detached', 'detached-ArrayBuffer') && c.theirs === 'reject:TypeError' && c.ours !== 'reject:TypeError',
  },

  {
    id: 'peculiar-getrandomvalues-unchecked',
    oracle: 'peculiar',
    verdict: 'ours',
    match: (c) => c.row === 'Crypto' && c.op === 'getRandomValues' && ['not-an-integer-array', 'over-65536-bytes'].includes(c.variant)
      && ['throw:TypeMismatchError', 'throw:QuotaExceededError'].includes(c.ours) && !failed(c.theirs),
  },

  // ---- @peculiar's own checks ----------------------------------------------
  {
    id: 'peculiar-required-member-error',
    oracle: 'peculiar',
    verdict: 'ours',
    errorPair: (ours, theirs) => pair(ours, theirs, 'TypeError', (y) => y === 'Error(RequiredPropertyError)'),
  },
  {
    id: 'peculiar-typeerror-for-notsupportederror',
    oracle: 'peculiar',
    verdict: 'ours',
    errorPair: (ours, theirs) => pair(ours, theirs, 'NotSupportedError', (y) => y === 'TypeError'),
  },
  {
    id: 'peculiar-typeerror-for-dataerror',
    oracle: 'peculiar',
    verdict: 'ours',
    errorPair: (ours, theirs) => pair(ours, theirs, 'DataError', (y) => y === 'TypeError'),
  },
  {
    id: 'peculiar-js-syntaxerror',
    oracle: 'peculiar',
    verdict: 'ours',
    errorPair: (ours, theirs) => pair(ours, theirs, 'SyntaxError', (y) => y === 'SyntaxError(js)'),
  },
  {
    id: 'peculiar-empty-usages-accepted',
    oracle: 'peculiar',
    verdict: 'ours',
    match: (c) => c.variant === 'empty-usages' && c.ours === 'reject:SyntaxError' && !failed(c.theirs),
  },
  {
    id: 'peculiar-jwk-members-unchecked',
    oracle: 'peculiar',
    verdict: 'ours',
    match: (c) => c.variant === 'jwk-malformed' && !/^k-/.test(c.spec.breakage ?? '')
      && (c.ours === 'reject:DataError' || c.ours === 'reject:TypeError') && (!failed(c.theirs) || /^reject:Error(\(\w+\))?$/.test(c.theirs)),
  },
  {
    id: 'peculiar-lenient-names',
    oracle: 'peculiar',
    verdict: 'ours',
    match: (c) => c.variant === 'unknown-name' && c.ours === 'reject:NotSupportedError' && !failed(c.theirs),
  },
  {
    id: 'peculiar-ctr-length-unchecked',
    oracle: 'peculiar',
    verdict: 'ours',
    match: (c) => c.row === 'AES-CTR' && ['length-zero', 'length-over-128', 'counter-wrong-length'].includes(c.spec.what)
      && c.ours === 'reject:OperationError' && !failed(c.theirs),
  },
  {
    id: 'peculiar-hmac-import-length-unchecked',
    oracle: 'peculiar',
    verdict: 'ours',
    match: (c) => c.row === 'HMAC' && c.op === 'importKey' && ['length-mismatch', 'raw-empty'].includes(c.variant)
      && c.ours === 'reject:DataError' && !failed(c.theirs),
  },
  {
    id: 'peculiar-rejects-repeated-usages',
    oracle: 'peculiar',
    verdict: 'ours',
    match: (c) => Array.isArray(c.spec.usages) && new Set(c.spec.usages).size < c.spec.usages.length
      && !failed(c.ours) && c.theirs === 'reject:TypeError',
  },
  {
    id: 'peculiar-wrapping-key-usage-unchecked',
    oracle: 'peculiar',
    verdict: 'ours',
    match: (c) => ['wrapping-key-lacks-usage', 'unwrapping-key-lacks-usage'].includes(c.variant) && c.ours === 'reject:InvalidAccessError' && !failed(c.theirs),
  },
  {
    id: 'peculiar-no-enforce-range',
    oracle: 'peculiar',
    verdict: 'ours',
    match: (c) => (c.variant === 'length-out-of-range' || c.spec.what === 'length-out-of-range')
      && c.ours === 'reject:TypeError' && c.theirs !== 'reject:TypeError',
  },
  {
    id: 'peculiar-ctr-counter-length-ignored',
    oracle: 'peculiar',
    verdict: 'ours',
    // Node computes what we compute; @peculiar differs only when the counter's low `length` bits wrap
    // or run out, so the rule also asks that the case's counter has fewer than 128 counter bits.
    match: (c) => c.row === 'AES-CTR' && c.outcomes?.node === c.ours && c.ours !== c.theirs
      && Number(/"counter":\{[^}]*\},"length":(\d+)/.exec(c.specText)?.[1] ?? 128) < 128,
  },
  {
    id: 'peculiar-hkdf-length-unbounded',
    oracle: 'peculiar',
    verdict: 'ours',
    match: (c) => c.row === 'HKDF' && c.variant === 'length-over-255-blocks' && c.ours === 'reject:OperationError' && !failed(c.theirs),
  },
  {
    id: 'peculiar-view-key-data',
    oracle: 'peculiar',
    verdict: 'ours',
    match: (c) => ['HKDF', 'PBKDF2'].includes(c.row) && c.op === 'importKey' && hasShape(c, 'DataView', 'Int16Array', 'Float64Array')
      && c.outcomes?.node === c.ours && c.ours !== c.theirs,
  },
  {
    id: 'peculiar-hmac-get-key-length-zero',
    oracle: 'peculiar',
    verdict: 'ours',
    match: (c) => c.row === 'HMAC' && c.op === 'get key length' && c.variant === 'length-zero' && c.ours === 'reject:TypeError' && !failed(c.theirs),
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
    id: 'peculiar-length-not-converted-modulo-2-32',
    oracle: 'peculiar',
    verdict: 'ours',
    match: (c) => c.op === 'deriveBits' && c.variant === 'length-modulo-2^32'
      && (c.theirs.startsWith('"not run: would derive') || (failed(c.theirs) && !failed(c.ours))),
  },
  {
    id: 'pbkdf2-zero-iterations',
    oracle: 'both',
    verdict: 'ours',
    errorPair: (ours, theirs, c) => c.row === 'PBKDF2' && c.variant === 'iterations-zero' && pair(ours, theirs, 'OperationError', (y) => y === 'TypeError'),
  },

  {
    id: 'kdf-null-length',
    oracle: 'both',
    verdict: 'ours',
    // They reject with TypeError, or (@peculiar) derive zero bytes.
    match: (c) => ['PBKDF2', 'HKDF'].includes(c.row) && c.op === 'deriveBits' && ['length-null', 'length-missing'].includes(c.variant)
      && c.ours === 'reject:OperationError' && (c.theirs === 'reject:TypeError' || c.theirs === 'bytes(0):'),
  },

  // ---- AES-GCM ---------------------------------------------------------------
  {
    id: 'node-gcm-iv-shorter-than-12-bytes',
    oracle: 'node',
    verdict: 'ours',
    // Node fails at the cipher step; we go on (and may fail at a later step, for another reason).
    match: (c) => c.row === 'AES-GCM' && gcmIvBytes(c) !== undefined && gcmIvBytes(c) > 0 && gcmIvBytes(c) < 12
      && (c.theirs === 'reject:OperationError' || c.theirs === 'reject:TypeError') && c.ours !== c.theirs,
  },

  {
    id: 'gcm-tag-length-out-of-octet-range',
    oracle: 'peculiar',
    verdict: 'ours',
    errorPair: (ours, theirs, c) => c.row === 'AES-GCM' && c.spec.what === 'tagLength-out-of-range'
      && pair(ours, theirs, 'TypeError', (y) => /^Error(\(\w+\))?$/.test(y)),
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

  {
    id: 'node-dataerror-for-jwk-given-bytes',
    oracle: 'node',
    verdict: 'ours',
    errorPair: (ours, theirs, c) => c.variant === 'jwk-given-bytes' && pair(ours, theirs, 'TypeError', (y) => y === 'DataError'),
  },
  {
    id: 'node-plain-error-for-unsupported-format',
    oracle: 'node',
    verdict: 'ours',
    errorPair: (ours, theirs, c) => c.variant === 'format-unsupported' && pair(ours, theirs, 'NotSupportedError', (y) => y === 'Error'),
  },
  {
    id: 'node-getrandomvalues-non-view',
    oracle: 'node',
    verdict: 'ours',
    errorPair: (ours, theirs, c) => c.row === 'Crypto' && c.variant === 'not-a-view' && pair(ours, theirs, 'TypeError', (y) => y === 'TypeMismatchError'),
  },
  {
    id: 'node-gcm-decrypt-typed-views',
    oracle: 'node',
    verdict: 'ours',
    match: (c) => c.row === 'AES-GCM' && (c.op === 'decrypt' || c.op.startsWith('unwrapKey'))
      && /"(dataShape|wrappedShape)":"(Int16Array|Float64Array|DataView)"/.test(c.specText)
      && (c.theirs === 'reject:OperationError' || c.theirs === 'reject:TypeError') && c.ours !== c.theirs,
  },
  {
    id: 'aes-kw-jwk-json-length',
    oracle: 'both',
    verdict: 'ours',
    // Whether a JWK's JSON is a whole number of 64-bit blocks depends on its members' order and
    // spelling, which the spec leaves open: one implementation's JSON can be wrapped, another's not.
    match: (c) => c.row === 'AES-KW' && c.op === 'wrapKey' && c.spec.format === 'jwk' && c.spec.variant === 'valid'
      && failed(c.ours) !== failed(c.theirs) && [c.ours, c.theirs].some((o) => /^reject:(OperationError|Error(\(\w+\))?)$/.test(o)),
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
    id: 'hmac-length-not-byte-multiple',
    oracle: 'both',
    verdict: 'ours',
    // No oracle does what the spec says for these lengths (see the note), so the comparison says nothing:
    // our answer is checked against the spec's text only.
    match: (c) => c.row === 'HMAC' && (c.tags.includes('hmac-length-not-byte-multiple') || c.variant === 'valid-length-not-byte-multiple')
      && (!failed(c.ours) || c.theirs.startsWith('setup(')),
  },
  {
    id: 'peculiar-hmac-default-length',
    oracle: 'peculiar',
    verdict: 'ours',
    // deriveKey to an HMAC key without a length: a different key, so its bytes and uses differ too.
    match: (c) => c.row === 'HMAC' && c.op === 'get key length' && c.variant === 'valid'
      && parseJson(c.ours)?.facts?.algorithm?.length === 1024 && parseJson(c.theirs)?.facts?.algorithm?.length === 512,
    repair: (theirs, ours, c) => {
      const mine = ours.facts?.algorithm;
      const other = theirs.facts?.algorithm;
      if (c.row !== 'HMAC' || mine?.length !== 1024 || other?.length !== 512 || !['SHA-384', 'SHA-512'].includes(mine.hash?.name)) return false;
      other.length = 1024;
      if (theirs.export === 'raw(64)' && ours.export === 'raw(128)') theirs.export = 'raw(128)';
      return true;
    },
  },
  {
    id: 'peculiar-hash-name-not-normalized',
    oracle: 'peculiar',
    verdict: 'ours',
    repair: (theirs, ours) => {
      const mine = ours.facts?.algorithm?.hash;
      const other = theirs.facts?.algorithm?.hash;
      if (!mine || !other || mine.name === other.name || mine.name !== String(other.name).toUpperCase()) return false;
      other.name = mine.name;
      return true;
    },
  },

  // ---- JWK -------------------------------------------------------------------
  {
    id: 'lenient-base64url',
    oracle: 'both',
    verdict: 'ours',
    match: (c) => c.variant === 'jwk-malformed' && /^k-/.test(c.spec.breakage ?? '') && c.ours === 'reject:DataError' && !failed(c.theirs),
  },

  // ---- algorithms an oracle does not have ------------------------------------
  {
    id: 'oracle-lacks-algorithm',
    oracle: 'both',
    verdict: 'ours',
    // Only the oracle's "no such algorithm" answer (at the call, or at the setup step that imports
    // the row's key): under an oracle that has the algorithm (Node 24 for SHA-3 and
    // ChaCha20-Poly1305) every disagreement is compared as usual.
    match: (c) => ROWS_ORACLES_MAY_LACK.includes(c.row)
      && (UNKNOWN_ALGORITHM.test(c.theirs) || (c.row === 'ChaCha20-Poly1305' && c.oracle === 'node' && UNKNOWN_KEY_FORMAT.test(c.theirs))),
  },
];
