// Dictionary building for RLE_DICTIONARY: each distinct value gets the next index; the dictionary
// page is the distinct values in index order, PLAIN-encoded. Open-addressing hash tables; byte arrays
// are copied once into an arena. Reset() keeps every allocation for the next column chunk, so the
// steady state allocates nothing.
//
// Thread-safety: none.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "parquet/byte_buffer.h"

namespace logdaemon::parquet {

// INT64 values, and DOUBLE values by their bit patterns (so NaN payloads and -0.0 stay distinct).
class Int64DictionaryEncoder {
 public:
  void Reset();
  // Writes each value's index to indices[i].
  void Insert(const int64_t* values, size_t n, uint32_t* indices);
  size_t size() const { return values_.size(); }
  size_t plain_size() const { return values_.size() * sizeof(int64_t); }
  void WritePlain(ByteBuffer* out) const;
  const int64_t* values() const { return values_.data(); }

 private:
  void Grow();

  std::vector<int64_t> values_;
  std::vector<uint32_t> slots_;  // index + 1; 0 = empty
  size_t mask_ = 0;
};

class ByteArrayDictionaryEncoder {
 public:
  void Reset();
  void Insert(const uint8_t* bytes, const uint32_t* offsets, size_t n, uint32_t* indices);
  size_t size() const { return entries_.size(); }
  size_t plain_size() const { return arena_.size() + 4 * entries_.size(); }
  void WritePlain(ByteBuffer* out) const;
  std::string_view value(uint32_t index) const {
    const Entry& e = entries_[index];
    return {reinterpret_cast<const char*>(arena_.data()) + e.offset, e.length};
  }

 private:
  struct Entry {
    uint64_t hash;
    uint32_t offset;
    uint32_t length;
  };
  void Grow();

  ByteBuffer arena_;
  std::vector<Entry> entries_;
  std::vector<uint32_t> slots_;  // index + 1; 0 = empty
  size_t mask_ = 0;
};

}  // namespace logdaemon::parquet
