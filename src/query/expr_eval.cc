#include "query/expr_eval.h"

#include <span>

namespace logdaemon::query::expr {

namespace {

// The value of `operand` in `row`: a literal, a column, or what a JSON path reads.
inline Value OperandValue(const Operand& operand, const RowView& row, EvalState* state) {
  switch (operand.kind) {
    case OperandKind::kLiteral:
      return operand.literal;
    case OperandKind::kColumn: {
      Value value = row.Get(operand.column);
      if (operand.column_type != ValueType::kJson) return value;
      if (value.type != ValueType::kJson && value.type != ValueType::kString) return value;
      if (state == nullptr) return Value::Null();
      return state->json.Read(value.s, {}, &state->slots[static_cast<size_t>(operand.json_slot)]);
    }
    case OperandKind::kJsonPath: {
      const Value value = row.Get(operand.column);
      if ((value.type != ValueType::kJson && value.type != ValueType::kString) || state == nullptr) {
        return Value::Null();
      }
      return state->json.Read(value.s, std::span<const PathStep>(operand.path),
                              &state->slots[static_cast<size_t>(operand.json_slot)]);
    }
    case OperandKind::kReference:
      return Value::Null();  // unbound: not reached after Bind
  }
  return Value::Null();
}

const Operand& OperandAt(const Ast& ast, const Node& node, size_t i) {
  return ast.operands[static_cast<size_t>(node.operands[i])];
}

Truth EvaluateIn(const Ast& ast, const Node& node, const RowView& row, EvalState* state) {
  const Value value = OperandValue(OperandAt(ast, node, 0), row, state);
  if (value.is_null()) return Truth::kUnknown;
  bool unknown = node.items_have_null;
  if (!node.sorted_items.empty()) {
    size_t low = 0;
    size_t high = node.sorted_items.size();
    while (low < high) {
      const size_t middle = low + (high - low) / 2;
      int order;
      if (!OrderValues(value, ast.operands[static_cast<size_t>(node.sorted_items[middle])].literal, &order)) {
        return Truth::kUnknown;  // a value of another type than the column's (not from a well-typed scan)
      }
      if (order == 0) return Truth::kTrue;
      if (order < 0) {
        high = middle;
      } else {
        low = middle + 1;
      }
    }
    return unknown ? Truth::kUnknown : Truth::kFalse;
  }
  for (size_t i = 1; i < node.operands.size(); ++i) {
    const Value& item = OperandAt(ast, node, i).literal;
    int order;
    if (OrderValues(value, item, &order)) {
      if (order == 0) return Truth::kTrue;
    } else {
      unknown = true;
    }
  }
  return unknown ? Truth::kUnknown : Truth::kFalse;
}

}  // namespace

Truth Evaluate(const Ast& ast, int index, const RowView& row, EvalState* state) {
  const Node& node = ast.nodes[static_cast<size_t>(index)];
  switch (node.kind) {
    case NodeKind::kAnd: {
      Truth result = Truth::kTrue;
      for (int child : node.children) {
        const Truth truth = Evaluate(ast, child, row, state);
        if (truth == Truth::kFalse) return Truth::kFalse;
        if (truth == Truth::kUnknown) result = Truth::kUnknown;
      }
      return result;
    }
    case NodeKind::kOr: {
      Truth result = Truth::kFalse;
      for (int child : node.children) {
        const Truth truth = Evaluate(ast, child, row, state);
        if (truth == Truth::kTrue) return Truth::kTrue;
        if (truth == Truth::kUnknown) result = Truth::kUnknown;
      }
      return result;
    }
    case NodeKind::kNot:
      return Negate(Evaluate(ast, node.children[0], row, state));
    case NodeKind::kCompare: {
      const Value left = OperandValue(OperandAt(ast, node, 0), row, state);
      if (left.is_null()) return Truth::kUnknown;
      const Value right = OperandValue(OperandAt(ast, node, 1), row, state);
      return CompareTruth(node.op, left, right);
    }
    case NodeKind::kIn: {
      const Truth truth = EvaluateIn(ast, node, row, state);
      return node.negated ? Negate(truth) : truth;
    }
    case NodeKind::kLike: {
      const Value value = OperandValue(OperandAt(ast, node, 0), row, state);
      if (value.type != ValueType::kString) return Truth::kUnknown;  // NULL, or JSON that is not text
      const bool matches = node.like.Matches(value.s);
      return matches != node.negated ? Truth::kTrue : Truth::kFalse;
    }
    case NodeKind::kIsNull: {
      const bool is_null = OperandValue(OperandAt(ast, node, 0), row, state).is_null();
      return is_null != node.negated ? Truth::kTrue : Truth::kFalse;
    }
    case NodeKind::kTest: {
      const Value value = OperandValue(OperandAt(ast, node, 0), row, state);
      if (value.type != ValueType::kBool) return Truth::kUnknown;
      return value.b ? Truth::kTrue : Truth::kFalse;
    }
  }
  return Truth::kUnknown;
}

}  // namespace logdaemon::query::expr
