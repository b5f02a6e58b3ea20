// Row-group pruning for a bound --where tree: from each column's min, max, null count and row count,
// the set of truth values each condition can take on some row of the group (a subset of TRUE, FALSE,
// UNKNOWN); the group can be skipped when TRUE is not in the root's set.
//
// Each leaf's set is over-approximated from its operands' ranges: a literal is one value; a column is
// [min, max] plus NULL when null_count says it may hold one; a JSON path is anything (or only NULL when
// its column is null in every row). NOT swaps TRUE and FALSE (so a leaf must report FALSE faithfully,
// not just TRUE); AND and OR combine their children's sets as if independent, which over-approximates
// again. Values outside the order (NaN) only ever make a leaf UNKNOWN, and since TRUE at the root
// survives replacing any UNKNOWN leaf by TRUE or FALSE (Kleene logic is monotone), ignoring them is safe.
//
// Thread-safety: pure function.
#pragma once

#include <functional>

#include "query/expr_ast.h"
#include "query/expression.h"

namespace logdaemon::query::expr {

// False only when no row described by `stats` can make `ast` TRUE.
bool MayMatch(const Ast& ast, const std::function<const ColumnStats*(int column)>& stats);

}  // namespace logdaemon::query::expr
