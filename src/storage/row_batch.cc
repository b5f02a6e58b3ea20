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

// Appends `count` raw little-endian values of T from `bytes`.
template <typename T>
void AppendRaw(const uint8_t* bytes, size_t count, std::vector<T>* dst) {
  size_t at = dst->size();
  dst->resize(at + count);
  if (count != 0) std::memcpy(dst->data() + at, bytes, count * sizeof(T));
}

parquet::Type PhysicalType(ColumnType type) {
  switch (type) {
    case ColumnType::kTimestamp:
    case ColumnType::kInt64:
      return parquet::Type::kInt64;
    case ColumnType::kDouble:
      return parquet::Type::kDouble;
    case ColumnType::kBoolean:
      return parquet::Type::kBoolean;
    case ColumnType::kString:
    case ColumnType::kJson:
      return parquet::Type::kByteArray;
  }
  return parquet::Type::kByteArray;
}

// Permutes the dense values of one column: out gets, for each new row i, the value of old row order[i]
// when present. value_index[r] is old row r's index among the values (meaningful for present rows).
template <typename T>
void PermuteValues(const std::vector<uint32_t>& order, const std::vector<uint8_t>* def_levels,
                   const std::vector<uint32_t>& value_index, std::vector<T>* values,
                   std::vector<T>* scratch) {
  scratch->clear();
  scratch->reserve(values->size());
  if (def_levels == nullptr) {
    for (uint32_t row : order) scratch->push_back((*values)[row]);
  } else {
    for (uint32_t row : order) {
      if ((*def_levels)[row]) scratch->push_back((*values)[value_index[row]]);
    }
  }
  values->swap(*scratch);
}

