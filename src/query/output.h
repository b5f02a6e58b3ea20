// Where the rows of `logdaemon query` go: a RowWriter prints them, as they stream in, as an aligned table,
// JSON lines or CSV (docs/query.md "Formats"; the spelling of each value: query/output_text.h).
//
//   auto writer = MakeRowWriter(options, stdout);
//   writer->Begin(columns);
//   for each row: writer->Row(values); if (writer->failed()) stop;   // the reader went away
//   writer->End();
//
// Output is buffered (64 KiB chunks, one fwrite each) and nothing is allocated per row once the buffers
// have grown to the widest row. A failed write (EPIPE from `query | head` when SIGPIPE is ignored,
// ENOSPC, …) makes failed() true; later calls write nothing, so the caller can stop scanning.
//
// Thread-safety: a RowWriter is used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdio>
#include <memory>
#include <span>
#include <vector>

#include "query/output_text.h"
#include "query/value.h"

namespace logdaemon::query {

enum class OutputFormat { kTable, kJson, kCsv };

struct OutputOptions {
  OutputFormat format = OutputFormat::kTable;
  // Table only: colour the level column by severity and embolden the header (ANSI SGR). The caller
  // decides: isatty(stdout) and NO_COLOR unset or empty (https://no-color.org).
  bool color = false;
  // Table only: index of the level column in Begin()'s columns, for the colours; -1: none.
  int level_column = -1;
  // Table only: rows held back to measure the column widths before the first line is printed. Rows
  // after them are printed at once with those widths. 0: no sampling (widths from the header alone).
  size_t table_sample_rows = 1000;
  // Table only: no column is wider than this (display columns); longer text ends in "…".
  size_t table_max_column_width = 80;
};

class RowWriter {
 public:
  virtual ~RowWriter();

  // The result's columns, once, before any row. The table writer keeps its own copy.
  virtual void Begin(const std::vector<ColumnInfo>& columns) = 0;
  // One row. REQUIRES: values.size() == columns.size(); each value has its column's type or is null.
  // The values (and the bytes their views point to) are only read during the call.
  virtual void Row(std::span<const Value> values) = 0;
  // Writes out everything so far and fflush()es: for `--follow`, between batches of new rows. The table
  // writer stops sampling here and fixes its column widths with the rows it has.
  virtual void Flush() = 0;
  // Writes out everything and fflush()es. Closes nothing.
  virtual void End() = 0;
  // A write failed: the output is incomplete, and nothing more will be written.
  virtual bool failed() const = 0;
};

// `out` must outlive the writer, which never closes it.
std::unique_ptr<RowWriter> MakeRowWriter(const OutputOptions& options, std::FILE* out);

}  // namespace logdaemon::query
