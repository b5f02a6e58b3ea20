#include "parquet/file_reader.h"

#include <algorithm>
#include <cstring>

#include "parquet/byte_stream_split.h"
#include "parquet/compression.h"
#include "parquet/delta_binary_packed.h"
#include "parquet/delta_byte_array.h"
#include "parquet/metadata_codec.h"
#include "parquet/plain.h"
#include "parquet/rle_bitpacked.h"

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

// The dictionary of a column chunk, decoded: fixed-width entries or byte arrays.
struct Dictionary {
  bool present = false;
  size_t count = 0;
  ByteBuffer fixed;
  ByteArrayValues byte_arrays;
};

// Decodes one page's values and levels into a ColumnData, appending. Holds the scratch buffers a chunk
// read reuses from page to page.
class PageDecoder {
 public:
  PageDecoder(const ColumnSpec& spec, Codec codec, const ReaderOptions& options, uint64_t row_group_rows,
              ColumnData* out)
      : spec_(spec), codec_(codec), options_(options), row_group_rows_(row_group_rows), out_(out) {}

  Status Decode(const PageHeader& header, const uint8_t* body, size_t body_size);

 private:
  Status DecodeDictionaryPage(const PageHeader& header, const uint8_t* body, size_t body_size);
  Status DecodeDataPageV1(const PageHeader& header, const uint8_t* body, size_t body_size);
  Status DecodeDataPageV2(const PageHeader& header, const uint8_t* body, size_t body_size);
  Status DecodeLevels(const uint8_t* data, size_t size, size_t num_values, bool v1, size_t* present,
                      size_t* consumed);
  Status DecodeValues(Encoding encoding, const uint8_t* data, size_t size, size_t count);
  Status DecodeDictionaryIndices(const uint8_t* data, size_t size, size_t count);
  Status Decompress(const uint8_t* data, size_t size, size_t uncompressed_size, bool compressed,
                    const uint8_t** out, size_t* out_size);
  Status CheckMemory() const;
  Status MemoryLimitError() const;
  // A page may not claim more values than the row group has rows left: this bounds the memory that a
  // few bytes of run-length encoded levels could otherwise make us allocate.
  Status CheckPageValues(int64_t num_values) const {
    if (static_cast<uint64_t>(num_values) > rows_left()) {
      return Status::Corruption("page holds " + std::to_string(num_values) + " values, the row group has " +
                                std::to_string(rows_left()) + " rows left");
    }
    return Status::OK();
  }
  uint64_t rows_left() const { return row_group_rows_ - out_->num_rows; }

  const ColumnSpec& spec_;
  Codec codec_;
  const ReaderOptions& options_;
  uint64_t row_group_rows_;
  ColumnData* out_;
  Dictionary dictionary_;
  Decompressor decompressor_;
  ByteBuffer decompressed_;
  std::vector<uint32_t> indices_;
  ByteArrayValues byte_scratch_;
  bool seen_data_page_ = false;
};

int Width(const ColumnSpec& spec) {
  return FixedWidth(spec.type, spec.type_length);
}

Status PageDecoder::MemoryLimitError() const {
  return Status::NotSupported("decoded column chunk exceeds the reader's memory limit of " +
                              std::to_string(options_.max_chunk_memory) + " bytes");
}

Status PageDecoder::CheckMemory() const {
  size_t used = out_->fixed.size() + out_->byte_arrays.bytes.size() + out_->byte_arrays.offsets.size() * 4 +
                out_->def_levels.size() + decompressed_.size();
  if (used > options_.max_chunk_memory) return MemoryLimitError();
  return Status::OK();
}

Status PageDecoder::Decompress(const uint8_t* data, size_t size, size_t uncompressed_size, bool compressed,
                               const uint8_t** out, size_t* out_size) {
  if (!compressed || codec_ == Codec::kUncompressed) {
    if (size != uncompressed_size) {
      return Status::Corruption("uncompressed page holds " + std::to_string(size) + " bytes, header says " +
                                std::to_string(uncompressed_size));
    }
    *out = data;
    *out_size = size;
    return Status::OK();
  }
  if (uncompressed_size > options_.max_chunk_memory) {
    return Status::NotSupported("page of " + std::to_string(uncompressed_size) +
                                " bytes exceeds the reader's memory limit");
  }
  if (Status st = decompressor_.Decompress(codec_, data, size, uncompressed_size, &decompressed_); !st.ok()) {
    return st;
  }
  *out = decompressed_.data();
  *out_size = decompressed_.size();
  return Status::OK();
}

