#include "query/expr_binder.h"

#include <algorithm>
#include <string>

#include "query/expr_compare.h"
#include "query/expr_errors.h"
#include "query/expr_lexer.h"
#include "schema/rfc3339.h"
#include "schema/time_units.h"

namespace logdaemon::query::expr {

namespace {

// IN lists longer than this over a plain column are sorted once and binary-searched per row.
constexpr size_t kSortedInListThreshold = 8;

// What an operand's values can be compared with, as far as Bind can tell.
enum class TypeClass { kNull, kDynamic, kNumber, kString, kBool, kTimestamp };

TypeClass ClassOf(ValueType type) {
  switch (type) {
    case ValueType::kNull:
      return TypeClass::kNull;
    case ValueType::kBool:
      return TypeClass::kBool;
    case ValueType::kInt64:
    case ValueType::kDouble:
      return TypeClass::kNumber;
    case ValueType::kString:
      return TypeClass::kString;
    case ValueType::kTimestamp:
      return TypeClass::kTimestamp;
    case ValueType::kJson:
      return TypeClass::kDynamic;
  }
  return TypeClass::kDynamic;
}

TypeClass ClassOf(const Operand& operand) {
  switch (operand.kind) {
    case OperandKind::kLiteral:
      return ClassOf(operand.literal.type);
    case OperandKind::kColumn:
      return ClassOf(operand.column_type);
    case OperandKind::kReference:
    case OperandKind::kJsonPath:
      return TypeClass::kDynamic;
  }
  return TypeClass::kDynamic;
}

class Binder {
 public:
  Binder(std::string_view text, const std::vector<ColumnInfo>& columns, Ast* ast)
      : text_(text), columns_(columns), ast_(ast) {}

  Status Run(size_t* error_offset) {
    Status status = BindAll();
    if (!status.ok()) *error_offset = error_offset_;
    return status;
  }

 private:
  Status Error(size_t offset, std::string_view message) {
    error_offset_ = offset;
    return ErrorAt(text_, offset, message);
  }

  Status BindAll() {
    for (Operand& operand : ast_->operands) {
      Status status = BindName(&operand);
      if (!status.ok()) return status;
    }
    // Nodes were created children first, left to right: the first error reported is the leftmost.
    for (Node& node : ast_->nodes) {
      Status status = CheckNode(&node);
      if (!status.ok()) return status;
    }
    ast_->RepointLiterals();
    for (Node& node : ast_->nodes) {
      if (node.kind == NodeKind::kIn) SortInList(&node);
    }
    return Status::OK();
  }

  // The column named `name`: exactly, or (`any_case`) the only one equal up to ASCII case. -1 if none.
  int FindColumn(std::string_view name, bool any_case) const {
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (columns_[i].name == name) return static_cast<int>(i);
    }
    if (!any_case) return -1;
    int found = -1;
    for (size_t i = 0; i < columns_.size(); ++i) {
      const std::string& column = columns_[i].name;
      if (column.size() != name.size()) continue;
      bool equal = true;
      for (size_t k = 0; k < name.size() && equal; ++k) {
        auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
        equal = lower(column[k]) == lower(name[k]);
      }
      if (!equal) continue;
      if (found >= 0) return -1;  // ambiguous: only the exact spelling names it
      found = static_cast<int>(i);
    }
    return found;
  }

  int ExtraColumn() const {
    const int extra = FindColumn(kExtraColumn, false);
    return extra >= 0 && columns_[static_cast<size_t>(extra)].type == ValueType::kJson ? extra : -1;
  }

  std::string UnknownColumnMessage(std::string_view name, bool is_path) const {
    std::string message("unknown column '");
    message.append(ShownText(name)).append("'");
    if (is_path) {
      message.append(" (and no _extra column holds the fields the schema does not declare)");
      return message;
    }
    message.append("; the columns are: ");
    constexpr size_t kMaxListed = 20;
    for (size_t i = 0; i < columns_.size() && i < kMaxListed; ++i) {
      if (i > 0) message.append(", ");
      message.append(ShownText(columns_[i].name));
    }
    if (columns_.size() > kMaxListed) message.append(", …");
    if (columns_.empty()) message.append("(none)");
    if (ExtraColumn() >= 0) {
      message.append("; a field the schema does not declare is read as _extra.").append(ShownText(name));
    }
    return message;
  }

