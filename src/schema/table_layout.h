// The table a schema maps to (DESIGN.md §4): which column each top-level property becomes, its type,
// REQUIRED or OPTIONAL, the `_extra` column for undeclared properties, and the time field. Decided from
// the compiled root schema, so `$ref`s and `definitions` are already followed.
//
// Thread-safety: pure function.
#pragma once

#include <string_view>

#include "logdaemon/schema.h"
#include "schema/compiled_schema.h"

namespace logdaemon::schema {

// Errors: the root does not accept objects, a property is named `_extra`, an explicit time field is
// missing or is not a date-time string.
Result<TableLayout> BuildTableLayout(const CompiledSchema& schema, std::string_view time_field,
                                     bool time_field_explicit);

}  // namespace logdaemon::schema
