// A power cut under load (issue #12): the fault file system forgets every byte not fsynced and every
// directory entry not made durable by a directory fsync, at a random moment while writers append, the
// writer flushes and the compactor merges; the engine restarts on what is left. Every log Append()
// acknowledged is then stored exactly once, and no log twice — over many cuts on one directory.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "logdaemon/schema.h"
#include "logdaemon/storage.h"
#include "storage/fault_fs.h"
#include "storage/storage_test_util.h"
#include "support/temp_dir.h"

namespace logdaemon::storage {
namespace power_cut_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using namespace std::chrono_literals;

class TempDir : public testing_support::TempDir {
 public:
  TempDir() : testing_support::TempDir("logdaemon_power_cut") {}
};

SchemaValidator DefaultSchema() {
  auto schema = SchemaValidator::DefaultSchema();
  EXPECT_TRUE(schema.ok());
  return std::move(*schema);
}

std::string Log(uint64_t id) {
  return R"({"timestamp":")" +
         testing::Rfc3339(testing::UtcMicros(2026, 1, 15, 19) + static_cast<int64_t>(id)) +
         R"(","level":"info","message":"id )" + std::to_string(id) + R"("})";
}

StorageOptions CutOptions(const std::string& dir, FileSystem* fs) {
  StorageOptions options;
  options.directory = dir;
  options.ack = AckMode::kDurable;
  options.file_system = fs;
  options.batch_size = 200;
  options.flush_interval = 30ms;         // flushes all the time
  options.rotation_bytes = 64 << 10;     // and merges
  options.wal_segment_bytes = 32 << 10;  // and segments rolling and trimmed
  options.shutdown_write_timeout = 20ms;
  options.on_error = [](const Status&) {};
  options.on_notice = [](const std::string&) {};
  return options;
}

TEST(PowerCut, EveryAcknowledgedLogSurvivesExactlyOnce) {
  TempDir dir;
  const int rounds = 25;
  std::mt19937 rng(20261205);
  uint64_t next_id = 0;
  std::vector<uint64_t> acked;
  uint64_t refused = 0;
  uint64_t recycled = 0;  // segments made from spares: cuts land in overwritten segments too
  for (int round = 0; round < rounds; ++round) {
    FaultInjectingFileSystem fs;
    auto engine = StorageEngine::Open(CutOptions(dir.path(), &fs), DefaultSchema());
    ASSERT_TRUE(engine.ok()) << "round " << round << ": " << engine.status().ToString();
    std::atomic<bool> stop{false};
    std::mutex mutex;
    std::vector<std::thread> writers;
    for (int w = 0; w < 2; ++w) {
      const uint64_t first = next_id + static_cast<uint64_t>(w) * 1'000'000;
      writers.emplace_back([&, first] {
        for (uint64_t id = first; !stop.load(); ++id) {
          Status st = (*engine)->Append(Log(id));
          std::lock_guard lock(mutex);
          if (st.ok()) {
            acked.push_back(id);
          } else {
            ++refused;
          }
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(5, 120)(rng)));
    Status cut = fs.PowerCut();
    stop = true;
    for (std::thread& t : writers) t.join();
    ASSERT_TRUE(cut.ok()) << cut.ToString();
    recycled += (*engine)->Stats().wal_recycled;
    (void)(*engine)->Close();  // everything fails now: the machine is off
    engine->reset();
    next_id += 2'000'000;
  }
  // The reboot: the real file system, what the cuts left.
  {
    auto engine = StorageEngine::Open(CutOptions(dir.path(), nullptr), DefaultSchema());
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    ASSERT_TRUE((*engine)->Close().ok());
  }
  testing::StorageContents contents;
  ASSERT_TRUE(testing::ReadStorage(dir.path(), &contents).ok());
  std::map<uint64_t, int> stored;
  for (const testing::VisibleFile& file : contents.files) {
    size_t message = 0;
    for (size_t c = 0; c < file.contents.columns.size(); ++c) {
      if (file.contents.columns[c].name == "message") message = c;
    }
    for (const testing::Row& row : file.contents.rows) {
      ++stored[std::stoull(std::get<std::string>(row[message]).substr(3))];
    }
  }
  uint64_t lost = 0;
  uint64_t duplicated = 0;
  for (uint64_t id : acked) lost += stored.count(id) == 0;
  for (const auto& [id, count] : stored) duplicated += count > 1;
  std::printf(
      "power cuts: %d, acknowledged %zu, refused %llu, stored %zu, lost %llu, duplicated %llu, "
      "segments recycled %llu\n",
      rounds, acked.size(), static_cast<unsigned long long>(refused), stored.size(),
      static_cast<unsigned long long>(lost), static_cast<unsigned long long>(duplicated),
      static_cast<unsigned long long>(recycled));
  EXPECT_GT(acked.size(), 0u);
  EXPECT_GT(recycled, 0u);
  EXPECT_EQ(lost, 0u);
  EXPECT_EQ(duplicated, 0u);
}

}  // namespace
}  // namespace power_cut_test
}  // namespace logdaemon::storage
