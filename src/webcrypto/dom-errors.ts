// The only place that picks a DOMException name. Input checks throw these
// directly; kernel failures are translated here by toDomError.
import { KernelError } from '../kernel/errors';

/** The exception names the WebCrypto spec uses. */
export type DomErrorName =
  | 'NotSupportedError'
  | 'SyntaxError'
  | 'InvalidAccessError'
  | 'DataError'
  | 'OperationError'
  | 'QuotaExceededError'
  | 'TypeMismatchError'
  | 'InvalidStateError';

export function domError(name: DomErrorName, message: string, cause?: unknown): DOMException {
  const error = new DOMException(message, name);
  if (cause !== undefined) Object.defineProperty(error, 'cause', { value: cause, configurable: true, writable: true });
  return error;
}

/**
 * Maps a failure from the kernel layer to the spec's exception: a missing
 * kernel algorithm is NotSupportedError, anything else the kernel rejects is
 * OperationError. Exceptions that are already DOMExceptions or TypeErrors
 * pass through unchanged.
 */
export function toDomError(error: unknown): unknown {
  if (error instanceof KernelError) {
    if (error.kind === 'unavailable') return domError('NotSupportedError', error.message, error);
    return domError('OperationError', `The operation failed: ${error.message}`, error);
  }
  if (error instanceof DOMException || error instanceof TypeError) return error;
  return domError('OperationError', 'The operation failed', error);
}
