// FileReader reads Parquet files written by logdaemon or by any other writer, as far as they use flat
// schemas: the footer, schema, row-group and page metadata, statistics, the page index, and the values
// of the column chunks asked for (projection: other chunks are never read). It decodes PLAIN,
// PLAIN_DICTIONARY, RLE_DICTIONARY, RLE (booleans), DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY,
// DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT, data pages v1 and v2, the codecs UNCOMPRESSED, SNAPPY, GZIP,
// ZSTD, LZ4_RAW and LZ4, and verifies page CRCs where present.
//
// Files are untrusted input: every offset, length and count is checked before use, memory use is
// bounded by ReaderOptions, and errors name the file, the column and what is wrong.
//
// Thread-safety: after Open, const methods may be called from several threads at once (each with its
// own output ColumnData).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "logdaemon/status.h"
#include "parquet/column_data.h"
#include "parquet/column_spec.h"
#include "parquet/format.h"
#include "parquet/io.h"

namespace logdaemon::parquet {

struct ReaderOptions {
  bool verify_checksums = true;
  // Upper bound on the memory one column chunk read may use (its compressed bytes, one decompressed
  // page, and the decoded values). Larger chunks are refused with an error rather than risking the
  // process.
  size_t max_chunk_memory = size_t{1} << 30;
  // Upper bound on the footer (FileMetaData) size.
  size_t max_footer_size = size_t{256} << 20;
};

// What a column chunk's pages are, read from their headers without decoding them (for `inspect`).
struct PageSummary {
  int dictionary_pages = 0;
  int data_pages = 0;  // v1 and v2
  int data_pages_v2 = 0;
  int64_t values = 0;    // sum of data page num_values
  bool has_crc = false;  // every page carries a CRC
};

class FileReader {
 public:
  // `name` is used in error messages (the path, usually).
  static Result<std::unique_ptr<FileReader>> Open(const std::string& path, ReaderOptions options = {});
  static Result<std::unique_ptr<FileReader>> Open(std::unique_ptr<InputSource> source, std::string name,
                                                  ReaderOptions options = {});
  ~FileReader();
  FileReader(const FileReader&) = delete;
  FileReader& operator=(const FileReader&) = delete;

  const std::string& name() const { return name_; }
  const FileMetaData& metadata() const { return metadata_; }
  // The leaf columns, in schema order.
  const std::vector<ColumnSpec>& columns() const { return columns_; }
  int num_columns() const { return static_cast<int>(columns_.size()); }
  int num_row_groups() const { return static_cast<int>(metadata_.row_groups.size()); }
  int64_t num_rows() const { return metadata_.num_rows; }
  // Index of the column named `name`, or -1.
  int FindColumn(std::string_view name) const;
  // The key-value metadata entry `key`, if present.
  std::optional<std::string> KeyValue(std::string_view key) const;

  // Reads and decodes one column chunk entirely into *out (cleared first), dictionary-encoded values
  // materialized. A ColumnChunkReader does the same a range of rows at a time, reusing its buffers.
  Status ReadColumnChunk(int row_group, int column, ColumnData* out) const;

  // The page index of a column chunk; std::nullopt when the file has none for it.
  Status ReadColumnIndex(int row_group, int column, std::optional<ColumnIndex>* out) const;
  Status ReadOffsetIndex(int row_group, int column, std::optional<OffsetIndex>* out) const;

  // Walks the chunk's page headers without decompressing or decoding.
  Status SummarizePages(int row_group, int column, PageSummary* out) const;

 private:
  friend class ColumnChunkReader;  // reads chunk bytes and reports errors as this class does

  FileReader(std::unique_ptr<InputSource> source, std::string name, ReaderOptions options);
  Status ReadFooter();
  Status BuildSchema();
  Status CheckRowGroups();
  Status ReadChunkBytes(int row_group, int column, ByteBuffer* bytes, uint64_t* start) const;
  std::string ColumnContext(int row_group, int column) const;

  std::unique_ptr<InputSource> source_;
  std::string name_;
  ReaderOptions options_;
  FileMetaData metadata_;
  std::vector<ColumnSpec> columns_;
};

}  // namespace logdaemon::parquet
