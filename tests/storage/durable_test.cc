// Durable acknowledgements through the storage engine (AckMode::kDurable, DESIGN.md §5 invariant 2): a log
// Append() accepted is stored exactly once after a crash. A crash is simulated by copying the storage
// directory while the engine runs (what a kill -9 would leave: the write-ahead log and the files made so
// far) and opening the copy. The daemon-level kill -9 test is tests/server/crash.py.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "logdaemon/schema.h"
#include "logdaemon/storage.h"
#include "parquet/file_reader.h"
#include "storage/catalog.h"
#include "storage/fault_fs.h"
#include "storage/fs.h"
#include "storage/storage_test_util.h"
#include "storage/wal_coverage.h"
#include "storage/wal_format.h"
#include "support/temp_dir.h"

namespace logdaemon::storage {
namespace durable_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using namespace std::chrono_literals;
using testing::ReadStorage;
using testing::Rfc3339;
using testing::StorageContents;
using testing::UtcMicros;
using Op = FaultInjectingFileSystem::Op;
namespace fs = std::filesystem;

class TempDir : public testing_support::TempDir {
 public:
  TempDir() : testing_support::TempDir("logdaemon_durable") {}
};

SchemaValidator DefaultSchema() {
  auto schema = SchemaValidator::DefaultSchema();
  EXPECT_TRUE(schema.ok());
  return std::move(*schema);
}

StorageOptions DurableOptions(const std::string& dir) {
  StorageOptions options;
  options.directory = dir;
  options.ack = AckMode::kDurable;
  options.wal_segment_bytes = 1 << 20;
  options.batch_size = 1'000'000;
  options.flush_interval = std::chrono::hours(1);  // nothing is flushed unless a test asks
  options.compaction = false;
  options.on_error = [](const Status&) {};
  return options;
}

std::unique_ptr<StorageEngine> Open(StorageOptions options, SchemaValidator schema = DefaultSchema()) {
  auto engine = StorageEngine::Open(std::move(options), std::move(schema));
  EXPECT_TRUE(engine.ok()) << engine.status().ToString();
  return engine.ok() ? std::move(*engine) : nullptr;
}

std::string Log(int seq) {
  return R"({"timestamp":")" + Rfc3339(UtcMicros(2026, 1, 15, 19) + seq) +
         R"(","level":"info","message":"row )" + std::to_string(seq) + R"("})";
}

// message -> how many times it is stored.
std::map<std::string, int> StoredMessages(const std::string& root) {
  StorageContents contents;
  Status st = ReadStorage(root, &contents);
  EXPECT_TRUE(st.ok()) << st.ToString();
  std::map<std::string, int> counts;
  for (const testing::VisibleFile& file : contents.files) {
    size_t message = 0;
    for (size_t c = 0; c < file.contents.columns.size(); ++c) {
      if (file.contents.columns[c].name == "message") message = c;
    }
    for (const testing::Row& row : file.contents.rows) ++counts[std::get<std::string>(row[message])];
  }
  return counts;
}

void ExpectEachStoredOnce(const std::string& root, int first, int count) {
  std::map<std::string, int> counts = StoredMessages(root);
  EXPECT_EQ(counts.size(), static_cast<size_t>(count));
  for (int i = first; i < first + count; ++i) EXPECT_EQ(counts["row " + std::to_string(i)], 1) << i;
}

// What kill -9 would leave right now.
void CopyAsCrashed(const std::string& from, const std::string& to) {
  fs::copy(from, to, fs::copy_options::recursive);
}

TEST(DurableStorage, AcknowledgedLogsSurviveACrashBeforeAnyFlush) {
  TempDir dir;
  auto engine = Open(DurableOptions(dir.Sub("live")));
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(engine->Append(Log(i)).ok());
  EXPECT_EQ(engine->Stats().rows_written, 0u);
  EXPECT_EQ(engine->Stats().wal_records, 100u);
  CopyAsCrashed(dir.Sub("live"), dir.Sub("crashed"));
  {
    auto recovered = Open(DurableOptions(dir.Sub("crashed")));
    EXPECT_EQ(recovered->Stats().wal_replayed, 100u);
    ASSERT_TRUE(recovered->Close().ok());
  }
  ExpectEachStoredOnce(dir.Sub("crashed"), 0, 100);
  // A second start finds them stored: nothing again.
  {
    auto again = Open(DurableOptions(dir.Sub("crashed")));
    EXPECT_EQ(again->Stats().wal_replayed, 0u);
    ASSERT_TRUE(again->Close().ok());
  }
  ExpectEachStoredOnce(dir.Sub("crashed"), 0, 100);
  ASSERT_TRUE(engine->Close().ok());
  ExpectEachStoredOnce(dir.Sub("live"), 0, 100);
}

