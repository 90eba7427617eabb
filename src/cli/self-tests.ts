// Known-answer tests for the doctor, one per WebCrypto algorithm, run
// through the public SubtleCrypto API so they cover the whole path (WebIDL,
// normalization, the algorithm module, the kernel). The vectors are typed in
// from the standards named beside each entry. The doctor runs an entry only
// for an algorithm that REGISTRY has; a registered algorithm without an
// entry is reported as having no self-test.

/** Bytes over a plain ArrayBuffer, as WebIDL's BufferSource wants them. */
type Bytes = Uint8Array<ArrayBuffer>;

/** The SubtleCrypto methods the tests call: ours, or any other WebCrypto's. */
export interface SelfTestSubtle {
  digest(algorithm: unknown, data: Bytes): Promise<ArrayBuffer>;
  importKey(format: 'raw' | 'raw-secret', keyData: Bytes, algorithm: unknown, extractable: boolean,
    keyUsages: string[]): Promise<object>;
  exportKey(format: 'raw', key: object): Promise<unknown>;
  encrypt(algorithm: unknown, key: object, data: Bytes): Promise<ArrayBuffer>;
  decrypt(algorithm: unknown, key: object, data: Bytes): Promise<ArrayBuffer>;
  sign(algorithm: unknown, key: object, data: Bytes): Promise<ArrayBuffer>;
  verify(algorithm: unknown, key: object, signature: Bytes, data: Bytes): Promise<boolean>;
  deriveBits(algorithm: unknown, baseKey: object, length: number): Promise<ArrayBuffer>;
  wrapKey(format: 'raw', key: object, wrappingKey: object, wrapAlgorithm: unknown): Promise<ArrayBuffer>;
  unwrapKey(format: 'raw', wrappedKey: Bytes, unwrappingKey: object, unwrapAlgorithm: unknown,
    unwrappedKeyAlgorithm: unknown, extractable: boolean, keyUsages: string[]): Promise<object>;
}

/** Resolves when the algorithm gave the published answers, rejects saying what differed. */
export type SelfTest = (subtle: SelfTestSubtle) => Promise<void>;

/** Hex as printed in the standards (spaces allowed) to bytes. */
function hex(text: string): Bytes {
  return new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
}

function ascii(text: string): Bytes {
  return new Uint8Array(Buffer.from(text, 'latin1'));
}

function toHex(bytes: ArrayBuffer | Uint8Array): string {
  return Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString('hex');
}

function expectBytes(what: string, actual: ArrayBuffer | Uint8Array, expected: Uint8Array): void {
  if (toHex(actual) !== toHex(expected))
    throw new Error(`${what}: expected ${toHex(expected)}, got ${toHex(actual)}`);
}

function expectTrue(what: string, value: boolean): void {
  if (!value) throw new Error(`${what}: expected true, got false`);
}

/** Expects promise to reject with a DOMException named name. */
async function expectRejects(what: string, promise: Promise<unknown>, name: string): Promise<void> {
  let outcome: string;
  try {
    await promise;
    outcome = 'it succeeded';
  } catch (error) {
    if (error instanceof Error && error.name === name) return;
    outcome = `it failed with ${error instanceof Error ? error.name : String(error)}`;
  }
  throw new Error(`${what}: expected ${name}, but ${outcome}`);
}

// FIPS 180-4 examples (csrc.nist.gov "Examples with Intermediate Values"): the message "abc".
function shaAbc(name: string, digestHex: string): SelfTest {
  return async (subtle) => {
    expectBytes(`${name}("abc")`, await subtle.digest(name, ascii('abc')), hex(digestHex));
  };
}

// RFC 4231 section 4.2, test case 1: key 0x0b x 20, data "Hi There".
const RFC4231_CASE1: Record<string, string> = {
  'SHA-256': 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
  'SHA-384': 'afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c' +
             'faea9ea9076ede7f4af152e8b2fa9cb6',
  'SHA-512': '87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde' +
             'daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854',
};

