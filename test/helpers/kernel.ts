// Whether this machine has AF_ALG, asked of the addon itself.
import { binding } from '../../src/kernel/binding';

export type AfAlgState = { present: true } | { present: false; code: string };

/**
 * Binds hash:sha256 once. EAFNOSUPPORT from socket(2) means the kernel has
 * no AF_ALG; any other failure is unexpected and is thrown.
 */
export function afAlgState(): AfAlgState {
  try {
    binding().AlgSocket.bind('hash', 'sha256').close();
    return { present: true };
  } catch (error) {
    const { code, syscall } = error as { code?: string; syscall?: string };
    if (code === 'EAFNOSUPPORT' && syscall === 'socket') return { present: false, code };
    throw error;
  }
}

/** For test/kernel: fail (never skip) with a useful message when AF_ALG is missing. */
export function requireAfAlg(): void {
  if (!afAlgState().present)
    throw new Error(
      'test/kernel needs a kernel with AF_ALG (socket(AF_ALG) failed with EAFNOSUPPORT here); ' +
        'run it in the VM: scripts/vm/run -- npx vitest run --project kernel',
    );
}
