// storage_bounded_files DIR [SECONDS]: the bounded-files test (issue 4, proof 3). Writes logs as fast as
// allowed (BOUNDED_FILES_RATE rows/s, default 100 k; 20 k under sanitizers) for SECONDS (default 60) with
// a 0.2 s flush interval, background compaction and a 1 MiB rotation size, and every 100 ms counts the
// visible files of each partition.
//
// The bound checked at every sample, term by term from the design (DESIGN.md §5.4,
// storage/compaction_policy.h, storage/writer.h):
//   files <= 2 * ceil(bytes / rotation) + kWaitingFlushFiles + kSlackFiles  (= + 36)
// - 2 * ceil(bytes / rotation): the merged files that no longer grow. A merged file is at most the
//   rotation size, but may be as small as about half of it: compaction stops at a file that would not
//   fit in the merge budget with the newer ones, so two neighbours below the full size add up to more
//   than it.
// - kWaitingFlushFiles = 33: flush files the compactor has not merged yet. Flush files end at 1/16 of
//   the rotation size, which 100 k logs/s (and 20 k) reach long before the flush interval, so they
//   merge as soon as enough of them gather to fill a file (the merge budget: 0.95 × rotation / shrink,
//   where shrink, the measured ratio of a merge's output to its inputs, is above 0.7 for these logs),
//   well before min_merge_width (32) of them do. From one and a half budgets of them at a listing the
//   compactor lags, and the writer then makes bigger flush files, of half the rotation size (two count
//   as one rotation in the first term), until the backlog is back to half of that: ceil(1.5 × 0.95 ×
//   16 / 0.7) = 33.
// - kSlackFiles = 3: merged files still below half the rotation size (the first merges of a partition,
//   and the merges of the big flush files written while the compactor lags).
// The slack was 32 before the lagging mode existed, for a compactor starved by other tests under
// ctest -j2 (CI saw 17 files above 2 * ceil(bytes / rotation)).
// It cannot be exact, because the waiting flush files depend on the CPU the compactor gets. It runs at
// nice +10 (ingest keeps priority, storage/compactor.h) and only learns the backlog when it lists the
// partition; while a starved compactor is inside a merge, flush files keep coming, and lagging does not
// stop them: a flush file is still written when its oldest row is 3/4 of the flush interval old, up to
// 6.7 a second here, and those are smaller than half the rotation size when the writer is starved too.
// Measured here on two cores over 60 s: alone, at most + 9 (at start-up); beside one busy loop at nice
// 0, + 12; beside two, the compactor gets almost no CPU and the excess grows by about 3 files a second
// (+ 167 at the end), beyond any constant. With merges of up to 32 files (storage/compaction_policy.h),
// beside the rest of the Release suite under ctest -j2: + 22, 1 309 flush files, backlog at most 65. So the
// bound holds for a compactor that gets a share of a core, and DESIGN.md §5.4's "at any ingest rate" only
// with that proviso. After Compact() (a quiet partition is merged completely), DESIGN.md §5 and the issue
// promise about ceil(bytes / rotation) files: merges cut their output into parts of at most the rotation
// size, so every file is at most the rotation size, at most one (the newest) is below 85 % of it, and files
// <= ceil(bytes / (0.85 * rotation)) + 1. Finally every visible file is read with our reader; "rows N" is
// printed for the DuckDB count.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>

#include "logdaemon/schema.h"
#include "logdaemon/storage.h"
#include "storage/catalog.h"
#include "storage/compaction_policy.h"
#include "storage/storage_test_util.h"

