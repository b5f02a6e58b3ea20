#include "query/expr_parser.h"

#include <charconv>
#include <string>
#include <utility>
#include <vector>

#include "query/expr_errors.h"
#include "query/expr_lexer.h"
#include "query/expr_unicode.h"

namespace logdaemon::query::expr {

namespace {

class Parser {
 public:
  Parser(std::string_view text, std::vector<Token> tokens, Ast* ast)
      : text_(text), tokens_(std::move(tokens)), ast_(ast) {}

  Status Run(size_t* error_offset) {
    Status status = ParseAll();
    if (!status.ok()) *error_offset = error_offset_;
    return status;
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    const size_t i = std::min(next_ + ahead, tokens_.size() - 1);  // the last token is kEnd
    return tokens_[i];
  }
  const Token& Take() {
    const Token& token = tokens_[next_];
    if (next_ + 1 < tokens_.size()) ++next_;
    return token;
  }
  bool PeekKeyword(std::string_view keyword, size_t ahead = 0) const {
    const Token& token = Peek(ahead);
    return token.kind == TokenKind::kWord && IsKeyword(token.text, keyword);
  }

  Status Error(size_t offset, std::string_view message) {
    error_offset_ = offset;
    return ErrorAt(text_, offset, message);
  }
  // "expected <what>, got <the next token>", at the next token.
  Status Expected(std::string_view what) {
    std::string message("expected ");
    message.append(what).append(", got ").append(DescribeToken(Peek()));
    return Error(Peek().offset, message);
  }

  int AddNode(NodeKind kind, size_t offset) {
    Node node;
    node.kind = kind;
    node.offset = offset;
    ast_->nodes.push_back(std::move(node));
    return static_cast<int>(ast_->nodes.size() - 1);
  }

  Status Deeper(size_t offset) {
    if (++depth_ > kMaxNestingDepth) {
      return Error(offset, std::string("the expression nests parentheses and NOTs more than ")
                               .append(std::to_string(kMaxNestingDepth))
                               .append(" deep"));
    }
    return Status::OK();
  }

  Status ParseAll() {
    if (Peek().kind == TokenKind::kEnd) return Error(0, "the expression is empty");
    int root;
    Status status = ParseOr(&root);
    if (!status.ok()) return status;
    if (Peek().kind == TokenKind::kRightParen) return Error(Peek().offset, "')' without a matching '('");
    if (Peek().kind != TokenKind::kEnd) return Expected("AND, OR or the end of the expression");
    ast_->root = root;
    return Status::OK();
  }

  // A chain of `keyword`-separated terms: one node of `kind` when there are two or more.
  template <typename ParseTerm>
  Status ParseChain(std::string_view keyword, NodeKind kind, int* node, ParseTerm parse_term) {
    int first;
    Status status = (this->*parse_term)(&first);
    if (!status.ok()) return status;
    if (!PeekKeyword(keyword)) {
      *node = first;
      return Status::OK();
    }
    std::vector<int> children{first};
    const size_t offset = Peek().offset;
    while (PeekKeyword(keyword)) {
      Take();
      int term;
      status = (this->*parse_term)(&term);
      if (!status.ok()) return status;
      children.push_back(term);
    }
    *node = AddNode(kind, offset);
    ast_->nodes[static_cast<size_t>(*node)].children = std::move(children);
    return Status::OK();
  }

  Status ParseOr(int* node) { return ParseChain("OR", NodeKind::kOr, node, &Parser::ParseAnd); }
  Status ParseAnd(int* node) { return ParseChain("AND", NodeKind::kAnd, node, &Parser::ParseNot); }

  // NOT NOT … predicate, without recursing once per NOT.
  Status ParseNot(int* node) {
    std::vector<size_t> not_offsets;
    while (PeekKeyword("NOT")) {
      not_offsets.push_back(Peek().offset);
      Status status = Deeper(Peek().offset);
      if (!status.ok()) return status;
      Take();
    }
    Status status = ParsePredicate(node);
    if (!status.ok()) return status;
    for (size_t i = not_offsets.size(); i-- > 0;) {
      const int negation = AddNode(NodeKind::kNot, not_offsets[i]);
      ast_->nodes[static_cast<size_t>(negation)].children = {*node};
      *node = negation;
    }
    depth_ -= static_cast<int>(not_offsets.size());
    return Status::OK();
  }

