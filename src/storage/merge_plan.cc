#include "storage/merge_plan.h"

#include <algorithm>
#include <optional>

#include "parquet/statistics.h"

namespace logdaemon::storage {

namespace {

// Per row, on top of a chunk's share: streamed, a sorted dictionary's held index and level; decoded,
// the index the gather builds. (The rows' times, 8 bytes a row, are held once for all columns: bounded
// by the rows a group may have.)
constexpr double kStreamedRowBytes = 5;
constexpr double kDecodedRowBytes = 8;

}  // namespace

bool MayBeOutOfTimeOrder(const std::vector<MergeInput>& inputs, int time_column) {
  if (time_column < 0) return true;
  bool any = false;
  int64_t latest = 0;
  for (const MergeInput& input : inputs) {
    for (const parquet::RowGroup& group : input.reader->metadata().row_groups) {
      if (group.num_rows <= 0) continue;
      if (static_cast<size_t>(time_column) >= group.columns.size()) return true;
      const auto& meta = group.columns[static_cast<size_t>(time_column)].meta_data;
      if (!meta || !meta->statistics) return true;
      const std::optional<parquet::Int64MinMax> range = parquet::Int64MinMaxOf(*meta->statistics);
      if (meta->statistics->null_count.value_or(1) != 0 || !range) return true;
      if (any && range->min < latest) return true;
      latest = any ? std::max(latest, range->max) : range->max;
      any = true;
    }
  }
  return false;
}

size_t RowsOf(std::span<const MergeSlice> slices) {
  size_t rows = 0;
  for (const MergeSlice& slice : slices) rows += slice.rows();
  return rows;
}

MergePlan::MergePlan(const std::vector<MergeInput>& inputs, size_t max_column_bytes)
    : inputs_(inputs), max_column_bytes_(max_column_bytes) {}

void MergePlan::Estimate(uint32_t input, int row_group, bool decoded,
                         std::vector<double>* bytes_per_row) const {
  const parquet::FileReader& reader = *inputs_[input].reader;
  const parquet::RowGroup& group = reader.metadata().row_groups[static_cast<size_t>(row_group)];
  const size_t rows = static_cast<size_t>(std::max<int64_t>(group.num_rows, 0));
  bytes_per_row->assign(static_cast<size_t>(reader.num_columns()),
                        decoded ? kDecodedRowBytes : kStreamedRowBytes);
  if (rows == 0) return;
  for (size_t c = 0; c < bytes_per_row->size() && c < group.columns.size(); ++c) {
    const auto& meta = group.columns[c].meta_data;
    if (!meta) continue;
    const int64_t bytes = decoded ? meta->total_uncompressed_size : meta->total_compressed_size;
    (*bytes_per_row)[c] += static_cast<double>(std::max<int64_t>(bytes, 0)) / static_cast<double>(rows);
  }
}

void MergePlan::Seek(uint32_t input, int row_group, size_t row) {
  input_ = input;
  row_group_ = row_group;
  const parquet::RowGroup& group =
      inputs_[input].reader->metadata().row_groups[static_cast<size_t>(row_group)];
  group_rows_ = static_cast<size_t>(std::max<int64_t>(group.num_rows, 0));
  row_ = row;
  Estimate(input, row_group, /*decoded=*/false, &bytes_per_row_);
}

size_t MergePlan::Fits(const std::vector<double>& bytes_per_row, const std::vector<double>& planned,
                       size_t rows) const {
  for (size_t c = 0; c < bytes_per_row.size() && c < planned.size(); ++c) {
    const double room = static_cast<double>(max_column_bytes_) - planned[c];
    const size_t fits = room <= 0 ? 0 : static_cast<size_t>(room / bytes_per_row[c]);
    rows = std::min(rows, fits);
  }
  return rows;
}

bool MergePlan::Next(size_t max_rows, std::vector<MergeSlice>* group) {
  group->clear();
  max_rows = std::max<size_t>(max_rows, 1);
  size_t rows = 0;
  while (rows < max_rows) {
    // On to the next row group with rows left, if the current one is done.
    while (row_group_ < 0 || row_ >= group_rows_) {
      if (input_ >= inputs_.size()) return !group->empty();
      if (row_group_ + 1 < inputs_[input_].reader->num_row_groups()) {
        Seek(input_, row_group_ + 1, 0);
      } else {
        ++input_;
        row_group_ = -1;
      }
    }
    if (rows == 0) planned_.assign(bytes_per_row_.size(), 0.0);
    size_t take = Fits(bytes_per_row_, planned_, std::min(group_rows_ - row_, max_rows - rows));
    if (take == 0) {
      if (rows > 0) break;
      take = 1;  // a row bigger than the bound still goes somewhere
    }
    group->push_back({input_, row_group_, row_, row_ + take});
    for (size_t c = 0; c < bytes_per_row_.size(); ++c)
      planned_[c] += static_cast<double>(take) * bytes_per_row_[c];
    rows += take;
    row_ += take;
  }
  return !group->empty();
}

bool MergePlan::FitForSort(std::vector<MergeSlice>* group) {
  std::vector<double> decoded;
  std::vector<double> planned;
  size_t rows = 0;
  for (size_t i = 0; i < group->size(); ++i) {
    MergeSlice& slice = (*group)[i];
    Estimate(slice.input, slice.row_group, /*decoded=*/true, &decoded);
    if (planned.empty()) planned.assign(decoded.size(), 0.0);
    size_t take = Fits(decoded, planned, slice.rows());
    if (take == 0 && rows == 0) take = 1;  // as in Next: a group always takes a row
    if (take < slice.rows()) {
      slice.end = slice.begin + take;
      Seek(slice.input, slice.row_group, slice.end);
      group->resize(take > 0 ? i + 1 : i);
      return true;
    }
    for (size_t c = 0; c < decoded.size(); ++c) planned[c] += static_cast<double>(take) * decoded[c];
    rows += take;
  }
  return false;
}

}  // namespace logdaemon::storage
