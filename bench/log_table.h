// A realistic log table for the benchmarks, in the writer's input layout: timestamp (µs, UTC,
// increasing ~1 ms apart), level, message (real lines from the Loghub corpus), service, trace_id and
// a small metadata JSON object — the default schema's columns (DESIGN.md §4).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "parquet/column_data.h"
#include "parquet/column_spec.h"

namespace logdaemon::bench {

struct StringColumn {
  std::string bytes;
  std::vector<uint32_t> offsets{0};
  std::vector<uint8_t> present;  // empty: REQUIRED
  void Add(const std::string& value) {
    bytes += value;
    offsets.push_back(static_cast<uint32_t>(bytes.size()));
  }
};

struct LogTable {
  size_t rows = 0;
  std::vector<int64_t> timestamps;
  StringColumn level, message, service, trace_id, metadata;

  static std::vector<parquet::ColumnSpec> Schema();
  // Batches for rows [begin, end), given the index of the first present value of each column.
  void Batches(size_t begin, size_t end, std::vector<size_t>* value_at,
               std::vector<parquet::ColumnBatch>* out) const;
  // Bytes of the values (strings' lengths + 8 per timestamp): the input the writer encodes.
  size_t RawBytes() const;
  // One JSON object per line, RFC 3339 timestamps: what the logs looked like before logdaemon.
  std::string ToNdjson() const;
  // Moves every timestamp by the same amount so that the last one is `end_micros` (UTC): a corpus sent
  // to a running daemon must be dated inside its time window (--max-age, by default 30 days back).
  void ShiftTimesToEndAt(int64_t end_micros);
};

// Builds `rows` rows from the corpus TSV (system, level, component, message). Returns false when the
// corpus cannot be read.
bool BuildLogTable(const std::string& corpus_path, size_t rows, LogTable* table);

// The corpus path from LOGDAEMON_FIXTURES_DIR or ../shared/fixtures beside the source tree.
std::string CorpusPath();

}  // namespace logdaemon::bench
