#include "jobs.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <algorithm>

namespace {

using afalg::Failure;

// skcipher data is queued in the op socket's send buffer (212,992 bytes by
// default); a blocking send larger than that never returns. 64 KiB chunks,
// each read back before the next is sent, stay far below it.
constexpr size_t kSkcipherChunkBytes = 64 * 1024;
// Hash sends have no such limit; the chunk only bounds one syscall's work.
constexpr size_t kHashChunkBytes = 1024 * 1024;

const uint8_t kZeros[kAesBlockBytes] = {};

bool Short(Failure* failure, const char* what) {
  failure->err = EIO;
  failure->syscall = what;
  return false;
}

// Adds bytes to the pending hash of a hash op socket (MSG_MORE).
bool HashUpdate(int op, const uint8_t* data, size_t size, Failure* failure) {
  while (size > 0) {
    iovec iov{const_cast<uint8_t*>(data), std::min(size, kHashChunkBytes)};
    ssize_t sent = afalg::Send(op, nullptr, &iov, 1, MSG_MORE, failure);
    if (sent < 0) return false;
    if (sent == 0) return Short(failure, "sendmsg (hash accepted no data)");
    data += sent;
    size -= static_cast<size_t>(sent);
  }
  return true;
}

// Finalizes the pending hash (recv finalizes a MSG_MORE state; with nothing
// pending it yields the digest of the empty message).
bool HashFinal(int op, uint8_t* out, size_t size, Failure* failure) {
  iovec iov{out, size};
  ssize_t got = afalg::Receive(op, &iov, 1, failure);
  if (got < 0) return false;
  if (static_cast<size_t>(got) != size)
    return Short(failure, "recvmsg (digest shorter than expected)");
  return true;
}

// From this size up a skcipher request's data is spliced (afalg::SpliceIn)
// rather than copied by sendmsg: bench/floor.c measured splice 8-20% faster
// for cbc(aes) and ctr(aes) at 64 KiB, 1 MiB and 16 MiB (bench/README.md,
// "Zero-copy input"). Smaller requests were not measured and keep sendmsg.
constexpr size_t kSkcipherSpliceBytes = 64 * 1024;

// Bytes [from, from + size) of the input head || tail, as up to two iovecs.
int InputParts(Span head, Span tail, size_t from, size_t size, iovec parts[2]) {
  int count = 0;
  const size_t end = from + size;
  if (from < head.size)
    parts[count++] = {const_cast<uint8_t*>(head.data + from), std::min(end, head.size) - from};
  if (end > head.size) {
    const size_t start = std::max(from, head.size);
    parts[count++] = {const_cast<uint8_t*>(tail.data + (start - head.size)), end - start};
  }
  return count;
}

// One skcipher request over the input head || tail into out (as long as
// both), in chunks. The first chunk carries the OP and IV cmsgs; later
// chunks continue the same request. The tail lets a caller append a block
// (CBC's padding) without copying the head.
bool SkcipherRequest(int op, bool encrypt, const uint8_t* iv, size_t iv_bytes,
                     Span head, Span tail, uint8_t* out, Failure* failure) {
  afalg::Control control;
  control.has_op = true;
  control.op = encrypt ? ALG_OP_ENCRYPT : ALG_OP_DECRYPT;
  control.iv = iv;
  control.iv_bytes = static_cast<uint32_t>(iv_bytes);
  const size_t size = head.size + tail.size;
  const bool zero_copy = size >= kSkcipherSpliceBytes;
  for (size_t done = 0; done < size;) {
    size_t len = std::min(kSkcipherChunkBytes, size - done);
    bool last = done + len == size;
    iovec in_iov[2];
    int parts = InputParts(head, tail, done, len, in_iov);
    ssize_t sent = 0;
    if (zero_copy) {
      // The cmsgs go alone, then the data, part by part (the input is not
      // changed until every chunk's output has been read).
      if (done == 0 && afalg::Send(op, &control, nullptr, 0, MSG_MORE, failure) < 0)
        return false;
      for (int i = 0; i < parts && sent >= 0; i++) {
        ssize_t n = afalg::SpliceIn(op, static_cast<const uint8_t*>(in_iov[i].iov_base),
                                    in_iov[i].iov_len, !last || i + 1 < parts, failure);
        sent = n < 0 ? n : sent + n;
      }
    } else {
      sent = afalg::Send(op, done == 0 ? &control : nullptr, in_iov, parts,
                         last ? 0 : MSG_MORE, failure);
    }
    if (sent < 0) return false;
    if (static_cast<size_t>(sent) != len)
      return Short(failure, "sendmsg (skcipher chunk not fully queued)");
    iovec out_iov{out + done, len};
    ssize_t got = afalg::Receive(op, &out_iov, 1, failure);
    if (got < 0) return false;
    if (static_cast<size_t>(got) != len)
      return Short(failure, "recvmsg (skcipher output shorter than input)");
    done += len;
  }
  return true;
}

bool SkcipherRequest(int op, bool encrypt, const uint8_t* iv, size_t iv_bytes,
                     const uint8_t* in, uint8_t* out, size_t size,
                     Failure* failure) {
  return SkcipherRequest(op, encrypt, iv, iv_bytes, {in, size}, {}, out, failure);
}

using u128 = unsigned __int128;

u128 LoadBigEndian128(const uint8_t* p) {
  u128 value = 0;
  for (int i = 0; i < 16; i++) value = (value << 8) | p[i];
  return value;
}

void StoreBigEndian128(u128 value, uint8_t* p) {
  for (int i = 15; i >= 0; i--) {
    p[i] = static_cast<uint8_t>(value);
    value >>= 8;
  }
}

void StoreBigEndian64(uint64_t value, uint8_t* p) {
  for (int i = 7; i >= 0; i--) {
    p[i] = static_cast<uint8_t>(value);
    value >>= 8;
  }
}

// ctr(aes) where only the low counter_bits of the counter block count: the
// request is split wherever those bits wrap, and the high bits are kept.
bool CounterModeRequest(int op, const uint8_t counter_block[16],
                        unsigned counter_bits, const uint8_t* in, uint8_t* out,
                        size_t size, Failure* failure) {
  const u128 mask = counter_bits >= 128 ? ~static_cast<u128>(0)
                                        : (static_cast<u128>(1) << counter_bits) - 1;
  u128 counter = LoadBigEndian128(counter_block);
  uint8_t iv[16];
  for (size_t done = 0; done < size;) {
    const u128 low = counter & mask;
    const u128 blocks_to_wrap = mask - low + 1;  // 0 stands for 2^128
    size_t len = size - done;
    const size_t blocks = (len + kAesBlockBytes - 1) / kAesBlockBytes;
    if (blocks_to_wrap != 0 && blocks_to_wrap < blocks)
      len = static_cast<size_t>(blocks_to_wrap) * kAesBlockBytes;
    StoreBigEndian128(counter, iv);
    if (!SkcipherRequest(op, true, iv, sizeof(iv), in + done, out + done, len,
                         failure))
      return false;
    done += len;
    counter = (counter & ~mask) | ((low + len / kAesBlockBytes) & mask);
  }
  return true;
}

bool GhashPad(int op, size_t size, Failure* failure) {
  size_t pad = (kAesBlockBytes - size % kAesBlockBytes) % kAesBlockBytes;
  return HashUpdate(op, kZeros, pad, failure);
}

}  // namespace