namespace {

using namespace logdaemon;
using Clock = std::chrono::steady_clock;

constexpr uint64_t kRotation = uint64_t{1} << 20;
// The terms of the bound above.
constexpr uint64_t kFlushFileBytes = kRotation / 16;
constexpr double kLowestShrink = 0.7;
constexpr uint64_t kWaitingFlushFiles = static_cast<uint64_t>(
    1.5 * 0.95 * static_cast<double>(kRotation) / kLowestShrink / static_cast<double>(kFlushFileBytes) + 1);
static_assert(kWaitingFlushFiles < storage::LaggingBacklogFiles(storage::CompactionPolicy{}),
              "flush files merge before 32 gather");
constexpr uint64_t kSlackFiles = 3;
static_assert(kWaitingFlushFiles + kSlackFiles == 36);

uint64_t CeilDiv(uint64_t a, uint64_t b) {
  return (a + b - 1) / b;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: storage_bounded_files DIR [SECONDS]\n");
    return 2;
  }
  const std::string dir = argv[1];
  const double seconds = argc == 3 ? std::atof(argv[2]) : 60;
  const double rate = std::getenv("BOUNDED_FILES_RATE") ? std::atof(std::getenv("BOUNDED_FILES_RATE"))
                                                        : (storage::testing::kSanitized ? 20'000 : 100'000);
  auto schema = SchemaValidator::DefaultSchema();
  StorageOptions options;
  options.directory = dir;
  options.flush_interval = std::chrono::milliseconds(200);
  options.rotation_bytes = kRotation;
  options.compaction = true;
  options.overflow = OverflowPolicy::kBlock;
  auto opened = StorageEngine::Open(options, std::move(*schema));
  if (!opened.ok()) {
    std::fprintf(stderr, "open: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  StorageEngine& engine = **opened;

  std::atomic<bool> stop{false};
  std::atomic<bool> failed{false};
  std::thread producer([&] {
    const Clock::time_point start = Clock::now();
    uint64_t noise = 88172645463325252ULL;
    std::string log;
    for (int64_t i = 0; !stop; ++i) {
      // Paced: row i is due at i / rate seconds.
      if (i % 256 == 0) {
        auto due =
            start + std::chrono::microseconds(static_cast<int64_t>(1e6 * static_cast<double>(i) / rate));
        std::this_thread::sleep_until(due);
      }
      noise ^= noise << 13;
      noise ^= noise >> 7;
      noise ^= noise << 17;
      const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
      char buffer[400];
      std::snprintf(buffer, sizeof(buffer),
                    R"({"timestamp":"%s","level":"%s","message":"GET /api/v1/items/%llu %d %llums",)"
                    R"("service":"svc-%d","trace_id":"%016llx","user":%lld})",
                    storage::testing::Rfc3339(now).c_str(), (noise & 7) == 0 ? "error" : "info",
                    static_cast<unsigned long long>(noise % 100000), (noise & 15) == 0 ? 500 : 200,
                    static_cast<unsigned long long>((noise >> 20) % 2000),
                    static_cast<int>((noise >> 40) % 8), static_cast<unsigned long long>(noise),
                    static_cast<long long>(i));
      if (Status st = engine.Append(buffer); !st.ok()) {
        std::fprintf(stderr, "append: %s\n", st.ToString().c_str());
        failed = true;
        return;
      }
    }
  });

  // Samples the visible files per partition every 100 ms.
  size_t max_files = 0, samples = 0, violations = 0;
  int64_t max_excess = INT64_MIN;  // the most files above 2 * ceil(bytes / rotation) in a sample
  uint64_t max_backlog = 0;
  const Clock::time_point end =
      Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
  while (Clock::now() < end && !failed) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::vector<storage::Partition> partitions;
    if (Status st = storage::ScanStorage(storage::DefaultFileSystem(), dir, &partitions); !st.ok()) {
      std::fprintf(stderr, "scan: %s\n", st.ToString().c_str());
      failed = true;
      break;
    }
    ++samples;
    max_backlog = std::max(max_backlog, engine.Stats().compaction_backlog);
    for (const storage::Partition& p : partitions) {
      uint64_t bytes = 0;
      for (const storage::DataFile& f : p.files) bytes += f.size;
      const uint64_t bound = 2 * CeilDiv(bytes, kRotation) + kWaitingFlushFiles + kSlackFiles;
      max_files = std::max(max_files, p.files.size());
      max_excess = std::max(max_excess, static_cast<int64_t>(p.files.size()) -
                                            static_cast<int64_t>(2 * CeilDiv(bytes, kRotation)));
      if (p.files.size() > bound) {
        ++violations;
        // Flush files cover one sequence number: many of them point at a starved compactor.
        size_t flush_files = 0;
        for (const storage::DataFile& f : p.files) flush_files += f.parsed.range.first == f.parsed.range.last;
        std::fprintf(stderr, "%s: %zu files (%zu flush files not merged yet; %llu bytes) > bound %llu\n",
                     p.relative_path.c_str(), p.files.size(), flush_files,
                     static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(bound));
      }
    }
  }
  stop = true;
  producer.join();
  if (Status st = engine.Flush(); !st.ok()) {
    std::fprintf(stderr, "flush: %s\n", st.ToString().c_str());
    return 1;
  }
  const StorageStats before = engine.Stats();
  std::printf(
      "%.0f s at up to %.0f rows/s: %llu rows, %llu flush files, %llu merges; %zu samples, at most %zu "
      "visible files in a partition, at most 2 * ceil(bytes / rotation) %+lld; compaction backlog at "
      "most %llu files\n",
      seconds, rate, static_cast<unsigned long long>(before.logs_appended),
      static_cast<unsigned long long>(before.files_written),
      static_cast<unsigned long long>(before.compactions), samples, max_files,
      static_cast<long long>(max_excess), static_cast<unsigned long long>(max_backlog));
  if (Status st = engine.Compact(); !st.ok()) {
    std::fprintf(stderr, "compact: %s\n", st.ToString().c_str());
    return 1;
  }
  if (Status st = engine.Close(); !st.ok()) {
    std::fprintf(stderr, "close: %s\n", st.ToString().c_str());
    return 1;
  }
  std::vector<storage::Partition> partitions;
  if (Status st = storage::ScanStorage(storage::DefaultFileSystem(), dir, &partitions); !st.ok()) return 1;
  bool compacted_ok = true;
  for (const storage::Partition& p : partitions) {
    uint64_t bytes = 0;
    for (const storage::DataFile& f : p.files) bytes += f.size;
    // Compaction cuts its output into parts of at most the rotation size, each ending when the next
    // row group (~1/16 of it) would not fit: every file but the newest holds at least 85 % of it.
    const uint64_t full = kRotation / 20 * 17;
    const uint64_t bound = CeilDiv(bytes, full) + 1;
    std::printf("after Compact(): %s: %zu files, %llu bytes (ceil(bytes / rotation) = %llu)\n",
                p.relative_path.c_str(), p.files.size(), static_cast<unsigned long long>(bytes),
                static_cast<unsigned long long>(CeilDiv(bytes, kRotation)));
    size_t below_full = 0;
    for (const storage::DataFile& f : p.files) {
      std::printf("  %s %llu\n", f.name.c_str(), static_cast<unsigned long long>(f.size));
      if (f.size > kRotation) {
        std::fprintf(stderr, "%s: %s is larger than the rotation size\n", p.relative_path.c_str(),
                     f.name.c_str());
        compacted_ok = false;
      }
      if (f.size < full) ++below_full;
    }
    if (p.files.size() > bound || below_full > 1) {
      std::fprintf(
          stderr, "%s: %zu files after compaction (%zu below 85 %% of the rotation size); bound %llu\n",
          p.relative_path.c_str(), p.files.size(), below_full, static_cast<unsigned long long>(bound));
      compacted_ok = false;
    }
  }
  storage::testing::StorageContents contents;
  if (Status st = storage::testing::ReadStorage(dir, &contents); !st.ok()) {
    std::fprintf(stderr, "read: %s\n", st.ToString().c_str());
    return 1;
  }
  bool ok = !failed && violations == 0 && compacted_ok && samples > 0;
  if (contents.total_rows() != before.logs_appended) {
    std::fprintf(stderr, "our reader sees %zu rows, %llu were appended\n", contents.total_rows(),
                 static_cast<unsigned long long>(before.logs_appended));
    ok = false;
  }
  std::printf("rows %zu\n", contents.total_rows());
  if (!ok) std::fprintf(stderr, "bounded files test FAILED (%zu samples over the bound)\n", violations);
  return ok ? 0 : 1;
}
