// `query --follow` (query/follow.h) on storage the engine writes while the follower runs: the stored logs
// then each new flush, exactly once and in order; --limit as `tail -n N -f`; filters on new files; a
// storage directory that appears later; stops (the stop descriptor, a closed output, the row callback);
// compaction merging flushes under the follower (nothing twice, and what it could not show is counted);
// and SeenRanges, the bookkeeping behind it.
#include "query/follow.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "logdaemon/schema.h"
#include "logdaemon/storage.h"
#include "query/seen_ranges.h"
#include "support/temp_dir.h"
#include "support/test_storage.h"

namespace logdaemon::query {
namespace follow_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

namespace fs = std::filesystem;
using storage::SequenceRange;

TEST(SeenRangesTest, CoversGapsAndCounts) {
  SeenRanges seen;
  seen.Add({1, 1}, 10);
  seen.Add({2, 2}, 20);
  seen.Add({5, 6}, std::nullopt);
  EXPECT_EQ(seen.CoveredCount({1, 2}), 2u);
  EXPECT_EQ(seen.CoveredCount({3, 4}), 0u);
  EXPECT_EQ(seen.CoveredCount({1, 8}), 4u);
  EXPECT_EQ(seen.CoveredCount({6, 6}), 1u);
  EXPECT_EQ(seen.Gaps({1, 8}), (std::vector<SequenceRange>{{3, 4}, {7, 8}}));
  EXPECT_EQ(seen.Gaps({1, 2}), std::vector<SequenceRange>{});
  EXPECT_EQ(seen.Gaps({0, 1}), (std::vector<SequenceRange>{{0, 0}}));
  EXPECT_EQ(seen.RowsWithin({1, 4}), std::optional<uint64_t>(30));
  EXPECT_EQ(seen.RowsWithin({1, 6}), std::nullopt);  // 5-6 has no count

  seen.Collapse({1, 4}, 70);  // a merged file of 1..4 (3 and 4 were missed)
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen.CoveredCount({1, 6}), 6u);
  EXPECT_EQ(seen.RowsWithin({1, 4}), std::optional<uint64_t>(70));

  seen.ForgetBefore(5);  // retention removed 1..4
  EXPECT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen.CoveredCount({1, 4}), 0u);
  EXPECT_EQ(seen.CoveredCount({5, 6}), 2u);
}

TEST(SeenRangesTest, StaysSmallAsMergesCollapseFlushes) {
  SeenRanges seen;
  for (uint64_t s = 1; s <= 1000; ++s) {
    seen.Add({s, s}, 1);
    if (s % 10 == 0) seen.Collapse({s - 9, s}, seen.RowsWithin({s - 9, s}));
    if (s % 100 == 0) seen.Collapse({s - 99, s}, seen.RowsWithin({s - 99, s}));
  }
  EXPECT_EQ(seen.size(), 10u);
  EXPECT_EQ(seen.RowsWithin({1, 1000}), std::optional<uint64_t>(1000));
}

// A pipe the test writes to stop the follower.
class StopPipe {
 public:
  StopPipe() { EXPECT_EQ(::pipe(fds_), 0); }
  ~StopPipe() {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  int read_fd() const { return fds_[0]; }
  void Stop() { EXPECT_EQ(::write(fds_[1], "x", 1), 1); }

 private:
  int fds_[2] = {-1, -1};
};

// Runs Follow on a thread and collects the messages it prints.
class FollowerThread {
 public:
  explicit FollowerThread(ScanRequest request) : request_(std::move(request)) {
    options_.stop_fd = stop_.read_fd();
    options_.relist_interval = std::chrono::milliseconds(100);
    options_.warn = [this](const std::string& line) {
      std::lock_guard<std::mutex> lock(mutex_);
      warnings_.push_back(line);
    };
    options_.flush = [this] { ++flushes_; };
  }
  ~FollowerThread() { Stop(); }

