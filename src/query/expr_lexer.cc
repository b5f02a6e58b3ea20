#include "query/expr_lexer.h"

#include <array>
#include <cstdio>

#include "query/expr_errors.h"
#include "query/expr_unicode.h"

namespace logdaemon::query::expr {

namespace {

constexpr std::array<std::string_view, 11> kReservedWords = {"AND",    "OR", "NOT",  "IN",   "LIKE", "ILIKE",
                                                             "ESCAPE", "IS", "NULL", "TRUE", "FALSE"};

constexpr bool IsAsciiLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
constexpr bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Quotation marks a word processor or a chat tool puts where the user typed ' or ".
constexpr bool IsCurlyQuote(uint32_t cp) {
  return cp == 0x2018 || cp == 0x2019 || cp == 0x201C || cp == 0x201D;
}

// Non-ASCII code points that may be part of a bare name: letters of any script, but not the Latin-1
// controls and punctuation (no-break space, «, ±…), general punctuation (curly quotes, dashes, the
// Unicode spaces) or CJK punctuation, which are far more likely typos than names.
constexpr bool IsNameCodePoint(uint32_t cp) {
  if (cp & kInvalidByteTag) return false;
  if (cp < 0xC0) return false;
  if (cp == 0xD7 || cp == 0xF7) return false;  // × ÷
  if (cp >= 0x2000 && cp <= 0x206F) return false;
  if (cp >= 0x3000 && cp <= 0x303F) return false;
  if (cp == 0xFEFF) return false;  // byte order mark
  return true;
}

// The length of the name character at p (0 when there is none). `digits` allows 0-9.
int NameCharacterLength(const char* p, const char* end, bool digits) {
  const char c = *p;
  if (IsAsciiLetter(c) || c == '_' || (digits && IsDigit(c))) return 1;
  if (static_cast<unsigned char>(c) < 0x80) return 0;
  uint32_t cp;
  const int length = DecodeUtf8(p, end, &cp);
  return IsNameCodePoint(cp) ? length : 0;
}

std::string CodePointName(uint32_t cp) {
  char buffer[32];
  if (cp & kInvalidByteTag) {
    std::snprintf(buffer, sizeof buffer, "byte 0x%02X (not UTF-8)", static_cast<unsigned>(cp & 0xFF));
  } else if (cp >= 0x21 && cp < 0x7F) {
    std::snprintf(buffer, sizeof buffer, "'%c'", static_cast<char>(cp));
  } else {
    std::snprintf(buffer, sizeof buffer, "U+%04X", static_cast<unsigned>(cp));
  }
  return buffer;
}

class Lexer {
 public:
  Lexer(std::string_view text, std::vector<Token>* tokens) : text_(text), tokens_(tokens) {}

  Status Run(size_t* error_offset) {
    pos_ = 0;
    while (true) {
      while (pos_ < text_.size() && IsSpace(text_[pos_])) ++pos_;
      if (pos_ == text_.size()) break;
      Status status = Next();
      if (!status.ok()) {
        *error_offset = error_offset_;
        return status;
      }
    }
    Token end;
    end.kind = TokenKind::kEnd;
    end.offset = text_.size();
    tokens_->push_back(std::move(end));
    return Status::OK();
  }

 private:
  Status Error(size_t offset, std::string_view message) {
    error_offset_ = offset;
    return Status::InvalidArgument(message);
  }

  void Emit(TokenKind kind, size_t start, std::string text = {}) {
    Token token;
    token.kind = kind;
    token.offset = start;
    token.length = pos_ - start;
    token.text = std::move(text);
    tokens_->push_back(std::move(token));
  }

  bool AfterDot() const { return !tokens_->empty() && tokens_->back().kind == TokenKind::kDot; }

  Status Next() {
    const size_t start = pos_;
    const char c = text_[pos_];
    const char next = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
    switch (c) {
      case '(':
        ++pos_;
        Emit(TokenKind::kLeftParen, start);
        return Status::OK();
      case ')':
        ++pos_;
        Emit(TokenKind::kRightParen, start);
        return Status::OK();
      case ',':
        ++pos_;
        Emit(TokenKind::kComma, start);
        return Status::OK();
      case '.':
        ++pos_;
        Emit(TokenKind::kDot, start);
        return Status::OK();
      case '[':
        ++pos_;
        Emit(TokenKind::kLeftBracket, start);
        return Status::OK();
      case ']':
        ++pos_;
        Emit(TokenKind::kRightBracket, start);
        return Status::OK();
      case '=':
        pos_ += next == '=' ? 2 : 1;
        return EmitOperator(start, CompareOp::kEq);
      case '!':
        if (next != '=') return Error(start, "unexpected '!' (not equal is != or <>)");
        pos_ += 2;
        return EmitOperator(start, CompareOp::kNe);
      case '<':
        if (next == '=') {
          pos_ += 2;
          return EmitOperator(start, CompareOp::kLe);
        }
        if (next == '>') {
          pos_ += 2;
          return EmitOperator(start, CompareOp::kNe);
        }
        ++pos_;
        return EmitOperator(start, CompareOp::kLt);
      case '>':
        if (next == '=') {
          pos_ += 2;
          return EmitOperator(start, CompareOp::kGe);
        }
        ++pos_;
        return EmitOperator(start, CompareOp::kGt);
      case '\'':
        return Quoted(TokenKind::kString, '\'', "string");
      case '"':
        return Quoted(TokenKind::kQuotedName, '"', "quoted name");
      case '`':
        return Quoted(TokenKind::kQuotedName, '`', "quoted name");
      default:
        break;
    }
    if (AfterDot() && NameCharacterLength(text_.data() + pos_, text_.data() + text_.size(), true) > 0) {
      return Word(true);
    }
    if (IsDigit(c) || (c == '-' && IsDigit(next))) return Number();
    if (NameCharacterLength(text_.data() + pos_, text_.data() + text_.size(), false) > 0) return Word(false);

    uint32_t cp;
    DecodeUtf8(text_.data() + pos_, text_.data() + text_.size(), &cp);
    if (IsCurlyQuote(cp)) {
      return Error(start, CodePointName(cp).append(" is a typographic quote: write strings in straight "
                                                   "single quotes ('error'), names in double quotes"));
    }
    return Error(start, std::string("unexpected character ").append(CodePointName(cp)));
  }

