#include "query/expression.h"

#include <algorithm>
#include <unordered_map>

#include "query/expr_ast.h"
#include "query/expr_binder.h"
#include "query/expr_errors.h"
#include "query/expr_eval.h"
#include "query/expr_parser.h"
#include "query/expr_printer.h"
#include "query/expr_pruning.h"

namespace logdaemon::query {

namespace {

// Reads `value` for every column: MatchesValue's row of one column.
class SingleValueRow final : public RowView {
 public:
  explicit SingleValueRow(const Value& value) : value_(value) {}
  Value Get(int /*column*/) const override { return value_; }

 private:
  const Value& value_;
};

// Copies the subtree at `node` of `from` into `to`, returning its index there.
int CopySubtree(const expr::Ast& from, int node, expr::Ast* to) {
  expr::Node copy = from.nodes[static_cast<size_t>(node)];
  for (int& child : copy.children) child = CopySubtree(from, child, to);
  std::unordered_map<int, int> renamed;  // operand index in `from` → in `to`
  for (int& operand : copy.operands) {
    to->operands.push_back(from.operands[static_cast<size_t>(operand)]);
    const int copied = static_cast<int>(to->operands.size() - 1);
    renamed[operand] = copied;
    operand = copied;
  }
  for (int& item : copy.sorted_items) item = renamed.at(item);
  to->nodes.push_back(std::move(copy));
  return static_cast<int>(to->nodes.size() - 1);
}

}  // namespace

EvalScratch::EvalScratch() : state_(std::make_unique<expr::EvalState>()) {}
EvalScratch::~EvalScratch() = default;

Expression::Expression() : ast_(std::make_unique<expr::Ast>()) {}
Expression::~Expression() = default;

Result<std::unique_ptr<Expression>> Expression::Parse(std::string_view text, size_t* error_offset) {
  std::unique_ptr<Expression> expression(new Expression());
  expression->text_ = std::string(text);
  size_t offset = 0;
  Status status = expr::ParseExpression(expression->text_, expression->ast_.get(), &offset);
  if (!status.ok()) {
    if (error_offset != nullptr) *error_offset = offset;
    return status;
  }
  return expression;
}

Status Expression::Bind(const std::vector<ColumnInfo>& columns, size_t* error_offset) {
  if (bound_) return Status::InvalidArgument("the expression is already bound");
  size_t offset = 0;
  Status status = expr::BindAst(text_, columns, ast_.get(), &offset);
  if (!status.ok()) {
    if (error_offset != nullptr) *error_offset = offset;
    return status;
  }
  column_names_.clear();
  for (const ColumnInfo& column : columns) column_names_.push_back(column.name);
  referenced_columns_.clear();
  needs_scratch_ = false;
  for (const expr::Operand& operand : ast_->operands) {
    if (operand.kind == expr::OperandKind::kColumn || operand.kind == expr::OperandKind::kJsonPath) {
      referenced_columns_.push_back(operand.column);
      if (operand.json_slot >= 0) needs_scratch_ = true;
    }
  }
  std::sort(referenced_columns_.begin(), referenced_columns_.end());
  referenced_columns_.erase(std::unique(referenced_columns_.begin(), referenced_columns_.end()),
                            referenced_columns_.end());
  bound_ = true;
  return Status::OK();
}

Result<std::unique_ptr<Expression>> Expression::Compile(std::string_view text,
                                                        const std::vector<ColumnInfo>& columns,
                                                        size_t* error_offset) {
  auto expression = Parse(text, error_offset);
  if (!expression.ok()) return expression;
  Status status = (*expression)->Bind(columns, error_offset);
  if (!status.ok()) return status;
  return expression;
}

bool Expression::Matches(const RowView& row, EvalScratch* scratch) const {
  expr::EvalState* state = scratch != nullptr ? scratch->state_.get() : nullptr;
  if (state != nullptr && state->slots.size() < static_cast<size_t>(ast_->json_slots)) {
    state->slots.resize(static_cast<size_t>(ast_->json_slots));
  }
  return expr::Evaluate(*ast_, ast_->root, row, state) == expr::Truth::kTrue;
}

bool Expression::MayMatch(const std::function<const ColumnStats*(int column)>& stats) const {
  return expr::MayMatch(*ast_, stats);
}

bool Expression::IsSingleColumnPredicate(int* column) const {
  int found = -1;
  for (const expr::Operand& operand : ast_->operands) {
    if (operand.kind == expr::OperandKind::kLiteral) continue;
    if (operand.kind != expr::OperandKind::kColumn || operand.column_type == ValueType::kJson) return false;
    if (found >= 0 && operand.column != found) return false;
    found = operand.column;
  }
  if (found < 0) return false;
  *column = found;
  return true;
}

bool Expression::MatchesValue(const Value& value) const {
  return expr::Evaluate(*ast_, ast_->root, SingleValueRow(value), nullptr) == expr::Truth::kTrue;
}

std::vector<std::unique_ptr<Expression>> Expression::Conjuncts() const {
  std::vector<int> terms;
  const expr::Node& root = ast_->nodes[static_cast<size_t>(ast_->root)];
  if (root.kind == expr::NodeKind::kAnd) {
    terms = root.children;
  } else {
    terms.push_back(ast_->root);
  }
  std::vector<std::unique_ptr<Expression>> conjuncts;
  for (int term : terms) {
    std::unique_ptr<Expression> conjunct(new Expression());
    conjunct->text_ = text_;
    conjunct->ast_->root = CopySubtree(*ast_, term, conjunct->ast_.get());
    conjunct->ast_->json_slots = ast_->json_slots;
    conjunct->ast_->RepointLiterals();
    conjunct->bound_ = bound_;
    conjunct->column_names_ = column_names_;
    for (const expr::Operand& operand : conjunct->ast_->operands) {
      if (operand.kind == expr::OperandKind::kColumn || operand.kind == expr::OperandKind::kJsonPath) {
        conjunct->referenced_columns_.push_back(operand.column);
        if (operand.json_slot >= 0) conjunct->needs_scratch_ = true;
      }
    }
    auto& referenced = conjunct->referenced_columns_;
    std::sort(referenced.begin(), referenced.end());
    referenced.erase(std::unique(referenced.begin(), referenced.end()), referenced.end());
    conjuncts.push_back(std::move(conjunct));
  }
  return conjuncts;
}

std::string Expression::ToString() const {
  return expr::PrintAst(*ast_, column_names_);
}

std::string RenderErrorCaret(std::string_view text, size_t error_offset) {
  return expr::RenderCaret(text, error_offset);
}

std::string FormatExpressionError(std::string_view option, std::string_view text, const Status& status,
                                  size_t error_offset) {
  std::string message(option);
  message.append(": ").append(status.message()).append("\n").append(expr::RenderCaret(text, error_offset));
  return message;
}

std::string QuoteStringLiteral(std::string_view text) {
  return expr::QuoteString(text);
}

std::string QuoteName(std::string_view name) {
  return expr::QuoteNamePart(name, true);
}

}  // namespace logdaemon::query
