// Jobs: one body per kernel operation, run either synchronously on the JS
// thread or on the libuv thread pool (see addon.cc). Run() makes syscalls
// through afalg.h only and touches no JS value, so it is safe off-thread.
// Inputs and outputs are raw spans into memory the caller keeps alive (for
// the async path, addon.cc holds references to the JS buffers).
#pragma once

#include <string.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "afalg.h"
#include "secure_bytes.h"

struct Span {
  const uint8_t* data = nullptr;
  size_t size = 0;
};
struct MutableSpan {
  uint8_t* data = nullptr;
  size_t size = 0;
};

class Job {
 public:
  virtual ~Job() = default;
  // Runs the operation; on failure sets failure and leaves no partial result
  // in the output (it is wiped).
  virtual void Run() = 0;
  afalg::Failure failure;

 protected:
  // Records a failure that is not a syscall's errno (a short transfer, a
  // failed integrity check).
  void FailWith(int err, const char* what) {
    failure.err = err;
    failure.syscall = what;
  }
};

// A digest or MAC over data on a hash op socket (sha*, hmac(*), ghash, cmac).
class HashJob final : public Job {
 public:
  HashJob(int op, Span data, MutableSpan out) : op_(op), data_(data), out_(out) {}
  void Run() override;

 private:
  int op_;
  Span data_;
  MutableSpan out_;
};

// A whole skcipher request (cbc, ecb, ...): out.size == data.size.
class SkcipherJob final : public Job {
 public:
  SkcipherJob(int op, bool encrypt, Span iv, Span data, MutableSpan out)
      : op_(op), encrypt_(encrypt), iv_(iv), data_(data), out_(out) {}
  void Run() override;

 private:
  int op_;
  bool encrypt_;
  Span iv_;
  Span data_;
  MutableSpan out_;
};

constexpr size_t kAesBlockBytes = 16;

// AES-CBC with PKCS#7 padding, which the kernel's cbc(aes) does not do.
// Encrypt: out.size = data.size + pad (1..16 bytes); the padded last block
// is built here and sent after data, so the input is never copied.
class CbcPadEncryptJob final : public Job {
 public:
  CbcPadEncryptJob(int op, Span iv, Span data, MutableSpan out)
      : op_(op), iv_(iv), data_(data), out_(out) {}
  void Run() override;

 private:
  int op_;
  Span iv_;
  Span data_;
  MutableSpan out_;
};

// Decrypt runs in two steps so the plaintext is written once, straight into
// a result of its exact size. First (on the calling thread, before the
// result exists) the last block is decrypted and its padding checked:
// returns the pad length, or -1 with *failure set (EBADMSG for bad padding).
// data.size must be a non-zero multiple of 16, iv 16 bytes.
int CbcDecryptLastBlock(int op, Span iv, Span data, uint8_t plaintext[kAesBlockBytes],
                        afalg::Failure* failure);

// Then the blocks before it are decrypted into out (data.size - pad bytes),
// and the last block's unpadded bytes appended.
class CbcUnpadDecryptJob final : public Job {
 public:
  CbcUnpadDecryptJob(int op, Span iv, Span data, const uint8_t last[kAesBlockBytes],
                     MutableSpan out)
      : op_(op), iv_(iv), data_(data), out_(out) {
    memcpy(last_, last, kAesBlockBytes);
  }
  ~CbcUnpadDecryptJob() override { explicit_bzero(last_, sizeof(last_)); }
  void Run() override;

 private:
  int op_;
  Span iv_;
  Span data_;
  MutableSpan out_;
  uint8_t last_[kAesBlockBytes];
};

// ctr(aes) with WebCrypto's counter semantics: only the low counter_bits of
// the 16-byte counter block increment and wrap (the kernel carries through
// all 128 bits, so the request is split at the wrap).
class CtrJob final : public Job {
 public:
  CtrJob(int op, Span counter, unsigned counter_bits, Span data, MutableSpan out)
      : op_(op), counter_(counter), counter_bits_(counter_bits), data_(data), out_(out) {}
  void Run() override;

 private:
  int op_;
  Span counter_;
  unsigned counter_bits_;
  Span data_;
  MutableSpan out_;
};

// One-shot AEAD request (gcm(aes), rfc7539(chacha20,poly1305)). The tag size
// is a property of the tfm (ALG_SET_AEAD_AUTHSIZE). Encrypt: out = CT||TAG.
// Decrypt: data = CT||TAG, out = PT; on EBADMSG out is wiped.
class AeadJob final : public Job {
 public:
  AeadJob(int op, bool encrypt, Span iv, Span aad, Span data, MutableSpan out)
      : op_(op), encrypt_(encrypt), iv_(iv), aad_(aad), data_(data), out_(out) {}
  void Run() override;

 private:
  int op_;
  bool encrypt_;
  Span iv_;
  Span aad_;
  Span data_;
  MutableSpan out_;
};

// AES-GCM (NIST SP 800-38D) built from ctr(aes) and ghash keyed with H, for
// what gcm(aes) cannot do: IVs other than 12 bytes and messages larger than
// the AEAD socket's send buffer. Decrypt verifies the tag before it decrypts.
class GcmJob final : public Job {
 public:
  GcmJob(int ctr_op, int ghash_op, bool encrypt, Span iv, Span aad, Span data,
         size_t tag_bytes, MutableSpan out)
      : ctr_op_(ctr_op), ghash_op_(ghash_op), encrypt_(encrypt), iv_(iv),
        aad_(aad), data_(data), tag_bytes_(tag_bytes), out_(out) {}
  void Run() override;

 private:
  int ctr_op_;
  int ghash_op_;
  bool encrypt_;
  Span iv_;
  Span aad_;
  Span data_;
  size_t tag_bytes_;
  MutableSpan out_;
};

