// The scan behind `logdaemon query` (DESIGN.md §6): which files and row groups a query must read, and
// the rows that pass its filters, in storage order (files by their earliest time, rows as stored).
//
// Files come from the storage catalog (storage/catalog.h): only visible files, so a merged file and the
// inputs it superseded are never both read. Partitions are pruned by their `dt=` date, files by the time
// range in their name, row groups by their column statistics (time, level, service, --where), all before
// any page is read. Columns are matched by name across files (a column a file lacks is null). Row groups
// not pruned are scanned in parallel, one RowGroupScanner (query/row_group_scan.h) per thread, window by
// window: the filter columns first, the other output columns only for the pages holding matches. Results
// are handed on in storage order whatever the thread count. `--count` without filters reads footers only.
// docs/query.md, "How a query runs".
//
// Thread-safety: one Scanner per query; Run calls the callbacks on the calling thread only.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "logdaemon/status.h"
#include "query/group_count.h"
#include "query/time_histogram.h"
#include "query/value.h"

namespace logdaemon::query {

struct ScanFilter {
  std::vector<std::string> levels;      // the level is one of these (exact); empty: any
  std::vector<std::string> services;    // the service is one of these (exact); empty: any
  std::optional<int64_t> since_micros;  // time >= since
  std::optional<int64_t> until_micros;  // time < until
  std::string grep;                     // the message contains this text; empty: any
  bool grep_ignore_case = false;        // ... in any case (Unicode simple case folding)
  std::string where;                    // a --where expression (query/expression.h); empty: none
  bool empty() const {
    return levels.empty() && services.empty() && !since_micros && !until_micros && grep.empty() &&
           where.empty();
  }
};

enum class Order {
  kStorage,     // files by their earliest log, rows as stored: streams, no buffering
  kAscending,   // by time, oldest first (stable: equal times keep storage order)
  kDescending,  // by time, newest first
};

// --order buffers the matching rows of files that overlap in time (files that do not overlap are
// ordered by their time ranges); more than this many bytes of them is refused rather than risking memory.
// With --limit N only the N best rows so far are kept, so memory follows N, not the data.
inline constexpr size_t kMaxOrderBufferBytes = size_t{512} << 20;

struct ScanRequest {
  std::string storage_dir;
  ScanFilter filter;
  std::vector<std::string> fields;  // output columns by name; empty: every column
  uint64_t limit = 0;               // 0: no limit
  bool count_only = false;          // no output columns: the matching rows are only counted
  Order order = Order::kStorage;
  // --count-by: the matching rows are counted here by the value of the one column in `fields`, instead
  // of being handed to the row callback.
  GroupCount* group_counts = nullptr;
  // A volume histogram: the matching rows are counted here by time bucket and by the value of the one
  // column in `fields` (the level, say), instead of being handed to the row callback. Its buckets are
  // set by the caller; the scan adds to its counts. REQUIRES: fields.size() == 1, a time column.
  TimeHistogram* histogram = nullptr;
  // Threads scanning row groups in parallel; 0: one per core.
  size_t threads = 0;
  // --order's buffer of matching rows that overlap in time is refused beyond this (with a limit it
  // holds only the rows that can still be printed).
  size_t max_order_buffer_bytes = kMaxOrderBufferBytes;
  // For a server's queries (the HTTP API): the scan checks these before each batch of row groups and
  // stops with Aborted when `cancel` is set (the client went away) or the deadline has passed.
  const std::atomic<bool>* cancel = nullptr;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

// What the scan did, for --explain and the tests of pruning.
struct ScanStats {
  uint64_t partitions = 0, partitions_pruned = 0;
  uint64_t files = 0, files_pruned = 0;
  uint64_t row_groups = 0, row_groups_pruned = 0;
  uint64_t rows_scanned = 0, rows_matched = 0;
  uint64_t bytes_read = 0;  // compressed column chunk bytes read
};

struct ScanFile;  // query/scan_files.h

class Scanner {
 public:
  // Called with the output columns once, then with each matching row (values valid during the call).
  // Returning false stops the scan (a closed output).
  using BeginFn = std::function<void(const std::vector<ColumnInfo>& columns)>;
  using RowFn = std::function<bool(std::span<const Value> row)>;

  Scanner();
  ~Scanner();
  Scanner(const Scanner&) = delete;
  Scanner& operator=(const Scanner&) = delete;

  // Runs the scan. An unknown name in `fields` is an InvalidArgument naming it and the columns there are;
  // a --where error is an InvalidArgument "--where: column N: …" followed by the caret picture; an
  // unreadable file is an error naming the file.
  Status Run(const ScanRequest& request, const BeginFn& begin, const RowFn& row);
  // Counts the matching rows; with no filter, from the footers alone.
  Result<uint64_t> Count(const ScanRequest& request);

  // The two halves of Run, for --follow (query/follow.h), which runs one query over the files a storage
  // gains, batch by batch.
  //
  // Prepare works out the table (the columns of `newest`, then of `files` newest first, by name), the
  // output columns and the filters, then calls `begin` with the output columns. The files must be open
  // (query/scan_files.h); `newest` may be null. `request` must outlive the Scanner's use of it.
  Status Prepare(const ScanRequest& request, const ScanFile* newest, std::span<const ScanFile> files,
                 const BeginFn& begin);
  // Scans opened `files` with the prepared query, in the order given (or by time, per `order`), handing on
  // at most `limit` rows (0: no limit). Adds to stats().
  Status Execute(std::span<const ScanFile> files, Order order, uint64_t limit, const RowFn& row);

  const ScanStats& stats() const { return stats_; }
  ScanStats* mutable_stats() { return &stats_; }
  // The --where expression as the scan understood it (normalized, names resolved: see
  // Expression::ToString), for --explain; empty without one or before Prepare.
  std::string where_text() const;

 private:
  struct Prepared;
  std::unique_ptr<Prepared> prepared_;
  ScanStats stats_;
};

}  // namespace logdaemon::query
