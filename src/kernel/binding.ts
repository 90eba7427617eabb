// Loads the native addon once, on first use (never at import time, so a
// machine without the build or without AF_ALG can still import the package
// and get a clear error from the first operation).
import * as path from 'node:path';

/** An AF_ALG socket: a bound "tfm" socket, or an op socket accepted from one. */
export interface AlgSocket {
  accept(): AlgSocket;
  setKey(key: Secret | Uint8Array): void;
  setKeySerial(serial: number): void;
  setAeadAuthsize(tagBytes: number): void;
  setSendBuffer(bytes: number): void;
  /** ALG_SET_DRBG_ENTROPY (kernels with CONFIG_CRYPTO_USER_API_RNG_CAVP only). */
  setDrbgEntropy(entropy: Uint8Array): void;
  close(): void;
  /** Forgets the descriptor without closing it (it is no longer ours). */
  abandon(): void;
  /** Whether the descriptor is still an open AF_ALG socket. */
  readonly healthy: boolean;
  readonly fd: number;
  readonly closed: boolean;
}

/** Key bytes held in native memory, wiped when released. */
export interface Secret {
  readonly byteLength: number;
  exportBytes(): ArrayBuffer;
  wipe(): void;
}

/**
 * A job function: synchronous with a trailing `false`, a promise with `true`.
 * A queued (`true`) job reads its byte arguments in place on a pool thread,
 * so pass arrays nothing else can change or detach until it settles (the
 * library's own copies, never a caller's buffer).
 */
type Maybe<A extends unknown[]> = {
  (...args: [...A, false]): ArrayBuffer;
  (...args: [...A, true]): Promise<ArrayBuffer>;
  (...args: [...A, boolean]): ArrayBuffer | Promise<ArrayBuffer>;
};

export interface Binding {
  AlgSocket: { bind(type: string, name: string): AlgSocket };
  Secret: { fromBytes(bytes: Uint8Array): Secret; random(byteLength: number, bits?: number): Secret };
  hash: Maybe<[op: AlgSocket, data: Uint8Array, digestBytes: number]>;
  skcipher: Maybe<[op: AlgSocket, encrypt: boolean, iv: Uint8Array | null, data: Uint8Array]>;
  /** AES-CBC with PKCS#7 padding (EBADMSG for bad padding); iv is 16 bytes. */
  cbc: Maybe<[op: AlgSocket, encrypt: boolean, iv: Uint8Array, data: Uint8Array]>;
  ctr: Maybe<[op: AlgSocket, counter: Uint8Array, counterBits: number, data: Uint8Array]>;
  aead: Maybe<[op: AlgSocket, encrypt: boolean, iv: Uint8Array, aad: Uint8Array, data: Uint8Array, tagBytes: number]>;
  gcm: Maybe<[ctrOp: AlgSocket, ghashOp: AlgSocket, encrypt: boolean, iv: Uint8Array, aad: Uint8Array, data: Uint8Array, tagBytes: number]>;
  aesKw: Maybe<[ecbOp: AlgSocket, wrap: boolean, data: Uint8Array]>;
  pbkdf2: Maybe<[hmacOp: AlgSocket, salt: Uint8Array, iterations: number, digestBytes: number, firstBlock: number, outBytes: number]>;
  hkdf: Maybe<[hmacName: string, ikm: Secret, salt: Uint8Array, info: Uint8Array, digestBytes: number, outBytes: number]>;
  digestSecret(hashOp: AlgSocket, secret: Secret, digestBytes: number): Secret;
  hashUpdate: Maybe<[op: AlgSocket, data: Uint8Array]>;
  hashFinal: Maybe<[op: AlgSocket, digestBytes: number]>;
  /** J0 of a streaming GCM encryption, kept native; the AAD is then pending in GHASH. */
  gcmStart(ghashOp: AlgSocket, iv: Uint8Array, aad: Uint8Array): Secret;
  gcmUpdate: Maybe<[ctrOp: AlgSocket, ghashOp: AlgSocket, j0: Secret, firstBlock: number, data: Uint8Array]>;
  gcmFinal(ctrOp: AlgSocket, ghashOp: AlgSocket, j0: Secret, aadBytes: number, textBytes: number, tagBytes: number): ArrayBuffer;
  addKey(type: string, description: string, payload: Secret | Uint8Array, keyring: number): number;
  searchKey(type: string, description: string, keyring: number): number;
  revokeKey(serial: number, keyring: number): void;
  rngFill(op: AlgSocket, view: ArrayBufferView): void;
  /** One generate call of a DRBG under CAVP test: additional input sent, then one read (<= 128 bytes). */
  drbgGenerate(op: AlgSocket, additionalInput: Uint8Array | null, outBytes: number): ArrayBuffer;
  getRandom(view: ArrayBufferView): void;
  installGhashKey(ctrOp: AlgSocket, ghashTfm: AlgSocket): void;
  openSocketCount(): number;
}

let loaded: Binding | undefined;

/** The addon, loaded on first call. Throws an Error saying how to build it. */
export function binding(): Binding {
  if (loaded === undefined) {
    // src/kernel and dist/kernel are both two levels below the package root.
    const file = path.join(__dirname, '..', '..', 'build', 'Release', 'afalg.node');
    try {
      loaded = require(file) as Binding;
    } catch (cause) {
      throw new Error(
        `afalg-webcrypto: the native addon ${file} could not be loaded; ` +
          'build it with `npx node-gyp rebuild` in the package folder (needs python3, make and a C++ compiler)',
        { cause },
      );
    }
  }
  return loaded;
}
