// libFuzzer target: arbitrary bytes as a Parquet file. Opening it, reading every column chunk (whole,
// in ranges of rows with dictionaries kept, and the indices of scattered rows, as the query engine reads
// them), the page index and the page summaries must never crash, leak, hang or allocate without bound;
// errors are fine. See docs/fuzzing.md.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "parquet/column_chunk_reader.h"
#include "parquet/file_reader.h"

using logdaemon::parquet::ColumnChunkReader;
using logdaemon::parquet::ColumnData;
using logdaemon::parquet::ColumnIndex;
using logdaemon::parquet::FileReader;
using logdaemon::parquet::MemoryInputSource;
using logdaemon::parquet::OffsetIndex;
using logdaemon::parquet::PageSummary;
using logdaemon::parquet::ReaderOptions;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ReaderOptions options;
  // Well under libFuzzer's RSS limit, so that the limit itself is what gets exercised.
  options.max_chunk_memory = size_t{64} << 20;
  options.max_footer_size = size_t{16} << 20;
  auto reader = FileReader::Open(std::make_unique<MemoryInputSource>(data, size), "fuzz", options);
  if (!reader.ok()) return 0;
  ColumnData column;
  ColumnChunkReader chunk;
  for (int g = 0; g < (*reader)->num_row_groups(); ++g) {
    for (int c = 0; c < (*reader)->num_columns(); ++c) {
      (void)(*reader)->ReadColumnChunk(g, c, &column);
      if (chunk.Open(**reader, g, c, /*keep_dictionary=*/true).ok()) {
        // Three ranges: the first row, the middle, the rest (a window at a time, as a scan does).
        const size_t rows = chunk.num_rows();
        if (rows > 0) {
          (void)chunk.Read(0, 1, &column);
          (void)chunk.Read(rows / 2, rows / 2 + 1, &column);
          (void)chunk.Read(1, rows, &column);
          // A sparse --count-by: the indices of a few rows far apart, skipping the others.
          uint32_t scattered[4] = {0, static_cast<uint32_t>(rows / 3), static_cast<uint32_t>(rows / 2),
                                   static_cast<uint32_t>(rows - 1)};
          size_t n = 1;
          for (size_t i = 1; i < 4; ++i) {
            if (scattered[i] > scattered[n - 1]) scattered[n++] = scattered[i];
          }
          uint32_t indices[4];
          if (rows <= UINT32_MAX && chunk.CanGatherIndices(scattered[0], scattered[n - 1] + 1)) {
            (void)chunk.GatherIndices(std::span<const uint32_t>(scattered, n), indices);
          }
        }
      }
      std::optional<ColumnIndex> column_index;
      std::optional<OffsetIndex> offset_index;
      (void)(*reader)->ReadColumnIndex(g, c, &column_index);
      (void)(*reader)->ReadOffsetIndex(g, c, &offset_index);
      PageSummary pages;
      (void)(*reader)->SummarizePages(g, c, &pages);
    }
  }
  return 0;
}
