#include "schema/json_syntax_error.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "schema/ascii.h"

namespace logdaemon::schema {
namespace {

// Offsets. Every error points at the first byte that no valid document could have at that place, so
// that text[0, offset) is always a prefix of some valid document (or is the whole, valid text followed
// by bad content). Where the text simply stops too early, the offset is text.size(). The one exception
// is the depth limit, which points at the bracket that would go one level too deep.

constexpr std::string_view kUnexpectedEnd = "unexpected end of input";
constexpr std::string_view kUnterminatedString = "unterminated string";
constexpr std::string_view kInvalidUnicodeEscape = "invalid \\u escape";
constexpr std::string_view kUnpairedSurrogate = "unpaired surrogate in a \\u escape";
constexpr std::string_view kInvalidUtf8 = "invalid UTF-8";
constexpr std::string_view kInvalidNumber = "invalid number";
constexpr std::string_view kInvalidLiteral = "invalid literal";

bool IsWhitespace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
using ascii::IsDigit;
bool IsLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsPrintableAscii(char c) {
  return c >= 0x20 && c <= 0x7e;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Bytes that can start a value other than a string: used to tell "object keys must be strings"
// (someone wrote {a: 1} or {1: 2}) apart from stray punctuation.
bool CanStartNonStringValue(char c) {
  return IsDigit(c) || IsLetter(c) || c == '-' || c == '[' || c == '{';
}

std::string HexByte(char c) {
  static constexpr char kDigits[] = "0123456789abcdef";
  const auto byte = static_cast<uint8_t>(c);
  return {'0', 'x', kDigits[byte >> 4], kDigits[byte & 0xf]};
}

// "character 'x'" for printable ASCII, "byte 0xff" otherwise: a raw control or non-ASCII byte in a
// message would garble the terminal or the log line it ends up in.
std::string DescribeByte(char c) {
  if (IsPrintableAscii(c)) return std::string("character '") + c + "'";
  return "byte " + HexByte(c);
}

// Which container each open level is, one bit per level (1 = object). The first kInlineLevels levels
// live inside the scanner, so ordinary documents never touch the heap; deeper levels spill into a
// vector that grows with the depth actually reached, which never exceeds max_depth.
class ContainerStack {
 public:
  size_t depth() const { return depth_; }

  void Push(bool is_object) {
    const size_t word = depth_ / 64;
    const uint64_t bit = uint64_t{1} << (depth_ % 64);
    uint64_t& slot = word < kInlineWords ? inline_[word] : Overflow(word - kInlineWords);
    slot = is_object ? (slot | bit) : (slot & ~bit);
    ++depth_;
  }

  // REQUIRES: depth() > 0
  void Pop() { --depth_; }

  // REQUIRES: depth() > 0
  bool TopIsObject() const {
    const size_t level = depth_ - 1;
    const size_t word = level / 64;
    const uint64_t slot = word < kInlineWords ? inline_[word] : overflow_[word - kInlineWords];
    return (slot >> (level % 64)) & 1;
  }

 private:
  static constexpr size_t kInlineWords = 64;  // 4096 levels, 512 bytes

  uint64_t& Overflow(size_t index) {
    if (index == overflow_.size()) overflow_.push_back(0);
    return overflow_[index];
  }

  std::array<uint64_t, kInlineWords> inline_{};
  std::vector<uint64_t> overflow_;
  size_t depth_ = 0;
};

class Scanner {
 public:
  Scanner(std::string_view text, size_t max_depth) : text_(text), max_depth_(max_depth) {}

  JsonSyntaxError Run();

 private:
  // What the grammar allows at the next non-white-space byte.
  enum class Expect {
    kValue,              // a value (top level, after ':' or after ',' in an array)
    kFirstElementOrEnd,  // just after '[': a value or ']'
    kKey,                // after ',' in an object: a string
    kFirstKeyOrEnd,      // just after '{': a string or '}'
    kAfterValue,         // ',' or the closing bracket, or the end of the text at top level
  };

  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return text_[pos_]; }
  void SkipWhitespace() {
    while (!AtEnd() && IsWhitespace(Peek())) ++pos_;
  }

  // All return false after recording the error.
  bool Fail(size_t offset, std::string what);
  bool OpenContainer(bool is_object);
  bool ScanValue();
  bool ScanKey();
  bool ScanString();
  bool ScanEscape();
  bool ScanHexDigits(size_t start, size_t count, bool must_be_low_surrogate);
  bool ScanUtf8Sequence();
  bool ScanNumber();
  bool ScanLiteral(std::string_view word);

  std::string_view text_;
  size_t max_depth_;
  size_t pos_ = 0;
  ContainerStack stack_;
  JsonSyntaxError error_;
};

bool Scanner::Fail(size_t offset, std::string what) {
  error_.found = true;
  error_.offset = offset;
  error_.what = std::move(what);
  return false;
}

JsonSyntaxError Scanner::Run() {
  Expect expect = Expect::kValue;
  // One loop over the text with the nesting kept in stack_, instead of a recursive descent, so that a
  // hostile document nested a million levels deep costs a counter and a bit per level, not a stack frame.
  for (;;) {
    SkipWhitespace();
    switch (expect) {
      case Expect::kFirstElementOrEnd:
        if (!AtEnd() && Peek() == ']') {
          ++pos_;
          stack_.Pop();
          expect = Expect::kAfterValue;
          break;
        }
        [[fallthrough]];
      case Expect::kValue:
        if (AtEnd()) {
          Fail(pos_, stack_.depth() == 0 ? "empty document" : std::string(kUnexpectedEnd));
          return error_;
        }
        if (Peek() == '[' || Peek() == '{') {
          const bool is_object = Peek() == '{';
          if (!OpenContainer(is_object)) return error_;
          expect = is_object ? Expect::kFirstKeyOrEnd : Expect::kFirstElementOrEnd;
        } else {
          if (!ScanValue()) return error_;
          expect = Expect::kAfterValue;
        }
        break;
      case Expect::kFirstKeyOrEnd:
        if (!AtEnd() && Peek() == '}') {
          ++pos_;
          stack_.Pop();
          expect = Expect::kAfterValue;
          break;
        }
        [[fallthrough]];
      case Expect::kKey:
        if (!ScanKey()) return error_;
        expect = Expect::kValue;
        break;
      case Expect::kAfterValue:
        if (stack_.depth() == 0) {
          if (!AtEnd()) Fail(pos_, "trailing content after the JSON value");
          return error_;
        }
        if (AtEnd()) {
          Fail(pos_, std::string(kUnexpectedEnd));
          return error_;
        }
        if (stack_.TopIsObject()) {
          if (Peek() == ',') {
            expect = Expect::kKey;
          } else if (Peek() == '}') {
            stack_.Pop();
          } else {
            Fail(pos_, "expected ',' or '}' after an object member");
            return error_;
          }
        } else {
          if (Peek() == ',') {
            expect = Expect::kValue;
          } else if (Peek() == ']') {
            stack_.Pop();
          } else {
            Fail(pos_, "expected ',' or ']' after an array element");
            return error_;
          }
        }
        ++pos_;
        break;
    }
  }
}

// REQUIRES: Peek() is '[' or '{'
bool Scanner::OpenContainer(bool is_object) {
  if (stack_.depth() >= max_depth_) return Fail(pos_, "nesting deeper than " + std::to_string(max_depth_));
  stack_.Push(is_object);
  ++pos_;
  return true;
}

// A scalar value. REQUIRES: !AtEnd(), Peek() is not '[' or '{'
bool Scanner::ScanValue() {
  const char c = Peek();
  if (c == '"') return ScanString();
  if (c == '-' || IsDigit(c)) return ScanNumber();
  if (c == 't') return ScanLiteral("true");
  if (c == 'f') return ScanLiteral("false");
  if (c == 'n') return ScanLiteral("null");
  return Fail(pos_, "unexpected " + DescribeByte(c));
}

// A member's key and the ':' after it.
bool Scanner::ScanKey() {
  if (AtEnd()) return Fail(pos_, std::string(kUnexpectedEnd));
  if (Peek() != '"') {
    if (CanStartNonStringValue(Peek())) return Fail(pos_, "object keys must be strings");
    return Fail(pos_, "unexpected " + DescribeByte(Peek()));
  }
  if (!ScanString()) return false;
  SkipWhitespace();
  if (AtEnd()) return Fail(pos_, std::string(kUnexpectedEnd));
  if (Peek() != ':') return Fail(pos_, "expected ':' after an object key");
  ++pos_;
  return true;
}

// REQUIRES: Peek() == '"'
bool Scanner::ScanString() {
  ++pos_;
  while (!AtEnd()) {
    const char c = Peek();
    if (c == '"') {
      ++pos_;
      return true;
    }
    if (c == '\\') {
      if (!ScanEscape()) return false;
    } else if (static_cast<uint8_t>(c) < 0x20) {
      // RFC 8259 §7: U+0000 through U+001F must be escaped; U+007F need not be.
      static constexpr char kDigits[] = "0123456789ABCDEF";
      const auto byte = static_cast<uint8_t>(c);
      return Fail(pos_, std::string("control character U+00") + kDigits[byte >> 4] + kDigits[byte & 0xf] +
                            " in a string (must be escaped)");
    } else if (static_cast<uint8_t>(c) >= 0x80) {
      if (!ScanUtf8Sequence()) return false;
    } else {
      ++pos_;
    }
  }
  return Fail(pos_, std::string(kUnterminatedString));
}

// REQUIRES: Peek() == '\\'
bool Scanner::ScanEscape() {
  ++pos_;
  if (AtEnd()) return Fail(pos_, std::string(kUnterminatedString));
  const char c = Peek();
  switch (c) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
      ++pos_;
      return true;
    case 'u':
      break;
    default:
      if (IsPrintableAscii(c)) return Fail(pos_, std::string("invalid escape '\\") + c + "' in a string");
      return Fail(pos_, "invalid escape in a string: byte " + HexByte(c) + " after '\\'");
  }
  ++pos_;
  // A \u escape names a UTF-16 code unit. A low surrogate (DC00-DFFF) may only follow a high one,
  // which is known by its second digit; a high surrogate (D800-DBFF) must be followed by
  // \u and a low surrogate at once.
  const size_t digits = pos_;
  if (!ScanHexDigits(digits, 1, false)) return false;
  const bool starts_with_d = (text_[digits] | 0x20) == 'd';
  if (!ScanHexDigits(digits + 1, 1, false)) return false;
  const int second = HexValue(text_[digits + 1]);
  if (starts_with_d && second >= 0xc) return Fail(digits + 1, std::string(kUnpairedSurrogate));
  if (!ScanHexDigits(digits + 2, 2, false)) return false;
  if (!(starts_with_d && second >= 0x8)) return true;

