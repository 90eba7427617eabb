// The raw AF_ALG floor: the same kernel algorithms and the same syscalls the
// library makes, with no WebCrypto, no JavaScript and no N-API in between.
// run.mjs builds it (cc -O2) into bench/.out/floor and drives it from the
// case runner, interleaved with the JavaScript peers.
//
//   floor KIND[+splice] BYTES [ITERATIONS]
//
// Setup (untimed): socket/bind/setsockopt/accept once, then one operation
// whose output is printed for the runner to compare with Node's:
//   ready <output bytes> <hex of the first <= 32 bytes> <hex of the last <= 32 bytes>
// Then, for each line "R <ms>" on stdin, it runs operations back to back
// until <ms> milliseconds have passed (at least one) and prints
//   <operations> <nanoseconds>
// EOF or "Q" ends it.
//
// KIND and what one operation is (BYTES is the WebCrypto input size):
//   sha256, sha512        hash: sendmsg(data, MSG_MORE) + read(digest)
//   hmac-sign             hmac(sha256), keyed once on the tfm: as hash
//   hmac-verify           hmac-sign + a comparison with the expected MAC
//   cbc-enc, cbc-dec      cbc(aes) over BYTES+16 (WebCrypto's PKCS#7 block)
//   ctr-enc, ctr-dec      ctr(aes) over BYTES
//       skcipher: per 64 KiB chunk, sendmsg(OP+IV cmsgs on the first,
//       MSG_MORE unless last) + read(chunk), as the library must (a send
//       larger than the socket's send buffer would block forever)
//   gcm-enc, gcm-dec      gcm(aes) as one AEAD message (OP+IV+ASSOCLEN cmsgs
//       + read) when the message fits 128 KiB (the library's rule); larger
//       ones the way the library's composite path does it: E_K(J0) and the
//       data through ctr(aes), GHASH through ghash keyed with H = E_K(0^128)
//   kw-wrap               RFC 3394 wrap of BYTES over ecb(aes): 6n dependent
//                         one-block sendmsg(OP cmsg) + read
//   getrandom             getrandom(2) of BYTES
//   pbkdf2                PBKDF2-HMAC-SHA256, ITERATIONS, 32-byte output:
//                         one send + one read per HMAC on one keyed op socket
//   pbkdf2-clone          the same HMACs from cloned hash states: sha256 op
//                         sockets hold K^ipad and K^opad pending (MSG_MORE);
//                         each HMAC is accept() on each (which clones the
//                         state), send, read, close: 8 syscalls, not 2
//   pbkdf2-uring          the same HMACs, but submitted as io_uring chains of
//                         linked SEND/RECV pairs (IOSQE_IO_LINK): each SEND
//                         reads the buffer the RECV before it filled, so 1024
//                         iterations cost one io_uring_enter(2) instead of
//                         2048 syscalls. An experiment: can the kernel path
//                         get closer to OpenSSL with fewer syscalls?
//
//   KIND+splice           (hash, skcipher and gcm kinds) the same requests with
//                         zero-copy input: each data sendmsg becomes
//                         vmsplice(2) of the user pages into a pipe and
//                         splice(2) into the op socket, <= 16 pages (64 KiB,
//                         the default pipe size) per splice, SPLICE_F_MORE
//                         where the send had MSG_MORE; cmsgs go first by a
//                         data-less sendmsg(MSG_MORE), as libkcapi does.
//                         Does skipping the input copy pay?
//
// Inputs are the ones bench/inputs.mjs generates (same formulas), so the
// outputs can be compared byte for byte with Node's webcrypto.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if_alg.h>
#include <linux/io_uring.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#ifndef SOL_ALG
#define SOL_ALG 279
#endif

enum { CHUNK = 64 * 1024, AEAD_MAX_MESSAGE = 128 * 1024, BLOCK = 16 };

static void die(const char *what) {
  fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
  exit(1);
}

static void fail(const char *what) {
  fprintf(stderr, "floor: %s\n", what);
  exit(1);
}

// --- inputs (bench/inputs.mjs has the same formulas) ------------------------