void HashJob::Run() {
  if (!HashUpdate(op_, data_.data, data_.size, &failure) ||
      !HashFinal(op_, out_.data, out_.size, &failure))
    explicit_bzero(out_.data, out_.size);
}

void SkcipherJob::Run() {
  if (!SkcipherRequest(op_, encrypt_, iv_.data, iv_.size, data_.data,
                       out_.data, data_.size, &failure))
    explicit_bzero(out_.data, out_.size);
}

namespace {

// The PKCS#7 pad length (1..16) that ends block, or 0 when the padding is
// bad; in constant time, as a padding check must be.
unsigned Pkcs7PadLength(const uint8_t block[kAesBlockBytes]) {
  const uint32_t pad = block[kAesBlockBytes - 1];
  // Non-zero when pad is 0 or more than a block (unsigned wrap-around).
  uint32_t bad = ((pad - 1) >> 8) | ((kAesBlockBytes - pad) >> 8);
  for (uint32_t i = 1; i <= kAesBlockBytes; i++) {
    const uint32_t in_pad = ((i - pad - 1) >> 31) & 1;  // 1 when i <= pad
    const uint32_t differs = ((block[kAesBlockBytes - i] ^ pad) + 0xff) >> 8;
    bad |= in_pad & differs;
  }
  return bad == 0 ? pad : 0;
}

}  // namespace

