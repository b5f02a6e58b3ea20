#include "query/expr_pruning.h"

#include "query/expr_compare.h"

namespace logdaemon::query::expr {

namespace {

// A set of truth values.
using Outcomes = uint8_t;
constexpr Outcomes kCanBeFalse = 1;
constexpr Outcomes kCanBeTrue = 2;
constexpr Outcomes kCanBeUnknown = 4;
constexpr Outcomes kAnything = kCanBeFalse | kCanBeTrue | kCanBeUnknown;

Outcomes SwapTrueFalse(Outcomes set) {
  Outcomes swapped = set & kCanBeUnknown;
  if (set & kCanBeTrue) swapped |= kCanBeFalse;
  if (set & kCanBeFalse) swapped |= kCanBeTrue;
  return swapped;
}

Outcomes TrueFalse(bool can_be_true, bool can_be_false) {
  return static_cast<Outcomes>((can_be_true ? kCanBeTrue : 0) | (can_be_false ? kCanBeFalse : 0));
}

// {a AND b : a in x, b in y}.
Outcomes And(Outcomes x, Outcomes y) {
  if (x == 0 || y == 0) return 0;
  Outcomes result = 0;
  if ((x & kCanBeTrue) && (y & kCanBeTrue)) result |= kCanBeTrue;
  if ((x & kCanBeFalse) || (y & kCanBeFalse)) result |= kCanBeFalse;
  if (((x & kCanBeUnknown) && (y & (kCanBeTrue | kCanBeUnknown))) ||
      ((y & kCanBeUnknown) && (x & (kCanBeTrue | kCanBeUnknown)))) {
    result |= kCanBeUnknown;
  }
  return result;
}

// {a OR b : a in x, b in y}.
Outcomes Or(Outcomes x, Outcomes y) {
  return SwapTrueFalse(And(SwapTrueFalse(x), SwapTrueFalse(y)));  // De Morgan holds in Kleene logic
}

// What an operand can be on the rows of the group.
struct Range {
  bool may_be_null = true;
  bool may_have_value = true;
  bool bounded = false;  // low and high bound every non-null value
  bool dynamic = false;  // read from JSON: its type is only known per row
  Value low;
  Value high;
};

class Pruner {
 public:
  Pruner(const Ast& ast, const std::function<const ColumnStats*(int)>& stats) : ast_(ast), stats_(stats) {}

  Outcomes Node(int index) const {
    const expr::Node& node = ast_.nodes[static_cast<size_t>(index)];
    switch (node.kind) {
      case NodeKind::kAnd: {
        Outcomes result = kCanBeTrue;
        for (int child : node.children) result = And(result, Node(child));
        return result;
      }
      case NodeKind::kOr: {
        Outcomes result = kCanBeFalse;
        for (int child : node.children) result = Or(result, Node(child));
        return result;
      }
      case NodeKind::kNot:
        return SwapTrueFalse(Node(node.children[0]));
      case NodeKind::kCompare:
        return Compare(node.op, RangeOf(node.operands[0]), RangeOf(node.operands[1]));
      case NodeKind::kIn: {
        const Outcomes in = In(node);
        return node.negated ? SwapTrueFalse(in) : in;
      }
      case NodeKind::kLike: {
        const Outcomes like = Like(node);
        return node.negated ? SwapTrueFalse(like) : like;
      }
      case NodeKind::kIsNull: {
        const Range range = RangeOf(node.operands[0]);
        if (!range.may_be_null && !range.may_have_value) return 0;
        // A JSON value may read as NULL (a JSON null, a missing path) even where the column is not null.
        const bool can_be_null = range.may_be_null || range.dynamic;
        const Outcomes is_null = TrueFalse(can_be_null, range.may_have_value);
        return node.negated ? SwapTrueFalse(is_null) : is_null;
      }
      case NodeKind::kTest:
        return Test(RangeOf(node.operands[0]));
    }
    return kAnything;
  }

 private:
  Range RangeOf(int operand_index) const {
    const Operand& operand = ast_.operands[static_cast<size_t>(operand_index)];
    Range range;
    if (operand.kind == OperandKind::kLiteral) {
      range.may_be_null = operand.literal.is_null();
      range.may_have_value = !range.may_be_null;
      range.bounded = range.may_have_value;
      range.low = range.high = operand.literal;
      return range;
    }
    range.dynamic = operand.kind == OperandKind::kJsonPath || operand.column_type == ValueType::kJson;
    const ColumnStats* stats = operand.column >= 0 ? stats_(operand.column) : nullptr;
    if (stats == nullptr) return range;
    if (stats->num_rows == 0) {
      range.may_be_null = range.may_have_value = false;
      return range;
    }
    if (stats->null_count >= 0) {
      range.may_be_null = stats->null_count > 0;
      range.may_have_value = stats->num_rows < 0 || stats->null_count < stats->num_rows;
    }
    if (range.dynamic) {
      // Whatever the JSON text holds: any type, or NULL.
      range.may_be_null = true;
      return range;
    }
    int order;
    if (stats->has_min_max && OrderValues(stats->min, stats->max, &order) && order <= 0) {
      range.bounded = true;
      range.low = stats->min;
      range.high = stats->max;
    }
    return range;
  }

