// The functions JS can call. Each builds a job from its arguments (checked
// here, so a wrong call throws TypeError instead of crashing), then runs it
// synchronously or queues it on the libuv thread pool and returns a promise.
#include <napi.h>

#include <memory>
#include <vector>

#include "afalg.h"
#include "handles.h"
#include "jobs.h"

namespace {

// Keeps a job's JS inputs, output and sockets alive and its sockets marked
// in use until the job ends (on the JS thread).
class JobResources {
 public:
  void Keep(Napi::Value value) {
    if (value.IsObject()) refs_.push_back(Napi::Persistent(value.As<Napi::Object>()));
  }
  void Use(AlgSocket* socket, Napi::Value object) {
    socket->Use();
    sockets_.push_back(socket);
    Keep(object);
  }
  ~JobResources() {
    for (AlgSocket* socket : sockets_) socket->Unuse();
  }

 private:
  std::vector<Napi::ObjectReference> refs_;
  std::vector<AlgSocket*> sockets_;
};

class JobWorker final : public Napi::AsyncWorker {
 public:
  JobWorker(Napi::Env env, std::unique_ptr<Job> job,
            std::unique_ptr<JobResources> resources, Napi::Value result)
      : Napi::AsyncWorker(env, "afalg:job"),
        job_(std::move(job)),
        resources_(std::move(resources)),
        result_(Napi::Persistent(result.As<Napi::Object>())),
        deferred_(Napi::Promise::Deferred::New(env)) {}

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override { job_->Run(); }

  void OnOK() override {
    Napi::Env env = Env();
    if (job_->failure.failed())
      deferred_.Reject(KernelError(env, job_->failure.err, job_->failure.syscall).Value());
    else
      deferred_.Resolve(result_.Value());
  }

