#include "storage/row_group_merger.h"

#include <algorithm>
#include <numeric>

namespace logdaemon::storage {

namespace {

// Rows decoded and passed on at a time when the slices are already in order, and gathered at a time
// otherwise: small enough to stay in cache, large enough that the per-call costs vanish.
constexpr size_t kWindowRows = 4096;

// The value keys of one column chunk (the inputs' dictionary entries, ColumnBatch::value_keys): the
// writer's map from key to its own index takes 4 bytes per key, so 256 KiB at most. Past it, the
// remaining slices' strings are hashed row by row, as without keys. (A merge of 32 flush files of the
// benches' corpus stays under it: 2 167 M instructions without keys, 2 063 M with them.)
constexpr uint32_t kMaxMergeValueKeys = uint32_t{1} << 16;

}  // namespace

RowGroupMerger::RowGroupMerger(int time_column, size_t max_column_bytes)
    : time_column_(time_column), release_bytes_(max_column_bytes) {}

Status RowGroupMerger::Open(const MergeInput& input, const MergeSlice& slice, int column, size_t k) {
  if (Status st = readers_[k].Open(*input.reader, slice.row_group, column, /*keep_dictionary=*/true);
      !st.ok()) {
    return st.WithContext(input.path);
  }
  return Status::OK();
}

Status RowGroupMerger::Read(const MergeInput& input, int column, size_t first, size_t last, size_t k) {
  parquet::ColumnData& data = data_[k];
  const parquet::ColumnSpec& spec = input.reader->columns()[static_cast<size_t>(column)];
  data.clear();
  data.type = spec.type;
  data.type_length = spec.type_length;
  if (Status st = readers_[k].Read(first, last, &data); !st.ok()) return st.WithContext(input.path);
  if (data.first_row > first || data.first_row + data.num_rows < last) {
    return Status::Corruption(input.path + ": column '" + spec.name +
                              "': decoded rows do not cover the slice");
  }
  GatherSource& source = sources_[k];
  source.data = &data;
  source.offset = first - data.first_row;
  if (Status st = source.Prepare(spec); !st.ok()) return st.WithContext(input.path);
  return Status::OK();
}

Status RowGroupMerger::Decode(const MergeInput& input, const MergeSlice& slice, int column, size_t k) {
  if (Status st = Open(input, slice, column, k); !st.ok()) return st;
  return Read(input, column, slice.begin, slice.end, k);
}

uint32_t RowGroupMerger::ReserveValueKeys(const parquet::ColumnData& data, uint32_t* next_key) {
  if (!data.dictionary_encoded || data.dictionary == nullptr) return parquet::kNoValueKey;
  const size_t entries = data.dictionary->count();
  if (entries > kMaxMergeValueKeys - *next_key) return parquet::kNoValueKey;
  const uint32_t base = *next_key;
  *next_key += static_cast<uint32_t>(entries);
  return base;
}

void RowGroupMerger::MakeSlots(size_t slices) {
  if (readers_.size() >= slices) return;
  readers_.resize(slices);
  data_.resize(slices);
  sources_.resize(slices);
}

Status RowGroupMerger::Prepare(std::span<const MergeInput> inputs, std::span<const MergeSlice> slices) {
  MakeSlots(slices.size());
  times_.clear();
  // Sized once for the group rather than grown by doubling: the copies left behind by growing scatter
  // the heap (a merge's peak RSS was 3 MB higher at the same heap peak).
  times_.reserve(RowsOf(slices));
  for (size_t s = 0; s < slices.size(); ++s) {
    const MergeSlice& slice = slices[s];
    const MergeInput& input = inputs[slice.input];
    if (time_column_ < 0) {
      times_.insert(times_.end(), slice.rows(), input.fallback_time);
      continue;
    }
    if (Status st = Decode(input, slice, time_column_, 0); !st.ok()) return st;
    const GatherSource& source = sources_[0];
    const parquet::ColumnData& d = data_[0];
    if (d.type != parquet::Type::kInt64)
      return Status::Corruption(input.path + ": the time column is not INT64");
    for (size_t r = source.offset; r < source.offset + slice.rows(); ++r) {
      if (d.is_null(r)) {
        times_.push_back(input.fallback_time);
      } else {
        times_.push_back(d.value<int64_t>(d.def_levels.empty() ? r : source.value_index[r]));
      }
    }
  }
  in_order_ = std::is_sorted(times_.begin(), times_.end());
  return Status::OK();
}

void RowGroupMerger::Cut(std::span<const MergeSlice> slices) {
  times_.resize(std::min(RowsOf(slices), times_.size()));
  in_order_ = std::is_sorted(times_.begin(), times_.end());
}

void RowGroupMerger::FindOrder(std::span<const MergeSlice> slices) {
  order_.clear();
  std::vector<uint32_t> rank(times_.size());
  std::iota(rank.begin(), rank.end(), uint32_t{0});
  std::stable_sort(rank.begin(), rank.end(), [&](uint32_t a, uint32_t b) { return times_[a] < times_[b]; });
  // Group row -> (slice, row within the slice).
  std::vector<RowRef> where;
  where.reserve(times_.size());
  for (size_t s = 0; s < slices.size(); ++s) {
    for (size_t r = 0; r < slices[s].rows(); ++r)
      where.push_back({static_cast<uint32_t>(s), static_cast<uint32_t>(r)});
  }
  order_.reserve(rank.size());
  for (uint32_t i : rank) order_.push_back(where[i]);
}

Status RowGroupMerger::WriteColumnInOrder(std::span<const MergeInput> inputs,
                                          std::span<const MergeSlice> slices, int column,
                                          parquet::FileWriter* writer) {
  const parquet::ColumnSpec& spec = writer->schema()[static_cast<size_t>(column)];
  parquet::ColumnBatch batch;
  uint32_t next_key = 0;
  for (const MergeSlice& slice : slices) {
    const MergeInput& input = inputs[slice.input];
    if (Status st = Open(input, slice, column, 0); !st.ok()) return st;
    // One dictionary per slice (its chunk's), whichever window first decodes to it.
    uint32_t key_base = parquet::kNoValueKey;
    for (size_t first = slice.begin; first < slice.end; first += kWindowRows) {
      const size_t last = std::min(slice.end, first + kWindowRows);
      if (Status st = Read(input, column, first, last, 0); !st.ok()) return st;
      if (key_base == parquet::kNoValueKey) key_base = ReserveValueKeys(data_[0], &next_key);
      sources_[0].key_base = key_base;
      window_.clear();
      for (size_t r = 0; r < last - first; ++r) window_.push_back({0, static_cast<uint32_t>(r)});
      if (Status st = gather_.Gather(spec, std::span(sources_).first(1), window_, &batch); !st.ok()) {
        return st.WithContext(input.path);
      }
      if (Status st = writer->AppendColumn(batch); !st.ok()) return st;
    }
  }
  return Status::OK();
}

Status RowGroupMerger::WriteColumnSorted(std::span<const MergeInput> inputs,
                                         std::span<const MergeSlice> slices, int column,
                                         parquet::FileWriter* writer) {
  const parquet::ColumnSpec& spec = writer->schema()[static_cast<size_t>(column)];
  for (size_t s = 0; s < slices.size(); ++s) {
    // Each slice is read whole, then only its decoded rows and dictionary are needed: the buffers of
    // the reading itself (the chunk's bytes, the decompressed pages) are lent to one slice after the
    // other, not held by every slice of the group at once.
    readers_[s].SwapScratch(&read_scratch_);
    const MergeSlice& slice = slices[s];
    Status st = Decode(inputs[slice.input], slice, column, s);
    readers_[s].SwapScratch(&read_scratch_);
    if (!st.ok()) return st;
  }
  uint32_t next_key = 0;
  for (size_t s = 0; s < slices.size(); ++s) sources_[s].key_base = ReserveValueKeys(data_[s], &next_key);
  parquet::ColumnBatch batch;
  const std::span<const GatherSource> sources = std::span(sources_).first(slices.size());
  for (size_t first = 0; first < order_.size(); first += kWindowRows) {
    const size_t count = std::min(kWindowRows, order_.size() - first);
    if (Status st = gather_.Gather(spec, sources, std::span(order_).subspan(first, count), &batch);
        !st.ok()) {
      return st;
    }
    if (Status st = writer->AppendColumn(batch); !st.ok()) return st;
  }
  return Status::OK();
}

Status RowGroupMerger::Write(std::span<const MergeInput> inputs, std::span<const MergeSlice> slices,
                             parquet::FileWriter* writer, int64_t* min_time) {
  const size_t rows = RowsOf(slices);
  if (rows == 0) return Status::OK();
  if (rows != times_.size() || readers_.size() < slices.size()) {
    return Status::InvalidArgument("merge: a row group written without Prepare() of its slices");
  }
  if (!in_order_) FindOrder(slices);
  *min_time = in_order_ ? times_.front() : *std::min_element(times_.begin(), times_.end());
  if (Status st = writer->BeginColumns(rows); !st.ok()) return st;
  const int columns = static_cast<int>(writer->schema().size());
  for (int column = 0; column < columns; ++column) {
    Status st = in_order_ ? WriteColumnInOrder(inputs, slices, column, writer)
                          : WriteColumnSorted(inputs, slices, column, writer);
    if (!st.ok()) return st;
    if (Status ended = writer->EndColumn(); !ended.ok()) return ended;
    ReleaseIfLarge();  // a wide column's buffers are not kept for the narrow ones after it
  }
  return writer->EndRowGroup();
}

size_t RowGroupMerger::held_bytes() const {
  size_t total = gather_.capacity_bytes() + times_.capacity() * sizeof(int64_t) +
                 order_.capacity() * sizeof(RowRef) + window_.capacity() * sizeof(RowRef);
  for (const parquet::ColumnData& d : data_) {
    total += d.def_levels.capacity() + d.fixed.capacity() + d.byte_arrays.bytes.capacity() +
             d.byte_arrays.offsets.capacity() * 4 + d.dict_indices.capacity() * 4;
  }
  for (const GatherSource& source : sources_) total += source.value_index.capacity() * 4;
  for (const parquet::ColumnChunkReader& reader : readers_) total += reader.memory_bytes();
  return total + read_scratch_.memory_bytes();
}

void RowGroupMerger::ReleaseIfLarge() {
  // A group of many slices, or a wide column, leaves buffers behind (decoded values, the readers' chunk
  // bytes, pages and dictionaries) that the next columns rarely need: past the per-column bound
  // they go. Kept below it, they save the allocations. The group's times and order stay (the next
  // columns need them; they are a few bytes a row); the slots are made again, empty.
  if (held_bytes() <= release_bytes_) return;
  const size_t slots = readers_.size();
  readers_ = std::vector<parquet::ColumnChunkReader>(slots);
  data_ = std::vector<parquet::ColumnData>(slots);
  sources_ = std::vector<GatherSource>(slots);
  gather_ = ColumnGather();
  window_ = {};
  read_scratch_ = parquet::ChunkReadScratch();
}

}  // namespace logdaemon::storage
