// An owned byte buffer that is wiped before its memory is released: for keys,
// derived secrets and plaintext scratch space.
#pragma once

#include <string.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <utility>

class SecureBytes {
 public:
  SecureBytes() = default;
  explicit SecureBytes(size_t size) : size_(size) {
    // calloc: the buffer starts zeroed, and size 0 still gives a valid pointer.
    data_ = static_cast<uint8_t*>(calloc(size ? size : 1, 1));
    if (data_ == nullptr) throw std::bad_alloc();
  }
  SecureBytes(const uint8_t* bytes, size_t size) : SecureBytes(size) {
    if (size) memcpy(data_, bytes, size);
  }
  SecureBytes(const SecureBytes&) = delete;
  SecureBytes& operator=(const SecureBytes&) = delete;
  SecureBytes(SecureBytes&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)),
        size_(std::exchange(other.size_, 0)) {}
  SecureBytes& operator=(SecureBytes&& other) noexcept {
    if (this != &other) {
      Release();
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  ~SecureBytes() { Release(); }

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  void Wipe() {
    if (data_ != nullptr) explicit_bzero(data_, size_);
  }

 private:
  void Release() {
    Wipe();
    free(data_);
    data_ = nullptr;
    size_ = 0;
  }
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};