  Status EmitOperator(size_t start, CompareOp op) {
    Emit(TokenKind::kOperator, start, std::string(text_.substr(start, pos_ - start)));
    tokens_->back().op = op;
    return Status::OK();
  }

  Status Word(bool digits_first) {
    const size_t start = pos_;
    const char* end = text_.data() + text_.size();
    bool first = true;
    while (pos_ < text_.size()) {
      const int length = NameCharacterLength(text_.data() + pos_, end, digits_first || !first);
      if (length == 0) break;
      pos_ += static_cast<size_t>(length);
      first = false;
    }
    Emit(TokenKind::kWord, start, std::string(text_.substr(start, pos_ - start)));
    return Status::OK();
  }

  Status Number() {
    const size_t start = pos_;
    if (text_[pos_] == '-') ++pos_;
    while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    if (pos_ + 1 < text_.size() && text_[pos_] == '.' && IsDigit(text_[pos_ + 1])) {
      ++pos_;
      while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      size_t p = pos_ + 1;
      if (p < text_.size() && (text_[p] == '+' || text_[p] == '-')) ++p;
      if (p < text_.size() && IsDigit(text_[p])) {
        while (p < text_.size() && IsDigit(text_[p])) ++p;
        pos_ = p;
      }
    }
    if (pos_ < text_.size() &&
        (NameCharacterLength(text_.data() + pos_, text_.data() + text_.size(), true) > 0 ||
         text_[pos_] == '.')) {
      size_t bad_end = pos_;
      while (bad_end < text_.size() && !IsSpace(text_[bad_end]) && text_[bad_end] != ')' &&
             text_[bad_end] != ',' && bad_end - start < 40) {
        ++bad_end;
      }
      return Error(start, std::string("invalid number '")
                              .append(ShownText(text_.substr(start, bad_end - start)))
                              .append("'"));
    }
    Emit(TokenKind::kNumber, start, std::string(text_.substr(start, pos_ - start)));
    return Status::OK();
  }

  // 'string', "name", `name`: a doubled quote is one quote; the content must be valid UTF-8.
  Status Quoted(TokenKind kind, char quote, std::string_view what) {
    const size_t start = pos_;
    ++pos_;
    std::string content;
    while (true) {
      const size_t close = text_.find(quote, pos_);
      if (close == std::string_view::npos) {
        return Error(start, std::string("unterminated ")
                                .append(what)
                                .append(": the ")
                                .append(1, quote)
                                .append(" here is never closed"));
      }
      content.append(text_.substr(pos_, close - pos_));
      pos_ = close + 1;
      if (pos_ < text_.size() && text_[pos_] == quote) {
        content.push_back(quote);
        ++pos_;
        continue;
      }
      break;
    }
    // Report a bad byte where it is in the text: find it again there (escapes only shrink the content).
    if (FindInvalidUtf8(content) != std::string_view::npos) {
      const size_t bad = FindInvalidUtf8(text_.substr(start, pos_ - start));
      return Error(start + bad, std::string("invalid UTF-8 in a ").append(what));
    }
    Emit(kind, start, std::move(content));
    return Status::OK();
  }

  std::string_view text_;
  std::vector<Token>* tokens_;
  size_t pos_ = 0;
  size_t error_offset_ = 0;
};

}  // namespace

Status Tokenize(std::string_view text, std::vector<Token>* tokens, size_t* error_offset) {
  tokens->clear();
  return Lexer(text, tokens).Run(error_offset);
}

bool IsKeyword(std::string_view word, std::string_view keyword) {
  if (word.size() != keyword.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    char c = word[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != keyword[i]) return false;
  }
  return true;
}

bool IsReservedWord(std::string_view word) {
  for (std::string_view reserved : kReservedWords) {
    if (IsKeyword(word, reserved)) return true;
  }
  return false;
}

bool IsBareName(std::string_view name, bool first) {
  if (name.empty()) return false;
  const char* p = name.data();
  const char* end = p + name.size();
  bool at_start = true;
  while (p < end) {
    const int length = NameCharacterLength(p, end, !first || !at_start);
    if (length == 0) return false;
    p += length;
    at_start = false;
  }
  return !first || !IsReservedWord(name);
}

std::string DescribeToken(const Token& token) {
  const auto shorten = [](std::string_view text) { return ShownText(text); };
  switch (token.kind) {
    case TokenKind::kEnd:
      return "end of input";
    case TokenKind::kWord:
    case TokenKind::kNumber:
      return shorten(token.text);
    case TokenKind::kQuotedName:
      return std::string("name \"").append(shorten(token.text)).append("\"");
    case TokenKind::kString:
      return std::string("string '").append(shorten(token.text)).append("'");
    case TokenKind::kLeftParen:
      return "'('";
    case TokenKind::kRightParen:
      return "')'";
    case TokenKind::kComma:
      return "','";
    case TokenKind::kDot:
      return "'.'";
    case TokenKind::kLeftBracket:
      return "'['";
    case TokenKind::kRightBracket:
      return "']'";
    case TokenKind::kOperator:
      return std::string("'").append(token.text).append("'");
  }
  return "?";
}

}  // namespace logdaemon::query::expr
