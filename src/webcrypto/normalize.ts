// "Normalizing an algorithm" (https://w3c.github.io/webcrypto/#algorithm-normalization-normalize-an-algorithm).
import { domError } from './dom-errors';
import { DICTIONARIES, HASH_MEMBERS, type NormalizedAlgorithm } from './params';
import { lookup, type Operation } from './registry';
import { member, toAlgorithmIdentifier, toDictionary, type Context } from './webidl';

export function normalizeAlgorithm(alg: unknown, op: Operation, ctx: Context): NormalizedAlgorithm {
  const identifier = toAlgorithmIdentifier(alg, ctx);
  const object = typeof identifier === 'string' ? { name: identifier } : identifier;
  const initial = toDictionary(object, DICTIONARIES.Algorithm, ctx);
  const name = initial.name as string;
  const row = lookup(name, op);
  if (row === undefined)
    throw domError('NotSupportedError', `Unrecognized algorithm name '${name}' for operation '${op}'`);
  const normalized = toDictionary(object, DICTIONARIES[row.ops[op]!], ctx);
  normalized.name = row.name;
  for (const key of HASH_MEMBERS) {
    if (key in normalized)
      normalized[key] = normalizeAlgorithm(normalized[key], 'digest', member(ctx, key));
  }
  return normalized as unknown as NormalizedAlgorithm;
}