  if (AtEnd()) return Fail(pos_, std::string(kUnterminatedString));
  if (Peek() != '\\') return Fail(pos_, std::string(kUnpairedSurrogate));
  ++pos_;
  if (AtEnd()) return Fail(pos_, std::string(kUnterminatedString));
  if (Peek() != 'u') return Fail(pos_, std::string(kUnpairedSurrogate));
  ++pos_;
  return ScanHexDigits(pos_, 4, true);
}

// Checks `count` hex digits at `start` (== pos_) and moves past them. With must_be_low_surrogate, the
// digits must spell DC00-DFFF.
bool Scanner::ScanHexDigits(size_t start, size_t count, bool must_be_low_surrogate) {
  for (size_t i = 0; i < count; ++i) {
    if (AtEnd()) return Fail(pos_, std::string(kUnterminatedString));
    const int value = HexValue(Peek());
    if (value < 0) return Fail(pos_, std::string(kInvalidUnicodeEscape));
    if (must_be_low_surrogate && ((pos_ == start && value != 0xd) || (pos_ == start + 1 && value < 0xc))) {
      return Fail(pos_, std::string(kUnpairedSurrogate));
    }
    ++pos_;
  }
  return true;
}

// One multi-byte UTF-8 character (RFC 3629 §4). The second byte's range depends on the first: that
// is what rules out overlong forms (E0, F0), surrogates (ED) and code points above U+10FFFF (F4).
// REQUIRES: Peek() >= 0x80
bool Scanner::ScanUtf8Sequence() {
  const auto lead = static_cast<uint8_t>(Peek());
  size_t tails = 0;
  uint8_t second_min = 0x80;
  uint8_t second_max = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) {
    tails = 1;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    tails = 2;
    if (lead == 0xe0) second_min = 0xa0;
    if (lead == 0xed) second_max = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    tails = 3;
    if (lead == 0xf0) second_min = 0x90;
    if (lead == 0xf4) second_max = 0x8f;
  } else {
    return Fail(pos_, std::string(kInvalidUtf8));  // a stray tail byte, C0/C1 or F5-FF
  }
  ++pos_;
  for (size_t i = 0; i < tails; ++i) {
    if (AtEnd()) return Fail(pos_, std::string(kUnterminatedString));
    const auto byte = static_cast<uint8_t>(Peek());
    const uint8_t min = i == 0 ? second_min : 0x80;
    const uint8_t max = i == 0 ? second_max : 0xbf;
    if (byte < min || byte > max) return Fail(pos_, std::string(kInvalidUtf8));
    ++pos_;
  }
  return true;
}

