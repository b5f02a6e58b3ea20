// PageDecoder: decodes one page of a column chunk (the dictionary page, or a v1 or v2 data page) into a
// ColumnData, appending. PageInfo is what decoding needs of a page's header, checked once when the
// chunk's headers are walked (DescribePage) and kept compactly, so that decoding a range of pages later
// needs no header parsing. Private to the Parquet module: ColumnChunkReader is its only user.
//
// Thread-safety: none; one PageDecoder per ColumnChunkReader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "logdaemon/status.h"
#include "parquet/byte_buffer.h"
#include "parquet/column_data.h"
#include "parquet/column_spec.h"
#include "parquet/compression.h"
#include "parquet/format.h"

namespace logdaemon::parquet {

struct ReaderOptions;

struct PageInfo {
  PageType type = PageType::kDataPage;       // kDictionaryPage, kDataPage or kDataPageV2
  Encoding encoding = Encoding::kPlain;      // of the values (dictionary pages: PLAIN or PLAIN_DICTIONARY)
  Encoding level_encoding = Encoding::kRle;  // v1: of the definition levels
  bool compressed = true;                    // v2's is_compressed; true for other pages
  bool has_crc = false;
  uint32_t crc = 0;
  int number = 0;            // among the chunk's pages, for error messages
  size_t header_offset = 0;  // within the chunk's bytes, for error messages
  size_t body_offset = 0;    // within the chunk's bytes
  size_t body_size = 0;
  size_t uncompressed_size = 0;
  uint64_t first_row = 0;  // data pages: the row-group row of the page's first row
  size_t num_values = 0;   // data pages: rows (flat schemas: one value or null per row); dictionary: entries
  size_t num_nulls = 0;    // v2
  size_t repetition_levels_size = 0;  // v2: bytes before the definition levels
  size_t definition_levels_size = 0;  // v2
  bool decoded = false;               // the reader's bookkeeping: CRC verified and bytes counted since Open

  bool dictionary_encoded() const {
    return encoding == Encoding::kPlainDictionary || encoding == Encoding::kRleDictionary;
  }
  bool is_data() const { return type == PageType::kDataPage || type == PageType::kDataPageV2; }
};

// Checks a dictionary or data page's header for what can be checked without its body, and fills the
// PageInfo fields that come from the header (not the offsets, number or first_row). rows_left is what
// the row group has left for this page: a page may not claim more, which also bounds the memory a few
// bytes of run-length encoded levels could make the decoder allocate.
// REQUIRES: header.type is one of the three page types above.
Status DescribePage(const PageHeader& header, const ColumnSpec& spec, size_t body_size, uint64_t rows_left,
                    PageInfo* info);

// What a PageDecoder needs only while it decodes a page — the decompressor (a zstd context is over a
// hundred KiB) and the decompressed page — as opposed to the dictionary it keeps for the chunk.
struct PageScratchBuffers {
  Decompressor decompressor;
  ByteBuffer decompressed;
};

class PageDecoder {
 public:
  PageDecoder() : dictionary_bytes_(std::make_unique<ByteArrayValues>()) {}
  PageDecoder(const PageDecoder&) = delete;
  PageDecoder& operator=(const PageDecoder&) = delete;
  // Moving keeps byte_array_dictionary()'s address (ColumnData::dictionary points to it).
  PageDecoder(PageDecoder&&) noexcept = default;
  PageDecoder& operator=(PageDecoder&&) noexcept = default;

  // Starts a column chunk: forgets the dictionary, keeps every buffer's capacity. The arguments must
  // outlive the decoding of the chunk.
  void Reset(const ColumnSpec& spec, Codec codec, const ReaderOptions& options);