void CbcPadEncryptJob::Run() {
  const size_t whole = data_.size - data_.size % kAesBlockBytes;
  const size_t pad = out_.size - data_.size;
  uint8_t last[kAesBlockBytes];
  memcpy(last, data_.data + whole, kAesBlockBytes - pad);
  memset(last + kAesBlockBytes - pad, static_cast<int>(pad), pad);
  bool ok = SkcipherRequest(op_, true, iv_.data, iv_.size, {data_.data, whole},
                            {last, kAesBlockBytes}, out_.data, &failure);
  explicit_bzero(last, sizeof(last));
  if (!ok) explicit_bzero(out_.data, out_.size);
}

int CbcDecryptLastBlock(int op, Span iv, Span data,
                        uint8_t plaintext[kAesBlockBytes], Failure* failure) {
  const uint8_t* last = data.data + data.size - kAesBlockBytes;
  // In CBC a block's IV is the ciphertext block before it.
  const uint8_t* chain = data.size == kAesBlockBytes ? iv.data : last - kAesBlockBytes;
  if (!SkcipherRequest(op, false, chain, kAesBlockBytes, last, plaintext,
                       kAesBlockBytes, failure))
    return -1;
  const unsigned pad = Pkcs7PadLength(plaintext);
  if (pad == 0) {
    explicit_bzero(plaintext, kAesBlockBytes);
    failure->err = EBADMSG;
    failure->syscall = "AES-CBC decryption (bad PKCS#7 padding)";
    return -1;
  }
  return static_cast<int>(pad);
}

void CbcUnpadDecryptJob::Run() {
  const size_t body = data_.size - kAesBlockBytes;
  if (body > 0 && !SkcipherRequest(op_, false, iv_.data, iv_.size, data_.data,
                                   out_.data, body, &failure)) {
    explicit_bzero(out_.data, out_.size);
    return;
  }
  memcpy(out_.data + body, last_, out_.size - body);
}

void CtrJob::Run() {
  if (!CounterModeRequest(op_, counter_.data, counter_bits_, data_.data,
                          out_.data, data_.size, &failure))
    explicit_bzero(out_.data, out_.size);
}

