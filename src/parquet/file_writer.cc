#include "parquet/file_writer.h"

#include <set>

#include "parquet/column_writer.h"
#include "parquet/metadata_codec.h"

namespace logdaemon::parquet {

std::string DefaultCreatedBy() {
  return std::string("logdaemon version ") + LOGDAEMON_VERSION + " (build " + LOGDAEMON_GIT_SHA + ")";
}

namespace {

ColumnEncoding EncodingOf(const WriterOptions& options, size_t column) {
  return options.column_encodings.empty() ? options.encoding : options.column_encodings[column];
}

SchemaElement LeafElement(const ColumnSpec& spec) {
  SchemaElement element;
  element.type = spec.type;
  if (spec.type == Type::kFixedLenByteArray) element.type_length = spec.type_length;
  element.repetition_type = spec.repetition;
  element.name = spec.name;
  element.converted_type = spec.converted_type;
  element.logical_type = spec.logical_type;
  return element;
}

}  // namespace

Status ValidateWriterConfig(const std::vector<ColumnSpec>& schema, const WriterOptions& options) {
  if (Status st = Compressor::Check(options.codec, options.compression_level); !st.ok()) return st;
  if (!options.column_encodings.empty() && options.column_encodings.size() != schema.size()) {
    return Status::InvalidArgument("column_encodings has " + std::to_string(options.column_encodings.size()) +
                                   " entries for " + std::to_string(schema.size()) + " columns");
  }
  if (options.data_page_version != 1 && options.data_page_version != 2) {
    return Status::InvalidArgument("data_page_version must be 1 or 2");
  }
  if (options.data_page_max_rows == 0 || options.data_page_max_rows > INT32_MAX) {
    return Status::InvalidArgument("data_page_max_rows must be between 1 and 2^31-1");
  }
  std::set<std::string> names;
  for (size_t i = 0; i < schema.size(); ++i) {
    const ColumnSpec& spec = schema[i];
    if (spec.name.empty()) return Status::InvalidArgument("column " + std::to_string(i) + " has no name");
    if (!names.insert(spec.name).second)
      return Status::InvalidArgument("duplicate column '" + spec.name + "'");
    if (spec.repetition == Repetition::kRepeated) {
      return Status::NotSupported("column '" + spec.name + "': REPEATED columns (flat schemas only)");
    }
    if (spec.type != Type::kInt64 && spec.type != Type::kDouble && spec.type != Type::kBoolean &&
        spec.type != Type::kByteArray) {
      return Status::NotSupported("column '" + spec.name + "': writing " + TypeName(spec.type));
    }
    ColumnEncoding encoding = EncodingOf(options, i);
    if (encoding == ColumnEncoding::kDeltaBinaryPacked && spec.type != Type::kInt64) {
      return Status::InvalidArgument("column '" + spec.name + "': DELTA_BINARY_PACKED needs INT64, not " +
                                     TypeName(spec.type));
    }
  }
  return Status::OK();
}

FileWriter::FileWriter(OutputSink* sink, std::vector<ColumnSpec> schema, WriterOptions options)
    : sink_(sink), schema_(std::move(schema)), options_(std::move(options)) {
  if (options_.created_by.empty()) options_.created_by = DefaultCreatedBy();
  scratch_ = std::make_unique<PageScratch>(options_.codec, options_.compression_level);
  shared_dictionaries_ = std::make_unique<ColumnDictionaries>();
  for (size_t i = 0; i < schema_.size(); ++i) {
    columns_.push_back(
        std::make_unique<ColumnChunkWriter>(schema_[i], options_, EncodingOf(options_, i), scratch_.get()));
  }
}

FileWriter::~FileWriter() = default;

Result<std::unique_ptr<FileWriter>> FileWriter::Open(OutputSink* sink, std::vector<ColumnSpec> schema,
                                                     WriterOptions options) {
  if (Status st = ValidateWriterConfig(schema, options); !st.ok()) return st;
  std::unique_ptr<FileWriter> writer(new FileWriter(sink, std::move(schema), std::move(options)));
  if (Status st = writer->Write(reinterpret_cast<const uint8_t*>(kMagic), sizeof(kMagic)); !st.ok())
    return st;
  return writer;
}

Status FileWriter::Write(const uint8_t* data, size_t n) {
  if (!sticky_error_.ok()) return sticky_error_;
  Status st = sink_->Append(data, n);
  if (!st.ok()) {
    sticky_error_ = st;
    return st;
  }
  bytes_written_ += n;
  return Status::OK();
}

size_t FileWriter::memory_bytes() const {
  size_t total = shared_chunk_.capacity() + shared_dictionaries_->memory_bytes() + scratch_->memory_bytes();
  for (const auto& column : columns_) total += column->memory_bytes();
  return total;
}

size_t FileWriter::buffered_bytes() const {
  size_t total = 0;
  for (const auto& column : columns_) total += column->buffered_bytes();
  return total;
}

Status FileWriter::CheckBatch(size_t column, const ColumnBatch& batch, size_t num_rows) const {
  const ColumnSpec& spec = schema_[column];
  if (batch.num_rows != num_rows) {
    return Status::InvalidArgument("column '" + spec.name + "': " + std::to_string(batch.num_rows) +
                                   " rows in a batch of " + std::to_string(num_rows));
  }
  size_t present = num_rows;
  if (batch.def_levels != nullptr) {
    if (!spec.optional()) {
      return Status::InvalidArgument("column '" + spec.name + "' is REQUIRED but the batch has nulls");
    }
    present = 0;
    for (size_t r = 0; r < num_rows; ++r) present += batch.def_levels[r] != 0;
  }
  if (present != batch.num_values) {
    return Status::InvalidArgument("column '" + spec.name + "': " + std::to_string(batch.num_values) +
                                   " values for " + std::to_string(present) + " present rows");
  }
  return Status::OK();
}

Status FileWriter::WriteBatch(const ColumnBatch* columns, size_t num_rows) {
  if (closed_) return Status::InvalidArgument("FileWriter: WriteBatch after Close");
  if (columnar_) return Status::InvalidArgument("FileWriter: WriteBatch inside a column-at-a-time row group");
  if (!sticky_error_.ok()) return sticky_error_;
  for (size_t i = 0; i < schema_.size(); ++i) {
    if (Status st = CheckBatch(i, columns[i], num_rows); !st.ok()) return st;
  }
  for (size_t i = 0; i < schema_.size(); ++i) {
    if (Status st = columns_[i]->Write(columns[i]); !st.ok()) {
      sticky_error_ = st;
      return st;
    }
  }
  row_group_rows_ += static_cast<int64_t>(num_rows);
  num_rows_ += static_cast<int64_t>(num_rows);
  return Status::OK();
}

Status FileWriter::WriteChunk(size_t column_number, RowGroup* group, int64_t* compressed) {
  ColumnChunkWriter& column = *columns_[column_number];
  if (Status st = column.Finish(); !st.ok()) {
    sticky_error_ = st;
    return st;
  }
  int64_t chunk_offset = static_cast<int64_t>(bytes_written_);
  ColumnChunk& chunk = group->columns.emplace_back();
  ColumnIndex* column_index = nullptr;
  OffsetIndex* offset_index = nullptr;
  if (options_.page_index) {
    column_indexes_.emplace_back();
    offset_indexes_.emplace_back();
    column_index = &column_indexes_.back();
    offset_index = &offset_indexes_.back();
  }
  column.FillMetadata(chunk_offset, &chunk, column_index, offset_index);
  if (options_.page_index && !column.column_index_valid()) column_indexes_.back().null_pages.clear();
  const ByteBuffer& dictionary = column.dictionary_page();
  const ByteBuffer& pages = column.data_pages();
  if (Status st = Write(dictionary.data(), dictionary.size()); !st.ok()) return st;
  if (Status st = Write(pages.data(), pages.size()); !st.ok()) return st;
  group->total_byte_size += chunk.meta_data->total_uncompressed_size;
  *compressed += chunk.meta_data->total_compressed_size;
  column.Reset();
  return Status::OK();
}

Status FileWriter::EndRowGroup() {
  if (!sticky_error_.ok()) return sticky_error_;
  if (columnar_) return EndColumns();
  if (row_group_rows_ == 0) return Status::OK();
  RowGroup& group = metadata_.row_groups.emplace_back();
  group.num_rows = row_group_rows_;
  group.file_offset = static_cast<int64_t>(bytes_written_);
  // RowGroup.ordinal is an i16; files with more row groups simply leave it out.
  if (metadata_.row_groups.size() <= static_cast<size_t>(INT16_MAX) + 1) {
    group.ordinal = static_cast<int16_t>(metadata_.row_groups.size() - 1);
  }
  int64_t compressed = 0;
  for (size_t c = 0; c < columns_.size(); ++c) {
    if (Status st = WriteChunk(c, &group, &compressed); !st.ok()) return st;
  }
  group.total_compressed_size = compressed;
  row_group_rows_ = 0;
  return Status::OK();
}

Status FileWriter::BeginColumns(size_t num_rows) {
  if (closed_) return Status::InvalidArgument("FileWriter: BeginColumns after Close");
  if (!sticky_error_.ok()) return sticky_error_;
  if (columnar_ || row_group_rows_ != 0) {
    return Status::InvalidArgument("FileWriter: BeginColumns inside an unfinished row group");
  }
  if (num_rows == 0) return Status::InvalidArgument("FileWriter: BeginColumns with no rows");
  columnar_ = true;
  columnar_rows_ = num_rows;
  current_column_ = 0;
  current_column_rows_ = 0;
  columnar_compressed_ = 0;
  RowGroup& group = metadata_.row_groups.emplace_back();
  group.num_rows = static_cast<int64_t>(num_rows);
  group.file_offset = static_cast<int64_t>(bytes_written_);
  if (metadata_.row_groups.size() <= static_cast<size_t>(INT16_MAX) + 1) {
    group.ordinal = static_cast<int16_t>(metadata_.row_groups.size() - 1);
  }
  columns_[0]->SwapChunkBuffer(&shared_chunk_);
  columns_[0]->LendDictionaries(shared_dictionaries_.get());
  return Status::OK();
}

Status FileWriter::AppendColumn(const ColumnBatch& batch) {
  if (!columnar_) return Status::InvalidArgument("FileWriter: AppendColumn outside BeginColumns");
  if (!sticky_error_.ok()) return sticky_error_;
  if (current_column_ >= columns_.size()) {
    return Status::InvalidArgument("FileWriter: AppendColumn after the last column");
  }
  if (batch.num_rows > columnar_rows_ - current_column_rows_) {
    return Status::InvalidArgument("column '" + schema_[current_column_].name + "': more than the " +
                                   std::to_string(columnar_rows_) + " rows of the row group");
  }
  if (Status st = CheckBatch(current_column_, batch, batch.num_rows); !st.ok()) return st;
  if (Status st = columns_[current_column_]->Write(batch); !st.ok()) {
    sticky_error_ = st;
    return st;
  }
  current_column_rows_ += batch.num_rows;
  return Status::OK();
}

Status FileWriter::EndColumn() {
  if (!columnar_) return Status::InvalidArgument("FileWriter: EndColumn outside BeginColumns");
  if (!sticky_error_.ok()) return sticky_error_;
  if (current_column_ >= columns_.size())
    return Status::InvalidArgument("FileWriter: EndColumn after the last column");
  if (current_column_rows_ != columnar_rows_) {
    return Status::InvalidArgument("column '" + schema_[current_column_].name +
                                   "': " + std::to_string(current_column_rows_) + " rows in a row group of " +
                                   std::to_string(columnar_rows_));
  }
  if (Status st = WriteChunk(current_column_, &metadata_.row_groups.back(), &columnar_compressed_);
      !st.ok()) {
    return st;
  }
  // The shared chunk buffer and dictionaries move on to the next column; this column's own buffers are
  // freed until the next row group.
  columns_[current_column_]->SwapChunkBuffer(&shared_chunk_);
  columns_[current_column_]->ReturnDictionaries(shared_dictionaries_.get());
  columns_[current_column_]->ReleaseMemory();
  ++current_column_;
  current_column_rows_ = 0;
  if (current_column_ < columns_.size()) {
    columns_[current_column_]->SwapChunkBuffer(&shared_chunk_);
    columns_[current_column_]->LendDictionaries(shared_dictionaries_.get());
  }
  return Status::OK();
}

Status FileWriter::EndColumns() {
  if (current_column_ != columns_.size()) {
    return Status::InvalidArgument("FileWriter: EndRowGroup with " +
                                   std::to_string(columns_.size() - current_column_) + " columns unwritten");
  }
  metadata_.row_groups.back().total_compressed_size = columnar_compressed_;
  num_rows_ += static_cast<int64_t>(columnar_rows_);
  columnar_ = false;
  columnar_rows_ = 0;
  return Status::OK();
}

uint64_t FileWriter::FooterBytes(const std::vector<KeyValue>& key_value_metadata) const {
  // What Close would write after the row groups, built the same way on a copy.
  uint64_t total = 0;
  FileMetaData metadata = metadata_;
  ByteBuffer buffer;
  if (options_.page_index) {
    const size_t columns = schema_.size();
    for (size_t g = 0; g < metadata.row_groups.size(); ++g) {
      for (size_t c = 0; c < columns; ++c) {
        ColumnChunk& chunk = metadata.row_groups[g].columns[c];
        const ColumnIndex& index = column_indexes_[g * columns + c];
        if (!index.null_pages.empty()) {
          buffer.clear();
          SerializeColumnIndex(index, &buffer);
          total += buffer.size();
          chunk.column_index_offset = static_cast<int64_t>(bytes_written_ + total);
          chunk.column_index_length = static_cast<int32_t>(buffer.size());
        }
        buffer.clear();
        SerializeOffsetIndex(offset_indexes_[g * columns + c], &buffer);
        total += buffer.size();
        chunk.offset_index_offset = static_cast<int64_t>(bytes_written_ + total);
        chunk.offset_index_length = static_cast<int32_t>(buffer.size());
      }
    }
  }
  metadata.version = options_.data_page_version == 1 ? 1 : 2;
  SchemaElement root;
  root.name = "schema";
  root.num_children = static_cast<int32_t>(schema_.size());
  metadata.schema.push_back(root);
  std::vector<ColumnOrder>& orders = metadata.column_orders.emplace();
  for (const ColumnSpec& spec : schema_) {
    metadata.schema.push_back(LeafElement(spec));
    orders.push_back(ColumnOrder::kTypeDefined);
  }
  metadata.num_rows = num_rows_;
  if (!key_value_metadata.empty()) metadata.key_value_metadata = key_value_metadata;
  metadata.created_by = options_.created_by;
  buffer.clear();
  SerializeFileMetaData(metadata, &buffer);
  return total + buffer.size() + 4 + sizeof(kMagic);
}

Status FileWriter::Close(const std::vector<KeyValue>& key_value_metadata) {
  if (closed_) return Status::InvalidArgument("FileWriter: Close called twice");
  if (Status st = EndRowGroup(); !st.ok()) return st;
  closed_ = true;

  ByteBuffer buffer;
  if (options_.page_index) {
    // The page index lives between the last row group and the footer: all column indexes, then all
    // offset indexes (the layout the specification describes).
    size_t columns = schema_.size();
    for (size_t g = 0; g < metadata_.row_groups.size(); ++g) {
      for (size_t c = 0; c < columns; ++c) {
        const ColumnIndex& index = column_indexes_[g * columns + c];
        if (index.null_pages.empty()) continue;  // no valid column index for this chunk
        buffer.clear();
        SerializeColumnIndex(index, &buffer);
        ColumnChunk& chunk = metadata_.row_groups[g].columns[c];
        chunk.column_index_offset = static_cast<int64_t>(bytes_written_);
        chunk.column_index_length = static_cast<int32_t>(buffer.size());
        if (Status st = Write(buffer.data(), buffer.size()); !st.ok()) return st;
      }
    }
    for (size_t g = 0; g < metadata_.row_groups.size(); ++g) {
      for (size_t c = 0; c < columns; ++c) {
        buffer.clear();
        SerializeOffsetIndex(offset_indexes_[g * columns + c], &buffer);
        ColumnChunk& chunk = metadata_.row_groups[g].columns[c];
        chunk.offset_index_offset = static_cast<int64_t>(bytes_written_);
        chunk.offset_index_length = static_cast<int32_t>(buffer.size());
        if (Status st = Write(buffer.data(), buffer.size()); !st.ok()) return st;
      }
    }
  }

  metadata_.version = options_.data_page_version == 1 ? 1 : 2;
  SchemaElement root;
  root.name = "schema";
  root.num_children = static_cast<int32_t>(schema_.size());
  metadata_.schema.push_back(root);
  std::vector<ColumnOrder>& orders = metadata_.column_orders.emplace();
  for (const ColumnSpec& spec : schema_) {
    metadata_.schema.push_back(LeafElement(spec));
    orders.push_back(ColumnOrder::kTypeDefined);
  }
  metadata_.num_rows = num_rows_;
  if (!key_value_metadata.empty()) metadata_.key_value_metadata = key_value_metadata;
  metadata_.created_by = options_.created_by;

  buffer.clear();
  SerializeFileMetaData(metadata_, &buffer);
  uint32_t footer_length = static_cast<uint32_t>(buffer.size());
  buffer.append_le(footer_length);
  buffer.append(kMagic, sizeof(kMagic));
  return Write(buffer.data(), buffer.size());
}

}  // namespace logdaemon::parquet
