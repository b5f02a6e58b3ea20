#include "query/expr_errors.h"

#include <algorithm>

#include "query/expr_unicode.h"

namespace logdaemon::query::expr {

namespace {

// Characters shown before the caret and in all, when a line is too long for a terminal.
constexpr size_t kCaretContextBefore = 60;
constexpr size_t kCaretWindow = 100;

size_t LineStart(std::string_view text, size_t offset) {
  const size_t newline = offset == 0 ? std::string_view::npos : text.rfind('\n', offset - 1);
  return newline == std::string_view::npos ? 0 : newline + 1;
}

size_t CountCharacters(std::string_view text) {
  size_t count = 0;
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    uint32_t cp;
    p += DecodeUtf8(p, end, &cp);
    ++count;
  }
  return count;
}

// Appends the character `cp` (its UTF-8 bytes at p, `length` long) as a terminal should show it.
void AppendShown(uint32_t cp, const char* p, int length, std::string* out) {
  const bool control = cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || (cp & kInvalidByteTag) ||
                       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);  // bidi controls
  if (cp == '\t') {
    out->push_back(' ');
  } else if (control) {
    out->push_back('?');
  } else {
    out->append(p, static_cast<size_t>(length));
  }
}

}  // namespace

std::string DescribeLocation(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  const size_t line_start = LineStart(text, offset);
  const size_t column = CountCharacters(text.substr(line_start, offset - line_start)) + 1;
  std::string location;
  if (text.find('\n') != std::string_view::npos) {
    const size_t line =
        static_cast<size_t>(std::count(text.begin(), text.begin() + static_cast<ptrdiff_t>(offset), '\n')) +
        1;
    location.append("line ").append(std::to_string(line)).append(", ");
  }
  location.append("column ").append(std::to_string(column));
  return location;
}

Status ErrorAt(std::string_view text, size_t offset, std::string_view message) {
  std::string full = DescribeLocation(text, offset);
  full.append(": ").append(message);
  return Status::InvalidArgument(full);
}

std::string RenderCaret(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  const size_t line_start = LineStart(text, offset);
  size_t line_end = text.find('\n', offset);
  if (line_end == std::string_view::npos) line_end = text.size();
  const size_t caret_index = CountCharacters(text.substr(line_start, offset - line_start));
  const size_t first_shown = caret_index > kCaretContextBefore ? caret_index - kCaretContextBefore : 0;

  std::string line = "  ";
  size_t caret_column = 2;  // the indent
  if (first_shown > 0) {
    line.append("…");
    ++caret_column;
  }
  const char* p = text.data() + line_start;
  const char* end = text.data() + line_end;
  size_t index = 0;
  while (p < end) {
    uint32_t cp;
    const int length = DecodeUtf8(p, end, &cp);
    if (index >= first_shown) {
      if (index - first_shown == kCaretWindow) {
        line.append("…");
        break;
      }
      AppendShown(cp, p, length, &line);
    }
    p += length;
    ++index;
  }
  caret_column += caret_index - first_shown;
  line.push_back('\n');
  line.append(caret_column, ' ');
  line.push_back('^');
  return line;
}

std::string ShownText(std::string_view text, size_t max_characters) {
  std::string shown;
  const char* p = text.data();
  const char* end = p + text.size();
  size_t count = 0;
  while (p < end) {
    if (count == max_characters) {
      shown.append("…");
      break;
    }
    uint32_t cp;
    const int length = DecodeUtf8(p, end, &cp);
    AppendShown(cp, p, length, &shown);
    p += length;
    ++count;
  }
  return shown;
}

}  // namespace logdaemon::query::expr
