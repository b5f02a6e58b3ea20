#include "parquet/column_writer.h"

#include <algorithm>
#include <cstring>

#include "parquet/delta_byte_array.h"
#include "parquet/metadata_codec.h"
#include "parquet/plain.h"

namespace logdaemon::parquet {

namespace {

// Rows are taken from a batch this many at a time, so that a page's size is checked often enough for
// pages of long strings to stay near the target size.
constexpr size_t kRowsPerStep = 1024;

// A chunk's first page whose values have all been distinct this far — trace ids, request ids, JSON
// objects — would not pay for its dictionary at its end either (FinishPage's rule): the dictionary is
// given up here, and the rest of the page skips its hashing. In a flush file the first page is most of
// the chunk, and a merge's first pages are up to 20 000 rows: both inserted every such value before.
// A value seen twice in the first 2 048 keeps the dictionary until the page's end, as before.
constexpr size_t kEarlyAbandonValues = 2048;

// Upper bound of an RLE_DICTIONARY page's encoded indices, used to decide when a page is full.
constexpr size_t kDictionaryIndexBytes = 4;

// WriterOptions::sort_dictionaries leaves smaller dictionaries in first-seen order.
constexpr size_t kMinSortedDictionaryBytes = 4096;

}  // namespace

ColumnChunkWriter::ColumnChunkWriter(const ColumnSpec& spec, const WriterOptions& options,
                                     ColumnEncoding encoding, PageScratch* scratch)
    : spec_(spec),
      options_(options),
      scratch_(scratch),
      page_stats_(spec.type, options.max_statistics_size),
      chunk_stats_(spec.type, options.max_statistics_size) {
  switch (encoding) {
    case ColumnEncoding::kAuto:
      if (spec.type == Type::kByteArray) {
        encoding_ = PageEncoding::kDictionary;
      } else if (spec.type == Type::kInt64) {
        encoding_ = PageEncoding::kDeltaBinaryPacked;
      } else {
        encoding_ = PageEncoding::kPlain;
      }
      break;
    case ColumnEncoding::kPlain:
      encoding_ = PageEncoding::kPlain;
      break;
    case ColumnEncoding::kDictionary:
      encoding_ = spec.type == Type::kBoolean ? PageEncoding::kPlain : PageEncoding::kDictionary;
      break;
    case ColumnEncoding::kDeltaBinaryPacked:
      encoding_ = PageEncoding::kDeltaBinaryPacked;
      break;
  }
  configured_encoding_ = encoding_;
  dictionary_enabled_ = encoding_ == PageEncoding::kDictionary;
  if (encoding_ == PageEncoding::kDeltaBinaryPacked) delta_encoder_.Begin(&page_delta_);
}

size_t ColumnChunkWriter::open_page_value_bytes() const {
  switch (encoding_) {
    case PageEncoding::kPlain:
    case PageEncoding::kDeltaLength:
      return page_plain_.size();
    case PageEncoding::kDictionary:
      return page_indices_.size() * kDictionaryIndexBytes;
    case PageEncoding::kDeltaBinaryPacked:
      return static_cast<size_t>(page_values_) * sizeof(int64_t);
  }
  return 0;
}

size_t ColumnChunkWriter::buffered_bytes() const {
  size_t dictionary = 0;
  if (dictionary_enabled_ || dictionary_data_pages_ > 0) {
    dictionary =
        spec_.type == Type::kByteArray ? byte_dictionary_.plain_size() : int_dictionary_.plain_size();
  }
  return data_pages_.size() + open_page_value_bytes() + page_levels_.size() + dictionary +
         held_indices_.size() * sizeof(uint32_t) + held_levels_.size();
}

size_t ColumnChunkWriter::memory_bytes() const {
  return page_levels_.capacity() + page_plain_.capacity() + page_indices_.capacity() * sizeof(uint32_t) +
         page_delta_.capacity() + scratch_int64_.capacity() * sizeof(int64_t) +
         int_dictionary_.memory_bytes() + byte_dictionary_.memory_bytes() +
         held_pages_.capacity() * sizeof(HeldPage) + held_indices_.capacity() * sizeof(uint32_t) +
         held_levels_.capacity() + remap_.capacity() * sizeof(uint32_t) + data_pages_.capacity() +
         dictionary_page_.capacity() + pages_.capacity() * sizeof(PageRecord);
}

Status ColumnChunkWriter::Write(const ColumnBatch& batch) {
  size_t row = 0;
  size_t value = 0;
  while (row < batch.num_rows) {
    size_t room = options_.data_page_max_rows - static_cast<size_t>(page_rows_);
    size_t rows = std::min({room, batch.num_rows - row, kRowsPerStep});
    size_t values = rows;
    if (batch.def_levels != nullptr) {
      const uint8_t* levels = batch.def_levels + row;
      values = 0;
      for (size_t i = 0; i < rows; ++i) values += levels[i];
      page_levels_.insert(page_levels_.end(), levels, levels + rows);
    } else if (spec_.optional()) {
      page_levels_.insert(page_levels_.end(), rows, 1);
    }
    page_stats_.AddNulls(static_cast<int64_t>(rows - values));
    AppendValues(batch, value, values);
    if (encoding_ == PageEncoding::kDictionary && dictionary_data_pages_ == 0 &&
        page_indices_.size() >= kEarlyAbandonValues && DictionaryEntries() == page_indices_.size()) {
      AbandonDictionary();
    }
    row += rows;
    value += values;
    page_rows_ += static_cast<int64_t>(rows);
    page_values_ += static_cast<int64_t>(values);

    if (static_cast<size_t>(page_rows_) >= options_.data_page_max_rows ||
        open_page_value_bytes() >= options_.data_page_size) {
      if (Status st = FinishPage(); !st.ok()) return st;
    }
    if (dictionary_enabled_) {
      if (DictionaryBytes() > options_.dictionary_size_limit) {
        if (Status st = FinishDictionaryFallback(); !st.ok()) return st;
      }
    }
  }
  return Status::OK();
}

void ColumnChunkWriter::AppendValues(const ColumnBatch& batch, size_t begin, size_t count) {
  if (count == 0) return;
  switch (spec_.type) {
    case Type::kInt64: {
      const int64_t* values = batch.int64s + begin;
      page_stats_.UpdateInt64(values, count);
      if (encoding_ == PageEncoding::kPlain) {
        page_plain_.append(values, count * sizeof(int64_t));
      } else if (encoding_ == PageEncoding::kDictionary) {
        size_t at = page_indices_.size();
        page_indices_.resize(at + count);
        int_dictionary_.Insert(values, count, page_indices_.data() + at);
        page_plain_equivalent_ += count * sizeof(int64_t);
      } else {
        delta_encoder_.PutMany(values, count);
      }
      break;
    }
    case Type::kDouble: {
      const double* values = batch.doubles + begin;
      page_stats_.UpdateDouble(values, count);
      if (encoding_ == PageEncoding::kDictionary) {
        // The dictionary keys doubles by bit pattern: distinct NaN payloads and -0.0 stay distinct,
        // so every value reads back bit for bit.
        scratch_int64_.resize(count);
        std::memcpy(scratch_int64_.data(), values, count * sizeof(double));
        size_t at = page_indices_.size();
        page_indices_.resize(at + count);
        int_dictionary_.Insert(scratch_int64_.data(), count, page_indices_.data() + at);
        page_plain_equivalent_ += count * sizeof(double);
      } else {
        page_plain_.append(values, count * sizeof(double));
      }
      break;
    }
    case Type::kBoolean: {
      const uint8_t* values = batch.booleans + begin;
      page_stats_.UpdateBoolean(values, count);
      // Kept one byte per value until the page ends, then bit-packed.
      page_plain_.append(values, count);
      break;
    }
    case Type::kByteArray: {
      const uint32_t* offsets = batch.offsets + begin;
      page_stats_.UpdateByteArray(batch.bytes, offsets, count);
      if (encoding_ == PageEncoding::kDictionary) {
        size_t at = page_indices_.size();
        page_indices_.resize(at + count);
        if (batch.value_keys != nullptr) {
          byte_dictionary_.InsertKeyed(batch.bytes, offsets, batch.value_keys + begin, count,
                                       page_indices_.data() + at);
        } else {
          byte_dictionary_.Insert(batch.bytes, offsets, count, page_indices_.data() + at);
        }
        page_plain_equivalent_ += offsets[count] - offsets[0] + 4 * count;
      } else {
        EncodePlainByteArray(batch.bytes, offsets, count, &page_plain_);
      }
      break;
    }
    default:
      break;  // ValidateWriterConfig refuses other types
  }
}

const ByteBuffer& ColumnChunkWriter::EncodeIndices(const uint32_t* indices, size_t n) {
  size_t entries = spec_.type == Type::kByteArray ? byte_dictionary_.size() : int_dictionary_.size();
  // At least 1 bit: some readers reject a bit width of 0 for dictionary indices.
  int bit_width = std::max<int>(1, static_cast<int>(BitWidth(entries == 0 ? 0 : entries - 1)));
  scratch_->values.clear();
  scratch_->values.push_back(static_cast<uint8_t>(bit_width));
  RleBitPackedEncoder encoder;
  encoder.Begin(&scratch_->values, bit_width);
  encoder.PutMany(indices, n);
  encoder.Finish();
  return scratch_->values;
}

// The page's values, encoded, in the buffer it returns.
const ByteBuffer& ColumnChunkWriter::EncodePageValues() {
  switch (encoding_) {
    case PageEncoding::kPlain:
      if (spec_.type != Type::kBoolean) return page_plain_;
      scratch_->values.clear();
      EncodePlainBoolean(page_plain_.data(), page_plain_.size(), &scratch_->values);
      return scratch_->values;
    case PageEncoding::kDictionary:
      return EncodeIndices(page_indices_.data(), page_indices_.size());
    case PageEncoding::kDeltaBinaryPacked:
      delta_encoder_.Finish();
      return page_delta_;
    case PageEncoding::kDeltaLength:
      if (page_values_ == 0) return page_plain_;  // all null: written PLAIN (nothing), as readers expect
      // In place: a second page-sized buffer would be a megabyte more per open file.
      PlainToDeltaLength(&page_plain_, &scratch_->values);
      return page_plain_;
  }
  return page_plain_;
}

Status ColumnChunkWriter::FinishPage() {
  if (page_rows_ == 0) return Status::OK();
  const ByteBuffer* encoded = nullptr;
  // Decided once, at the end of the chunk's first page: a dictionary that does not beat PLAIN on it
  // (mostly distinct values) only costs memory, time and index bytes; the chunk goes on without one.
  if (encoding_ == PageEncoding::kDictionary && dictionary_data_pages_ == 0) {
    encoded = &EncodePageValues();
    if (DictionaryBytes() + encoded->size() >= page_plain_equivalent_) {
      AbandonDictionary();
      encoded = nullptr;
    }
  }
  // Sorted dictionaries: the page waits as indices, encoded once the dictionary is final.
  const bool hold =
      encoding_ == PageEncoding::kDictionary && options_.sort_dictionaries && spec_.type == Type::kByteArray;
  if (!hold && encoded == nullptr) encoded = &EncodePageValues();

  Encoding value_encoding = Encoding::kPlain;
  if (encoding_ == PageEncoding::kDictionary) {
    value_encoding = Encoding::kRleDictionary;
    ++dictionary_data_pages_;
  } else if (encoding_ == PageEncoding::kDeltaBinaryPacked) {
    value_encoding = Encoding::kDeltaBinaryPacked;
    ++delta_data_pages_;
  } else if (encoding_ == PageEncoding::kDeltaLength && page_values_ > 0) {
    value_encoding = Encoding::kDeltaLengthByteArray;
    ++delta_length_data_pages_;
  } else {
    ++plain_data_pages_;
  }

  if (hold) {
    held_levels_.insert(held_levels_.end(), page_levels_.begin(), page_levels_.end());
    held_indices_.insert(held_indices_.end(), page_indices_.begin(), page_indices_.end());
    held_pages_.push_back(HeldPage{page_rows_, page_values_, held_levels_.size(), held_indices_.size(),
                                   page_stats_.ToThrift(), page_stats_.has_min_max()});
  } else if (Status st = WritePage(page_levels_, *encoded, value_encoding, page_rows_, page_values_,
                                   page_stats_.ToThrift(), page_stats_.has_min_max());
             !st.ok()) {
    return st;
  }

  chunk_stats_.Merge(page_stats_);
  page_stats_.Reset();
  page_rows_ = 0;
  page_values_ = 0;
  page_levels_.clear();
  page_plain_.clear();
  page_indices_.clear();
  page_plain_equivalent_ = 0;
  if (encoding_ == PageEncoding::kDeltaBinaryPacked) {
    page_delta_.clear();
    delta_encoder_.Begin(&page_delta_);
  }
  return Status::OK();
}

Status ColumnChunkWriter::WritePage(std::span<const uint8_t> levels, const ByteBuffer& values,
                                    Encoding encoding, int64_t rows, int64_t value_count,
                                    const Statistics& statistics, bool has_min_max) {
  scratch_->levels.clear();
  if (spec_.optional()) {
    if (options_.data_page_version == 1) {
      EncodeLevelsV1(levels.data(), levels.size(), &scratch_->levels);
    } else {
      RleBitPackedEncoder encoder;
      encoder.Begin(&scratch_->levels, 1);
      encoder.PutMany(levels.data(), levels.size());
      encoder.Finish();
    }
  }

  const int64_t null_count = rows - value_count;
  PageHeader header;
  if (options_.data_page_version == 1) {
    header.type = PageType::kDataPage;
    DataPageHeader& data = header.data_page_header.emplace();
    data.num_values = static_cast<int32_t>(rows);
    data.encoding = encoding;
    data.definition_level_encoding = Encoding::kRle;
    data.repetition_level_encoding = Encoding::kRle;
    if (options_.page_statistics) data.statistics = statistics;
  } else {
    header.type = PageType::kDataPageV2;
    DataPageHeaderV2& data = header.data_page_header_v2.emplace();
    data.num_values = static_cast<int32_t>(rows);
    data.num_nulls = static_cast<int32_t>(null_count);
    data.num_rows = static_cast<int32_t>(rows);
    data.encoding = encoding;
    data.definition_levels_byte_length = static_cast<int32_t>(scratch_->levels.size());
    data.repetition_levels_byte_length = 0;
    data.is_compressed = options_.codec != Codec::kUncompressed;
    if (options_.page_statistics) data.statistics = statistics;
  }

  PageRecord record;
  record.offset = static_cast<int64_t>(data_pages_.size());
  record.first_row = chunk_rows_;
  record.null_count = null_count;
  record.all_null = value_count == 0;
  record.has_min_max = has_min_max;
  if (statistics.min_value) record.min = *statistics.min_value;
  if (statistics.max_value) record.max = *statistics.max_value;

  size_t page_bytes = 0;
  if (Status st = EmitPage(&header, values, &data_pages_, &page_bytes); !st.ok()) return st;
  record.compressed_size = static_cast<int32_t>(page_bytes);
  pages_.push_back(std::move(record));
  chunk_rows_ += rows;
  return Status::OK();
}

Status ColumnChunkWriter::WriteHeldPages() {
  if (held_pages_.empty()) return Status::OK();
  // A dictionary of a few entries (levels, services) compresses the same in any order, while the order
  // changes how its indices compress (first-seen order tends to number the frequent values first).
  if (byte_dictionary_.plain_size() >= kMinSortedDictionaryBytes) {
    byte_dictionary_.SortEntries(&remap_);
    for (uint32_t& index : held_indices_) index = remap_[index];
  }
  size_t levels_begin = 0;
  size_t indices_begin = 0;
  for (const HeldPage& page : held_pages_) {
    const ByteBuffer& values =
        EncodeIndices(held_indices_.data() + indices_begin, page.indices_end - indices_begin);
    const std::span<const uint8_t> levels(held_levels_.data() + levels_begin, page.levels_end - levels_begin);
    if (Status st = WritePage(levels, values, Encoding::kRleDictionary, page.rows, page.values,
                              page.statistics, page.has_min_max);
        !st.ok()) {
      return st;
    }
    levels_begin = page.levels_end;
    indices_begin = page.indices_end;
  }
  held_pages_.clear();
  held_levels_.clear();
  held_indices_.clear();
  return Status::OK();
}

ColumnChunkWriter::PageEncoding ColumnChunkWriter::FallbackEncoding() const {
  return spec_.type == Type::kByteArray && options_.delta_length_fallback ? PageEncoding::kDeltaLength
                                                                          : PageEncoding::kPlain;
}

void ColumnChunkWriter::AbandonDictionary() {
  page_plain_.clear();
  // Indices 0, 1, 2 ... (every value new, as trace ids are): the dictionary's arena is the page, PLAIN.
  bool all_new = spec_.type == Type::kByteArray && byte_dictionary_.size() == page_indices_.size();
  for (size_t i = 0; all_new && i < page_indices_.size(); ++i) all_new = page_indices_[i] == i;
  if (all_new) {
    byte_dictionary_.TakeArena(&page_plain_);
  } else if (spec_.type == Type::kByteArray) {
    for (uint32_t index : page_indices_) {
      const std::string_view value = byte_dictionary_.value(index);
      page_plain_.append_le(static_cast<uint32_t>(value.size()));
      page_plain_.append(value);
    }
  } else {
    // INT64 and DOUBLE entries are kept as 8-byte patterns: PLAIN either way.
    const int64_t* entries = int_dictionary_.values();
    for (uint32_t index : page_indices_) page_plain_.append(&entries[index], sizeof(int64_t));
  }
  page_indices_.clear();
  page_plain_equivalent_ = 0;
  // Freed, not reset: the chunk goes on in page_plain_, and a dictionary's capacity kept beside it would
  // double what each such column holds in every open flush file (measured: +10 MiB at full ingest).
  // Lent dictionaries are reset instead: one pair serves every column in turn (ColumnDictionaries).
  if (dictionaries_lent_) {
    byte_dictionary_.Reset();
    int_dictionary_.Reset();
  } else {
    byte_dictionary_ = ByteArrayDictionaryEncoder();
    int_dictionary_ = Int64DictionaryEncoder();
  }
  dictionary_enabled_ = false;
  encoding_ = FallbackEncoding();
}

size_t ColumnChunkWriter::DictionaryEntries() const {
  return spec_.type == Type::kByteArray ? byte_dictionary_.size() : int_dictionary_.size();
}

size_t ColumnChunkWriter::DictionaryBytes() const {
  return spec_.type == Type::kByteArray ? byte_dictionary_.plain_size() : int_dictionary_.plain_size();
}

// Compresses one page (scratch_->levels + values), fills in the header's sizes and CRC, and appends
// header and body to *out. *page_bytes receives header + body size.
Status ColumnChunkWriter::EmitPage(PageHeader* header, const ByteBuffer& values, ByteBuffer* out,
                                   size_t* page_bytes) {
  size_t uncompressed_size = scratch_->levels.size() + values.size();
  const ByteBuffer* body = &scratch_->compressed;
  // Strings written as they are (not dictionary indices) tell zstd whether they are ids or numbers.
  const Encoding encoding = header->type == PageType::kDataPageV2 ? header->data_page_header_v2->encoding
                                                                  : header->data_page_header->encoding;
  const bool small_alphabet = options_.codec == Codec::kZstd && spec_.type == Type::kByteArray &&
                              encoding != Encoding::kRleDictionary &&
                              SmallAlphabet(values.data(), values.size());
  if (header->type == PageType::kDataPageV2) {
    // v2 keeps the levels outside the compressed section, so readers can get them without
    // decompressing.
    scratch_->body.clear();
    scratch_->body.append(scratch_->levels.data(), scratch_->levels.size());
    if (options_.codec == Codec::kUncompressed) {
      scratch_->body.append(values.data(), values.size());
    } else {
      if (Status st = scratch_->compressor.Compress(values.data(), values.size(), &scratch_->compressed,
                                                    small_alphabet);
          !st.ok()) {
        return st;
      }
      scratch_->body.append(scratch_->compressed.data(), scratch_->compressed.size());
    }
    body = &scratch_->body;
  } else if (scratch_->levels.empty()) {
    if (Status st = scratch_->compressor.Compress(values.data(), values.size(), &scratch_->compressed,
                                                  small_alphabet);
        !st.ok()) {
      return st;
    }
  } else {
    scratch_->body.clear();
    scratch_->body.append(scratch_->levels.data(), scratch_->levels.size());
    scratch_->body.append(values.data(), values.size());
    if (Status st = scratch_->compressor.Compress(scratch_->body.data(), scratch_->body.size(),
                                                  &scratch_->compressed, small_alphabet);
        !st.ok()) {
      return st;
    }
  }
  if (uncompressed_size > INT32_MAX || body->size() > INT32_MAX) {
    return Status::InvalidArgument("column '" + spec_.name + "': a page exceeds 2 GiB");
  }
  header->uncompressed_page_size = static_cast<int32_t>(uncompressed_size);
  header->compressed_page_size = static_cast<int32_t>(body->size());
  if (options_.page_checksums) header->crc = static_cast<int32_t>(PageCrc32(body->data(), body->size()));

  scratch_->header.clear();
  SerializePageHeader(*header, &scratch_->header);
  out->append(scratch_->header.data(), scratch_->header.size());
  out->append(body->data(), body->size());
  *page_bytes = scratch_->header.size() + body->size();
  uncompressed_bytes_ += static_cast<int64_t>(scratch_->header.size() + uncompressed_size);
  return Status::OK();
}

Status ColumnChunkWriter::FinishDictionaryFallback() {
  // The open page's indices refer to entries the dictionary already holds, so it is still written as
  // a dictionary page; everything after it in this chunk goes without (FallbackEncoding).
  if (Status st = FinishPage(); !st.ok()) return st;
  // The dictionary is final: the held pages can be written, before the pages without it.
  if (Status st = WriteHeldPages(); !st.ok()) return st;
  dictionary_enabled_ = false;
  encoding_ = FallbackEncoding();
  return Status::OK();
}

Status ColumnChunkWriter::Finish() {
  if (Status st = FinishPage(); !st.ok()) return st;
  if (Status st = WriteHeldPages(); !st.ok()) return st;
  dictionary_page_.clear();
  if (dictionary_data_pages_ == 0) return Status::OK();

  const bool bytes = spec_.type == Type::kByteArray;
  PageHeader header;
  header.type = PageType::kDictionaryPage;
  DictionaryPageHeader& dictionary = header.dictionary_page_header.emplace();
  dictionary.num_values = static_cast<int32_t>(bytes ? byte_dictionary_.size() : int_dictionary_.size());
  dictionary.encoding = Encoding::kPlain;
  // The encoders hold the PLAIN page already: no copy of it.
  return EmitDictionaryPage(&header, bytes ? byte_dictionary_.plain() : int_dictionary_.plain(),
                            DictionaryBytes());
}

Status ColumnChunkWriter::EmitDictionaryPage(PageHeader* header, const uint8_t* plain, size_t plain_size) {
  // Compressed straight into dictionary_page_, then the header put in front (its size depends on the
  // compressed size): a merged file's dictionary page is megabytes, and through the data pages' path it
  // would be copied once more and leave the shared scratch that big for the rest of the file.
  const bool small_alphabet =
      options_.codec == Codec::kZstd && spec_.type == Type::kByteArray && SmallAlphabet(plain, plain_size);
  if (Status st = scratch_->compressor.Compress(plain, plain_size, &dictionary_page_, small_alphabet);
      !st.ok()) {
    return st;
  }
  const size_t body_size = dictionary_page_.size();
  if (plain_size > INT32_MAX || body_size > INT32_MAX) {
    return Status::InvalidArgument("column '" + spec_.name + "': the dictionary page exceeds 2 GiB");
  }
  header->uncompressed_page_size = static_cast<int32_t>(plain_size);
  header->compressed_page_size = static_cast<int32_t>(body_size);
  if (options_.page_checksums) {
    header->crc = static_cast<int32_t>(PageCrc32(dictionary_page_.data(), body_size));
  }
  scratch_->header.clear();
  SerializePageHeader(*header, &scratch_->header);
  const size_t header_size = scratch_->header.size();
  dictionary_page_.prepare(header_size);
  dictionary_page_.commit(header_size);
  uint8_t* page = dictionary_page_.data();
  std::memmove(page + header_size, page, body_size);
  std::memcpy(page, scratch_->header.data(), header_size);
  uncompressed_bytes_ += static_cast<int64_t>(header_size + plain_size);
  return Status::OK();
}

namespace {

// Orders pages by their minimum and maximum statistics, as ColumnIndex.boundary_order says.
BoundaryOrder PageOrder(Type type, const ColumnIndex& index) {
  bool ascending = true;
  bool descending = true;
  const std::string* previous_min = nullptr;
  const std::string* previous_max = nullptr;
  for (size_t i = 0; i < index.null_pages.size(); ++i) {
    if (index.null_pages[i]) continue;
    if (previous_min != nullptr) {
      int min_order = CompareStatValues(type, *previous_min, index.min_values[i]);
      int max_order = CompareStatValues(type, *previous_max, index.max_values[i]);
      if (min_order > 0 || max_order > 0) ascending = false;
      if (min_order < 0 || max_order < 0) descending = false;
    }
    previous_min = &index.min_values[i];
    previous_max = &index.max_values[i];
  }
  if (ascending) return BoundaryOrder::kAscending;
  if (descending) return BoundaryOrder::kDescending;
  return BoundaryOrder::kUnordered;
}

}  // namespace

void ColumnChunkWriter::FillMetadata(int64_t chunk_offset, ColumnChunk* chunk, ColumnIndex* column_index,
                                     OffsetIndex* offset_index) const {
  ColumnMetaData& meta = chunk->meta_data.emplace();
  meta.type = spec_.type;
  bool has_dictionary = !dictionary_page_.empty();
  if (has_dictionary || plain_data_pages_ > 0) meta.encodings.push_back(Encoding::kPlain);
  if (spec_.optional()) meta.encodings.push_back(Encoding::kRle);
  if (dictionary_data_pages_ > 0) meta.encodings.push_back(Encoding::kRleDictionary);
  if (delta_data_pages_ > 0) meta.encodings.push_back(Encoding::kDeltaBinaryPacked);
  if (delta_length_data_pages_ > 0) meta.encodings.push_back(Encoding::kDeltaLengthByteArray);
  meta.path_in_schema = {spec_.name};
  meta.codec = options_.codec;
  meta.num_values = chunk_rows_;
  meta.total_uncompressed_size = uncompressed_bytes_;
  meta.total_compressed_size = static_cast<int64_t>(chunk_size());
  meta.data_page_offset = chunk_offset + static_cast<int64_t>(dictionary_page_.size());
  if (has_dictionary) meta.dictionary_page_offset = chunk_offset;
  meta.statistics = chunk_stats_.ToThrift();
  std::vector<PageEncodingStats>& encoding_stats = meta.encoding_stats.emplace();
  PageType data_page_type = options_.data_page_version == 1 ? PageType::kDataPage : PageType::kDataPageV2;
  if (has_dictionary) encoding_stats.push_back({PageType::kDictionaryPage, Encoding::kPlain, 1});
  if (dictionary_data_pages_ > 0) {
    encoding_stats.push_back({data_page_type, Encoding::kRleDictionary, dictionary_data_pages_});
  }
  if (plain_data_pages_ > 0) encoding_stats.push_back({data_page_type, Encoding::kPlain, plain_data_pages_});
  if (delta_data_pages_ > 0) {
    encoding_stats.push_back({data_page_type, Encoding::kDeltaBinaryPacked, delta_data_pages_});
  }
  if (delta_length_data_pages_ > 0) {
    encoding_stats.push_back({data_page_type, Encoding::kDeltaLengthByteArray, delta_length_data_pages_});
  }
  chunk->file_offset = chunk_offset;

  if (offset_index != nullptr) {
    offset_index->page_locations.clear();
    for (const PageRecord& page : pages_) {
      offset_index->page_locations.push_back(
          {meta.data_page_offset + page.offset, page.compressed_size, page.first_row});
    }
  }
  if (column_index != nullptr) {
    *column_index = ColumnIndex();
    std::vector<int64_t>& null_counts = column_index->null_counts.emplace();
    for (const PageRecord& page : pages_) {
      column_index->null_pages.push_back(page.all_null);
      column_index->min_values.push_back(page.all_null ? std::string() : page.min);
      column_index->max_values.push_back(page.all_null ? std::string() : page.max);
      null_counts.push_back(page.null_count);
    }
    column_index->boundary_order = PageOrder(spec_.type, *column_index);
  }
}

bool ColumnChunkWriter::column_index_valid() const {
  // A page with values but no min/max (all NaN) cannot be described by a ColumnIndex.
  for (const PageRecord& page : pages_) {
    if (!page.all_null && !page.has_min_max) return false;
  }
  return true;
}

void ColumnChunkWriter::ReleaseMemory() {
  int_dictionary_ = Int64DictionaryEncoder();
  byte_dictionary_ = ByteArrayDictionaryEncoder();
  page_plain_ = ByteBuffer();
  page_indices_ = std::vector<uint32_t>();
  page_levels_ = std::vector<uint8_t>();
  scratch_int64_ = std::vector<int64_t>();
  dictionary_page_ = ByteBuffer();
  held_indices_ = std::vector<uint32_t>();
  held_levels_ = std::vector<uint8_t>();
  remap_ = std::vector<uint32_t>();
}

void ColumnChunkWriter::LendDictionaries(ColumnDictionaries* dictionaries) {
  std::swap(int_dictionary_, dictionaries->int64);
  std::swap(byte_dictionary_, dictionaries->bytes);
  dictionaries_lent_ = true;
  // Emptied, though they normally are already (the column that returned them had been Reset).
  int_dictionary_.Reset();
  byte_dictionary_.Reset();
}

void ColumnChunkWriter::ReturnDictionaries(ColumnDictionaries* dictionaries) {
  std::swap(int_dictionary_, dictionaries->int64);
  std::swap(byte_dictionary_, dictionaries->bytes);
  dictionaries_lent_ = false;
}

void ColumnChunkWriter::Reset() {
  encoding_ = configured_encoding_;
  dictionary_enabled_ = encoding_ == PageEncoding::kDictionary;
  page_levels_.clear();
  page_rows_ = 0;
  page_values_ = 0;
  page_plain_.clear();
  page_indices_.clear();
  page_plain_equivalent_ = 0;
  page_delta_.clear();
  if (encoding_ == PageEncoding::kDeltaBinaryPacked) delta_encoder_.Begin(&page_delta_);
  page_stats_.Reset();
  int_dictionary_.Reset();
  byte_dictionary_.Reset();
  held_pages_.clear();
  held_indices_.clear();
  held_levels_.clear();
  data_pages_.clear();
  dictionary_page_.clear();
  chunk_stats_.Reset();
  pages_.clear();
  chunk_rows_ = 0;
  uncompressed_bytes_ = 0;
  dictionary_data_pages_ = 0;
  plain_data_pages_ = 0;
  delta_data_pages_ = 0;
  delta_length_data_pages_ = 0;
}

}  // namespace logdaemon::parquet