  void Start() {
    thread_ = std::thread([this] {
      status_ = Follow(
          request_, options_,
          [this](const std::vector<ColumnInfo>& columns) {
            std::lock_guard<std::mutex> lock(mutex_);
            columns_ = columns;
          },
          [this](std::span<const Value> row) {
            std::lock_guard<std::mutex> lock(mutex_);
            messages_.emplace_back(row[0].is_null() ? "<null>" : std::string(row[0].s));
            return limit_ == 0 || messages_.size() < limit_;
          },
          &stats_);
    });
  }
  // Waits (up to a minute: sanitizer builds on a loaded machine) until `done` holds.
  bool WaitFor(const std::function<bool()>& done) {
    for (int i = 0; i < 6000; ++i) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return done();
  }
  bool WaitForMessages(size_t n) {
    return WaitFor([&] { return messages().size() >= n; });
  }
  Status Stop() {
    if (thread_.joinable()) {
      stop_.Stop();
      thread_.join();
    }
    return status_;
  }
  std::vector<std::string> messages() {
    std::lock_guard<std::mutex> lock(mutex_);
    return messages_;
  }
  std::vector<std::string> warnings() {
    std::lock_guard<std::mutex> lock(mutex_);
    return warnings_;
  }
  FollowOptions& options() { return options_; }
  FollowStats& stats() { return stats_; }
  // The row callback returns false after this many rows.
  void set_row_limit(size_t n) { limit_ = n; }
  Status Join() {
    if (thread_.joinable()) thread_.join();
    return status_;
  }

 private:
  ScanRequest request_;
  FollowOptions options_;
  FollowStats stats_;
  StopPipe stop_;
  std::thread thread_;
  Status status_;
  std::mutex mutex_;
  std::vector<ColumnInfo> columns_;
  std::vector<std::string> messages_;
  std::vector<std::string> warnings_;
  std::atomic<int> flushes_{0};
  size_t limit_ = 0;
};

std::string Log(int i, const char* level = "info") {
  char text[160];
  std::snprintf(text, sizeof(text), R"({"timestamp":"2026-03-01T10:00:%02dZ","level":"%s","message":"m%d"})",
                i % 60, level, i);
  return text;
}

std::vector<std::string> Range(int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i < to; ++i) out.push_back(std::string("m").append(std::to_string(i)));
  return out;
}

class FollowTest : public ::testing::Test {
 protected:
  std::unique_ptr<StorageEngine> OpenEngine(bool compaction = false, const std::string& dir = "") {
    return testing_support::OpenTestStorage(dir.empty() ? dir_.path() : dir, compaction);
  }
  // Appends logs [from, to) and flushes them into one file.
  static void Write(StorageEngine* engine, int from, int to, const char* level = "info") {
    for (int i = from; i < to; ++i) ASSERT_TRUE(engine->Append(Log(i, level)).ok());
    ASSERT_TRUE(engine->Flush().ok());
  }
  ScanRequest Request() const {
    ScanRequest request;
    request.storage_dir = dir_.path();
    request.fields = {"message"};
    return request;
  }

  testing_support::TempDir dir_{"logdaemon_follow"};
};

TEST_F(FollowTest, PrintsTheStoredLogsThenEachNewFlushOnce) {
  auto engine = OpenEngine();
  Write(engine.get(), 0, 30);
  Write(engine.get(), 30, 50);
  FollowerThread follower(Request());
  follower.Start();
  ASSERT_TRUE(follower.WaitForMessages(50));
  Write(engine.get(), 50, 60);
  ASSERT_TRUE(follower.WaitForMessages(60));
  Write(engine.get(), 60, 61);
  Write(engine.get(), 61, 75);
  ASSERT_TRUE(follower.WaitForMessages(75));
  // A quiet moment: nothing is printed again.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_TRUE(follower.Stop().ok());
  EXPECT_EQ(follower.messages(), Range(0, 75));
  EXPECT_EQ(follower.stats().files_read.load(), 3u);
  EXPECT_TRUE(follower.warnings().empty());
}

TEST_F(FollowTest, LimitPrintsTheNewestStoredLogsFirstLikeTail) {
  auto engine = OpenEngine();
  Write(engine.get(), 0, 40);
  ScanRequest request = Request();
  request.limit = 5;
  FollowerThread follower(request);
  follower.Start();
  ASSERT_TRUE(follower.WaitForMessages(5));
  Write(engine.get(), 40, 50);  // the limit is for the stored logs: new ones all come
  ASSERT_TRUE(follower.WaitForMessages(15));
  ASSERT_TRUE(follower.Stop().ok());
  EXPECT_EQ(follower.messages(), Range(35, 50));
}

