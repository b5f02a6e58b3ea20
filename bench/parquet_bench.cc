// Google Benchmark: the Parquet writer and reader on a realistic log table (bench/log_table.h).
//   BM_Write/<codec>   rows/s and input MB/s of FileWriter, one core, 1 Mi rows in 128 Ki-row batches,
//                      one row group, bytes discarded after encoding (the CPU cost, not the disk's)
//   BM_Read/<codec>    rows/s of a full scan (every column chunk) of the same file held in memory
//   BM_UnpackBits32/W  values/s of the bit-unpacking kernel, 32 values of width W at a time
//   BM_RleDecode/W     values/s of the RLE / bit-packed hybrid decoder on dictionary indices of width W
//                      (random values in runs of 1 to 20, as low-cardinality log columns give)
//   BM_RleReadAhead/W  values/s read by ReadAhead one in 40 of the same stream (a --count-by over a
//                      --level filter's matches)
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <vector>

#include "log_table.h"
#include "parquet/file_reader.h"
#include "parquet/file_writer.h"
#include "parquet/rle_bitpacked.h"

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

void BM_UnpackBits32(benchmark::State& state) {
  const int width = static_cast<int>(state.range(0));
  constexpr size_t kChunks = 1024;
  std::vector<uint8_t> packed(kChunks * 4 * static_cast<size_t>(width));
  std::mt19937_64 rng(1);
  for (uint8_t& b : packed) b = static_cast<uint8_t>(rng());
  std::vector<uint32_t> values(kChunks * 32);
  for (auto _ : state) {
    for (size_t c = 0; c < kChunks; ++c) {
      UnpackBits32(packed.data() + c * 4 * static_cast<size_t>(width), width, values.data() + c * 32);
    }
    benchmark::DoNotOptimize(values.data());
  }
  state.counters["values/s"] =
      benchmark::Counter(static_cast<double>(values.size()), benchmark::Counter::kIsIterationInvariantRate);
}

// 64 Ki values below 2^width in runs of 1 to 20, encoded.
ByteBuffer RunsOfIndices(int width, size_t n) {
  std::mt19937_64 rng(2);
  std::vector<uint32_t> values;
  while (values.size() < n) {
    const uint32_t value = static_cast<uint32_t>(rng() % (uint64_t{1} << width));
    values.insert(values.end(), std::min<size_t>(1 + rng() % 20, n - values.size()), value);
  }
  ByteBuffer bytes;
  RleBitPackedEncoder encoder;
  encoder.Begin(&bytes, width);
  encoder.PutMany(values.data(), values.size());
  encoder.Finish();
  return bytes;
}

void BM_RleDecode(benchmark::State& state) {
  const int width = static_cast<int>(state.range(0));
  constexpr size_t kValues = 64 * 1024;
  const ByteBuffer bytes = RunsOfIndices(width, kValues);
  std::vector<uint32_t> values(kValues);
  for (auto _ : state) {
    RleBitPackedDecoder decoder;
    decoder.Reset(bytes.data(), bytes.size(), width);
    benchmark::DoNotOptimize(decoder.GetBatch(values.data(), kValues));
  }
  state.counters["values/s"] =
      benchmark::Counter(static_cast<double>(kValues), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_RleReadAhead(benchmark::State& state) {
  const int width = static_cast<int>(state.range(0));
  constexpr size_t kValues = 64 * 1024;
  constexpr size_t kGap = 39;
  const ByteBuffer bytes = RunsOfIndices(width, kValues);
  for (auto _ : state) {
    RleBitPackedDecoder decoder;
    decoder.Reset(bytes.data(), bytes.size(), width);
    uint32_t value = 0, sum = 0;
    while (decoder.ReadAhead(kGap, &value)) sum += value;
    benchmark::DoNotOptimize(sum);
  }
  state.counters["values/s"] =
      benchmark::Counter(static_cast<double>(kValues), benchmark::Counter::kIsIterationInvariantRate);
}

BENCHMARK(BM_UnpackBits32)->Arg(1)->Arg(3)->Arg(4)->Arg(8)->Arg(13)->Arg(32);
BENCHMARK(BM_RleDecode)->Arg(1)->Arg(3)->Arg(4)->Arg(8)->Arg(13);
BENCHMARK(BM_RleReadAhead)->Arg(3)->Arg(4)->Arg(13);

BENCHMARK_CAPTURE(BM_Write, snappy, Codec::kSnappy)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Write, zstd, Codec::kZstd)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Write, lz4_raw, Codec::kLz4Raw)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Write, gzip, Codec::kGzip)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Write, uncompressed, Codec::kUncompressed)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Read, snappy, Codec::kSnappy)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_Read, zstd, Codec::kZstd)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