  Status BindName(Operand* operand) {
    if (operand->kind != OperandKind::kReference) return Status::OK();
    const std::string& first = operand->path.front().key;
    const bool is_path = operand->path.size() > 1;
    int column = FindColumn(first, !operand->first_name_quoted);
    if (column >= 0) {
      const ColumnInfo& info = columns_[static_cast<size_t>(column)];
      if (!is_path) {
        operand->kind = OperandKind::kColumn;
      } else if (info.type == ValueType::kJson) {
        operand->kind = OperandKind::kJsonPath;
        operand->path.erase(operand->path.begin());
      } else {
        return Error(operand->offset, std::string("column ")
                                          .append(ShownText(info.name))
                                          .append(" is ")
                                          .append(TypeName(info.type))
                                          .append(", not JSON: it has no fields to read"));
      }
    } else {
      column = is_path ? ExtraColumn() : -1;
      if (column < 0) return Error(operand->offset, UnknownColumnMessage(first, is_path));
      operand->kind = OperandKind::kJsonPath;  // the whole path is inside _extra
    }
    operand->column = column;
    operand->column_type = columns_[static_cast<size_t>(column)].type;
    if (operand->column_type == ValueType::kJson) operand->json_slot = ast_->json_slots++;
    return Status::OK();
  }

  std::string Describe(const Operand& operand) const {
    std::string described = ShownText(text_.substr(operand.offset, operand.length));
    described.append(" (");
    if (operand.kind == OperandKind::kLiteral) {
      described.append(TypeName(operand.literal.type));
    } else {
      described.append(TypeName(operand.column_type)).append(" column");
    }
    described.append(")");
    return described;
  }

  // Makes `value op other` comparable, converting a string literal compared with a timestamp.
  Status CheckComparable(Operand* value, Operand* other, size_t node_offset) {
    const TypeClass a = ClassOf(*value);
    const TypeClass b = ClassOf(*other);
    if (a == TypeClass::kNull || b == TypeClass::kNull || a == TypeClass::kDynamic ||
        b == TypeClass::kDynamic) {
      return Status::OK();
    }
    if (a == TypeClass::kTimestamp && b == TypeClass::kString && other->kind == OperandKind::kLiteral) {
      return ConvertToTimestamp(other, *value);
    }
    if (b == TypeClass::kTimestamp && a == TypeClass::kString && value->kind == OperandKind::kLiteral) {
      return ConvertToTimestamp(value, *other);
    }
    if (a == b) return Status::OK();
    const size_t offset = other->kind == OperandKind::kLiteral   ? other->offset
                          : value->kind == OperandKind::kLiteral ? value->offset
                                                                 : node_offset;
    std::string message("cannot compare ");
    message.append(Describe(*value)).append(" with ").append(Describe(*other));
    if (a == TypeClass::kTimestamp || b == TypeClass::kTimestamp) {
      message.append(": write a time as a string, '2026-01-15T10:00:00Z' or '2026-01-15'");
    } else if (a == TypeClass::kString || b == TypeClass::kString) {
      message.append(": write text in single quotes");
    }
    return Error(offset, message);
  }

  Status ConvertToTimestamp(Operand* literal, const Operand& column) {
    int64_t micros;
    if (!ParseTimestampLiteral(literal->text, &micros)) {
      return Error(literal->offset,
                   std::string("'")
                       .append(ShownText(literal->text))
                       .append("' is not a time to compare with ")
                       .append(ShownText(text_.substr(column.offset, column.length)))
                       .append(": write RFC 3339 ('2026-01-15T10:00:00Z', '2026-01-15T10:00:00+02:00') or a "
                               "date ('2026-01-15', midnight UTC)"));
    }
    literal->literal = Value::Timestamp(micros);
    return Status::OK();
  }

