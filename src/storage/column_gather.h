// ColumnGather: one column's values for a run of output rows, picked from several decoded inputs in any
// order — the step of a merge that puts rows in time order one column at a time (storage/
// row_group_merger.h), so that a merge never holds whole rows, let alone two copies of them.
//
// Inputs are parquet::ColumnData as ColumnChunkReader::Read returns them: plain values, or a BYTE_ARRAY
// column's dictionary indices into the chunk's dictionary (keep_dictionary), nulls as definition levels.
// The output is a parquet::ColumnBatch for FileWriter::AppendColumn, valid until the next Gather.
//
// Thread-safety: none; one per merge.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "logdaemon/status.h"
#include "parquet/byte_buffer.h"
#include "parquet/column_data.h"
#include "parquet/column_spec.h"

namespace logdaemon::storage {

// One input of a gather: decoded rows, and where its rows are in `data` (row r of the input is
// data->def_levels[r + offset], ...).
struct GatherSource {
  const parquet::ColumnData* data = nullptr;
  size_t offset = 0;
  // For data with definition levels: value_index[i] = the present values before row i of `data`.
  // Built by Prepare().
  std::vector<uint32_t> value_index;
  // For dictionary-encoded byte arrays: the output's value keys are key_base + the dictionary index
  // (ColumnBatch::value_keys), so that the writer hashes each input entry once rather than every row
  // that holds it. kNoValueKey: none. The caller keeps the sources' key ranges apart within a column
  // chunk.
  uint32_t key_base = parquet::kNoValueKey;

  // Checks `data` against the column (type, counts) and builds value_index.
  Status Prepare(const parquet::ColumnSpec& column);
};

// An output row: row `row` of source `source`.
struct RowRef {
  uint32_t source;
  uint32_t row;
};

class ColumnGather {
 public:
  // Gathers `rows` of `column` from `sources` into *out. A null in a REQUIRED column is Corruption.
  // REQUIRES: every source Prepare()d for `column`, every RowRef within its source's rows.
  Status Gather(const parquet::ColumnSpec& column, std::span<const GatherSource> sources,
                std::span<const RowRef> rows, parquet::ColumnBatch* out);

  // Bytes held by the gather's buffers (their capacity).
  size_t capacity_bytes() const;

 private:
  std::vector<uint8_t> def_levels_;
  parquet::ByteBuffer fixed_;
  parquet::ByteBuffer bytes_;
  std::vector<uint32_t> offsets_;
  std::vector<uint32_t> keys_;
};

}  // namespace logdaemon::storage
