#include "query/output_table.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "query/output_sink.h"

namespace logdaemon::query {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr std::string_view kEllipsis = "…";
constexpr std::string_view kColumnGap = "  ";
constexpr std::string_view kBold = "\x1b[1m";
constexpr std::string_view kReset = "\x1b[0m";

// The SGR sequence for a level's colour, or "" for none.
std::string_view LevelColor(std::string_view level) {
  char lower[16];
  if (level.empty() || level.size() > sizeof lower) return {};
  for (size_t i = 0; i < level.size(); ++i) {
    const char c = level[i];
    lower[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  const std::string_view name(lower, level.size());
  if (name == "error" || name == "err") return "\x1b[31m";
  if (name == "fatal" || name == "critical" || name == "crit" || name == "panic" || name == "alert" ||
      name == "emergency" || name == "emerg") {
    return "\x1b[1;31m";
  }
  if (name == "warn" || name == "warning") return "\x1b[33m";
  if (name == "info" || name == "notice") return "\x1b[32m";
  if (name == "debug" || name == "trace") return "\x1b[2m";
  return {};
}

bool IsRightAligned(ValueType type) {
  return type == ValueType::kInt64 || type == ValueType::kDouble;
}

// Appends the text of a value that is never cut (numbers, booleans, timestamps): ASCII, so its width
// is its length. Returns that width.
size_t AppendScalar(const Value& value, std::string* out) {
  const size_t start = out->size();
  switch (value.type) {
    case ValueType::kBool:
      out->append(value.b ? "true" : "false");
      break;
    case ValueType::kInt64:
      AppendInt64(value.i, out);
      break;
    case ValueType::kDouble:
      AppendDouble(value.d, out);
      break;
    case ValueType::kTimestamp:
      AppendTimestamp(value.i, out);
      break;
    case ValueType::kNull:
    case ValueType::kString:
    case ValueType::kJson:
      break;
  }
  return out->size() - start;
}

// A cell's printable text and width; text may be cut to `max_width` (strings and JSON only).
size_t AppendCell(const Value& value, size_t max_width, std::string* out) {
  if (value.type == ValueType::kString || value.type == ValueType::kJson) {
    return AppendTerminalText(value.s, max_width, out);
  }
  return AppendScalar(value, out);
}

class TableWriter final : public RowWriter {
 public:
  TableWriter(const OutputOptions& options, std::FILE* out)
      : sink_(out),
        color_(options.color),
        level_column_(options.level_column),
        sample_rows_(options.table_sample_rows),
        max_width_(std::max<size_t>(options.table_max_column_width, 1)) {}

  void Begin(const std::vector<ColumnInfo>& columns) override {
    columns_.clear();
    sampled_rows_ = 0;
    sampled_cells_.clear();
    sample_text_.clear();
    for (const ColumnInfo& info : columns) {
      Column column;
      column.header_width = AppendTerminalText(info.name, max_width_, &column.header);
      column.width = column.header_width;
      column.right_aligned = IsRightAligned(info.type);
      columns_.push_back(std::move(column));
    }
    sampling_ = sample_rows_ > 0;
    if (!sampling_) PrintSample();
  }

  void Row(std::span<const Value> values) override {
    if (sink_.failed() || columns_.empty()) return;
    if (sampling_) {
      Sample(values);
      return;
    }
    std::string& out = sink_.buffer();
    const size_t line_start = out.size();
    for (size_t c = 0; c < columns_.size(); ++c) {
      const Value value = c < values.size() ? values[c] : Value::Null();
      cell_.clear();
      const size_t width = AppendCell(value, columns_[c].width, &cell_);
      AppendAlignedCell(c, cell_, width, &out);
    }
    EndLine(line_start, &out);
    sink_.RowDone();
  }

  void Flush() override {
    if (sampling_) PrintSample();
    sink_.Flush();
  }

  void End() override { Flush(); }

  bool failed() const override { return sink_.failed(); }

 private:
  struct Column {
    std::string header;  // the name, safe and cut like any text
    size_t header_width = 0;
    size_t width = 0;  // display columns, header included
    bool right_aligned = false;
  };

  // A held-back cell: its text in sample_text_.
  struct SampledCell {
    size_t offset;
    size_t length;
    size_t width;
  };

  void Sample(std::span<const Value> values) {
    for (size_t c = 0; c < columns_.size(); ++c) {
      const Value value = c < values.size() ? values[c] : Value::Null();
      const size_t offset = sample_text_.size();
      const size_t width = AppendCell(value, max_width_, &sample_text_);
      sampled_cells_.push_back({offset, sample_text_.size() - offset, width});
      // Only what may be cut bounds the width: a long number or timestamp overflows its column instead.
      columns_[c].width = std::max(columns_[c].width, std::min(width, max_width_));
    }
    if (++sampled_rows_ >= sample_rows_) PrintSample();
  }

  // The widths are final: the header and the held-back rows go out, and the rows after them stream.
  void PrintSample() {
    sampling_ = false;
    // At least one column wide, so that a later value in a column of nulls still shows as "…".
    for (Column& column : columns_) column.width = std::max<size_t>(column.width, 1);
    PrintHeader();
    std::string& out = sink_.buffer();
    const size_t column_count = columns_.size();
    for (size_t row = 0; row < sampled_rows_ && !sink_.failed(); ++row) {
      const size_t line_start = out.size();
      for (size_t c = 0; c < column_count; ++c) {
        const SampledCell& cell = sampled_cells_[row * column_count + c];
        const std::string_view text(sample_text_.data() + cell.offset, cell.length);
        AppendAlignedCell(c, text, cell.width, &out);
      }
      EndLine(line_start, &out);
      sink_.RowDone();
    }
    // Held-back rows are not needed again: give their memory back.
    std::vector<SampledCell>().swap(sampled_cells_);
    std::string().swap(sample_text_);
  }

  void PrintHeader() {
    if (columns_.empty() || sink_.failed()) return;
    std::string& out = sink_.buffer();
    if (color_) out.append(kBold);
    const size_t line_start = out.size();
    for (size_t c = 0; c < columns_.size(); ++c) {
      AppendPadded(c, columns_[c].header, columns_[c].header_width, &out);
    }
    TrimLine(line_start, &out);
    if (color_) out.append(kReset);
    out.push_back('\n');
    for (size_t c = 0; c < columns_.size(); ++c) {
      if (c > 0) out.append(kColumnGap);
      out.append(columns_[c].width, '-');
    }
    out.push_back('\n');
    sink_.RowDone();
  }

  // Drops the padding of the empty cells at the end of a line.
  static void TrimLine(size_t line_start, std::string* out) {
    size_t end = out->size();
    while (end > line_start && (*out)[end - 1] == ' ') --end;
    out->resize(end);
  }

  static void EndLine(size_t line_start, std::string* out) {
    TrimLine(line_start, out);
    out->push_back('\n');
  }

  // A cell: its separator, padding to the column's width, and its level colour.
  void AppendAlignedCell(size_t c, std::string_view text, size_t width, std::string* out) {
    const std::string_view color =
        color_ && static_cast<int>(c) == level_column_ ? LevelColor(text) : std::string_view();
    if (color.empty()) {
      AppendPadded(c, text, width, out);
      return;
    }
    // Colour codes around the text only, so that they take no room in the alignment.
    scratch_.clear();
    scratch_.append(color);
    scratch_.append(text);
    scratch_.append(kReset);
    AppendPadded(c, scratch_, width, out);
  }

  void AppendPadded(size_t c, std::string_view text, size_t width, std::string* out) const {
    const Column& column = columns_[c];
    if (c > 0) out->append(kColumnGap);
    const size_t padding = column.width > width ? column.width - width : 0;
    const bool last = c + 1 == columns_.size();
    if (column.right_aligned) out->append(padding, ' ');
    out->append(text);
    if (!column.right_aligned && !last) out->append(padding, ' ');
  }

  OutputSink sink_;
  const bool color_;
  const int level_column_;
  const size_t sample_rows_;
  const size_t max_width_;

  std::vector<Column> columns_;
  bool sampling_ = false;
  size_t sampled_rows_ = 0;
  std::vector<SampledCell> sampled_cells_;  // row-major
  std::string sample_text_;
  std::string cell_;     // the current cell's text
  std::string scratch_;  // the current cell with its colour codes
};

}  // namespace

size_t AppendTerminalText(std::string_view text, size_t max_width, std::string* out) {
  const size_t start = out->size();
  size_t width = 0;
  // The longest prefix that leaves room for "…", where a cut would go.
  size_t keep_size = start;
  size_t keep_width = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const limit = p + text.size();
  char piece[8];
  while (p < limit) {
    // One code point becomes one piece: its bytes, an escape, or U+FFFD.
    std::string_view shown;
    size_t shown_width;
    if (*p >= 0x20 && *p < 0x7f) {
      piece[0] = static_cast<char>(*p);
      shown = std::string_view(piece, 1);
      shown_width = 1;
      ++p;
    } else if (*p < 0x80) {
      const unsigned char byte = *p++;
      if (byte == '\t') {
        shown = " ";
      } else if (byte == '\n') {
        shown = "\\n";
      } else if (byte == '\r') {
        shown = "\\r";
      } else {
        piece[0] = '\\';
        piece[1] = 'x';
        piece[2] = kHexDigits[byte >> 4];
        piece[3] = kHexDigits[byte & 0xf];
        shown = std::string_view(piece, 4);
      }
      shown_width = shown.size();
    } else {
      const Utf8Step step = DecodeUtf8(p, limit);
      if (!step.valid) {
        shown = kReplacementCharacter;
        shown_width = 1;
      } else if (step.code_point < 0xA0) {
        // C1 controls (U+0080-U+009F): some terminals act on them as they do on ESC sequences.
        piece[0] = '\\';
        piece[1] = 'u';
        piece[2] = '0';
        piece[3] = '0';
        piece[4] = kHexDigits[step.code_point >> 4];
        piece[5] = kHexDigits[step.code_point & 0xf];
        shown = std::string_view(piece, 6);
        shown_width = 6;
      } else {
        shown = std::string_view(reinterpret_cast<const char*>(p), step.length);
        shown_width = static_cast<size_t>(CodePointDisplayWidth(step.code_point));
      }
      p += step.length;
    }
    if (shown_width > max_width - width) {
      out->resize(keep_size);
      if (max_width == 0) return 0;
      out->append(kEllipsis);
      return keep_width + 1;
    }
    out->append(shown);
    width += shown_width;
    if (width < max_width) {
      keep_size = out->size();
      keep_width = width;
    }
  }
  return width;
}

std::unique_ptr<RowWriter> MakeTableWriter(const OutputOptions& options, std::FILE* out) {
  return std::make_unique<TableWriter>(options, out);
}

}  // namespace logdaemon::query
