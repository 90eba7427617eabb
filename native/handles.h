// The two objects JS holds: an AF_ALG socket (tfm or op) and a secret (key
// bytes in native memory). Both are type-tagged per addon instance, so a
// look-alike object from JS is rejected instead of being unwrapped.
#pragma once

#include <napi.h>

#include <set>

#include "secure_bytes.h"

class AlgSocket;

// Per-instance state (one per Node environment, so workers are separate).
struct Addon {
  napi_type_tag socket_tag;
  napi_type_tag secret_tag;
  Napi::FunctionReference socket_class;
  Napi::FunctionReference secret_class;
  std::set<AlgSocket*> live_sockets;  // closed by the environment cleanup hook
};

// An AF_ALG file descriptor. close() is the normal path; the finalizer and
// the environment cleanup hook are safety nets. While a job runs on the
// socket it is "in use": close() then waits for the job to finish.
class AlgSocket : public Napi::ObjectWrap<AlgSocket> {
 public:
  static constexpr const char* kName = "AlgSocket";
  static const napi_type_tag* Tag(Napi::Env env);
  static Napi::Function Define(Napi::Env env, Addon* addon);
  static Napi::Object Wrap(Napi::Env env, int fd);
  // Unwraps value if it is an open AlgSocket of this instance; else throws.
  static AlgSocket* From(Napi::Env env, Napi::Value value, const char* what);

  explicit AlgSocket(const Napi::CallbackInfo& info);
  ~AlgSocket() override;

  int fd() const { return fd_; }
  void Use() { ++users_; }
  void Unuse();
  void CloseNow();
  // A socket a job still uses would be closed under it (and its number
  // reused): those are closed by the job's end instead.
  void CloseIfIdle() {
    if (users_ == 0) CloseNow();
  }

  // JS-callable members (registered through type-checked wrappers).
  static Napi::Value JS_bind(const Napi::CallbackInfo& info);
  Napi::Value JS_accept(const Napi::CallbackInfo& info);
  Napi::Value JS_setKey(const Napi::CallbackInfo& info);
  Napi::Value JS_setKeySerial(const Napi::CallbackInfo& info);
  Napi::Value JS_setAeadAuthsize(const Napi::CallbackInfo& info);
  Napi::Value JS_setSendBuffer(const Napi::CallbackInfo& info);
  Napi::Value JS_setDrbgEntropy(const Napi::CallbackInfo& info);
  Napi::Value JS_close(const Napi::CallbackInfo& info);
  Napi::Value JS_abandon(const Napi::CallbackInfo& info);
  Napi::Value JS_getHealthy(const Napi::CallbackInfo& info);
  Napi::Value JS_getFd(const Napi::CallbackInfo& info);
  Napi::Value JS_getClosed(const Napi::CallbackInfo& info);

 private:
  Addon* addon_ = nullptr;
  int fd_ = -1;
  int users_ = 0;
  bool close_requested_ = false;
};

// Key bytes held in native memory and wiped on release. JS sees only the
// length; the bytes leave native memory only through exportBytes() (for an
// extractable key's exportKey) or a kernel setsockopt.
class Secret : public Napi::ObjectWrap<Secret> {
 public:
  static constexpr const char* kName = "Secret";
  static const napi_type_tag* Tag(Napi::Env env);
  static Napi::Function Define(Napi::Env env, Addon* addon);
  static Napi::Object Wrap(Napi::Env env, SecureBytes bytes);
  static Secret* From(Napi::Env env, Napi::Value value, const char* what);

  explicit Secret(const Napi::CallbackInfo& info);

  const SecureBytes& bytes() const { return bytes_; }
  SecureBytes& bytes() { return bytes_; }

  // JS-callable members (registered through type-checked wrappers).
  static Napi::Value JS_fromBytes(const Napi::CallbackInfo& info);
  static Napi::Value JS_random(const Napi::CallbackInfo& info);
  Napi::Value JS_exportBytes(const Napi::CallbackInfo& info);
  Napi::Value JS_getByteLength(const Napi::CallbackInfo& info);
  Napi::Value JS_wipe(const Napi::CallbackInfo& info);

 private:
  SecureBytes bytes_;
};

// Helpers shared by the JS_ functions.
Napi::Error KernelError(Napi::Env env, int err, const char* syscall);
// The bytes of a TypedArray/DataView/ArrayBuffer argument; throws TypeError.
struct ByteView {
  uint8_t* data;
  size_t size;
};
ByteView ArgBytes(Napi::Env env, Napi::Value value, const char* what);
Addon* GetAddon(Napi::Env env);
