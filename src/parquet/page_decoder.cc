#include "parquet/page_decoder.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>

#include "parquet/byte_stream_split.h"
#include "parquet/delta_binary_packed.h"
#include "parquet/delta_byte_array.h"
#include "parquet/file_reader.h"
#include "parquet/plain.h"
#include "parquet/rle_bitpacked.h"

namespace logdaemon::parquet {

namespace {

// The largest of n indices. Every dictionary-encoded value passes through here, and baseline x86-64
// (SSE2) has no unsigned 32-bit max instruction, so an AVX2 clone is chosen at load time where the CPU
// has it (about 3x faster on this loop).
__attribute__((target_clones("avx2", "default"))) uint32_t LargestIndex(const uint32_t* indices, size_t n) {
  uint32_t largest = 0;
  for (size_t i = 0; i < n; ++i) largest = std::max(largest, indices[i]);
  return largest;
}

// How many of levels[0 .. n) are 1 (each is 0 or 1): eight at a time, summing a word's bytes with one
// multiplication (std::popcount is a library call on baseline x86-64, which has no POPCNT).
size_t CountOnes(const uint8_t* levels, size_t n) {
  size_t count = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t word;
    std::memcpy(&word, levels + i, 8);
    count += static_cast<size_t>((word * 0x0101010101010101ULL) >> 56);
  }
  for (; i < n; ++i) count += levels[i];
  return count;
}

Status TooManyValues(int64_t num_values, uint64_t rows_left) {
  return Status::Corruption("page holds " + std::to_string(num_values) + " values, the row group has " +
                            std::to_string(rows_left) + " rows left");
}

Status DescribeDictionaryPage(const PageHeader& header, const ColumnSpec& spec, PageInfo* info) {
  if (!header.dictionary_page_header) return Status::Corruption("dictionary page without its header");
  const DictionaryPageHeader& dict = *header.dictionary_page_header;
  if (dict.encoding != Encoding::kPlain && dict.encoding != Encoding::kPlainDictionary) {
    return Status::NotSupported("dictionary page encoding " + EncodingName(dict.encoding));
  }
  if (dict.num_values < 0) return Status::Corruption("dictionary page with negative num_values");
  if (spec.type == Type::kBoolean) return Status::Corruption("dictionary page for a BOOLEAN column");
  info->encoding = dict.encoding;
  info->num_values = static_cast<size_t>(dict.num_values);
  return Status::OK();
}

Status DescribeDataPageV1(const PageHeader& header, uint64_t rows_left, PageInfo* info) {
  if (!header.data_page_header) return Status::Corruption("data page without its header");
  const DataPageHeader& page = *header.data_page_header;
  if (page.num_values < 0) return Status::Corruption("data page with negative num_values");
  if (static_cast<uint64_t>(page.num_values) > rows_left) return TooManyValues(page.num_values, rows_left);
  info->encoding = page.encoding;
  info->level_encoding = page.definition_level_encoding;
  info->num_values = static_cast<size_t>(page.num_values);
  return Status::OK();
}

Status DescribeDataPageV2(const PageHeader& header, const ColumnSpec& spec, size_t body_size,
                          uint64_t rows_left, PageInfo* info) {
  if (!header.data_page_header_v2) return Status::Corruption("data page v2 without its header");
  const DataPageHeaderV2& page = *header.data_page_header_v2;
  if (page.num_values < 0 || page.num_nulls < 0 || page.num_rows < 0 || page.num_nulls > page.num_values) {
    return Status::Corruption("data page v2 with inconsistent counts");
  }
  if (static_cast<uint64_t>(page.num_values) > rows_left) return TooManyValues(page.num_values, rows_left);
  // A flat column has no repetition levels; some writers still store a (zero-filled) run of them.
  // Their bytes come first and are skipped.
  if (page.repetition_levels_byte_length < 0 || page.definition_levels_byte_length < 0 ||
      static_cast<int64_t>(page.repetition_levels_byte_length) + page.definition_levels_byte_length >
          std::min<int64_t>(static_cast<int64_t>(body_size), header.uncompressed_page_size)) {
    return Status::Corruption("data page v2 levels length out of bounds");
  }
  if (!spec.optional() && page.num_nulls != 0) return Status::Corruption("nulls in a REQUIRED column");
  info->encoding = page.encoding;
  info->compressed = page.is_compressed.value_or(true);
  info->num_values = static_cast<size_t>(page.num_values);
  info->num_nulls = static_cast<size_t>(page.num_nulls);
  info->repetition_levels_size = static_cast<size_t>(page.repetition_levels_byte_length);
  info->definition_levels_size = static_cast<size_t>(page.definition_levels_byte_length);
  return Status::OK();
}

}  // namespace