Status PageDecoder::Decode(const PageHeader& header, const uint8_t* body, size_t body_size) {
  if (header.uncompressed_page_size < 0) return Status::Corruption("negative uncompressed_page_size");
  switch (header.type) {
    case PageType::kDictionaryPage:
      return DecodeDictionaryPage(header, body, body_size);
    case PageType::kDataPage:
      return DecodeDataPageV1(header, body, body_size);
    case PageType::kDataPageV2:
      return DecodeDataPageV2(header, body, body_size);
    default:
      return Status::OK();  // index pages and page types from the future carry no values
  }
}

Status PageDecoder::DecodeDictionaryPage(const PageHeader& header, const uint8_t* body, size_t body_size) {
  if (!header.dictionary_page_header) return Status::Corruption("dictionary page without its header");
  if (dictionary_.present) return Status::Corruption("second dictionary page in one column chunk");
  if (seen_data_page_) return Status::Corruption("dictionary page after a data page");
  const DictionaryPageHeader& dict = *header.dictionary_page_header;
  if (dict.encoding != Encoding::kPlain && dict.encoding != Encoding::kPlainDictionary) {
    return Status::NotSupported("dictionary page encoding " + EncodingName(dict.encoding));
  }
  if (dict.num_values < 0) return Status::Corruption("dictionary page with negative num_values");
  if (spec_.type == Type::kBoolean) return Status::Corruption("dictionary page for a BOOLEAN column");
  const uint8_t* data;
  size_t size;
  if (Status st =
          Decompress(body, body_size, static_cast<size_t>(header.uncompressed_page_size), true, &data, &size);
      !st.ok()) {
    return st;
  }
  size_t count = static_cast<size_t>(dict.num_values);
  Status st;
  if (spec_.type == Type::kByteArray) {
    size_t consumed = 0;
    st = DecodePlainByteArray(data, size, count, &dictionary_.byte_arrays, &consumed);
  } else {
    st = DecodePlainFixed(data, size, count, Width(spec_), &dictionary_.fixed);
  }
  if (!st.ok()) return st.WithContext("dictionary page");
  dictionary_.present = true;
  dictionary_.count = count;
  return Status::OK();
}

Status PageDecoder::DecodeLevels(const uint8_t* data, size_t size, size_t num_values, bool v1,
                                 size_t* present, size_t* consumed) {
  size_t at = out_->def_levels.size();
  if (at + num_values > options_.max_chunk_memory) return MemoryLimitError();
  out_->def_levels.resize(at + num_values);
  uint8_t* levels = out_->def_levels.data() + at;
  if (v1) {
    if (Status st = DecodeLevelsV1(data, size, num_values, levels, consumed); !st.ok()) {
      return st.WithContext("definition levels");
    }
  } else {
    RleBitPackedDecoder decoder;
    decoder.Reset(data, size, 1);
    if (decoder.GetBatch(levels, num_values) != num_values) {
      return Status::Corruption("definition levels: fewer than the page's " + std::to_string(num_values) +
                                " values");
    }
    *consumed = size;
  }
  size_t count = 0;
  for (size_t i = 0; i < num_values; ++i) {
    if (levels[i] > 1) return Status::Corruption("definition level above 1 in a flat column");
    count += levels[i];
  }
  *present = count;
  return Status::OK();
}