static void fill_data(uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(i * 131 + 17);
}
static void fill_key(uint8_t *p, size_t n) {  // AES and HMAC key, PBKDF2 password
  for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(i * 7 + 1);
}
static void fill_iv(uint8_t *p, size_t n) {  // IV, CTR counter block, PBKDF2 salt
  for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(0xa0 + i);
}
static void fill_wrapped_key(uint8_t *p, size_t n) {  // the key AES-KW wraps
  for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(i * 11 + 3);
}

// --- sockets ------------------------------------------------------------------

static int tfm_open(const char *type, const char *name, const uint8_t *key,
                    size_t key_bytes) {
  struct sockaddr_alg addr = {.salg_family = AF_ALG};
  snprintf((char *)addr.salg_type, sizeof addr.salg_type, "%s", type);
  snprintf((char *)addr.salg_name, sizeof addr.salg_name, "%s", name);
  int fd = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket(AF_ALG)");
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0) die(name);
  if (key != NULL && setsockopt(fd, SOL_ALG, ALG_SET_KEY, key, (socklen_t)key_bytes) != 0)
    die("setsockopt(ALG_SET_KEY)");
  return fd;
}

static int op_open(int tfm) {
  int fd = accept4(tfm, NULL, NULL, SOCK_CLOEXEC);
  if (fd < 0) die("accept");
  return fd;
}

// sendmsg with the cmsgs of one request: OP (op >= 0), IV (iv != NULL),
// ASSOCLEN (assoclen >= 0). Returns the bytes sent.
static size_t send_request(int fd, int op, const uint8_t *iv, size_t iv_bytes,
                           int assoclen, const void *data, size_t size, int flags) {
  union {
    struct cmsghdr align;
    uint8_t bytes[CMSG_SPACE(4) * 2 + CMSG_SPACE(sizeof(struct af_alg_iv) + 32)];
  } control;
  struct iovec iov = {(void *)data, size};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
  size_t space = (op >= 0 ? CMSG_SPACE(4) : 0) + (assoclen >= 0 ? CMSG_SPACE(4) : 0) +
                 (iv != NULL ? CMSG_SPACE(sizeof(struct af_alg_iv) + iv_bytes) : 0);
  if (space > 0) {
    memset(control.bytes, 0, space);
    msg.msg_control = control.bytes;
    msg.msg_controllen = space;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    if (op >= 0) {
      c->cmsg_level = SOL_ALG;
      c->cmsg_type = ALG_SET_OP;
      c->cmsg_len = CMSG_LEN(4);
      uint32_t v = (uint32_t)op;
      memcpy(CMSG_DATA(c), &v, 4);
      c = CMSG_NXTHDR(&msg, c);
    }
    if (iv != NULL) {
      c->cmsg_level = SOL_ALG;
      c->cmsg_type = ALG_SET_IV;
      c->cmsg_len = CMSG_LEN(sizeof(struct af_alg_iv) + iv_bytes);
      struct af_alg_iv *a = (struct af_alg_iv *)CMSG_DATA(c);
      a->ivlen = (uint32_t)iv_bytes;
      memcpy(a->iv, iv, iv_bytes);
      c = CMSG_NXTHDR(&msg, c);
    }
    if (assoclen >= 0) {
      c->cmsg_level = SOL_ALG;
      c->cmsg_type = ALG_SET_AEAD_ASSOCLEN;
      c->cmsg_len = CMSG_LEN(4);
      uint32_t v = (uint32_t)assoclen;
      memcpy(CMSG_DATA(c), &v, 4);
    }
  }
  ssize_t n = sendmsg(fd, &msg, flags);
  if (n < 0) die("sendmsg");
  return (size_t)n;
}

// --- zero-copy input (KIND+splice) -------------------------------------------

static int zero_copy;        // KIND ended in "+splice"
static int splice_pipe[2];   // [0] read end, [1] write end

// Hands size bytes at data to the op socket without copying them: vmsplice
// maps the pages into the pipe, splice moves them into the socket.
static void splice_in(int fd, const uint8_t *data, size_t size, int more) {
  for (size_t done = 0; done < size;) {
    size_t len = size - done < CHUNK ? size - done : CHUNK;
    struct iovec iov = {(void *)(data + done), len};
    ssize_t queued = vmsplice(splice_pipe[1], &iov, 1, 0);
    if (queued <= 0) die("vmsplice");
    done += (size_t)queued;
    for (ssize_t moved = 0; moved < queued;) {
      ssize_t n = splice(splice_pipe[0], NULL, fd, NULL, (size_t)(queued - moved),
                         more || done < size ? SPLICE_F_MORE : 0);
      if (n <= 0) die("splice");
      moved += n;
    }
  }
}

