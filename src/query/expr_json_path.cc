#include "query/expr_json_path.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace logdaemon::query::expr {

namespace {

namespace ondemand = simdjson::ondemand;

// `raw` (a view into the padded copy) as the same bytes of the caller's `json`, which outlives the next
// Read; a copy in *storage if it is not inside it (it always is; this only guards the arithmetic).
Value InPlace(std::string_view raw, std::string_view json, const char* padded, std::string* storage) {
  if (raw.data() >= padded && raw.data() + raw.size() <= padded + json.size()) {
    return Value::String(json.substr(static_cast<size_t>(raw.data() - padded), raw.size()));
  }
  storage->assign(raw);
  return Value::String(*storage);
}

// The Value of the JSON value `v` (an On-Demand document or value): consumes it.
template <typename T>
Value LeafValue(T& v, std::string_view json, const char* padded, std::string* storage) {
  ondemand::json_type type;
  if (v.type().get(type) != simdjson::SUCCESS) return Value::Null();
  switch (type) {
    case ondemand::json_type::string: {
      std::string_view text;
      if (v.get_string().get(text) != simdjson::SUCCESS) return Value::Null();
      storage->assign(text);
      return Value::String(*storage);
    }
    case ondemand::json_type::number: {
      ondemand::number_type number_type;
      if (v.get_number_type().get(number_type) != simdjson::SUCCESS) return Value::Null();
      if (number_type == ondemand::number_type::signed_integer) {
        int64_t integer;
        if (v.get_int64().get(integer) != simdjson::SUCCESS) return Value::Null();
        return Value::Int64(integer);
      }
      double number;
      if (v.get_double().get(number) != simdjson::SUCCESS) return Value::Null();
      return Value::Double(number);
    }
    case ondemand::json_type::boolean: {
      bool boolean;
      if (v.get_bool().get(boolean) != simdjson::SUCCESS) return Value::Null();
      return Value::Bool(boolean);
    }
    case ondemand::json_type::object: {
      ondemand::object object;
      std::string_view raw;
      if (v.get_object().get(object) != simdjson::SUCCESS ||
          object.raw_json().get(raw) != simdjson::SUCCESS) {
        return Value::Null();
      }
      return InPlace(raw, json, padded, storage);
    }
    case ondemand::json_type::array: {
      ondemand::array array;
      std::string_view raw;
      if (v.get_array().get(array) != simdjson::SUCCESS || array.raw_json().get(raw) != simdjson::SUCCESS) {
        return Value::Null();
      }
      return InPlace(raw, json, padded, storage);
    }
    case ondemand::json_type::null:
      return Value::Null();
  }
  return Value::Null();
}

// Moves from `container` (an On-Demand document or value) to its member or element named by `step`.
template <typename T>
bool Step(T& container, const PathStep& step, ondemand::value* out) {
  ondemand::json_type type;
  if (container.type().get(type) != simdjson::SUCCESS) return false;
  if (type == ondemand::json_type::object) {
    if (step.bracket) return false;
    ondemand::object object;
    if (container.get_object().get(object) != simdjson::SUCCESS) return false;
    for (auto member : object) {
      ondemand::field field;
      std::string_view key;
      if (std::move(member).get(field) != simdjson::SUCCESS ||
          field.unescaped_key().get(key) != simdjson::SUCCESS) {
        return false;
      }
      if (key == step.key) {
        *out = field.value();
        return true;
      }
    }
    return false;
  }
  if (type == ondemand::json_type::array) {
    if (step.index < 0) return false;
    ondemand::array array;
    if (container.get_array().get(array) != simdjson::SUCCESS) return false;
    return array.at(static_cast<size_t>(step.index)).get(*out) == simdjson::SUCCESS;
  }
  return false;
}

bool StartsContainer(std::string_view json) {
  for (char c : json) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    return c == '{' || c == '[';
  }
  return false;
}

}  // namespace

void JsonPathReader::LoadPadded(std::string_view json) {
  const size_t needed = json.size() + simdjson::SIMDJSON_PADDING;
  if (needed > padded_capacity_) {
    padded_capacity_ = std::max(needed, std::max<size_t>(4096, padded_capacity_ * 2));
    padded_ = std::make_unique<char[]>(padded_capacity_);
  }
  std::memcpy(padded_.get(), json.data(), json.size());
  // The parser may read the padding; give it the same bytes every time.
  std::memset(padded_.get() + json.size(), 0, simdjson::SIMDJSON_PADDING);
}

Value JsonPathReader::Read(std::string_view json, std::span<const PathStep> steps, std::string* storage) {
  // The whole object or array: the stored text already is its minified form.
  if (steps.empty() && StartsContainer(json)) return Value::String(json);

  LoadPadded(json);
  ondemand::document document;
  if (parser_.iterate(padded_.get(), json.size(), padded_capacity_).get(document) != simdjson::SUCCESS) {
    return Value::Null();
  }
  if (steps.empty()) return LeafValue(document, json, padded_.get(), storage);

  ondemand::value current;
  if (!Step(document, steps[0], &current)) return Value::Null();
  for (size_t i = 1; i < steps.size(); ++i) {
    ondemand::value next;
    if (!Step(current, steps[i], &next)) return Value::Null();
    current = next;
  }
  return LeafValue(current, json, padded_.get(), storage);
}

}  // namespace logdaemon::query::expr
