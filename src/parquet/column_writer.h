// ColumnChunkWriter: one column's pages within the current row group. It splits the rows it is given
// into data pages, encodes them (PLAIN, RLE_DICTIONARY, DELTA_BINARY_PACKED, and DELTA_LENGTH_BYTE_ARRAY
// for strings without their dictionary), compresses them, keeps page and chunk statistics and the page
// index entries, and holds the encoded chunk in memory until FileWriter writes the row group. Private to
// the Parquet module.
//
// Thread-safety: none.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "logdaemon/status.h"
#include "parquet/byte_buffer.h"
#include "parquet/column_data.h"
#include "parquet/column_spec.h"
#include "parquet/compression.h"
#include "parquet/delta_binary_packed.h"
#include "parquet/dictionary_encoder.h"
#include "parquet/file_writer.h"
#include "parquet/format.h"
#include "parquet/rle_bitpacked.h"
#include "parquet/statistics.h"

namespace logdaemon::parquet {

// What finishing a page needs only while it runs — the encoded levels and values, the uncompressed body,
// the compressed body, the header — and the compressor (a zstd context is over a MiB): one set per
// FileWriter, lent to each of its columns in turn, since columns finish pages one at a time. A column
// only keeps its open page and its chunk; a wide schema does not multiply page-sized scratch buffers.
struct PageScratch {
  PageScratch(Codec codec, int level) : compressor(codec, level) {}
  Compressor compressor;
  ByteBuffer levels;
  ByteBuffer values;
  ByteBuffer body;
  ByteBuffer compressed;
  ByteBuffer header;
  size_t memory_bytes() const {
    return compressor.context_bytes() + levels.capacity() + values.capacity() + body.capacity() +
           compressed.capacity() + header.capacity();
  }
};

// A column chunk's dictionaries (their arenas, entries and hash slots), which FileWriter's
// column-at-a-time row groups lend to each column in turn (LendDictionaries at the column's start,
// ReturnDictionaries at its end, after Reset): a merge grows them once instead of once per column
// chunk, and a column that abandons its dictionary resets the lent one rather than freeing it. Their
// fresh pages' faults were ~5 % of a merge's samples; lending them made a merge of 109 flush files 3 %
// faster at the same peak. (Lending the page buffers and the dictionary page as well made it 9 % faster
// but kept the largest column's buffers through the next column's decoding: +4.4 MiB at the peak.)
struct ColumnDictionaries {
  Int64DictionaryEncoder int64;
  ByteArrayDictionaryEncoder bytes;
  size_t memory_bytes() const { return int64.memory_bytes() + bytes.memory_bytes(); }
};

class ColumnChunkWriter {
 public:
  // REQUIRES: ValidateWriterConfig accepted spec, options and encoding; `scratch` outlives the writer
  // and is not used by another thread meanwhile.
  ColumnChunkWriter(const ColumnSpec& spec, const WriterOptions& options, ColumnEncoding encoding,
                    PageScratch* scratch);

  // Appends a batch of rows (see ColumnBatch), cutting pages as they fill.
  Status Write(const ColumnBatch& batch);

  // Closes the last page and builds the dictionary page. REQUIRES: called once per row group, before
  // the chunk's bytes are taken.
  Status Finish();

  // The finished chunk: the dictionary page (if any), then the data pages.
  const ByteBuffer& dictionary_page() const { return dictionary_page_; }
  const ByteBuffer& data_pages() const { return data_pages_; }
  size_t chunk_size() const { return dictionary_page_.size() + data_pages_.size(); }
  // Bytes held for the current row group so far (pages done plus the open page's values).
  size_t buffered_bytes() const;
  // Bytes its buffers hold (capacities, dictionaries included), whatever they hold now: the memory
  // accounting's figure, where buffered_bytes() is the file's.
  size_t memory_bytes() const;

  // Describes the finished chunk, written at file offset `chunk_offset`.
  // column_index / offset_index may be nullptr (no page index).
  void FillMetadata(int64_t chunk_offset, ColumnChunk* chunk, ColumnIndex* column_index,
                    OffsetIndex* offset_index) const;
  // Whether a ColumnIndex can describe this chunk (every page with values has a min and max).
  bool column_index_valid() const;

  // Forgets the row group; keeps every buffer's capacity for the next one.
  void Reset();

  // Frees what the column's buffers grew to — its dictionary, its open page's values, indices and
  // levels, the dictionary page — for column-at-a-time row groups (FileWriter::EndColumn), where a column
  // is done until the next row group: a wide schema then holds one column's dictionary at a time.
  // REQUIRES: after Reset.
  void ReleaseMemory();

  // Exchanges the buffer the data pages are encoded into with *buffer (emptied first): FileWriter's
  // column-at-a-time row groups lend one buffer to each column in turn, so that a wide schema holds one
  // chunk's pages at a time rather than one per column. REQUIRES: at a row-group boundary (after Reset).
  void SwapChunkBuffer(ByteBuffer* buffer) {
    buffer->clear();
    std::swap(data_pages_, *buffer);
  }

