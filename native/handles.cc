#include "handles.h"

#include <string.h>

#include <string>

#include "afalg.h"

Addon* GetAddon(Napi::Env env) { return env.GetInstanceData<Addon>(); }

namespace {

// "EBADMSG" for 74: libuv's uv_err_name knows only the errnos libuv uses.
std::string ErrnoName(int err) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
  if (const char* name = strerrorname_np(err)) return name;
#endif
  return std::string("E") + std::to_string(err);
}

}  // namespace

Napi::Error KernelError(Napi::Env env, int err, const char* syscall) {
  std::string message = std::string(syscall) + " failed: " + strerror(err);
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("errno", Napi::Number::New(env, err));
  error.Set("code", Napi::String::New(env, ErrnoName(err)));
  error.Set("syscall", Napi::String::New(env, syscall));
  return error;
}

ByteView ArgBytes(Napi::Env env, Napi::Value value, const char* what) {
  if (value.IsTypedArray()) {
    auto array = value.As<Napi::TypedArray>();
    auto buffer = array.ArrayBuffer();
    return {static_cast<uint8_t*>(buffer.Data()) + array.ByteOffset(),
            array.ByteLength()};
  }
  if (value.IsDataView()) {
    auto view = value.As<Napi::DataView>();
    return {static_cast<uint8_t*>(view.ArrayBuffer().Data()) +
                view.ByteOffset(),
            view.ByteLength()};
  }
  if (value.IsArrayBuffer()) {
    auto buffer = value.As<Napi::ArrayBuffer>();
    return {static_cast<uint8_t*>(buffer.Data()), buffer.ByteLength()};
  }
  throw Napi::TypeError::New(env, std::string(what) + " must be a BufferSource");
}

namespace {

bool HasTag(Napi::Env env, Napi::Value value, const napi_type_tag* tag) {
  if (!value.IsObject()) return false;
  bool result = false;
  napi_status status =
      napi_check_object_type_tag(env, value, tag, &result);
  return status == napi_ok && result;
}

void RandomTag(napi_type_tag* tag) {
  afalg::Failure failure;
  if (afalg::GetRandom(reinterpret_cast<uint8_t*>(tag), sizeof(*tag),
                       &failure) != 0) {
    // Distinct per instance is all that matters; fall back to the address.
    tag->lower = reinterpret_cast<uintptr_t>(tag);
    tag->upper = ~tag->lower;
  }
}

}  // namespace

// ---- AlgSocket --------------------------------------------------------------

// Prototype members are plain functions that check their receiver's type
// tag before unwrapping it: node-addon-api's InstanceMethod would unwrap any
// wrapped object (a Secret as an AlgSocket) and throw a bare Error for
// anything else.
template <typename T, Napi::Value (T::*Member)(const Napi::CallbackInfo&)>
Napi::Value Checked(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!HasTag(env, info.This(), T::Tag(env)))
    throw Napi::TypeError::New(env, std::string("Illegal invocation: the receiver is not a ") + T::kName);
  return (T::Unwrap(info.This().As<Napi::Object>())->*Member)(info);
}

template <typename T, Napi::Value (T::*Member)(const Napi::CallbackInfo&)>
Napi::PropertyDescriptor Method(Napi::Env env, const char* name) {
  return Napi::PropertyDescriptor::Value(
      name, Napi::Function::New<&Checked<T, Member>>(env, name), napi_default_method);
}

template <typename T, Napi::Value (T::*Member)(const Napi::CallbackInfo&)>
Napi::PropertyDescriptor Getter(const char* name) {
  return Napi::PropertyDescriptor::Accessor<&Checked<T, Member>>(
      name, static_cast<napi_property_attributes>(napi_configurable));
}

const napi_type_tag* AlgSocket::Tag(Napi::Env env) { return &GetAddon(env)->socket_tag; }
const napi_type_tag* Secret::Tag(Napi::Env env) { return &GetAddon(env)->secret_tag; }

Napi::Function AlgSocket::Define(Napi::Env env, Addon* addon) {
  RandomTag(&addon->socket_tag);
  Napi::Function cls = DefineClass(env, kName, {StaticMethod<&AlgSocket::JS_bind>("bind")});
  cls.Get("prototype").As<Napi::Object>().DefineProperties({
      Method<AlgSocket, &AlgSocket::JS_accept>(env, "accept"),
      Method<AlgSocket, &AlgSocket::JS_setKey>(env, "setKey"),
      Method<AlgSocket, &AlgSocket::JS_setKeySerial>(env, "setKeySerial"),
      Method<AlgSocket, &AlgSocket::JS_setAeadAuthsize>(env, "setAeadAuthsize"),
      Method<AlgSocket, &AlgSocket::JS_setSendBuffer>(env, "setSendBuffer"),
      Method<AlgSocket, &AlgSocket::JS_setDrbgEntropy>(env, "setDrbgEntropy"),
      Method<AlgSocket, &AlgSocket::JS_close>(env, "close"),
      Method<AlgSocket, &AlgSocket::JS_abandon>(env, "abandon"),
      Getter<AlgSocket, &AlgSocket::JS_getHealthy>("healthy"),
      Getter<AlgSocket, &AlgSocket::JS_getFd>("fd"),
      Getter<AlgSocket, &AlgSocket::JS_getClosed>("closed"),
  });
  addon->socket_class = Napi::Persistent(cls);
  return cls;
}

