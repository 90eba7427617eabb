// Failure injection: the kernel side goes away under a session.
// - A socket closed underneath the library (other code called close() on our
//   descriptor: EBADF), or whose number now belongs to another file
//   (ENOTSOCK): the operation still succeeds on a rebuilt session, and the
//   other file is left open. Mid-stream, where the op socket holds state
//   (a MSG_MORE hash), the stream fails with a clear error instead, and the
//   next operation works.
// - A kernel module unloaded (rmmod): while a session has it bound the
//   kernel refuses (the tfm holds a module reference), so a module can only
//   go away while no socket uses it, e.g. after idle sessions were evicted.
//   The next operation then gets an error naming the module, and once the
//   module is back (insmod) the session is rebuilt and works. This part
//   runs in the test VM only (it needs root and the guest kernel's module
//   file): unloading modules on a developer's own machine is not a test's
//   business.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { closeSync, fstatSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { binding } from '../../src/kernel/binding';
import { KernelError } from '../../src/kernel/errors';
import { Session, sharedSession } from '../../src/kernel/session';
import { digestStream } from '../../src/streams';
import { createCrypto } from '../../src/webcrypto/crypto';
import { fromHex, hex, randomData } from '../helpers/bytes';
import { socketFds } from '../helpers/descriptors';
import { requireAfAlg } from '../helpers/kernel';

beforeAll(() => requireAfAlg());

const subtle = createCrypto({ mode: 'strict' }).subtle;

/** Runs fn and returns the socket descriptors it opened. */
async function newSockets(fn: () => Promise<unknown>): Promise<number[]> {
  const before = socketFds();
  await fn();
  return [...socketFds().keys()].filter((fd) => !before.has(fd));
}

/** Opens /dev/null until it holds each of fds (the kernel hands out the lowest free number). */
function occupy(fds: number[]): number[] {
  const extra: number[] = [];
  const taken: number[] = [];
  while (taken.length < fds.length && extra.length < 1000) {
    const fd = openSync('/dev/null', 'r');
    (fds.includes(fd) ? taken : extra).push(fd);
  }
  extra.forEach((fd) => closeSync(fd));
  expect(taken.sort()).toEqual([...fds].sort());
  return taken;
}

describe('a socket closed underneath the library', () => {
  it.each(['closed (EBADF)', 'reused by another file (ENOTSOCK)'])('%s: the next operation succeeds on a rebuilt session', async (how) => {
    const raw = randomData(32);
    const message = randomData(100);
    const key = await subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const expected = createHmac('sha256', raw).update(message).digest('hex');
    // The key's first use binds its tfm and accepts an op socket, both kept for reuse.
    const sockets = await newSockets(() => subtle.sign('HMAC', key, message));
    expect(sockets).toHaveLength(2);
    sockets.forEach((fd) => closeSync(fd));
    const files = how.includes('ENOTSOCK') ? occupy(sockets) : [];

    expect(hex(await subtle.sign('HMAC', key, message))).toBe(expected);
    // The other file's descriptors were not closed by the library.
    for (const fd of files) {
      expect(fstatSync(fd).isCharacterDevice()).toBe(true);
      closeSync(fd);
    }
    expect(hex(await subtle.sign('HMAC', key, message))).toBe(expected);
  });

  it('mid-stream: the stream fails with an error naming EBADF, and the next digest works', async () => {
    const session = sharedSession('hash', 'sha384');
    session.close(); // so that the stream's socket are new descriptors this test can find
    const first = randomData(1000);
    const { writable, digest } = digestStream('SHA-384');
    const writer = writable.getWriter();
    const sockets = await newSockets(() => writer.write(first));
    expect(sockets).toHaveLength(2); // the tfm and the leased op socket holding the partial hash
    sockets.forEach((fd) => closeSync(fd));

    const failure = await writer.write(randomData(1000)).then(() => undefined, (error: Error) => error);
    expect(failure).toBeInstanceOf(DOMException);
    expect(failure!.name).toBe('OperationError');
    expect(failure!.message).toMatch(/hash:sha384: .*EBADF/);
    await expect(digest).rejects.toBe(failure);

    const data = randomData(5000);
    expect(hex(await subtle.digest('SHA-384', data))).toBe(createHash('sha384').update(data).digest('hex'));
    const again = digestStream('SHA-384');
    const againWriter = again.writable.getWriter();
    await againWriter.write(data);
    await againWriter.close();
    expect(hex(await again.digest)).toBe(createHash('sha384').update(data).digest('hex'));
  });
});

// RFC 3566 section 4, test case 2: AES-XCBC-MAC of 3 bytes. (xcbc, not cmac: AFALG-AES-CMAC
// binds cmac(aes), and other test files running beside this one may hold it.)
const XCBC_KEY = fromHex('000102030405060708090a0b0c0d0e0f');
const XCBC_MESSAGE = fromHex('000102');
const XCBC_TAG = '5b376580ae2f19afe7219ceef172756f';

function moduleLoaded(name: string): boolean {
  return readFileSync('/proc/modules', 'utf8').split('\n').some((line) => line.startsWith(`${name} `));
}

/** The guest kernel's module file, taken out of the VM's initramfs. */
function extractModule(name: string): { file: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'afalg-module-'));
  execFileSync('sh', ['-c', `gzip -dc "$AFALG_VM_INITRD" | cpio -id --quiet 'modules/*-${name}.ko'`], { cwd: dir });
  const file = readdirSync(path.join(dir, 'modules')).find((f) => f.endsWith(`-${name}.ko`))!;
  return { file: path.join(dir, 'modules', file), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

if (process.env.AFALG_VM === '1') {
  describe('a kernel module unloaded and loaded again (in the VM)', () => {
    it('xcbc: rmmod fails while a session has it bound; after it is gone, a clear error; after insmod, a rebuilt session', async () => {
      // No other test binds xcbc(aes), so unloading it disturbs none running beside this one.
      const module = extractModule('xcbc');
      try {
        expect(moduleLoaded('xcbc')).toBe(true);
        const session = new Session('hash', 'xcbc(aes)', (tfm) => tfm.setKey(XCBC_KEY));
        const mac = async () => Session.run([session], XCBC_MESSAGE.byteLength,
          ([op], async) => binding().hash(op!, XCBC_MESSAGE, 16, async));
        expect(hex(await mac())).toBe(XCBC_TAG);

        const busy = spawnSync('rmmod', ['xcbc'], { encoding: 'utf8' });
        expect(busy.status).not.toBe(0);
        expect(busy.stderr).toMatch(/in use/i);
        expect(moduleLoaded('xcbc')).toBe(true);

        session.close();
        execFileSync('rmmod', ['xcbc']);
        expect(moduleLoaded('xcbc')).toBe(false);
        const gone = await mac().then(() => undefined, (error: unknown) => error);
        expect(gone).toBeInstanceOf(KernelError);
        expect((gone as KernelError).kind).toBe('unavailable');
        expect((gone as KernelError).message).toContain('module xcbc (CONFIG_CRYPTO_XCBC)');

        execFileSync('insmod', [module.file]);
        expect(moduleLoaded('xcbc')).toBe(true);
        expect(hex(await mac())).toBe(XCBC_TAG);
        session.close();
      } finally {
        if (!moduleLoaded('xcbc')) spawnSync('insmod', [module.file]);
        module.remove();
      }
    });
  });
}