TEST_F(FollowTest, FiltersApplyToNewFiles) {
  auto engine = OpenEngine();
  Write(engine.get(), 0, 10, "info");
  ScanRequest request = Request();
  request.filter.levels = {"error"};
  FollowerThread follower(request);
  follower.Start();
  Write(engine.get(), 10, 20, "info");
  Write(engine.get(), 20, 25, "error");
  ASSERT_TRUE(follower.WaitForMessages(5));
  ASSERT_TRUE(follower.Stop().ok());
  EXPECT_EQ(follower.messages(), Range(20, 25));
}

TEST_F(FollowTest, WaitsForAStorageDirectoryThatDoesNotExistYet) {
  const std::string later = dir_.Sub("later");
  ScanRequest request = Request();
  request.storage_dir = later;
  FollowerThread follower(request);
  follower.Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto engine = OpenEngine(false, later);
  Write(engine.get(), 0, 7);
  ASSERT_TRUE(follower.WaitForMessages(7));
  ASSERT_TRUE(follower.Stop().ok());
  EXPECT_EQ(follower.messages(), Range(0, 7));
  ASSERT_FALSE(follower.warnings().empty());
  EXPECT_NE(follower.warnings()[0].find("waiting for the storage directory"), std::string::npos);
}

TEST_F(FollowTest, StartsOnAnEmptyStorageAndTakesItsColumnsFromTheFirstFile) {
  auto engine = OpenEngine();  // creates the directory, no file yet
  FollowerThread follower(Request());
  follower.Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  Write(engine.get(), 0, 3);
  ASSERT_TRUE(follower.WaitForMessages(3));
  ASSERT_TRUE(follower.Stop().ok());
  EXPECT_EQ(follower.messages(), Range(0, 3));
}

TEST_F(FollowTest, StopsWhenTheRowCallbackSaysSoOrTheOutputCloses) {
  auto engine = OpenEngine();
  Write(engine.get(), 0, 10);
  {
    FollowerThread follower(Request());
    follower.set_row_limit(4);  // `query --follow | head -4`: the writer fails after the 4th row
    follower.Start();
    EXPECT_TRUE(follower.Join().ok());  // returns by itself
    EXPECT_EQ(follower.messages().size(), 4u);
  }
  {
    int output[2];
    ASSERT_EQ(::pipe(output), 0);
    FollowerThread follower(Request());
    follower.options().output_fd = output[1];
    follower.Start();
    ASSERT_TRUE(follower.WaitForMessages(10));
    ::close(output[0]);                 // the reader of the output went away
    EXPECT_TRUE(follower.Join().ok());  // returns by itself
    ::close(output[1]);
  }
}

TEST_F(FollowTest, RefusesCountsAndDescendingOrder) {
  ScanRequest request = Request();
  request.order = Order::kDescending;
  FollowOptions options;
  auto begin = [](const std::vector<ColumnInfo>&) {};
  auto row = [](std::span<const Value>) { return true; };
  Status st = Follow(request, options, begin, row);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("--order desc"), std::string::npos);
  request.order = Order::kStorage;
  request.count_only = true;
  EXPECT_EQ(Follow(request, options, begin, row).code(), Status::Code::kInvalidArgument);
}

TEST_F(FollowTest, ACorruptNewFileIsAnErrorNamingIt) {
  auto engine = OpenEngine();
  Write(engine.get(), 0, 5);
  FollowerThread follower(Request());
  follower.Start();
  ASSERT_TRUE(follower.WaitForMessages(5));
  // A file with a data file's name that is not Parquet, published by a rename as the daemon does.
  std::string partition;
  for (const auto& entry : fs::directory_iterator(dir_.path())) {
    if (entry.path().filename().string().starts_with("dt=")) partition = entry.path().string();
  }
  ASSERT_FALSE(partition.empty());
  const std::string tmp = dir_.Sub("garbage");
  {
    FILE* f = std::fopen(tmp.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("this is not parquet at all, just text", f);
    std::fclose(f);
  }
  const std::string bad = partition + "/logs_20260301_100000_999999.parquet";
  ASSERT_EQ(std::rename(tmp.c_str(), bad.c_str()), 0);
  Status st = follower.Join();
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("logs_20260301_100000_999999.parquet"), std::string::npos) << st.ToString();
}

