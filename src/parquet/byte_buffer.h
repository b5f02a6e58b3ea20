// ByteBuffer: a growable byte array that does not zero what it grows into, reused across pages and
// files so that encoding a page allocates nothing in the steady state. Like std::vector<uint8_t> minus
// value-initialisation, plus the append helpers encoders need.
//
// Thread-safety: none; one owner at a time.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <utility>

namespace logdaemon::parquet {

class ByteBuffer {
 public:
  ByteBuffer() = default;
  // A moved-from buffer is empty and usable (a defaulted move would leave its capacity behind with no
  // storage).
  ByteBuffer(ByteBuffer&& other) noexcept
      : data_(std::move(other.data_)),
        size_(std::exchange(other.size_, 0)),
        capacity_(std::exchange(other.capacity_, 0)) {}
  ByteBuffer& operator=(ByteBuffer&& other) noexcept {
    if (this != &other) {
      data_ = std::move(other.data_);
      size_ = std::exchange(other.size_, 0);
      capacity_ = std::exchange(other.capacity_, 0);
    }
    return *this;
  }
  ByteBuffer(const ByteBuffer&) = delete;
  ByteBuffer& operator=(const ByteBuffer&) = delete;

  uint8_t* data() { return data_.get(); }
  const uint8_t* data() const { return data_.get(); }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  bool empty() const { return size_ == 0; }
  std::string_view view() const { return {reinterpret_cast<const char*>(data_.get()), size_}; }

  // Keeps the capacity: the point of reusing a buffer.
  void clear() { size_ = 0; }

  void reserve(size_t n) {
    if (n > capacity_) Grow(n);
  }

  // Sets the size to n; bytes beyond the old size are uninitialised.
  void resize(size_t n) {
    reserve(n);
    size_ = n;
  }

  // Makes room for n more bytes and returns where they go; the caller writes them, then calls
  // commit(n') with n' <= n.
  // Never returns nullptr, even for n == 0, so callers may pass it to memcpy/memset unconditionally.
  uint8_t* prepare(size_t n) {
    reserve(size_ + n == 0 ? 1 : size_ + n);
    return data_.get() + size_;
  }
  void commit(size_t n) { size_ += n; }

  void append(const void* bytes, size_t n) {
    if (n == 0) return;
    std::memcpy(prepare(n), bytes, n);
    size_ += n;
  }
  void append(std::string_view bytes) { append(bytes.data(), bytes.size()); }
  void push_back(uint8_t byte) {
    if (size_ == capacity_) Grow(size_ + 1);
    data_[size_++] = byte;
  }
  // Appends the little-endian bytes of a trivially copyable value (the machine is little-endian).
  template <typename T>
  void append_le(T value) {
    append(&value, sizeof(value));
  }

 private:
  void Grow(size_t at_least) {
    size_t next = capacity_ < 64 ? 64 : capacity_ * 2;
    if (next < at_least) next = at_least;
    std::unique_ptr<uint8_t[]> bigger(new uint8_t[next]);
    if (size_ != 0) std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
    capacity_ = next;
  }

  std::unique_ptr<uint8_t[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "Parquet's plain encoding is little-endian; "
              "logdaemon writes it with memcpy");

}  // namespace logdaemon::parquet
