// How two values compare in a --where expression, and SQL's three truth values. Shared by the evaluator
// (per row), the binder (sorting IN lists) and the pruner (against min/max statistics), so that all three
// agree on one order.
//
// The order: integers and doubles compare as numbers, exactly (no rounding of large integers through
// double); strings bytewise, which for UTF-8 is code point order; booleans false < true; timestamps by
// instant. Anything else (a string with a number, a NaN with anything) has no order: the comparison is
// unknown, as with NULL.
//
// Thread-safety: pure functions.
#pragma once

#include <cmath>
#include <cstdint>

#include "query/expr_ast.h"
#include "query/value.h"

namespace logdaemon::query::expr {

enum class Truth : uint8_t { kFalse = 0, kTrue = 1, kUnknown = 2 };

inline Truth Negate(Truth truth) {
  return truth == Truth::kUnknown ? truth : (truth == Truth::kTrue ? Truth::kFalse : Truth::kTrue);
}

inline int Sign(bool less, bool greater) {
  return less ? -1 : (greater ? 1 : 0);
}

// Orders an integer and a double exactly. REQUIRES: d is not NaN.
inline int CompareIntegerWithDouble(int64_t i, double d) {
  constexpr double kTwoTo63 = 9223372036854775808.0;
  if (d >= kTwoTo63) return -1;
  if (d < -kTwoTo63) return 1;
  const double whole = std::trunc(d);  // in [-2^63, 2^63): exactly an int64
  const auto whole_integer = static_cast<int64_t>(whole);
  if (i != whole_integer) return Sign(i<whole_integer, i> whole_integer);
  const double fraction = d - whole;  // exact
  return Sign(fraction > 0, fraction < 0);
}

// Sets *order to <0, 0 or >0 and returns true when a and b are ordered (see the file comment).
inline bool OrderValues(const Value& a, const Value& b, int* order) {
  if (a.type == b.type) {
    switch (a.type) {
      case ValueType::kInt64:
      case ValueType::kTimestamp:
        *order = Sign(a.i<b.i, a.i> b.i);
        return true;
      case ValueType::kDouble:
        if (std::isnan(a.d) || std::isnan(b.d)) return false;
        *order = Sign(a.d<b.d, a.d> b.d);
        return true;
      case ValueType::kString:
        *order = a.s.compare(b.s);
        return true;
      case ValueType::kBool:
        *order = Sign(!a.b && b.b, a.b && !b.b);
        return true;
      case ValueType::kNull:
      case ValueType::kJson:
        return false;
    }
    return false;
  }
  if (a.type == ValueType::kInt64 && b.type == ValueType::kDouble) {
    if (std::isnan(b.d)) return false;
    *order = CompareIntegerWithDouble(a.i, b.d);
    return true;
  }
  if (a.type == ValueType::kDouble && b.type == ValueType::kInt64) {
    if (std::isnan(a.d)) return false;
    *order = -CompareIntegerWithDouble(b.i, a.d);
    return true;
  }
  return false;
}

inline bool OrderSatisfies(CompareOp op, int order) {
  switch (op) {
    case CompareOp::kEq:
      return order == 0;
    case CompareOp::kNe:
      return order != 0;
    case CompareOp::kLt:
      return order < 0;
    case CompareOp::kLe:
      return order <= 0;
    case CompareOp::kGt:
      return order > 0;
    case CompareOp::kGe:
      return order >= 0;
  }
  return false;
}

// `a op b` in three-valued logic: unknown when either is NULL or they have no order.
inline Truth CompareTruth(CompareOp op, const Value& a, const Value& b) {
  int order;
  if (!OrderValues(a, b, &order)) return Truth::kUnknown;
  return OrderSatisfies(op, order) ? Truth::kTrue : Truth::kFalse;
}

}  // namespace logdaemon::query::expr
