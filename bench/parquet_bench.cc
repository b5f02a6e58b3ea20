// Google Benchmark: the Parquet writer and reader on a realistic log table (bench/log_table.h).
//   BM_Write/<codec>   rows/s and input MB/s of FileWriter, one core, 1 Mi rows in 128 Ki-row batches,
//                      one row group, bytes discarded after encoding (the CPU cost, not the disk's)
//   BM_Read/<codec>    rows/s of a full scan (every column chunk) of the same file held in memory
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "log_table.h"
#include "parquet/file_reader.h"
#include "parquet/file_writer.h"

namespace {

using namespace logdaemon;           // NOLINT: benchmark code
using namespace logdaemon::parquet;  // NOLINT

constexpr size_t kRows = 1 << 20;
constexpr size_t kBatchRows = 128 * 1024;

const bench::LogTable& Table() {
  static bench::LogTable* table = [] {
    auto* t = new bench::LogTable();
    if (!bench::BuildLogTable(bench::CorpusPath(), kRows, t)) {
      std::fprintf(stderr, "parquet_bench: cannot read the corpus at %s\n", bench::CorpusPath().c_str());
      std::exit(1);
    }
    return t;
  }();
  return *table;
}

// Counts bytes and drops them.
class DiscardSink final : public OutputSink {
 public:
  Status Append(const uint8_t*, size_t n) override {
    bytes += n;
    return Status::OK();
  }
  size_t bytes = 0;
};

Status WriteTable(const bench::LogTable& table, Codec codec, OutputSink* sink) {
  WriterOptions options;
  options.codec = codec;
  auto writer = FileWriter::Open(sink, bench::LogTable::Schema(), options);
  if (!writer.ok()) return writer.status();
  std::vector<size_t> value_at(6, 0);
  std::vector<ColumnBatch> batches;
  for (size_t begin = 0; begin < table.rows; begin += kBatchRows) {
    size_t end = std::min(table.rows, begin + kBatchRows);
    table.Batches(begin, end, &value_at, &batches);
    if (Status st = (*writer)->WriteBatch(batches.data(), end - begin); !st.ok()) return st;
  }
  return (*writer)->Close();
}

void BM_Write(benchmark::State& state, Codec codec) {
  const bench::LogTable& table = Table();
  size_t file_bytes = 0;
  for (auto _ : state) {
    DiscardSink sink;
    Status st = WriteTable(table, codec, &sink);
    if (!st.ok()) state.SkipWithError(st.ToString().c_str());
    file_bytes = sink.bytes;
  }
  state.counters["rows/s"] =
      benchmark::Counter(static_cast<double>(table.rows), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["input_MB/s"] = benchmark::Counter(static_cast<double>(table.RawBytes()) / 1e6,
                                                    benchmark::Counter::kIsIterationInvariantRate);
  state.counters["bytes/row"] = static_cast<double>(file_bytes) / static_cast<double>(table.rows);
}

void BM_Read(benchmark::State& state, Codec codec) {
  const bench::LogTable& table = Table();
  BufferOutputSink sink;
  if (Status st = WriteTable(table, codec, &sink); !st.ok()) {
    state.SkipWithError(st.ToString().c_str());
    return;
  }
  const ByteBuffer& file = sink.buffer();
  auto reader = FileReader::Open(std::make_unique<MemoryInputSource>(file.data(), file.size()), "bench");
  if (!reader.ok()) {
    state.SkipWithError(reader.status().ToString().c_str());
    return;
  }
  std::vector<ColumnData> columns(6);
  for (auto _ : state) {
    for (int g = 0; g < (*reader)->num_row_groups(); ++g) {
      for (int c = 0; c < 6; ++c) {
        Status st = (*reader)->ReadColumnChunk(g, c, &columns[static_cast<size_t>(c)]);
        if (!st.ok()) state.SkipWithError(st.ToString().c_str());
      }
    }
    benchmark::DoNotOptimize(columns.data());
  }
  state.counters["rows/s"] =
      benchmark::Counter(static_cast<double>(table.rows), benchmark::Counter::kIsIterationInvariantRate);
}

BENCHMARK_CAPTURE(BM_Write, snappy, Codec::kSnappy)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Write, zstd, Codec::kZstd)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Write, lz4_raw, Codec::kLz4Raw)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Write, gzip, Codec::kGzip)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Write, uncompressed, Codec::kUncompressed)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Read, snappy, Codec::kSnappy)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Read, zstd, Codec::kZstd)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