async function hmacCase1(subtle: SelfTestSubtle): Promise<void> {
  const data = ascii('Hi There');
  for (const [hash, macHex] of Object.entries(RFC4231_CASE1)) {
    const algorithm = { name: 'HMAC', hash };
    const key = await subtle.importKey('raw', new Uint8Array(20).fill(0x0b), algorithm, false, ['sign', 'verify']);
    const mac = await subtle.sign('HMAC', key, data);
    expectBytes(`HMAC-${hash} (RFC 4231 case 1)`, mac, hex(macHex));
    expectTrue(`HMAC-${hash} verify`, await subtle.verify('HMAC', key, new Uint8Array(mac), data));
    const wrong = new Uint8Array(mac);
    wrong[0]! ^= 1;
    if (await subtle.verify('HMAC', key, wrong, data))
      throw new Error(`HMAC-${hash} verify: accepted a wrong MAC`);
  }
}

// NIST SP 800-38A, appendix F: AES-128 key and the four plaintext blocks shared by F.2.1 and F.5.1.
const SP800_38A_KEY = hex('2b7e151628aed2a6abf7158809cf4f3c');
const SP800_38A_PLAINTEXT = hex(`
  6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51
  30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710`);

// F.2.1 CBC-AES128.Encrypt. WebCrypto adds a PKCS#7 block, so the vector is the first 64 bytes.
async function aesCbc(subtle: SelfTestSubtle): Promise<void> {
  const algorithm = { name: 'AES-CBC', iv: hex('000102030405060708090a0b0c0d0e0f') };
  const key = await subtle.importKey('raw', SP800_38A_KEY, 'AES-CBC', false, ['encrypt', 'decrypt']);
  const ciphertext = new Uint8Array(await subtle.encrypt(algorithm, key, SP800_38A_PLAINTEXT));
  if (ciphertext.length !== 80) throw new Error(`AES-CBC: expected 80 bytes (64 + padding), got ${ciphertext.length}`);
  expectBytes('AES-CBC (SP 800-38A F.2.1)', ciphertext.subarray(0, 64), hex(`
    7649abac8119b246cee98e9b12e9197d 5086cb9b507219ee95db113a917678b2
    73bed6b8e3c1743b7116e69e22229516 3ff1caa1681fac09120eca307586e1a7`));
  expectBytes('AES-CBC decrypt', await subtle.decrypt(algorithm, key, ciphertext), SP800_38A_PLAINTEXT);
}

// F.5.1 CTR-AES128.Encrypt; a 64-bit counter field covers the four blocks without wrapping.
async function aesCtr(subtle: SelfTestSubtle): Promise<void> {
  const algorithm = { name: 'AES-CTR', counter: hex('f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff'), length: 64 };
  const key = await subtle.importKey('raw', SP800_38A_KEY, 'AES-CTR', false, ['encrypt', 'decrypt']);
  const ciphertext = hex(`
    874d6191b620e3261bef6864990db6ce 9806f66b7970fdff8617187bb9fffdff
    5ae4df3edbd5d35e5b4f09020db03eab 1e031dda2fbe03d1792170a0f3009cee`);
  expectBytes('AES-CTR (SP 800-38A F.5.1)', await subtle.encrypt(algorithm, key, SP800_38A_PLAINTEXT), ciphertext);
  expectBytes('AES-CTR decrypt', await subtle.decrypt(algorithm, key, ciphertext), SP800_38A_PLAINTEXT);
}

/** An AEAD vector: plaintext seals to `sealed` (ciphertext and tag), which opens again, and a wrong tag is OperationError. */
async function expectSealAndOpen(subtle: SelfTestSubtle, what: string, algorithm: object, key: object,
  plaintext: Bytes, sealed: Bytes): Promise<void> {
  expectBytes(what, await subtle.encrypt(algorithm, key, plaintext), sealed);
  expectBytes(`${what} decrypt`, await subtle.decrypt(algorithm, key, sealed), plaintext);
  const forged = new Uint8Array(sealed);
  forged[forged.length - 1]! ^= 1;
  await expectRejects(`${what} decrypt with a wrong tag`, subtle.decrypt(algorithm, key, forged), 'OperationError');
}