  // REQUIRES: after Reset (Lend: before the chunk's first value).
  void LendDictionaries(ColumnDictionaries* dictionaries);
  void ReturnDictionaries(ColumnDictionaries* dictionaries);

 private:
  // kDeltaLength: BYTE_ARRAY values collected PLAIN in page_plain_, written DELTA_LENGTH_BYTE_ARRAY.
  enum class PageEncoding { kPlain, kDictionary, kDeltaBinaryPacked, kDeltaLength };
  struct PageRecord {
    int64_t offset;           // within data_pages_
    int32_t compressed_size;  // header included
    int64_t first_row;
    int64_t null_count;
    bool all_null;
    bool has_min_max;
    std::string min;
    std::string max;
  };

  // A dictionary-encoded page held until the dictionary is final (WriterOptions::sort_dictionaries):
  // its indices and levels end where these say in held_indices_ / held_levels_.
  struct HeldPage {
    int64_t rows;
    int64_t values;
    size_t levels_end;
    size_t indices_end;
    Statistics statistics;
    bool has_min_max;
  };

  void AppendValues(const ColumnBatch& batch, size_t value_begin, size_t value_count);
  Status FinishPage();
  // Writes one page of the chunk: levels encoded, header (statistics, CRC), compressed body, page index
  // entry. `values` is the page's encoded values.
  Status WritePage(std::span<const uint8_t> levels, const ByteBuffer& values, Encoding encoding, int64_t rows,
                   int64_t value_count, const Statistics& statistics, bool has_min_max);
  // Sorts the dictionary (from 4 KiB), renumbers the held pages' indices and writes them (a no-op with
  // none held).
  Status WriteHeldPages();
  // RLE_DICTIONARY of `indices` into scratch_->values, at the dictionary's current bit width.
  const ByteBuffer& EncodeIndices(const uint32_t* indices, size_t n);
  Status FinishDictionaryFallback();
  // The encoding of a dictionary column's pages once it stops using the dictionary.
  PageEncoding FallbackEncoding() const;
  // The chunk's first page did not gain from the dictionary (at its end), or its values have all been
  // distinct for kEarlyAbandonValues (column_writer.cc): its values so far are rewritten PLAIN from the
  // dictionary's entries, the dictionary is dropped, and the chunk goes on with FallbackEncoding().
  void AbandonDictionary();
  const ByteBuffer& EncodePageValues();
  Status EmitPage(PageHeader* header, const ByteBuffer& values, ByteBuffer* out, size_t* page_bytes);
  Status EmitDictionaryPage(PageHeader* header, const uint8_t* plain, size_t plain_size);
  size_t open_page_value_bytes() const;
  size_t DictionaryEntries() const;
  size_t DictionaryBytes() const;  // the dictionary page's PLAIN size so far

  ColumnSpec spec_;
  const WriterOptions& options_;
  PageEncoding configured_encoding_;
  PageEncoding encoding_;
  bool dictionary_enabled_;         // true until the dictionary passes its size limit in this chunk
  bool dictionaries_lent_ = false;  // between LendDictionaries and ReturnDictionaries
  PageScratch* scratch_;

  // The open page.
  std::vector<uint8_t> page_levels_;  // def levels, OPTIONAL columns only
  int64_t page_rows_ = 0;
  int64_t page_values_ = 0;
  ByteBuffer page_plain_;               // PLAIN values
  std::vector<uint32_t> page_indices_;  // dictionary indices
  size_t page_plain_equivalent_ = 0;    // what the dictionary-encoded values would take as PLAIN
  DeltaBinaryPackedEncoder delta_encoder_;
  ByteBuffer page_delta_;
  std::vector<int64_t> scratch_int64_;  // doubles as bit patterns, for the dictionary
  ColumnStatistics page_stats_;

  // The chunk.
  Int64DictionaryEncoder int_dictionary_;
  ByteArrayDictionaryEncoder byte_dictionary_;
  std::vector<HeldPage> held_pages_;
  std::vector<uint32_t> held_indices_;
  std::vector<uint8_t> held_levels_;
  std::vector<uint32_t> remap_;  // SortEntries' old index -> new
  ByteBuffer data_pages_;
  ByteBuffer dictionary_page_;
  ColumnStatistics chunk_stats_;
  std::vector<PageRecord> pages_;
  int64_t chunk_rows_ = 0;
  int64_t uncompressed_bytes_ = 0;  // headers included
  int dictionary_data_pages_ = 0;
  int plain_data_pages_ = 0;
  int delta_data_pages_ = 0;
  int delta_length_data_pages_ = 0;
};

}  // namespace logdaemon::parquet
