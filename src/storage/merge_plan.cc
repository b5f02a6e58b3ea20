#include "storage/merge_plan.h"

#include <algorithm>

namespace logdaemon::storage {

MergePlan::MergePlan(const std::vector<MergeInput>& inputs, size_t max_column_bytes)
    : inputs_(inputs), max_column_bytes_(max_column_bytes) {}

void MergePlan::LoadRowGroup() {
  const parquet::FileReader& reader = *inputs_[input_].reader;
  const parquet::RowGroup& group = reader.metadata().row_groups[static_cast<size_t>(row_group_)];
  row_ = 0;
  group_rows_ = static_cast<size_t>(std::max<int64_t>(group.num_rows, 0));
  bytes_per_row_.assign(static_cast<size_t>(reader.num_columns()), 8.0);
  if (group_rows_ == 0) return;
  for (size_t c = 0; c < bytes_per_row_.size() && c < group.columns.size(); ++c) {
    const auto& meta = group.columns[c].meta_data;
    if (!meta) continue;
    bytes_per_row_[c] += static_cast<double>(std::max<int64_t>(meta->total_uncompressed_size, 0)) /
                         static_cast<double>(group_rows_);
  }
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
        ++row_group_;
        LoadRowGroup();
      } else {
        ++input_;
        row_group_ = -1;
      }
    }
    if (planned_.size() < bytes_per_row_.size()) planned_.resize(bytes_per_row_.size(), 0);
    if (rows == 0) std::fill(planned_.begin(), planned_.end(), 0.0);
    size_t take = std::min(group_rows_ - row_, max_rows - rows);
    for (size_t c = 0; c < bytes_per_row_.size(); ++c) {
      double room = static_cast<double>(max_column_bytes_) - planned_[c];
      size_t fits = room <= 0 ? 0 : static_cast<size_t>(room / bytes_per_row_[c]);
      take = std::min(take, fits);
    }
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

}  // namespace logdaemon::storage