// Streaming digests and MACs: data is added with MSG_MORE across calls on
// one op socket that the stream holds; the final recv gives the result.
class HashUpdateJob final : public Job {
 public:
  HashUpdateJob(int op, Span data) : op_(op), data_(data) {}
  void Run() override;

 private:
  int op_;
  Span data_;
};

class HashFinalJob final : public Job {
 public:
  HashFinalJob(int op, MutableSpan out) : op_(op), out_(out) {}
  void Run() override;

 private:
  int op_;
  MutableSpan out_;
};

// Streaming AES-GCM encryption over the composite path: start (J0 into a
// native secret, AAD into the pending GHASH), updates (ctr from a block
// offset, ciphertext into GHASH), final (the tag).
class GcmStartJob final : public Job {
 public:
  GcmStartJob(int ghash_op, Span iv, Span aad, SecureBytes& j0)
      : ghash_op_(ghash_op), iv_(iv), aad_(aad), j0_(j0) {}
  void Run() override;

 private:
  int ghash_op_;
  Span iv_;
  Span aad_;
  SecureBytes& j0_;
};

class GcmUpdateJob final : public Job {
 public:
  GcmUpdateJob(int ctr_op, int ghash_op, const SecureBytes& j0,
               uint64_t first_block, Span data, MutableSpan out)
      : ctr_op_(ctr_op), ghash_op_(ghash_op), j0_(j0),
        first_block_(first_block), data_(data), out_(out) {}
  void Run() override;

 private:
  int ctr_op_;
  int ghash_op_;
  const SecureBytes& j0_;
  uint64_t first_block_;
  Span data_;
  MutableSpan out_;
};

class GcmFinalJob final : public Job {
 public:
  GcmFinalJob(int ctr_op, int ghash_op, const SecureBytes& j0,
              uint64_t aad_bytes, uint64_t text_bytes, MutableSpan tag)
      : ctr_op_(ctr_op), ghash_op_(ghash_op), j0_(j0), aad_bytes_(aad_bytes),
        text_bytes_(text_bytes), out_(tag) {}
  void Run() override;

 private:
  int ctr_op_;
  int ghash_op_;
  const SecureBytes& j0_;
  uint64_t aad_bytes_;
  uint64_t text_bytes_;
  MutableSpan out_;
};

// AES key wrap (RFC 3394) over ecb(aes). Wrap: out.size = data.size + 8.
// Unwrap: out.size = data.size - 8, wiped when the integrity check fails.
class AesKwJob final : public Job {
 public:
  AesKwJob(int ecb_op, bool wrap, Span data, MutableSpan out)
      : op_(ecb_op), wrap_(wrap), data_(data), out_(out) {}
  void Run() override;

 private:
  int op_;
  bool wrap_;
  Span data_;
  MutableSpan out_;
};

// One read from an rng op socket returns at most this many bytes.
constexpr size_t kRngReadBytes = 128;

// Reads from an rng op socket (the kernel DRBG), kRngReadBytes per read.
class RngJob final : public Job {
 public:
  RngJob(int op, MutableSpan out) : op_(op), out_(out) {}
  void Run() override;

 private:
  int op_;
  MutableSpan out_;
};

// One DRBG generate call with additional input, on an op socket of an rng
// tfm given test entropy (CAVP): the input is sent, then one read of
// out.size <= kRngReadBytes bytes, since every read is a generate call of
// its own. Returns 0 or -errno.
int DrbgGenerate(int op, Span additional_input, MutableSpan out,
                 afalg::Failure* failure);

// H = E_K(0^128) through a ctr(aes) op socket, installed as the key of a
// ghash tfm; H never leaves native memory. Returns 0 or -errno.
int InstallGhashKey(int ctr_op, int ghash_tfm, afalg::Failure* failure);

// PBKDF2 (RFC 8018 section 5.2) over an hmac(*) op socket whose tfm is keyed
// with the password: one HMAC per iteration, each a send and a recv on the
// same already-keyed socket. It computes out.size bytes of output starting at
// block first_block (1-based), so independent blocks can run as parallel jobs.
class Pbkdf2Job final : public Job {
 public:
  Pbkdf2Job(int hmac_op, Span salt, uint32_t iterations, size_t digest_bytes,
            uint32_t first_block, MutableSpan out)
      : op_(hmac_op), salt_(salt), iterations_(iterations),
        digest_bytes_(digest_bytes), first_block_(first_block), out_(out) {}
  void Run() override;

 private:
  int op_;
  Span salt_;
  uint32_t iterations_;
  size_t digest_bytes_;
  uint32_t first_block_;
  MutableSpan out_;
};

// HKDF (RFC 5869) with hmac_name (e.g. "hmac(sha256)"): extract with the
// salt as HMAC key, then expand keyed with the PRK. It binds its own two
// short-lived tfms, since both keys are new on every call; the PRK stays in
// native memory and is wiped.
class HkdfJob final : public Job {
 public:
  HkdfJob(const char* hmac_name, const SecureBytes& ikm, Span salt, Span info,
          size_t digest_bytes, MutableSpan out)
      : hmac_name_(hmac_name), ikm_(ikm), salt_(salt), info_(info),
        digest_bytes_(digest_bytes), out_(out) {}
  void Run() override;

 private:
  std::string hmac_name_;
  const SecureBytes& ikm_;
  Span salt_;
  Span info_;
  size_t digest_bytes_;
  MutableSpan out_;
};

// The digest of a secret on a hash op socket, as a new secret (RFC 2104
// pre-hashing of HMAC keys longer than the kernel accepts).
int DigestSecret(int op, const SecureBytes& secret, SecureBytes* out,
                 afalg::Failure* failure);