Status PageDecoder::DecodeDataPageV1(const PageHeader& header, const uint8_t* body, size_t body_size) {
  if (!header.data_page_header) return Status::Corruption("data page without its header");
  const DataPageHeader& page = *header.data_page_header;
  if (page.num_values < 0) return Status::Corruption("data page with negative num_values");
  if (Status st = CheckPageValues(page.num_values); !st.ok()) return st;
  seen_data_page_ = true;
  const uint8_t* data;
  size_t size;
  if (Status st =
          Decompress(body, body_size, static_cast<size_t>(header.uncompressed_page_size), true, &data, &size);
      !st.ok()) {
    return st;
  }
  size_t num_values = static_cast<size_t>(page.num_values);
  size_t present = num_values;
  size_t consumed = 0;
  if (spec_.optional()) {
    if (page.definition_level_encoding != Encoding::kRle) {
      return Status::NotSupported("definition levels encoded as " +
                                  EncodingName(page.definition_level_encoding));
    }
    if (Status st = DecodeLevels(data, size, num_values, true, &present, &consumed); !st.ok()) return st;
  }
  out_->num_rows += num_values;
  return DecodeValues(page.encoding, data + consumed, size - consumed, present);
}

Status PageDecoder::DecodeDataPageV2(const PageHeader& header, const uint8_t* body, size_t body_size) {
  if (!header.data_page_header_v2) return Status::Corruption("data page v2 without its header");
  const DataPageHeaderV2& page = *header.data_page_header_v2;
  if (page.num_values < 0 || page.num_nulls < 0 || page.num_rows < 0 || page.num_nulls > page.num_values) {
    return Status::Corruption("data page v2 with inconsistent counts");
  }
  if (Status st = CheckPageValues(page.num_values); !st.ok()) return st;
  // A flat column has no repetition levels; some writers still store a (zero-filled) run of them.
  // Their bytes come first and are skipped.
  if (page.repetition_levels_byte_length < 0 || page.definition_levels_byte_length < 0 ||
      static_cast<int64_t>(page.repetition_levels_byte_length) + page.definition_levels_byte_length >
          std::min<int64_t>(static_cast<int64_t>(body_size), header.uncompressed_page_size)) {
    return Status::Corruption("data page v2 levels length out of bounds");
  }
  seen_data_page_ = true;
  size_t repetition_size = static_cast<size_t>(page.repetition_levels_byte_length);
  size_t levels_size = repetition_size + static_cast<size_t>(page.definition_levels_byte_length);
  size_t num_values = static_cast<size_t>(page.num_values);
  size_t present = num_values;
  if (spec_.optional()) {
    size_t consumed = 0;
    if (Status st = DecodeLevels(body + repetition_size, levels_size - repetition_size, num_values, false,
                                 &present, &consumed);
        !st.ok()) {
      return st;
    }
    if (present != num_values - static_cast<size_t>(page.num_nulls)) {
      return Status::Corruption("data page v2 num_nulls disagrees with its definition levels");
    }
  } else if (page.num_nulls != 0) {
    return Status::Corruption("nulls in a REQUIRED column");
  }
  const uint8_t* data;
  size_t size;
  size_t values_uncompressed = static_cast<size_t>(header.uncompressed_page_size) - levels_size;
  bool compressed = page.is_compressed.value_or(true);
  if (Status st = Decompress(body + levels_size, body_size - levels_size, values_uncompressed, compressed,
                             &data, &size);
      !st.ok()) {
    return st;
  }
  out_->num_rows += num_values;
  return DecodeValues(page.encoding, data, size, present);
}

Status PageDecoder::DecodeDictionaryIndices(const uint8_t* data, size_t size, size_t count) {
  if (!dictionary_.present) return Status::Corruption("dictionary-encoded page but no dictionary page");
  if (count == 0) return Status::OK();
  if (size < 1) return Status::Corruption("dictionary indices: missing bit width");
  int bit_width = data[0];
  if (bit_width > 32) return Status::Corruption("dictionary indices: bit width " + std::to_string(bit_width));
  if (count * sizeof(uint32_t) > options_.max_chunk_memory) return MemoryLimitError();
  indices_.resize(count);
  RleBitPackedDecoder decoder;
  decoder.Reset(data + 1, size - 1, bit_width);
  if (decoder.GetBatch(indices_.data(), count) != count) {
    return Status::Corruption("dictionary indices: fewer than the page's " + std::to_string(count) +
                              " values");
  }
  for (size_t i = 0; i < count; ++i) {
    if (indices_[i] >= dictionary_.count) {
      return Status::Corruption("dictionary index " + std::to_string(indices_[i]) + " out of range (" +
                                std::to_string(dictionary_.count) + " entries)");
    }
  }
  if (spec_.type == Type::kByteArray) {
    ByteArrayValues& values = out_->byte_arrays;
    for (size_t i = 0; i < count; ++i) {
      values.append(dictionary_.byte_arrays[indices_[i]]);
      if (values.bytes.size() > UINT32_MAX)
        return Status::NotSupported("column chunk holds over 4 GiB of values");
    }
    return Status::OK();
  }
  size_t width = static_cast<size_t>(Width(spec_));
  if (count * width > options_.max_chunk_memory) return MemoryLimitError();
  uint8_t* dest = out_->fixed.prepare(count * width);
  const uint8_t* entries = dictionary_.fixed.data();
  for (size_t i = 0; i < count; ++i) std::memcpy(dest + i * width, entries + indices_[i] * width, width);
  out_->fixed.commit(count * width);
  return Status::OK();
}

