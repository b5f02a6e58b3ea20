#include "parquet/thrift_compact.h"

#include <cstring>

namespace logdaemon::parquet {

namespace {

// Nesting deeper than this is not Parquet metadata (which nests a handful of levels): refuse it
// instead of recursing on attacker-chosen depth.
constexpr int kMaxDepth = 64;

int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
}

}  // namespace

void CompactWriter::Varint(uint64_t v) {
  while (v >= 0x80) {
    out_->push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out_->push_back(static_cast<uint8_t>(v));
}

void CompactWriter::FieldHeader(int16_t id, CompactType type) {
  int16_t& last = last_field_.back();
  int delta = id - last;
  if (delta > 0 && delta <= 15) {
    out_->push_back(static_cast<uint8_t>((delta << 4) | static_cast<uint8_t>(type)));
  } else {
    out_->push_back(static_cast<uint8_t>(type));
    Varint(ZigZag(id));
  }
  last = id;
}

void CompactWriter::ListHeader(CompactType element, size_t size) {
  if (size < 15) {
    out_->push_back(static_cast<uint8_t>((size << 4) | static_cast<uint8_t>(element)));
  } else {
    out_->push_back(static_cast<uint8_t>(0xF0 | static_cast<uint8_t>(element)));
    Varint(size);
  }
}

Status CompactReader::ReadVarint(uint64_t* v, int max_bytes) {
  uint64_t result = 0;
  for (int i = 0; i < max_bytes; ++i) {
    if (position_ >= size_) return Error("truncated varint");
    uint8_t byte = data_[position_++];
    result |= static_cast<uint64_t>(byte & 0x7F) << (7 * i);
    if ((byte & 0x80) == 0) {
      *v = result;
      return Status::OK();
    }
  }
  return Error("varint too long");
}

Status CompactReader::Enter() {
  if (++depth_ > kMaxDepth) return Error("nesting deeper than " + std::to_string(kMaxDepth));
  return Status::OK();
}

Status CompactReader::StructBegin() {
  if (Status st = Enter(); !st.ok()) return st;
  Leave();  // depth is tracked by last_field_ for structs
  if (last_field_.size() >= static_cast<size_t>(kMaxDepth)) {
    return Error("nesting deeper than " + std::to_string(kMaxDepth));
  }
  last_field_.push_back(0);
  return Status::OK();
}

Status CompactReader::ReadFieldHeader(int16_t* id, CompactType* type) {
  if (position_ >= size_) return Error("truncated struct");
  uint8_t byte = data_[position_++];
  *type = static_cast<CompactType>(byte & 0x0F);
  if (*type == CompactType::kStop) return Status::OK();
  if (static_cast<uint8_t>(*type) > 12) return Error("unknown field type " + std::to_string(byte & 0x0F));
  int delta = byte >> 4;
  if (delta != 0) {
    *id = static_cast<int16_t>(last_field_.back() + delta);
  } else {
    uint64_t raw = 0;
    if (Status st = ReadVarint(&raw, 3); !st.ok()) return st;
    int64_t value = UnZigZag(raw);
    if (value < INT16_MIN || value > INT16_MAX) return Error("field id out of range");
    *id = static_cast<int16_t>(value);
  }
  last_field_.back() = *id;
  return Status::OK();
}

Status CompactReader::ReadI8(int8_t* v) {
  if (position_ >= size_) return Error("truncated byte");
  *v = static_cast<int8_t>(data_[position_++]);
  return Status::OK();
}

Status CompactReader::ReadI16(int16_t* v) {
  uint64_t raw = 0;
  if (Status st = ReadVarint(&raw, 3); !st.ok()) return st;
  int64_t value = UnZigZag(raw);
  if (value < INT16_MIN || value > INT16_MAX) return Error("i16 out of range");
  *v = static_cast<int16_t>(value);
  return Status::OK();
}

Status CompactReader::ReadI32(int32_t* v) {
  uint64_t raw = 0;
  if (Status st = ReadVarint(&raw, 5); !st.ok()) return st;
  int64_t value = UnZigZag(raw);
  if (value < INT32_MIN || value > INT32_MAX) return Error("i32 out of range");
  *v = static_cast<int32_t>(value);
  return Status::OK();
}

Status CompactReader::ReadI64(int64_t* v) {
  uint64_t raw = 0;
  if (Status st = ReadVarint(&raw, 10); !st.ok()) return st;
  *v = UnZigZag(raw);
  return Status::OK();
}

Status CompactReader::ReadDouble(double* v) {
  if (size_ - position_ < 8) return Error("truncated double");
  std::memcpy(v, data_ + position_, 8);
  position_ += 8;
  return Status::OK();
}

Status CompactReader::ReadBinary(std::string* v) {
  uint64_t length = 0;
  if (Status st = ReadVarint(&length, 5); !st.ok()) return st;
  if (length > size_ - position_) return Error("binary of " + std::to_string(length) + " bytes past the end");
  v->assign(reinterpret_cast<const char*>(data_ + position_), static_cast<size_t>(length));
  position_ += static_cast<size_t>(length);
  return Status::OK();
}

Status CompactReader::ReadBoolElement(bool* v) {
  if (position_ >= size_) return Error("truncated bool");
  uint8_t byte = data_[position_++];
  *v = byte == 1;
  return Status::OK();
}

Status CompactReader::ReadListHeader(CompactType* element, size_t* size) {
  if (position_ >= size_) return Error("truncated list header");
  uint8_t byte = data_[position_++];
  *element = static_cast<CompactType>(byte & 0x0F);
  uint64_t count = byte >> 4;
  if (count == 15) {
    if (Status st = ReadVarint(&count, 5); !st.ok()) return st;
  }
  // Every element takes at least one byte (a bool, a varint, an empty struct's stop byte); doubles 8.
  uint64_t min_bytes = *element == CompactType::kDouble ? 8 : 1;
  if (count > (size_ - position_) / min_bytes)
    return Error("list of " + std::to_string(count) + " elements past the end");
  *size = static_cast<size_t>(count);
  return Status::OK();
}

Status CompactReader::Skip(CompactType type) {
  switch (type) {
    case CompactType::kBooleanTrue:
    case CompactType::kBooleanFalse:
      return Status::OK();  // the value was in the field header
    case CompactType::kByte: {
      int8_t v;
      return ReadI8(&v);
    }
    case CompactType::kI16:
    case CompactType::kI32:
    case CompactType::kI64: {
      int64_t v;
      return ReadI64(&v);
    }
    case CompactType::kDouble: {
      double v;
      return ReadDouble(&v);
    }
    case CompactType::kBinary: {
      uint64_t length = 0;
      if (Status st = ReadVarint(&length, 5); !st.ok()) return st;
      if (length > size_ - position_) return Error("binary past the end");
      position_ += static_cast<size_t>(length);
      return Status::OK();
    }
    case CompactType::kList:
    case CompactType::kSet: {
      if (Status st = Enter(); !st.ok()) return st;
      CompactType element;
      size_t count;
      if (Status st = ReadListHeader(&element, &count); !st.ok()) return st;
      for (size_t i = 0; i < count; ++i) {
        // In lists, booleans take one byte each.
        Status st = (element == CompactType::kBooleanTrue || element == CompactType::kBooleanFalse)
                        ? ReadBoolElement(&skip_bool_)
                        : Skip(element);
        if (!st.ok()) return st;
      }
      Leave();
      return Status::OK();
    }
    case CompactType::kMap: {
      if (Status st = Enter(); !st.ok()) return st;
      uint64_t count = 0;
      if (Status st = ReadVarint(&count, 5); !st.ok()) return st;
      if (count > 0) {
        if (position_ >= size_) return Error("truncated map header");
        uint8_t types = data_[position_++];
        if (count > (size_ - position_) / 2) return Error("map past the end");
        CompactType key = static_cast<CompactType>(types >> 4);
        CompactType value = static_cast<CompactType>(types & 0x0F);
        for (uint64_t i = 0; i < count; ++i) {
          for (CompactType t : {key, value}) {
            Status st = (t == CompactType::kBooleanTrue || t == CompactType::kBooleanFalse)
                            ? ReadBoolElement(&skip_bool_)
                            : Skip(t);
            if (!st.ok()) return st;
          }
        }
      }
      Leave();
      return Status::OK();
    }
    case CompactType::kStruct: {
      if (Status st = StructBegin(); !st.ok()) return st;
      while (true) {
        int16_t id;
        CompactType field;
        if (Status st = ReadFieldHeader(&id, &field); !st.ok()) return st;
        if (field == CompactType::kStop) break;
        if (Status st = Skip(field); !st.ok()) return st;
      }
      StructEnd();
      return Status::OK();
    }
    default:
      return Error("cannot skip type " + std::to_string(static_cast<int>(type)));
  }
}

}  // namespace logdaemon::parquet