// send_request for the data of an operation: with zero_copy, the cmsgs (if
// any) go alone and the data through splice_in. Returns the bytes queued.
static size_t send_data(int fd, int op, const uint8_t *iv, size_t iv_bytes, int assoclen,
                        const void *data, size_t size, int flags) {
  if (!zero_copy) return send_request(fd, op, iv, iv_bytes, assoclen, data, size, flags);
  if (op >= 0) send_request(fd, op, iv, iv_bytes, assoclen, NULL, 0, MSG_MORE);
  splice_in(fd, data, size, flags & MSG_MORE);
  return size;
}

static void read_exactly(int fd, uint8_t *out, size_t size) {
  while (size > 0) {
    ssize_t n = read(fd, out, size);
    if (n < 0) die("read");
    if (n == 0) fail("read: no data");
    out += n;
    size -= (size_t)n;
  }
}

// --- the operations -------------------------------------------------------------

// A digest or MAC of data on a hash op socket.
static void hash(int op, const uint8_t *data, size_t size, uint8_t *out, size_t out_bytes) {
  size_t done = 0;
  do {  // one sendmsg for any size the kernel takes whole; loop if it does not
    done += send_data(op, -1, NULL, 0, -1, data + done, size - done, MSG_MORE);
  } while (done < size);
  read_exactly(op, out, out_bytes);
}

// One skcipher request in 64 KiB chunks: the first carries OP and IV.
static void skcipher(int op, int encrypt, const uint8_t *iv, size_t iv_bytes,
                     const uint8_t *in, uint8_t *out, size_t size) {
  for (size_t done = 0; done < size;) {
    size_t len = size - done < CHUNK ? size - done : CHUNK;
    int last = done + len == size;
    size_t sent = send_data(op, done == 0 ? (encrypt ? ALG_OP_ENCRYPT : ALG_OP_DECRYPT) : -1,
                               done == 0 ? iv : NULL, iv_bytes, -1, in + done, len,
                               last ? 0 : MSG_MORE);
    if (sent != len) fail("sendmsg: skcipher chunk not fully queued");
    read_exactly(op, out + done, len);
    done += len;
  }
}

static void store_be64(uint64_t v, uint8_t *p) {
  for (int i = 7; i >= 0; i--, v >>= 8) p[i] = (uint8_t)v;
}

struct state {
  const char *kind;
  size_t bytes;       // WebCrypto input size
  uint32_t iterations;
  uint8_t *in;        // what one operation consumes
  size_t in_bytes;
  uint8_t *out;       // what it produces
  size_t out_bytes;
  uint8_t *expected;  // hmac-verify: the MAC to compare with
  uint8_t iv[16];
  uint8_t key[32];
  int op, op2;        // op sockets (op2: ghash of the composite GCM path)
  int composite;      // GCM through ctr(aes) + ghash
};

static const uint8_t zeros[BLOCK];

// GCM from ctr(aes) and ghash (AAD empty, 96-bit IV), as the library's GcmJob.
static void gcm_composite(struct state *s, int encrypt) {
  uint8_t j0[16], counter[16], mask[16], lengths[16], tag[16];
  size_t text = s->bytes;  // the plaintext length, both ways
  const uint8_t *ciphertext = encrypt ? s->out : s->in;
  memcpy(j0, s->iv, 12);
  j0[12] = j0[13] = j0[14] = 0;
  j0[15] = 1;
  skcipher(s->op, 1, j0, 16, zeros, mask, 16);  // E_K(J0)
  memcpy(counter, j0, 16);
  counter[15] = 2;  // inc32(J0); the low 32 bits do not wrap for these sizes
  if (encrypt) skcipher(s->op, 1, counter, 16, s->in, s->out, text);
  store_be64(0, lengths);
  store_be64((uint64_t)text * 8, lengths + 8);
  size_t done = 0;
  while (done < text)
    done += send_data(s->op2, -1, NULL, 0, -1, ciphertext + done, text - done, MSG_MORE);
  // text is a multiple of 16 here, so no zero padding before the lengths.
  send_request(s->op2, -1, NULL, 0, -1, lengths, 16, MSG_MORE);
  read_exactly(s->op2, tag, 16);
  for (int i = 0; i < 16; i++) tag[i] ^= mask[i];
  if (encrypt) {
    memcpy(s->out + text, tag, 16);
  } else {
    if (memcmp(tag, s->in + text, 16) != 0) fail("gcm: tag mismatch");
    skcipher(s->op, 1, counter, 16, s->in, s->out, text);
  }
}

