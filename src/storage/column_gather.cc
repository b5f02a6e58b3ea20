#include "storage/column_gather.h"

#include <string>

namespace logdaemon::storage {

Status GatherSource::Prepare(const parquet::ColumnSpec& column) {
  const parquet::ColumnData& d = *data;
  auto corrupt = [&](const std::string& why) {
    return Status::Corruption("column '" + column.name + "': " + why);
  };
  if (d.type != column.type) return corrupt("physical type differs from the table's");
  if (offset > d.num_rows) return corrupt("rows out of the decoded range");
  value_index.clear();
  size_t present = d.num_rows;
  if (!d.def_levels.empty()) {
    if (d.def_levels.size() != d.num_rows) return corrupt("definition levels do not match the rows");
    value_index.resize(d.num_rows);
    uint32_t k = 0;
    for (size_t r = 0; r < d.num_rows; ++r) {
      value_index[r] = k;
      k += d.def_levels[r] != 0;
    }
    present = k;
  }
  if (d.num_values != present) return corrupt("value count differs from the present rows");
  if (column.type == parquet::Type::kByteArray) {
    size_t values = d.dictionary_encoded ? d.dict_indices.size() : d.byte_arrays.count();
    if (values != present || (d.dictionary_encoded && d.dictionary == nullptr)) {
      return corrupt("byte array values do not match the value count");
    }
  } else if (d.fixed.size() != present * static_cast<size_t>(parquet::FixedWidth(d.type, d.type_length))) {
    return corrupt("value bytes do not match the value count");
  }
  return Status::OK();
}

Status ColumnGather::Gather(const parquet::ColumnSpec& column, std::span<const GatherSource> sources,
                            std::span<const RowRef> rows, parquet::ColumnBatch* out) {
  const size_t n = rows.size();
  const bool byte_array = column.type == parquet::Type::kByteArray;
  const size_t width =
      byte_array ? 0 : static_cast<size_t>(parquet::FixedWidth(column.type, column.type_length));
  def_levels_.resize(n);
  fixed_.clear();
  bytes_.clear();
  offsets_.assign(1, 0);
  // One key per present value, written in place (at most n of them).
  keys_.resize(byte_array ? n : 0);
  bool keyed = false;
  bytes_.reserve(1);  // data() is never nullptr, even when every value is empty
  fixed_.reserve(n * width + 1);
  size_t present = 0;
  for (size_t i = 0; i < n; ++i) {
    const GatherSource& source = sources[rows[i].source];
    const parquet::ColumnData& d = *source.data;
    const size_t r = rows[i].row + source.offset;
    size_t k = r;
    if (!d.def_levels.empty()) {
      if (d.def_levels[r] == 0) {
        if (!column.optional()) {
          return Status::Corruption("column '" + column.name + "': null in a REQUIRED column");
        }
        def_levels_[i] = 0;
        continue;
      }
      k = source.value_index[r];
    }
    def_levels_[i] = 1;
    ++present;
    if (!byte_array) {
      fixed_.append(d.fixed.data() + k * width, width);
    } else if (d.dictionary_encoded) {
      const uint32_t entry = d.dict_indices[k];
      bytes_.append((*d.dictionary)[entry]);
      offsets_.push_back(static_cast<uint32_t>(bytes_.size()));
      keys_[present - 1] =
          source.key_base == parquet::kNoValueKey ? parquet::kNoValueKey : source.key_base + entry;
      keyed |= source.key_base != parquet::kNoValueKey;
    } else {
      bytes_.append(d.byte_arrays[k]);
      offsets_.push_back(static_cast<uint32_t>(bytes_.size()));
      keys_[present - 1] = parquet::kNoValueKey;
    }
  }
  *out = parquet::ColumnBatch{};
  out->num_rows = n;
  out->num_values = present;
  out->def_levels = column.optional() ? def_levels_.data() : nullptr;
  switch (column.type) {
    case parquet::Type::kInt64:
      out->int64s = reinterpret_cast<const int64_t*>(fixed_.data());
      break;
    case parquet::Type::kDouble:
      out->doubles = reinterpret_cast<const double*>(fixed_.data());
      break;
    case parquet::Type::kBoolean:
      out->booleans = fixed_.data();
      break;
    case parquet::Type::kByteArray:
      out->bytes = bytes_.data();
      out->offsets = offsets_.data();
      if (keyed) out->value_keys = keys_.data();
      break;
    default:
      return Status::NotSupported("column '" + column.name + "': merging " + parquet::TypeName(column.type));
  }
  return Status::OK();
}

size_t ColumnGather::capacity_bytes() const {
  return def_levels_.capacity() + fixed_.capacity() + bytes_.capacity() + offsets_.capacity() * 4 +
         keys_.capacity() * 4;
}

}  // namespace logdaemon::storage