Status PageDecoder::DecodeValues(Encoding encoding, const uint8_t* data, size_t size, size_t count) {
  Status st;
  Type type = spec_.type;
  int width = Width(spec_);
  switch (encoding) {
    case Encoding::kPlain:
      if (type == Type::kBoolean) {
        st = DecodePlainBoolean(data, size, count, &out_->fixed);
      } else if (type == Type::kByteArray) {
        size_t consumed = 0;
        st = DecodePlainByteArray(data, size, count, &out_->byte_arrays, &consumed);
      } else {
        st = DecodePlainFixed(data, size, count, width, &out_->fixed);
      }
      break;
    case Encoding::kPlainDictionary:
    case Encoding::kRleDictionary:
      st = DecodeDictionaryIndices(data, size, count);
      break;
    case Encoding::kRle: {
      if (type != Type::kBoolean) return Status::NotSupported("RLE encoding for " + TypeName(type));
      if (size < 4) return Status::Corruption("RLE booleans: missing length prefix");
      uint32_t length;
      std::memcpy(&length, data, 4);
      if (length > size - 4) return Status::Corruption("RLE booleans: length prefix past the page end");
      RleBitPackedDecoder decoder;
      decoder.Reset(data + 4, length, 1);
      uint8_t* dest = out_->fixed.prepare(count);
      if (decoder.GetBatch(dest, count) != count) {
        return Status::Corruption("RLE booleans: fewer than the page's " + std::to_string(count) + " values");
      }
      out_->fixed.commit(count);
      break;
    }
    case Encoding::kDeltaBinaryPacked: {
      if (type != Type::kInt32 && type != Type::kInt64) {
        return Status::NotSupported("DELTA_BINARY_PACKED encoding for " + TypeName(type));
      }
      DeltaBinaryPackedDecoder decoder;
      st = decoder.Reset(data, size);
      if (!st.ok()) break;
      if (decoder.total_values() < count) {
        st = Status::Corruption("DELTA_BINARY_PACKED holds " + std::to_string(decoder.total_values()) +
                                " values, the page needs " + std::to_string(count));
        break;
      }
      size_t bytes = count * static_cast<size_t>(width);
      if (bytes > options_.max_chunk_memory) return MemoryLimitError();
      uint8_t* dest = out_->fixed.prepare(bytes);
      if (type == Type::kInt64) {
        st = decoder.Decode(reinterpret_cast<int64_t*>(dest), count);
      } else {
        st = decoder.Decode(reinterpret_cast<int32_t*>(dest), count);
      }
      if (st.ok()) out_->fixed.commit(bytes);
      break;
    }
    case Encoding::kDeltaLengthByteArray:
      if (type != Type::kByteArray)
        return Status::NotSupported("DELTA_LENGTH_BYTE_ARRAY for " + TypeName(type));
      st = DecodeDeltaLengthByteArray(data, size, count, &out_->byte_arrays);
      break;
    case Encoding::kDeltaByteArray:
      if (type == Type::kByteArray) {
        st = DecodeDeltaByteArray(data, size, count, &out_->byte_arrays);
      } else if (type == Type::kFixedLenByteArray) {
        byte_scratch_.clear();
        st = DecodeDeltaByteArray(data, size, count, &byte_scratch_);
        if (!st.ok()) break;
        for (size_t i = 0; i < byte_scratch_.count(); ++i) {
          std::string_view value = byte_scratch_[i];
          if (value.size() != static_cast<size_t>(width)) {
            return Status::Corruption("DELTA_BYTE_ARRAY value of " + std::to_string(value.size()) +
                                      " bytes in a FIXED_LEN_BYTE_ARRAY(" + std::to_string(width) +
                                      ") column");
          }
          out_->fixed.append(value);
        }
      } else {
        return Status::NotSupported("DELTA_BYTE_ARRAY for " + TypeName(type));
      }
      break;
    case Encoding::kByteStreamSplit:
      if (type == Type::kBoolean || type == Type::kByteArray || type == Type::kInt96) {
        return Status::NotSupported("BYTE_STREAM_SPLIT for " + TypeName(type));
      }
      st = DecodeByteStreamSplit(data, size, count, width, &out_->fixed);
      break;
    default:
      return Status::NotSupported("encoding " + EncodingName(encoding));
  }
  if (!st.ok()) return st;
  out_->num_values += count;
  return CheckMemory();
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
  if (row_group < 0 || row_group >= num_row_groups() || column < 0 || column >= num_columns()) {
    return Status::InvalidArgument(name_ + ": no column " + std::to_string(column) + " in row group " +
                                   std::to_string(row_group));
  }
  const ColumnSpec& spec = columns_[column];
  const RowGroup& group = metadata_.row_groups[row_group];
  const ColumnMetaData& meta = *group.columns[column].meta_data;
  out->clear();
  out->type = spec.type;
  out->type_length = spec.type_length;
  if (group.num_rows == 0) return Status::OK();  // nothing to read, whatever the chunk's offsets say

  ByteBuffer bytes;
  uint64_t start = 0;
  if (Status st = ReadChunkBytes(row_group, column, &bytes, &start); !st.ok()) {
    return st.WithContext(ColumnContext(row_group, column));
  }
  if (!CodecSupportedForReading(meta.codec)) {
    return Status::NotSupported("codec " + CodecName(meta.codec))
        .WithContext(ColumnContext(row_group, column));
  }

  PageDecoder decoder(spec, meta.codec, options_, static_cast<uint64_t>(group.num_rows), out);
  size_t position = 0;
  int page_number = 0;
  while (position < bytes.size() && out->num_rows < static_cast<size_t>(group.num_rows)) {
    std::string page_context = ColumnContext(row_group, column) + ": page " + std::to_string(page_number) +
                               " at offset " + std::to_string(start + position);
    PageHeader header;
    size_t header_size = 0;
    if (Status st = ParsePageHeader(bytes.data() + position, bytes.size() - position, &header, &header_size);
        !st.ok()) {
      return st.WithContext(page_context);
    }
    position += header_size;
    if (header.compressed_page_size < 0 ||
        static_cast<size_t>(header.compressed_page_size) > bytes.size() - position) {
      return Status::Corruption("compressed_page_size " + std::to_string(header.compressed_page_size) +
                                " runs past the column chunk")
          .WithContext(page_context);
    }
    const uint8_t* body = bytes.data() + position;
    size_t body_size = static_cast<size_t>(header.compressed_page_size);
    if (header.crc && options_.verify_checksums) {
      uint32_t computed = PageCrc32(body, body_size);
      if (computed != static_cast<uint32_t>(*header.crc)) {
        return Status::Corruption("page CRC mismatch (stored " +
                                  std::to_string(static_cast<uint32_t>(*header.crc)) + ", computed " +
                                  std::to_string(computed) + ")")
            .WithContext(page_context);
      }
    }
    if (Status st = decoder.Decode(header, body, body_size); !st.ok()) return st.WithContext(page_context);
    position += body_size;
    ++page_number;
  }
  if (out->num_rows != static_cast<size_t>(group.num_rows)) {
    return Status::Corruption("column chunk holds " + std::to_string(out->num_rows) +
                              " values, the row group " + std::to_string(group.num_rows) + " rows")
        .WithContext(ColumnContext(row_group, column));
  }
  if (!spec.optional()) out->def_levels.clear();
  return Status::OK();
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
