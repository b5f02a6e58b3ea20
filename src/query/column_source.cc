#include "query/column_source.h"

namespace logdaemon::query {

void ColumnSource::OpenNull() {
  pending_bytes_ += TakeBytesDecoded();
  type_ = ValueType::kNull;
  covered_ = false;
  ++generation_;
}

Status ColumnSource::Open(const parquet::FileReader& file, int row_group, int column, ValueType type) {
  pending_bytes_ += TakeBytesDecoded();  // the previous chunk's, not taken yet
  type_ = ValueType::kNull;
  covered_ = false;
  ++generation_;
  bytes_reported_ = 0;
  const bool strings = type == ValueType::kString || type == ValueType::kJson;
  if (Status st = reader_.Open(file, row_group, column, /*keep_dictionary=*/strings); !st.ok()) return st;
  type_ = type;
  return Status::OK();
}

Status ColumnSource::Cover(size_t begin, size_t end) {
  if (type_ == ValueType::kNull) return Status::OK();  // every row reads as null through type_
  if (covered_ && begin >= data_.first_row && end <= data_.first_row + data_.num_rows) return Status::OK();
  covered_ = false;
  if (Status st = reader_.Read(begin, end, &data_); !st.ok()) return st;
  present_index_.clear();
  // An OPTIONAL column without nulls here reads like a REQUIRED one: no level to check per row.
  if (data_.num_values == data_.num_rows) data_.def_levels.clear();
  if (!data_.def_levels.empty()) {
    present_index_.resize(data_.num_rows);
    uint32_t k = 0;
    for (size_t r = 0; r < data_.num_rows; ++r) {
      present_index_[r] = k;
      k += data_.def_levels[r];
    }
  }
  covered_ = true;
  return Status::OK();
}

uint64_t ColumnSource::TakeBytesDecoded() {
  uint64_t delta = pending_bytes_;
  pending_bytes_ = 0;
  if (type_ != ValueType::kNull) {
    const uint64_t total = reader_.bytes_decoded();
    delta += total - bytes_reported_;
    bytes_reported_ = total;
  }
  return delta;
}

}  // namespace logdaemon::query
