// `--format csv`: RFC 4180. A header row of the column names, then one record per row, CRLF after each
// (docs/query.md "csv").
//
// - A field is quoted when it holds a comma, a double quote, CR or LF, or when it is an empty string;
//   quotes inside are doubled. A null is an empty, unquoted field, so `""` (empty string) and null stay
//   apart, as DuckDB's and PostgreSQL's CSV readers read them.
// - Timestamps RFC 3339 in UTC, booleans true/false, JSON columns as their (minified) text.
// - Output is valid UTF-8: bytes that are not are replaced by U+FFFD.
//
// Thread-safety: see RowWriter.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "query/output.h"

namespace logdaemon::query {

std::unique_ptr<RowWriter> MakeCsvWriter(std::FILE* out);

// Appends `text` as one CSV field, quoted when it must be.
void AppendCsvField(std::string_view text, std::string* out);

}  // namespace logdaemon::query
