// The kernel DRBG's test interface (not part of WebCrypto): a DRBG
// instantiated from entropy the caller chooses, so that its output can be
// compared with NIST SP 800-90A known answers (CAVP). Output made this way is
// predictable by design; it is for checking the kernel, never for keys.
//
// The kernel side (crypto/algif_rng.c, crypto/drbg.c): ALG_SET_DRBG_ENTROPY
// on the rng tfm stores the test entropy; ALG_SET_KEY then instantiates the
// DRBG from that entropy with the key bytes as the personalization string;
// on op sockets accepted afterwards a send() stores additional input for the
// next read, and each read is one generate call. Only kernels built with
// CONFIG_CRYPTO_USER_API_RNG_CAVP have this, and it needs CAP_SYS_ADMIN.
import { binding, type AlgSocket } from './kernel/binding';
import { kernelError, type KernelAlgorithmRef } from './kernel/errors';
import { toBytes, type Context } from './webcrypto/webidl';

// algif_rng.c's MAXSIZE: the most one read returns, and the most test
// entropy or additional input it takes.
const MAX_BYTES = 128;

export interface DrbgTestInstantiation {
  /**
   * A kernel DRBG without prediction resistance: drbg_nopr_hmac_sha256,
   * drbg_nopr_sha256, drbg_nopr_ctr_aes128, ... (the driver names in
   * /proc/crypto). Prediction-resistant DRBGs (drbg_pr_*) would reseed from
   * the same test entropy at every call, which no test vector describes.
   */
  name: string;
  /** EntropyInput of the test vector. */
  entropyInput: BufferSource;
  /** Nonce of the test vector; the kernel takes it appended to the entropy. */
  nonce?: BufferSource;
  /** PersonalizationString of the test vector. */
  personalizationString?: BufferSource;
}

const ctx = (what: string): Context => ({ prefix: "Failed to execute 'DrbgTest.instantiate'", context: what });

/** One DRBG instance under test: generate() calls its Generate function. */
export class DrbgTest {
  private constructor(
    private readonly tfm: AlgSocket,
    private readonly op: AlgSocket,
    private readonly algorithm: KernelAlgorithmRef,
  ) {}

  /**
   * Instantiates `name` from the given entropy, nonce and personalization.
   * Throws a KernelError of kind 'unavailable' naming
   * CONFIG_CRYPTO_USER_API_RNG_CAVP where the kernel lacks the interface.
   */
  static instantiate(params: DrbgTestInstantiation): DrbgTest {
    const { name } = params;
    if (typeof name !== 'string' || !/^drbg_nopr_\w+$/.test(name))
      throw new TypeError(`DrbgTest needs a kernel DRBG without prediction resistance (drbg_nopr_*), not ${JSON.stringify(name)}`);
    const entropy = toBytes(params.entropyInput, ctx("member 'entropyInput'"));
    const nonce = params.nonce === undefined ? new Uint8Array(0) : toBytes(params.nonce, ctx("member 'nonce'"));
    const personalization = params.personalizationString === undefined
      ? new Uint8Array(0) : toBytes(params.personalizationString, ctx("member 'personalizationString'"));
    const seed = Buffer.concat([entropy, nonce]);
    // The kernel copies at most 128 bytes of test entropy, and an empty one
    // would silently leave the DRBG seeding itself from the system.
    if (seed.length === 0 || seed.length > MAX_BYTES)
      throw new RangeError(`entropyInput and nonce together must be 1 to ${MAX_BYTES} bytes, not ${seed.length}`);

    const algorithm: KernelAlgorithmRef = { type: 'rng', name };
    let tfm: AlgSocket | undefined;
    try {
      tfm = binding().AlgSocket.bind('rng', name);
      tfm.setDrbgEntropy(seed);
      tfm.setKey(personalization);  // instantiates from the test entropy
      return new DrbgTest(tfm, tfm.accept(), algorithm);
    } catch (error) {
      tfm?.close();
      throw kernelError(error, algorithm);
    }
  }

  /**
   * Generates `byteLength` bytes (1 to 128: one kernel read is one Generate
   * call) with optional additional input.
   */
  generate(byteLength: number, additionalInput?: BufferSource): Uint8Array {
    if (!Number.isInteger(byteLength) || byteLength < 1 || byteLength > MAX_BYTES)
      throw new RangeError(`byteLength must be an integer from 1 to ${MAX_BYTES}, not ${byteLength}`);
    const input = additionalInput === undefined ? null
      : toBytes(additionalInput, { prefix: "Failed to execute 'generate' on 'DrbgTest'", context: '2nd argument' });
    if (input !== null && input.length > MAX_BYTES)
      throw new RangeError(`additionalInput must be at most ${MAX_BYTES} bytes, not ${input.length}`);
    try {
      return new Uint8Array(binding().drbgGenerate(this.op, input, byteLength));
    } catch (error) {
      throw kernelError(error, this.algorithm);
    }
  }

  /** Closes the instance's sockets (the kernel wipes its state). */
  close(): void {
    this.op.close();
    this.tfm.close();
  }
}