 private:
  std::unique_ptr<Job> job_;
  std::unique_ptr<JobResources> resources_;
  Napi::ObjectReference result_;
  Napi::Promise::Deferred deferred_;
};

// Runs job now (returning result or throwing), or on the thread pool.
Napi::Value Dispatch(Napi::Env env, std::unique_ptr<Job> job,
                     std::unique_ptr<JobResources> resources,
                     Napi::Value result, bool async) {
  if (!async) {
    job->Run();
    if (job->failure.failed())
      throw KernelError(env, job->failure.err, job->failure.syscall);
    return result;
  }
  auto* worker = new JobWorker(env, std::move(job), std::move(resources), result);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

struct Args {
  const Napi::CallbackInfo& info;
  // Only a queued job needs its resources held (made by ReadAsyncFlag).
  std::unique_ptr<JobResources> resources = nullptr;
  bool async = false;

  Napi::Env env() const { return info.Env(); }
  int Socket(size_t i, const char* what) {
    AlgSocket* socket = AlgSocket::From(env(), info[i], what);
    if (async) resources->Use(socket, info[i]);
    return socket->fd();
  }
  // Input bytes, read in place. A synchronous job reads them before any
  // JavaScript runs again. A queued job reads them on a pool thread while
  // JavaScript runs, so the caller must pass memory that nothing else
  // changes or detaches until the job settles: the library passes its own
  // private copies (the WebCrypto call-time copy), and the job keeps them
  // alive. A second copy here would cost a whole extra pass over the input
  // on the JS thread (bench/README.md, "Copy the input once").
  Span Bytes(size_t i, const char* what) {
    ByteView view = ArgBytes(env(), info[i], what);
    if (async) resources->Keep(info[i]);
    return {view.data, view.size};
  }
  // A BufferSource, or null/undefined for "none".
  Span OptionalBytes(size_t i, const char* what) {
    if (info[i].IsNull() || info[i].IsUndefined()) return {};
    return Bytes(i, what);
  }
  bool Bool(size_t i, const char* what) {
    if (!info[i].IsBoolean())
      throw Napi::TypeError::New(env(), std::string(what) + " must be a boolean");
    return info[i].As<Napi::Boolean>();
  }
  size_t Size(size_t i, const char* what, size_t max) {
    if (!info[i].IsNumber())
      throw Napi::TypeError::New(env(), std::string(what) + " must be a number");
    double value = info[i].As<Napi::Number>().DoubleValue();
    if (!(value >= 0 && value <= static_cast<double>(max)) ||
        value != static_cast<double>(static_cast<size_t>(value)))
      throw Napi::RangeError::New(env(), std::string(what) + " is out of range");
    return static_cast<size_t>(value);
  }
  // The trailing `async` flag.
  void ReadAsyncFlag(size_t i) {
    async = Bool(i, "async");
    if (async) resources = std::make_unique<JobResources>();
  }
  void Require(bool condition, const char* message) {
    if (!condition) throw Napi::RangeError::New(env(), message);
  }
  // A fresh output buffer: the job writes here and JS sees it only on success.
  Napi::ArrayBuffer Output(size_t size, MutableSpan* span) {
    auto buffer = Napi::ArrayBuffer::New(env(), size);
    *span = {static_cast<uint8_t*>(buffer.Data()), size};
    return buffer;
  }
};

// hash(op, data, digestBytes, async)
Napi::Value JS_hash(const Napi::CallbackInfo& info) {
  Args a{info};
  a.ReadAsyncFlag(3);
  int op = a.Socket(0, "op");
  Span data = a.Bytes(1, "data");
  MutableSpan out;
  auto result = a.Output(a.Size(2, "digestBytes", 1024), &out);
  return Dispatch(info.Env(), std::make_unique<HashJob>(op, data, out),
                  std::move(a.resources), result, a.async);
}

// skcipher(op, encrypt, iv | null, data, async)
Napi::Value JS_skcipher(const Napi::CallbackInfo& info) {
  Args a{info};
  a.ReadAsyncFlag(4);
  int op = a.Socket(0, "op");
  bool encrypt = a.Bool(1, "encrypt");
  Span iv = a.OptionalBytes(2, "iv");
  a.Require(iv.size <= afalg::kMaxIvBytes, "iv is too long");
  Span data = a.Bytes(3, "data");
  MutableSpan out;
  auto result = a.Output(data.size, &out);
  return Dispatch(info.Env(),
                  std::make_unique<SkcipherJob>(op, encrypt, iv, data, out),
                  std::move(a.resources), result, a.async);
}

// cbc(op, encrypt, iv, data, async): AES-CBC with PKCS#7 padding added on
// encrypt and checked and removed on decrypt.
Napi::Value JS_cbc(const Napi::CallbackInfo& info) {
  Args a{info};
  a.ReadAsyncFlag(4);
  int op = a.Socket(0, "op");
  bool encrypt = a.Bool(1, "encrypt");
  Span iv = a.Bytes(2, "iv");
  a.Require(iv.size == kAesBlockBytes, "iv must be 16 bytes");
  Span data = a.Bytes(3, "data");
  MutableSpan out;
  if (encrypt) {
    auto result = a.Output(data.size + kAesBlockBytes - data.size % kAesBlockBytes, &out);
    return Dispatch(info.Env(), std::make_unique<CbcPadEncryptJob>(op, iv, data, out),
                    std::move(a.resources), result, a.async);
  }
  a.Require(data.size > 0 && data.size % kAesBlockBytes == 0,
            "data must be a non-zero multiple of 16 bytes");
  uint8_t last[kAesBlockBytes];
  afalg::Failure failure;
  int pad = CbcDecryptLastBlock(op, iv, data, last, &failure);
  if (pad < 0) throw KernelError(info.Env(), failure.err, failure.syscall);
  auto result = a.Output(data.size - static_cast<size_t>(pad), &out);
  auto job = std::make_unique<CbcUnpadDecryptJob>(op, iv, data, last, out);
  explicit_bzero(last, sizeof(last));
  return Dispatch(info.Env(), std::move(job), std::move(a.resources), result, a.async);
}

// ctr(op, counter, counterBits, data, async)
Napi::Value JS_ctr(const Napi::CallbackInfo& info) {
  Args a{info};
  a.ReadAsyncFlag(4);
  int op = a.Socket(0, "op");
  Span counter = a.Bytes(1, "counter");
  a.Require(counter.size == 16, "counter must be 16 bytes");
  size_t bits = a.Size(2, "counterBits", 128);
  a.Require(bits >= 1, "counterBits must be 1..128");
  Span data = a.Bytes(3, "data");
  MutableSpan out;
  auto result = a.Output(data.size, &out);
  return Dispatch(info.Env(),
                  std::make_unique<CtrJob>(op, counter, static_cast<unsigned>(bits), data, out),
                  std::move(a.resources), result, a.async);
}

// aead(op, encrypt, iv, aad, data, tagBytes, async)
Napi::Value JS_aead(const Napi::CallbackInfo& info) {
  Args a{info};
  a.ReadAsyncFlag(6);
  int op = a.Socket(0, "op");
  bool encrypt = a.Bool(1, "encrypt");
  Span iv = a.Bytes(2, "iv");
  a.Require(iv.size <= afalg::kMaxIvBytes, "iv is too long");
  Span aad = a.Bytes(3, "aad");
  Span data = a.Bytes(4, "data");
  size_t tag = a.Size(5, "tagBytes", 16);
  a.Require(encrypt || data.size >= tag, "data is shorter than the tag");
  MutableSpan out;
  auto result = a.Output(encrypt ? data.size + tag : data.size - tag, &out);
  return Dispatch(info.Env(),
                  std::make_unique<AeadJob>(op, encrypt, iv, aad, data, out),
                  std::move(a.resources), result, a.async);
}

// gcm(ctrOp, ghashOp, encrypt, iv, aad, data, tagBytes, async)
Napi::Value JS_gcm(const Napi::CallbackInfo& info) {
  Args a{info};
  a.ReadAsyncFlag(7);
  int ctr_op = a.Socket(0, "ctrOp");
  int ghash_op = a.Socket(1, "ghashOp");
  bool encrypt = a.Bool(2, "encrypt");
  Span iv = a.Bytes(3, "iv");
  a.Require(iv.size >= 1, "iv must not be empty");
  Span aad = a.Bytes(4, "aad");
  Span data = a.Bytes(5, "data");
  size_t tag = a.Size(6, "tagBytes", 16);
  a.Require(encrypt || data.size >= tag, "data is shorter than the tag");
  MutableSpan out;
  auto result = a.Output(encrypt ? data.size + tag : data.size - tag, &out);
  return Dispatch(info.Env(),
                  std::make_unique<GcmJob>(ctr_op, ghash_op, encrypt, iv, aad, data, tag, out),
                  std::move(a.resources), result, a.async);
}

// aesKw(ecbOp, wrap, data, async)
Napi::Value JS_aesKw(const Napi::CallbackInfo& info) {
  Args a{info};
  a.ReadAsyncFlag(3);
  int op = a.Socket(0, "ecbOp");
  bool wrap = a.Bool(1, "wrap");
  Span data = a.Bytes(2, "data");
  a.Require(data.size % 8 == 0 && data.size >= (wrap ? 16u : 24u),
            "AES-KW data must be a multiple of 8 bytes and at least 2 blocks");
  MutableSpan out;
  auto result = a.Output(wrap ? data.size + 8 : data.size - 8, &out);
  return Dispatch(info.Env(), std::make_unique<AesKwJob>(op, wrap, data, out),
                  std::move(a.resources), result, a.async);
}

// pbkdf2(hmacOp, salt, iterations, digestBytes, firstBlock, outBytes, async):
// the output blocks firstBlock, firstBlock + 1, ... (1-based, RFC 8018's i),
// so that the blocks of one long output can run as separate jobs.
Napi::Value JS_pbkdf2(const Napi::CallbackInfo& info) {
  Args a{info};
  a.ReadAsyncFlag(6);
  int op = a.Socket(0, "hmacOp");
  Span salt = a.Bytes(1, "salt");
  size_t iterations = a.Size(2, "iterations", UINT32_MAX);
  a.Require(iterations >= 1, "iterations must be at least 1");
  size_t digest = a.Size(3, "digestBytes", 64);
  a.Require(digest >= 1, "digestBytes must be at least 1");
  size_t first_block = a.Size(4, "firstBlock", UINT32_MAX);
  a.Require(first_block >= 1, "firstBlock must be at least 1");
  size_t out_bytes = a.Size(5, "outBytes", size_t(1) << 32);
  a.Require((out_bytes + digest - 1) / digest <= UINT32_MAX - first_block + 1,
            "the output needs more blocks than a 32-bit block index can number");
  MutableSpan out;
  auto result = a.Output(out_bytes, &out);
  return Dispatch(info.Env(),
                  std::make_unique<Pbkdf2Job>(op, salt, static_cast<uint32_t>(iterations), digest,
                                              static_cast<uint32_t>(first_block), out),
                  std::move(a.resources), result, a.async);
}

// hkdf(hmacName, ikm: Secret, salt, info, digestBytes, outBytes, async)
Napi::Value JS_hkdf(const Napi::CallbackInfo& info) {
  Args a{info};
  a.ReadAsyncFlag(6);
  if (!info[0].IsString()) throw Napi::TypeError::New(info.Env(), "hmacName must be a string");
  std::string name = info[0].As<Napi::String>();
  Secret* ikm = Secret::From(info.Env(), info[1], "ikm");
  if (a.async) a.resources->Keep(info[1]);
  Span salt = a.Bytes(2, "salt");
  Span extra = a.Bytes(3, "info");
  size_t digest = a.Size(4, "digestBytes", 64);
  a.Require(digest >= 1, "digestBytes must be at least 1");
  size_t length = a.Size(5, "outBytes", 255 * digest);
  MutableSpan out;
  auto result = a.Output(length, &out);
  return Dispatch(info.Env(),
                  std::make_unique<HkdfJob>(name.c_str(), ikm->bytes(), salt, extra, digest, out),
                  std::move(a.resources), result, a.async);
}

// digestSecret(hashOp, secret, digestBytes): a new Secret holding H(secret).
Napi::Value JS_digestSecret(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AlgSocket* op = AlgSocket::From(env, info[0], "hashOp");
  Secret* secret = Secret::From(env, info[1], "secret");
  Args a{info};
  SecureBytes out(a.Size(2, "digestBytes", 64));
  afalg::Failure failure;
  if (DigestSecret(op->fd(), secret->bytes(), &out, &failure) != 0)
    throw KernelError(env, failure.err, failure.syscall);
  return Secret::Wrap(env, std::move(out));
}

// hashUpdate(op, data, async): adds data to the op socket's pending hash.
Napi::Value JS_hashUpdate(const Napi::CallbackInfo& info) {
  Args a{info};
  a.ReadAsyncFlag(2);
  int op = a.Socket(0, "op");
  Span data = a.Bytes(1, "data");
  MutableSpan none;
  auto result = a.Output(0, &none);
  return Dispatch(info.Env(), std::make_unique<HashUpdateJob>(op, data),
                  std::move(a.resources), result, a.async);
}

// hashFinal(op, digestBytes, async): the digest of everything added.
Napi::Value JS_hashFinal(const Napi::CallbackInfo& info) {
  Args a{info};
  a.ReadAsyncFlag(2);
  int op = a.Socket(0, "op");
  MutableSpan out;
  auto result = a.Output(a.Size(1, "digestBytes", 1024), &out);
  return Dispatch(info.Env(), std::make_unique<HashFinalJob>(op, out),
                  std::move(a.resources), result, a.async);
}

// gcmStart(ghashOp, iv, aad): J0 as a new Secret; the AAD is pending in GHASH.
Napi::Value JS_gcmStart(const Napi::CallbackInfo& info) {
  Args a{info};
  int ghash_op = a.Socket(0, "ghashOp");
  Span iv = a.Bytes(1, "iv");
  a.Require(iv.size >= 1, "iv must not be empty");
  Span aad = a.Bytes(2, "aad");
  Napi::Object j0 = Secret::Wrap(info.Env(), SecureBytes(16));
  GcmStartJob job(ghash_op, iv, aad, Secret::From(info.Env(), j0, "j0")->bytes());
  job.Run();
  if (job.failure.failed()) throw KernelError(info.Env(), job.failure.err, job.failure.syscall);
  return j0;
}

// gcmUpdate(ctrOp, ghashOp, j0, firstBlock, data, async): ciphertext of data.
Napi::Value JS_gcmUpdate(const Napi::CallbackInfo& info) {
  Args a{info};
  a.ReadAsyncFlag(5);
  int ctr_op = a.Socket(0, "ctrOp");
  int ghash_op = a.Socket(1, "ghashOp");
  Secret* j0 = Secret::From(info.Env(), info[2], "j0");
  if (a.async) a.resources->Keep(info[2]);
  a.Require(j0->bytes().size() == 16, "j0 must be 16 bytes");
  size_t first_block = a.Size(3, "firstBlock", size_t(1) << 32);
  Span data = a.Bytes(4, "data");
  MutableSpan out;
  auto result = a.Output(data.size, &out);
  return Dispatch(info.Env(),
                  std::make_unique<GcmUpdateJob>(ctr_op, ghash_op, j0->bytes(), first_block, data, out),
                  std::move(a.resources), result, a.async);
}

// gcmFinal(ctrOp, ghashOp, j0, aadBytes, textBytes, tagBytes): the tag.
Napi::Value JS_gcmFinal(const Napi::CallbackInfo& info) {
  Args a{info};
  int ctr_op = a.Socket(0, "ctrOp");
  int ghash_op = a.Socket(1, "ghashOp");
  Secret* j0 = Secret::From(info.Env(), info[2], "j0");
  a.Require(j0->bytes().size() == 16, "j0 must be 16 bytes");
  size_t aad_bytes = a.Size(3, "aadBytes", SIZE_MAX >> 4);
  size_t text_bytes = a.Size(4, "textBytes", SIZE_MAX >> 4);
  MutableSpan out;
  auto result = a.Output(a.Size(5, "tagBytes", 16), &out);
  GcmFinalJob job(ctr_op, ghash_op, j0->bytes(), aad_bytes, text_bytes, out);
  job.Run();
  if (job.failure.failed()) throw KernelError(info.Env(), job.failure.err, job.failure.syscall);
  return result;
}

// addKey(type, description, payload: Secret | BufferSource, keyring): the new key's serial.
Napi::Value JS_addKey(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString() || !info[1].IsString() || !info[3].IsNumber())
    throw Napi::TypeError::New(env, "addKey(type, description, payload, keyring)");
  std::string type = info[0].As<Napi::String>();
  std::string description = info[1].As<Napi::String>();
  const uint8_t* payload;
  size_t size;
  if (info[2].IsObject() && !info[2].IsTypedArray() && !info[2].IsArrayBuffer() && !info[2].IsDataView()) {
    const SecureBytes& bytes = Secret::From(env, info[2], "payload")->bytes();
    payload = bytes.data();
    size = bytes.size();
  } else {
    ByteView view = ArgBytes(env, info[2], "payload");
    payload = view.data;
    size = view.size;
  }
  afalg::Failure failure;
  int32_t serial = afalg::AddKey(type.c_str(), description.c_str(), payload, size,
                                 info[3].As<Napi::Number>().Int32Value(), &failure);
  if (serial < 0) throw KernelError(env, failure.err, failure.syscall);
  return Napi::Number::New(env, serial);
}

// searchKey(type, description, keyring): the serial of a reachable key.
Napi::Value JS_searchKey(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString() || !info[1].IsString() || !info[2].IsNumber())
    throw Napi::TypeError::New(env, "searchKey(type, description, keyring)");
  std::string type = info[0].As<Napi::String>();
  std::string description = info[1].As<Napi::String>();
  afalg::Failure failure;
  int32_t serial = afalg::SearchKey(type.c_str(), description.c_str(),
                                    info[2].As<Napi::Number>().Int32Value(), &failure);
  if (serial < 0) throw KernelError(env, failure.err, failure.syscall);
  return Napi::Number::New(env, serial);
}

