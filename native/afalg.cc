#include "afalg.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>


namespace afalg {
namespace {

int Fail(const char* syscall, Failure* failure) {
  failure->err = errno;
  failure->syscall = syscall;
  return -failure->err;
}

}  // namespace

int OpenTfm(const char* type, const char* name, Failure* failure) {
  sockaddr_alg addr{};
  addr.salg_family = AF_ALG_FAMILY;
  if (strlen(type) >= sizeof(addr.salg_type) ||
      strlen(name) >= sizeof(addr.salg_name)) {
    failure->err = ENAMETOOLONG;
    failure->syscall = "bind";
    return -1;
  }
  strncpy(reinterpret_cast<char*>(addr.salg_type), type,
          sizeof(addr.salg_type) - 1);
  strncpy(reinterpret_cast<char*>(addr.salg_name), name,
          sizeof(addr.salg_name) - 1);
  int fd = socket(AF_ALG_FAMILY, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    Fail("socket", failure);
    return -1;
  }
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    Fail("bind", failure);
    close(fd);
    return -1;
  }
  return fd;
}

int AcceptOp(int tfm, Failure* failure) {
  int fd = accept4(tfm, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) {
    Fail("accept", failure);
    return -1;
  }
  return fd;
}

int SetKey(int tfm, const uint8_t* key, size_t key_bytes, Failure* failure) {
  // An empty key is legal (HMAC, DRBG seed); pass a valid pointer anyway.
  static const uint8_t kEmpty = 0;
  if (setsockopt(tfm, SOL_ALG, ALG_SET_KEY, key_bytes ? key : &kEmpty,
                 static_cast<socklen_t>(key_bytes)) != 0)
    return Fail("setsockopt(ALG_SET_KEY)", failure);
  return 0;
}

int SetKeySerial(int tfm, int32_t serial, Failure* failure) {
  if (setsockopt(tfm, SOL_ALG, ALG_SET_KEY_BY_KEY_SERIAL, &serial,
                 sizeof(serial)) != 0)
    return Fail("setsockopt(ALG_SET_KEY_BY_KEY_SERIAL)", failure);
  return 0;
}

int SetAeadAuthsize(int tfm, unsigned tag_bytes, Failure* failure) {
  // The kernel takes the size from optlen; optval must be NULL.
  if (setsockopt(tfm, SOL_ALG, ALG_SET_AEAD_AUTHSIZE, nullptr, tag_bytes) != 0)
    return Fail("setsockopt(ALG_SET_AEAD_AUTHSIZE)", failure);
  return 0;
}

int SetDrbgEntropy(int tfm, const uint8_t* entropy, size_t entropy_bytes,
                   Failure* failure) {
  if (setsockopt(tfm, SOL_ALG, ALG_SET_DRBG_ENTROPY, entropy,
                 static_cast<socklen_t>(entropy_bytes)) != 0)
    return Fail("setsockopt(ALG_SET_DRBG_ENTROPY)", failure);
  return 0;
}

int SetSendBuffer(int op, int bytes, Failure* failure) {
  if (setsockopt(op, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof(bytes)) != 0)
    return Fail("setsockopt(SO_SNDBUF)", failure);
  return 0;
}

void Close(int fd) {
  if (fd >= 0) close(fd);
}

bool IsAlgSocket(int fd) {
  int domain = 0;
  socklen_t len = sizeof(domain);
  return fd >= 0 && getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) == 0 &&
         domain == AF_ALG_FAMILY;
}

ssize_t Send(int op, const Control* control, const iovec* iov, int iov_count,
             int flags, Failure* failure) {
  // Room for OP + IV (up to kMaxIvBytes) + ASSOCLEN.
  alignas(cmsghdr) uint8_t buf[CMSG_SPACE(sizeof(uint32_t)) * 2 +
                               CMSG_SPACE(sizeof(af_alg_iv) + kMaxIvBytes)];
  msghdr msg{};
  msg.msg_iov = const_cast<iovec*>(iov);
  msg.msg_iovlen = static_cast<size_t>(iov_count);
  if (control != nullptr) {
    if (control->iv != nullptr && control->iv_bytes > kMaxIvBytes) {
      failure->err = EINVAL;
      failure->syscall = "sendmsg";
      return -EINVAL;
    }
    size_t space = 0;
    if (control->has_op) space += CMSG_SPACE(sizeof(uint32_t));
    if (control->iv != nullptr)
      space += CMSG_SPACE(sizeof(af_alg_iv) + control->iv_bytes);
    if (control->has_assoclen) space += CMSG_SPACE(sizeof(uint32_t));
    memset(buf, 0, space);
    msg.msg_control = buf;
    msg.msg_controllen = space;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    auto put_u32 = [&c, &msg](int type, uint32_t value) {
      c->cmsg_level = SOL_ALG;
      c->cmsg_type = type;
      c->cmsg_len = CMSG_LEN(sizeof(uint32_t));
      memcpy(CMSG_DATA(c), &value, sizeof(value));
      c = CMSG_NXTHDR(&msg, c);
    };
    if (control->has_op) put_u32(ALG_SET_OP, control->op);
    if (control->iv != nullptr) {
      c->cmsg_level = SOL_ALG;
      c->cmsg_type = ALG_SET_IV;
      c->cmsg_len = CMSG_LEN(sizeof(af_alg_iv) + control->iv_bytes);
      auto* iv = reinterpret_cast<af_alg_iv*>(CMSG_DATA(c));
      iv->ivlen = control->iv_bytes;
      memcpy(iv->iv, control->iv, control->iv_bytes);
      c = CMSG_NXTHDR(&msg, c);
    }
    if (control->has_assoclen)
      put_u32(ALG_SET_AEAD_ASSOCLEN, control->assoclen);
  }
  ssize_t n;
  do {
    n = sendmsg(op, &msg, flags);
  } while (n < 0 && errno == EINTR);
  if (n < 0) Fail("sendmsg", failure);
  // The IV may be secret-adjacent (a GCM J0); wipe the stack copy. Hot loops
  // (PBKDF2: one send per iteration) send no cmsgs and skip this.
  if (control != nullptr) explicit_bzero(buf, sizeof(buf));
  return n < 0 ? -failure->err : n;
}

