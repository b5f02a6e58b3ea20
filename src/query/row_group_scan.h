// RowGroupScanner: the rows of one row group that pass a query's filters, read window by window (see
// ColumnSource). Row groups are the unit of parallelism of a scan (query/scan.cc): each thread has its
// own RowGroupScanner, and each row group's result is handed back in storage order.
//
// Thread-safety: ScanPlan and FilePlan are read-only and shared by every thread; a RowGroupScanner and a
// RowGroupResult belong to one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "parquet/file_reader.h"
#include "query/column_source.h"
#include "query/dictionary_eval.h"
#include "query/expression.h"
#include "query/group_count.h"
#include "query/row_buffer.h"
#include "query/scan.h"
#include "query/time_histogram.h"
#include "query/value.h"

namespace logdaemon::query {

// The query-wide part of a scan.
struct ScanPlan {
  const ScanFilter* filter = nullptr;
  const std::vector<ColumnInfo>* table = nullptr;
  const std::vector<ColumnInfo>* output = nullptr;  // empty: only count
  const Expression* where = nullptr;                // --where, or null
  std::vector<int> filter_columns;                  // table columns the row filters read
  int message_column = -1;                          // the table's message column, for --grep
  std::u32string folded_grep;                       // --grep -i's text, case-folded
  bool need_time = false;                           // rows carry their time (--order)
  bool group = false;                               // --count-by: count by output[0], keep no rows
  const TimeHistogram* histogram = nullptr;         // count by time bucket and output[0], keep no rows
};

// One file's columns, as a plan needs them.
struct FilePlan {
  std::shared_ptr<const parquet::FileReader> reader;
  int time_index = -1;  // of the table's time column, with its type; -1: none
  int level_index = -1, service_index = -1;
  std::vector<int> output_index;  // by output column; -1: null in this file
  std::vector<int> filter_index;  // by table column; -1: null in this file (or not a filter column)
};

struct RowGroupResult {
  explicit RowGroupResult(size_t width) : rows(width) {}
  Status status;
  RowBuffer rows;           // the matching rows with their times (unless counting or grouping)
  GroupCount groups;        // --count-by
  TimeHistogram histogram;  // ScanRequest::histogram
  uint64_t rows_scanned = 0, rows_matched = 0, bytes_read = 0;
};

class RowGroupScanner {
 public:
  explicit RowGroupScanner(const ScanPlan& plan);

  // Scans row group `group` of `file` into *out; stops after the window in which `limit` rows matched
  // (0: no limit).
  void Scan(const FilePlan& file, int group, uint64_t limit, RowGroupResult* out);

 private:
  Status ScanInto(const FilePlan& file, int group, uint64_t limit, RowGroupResult* out);
  void CountBuckets(const ColumnSource& time, const ColumnSource& key, TimeHistogram* out);
  std::vector<std::vector<uint64_t>*> entry_counts_;  // CountBuckets: a dictionary entry's counts
  // Opens file column `column` of the row group as `type` (once per row group), or the null source.
  ColumnSource* Source(const FilePlan& file, int group, int column, ValueType type);

  const ScanPlan& plan_;
  std::vector<ColumnSource> sources_;  // by file column, reused (their buffers stay allocated)
  std::vector<bool> open_;
  Status open_status_;
  ColumnSource null_source_;
  DictionaryFilter level_filter_, service_filter_;
  DictionaryCounts group_dict_counts_;
  // The --where expression reads the table's columns through the row group's sources.
  struct SourceRow final : RowView {
    std::vector<ColumnSource*> sources;  // by table column; only the filter columns are set
    size_t row = 0;
    Value Get(int column) const override { return sources[static_cast<size_t>(column)]->Get(row); }
  } source_row_;
  EvalScratch scratch_;
  std::u32string grep_scratch_;
  std::vector<ColumnSource*> filter_sources_;  // the row group's sources the filters read
  std::vector<uint32_t> candidates_;           // rows of a window the dictionary filters pass
  std::vector<uint32_t> selected_;
  std::vector<uint32_t> entries_;  // --count-by: the dictionary entries of selected_ (Gather)
  std::vector<Value> values_;
};

}  // namespace logdaemon::query
