// What PBKDF2 and HKDF share: their base keys (raw import only, never
// extractable, usable only for derivation) and the checks on the requested
// output length.
import { binding } from '../../kernel/binding';
import type { AlgorithmModule } from '../algorithm-module';
import { createSecretKey, type KeyUsage } from '../crypto-key';
import { domError } from '../dom-errors';
import { checkUsages } from '../usages';
import { isRawSecret, notSupportedFormat } from './secret-key';

const USAGES: readonly KeyUsage[] = ['deriveKey', 'deriveBits'];

export function kdfKeyImport(name: string): Required<Pick<AlgorithmModule, 'importKey' | 'getKeyLength'>> {
  return {
    // A derived PBKDF2/HKDF key takes the whole derivation output: the spec's null.
    getKeyLength: () => null,

    importKey(format, keyData, _alg, extractable, usages) {
      if (!isRawSecret(format)) throw notSupportedFormat(format, name);
      checkUsages(usages, USAGES, name);
      if (extractable) throw domError('SyntaxError', `${name} keys cannot be extractable`);
      const bytes = keyData as Uint8Array;
      try {
        return createSecretKey(binding().Secret.fromBytes(bytes), { name }, false, usages);
      } finally {
        bytes.fill(0);
      }
    },
  };
}

/** The output length in bytes; OperationError for a null or non-byte length. */
export function outputBytes(lengthBits: number | null, name: string): number {
  if (lengthBits === null) throw domError('OperationError', `${name} deriveBits needs a length`);
  if (lengthBits % 8 !== 0) throw domError('OperationError', `${name} length must be a multiple of 8, not ${lengthBits}`);
  return lengthBits / 8;
}
