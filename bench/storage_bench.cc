// Google Benchmark: rows/s through the storage engine (include/logdaemon/storage.h) for the realistic log
// table (log_table.h), snappy and zstd, one producing thread and the engine's one writer thread, with
// files written, fsynced and renamed into a fresh directory each iteration.
//   BM_StorageAppend/<codec>    the public path: StorageEngine::Append(json text) for each NDJSON line
//                               (parse + validate + shred + enqueue), then Flush()
//   BM_StorageAppender/<codec>  the daemon's hot path without parse and validation: the logs are parsed
//                               once before timing, and Appender::Append(element) is timed (shred +
//                               enqueue), with the writer thread's encode + compress + write and Flush()
// The timed part of an iteration runs from the first Append to the return of Flush(), so every row is in
// a durable, visible file when the clock stops; opening the engine, closing it and removing its directory
// are not timed (manual time). Compaction is off; the flush interval (60 s) and batch size (1 Gi rows)
// never fire, so files are cut by their encoded size (storage/writer.h kMaxFlushBytes) and the final
// Flush(). Overflow is kBlock: a producer that outruns the writer waits, it never drops.
//
// Counters per iteration: items_per_second = rows/s, bytes_per_second = NDJSON bytes/s (for the appender
// path the NDJSON those documents came from); out_B/row = bytes of visible files per row; files = flush
// files; main_cpu / other_cpu = CPU seconds of the producing thread / of every other thread (writer,
// publisher) per wall-clock second — a value near 1.0 marks the thread that limits the rate; others = CPU
// seconds per second that other processes took (/proc/stat; on 2 cores, anything above ~0.1 means the
// numbers are disturbed).
//
//   storage_bench [--rows=N] [--storage_dir=DIR] [--benchmark_...]
// --rows: logs per iteration (default 1 000 000, every one distinct); --storage_dir: where each
// iteration's directory is made (default $TMPDIR or /tmp).
#include <benchmark/benchmark.h>
#include <simdjson.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "log_table.h"
#include "logdaemon/schema.h"
#include "logdaemon/storage.h"
#include "storage/appender.h"
#include "storage/engine.h"

namespace {

using namespace logdaemon;  // NOLINT: benchmark code

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "storage_bench: %s\n", message.c_str());
  std::exit(1);
}

struct Inputs {
  std::string ndjson;
  std::vector<std::string_view> lines;  // into ndjson, without the newline
  // Every line parsed once, as the elements of one JSON array: compact (one tape, one string buffer),
  // and each element is what an ingest thread's parser hands to its Appender.
  simdjson::dom::parser parser;
  std::vector<simdjson::dom::element> documents;
  std::string storage_dir;
  std::unique_ptr<SchemaValidator> schema;
};

Inputs* inputs = nullptr;

double ProcessCpuSeconds() {
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec * 1e-6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// CPU seconds every CPU of the machine has spent busy (user, nice, system, irq, softirq, steal) since
// boot, from /proc/stat: minus our own, what other processes (builds, the hypervisor) took meanwhile.
double MachineBusySeconds() {
  std::FILE* f = std::fopen("/proc/stat", "r");
  if (f == nullptr) return 0;
  unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  int n = std::fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &user, &nice, &system, &idle, &iowait,
                      &irq, &softirq, &steal);
  std::fclose(f);
  if (n != 8) return 0;
  return static_cast<double>(user + nice + system + irq + softirq + steal) /
         static_cast<double>(sysconf(_SC_CLK_TCK));
}

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