void AeadJob::Run() {
  afalg::Control control;
  control.has_op = true;
  control.op = encrypt_ ? ALG_OP_ENCRYPT : ALG_OP_DECRYPT;
  control.iv = iv_.data;
  control.iv_bytes = static_cast<uint32_t>(iv_.size);
  control.has_assoclen = true;
  control.assoclen = static_cast<uint32_t>(aad_.size);
  iovec in[2] = {{const_cast<uint8_t*>(aad_.data), aad_.size},
                 {const_cast<uint8_t*>(data_.data), data_.size}};
  // MSG_DONTWAIT: an AEAD message must fit the send buffer whole; a blocking
  // send of a larger one would wait forever for a reader.
  ssize_t sent = afalg::Send(op_, &control, in, 2, MSG_DONTWAIT, &failure);
  if (sent < 0) return;
  if (static_cast<size_t>(sent) != aad_.size + data_.size) {
    FailWith(EMSGSIZE, "sendmsg (AEAD message larger than the send buffer)");
    return;
  }
  // The kernel echoes the AAD ahead of the output; it lands in scratch. A
  // read of zero bytes runs no request at all (the tag of a tag-only
  // message would go unchecked and the request stay queued), so the scratch
  // always has room for at least one byte.
  SecureBytes aad_echo(aad_.size + out_.size == 0 ? 1 : aad_.size);
  iovec out[2] = {{aad_echo.data(), aad_echo.size()}, {out_.data, out_.size}};
  ssize_t got = afalg::Receive(op_, out, 2, &failure);
  // On EBADMSG the kernel has written unauthenticated plaintext: wipe it.
  if (got < 0 || static_cast<size_t>(got) != aad_.size + out_.size) {
    explicit_bzero(out_.data, out_.size);
    if (got >= 0) FailWith(EIO, "recvmsg (AEAD output shorter than expected)");
  }
}

namespace gcm {

// J0 (SP 800-38D section 7.1): IV || 0^31 || 1 for 96-bit IVs, else
// GHASH(IV || 0^s || [len(IV)]_64).
bool PreCounterBlock(int ghash_op, Span iv, uint8_t j0[16], Failure* failure) {
  if (iv.size == 12) {
    memcpy(j0, iv.data, 12);
    j0[12] = j0[13] = j0[14] = 0;
    j0[15] = 1;
    return true;
  }
  uint8_t lengths[16] = {};
  StoreBigEndian64(static_cast<uint64_t>(iv.size) * 8, lengths + 8);
  return HashUpdate(ghash_op, iv.data, iv.size, failure) &&
         GhashPad(ghash_op, iv.size, failure) &&
         HashUpdate(ghash_op, lengths, 16, failure) &&
         HashFinal(ghash_op, j0, 16, failure);
}

// The counter block of data block `block` (0-based): inc32 applied block+1
// times to J0, wrapping in the low 32 bits.
void CounterBlock(const uint8_t j0[16], uint64_t block, uint8_t out[16]) {
  memcpy(out, j0, 16);
  uint32_t low = (uint32_t(j0[12]) << 24) | (uint32_t(j0[13]) << 16) |
                 (uint32_t(j0[14]) << 8) | j0[15];
  low += static_cast<uint32_t>(block + 1);
  out[12] = uint8_t(low >> 24);
  out[13] = uint8_t(low >> 16);
  out[14] = uint8_t(low >> 8);
  out[15] = uint8_t(low);
}

// Encrypts or decrypts with the keystream starting at data block `block`.
bool Crypt(int ctr_op, const uint8_t j0[16], uint64_t block, const uint8_t* in,
           uint8_t* out, size_t size, Failure* failure) {
  uint8_t counter[16];
  CounterBlock(j0, block, counter);
  return CounterModeRequest(ctr_op, counter, 32, in, out, size, failure);
}

// Starts S = GHASH(A || 0^u || ...) with the AAD (left pending, MSG_MORE).
bool HashAad(int ghash_op, Span aad, Failure* failure) {
  return HashUpdate(ghash_op, aad.data, aad.size, failure) &&
         GhashPad(ghash_op, aad.size, failure);
}

// Finishes S over ... || C || 0^v || [len(A)]_64 || [len(C)]_64 and writes
// the tag MSB_t(E_K(J0) xor S).
bool Tag(int ctr_op, int ghash_op, const uint8_t j0[16], uint64_t aad_bytes,
         uint64_t text_bytes, uint8_t* tag, size_t tag_bytes, Failure* failure) {
  uint8_t lengths[16];
  StoreBigEndian64(aad_bytes * 8, lengths);
  StoreBigEndian64(text_bytes * 8, lengths + 8);
  SecureBytes s(kAesBlockBytes), mask(kAesBlockBytes);
  bool ok = GhashPad(ghash_op, text_bytes, failure) &&
            HashUpdate(ghash_op, lengths, 16, failure) &&
            HashFinal(ghash_op, s.data(), 16, failure) &&
            // E_K(J0) is the ctr keystream block at counter J0 itself.
            SkcipherRequest(ctr_op, true, j0, 16, kZeros, mask.data(), 16, failure);
  if (ok)
    for (size_t i = 0; i < tag_bytes; i++) tag[i] = s.data()[i] ^ mask.data()[i];
  return ok;
}

}  // namespace gcm