  Status ParsePredicate(int* node) {
    if (Peek().kind == TokenKind::kLeftParen) {
      const size_t open = Peek().offset;
      Status status = Deeper(open);
      if (!status.ok()) return status;
      Take();
      status = ParseOr(node);
      if (!status.ok()) return status;
      if (Peek().kind != TokenKind::kRightParen) {
        return Expected(std::string("')' to close the '(' at ").append(DescribeLocation(text_, open)));
      }
      Take();
      --depth_;
      return Status::OK();
    }

    int left;
    Status status = ParseOperand(&left, "a condition");
    if (!status.ok()) return status;
    const Token& token = Peek();
    if (token.kind == TokenKind::kOperator) {
      Take();
      int right;
      status = ParseOperand(&right, std::string("a value after '").append(token.text).append("'"));
      if (!status.ok()) return status;
      *node = AddNode(NodeKind::kCompare, token.offset);
      Node& compare = ast_->nodes[static_cast<size_t>(*node)];
      compare.op = token.op;
      compare.operands = {left, right};
      return Status::OK();
    }
    bool negated = false;
    if (PeekKeyword("NOT")) {
      if (!PeekKeyword("IN", 1) && !PeekKeyword("LIKE", 1) && !PeekKeyword("ILIKE", 1)) {
        Take();
        return Expected("IN, LIKE or ILIKE after NOT");
      }
      Take();
      negated = true;
    }
    if (PeekKeyword("IN")) return ParseIn(left, negated, node);
    if (PeekKeyword("LIKE") || PeekKeyword("ILIKE")) return ParseLike(left, negated, node);
    if (PeekKeyword("IS")) return ParseIs(left, node);
    if (Peek().kind == TokenKind::kEnd || Peek().kind == TokenKind::kRightParen || PeekKeyword("AND") ||
        PeekKeyword("OR")) {
      // A bare operand: a condition by itself when it is boolean (checked by Bind).
      *node = AddNode(NodeKind::kTest, ast_->operands[static_cast<size_t>(left)].offset);
      ast_->nodes[static_cast<size_t>(*node)].operands = {left};
      return Status::OK();
    }
    const Operand& operand = ast_->operands[static_cast<size_t>(left)];
    return Expected(std::string("an operator (= != < <= > >= IN LIKE ILIKE IS) after ")
                        .append(ShownText(text_.substr(operand.offset, operand.length))));
  }

  Status ParseIn(int value, bool negated, int* node) {
    const size_t offset = Take().offset;
    if (Peek().kind != TokenKind::kLeftParen) return Expected("'(' after IN");
    Take();
    std::vector<int> operands{value};
    while (true) {
      int item;
      if (!IsLiteralStart(Peek())) return Expected("a literal value in the IN list");
      Status status = ParseOperand(&item, "a literal value in the IN list");
      if (!status.ok()) return status;
      operands.push_back(item);
      if (Peek().kind == TokenKind::kComma) {
        Take();
        continue;
      }
      if (Peek().kind == TokenKind::kRightParen) {
        Take();
        break;
      }
      return Expected("',' or ')' in the IN list");
    }
    *node = AddNode(NodeKind::kIn, offset);
    Node& in = ast_->nodes[static_cast<size_t>(*node)];
    in.negated = negated;
    in.operands = std::move(operands);
    return Status::OK();
  }

  Status ParseLike(int value, bool negated, int* node) {
    const Token& keyword = Take();
    const bool case_insensitive = IsKeyword(keyword.text, "ILIKE");
    const std::string name = case_insensitive ? "ILIKE" : "LIKE";
    if (Peek().kind != TokenKind::kString)
      return Expected(std::string("a 'pattern' string after ").append(name));
    const size_t pattern_offset = Peek().offset;
    int pattern;
    Status status = ParseOperand(&pattern, "a pattern");
    if (!status.ok()) return status;
    std::vector<int> operands{value, pattern};
    uint32_t escape = 0;
    if (PeekKeyword("ESCAPE")) {
      Take();
      if (Peek().kind != TokenKind::kString) return Expected("a one-character string after ESCAPE");
      const Token& escape_token = Peek();
      uint32_t cp = 0;
      const std::string& e = escape_token.text;
      const int length = e.empty() ? 0 : DecodeUtf8(e.data(), e.data() + e.size(), &cp);
      if (e.empty() || static_cast<size_t>(length) != e.size()) {
        return Error(escape_token.offset, "ESCAPE takes exactly one character");
      }
      escape = cp;
      int escape_operand;
      status = ParseOperand(&escape_operand, "an escape character");
      if (!status.ok()) return status;
      operands.push_back(escape_operand);
    }
    *node = AddNode(NodeKind::kLike, keyword.offset);
    Node& like = ast_->nodes[static_cast<size_t>(*node)];
    like.negated = negated;
    like.case_insensitive = case_insensitive;
    like.operands = std::move(operands);
    std::string error;
    if (!like.like.Compile(ast_->operands[static_cast<size_t>(pattern)].text, case_insensitive, escape,
                           &error)) {
      return Error(pattern_offset, error);
    }
    return Status::OK();
  }

  Status ParseIs(int value, int* node) {
    const size_t offset = Take().offset;
    bool negated = false;
    if (PeekKeyword("NOT")) {
      Take();
      negated = true;
    }
    if (!PeekKeyword("NULL")) return Expected(negated ? "NULL after IS NOT" : "NULL or NOT NULL after IS");
    Take();
    *node = AddNode(NodeKind::kIsNull, offset);
    Node& is_null = ast_->nodes[static_cast<size_t>(*node)];
    is_null.negated = negated;
    is_null.operands = {value};
    return Status::OK();
  }

