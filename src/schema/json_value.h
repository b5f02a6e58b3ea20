// JsonValue: a schema document as an owned tree, built once from simdjson's DOM when a schema is
// compiled. The compiled schema points into it (enum and const values, property names) for its whole
// life; node identity (the address of a JsonValue) is how `$ref` targets and base URIs are tracked.
//
// Also: JSON equality in the sense of JSON Schema (§4.2.2 of the validation spec: numbers compare by
// value, so 1 and 1.0 are equal; objects by their members regardless of order), between a schema value
// and an instance value or between two instance values, and compact serialisation for error messages.
//
// Thread-safety: immutable after construction; share freely.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace logdaemon::schema {

struct JsonValue {
  enum class Kind : uint8_t { kNull, kBool, kInt64, kUint64, kDouble, kString, kArray, kObject };

  // Defined out of line: clang needs the complete type for the member vectors of pairs of JsonValue.
  JsonValue() noexcept;
  Kind kind = Kind::kNull;
  bool boolean = false;
  int64_t int64 = 0;
  uint64_t uint64 = 0;
  double number = 0;  // kDouble; for kInt64 / kUint64 the same value as a double
  std::string string;
  std::vector<JsonValue> array;
  std::vector<std::pair<std::string, JsonValue>> object;  // document order; duplicates kept
  // Large objects (definitions of generated schemas) are also indexed by name: Find stays O(1) so that
  // resolving every `$ref` of a schema is not quadratic. Name → index of its first occurrence.
  struct NameHash {
    using is_transparent = void;  // find(string_view) without building a std::string
    size_t operator()(std::string_view name) const { return std::hash<std::string_view>{}(name); }
  };
  std::unique_ptr<std::unordered_map<std::string, size_t, NameHash, std::equal_to<>>> object_index;

  bool is_object() const { return kind == Kind::kObject; }
  bool is_array() const { return kind == Kind::kArray; }
  bool is_string() const { return kind == Kind::kString; }
  bool is_bool() const { return kind == Kind::kBool; }
  bool is_number() const { return kind == Kind::kInt64 || kind == Kind::kUint64 || kind == Kind::kDouble; }
  // A number with no fractional part (2 and 2.0 alike), as JSON Schema's "integer".
  bool is_integral() const;

  // The first member named `key`, or nullptr. REQUIRES: nothing (nullptr for non-objects).
  const JsonValue* Find(std::string_view key) const;

  // Builds the tree of `element`. Depth is bounded by the parser that produced the element.
  static JsonValue FromElement(simdjson::dom::element element);

  // Compact JSON text, cut after about `max_bytes` with "…" (for error messages).
  std::string ToJson(size_t max_bytes = SIZE_MAX) const;
};

// The array / object of an element known to be one. (Range-for over `e.get_array().value_unsafe()`
// would iterate a reference into a destroyed temporary.)
inline simdjson::dom::array ArrayOf(simdjson::dom::element e) {
  simdjson::dom::array a;
  if (e.get_array().get(a) != simdjson::SUCCESS) return {};
  return a;
}
inline simdjson::dom::object ObjectOf(simdjson::dom::element e) {
  simdjson::dom::object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) return {};
  return o;
}

inline std::string_view StringOf(simdjson::dom::element e) {
  std::string_view s;
  if (e.get_string().get(s) != simdjson::SUCCESS) return {};
  return s;
}

// JSON Schema equality.
bool JsonEquals(const JsonValue& a, simdjson::dom::element b);
bool JsonEquals(simdjson::dom::element a, simdjson::dom::element b);

// Compact JSON text of an instance value, cut after about `max_bytes` with "…".
std::string ElementToJson(simdjson::dom::element element, size_t max_bytes = SIZE_MAX);

// The longest prefix of `text` of at most `max_bytes` that ends on a UTF-8 character boundary.
std::string_view Utf8Prefix(std::string_view text, size_t max_bytes);

// `text` for a one-line message, as written but for control characters (escaped as in JSON: \n, \u0001),
// cut after `max_bytes` on a character boundary with "…".
std::string ShortText(std::string_view text, size_t max_bytes);

// Appends `text` as a JSON string literal (quotes and escapes).
void AppendJsonString(std::string_view text, std::string* out);

}  // namespace logdaemon::schema