Napi::Object AlgSocket::Wrap(Napi::Env env, int fd) {
  Addon* addon = GetAddon(env);
  Napi::Object obj;
  try {
    obj = addon->socket_class.New({Napi::External<int>::New(env, &fd)});
  } catch (...) {
    afalg::Close(fd);  // never leak the descriptor, even when JS is failing
    throw;
  }
  napi_type_tag_object(env, obj, &addon->socket_tag);
  return obj;
}

AlgSocket* AlgSocket::From(Napi::Env env, Napi::Value value, const char* what) {
  if (!HasTag(env, value, &GetAddon(env)->socket_tag))
    throw Napi::TypeError::New(env, std::string(what) + " must be an AlgSocket");
  AlgSocket* socket = Unwrap(value.As<Napi::Object>());
  if (socket->fd_ < 0 || socket->close_requested_)
    throw KernelError(env, EBADF, "use of a closed AlgSocket");
  return socket;
}

AlgSocket::AlgSocket(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<AlgSocket>(info) {
  // Only Wrap() can construct: JS cannot make an External.
  if (info.Length() != 1 || !info[0].IsExternal())
    throw Napi::TypeError::New(info.Env(), "AlgSocket is created by bind() or accept()");
  addon_ = GetAddon(info.Env());
  fd_ = *info[0].As<Napi::External<int>>().Data();
  addon_->live_sockets.insert(this);
}

AlgSocket::~AlgSocket() {
  // A job holds a reference to its socket, so users_ is 0 here.
  CloseNow();
}

void AlgSocket::CloseNow() {
  afalg::Close(fd_);
  fd_ = -1;
  if (addon_ != nullptr) addon_->live_sockets.erase(this);
  addon_ = nullptr;
}

void AlgSocket::Unuse() {
  if (--users_ == 0 && close_requested_) CloseNow();
}

Napi::Value AlgSocket::JS_bind(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString() || !info[1].IsString())
    throw Napi::TypeError::New(env, "bind(type, name) takes two strings");
  std::string type = info[0].As<Napi::String>();
  std::string name = info[1].As<Napi::String>();
  afalg::Failure failure;
  int fd = afalg::OpenTfm(type.c_str(), name.c_str(), &failure);
  if (fd < 0) throw KernelError(env, failure.err, failure.syscall);
  return Wrap(env, fd);
}

Napi::Value AlgSocket::JS_accept(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AlgSocket* self = From(env, info.This(), "this");
  afalg::Failure failure;
  int fd = afalg::AcceptOp(self->fd_, &failure);
  if (fd < 0) throw KernelError(env, failure.err, failure.syscall);
  return Wrap(env, fd);
}

Napi::Value AlgSocket::JS_setKey(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AlgSocket* self = From(env, info.This(), "this");
  afalg::Failure failure;
  if (HasTag(env, info[0], &GetAddon(env)->secret_tag)) {
    const SecureBytes& key = Secret::From(env, info[0], "key")->bytes();
    afalg::SetKey(self->fd_, key.data(), key.size(), &failure);
  } else {
    ByteView key = ArgBytes(env, info[0], "key");
    afalg::SetKey(self->fd_, key.data, key.size, &failure);
  }
  if (failure.failed()) throw KernelError(env, failure.err, failure.syscall);
  return env.Undefined();
}

Napi::Value AlgSocket::JS_setKeySerial(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AlgSocket* self = From(env, info.This(), "this");
  if (!info[0].IsNumber())
    throw Napi::TypeError::New(env, "key serial must be a number");
  afalg::Failure failure;
  if (afalg::SetKeySerial(self->fd_, info[0].As<Napi::Number>().Int32Value(),
                          &failure) != 0)
    throw KernelError(env, failure.err, failure.syscall);
  return env.Undefined();
}

Napi::Value AlgSocket::JS_setAeadAuthsize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AlgSocket* self = From(env, info.This(), "this");
  if (!info[0].IsNumber())
    throw Napi::TypeError::New(env, "tag length must be a number");
  afalg::Failure failure;
  if (afalg::SetAeadAuthsize(self->fd_, info[0].As<Napi::Number>().Uint32Value(),
                             &failure) != 0)
    throw KernelError(env, failure.err, failure.syscall);
  return env.Undefined();
}

Napi::Value AlgSocket::JS_setDrbgEntropy(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AlgSocket* self = From(env, info.This(), "this");
  ByteView entropy = ArgBytes(env, info[0], "entropy");
  afalg::Failure failure;
  if (afalg::SetDrbgEntropy(self->fd_, entropy.data, entropy.size, &failure) != 0)
    throw KernelError(env, failure.err, failure.syscall);
  return env.Undefined();
}