void PermuteByteArrays(const std::vector<uint32_t>& order, const std::vector<uint8_t>* def_levels,
                       const std::vector<uint32_t>& value_index, parquet::ByteArrayValues* values,
                       parquet::ByteArrayValues* scratch) {
  scratch->clear();
  scratch->bytes.reserve(values->bytes.size());
  scratch->offsets.reserve(values->offsets.size());
  for (uint32_t row : order) {
    if (def_levels != nullptr && !(*def_levels)[row]) continue;
    size_t k = def_levels == nullptr ? row : value_index[row];
    scratch->append((*values)[k]);
  }
  std::swap(*values, *scratch);
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

void RowBatch::DropLastRow() {
  assert(num_rows_ > 0);
  --num_rows_;
  partition_keys_.resize(num_rows_);
  row_times_.resize(num_rows_);
  if (wal_lsns_.size() > num_rows_) wal_lsns_.resize(num_rows_);
  for (ColumnBuffer& column : columns_) {
    // The row is complete, so each column holds one entry for it: a value, unless its level says null.
    if (!column.required) {
      assert(column.def_levels.size() == num_rows_ + 1);
      const bool present = column.def_levels.back() != 0;
      column.def_levels.pop_back();
      if (!present) continue;
    }
    switch (column.type) {
      case ColumnType::kTimestamp:
      case ColumnType::kInt64:
        column.int64s.pop_back();
        break;
      case ColumnType::kDouble:
        column.doubles.pop_back();
        break;
      case ColumnType::kBoolean:
        column.booleans.pop_back();
        break;
      case ColumnType::kString:
      case ColumnType::kJson:
        column.bytes.offsets.pop_back();
        column.bytes.bytes.resize(column.bytes.offsets.back());
        break;
    }
  }
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

Status RowBatch::AppendColumnData(const std::vector<parquet::ColumnData>& data, int time_column,
                                  int64_t fallback_time_micros) {
  if (data.size() != columns_.size()) {
    std::string msg = "the file has ";
    msg.append(std::to_string(data.size()))
        .append(" columns, the layout ")
        .append(std::to_string(columns_.size()));
    return Status::Corruption(msg);
  }
  // Everything is checked before anything is appended, so that a bad file leaves the batch as it was.
  size_t rows = data.empty() ? 0 : data[0].num_rows;
  for (size_t c = 0; c < columns_.size(); ++c) {
    const ColumnBuffer& column = columns_[c];
    const parquet::ColumnData& d = data[c];
    // The batch does not keep the layout's names: the caller adds the file and column name as context.
    std::string where = "column ";
    where.append(std::to_string(c));
    where.append(" (");
    where.append(ColumnTypeName(column.type));
    where.append(")");
    auto corrupt = [&](std::string_view why) {
      std::string msg = where;
      msg.append(": ");
      msg.append(why);
      return Status::Corruption(msg);
    };
    if (d.type != PhysicalType(column.type)) return corrupt("physical type does not match the layout");
    if (d.num_rows != rows) return corrupt("row count differs from the other columns");
    size_t present = rows;
    if (!d.def_levels.empty()) {
      if (d.def_levels.size() != rows) return corrupt("definition level count differs from the row count");
      present = CountPresent(d.def_levels, 0, rows);
      if (column.required && present != rows) return corrupt("null in a REQUIRED column");
    }
    if (d.num_values != present) return corrupt("value count differs from the present rows");
    if (IsByteArray(column.type)) {
      const auto& ba = d.byte_arrays;
      if (ba.offsets.empty() || ba.count() != present || ba.offsets.front() != 0 ||
          ba.offsets.back() != ba.bytes.size()) {
        return corrupt("byte array values do not match the value count");
      }
    } else if (d.fixed.size() != present * static_cast<size_t>(parquet::FixedWidth(d.type, 0))) {
      return corrupt("value bytes do not match the value count");
    }
  }
  if (time_column >= static_cast<int>(columns_.size())) {
    std::string msg = "time column ";
    msg.append(std::to_string(time_column)).append(" is not in the layout");
    return Status::Corruption(msg);
  }

  size_t first_row = num_rows_;
  for (size_t c = 0; c < columns_.size(); ++c) {
    ColumnBuffer& column = columns_[c];
    const parquet::ColumnData& d = data[c];
    if (!column.required) {
      if (d.def_levels.empty()) {
        column.def_levels.insert(column.def_levels.end(), rows, uint8_t{1});  // a REQUIRED column on disk
      } else {
        column.def_levels.insert(column.def_levels.end(), d.def_levels.begin(), d.def_levels.end());
      }
    }
    switch (column.type) {
      case ColumnType::kTimestamp:
      case ColumnType::kInt64:
        AppendRaw(d.fixed.data(), d.num_values, &column.int64s);
        break;
      case ColumnType::kDouble:
        AppendRaw(d.fixed.data(), d.num_values, &column.doubles);
        break;
      case ColumnType::kBoolean: {
        size_t at = column.booleans.size();
        column.booleans.resize(at + d.num_values);
        for (size_t k = 0; k < d.num_values; ++k) column.booleans[at + k] = d.fixed.data()[k] != 0;
        break;
      }
      case ColumnType::kString:
      case ColumnType::kJson:
        AppendByteArrays(d.byte_arrays, 0, d.num_values, &column.bytes);
        break;
    }
  }
  // The partition key is the caller's to set (compaction knows the partition it merges).
  partition_keys_.insert(partition_keys_.end(), rows, int64_t{0});
  if (time_column < 0) {
    row_times_.insert(row_times_.end(), rows, fallback_time_micros);
  } else {
    const parquet::ColumnData& d = data[static_cast<size_t>(time_column)];
    size_t k = 0;
    for (size_t r = 0; r < rows; ++r) {
      row_times_.push_back(d.is_null(r) ? fallback_time_micros : d.value<int64_t>(k++));
    }
  }
  if (first_row == 0) first_arrival_ns_ = 0;
  num_rows_ += rows;
  return Status::OK();
}

void RowBatch::SortByTime() {
  assert(wal_lsns_.empty());  // only compaction sorts, and its rows carry no LSNs (files record coverage)
  // Batches arrive in time order far more often than not.
  if (std::is_sorted(row_times_.begin(), row_times_.end())) return;
  size_t n = num_rows_;
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), uint32_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [this](uint32_t a, uint32_t b) { return row_times_[a] < row_times_[b]; });

  // One scratch buffer per value kind, swapped with each column in turn: a column's old buffer becomes
  // the scratch of the next.
  std::vector<uint32_t> value_index(n);
  std::vector<uint8_t> scratch_u8;
  std::vector<uint8_t> scratch_bool;
  std::vector<int64_t> scratch_i64;
  std::vector<double> scratch_f64;
  parquet::ByteArrayValues scratch_bytes;
  for (ColumnBuffer& column : columns_) {
    const std::vector<uint8_t>* def_levels = nullptr;
    if (!column.required) {
      uint32_t k = 0;
      for (size_t r = 0; r < n; ++r) {
        value_index[r] = k;
        k += column.def_levels[r];
      }
      scratch_u8.resize(n);
      for (size_t i = 0; i < n; ++i) scratch_u8[i] = column.def_levels[order[i]];
      // The old levels are still needed to permute the values: keep them in the scratch until then.
      column.def_levels.swap(scratch_u8);
      def_levels = &scratch_u8;
    }
    switch (column.type) {
      case ColumnType::kTimestamp:
      case ColumnType::kInt64:
        PermuteValues(order, def_levels, value_index, &column.int64s, &scratch_i64);
        break;
      case ColumnType::kDouble:
        PermuteValues(order, def_levels, value_index, &column.doubles, &scratch_f64);
        break;
      case ColumnType::kBoolean:
        // Not scratch_u8: it holds the old definition levels meanwhile.
        PermuteValues(order, def_levels, value_index, &column.booleans, &scratch_bool);
        break;
      case ColumnType::kString:
      case ColumnType::kJson:
        PermuteByteArrays(order, def_levels, value_index, &column.bytes, &scratch_bytes);
        break;
    }
  }
  scratch_i64.resize(n);
  for (size_t i = 0; i < n; ++i) scratch_i64[i] = partition_keys_[order[i]];
  partition_keys_.swap(scratch_i64);
  scratch_i64.resize(n);
  for (size_t i = 0; i < n; ++i) scratch_i64[i] = row_times_[order[i]];
  row_times_.swap(scratch_i64);
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
