// ColumnSource: one column of the row group being scanned, decoded a window of rows at a time and read
// as query Values. It wraps a parquet::ColumnChunkReader, so only the pages holding the rows asked for
// are decoded (a --limit stops early, and output columns are decoded only where rows matched), and it
// keeps dictionary-encoded strings as dictionary indices, so that a filter or a grouping can work on the
// few dictionary entries instead of every row's string.
//
// A source may also be "null": the file lacks the column, or stores it with another type than the
// table's; every row then reads as null.
//
// Thread-safety: one per scanning thread.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "logdaemon/status.h"
#include "parquet/column_chunk_reader.h"
#include "parquet/column_data.h"
#include "parquet/file_reader.h"
#include "query/value.h"

namespace logdaemon::query {

class ColumnSource {
 public:
  // Every row null.
  void OpenNull();
  // Column `column` of `row_group`, read as `type`. Strings keep their dictionary (see dict_index).
  Status Open(const parquet::FileReader& file, int row_group, int column, ValueType type);

  // Makes rows [begin, end) of the row group readable (decodes their pages unless already decoded).
  Status Cover(size_t begin, size_t end);
  // The row after the last one the last Cover decoded: whole pages are decoded, so rows up to here are
  // readable without decoding again (0 before a Cover; SIZE_MAX for a null source, which decodes
  // nothing).
  size_t covered_end() const {
    if (type_ == ValueType::kNull) return SIZE_MAX;
    return covered_ ? data_.first_row + data_.num_rows : 0;
  }

  // The value of row `row` (a row-group row inside the last Cover); strings are views valid until the
  // next Cover or Open.
  Value Get(size_t row) const {
    const size_t local = row - data_.first_row;
    if (type_ == ValueType::kNull || (!data_.def_levels.empty() && data_.def_levels[local] == 0)) {
      return Value::Null();
    }
    const size_t k = present_index_.empty() ? local : present_index_[local];
    switch (type_) {
      case ValueType::kBool:
        return Value::Bool(data_.fixed.data()[k] != 0);
      case ValueType::kInt64:
        return Value::Int64(data_.value<int64_t>(k));
      case ValueType::kTimestamp:
        return Value::Timestamp(data_.value<int64_t>(k));
      case ValueType::kDouble:
        return Value::Double(data_.value<double>(k));
      case ValueType::kString:
      case ValueType::kJson: {
        const std::string_view text =
            data_.dictionary_encoded ? (*data_.dictionary)[data_.dict_indices[k]] : data_.byte_arrays[k];
        return type_ == ValueType::kString ? Value::String(text) : Value::Json(text);
      }
      case ValueType::kNull:
        break;
    }
    return Value::Null();
  }

  // For a grouping over a few rows far apart: whether Gather can read rows [begin, end) (a string
  // column whose pages there are dictionary-encoded).
  bool CanGather(size_t begin, size_t end) const {
    return (type_ == ValueType::kString || type_ == ValueType::kJson) && reader_.CanGatherIndices(begin, end);
  }
  // entries[i] = the dictionary entry of row rows[i] (strictly ascending), or parquet::kNullDictIndex
  // when it is null, reading only these rows' values of their pages; dictionary() is then valid. What
  // Cover covered stays readable. REQUIRES: CanGather(rows.front(), rows.back() + 1).
  Status Gather(std::span<const uint32_t> rows, uint32_t* entries) {
    return reader_.GatherIndices(rows, entries);
  }

  ValueType type() const { return type_; }
  // Whether the rows covered now are dictionary indices (then dict_index and dictionary are usable).
  bool dictionary_encoded() const { return type_ != ValueType::kNull && data_.dictionary_encoded; }
  // The dictionary entry of row `row`, or -1 when it is null. REQUIRES: dictionary_encoded().
  int64_t dict_index(size_t row) const {
    const size_t local = row - data_.first_row;
    if (!data_.def_levels.empty() && data_.def_levels[local] == 0) return -1;
    return data_.dict_indices[present_index_.empty() ? local : present_index_[local]];
  }
  // The dictionary entries of rows [begin, end) (covered, none null), contiguous. REQUIRES:
  // dictionary_encoded() and !has_nulls().
  const uint32_t* dict_indices(size_t begin) const {
    return data_.dict_indices.data() + (begin - data_.first_row);
  }
  // Whether some covered row is null (if not, dict_indices is usable).
  bool has_nulls() const { return !data_.def_levels.empty(); }
  // The chunk's dictionary: valid from a Cover that was dictionary_encoded() or a Gather until the next
  // Open (also after a later Cover falls back to plain values).
  const parquet::ByteArrayValues& dictionary() const { return *reader_.dictionary(); }
  // Changes whenever the dictionary may have (every Open): a cache of per-entry results is keyed on it.
  uint64_t generation() const { return generation_; }

  // Compressed bytes decoded since the last call (for --explain).
  uint64_t TakeBytesDecoded();

 private:
  parquet::ColumnChunkReader reader_;
  parquet::ColumnData data_;
  ValueType type_ = ValueType::kNull;
  bool covered_ = false;
  // For OPTIONAL columns with nulls in the covered rows: the number of present values before each
  // decoded row (values are packed). Covered rows without nulls have no def_levels and no
  // present_index_: value k is row k.
  std::vector<uint32_t> present_index_;
  uint64_t generation_ = 0;
  uint64_t bytes_reported_ = 0;
  uint64_t pending_bytes_ = 0;
};

}  // namespace logdaemon::query