// number = [ "-" ] int [ frac ] [ exp ]  (RFC 8259 §6). Bytes that look like more of the number
// (a letter, digit, '.', '+' or '-') right after it make "invalid number" rather than a complaint
// about a missing ',' or trailing content: "01", "1.2.3", "0x1f", "1e5e".
bool Scanner::ScanNumber() {
  auto digits = [this]() {
    if (AtEnd() || !IsDigit(Peek())) return false;
    while (!AtEnd() && IsDigit(Peek())) ++pos_;
    return true;
  };
  if (Peek() == '-') ++pos_;
  if (AtEnd()) return Fail(pos_, std::string(kInvalidNumber));
  if (Peek() == '0') {
    ++pos_;  // no leading zeros: a digit after this one is an error, found below
  } else if (!digits()) {
    return Fail(pos_, std::string(kInvalidNumber));
  }
  if (!AtEnd() && Peek() == '.') {
    ++pos_;
    if (!digits()) return Fail(pos_, std::string(kInvalidNumber));
  }
  if (!AtEnd() && (Peek() == 'e' || Peek() == 'E')) {
    ++pos_;
    if (!AtEnd() && (Peek() == '+' || Peek() == '-')) ++pos_;
    if (!digits()) return Fail(pos_, std::string(kInvalidNumber));
  }
  if (!AtEnd() && (IsDigit(Peek()) || IsLetter(Peek()) || Peek() == '.' || Peek() == '+' || Peek() == '-')) {
    return Fail(pos_, std::string(kInvalidNumber));
  }
  return true;
}

