#include "parquet/file_reader.h"

#include <algorithm>
#include <cstring>

#include "parquet/column_chunk_reader.h"
#include "parquet/metadata_codec.h"

namespace logdaemon::parquet {

namespace {

std::string Quote(std::string_view name) {
  std::string quoted;
  quoted.reserve(name.size() + 2);
  quoted.push_back('\'');
  quoted.append(name);
  quoted.push_back('\'');
  return quoted;
}

bool KnownType(Type type) {
  return static_cast<int32_t>(type) >= 0 && static_cast<int32_t>(type) <= 7;
}

}  // namespace

FileReader::FileReader(std::unique_ptr<InputSource> source, std::string name, ReaderOptions options)
    : source_(std::move(source)), name_(std::move(name)), options_(options) {}

FileReader::~FileReader() = default;

Result<std::unique_ptr<FileReader>> FileReader::Open(const std::string& path, ReaderOptions options) {
  auto source = FileInputSource::Open(path);
  if (!source.ok()) return source.status();
  return Open(std::move(source).value(), path, options);
}

Result<std::unique_ptr<FileReader>> FileReader::Open(std::unique_ptr<InputSource> source, std::string name,
                                                     ReaderOptions options) {
  std::unique_ptr<FileReader> reader(new FileReader(std::move(source), std::move(name), options));
  Status st = reader->ReadFooter();
  if (st.ok()) st = reader->BuildSchema();
  if (st.ok()) st = reader->CheckRowGroups();
  if (!st.ok()) return st.WithContext(reader->name_);
  return reader;
}

Status FileReader::ReadFooter() {
  uint64_t size = source_->size();
  if (size < 12)
    return Status::Corruption("not a Parquet file: " + std::to_string(size) + " bytes is too small");
  uint8_t head[4];
  uint8_t tail[8];
  if (Status st = source_->ReadAt(0, 4, head); !st.ok()) return st;
  if (Status st = source_->ReadAt(size - 8, 8, tail); !st.ok()) return st;
  if (std::memcmp(tail + 4, "PARE", 4) == 0) return Status::NotSupported("encrypted Parquet file");
  if (std::memcmp(head, kMagic, 4) != 0 || std::memcmp(tail + 4, kMagic, 4) != 0) {
    return Status::Corruption("not a Parquet file: no PAR1 magic at its start and end");
  }
  uint32_t footer_length;
  std::memcpy(&footer_length, tail, 4);
  if (footer_length > size - 12) {
    return Status::Corruption("footer length " + std::to_string(footer_length) + " exceeds the file size " +
                              std::to_string(size));
  }
  if (footer_length > options_.max_footer_size) {
    return Status::NotSupported("footer of " + std::to_string(footer_length) + " bytes exceeds the limit");
  }
  ByteBuffer footer;
  footer.resize(footer_length);
  if (Status st = source_->ReadAt(size - 8 - footer_length, footer_length, footer.data()); !st.ok())
    return st;
  if (Status st = ParseFileMetaData(footer.data(), footer.size(), &metadata_); !st.ok()) {
    return st.WithContext("footer");
  }
  if (metadata_.encrypted) return Status::NotSupported("encrypted Parquet file");
  if (metadata_.num_rows < 0) return Status::Corruption("footer: negative num_rows");
  return Status::OK();
}

Status FileReader::BuildSchema() {
  const std::vector<SchemaElement>& schema = metadata_.schema;
  if (schema.empty()) return Status::Corruption("footer: empty schema");
  const SchemaElement& root = schema[0];
  int32_t children = root.num_children.value_or(0);
  if (children < 0) return Status::Corruption("schema: negative num_children");
  for (size_t i = 1; i < schema.size(); ++i) {
    const SchemaElement& element = schema[i];
    if (element.num_children.value_or(0) > 0 || !element.type) {
      return Status::NotSupported("column " + Quote(element.name) +
                                  " is nested (a group); only flat schemas are supported");
    }
    if (element.repetition_type == Repetition::kRepeated) {
      return Status::NotSupported("column " + Quote(element.name) +
                                  " is REPEATED; only flat schemas are supported");
    }
    if (!KnownType(*element.type)) {
      return Status::Corruption("column " + Quote(element.name) + ": unknown physical type " +
                                std::to_string(static_cast<int32_t>(*element.type)));
    }
    ColumnSpec spec;
    spec.name = element.name;
    spec.type = *element.type;
    spec.repetition = element.repetition_type.value_or(Repetition::kOptional);
    if (spec.type == Type::kFixedLenByteArray) {
      int32_t length = element.type_length.value_or(0);
      if (length <= 0 || length > (1 << 20)) {
        return Status::Corruption("column " + Quote(element.name) + ": FIXED_LEN_BYTE_ARRAY length " +
                                  std::to_string(length));
      }
      spec.type_length = length;
    }
    spec.logical_type = element.logical_type;
    spec.converted_type = element.converted_type;
    columns_.push_back(std::move(spec));
  }
  if (static_cast<size_t>(children) != columns_.size()) {
    return Status::Corruption("schema: root has " + std::to_string(children) + " children but " +
                              std::to_string(columns_.size()) + " columns follow");
  }
  return Status::OK();
}

Status FileReader::CheckRowGroups() {
  uint64_t file_size = source_->size();
  for (size_t g = 0; g < metadata_.row_groups.size(); ++g) {
    const RowGroup& group = metadata_.row_groups[g];
    std::string where = "row group " + std::to_string(g);
    if (group.num_rows < 0) return Status::Corruption(where + ": negative num_rows");
    if (group.columns.size() != columns_.size()) {
      return Status::Corruption(where + ": " + std::to_string(group.columns.size()) + " column chunks for " +
                                std::to_string(columns_.size()) + " columns");
    }
    for (size_t c = 0; c < columns_.size(); ++c) {
      const ColumnChunk& chunk = group.columns[c];
      std::string context = "column " + Quote(columns_[c].name) + " (" + where + ")";
      if (chunk.encrypted) return Status::NotSupported(context + ": encrypted column");
      if (chunk.file_path) return Status::NotSupported(context + ": column chunk in another file");
      if (!chunk.meta_data) return Status::Corruption(context + ": no column metadata");
      const ColumnMetaData& meta = *chunk.meta_data;
      if (meta.type != columns_[c].type) {
        return Status::Corruption(context + ": chunk type " + TypeName(meta.type) + " but schema type " +
                                  TypeName(columns_[c].type));
      }
      if (meta.total_compressed_size < 0 || meta.data_page_offset < 0 ||
          static_cast<uint64_t>(meta.total_compressed_size) > file_size) {
        return Status::Corruption(context + ": column chunk offsets out of bounds");
      }
    }
  }
  return Status::OK();
}

int FileReader::FindColumn(std::string_view name) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

std::optional<std::string> FileReader::KeyValue(std::string_view key) const {
  if (!metadata_.key_value_metadata) return std::nullopt;
  for (const auto& entry : *metadata_.key_value_metadata) {
    if (entry.key == key) return entry.value.value_or("");
  }
  return std::nullopt;
}

std::string FileReader::ColumnContext(int row_group, int column) const {
  return name_ + ": column " + Quote(columns_[column].name) + " (row group " + std::to_string(row_group) +
         ")";
}

Status FileReader::ReadChunkBytes(int row_group, int column, ByteBuffer* bytes, uint64_t* start) const {
  const ColumnMetaData& meta = *metadata_.row_groups[row_group].columns[column].meta_data;
  // Some writers store 0 (or garbage past the data page) in dictionary_page_offset when there is no
  // dictionary page; the chunk then starts at its first data page, and the page types tell the rest.
  // Others write the dictionary page offset but leave data_page_offset 0 when there is no data page.
  uint64_t begin = static_cast<uint64_t>(meta.data_page_offset);
  int64_t first_possible = sizeof(kMagic);
  if (meta.dictionary_page_offset && *meta.dictionary_page_offset >= first_possible &&
      (*meta.dictionary_page_offset < meta.data_page_offset || meta.data_page_offset < first_possible)) {
    begin = static_cast<uint64_t>(*meta.dictionary_page_offset);
  }
  uint64_t length = static_cast<uint64_t>(meta.total_compressed_size);
  uint64_t data_end = source_->size() - kFooterTrailerSize;
  if (begin < sizeof(kMagic) || begin > data_end || length > data_end - begin) {
    return Status::Corruption("column chunk [" + std::to_string(begin) + ", +" + std::to_string(length) +
                              ") lies outside the file's data");
  }
  if (length > options_.max_chunk_memory) {
    return Status::NotSupported("column chunk of " + std::to_string(length) +
                                " bytes exceeds the memory limit");
  }
  bytes->resize(length);
  *start = begin;
  return source_->ReadAt(begin, length, bytes->data());
}

Status FileReader::ReadColumnChunk(int row_group, int column, ColumnData* out) const {
  out->clear();
  if (column >= 0 && column < num_columns()) {
    out->type = columns_[static_cast<size_t>(column)].type;
    out->type_length = columns_[static_cast<size_t>(column)].type_length;
  }
  ColumnChunkReader reader;
  if (Status st = reader.Open(*this, row_group, column, /*keep_dictionary=*/false); !st.ok()) return st;
  return reader.Read(0, reader.num_rows(), out);
}

Status FileReader::ReadColumnIndex(int row_group, int column, std::optional<ColumnIndex>* out) const {
  out->reset();
  if (row_group < 0 || row_group >= num_row_groups() || column < 0 || column >= num_columns()) {
    return Status::InvalidArgument(name_ + ": no such column chunk");
  }
  const ColumnChunk& chunk = metadata_.row_groups[row_group].columns[column];
  if (!chunk.column_index_offset || !chunk.column_index_length) return Status::OK();
  uint64_t offset = static_cast<uint64_t>(*chunk.column_index_offset);
  uint64_t length = static_cast<uint64_t>(static_cast<uint32_t>(*chunk.column_index_length));
  if (*chunk.column_index_offset < 0 || *chunk.column_index_length < 0 || offset > source_->size() ||
      length > source_->size() - offset) {
    return Status::Corruption("column index out of bounds").WithContext(ColumnContext(row_group, column));
  }
  ByteBuffer bytes;
  bytes.resize(length);
  if (Status st = source_->ReadAt(offset, length, bytes.data()); !st.ok()) return st;
  ColumnIndex& index = out->emplace();
  if (Status st = ParseColumnIndex(bytes.data(), bytes.size(), &index); !st.ok()) {
    out->reset();
    return st.WithContext(ColumnContext(row_group, column) + ": column index");
  }
  return Status::OK();
}

Status FileReader::ReadOffsetIndex(int row_group, int column, std::optional<OffsetIndex>* out) const {
  out->reset();
  if (row_group < 0 || row_group >= num_row_groups() || column < 0 || column >= num_columns()) {
    return Status::InvalidArgument(name_ + ": no such column chunk");
  }
  const ColumnChunk& chunk = metadata_.row_groups[row_group].columns[column];
  if (!chunk.offset_index_offset || !chunk.offset_index_length) return Status::OK();
  uint64_t offset = static_cast<uint64_t>(*chunk.offset_index_offset);
  uint64_t length = static_cast<uint64_t>(static_cast<uint32_t>(*chunk.offset_index_length));
  if (*chunk.offset_index_offset < 0 || *chunk.offset_index_length < 0 || offset > source_->size() ||
      length > source_->size() - offset) {
    return Status::Corruption("offset index out of bounds").WithContext(ColumnContext(row_group, column));
  }
  ByteBuffer bytes;
  bytes.resize(length);
  if (Status st = source_->ReadAt(offset, length, bytes.data()); !st.ok()) return st;
  OffsetIndex& index = out->emplace();
  if (Status st = ParseOffsetIndex(bytes.data(), bytes.size(), &index); !st.ok()) {
    out->reset();
    return st.WithContext(ColumnContext(row_group, column) + ": offset index");
  }
  return Status::OK();
}

Status FileReader::SummarizePages(int row_group, int column, PageSummary* out) const {
  *out = PageSummary();
  if (row_group < 0 || row_group >= num_row_groups() || column < 0 || column >= num_columns()) {
    return Status::InvalidArgument(name_ + ": no such column chunk");
  }
  ByteBuffer bytes;
  uint64_t start = 0;
  if (Status st = ReadChunkBytes(row_group, column, &bytes, &start); !st.ok()) {
    return st.WithContext(ColumnContext(row_group, column));
  }
  size_t position = 0;
  bool every_crc = true;
  int pages = 0;
  while (position < bytes.size()) {
    PageHeader header;
    size_t header_size = 0;
    if (Status st = ParsePageHeader(bytes.data() + position, bytes.size() - position, &header, &header_size);
        !st.ok()) {
      return st.WithContext(ColumnContext(row_group, column) + ": page at offset " +
                            std::to_string(start + position));
    }
    position += header_size;
    if (header.compressed_page_size < 0 ||
        static_cast<size_t>(header.compressed_page_size) > bytes.size() - position) {
      return Status::Corruption("page runs past the column chunk")
          .WithContext(ColumnContext(row_group, column));
    }
    position += static_cast<size_t>(header.compressed_page_size);
    every_crc = every_crc && header.crc.has_value();
    ++pages;
    if (header.type == PageType::kDictionaryPage) {
      ++out->dictionary_pages;
    } else if (header.type == PageType::kDataPage) {
      ++out->data_pages;
      if (header.data_page_header) out->values += header.data_page_header->num_values;
    } else if (header.type == PageType::kDataPageV2) {
      ++out->data_pages;
      ++out->data_pages_v2;
      if (header.data_page_header_v2) out->values += header.data_page_header_v2->num_values;
    }
  }
  out->has_crc = pages > 0 && every_crc;
  return Status::OK();
}

}  // namespace logdaemon::parquet
