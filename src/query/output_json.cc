#include "query/output_json.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "logdaemon/schema.h"
#include "query/output_sink.h"

namespace logdaemon::query {

namespace {

enum ByteClass : uint8_t { kCopy, kEscape, kNonAscii };

constexpr std::array<uint8_t, 256> MakeByteClasses() {
  std::array<uint8_t, 256> classes{};
  for (int byte = 0; byte < 256; ++byte) {
    if (byte < 0x20 || byte == '"' || byte == '\\') {
      classes[byte] = kEscape;
    } else if (byte >= 0x80) {
      classes[byte] = kNonAscii;
    } else {
      classes[byte] = kCopy;
    }
  }
  return classes;
}
constexpr std::array<uint8_t, 256> kByteClasses = MakeByteClasses();

void AppendEscape(unsigned char byte, std::string* out) {
  switch (byte) {
    case '"':
      out->append("\\\"");
      return;
    case '\\':
      out->append("\\\\");
      return;
    case '\n':
      out->append("\\n");
      return;
    case '\r':
      out->append("\\r");
      return;
    case '\t':
      out->append("\\t");
      return;
    case '\b':
      out->append("\\b");
      return;
    case '\f':
      out->append("\\f");
      return;
    default: {
      static constexpr char kHex[] = "0123456789abcdef";
      const char escaped[6] = {'\\', 'u', '0', '0', kHex[byte >> 4], kHex[byte & 0xf]};
      out->append(escaped, sizeof escaped);
    }
  }
}

class JsonWriter final : public RowWriter {
 public:
  explicit JsonWriter(std::FILE* out) : sink_(out) {}

  void Begin(const std::vector<ColumnInfo>& columns) override {
    keys_.clear();
    extra_column_ = -1;
    for (size_t c = 0; c < columns.size(); ++c) {
      std::string key;
      AppendJsonString(columns[c].name, &key);
      key.push_back(':');
      keys_.push_back(std::move(key));
      if (extra_column_ < 0 && columns[c].name == TableLayout::kExtraColumn &&
          columns[c].type == ValueType::kJson) {
        extra_column_ = static_cast<int>(c);
      }
    }
  }

  void Row(std::span<const Value> values) override {
    if (sink_.failed()) return;
    std::string& out = sink_.buffer();
    out.push_back('{');
    bool first = true;
    std::string_view extra;
    const size_t count = std::min(values.size(), keys_.size());
    for (size_t c = 0; c < count; ++c) {
      const Value& value = values[c];
      if (value.is_null()) continue;
      if (static_cast<int>(c) == extra_column_ && value.type == ValueType::kJson && IsObject(value.s)) {
        extra = value.s;  // merged after the declared columns
        continue;
      }
      if (!first) out.push_back(',');
      first = false;
      out.append(keys_[c]);
      AppendValue(value, &out);
    }
    // The members of a minified object are its text without the braces; "{}" has none.
    if (extra.size() > 2) {
      if (!first) out.push_back(',');
      out.append(extra.substr(1, extra.size() - 2));
    }
    out.append("}\n");
    sink_.RowDone();
  }

  void Flush() override { sink_.Flush(); }
  void End() override { sink_.Flush(); }
  bool failed() const override { return sink_.failed(); }

 private:
  static bool IsObject(std::string_view json) {
    return json.size() >= 2 && json.front() == '{' && json.back() == '}';
  }

  static void AppendValue(const Value& value, std::string* out) {
    switch (value.type) {
      case ValueType::kNull:
        out->append("null");
        return;
      case ValueType::kBool:
        out->append(value.b ? "true" : "false");
        return;
      case ValueType::kInt64:
        AppendInt64(value.i, out);
        return;
      case ValueType::kDouble:
        // JSON has no NaN or infinities (and JSON input cannot produce them): null, still valid JSON.
        if (std::isfinite(value.d)) {
          AppendDouble(value.d, out);
        } else {
          out->append("null");
        }
        return;
      case ValueType::kString:
        AppendJsonString(value.s, out);
        return;
      case ValueType::kTimestamp:
        out->push_back('"');
        AppendTimestamp(value.i, out);
        out->push_back('"');
        return;
      case ValueType::kJson:
        // Stored minified and valid; an empty text (a damaged file) would break the line's syntax.
        if (value.s.empty()) {
          out->append("null");
        } else {
          AppendValidUtf8(value.s, out);
        }
        return;
    }
  }

  OutputSink sink_;
  std::vector<std::string> keys_;  // `"name":`, escaped once
  int extra_column_ = -1;
};

}  // namespace

void AppendJsonString(std::string_view text, std::string* out) {
  out->push_back('"');
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const limit = p + text.size();
  const auto* run = p;  // start of the bytes not yet copied
  while (p < limit) {
    const uint8_t byte_class = kByteClasses[*p];
    if (byte_class == kCopy) {
      ++p;
      continue;
    }
    if (byte_class == kNonAscii) {
      const Utf8Step step = DecodeUtf8(p, limit);
      if (step.valid) {
        p += step.length;
        continue;
      }
      out->append(reinterpret_cast<const char*>(run), static_cast<size_t>(p - run));
      out->append(kReplacementCharacter);
      p += step.length;
      run = p;
      continue;
    }
    out->append(reinterpret_cast<const char*>(run), static_cast<size_t>(p - run));
    AppendEscape(*p, out);
    run = ++p;
  }
  out->append(reinterpret_cast<const char*>(run), static_cast<size_t>(limit - run));
  out->push_back('"');
}

std::unique_ptr<RowWriter> MakeJsonWriter(std::FILE* out) {
  return std::make_unique<JsonWriter>(out);
}

}  // namespace logdaemon::query
