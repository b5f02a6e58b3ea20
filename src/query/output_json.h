// `--format json`: JSON lines (https://jsonlines.org), one object per row, that give back the logs as
// they were sent (docs/query.md "json").
//
// - Keys are the column names, in column order; values keep their type: strings, numbers, booleans;
//   timestamps as RFC 3339 strings in UTC; JSON columns embedded as stored (minified JSON).
// - A null is left out: the log did not have the field (or had it as JSON null).
// - `_extra`, the object of properties the schema does not declare, is merged into the row: its members
//   follow the other columns, wherever `_extra` stands among the columns. A value of `_extra` that is not
//   an object is written as an ordinary "_extra" member.
// - Output is valid UTF-8: bytes that are not are replaced by U+FFFD. Strings are escaped as RFC 8259
//   requires (", \ and U+0000-U+001F), nothing more.
//
// Thread-safety: see RowWriter.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "query/output.h"

namespace logdaemon::query {

std::unique_ptr<RowWriter> MakeJsonWriter(std::FILE* out);

// Appends `text` as a JSON string, quotes included.
void AppendJsonString(std::string_view text, std::string* out);

}  // namespace logdaemon::query
