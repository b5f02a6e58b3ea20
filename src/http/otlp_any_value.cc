#include "http/otlp_any_value.h"

#include <cmath>

#include "http/otlp_logs.h"
#include "schema/json_value.h"
#include "schema/rfc3339.h"

namespace logdaemon::http {

namespace {

using KeyValues = google::protobuf::RepeatedPtrField<otlp::KeyValue>;

void AppendDouble(double value, std::string* out) {
  // JSON has no NaN or infinity.
  if (!std::isfinite(value)) {
    out->append("null");
    return;
  }
  // The shortest text that reads back as the same double.
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out->append(buffer, result.ptr);
}

void AppendKeyValuesObject(const KeyValues& entries, int depth, std::string* out) {
  out->push_back('{');
  bool first = true;
  for (const otlp::KeyValue& entry : entries) {
    if (!first) out->push_back(',');
    first = false;
    schema::AppendJsonString(entry.key(), out);
    out->push_back(':');
    AppendAnyValueJson(entry.value(), depth, out);
  }
  out->push_back('}');
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int Base64Digit(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;  // standard and URL-safe alphabets
  if (c == '/' || c == '_') return 63;
  return -1;
}

}  // namespace

bool AnyValueWithinDepth(const otlp::AnyValue& value, int depth) {
  if (depth > kMaxOtlpAnyValueDepth) return false;
  if (value.has_array_value()) {
    for (const otlp::AnyValue& element : value.array_value().values()) {
      if (!AnyValueWithinDepth(element, depth + 1)) return false;
    }
  } else if (value.has_kvlist_value()) {
    for (const otlp::KeyValue& entry : value.kvlist_value().values()) {
      if (!AnyValueWithinDepth(entry.value(), depth + 1)) return false;
    }
  }
  return true;
}

void AppendAnyValueJson(const otlp::AnyValue& value, int depth, std::string* out) {
  if (depth > kMaxOtlpAnyValueDepth) {
    out->append("null");  // not reached after CheckOtlpDepth; bounds the recursion regardless
    return;
  }
  switch (value.value_case()) {
    case otlp::AnyValue::kStringValue:
      schema::AppendJsonString(value.string_value(), out);
      return;
    case otlp::AnyValue::kBoolValue:
      out->append(value.bool_value() ? "true" : "false");
      return;
    case otlp::AnyValue::kIntValue:
      AppendInteger(value.int_value(), out);
      return;
    case otlp::AnyValue::kDoubleValue:
      AppendDouble(value.double_value(), out);
      return;
    case otlp::AnyValue::kBytesValue:
      out->push_back('"');
      AppendBase64(value.bytes_value(), out);
      out->push_back('"');
      return;
    case otlp::AnyValue::kArrayValue: {
      out->push_back('[');
      bool first = true;
      for (const otlp::AnyValue& element : value.array_value().values()) {
        if (!first) out->push_back(',');
        first = false;
        AppendAnyValueJson(element, depth + 1, out);
      }
      out->push_back(']');
      return;
    }
    case otlp::AnyValue::kKvlistValue:
      AppendKeyValuesObject(value.kvlist_value().values(), depth + 1, out);
      return;
    case otlp::AnyValue::VALUE_NOT_SET:
      break;
  }
  out->append("null");
}

void AppendRfc3339Nanos(uint64_t unix_nano, std::string* out) {
  // uint64 nanoseconds end in 2554: the microseconds fit int64. The storage's formatter writes the
  // microseconds; the last three digits are the nanoseconds it does not keep.
  schema::AppendRfc3339Micros(static_cast<int64_t>(unix_nano / 1000), out);
  out->pop_back();  // its "Z"
  const auto nanos = static_cast<unsigned>(unix_nano % 1000);
  out->push_back(static_cast<char>('0' + nanos / 100));
  out->push_back(static_cast<char>('0' + nanos / 10 % 10));
  out->push_back(static_cast<char>('0' + nanos % 10));
  out->push_back('Z');
}

void AppendHex(std::string_view bytes, std::string* out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (char byte : bytes) {
    const auto b = static_cast<unsigned char>(byte);
    out->push_back(kDigits[b >> 4]);
    out->push_back(kDigits[b & 0xf]);
  }
}

void AppendBase64(std::string_view bytes, std::string* out) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t group = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16 |
                           static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                           static_cast<unsigned char>(bytes[i + 2]);
    out->push_back(kAlphabet[group >> 18]);
    out->push_back(kAlphabet[group >> 12 & 63]);
    out->push_back(kAlphabet[group >> 6 & 63]);
    out->push_back(kAlphabet[group & 63]);
  }
  const size_t rest = bytes.size() - i;
  if (rest == 0) return;
  uint32_t group = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
  if (rest == 2) group |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
  out->push_back(kAlphabet[group >> 18]);
  out->push_back(kAlphabet[group >> 12 & 63]);
  out->push_back(rest == 2 ? kAlphabet[group >> 6 & 63] : '=');
  out->push_back('=');
}

bool DecodeHex(std::string_view text, std::string* bytes) {
  bytes->clear();
  if (text.size() % 2 != 0) return false;
  bytes->reserve(text.size() / 2);
  for (size_t i = 0; i < text.size(); i += 2) {
    const int high = HexDigit(text[i]);
    const int low = HexDigit(text[i + 1]);
    if (high < 0 || low < 0) return false;
    bytes->push_back(static_cast<char>(high << 4 | low));
  }
  return true;
}

bool DecodeBase64(std::string_view text, std::string* bytes) {
  bytes->clear();
  // Padding: "=" or "==" closing a group of four; without it, the group is simply short.
  if (text.size() % 4 == 0 && !text.empty() && text.back() == '=') {
    text.remove_suffix(1);
    if (text.back() == '=') text.remove_suffix(1);
  }
  if (text.size() % 4 == 1) return false;
  bytes->reserve(text.size() / 4 * 3 + 2);
  uint32_t group = 0;
  int bits = 0;
  for (char c : text) {
    const int digit = Base64Digit(c);
    if (digit < 0) return false;
    group = (group << 6 | static_cast<uint32_t>(digit)) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes->push_back(static_cast<char>(group >> bits & 0xff));
    }
  }
  return true;
}

}  // namespace logdaemon::http
