#include "query/expr_printer.h"

#include <charconv>

#include "query/expr_lexer.h"
#include "schema/rfc3339.h"

namespace logdaemon::query::expr {

namespace {

// How tightly each kind binds, for deciding on parentheses.
enum Precedence { kOrLevel = 1, kAndLevel = 2, kNotLevel = 3, kPredicateLevel = 4 };

const char* OperatorText(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return "=";
    case CompareOp::kNe:
      return "!=";
    case CompareOp::kLt:
      return "<";
    case CompareOp::kLe:
      return "<=";
    case CompareOp::kGt:
      return ">";
    case CompareOp::kGe:
      return ">=";
  }
  return "?";
}

void AppendDouble(double d, std::string* out) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, d);
  std::string_view text(buffer, static_cast<size_t>(result.ptr - buffer));
  out->append(text);
  // Keep it a double when read back: "2" would be an integer.
  if (text.find_first_of(".e") == std::string_view::npos) out->append(".0");
}

class Printer {
 public:
  Printer(const Ast& ast, const std::vector<std::string>& column_names) : ast_(ast), names_(column_names) {}

  void Node(int index, int parent_level, std::string* out) const {
    const expr::Node& node = ast_.nodes[static_cast<size_t>(index)];
    switch (node.kind) {
      case NodeKind::kAnd:
      case NodeKind::kOr: {
        const int level = node.kind == NodeKind::kAnd ? kAndLevel : kOrLevel;
        const bool parenthesize = parent_level > level;
        if (parenthesize) out->push_back('(');
        for (size_t i = 0; i < node.children.size(); ++i) {
          if (i > 0) out->append(node.kind == NodeKind::kAnd ? " AND " : " OR ");
          Node(node.children[i], level, out);
        }
        if (parenthesize) out->push_back(')');
        return;
      }
      case NodeKind::kNot: {
        out->append("NOT ");
        const expr::Node& child = ast_.nodes[static_cast<size_t>(node.children[0])];
        const bool reads_as_predicate = child.kind == NodeKind::kNot || child.kind == NodeKind::kTest;
        Node(node.children[0], reads_as_predicate ? kNotLevel : kPredicateLevel + 1, out);
        return;
      }
      default:
        break;
    }
    // A predicate: wrapped only under NOT (parent_level past kPredicateLevel), for the reader.
    const bool parenthesize = parent_level > kPredicateLevel;
    if (parenthesize) out->push_back('(');
    Predicate(node, out);
    if (parenthesize) out->push_back(')');
  }

 private:
  void Predicate(const expr::Node& node, std::string* out) const {
    Operand(node.operands[0], out);
    switch (node.kind) {
      case NodeKind::kCompare:
        out->append(" ").append(OperatorText(node.op)).append(" ");
        Operand(node.operands[1], out);
        return;
      case NodeKind::kIn:
        out->append(node.negated ? " NOT IN (" : " IN (");
        for (size_t i = 1; i < node.operands.size(); ++i) {
          if (i > 1) out->append(", ");
          Operand(node.operands[i], out);
        }
        out->push_back(')');
        return;
      case NodeKind::kLike:
        if (node.negated) out->append(" NOT");
        out->append(node.case_insensitive ? " ILIKE " : " LIKE ");
        Operand(node.operands[1], out);
        if (node.operands.size() > 2) {
          out->append(" ESCAPE ");
          Operand(node.operands[2], out);
        }
        return;
      case NodeKind::kIsNull:
        out->append(node.negated ? " IS NOT NULL" : " IS NULL");
        return;
      default:
        return;  // kTest: the operand alone
    }
  }

  void Operand(int index, std::string* out) const {
    const expr::Operand& operand = ast_.operands[static_cast<size_t>(index)];
    switch (operand.kind) {
      case OperandKind::kLiteral:
        Literal(operand, out);
        return;
      case OperandKind::kReference:
        out->append(QuoteNamePart(operand.path[0].key, true));
        Steps(operand.path, 1, out);
        return;
      case OperandKind::kColumn:
      case OperandKind::kJsonPath:
        out->append(QuoteNamePart(ColumnName(operand.column), true));
        if (operand.kind == OperandKind::kJsonPath) Steps(operand.path, 0, out);
        return;
    }
  }

  std::string ColumnName(int column) const {
    return column >= 0 && static_cast<size_t>(column) < names_.size() ? names_[static_cast<size_t>(column)]
                                                                      : std::string("?");
  }

  static void Steps(const std::vector<PathStep>& path, size_t first, std::string* out) {
    for (size_t i = first; i < path.size(); ++i) {
      const PathStep& step = path[i];
      if (step.bracket) {
        out->append("[").append(std::to_string(step.index)).append("]");
      } else {
        // "0" written quoted names a member only; bare, it would also index an array.
        const bool digits_only = step.key.find_first_not_of("0123456789") == std::string::npos;
        if (step.index < 0 && digits_only && !step.key.empty()) {
          out->append(".\"").append(step.key).append("\"");
        } else {
          out->append(".").append(QuoteNamePart(step.key, false));
        }
      }
    }
  }

  static void Literal(const expr::Operand& operand, std::string* out) {
    const Value& value = operand.literal;
    switch (value.type) {
      case ValueType::kNull:
        out->append("NULL");
        return;
      case ValueType::kBool:
        out->append(value.b ? "TRUE" : "FALSE");
        return;
      case ValueType::kInt64:
        out->append(std::to_string(value.i));
        return;
      case ValueType::kDouble:
        AppendDouble(value.d, out);
        return;
      case ValueType::kString:
      case ValueType::kJson:
        out->append(QuoteString(operand.text));
        return;
      case ValueType::kTimestamp: {
        std::string time;
        schema::AppendRfc3339Micros(value.i, &time);
        out->append(QuoteString(time));
        return;
      }
    }
  }

  const Ast& ast_;
  const std::vector<std::string>& names_;
};

}  // namespace

std::string PrintAst(const Ast& ast, const std::vector<std::string>& column_names) {
  std::string out;
  if (ast.root >= 0) Printer(ast, column_names).Node(ast.root, 0, &out);
  return out;
}

std::string QuoteString(std::string_view text) {
  std::string quoted("'");
  for (char c : text) {
    if (c == '\'') quoted.push_back('\'');
    quoted.push_back(c);
  }
  quoted.push_back('\'');
  return quoted;
}

std::string QuoteNamePart(std::string_view name, bool first) {
  if (IsBareName(name, first)) return std::string(name);
  std::string quoted("\"");
  for (char c : name) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

}  // namespace logdaemon::query::expr
