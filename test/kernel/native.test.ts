// The native addon's contracts (native/*.cc through src/kernel/binding.ts),
// on a real AF_ALG kernel: socket lifecycle, use after close, type tags,
// descriptor accounting, close-on-exec, error shape, and the jobs' bytes
// against node:crypto and RFC 3394.
import { spawnSync } from 'node:child_process';
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { constants } from 'node:os';
import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { binding, type AlgSocket, type Secret } from '../../src/kernel/binding';
import { Session } from '../../src/kernel/session';
import { fromHex, hex, KiB, MiB, randomData } from '../helpers/bytes';
import { fdTarget, socketFds } from '../helpers/descriptors';
import { requireAfAlg } from '../helpers/kernel';

beforeAll(requireAfAlg);

/** Linux errno values (asm-generic/errno*.h); os.constants.errno lacks some (ENOKEY). */
const ERRNO: Record<string, number> = { ...constants.errno, ENOKEY: 126 };

const addon = () => binding();
/** The addon's classes as the constructor functions they are. */
const classes = () => addon() as unknown as Record<'AlgSocket' | 'Secret', { prototype: object; new (...args: unknown[]): unknown }>;

/** Sockets a test opened, closed after it whatever happens. */
const opened: AlgSocket[] = [];
function track<T extends AlgSocket>(socket: T): T {
  opened.push(socket);
  return socket;
}
afterEach(() => {
  for (const socket of opened.splice(0)) socket.close();
});

function bind(type: string, name: string): AlgSocket {
  return track(addon().AlgSocket.bind(type, name));
}
function accept(tfm: AlgSocket): AlgSocket {
  return track(tfm.accept());
}