// revokeKey(serial, keyring)
Napi::Value JS_revokeKey(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber() || !info[1].IsNumber())
    throw Napi::TypeError::New(env, "revokeKey(serial, keyring)");
  afalg::Failure failure;
  if (afalg::RevokeKey(info[0].As<Napi::Number>().Int32Value(),
                       info[1].As<Napi::Number>().Int32Value(), &failure) != 0)
    throw KernelError(env, failure.err, failure.syscall);
  return env.Undefined();
}

// rngFill(op, view): fills view in place from the kernel DRBG.
Napi::Value JS_rngFill(const Napi::CallbackInfo& info) {
  Args a{info};
  int op = a.Socket(0, "op");
  ByteView view = ArgBytes(info.Env(), info[1], "view");
  RngJob job(op, {view.data, view.size});
  job.Run();
  if (job.failure.failed())
    throw KernelError(info.Env(), job.failure.err, job.failure.syscall);
  return info.Env().Undefined();
}

// drbgGenerate(op, additionalInput | null, outBytes): one generate call of
// a DRBG under CAVP test (see DrbgGenerate).
Napi::Value JS_drbgGenerate(const Napi::CallbackInfo& info) {
  Args a{info};
  int op = a.Socket(0, "op");
  Span additional_input = a.OptionalBytes(1, "additionalInput");
  MutableSpan out;
  auto result = a.Output(a.Size(2, "outBytes", kRngReadBytes), &out);
  afalg::Failure failure;
  if (DrbgGenerate(op, additional_input, out, &failure) != 0)
    throw KernelError(info.Env(), failure.err, failure.syscall);
  return result;
}