  // Whether x < y, x <= y, … may hold for some x in a, y in b. `unsure` when the bounds have no order.
  static bool Less(const Value& x, const Value& y, bool or_equal, bool* unsure) {
    int order;
    if (!OrderValues(x, y, &order)) {
      *unsure = true;
      return true;
    }
    return or_equal ? order <= 0 : order < 0;
  }

  static Outcomes Compare(CompareOp op, const Range& a, const Range& b) {
    if ((!a.may_be_null && !a.may_have_value) || (!b.may_be_null && !b.may_have_value)) return 0;
    Outcomes result = (a.may_be_null || b.may_be_null || a.dynamic || b.dynamic) ? kCanBeUnknown : 0;
    if (!a.may_have_value || !b.may_have_value) return result;
    if (!a.bounded || !b.bounded) return result | kCanBeTrue | kCanBeFalse;
    bool unsure = false;
    Outcomes compared = 0;
    switch (op) {
      case CompareOp::kLt:  // true for some pair iff a.low < b.high; false iff a.high >= b.low
        compared = TrueFalse(Less(a.low, b.high, false, &unsure), Less(b.low, a.high, true, &unsure));
        break;
      case CompareOp::kLe:
        compared = TrueFalse(Less(a.low, b.high, true, &unsure), Less(b.low, a.high, false, &unsure));
        break;
      case CompareOp::kGt:
        compared = TrueFalse(Less(b.low, a.high, false, &unsure), Less(a.low, b.high, true, &unsure));
        break;
      case CompareOp::kGe:
        compared = TrueFalse(Less(b.low, a.high, true, &unsure), Less(a.low, b.high, false, &unsure));
        break;
      case CompareOp::kEq:
      case CompareOp::kNe: {
        const bool overlap = Less(a.low, b.high, true, &unsure) && Less(b.low, a.high, true, &unsure);
        const bool all_equal = !unsure && SingleValue(a) && SingleValue(b) && Equal(a.low, b.low);
        compared = TrueFalse(overlap, !all_equal);
        if (op == CompareOp::kNe) compared = SwapTrueFalse(compared);
        break;
      }
    }
    return result | (unsure ? kCanBeTrue | kCanBeFalse | kCanBeUnknown : compared);
  }

  static bool Equal(const Value& x, const Value& y) {
    int order;
    return OrderValues(x, y, &order) && order == 0;
  }
  static bool SingleValue(const Range& range) { return range.bounded && Equal(range.low, range.high); }

  Outcomes In(const expr::Node& node) const {
    const Range value = RangeOf(node.operands[0]);
    if (!value.may_be_null && !value.may_have_value) return 0;
    Outcomes result = (value.may_be_null || value.dynamic || node.items_have_null) ? kCanBeUnknown : 0;
    if (!value.may_have_value) return result;
    // Not found is FALSE, or UNKNOWN when NULL is listed.
    const bool can_miss_as_false = !node.items_have_null;
    if (!value.bounded) return result | TrueFalse(true, can_miss_as_false);
    bool can_hit = false;
    bool single_value_listed = false;
    for (size_t i = 1; i < node.operands.size(); ++i) {
      const Value& item = ast_.operands[static_cast<size_t>(node.operands[i])].literal;
      if (item.is_null()) continue;
      bool unsure = false;
      if (Less(value.low, item, true, &unsure) && Less(item, value.high, true, &unsure)) can_hit = true;
      if (unsure) return kAnything;
      if (SingleValue(value) && Equal(value.low, item)) single_value_listed = true;
    }
    return result | TrueFalse(can_hit, can_miss_as_false && !single_value_listed);
  }

  Outcomes Like(const expr::Node& node) const {
    const Range value = RangeOf(node.operands[0]);
    if (!value.may_be_null && !value.may_have_value) return 0;
    const Outcomes result = (value.may_be_null || value.dynamic) ? kCanBeUnknown : 0;
    if (!value.may_have_value) return result;
    bool can_match = true;
    if (!node.case_insensitive && value.bounded && value.low.type == ValueType::kString &&
        value.high.type == ValueType::kString) {
      const std::string& prefix = node.like.required_prefix();
      if (node.like.is_exact()) {
        can_match = value.low.s <= prefix && prefix <= value.high.s;
      } else if (!prefix.empty()) {
        // The texts starting with `prefix` are [prefix, prefix + anything): they meet [low, high] iff
        // high >= prefix and (low <= prefix or low itself starts with prefix).
        can_match = value.high.s >= prefix && (value.low.s <= prefix || value.low.s.starts_with(prefix));
      }
    }
    return result | TrueFalse(can_match, true);
  }

  static Outcomes Test(const Range& value) {
    if (!value.may_be_null && !value.may_have_value) return 0;
    Outcomes result = (value.may_be_null || value.dynamic) ? kCanBeUnknown : 0;
    if (!value.may_have_value) return result;
    if (value.bounded && value.low.type == ValueType::kBool && value.high.type == ValueType::kBool) {
      return result | TrueFalse(value.high.b, !value.low.b);
    }
    return result | kCanBeTrue | kCanBeFalse;
  }

  const Ast& ast_;
  const std::function<const ColumnStats*(int)>& stats_;
};

}  // namespace

bool MayMatch(const Ast& ast, const std::function<const ColumnStats*(int column)>& stats) {
  if (ast.root < 0) return true;
  return (Pruner(ast, stats).Node(ast.root) & kCanBeTrue) != 0;
}

}  // namespace logdaemon::query::expr