// Compaction merges flushes 3 and 4 (never read: the follower was not looking) with 1 and 2 (printed):
// the follower cannot tell their logs apart, so it prints none of them twice, says which flushes and how
// many logs it could not show, and goes on with the next flush.
TEST_F(FollowTest, SaysWhatItMissedWhenCompactionMergedUnreadFlushes) {
  testing_support::TempDir work("logdaemon_follow_work");
  auto engine = OpenEngine(false, work.path());
  Write(engine.get(), 0, 10);   // flush 1
  Write(engine.get(), 10, 20);  // flush 2
  // The follower's storage holds flushes 1 and 2 only.
  std::vector<fs::path> flushes;
  fs::path partition;
  for (const auto& entry : fs::recursive_directory_iterator(work.path())) {
    if (entry.path().extension() == ".parquet") flushes.push_back(entry.path());
  }
  ASSERT_EQ(flushes.size(), 2u);
  partition = fs::path(dir_.path()) / flushes[0].parent_path().filename();
  fs::create_directories(partition);
  for (const fs::path& file : flushes) fs::copy_file(file, partition / file.filename());

  FollowerThread follower(Request());
  follower.Start();
  ASSERT_TRUE(follower.WaitForMessages(20));

  Write(engine.get(), 20, 35);  // flush 3
  Write(engine.get(), 35, 40);  // flush 4
  ASSERT_TRUE(engine->Compact().ok());
  fs::path merged;
  for (const auto& entry : fs::recursive_directory_iterator(work.path())) {
    if (entry.path().extension() == ".parquet" &&
        entry.path().filename().string().find('-') != std::string::npos)
      merged = entry.path();
  }
  ASSERT_FALSE(merged.empty());
  EXPECT_NE(merged.filename().string().find("000001-000004"), std::string::npos) << merged;
  // Published into the follower's storage as compaction does: the merged file by a rename, then its
  // inputs removed.
  fs::copy_file(merged, fs::path(dir_.path()) / "staged");
  fs::rename(fs::path(dir_.path()) / "staged", partition / merged.filename());
  for (const fs::path& file : flushes) fs::remove(partition / file.filename());
  ASSERT_TRUE(follower.WaitFor([&] { return follower.stats().flushes_missed.load() > 0; }));

  Write(engine.get(), 40, 45);  // flush 5: printed as usual
  for (const auto& entry : fs::recursive_directory_iterator(work.path())) {
    if (entry.path().filename().string().find("_000005.parquet") != std::string::npos) {
      fs::copy_file(entry.path(), fs::path(dir_.path()) / "staged");
      fs::rename(fs::path(dir_.path()) / "staged", partition / entry.path().filename());
    }
  }
  ASSERT_TRUE(follower.WaitForMessages(25));
  ASSERT_TRUE(follower.Stop().ok());

  std::vector<std::string> expected = Range(0, 20);
  for (const std::string& m : Range(40, 45)) expected.push_back(m);
  EXPECT_EQ(follower.messages(), expected);
  EXPECT_EQ(follower.stats().flushes_missed.load(), 2u);
  EXPECT_EQ(follower.stats().logs_missed.load(), 20u);
  ASSERT_EQ(follower.warnings().size(), 1u);
  EXPECT_NE(follower.warnings()[0].find("flushes 3-4"), std::string::npos) << follower.warnings()[0];
  EXPECT_NE(follower.warnings()[0].find("20 logs"), std::string::npos) << follower.warnings()[0];
}

// The real compactor merging under the follower while flushes keep coming: every log is printed once or
// counted as missed, none twice.
TEST_F(FollowTest, CompactionUnderTheFollowerLosesNothingUncounted) {
  auto engine = OpenEngine(/*compaction=*/true);
  FollowerThread follower(Request());
  follower.Start();
  constexpr int kFlushes = 120;
  constexpr int kPerFlush = 25;
  for (int f = 0; f < kFlushes; ++f) {
    Write(engine.get(), f * kPerFlush, (f + 1) * kPerFlush);
    if (f % 10 == 9) {
      ASSERT_TRUE(engine->Compact().ok());  // merges whatever is there now
    }
  }
  constexpr size_t kTotal = size_t{kFlushes} * kPerFlush;
  ASSERT_TRUE(follower.WaitFor(
      [&] { return follower.messages().size() + follower.stats().logs_missed.load() >= kTotal; }));
  ASSERT_TRUE(follower.Stop().ok());
  const std::vector<std::string> messages = follower.messages();
  const std::set<std::string> unique(messages.begin(), messages.end());
  EXPECT_EQ(unique.size(), messages.size()) << "a log was printed twice";
  EXPECT_EQ(messages.size() + follower.stats().logs_missed.load(), kTotal);
}

}  // namespace
}  // namespace follow_test
}  // namespace logdaemon::query
