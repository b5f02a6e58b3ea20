// In-memory column values, shared by the writer's input (ColumnBatch: borrowed pointers, for the hot
// path) and the reader's output (ColumnData: owned buffers, reused across reads).
//
// Layout, both ways: definition levels one byte per row (1 = value present, 0 = null; flat schemas
// only, so the maximum level is 1), and the *present* values densely in row order. Byte arrays are
// Arrow-style: value k is bytes[offsets[k] .. offsets[k+1]).
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "parquet/byte_buffer.h"
#include "parquet/format.h"

namespace logdaemon::parquet {

// The most bytes one ByteArrayValues can hold: its offsets are u32. Decoders refuse a chunk past it.
inline constexpr uint64_t kMaxByteArrayBytes = UINT32_MAX;

// Decoded BYTE_ARRAY values. offsets has count()+1 entries and starts at 0.
struct ByteArrayValues {
  ByteBuffer bytes;
  std::vector<uint32_t> offsets{0};

  size_t count() const { return offsets.size() - 1; }
  std::string_view operator[](size_t k) const {
    return {reinterpret_cast<const char*>(bytes.data()) + offsets[k], offsets[k + 1] - offsets[k]};
  }
  void clear() {
    bytes.clear();
    offsets.assign(1, 0);
  }
  void append(std::string_view value) {
    bytes.append(value);
    offsets.push_back(static_cast<uint32_t>(bytes.size()));
  }
};

// One column's values for a run of rows, handed to the writer. Nothing is copied until the writer
// encodes it; the pointers must stay valid for the duration of the call.
struct ColumnBatch {
  size_t num_rows = 0;
  // OPTIONAL columns: num_rows bytes, 1 = present, 0 = null. nullptr = every row present.
  // REQUIRED columns: must be nullptr.
  const uint8_t* def_levels = nullptr;
  size_t num_values = 0;  // present values; equals num_rows when def_levels is nullptr

  // Exactly the member matching the column's physical type is read:
  const int64_t* int64s = nullptr;    // INT64 (and timestamps)
  const double* doubles = nullptr;    // DOUBLE
  const uint8_t* booleans = nullptr;  // BOOLEAN, one byte per value, 0 or 1
  const uint8_t* bytes = nullptr;     // BYTE_ARRAY: value k = bytes[offsets[k] .. offsets[k+1])
  const uint32_t* offsets = nullptr;  //   (num_values + 1 entries)
  // BYTE_ARRAY, optional (num_values entries): a key per value that stands for its bytes within the
  // current column chunk — equal keys, equal bytes; kNoValueKey: none. A dictionary-encoded column
  // then hashes a value's bytes only the first time its key comes (ByteArrayDictionaryEncoder::
  // InsertKeyed). A merge passes each input dictionary's indices, offset per input.
  const uint32_t* value_keys = nullptr;
};

// A value without a key (ColumnBatch::value_keys).
inline constexpr uint32_t kNoValueKey = UINT32_MAX;

// The dictionary index that stands for a null row where indices are given per row
// (ColumnChunkReader::GatherIndices).
inline constexpr uint32_t kNullDictIndex = UINT32_MAX;

// One column chunk (or a run of rows of one) as read back. Reused across reads: clear() keeps the
// buffers' capacity.
struct ColumnData {
  Type type = Type::kInt64;
  int32_t type_length = 0;  // FIXED_LEN_BYTE_ARRAY width
  size_t num_rows = 0;
  // One byte per row for OPTIONAL columns (1 present, 0 null); empty for REQUIRED ones.
  std::vector<uint8_t> def_levels;
  size_t num_values = 0;  // present values
  // Fixed-width present values, raw little-endian: BOOLEAN (1 byte, 0/1), INT32, FLOAT (4), INT64,
  // DOUBLE (8), INT96 (12), FIXED_LEN_BYTE_ARRAY (type_length).
  ByteBuffer fixed;
  ByteArrayValues byte_arrays;  // BYTE_ARRAY
  // Ranged reads (ColumnChunkReader::Read): the row-group row that row 0 of this data is. 0 for whole
  // chunks.
  size_t first_row = 0;
  // Set by ColumnChunkReader::Read with keep_dictionary for a BYTE_ARRAY column when every data page in
  // the decoded range was dictionary-encoded: present value k is (*dictionary)[dict_indices[k]], and
  // byte_arrays is empty. Otherwise false, and values are in byte_arrays as before.
  bool dictionary_encoded = false;
  const ByteArrayValues* dictionary = nullptr;  // owned by the ColumnChunkReader; valid until its next Open
  std::vector<uint32_t> dict_indices;           // one per present value

  void clear() {
    num_rows = 0;
    num_values = 0;
    def_levels.clear();
    fixed.clear();
    byte_arrays.clear();
    first_row = 0;
    dictionary_encoded = false;
    dictionary = nullptr;
    dict_indices.clear();
  }
  bool is_null(size_t row) const { return !def_levels.empty() && def_levels[row] == 0; }
  // REQUIRES: T matches the physical type's width.
  template <typename T>
  T value(size_t k) const {
    T v;
    std::memcpy(&v, fixed.data() + k * sizeof(T), sizeof(T));
    return v;
  }
};

// Width in bytes of one plain-encoded value of a fixed-width type (BOOLEAN counts 1 as stored in
// ColumnData); 0 for BYTE_ARRAY.
inline int FixedWidth(Type type, int32_t type_length) {
  switch (type) {
    case Type::kBoolean:
      return 1;
    case Type::kInt32:
    case Type::kFloat:
      return 4;
    case Type::kInt64:
    case Type::kDouble:
      return 8;
    case Type::kInt96:
      return 12;
    case Type::kFixedLenByteArray:
      return type_length;
    case Type::kByteArray:
      return 0;
  }
  return 0;
}

}  // namespace logdaemon::parquet
