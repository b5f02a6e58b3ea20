#include "schema/validator.h"

#include <algorithm>
#include <cmath>

#include "schema/json_value.h"

namespace logdaemon::schema {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

namespace {

constexpr size_t kShownValueBytes = 60;
constexpr size_t kShownPathBytes = 120;
constexpr size_t kShownEnumValues = 10;

long double AsLongDouble(element e, element_type type) {
  switch (type) {
    case element_type::INT64:
      return static_cast<long double>(e.get_int64().value_unsafe());
    case element_type::UINT64:
      return static_cast<long double>(e.get_uint64().value_unsafe());
    default:
      return e.get_double().value_unsafe();
  }
}

bool IsIntegral(element e, element_type type) {
  if (type != element_type::DOUBLE) return true;
  double d = e.get_double().value_unsafe();
  return std::isfinite(d) && std::floor(d) == d;
}

uint8_t InstanceTypeBits(element e, element_type type) {
  switch (type) {
    case element_type::NULL_VALUE:
      return kTypeNull;
    case element_type::BOOL:
      return kTypeBoolean;
    case element_type::STRING:
      return kTypeString;
    case element_type::ARRAY:
      return kTypeArray;
    case element_type::OBJECT:
      return kTypeObject;
    default:
      return IsIntegral(e, type) ? (kTypeNumber | kTypeInteger) : kTypeNumber;
  }
}

// The type bits a value's tag decides alone: a double gets kTypeNumber only, as it may or may not be
// integral (ValidateType looks closer when that matters).
uint8_t TagTypeBits(element_type type) {
  switch (type) {
    case element_type::STRING:
      return kTypeString;
    case element_type::OBJECT:
      return kTypeObject;
    case element_type::ARRAY:
      return kTypeArray;
    case element_type::INT64:
    case element_type::UINT64:
      return kTypeNumber | kTypeInteger;
    case element_type::DOUBLE:
      return kTypeNumber;
    case element_type::BOOL:
      return kTypeBoolean;
    default:
      return kTypeNull;
  }
}

const char* InstanceTypeName(element e, element_type type) {
  switch (type) {
    case element_type::NULL_VALUE:
      return "null";
    case element_type::BOOL:
      return "boolean";
    case element_type::STRING:
      return "string";
    case element_type::ARRAY:
      return "array";
    case element_type::OBJECT:
      return "object";
    default:
      return IsIntegral(e, type) ? "integer" : "number";
  }
}

std::string TypeNames(uint8_t types) {
  static constexpr std::pair<uint8_t, const char*> kNames[] = {
      {kTypeNull, "null"},     {kTypeBoolean, "boolean"}, {kTypeNumber, "number"},
      {kTypeString, "string"}, {kTypeArray, "array"},     {kTypeObject, "object"},
  };
  std::string out;
  for (auto [bit, name] : kNames) {
    if (!(types & bit)) continue;
    if (!out.empty()) out += " or ";
    out += name;
  }
  if ((types & kTypeInteger) && !(types & kTypeNumber)) out += out.empty() ? "integer" : " or integer";
  return out;
}

// Code points of valid UTF-8: every byte that is not a continuation byte starts one.
uint64_t CodePoints(std::string_view s) {
  uint64_t count = 0;
  for (unsigned char c : s) count += (c & 0xC0) != 0x80;
  return count;
}

std::string Count(uint64_t n, const char* singular, const char* plural) {
  return std::to_string(n) + " " + (n == 1 ? singular : plural);
}

// Order-independent hash of a JSON value consistent with JsonEquals (numbers by value).
uint64_t HashValue(element e) {
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
  auto mix = [](uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
  };
  element_type type = e.type();
  switch (type) {
    case element_type::NULL_VALUE:
      return 1;
    case element_type::BOOL:
      return e.get_bool().value_unsafe() ? 2 : 3;
    case element_type::STRING: {
      uint64_t h = 5;
      for (unsigned char c : StringOf(e)) h = (h ^ c) * 0x100000001b3ull;
      return mix(h);
    }
    case element_type::ARRAY: {
      uint64_t h = 7;
      for (element item : ArrayOf(e)) h = mix(h * kMul + HashValue(item));
      return h;
    }
    case element_type::OBJECT: {
      uint64_t h = 11;
      for (auto field : ObjectOf(e)) {
        uint64_t k = 13;
        for (unsigned char c : field.key) k = (k ^ c) * 0x100000001b3ull;
        h += mix(k * kMul + HashValue(field.value));  // sum: member order does not matter
      }
      return h;
    }
    default: {
      // 1 and 1.0 must hash alike: hash the double value (-0.0 as 0.0).
      double d = static_cast<double>(AsLongDouble(e, type));
      if (d == 0) d = 0;
      uint64_t bits;
      std::memcpy(&bits, &d, sizeof(bits));
      return mix(bits + 17);
    }
  }
}

}  // namespace

Validator::Validator(std::shared_ptr<const CompiledSchema> schema)
    : schema_(std::move(schema)), nodes_(&schema_->node(0)) {}

bool Validator::Validate(element instance, std::string* error) {
  explaining_ = false;
  suppressed_ = 0;
  Value value{instance, {}, false};
  if (ValidateNode(schema_->root(), value, 0)) return true;
  if (error != nullptr) {
    explaining_ = true;
    error_.clear();
    path_.clear();
    ValidateNode(schema_->root(), value, 0);
    explaining_ = false;
    *error = error_.empty() ? std::string("(root): the document does not match the schema") : error_;
  }
  return false;
}

void Validator::RecordError(const char* keyword, const std::string& why) {
  std::string pointer;
  for (const PathSegment& segment : path_) {
    pointer += '/';
    if (segment.is_index) {
      pointer += std::to_string(segment.index);
      continue;
    }
    for (char c : segment.key) {
      if (c == '~') {
        pointer += "~0";
      } else if (c == '/') {
        pointer += "~1";
      } else if (static_cast<unsigned char>(c) < 0x20) {
        pointer += '?';  // keep the reply on one line
      } else {
        pointer += c;
      }
    }
  }
  if (pointer.empty()) pointer = "(root)";
  if (pointer.size() > kShownPathBytes) {
    size_t cut = pointer.size() - kShownPathBytes;
    while (cut < pointer.size() && (static_cast<unsigned char>(pointer[cut]) & 0xC0) == 0x80) ++cut;
    pointer = "…" + pointer.substr(cut);
  }
  error_ = pointer + ": " + keyword + ": " + why;
}

std::string Validator::Show(const Value& value) {
  if (value.is_key) {
    std::string out;
    AppendJsonString(Utf8Prefix(value.key, kShownValueBytes), &out);
    if (value.key.size() > kShownValueBytes) out += "…";
    return out;
  }
  return ElementToJson(value.element, kShownValueBytes);
}

bool Validator::Probe(NodeIndex index, const Value& value, int depth) {
  ++suppressed_;
  bool ok = ValidateNode(index, value, depth);
  --suppressed_;
  return ok;
}

bool Validator::ValidateNode(NodeIndex index, const Value& value, int depth) {
  const Node& node = nodes_[index];
  uint32_t checks = node.checks;
  if (checks == 0) return true;
  if (checks & kCheckFalse) return Fail("false", [] { return std::string("no value is allowed here"); });
  if (depth > kMaxEvaluationDepth) {
    return Fail("depth",
                [] { return "nested deeper than " + std::to_string(kMaxEvaluationDepth) + " levels"; });
  }
  element_type type = value.is_key ? element_type::STRING : value.element.type();
  if ((checks & kCheckType) && !(node.types & TagTypeBits(type)) && !ValidateType(node, value, type))
    return false;
  if ((checks & (kCheckEnum | kCheckConst)) && !ValidateEnumConst(node, value)) return false;
  switch (type) {
    case element_type::STRING:
      if ((checks & kCheckString) && !ValidateString(node, value)) return false;
      break;
    case element_type::ARRAY:
      if ((checks & kCheckArray) && !ValidateArray(node, value, depth)) return false;
      break;
    case element_type::OBJECT:
      if ((checks & kCheckObject) && !ValidateObject(node, value, depth)) return false;
      break;
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      if ((checks & kCheckNumber) && !ValidateNumber(node, value, type)) return false;
      break;
    default:
      break;
  }
  if ((checks & (kCheckAllOf | kCheckAnyOf | kCheckOneOf | kCheckNot | kCheckIf)) &&
      !ValidateApplicators(node, value, depth)) {
    return false;
  }
  return true;
}

bool Validator::ValidateType(const Node& node, const Value& value, element_type type) {
  uint8_t bits = value.is_key ? uint8_t{kTypeString} : InstanceTypeBits(value.element, type);
  if (node.types & bits) return true;
  return Fail("type", [&] {
    const char* actual = value.is_key ? "string" : InstanceTypeName(value.element, type);
    return Show(value) + " is " + actual + ", not " + TypeNames(node.types);
  });
}

bool Validator::ValidateEnumConst(const Node& node, const Value& value) {
  if (node.checks & kCheckEnum) {
    bool found = false;
    if (node.enum_all_strings) {
      // The common case in log schemas (levels): compare string bytes, nothing else.
      if (value.is_key || value.element.type() == element_type::STRING) {
        std::string_view s = value.is_key ? value.key : StringOf(value.element);
        for (std::string_view candidate : node.enum_strings) {
          if (candidate == s) {
            found = true;
            break;
          }
        }
      }
    } else {
      for (const JsonValue* candidate : node.enum_values) {
        if (value.is_key ? (candidate->is_string() && candidate->string == value.key)
                         : JsonEquals(*candidate, value.element)) {
          found = true;
          break;
        }
      }
    }
    if (!found) {
      return Fail("enum", [&] {
        std::string list;
        for (size_t i = 0; i < node.enum_values.size() && i < kShownEnumValues; ++i) {
          if (i) list += ", ";
          const JsonValue* v = node.enum_values[i];
          // Strings bare ("one of trace, debug"), unless the enum mixes types and "1" must differ from 1.
          list += v->is_string() && node.enum_all_strings ? ShortText(v->string, kShownValueBytes)
                                                          : v->ToJson(kShownValueBytes);
        }
        if (node.enum_values.size() > kShownEnumValues) {
          list += " (and " + std::to_string(node.enum_values.size() - kShownEnumValues) + " more)";
        }
        if (node.enum_values.empty()) return Show(value) + " is not allowed: the enum is empty";
        return Show(value) + " is not one of " + list;
      });
    }
  }
  if (node.checks & kCheckConst) {
    const JsonValue& expected = *node.const_value;
    bool equal = value.is_key ? (expected.is_string() && expected.string == value.key)
                              : JsonEquals(expected, value.element);
    if (!equal) {
      return Fail("const", [&] { return Show(value) + " is not " + expected.ToJson(kShownValueBytes); });
    }
  }
  return true;
}

bool Validator::ValidateNumber(const Node& node, const Value& value, element_type type) {
  element e = value.element;
  long double x = AsLongDouble(e, type);
  auto show_bound = [](double bound) {
    JsonValue v;
    v.kind = JsonValue::Kind::kDouble;
    v.number = bound;
    return v.ToJson();
  };
  if (node.has_minimum && x < node.minimum) {
    return Fail("minimum", [&] { return Show(value) + " is less than " + show_bound(node.minimum); });
  }
  if (node.has_maximum && x > node.maximum) {
    return Fail("maximum", [&] { return Show(value) + " is greater than " + show_bound(node.maximum); });
  }
  if (node.has_exclusive_minimum && x <= node.exclusive_minimum) {
    return Fail("exclusiveMinimum",
                [&] { return Show(value) + " is not greater than " + show_bound(node.exclusive_minimum); });
  }
  if (node.has_exclusive_maximum && x >= node.exclusive_maximum) {
    return Fail("exclusiveMaximum",
                [&] { return Show(value) + " is not less than " + show_bound(node.exclusive_maximum); });
  }
  if (node.has_multiple_of) {
    const JsonValue& m = *node.multiple_of;
    bool multiple;
    if (type == element_type::INT64 && m.kind == JsonValue::Kind::kInt64) {
      multiple = e.get_int64().value_unsafe() % m.int64 == 0;
    } else if (type == element_type::UINT64 && m.kind != JsonValue::Kind::kDouble) {
      uint64_t divisor = m.kind == JsonValue::Kind::kInt64 ? static_cast<uint64_t>(m.int64) : m.uint64;
      multiple = e.get_uint64().value_unsafe() % divisor == 0;
    } else {
      // Floating point: a quotient within rounding error of an integer counts (0.0075 / 0.0001 is
      // 74.99999999999999 in binary). An infinite quotient (1e308 / 0.123) is not a multiple.
      // In double, as the suite's "12391239123 is a multiple of 1e-8" expects.
      double q = static_cast<double>(x) / m.number;
      if (std::isfinite(q)) {
        multiple = std::fabs(q - std::nearbyint(q)) < 1e-9;
      } else {
        // The quotient overflowed (1e308 / 0.5): an integer is still a multiple of any m that divides 1.
        multiple = IsIntegral(e, type) && std::fmod(1.0, m.number) == 0;
      }
    }
    if (!multiple) {
      return Fail("multipleOf",
                  [&] { return Show(value) + " is not a multiple of " + m.ToJson(kShownValueBytes); });
    }
  }
  return true;
}

bool Validator::ValidateString(const Node& node, const Value& value) {
  std::string_view s = value.is_key ? value.key : StringOf(value.element);
  if (node.min_length > 0 || node.max_length != UINT64_MAX) {
    // A code point takes 1 to 4 bytes: the byte count often decides without counting.
    uint64_t bytes = s.size();
    bool decided = bytes <= node.max_length && bytes / 4 >= node.min_length;
    if (!decided) {
      uint64_t length = CodePoints(s);
      if (length < node.min_length) {
        return Fail("minLength", [&] {
          return Show(value) + " is shorter than " + Count(node.min_length, "character", "characters");
        });
      }
      if (length > node.max_length) {
        return Fail("maxLength", [&] {
          return Show(value) + " is longer than " + Count(node.max_length, "character", "characters");
        });
      }
    }
  }
  if (node.pattern != nullptr) {
    MatchResult match = matcher_.Search(*node.pattern, s);
    if (match != MatchResult::kMatch) {
      return Fail("pattern", [&] {
        std::string pattern = ShortText(node.pattern->pattern(), kShownValueBytes);
        if (match == MatchResult::kLimitExceeded) {
          return "matching " + Show(value) + " against " + pattern + " exceeded the backtracking limit";
        }
        return Show(value) + " does not match " + pattern;
      });
    }
  }
  if (node.format != Format::kUnknown && !CheckFormat(node.format, s)) {
    return Fail("format",
                [&] { return Show(value) + " is not a valid " + std::string(FormatName(node.format)); });
  }
  return true;
}

bool Validator::ValidateArray(const Node& node, const Value& value, int depth) {
  array items = ArrayOf(value.element);
  size_t size = items.size();
  if (size < node.min_items) {
    return Fail("minItems", [&] {
      return Count(size, "item", "items") + ", fewer than " + std::to_string(node.min_items);
    });
  }
  if (size > node.max_items) {
    return Fail("maxItems", [&] {
      return Count(size, "item", "items") + ", more than " + std::to_string(node.max_items);
    });
  }
  if (node.has_tuple_items || node.items != kNoNode) {
    size_t i = 0;
    for (element item : items) {
      NodeIndex schema = node.items;
      if (node.has_tuple_items) {
        schema = i < node.tuple_items.size() ? node.tuple_items[i] : node.additional_items;
        if (schema != kNoNode && i >= node.tuple_items.size() && (nodes_[schema].checks & kCheckFalse)) {
          return Fail("additionalItems", [&] {
            return Count(size, "item", "items") + ", at most " + std::to_string(node.tuple_items.size()) +
                   " allowed";
          });
        }
      }
      if (schema != kNoNode) {
        PushIndex(i);
        bool ok = ValidateNode(schema, Value{item, {}, false}, depth + 1);
        Pop();
        if (!ok) return false;
      }
      ++i;
    }
  }
  if (node.contains != kNoNode) {
    bool found = false;
    for (element item : items) {
      if (Probe(node.contains, Value{item, {}, false}, depth + 1)) {
        found = true;
        break;
      }
    }
    if (!found) return Fail("contains", [] { return std::string("no item matches the contains schema"); });
  }
  if (node.unique_items && size > 1 && !ValidateUniqueItems(items)) return false;
  return true;
}

bool Validator::ValidateUniqueItems(array items) {
  items_scratch_.clear();
  for (element item : items) items_scratch_.push_back(item);
  size_t n = items_scratch_.size();
  size_t first = 0, second = 0;
  bool duplicate = false;
  if (n <= 16) {
    for (size_t i = 0; i < n && !duplicate; ++i) {
      for (size_t j = i + 1; j < n; ++j) {
        if (JsonEquals(items_scratch_[i], items_scratch_[j])) {
          duplicate = true;
          first = i;
          second = j;
          break;
        }
      }
    }
  } else {
    // Large arrays: sort by hash, compare only values whose hashes collide.
    hash_scratch_.clear();
    for (size_t i = 0; i < n; ++i)
      hash_scratch_.emplace_back(HashValue(items_scratch_[i]), static_cast<uint32_t>(i));
    std::sort(hash_scratch_.begin(), hash_scratch_.end());
    for (size_t i = 0; i < n && !duplicate; ++i) {
      for (size_t j = i + 1; j < n && hash_scratch_[j].first == hash_scratch_[i].first; ++j) {
        if (JsonEquals(items_scratch_[hash_scratch_[i].second], items_scratch_[hash_scratch_[j].second])) {
          duplicate = true;
          first = std::min(hash_scratch_[i].second, hash_scratch_[j].second);
          second = std::max(hash_scratch_[i].second, hash_scratch_[j].second);
          break;
        }
      }
    }
  }
  if (!duplicate) return true;
  return Fail("uniqueItems", [&] {
    return "items " + std::to_string(first) + " and " + std::to_string(second) + " are equal";
  });
}

bool Validator::Present(const Node& node, uint32_t entry, uint64_t seen, object instance) const {
  if (entry < kPresenceBits) return (seen >> entry) & 1;
  element ignored;
  return instance.at_key(node.names[entry].name).get(ignored) == simdjson::SUCCESS;
}

bool Validator::ValidateObject(const Node& node, const Value& value, int depth) {
  object instance = ObjectOf(value.element);
  const std::vector<PropertyEntry>& names = node.names;
  const bool scan = names.size() <= kMaxScannedNames;
  uint64_t seen = 0;
  size_t count = 0;
  uint32_t next_expected = 0;
  for (auto field : instance) {
    ++count;
    std::string_view key = field.key;
    uint32_t entry = UINT32_MAX;
    if (scan) {
      // Logs usually list their fields in the schema's order: try the entry after the last match first.
      if (next_expected < names.size() && names[next_expected].name == key) {
        entry = next_expected;
      } else {
        for (uint32_t i = 0; i < names.size(); ++i) {
          if (names[i].name.size() == key.size() && names[i].name == key) {
            entry = i;
            break;
          }
        }
      }
      if (entry != UINT32_MAX) next_expected = entry + 1;
    } else if (auto it = node.name_index.find(key); it != node.name_index.end()) {
      entry = it->second;
    }
    bool matched = false;
    if (entry != UINT32_MAX) {
      if (entry < kPresenceBits) seen |= uint64_t{1} << entry;
      const PropertyEntry& property = names[entry];
      if (property.in_properties) {
        matched = true;
        PushKey(key);
        bool ok = ValidateNode(property.schema, Value{field.value, {}, false}, depth + 1);
        Pop();
        if (!ok) return false;
      }
    }
    for (const PatternProperty& pattern : node.pattern_properties) {
      MatchResult match = matcher_.Search(*pattern.regex, key);
      if (match == MatchResult::kLimitExceeded) {
        return Fail("patternProperties", [&] {
          return "matching the property name " + Show(Value{{}, key, true}) + " against " +
                 ShortText(pattern.regex->pattern(), kShownValueBytes) + " exceeded the backtracking limit";
        });
      }
      if (match == MatchResult::kNoMatch) continue;
      matched = true;
      PushKey(key);
      bool ok = ValidateNode(pattern.schema, Value{field.value, {}, false}, depth + 1);
      Pop();
      if (!ok) return false;
    }
    if (!matched && node.additional_properties != kNoNode) {
      if (nodes_[node.additional_properties].checks & kCheckFalse) {
        return Fail("additionalProperties", [&] {
          return "property " + Show(Value{{}, key, true}) + " is not allowed";
        });
      }
      PushKey(key);
      bool ok = ValidateNode(node.additional_properties, Value{field.value, {}, false}, depth + 1);
      Pop();
      if (!ok) return false;
    }
    if (node.property_names != kNoNode && !Probe(node.property_names, Value{{}, key, true}, depth + 1)) {
      return Fail("propertyNames", [&] {
        // Say why the name failed: explain the name on its own.
        std::string saved;
        saved.swap(error_);
        std::vector<PathSegment> path;
        path.swap(path_);
        ValidateNode(node.property_names, Value{{}, key, true}, depth + 1);
        std::string inner;
        inner.swap(error_);
        error_.swap(saved);
        path_.swap(path);
        size_t keyword_start = inner.find(": ");
        return "property name " + Show(Value{{}, key, true}) + " is invalid" +
               (keyword_start == std::string::npos ? "" : " (" + inner.substr(keyword_start + 2) + ")");
      });
    }
  }
  if ((seen & node.required_mask) != node.required_mask || names.size() > kPresenceBits) {
    for (uint32_t i = 0; i < names.size(); ++i) {
      if (names[i].required && !Present(node, i, seen, instance)) {
        return Fail("required", [&] { return "missing property " + Show(Value{{}, names[i].name, true}); });
      }
    }
  }
  if (node.has_dependencies) {
    for (uint32_t i = 0; i < names.size(); ++i) {
      const PropertyEntry& property = names[i];
      if (property.dependency_names.empty() && property.dependency_schema == kNoNode) continue;
      if (!Present(node, i, seen, instance)) continue;
      for (uint32_t other : property.dependency_names) {
        if (!Present(node, other, seen, instance)) {
          return Fail("dependencies", [&] {
            return "property " + Show(Value{{}, property.name, true}) + " requires property " +
                   Show(Value{{}, names[other].name, true});
          });
        }
      }
      if (property.dependency_schema != kNoNode &&
          !ValidateNode(property.dependency_schema, value, depth + 1)) {
        return false;
      }
    }
  }
  if (count < node.min_properties) {
    return Fail("minProperties", [&] {
      return Count(count, "property", "properties") + ", fewer than " + std::to_string(node.min_properties);
    });
  }
  if (count > node.max_properties) {
    return Fail("maxProperties", [&] {
      return Count(count, "property", "properties") + ", more than " + std::to_string(node.max_properties);
    });
  }
  return true;
}

bool Validator::ValidateApplicators(const Node& node, const Value& value, int depth) {
  for (NodeIndex schema : node.all_of) {
    if (!ValidateNode(schema, value, depth + 1)) return false;
  }
  if (!node.any_of.empty()) {
    bool any = false;
    for (NodeIndex schema : node.any_of) {
      if (Probe(schema, value, depth + 1)) {
        any = true;
        break;
      }
    }
    if (!any) {
      return Fail("anyOf", [&] {
        return Show(value) + " matches none of the " + std::to_string(node.any_of.size()) + " alternatives";
      });
    }
  }
  if (!node.one_of.empty()) {
    size_t matches = 0, first = 0, second = 0;
    for (size_t i = 0; i < node.one_of.size() && matches < 2; ++i) {
      if (Probe(node.one_of[i], value, depth + 1)) {
        (matches == 0 ? first : second) = i;
        ++matches;
      }
    }
    if (matches != 1) {
      return Fail("oneOf", [&] {
        if (matches == 0) {
          return Show(value) + " matches none of the " + std::to_string(node.one_of.size()) + " alternatives";
        }
        return Show(value) + " matches alternatives " + std::to_string(first) + " and " +
               std::to_string(second) + ", but must match exactly one";
      });
    }
  }
  if (node.not_schema != kNoNode && Probe(node.not_schema, value, depth + 1)) {
    return Fail("not", [&] { return Show(value) + " matches a schema it must not match"; });
  }
  if (node.checks & kCheckIf) {
    NodeIndex branch = Probe(node.if_schema, value, depth + 1) ? node.then_schema : node.else_schema;
    if (branch != kNoNode && !ValidateNode(branch, value, depth + 1)) return false;
  }
  return true;
}

}  // namespace logdaemon::schema
