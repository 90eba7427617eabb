// The three implementations every case runs on, each wrapped as a Target:
// the object a generator's run() receives. A Target calls one
// implementation's methods, turning a synchronous throw into SyncThrow so
// that "throws instead of rejecting" shows in the outcome.
import { SetupFailure, SyncThrow } from './outcome.mjs';
import { buildAlgorithm, buildValue, fromHex } from './values.mjs';

export const IMPLEMENTATION_IDS = ['ours', 'node', 'peculiar'];
export const ORACLE_IDS = ['node', 'peculiar'];

export class Target {
  constructor(id, label, crypto, interfaces) {
    this.id = id;
    this.label = label;
    this.crypto = crypto;
    this.subtle = crypto.subtle;
    /** {Crypto, SubtleCrypto, CryptoKey} interface objects of this implementation. */
    this.interfaces = interfaces;
  }

  /** subtle[method](...args), awaited; a synchronous throw becomes SyncThrow. */
  async call(method, ...args) {
    let returned;
    try {
      returned = this.subtle[method](...args);
    } catch (error) {
      throw new SyncThrow(error);
    }
    return await returned;
  }

  /** Imports the key a case needs; a failure is a SetupFailure naming the step. */
  async importKey(spec, step = 'importKey') {
    try {
      const keyData = spec.format === 'jwk' ? buildValue(spec.jwk) : fromHex(spec.hex);
      // The algorithm: a name, an algorithm spec ({form, ...}), or a plain dictionary.
      const algorithm = typeof spec.alg === 'string' ? spec.alg : 'form' in spec.alg ? buildAlgorithm(spec.alg) : buildValue(spec.alg);
      return await this.call('importKey', spec.format ?? 'raw', keyData, algorithm, spec.extractable ?? false, spec.usages);
    } catch (error) {
      throw new SetupFailure(step, error instanceof SyncThrow ? error.inner : error);
    }
  }

  /** A setup step other than an import (an encryption whose output a case needs, ...). */
  async setup(step, body) {
    try {
      return await body();
    } catch (error) {
      throw new SetupFailure(step, error instanceof SyncThrow ? error.inner : error);
    }
  }
}

/** The attributes of a CryptoKey, read through its getters, as plain data. */
export function keyFacts(key) {
  if (key === null || typeof key !== 'object') return { notAKey: String(key) };
  return {
    type: key.type,
    extractable: key.extractable,
    algorithm: key.algorithm,
    usages: key.usages,
  };
}

/**
 * Node's webcrypto and its interface objects must be captured before this
 * library is imported (run.mjs passes them in): a polyfill could replace
 * the globals.
 */
export function createTargets({ ours, oursInterfaces, node, nodeInterfaces, peculiar, peculiarInterfaces, versions }) {
  return {
    ours: new Target('ours', `afalg-webcrypto ${versions.ours}`, ours, oursInterfaces),
    node: new Target('node', `Node ${versions.node} webcrypto`, node, nodeInterfaces),
    peculiar: new Target('peculiar', `@peculiar/webcrypto ${versions.peculiar}`, peculiar, peculiarInterfaces),
  };
}
