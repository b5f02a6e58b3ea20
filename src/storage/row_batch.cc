#include "storage/row_batch.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <numeric>
#include <string>
#include <utility>

namespace logdaemon::storage {

namespace {

bool IsByteArray(ColumnType type) {
  return type == ColumnType::kString || type == ColumnType::kJson;
}

// Present values among def_levels[begin, end): std::count over bytes vectorises, so even the error
// path (RollbackRow) and range appends stay cheap on large batches.
size_t CountPresent(const std::vector<uint8_t>& def_levels, size_t begin, size_t end) {
  return static_cast<size_t>(std::count(def_levels.begin() + static_cast<ptrdiff_t>(begin),
                                        def_levels.begin() + static_cast<ptrdiff_t>(end), uint8_t{1}));
}

// Appends byte array values [begin, end) of `src` to *dst, rebasing their offsets.
void AppendByteArrays(const parquet::ByteArrayValues& src, size_t begin, size_t end,
                      parquet::ByteArrayValues* dst) {
  if (begin == end) return;
  uint32_t first = src.offsets[begin];
  uint32_t last = src.offsets[end];
  uint32_t base = static_cast<uint32_t>(dst->bytes.size());
  dst->bytes.append(src.bytes.data() + first, last - first);
  size_t at = dst->offsets.size();
  dst->offsets.resize(at + (end - begin));
  uint32_t* out = dst->offsets.data() + at;
  const uint32_t* in = src.offsets.data() + begin + 1;
  for (size_t k = 0; k < end - begin; ++k) out[k] = in[k] - first + base;
}

template <typename T>
void AppendRange(const std::vector<T>& src, size_t begin, size_t end, std::vector<T>* dst) {
  dst->insert(dst->end(), src.begin() + static_cast<ptrdiff_t>(begin),
              src.begin() + static_cast<ptrdiff_t>(end));
}

}  // namespace

size_t ColumnBuffer::num_values() const {
  switch (type) {
    case ColumnType::kTimestamp:
    case ColumnType::kInt64:
      return int64s.size();
    case ColumnType::kDouble:
      return doubles.size();
    case ColumnType::kBoolean:
      return booleans.size();
    case ColumnType::kString:
    case ColumnType::kJson:
      return bytes.count();
  }
  return 0;
}

void ColumnBuffer::Clear() {
  def_levels.clear();
  int64s.clear();
  doubles.clear();
  booleans.clear();
  bytes.clear();
}

RowBatch::RowBatch(const TableLayout& layout) {
  columns_.resize(layout.columns.size());
  for (size_t i = 0; i < layout.columns.size(); ++i) {
    columns_[i].type = layout.columns[i].type;
    columns_[i].required = layout.columns[i].required;
    // A byte array column always has a buffer, so ColumnBatches never hands the writer a null `bytes`
    // (memcpy from nullptr is undefined even for zero bytes).
    if (IsByteArray(columns_[i].type)) columns_[i].bytes.bytes.reserve(1);
  }
}

void RowBatch::RollbackRow() {
  for (ColumnBuffer& column : columns_) {
    size_t values = num_rows_;
    if (!column.required) {
      // Counting is O(rows), but this is the error path (unvalidated input), not the hot one.
      column.def_levels.resize(std::min(column.def_levels.size(), num_rows_));
      values = CountPresent(column.def_levels, 0, column.def_levels.size());
    }
    switch (column.type) {
      case ColumnType::kTimestamp:
      case ColumnType::kInt64:
        column.int64s.resize(std::min(column.int64s.size(), values));
        break;
      case ColumnType::kDouble:
        column.doubles.resize(std::min(column.doubles.size(), values));
        break;
      case ColumnType::kBoolean:
        column.booleans.resize(std::min(column.booleans.size(), values));
        break;
      case ColumnType::kString:
      case ColumnType::kJson:
        // Bytes written after the last offset (a value cut short) go too.
        column.bytes.offsets.resize(std::min(column.bytes.offsets.size(), values + 1));
        column.bytes.bytes.resize(column.bytes.offsets.back());
        break;
    }
  }
}

void RowBatch::TruncateRows(size_t rows) {
  if (rows >= num_rows_) return;
  num_rows_ = rows;
  partition_keys_.resize(rows);
  row_times_.resize(rows);
  if (wal_lsns_.size() > rows) wal_lsns_.resize(rows);
  RollbackRow();  // cuts every column to num_rows_ rows
}

void RowBatch::AppendRow(const RowBatch& other, size_t row) {
  AppendRows(other, row, row + 1);
}

void RowBatch::AppendRows(const RowBatch& other, size_t begin, size_t end) {
  assert(other.columns_.size() == columns_.size());
  assert(begin <= end && end <= other.num_rows_);
  assert(&other != this);  // vector::insert from its own elements is undefined
  if (begin == end) return;
  for (size_t c = 0; c < columns_.size(); ++c) {
    ColumnBuffer& dst = columns_[c];
    const ColumnBuffer& src = other.columns_[c];
    assert(dst.type == src.type && dst.required == src.required);
    size_t vbegin = begin;
    size_t vend = end;
    if (!src.required) {
      // The values of rows [begin, end) are the present ones among them. Their first index is a count
      // over the rows before (or after, whichever is shorter), so one call costs O(rows) of `other`:
      // callers moving many rows should pass ranges, not loop over AppendRow.
      if (begin <= other.num_rows_ - end) {
        vbegin = CountPresent(src.def_levels, 0, begin);
      } else {
        vbegin = src.num_values() - CountPresent(src.def_levels, begin, other.num_rows_);
      }
      vend = vbegin + CountPresent(src.def_levels, begin, end);
      AppendRange(src.def_levels, begin, end, &dst.def_levels);
    }
    switch (src.type) {
      case ColumnType::kTimestamp:
      case ColumnType::kInt64:
        AppendRange(src.int64s, vbegin, vend, &dst.int64s);
        break;
      case ColumnType::kDouble:
        AppendRange(src.doubles, vbegin, vend, &dst.doubles);
        break;
      case ColumnType::kBoolean:
        AppendRange(src.booleans, vbegin, vend, &dst.booleans);
        break;
      case ColumnType::kString:
      case ColumnType::kJson:
        AppendByteArrays(src.bytes, vbegin, vend, &dst.bytes);
        break;
    }
  }
  AppendRange(other.partition_keys_, begin, end, &partition_keys_);
  AppendRange(other.row_times_, begin, end, &row_times_);
  if (!other.wal_lsns_.empty()) {
    assert(num_rows_ == 0 || wal_stream_ == other.wal_stream_);
    wal_stream_ = other.wal_stream_;
    AppendRange(other.wal_lsns_, begin, end, &wal_lsns_);
  }
  // The batch's flush deadline follows its oldest row.
  if (num_rows_ == 0 || other.first_arrival_ns_ < first_arrival_ns_)
    first_arrival_ns_ = other.first_arrival_ns_;
  num_rows_ += end - begin;
}

bool RowBatch::SinglePartition() const {
  return std::all_of(partition_keys_.begin(), partition_keys_.end(),
                     [&](int64_t key) { return key == partition_keys_.front(); });
}

void RowBatch::Clear() {
  for (ColumnBuffer& column : columns_) column.Clear();
  partition_keys_.clear();
  row_times_.clear();
  wal_lsns_.clear();
  wal_stream_ = kNoWalStream;
  num_rows_ = 0;
  first_arrival_ns_ = 0;
  // A recycled batch of backlog rows must not make the writer report an appender's rows as read back.
  read_back_ = false;
  credits_ = 0;
}

size_t RowBatch::ByteSize() const {
  size_t bytes = (partition_keys_.size() + row_times_.size()) * sizeof(int64_t);
  for (const ColumnBuffer& column : columns_) {
    bytes += column.def_levels.size() + column.int64s.size() * sizeof(int64_t) +
             column.doubles.size() * sizeof(double) + column.booleans.size() + column.bytes.bytes.size() +
             column.bytes.count() * sizeof(uint32_t);
  }
  return bytes;
}

size_t RowBatch::CapacityBytes() const {
  size_t bytes = (partition_keys_.capacity() + row_times_.capacity()) * sizeof(int64_t) +
                 wal_lsns_.capacity() * sizeof(uint64_t);
  for (const ColumnBuffer& column : columns_) {
    bytes += column.def_levels.capacity() + column.int64s.capacity() * sizeof(int64_t) +
             column.doubles.capacity() * sizeof(double) + column.booleans.capacity() +
             column.bytes.bytes.capacity() + column.bytes.offsets.capacity() * sizeof(uint32_t);
  }
  return bytes;
}

void RowBatch::ColumnBatches(std::vector<parquet::ColumnBatch>* out) const {
  out->resize(columns_.size());
  for (size_t c = 0; c < columns_.size(); ++c) {
    const ColumnBuffer& column = columns_[c];
    parquet::ColumnBatch& batch = (*out)[c];
    batch = parquet::ColumnBatch{};
    batch.num_rows = num_rows_;
    batch.def_levels = column.required ? nullptr : column.def_levels.data();
    batch.num_values = column.num_values();
    switch (column.type) {
      case ColumnType::kTimestamp:
      case ColumnType::kInt64:
        batch.int64s = column.int64s.data();
        break;
      case ColumnType::kDouble:
        batch.doubles = column.doubles.data();
        break;
      case ColumnType::kBoolean:
        batch.booleans = column.booleans.data();
        break;
      case ColumnType::kString:
      case ColumnType::kJson:
        batch.bytes = column.bytes.bytes.data();
        batch.offsets = column.bytes.offsets.data();
        break;
    }
  }
}

std::vector<parquet::ColumnSpec> ParquetSchema(const TableLayout& layout) {
  std::vector<parquet::ColumnSpec> specs;
  specs.reserve(layout.columns.size());
  for (const Column& column : layout.columns) {
    parquet::Repetition rep =
        column.required ? parquet::Repetition::kRequired : parquet::Repetition::kOptional;
    switch (column.type) {
      case ColumnType::kTimestamp:
        specs.push_back(parquet::ColumnSpec::TimestampMicrosUtc(column.name, rep));
        break;
      case ColumnType::kString:
        specs.push_back(parquet::ColumnSpec::String(column.name, rep));
        break;
      case ColumnType::kInt64:
        specs.push_back(parquet::ColumnSpec::Int64(column.name, rep));
        break;
      case ColumnType::kDouble:
        specs.push_back(parquet::ColumnSpec::Double(column.name, rep));
        break;
      case ColumnType::kBoolean:
        specs.push_back(parquet::ColumnSpec::Boolean(column.name, rep));
        break;
      case ColumnType::kJson:
        specs.push_back(parquet::ColumnSpec::Json(column.name, rep));
        break;
    }
  }
  return specs;
}

}  // namespace logdaemon::storage
