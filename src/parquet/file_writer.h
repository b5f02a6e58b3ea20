// FileWriter builds one Parquet file: a flat schema, any number of row groups, each column chunk
// encoded (PLAIN, RLE_DICTIONARY with PLAIN fallback, DELTA_BINARY_PACKED), compressed, with chunk and
// page statistics, optional page index, page CRCs, key-value metadata, and the footer.
//
// The caller appends whole batches of column values (ColumnBatch: borrowed pointers, no per-value
// allocation) and decides where row groups end. A row group's encoded pages are kept in memory until it
// ends, because a column chunk's pages must be contiguous in the file; then they go to the sink in one
// pass. Buffers are reused from one row group to the next.
//
// Thread-safety: none; one thread uses a FileWriter at a time. Distinct writers are independent.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "logdaemon/status.h"
#include "parquet/column_data.h"
#include "parquet/column_spec.h"
#include "parquet/format.h"
#include "parquet/io.h"

namespace logdaemon::parquet {

enum class ColumnEncoding {
  kAuto,               // BYTE_ARRAY: dictionary; INT64: DELTA_BINARY_PACKED; DOUBLE, BOOLEAN: PLAIN
  kPlain,              // PLAIN for every type
  kDictionary,         // RLE_DICTIONARY (INT64, DOUBLE, BYTE_ARRAY); without it past the size limit (below)
  kDeltaBinaryPacked,  // INT64 only
};

struct WriterOptions {
  Codec codec = Codec::kSnappy;
  int compression_level = 0;  // 0: the codec's default (zstd 3, gzip 6)
  ColumnEncoding encoding = ColumnEncoding::kAuto;
  std::vector<ColumnEncoding> column_encodings;  // per column; empty: `encoding` for all
  // A column chunk's dictionary stops growing past this many PLAIN-encoded bytes; the chunk's later
  // pages are written without it. A chunk also gives its dictionary up at the end of its first page
  // when the dictionary did not make that page smaller than PLAIN would have (unique values such as
  // trace ids): that page is written without it too, and the chunk has no dictionary page.
  size_t dictionary_size_limit = 8 << 20;
  // How the BYTE_ARRAY pages of a dictionary column are written without the dictionary:
  // DELTA_LENGTH_BYTE_ARRAY (true) stores the lengths apart from the bytes, so the compressor sees the
  // bytes alone (unique hex trace ids take ~10 % less under zstd than PLAIN, where every value's 4-byte
  // length interrupts them); false: PLAIN, for readers that predate it (docs/parquet.md, "Writing").
  bool delta_length_fallback = true;
  // BYTE_ARRAY dictionaries are written in byte order, each chunk's indices renumbered to match: its
  // dictionary-encoded pages are held (indices and levels, ~5 bytes a row) until the dictionary is
  // final, then encoded. Compressors find much more in a sorted dictionary page; compaction sets it for
  // the merged files that stay (storage/compaction_policy.h, MergeWritesFinalFiles).
  bool sort_dictionaries = false;
  size_t data_page_size = 1 << 20;    // target uncompressed bytes of a data page
  size_t data_page_max_rows = 20000;  // small enough for page-level pruning
  int data_page_version = 1;          // 1 (every reader) or 2
  bool page_checksums = true;         // PageHeader.crc
  bool page_statistics = true;        // statistics in each data page header
  bool page_index = true;             // ColumnIndex + OffsetIndex after the row groups
  size_t max_statistics_size = 64;    // byte arrays longer than this are truncated in statistics
  std::string created_by;             // empty: DefaultCreatedBy()
};

// "logdaemon version X.Y.Z (build <sha>)": the form Java readers parse (DESIGN.md §6b).
std::string DefaultCreatedBy();

// Checks a schema and options before writing: names unique and non-empty, physical types writable
// (INT64, DOUBLE, BOOLEAN, BYTE_ARRAY), encodings valid for their types, codec writable.
Status ValidateWriterConfig(const std::vector<ColumnSpec>& schema, const WriterOptions& options);

class ColumnChunkWriter;
struct PageScratch;
struct ColumnDictionaries;

class FileWriter {
 public:
  // Writes the leading magic to `sink` at once. The sink must outlive the writer; it is not owned.
  static Result<std::unique_ptr<FileWriter>> Open(OutputSink* sink, std::vector<ColumnSpec> schema,
                                                  WriterOptions options);
  ~FileWriter();
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;