namespace {

// The pipe SpliceIn goes through: one per thread (jobs run on the JS thread
// and on the thread pool), made on first use, closed when the thread ends.
// After a failure it is closed and remade, so pages a failed splice left in
// it never reach a later request.
class SplicePipe {
 public:
  ~SplicePipe() { Reset(); }
  bool Open(Failure* failure) {
    if (fds_[0] >= 0) return true;
    if (pipe2(fds_, O_CLOEXEC) == 0) return true;
    Fail("pipe2", failure);
    fds_[0] = fds_[1] = -1;
    return false;
  }
  void Reset() {
    for (int& fd : fds_) {
      if (fd >= 0) close(fd);
      fd = -1;
    }
  }
  int read_end() const { return fds_[0]; }
  int write_end() const { return fds_[1]; }

 private:
  int fds_[2] = {-1, -1};
};

thread_local SplicePipe splice_pipe;

}  // namespace

ssize_t SpliceIn(int op, const uint8_t* data, size_t size, bool more,
                 Failure* failure) {
  if (!splice_pipe.Open(failure)) return -failure->err;
  for (size_t done = 0; done < size;) {
    iovec iov{const_cast<uint8_t*>(data + done), std::min(kSpliceBytes, size - done)};
    ssize_t queued;
    do {
      queued = vmsplice(splice_pipe.write_end(), &iov, 1, 0);
    } while (queued < 0 && errno == EINTR);
    if (queued <= 0) {
      if (queued == 0) errno = EIO;
      Fail("vmsplice", failure);
      splice_pipe.Reset();
      return -failure->err;
    }
    done += static_cast<size_t>(queued);
    unsigned flags = more || done < size ? SPLICE_F_MORE : 0;
    for (ssize_t moved = 0; moved < queued;) {
      ssize_t n = splice(splice_pipe.read_end(), nullptr, op, nullptr,
                         static_cast<size_t>(queued - moved), flags);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        if (n == 0) errno = EIO;
        Fail("splice", failure);
        splice_pipe.Reset();
        return -failure->err;
      }
      moved += n;
    }
  }
  return static_cast<ssize_t>(size);
}

ssize_t Receive(int op, iovec* iov, int iov_count, Failure* failure) {
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = static_cast<size_t>(iov_count);
  ssize_t n;
  do {
    n = recvmsg(op, &msg, MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Fail("recvmsg", failure);
  return n;
}

namespace {
// From <linux/keyctl.h>; glibc has no wrappers for these syscalls.
constexpr long KEYCTL_REVOKE = 3;
constexpr long KEYCTL_UNLINK = 9;
constexpr long KEYCTL_SEARCH = 10;
}  // namespace

int32_t AddKey(const char* type, const char* description, const uint8_t* payload,
               size_t payload_bytes, int32_t keyring, Failure* failure) {
  long serial = syscall(SYS_add_key, type, description, payload, payload_bytes, keyring);
  if (serial < 0) return Fail("add_key", failure);
  return static_cast<int32_t>(serial);
}

int32_t SearchKey(const char* type, const char* description, int32_t keyring,
                  Failure* failure) {
  long serial = syscall(SYS_keyctl, KEYCTL_SEARCH, keyring, type, description, 0);
  if (serial < 0) return Fail("keyctl(KEYCTL_SEARCH)", failure);
  return static_cast<int32_t>(serial);
}

int RevokeKey(int32_t serial, int32_t keyring, Failure* failure) {
  if (syscall(SYS_keyctl, KEYCTL_REVOKE, serial) != 0)
    return Fail("keyctl(KEYCTL_REVOKE)", failure);
  // The revoked key may already be gone from the keyring; that is fine.
  if (syscall(SYS_keyctl, KEYCTL_UNLINK, serial, keyring) != 0 && errno != ENOENT &&
      errno != EKEYREVOKED)
    return Fail("keyctl(KEYCTL_UNLINK)", failure);
  return 0;
}

int GetRandom(uint8_t* buf, size_t bytes, Failure* failure) {
  while (bytes > 0) {
    ssize_t n = getrandom(buf, bytes, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Fail("getrandom", failure);
    }
    buf += n;
    bytes -= static_cast<size_t>(n);
  }
  return 0;
}

}  // namespace afalg