static void gcm_aead(struct state *s, int encrypt) {
  size_t sent = send_data(s->op, encrypt ? ALG_OP_ENCRYPT : ALG_OP_DECRYPT, s->iv, 12, 0,
                             s->in, s->in_bytes, 0);
  if (sent != s->in_bytes) fail("sendmsg: AEAD message not fully queued");
  read_exactly(s->op, s->out, s->out_bytes);
}

static void kw_wrap(struct state *s) {
  const size_t n = s->bytes / 8;
  uint8_t block[16], *a = block, *r = s->out + 8;
  memset(a, 0xa6, 8);
  memcpy(r, s->in, s->bytes);
  for (uint64_t j = 0; j <= 5; j++) {
    for (size_t i = 1; i <= n; i++) {
      memcpy(block + 8, r + (i - 1) * 8, 8);
      size_t sent = send_request(s->op, ALG_OP_ENCRYPT, NULL, 0, -1, block, 16, 0);
      if (sent != 16) fail("sendmsg: ecb block not queued");
      read_exactly(s->op, block, 16);
      uint8_t t[8];
      store_be64(n * j + i, t);
      for (int k = 0; k < 8; k++) a[k] ^= t[k];
      memcpy(r + (i - 1) * 8, block + 8, 8);
    }
  }
  memcpy(s->out, a, 8);
}

// One HMAC-SHA-256 of data into out (32 bytes).
typedef void (*mac_fn)(struct state *s, const uint8_t *data, size_t size, uint8_t *out);

static void mac_keyed(struct state *s, const uint8_t *data, size_t size, uint8_t *out) {
  hash(s->op, data, size, out, 32);
}

// HMAC from two sha256 op sockets holding the pending (MSG_MORE) states of
// K^ipad and K^opad: accept() on each clones its state into a new socket.
static void mac_cloned(struct state *s, const uint8_t *data, size_t size, uint8_t *out) {
  uint8_t inner[32];
  int op = op_open(s->op);
  hash(op, data, size, inner, 32);
  close(op);
  op = op_open(s->op2);
  hash(op, inner, 32, out, 32);
  close(op);
}

static void pbkdf2(struct state *s, mac_fn mac) {
  uint8_t u[32], t[32], salt_index[20];
  fill_iv(salt_index, 16);
  salt_index[16] = salt_index[17] = salt_index[18] = 0;
  salt_index[19] = 1;  // INT(1): one block of output
  mac(s, salt_index, sizeof salt_index, u);
  memcpy(t, u, 32);
  for (uint32_t i = 1; i < s->iterations; i++) {
    mac(s, u, 32, u);
    for (int k = 0; k < 32; k++) t[k] ^= u[k];
  }
  memcpy(s->out, t, 32);
}

// --- io_uring, with raw syscalls (no liburing) --------------------------------------

enum { URING_ITERATIONS = 1024 };  // HMACs per chain: 2048 linked SQEs

struct uring {
  int fd;
  unsigned *sq_tail, *sq_mask, *sq_array;
  unsigned *cq_head, *cq_tail, *cq_mask;
  struct io_uring_sqe *sqes;
  struct io_uring_cqe *cqes;
};

