// ColumnChunkReader reads one column chunk a range of rows at a time: Open reads the chunk's bytes once
// and walks its page headers (no decompression), recording where each data page's rows start; Read
// then decodes only the data pages that hold the rows asked for. The dictionary page is decoded at most
// once per Open, when a Read first meets a dictionary-encoded page, and with keep_dictionary a
// BYTE_ARRAY column's dictionary-encoded values are returned as indices into it rather than copies.
// FileReader::ReadColumnChunk is Open + Read of every row, so there is one decoding path.
//
// Every buffer (the chunk's bytes, decompressed pages, dictionary, scratch) is kept across Opens: a
// reader reused for chunk after chunk allocates nothing in the steady state.
//
// Files are untrusted input: every header is checked when walked (sizes within the chunk, page rows
// adding up to the row group's, at most one dictionary page and before the data pages), CRCs and the
// values when a page is decoded, and memory stays within ReaderOptions::max_chunk_memory.
//
// Thread-safety: one object per thread; the FileReader may be shared (its const methods are safe).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "logdaemon/status.h"
#include "parquet/byte_buffer.h"
#include "parquet/column_data.h"
#include "parquet/column_spec.h"
#include "parquet/page_decoder.h"

namespace logdaemon::parquet {

class FileReader;

// What a ColumnChunkReader needs only while it reads: the chunk's compressed bytes, the decompressor and
// the decompressed page. A caller that keeps many readers open for their dictionaries and decoded rows,
// but reads them one after another (a merge's sorted row group, storage/row_group_merger.h), lends one
// set to each in turn instead of every reader holding its own.
struct ChunkReadScratch {
  ByteBuffer chunk;
  PageScratchBuffers page;
  size_t memory_bytes() const { return chunk.capacity() + page.decompressed.capacity(); }
};

class ColumnChunkReader {
 public:
  ColumnChunkReader() = default;
  ColumnChunkReader(const ColumnChunkReader&) = delete;
  ColumnChunkReader& operator=(const ColumnChunkReader&) = delete;
  // Movable (e.g. kept in a std::vector); ColumnData::dictionary pointers from it stay valid.
  ColumnChunkReader(ColumnChunkReader&&) noexcept = default;
  ColumnChunkReader& operator=(ColumnChunkReader&&) noexcept = default;

  // Reads the chunk's compressed bytes (one ReadAt) and walks its page headers without decompressing,
  // recording each data page's first row and row count, and checks them. keep_dictionary only affects
  // BYTE_ARRAY columns. `file` must stay alive (and unchanged) while this reader reads the chunk.
  // Errors name the file, column, row group and, for a page, its number and file offset.
  Status Open(const FileReader& file, int row_group, int column, bool keep_dictionary);

  // The row group's rows (0 before a successful Open).
  size_t num_rows() const { return num_rows_; }
  // Data pages of the chunk (for tests and --explain).
  size_t num_data_pages() const { return pages_.size(); }

  // Decodes the data pages that hold rows [begin, end) into *out (cleared first, capacity kept). end is
  // clamped to num_rows(); begin == end reads nothing; begin > end is InvalidArgument. Whole pages are
  // decoded, so out->first_row <= begin and out->first_row + out->num_rows >= end. Pages already
  // decoded are decoded again if asked again. With keep_dictionary, a BYTE_ARRAY range whose data pages
  // are all dictionary-encoded comes back as out->dict_indices into *out->dictionary (valid until the
  // next Open); a range mixing dictionary and PLAIN pages comes back materialized in byte_arrays.
  Status Read(size_t begin, size_t end, ColumnData* out);

  // For a few rows far apart (a grouping over the rows a filter selected): whether GatherIndices can
  // read rows [begin, end), i.e. the chunk was opened with keep_dictionary and the data pages holding
  // them are all dictionary-encoded.
  bool CanGatherIndices(size_t begin, size_t end) const;
  // indices[i] = the dictionary index of row rows[i] (strictly ascending rows < num_rows()), or
  // kNullDictIndex for a null, decoding of each page only the values of these rows (see
  // PageDecoder::GatherIndices: values skipped are not checked). dictionary() is then set. Leaves what
  // Read returned untouched. REQUIRES: CanGatherIndices(rows.front(), rows.back() + 1).
  Status GatherIndices(std::span<const uint32_t> rows, uint32_t* indices);

  // The chunk's BYTE_ARRAY dictionary once a Read has decoded it, else nullptr; valid until the next
  // Open. Unlike ColumnData::dictionary it stays set after a Read whose range was materialized (a
  // chunk that fell back to PLAIN part-way), for callers that keep per-entry results across Reads.
  const ByteArrayValues* dictionary() const {
    return spec_ != nullptr && spec_->type == Type::kByteArray && decoder_.has_dictionary()
               ? &decoder_.byte_array_dictionary()
               : nullptr;
  }

  // Exchanges the buffers a read needs with *scratch (see ChunkReadScratch), and closes the chunk: the
  // next Read needs another Open (a Read without it is refused, never a read of another chunk's bytes).
  // What earlier Reads returned (decoded rows, and dictionary indices into dictionary()) stays valid
  // until that Open. Lend, Open and Read, then take the buffers back.
  void SwapScratch(ChunkReadScratch* scratch) {
    std::swap(chunk_, scratch->chunk);
    decoder_.SwapScratch(&scratch->page);
    open_ = false;
  }

  // Compressed bytes (page headers included) of the distinct pages decoded by Read since Open, the
  // dictionary page included: what a query had to touch of this chunk. Re-decoded pages count once.
  uint64_t bytes_decoded() const { return bytes_decoded_; }
  // Heap bytes its buffers hold (capacity), kept across Opens.
  size_t memory_bytes() const {
    return chunk_.capacity() + decoder_.memory_bytes() + pages_.capacity() * sizeof(PageInfo) +
           page_rows_.capacity() * sizeof(uint32_t);
  }

 private:
  Status WalkPages(uint64_t row_group_rows);
  Status DecodeDictionaryOnce();
  // The index of the first page not wholly before row `begin`.
  size_t FirstPageOf(size_t begin) const;
  // Verifies the CRC and counts the bytes, the first time a page is decoded.
  Status CheckOnce(PageInfo* page);
  // CheckOnce, then decodes.
  Status DecodePage(PageInfo* page, bool keep_indices, ColumnData* out);
  Status CheckCrc(PageInfo* page) const;
  Status PageError(const Status& st, const PageInfo& page) const;
  std::string Context() const;

  const FileReader* file_ = nullptr;
  const ColumnSpec* spec_ = nullptr;
  int row_group_ = 0;
  int column_ = 0;
  bool keep_dictionary_ = false;
  bool open_ = false;
  size_t num_rows_ = 0;
  uint64_t chunk_start_ = 0;  // file offset of chunk_[0]
  ByteBuffer chunk_;
  std::vector<PageInfo> pages_;  // data pages, in row order
  bool has_dictionary_page_ = false;
  PageInfo dictionary_page_;
  bool dictionary_tried_ = false;
  Status dictionary_status_;  // the outcome of decoding the dictionary page, once per Open
  PageDecoder decoder_;
  uint64_t bytes_decoded_ = 0;
  std::vector<uint32_t> page_rows_;  // GatherIndices' rows of one page
};

}  // namespace logdaemon::parquet