Napi::Value AlgSocket::JS_setSendBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AlgSocket* self = From(env, info.This(), "this");
  if (!info[0].IsNumber())
    throw Napi::TypeError::New(env, "send buffer size must be a number");
  afalg::Failure failure;
  if (afalg::SetSendBuffer(self->fd_, info[0].As<Napi::Number>().Int32Value(),
                           &failure) != 0)
    throw KernelError(env, failure.err, failure.syscall);
  return env.Undefined();
}

Napi::Value AlgSocket::JS_close(const Napi::CallbackInfo& info) {
  if (users_ > 0)
    close_requested_ = true;  // the running job closes it when it ends
  else
    CloseNow();
  return info.Env().Undefined();
}

// Forgets the descriptor without closing it: it was closed underneath us
// and its number may now belong to another file of the process.
Napi::Value AlgSocket::JS_abandon(const Napi::CallbackInfo& info) {
  if (users_ == 0) {
    fd_ = -1;
    CloseNow();
  }
  return info.Env().Undefined();
}

Napi::Value AlgSocket::JS_getHealthy(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), !close_requested_ && afalg::IsAlgSocket(fd_));
}

Napi::Value AlgSocket::JS_getFd(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), close_requested_ ? -1 : fd_);
}

Napi::Value AlgSocket::JS_getClosed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), fd_ < 0 || close_requested_);
}

// ---- Secret -----------------------------------------------------------------

Napi::Function Secret::Define(Napi::Env env, Addon* addon) {
  RandomTag(&addon->secret_tag);
  Napi::Function cls = DefineClass(
      env, kName,
      {StaticMethod<&Secret::JS_fromBytes>("fromBytes"),
       StaticMethod<&Secret::JS_random>("random")});
  cls.Get("prototype").As<Napi::Object>().DefineProperties({
      Method<Secret, &Secret::JS_exportBytes>(env, "exportBytes"),
      Method<Secret, &Secret::JS_wipe>(env, "wipe"),
      Getter<Secret, &Secret::JS_getByteLength>("byteLength"),
  });
  addon->secret_class = Napi::Persistent(cls);
  return cls;
}

Napi::Object Secret::Wrap(Napi::Env env, SecureBytes bytes) {
  Addon* addon = GetAddon(env);
  Napi::Object obj =
      addon->secret_class.New({Napi::External<SecureBytes>::New(env, &bytes)});
  napi_type_tag_object(env, obj, &addon->secret_tag);
  return obj;
}

Secret* Secret::From(Napi::Env env, Napi::Value value, const char* what) {
  if (!HasTag(env, value, &GetAddon(env)->secret_tag))
    throw Napi::TypeError::New(env, std::string(what) + " must be a Secret");
  return Unwrap(value.As<Napi::Object>());
}

Secret::Secret(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Secret>(info) {
  if (info.Length() != 1 || !info[0].IsExternal())
    throw Napi::TypeError::New(info.Env(), "Secret is created by fromBytes() or random()");
  bytes_ = std::move(*info[0].As<Napi::External<SecureBytes>>().Data());
}

Napi::Value Secret::JS_fromBytes(const Napi::CallbackInfo& info) {
  ByteView view = ArgBytes(info.Env(), info[0], "bytes");
  return Wrap(info.Env(), SecureBytes(view.data, view.size));
}

// random(byteLength, bits?): random bytes; with bits, only the first `bits`
// bits are random and the rest of the last byte is zero (a key of that many bits).
Napi::Value Secret::JS_random(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber())
    throw Napi::TypeError::New(env, "byte length must be a number");
  int64_t size = info[0].As<Napi::Number>().Int64Value();
  if (size < 0 || size > (1 << 20))
    throw Napi::RangeError::New(env, "byte length out of range");
  int64_t bits = info[1].IsNumber() ? info[1].As<Napi::Number>().Int64Value() : size * 8;
  if (bits > size * 8 || bits <= (size - 1) * 8)
    throw Napi::RangeError::New(env, "bits must fall in the last byte");
  SecureBytes bytes(static_cast<size_t>(size));
  afalg::Failure failure;
  if (afalg::GetRandom(bytes.data(), bytes.size(), &failure) != 0)
    throw KernelError(env, failure.err, failure.syscall);
  if (size > 0 && bits % 8 != 0)
    bytes.data()[size - 1] &= static_cast<uint8_t>(0xff << (8 - bits % 8));
  return Wrap(env, std::move(bytes));
}

Napi::Value Secret::JS_exportBytes(const Napi::CallbackInfo& info) {
  auto out = Napi::ArrayBuffer::New(info.Env(), bytes_.size());
  if (bytes_.size()) memcpy(out.Data(), bytes_.data(), bytes_.size());
  return out;
}

Napi::Value Secret::JS_getByteLength(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(bytes_.size()));
}

Napi::Value Secret::JS_wipe(const Napi::CallbackInfo& info) {
  bytes_ = SecureBytes();
  return info.Env().Undefined();
}