static void uring_open(struct uring *u, unsigned entries) {
  struct io_uring_params p;
  memset(&p, 0, sizeof p);
  u->fd = (int)syscall(__NR_io_uring_setup, entries, &p);
  if (u->fd < 0) die("io_uring_setup");
  size_t sq_bytes = p.sq_off.array + p.sq_entries * sizeof(unsigned);
  size_t cq_bytes = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
  int single = (p.features & IORING_FEAT_SINGLE_MMAP) != 0;
  if (single && cq_bytes > sq_bytes) sq_bytes = cq_bytes;
  uint8_t *sq = mmap(NULL, sq_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, u->fd, IORING_OFF_SQ_RING);
  if (sq == MAP_FAILED) die("mmap(SQ ring)");
  uint8_t *cq = sq;
  if (!single) {
    cq = mmap(NULL, cq_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, u->fd, IORING_OFF_CQ_RING);
    if (cq == MAP_FAILED) die("mmap(CQ ring)");
  }
  u->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
                 MAP_SHARED | MAP_POPULATE, u->fd, IORING_OFF_SQES);
  if (u->sqes == MAP_FAILED) die("mmap(SQEs)");
  u->sq_tail = (unsigned *)(sq + p.sq_off.tail);
  u->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
  u->sq_array = (unsigned *)(sq + p.sq_off.array);
  u->cq_head = (unsigned *)(cq + p.cq_off.head);
  u->cq_tail = (unsigned *)(cq + p.cq_off.tail);
  u->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
  u->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
}

// Queues one SQE (linked to the next unless last).
static void uring_queue(struct uring *u, int opcode, int fd, void *buf, unsigned len, int last) {
  unsigned tail = *u->sq_tail;
  unsigned index = tail & *u->sq_mask;
  struct io_uring_sqe *sqe = &u->sqes[index];
  memset(sqe, 0, sizeof *sqe);
  sqe->opcode = (uint8_t)opcode;
  sqe->fd = fd;
  sqe->addr = (uint64_t)(uintptr_t)buf;
  sqe->len = len;
  sqe->flags = last ? 0 : IOSQE_IO_LINK;
  u->sq_array[index] = index;
  __atomic_store_n(u->sq_tail, tail + 1, __ATOMIC_RELEASE);
}

