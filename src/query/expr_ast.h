// The syntax tree of a --where expression, as the parser builds it and the binder completes it: nodes
// (conditions) and operands (literals and names) in two flat vectors, children by index. Shared by the
// parser, binder, evaluator, pruner and printer (expr_*.cc); users see only query/expression.h.
//
// Thread-safety: plain data; immutable once bound, then read concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "query/expr_like.h"
#include "query/value.h"

namespace logdaemon::query::expr {

// Deepest nesting of parentheses and NOTs the parser accepts: every recursive walk of the tree (evaluate,
// prune, print) then stays far from the stack's limit, whatever the input.
constexpr int kMaxNestingDepth = 256;

enum class CompareOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };

enum class NodeKind : uint8_t {
  kAnd,      // children: two or more
  kOr,       // children: two or more
  kNot,      // children: one
  kCompare,  // operands: left, right
  kIn,       // operands: the value, then the listed literals
  kLike,     // operands: the value, the pattern literal, [the ESCAPE literal]
  kIsNull,   // operands: one
  kTest,     // a bare operand used as a condition (a boolean column): operands: one
};

// One step of a path into a JSON value.
struct PathStep {
  std::string key;       // the name as written, unescaped
  int64_t index = -1;    // >= 0 when the step can index an array: all digits, or [N]
  bool bracket = false;  // written [N]: indexes arrays only, never names an object member
};

enum class OperandKind : uint8_t {
  kLiteral,
  kReference,  // a name as written, before Bind: path[0] is the first name
  kColumn,     // after Bind: a column of the table
  kJsonPath,   // after Bind: a path into a JSON column (`column`), path holds the steps inside it
};

struct Operand {
  OperandKind kind = OperandKind::kLiteral;
  size_t offset = 0;  // where it is written, for messages
  size_t length = 0;

  // kLiteral. A string literal's bytes live in `text` and literal.s views them (Ast::RepointLiterals).
  Value literal;
  std::string text;
  bool is_float_spelling = false;  // a number written with '.' or an exponent

  // kReference / kJsonPath.
  std::vector<PathStep> path;
  bool first_name_quoted = false;

  // kColumn / kJsonPath.
  int column = -1;
  ValueType column_type = ValueType::kNull;
  int json_slot = -1;  // scratch slot for the value read from JSON (kJsonPath, or a kJson column)
};

struct Node {
  NodeKind kind = NodeKind::kAnd;
  CompareOp op = CompareOp::kEq;
  bool negated = false;           // NOT IN, NOT LIKE, NOT ILIKE, IS NOT NULL
  bool case_insensitive = false;  // ILIKE
  size_t offset = 0;              // the operator, for messages
  std::vector<int> children;
  std::vector<int> operands;

  // After Bind.
  LikePattern like;               // kLike
  std::vector<int> sorted_items;  // kIn over a plain column: the non-null items, ordered; else empty
  bool items_have_null = false;   // kIn: NULL is listed (then the result is never FALSE)
};

struct Ast {
  std::vector<Node> nodes;
  std::vector<Operand> operands;
  int root = -1;
  int json_slots = 0;  // after Bind

  // Points every string literal's Value at its own `text`: after building or copying the vectors (a
  // string's bytes move with it when it is short).
  void RepointLiterals() {
    for (Operand& operand : operands) {
      if (operand.kind == OperandKind::kLiteral && operand.literal.type == ValueType::kString) {
        operand.literal.s = operand.text;
      }
    }
  }
};

}  // namespace logdaemon::query::expr
