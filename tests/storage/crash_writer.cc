// storage_crash_writer DIR RUN: writes logs into the storage at DIR forever, until it is killed (the crash
// test, crash_harness.cc, sends SIGKILL at random moments). Row i of run RUN has seq = RUN * 1e9 + i.
// After each successful Flush() it prints "flushed N" (and flushes stdout): rows 0..N-1 of this run are
// durable and visible. A small flush interval and rotation size make files and merges frequent, so
// that kills land during flushes, publishes and compactions.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "logdaemon/schema.h"
#include "logdaemon/storage.h"
#include "storage/crash_schema.h"
#include "storage/storage_test_util.h"

using namespace logdaemon;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: storage_crash_writer DIR RUN\n");
    return 2;
  }
  const int64_t run = std::atoll(argv[2]);
  auto schema = SchemaValidator::FromString(storage::testing::kCrashSchema);
  if (!schema.ok()) {
    std::fprintf(stderr, "schema: %s\n", schema.status().ToString().c_str());
    return 1;
  }
  StorageOptions options;
  options.directory = argv[1];
  options.flush_interval = std::chrono::milliseconds(50);
  options.batch_size = 1000;
  options.rotation_bytes = 256 << 10;
  options.compaction = true;
  options.overflow = OverflowPolicy::kBlock;
  options.compression = Compression::kZstd;
  auto engine = StorageEngine::Open(options, std::move(*schema));
  if (!engine.ok()) {
    std::fprintf(stderr, "open: %s\n", engine.status().ToString().c_str());
    return 1;
  }
  // Two day partitions, rows alternating between them (so batches are split too); times increase.
  const int64_t base = storage::testing::UtcMicros(2026, 1, 15) + run * 60'000'000;
  const int flush_every = storage::testing::kSanitized ? 1000 : 4000;
  uint64_t noise = static_cast<uint64_t>(run) * 0x9E3779B97F4A7C15ULL + 1;
  // Paced, so that 50 runs leave a few million rows rather than tens of millions (each check reads them all).
  const double rate = std::getenv("CRASH_WRITER_RATE") ? std::atof(std::getenv("CRASH_WRITER_RATE"))
                                                       : (storage::testing::kSanitized ? 50'000 : 200'000);
  const auto start = std::chrono::steady_clock::now();
  std::string log;
  for (int64_t i = 0;; ++i) {
    if (i % 256 == 0) {
      std::this_thread::sleep_until(start +
                                    std::chrono::microseconds(static_cast<int64_t>(1e6 * double(i) / rate)));
    }
    const int64_t seq = run * storage::testing::kRunStride + i;
    const int64_t t = base + (i % 2) * 86'400'000'000LL + i;
    noise = noise * 6364136223846793005ULL + 1442695040888963407ULL;
    char hex[32];
    std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(noise));
    log = "{\"timestamp\":\"";
    log += storage::testing::Rfc3339(t);
    log += "\",\"seq\":";
    log += std::to_string(seq);
    log += ",\"message\":\"request ";
    log += hex;
    log += "\"}";
    if (Status st = (*engine)->Append(log); !st.ok()) {
      std::fprintf(stderr, "append: %s\n", st.ToString().c_str());
      return 1;
    }
    if ((i + 1) % flush_every == 0) {
      if (Status st = (*engine)->Flush(); !st.ok()) {
        std::fprintf(stderr, "flush: %s\n", st.ToString().c_str());
        return 1;
      }
      std::printf("flushed %lld\n", static_cast<long long>(i + 1));
      std::fflush(stdout);
    }
  }
}
