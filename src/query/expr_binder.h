// Bind: a parsed --where expression meets the stored table. Resolves every name to a column (or a path
// into a JSON column, `_extra` for names the schema does not declare), checks that what is compared can
// be compared, turns string literals compared with a timestamp into instants, and prepares IN lists.
// Errors point at the operand at fault ("column 9: cannot compare level (string) with 5 (integer)").
//
// Name rules (docs/query-expressions.md): a name is a column when one has exactly that name, or, written
// without quotes, when exactly one column has it up to ASCII case. `a.b.c` is a path into the JSON column
// `a`; when there is no column `a`, into `_extra` (`user.id` reads `_extra.user.id`). A single name that
// is no column is an error, even when `_extra` could hold it: write `_extra.name`.
//
// Thread-safety: pure function over its arguments.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "logdaemon/status.h"
#include "query/expr_ast.h"
#include "query/value.h"

namespace logdaemon::query::expr {

// The name of the column that holds the fields a schema does not declare (DESIGN.md §4).
inline constexpr std::string_view kExtraColumn = "_extra";

// Completes *ast (parsed from `text`) against `columns`. On error *error_offset gets the byte offset the
// message's location names; *ast is then half bound and must not be used.
Status BindAst(std::string_view text, const std::vector<ColumnInfo>& columns, Ast* ast, size_t* error_offset);

// Parses a string literal compared with a timestamp: RFC 3339 ("2026-01-15T10:00:00Z"; also with a space
// for the T, without seconds, and without an offset, meaning UTC) or a date ("2026-01-15": midnight UTC).
bool ParseTimestampLiteral(std::string_view text, int64_t* micros_utc);

// "string", "integer", "timestamp", …: how a type is named in messages.
std::string_view TypeName(ValueType type);

}  // namespace logdaemon::query::expr
