// The tokens of a --where expression. The whole text is cut once, up front; an error carries the byte
// offset where it was found (query/expr_errors.h turns it into "column N").
//
// Words: [A-Za-z_] or a non-ASCII letter, then also digits; keywords are words compared without case.
// After a '.', a word may start with a digit (`tags.0`). "Double" and `back` quotes make names of any
// text (a doubled quote inside is one quote). 'Strings' double a quote the same way. Numbers: an optional
// '-', digits, an optional fraction and exponent. Operators: = == != <> < <= > >=, and ( ) , . [ ].
//
// Thread-safety: pure function.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "logdaemon/status.h"
#include "query/expr_ast.h"

namespace logdaemon::query::expr {

enum class TokenKind : uint8_t {
  kEnd,
  kWord,        // a name or a keyword
  kQuotedName,  // "name" or `name`
  kString,      // 'text'
  kNumber,
  kLeftParen,
  kRightParen,
  kComma,
  kDot,
  kLeftBracket,
  kRightBracket,
  kOperator,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  size_t offset = 0;  // in bytes
  size_t length = 0;
  std::string text;  // kString, kQuotedName: unescaped; otherwise the spelling
  CompareOp op = CompareOp::kEq;
};

// Cuts `text` into tokens, ending with one kEnd at text.size(). On error returns it and sets
// *error_offset.
Status Tokenize(std::string_view text, std::vector<Token>* tokens, size_t* error_offset);

// True when `word` is the keyword `keyword` (upper case ASCII), compared without case.
bool IsKeyword(std::string_view word, std::string_view keyword);

// True when `word` is one of the language's reserved words (AND, OR, NOT, IN, LIKE, ILIKE, ESCAPE, IS,
// NULL, TRUE, FALSE): a column with such a name must be quoted.
bool IsReservedWord(std::string_view word);

// True when `name` can be written without quotes as a first name (`first`) or as a later path step.
bool IsBareName(std::string_view name, bool first);

// How a token is named in a message: end of input, AND, '=', string 'abc', 42.
std::string DescribeToken(const Token& token);

}  // namespace logdaemon::query::expr
