#include "schema/json_value.h"

#include <cmath>
#include <cstdio>

namespace logdaemon::schema {

using simdjson::dom::element;
using simdjson::dom::element_type;

namespace {
constexpr size_t kIndexedObjectSize = 16;
}  // namespace

JsonValue::JsonValue() noexcept = default;

bool JsonValue::is_integral() const {
  if (kind == Kind::kInt64 || kind == Kind::kUint64) return true;
  return kind == Kind::kDouble && std::isfinite(number) && std::floor(number) == number;
}

const JsonValue* JsonValue::Find(std::string_view key) const {
  if (object_index) {
    auto it = object_index->find(key);
    return it == object_index->end() ? nullptr : &object[it->second].second;
  }
  for (const auto& [name, value] : object) {
    if (name == key) return &value;
  }
  return nullptr;
}

JsonValue JsonValue::FromElement(element e) {
  JsonValue v;
  switch (e.type()) {
    case element_type::NULL_VALUE:
      v.kind = Kind::kNull;
      break;
    case element_type::BOOL:
      v.kind = Kind::kBool;
      v.boolean = e.get_bool().value_unsafe();
      break;
    case element_type::INT64:
      v.kind = Kind::kInt64;
      v.int64 = e.get_int64().value_unsafe();
      v.number = static_cast<double>(v.int64);
      break;
    case element_type::UINT64:
      v.kind = Kind::kUint64;
      v.uint64 = e.get_uint64().value_unsafe();
      v.number = static_cast<double>(v.uint64);
      break;
    case element_type::DOUBLE:
      v.kind = Kind::kDouble;
      v.number = e.get_double().value_unsafe();
      break;
    case element_type::STRING:
      v.kind = Kind::kString;
      v.string = std::string(StringOf(e));
      break;
    case element_type::ARRAY:
      v.kind = Kind::kArray;
      for (element item : ArrayOf(e)) v.array.push_back(FromElement(item));
      break;
    case element_type::OBJECT:
      v.kind = Kind::kObject;
      for (auto field : ObjectOf(e)) {
        v.object.emplace_back(std::string(field.key), FromElement(field.value));
      }
      if (v.object.size() > kIndexedObjectSize) {
        v.object_index =
            std::make_unique<std::unordered_map<std::string, size_t, NameHash, std::equal_to<>>>();
        for (size_t i = 0; i < v.object.size(); ++i) v.object_index->emplace(v.object[i].first, i);
      }
      break;
  }
  return v;
}

namespace {

// Numbers compare by value across int64, uint64 and double.
struct NumberValue {
  enum class Kind : uint8_t { kInt64, kUint64, kDouble } kind;
  int64_t int64;
  uint64_t uint64;
  double number;
};

NumberValue FromSchema(const JsonValue& v) {
  return {v.kind == JsonValue::Kind::kInt64    ? NumberValue::Kind::kInt64
          : v.kind == JsonValue::Kind::kUint64 ? NumberValue::Kind::kUint64
                                               : NumberValue::Kind::kDouble,
          v.int64, v.uint64, v.number};
}

NumberValue FromElementNumber(element e) {
  switch (e.type()) {
    case element_type::INT64: {
      int64_t i = e.get_int64().value_unsafe();
      return {NumberValue::Kind::kInt64, i, 0, static_cast<double>(i)};
    }
    case element_type::UINT64: {
      uint64_t u = e.get_uint64().value_unsafe();
      return {NumberValue::Kind::kUint64, 0, u, static_cast<double>(u)};
    }
    default:
      return {NumberValue::Kind::kDouble, 0, 0, e.get_double().value_unsafe()};
  }
}

bool NumbersEqual(const NumberValue& a, const NumberValue& b) {
  using K = NumberValue::Kind;
  if (a.kind == K::kDouble || b.kind == K::kDouble) {
    // long double holds every int64 and uint64 exactly on the platforms logdaemon targets (x86-64
    // extended precision); elsewhere this is as exact as double.
    long double x = a.kind == K::kInt64 ? a.int64 : a.kind == K::kUint64 ? a.uint64 : a.number;
    long double y = b.kind == K::kInt64 ? b.int64 : b.kind == K::kUint64 ? b.uint64 : b.number;
    return x == y;
  }
  if (a.kind == b.kind) return a.kind == K::kInt64 ? a.int64 == b.int64 : a.uint64 == b.uint64;
  // One int64, one uint64: equal only when both are non-negative and the same.
  const NumberValue& s = a.kind == K::kInt64 ? a : b;
  const NumberValue& u = a.kind == K::kInt64 ? b : a;
  return s.int64 >= 0 && static_cast<uint64_t>(s.int64) == u.uint64;
}

bool IsNumber(element_type t) {
  return t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
}

}  // namespace

bool JsonEquals(const JsonValue& a, element b) {
  element_type bt = b.type();
  if (a.is_number()) return IsNumber(bt) && NumbersEqual(FromSchema(a), FromElementNumber(b));
  switch (a.kind) {
    case JsonValue::Kind::kNull:
      return bt == element_type::NULL_VALUE;
    case JsonValue::Kind::kBool:
      return bt == element_type::BOOL && b.get_bool().value_unsafe() == a.boolean;
    case JsonValue::Kind::kString:
      return bt == element_type::STRING && StringOf(b) == a.string;
    case JsonValue::Kind::kArray: {
      if (bt != element_type::ARRAY) return false;
      simdjson::dom::array array = ArrayOf(b);
      if (array.size() != a.array.size()) return false;
      size_t i = 0;
      for (element item : array) {
        if (!JsonEquals(a.array[i++], item)) return false;
      }
      return true;
    }
    case JsonValue::Kind::kObject: {
      if (bt != element_type::OBJECT) return false;
      simdjson::dom::object object = ObjectOf(b);
      if (object.size() != a.object.size()) return false;
      // Both directions: with duplicate keys, {"a":1,"a":1} has the size of {"a":1,"b":2} and each of
      // its members is found in it.
      for (auto field : object) {
        const JsonValue* mine = a.Find(field.key);
        if (mine == nullptr || !JsonEquals(*mine, field.value)) return false;
      }
      for (const auto& [name, value] : a.object) {
        element other;
        if (object.at_key(name).get(other) != simdjson::SUCCESS || !JsonEquals(value, other)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

bool JsonEquals(element a, element b) {
  element_type at = a.type();
  element_type bt = b.type();
  if (IsNumber(at)) return IsNumber(bt) && NumbersEqual(FromElementNumber(a), FromElementNumber(b));
  if (at != bt) return false;
  switch (at) {
    case element_type::NULL_VALUE:
      return true;
    case element_type::BOOL:
      return a.get_bool().value_unsafe() == b.get_bool().value_unsafe();
    case element_type::STRING:
      return StringOf(a) == StringOf(b);
    case element_type::ARRAY: {
      simdjson::dom::array x = ArrayOf(a);
      simdjson::dom::array y = ArrayOf(b);
      if (x.size() != y.size()) return false;
      auto it = y.begin();
      for (element item : x) {
        if (!JsonEquals(item, *it)) return false;
        ++it;
      }
      return true;
    }
    case element_type::OBJECT: {
      simdjson::dom::object x = ObjectOf(a);
      simdjson::dom::object y = ObjectOf(b);
      if (x.size() != y.size()) return false;
      // Both directions, for objects with duplicate keys (see above).
      for (auto field : x) {
        element other;
        if (y.at_key(field.key).get(other) != simdjson::SUCCESS) return false;
        if (!JsonEquals(field.value, other)) return false;
      }
      for (auto field : y) {
        element other;
        if (x.at_key(field.key).get(other) != simdjson::SUCCESS) return false;
        if (!JsonEquals(field.value, other)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

std::string_view Utf8Prefix(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut);
}

std::string ShortText(std::string_view text, size_t max_bytes) {
  std::string out;
  for (char ch : Utf8Prefix(text, max_bytes)) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c >= 0x20) {
      out.push_back(ch);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\u%04x", c);
      out += escaped;
    }
  }
  if (text.size() > max_bytes) out += "…";
  return out;
}

void AppendJsonString(std::string_view text, std::string* out) {
  out->push_back('"');
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(ch);
    } else if (c < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\u%04x", c);
      out->append(escaped);
    } else {
      out->push_back(ch);
    }
  }
  out->push_back('"');
}

namespace {

void AppendDouble(double d, std::string* out) {
  // Integral values as integers (250, not 2.5e+02), as schemas and logs write them.
  if (std::floor(d) == d && std::fabs(d) < 1e15) {
    out->append(std::to_string(static_cast<int64_t>(d)));
    return;
  }
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.17g", d);
  // Shortest form that reads back the same, for readable messages (0.1, not 0.10000000000000001).
  for (int precision = 1; precision <= 17; ++precision) {
    char shorter[32];
    std::snprintf(shorter, sizeof(shorter), "%.*g", precision, d);
    if (std::strtod(shorter, nullptr) == d) {
      out->append(shorter);
      return;
    }
  }
  out->append(buffer);
}

// Cuts `out` back to about `max_bytes` (on a UTF-8 boundary) and marks the cut.
void Truncate(size_t max_bytes, std::string* out) {
  if (out->size() <= max_bytes) return;
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>((*out)[cut]) & 0xC0) == 0x80) --cut;
  out->resize(cut);
  out->append("…");
}

void AppendValue(const JsonValue& v, size_t budget, std::string* out) {
  if (out->size() > budget) return;
  switch (v.kind) {
    case JsonValue::Kind::kNull:
      out->append("null");
      break;
    case JsonValue::Kind::kBool:
      out->append(v.boolean ? "true" : "false");
      break;
    case JsonValue::Kind::kInt64:
      out->append(std::to_string(v.int64));
      break;
    case JsonValue::Kind::kUint64:
      out->append(std::to_string(v.uint64));
      break;
    case JsonValue::Kind::kDouble:
      AppendDouble(v.number, out);
      break;
    case JsonValue::Kind::kString:
      AppendJsonString(Utf8Prefix(v.string, budget + 1), out);
      break;
    case JsonValue::Kind::kArray: {
      out->push_back('[');
      for (size_t i = 0; i < v.array.size() && out->size() <= budget; ++i) {
        if (i) out->push_back(',');
        AppendValue(v.array[i], budget, out);
      }
      out->push_back(']');
      break;
    }
    case JsonValue::Kind::kObject: {
      out->push_back('{');
      for (size_t i = 0; i < v.object.size() && out->size() <= budget; ++i) {
        if (i) out->push_back(',');
        AppendJsonString(v.object[i].first, out);
        out->push_back(':');
        AppendValue(v.object[i].second, budget, out);
      }
      out->push_back('}');
      break;
    }
  }
}

void AppendElement(element e, size_t budget, std::string* out) {
  if (out->size() > budget) return;
  switch (e.type()) {
    case element_type::NULL_VALUE:
      out->append("null");
      break;
    case element_type::BOOL:
      out->append(e.get_bool().value_unsafe() ? "true" : "false");
      break;
    case element_type::INT64:
      out->append(std::to_string(e.get_int64().value_unsafe()));
      break;
    case element_type::UINT64:
      out->append(std::to_string(e.get_uint64().value_unsafe()));
      break;
    case element_type::DOUBLE:
      AppendDouble(e.get_double().value_unsafe(), out);
      break;
    case element_type::STRING:
      AppendJsonString(Utf8Prefix(StringOf(e), budget + 1), out);
      break;
    case element_type::ARRAY: {
      out->push_back('[');
      bool first = true;
      for (element item : ArrayOf(e)) {
        if (out->size() > budget) break;
        if (!first) out->push_back(',');
        first = false;
        AppendElement(item, budget, out);
      }
      out->push_back(']');
      break;
    }
    case element_type::OBJECT: {
      out->push_back('{');
      bool first = true;
      for (auto field : ObjectOf(e)) {
        if (out->size() > budget) break;
        if (!first) out->push_back(',');
        first = false;
        AppendJsonString(field.key, out);
        out->push_back(':');
        AppendElement(field.value, budget, out);
      }
      out->push_back('}');
      break;
    }
  }
}

}  // namespace

std::string JsonValue::ToJson(size_t max_bytes) const {
  std::string out;
  AppendValue(*this, max_bytes, &out);
  Truncate(max_bytes, &out);
  return out;
}

std::string ElementToJson(element e, size_t max_bytes) {
  std::string out;
  AppendElement(e, max_bytes, &out);
  Truncate(max_bytes, &out);
  return out;
}

}  // namespace logdaemon::schema