StorageOptions BenchOptions(Compression compression, const std::string& directory) {
  StorageOptions options;
  options.directory = directory;
  options.compression = compression;
  options.batch_size = size_t{1} << 30;
  options.flush_interval = std::chrono::milliseconds(60'000);
  options.compaction = false;
  options.overflow = OverflowPolicy::kBlock;
  return options;
}

std::string MakeIterationDir() {
  std::string pattern = inputs->storage_dir;
  pattern += "/storage_bench.XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) Die("mkdtemp " + pattern + " failed");
  return pattern;
}

// Accumulates the per-iteration measurements into the benchmark's counters.
struct Totals {
  double cpu_main = 0, cpu_all = 0, machine = 0, wall = 0;
  uint64_t bytes_out = 0, files = 0, rows = 0;

  void Report(benchmark::State& state) const {
    state.SetItemsProcessed(static_cast<int64_t>(rows));
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                            static_cast<int64_t>(inputs->ndjson.size()));
    const double n = static_cast<double>(state.iterations());
    state.counters["out_B/row"] = static_cast<double>(bytes_out) / static_cast<double>(rows);
    state.counters["files"] = static_cast<double>(files) / n;
    state.counters["main_cpu"] = cpu_main / wall;
    state.counters["other_cpu"] = (cpu_all - cpu_main) / wall;
    state.counters["others"] = std::max(0.0, machine - cpu_all) / wall;
  }
};

