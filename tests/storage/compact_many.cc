// storage_compact_many [FILES [ROWS]]: compaction of a partition of many flush files (default 1 000 of
// 1 000 logs) within the memory budget (issue #13), in a fresh temporary directory. Two processes, so
// that the second's peak RSS is the merge's alone:
//   storage_compact_many write DIR FILES ROWS   FILES flush files of ROWS logs each in one partition, with
//                                               compaction off;
//   storage_compact_many compact DIR            opens the storage with compaction on and the default
//                                               budget's compaction share (16 MiB of 64), Compact()s —
//                                               the quiet partition is merged at once, every file an
//                                               input of one merge — and prints
//                                               "hwm_before KiB", "hwm_after KiB", "files N", "rows N".
// Without a mode, runs both (re-executing itself for the second) and checks: one file left, every row,
// and hwm_after - hwm_before <= the compaction share + kAllowance (Release builds; the sanitizers' RSS
// counts their quarantine).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "cli/allocator.h"
#include "logdaemon/schema.h"
#include "logdaemon/storage.h"
#include "parquet/file_reader.h"
#include "storage/catalog.h"
#include "storage/fs.h"
#include "storage/storage_test_util.h"

namespace {

using namespace logdaemon;

constexpr size_t kMemoryLimit = size_t{64} << 20;  // serve's default --memory-limit
constexpr size_t kCompactionShare = kMemoryLimit / 4;
// Beyond the share: the engine's other threads as they wake during Compact() (writer, publisher), the
// inputs' footers (a FileReader each, all open for the merge), and malloc's slack.
constexpr size_t kAllowanceKib = 8 * 1024;

long StatusKib(const char* field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(field) + ":";
  while (std::getline(status, line)) {
    if (line.rfind(prefix, 0) == 0) return std::atol(line.c_str() + prefix.size());
  }
  return -1;
}

StorageOptions Options(const std::string& dir, bool compaction) {
  StorageOptions options;
  options.directory = dir;
  options.compaction = compaction;
  options.overflow = OverflowPolicy::kBlock;
  options.writer_memory_bytes = kMemoryLimit / 4;
  options.merge_memory_bytes = kCompactionShare;
  return options;
}

int Write(const std::string& dir, int files, int rows) {
  auto schema = SchemaValidator::DefaultSchema();
  auto opened = StorageEngine::Open(Options(dir, /*compaction=*/false), std::move(*schema));
  if (!opened.ok()) {
    std::fprintf(stderr, "open: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  StorageEngine& engine = **opened;
  const int64_t day = storage::testing::UtcMicros(2026, 1, 15);
  uint64_t noise = 88172645463325252ULL;
  char buffer[400];
  for (int f = 0; f < files; ++f) {
    for (int r = 0; r < rows; ++r) {
      noise ^= noise << 13;
      noise ^= noise >> 7;
      noise ^= noise << 17;
      // Times out of order across files, so the merge sorts.
      const int64_t t = day + static_cast<int64_t>(noise % 86'400'000'000ULL);
      std::snprintf(buffer, sizeof(buffer),
                    R"({"timestamp":"%s","level":"info","message":"request %llu took %llums","seq":%d})",
                    storage::testing::Rfc3339(t).c_str(), static_cast<unsigned long long>(noise % 100000),
                    static_cast<unsigned long long>((noise >> 20) % 2000), f * rows + r);
      if (Status st = engine.Append(buffer); !st.ok()) {
        std::fprintf(stderr, "append: %s\n", st.ToString().c_str());
        return 1;
      }
    }
    if (Status st = engine.Flush(); !st.ok()) {
      std::fprintf(stderr, "flush: %s\n", st.ToString().c_str());
      return 1;
    }
  }
  return engine.Close().ok() ? 0 : 1;
}

int Compact(const std::string& dir) {
  cli::TuneAllocatorForBoundedMemory();  // as `serve` and `import` do
  auto schema = SchemaValidator::DefaultSchema();
  auto opened = StorageEngine::Open(Options(dir, /*compaction=*/true), std::move(*schema));
  if (!opened.ok()) {
    std::fprintf(stderr, "open: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  StorageEngine& engine = **opened;
  const long before = StatusKib("VmHWM");
  if (Status st = engine.Compact(); !st.ok()) {
    std::fprintf(stderr, "compact: %s\n", st.ToString().c_str());
    return 1;
  }
  const long after = StatusKib("VmHWM");
  if (!engine.Close().ok()) return 1;
  // The visible files and their rows, from the footers.
  std::vector<storage::Partition> partitions;
  if (Status st = storage::ScanStorage(storage::DefaultFileSystem(), dir, &partitions); !st.ok()) {
    std::fprintf(stderr, "scan: %s\n", st.ToString().c_str());
    return 1;
  }
  size_t files = 0;
  int64_t rows = 0;
  for (const storage::Partition& partition : partitions) {
    for (const storage::DataFile& file : partition.files) {
      auto reader = parquet::FileReader::Open(file.path);
      if (!reader.ok()) {
        std::fprintf(stderr, "read: %s\n", reader.status().ToString().c_str());
        return 1;
      }
      rows += (*reader)->num_rows();
      ++files;
    }
  }
  std::printf("hwm_before %ld\nhwm_after %ld\nfiles %zu\nrows %lld\n", before, after, files,
              static_cast<long long>(rows));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc >= 2 ? argv[1] : "";
  if (mode == "write" && argc == 5) return Write(argv[2], std::atoi(argv[3]), std::atoi(argv[4]));
  if (mode == "compact" && argc == 3) return Compact(argv[2]);
  if (argc > 3 || (argc >= 2 && std::atoi(argv[1]) <= 0)) {
    std::fprintf(stderr, "usage: storage_compact_many [FILES [ROWS]] | write DIR FILES ROWS | compact DIR\n");
    return 2;
  }

  const int files = argc >= 2 ? std::atoi(argv[1]) : 1000;
  const int rows = argc >= 3 ? std::atoi(argv[2]) : (storage::testing::kSanitized ? 200 : 1000);
  char pattern[] = "/tmp/ld-compact-many-XXXXXX";
  if (mkdtemp(pattern) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  const std::string dir = pattern;
  const std::string self = argv[0];
  struct RemoveDir {
    std::string dir;
    ~RemoveDir() { (void)std::system(("rm -rf '" + dir + "'").c_str()); }
  } remove_dir{dir};
  if (std::system((self + " write '" + dir + "/logs' " + std::to_string(files) + " " + std::to_string(rows))
                      .c_str()) != 0) {
    std::fprintf(stderr, "writing %d flush files failed\n", files);
    return 1;
  }
  const std::string out = dir + "/compact.out";
  if (std::system((self + " compact '" + dir + "/logs' > '" + out + "'").c_str()) != 0) {
    std::fprintf(stderr, "compacting failed\n");
    return 1;
  }
  std::ifstream in(out);
  std::string key;
  long value = 0;
  long before = 0, after = 0, visible = 0, stored = 0;
  while (in >> key >> value) {
    if (key == "hwm_before") before = value;
    if (key == "hwm_after") after = value;
    if (key == "files") visible = value;
    if (key == "rows") stored = value;
  }
  std::printf("%d flush files of %d rows: merged into %ld file(s), %ld rows; VmHWM %.1f -> %.1f MiB\n", files,
              rows, visible, stored, before / 1024.0, after / 1024.0);
  bool ok = true;
  if (stored != static_cast<long>(files) * rows) {
    std::fprintf(stderr, "FAIL: %ld rows stored, %d written\n", stored, files * rows);
    ok = false;
  }
  if (visible != 1) {
    std::fprintf(stderr, "FAIL: %ld files after Compact(), want 1\n", visible);
    ok = false;
  }
  const long bound = static_cast<long>(kCompactionShare / 1024) + static_cast<long>(kAllowanceKib);
  if (storage::testing::kSanitized) {
    std::printf("SKIPPED the peak RSS bound under the sanitizers (their RSS counts the quarantine)\n");
  } else if (after - before > bound) {
    std::fprintf(
        stderr,
        "FAIL: the merge of %d files raised VmHWM by %.1f MiB, over the compaction share %zu MiB + %zu MiB\n",
        files, (after - before) / 1024.0, kCompactionShare >> 20, kAllowanceKib / 1024);
    ok = false;
  }
  return ok ? 0 : 1;
}