  static bool IsLiteralStart(const Token& token) {
    return token.kind == TokenKind::kString || token.kind == TokenKind::kNumber ||
           (token.kind == TokenKind::kWord &&
            (IsKeyword(token.text, "TRUE") || IsKeyword(token.text, "FALSE") ||
             IsKeyword(token.text, "NULL")));
  }

  Status ParseOperand(int* index, std::string_view what) {
    const Token& token = Peek();
    Operand operand;
    operand.offset = token.offset;
    switch (token.kind) {
      case TokenKind::kString:
        operand.literal = Value::String({});
        operand.text = token.text;
        break;
      case TokenKind::kNumber: {
        Status status = ParseNumber(token, &operand);
        if (!status.ok()) return status;
        break;
      }
      case TokenKind::kWord:
        if (IsKeyword(token.text, "TRUE") || IsKeyword(token.text, "FALSE")) {
          operand.literal = Value::Bool(IsKeyword(token.text, "TRUE"));
        } else if (IsKeyword(token.text, "NULL")) {
          operand.literal = Value::Null();
        } else if (IsReservedWord(token.text)) {
          return Expected(what);
        } else {
          return ParseReference(index);
        }
        break;
      case TokenKind::kQuotedName:
        return ParseReference(index);
      default:
        return Expected(what);
    }
    Take();
    operand.length = token.length;
    ast_->operands.push_back(std::move(operand));
    *index = static_cast<int>(ast_->operands.size() - 1);
    return Status::OK();
  }

  Status ParseNumber(const Token& token, Operand* operand) {
    const std::string& spelling = token.text;
    const char* begin = spelling.data();
    const char* end = begin + spelling.size();
    operand->text = spelling;
    operand->is_float_spelling = spelling.find_first_of(".eE") != std::string::npos;
    if (!operand->is_float_spelling) {
      int64_t integer;
      const auto [ptr, ec] = std::from_chars(begin, end, integer);
      if (ec == std::errc() && ptr == end) {
        operand->literal = Value::Int64(integer);
        return Status::OK();
      }
      // Too large for a 64-bit integer: it still compares as a number.
    }
    double number;
    const auto [ptr, ec] = std::from_chars(begin, end, number);
    if (ec != std::errc() || ptr != end) {
      return Error(token.offset, std::string("number out of range: ").append(ShownText(spelling)));
    }
    operand->literal = Value::Double(number);
    return Status::OK();
  }

  // name { '.' step | '[' index ']' }
  Status ParseReference(int* index) {
    const Token& first = Take();
    Operand operand;
    operand.kind = OperandKind::kReference;
    operand.offset = first.offset;
    operand.first_name_quoted = first.kind == TokenKind::kQuotedName;
    operand.path.push_back(PathStep{first.text, -1, false});
    size_t end = first.offset + first.length;
    while (true) {
      if (Peek().kind == TokenKind::kDot) {
        Take();
        const Token& step = Peek();
        if (step.kind != TokenKind::kWord && step.kind != TokenKind::kQuotedName) {
          return Expected("a field name after '.'");
        }
        Take();
        PathStep path_step{step.text, -1, false};
        if (step.kind == TokenKind::kWord) path_step.index = ArrayIndex(step.text);
        operand.path.push_back(std::move(path_step));
        end = step.offset + step.length;
      } else if (Peek().kind == TokenKind::kLeftBracket) {
        Take();
        const Token& number = Peek();
        const int64_t array_index = number.kind == TokenKind::kNumber ? ArrayIndex(number.text) : -1;
        if (array_index < 0) return Expected("an array index (0, 1, …) after '['");
        Take();
        if (Peek().kind != TokenKind::kRightBracket) return Expected("']' after the array index");
        end = Take().offset + 1;
        operand.path.push_back(PathStep{number.text, array_index, true});
      } else {
        break;
      }
    }
    operand.length = end - operand.offset;
    ast_->operands.push_back(std::move(operand));
    *index = static_cast<int>(ast_->operands.size() - 1);
    return Status::OK();
  }

  // The array index spelled by `text` (decimal digits only), or -1.
  static int64_t ArrayIndex(std::string_view text) {
    if (text.empty() || text.size() > 18) return -1;
    int64_t value = 0;
    for (char c : text) {
      if (c < '0' || c > '9') return -1;
      value = value * 10 + (c - '0');
    }
    return value;
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  Ast* ast_;
  size_t next_ = 0;
  int depth_ = 0;
  size_t error_offset_ = 0;
};

}  // namespace

Status ParseExpression(std::string_view text, Ast* ast, size_t* error_offset) {
  *ast = Ast();
  std::vector<Token> tokens;
  size_t lex_error_offset = 0;
  Status status = Tokenize(text, &tokens, &lex_error_offset);
  if (!status.ok()) {
    *error_offset = lex_error_offset;
    return ErrorAt(text, lex_error_offset, status.message());
  }
  status = Parser(text, std::move(tokens), ast).Run(error_offset);
  if (!status.ok()) return status;
  ast->RepointLiterals();
  return Status::OK();
}

}  // namespace logdaemon::query::expr
