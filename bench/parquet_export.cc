// Writes the benchmark log table twice, for the size comparison with DuckDB (bench/parquet_size.sh):
// as logdaemon's Parquet (zstd, default options) and as NDJSON, the form the logs had before.
//   parquet_export ROWS OUT.parquet OUT.ndjson [ZSTD_LEVEL]
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "log_table.h"
#include "parquet/file_writer.h"

using namespace logdaemon;           // NOLINT: a benchmark tool
using namespace logdaemon::parquet;  // NOLINT

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: parquet_export ROWS OUT.parquet OUT.ndjson [ZSTD_LEVEL]\n");
    return 2;
  }
  size_t rows = std::strtoull(argv[1], nullptr, 10);
  bench::LogTable table;
  if (!bench::BuildLogTable(bench::CorpusPath(), rows, &table)) {
    std::fprintf(stderr, "parquet_export: cannot read the corpus at %s\n", bench::CorpusPath().c_str());
    return 1;
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