void GcmJob::Run() {
  const size_t text_bytes = encrypt_ ? data_.size : data_.size - tag_bytes_;
  const uint8_t* ciphertext = encrypt_ ? out_.data : data_.data;
  uint8_t j0[16];
  uint8_t tag[16];
  bool ok = gcm::PreCounterBlock(ghash_op_, iv_, j0, &failure);
  if (ok && encrypt_)
    ok = gcm::Crypt(ctr_op_, j0, 0, data_.data, out_.data, text_bytes, &failure);
  ok = ok && gcm::HashAad(ghash_op_, aad_, &failure) &&
       HashUpdate(ghash_op_, ciphertext, text_bytes, &failure) &&
       gcm::Tag(ctr_op_, ghash_op_, j0, aad_.size, text_bytes, tag, tag_bytes_, &failure);
  if (ok && encrypt_) {
    memcpy(out_.data + text_bytes, tag, tag_bytes_);
  } else if (ok) {
    // Constant-time comparison; nothing is decrypted unless it matches.
    uint8_t diff = 0;
    for (size_t i = 0; i < tag_bytes_; i++)
      diff |= tag[i] ^ data_.data[text_bytes + i];
    if (diff != 0) {
      FailWith(EBADMSG, "gcm (authentication tag mismatch)");
      ok = false;
    } else {
      ok = gcm::Crypt(ctr_op_, j0, 0, data_.data, out_.data, text_bytes, &failure);
    }
  }
  explicit_bzero(j0, sizeof(j0));
  explicit_bzero(tag, sizeof(tag));
  if (!ok) explicit_bzero(out_.data, out_.size);
}

void HashUpdateJob::Run() { HashUpdate(op_, data_.data, data_.size, &failure); }

void HashFinalJob::Run() {
  if (!HashFinal(op_, out_.data, out_.size, &failure))
    explicit_bzero(out_.data, out_.size);
}

void GcmStartJob::Run() {
  if (!gcm::PreCounterBlock(ghash_op_, iv_, j0_.data(), &failure) ||
      !gcm::HashAad(ghash_op_, aad_, &failure))
    j0_.Wipe();
}

void GcmUpdateJob::Run() {
  if (!gcm::Crypt(ctr_op_, j0_.data(), first_block_, data_.data, out_.data,
                  data_.size, &failure) ||
      !HashUpdate(ghash_op_, out_.data, out_.size, &failure))
    explicit_bzero(out_.data, out_.size);
}

void GcmFinalJob::Run() {
  if (!gcm::Tag(ctr_op_, ghash_op_, j0_.data(), aad_bytes_, text_bytes_,
                out_.data, out_.size, &failure))
    explicit_bzero(out_.data, out_.size);
}

