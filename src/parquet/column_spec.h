// ColumnSpec: one column of a flat Parquet schema (a leaf directly under the root), as the writer is
// asked to write it and as the reader reports it. logdaemon's tables are flat (DESIGN.md §4).
#pragma once

#include <optional>
#include <string>

#include "parquet/format.h"

namespace logdaemon::parquet {

struct ColumnSpec {
  std::string name;
  Type type = Type::kInt64;
  Repetition repetition = Repetition::kOptional;
  int32_t type_length = 0;  // FIXED_LEN_BYTE_ARRAY only
  std::optional<LogicalType> logical_type;
  std::optional<ConvertedType> converted_type;  // the legacy annotation, written beside the logical one

  bool optional() const { return repetition == Repetition::kOptional; }

  static ColumnSpec Int64(std::string name, Repetition rep) {
    return Plain(std::move(name), Type::kInt64, rep);
  }
  static ColumnSpec Double(std::string name, Repetition rep) {
    return Plain(std::move(name), Type::kDouble, rep);
  }
  static ColumnSpec Boolean(std::string name, Repetition rep) {
    return Plain(std::move(name), Type::kBoolean, rep);
  }
  // A column with no logical or converted type.
  static ColumnSpec Plain(std::string name, Type type, Repetition rep) {
    return {std::move(name), type, rep, 0, std::nullopt, std::nullopt};
  }
  // INT64, TIMESTAMP(isAdjustedToUTC=true, MICROS), converted type TIMESTAMP_MICROS.
  static ColumnSpec TimestampMicrosUtc(std::string name, Repetition rep) {
    return {std::move(name),
            Type::kInt64,
            rep,
            0,
            LogicalType::Timestamp(true, TimeUnit::kMicros),
            ConvertedType::kTimestampMicros};
  }
  // BYTE_ARRAY, STRING (converted type UTF8).
  static ColumnSpec String(std::string name, Repetition rep) {
    return {std::move(name), Type::kByteArray, rep, 0, LogicalType::String(), ConvertedType::kUtf8};
  }
  // BYTE_ARRAY, JSON (converted type JSON).
  static ColumnSpec Json(std::string name, Repetition rep) {
    return {std::move(name), Type::kByteArray, rep, 0, LogicalType::Json(), ConvertedType::kJson};
  }
};

}  // namespace logdaemon::parquet
