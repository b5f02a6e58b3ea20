// MergePlan: cuts the rows of a merge's inputs into the row groups of the merged file.
//
// A group is a run of consecutive slices (a slice: some rows of one input row group) in input order,
// cut so that it has at most `max_rows` rows and, for every column, an estimate of what the merge holds
// of it of at most `max_column_bytes`; a group always takes at least one row. The estimates come from
// the footers, so the plan costs no reading. That bound is what keeps a merge's memory small at any row
// width or column count (storage/row_group_merger.h holds one column of one group at a time).
//
// Two estimates, because the merger holds two different things (storage/row_group_merger.h):
//   - streamed (Next): rows already in time order are passed through a window at a time, so what grows
//     with the group is its encoded output — a chunk's compressed bytes, shared out over its rows, plus
//     5 bytes a row (a sorted dictionary's held index and level);
//   - decoded (FitForSort): rows to be sorted are decoded whole first — a chunk's uncompressed bytes
//     shared out over its rows plus 8 bytes a row of index, several times the streamed estimate.
// Next plans for the first; a group the merger then finds out of order is cut to fit the second
// (FitForSort), and the rows cut off are planned again. Large groups where the rows allow it make
// smaller files: each merged row group carries its own dictionaries (docs/performance.md).
//
// Thread-safety: none.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
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

// The rows of all of `slices`.
size_t RowsOf(std::span<const MergeSlice> slices);

// Whether the inputs' rows may be out of time order, from their footers: some row group's earliest time
// (column `time_column`'s statistics) is before the latest of the row groups ahead of it, in input
// order, or a row group has no statistics or null times (which take the input's fallback time). The
// compactor's guess for a merge's first group (storage/compactor.cc); the merger reads the times to know.
bool MayBeOutOfTimeOrder(const std::vector<MergeInput>& inputs, int time_column);

class MergePlan {
 public:
  MergePlan(const std::vector<MergeInput>& inputs, size_t max_column_bytes);

  // The next group of at most max_rows rows (> 0), within the bound as streamed, into *group; false
  // when every row is planned.
  bool Next(size_t max_rows, std::vector<MergeSlice>* group);

  // For a group that must be sorted: cuts *group (the one Next just returned) to its longest prefix
  // that fits the bound decoded (at least one row) and plans the rows cut off again, into the groups
  // Next returns from here on. Returns whether it cut.
  bool FitForSort(std::vector<MergeSlice>* group);

 private:
  // Estimated bytes per row of each column of row group `row_group` of input `input`, streamed or decoded.
  void Estimate(uint32_t input, int row_group, bool decoded, std::vector<double>* bytes_per_row) const;
  // Moves the plan to row `row` of row group `row_group` of input `input`.
  void Seek(uint32_t input, int row_group, size_t row);
  // How many of `rows` more rows at `bytes_per_row` fit in what *planned leaves of the bound.
  size_t Fits(const std::vector<double>& bytes_per_row, const std::vector<double>& planned,
              size_t rows) const;

  const std::vector<MergeInput>& inputs_;
  const size_t max_column_bytes_;
  uint32_t input_ = 0;
  int row_group_ = -1;
  size_t row_ = 0;                     // next row of the current row group
  size_t group_rows_ = 0;              // rows of the current row group
  std::vector<double> bytes_per_row_;  // streamed, of the current row group
  std::vector<double> planned_;        // per column: estimated bytes in the group being planned
};

}  // namespace logdaemon::storage