  Status CheckNode(Node* node) {
    auto operand = [&](size_t i) { return &ast_->operands[static_cast<size_t>(node->operands[i])]; };
    switch (node->kind) {
      case NodeKind::kAnd:
      case NodeKind::kOr:
      case NodeKind::kNot:
      case NodeKind::kIsNull:
        return Status::OK();
      case NodeKind::kCompare:
        return CheckComparable(operand(0), operand(1), node->offset);
      case NodeKind::kIn:
        for (size_t i = 1; i < node->operands.size(); ++i) {
          Status status = CheckComparable(operand(0), operand(i), node->offset);
          if (!status.ok()) return status;
        }
        return Status::OK();
      case NodeKind::kLike: {
        const TypeClass value = ClassOf(*operand(0));
        if (value == TypeClass::kString || value == TypeClass::kDynamic || value == TypeClass::kNull) {
          return Status::OK();
        }
        return Error(operand(0)->offset, std::string(node->case_insensitive ? "ILIKE" : "LIKE")
                                             .append(" matches text, and ")
                                             .append(Describe(*operand(0)))
                                             .append(" is not text"));
      }
      case NodeKind::kTest: {
        const TypeClass value = ClassOf(*operand(0));
        if (value == TypeClass::kBool || value == TypeClass::kDynamic || value == TypeClass::kNull) {
          return Status::OK();
        }
        const Operand& o = *operand(0);
        const std::string shown = ShownText(text_.substr(o.offset, o.length));
        std::string message(shown);
        message.append(" is not a condition (it is ")
            .append(TypeName(o.kind == OperandKind::kLiteral ? o.literal.type : o.column_type))
            .append("): compare it, as in ")
            .append(shown)
            .append(value == TypeClass::kString ? " = '…'" : " = …");
        return Error(o.offset, message);
      }
    }
    return Status::OK();
  }

  void SortInList(Node* node) {
    const Operand& value = ast_->operands[static_cast<size_t>(node->operands[0])];
    std::vector<int> items;
    for (size_t i = 1; i < node->operands.size(); ++i) {
      const int item = node->operands[i];
      if (ast_->operands[static_cast<size_t>(item)].literal.is_null()) {
        node->items_have_null = true;
      } else {
        items.push_back(item);
      }
    }
    // Only a plain column's items are all of one comparable kind (Bind checked each against it).
    if (value.kind != OperandKind::kColumn || value.column_type == ValueType::kJson ||
        items.size() <= kSortedInListThreshold) {
      return;
    }
    std::stable_sort(items.begin(), items.end(), [&](int x, int y) {
      int order = 0;
      OrderValues(ast_->operands[static_cast<size_t>(x)].literal,
                  ast_->operands[static_cast<size_t>(y)].literal, &order);
      return order < 0;
    });
    node->sorted_items = std::move(items);
  }

  std::string_view text_;
  const std::vector<ColumnInfo>& columns_;
  Ast* ast_;
  size_t error_offset_ = 0;
};

}  // namespace

Status BindAst(std::string_view text, const std::vector<ColumnInfo>& columns, Ast* ast,
               size_t* error_offset) {
  ast->json_slots = 0;
  return Binder(text, columns, ast).Run(error_offset);
}

bool ParseTimestampLiteral(std::string_view text, int64_t* micros_utc) {
  if (schema::ParseRfc3339DateTime(text, micros_utc)) return true;
  if (schema::IsRfc3339FullDate(text)) {
    const int year = (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
    const unsigned month = static_cast<unsigned>((text[5] - '0') * 10 + (text[6] - '0'));
    const unsigned day = static_cast<unsigned>((text[8] - '0') * 10 + (text[9] - '0'));
    *micros_utc = schema::DaysFromCivil(year, month, day) * kMicrosPerDay;
    return true;
  }
  // "2026-01-15 10:00:00" (RFC 3339 §5.6 allows the space) and times without an offset (UTC).
  if (text.size() < 16 || text.size() > 64 || (text[10] != ' ' && text[10] != 'T' && text[10] != 't')) {
    return false;
  }
  std::string normalized(text);
  normalized[10] = 'T';
  if (normalized.size() == 16) normalized.append(":00");  // "2026-01-15 10:00": seconds left out
  if (schema::ParseRfc3339DateTime(normalized, micros_utc)) return true;
  normalized.push_back('Z');
  return schema::ParseRfc3339DateTime(normalized, micros_utc);
}

std::string_view TypeName(ValueType type) {
  switch (type) {
    case ValueType::kNull:
      return "NULL";
    case ValueType::kBool:
      return "boolean";
    case ValueType::kInt64:
      return "integer";
    case ValueType::kDouble:
      return "number";
    case ValueType::kString:
      return "string";
    case ValueType::kTimestamp:
      return "timestamp";
    case ValueType::kJson:
      return "JSON";
  }
  return "?";
}

}  // namespace logdaemon::query::expr