TEST(DurableStorage, OnlyWhatNoFileHoldsIsReplayed) {
  TempDir dir;
  auto engine = Open(DurableOptions(dir.Sub("live")));
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(engine->Append(Log(i)).ok());
  ASSERT_TRUE(engine->Flush().ok());  // 0..49 in a file that records LSNs 1..50
  for (int i = 50; i < 80; ++i) ASSERT_TRUE(engine->Append(Log(i)).ok());
  CopyAsCrashed(dir.Sub("live"), dir.Sub("crashed"));
  {
    auto recovered = Open(DurableOptions(dir.Sub("crashed")));
    EXPECT_EQ(recovered->Stats().wal_replayed, 30u);
    ASSERT_TRUE(recovered->Close().ok());
  }
  ExpectEachStoredOnce(dir.Sub("crashed"), 0, 80);
  ASSERT_TRUE(engine->Close().ok());
}

TEST(DurableStorage, FilesRecordTheirRecordsAndMergedFilesTheUnion) {
  TempDir dir;
  StorageOptions options = DurableOptions(dir.path());
  auto engine = Open(options);
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(engine->Append(Log(round * 10 + i)).ok());
    ASSERT_TRUE(engine->Flush().ok());
  }
  ASSERT_TRUE(engine->Compact().ok());
  std::vector<Partition> partitions;
  ASSERT_TRUE(ScanStorage(DefaultFileSystem(), dir.path(), &partitions).ok());
  ASSERT_EQ(partitions.size(), 1u);
  ASSERT_EQ(partitions[0].files.size(), 1u);  // merged
  auto reader = parquet::FileReader::Open(partitions[0].files[0].path);
  ASSERT_TRUE(reader.ok());
  std::optional<std::string> coverage = (*reader)->KeyValue(kWalCoverageKey);
  ASSERT_TRUE(coverage.has_value());
  // The shared appender's stream is 0; its LSNs 1..30.
  EXPECT_EQ(*coverage, "0:1-30");
  ASSERT_TRUE(engine->Close().ok());
}

TEST(DurableStorage, ACleanCloseLeavesOnlyAMarkerAndLsnsGoOn) {
  TempDir dir;
  {
    auto engine = Open(DurableOptions(dir.path()));
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(engine->Append(Log(i)).ok());
    ASSERT_TRUE(engine->Close().ok());
  }
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir.Sub("wal"))) names.push_back(entry.path().filename());
  EXPECT_EQ(names, std::vector<std::string>{WalSegmentFileName(0, 6)});
  EXPECT_LT(fs::file_size(dir.Sub("wal") + "/" + names[0]), 4096u);  // a header, no preallocation
  {
    auto engine = Open(DurableOptions(dir.path()));
    EXPECT_EQ(engine->Stats().wal_replayed, 0u);
    ASSERT_TRUE(engine->Append(Log(5)).ok());
    ASSERT_TRUE(engine->Close().ok());
  }
  names.clear();
  for (const auto& entry : fs::directory_iterator(dir.Sub("wal"))) names.push_back(entry.path().filename());
  // The stream went on after the marker's LSN (a new segment never takes an existing one's name).
  EXPECT_EQ(names, std::vector<std::string>{WalSegmentFileName(0, 8)});
  ExpectEachStoredOnce(dir.path(), 0, 6);
}

TEST(DurableStorage, MemoryAcksWriteNoLog) {
  TempDir dir;
  StorageOptions options = DurableOptions(dir.path());
  options.ack = AckMode::kMemory;
  auto engine = Open(options);
  ASSERT_TRUE(engine->Append(Log(0)).ok());
  EXPECT_EQ(engine->Stats().wal_records, 0u);
  EXPECT_FALSE(fs::exists(dir.Sub("wal")));
  ASSERT_TRUE(engine->Close().ok());
}

