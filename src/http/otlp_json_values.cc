#include "http/otlp_json_values.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "http/otlp_any_value.h"
#include "schema/json_value.h"

namespace logdaemon::http::otlp_json {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

namespace {

// The whole of `text` as a decimal integer (proto3 JSON writes 64-bit integers as strings).
template <typename Integer>
bool ParseDecimal(std::string_view text, Integer* value) {
  const char* const end = text.data() + text.size();
  const auto result = std::from_chars(text.data(), end, *value);
  return !text.empty() && result.ec == std::errc() && result.ptr == end;
}

// An integer as a JSON number (integral, in range) or a decimal string, within [min, max].
bool ToInteger(element value, int64_t min, uint64_t max, uint64_t* magnitude, bool* negative) {
  *negative = false;
  switch (value.type()) {
    case element_type::UINT64:
      *magnitude = value.get_uint64().value_unsafe();
      break;
    case element_type::INT64: {
      const int64_t v = value.get_int64().value_unsafe();
      *negative = v < 0;
      *magnitude = *negative ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
      break;
    }
    case element_type::DOUBLE: {
      // 1e3 or 5.0 is an integer in JSON's eyes; 2^64 is the first double past uint64.
      const double d = value.get_double().value_unsafe();
      if (d != std::floor(d) || !(std::fabs(d) < 18446744073709551616.0)) return false;
      *negative = d < 0;
      *magnitude = static_cast<uint64_t>(std::fabs(d));
      break;
    }
    case element_type::STRING: {
      std::string_view text = schema::StringOf(value);
      *negative = !text.empty() && text[0] == '-';
      if (*negative) text.remove_prefix(1);
      if (!text.empty() && text[0] == '-') return false;
      if (!ParseDecimal(text, magnitude)) return false;
      break;
    }
    default:
      return false;
  }
  if (*negative) return *magnitude <= 0 - static_cast<uint64_t>(min);
  return *magnitude <= max;
}

template <typename Unsigned>
Status GetUnsigned(element value, std::string_view key, Unsigned* out) {
  uint64_t magnitude = 0;
  bool negative = false;
  if (!ToInteger(value, 0, std::numeric_limits<Unsigned>::max(), &magnitude, &negative) ||
      (negative && magnitude != 0)) {
    return Expected(key, "an unsigned integer (a number or a decimal string) in range");
  }
  *out = static_cast<Unsigned>(magnitude);
  return Status::OK();
}

template <typename Signed>
Status GetSigned(element value, std::string_view key, Signed* out) {
  uint64_t magnitude = 0;
  bool negative = false;
  if (!ToInteger(value, std::numeric_limits<Signed>::min(), std::numeric_limits<Signed>::max(), &magnitude,
                 &negative)) {
    return Expected(key, "an integer (a number or a decimal string) in range");
  }
  // Two's complement: the negation of the magnitude, also for the minimum.
  *out = static_cast<Signed>(negative ? 0 - magnitude : magnitude);
  return Status::OK();
}

}  // namespace

// A number, or a string: "NaN", "Infinity", "-Infinity" (proto3 JSON's non-finite values) or a decimal.
Status GetDouble(element value, std::string_view key, double* out) {
  if (value.is_number()) {
    *out = value.get_double().value_unsafe();
    return Status::OK();
  }
  if (value.is_string()) {
    const std::string_view text = schema::StringOf(value);
    if (text == "NaN") {
      *out = std::numeric_limits<double>::quiet_NaN();
    } else if (text == "Infinity" || text == "-Infinity") {
      *out =
          text[0] == '-' ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    } else if (!ParseDecimal(text, out) || !std::isfinite(*out)) {
      return Expected(key, "a number");
    }
    return Status::OK();
  }
  return Expected(key, "a number");
}

Status GetString(element value, std::string_view key, std::string* out) {
  if (!value.is_string()) return Expected(key, "a string");
  out->assign(schema::StringOf(value));
  return Status::OK();
}

Status GetBool(element value, std::string_view key, bool* out) {
  if (!value.is_bool()) return Expected(key, "true or false");
  *out = value.get_bool().value_unsafe();
  return Status::OK();
}

Status GetObject(element value, std::string_view key, object* out) {
  if (!value.is_object()) return Expected(key, "an object");
  *out = schema::ObjectOf(value);
  return Status::OK();
}

// The OTLP amendment: trace and span ids as hex, not base64.
Status GetHexId(element value, std::string_view key, std::string* out) {
  if (!value.is_string() || !DecodeHex(schema::StringOf(value), out)) {
    return Expected(key, "a hex string");
  }
  return Status::OK();
}

// An integer, or (as proto3 JSON allows, the OTLP amendment notwithstanding) the enum value's name.
Status GetSeverity(element value, std::string_view key, otlp::SeverityNumber* out) {
  if (value.is_string()) {
    const std::string name(schema::StringOf(value));
    otlp::SeverityNumber named = otlp::SEVERITY_NUMBER_UNSPECIFIED;
    if (otlp::SeverityNumber_Parse(name, &named)) {
      *out = named;
      return Status::OK();
    }
    // "9" is an integer too.
  }
  int32_t number = 0;
  if (!GetSigned(value, key, &number).ok()) {
    return Expected(key, "an integer or a SeverityNumber name");
  }
  // proto3 enums are open: a number without a name is kept (the mapping then falls back to the text).
  *out = static_cast<otlp::SeverityNumber>(number);
  return Status::OK();
}

Status Expected(std::string_view key, std::string_view what) {
  std::string message(key);
  message += ": expected ";
  message += what;
  return Status::InvalidArgument(message);
}

Status GetUint64(element value, std::string_view key, uint64_t* out) {
  return GetUnsigned(value, key, out);
}
Status GetUint32(element value, std::string_view key, uint32_t* out) {
  return GetUnsigned(value, key, out);
}
Status GetInt64(element value, std::string_view key, int64_t* out) {
  return GetSigned(value, key, out);
}

Status GetBase64(element value, std::string_view key, std::string* out) {
  if (!value.is_string() || !DecodeBase64(schema::StringOf(value), out)) {
    return Expected(key, "a base64 string");
  }
  return Status::OK();
}

}  // namespace logdaemon::http::otlp_json
