// The thrift compact protocol, as Parquet's metadata uses it: structs of numbered fields, zigzag
// varints, length-prefixed binary, lists. Written from the protocol's specification (field ids and
// types are facts of the Parquet format); no thrift compiler, no generated code.
//
//   field header: (id delta << 4) | type, or type then the id as a zigzag varint when the delta is not
//                 1..15; booleans carry their value in the type (1 true, 2 false)
//   list header:  (size << 4) | element type when size < 15, else 0xF0 | type then size as a varint
//
// CompactReader checks every read against the end of its input, limits nesting, and refuses sizes
// that the remaining bytes cannot hold, so hostile bytes cost an error, not a crash or a huge
// allocation. Errors: Status::Corruption("thrift: <what> at byte N").
//
// Thread-safety: none.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "logdaemon/status.h"
#include "parquet/byte_buffer.h"

namespace logdaemon::parquet {

enum class CompactType : uint8_t {
  kStop = 0,
  kBooleanTrue = 1,
  kBooleanFalse = 2,
  kByte = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
};

class CompactWriter {
 public:
  explicit CompactWriter(ByteBuffer* out) : out_(out) {}

  void StructBegin() { last_field_.push_back(0); }
  void StructEnd() {
    out_->push_back(0);  // stop
    last_field_.pop_back();
  }

  void FieldI32(int16_t id, int32_t v) {
    FieldHeader(id, CompactType::kI32);
    Varint(ZigZag(v));
  }
  void FieldI64(int16_t id, int64_t v) {
    FieldHeader(id, CompactType::kI64);
    Varint(ZigZag(v));
  }
  void FieldI16(int16_t id, int16_t v) {
    FieldHeader(id, CompactType::kI16);
    Varint(ZigZag(v));
  }
  void FieldI8(int16_t id, int8_t v) {
    FieldHeader(id, CompactType::kByte);
    out_->push_back(static_cast<uint8_t>(v));
  }
  void FieldBool(int16_t id, bool v) {
    FieldHeader(id, v ? CompactType::kBooleanTrue : CompactType::kBooleanFalse);
  }
  void FieldBinary(int16_t id, const std::string& v) {
    FieldHeader(id, CompactType::kBinary);
    Binary(v);
  }
  // Starts a struct-valued field; close it with StructEnd().
  void FieldStructBegin(int16_t id) {
    FieldHeader(id, CompactType::kStruct);
    StructBegin();
  }
  void FieldListBegin(int16_t id, CompactType element, size_t size) {
    FieldHeader(id, CompactType::kList);
    ListHeader(element, size);
  }

  // List elements.
  void ListHeader(CompactType element, size_t size);
  void I32(int32_t v) { Varint(ZigZag(v)); }
  void I64(int64_t v) { Varint(ZigZag(v)); }
  void Bool(bool v) { out_->push_back(v ? 1 : 2); }
  void Binary(const std::string& v) {
    Varint(v.size());
    out_->append(v);
  }

 private:
  static uint64_t ZigZag(int64_t v) {
    return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  }
  void Varint(uint64_t v);
  void FieldHeader(int16_t id, CompactType type);

  ByteBuffer* out_;
  std::vector<int16_t> last_field_;
};

class CompactReader {
 public:
  CompactReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  size_t position() const { return position_; }

  // Structs: StructBegin, then ReadFieldHeader until it returns kStop, then StructEnd.
  Status StructBegin();
  void StructEnd() { last_field_.pop_back(); }
  // *type kStop ends the struct. Booleans: the value is in the type (kBooleanTrue / kBooleanFalse).
  Status ReadFieldHeader(int16_t* id, CompactType* type);

  Status ReadI8(int8_t* v);
  Status ReadI16(int16_t* v);
  Status ReadI32(int32_t* v);
  Status ReadI64(int64_t* v);
  Status ReadDouble(double* v);
  Status ReadBinary(std::string* v);
  // A boolean list element (1 true; 0 or 2 false).
  Status ReadBoolElement(bool* v);
  // A list header; size is checked against the bytes left (each element takes at least one byte).
  Status ReadListHeader(CompactType* element, size_t* size);

  // Skips a value of `type` (a field whose id we do not know), recursively.
  Status Skip(CompactType type);

  Status Error(const std::string& what) const {
    return Status::Corruption("thrift: " + what + " at byte " + std::to_string(position_));
  }

 private:
  Status ReadVarint(uint64_t* v, int max_bytes);
  Status Enter();
  void Leave() { --depth_; }

  const uint8_t* data_;
  size_t size_;
  size_t position_ = 0;
  int depth_ = 0;
  std::vector<int16_t> last_field_;
  bool skip_bool_ = false;  // where skipped booleans go
};

}  // namespace logdaemon::parquet