// getRandom(view): fills view in place from getrandom(2).
Napi::Value JS_getRandom(const Napi::CallbackInfo& info) {
  ByteView view = ArgBytes(info.Env(), info[0], "view");
  afalg::Failure failure;
  if (afalg::GetRandom(view.data, view.size, &failure) != 0)
    throw KernelError(info.Env(), failure.err, failure.syscall);
  return info.Env().Undefined();
}

// installGhashKey(ctrOp, ghashTfm)
Napi::Value JS_installGhashKey(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AlgSocket* ctr = AlgSocket::From(env, info[0], "ctrOp");
  AlgSocket* ghash = AlgSocket::From(env, info[1], "ghashTfm");
  afalg::Failure failure;
  if (InstallGhashKey(ctr->fd(), ghash->fd(), &failure) != 0)
    throw KernelError(env, failure.err, failure.syscall);
  return env.Undefined();
}

// openSocketCount(): AF_ALG sockets this instance holds open (for tests).
Napi::Value JS_openSocketCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(),
                           static_cast<double>(GetAddon(info.Env())->live_sockets.size()));
}

// The environment is going away (process exit or a worker ending): close
// every socket no job is using. Cleanup hooks run before ObjectWrap
// finalizers, which run before the instance data is deleted.
void Cleanup(Addon* addon) {
  for (AlgSocket* socket : std::set<AlgSocket*>(addon->live_sockets))
    socket->CloseIfIdle();
}

