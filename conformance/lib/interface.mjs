// Interface shape checks: Crypto, SubtleCrypto and CryptoKey as the
// WebCrypto IDL and the WebIDL ECMAScript binding define them. Each check
// observes one fact about an implementation as a string; "expected" is what
// the IDL requires. Ours must match it; Node's and @peculiar's observations
// are shown beside it.

/** The IDL: interface members, their kind and the `length` of operations (optional arguments do not count). */
const IDL = {
  Crypto: {
    attributes: ['subtle'],
    operations: { getRandomValues: 1, randomUUID: 0 },
  },
  SubtleCrypto: {
    attributes: [],
    operations: {
      encrypt: 3, decrypt: 3, sign: 3, verify: 4, digest: 2, generateKey: 3, deriveKey: 5, deriveBits: 2,
      importKey: 5, exportKey: 2, wrapKey: 4, unwrapKey: 7,
    },
  },
  CryptoKey: {
    attributes: ['type', 'extractable', 'algorithm', 'usages'],
    operations: {},
  },
};

function descriptorShape(object, key) {
  const d = Object.getOwnPropertyDescriptor(object, key);
  if (!d) return 'absent';
  const flags = `${d.enumerable ? 'enumerable' : 'non-enumerable'} ${d.configurable ? 'configurable' : 'non-configurable'}`;
  if ('value' in d) {
    if (typeof d.value === 'function') return `method name=${JSON.stringify(d.value.name)} length=${d.value.length} ${d.writable ? 'writable' : 'read-only'} ${flags}`;
    return `data ${typeof d.value} ${d.writable ? 'writable' : 'read-only'} ${flags}`;
  }
  const getter = d.get ? `getter name=${JSON.stringify(d.get.name)} length=${d.get.length}` : 'no getter';
  return `accessor ${getter} ${d.set ? 'with setter' : 'no setter'} ${flags}`;
}

function thrown(body) {
  try {
    const value = body();
    return value instanceof Promise ? 'returned a promise' : `returned ${typeof value}`;
  } catch (error) {
    return `throws ${error instanceof DOMException ? `DOMException ${error.name}` : error?.constructor?.name ?? typeof error}`;
  }
}

async function settles(body) {
  let returned;
  try {
    returned = body();
  } catch (error) {
    return `throws synchronously ${error?.constructor?.name}`;
  }
  if (!(returned instanceof Promise)) return `returns ${typeof returned}, not a promise`;
  try {
    await returned;
    return 'fulfils';
  } catch (error) {
    return `rejects ${error instanceof DOMException ? `DOMException ${error.name}` : error?.constructor?.name}`;
  }
}

