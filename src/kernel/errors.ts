// Kernel failures, in words. The addon reports {errno, code, syscall}; this
// file adds what it means for AF_ALG and which kernel piece is missing. It
// never decides a DOMException name (src/webcrypto/dom-errors.ts does).

export type AlgType = 'hash' | 'skcipher' | 'aead' | 'rng';

/** The kernel algorithm an operation was using, e.g. hash:hmac(sha256). */
export interface KernelAlgorithmRef {
  readonly type: AlgType;
  readonly name: string;
}

/** Why the kernel said no: missing support, or a failed operation. */
export type KernelErrorKind = 'unavailable' | 'bad-message' | 'failed';

export class KernelError extends Error {
  override readonly name = 'KernelError';
  constructor(
    message: string,
    readonly kind: KernelErrorKind,
    readonly code: string,
    readonly errno: number,
    readonly syscall: string,
    readonly algorithm: KernelAlgorithmRef | undefined,
  ) {
    super(message);
  }
}

const USER_API: Record<AlgType, string> = {
  hash: 'module algif_hash, CONFIG_CRYPTO_USER_API_HASH',
  skcipher: 'module algif_skcipher, CONFIG_CRYPTO_USER_API_SKCIPHER',
  aead: 'module algif_aead, CONFIG_CRYPTO_USER_API_AEAD',
  rng: 'module algif_rng, CONFIG_CRYPTO_USER_API_RNG',
};

// The kernel pieces behind the algorithm names this library binds: the
// module that provides a template or cipher, and its Kconfig option.
const PROVIDERS: [RegExp, string][] = [
  [/^sha1$/, 'sha1 (CONFIG_CRYPTO_SHA1)'],
  [/^sha(224|256)$/, 'sha256 (CONFIG_CRYPTO_SHA256)'],
  [/^sha(384|512)$/, 'sha512 (CONFIG_CRYPTO_SHA512)'],
  [/^sha3-/, 'module sha3_generic (CONFIG_CRYPTO_SHA3)'],
  [/^hmac\(/, 'hmac (CONFIG_CRYPTO_HMAC)'],
  [/^cmac\(/, 'module cmac (CONFIG_CRYPTO_CMAC)'],
  [/^xcbc\(/, 'module xcbc (CONFIG_CRYPTO_XCBC)'],
  [/^ghash$/, 'module ghash-generic or ghash-clmulni-intel (CONFIG_CRYPTO_GHASH)'],
  [/^cbc\(/, 'cbc (CONFIG_CRYPTO_CBC)'],
  [/^ctr\(/, 'module ctr (CONFIG_CRYPTO_CTR)'],
  [/^ecb\(/, 'ecb (CONFIG_CRYPTO_ECB)'],
  [/^gcm\(/, 'module gcm (CONFIG_CRYPTO_GCM)'],
  [/^kw\(/, 'module keywrap (CONFIG_CRYPTO_KEYWRAP)'],
  [/^rfc7539\(/, 'module chacha20poly1305 (CONFIG_CRYPTO_CHACHA20POLY1305) with modules chacha_generic ' +
    'or chacha-x86_64 (CONFIG_CRYPTO_CHACHA20) and poly1305_generic or poly1305-x86_64 (CONFIG_CRYPTO_POLY1305)'],
  [/^(stdrng|drbg_)/, 'drbg (CONFIG_CRYPTO_DRBG)'],
];

function provider(name: string): string {
  const found = PROVIDERS.find(([pattern]) => pattern.test(name));
  const aes = /\(aes\)/.test(name) ? ' with aes (CONFIG_CRYPTO_AES or module aesni-intel)' : '';
  return found ? found[1] + aes : `the kernel algorithm ${name}`;
}

interface NativeError {
  code?: unknown;
  errno?: unknown;
  syscall?: unknown;
  message?: unknown;
}

function describe(code: string, syscall: string, alg: KernelAlgorithmRef | undefined): [KernelErrorKind, string] {
  const what = alg ? `${alg.type}:${alg.name}` : 'AF_ALG';
  switch (code) {
    case 'EAFNOSUPPORT':
      return ['unavailable',
        'this kernel has no AF_ALG sockets (CONFIG_CRYPTO_USER_API is off or module af_alg cannot be loaded); ' +
        'afalg-webcrypto needs Linux with the kernel crypto user API (see `npx afalg-webcrypto doctor`)'];
    case 'ENOENT':
      if (syscall === 'bind' && alg)
        return ['unavailable',
          `the kernel cannot provide ${what}: either the AF_ALG "${alg.type}" interface (${USER_API[alg.type]}) ` +
          `or ${provider(alg.name)} is missing or not loaded`];
      break;
    case 'EINVAL':
      if (syscall === 'bind' && alg)
        return ['unavailable', `the kernel's ${alg.name} is not of AF_ALG type "${alg.type}"`];
      break;
    case 'ENOPROTOOPT':
      if (syscall === 'setsockopt(ALG_SET_DRBG_ENTROPY)')
        return ['unavailable',
          `${what}: this kernel has no DRBG test interface (ALG_SET_DRBG_ENTROPY); it needs a kernel built with ` +
          'CONFIG_CRYPTO_USER_API_RNG_CAVP, which distribution kernels leave off (see scripts/vm/build-cavp-kernel)'];
      break;
    case 'EACCES':
      if (syscall === 'setsockopt(ALG_SET_DRBG_ENTROPY)')
        return ['failed', `${what}: setting DRBG test entropy needs CAP_SYS_ADMIN`];
      break;
    case 'EBADMSG':
      // The addon's own checks (a GCM tag, CBC padding) name themselves in place of the syscall.
      return ['bad-message', `${what}: ${syscall === 'recvmsg' ? 'authentication failed' : syscall}`];
    case 'ENOKEY':
      return ['failed', `${what}: no key is set on the socket`];
    case 'EMFILE':
    case 'ENFILE':
      return ['failed', `${what}: out of file descriptors`];
  }
  return ['failed', `${what}: ${syscall} failed with ${code}`];
}

/** Turns an error thrown by the addon into a KernelError (others pass through). */
export function kernelError(error: unknown, alg?: KernelAlgorithmRef): unknown {
  const native = error as NativeError;
  if (error instanceof KernelError || !(error instanceof Error) ||
      typeof native.code !== 'string' || typeof native.syscall !== 'string')
    return error;
  const [kind, message] = describe(native.code, native.syscall, alg);
  const ref = alg && { type: alg.type, name: alg.name };
  const result = new KernelError(message, kind, native.code, Number(native.errno), native.syscall, ref);
  (result as { cause?: unknown }).cause = error;
  return result;
}