void AesKwJob::Run() {
  // RFC 3394 section 2.2.1 (wrap) and 2.2.2 (unwrap), index-based form.
  static const uint8_t kDefaultIv[8] = {0xA6, 0xA6, 0xA6, 0xA6,
                                        0xA6, 0xA6, 0xA6, 0xA6};
  const size_t n = (wrap_ ? data_.size : data_.size - 8) / 8;
  SecureBytes block(kAesBlockBytes);  // B = A || R[i]
  uint8_t* a = block.data();
  uint8_t* r = out_.data + (wrap_ ? 8 : 0);  // R[1..n], in place in out
  uint8_t t_bytes[8];
  bool ok = true;
  if (wrap_) {
    memcpy(a, kDefaultIv, 8);
    memcpy(r, data_.data, data_.size);
    for (uint64_t j = 0; ok && j <= 5; j++) {
      for (size_t i = 1; ok && i <= n; i++) {
        memcpy(block.data() + 8, r + (i - 1) * 8, 8);
        ok = SkcipherRequest(op_, true, nullptr, 0, block.data(), block.data(),
                             kAesBlockBytes, &failure);
        StoreBigEndian64(n * j + i, t_bytes);
        for (int k = 0; k < 8; k++) a[k] ^= t_bytes[k];
        memcpy(r + (i - 1) * 8, block.data() + 8, 8);
      }
    }
    if (ok) memcpy(out_.data, a, 8);
  } else {
    memcpy(a, data_.data, 8);
    memcpy(r, data_.data + 8, n * 8);
    for (int64_t j = 5; ok && j >= 0; j--) {
      for (size_t i = n; ok && i >= 1; i--) {
        StoreBigEndian64(n * static_cast<uint64_t>(j) + i, t_bytes);
        for (int k = 0; k < 8; k++) a[k] ^= t_bytes[k];
        memcpy(block.data() + 8, r + (i - 1) * 8, 8);
        ok = SkcipherRequest(op_, false, nullptr, 0, block.data(),
                             block.data(), kAesBlockBytes, &failure);
        memcpy(r + (i - 1) * 8, block.data() + 8, 8);
      }
    }
    if (ok) {
      uint8_t diff = 0;
      for (int k = 0; k < 8; k++) diff |= a[k] ^ kDefaultIv[k];
      if (diff != 0) {
        FailWith(EBADMSG, "aes-kw (integrity check failed)");
        ok = false;
      }
    }
  }
  if (!ok) explicit_bzero(out_.data, out_.size);
}

void RngJob::Run() {
  for (size_t done = 0; done < out_.size;) {
    iovec iov{out_.data + done, std::min(kRngReadBytes, out_.size - done)};
    ssize_t got = afalg::Receive(op_, &iov, 1, &failure);
    if (got <= 0) {
      if (got == 0) Short(&failure, "recvmsg (rng returned no bytes)");
      explicit_bzero(out_.data, out_.size);
      return;
    }
    done += static_cast<size_t>(got);
  }
}

int DrbgGenerate(int op, Span additional_input, MutableSpan out,
                 Failure* failure) {
  // Without a send the read uses no additional input: sending nothing when
  // there is none saves a syscall and means the same to the DRBG.
  if (additional_input.size > 0) {
    iovec iov{const_cast<uint8_t*>(additional_input.data), additional_input.size};
    if (afalg::Send(op, nullptr, &iov, 1, 0, failure) < 0) return -failure->err;
  }
  iovec iov{out.data, out.size};
  ssize_t got = afalg::Receive(op, &iov, 1, failure);
  if (got >= 0 && static_cast<size_t>(got) != out.size)
    Short(failure, "recvmsg (DRBG returned fewer bytes than asked)");
  if (failure->failed()) {
    explicit_bzero(out.data, out.size);
    return -failure->err;
  }
  return 0;
}

int InstallGhashKey(int ctr_op, int ghash_tfm, Failure* failure) {
  SecureBytes h(kAesBlockBytes);
  if (!SkcipherRequest(ctr_op, true, kZeros, 16, kZeros, h.data(), 16, failure))
    return -failure->err;
  return afalg::SetKey(ghash_tfm, h.data(), h.size(), failure);
}

