#include "query/output_csv.h"

#include <algorithm>
#include <vector>

#include "query/output_sink.h"

namespace logdaemon::query {

namespace {

// What a field needs beyond a plain copy.
struct FieldScan {
  bool needs_quotes = false;
  bool valid_utf8 = true;
};

FieldScan ScanField(std::string_view text) {
  FieldScan scan;
  scan.needs_quotes = text.empty();
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const limit = p + text.size();
  while (p < limit) {
    const unsigned char byte = *p;
    if (byte < 0x80) {
      if (byte == ',' || byte == '"' || byte == '\r' || byte == '\n') scan.needs_quotes = true;
      ++p;
      continue;
    }
    const Utf8Step step = DecodeUtf8(p, limit);
    if (!step.valid) scan.valid_utf8 = false;
    p += step.length;
  }
  return scan;
}

class CsvWriter final : public RowWriter {
 public:
  explicit CsvWriter(std::FILE* out) : sink_(out) {}

  void Begin(const std::vector<ColumnInfo>& columns) override {
    column_count_ = columns.size();
    if (sink_.failed() || columns.empty()) return;
    std::string& out = sink_.buffer();
    for (size_t c = 0; c < columns.size(); ++c) {
      if (c > 0) out.push_back(',');
      AppendCsvField(columns[c].name, &out);
    }
    out.append("\r\n");
    sink_.RowDone();
  }

  void Row(std::span<const Value> values) override {
    if (sink_.failed() || column_count_ == 0) return;
    std::string& out = sink_.buffer();
    const size_t count = std::min(values.size(), column_count_);
    for (size_t c = 0; c < count; ++c) {
      if (c > 0) out.push_back(',');
      AppendValue(values[c], &out);
    }
    out.append("\r\n");
    sink_.RowDone();
  }

  void Flush() override { sink_.Flush(); }
  void End() override { sink_.Flush(); }
  bool failed() const override { return sink_.failed(); }

 private:
  static void AppendValue(const Value& value, std::string* out) {
    switch (value.type) {
      case ValueType::kNull:
        return;  // an empty, unquoted field
      case ValueType::kBool:
        out->append(value.b ? "true" : "false");
        return;
      case ValueType::kInt64:
        AppendInt64(value.i, out);
        return;
      case ValueType::kDouble:
        AppendDouble(value.d, out);
        return;
      case ValueType::kTimestamp:
        AppendTimestamp(value.i, out);
        return;
      case ValueType::kString:
      case ValueType::kJson:
        AppendCsvField(value.s, out);
        return;
    }
  }

  OutputSink sink_;
  size_t column_count_ = 0;
};

}  // namespace

void AppendCsvField(std::string_view text, std::string* out) {
  const FieldScan scan = ScanField(text);
  if (!scan.needs_quotes) {
    if (scan.valid_utf8) {
      out->append(text);
    } else {
      AppendValidUtf8(text, out);
    }
    return;
  }
  out->push_back('"');
  size_t run = 0;  // start of the bytes not yet copied
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '"') continue;
    AppendValidUtf8(text.substr(run, i + 1 - run), out);  // up to and including the quote …
    out->push_back('"');                                  // … which is doubled
    run = i + 1;
  }
  AppendValidUtf8(text.substr(run), out);
  out->push_back('"');
}

std::unique_ptr<RowWriter> MakeCsvWriter(std::FILE* out) {
  return std::make_unique<CsvWriter>(out);
}

}  // namespace logdaemon::query