  // Appends num_rows rows to the current row group: columns[i] holds column i's values (see
  // ColumnBatch). REQUIRES: one batch per schema column, each with num_rows rows.
  Status WriteBatch(const ColumnBatch* columns, size_t num_rows);

  // Ends the current row group and writes it to the sink. Nothing happens when it has no rows.
  Status EndRowGroup();

  // Column-at-a-time row groups, for writers that produce one column at a time (compaction gathers
  // each column of a merged row group in turn). BeginColumns(n) starts a row group of n rows; then, for
  // each column in schema order, AppendColumn() its rows in any number of batches and EndColumn(), which
  // writes that column's chunk to the sink at once — only one column's encoded pages are ever held, in
  // one buffer that the columns share. EndRowGroup() after the last column. WriteBatch is not allowed in
  // between. REQUIRES for AppendColumn: the batch's rows fit in the n rows still owed to the column.
  Status BeginColumns(size_t num_rows);
  Status AppendColumn(const ColumnBatch& batch);
  Status EndColumn();

  // Ends the last row group, writes the page index and the footer. The file is complete only after
  // this returns OK. The writer cannot be used afterwards.
  Status Close(const std::vector<KeyValue>& key_value_metadata = {});

  uint64_t bytes_written() const { return bytes_written_; }
  // The bytes Close would add after the row groups ended so far (page index, footer, magic), given the
  // key-value metadata it will be passed: bytes_written() + FooterBytes() is the file's size if it were
  // closed now. Serialises the metadata, so it costs O(row groups); call it per row group, not per row.
  uint64_t FooterBytes(const std::vector<KeyValue>& key_value_metadata = {}) const;
  int64_t num_rows() const { return num_rows_; }
  // Rows appended since the current row group began.
  int64_t row_group_rows() const { return row_group_rows_; }
  // Encoded bytes of the current row group held in memory.
  size_t buffered_bytes() const;
  // Bytes the writer's buffers hold — every column's, the page scratch and compressor, the buffers lent
  // to columns in turn — whatever they hold now (buffered_bytes() is what the file will take). The
  // footer's metadata, a few hundred bytes a row group, is not counted.
  size_t memory_bytes() const;
  const std::vector<ColumnSpec>& schema() const { return schema_; }

 private:
  FileWriter(OutputSink* sink, std::vector<ColumnSpec> schema, WriterOptions options);
  Status Write(const uint8_t* data, size_t n);
  // Checks one column's batch of num_rows rows against the schema.
  Status CheckBatch(size_t column, const ColumnBatch& batch, size_t num_rows) const;
  // Finishes column `column` of `group` and writes its chunk; adds its compressed size to *compressed.
  Status WriteChunk(size_t column, RowGroup* group, int64_t* compressed);
  // Ends a column-at-a-time row group (every column written).
  Status EndColumns();

  OutputSink* sink_;
  std::vector<ColumnSpec> schema_;
  WriterOptions options_;
  std::unique_ptr<PageScratch> scratch_;  // shared by columns_
  std::vector<std::unique_ptr<ColumnChunkWriter>> columns_;
  FileMetaData metadata_;
  std::vector<ColumnIndex> column_indexes_;  // [row group * columns + column], when page_index
  std::vector<OffsetIndex> offset_indexes_;
  uint64_t bytes_written_ = 0;
  int64_t num_rows_ = 0;
  int64_t row_group_rows_ = 0;
  bool closed_ = false;
  // Column-at-a-time row groups: whether one is open, its rows, the column being written and its rows
  // so far, the compressed bytes written, and the buffer the columns take turns with.
  bool columnar_ = false;
  size_t columnar_rows_ = 0;
  size_t current_column_ = 0;
  size_t current_column_rows_ = 0;
  int64_t columnar_compressed_ = 0;
  ByteBuffer shared_chunk_;
  std::unique_ptr<ColumnDictionaries> shared_dictionaries_;  // lent to the column being written, likewise
  Status sticky_error_;  // after a failed write the file is broken; every later call returns this
};

}  // namespace logdaemon::parquet