// Every byte of the write-ahead log's segments, to look for a log's text in it.
std::string WalBytes(const std::string& root) {
  std::string bytes;
  for (const auto& entry : fs::directory_iterator(fs::path(root) / "wal")) {
    std::ifstream in(entry.path(), std::ios::binary);
    bytes.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return bytes;
}

// A log outside the time window is refused before it is logged: it is never stored, and a restart has
// nothing of it to replay.
TEST(DurableStorage, ALogOutsideTheTimeWindowIsNeverLogged) {
  TempDir dir;
  StorageOptions options = DurableOptions(dir.Sub("live"));
  options.max_age = std::chrono::hours(24 * 30);
  options.max_future = std::chrono::hours(1);
  auto engine = Open(options);
  const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  auto log = [](const std::string& time, const std::string& message) {
    return R"({"timestamp":")" + time + R"(","level":"info","message":")" + message + R"("})";
  };
  ASSERT_TRUE(engine->Append(log(Rfc3339(now), "row 0")).ok());
  const std::vector<std::string> refused = {
      log("0001-01-01T00:00:00Z", "refused year 1"),
      log("9999-12-31T23:59:59Z", "refused year 9999"),
      log(Rfc3339(now - int64_t{31} * 86'400'000'000), "refused a month old"),
      log(Rfc3339(now + int64_t{2} * 3'600'000'000), "refused two hours ahead"),
  };
  for (const std::string& text : refused) {
    Status st = engine->Append(text);
    EXPECT_EQ(st.code(), Status::Code::kOutOfRange) << text;
    EXPECT_TRUE(st.message().starts_with("timestamp ")) << st.message();
  }
  ASSERT_TRUE(engine->Append(log(Rfc3339(now), "row 1")).ok());
  EXPECT_EQ(engine->Stats().wal_records, 2u);
  const std::string wal = WalBytes(dir.Sub("live"));
  EXPECT_NE(wal.find("row 0"), std::string::npos);  // the search works
  EXPECT_EQ(wal.find("refused"), std::string::npos);
  CopyAsCrashed(dir.Sub("live"), dir.Sub("crashed"));
  {
    auto recovered = Open(DurableOptions(dir.Sub("crashed")));
    EXPECT_EQ(recovered->Stats().wal_replayed, 2u);
    ASSERT_TRUE(recovered->Close().ok());
  }
  ExpectEachStoredOnce(dir.Sub("crashed"), 0, 2);
  ASSERT_TRUE(engine->Close().ok());
  ExpectEachStoredOnce(dir.Sub("live"), 0, 2);
}

// A log logged (and acknowledged) inside the window is stored at the next start however old it has
// become: replay does not check the window again.
TEST(DurableStorage, ReplayStoresAcknowledgedLogsWhateverTheWindow) {
  TempDir dir;
  auto engine = Open(DurableOptions(dir.Sub("live")));  // no window: the 2026-01-15 logs are accepted
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(engine->Append(Log(i)).ok());
  CopyAsCrashed(dir.Sub("live"), dir.Sub("crashed"));
  {
    StorageOptions strict = DurableOptions(dir.Sub("crashed"));
    strict.max_age = std::chrono::hours(1);
    strict.max_future = std::chrono::hours(1);
    auto recovered = Open(strict);
    EXPECT_EQ(recovered->Stats().wal_replayed, 10u);
    ASSERT_TRUE(recovered->Close().ok());
  }
  ExpectEachStoredOnce(dir.Sub("crashed"), 0, 10);
  ASSERT_TRUE(engine->Close().ok());
}

TEST(DurableStorage, ALogThatCannotBeMadeDurableIsRefusedAndNotStored) {
  TempDir dir;
  FaultInjectingFileSystem faults;
  StorageOptions options = DurableOptions(dir.path());
  options.file_system = &faults;
  auto engine = Open(options);
  ASSERT_TRUE(engine->Append(Log(0)).ok());
  faults.FailNext(Op::kSync, EIO);
  Status st = engine->Append(Log(1));
  EXPECT_EQ(st.code(), Status::Code::kUnavailable);
  EXPECT_TRUE(st.message().starts_with("storage unavailable: fdatasync ")) << st.ToString();
  EXPECT_NE(st.message().find("Input/output error"), std::string::npos) << st.ToString();
  ASSERT_TRUE(engine->Append(Log(2)).ok());  // writing works again: OK again
  EXPECT_EQ(engine->Stats().wal_failed_commits, 1u);
  ASSERT_TRUE(engine->Close().ok());
  std::map<std::string, int> counts = StoredMessages(dir.path());
  EXPECT_EQ(counts, (std::map<std::string, int>{{"row 0", 1}, {"row 2", 1}}));
}

TEST(DurableStorage, AFullDiskAnswersStorageUnavailable) {
  TempDir dir;
  FaultInjectingFileSystem faults;
  StorageOptions options = DurableOptions(dir.path());
  options.file_system = &faults;
  faults.SetCapacity(1 << 19);  // less than a segment
  auto engine = Open(options);
  Status st = engine->Append(Log(0));
  EXPECT_EQ(st.code(), Status::Code::kUnavailable);
  EXPECT_TRUE(st.message().starts_with("storage unavailable: fallocate ")) << st.ToString();
  EXPECT_NE(st.message().find("No space left on device"), std::string::npos) << st.ToString();
  faults.SetCapacity(0);
  EXPECT_TRUE(engine->Append(Log(1)).ok());
  ASSERT_TRUE(engine->Close().ok());
}

TEST(DurableStorage, UnstoredLogsOfAnotherSchemaStopTheStart) {
  TempDir dir;
  auto engine = Open(DurableOptions(dir.Sub("live")));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(engine->Append(Log(i)).ok());
  CopyAsCrashed(dir.Sub("live"), dir.Sub("crashed"));
  ASSERT_TRUE(engine->Close().ok());
  auto other = SchemaValidator::FromString(R"({"type":"object","properties":{"timestamp":
      {"type":"string","format":"date-time"},"level":{"type":"string"},"message":{"type":"string"},
      "host":{"type":"string"}},"required":["timestamp"]})");
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  auto refused = StorageEngine::Open(DurableOptions(dir.Sub("crashed")), std::move(*other));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("holds 3 acknowledged logs"), std::string::npos)
      << refused.status().ToString();
  // With the schema they were written under, they are stored.
  auto recovered = Open(DurableOptions(dir.Sub("crashed")));
  EXPECT_EQ(recovered->Stats().wal_replayed, 3u);
  ASSERT_TRUE(recovered->Close().ok());
  ExpectEachStoredOnce(dir.Sub("crashed"), 0, 3);
}

// A disk that stays full until shutdown: memory acks lose the rows (counted); durable acks keep them in
// the write-ahead log, and the next start stores them.
TEST(DurableStorage, RowsTheDiskRefusesAtShutdownStayInTheLogUnderDurableAcks) {
  for (AckMode ack : {AckMode::kMemory, AckMode::kDurable}) {
    SCOPED_TRACE(AckModeName(ack));
    TempDir dir;
    FaultInjectingFileSystem faults;
    StorageOptions options = DurableOptions(dir.path());
    options.ack = ack;
    options.file_system = &faults;
    options.shutdown_write_timeout = 200ms;
    auto engine = Open(options);
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(engine->Append(Log(i)).ok());
    faults.FailNext(Op::kCreate, ENOSPC, -1);  // no Parquet file can be made any more
    Status closed = engine->Close();
    EXPECT_FALSE(closed.ok());
    const StorageStats stats = engine->Stats();
    if (ack == AckMode::kMemory) {
      EXPECT_EQ(stats.logs_lost_at_shutdown, 10u);
      EXPECT_NE(closed.message().find("10 rows could not be written"), std::string::npos)
          << closed.ToString();
    } else {
      EXPECT_EQ(stats.logs_lost_at_shutdown, 0u);
      EXPECT_NE(closed.message().find("they stay in the write-ahead log"), std::string::npos)
          << closed.ToString();
    }
    engine.reset();
    faults.ClearFaults();
    auto reopened = Open(options);
    EXPECT_EQ(reopened->Stats().wal_replayed, ack == AckMode::kDurable ? 10u : 0u);
    ASSERT_TRUE(reopened->Close().ok());
    if (ack == AckMode::kDurable) {
      ExpectEachStoredOnce(dir.path(), 0, 10);
    } else {
      EXPECT_TRUE(StoredMessages(dir.path()).empty());
    }
  }
}

// ---- Bursts go to the log, not to RAM (issue #12, item 4)
// --------------------------------------------------

// A small queue and a data disk whose fsyncs stall: the writer stops taking rows, so the queue fills.
StorageOptions SlowDiskOptions(const std::string& dir, FaultInjectingFileSystem* faults) {
  StorageOptions options = DurableOptions(dir);
  options.file_system = faults;
  options.queue_capacity = 8;
  options.batch_size = 10;
  options.flush_interval = 10ms;
  options.wal_segment_bytes = 64 << 10;  // the log's limit is at least 4 segments
  return options;
}

TEST(WalBacklog, LogsBeyondAFullQueueWaitInTheLogAndAreStoredOnce) {
  TempDir dir;
  FaultInjectingFileSystem faults;
  auto engine = Open(SlowDiskOptions(dir.Sub("live"), &faults));
  faults.StallSyncs(true);
  constexpr int kLogs = 3000;
  for (int i = 0; i < kLogs; ++i) ASSERT_TRUE(engine->Append(Log(i)).ok()) << i;
  StorageStats stalled = engine->Stats();
  EXPECT_GT(stalled.wal_spilled, 0u);
  EXPECT_GT(stalled.wal_backlog_logs, 0u);
  EXPECT_GT(stalled.wal_backlog_bytes, 0u);
  EXPECT_LE(stalled.queued_logs, 8u) << "memory holds no more than the queue";
  EXPECT_EQ(stalled.logs_dropped, 0u);
  // kill -9 now: the backlog is in the log, and a restart stores it (and nothing twice).
  CopyAsCrashed(dir.Sub("live"), dir.Sub("crashed"));
  faults.StallSyncs(false);
  ASSERT_TRUE(engine->Flush().ok());
  EXPECT_EQ(engine->Stats().wal_backlog_logs, 0u);
  ASSERT_TRUE(engine->Close().ok());
  ExpectEachStoredOnce(dir.Sub("live"), 0, kLogs);
  {
    StorageOptions options = DurableOptions(dir.Sub("crashed"));
    auto recovered = Open(options);
    ASSERT_TRUE(recovered->Close().ok());
  }
  ExpectEachStoredOnce(dir.Sub("crashed"), 0, kLogs);
}

// A log bound for the backlog is checked, not shredded, at admission (it is shredded when read back), by
// the same checks: one the window refuses gets the same error as when the queue has room, is never
// logged, and the logs around it are stored once each.
TEST(WalBacklog, ALogBoundForTheBacklogIsRefusedByTheSameChecks) {
  TempDir dir;
  FaultInjectingFileSystem faults;
  StorageOptions options = SlowDiskOptions(dir.Sub("live"), &faults);
  options.max_future = std::chrono::hours(1);
  auto engine = Open(options);
  const std::string far_future =
      R"({"timestamp":"9999-12-31T23:59:59Z","level":"info","message":"refused far future"})";
  const Status with_room = engine->Append(far_future);
  EXPECT_EQ(with_room.code(), Status::Code::kOutOfRange);
  faults.StallSyncs(true);
  int logs = 0;
  while (engine->Stats().wal_spilled == 0 && logs < 100'000) ASSERT_TRUE(engine->Append(Log(logs++)).ok());
  ASSERT_GT(engine->Stats().wal_spilled, 0u) << "the queue never filled: the backlog path was not tested";
  const uint64_t records = engine->Stats().wal_records;
  const Status spilled = engine->Append(far_future);
  EXPECT_EQ(spilled.code(), with_room.code());
  // The window's upper bound is now + max_future, to the second: a second may tick between the two
  // Appends (it did once under the sanitizers), so the messages are compared up to that bound.
  auto up_to_upper_bound = [](const std::string& message) {
    return message.substr(0, message.rfind(" .. "));
  };
  ASSERT_NE(with_room.message().rfind(" .. "), std::string::npos) << with_room.message();
  EXPECT_EQ(up_to_upper_bound(spilled.message()), up_to_upper_bound(with_room.message()));
  EXPECT_EQ(engine->Stats().wal_records, records) << "a refused log was logged";
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(engine->Append(Log(logs++)).ok());
  const std::string wal = WalBytes(dir.Sub("live"));
  EXPECT_NE(wal.find("row " + std::to_string(logs - 1)), std::string::npos);  // the search works
  EXPECT_EQ(wal.find("refused"), std::string::npos);
  faults.StallSyncs(false);
  ASSERT_TRUE(engine->Flush().ok());
  ASSERT_TRUE(engine->Close().ok());
  ExpectEachStoredOnce(dir.Sub("live"), 0, logs);
}

// The backlog's appender hands its rows over when it must wait for room while holding some (a log of
// tens of KiB takes most of a small queue). The rows it appends after that were read back too, and the
// writer must say so, or the backlog never counts them as routed: it then stays non-empty for ever, and
// once the log is full no new log is admitted again (server.admission's block check hung on it).
TEST(WalBacklog, ReadBackRowsAfterAWaitForRoomAreCountedAsRouted) {
  TempDir dir;
  FaultInjectingFileSystem faults;
  StorageOptions options = SlowDiskOptions(dir.path(), &faults);
  options.queue_capacity = 64;  // 8 rows per hand-over; a 40 KiB log takes 41 credits
  auto engine = Open(options);
  faults.StallSyncs(true);
  constexpr int kLogs = 40;
  const std::string pad(40 << 10, 'x');
  for (int i = 0; i < kLogs; ++i) {
    std::string log = Log(i);
    log.insert(log.size() - 1, R"(,"metadata":{"pad":")" + pad + R"("})");
    ASSERT_TRUE(engine->Append(log).ok()) << i;
  }
  ASSERT_GT(engine->Stats().wal_backlog_logs, 1u) << "the burst did not reach the backlog";
  faults.StallSyncs(false);
  ASSERT_TRUE(engine->Flush().ok());
  EXPECT_EQ(engine->Stats().wal_backlog_logs, 0u) << "read-back logs the backlog still counts as waiting";
  ASSERT_TRUE(engine->Close().ok());
  ExpectEachStoredOnce(dir.path(), 0, kLogs);
}

// Appends logs numbered from *accepted on until one is refused (at most 100 000); that refusal.
Status AppendUntilRefused(StorageEngine& engine, int* accepted) {
  for (int i = 0; i < 100000; ++i) {
    Status st = engine.Append(Log(*accepted));
    if (!st.ok()) return st;
    ++*accepted;
  }
  return Status::OK();
}

TEST(WalBacklog, AFullLogIsOverloadedAndAcceptsAgainOnceTheWriterCatchesUp) {
  TempDir dir;
  FaultInjectingFileSystem faults;
  StorageOptions options = SlowDiskOptions(dir.path(), &faults);
  options.wal_max_bytes = 256 << 10;  // 4 segments
  auto engine = Open(options);
  faults.StallSyncs(true);
  int accepted = 0;
  const Status refused = AppendUntilRefused(*engine, &accepted);
  ASSERT_FALSE(refused.ok()) << "the log never filled";
  EXPECT_EQ(refused.code(), Status::Code::kResourceExhausted) << refused.ToString();
  EXPECT_EQ(refused.message(), "overloaded");
  EXPECT_GE(engine->Stats().wal_disk_bytes, options.wal_max_bytes);
  EXPECT_EQ(engine->Stats().logs_dropped, 1u);
  faults.StallSyncs(false);
  ASSERT_TRUE(engine->Flush().ok());
  ASSERT_TRUE(engine->Append(Log(accepted)).ok()) << "room again once the backlog is stored";
  ++accepted;
  ASSERT_TRUE(engine->Close().ok());
  ExpectEachStoredOnce(dir.path(), 0, accepted);
}

TEST(WalBacklog, AFullLogOnAFailingDiskSaysStorageUnavailable) {
  TempDir dir;
  FaultInjectingFileSystem faults;
  StorageOptions options = SlowDiskOptions(dir.path(), &faults);
  options.wal_max_bytes = 256 << 10;
  auto engine = Open(options);
  faults.FailNext(Op::kRename, EIO, -1);  // no Parquet file can be published; the log works
  int accepted = 0;
  const Status refused = AppendUntilRefused(*engine, &accepted);
  ASSERT_FALSE(refused.ok()) << "the log never filled";
  EXPECT_EQ(refused.code(), Status::Code::kUnavailable) << refused.ToString();
  EXPECT_TRUE(refused.message().starts_with("storage unavailable: rename ")) << refused.message();
  EXPECT_NE(refused.message().find("Input/output error"), std::string::npos) << refused.message();
  EXPECT_TRUE(engine->Stats().storage_failing);
  faults.ClearFaults();
  ASSERT_TRUE(engine->Flush().ok());
  EXPECT_FALSE(engine->Stats().storage_failing);
  ASSERT_TRUE(engine->Append(Log(accepted)).ok()) << "OK again as soon as writing works";
  ++accepted;
  ASSERT_TRUE(engine->Close().ok());
  ExpectEachStoredOnce(dir.path(), 0, accepted);
}

// Logs are not world-readable: files 0640, directories 0750 by default (issue #12, item 9).
uint32_t ModeOf(const std::string& path) {
  return static_cast<uint32_t>(fs::status(path).permissions()) & 0777;
}

TEST(StoragePermissions, FilesAre0640AndDirectories0750ByDefault) {
  TempDir dir;
  const mode_t old_umask = ::umask(022);
  {
    auto engine = Open(DurableOptions(dir.Sub("logs")));
    ASSERT_TRUE(engine->Append(Log(0)).ok());
    ASSERT_TRUE(engine->Flush().ok());
    ASSERT_TRUE(engine->Close().ok());
  }
  std::vector<Partition> partitions;
  ASSERT_TRUE(ScanStorage(DefaultFileSystem(), dir.Sub("logs"), &partitions).ok());
  ASSERT_EQ(partitions.size(), 1u);
  EXPECT_EQ(ModeOf(partitions[0].files[0].path), 0640u);
  EXPECT_EQ(ModeOf(partitions[0].path), 0750u);
  EXPECT_EQ(ModeOf(dir.Sub("logs")), 0750u);
  EXPECT_EQ(ModeOf(dir.Sub("logs/wal")), 0750u);
  EXPECT_EQ(ModeOf(dir.Sub("logs/.lock")), 0640u);
  for (const auto& entry : fs::directory_iterator(dir.Sub("logs/wal"))) {
    EXPECT_EQ(ModeOf(entry.path()), 0640u) << entry.path();
  }
  ::umask(old_umask);
}

TEST(StoragePermissions, FileModeSetsFilesAndTheirDirectories) {
  TempDir dir;
  const mode_t old_umask = ::umask(0);
  StorageOptions options = DurableOptions(dir.Sub("logs"));
  options.file_mode = 0600;
  {
    auto engine = Open(options);
    ASSERT_TRUE(engine->Append(Log(0)).ok());
    ASSERT_TRUE(engine->Close().ok());
  }
  std::vector<Partition> partitions;
  ASSERT_TRUE(ScanStorage(DefaultFileSystem(), dir.Sub("logs"), &partitions).ok());
  ASSERT_EQ(partitions.size(), 1u);
  EXPECT_EQ(ModeOf(partitions[0].files[0].path), 0600u);
  EXPECT_EQ(ModeOf(partitions[0].path), 0700u);
  EXPECT_EQ(ModeOf(dir.Sub("logs/wal")), 0700u);
  ::umask(old_umask);
  EXPECT_EQ(DirectoryModeFor(0644), 0755u);
  EXPECT_EQ(DirectoryModeFor(0620), 0730u);
  // A mode the owner cannot write with is refused at open.
  options.file_mode = 0440;
  auto refused = StorageEngine::Open(options, DefaultSchema());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("file mode"), std::string::npos) << refused.status().ToString();
}

}  // namespace
}  // namespace durable_test
}  // namespace logdaemon::storage
