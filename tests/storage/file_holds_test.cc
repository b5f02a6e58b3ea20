// FileHolds (storage/file_holds.h) and how the compactor honours it: a file the uploader took is never
// an input of a merge (nor are the other parts of its merged file), a file being merged cannot be taken,
// and with holds in use retention deletes only the visible files the holder released for deletion.
#include "storage/file_holds.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "logdaemon/storage.h"
#include "storage/catalog.h"
#include "storage/fs.h"
#include "storage/storage_test_util.h"
#include "support/temp_dir.h"

namespace logdaemon::storage {
namespace file_holds_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using namespace std::chrono_literals;

std::string Log(int64_t micros, int seq) {
  return R"({"timestamp":")" + testing::Rfc3339(micros) + R"(","level":"info","message":"row )" +
         std::to_string(seq) + R"("})";
}

struct Fixture {
  testing_support::TempDir dir{"logdaemon_holds"};
  std::shared_ptr<FileHolds> holds = std::make_shared<FileHolds>();
  std::unique_ptr<StorageEngine> engine;
  int seq = 0;

  explicit Fixture(uint64_t retention_bytes = 0) {
    StorageOptions options;
    options.directory = dir.path();
    options.flush_interval = 100ms;
    options.compaction = false;  // merges only when Compact() asks
    options.retention_bytes = retention_bytes;
    options.on_error = [](const Status&) {};
    options.file_holds = holds;
    auto schema = SchemaValidator::DefaultSchema();
    auto opened = StorageEngine::Open(std::move(options), std::move(*schema));
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    if (opened.ok()) engine = std::move(*opened);
  }
  // One flush file of `rows` rows in dt=2026-01-15.
  void WriteFile(int rows) {
    for (int i = 0; i < rows; ++i) {
      ASSERT_TRUE(engine->Append(Log(testing::UtcMicros(2026, 1, 15, 12), seq++)).ok());
    }
    ASSERT_TRUE(engine->Flush().ok());
  }
  std::vector<std::string> VisibleNames() {
    std::vector<Partition> partitions;
    std::unique_ptr<FileSystem> fs = NewPosixFileSystem(0640);
    EXPECT_TRUE(ScanStorage(fs.get(), dir.path(), &partitions).ok());
    std::vector<std::string> names;
    for (const Partition& p : partitions) {
      for (const DataFile& f : p.files) names.push_back(HeldName(p.relative_path, f.name));
    }
    return names;
  }
  size_t Rows() {
    testing::StorageContents contents;
    EXPECT_TRUE(testing::ReadStorage(dir.path(), &contents).ok());
    return contents.total_rows();
  }
};

TEST(FileHoldsTest, AHeldFileCannotBeMergedAndAMergingFileCannotBeHeld) {
  FileHolds holds;
  EXPECT_TRUE(holds.Hold("dt=2026-01-15/a.parquet"));
  EXPECT_FALSE(holds.BeginMerge({"dt=2026-01-15/a.parquet", "dt=2026-01-15/b.parquet"}));
  EXPECT_TRUE(holds.BeginMerge({"dt=2026-01-15/b.parquet", "dt=2026-01-15/c.parquet"}));
  EXPECT_FALSE(holds.Hold("dt=2026-01-15/b.parquet"));
  EXPECT_FALSE(holds.IsHeld("dt=2026-01-15/b.parquet"));
  holds.EndMerge({"dt=2026-01-15/b.parquet", "dt=2026-01-15/c.parquet"});
  EXPECT_TRUE(holds.Hold("dt=2026-01-15/b.parquet"));
  EXPECT_EQ(holds.held_count(), 2u);
  holds.Release("dt=2026-01-15/a.parquet");
  EXPECT_TRUE(holds.BeginMerge({"dt=2026-01-15/a.parquet"}));
}

TEST(FileHoldsTest, OnlyAHeldFileCanBeMarkedDeletable) {
  FileHolds holds;
  holds.MarkDeletable("x.parquet");
  EXPECT_FALSE(holds.MayDelete("x.parquet"));
  ASSERT_TRUE(holds.Hold("x.parquet"));
  EXPECT_FALSE(holds.MayDelete("x.parquet"));
  holds.MarkDeletable("x.parquet");
  EXPECT_TRUE(holds.MayDelete("x.parquet"));
  holds.Release("x.parquet");
  EXPECT_FALSE(holds.MayDelete("x.parquet"));
}

TEST(FileHoldsTest, CompactionMergesAroundAHeldFileAndNeverThroughIt) {
  Fixture f;
  ASSERT_NE(f.engine, nullptr);
  for (int i = 0; i < 6; ++i) f.WriteFile(50);
  std::vector<std::string> before = f.VisibleNames();
  ASSERT_EQ(before.size(), 6u);
  ASSERT_TRUE(f.holds->Hold(before[2]));  // the third flush file is shipped: it must stay as it is
  ASSERT_TRUE(f.engine->Compact().ok());
  std::vector<std::string> after = f.VisibleNames();
  // Files 1-2 merge, file 3 stays, files 4-6 merge: three files, the held one among them, untouched.
  EXPECT_EQ(after.size(), 3u);
  EXPECT_NE(std::find(after.begin(), after.end(), before[2]), after.end());
  for (const std::string& name : after) {
    auto parsed = ParseDataFileName(name.substr(name.find('/') + 1));
    ASSERT_TRUE(parsed.has_value()) << name;
    // No merged file covers the held file's sequence number 3.
    if (name != before[2]) {
      EXPECT_FALSE(parsed->range.first <= 3 && 3 <= parsed->range.last) << name;
    }
  }
  EXPECT_EQ(f.Rows(), 300u);
  ASSERT_TRUE(f.engine->Close().ok());
}

TEST(FileHoldsTest, WithHoldsRetentionDeletesOnlyFilesReleasedForDeletion) {
  Fixture f(/*retention_bytes=*/1);  // far below what is stored: retention wants everything gone
  ASSERT_NE(f.engine, nullptr);
  for (int i = 0; i < 3; ++i) f.WriteFile(20);
  std::vector<std::string> before = f.VisibleNames();
  ASSERT_EQ(before.size(), 3u);
  // The first is shipped (held and deletable), the second taken but not shipped yet, the third untouched.
  ASSERT_TRUE(f.holds->Hold(before[0]));
  f.holds->MarkDeletable(before[0]);
  ASSERT_TRUE(f.holds->Hold(before[1]));
  ASSERT_TRUE(f.holds->Hold(before[2]));  // held, so that Compact() does not merge them
  ASSERT_TRUE(f.engine->Compact().ok());
  std::vector<std::string> after = f.VisibleNames();
  EXPECT_EQ(after, (std::vector<std::string>{before[1], before[2]}));
  EXPECT_EQ(f.engine->Stats().files_deleted_by_retention, 1u);
  ASSERT_TRUE(f.engine->Close().ok());
}

}  // namespace
}  // namespace file_holds_test
}  // namespace logdaemon::storage
