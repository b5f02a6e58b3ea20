// `--format table`, the default: a header, a rule, and one line per row in aligned columns, for people
// (docs/query.md "table"). Programs should read json or csv.
//
// - Widths: the first OutputOptions::table_sample_rows rows are held back (copied: Values are views) and
//   measured; the header and those rows are then printed, and every later row is printed at once with the
//   same widths. A column is at most table_max_column_width display columns wide (code points; East Asian
//   wide characters count two, combining marks none); longer text is cut and ends in "…". Numbers,
//   booleans and timestamps are never cut: one wider than its column pushes the rest of its line right.
// - Numbers are right-aligned; the last column is not padded (no trailing spaces).
// - Text is made safe for a terminal: tab becomes a space; newline, carriage return and the other C0
//   controls and DEL are shown escaped (\n, \r, \x1b); C1 controls as \u0085; bytes that are not UTF-8 as
//   U+FFFD. A log line can never move the cursor or change colours.
// - Null is an empty cell. Timestamps RFC 3339 in UTC, JSON columns as their minified text.
// - With colours: the header bold, the level column's value red (error; bold for fatal, critical,
//   panic, alert, emergency), yellow (warn, warning), green (info, notice) or dim (debug, trace), any case.
//
// Thread-safety: see RowWriter.
#pragma once

#include <cstddef>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "query/output.h"

namespace logdaemon::query {

std::unique_ptr<RowWriter> MakeTableWriter(const OutputOptions& options, std::FILE* out);

// Appends `text` made safe for a terminal (rules above), cut to at most `max_width` display columns with
// a final "…" when longer. Returns the display width of what was appended. Stops reading `text` as soon
// as it knows it is too long, so a megabyte message costs no more than a short one.
size_t AppendTerminalText(std::string_view text, size_t max_width, std::string* out);

}  // namespace logdaemon::query