Status DescribePage(const PageHeader& header, const ColumnSpec& spec, size_t body_size, uint64_t rows_left,
                    PageInfo* info) {
  if (header.uncompressed_page_size < 0) return Status::Corruption("negative uncompressed_page_size");
  info->type = header.type;
  info->body_size = body_size;
  info->uncompressed_size = static_cast<size_t>(header.uncompressed_page_size);
  info->has_crc = header.crc.has_value();
  info->crc = static_cast<uint32_t>(header.crc.value_or(0));
  switch (header.type) {
    case PageType::kDictionaryPage:
      return DescribeDictionaryPage(header, spec, info);
    case PageType::kDataPage:
      return DescribeDataPageV1(header, rows_left, info);
    case PageType::kDataPageV2:
      return DescribeDataPageV2(header, spec, body_size, rows_left, info);
    default:
      return Status::Corruption("not a dictionary or data page");  // callers skip the others
  }
}

void PageDecoder::Reset(const ColumnSpec& spec, Codec codec, const ReaderOptions& options) {
  spec_ = &spec;
  codec_ = codec;
  options_ = &options;
  has_dictionary_ = false;
  dictionary_count_ = 0;
  dictionary_fixed_.clear();
  if (!dictionary_bytes_) dictionary_bytes_ = std::make_unique<ByteArrayValues>();  // moved from
  dictionary_bytes_->clear();
}

Status PageDecoder::MemoryLimitError() const {
  return Status::NotSupported("decoded column chunk exceeds the reader's memory limit of " +
                              std::to_string(options_->max_chunk_memory) + " bytes");
}

