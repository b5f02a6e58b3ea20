// Writes the benchmark log table through the storage engine, for the size comparison with DuckDB after
// compaction (bench/storage_size.mjs): each log goes through StorageEngine::Append as JSON text, with zstd
// and otherwise the default options (day partitions, 100 MiB rotation, background compaction) and
// OverflowPolicy::kBlock, as `logdaemon import` runs; then Flush() and Compact(). The same logs are
// written as NDJSON, the form they had before. Prints the storage's counters, and writes the visible
// data files (storage/catalog.h: superseded files excluded) to FILES.txt, one path per line.
//   storage_export ROWS STORAGE_DIR OUT.ndjson FILES.txt
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "log_table.h"
#include "logdaemon/schema.h"
#include "logdaemon/storage.h"
#include "storage/catalog.h"
#include "storage/fs.h"

using namespace logdaemon;  // NOLINT: a benchmark tool

namespace {

int Fail(const std::string& what, const Status& st) {
  std::fprintf(stderr, "storage_export: %s: %s\n", what.c_str(), st.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: storage_export ROWS STORAGE_DIR OUT.ndjson FILES.txt\n");
    return 2;
  }
  const size_t rows = std::strtoull(argv[1], nullptr, 10);
  const std::string dir = argv[2];
  std::string ndjson;
  {
    bench::LogTable table;
    if (!bench::BuildLogTable(bench::CorpusPath(), rows, &table)) {
      std::fprintf(stderr, "storage_export: cannot read the corpus at %s\n", bench::CorpusPath().c_str());
      return 1;
    }
    ndjson = table.ToNdjson();
  }
  std::ofstream(argv[3]) << ndjson;

  auto schema = SchemaValidator::DefaultSchema();
  if (!schema.ok()) return Fail("schema", schema.status());
  StorageOptions options;
  options.directory = dir;
  options.compression = Compression::kZstd;
  options.overflow = OverflowPolicy::kBlock;
  auto engine = StorageEngine::Open(options, std::move(*schema));
  if (!engine.ok()) return Fail("open " + dir, engine.status());
  StorageEngine& storage = **engine;

  const auto start = std::chrono::steady_clock::now();
  std::string_view all(ndjson);
  for (size_t begin = 0; begin < all.size();) {
    size_t end = all.find('\n', begin);
    if (end == std::string_view::npos) end = all.size();
    if (Status st = storage.Append(all.substr(begin, end - begin)); !st.ok()) return Fail("append", st);
    begin = end + 1;
  }
  if (Status st = storage.Flush(); !st.ok()) return Fail("flush", st);
  const auto flushed = std::chrono::steady_clock::now();
  StorageStats before = storage.Stats();
  if (Status st = storage.Compact(); !st.ok()) return Fail("compact", st);
  const auto compacted = std::chrono::steady_clock::now();
  StorageStats stats = storage.Stats();
  if (Status st = storage.Close(); !st.ok()) return Fail("close", st);
  if (stats.rows_written != rows) {
    std::fprintf(stderr, "storage_export: %llu rows written of %zu\n",
                 static_cast<unsigned long long>(stats.rows_written), rows);
    return 1;
  }

  std::vector<storage::Partition> partitions;
  if (Status st = storage::ScanStorage(storage::DefaultFileSystem(), dir, &partitions); !st.ok()) {
    return Fail("scan " + dir, st);
  }
  std::ofstream list(argv[4]);
  size_t files = 0, superseded = 0;
  uint64_t bytes = 0;
  for (const storage::Partition& partition : partitions) {
    for (const storage::DataFile& file : partition.files) {
      list << file.path << '\n';
      ++files;
      bytes += file.size;
    }
    superseded += partition.superseded.size();
  }
  auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
  std::printf(
      "storage: %zu logs appended and flushed in %.0f ms (%llu flush files, %llu background merges), "
      "Compact() in %.0f ms; in all %llu merges of %llu files; now %zu visible files in %zu partitions, "
      "%llu bytes (%zu superseded files left)\n",
      rows, ms(flushed - start), static_cast<unsigned long long>(before.files_written),
      static_cast<unsigned long long>(before.compactions), ms(compacted - flushed),
      static_cast<unsigned long long>(stats.compactions),
      static_cast<unsigned long long>(stats.files_compacted), files, partitions.size(),
      static_cast<unsigned long long>(bytes), superseded);
  return 0;
}
