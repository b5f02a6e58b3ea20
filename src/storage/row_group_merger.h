// RowGroupMerger: writes one row group of a merged file from slices of its input files' row groups, in
// time order, holding one column at a time (DESIGN.md §5.3, issue #13).
//
//   1. Prepare: the time column of every slice is decoded, and whether the rows are already in time order
//      found (flush files of live logs usually are); if not, Write finds their order by a stable sort of
//      the times.
//   2. Then column by column: already in order, each slice is decoded a window of rows at a time and
//      passed straight on (memory: one window); otherwise every slice's chunk of that column is decoded
//      (BYTE_ARRAY dictionaries stay dictionaries, so memory stays near the encoded size; the readers
//      share one set of reading buffers, lent to each in turn) and the rows are gathered in order a
//      window at a time (storage/column_gather.h) — never whole rows, never a second copy of the group.
//      FileWriter's column-at-a-time row groups write each column's chunk as soon as it is done.
// The caller bounds a group's rows and per-column bytes (storage/merge_plan.h); the buffers here are
// reused from column to column and group to group, and released when they grow past that bound.
//
// Thread-safety: none; one per merge.
#pragma once

#include <atomic>
#include <cstdint>
#include <span>
#include <vector>

#include "logdaemon/status.h"
#include "parquet/column_chunk_reader.h"
#include "parquet/column_data.h"
#include "parquet/file_reader.h"
#include "parquet/file_writer.h"
#include "storage/column_gather.h"
#include "storage/merge_plan.h"

namespace logdaemon::storage {

class RowGroupMerger {
 public:
  // time_column: the column holding each row's time (-1: none); max_column_bytes: the bound the plan
  // keeps each column of a group under, from which the buffers' release threshold follows.
  RowGroupMerger(int time_column, size_t max_column_bytes);

  // Step 1 for a group: reads the times of the rows of `slices` of `inputs` and whether they are in
  // order. Errors name the input file.
  Status Prepare(std::span<const MergeInput> inputs, std::span<const MergeSlice> slices);
  // After Prepare: whether the group's rows are already in time order (Write streams them); if not,
  // Write decodes every slice of a column at once, and the group must fit MergePlan::FitForSort.
  bool in_order() const { return in_order_; }
  // After MergePlan::FitForSort cut the prepared group to `slices` (a prefix of it): keeps the times of
  // those rows, without reading them again.
  void Cut(std::span<const MergeSlice> slices);

  // Writes the rows of the slices last Prepare()d as one row group of `writer`, sorted by time (stable:
  // rows with equal times keep their input order). *min_time: the group's earliest time. Errors name
  // the input file. REQUIRES: Prepare(inputs, slices) returned OK for these very slices.
  Status Write(std::span<const MergeInput> inputs, std::span<const MergeSlice> slices,
               parquet::FileWriter* writer, int64_t* min_time);

  // Bytes held by the buffers between groups (their capacity), for the memory accounting.
  size_t held_bytes() const;

 private:
  // Makes one reader, data and source slot per slice, before any is filled: sources_ point into data_,
  // which must not move.
  void MakeSlots(size_t slices);
  // order_: the group's rows (slice, row) in stable time order.
  void FindOrder(std::span<const MergeSlice> slices);
  // Step 2, slices in order: each decoded a window at a time.
  Status WriteColumnInOrder(std::span<const MergeInput> inputs, std::span<const MergeSlice> slices,
                            int column, parquet::FileWriter* writer);
  // Step 2, rows out of order: every slice decoded, then gathered in order_.
  Status WriteColumnSorted(std::span<const MergeInput> inputs, std::span<const MergeSlice> slices, int column,
                           parquet::FileWriter* writer);
  // Opens reader k on the slice's chunk of `column`.
  Status Open(const MergeInput& input, const MergeSlice& slice, int column, size_t k);
  // Decodes rows [first, last) of reader k's row group into data_[k]; sources_[k] then points at them.
  Status Read(const MergeInput& input, int column, size_t first, size_t last, size_t k);
  // Open, then Read the whole slice.
  Status Decode(const MergeInput& input, const MergeSlice& slice, int column, size_t k);
  // The first of `data`'s dictionary entries' value keys in the column chunk being written
  // (GatherSource::key_base), taken from *next_key; kNoValueKey without a dictionary, or when the
  // chunk's keys would pass kMaxMergeValueKeys (row_group_merger.cc).
  static uint32_t ReserveValueKeys(const parquet::ColumnData& data, uint32_t* next_key);
  void ReleaseIfLarge();

  const int time_column_;
  const size_t release_bytes_;
  std::vector<parquet::ColumnChunkReader> readers_;
  std::vector<parquet::ColumnData> data_;
  std::vector<GatherSource> sources_;
  std::vector<int64_t> times_;
  std::vector<RowRef> order_;
  std::vector<RowRef> window_;
  bool in_order_ = true;
  ColumnGather gather_;
  // The sorted path's reading buffers, lent to each slice's reader in turn (WriteColumnSorted).
  parquet::ChunkReadScratch read_scratch_;
};

}  // namespace logdaemon::storage
