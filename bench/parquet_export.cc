// Writes the benchmark log table twice, for the size comparison with DuckDB (bench/parquet_size.sh):
// as logdaemon's Parquet (zstd, default options) and as NDJSON, the form the logs had before.
//   parquet_export ROWS OUT.parquet OUT.ndjson [ZSTD_LEVEL] [--recent]
// --recent dates the logs up to now instead of from 2026-01-15, for corpora that load_test sends to a
// daemon (bench/ingest.sh, bench/durable.sh): the daemon refuses logs older than its --max-age.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "log_table.h"
#include "parquet/file_writer.h"

using namespace logdaemon;           // NOLINT: a benchmark tool
using namespace logdaemon::parquet;  // NOLINT

int main(int argc, char** argv) {
  bool recent = false;
  if (argc > 4 && std::strcmp(argv[argc - 1], "--recent") == 0) {
    recent = true;
    --argc;
  }
  if (argc < 4) {
    std::fprintf(stderr, "usage: parquet_export ROWS OUT.parquet OUT.ndjson [ZSTD_LEVEL] [--recent]\n");
    return 2;
  }
  size_t rows = std::strtoull(argv[1], nullptr, 10);
  bench::LogTable table;
  if (!bench::BuildLogTable(bench::CorpusPath(), rows, &table)) {
    std::fprintf(stderr, "parquet_export: cannot read the corpus at %s\n", bench::CorpusPath().c_str());
    return 1;
  }
  if (recent) {
    table.ShiftTimesToEndAt(std::chrono::duration_cast<std::chrono::microseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count());
  }
  int fd = ::open(argv[2], O_CREAT | O_TRUNC | O_WRONLY, 0644);
  if (fd < 0) return 1;
  FdOutputSink sink(fd);
  WriterOptions options;
  options.codec = Codec::kZstd;
  options.compression_level = argc > 4 ? std::atoi(argv[4]) : 0;
  auto writer = FileWriter::Open(&sink, bench::LogTable::Schema(), options);
  if (!writer.ok()) return 1;
  std::vector<size_t> value_at(6, 0);
  std::vector<ColumnBatch> batches;
  for (size_t begin = 0; begin < table.rows; begin += 128 * 1024) {
    size_t end = std::min(table.rows, begin + 128 * 1024);
    table.Batches(begin, end, &value_at, &batches);
    if (Status st = (*writer)->WriteBatch(batches.data(), end - begin); !st.ok()) {
      std::fprintf(stderr, "%s\n", st.ToString().c_str());
      return 1;
    }
  }
  if (Status st = (*writer)->Close(); !st.ok()) {
    std::fprintf(stderr, "%s\n", st.ToString().c_str());
    return 1;
  }
  ::close(fd);
  std::ofstream(argv[3]) << table.ToNdjson();
  return 0;
}