/** What a call threw (fails the test if it returned). */
function thrown(call: () => unknown): Error & { code?: string; errno?: number; syscall?: string } {
  try {
    call();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to throw');
}

async function rejected(call: () => unknown): Promise<Error & { code?: string; errno?: number; syscall?: string }> {
  try {
    await call();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

function isCloseOnExec(fd: number): boolean {
  const flags = /^flags:\s+([0-7]+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))![1]!;
  return (parseInt(flags, 8) & 0o2000000) !== 0; // O_CLOEXEC
}

describe('AlgSocket lifecycle', () => {
  test('bind gives an open tfm socket, accept a distinct op socket, close closes each (idempotently)', () => {
    const tfm = bind('hash', 'sha256');
    expect(tfm.closed).toBe(false);
    expect(tfm.fd).toBeGreaterThanOrEqual(0);
    expect(fdTarget(tfm.fd)).toMatch(/^socket:\[\d+\]$/);
    const op = accept(tfm);
    expect(op.fd).not.toBe(tfm.fd);
    expect(fdTarget(op.fd)).not.toBe(fdTarget(tfm.fd));
    const opFd = op.fd;
    const opTarget = fdTarget(opFd);
    op.close();
    expect(op.closed).toBe(true);
    expect(op.fd).toBe(-1);
    expect(socketFds().get(opFd)).not.toBe(opTarget);
    op.close();
    expect(op.closed).toBe(true);
    expect(tfm.closed).toBe(false);
  });

  test('an op socket keeps working after its tfm is closed', () => {
    const tfm = bind('hash', 'sha256');
    const op = accept(tfm);
    tfm.close();
    const data = randomData(1000);
    expect(hex(addon().hash(op, data, 32, false))).toBe(createHash('sha256').update(data).digest('hex'));
  });

  test('one op socket serves many sequential operations', () => {
    const op = accept(bind('hash', 'sha512'));
    for (let i = 0; i < 100; i++) {
      const data = randomData(i * 37);
      expect(hex(addon().hash(op, data, 64, false))).toBe(createHash('sha512').update(data).digest('hex'));
    }
  });
});

describe('a closed socket: every use throws an error with code EBADF', () => {
  function closedPair(): { tfm: AlgSocket; op: AlgSocket } {
    const tfm = bind('hash', 'sha256');
    const op = accept(tfm);
    tfm.close();
    op.close();
    return { tfm, op };
  }
  const data = new Uint8Array(16);
  const uses: [string, (s: { tfm: AlgSocket; op: AlgSocket }) => unknown][] = [
    ['accept', ({ tfm }) => tfm.accept()],
    ['setKey', ({ tfm }) => tfm.setKey(new Uint8Array(16))],
    ['setKeySerial', ({ tfm }) => tfm.setKeySerial(1)],
    ['setAeadAuthsize', ({ tfm }) => tfm.setAeadAuthsize(16)],
    ['setSendBuffer', ({ op }) => op.setSendBuffer(65536)],
    ['hash (sync)', ({ op }) => addon().hash(op, data, 32, false)],
    ['hash (async)', ({ op }) => addon().hash(op, data, 32, true)],
    ['skcipher', ({ op }) => addon().skcipher(op, true, new Uint8Array(16), data, false)],
    ['ctr', ({ op }) => addon().ctr(op, new Uint8Array(16), 64, data, false)],
    ['aead', ({ op }) => addon().aead(op, true, new Uint8Array(12), data, data, 16, false)],
    ['gcm', ({ op }) => addon().gcm(op, op, true, new Uint8Array(12), data, data, 16, false)],
    ['aesKw', ({ op }) => addon().aesKw(op, true, data, false)],
    ['rngFill', ({ op }) => addon().rngFill(op, new Uint8Array(16))],
    ['installGhashKey', ({ op, tfm }) => addon().installGhashKey(op, tfm)],
  ];
  test.each(uses)('%s', (_label, use) => {
    const error = thrown(() => use(closedPair()));
    expect(error.code).toBe('EBADF');
    expect(error.errno).toBe(ERRNO.EBADF);
  });
});

describe('type tags: look-alike objects are refused with TypeError, without crashing', () => {
  const secret = (): Secret => addon().Secret.fromBytes(new Uint8Array([1, 2, 3]));
  const impostors: [string, () => unknown][] = [
    ['a plain object', () => ({})],
    ['a Secret', secret],
    ['an object inheriting from AlgSocket.prototype', () => Object.create(classes().AlgSocket.prototype)],
    ['an object with a numeric fd', () => ({ fd: 0, closed: false })],
    ['a file descriptor number', () => 0],
    ['null', () => null],
  ];
  const data = new Uint8Array(16);
  const takesSocket: [string, (s: unknown) => unknown][] = [
    ['hash', (s) => addon().hash(s as AlgSocket, data, 32, false)],
    ['hash (async)', (s) => addon().hash(s as AlgSocket, data, 32, true)],
    ['skcipher', (s) => addon().skcipher(s as AlgSocket, true, new Uint8Array(16), data, false)],
    ['ctr', (s) => addon().ctr(s as AlgSocket, new Uint8Array(16), 64, data, false)],
    ['aead', (s) => addon().aead(s as AlgSocket, true, new Uint8Array(12), data, data, 16, false)],
    ['gcm (ctrOp)', (s) => addon().gcm(s as AlgSocket, s as AlgSocket, true, new Uint8Array(12), data, data, 16, false)],
    ['aesKw', (s) => addon().aesKw(s as AlgSocket, true, data, false)],
    ['rngFill', (s) => addon().rngFill(s as AlgSocket, new Uint8Array(16))],
    ['installGhashKey', (s) => addon().installGhashKey(s as AlgSocket, s as AlgSocket)],
  ];

  test.each(impostors)('%s where an AlgSocket is expected', (_label, make) => {
    for (const [name, call] of takesSocket) expect(() => call(make()), name).toThrow(TypeError);
  });

  test('gcm checks its second socket too', () => {
    const ctrTfm = bind('skcipher', 'ctr(aes)');
    ctrTfm.setKey(randomData(16));
    const ctrOp = accept(ctrTfm);
    expect(() => addon().gcm(ctrOp, secret() as never, true, new Uint8Array(12), data, data, 16, false)).toThrow(TypeError);
  });

  const proto = (o: unknown) => o as Record<string, (this: unknown, ...args: unknown[]) => unknown>;
  const getter = (o: object, name: string) => Object.getOwnPropertyDescriptor(o, name)!.get!;

  test.each(impostors.slice(0, 3))('AlgSocket methods called on %s', (_label, make) => {
    const AlgSocketProto = proto(classes().AlgSocket.prototype);
    for (const method of ['accept', 'setKey', 'setKeySerial', 'setAeadAuthsize', 'setSendBuffer', 'close'])
      expect(() => AlgSocketProto[method]!.call(make(), new Uint8Array(16)), method).toThrow(TypeError);
  });

  // Accessors need the same check as methods: without it, `fd` read on a
  // Secret returned a number taken from the Secret's memory (found by this
  // test, fixed in d2fba41).
  test.each(impostors.slice(0, 3))('AlgSocket accessors fd and closed read on %s', (_label, make) => {
    const AlgSocketProto = classes().AlgSocket.prototype;
    for (const accessor of ['fd', 'closed'])
      expect(() => getter(AlgSocketProto, accessor).call(make()), accessor).toThrow(TypeError);
  });

  test('Secret methods and the byteLength accessor called on an AlgSocket or a plain object', () => {
    const SecretProto = classes().Secret.prototype;
    for (const receiver of [bind('hash', 'sha256'), {}]) {
      for (const method of ['exportBytes', 'wipe'])
        expect(() => proto(SecretProto)[method]!.call(receiver), method).toThrow(TypeError);
      expect(() => getter(SecretProto, 'byteLength').call(receiver), 'byteLength').toThrow(TypeError);
    }
  });

  test('setKey refuses anything but bytes or a Secret', () => {
    const tfm = bind('hash', 'hmac(sha256)');
    for (const key of [{}, 'key', 16, null, bind('hash', 'sha256')])
      expect(() => tfm.setKey(key as never)).toThrow(TypeError);
  });

  test('JS cannot construct AlgSocket or Secret', () => {
    const { AlgSocket: AlgSocketClass, Secret: SecretClass } = classes();
    expect(() => new AlgSocketClass()).toThrow(TypeError);
    expect(() => new AlgSocketClass(3)).toThrow(TypeError);
    expect(() => new SecretClass()).toThrow(TypeError);
  });

  test('the process is still healthy afterwards: a digest is right', () => {
    const op = accept(bind('hash', 'sha1'));
    expect(hex(addon().hash(op, new TextEncoder().encode('abc'), 20, false))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
  });
});

describe('Secret', () => {
  test('fromBytes keeps a copy; exportBytes returns it; wipe empties it', () => {
    const bytes = randomData(40);
    const secret = addon().Secret.fromBytes(bytes);
    const copy = hex(bytes);
    bytes.fill(0);
    expect(secret.byteLength).toBe(40);
    expect(hex(secret.exportBytes())).toBe(copy);
    secret.wipe();
    expect(secret.byteLength).toBe(0);
  });

  test('random(n) gives n bytes; a negative or huge length is a RangeError', () => {
    expect(addon().Secret.random(32).byteLength).toBe(32);
    expect(new Set(new Uint8Array(addon().Secret.random(64).exportBytes())).size).toBeGreaterThan(1);
    expect(() => addon().Secret.random(-1)).toThrow(RangeError);
    expect(() => addon().Secret.random(2 ** 40)).toThrow(RangeError);
  });
});

describe('openSocketCount', () => {
  test('follows bind, accept and close back to its start value', () => {
    const start = addon().openSocketCount();
    const tfm = bind('hash', 'sha256');
    const ops = [accept(tfm), accept(tfm), accept(tfm)];
    expect(addon().openSocketCount()).toBe(start + 4);
    for (const op of ops) op.close();
    expect(addon().openSocketCount()).toBe(start + 1);
    tfm.close();
    expect(addon().openSocketCount()).toBe(start);
  });

  test('returns to its start value after sessions close (digest and keyed sessions, both job paths)', async () => {
    const start = addon().openSocketCount();
    const digest = new Session('hash', 'sha384');
    const keyed = new Session('hash', 'hmac(sha256)', (tfm) => tfm.setKey(randomData(32)));
    const data = randomData(100 * KiB);
    await Promise.all([
      Session.run([digest], 10, ([op], async) => addon().hash(op!, data, 48, async)),
      Session.run([digest], data.byteLength, ([op], async) => addon().hash(op!, data, 48, async)),
      Session.run([keyed], data.byteLength, ([op], async) => addon().hash(op!, data, 32, async)),
    ]);
    expect(addon().openSocketCount()).toBeGreaterThan(start);
    digest.close();
    keyed.close();
    expect(addon().openSocketCount()).toBe(start);
  });

  test('a socket closed while its async job runs is closed when the job ends, and the job finishes right', async () => {
    const start = addon().openSocketCount();
    const tfm = bind('hash', 'sha256');
    const op = accept(tfm);
    const data = randomData(16 * MiB);
    const job = addon().hash(op, data, 32, true);
    op.close();
    expect(op.closed).toBe(true);
    expect(thrown(() => op.accept()).code).toBe('EBADF');
    expect(hex(await job)).toBe(createHash('sha256').update(data).digest('hex'));
    tfm.close();
    expect(addon().openSocketCount()).toBe(start);
  });
});

describe('every AF_ALG socket is close-on-exec', () => {
  test('the sockets of bind() and accept() have O_CLOEXEC set', () => {
    const tfm = bind('skcipher', 'cbc(aes)');
    tfm.setKey(randomData(16));
    const op = accept(tfm);
    expect(isCloseOnExec(tfm.fd)).toBe(true);
    expect(isCloseOnExec(op.fd)).toBe(true);
  });

  test('a child process inherits none of them, including those a session opened', async () => {
    const tfm = bind('hash', 'sha256');
    const op = accept(tfm);
    const before = socketFds();
    const session = new Session('hash', 'sha1');
    await Session.run([session], 10, ([o], async) => addon().hash(o!, new Uint8Array(10), 20, async));
    const sessionSockets = [...socketFds()].filter(([fd]) => !before.has(fd));
    expect(sessionSockets.length).toBeGreaterThanOrEqual(2); // its tfm and an op socket
    const ours = [fdTarget(tfm.fd), fdTarget(op.fd), ...sessionSockets.map(([, target]) => target)];
    for (const [fd] of sessionSockets) expect(isCloseOnExec(fd)).toBe(true);
    const child = spawnSync('ls', ['-l', '/proc/self/fd'], { encoding: 'utf8' });
    expect(child.status).toBe(0);
    expect(child.stdout).toMatch(/->/); // the listing worked
    for (const target of ours) expect(child.stdout).not.toContain(target);
    session.close();
  });
});

describe('errors carry {code, errno, syscall}', () => {
  // The codes one kernel gives, or those kernels differ in.
  const cases: [string, () => unknown, string | string[], string][] = [
    ["bind('hash', 'nosuch')", () => bind('hash', 'nosuch'), 'ENOENT', 'bind'],
    ["bind('nosuchtype', 'sha256')", () => bind('nosuchtype', 'sha256'), 'ENOENT', 'bind'],
    // Linux 6.12 says EINVAL (the name exists with another type), 6.1 ENOENT.
    ["bind('hash', 'cbc(aes)') (wrong type)", () => bind('hash', 'cbc(aes)'), ['EINVAL', 'ENOENT'], 'bind'],
    ['bind with a name longer than salg_name', () => bind('hash', 'x'.repeat(64)), 'ENAMETOOLONG', 'bind'],
    ['setKey on an unkeyed hash', () => bind('hash', 'sha256').setKey(new Uint8Array(16)), 'ENOSYS', 'setsockopt(ALG_SET_KEY)'],
    ['setKey with a bad AES key length', () => bind('skcipher', 'cbc(aes)').setKey(new Uint8Array(17)), 'EINVAL', 'setsockopt(ALG_SET_KEY)'],
    ['hmac without a key', () => addon().hash(accept(bind('hash', 'hmac(sha256)')), new Uint8Array(1), 32, false), 'ENOKEY', ''],
  ];
  test.each(cases)('%s: %s', (_label, call, code, syscall) => {
    const error = thrown(call);
    expect(error).toBeInstanceOf(Error);
    expect([code].flat()).toContain(error.code);
    expect(error.errno).toBe(ERRNO[error.code!]);
    expect(typeof error.syscall).toBe('string');
    if (syscall) expect(error.syscall).toBe(syscall);
    expect(error.message).toContain(error.syscall!);
  });

  test('rngFill on an unseeded DRBG fails with EINVAL and leaves no partial output', () => {
    const op = accept(bind('rng', 'stdrng'));
    const view = new Uint8Array(300).fill(0x55);
    const error = thrown(() => addon().rngFill(op, view));
    expect(error.code).toBe('EINVAL');
    expect(error.errno).toBe(ERRNO.EINVAL);
    expect(error.syscall).toMatch(/recvmsg/);
    expect(view.every((b) => b === 0)).toBe(true); // wiped, as jobs.h documents
  });

  test('the same DRBG seeded before accept() fills 300 bytes', () => {
    const tfm = bind('rng', 'stdrng');
    tfm.setKey(randomData(32));
    const view = new Uint8Array(300);
    addon().rngFill(accept(tfm), view);
    expect(new Set(view).size).toBeGreaterThan(100);
  });

  test('an async job failure rejects with the same shape', async () => {
    const op = accept(bind('hash', 'hmac(sha256)'));
    const error = await rejected(() => addon().hash(op, new Uint8Array(1), 32, true));
    expect(error.code).toBe('ENOKEY');
    expect(typeof error.syscall).toBe('string');
  });
});

describe('hash jobs', () => {
  test.each([false, true])('16 MiB in one call (async=%s) equals node:crypto', async (async) => {
    const data = randomData(16 * MiB);
    const op = accept(bind('hash', 'sha256'));
    const digest = await addon().hash(op, data, 32, async);
    expect(hex(digest)).toBe(createHash('sha256').update(data).digest('hex'));
  });

  test('the empty message', () => {
    const op = accept(bind('hash', 'sha256'));
    expect(hex(addon().hash(op, new Uint8Array(0), 32, false))).toBe(createHash('sha256').digest('hex'));
  });
});

/** ctr(aes) + ghash sockets for the composite gcm job, keyed with key. */
function gcmSockets(key: Uint8Array | Secret): { ctrOp: AlgSocket; ghashOp: AlgSocket } {
  const ctrTfm = bind('skcipher', 'ctr(aes)');
  ctrTfm.setKey(key);
  const ctrOp = accept(ctrTfm);
  const ghashTfm = bind('hash', 'ghash');
  addon().installGhashKey(ctrOp, ghashTfm);
  return { ctrOp, ghashOp: accept(ghashTfm) };
}

function aeadSocket(key: Uint8Array, tagBytes: number): AlgSocket {
  const tfm = bind('aead', 'gcm(aes)');
  tfm.setKey(key);
  tfm.setAeadAuthsize(tagBytes);
  return accept(tfm);
}

/** node:crypto's AES-GCM: ciphertext || tag. */
function nodeGcm(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, tagBytes = 16): string {
  const cipher = createCipheriv(`aes-${key.byteLength * 8}-gcm` as 'aes-256-gcm', key, iv, { authTagLength: tagBytes });
  cipher.setAAD(aad);
  return hex(Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]));
}

describe('AES-GCM: the composite gcm job and the aead job against node:crypto aes-256-gcm', () => {
  const SIZES = [0, 1, 15, 16, 17, 100, 4096];
  const AAD_SIZES = [0, 1, 20];

  test.each([false, true])('12-byte IV (async=%s): gcm, aead and Node give identical bytes; both decrypt', async (async) => {
    const key = randomData(32);
    const { ctrOp, ghashOp } = gcmSockets(key);
    const aeadOp = aeadSocket(key, 16);
    for (const size of SIZES) {
      for (const aadSize of AAD_SIZES) {
        const iv = randomData(12);
        const aad = randomData(aadSize);
        const plaintext = randomData(size);
        const label = `${size} bytes, ${aadSize} AAD bytes`;
        const expected = nodeGcm(key, iv, aad, plaintext);
        const composite = await addon().gcm(ctrOp, ghashOp, true, iv, aad, plaintext, 16, async);
        const aead = await addon().aead(aeadOp, true, iv, aad, plaintext, 16, async);
        expect(hex(composite), `gcm ${label}`).toBe(expected);
        expect(hex(aead), `aead ${label}`).toBe(expected);
        const sealed = fromHex(expected);
        expect(hex(await addon().gcm(ctrOp, ghashOp, false, iv, aad, sealed, 16, async)), label).toBe(hex(plaintext));
        // A tag-only message without AAD is the known aead failure tested below.
        if (size === 0 && aadSize === 0) continue;
        expect(hex(await addon().aead(aeadOp, false, iv, aad, sealed, 16, async)), label).toBe(hex(plaintext));
      }
    }
  });

  test.each([1, 8, 16, 64])('%i-byte IV: gcm equals Node (gcm(aes) itself takes 12 bytes only)', async (ivBytes) => {
    const key = randomData(32);
    const { ctrOp, ghashOp } = gcmSockets(addon().Secret.fromBytes(key));
    for (const size of [0, 16, 100]) {
      const iv = randomData(ivBytes);
      const aad = randomData(13);
      const plaintext = randomData(size);
      const expected = nodeGcm(key, iv, aad, plaintext);
      expect(hex(addon().gcm(ctrOp, ghashOp, true, iv, aad, plaintext, 16, false))).toBe(expected);
      expect(hex(await addon().gcm(ctrOp, ghashOp, false, iv, aad, fromHex(expected), 16, true))).toBe(hex(plaintext));
    }
  });

  test.each([4, 8, 12, 13, 14, 15, 16])('%i-byte tag: gcm and aead equal Node', (tagBytes) => {
    const key = randomData(32);
    const { ctrOp, ghashOp } = gcmSockets(key);
    const aeadOp = aeadSocket(key, tagBytes);
    const iv = randomData(12);
    const aad = randomData(7);
    const plaintext = randomData(50);
    const expected = nodeGcm(key, iv, aad, plaintext, tagBytes);
    expect(hex(addon().gcm(ctrOp, ghashOp, true, iv, aad, plaintext, tagBytes, false))).toBe(expected);
    expect(hex(addon().aead(aeadOp, true, iv, aad, plaintext, tagBytes, false))).toBe(expected);
  });

  // With no AAD and no plaintext, a recvmsg of 0 bytes runs no request in
  // algif_aead: the tag would go unchecked (any 16 bytes "decrypting" to an
  // empty message) and the request would stay queued, making the op
  // socket's next sendmsg fail with EINVAL. AeadJob must receive at least a
  // byte (found by this test and test/kernel/aes-gcm.test.ts, fixed in d2fba41).
  describe('aead: decrypting a tag-only message with no AAD', () => {
    test.each([false, true])('a forged tag fails with EBADMSG (async=%s)', async (async) => {
      const aeadOp = aeadSocket(randomData(32), 16);
      const error = await rejected(() => addon().aead(aeadOp, false, randomData(12), new Uint8Array(0), randomData(16), 16, async));
      expect(error.code).toBe('EBADMSG');
    });

    test('a genuine one opens, and the op socket then serves the next request', () => {
      const key = randomData(32);
      const aeadOp = aeadSocket(key, 16);
      const iv = randomData(12);
      const sealed = fromHex(nodeGcm(key, iv, new Uint8Array(0), new Uint8Array(0)));
      expect(addon().aead(aeadOp, false, iv, new Uint8Array(0), sealed, 16, false).byteLength).toBe(0);
      const next = randomData(20);
      expect(hex(addon().aead(aeadOp, true, iv, new Uint8Array(0), next, 16, false))).toBe(nodeGcm(key, iv, new Uint8Array(0), next));
    });

    test('the composite gcm job checks the tag of a tag-only message', () => {
      const { ctrOp, ghashOp } = gcmSockets(randomData(32));
      const error = thrown(() => addon().gcm(ctrOp, ghashOp, false, randomData(12), new Uint8Array(0), randomData(16), 16, false));
      expect(error.code).toBe('EBADMSG');
    });
  });

  test('gcm handles a 1 MiB message (larger than an AEAD socket can take)', async () => {
    const key = randomData(32);
    const { ctrOp, ghashOp } = gcmSockets(key);
    const iv = randomData(12);
    const plaintext = randomData(MiB);
    expect(hex(await addon().gcm(ctrOp, ghashOp, true, iv, new Uint8Array(0), plaintext, 16, true)))
      .toBe(nodeGcm(key, iv, new Uint8Array(0), plaintext));
  });

  test.each([false, true])('a tampered tag fails with EBADMSG on both jobs (async=%s)', async (async) => {
    const key = randomData(32);
    const { ctrOp, ghashOp } = gcmSockets(key);
    const aeadOp = aeadSocket(key, 16);
    const iv = randomData(12);
    const sealed = fromHex(nodeGcm(key, iv, new Uint8Array(0), randomData(64)));
    sealed[sealed.length - 1]! ^= 1;
    for (const [name, call] of [
      ['gcm', () => addon().gcm(ctrOp, ghashOp, false, iv, new Uint8Array(0), sealed, 16, async)],
      ['aead', () => addon().aead(aeadOp, false, iv, new Uint8Array(0), sealed, 16, async)],
    ] as const) {
      const error = await rejected(call);
      expect(error.code, name).toBe('EBADMSG');
      expect(error.errno, name).toBe(ERRNO.EBADMSG);
    }
  });
});

describe('AES-KW (RFC 3394) over ecb(aes)', () => {
  // RFC 3394 section 4.1: wrap 128 bits of key data with a 128-bit KEK.
  const KEK = fromHex('000102030405060708090A0B0C0D0E0F');
  const KEY_DATA = fromHex('00112233445566778899AABBCCDDEEFF');
  const WRAPPED = fromHex('1FA68B0A8112B447 AEF34BD8FB5A7B82 9D3E862371D2CFE5');

  function ecbOp(kek: Uint8Array): AlgSocket {
    const tfm = bind('skcipher', 'ecb(aes)');
    tfm.setKey(kek);
    return accept(tfm);
  }

  test.each([false, true])('the section 4.1 vector wraps and unwraps (async=%s)', async (async) => {
    const op = ecbOp(KEK);
    expect(hex(await addon().aesKw(op, true, KEY_DATA, async))).toBe(hex(WRAPPED));
    expect(hex(await addon().aesKw(op, false, WRAPPED, async))).toBe(hex(KEY_DATA));
  });

  test('random KEKs and key data of 16..64 bytes match node:crypto id-aes*-wrap', () => {
    for (const kekBytes of [16, 24, 32]) {
      for (let dataBytes = 16; dataBytes <= 64; dataBytes += 8) {
        const kek = randomData(kekBytes);
        const data = randomData(dataBytes);
        const iv = fromHex('A6A6A6A6A6A6A6A6');
        const cipher = createCipheriv(`id-aes${kekBytes * 8}-wrap`, kek, iv);
        const expected = Buffer.concat([cipher.update(data), cipher.final()]);
        const op = ecbOp(kek);
        expect(hex(addon().aesKw(op, true, data, false))).toBe(hex(expected));
        const decipher = createDecipheriv(`id-aes${kekBytes * 8}-wrap`, kek, iv);
        expect(hex(Buffer.concat([decipher.update(expected), decipher.final()]))).toBe(hex(data));
      }
    }
  });

  test.each([false, true])('unwrapping a tampered input fails with EBADMSG (async=%s)', async (async) => {
    const op = ecbOp(KEK);
    for (const index of [0, 8, WRAPPED.length - 1]) {
      const tampered = WRAPPED.slice();
      tampered[index]! ^= 0x80;
      const error = await rejected(() => addon().aesKw(op, false, tampered, async));
      expect(error.code, `byte ${index}`).toBe('EBADMSG');
      expect(error.errno).toBe(ERRNO.EBADMSG);
    }
  });
});