// McGrew and Viega, "The Galois/Counter Mode of Operation (GCM)", test case 4 (AES-128, 20 bytes of AAD).
async function aesGcm(subtle: SelfTestSubtle): Promise<void> {
  const algorithm = {
    name: 'AES-GCM', iv: hex('cafebabefacedbaddecaf888'),
    additionalData: hex('feedfacedeadbeeffeedfacedeadbeefabaddad2'), tagLength: 128,
  };
  const key = await subtle.importKey('raw', hex('feffe9928665731c6d6a8f9467308308'), 'AES-GCM', false,
    ['encrypt', 'decrypt']);
  const plaintext = hex(`
    d9313225f88406e5a55909c5aff5269a 86a7a9531534f7da2e4c303d8a318a72
    1c3c0c95956809532fcf0e2449a6b525 b16aedf5aa0de657ba637b39`);
  const sealed = hex(`
    42831ec2217774244b7221b784d0d49c e3aa212f2c02a4e035c17e2329aca12e
    21d514b25466931c7d8f6a5aac84aa05 1ba30b396a0aac973d58e091
    5bc94fbc3221a5db94fae95ae7121a47`);
  await expectSealAndOpen(subtle, 'AES-GCM (GCM spec test case 4)', algorithm, key, plaintext, sealed);
}

// RFC 3394 section 4.1: wrap 128 bits of key data with a 128-bit KEK.
async function aesKw(subtle: SelfTestSubtle): Promise<void> {
  const kek = await subtle.importKey('raw', hex('000102030405060708090a0b0c0d0e0f'), 'AES-KW', false,
    ['wrapKey', 'unwrapKey']);
  const keyData = hex('00112233445566778899aabbccddeeff');
  const wrapped = hex('1fa68b0a8112b447 aef34bd8fb5a7b82 9d3e862371d2cfe5');
  // The key to wrap is itself an AES-KW key here, so this entry needs no other algorithm.
  const data = await subtle.importKey('raw', keyData, 'AES-KW', true, ['wrapKey']);
  expectBytes('AES-KW wrap (RFC 3394 4.1)', await subtle.wrapKey('raw', data, kek, 'AES-KW'), wrapped);
  const unwrapped = await subtle.unwrapKey('raw', wrapped, kek, 'AES-KW', 'AES-KW', true, ['wrapKey']);
  expectBytes('AES-KW unwrap', await subtle.exportKey('raw', unwrapped) as ArrayBuffer, keyData);
  const forged = new Uint8Array(wrapped);
  forged[0]! ^= 1;
  await expectRejects('AES-KW unwrap with a wrong integrity check',
    subtle.unwrapKey('raw', forged, kek, 'AES-KW', 'AES-KW', true, ['wrapKey']), 'OperationError');
}

// RFC 6070 (PBKDF2 with HMAC-SHA1): the 4096-iteration cases with 20- and 25-byte outputs.
const RFC6070 = [
  { password: 'password', salt: 'salt', dk: '4b007901b765489abead49d926f721d065a429c1' },
  {
    password: 'passwordPASSWORDpassword', salt: 'saltSALTsaltSALTsaltSALTsaltSALTsalt',
    dk: '3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038',
  },
];

async function pbkdf2(subtle: SelfTestSubtle): Promise<void> {
  for (const { password, salt, dk } of RFC6070) {
    const key = await subtle.importKey('raw', ascii(password), 'PBKDF2', false, ['deriveBits']);
    const expected = hex(dk);
    const bits = await subtle.deriveBits(
      { name: 'PBKDF2', hash: 'SHA-1', salt: ascii(salt), iterations: 4096 }, key, expected.length * 8);
    expectBytes(`PBKDF2-SHA-1 (RFC 6070, "${password}", 4096 iterations)`, bits, expected);
  }
}

// RFC 5869 appendix A.1, test case 1 (HKDF-SHA-256, 42 bytes).
async function hkdf(subtle: SelfTestSubtle): Promise<void> {
  const key = await subtle.importKey('raw', new Uint8Array(22).fill(0x0b), 'HKDF', false, ['deriveBits']);
  const algorithm = {
    name: 'HKDF', hash: 'SHA-256', salt: hex('000102030405060708090a0b0c'), info: hex('f0f1f2f3f4f5f6f7f8f9'),
  };
  expectBytes('HKDF-SHA-256 (RFC 5869 case 1)', await subtle.deriveBits(algorithm, key, 42 * 8), hex(`
    3cb25f25faacd57a90434f64d0362f2a 2d2d0a90cf1a5a4c5db02d56ecc4c5bf
    34007208d5b887185865`));
}