// true, false or null, not followed by more letters or digits ("truex", "null1").
bool Scanner::ScanLiteral(std::string_view word) {
  for (char expected : word) {
    if (AtEnd() || Peek() != expected) return Fail(pos_, std::string(kInvalidLiteral));
    ++pos_;
  }
  if (!AtEnd() && (IsLetter(Peek()) || IsDigit(Peek()) || Peek() == '_')) {
    return Fail(pos_, std::string(kInvalidLiteral));
  }
  return true;
}

}  // namespace

JsonSyntaxError FindJsonSyntaxError(std::string_view text, size_t max_depth) {
  return Scanner(text, max_depth).Run();
}

namespace {

// The first number of a syntactically valid text that simdjson cannot represent: an integer beyond
// int64/uint64, or a magnitude beyond a double (1e400). Strings are skipped. npos when there is none.
size_t FindOutOfRangeNumber(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\') ++i;
      }
      continue;
    }
    if (c != '-' && (c < '0' || c > '9')) continue;
    size_t start = i;
    bool integral = true;
    while (i < text.size() && std::string_view("+-.eE0123456789").find(text[i]) != std::string_view::npos) {
      integral &= text[i] != '.' && text[i] != 'e' && text[i] != 'E';
      ++i;
    }
    std::string token(text.substr(start, i - start));
    --i;
    if (integral) {
      bool negative = token[0] == '-';
      std::string_view digits = std::string_view(token).substr(negative ? 1 : 0);
      // -9223372036854775808 … 18446744073709551615
      std::string_view limit = negative ? "9223372036854775808" : "18446744073709551615";
      if (digits.size() > limit.size() || (digits.size() == limit.size() && digits > limit)) return start;
    } else if (std::isinf(std::strtod(token.c_str(), nullptr))) {
      return start;
    }
  }
  return std::string_view::npos;
}

}  // namespace

std::string DescribeJsonSyntaxError(std::string_view text, size_t max_depth, std::string_view fallback) {
  JsonSyntaxError error = FindJsonSyntaxError(text, max_depth);
  if (error.found) return error.what + " at byte " + std::to_string(error.offset);
  if (size_t at = FindOutOfRangeNumber(text); at != std::string_view::npos) {
    return "number out of range (64-bit integers and doubles only) at byte " + std::to_string(at);
  }
  return std::string(fallback);
}

std::string LineAndColumn(std::string_view text, size_t offset) {
  if (offset > text.size()) offset = text.size();
  // Lines end at '\n' only; a '\r' before it counts as a byte of the line, as editors that show
  // byte columns do.
  size_t line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(offset - line_start + 1);
}

}  // namespace logdaemon::schema