Status PageDecoder::CheckMemory(const ColumnData& out) const {
  size_t used = out.fixed.size() + out.byte_arrays.bytes.size() + out.byte_arrays.offsets.size() * 4 +
                out.dict_indices.size() * 4 + out.def_levels.size() + decompressed_.size();
  if (used > options_->max_chunk_memory) return MemoryLimitError();
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
  if (uncompressed_size > options_->max_chunk_memory) {
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

Status PageDecoder::DecodeDictionary(const PageInfo& page, const uint8_t* body) {
  if (has_dictionary_) return Status::Corruption("second dictionary page in one column chunk");
  const uint8_t* data;
  size_t size;
  if (Status st = Decompress(body, page.body_size, page.uncompressed_size, true, &data, &size); !st.ok()) {
    return st;
  }
  dictionary_fixed_.clear();
  dictionary_bytes_->clear();
  Status st;
  if (spec_->type == Type::kByteArray) {
    size_t consumed = 0;
    st = DecodePlainByteArray(data, size, page.num_values, dictionary_bytes_.get(), &consumed);
  } else {
    st = DecodePlainFixed(data, size, page.num_values, width(), &dictionary_fixed_);
  }
  if (!st.ok()) return st.WithContext("dictionary page");
  has_dictionary_ = true;
  dictionary_count_ = page.num_values;
  return Status::OK();
}

Status PageDecoder::DecodeLevels(const uint8_t* data, size_t size, size_t num_values, bool v1,
                                 std::vector<uint8_t>* out, size_t* present, size_t* consumed) {
  size_t at = out->size();
  if (at + num_values > options_->max_chunk_memory) return MemoryLimitError();
  out->resize(at + num_values);
  uint8_t* levels = out->data() + at;
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
  // Summed and checked in one pass the compiler can vectorize: levels are 0 or 1, so any byte above 1
  // shows in the OR.
  size_t count = 0;
  uint8_t any = 0;
  for (size_t i = 0; i < num_values; ++i) {
    count += levels[i];
    any |= levels[i];
  }
  if (any > 1) return Status::Corruption("definition level above 1 in a flat column");
  *present = count;
  return Status::OK();
}

Status PageDecoder::Sections(const PageInfo& page, const uint8_t* body, std::vector<uint8_t>* levels,
                             DataSections* out) {
  const size_t num_values = page.num_values;
  out->levels = nullptr;
  out->present = num_values;
  const size_t levels_at = levels->size();
  if (page.type == PageType::kDataPage) {
    const uint8_t* data;
    size_t size;
    if (Status st = Decompress(body, page.body_size, page.uncompressed_size, true, &data, &size); !st.ok()) {
      return st;
    }
    size_t consumed = 0;
    if (spec_->optional()) {
      if (page.level_encoding != Encoding::kRle) {
        return Status::NotSupported("definition levels encoded as " + EncodingName(page.level_encoding));
      }
      if (Status st = DecodeLevels(data, size, num_values, true, levels, &out->present, &consumed);
          !st.ok()) {
        return st;
      }
      out->levels = levels->data() + levels_at;
    }
    out->values = data + consumed;
    out->values_size = size - consumed;
    return Status::OK();
  }

  // v2: the levels are stored uncompressed before the values. DescribePage checked that they fit both
  // the body and the uncompressed size.
  size_t repetition_size = page.repetition_levels_size;
  size_t levels_size = repetition_size + page.definition_levels_size;
  if (spec_->optional()) {
    size_t consumed = 0;
    if (Status st = DecodeLevels(body + repetition_size, page.definition_levels_size, num_values, false,
                                 levels, &out->present, &consumed);
        !st.ok()) {
      return st;
    }
    if (out->present != num_values - page.num_nulls) {
      return Status::Corruption("data page v2 num_nulls disagrees with its definition levels");
    }
    out->levels = levels->data() + levels_at;
  }
  return Decompress(body + levels_size, page.body_size - levels_size, page.uncompressed_size - levels_size,
                    page.compressed, &out->values, &out->values_size);
}

Status PageDecoder::DecodeData(const PageInfo& page, const uint8_t* body, bool keep_indices,
                               ColumnData* out) {
  DataSections sections;
  if (Status st = Sections(page, body, &out->def_levels, &sections); !st.ok()) return st;
  out->num_rows += page.num_values;
  return DecodeValues(page.encoding, sections.values, sections.values_size, sections.present, keep_indices,
                      out);
}

Status PageDecoder::CheckDictionaryIndices(const uint8_t* data, size_t size, int* bit_width) const {
  if (!has_dictionary_) return Status::Corruption("dictionary-encoded page but no dictionary page");
  if (size < 1) return Status::Corruption("dictionary indices: missing bit width");
  *bit_width = data[0];
  if (*bit_width > 32)
    return Status::Corruption("dictionary indices: bit width " + std::to_string(*bit_width));
  return Status::OK();
}

Status PageDecoder::GatherIndices(const PageInfo& page, const uint8_t* body, const uint32_t* rows, size_t n,
                                  uint32_t* indices) {
  levels_.clear();
  DataSections sections;
  if (Status st = Sections(page, body, &levels_, &sections); !st.ok()) return st;
  if (n == 0) return Status::OK();
  // Rows without a value need no index: a page of nulls may have no bit width either.
  int bit_width = 0;
  if (sections.present != 0) {
    if (Status st = CheckDictionaryIndices(sections.values, sections.values_size, &bit_width); !st.ok()) {
      return st;
    }
  }
  RleBitPackedDecoder decoder;
  if (sections.present != 0) decoder.Reset(sections.values + 1, sections.values_size - 1, bit_width);
  const uint8_t* levels = sections.levels;
  size_t level_row = 0;  // levels[0 .. level_row) are summed in `value`
  size_t value = 0;      // the value of row rows[i] (present rows before it)
  size_t position = 0;   // values the decoder has passed
  for (size_t i = 0; i < n; ++i) {
    const size_t row = rows[i];
    if (levels != nullptr) {
      value += CountOnes(levels + level_row, row - level_row);
      level_row = row;
      if (levels[row] == 0) {
        indices[i] = kNullDictIndex;
        continue;
      }
    } else {
      value = row;
    }
    if (value < position) return Status::InvalidArgument("GatherIndices: rows not strictly ascending");
    uint32_t index = 0;
    if (!decoder.ReadAhead(value - position, &index)) {
      return Status::Corruption("dictionary indices: fewer than the page's " +
                                std::to_string(sections.present) + " values");
    }
    position = value + 1;
    if (index >= dictionary_count_) {
      return Status::Corruption("dictionary index " + std::to_string(index) + " out of range (" +
                                std::to_string(dictionary_count_) + " entries)");
    }
    indices[i] = index;
  }
  return Status::OK();
}

Status PageDecoder::DecodeDictionaryIndices(const uint8_t* data, size_t size, size_t count, bool keep_indices,
                                            ColumnData* out) {
  if (!has_dictionary_) return Status::Corruption("dictionary-encoded page but no dictionary page");
  if (count == 0) return Status::OK();
  int bit_width = 0;
  if (Status st = CheckDictionaryIndices(data, size, &bit_width); !st.ok()) return st;
  if (count * sizeof(uint32_t) > options_->max_chunk_memory) return MemoryLimitError();
  keep_indices = keep_indices && spec_->type == Type::kByteArray;
  uint32_t* indices;
  if (keep_indices) {
    size_t at = out->dict_indices.size();
    out->dict_indices.resize(at + count);
    indices = out->dict_indices.data() + at;
  } else {
    indices_.resize(count);
    indices = indices_.data();
  }
  RleBitPackedDecoder decoder;
  decoder.Reset(data + 1, size - 1, bit_width);
  if (decoder.GetBatch(indices, count) != count) {
    return Status::Corruption("dictionary indices: fewer than the page's " + std::to_string(count) +
                              " values");
  }
  // One branch-free pass finds whether any index is out of range; the slow search only on error.
  if (LargestIndex(indices, count) >= dictionary_count_) {
    size_t bad = 0;
    while (indices[bad] < dictionary_count_) ++bad;
    return Status::Corruption("dictionary index " + std::to_string(indices[bad]) + " out of range (" +
                              std::to_string(dictionary_count_) + " entries)");
  }
  if (keep_indices) return Status::OK();

  if (spec_->type == Type::kByteArray) {
    const ByteArrayValues& dictionary = *dictionary_bytes_;
    const uint32_t* entry_offsets = dictionary.offsets.data();
    uint64_t total = 0;
    for (size_t i = 0; i < count; ++i) total += entry_offsets[indices[i] + 1] - entry_offsets[indices[i]];
    ByteArrayValues& values = out->byte_arrays;
    // Checked before copying: a one-entry dictionary of a long string repeated by every index would
    // otherwise allocate the product.
    if (values.bytes.size() + total > kMaxByteArrayBytes) {
      return Status::NotSupported("column chunk holds over 4 GiB of values");
    }
    if (total > options_->max_chunk_memory) return MemoryLimitError();
    size_t at = values.offsets.size();
    values.offsets.resize(at + count);
    uint32_t* offsets = values.offsets.data() + at;
    uint8_t* dest = values.bytes.prepare(static_cast<size_t>(total));
    uint32_t end = static_cast<uint32_t>(values.bytes.size());
    const uint8_t* entries = dictionary.bytes.data();
    for (size_t i = 0; i < count; ++i) {
      uint32_t begin = entry_offsets[indices[i]];
      uint32_t length = entry_offsets[indices[i] + 1] - begin;
      std::memcpy(dest, entries + begin, length);
      dest += length;
      end += length;
      offsets[i] = end;
    }
    values.bytes.commit(static_cast<size_t>(total));
    return Status::OK();
  }
  size_t value_width = static_cast<size_t>(width());
  if (count * value_width > options_->max_chunk_memory) return MemoryLimitError();
  uint8_t* dest = out->fixed.prepare(count * value_width);
  const uint8_t* entries = dictionary_fixed_.data();
  if (value_width == 8) {
    for (size_t i = 0; i < count; ++i) std::memcpy(dest + i * 8, entries + size_t{indices[i]} * 8, 8);
  } else {
    for (size_t i = 0; i < count; ++i) {
      std::memcpy(dest + i * value_width, entries + indices[i] * value_width, value_width);
    }
  }
  out->fixed.commit(count * value_width);
  return Status::OK();
}

Status PageDecoder::DecodeValues(Encoding encoding, const uint8_t* data, size_t size, size_t count,
                                 bool keep_indices, ColumnData* out) {
  Status st;
  Type type = spec_->type;
  int value_width = width();
  switch (encoding) {
    case Encoding::kPlain:
      if (type == Type::kBoolean) {
        st = DecodePlainBoolean(data, size, count, &out->fixed);
      } else if (type == Type::kByteArray) {
        size_t consumed = 0;
        st = DecodePlainByteArray(data, size, count, &out->byte_arrays, &consumed);
      } else {
        st = DecodePlainFixed(data, size, count, value_width, &out->fixed);
      }
      break;
    case Encoding::kPlainDictionary:
    case Encoding::kRleDictionary:
      st = DecodeDictionaryIndices(data, size, count, keep_indices, out);
      break;
    case Encoding::kRle: {
      if (type != Type::kBoolean) return Status::NotSupported("RLE encoding for " + TypeName(type));
      if (size < 4) return Status::Corruption("RLE booleans: missing length prefix");
      uint32_t length;
      std::memcpy(&length, data, 4);
      if (length > size - 4) return Status::Corruption("RLE booleans: length prefix past the page end");
      RleBitPackedDecoder decoder;
      decoder.Reset(data + 4, length, 1);
      uint8_t* dest = out->fixed.prepare(count);
      if (decoder.GetBatch(dest, count) != count) {
        return Status::Corruption("RLE booleans: fewer than the page's " + std::to_string(count) + " values");
      }
      out->fixed.commit(count);
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
      size_t bytes = count * static_cast<size_t>(value_width);
      if (bytes > options_->max_chunk_memory) return MemoryLimitError();
      uint8_t* dest = out->fixed.prepare(bytes);
      if (type == Type::kInt64) {
        st = decoder.Decode(reinterpret_cast<int64_t*>(dest), count);
      } else {
        st = decoder.Decode(reinterpret_cast<int32_t*>(dest), count);
      }
      if (st.ok()) out->fixed.commit(bytes);
      break;
    }
    case Encoding::kDeltaLengthByteArray:
      if (type != Type::kByteArray)
        return Status::NotSupported("DELTA_LENGTH_BYTE_ARRAY for " + TypeName(type));
      st = DecodeDeltaLengthByteArray(data, size, count, &out->byte_arrays);
      break;
    case Encoding::kDeltaByteArray:
      if (type == Type::kByteArray) {
        st = DecodeDeltaByteArray(data, size, count, &out->byte_arrays);
      } else if (type == Type::kFixedLenByteArray) {
        byte_scratch_.clear();
        st = DecodeDeltaByteArray(data, size, count, &byte_scratch_);
        if (!st.ok()) break;
        for (size_t i = 0; i < byte_scratch_.count(); ++i) {
          std::string_view value = byte_scratch_[i];
          if (value.size() != static_cast<size_t>(value_width)) {
            return Status::Corruption("DELTA_BYTE_ARRAY value of " + std::to_string(value.size()) +
                                      " bytes in a FIXED_LEN_BYTE_ARRAY(" + std::to_string(value_width) +
                                      ") column");
          }
          out->fixed.append(value);
        }
      } else {
        return Status::NotSupported("DELTA_BYTE_ARRAY for " + TypeName(type));
      }
      break;
    case Encoding::kByteStreamSplit:
      if (type == Type::kBoolean || type == Type::kByteArray || type == Type::kInt96) {
        return Status::NotSupported("BYTE_STREAM_SPLIT for " + TypeName(type));
      }
      st = DecodeByteStreamSplit(data, size, count, value_width, &out->fixed);
      break;
    default:
      return Status::NotSupported("encoding " + EncodingName(encoding));
  }
  if (!st.ok()) return st;
  out->num_values += count;
  return CheckMemory(*out);
}

}  // namespace logdaemon::parquet