// One iteration: a fresh engine in a fresh directory; `append_all` appends every log (timed, with the
// final Flush); then Close and removal (not timed).
template <typename AppendAll>
void RunIteration(benchmark::State& state, Compression compression, Totals* totals, AppendAll append_all) {
  const std::string dir = MakeIterationDir();
  {
    auto engine = StorageEngine::Open(BenchOptions(compression, dir), *inputs->schema);
    if (!engine.ok()) Die(engine.status().ToString());
    StorageEngine& storage = **engine;

    const double cpu_main0 = ThreadCpuSeconds(), cpu_all0 = ProcessCpuSeconds(),
                 machine0 = MachineBusySeconds();
    const auto start = std::chrono::steady_clock::now();
    if (Status st = append_all(storage); !st.ok()) Die("append: " + st.ToString());
    if (Status st = storage.Flush(); !st.ok()) Die("flush: " + st.ToString());
    const auto end = std::chrono::steady_clock::now();
    const double wall = std::chrono::duration<double>(end - start).count();
    state.SetIterationTime(wall);
    totals->wall += wall;
    totals->cpu_main += ThreadCpuSeconds() - cpu_main0;
    totals->cpu_all += ProcessCpuSeconds() - cpu_all0;
    totals->machine += MachineBusySeconds() - machine0;

    StorageStats stats = storage.Stats();
    if (stats.rows_written != inputs->lines.size() || stats.logs_rejected != 0 || stats.logs_dropped != 0) {
      Die("rows written " + std::to_string(stats.rows_written) + ", rejected " +
          std::to_string(stats.logs_rejected) + ", dropped " + std::to_string(stats.logs_dropped) + " of " +
          std::to_string(inputs->lines.size()));
    }
    totals->rows += stats.rows_written;
    totals->bytes_out += stats.bytes_written;
    totals->files += stats.files_written;
    if (Status st = storage.Close(); !st.ok()) Die("close: " + st.ToString());
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

void BM_StorageAppend(benchmark::State& state, Compression compression) {
  Totals totals;
  for (auto _ : state) {
    RunIteration(state, compression, &totals, [](StorageEngine& storage) {
      for (std::string_view line : inputs->lines) {
        if (Status st = storage.Append(line); !st.ok()) return st;
      }
      return Status::OK();
    });
  }
  totals.Report(state);
}

void BM_StorageAppender(benchmark::State& state, Compression compression) {
  Totals totals;
  for (auto _ : state) {
    RunIteration(state, compression, &totals, [](StorageEngine& storage) {
      // Made before the first Append (cheap: it takes a pooled batch), handed off before Flush, and
      // destroyed before Close, as an io thread does with its own.
      std::unique_ptr<storage::Appender> appender = storage.engine().NewAppender();
      // Memory acks under kBlock: Append waits for room, as the library's own appender does (without
      // it, a full queue returns Aborted for the caller to retry, which an io thread does by pausing).
      appender->set_wait_for_room(true);
      for (size_t i = 0; i < inputs->documents.size(); ++i) {
        if (Status st = appender->Append(inputs->documents[i], inputs->lines[i]); !st.ok()) return st;
      }
      appender->HandOff();
      return Status::OK();
    });
  }
  totals.Report(state);
}

BENCHMARK_CAPTURE(BM_StorageAppend, snappy, Compression::kSnappy)
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime()
    ->Iterations(3);
BENCHMARK_CAPTURE(BM_StorageAppend, zstd, Compression::kZstd)
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime()
    ->Iterations(3);
BENCHMARK_CAPTURE(BM_StorageAppender, snappy, Compression::kSnappy)
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime()
    ->Iterations(3);
BENCHMARK_CAPTURE(BM_StorageAppender, zstd, Compression::kZstd)
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime()
    ->Iterations(3);

std::string FileSystemName(const std::string& path) {
  struct statfs fs;
  if (::statfs(path.c_str(), &fs) != 0) return "?";
  switch (static_cast<unsigned long>(fs.f_type)) {
    case 0x01021994UL:
      return "tmpfs";
    case 0xEF53UL:
      return "ext2/ext3/ext4";
    case 0x58465342UL:
      return "xfs";
    case 0x9123683EUL:
      return "btrfs";
    case 0x794C7630UL:
      return "overlayfs";
    default: {
      char hex[32];
      std::snprintf(hex, sizeof(hex), "0x%lx", static_cast<unsigned long>(fs.f_type));
      return hex;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  // Our flags are taken out before Google Benchmark sees the others (it rejects unknown flags).
  size_t rows = 1'000'000;
  const char* tmpdir = std::getenv("TMPDIR");
  std::string storage_dir = tmpdir != nullptr && *tmpdir ? tmpdir : "/tmp";
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg(argv[i]);
    if (arg.starts_with("--rows=")) {
      rows = std::strtoull(argv[i] + 7, nullptr, 10);
    } else if (arg.starts_with("--storage_dir=")) {
      storage_dir = argv[i] + 14;
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  if (rows == 0) Die("--rows must be at least 1");

  inputs = new Inputs;
  inputs->storage_dir = storage_dir;
  auto schema = SchemaValidator::DefaultSchema();
  if (!schema.ok()) Die(schema.status().ToString());
  inputs->schema = std::make_unique<SchemaValidator>(std::move(*schema));
  {
    bench::LogTable table;
    if (!bench::BuildLogTable(bench::CorpusPath(), rows, &table)) {
      Die("cannot read the corpus at " + bench::CorpusPath());
    }
    inputs->ndjson = table.ToNdjson();
  }
  std::string array = "[";
  std::string_view all(inputs->ndjson);
  for (size_t begin = 0; begin < all.size();) {
    size_t end = all.find('\n', begin);
    if (end == std::string_view::npos) end = all.size();
    std::string_view line = all.substr(begin, end - begin);
    // Both paths must store every log: check each against the schema before timing anything.
    if (Status st = inputs->schema->Validate(line); !st.ok()) {
      Die("a log is not valid: " + st.ToString() + "\n  " + std::string(line.substr(0, 200)));
    }
    inputs->lines.push_back(line);
    if (array.size() > 1) array += ',';
    array += line;
    begin = end + 1;
  }
  array += ']';
  simdjson::dom::array documents;
  if (auto error = inputs->parser.parse(array).get(documents); error != simdjson::SUCCESS) {
    Die(std::string("cannot parse the logs as one array: ") + simdjson::error_message(error));
  }
  for (simdjson::dom::element document : documents) inputs->documents.push_back(document);
  if (inputs->documents.size() != inputs->lines.size()) Die("the parsed array has the wrong length");

  benchmark::AddCustomContext("logs", std::to_string(inputs->lines.size()) + " per iteration (" +
                                          std::to_string(inputs->ndjson.size()) + " bytes of NDJSON)");
  benchmark::AddCustomContext("storage_dir", storage_dir + " (" + FileSystemName(storage_dir) + ")");
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
