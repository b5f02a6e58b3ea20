// Prints a --where tree back as text, normalized: keywords in capitals, one space around operators,
// parentheses only where precedence needs them (and around a comparison under NOT, for the reader),
// names bare when they can be and "double quoted" otherwise, strings in single quotes, numbers in their
// shortest exact form. Once bound, names are the resolved ones (`user.id` prints as `_extra.user.id`) and
// times compared with a timestamp print as RFC 3339. The output parses back to the same tree.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "query/expr_ast.h"

namespace logdaemon::query::expr {

// `column_names` is empty before Bind.
std::string PrintAst(const Ast& ast, const std::vector<std::string>& column_names);

// 'text' with quotes doubled.
std::string QuoteString(std::string_view text);
// A name bare when IsBareName allows it (`first`: as the first part of a reference), else "quoted".
std::string QuoteNamePart(std::string_view name, bool first);

}  // namespace logdaemon::query::expr
