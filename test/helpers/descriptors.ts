// This process's open file descriptors, read from /proc/self/fd: an account
// of sockets kept by the kernel, independent of the library's own counters.
import { readdirSync, readlinkSync } from 'node:fs';

/** The kernel object behind an fd of this process ('socket:[123]'). */
export function fdTarget(fd: number): string {
  return readlinkSync(`/proc/self/fd/${fd}`);
}

/** Every open socket descriptor of this process, with its kernel object. */
export function socketFds(): Map<number, string> {
  const out = new Map<number, string>();
  for (const name of readdirSync('/proc/self/fd')) {
    try {
      const target = fdTarget(Number(name));
      if (target.startsWith('socket:')) out.set(Number(name), target);
    } catch {
      // closed while listing (the readdir's own descriptor)
    }
  }
  return out;
}

/** How many descriptors this process has open. */
export function openFdCount(): number {
  return readdirSync('/proc/self/fd').length;
}
