// MergePlan: cuts the rows of a merge's inputs into the row groups of the merged file.
//
// A group is a run of consecutive slices (a slice: some rows of one input row group) in input order,
// cut so that it has at most `max_rows` rows and, for every column, an estimated decoded size of at most
// `max_column_bytes` — the estimate comes from the footers (a chunk's uncompressed bytes, shared out
// over its rows, plus 8 bytes a row of index), so the plan costs no reading. That bound is what keeps
// a merge's memory small at any row width or column count (storage/row_group_merger.h holds one column
// of one group at a time); a group always takes at least one row.
//
// Thread-safety: none.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "parquet/file_reader.h"

namespace logdaemon::storage {

struct MergeInput {
  const parquet::FileReader* reader = nullptr;
  int64_t fallback_time = 0;  // a row's time when its time field is null (UTC micros)
  std::string path;           // for errors
};

// Rows [begin, end) of row group `row_group` of input `input`.
struct MergeSlice {
  uint32_t input = 0;
  int row_group = 0;
  size_t begin = 0;
  size_t end = 0;
  size_t rows() const { return end - begin; }
};

class MergePlan {
 public:
  MergePlan(const std::vector<MergeInput>& inputs, size_t max_column_bytes);

  // The next group of at most max_rows rows (> 0) into *group; false when every row is planned.
  bool Next(size_t max_rows, std::vector<MergeSlice>* group);

 private:
  // Estimated decoded bytes per row of each column of the current input row group.
  void LoadRowGroup();

  const std::vector<MergeInput>& inputs_;
  const size_t max_column_bytes_;
  uint32_t input_ = 0;
  int row_group_ = -1;
  size_t row_ = 0;         // next row of the current row group
  size_t group_rows_ = 0;  // rows of the current row group
  std::vector<double> bytes_per_row_;
  std::vector<double> planned_;  // per column: estimated bytes in the group being planned
};

}  // namespace logdaemon::storage