void DeleteAddon(Napi::Env, Addon* addon) { delete addon; }

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* addon = new Addon();
  env.SetInstanceData<Addon, DeleteAddon>(addon);
  env.AddCleanupHook([addon]() { Cleanup(addon); });
  exports.Set("AlgSocket", AlgSocket::Define(env, addon));
  exports.Set("Secret", Secret::Define(env, addon));
  exports.Set("hash", Napi::Function::New<JS_hash>(env, "hash"));
  exports.Set("skcipher", Napi::Function::New<JS_skcipher>(env, "skcipher"));
  exports.Set("cbc", Napi::Function::New<JS_cbc>(env, "cbc"));
  exports.Set("ctr", Napi::Function::New<JS_ctr>(env, "ctr"));
  exports.Set("aead", Napi::Function::New<JS_aead>(env, "aead"));
  exports.Set("gcm", Napi::Function::New<JS_gcm>(env, "gcm"));
  exports.Set("aesKw", Napi::Function::New<JS_aesKw>(env, "aesKw"));
  exports.Set("pbkdf2", Napi::Function::New<JS_pbkdf2>(env, "pbkdf2"));
  exports.Set("hkdf", Napi::Function::New<JS_hkdf>(env, "hkdf"));
  exports.Set("digestSecret", Napi::Function::New<JS_digestSecret>(env, "digestSecret"));
  exports.Set("hashUpdate", Napi::Function::New<JS_hashUpdate>(env, "hashUpdate"));
  exports.Set("hashFinal", Napi::Function::New<JS_hashFinal>(env, "hashFinal"));
  exports.Set("gcmStart", Napi::Function::New<JS_gcmStart>(env, "gcmStart"));
  exports.Set("gcmUpdate", Napi::Function::New<JS_gcmUpdate>(env, "gcmUpdate"));
  exports.Set("gcmFinal", Napi::Function::New<JS_gcmFinal>(env, "gcmFinal"));
  exports.Set("addKey", Napi::Function::New<JS_addKey>(env, "addKey"));
  exports.Set("searchKey", Napi::Function::New<JS_searchKey>(env, "searchKey"));
  exports.Set("revokeKey", Napi::Function::New<JS_revokeKey>(env, "revokeKey"));
  exports.Set("rngFill", Napi::Function::New<JS_rngFill>(env, "rngFill"));
  exports.Set("drbgGenerate", Napi::Function::New<JS_drbgGenerate>(env, "drbgGenerate"));
  exports.Set("getRandom", Napi::Function::New<JS_getRandom>(env, "getRandom"));
  exports.Set("installGhashKey", Napi::Function::New<JS_installGhashKey>(env, "installGhashKey"));
  exports.Set("openSocketCount", Napi::Function::New<JS_openSocketCount>(env, "openSocketCount"));
  return exports;
}

}  // namespace

NODE_API_MODULE(afalg, Init)