// RFC 8439 section 2.8.2: the AEAD_CHACHA20_POLY1305 example ("Ladies and Gentlemen...").
async function chacha20Poly1305(subtle: SelfTestSubtle): Promise<void> {
  const algorithm = {
    name: 'ChaCha20-Poly1305', iv: hex('07000000 4041424344454647'), additionalData: hex('50515253c0c1c2c3c4c5c6c7'),
  };
  const key = await subtle.importKey('raw-secret', hex(`
    808182838485868788898a8b8c8d8e8f 909192939495969798999a9b9c9d9e9f`), 'ChaCha20-Poly1305', false,
    ['encrypt', 'decrypt']);
  const plaintext = ascii("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, " +
    'sunscreen would be it.');
  const sealed = hex(`
    d31a8d34648e60db7b86afbc53ef7ec2 a4aded51296e08fea9e2b5a736ee62d6 3dbea45e8ca9671282fafb69da92728b
    1a71de0a9e060b2905d6a5b67ecd3b36 92ddbd7f2d778b8c9803aee328091b58 fab324e4fad675945585808b4831d7bc
    3ff4def08e4b7a9de576d26586cec64b 6116
    1ae10b594f09e26a7e902ecbd0600691`);
  await expectSealAndOpen(subtle, 'ChaCha20-Poly1305 (RFC 8439 2.8.2)', algorithm, key, plaintext, sealed);
}

// RFC 4493 section 4, examples 1 to 4: AES-128 key 2b7e1516..., the SP 800-38A plaintext cut to 0, 16, 40 and 64 bytes.
const RFC4493_MACS: [number, string][] = [
  [0, 'bb1d6929e95937287fa37d129b756746'], [16, '070a16b46b4d4144f79bdd9dd04a287c'],
  [40, 'dfa66747de9ae63030ca32611497c827'], [64, '51f0bebf7e3b9d92fc49741779363cfe'],
];

async function aesCmac(subtle: SelfTestSubtle): Promise<void> {
  const key = await subtle.importKey('raw', SP800_38A_KEY, 'AFALG-AES-CMAC', false, ['sign', 'verify']);
  for (const [length, macHex] of RFC4493_MACS) {
    const data = SP800_38A_PLAINTEXT.subarray(0, length);
    expectBytes(`AES-CMAC of ${length} bytes (RFC 4493)`, await subtle.sign('AFALG-AES-CMAC', key, data), hex(macHex));
    expectTrue(`AES-CMAC verify of ${length} bytes`, await subtle.verify('AFALG-AES-CMAC', key, hex(macHex), data));
  }
}

/** Known-answer tests by WebCrypto algorithm name, as REGISTRY spells it. */
export const SELF_TESTS: Readonly<Record<string, SelfTest>> = {
  'SHA-1': shaAbc('SHA-1', 'a9993e364706816aba3e25717850c26c9cd0d89d'),
  'SHA-256': shaAbc('SHA-256', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'),
  'SHA-384': shaAbc('SHA-384',
    'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7'),
  'SHA-512': shaAbc('SHA-512',
    'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a' +
    '2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f'),
  // FIPS 202 hashes of the message "abc" of the FIPS 180-4 examples (the same values as OpenSSL's and Node 24's).
  'SHA3-256': shaAbc('SHA3-256', '3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532'),
  'SHA3-384': shaAbc('SHA3-384',
    'ec01498288516fc926459f58e2c6ad8df9b473cb0fc08c2596da7cf0e49be4b298d88cea927ac7f539f1edf228376d25'),
  'SHA3-512': shaAbc('SHA3-512',
    'b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e' +
    '10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0'),
  HMAC: hmacCase1,
  'AES-CBC': aesCbc,
  'AES-CTR': aesCtr,
  'AES-GCM': aesGcm,
  'AES-KW': aesKw,
  'ChaCha20-Poly1305': chacha20Poly1305,
  'AFALG-AES-CMAC': aesCmac,
  PBKDF2: pbkdf2,
  HKDF: hkdf,
};
