// The syscall boundary: every socket(2), bind(2), setsockopt(2), accept(2),
// sendmsg(2), recvmsg(2), getrandom(2) and close(2) the addon makes is in
// afalg.cc. Nothing here knows about N-API or WebCrypto.
//
// Convention (libkcapi's): functions return a count or fd >= 0 on success and
// -errno on failure; errno is captured right after the failing call.
#pragma once

#include <linux/if_alg.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>

namespace afalg {

// ABI values keep their C names (<linux/if_alg.h>); the build host's header
// stops at ALG_SET_DRBG_ENTROPY, so the newer one is spelled out here.
#ifndef ALG_SET_KEY_BY_KEY_SERIAL
#define ALG_SET_KEY_BY_KEY_SERIAL 7
#endif
constexpr int AF_ALG_FAMILY = AF_ALG;

// The largest IV any AF_ALG algorithm we bind uses (AES: 16 bytes).
constexpr size_t kMaxIvBytes = 32;

// Where a failure happened: the errno and the syscall that returned it.
struct Failure {
  int err = 0;
  const char* syscall = nullptr;
  bool failed() const { return err != 0; }
};

// socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC) + bind(type, name).
// Returns the bound (tfm) socket, or -1 with *failure set.
int OpenTfm(const char* type, const char* name, Failure* failure);
// accept(2) on a tfm: a new op socket, close-on-exec.
int AcceptOp(int tfm, Failure* failure);
int SetKey(int tfm, const uint8_t* key, size_t key_bytes, Failure* failure);
int SetKeySerial(int tfm, int32_t serial, Failure* failure);
int SetAeadAuthsize(int tfm, unsigned tag_bytes, Failure* failure);
int SetSendBuffer(int op, int bytes, Failure* failure);
// ALG_SET_DRBG_ENTROPY on an rng tfm: the DRBG's test entropy (CAVP testing;
// only kernels built with CONFIG_CRYPTO_USER_API_RNG_CAVP have it).
int SetDrbgEntropy(int tfm, const uint8_t* entropy, size_t entropy_bytes,
                   Failure* failure);
void Close(int fd);
// Whether fd is still an open AF_ALG socket (it may have been closed, or its
// number reused, by other code in the process).
bool IsAlgSocket(int fd);

// The control messages of one operation. Every field that is set is sent.
struct Control {
  bool has_op = false;
  uint32_t op = ALG_OP_ENCRYPT;
  const uint8_t* iv = nullptr;  // sent when non-null
  uint32_t iv_bytes = 0;
  bool has_assoclen = false;
  uint32_t assoclen = 0;
};

// sendmsg(2) of iov with the cmsgs of control (null: none). Returns bytes
// accepted or -errno.
ssize_t Send(int op, const Control* control, const iovec* iov, int iov_count,
             int flags, Failure* failure);
// Queues size bytes at data on op without copying them: vmsplice(2) puts
// references to the pages in a pipe, splice(2) hands them to the socket,
// kSpliceBytes per pass (16 pages: ALG_MAX_PAGES, and the default pipe
// size). more: the request continues (SPLICE_F_MORE, as MSG_MORE). The bytes
// must stay unchanged until the request's output has been read. Returns size
// or -errno.
constexpr size_t kSpliceBytes = 64 * 1024;
ssize_t SpliceIn(int op, const uint8_t* data, size_t size, bool more,
                 Failure* failure);
// recvmsg(2) into iov. Returns bytes written or -errno.
//
// It never blocks waiting for input: every caller has queued the whole
// request before it reads, and skcipher/aead sockets otherwise wait forever
// for data that will not come (a recv larger than what is queued). With
// MSG_DONTWAIT a state mistake becomes EAGAIN instead of a hung thread. The
// crypto itself still runs to completion inside the call.
ssize_t Receive(int op, iovec* iov, int iov_count, Failure* failure);
// Kernel keyrings (add_key(2), keyctl(2)), for keys AF_ALG takes by serial.
// Returns the key's serial number, or -errno.
int32_t AddKey(const char* type, const char* description, const uint8_t* payload,
               size_t payload_bytes, int32_t keyring, Failure* failure);
// KEYCTL_SEARCH: the serial of a key of type/description reachable from keyring.
int32_t SearchKey(const char* type, const char* description, int32_t keyring,
                  Failure* failure);
// KEYCTL_REVOKE then KEYCTL_UNLINK from keyring.
int RevokeKey(int32_t serial, int32_t keyring, Failure* failure);

// Fills buf from getrandom(2), looping over short reads.
int GetRandom(uint8_t* buf, size_t bytes, Failure* failure);

}  // namespace afalg
