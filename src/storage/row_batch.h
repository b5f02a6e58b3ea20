// RowBatch: rows of one table layout as column buffers — what the shredder fills from validated JSON,
// what the writer encodes, and what compaction merges and sorts. Buffers keep their capacity across
// Clear(), so a batch reused in the steady state allocates nothing per row.
//
// Layout per column (DESIGN.md §4): OPTIONAL columns have one definition byte per row (1 present, 0 null)
// and their present values densely in row order; REQUIRED columns have a value for every row. Strings and
// JSON are Arrow-style bytes + offsets.
//
// Thread-safety: none; a batch belongs to one thread at a time (it moves through the queue).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "logdaemon/schema.h"
#include "parquet/column_data.h"
#include "parquet/column_spec.h"

namespace logdaemon::storage {

struct ColumnBuffer {
  ColumnType type = ColumnType::kJson;
  bool required = false;
  std::vector<uint8_t> def_levels;  // OPTIONAL columns: one per row
  std::vector<int64_t> int64s;      // kTimestamp (UTC micros), kInt64
  std::vector<double> doubles;      // kDouble
  std::vector<uint8_t> booleans;    // kBoolean, 0 or 1
  parquet::ByteArrayValues bytes;   // kString, kJson

  size_t num_values() const;
  void Clear();
  // Appends a null (OPTIONAL columns only).
  void AppendNull() { def_levels.push_back(0); }
  // Marks the next row present (OPTIONAL columns); call before appending its value.
  void MarkPresent() {
    if (!required) def_levels.push_back(1);
  }
};

class RowBatch {
 public:
  explicit RowBatch(const TableLayout& layout);

  size_t num_rows() const { return num_rows_; }
  bool empty() const { return num_rows_ == 0; }
  std::vector<ColumnBuffer>& columns() { return columns_; }
  const std::vector<ColumnBuffer>& columns() const { return columns_; }

  // Per row: the partition key (storage/file_names.h PartitionKey) and the row's time (the time field,
  // or the arrival time when the layout has none or the row's is null), UTC micros.
  std::vector<int64_t>& partition_keys() { return partition_keys_; }
  const std::vector<int64_t>& partition_keys() const { return partition_keys_; }
  std::vector<int64_t>& row_times() { return row_times_; }
  const std::vector<int64_t>& row_times() const { return row_times_; }

  // Steady-clock nanoseconds when the first row of the batch was accepted (flush deadlines).
  int64_t first_arrival_ns() const { return first_arrival_ns_; }

  // Ends a row whose columns have each been appended once (by the shredder). `arrival_ns` is the
  // steady clock at acceptance.
  void CommitRow(int64_t partition_key, int64_t row_time_micros, int64_t arrival_ns) {
    if (num_rows_ == 0) first_arrival_ns_ = arrival_ns;
    partition_keys_.push_back(partition_key);
    row_times_.push_back(row_time_micros);
    ++num_rows_;
  }
  // Drops whatever was appended to the columns since the last committed row (a row that failed midway).
  void RollbackRow();
  // Keeps the first `rows` rows and drops the others (their write-ahead log group failed to commit).
  // O(rows) for OPTIONAL columns: an error path.
  void TruncateRows(size_t rows);

  // Where each row's log sits in the write-ahead log (storage/wal.h): the stream every row of the batch
  // came from, and per row its log sequence number (LSN). Empty when the rows were not logged (memory
  // acks, import, compaction). The writer records them in the flush file that stores the rows.
  static constexpr uint32_t kNoWalStream = UINT32_MAX;
  uint32_t wal_stream() const { return wal_stream_; }
  const std::vector<uint64_t>& wal_lsns() const { return wal_lsns_; }
  // Records the LSN of the row just committed. REQUIRES: every row of the batch has one, from `stream`.
  void SetLastRowLsn(uint32_t stream, uint64_t lsn) {
    wal_stream_ = stream;
    wal_lsns_.push_back(lsn);
  }

  // Whether the rows were read back from the write-ahead log (recovery, or its backlog: the writer then
  // tells the backlog they were routed).
  bool read_back() const { return read_back_; }
  void set_read_back(bool read_back) { read_back_ = read_back; }

  // Admission credits its rows took (storage/admission.h: one per log, more for large ones), given back
  // when the writer has encoded them.
  size_t credits() const { return credits_; }
  void AddCredits(size_t n) { credits_ += n; }

  // Appends row `row` of `other` (same layout).
  void AppendRow(const RowBatch& other, size_t row);
  // Appends rows [begin, end) of `other` (same layout), with their keys, times and arrival.
  void AppendRows(const RowBatch& other, size_t begin, size_t end);
  // Whether every row has the same partition key.
  bool SinglePartition() const;

  // Empties the batch for reuse (recycled batches go to any appender): rows, log positions, the
  // read-back mark and credits.
  void Clear();
  // Approximate heap bytes held by the values (not capacity).
  size_t ByteSize() const;
  // Heap bytes reserved by the buffers (what a cleared batch still holds).
  size_t CapacityBytes() const;

  // The parquet::ColumnBatch view of every column, valid until the batch changes.
  void ColumnBatches(std::vector<parquet::ColumnBatch>* out) const;

 private:
  std::vector<ColumnBuffer> columns_;
  std::vector<int64_t> partition_keys_;
  std::vector<int64_t> row_times_;
  size_t num_rows_ = 0;
  int64_t first_arrival_ns_ = 0;
  uint32_t wal_stream_ = kNoWalStream;
  std::vector<uint64_t> wal_lsns_;
  bool read_back_ = false;
  size_t credits_ = 0;
};

// The Parquet schema of a layout (DESIGN.md §4).
std::vector<parquet::ColumnSpec> ParquetSchema(const TableLayout& layout);

}  // namespace logdaemon::storage