// Submits count queued SQEs, waits for all of them, and checks each result.
static void uring_run(struct uring *u, unsigned count) {
  if (syscall(__NR_io_uring_enter, u->fd, count, count, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
    die("io_uring_enter");
  unsigned head = *u->cq_head;
  for (unsigned done = 0; done < count; done++, head++) {
    while (head == __atomic_load_n(u->cq_tail, __ATOMIC_ACQUIRE)) {
      if (syscall(__NR_io_uring_enter, u->fd, 0, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
        die("io_uring_enter");
    }
    struct io_uring_cqe *cqe = &u->cqes[head & *u->cq_mask];
    if (cqe->res < 0) {
      errno = -cqe->res;
      die("io_uring SEND/RECV on the hmac socket");
    }
  }
  __atomic_store_n(u->cq_head, head, __ATOMIC_RELEASE);
}

static struct uring ring;

static void pbkdf2_uring(struct state *s) {
  static uint8_t u[URING_ITERATIONS + 1][32];
  uint8_t t[32], salt_index[20];
  fill_iv(salt_index, 16);
  salt_index[16] = salt_index[17] = salt_index[18] = 0;
  salt_index[19] = 1;
  hash(s->op, salt_index, sizeof salt_index, u[0], 32);
  memcpy(t, u[0], 32);
  for (uint32_t left = s->iterations - 1; left > 0;) {
    unsigned n = left < URING_ITERATIONS ? left : URING_ITERATIONS;
    for (unsigned i = 1; i <= n; i++) {
      uring_queue(&ring, IORING_OP_SEND, s->op, u[i - 1], 32, 0);
      uring_queue(&ring, IORING_OP_RECV, s->op, u[i], 32, i == n);
    }
    uring_run(&ring, 2 * n);
    for (unsigned i = 1; i <= n; i++)
      for (int k = 0; k < 32; k++) t[k] ^= u[i][k];
    memcpy(u[0], u[n], 32);
    left -= n;
  }
  memcpy(s->out, t, 32);
}

static void run_once(struct state *s) {
  const char *k = s->kind;
  if (!strcmp(k, "sha256") || !strcmp(k, "sha512") || !strcmp(k, "hmac-sign")) {
    hash(s->op, s->in, s->in_bytes, s->out, s->out_bytes);
  } else if (!strcmp(k, "hmac-verify")) {
    uint8_t mac[32];
    hash(s->op, s->in, s->in_bytes, mac, 32);
    s->out[0] = memcmp(mac, s->expected, 32) == 0;
  } else if (!strcmp(k, "cbc-enc") || !strcmp(k, "ctr-enc")) {
    skcipher(s->op, 1, s->iv, 16, s->in, s->out, s->in_bytes);
  } else if (!strcmp(k, "cbc-dec") || !strcmp(k, "ctr-dec")) {
    skcipher(s->op, 0, s->iv, 16, s->in, s->out, s->in_bytes);
  } else if (!strcmp(k, "gcm-enc") || !strcmp(k, "gcm-dec")) {
    int encrypt = !strcmp(k, "gcm-enc");
    if (s->composite) gcm_composite(s, encrypt);
    else gcm_aead(s, encrypt);
  } else if (!strcmp(k, "kw-wrap")) {
    kw_wrap(s);
  } else if (!strcmp(k, "getrandom")) {
    for (size_t done = 0; done < s->out_bytes;) {
      ssize_t n = getrandom(s->out + done, s->out_bytes - done, 0);
      if (n < 0) die("getrandom");
      done += (size_t)n;
    }
  } else if (!strcmp(k, "pbkdf2")) {
    pbkdf2(s, mac_keyed);
  } else if (!strcmp(k, "pbkdf2-clone")) {
    pbkdf2(s, mac_cloned);
  } else if (!strcmp(k, "pbkdf2-uring")) {
    pbkdf2_uring(s);
  }
}

static uint8_t *buffer(size_t size) {
  uint8_t *p = malloc(size ? size : 1);
  if (p == NULL) fail("out of memory");
  return p;
}

// Builds the sockets and the input of one operation (ciphertexts for the
// decrypt kinds are made here with the encrypt path, untimed).
static void setup(struct state *s) {
  const char *k = s->kind;
  size_t n = s->bytes;
  fill_key(s->key, sizeof s->key);
  fill_iv(s->iv, sizeof s->iv);
  if (!strcmp(k, "sha256") || !strcmp(k, "sha512")) {
    s->op = op_open(tfm_open("hash", k, NULL, 0));
    s->in_bytes = n;
    s->out_bytes = !strcmp(k, "sha256") ? 32 : 64;
  } else if (!strcmp(k, "hmac-sign") || !strcmp(k, "hmac-verify")) {
    s->op = op_open(tfm_open("hash", "hmac(sha256)", s->key, 32));
    s->in_bytes = n;
    s->out_bytes = !strcmp(k, "hmac-sign") ? 32 : 1;
  } else if (!strncmp(k, "cbc-", 4) || !strncmp(k, "ctr-", 4)) {
    s->op = op_open(tfm_open("skcipher", k[1] == 'b' ? "cbc(aes)" : "ctr(aes)", s->key, 32));
    s->in_bytes = s->out_bytes = k[1] == 'b' ? n + 16 : n;  // CBC: the PKCS#7 block
  } else if (!strncmp(k, "gcm-", 4)) {
    s->composite = n + 16 > AEAD_MAX_MESSAGE;
    if (s->composite) {
      if (n % 16 != 0) fail("the composite GCM floor needs a multiple of 16 bytes");
      s->op = op_open(tfm_open("skcipher", "ctr(aes)", s->key, 32));
      uint8_t h[16];
      skcipher(s->op, 1, zeros, 16, zeros, h, 16);  // counter 0: E_K(0^128)
      s->op2 = op_open(tfm_open("hash", "ghash", h, 16));
    } else {
      int tfm = tfm_open("aead", "gcm(aes)", s->key, 32);
      if (setsockopt(tfm, SOL_ALG, ALG_SET_AEAD_AUTHSIZE, NULL, 16) != 0)
        die("setsockopt(ALG_SET_AEAD_AUTHSIZE)");
      s->op = op_open(tfm);
    }
    s->in_bytes = !strcmp(k, "gcm-enc") ? n : n + 16;
    s->out_bytes = !strcmp(k, "gcm-enc") ? n + 16 : n;
  } else if (!strcmp(k, "kw-wrap")) {
    if (n % 8 != 0 || n < 16) fail("kw-wrap needs a multiple of 8 bytes, at least 16");
    s->op = op_open(tfm_open("skcipher", "ecb(aes)", s->key, 32));
    s->in_bytes = n;
    s->out_bytes = n + 8;
  } else if (!strcmp(k, "getrandom")) {
    s->in_bytes = 0;
    s->out_bytes = n;
  } else if (!strcmp(k, "pbkdf2") || !strcmp(k, "pbkdf2-uring")) {
    s->op = op_open(tfm_open("hash", "hmac(sha256)", s->key, 32));
    s->in_bytes = 0;
    s->out_bytes = 32;
    if (!strcmp(k, "pbkdf2-uring")) uring_open(&ring, 2 * URING_ITERATIONS);
  } else if (!strcmp(k, "pbkdf2-clone")) {
    // HMAC's two keyed states, pending on plain sha256 op sockets.
    int tfm = tfm_open("hash", "sha256", NULL, 0);
    uint8_t pad[64] = {0};
    memcpy(pad, s->key, 32);
    for (int i = 0; i < 64; i++) pad[i] ^= 0x36;
    s->op = op_open(tfm);
    send_request(s->op, -1, NULL, 0, -1, pad, 64, MSG_MORE);
    for (int i = 0; i < 64; i++) pad[i] ^= 0x36 ^ 0x5c;
    s->op2 = op_open(tfm);
    send_request(s->op2, -1, NULL, 0, -1, pad, 64, MSG_MORE);
    s->in_bytes = 0;
    s->out_bytes = 32;
  } else {
    fail("unknown kind (see the comment at the top of bench/floor.c)");
  }
  s->in = buffer(s->in_bytes);
  s->out = buffer(s->out_bytes);
  if (!strcmp(k, "kw-wrap")) {
    fill_wrapped_key(s->in, n);
  } else if (s->in_bytes > 0) {
    fill_data(s->in, n);
    if (!strcmp(k, "cbc-enc")) memset(s->in + n, 16, 16);  // PKCS#7: a whole block of 16s
  }
  if (!strcmp(k, "hmac-verify")) {
    s->expected = buffer(32);
    hash(s->op, s->in, n, s->expected, 32);
  }
  if (!strcmp(k, "cbc-dec") || !strcmp(k, "ctr-dec") || !strcmp(k, "gcm-dec")) {
    // The ciphertext of the same plaintext, from this program's encrypt path.
    struct state e = *s;
    e.kind = !strcmp(k, "cbc-dec") ? "cbc-enc" : !strcmp(k, "ctr-dec") ? "ctr-enc" : "gcm-enc";
    e.in_bytes = !strcmp(k, "cbc-dec") ? n + 16 : n;
    e.in = buffer(e.in_bytes);
    fill_data(e.in, n);
    if (!strcmp(k, "cbc-dec")) memset(e.in + n, 16, 16);
    e.out = s->in;
    e.out_bytes = s->in_bytes;
    run_once(&e);
    free(e.in);
  }
}

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void print_hex(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) printf("%02x", p[i]);
}

int main(int argc, char **argv) {
  if (argc < 3) fail("usage: floor KIND[+splice] BYTES [ITERATIONS]");
  struct state s = {.kind = argv[1], .bytes = strtoull(argv[2], NULL, 10), .op = -1, .op2 = -1};
  char *suffix = strstr(argv[1], "+splice");
  if (suffix != NULL) {
    *suffix = '\0';
    zero_copy = 1;
    if (pipe2(splice_pipe, O_CLOEXEC) != 0) die("pipe2");
  }
  s.iterations = argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 10) : 1;
  setup(&s);
  run_once(&s);
  // What WebCrypto returns: for cbc-dec, the plaintext without its padding
  // block (the floor leaves the unpadding to the caller, as the kernel does).
  size_t result = !strcmp(s.kind, "cbc-dec") ? s.out_bytes - 16 : s.out_bytes;
  size_t show = result < 32 ? result : 32;
  printf("ready %zu ", result);
  print_hex(s.out, show);
  printf(" ");
  print_hex(s.out + result - show, show);
  printf("\n");
  fflush(stdout);
  char line[64];
  while (fgets(line, sizeof line, stdin) != NULL) {
    if (line[0] == 'Q') break;
    if (line[0] != 'R') fail("expected 'R <ms>' or 'Q'");
    uint64_t budget = (uint64_t)(strtod(line + 1, NULL) * 1e6);
    uint64_t ops = 0, start = now_ns(), elapsed;
    do {
      run_once(&s);
      ops++;
      elapsed = now_ns() - start;
    } while (elapsed < budget);
    printf("%llu %llu\n", (unsigned long long)ops, (unsigned long long)elapsed);
    fflush(stdout);
  }
  return 0;
}