namespace {

// One HMAC: message parts in, MAC out, on a keyed hash op socket.
bool Mac(int op, const iovec* parts, int count, uint8_t* out, size_t size,
         Failure* failure) {
  for (int i = 0; i < count; i++)
    if (!HashUpdate(op, static_cast<const uint8_t*>(parts[i].iov_base),
                    parts[i].iov_len, failure))
      return false;
  return HashFinal(op, out, size, failure);
}

// A keyed hmac tfm and one op socket on it, closed on scope exit.
struct OneShotHmac {
  int tfm = -1;
  int op = -1;
  bool Open(const std::string& name, const uint8_t* key, size_t key_bytes,
            Failure* failure) {
    tfm = afalg::OpenTfm("hash", name.c_str(), failure);
    if (tfm < 0) return false;
    if (afalg::SetKey(tfm, key, key_bytes, failure) != 0) return false;
    op = afalg::AcceptOp(tfm, failure);
    return op >= 0;
  }
  ~OneShotHmac() {
    afalg::Close(op);
    afalg::Close(tfm);
  }
};

void StoreBigEndian32(uint32_t value, uint8_t* p) {
  p[0] = uint8_t(value >> 24);
  p[1] = uint8_t(value >> 16);
  p[2] = uint8_t(value >> 8);
  p[3] = uint8_t(value);
}

}  // namespace

void Pbkdf2Job::Run() {
  SecureBytes u(digest_bytes_), t(digest_bytes_);
  uint8_t index[4];
  bool ok = true;
  for (size_t offset = 0, block = first_block_; ok && offset < out_.size;
       offset += digest_bytes_, block++) {
    StoreBigEndian32(static_cast<uint32_t>(block), index);
    iovec first[2] = {{const_cast<uint8_t*>(salt_.data), salt_.size}, {index, 4}};
    ok = Mac(op_, first, 2, u.data(), u.size(), &failure);
    memcpy(t.data(), u.data(), u.size());
    for (uint32_t i = 1; ok && i < iterations_; i++) {
      iovec next{u.data(), u.size()};
      ok = Mac(op_, &next, 1, u.data(), u.size(), &failure);
      for (size_t k = 0; k < t.size(); k++) t.data()[k] ^= u.data()[k];
    }
    if (ok) memcpy(out_.data + offset, t.data(), std::min(digest_bytes_, out_.size - offset));
  }
  if (!ok) explicit_bzero(out_.data, out_.size);
}

void HkdfJob::Run() {
  SecureBytes prk(digest_bytes_), t(digest_bytes_);
  bool ok;
  {
    OneShotHmac extract;
    iovec ikm{const_cast<uint8_t*>(ikm_.data()), ikm_.size()};
    ok = extract.Open(hmac_name_, salt_.data, salt_.size, &failure) &&
         Mac(extract.op, &ikm, 1, prk.data(), prk.size(), &failure);
  }
  OneShotHmac expand;
  ok = ok && expand.Open(hmac_name_, prk.data(), prk.size(), &failure);
  size_t previous = 0;  // T(0) is empty
  for (size_t done = 0, i = 1; ok && done < out_.size; i++) {
    uint8_t counter = static_cast<uint8_t>(i);
    iovec parts[3] = {{t.data(), previous},
                      {const_cast<uint8_t*>(info_.data), info_.size},
                      {&counter, 1}};
    ok = Mac(expand.op, parts, 3, t.data(), t.size(), &failure);
    size_t len = std::min(digest_bytes_, out_.size - done);
    if (ok) memcpy(out_.data + done, t.data(), len);
    done += len;
    previous = digest_bytes_;
  }
  if (!ok) explicit_bzero(out_.data, out_.size);
}

int DigestSecret(int op, const SecureBytes& secret, SecureBytes* out,
                 Failure* failure) {
  iovec data{const_cast<uint8_t*>(secret.data()), secret.size()};
  return Mac(op, &data, 1, out->data(), out->size(), failure) ? 0 : -failure->err;
}