/** The checks, each {id, expected, observe: async (impl) => string, gating?}. impl = {crypto, Crypto, SubtleCrypto, CryptoKey, key}. */
function checks() {
  const list = [];
  const add = (id, expected, observe, gating = true) => list.push({ id, expected, observe, gating });

  for (const [name, idl] of Object.entries(IDL)) {
    const I = (impl) => impl[name];
    add(`${name}: interface object`, `function name="${name}" length=0`, (impl) => `${typeof I(impl)} name=${JSON.stringify(I(impl)?.name)} length=${I(impl)?.length}`);
    add(`${name}: new ${name}() throws (no constructor)`, 'throws TypeError', (impl) => thrown(() => new (I(impl))()));
    add(`${name}: ${name}() without new throws`, 'throws TypeError', (impl) => thrown(() => I(impl)()));
    add(`${name}.prototype descriptor`, 'data object read-only non-enumerable non-configurable', (impl) => descriptorShape(I(impl), 'prototype'));
    add(`${name}.prototype inherits from Object.prototype`, 'true', (impl) => String(Object.getPrototypeOf(I(impl).prototype) === Object.prototype));
    add(`${name}.prototype.constructor`, 'method name="' + name + '" length=0 writable non-enumerable configurable', (impl) => descriptorShape(I(impl).prototype, 'constructor'));
    add(`${name}.prototype[Symbol.toStringTag]`, `data "${name}" read-only non-enumerable configurable`, (impl) => {
      const d = Object.getOwnPropertyDescriptor(I(impl).prototype, Symbol.toStringTag);
      return d ? `data ${JSON.stringify(d.value)} ${d.writable ? 'writable' : 'read-only'} ${d.enumerable ? 'enumerable' : 'non-enumerable'} ${d.configurable ? 'configurable' : 'non-configurable'}` : 'absent';
    });
    for (const attribute of idl.attributes) {
      add(`${name}.prototype.${attribute}`, `accessor getter name="get ${attribute}" length=0 no setter enumerable configurable`,
        (impl) => descriptorShape(I(impl).prototype, attribute));
      add(`${name}.prototype.${attribute} getter on a plain object`, 'throws TypeError',
        (impl) => thrown(() => Object.getOwnPropertyDescriptor(I(impl).prototype, attribute)?.get.call({})));
    }
    for (const [operation, length] of Object.entries(idl.operations)) {
      add(`${name}.prototype.${operation}`, `method name="${operation}" length=${length} writable enumerable configurable`,
        (impl) => descriptorShape(I(impl).prototype, operation));
    }
    const members = [...idl.attributes, ...Object.keys(idl.operations)].sort();
    add(`${name}.prototype has exactly the IDL members`, members.join(','), (impl) =>
      Object.getOwnPropertyNames(I(impl).prototype).filter((k) => k !== 'constructor').sort().join(','));
  }

  // Crypto instance and its methods' brand checks (synchronous: they throw).
  add('crypto instanceof Crypto', 'true', (impl) => String(impl.crypto instanceof impl.Crypto));
  add('Object.prototype.toString.call(crypto)', '[object Crypto]', (impl) => Object.prototype.toString.call(impl.crypto));
  add('crypto has no own properties', '', (impl) => Reflect.ownKeys(impl.crypto).map(String).join(','));
  add('crypto.subtle instanceof SubtleCrypto', 'true', (impl) => String(impl.crypto.subtle instanceof impl.SubtleCrypto));
  add('crypto.subtle is the same object each time', 'true', (impl) => String(impl.crypto.subtle === impl.crypto.subtle));
  add('Object.prototype.toString.call(crypto.subtle)', '[object SubtleCrypto]', (impl) => Object.prototype.toString.call(impl.crypto.subtle));
  add('getRandomValues with this = {} throws', 'throws TypeError', (impl) => thrown(() => impl.Crypto.prototype.getRandomValues.call({}, new Uint8Array(4))));
  add('randomUUID with this = {} throws', 'throws TypeError', (impl) => thrown(() => impl.Crypto.prototype.randomUUID.call({})));
  add('getRandomValues() without an argument throws', 'throws TypeError', (impl) => thrown(() => impl.crypto.getRandomValues()));

  // SubtleCrypto methods: promise-returning operations reject (never throw) on bad arguments and on a bad `this`.
  for (const operation of Object.keys(IDL.SubtleCrypto.operations)) {
    add(`subtle.${operation}() with no arguments`, 'rejects TypeError', (impl) => settles(() => impl.crypto.subtle[operation]()));
    add(`subtle.${operation} with this = {}`, 'rejects TypeError', (impl) => settles(() => impl.SubtleCrypto.prototype[operation].call({}, 'SHA-256', new Uint8Array(1), new Uint8Array(1), new Uint8Array(1))));
    add(`subtle.${operation} with this = undefined`, 'rejects TypeError', (impl) => settles(() => impl.SubtleCrypto.prototype[operation].call(undefined)));
  }
  add('subtle.digest(alg, data) with a key-like object as data', 'rejects TypeError', (impl) => settles(() => impl.crypto.subtle.digest('SHA-256', { byteLength: 1 })));
  add('subtle.encrypt with a look-alike key object', 'rejects TypeError', (impl) => settles(() =>
    impl.crypto.subtle.encrypt({ name: 'AES-CBC', iv: new Uint8Array(16) }, { type: 'secret', extractable: true, algorithm: { name: 'AES-CBC', length: 128 }, usages: ['encrypt'] }, new Uint8Array(1))));

  // CryptoKey instances.
  add('key instanceof CryptoKey', 'true', (impl) => String(impl.key instanceof impl.CryptoKey));
  add('Object.prototype.toString.call(key)', '[object CryptoKey]', (impl) => Object.prototype.toString.call(impl.key));
  add('key has no own properties', '', (impl) => Reflect.ownKeys(impl.key).map(String).join(','));
  add('key.algorithm is the same object each time', 'true', (impl) => String(impl.key.algorithm === impl.key.algorithm));
  add('key.usages is the same object each time', 'true', (impl) => String(impl.key.usages === impl.key.usages));
  add('assigning key.type does not change it', 'secret', (impl) => {
    try { impl.key.type = 'public'; } catch { /* a strict-mode setter-less accessor throws; either way the value must not change */ }
    return impl.key.type;
  });
  add('assigning key.extractable does not change it', 'true', (impl) => {
    try { impl.key.extractable = false; } catch { /* as above */ }
    return String(impl.key.extractable);
  });
  // CryptoKey is [Serializable]; a key that cannot be serialized must throw DataCloneError, never clone into an empty object.
  add('structuredClone(key) ([Serializable] in the IDL)', 'clones: secret HMAC sign,verify', (impl) => {
    try {
      const copy = structuredClone(impl.key);
      return `clones: ${copy.type} ${copy.algorithm?.name} ${copy.usages}`;
    } catch (error) {
      return `throws ${error instanceof DOMException ? `DOMException ${error.name}` : error?.constructor?.name}`;
    }
  }, false);

  // Spec steps beyond the IDL's shape that are easy to miss (each implementation's answer is shown).
  const usagesAfter = async (impl, body) => {
    try {
      return JSON.stringify((await body(impl.crypto.subtle)).usages);
    } catch (error) {
      return `rejects ${error instanceof DOMException ? `DOMException ${error.name}` : error?.constructor?.name}`;
    }
  };
  add('importKey sets usages to their normalized value (no repeats, spec order)', '["sign","verify"]', (impl) => usagesAfter(impl, (s) =>
    s.importKey('raw', new Uint8Array(16), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify', 'sign', 'verify'])));
  add('deriveKey sets usages to their normalized value', '["encrypt","decrypt"]', (impl) => usagesAfter(impl, async (s) => {
    const base = await s.importKey('raw', new Uint8Array(16), 'HKDF', false, ['deriveKey']);
    return s.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(4), info: new Uint8Array(0) }, base, { name: 'AES-GCM', length: 128 }, false, ['decrypt', 'encrypt', 'decrypt']);
  }));
  add('unwrapKey sets usages to their normalized value', '["encrypt","decrypt"]', (impl) => usagesAfter(impl, async (s) => {
    const kek = await s.importKey('raw', new Uint8Array(16), 'AES-KW', false, ['wrapKey', 'unwrapKey']);
    const key = await s.importKey('raw', new Uint8Array(16), 'AES-GCM', true, ['encrypt']);
    const wrapped = await s.wrapKey('raw', key, kek, 'AES-KW');
    return s.unwrapKey('raw', wrapped, kek, 'AES-KW', 'AES-GCM', false, ['decrypt', 'encrypt', 'decrypt']);
  }));
  add('getRandomValues(view of a resizable ArrayBuffer) throws (no [AllowResizable])', 'throws TypeError', (impl) =>
    thrown(() => impl.crypto.getRandomValues(new Uint8Array(new ArrayBuffer(8, { maxByteLength: 16 })))));
  return list;
}

/** Runs every check on the three implementations. */
export async function runInterfaceChecks(impls) {
  const results = [];
  for (const check of checks()) {
    const result = { id: check.id, expected: check.expected, gating: check.gating };
    for (const [id, impl] of Object.entries(impls)) {
      try {
        result[id] = await check.observe(impl);
      } catch (error) {
        result[id] = `check crashed: ${error?.constructor?.name}: ${error?.message}`;
      }
    }
    result.pass = result.ours === check.expected;
    results.push(result);
  }
  return results;
}
