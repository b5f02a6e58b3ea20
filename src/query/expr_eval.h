// Evaluates a bound --where tree on one row, in SQL's three-valued logic: AND is FALSE as soon as one
// term is FALSE, OR TRUE as soon as one is TRUE, NOT keeps unknown unknown; a comparison with NULL (or
// with values that have no order) is unknown; IN is TRUE on a match, else unknown if NULL is listed, else
// FALSE; IS NULL is never unknown. The walk recurses once per nesting level, which the parser bounds.
//
// Thread-safety: Evaluate reads the tree only; each thread passes its own EvalState.
#pragma once

#include <string>
#include <vector>

#include "query/expr_ast.h"
#include "query/expr_compare.h"
#include "query/expr_json_path.h"
#include "query/expression.h"

namespace logdaemon::query::expr {

// The per-thread memory behind EvalScratch.
struct EvalState {
  JsonPathReader json;
  std::vector<std::string> slots;  // one per JSON operand (Operand::json_slot): the strings read
};

// The truth of `node` for `row`. `state` may be null when no operand reads JSON (then such reads are
// NULL). REQUIRES: state->slots.size() >= ast.json_slots when state is given.
Truth Evaluate(const Ast& ast, int node, const RowView& row, EvalState* state);

}  // namespace logdaemon::query::expr