  // Decodes the dictionary page. REQUIRES: page.type == kDictionaryPage, body holds page.body_size bytes.
  Status DecodeDictionary(const PageInfo& page, const uint8_t* body);
  bool has_dictionary() const { return has_dictionary_; }
  // The decoded BYTE_ARRAY dictionary (empty before DecodeDictionary or for other types).
  const ByteArrayValues& byte_array_dictionary() const { return *dictionary_bytes_; }
  // Heap bytes its buffers hold (capacity): for callers that keep many decoders and bound their memory.
  size_t memory_bytes() const {
    return dictionary_fixed_.capacity() + dictionary_bytes_->bytes.capacity() +
           dictionary_bytes_->offsets.capacity() * sizeof(uint32_t) + decompressed_.capacity() +
           indices_.capacity() * sizeof(uint32_t) + levels_.capacity() + byte_scratch_.bytes.capacity() +
           byte_scratch_.offsets.capacity() * sizeof(uint32_t);
  }

  // Exchanges the decompressor and the decompressed page with *scratch (see ColumnChunkReader::
  // SwapScratch). The dictionary stays.
  void SwapScratch(PageScratchBuffers* scratch) {
    std::swap(decompressor_, scratch->decompressor);
    std::swap(decompressed_, scratch->decompressed);
  }

  // Appends a data page's definition levels and values to *out (num_rows, num_values too). With
  // keep_indices, a dictionary-encoded BYTE_ARRAY page's values are appended to out->dict_indices
  // (checked against the dictionary's size) instead of being copied into out->byte_arrays.
  // REQUIRES: page.is_data(), body holds page.body_size bytes.
  Status DecodeData(const PageInfo& page, const uint8_t* body, bool keep_indices, ColumnData* out);

  // Of a dictionary-encoded data page, reads only the values of rows rows[0 .. n) (page rows,
  // strictly ascending): indices[i] = the dictionary index of rows[i], or kNullDictIndex when it is
  // null. The
  // definition levels are decoded whole; the values between the rows asked for are skipped unread (runs
  // walked by their headers), and so are not checked, unlike DecodeData's.
  // REQUIRES: page.is_data() && page.dictionary_encoded(), body holds page.body_size bytes, every row
  // < page.num_values.
  Status GatherIndices(const PageInfo& page, const uint8_t* body, const uint32_t* rows, size_t n,
                       uint32_t* indices);

 private:
  // Where a data page's definition levels and values are, decompressed. levels: one byte per row
  // (decoded into levels_), or nullptr for a REQUIRED column; present: the values stored.
  struct DataSections {
    const uint8_t* levels = nullptr;
    size_t present = 0;
    const uint8_t* values = nullptr;
    size_t values_size = 0;
  };
  Status Sections(const PageInfo& page, const uint8_t* body, std::vector<uint8_t>* levels, DataSections* out);
  Status DecodeLevels(const uint8_t* data, size_t size, size_t num_values, bool v1, std::vector<uint8_t>* out,
                      size_t* present, size_t* consumed);
  Status CheckDictionaryIndices(const uint8_t* data, size_t size, int* bit_width) const;
  Status DecodeValues(Encoding encoding, const uint8_t* data, size_t size, size_t count, bool keep_indices,
                      ColumnData* out);
  Status DecodeDictionaryIndices(const uint8_t* data, size_t size, size_t count, bool keep_indices,
                                 ColumnData* out);
  Status Decompress(const uint8_t* data, size_t size, size_t uncompressed_size, bool compressed,
                    const uint8_t** out, size_t* out_size);
  Status CheckMemory(const ColumnData& out) const;
  Status MemoryLimitError() const;
  int width() const { return FixedWidth(spec_->type, spec_->type_length); }

  const ColumnSpec* spec_ = nullptr;
  Codec codec_ = Codec::kUncompressed;
  const ReaderOptions* options_ = nullptr;

  bool has_dictionary_ = false;
  size_t dictionary_count_ = 0;
  ByteBuffer dictionary_fixed_;
  std::unique_ptr<ByteArrayValues> dictionary_bytes_;  // on the heap: its address survives moves

  Decompressor decompressor_;
  ByteBuffer decompressed_;
  std::vector<uint32_t> indices_;
  std::vector<uint8_t> levels_;  // GatherIndices' definition levels
  ByteArrayValues byte_scratch_;
};

}  // namespace logdaemon::parquet
