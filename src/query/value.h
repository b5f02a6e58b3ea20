// The values a query reads and prints: one cell of a stored log, typed as the table layout types it
// (DESIGN.md §4). Strings and JSON texts are views into the column data of the row group being scanned,
// valid while that row group is.
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace logdaemon::query {

enum class ValueType : uint8_t {
  kNull,
  kBool,
  kInt64,
  kDouble,
  kString,
  kTimestamp,  // microseconds since the Unix epoch, UTC
  kJson,       // minified JSON text (object, array, or any JSON value)
};

struct Value {
  ValueType type = ValueType::kNull;
  bool b = false;
  int64_t i = 0;  // kInt64, kTimestamp (µs)
  double d = 0;
  std::string_view s;  // kString, kJson

  static Value Null() { return {}; }
  static Value Bool(bool v) {
    Value x;
    x.type = ValueType::kBool;
    x.b = v;
    return x;
  }
  static Value Int64(int64_t v) {
    Value x;
    x.type = ValueType::kInt64;
    x.i = v;
    return x;
  }
  static Value Double(double v) {
    Value x;
    x.type = ValueType::kDouble;
    x.d = v;
    return x;
  }
  static Value String(std::string_view v) {
    Value x;
    x.type = ValueType::kString;
    x.s = v;
    return x;
  }
  static Value Timestamp(int64_t micros) {
    Value x;
    x.type = ValueType::kTimestamp;
    x.i = micros;
    return x;
  }
  static Value Json(std::string_view text) {
    Value x;
    x.type = ValueType::kJson;
    x.s = text;
    return x;
  }
  bool is_null() const { return type == ValueType::kNull; }
};

// A column of the query's result (or of the stored table): its name as in the schema ("timestamp",
// "metadata", "_extra") and its type.
struct ColumnInfo {
  std::string name;
  ValueType type = ValueType::kString;
};

}  // namespace logdaemon::query
