// Usage checks shared by every algorithm module.
import type { KeyUsage } from './crypto-key';
import { domError } from './dom-errors';

/** SyntaxError unless every requested usage is one the algorithm allows. */
export function checkUsages(usages: readonly KeyUsage[], allowed: readonly KeyUsage[], algorithm: string): void {
  const bad = usages.find((u) => !allowed.includes(u));
  if (bad !== undefined)
    throw domError('SyntaxError', `'${bad}' is not a valid usage for a ${algorithm} key (allowed: ${allowed.join(', ')})`);
}
