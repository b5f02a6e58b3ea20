// The --where grammar (docs/query-expressions.md), by recursive descent over the tokens of expr_lexer.h:
//
//   expression := or
//   or         := and { OR and }
//   and        := not { AND not }
//   not        := { NOT } predicate
//   predicate  := '(' expression ')'
//               | operand [ compare_op operand
//                         | [NOT] IN '(' literal { ',' literal } ')'
//                         | [NOT] (LIKE | ILIKE) string [ESCAPE string]
//                         | IS [NOT] NULL ]
//   operand    := literal | name { '.' step | '[' integer ']' }
//   literal    := string | number | TRUE | FALSE | NULL
//
// Chains of AND and OR become one node with many children (no recursion per term); parentheses and NOTs
// nest at most expr::kMaxNestingDepth deep, so no input can exhaust the stack. Names are not resolved
// here (that is Bind's job): the result is syntax only.
//
// Thread-safety: pure function.
#pragma once

#include <cstddef>
#include <string_view>

#include "logdaemon/status.h"
#include "query/expr_ast.h"

namespace logdaemon::query::expr {

// Parses `text` into *ast. An error's message starts with its location ("column 9: ..."), and
// *error_offset gets its byte offset.
Status ParseExpression(std::string_view text, Ast* ast, size_t* error_offset);

}  // namespace logdaemon::query::expr
