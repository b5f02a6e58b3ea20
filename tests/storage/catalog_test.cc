// The catalog (DESIGN.md §5, invariant 3): which partitions and data files a storage directory holds, and
// which files a merged file supersedes.
#include "storage/catalog.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "schema/rfc3339.h"
#include "support/temp_dir.h"

namespace logdaemon::storage {
namespace catalog_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

// A fresh directory under /tmp, removed with everything in it at the end of the test.
class TempDir : public testing_support::TempDir {
 public:
  TempDir() : testing_support::TempDir("logdaemon_catalog") {}
};

void MakeDir(const std::string& path) {
  ASSERT_TRUE(DefaultFileSystem()->CreateDirs(path).ok()) << path;
}

void WriteFile(const std::string& path, size_t size = 0) {
  auto file = DefaultFileSystem()->NewWritableFile(path);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  std::string bytes(size, 'x');
  ASSERT_TRUE((*file)->Append(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()).ok());
  ASSERT_TRUE((*file)->Close().ok());
}

DataFile File(uint64_t first, uint64_t last, std::string name = "") {
  DataFile file;
  file.parsed.range = {first, last};
  file.name = name.empty() ? DataFileName(0, {first, last}) : std::move(name);
  file.path = "/x/" + file.name;
  return file;
}

std::vector<SequenceRange> Ranges(const std::vector<DataFile>& files) {
  std::vector<SequenceRange> ranges;
  for (const DataFile& file : files) ranges.push_back(file.parsed.range);
  return ranges;
}

std::vector<std::string> RelativePaths(const std::vector<Partition>& partitions) {
  std::vector<std::string> paths;
  for (const Partition& partition : partitions) paths.push_back(partition.relative_path);
  return paths;
}

std::vector<std::string> Names(const std::vector<DataFile>& files) {
  std::vector<std::string> names;
  for (const DataFile& file : files) names.push_back(file.name);
  return names;
}

using RangeList = std::vector<SequenceRange>;

// ---- SplitSuperseded ----

TEST(CatalogSplitSuperseded, EmptyInputGivesEmptyOutputs) {
  std::vector<DataFile> visible = {File(1, 1)}, superseded = {File(2, 2)};
  SplitSuperseded({}, &visible, &superseded);
  EXPECT_TRUE(visible.empty());
  EXPECT_TRUE(superseded.empty());
}

TEST(CatalogSplitSuperseded, DisjointFilesAreAllVisibleOrderedByFirst) {
  std::vector<DataFile> visible, superseded;
  SplitSuperseded({File(3, 3), File(1, 1), File(10, 20), File(2, 2)}, &visible, &superseded);
  EXPECT_EQ(Ranges(visible), (RangeList{{1, 1}, {2, 2}, {3, 3}, {10, 20}}));
  EXPECT_TRUE(superseded.empty());
}

TEST(CatalogSplitSuperseded, MergedFileHidesTheFlushFilesItCovers) {
  std::vector<DataFile> files;
  for (uint64_t seq = 1; seq <= 481; ++seq) files.push_back(File(seq, seq));
  files.push_back(File(1, 480));
  std::vector<DataFile> visible, superseded;
  SplitSuperseded(files, &visible, &superseded);
  EXPECT_EQ(Ranges(visible), (RangeList{{1, 480}, {481, 481}}));
  ASSERT_EQ(superseded.size(), 480u);
  for (uint64_t seq = 1; seq <= 480; ++seq)
    EXPECT_EQ(superseded[seq - 1].parsed.range, (SequenceRange{seq, seq}));
}

TEST(CatalogSplitSuperseded, NestedRangesLeaveOnlyTheOutermost) {
  std::vector<DataFile> visible, superseded;
  SplitSuperseded({File(3, 4), File(1, 10), File(2, 8), File(5, 5), File(1, 9), File(2, 10)}, &visible,
                  &superseded);
  EXPECT_EQ(Ranges(visible), (RangeList{{1, 10}}));
  EXPECT_EQ(Ranges(superseded), (RangeList{{1, 9}, {2, 10}, {2, 8}, {3, 4}, {5, 5}}));
}

TEST(CatalogSplitSuperseded, SameFirstWiderLastSupersedes) {
  std::vector<DataFile> visible, superseded;
  SplitSuperseded({File(1, 5), File(1, 10)}, &visible, &superseded);
  EXPECT_EQ(Ranges(visible), (RangeList{{1, 10}}));
  EXPECT_EQ(Ranges(superseded), (RangeList{{1, 5}}));
}

TEST(CatalogSplitSuperseded, SameLastEarlierFirstSupersedes) {
  std::vector<DataFile> visible, superseded;
  SplitSuperseded({File(3, 10), File(1, 10)}, &visible, &superseded);
  EXPECT_EQ(Ranges(visible), (RangeList{{1, 10}}));
  EXPECT_EQ(Ranges(superseded), (RangeList{{3, 10}}));
}

TEST(CatalogSplitSuperseded, OverlappingButNotCoveringRangesStayVisible) {
  std::vector<DataFile> visible, superseded;
  SplitSuperseded({File(5, 15), File(1, 10), File(12, 20)}, &visible, &superseded);
  EXPECT_EQ(Ranges(visible), (RangeList{{1, 10}, {5, 15}, {12, 20}}));
  EXPECT_TRUE(superseded.empty());
}

TEST(CatalogSplitSuperseded, EqualRangesAreBothVisible) {
  std::vector<DataFile> visible, superseded;
  SplitSuperseded({File(1, 10, "b"), File(1, 10, "a"), File(4, 4, "c")}, &visible, &superseded);
  EXPECT_EQ(Names(visible), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(Names(superseded), (std::vector<std::string>{"c"}));
}

TEST(CatalogSplitSuperseded, EqualRangesAreBothSupersededByAWiderOne) {
  std::vector<DataFile> visible, superseded;
  SplitSuperseded({File(2, 3, "a"), File(2, 3, "b"), File(1, 3, "c"), File(4, 4, "d"), File(4, 4, "e")},
                  &visible, &superseded);
  EXPECT_EQ(Names(visible), (std::vector<std::string>{"c", "d", "e"}));
  EXPECT_EQ(Names(superseded), (std::vector<std::string>{"a", "b"}));
}

TEST(CatalogSplitSuperseded, ChainsOfMergesLeaveTheLastMerge) {
  // 1..10 merged into 1..20, then 1..20 merged into 1..40, all inputs still present (crashes).
  std::vector<DataFile> files = {File(1, 10),  File(11, 20), File(1, 20),
                                 File(21, 40), File(1, 40),  File(41, 41)};
  for (uint64_t seq = 1; seq <= 10; ++seq) files.push_back(File(seq, seq));
  std::vector<DataFile> visible, superseded;
  SplitSuperseded(files, &visible, &superseded);
  EXPECT_EQ(Ranges(visible), (RangeList{{1, 40}, {41, 41}}));
  EXPECT_EQ(superseded.size(), 14u);
  for (size_t i = 1; i < superseded.size(); ++i) {
    EXPECT_LE(superseded[i - 1].parsed.range.first, superseded[i].parsed.range.first);
  }
}

TEST(CatalogSplitSuperseded, ExtremeSequenceNumbers) {
  std::vector<DataFile> visible, superseded;
  SplitSuperseded({File(0, UINT64_MAX), File(0, 0), File(UINT64_MAX, UINT64_MAX)}, &visible, &superseded);
  EXPECT_EQ(Ranges(visible), (RangeList{{0, UINT64_MAX}}));
  EXPECT_EQ(Ranges(superseded), (RangeList{{0, 0}, {UINT64_MAX, UINT64_MAX}}));
}

// The definition, checked pair by pair: hidden when another file covers it with a different range.
bool SupersededByDefinition(const DataFile& file, const std::vector<DataFile>& all) {
  for (const DataFile& other : all) {
    if (other.parsed.range != file.parsed.range && other.parsed.range.Covers(file.parsed.range)) return true;
  }
  return false;
}

TEST(CatalogSplitSuperseded, AgreesWithTheDefinitionOnRandomSets) {
  std::mt19937_64 random(42);
  for (int round = 0; round < 500; ++round) {
    std::vector<DataFile> files;
    const int count = static_cast<int>(random() % 40);
    for (int i = 0; i < count; ++i) {
      const uint64_t first = random() % 30;
      const uint64_t last = first + (random() % 3 == 0 ? 0 : random() % 15);
      std::string name = "f";
      name += std::to_string(i);  // not "f" + …: GCC 12 warns falsely (-Wrestrict)
      files.push_back(File(first, last, std::move(name)));
    }
    std::vector<DataFile> visible, superseded;
    SplitSuperseded(files, &visible, &superseded);
    ASSERT_EQ(visible.size() + superseded.size(), files.size());
    for (const DataFile& file : visible) EXPECT_FALSE(SupersededByDefinition(file, files)) << file.name;
    for (const DataFile& file : superseded) EXPECT_TRUE(SupersededByDefinition(file, files)) << file.name;
    for (size_t i = 1; i < visible.size(); ++i) {
      EXPECT_LE(visible[i - 1].parsed.range.first, visible[i].parsed.range.first);
    }
    for (size_t i = 1; i < superseded.size(); ++i) {
      EXPECT_LE(superseded[i - 1].parsed.range.first, superseded[i].parsed.range.first);
    }
  }
}

TEST(CatalogSplitSuperseded, ScalesToManyFiles) {
  // 200 000 flush files and one merge per 1 000 of them: quadratic work would take minutes.
  std::vector<DataFile> files;
  for (uint64_t seq = 1; seq <= 200'000; ++seq) files.push_back(File(seq, seq));
  for (uint64_t first = 1; first <= 200'000; first += 1'000) files.push_back(File(first, first + 999));
  std::mt19937_64 random(1);
  std::shuffle(files.begin(), files.end(), random);
  const auto start = std::chrono::steady_clock::now();
  std::vector<DataFile> visible, superseded;
  SplitSuperseded(std::move(files), &visible, &superseded);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(visible.size(), 200u);
  EXPECT_EQ(superseded.size(), 200'000u);
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

// ---- ScanStorage ----

TEST(CatalogScan, MissingRootIsAnEmptyCatalog) {
  TempDir dir;
  std::vector<Partition> partitions = {Partition{}};
  ASSERT_TRUE(ScanStorage(DefaultFileSystem(), dir.path() + "/does/not/exist", &partitions).ok());
  EXPECT_TRUE(partitions.empty());
}

TEST(CatalogScan, EmptyRootIsAnEmptyCatalog) {
  TempDir dir;
  std::vector<Partition> partitions;
  ASSERT_TRUE(ScanStorage(DefaultFileSystem(), dir.path(), &partitions).ok());
  EXPECT_TRUE(partitions.empty());
}

TEST(CatalogScan, RootThatIsAFileIsAnError) {
  TempDir dir;
  WriteFile(dir.path() + "/file");
  std::vector<Partition> partitions;
  EXPECT_FALSE(ScanStorage(DefaultFileSystem(), dir.path() + "/file", &partitions).ok());
}

TEST(CatalogScan, FindsDayPartitionsInOrderWithSizesAndPaths) {
  TempDir dir;
  const std::string root = dir.path();
  MakeDir(root + "/dt=2026-01-16");
  MakeDir(root + "/dt=2026-01-15");
  WriteFile(root + "/dt=2026-01-16/logs_20260116_000001_000003.parquet", 30);
  WriteFile(root + "/dt=2026-01-15/logs_20260115_193500_000002.parquet", 20);
  WriteFile(root + "/dt=2026-01-15/logs_20260115_190000_000001.parquet", 10);

  std::vector<Partition> partitions;
  ASSERT_TRUE(ScanStorage(DefaultFileSystem(), root, &partitions).ok());
  ASSERT_EQ(RelativePaths(partitions), (std::vector<std::string>{"dt=2026-01-15", "dt=2026-01-16"}));
  const Partition& day = partitions[0];
  EXPECT_EQ(day.path, root + "/dt=2026-01-15");
  ASSERT_EQ(day.files.size(), 2u);
  EXPECT_EQ(day.files[0].name, "logs_20260115_190000_000001.parquet");
  EXPECT_EQ(day.files[0].path, root + "/dt=2026-01-15/logs_20260115_190000_000001.parquet");
  EXPECT_EQ(day.files[0].size, 10u);
  EXPECT_EQ(day.files[0].parsed.range, (SequenceRange{1, 1}));
  int64_t micros = 0;
  ASSERT_TRUE(schema::ParseRfc3339DateTime("2026-01-15T19:00:00Z", &micros));
  EXPECT_EQ(day.files[0].parsed.min_time_seconds, micros / 1'000'000);
  EXPECT_EQ(day.files[1].size, 20u);
  EXPECT_TRUE(day.superseded.empty());
  EXPECT_EQ(partitions[1].files.size(), 1u);
}

TEST(CatalogScan, RootFilesFormTheUnpartitionedPartition) {
  TempDir dir;
  WriteFile(dir.path() + "/logs_20260115_190000_000001.parquet", 5);
  MakeDir(dir.path() + "/dt=2026-01-15");
  WriteFile(dir.path() + "/dt=2026-01-15/logs_20260115_190000_000002.parquet");
  std::vector<Partition> partitions;
  ASSERT_TRUE(ScanStorage(DefaultFileSystem(), dir.path(), &partitions).ok());
  ASSERT_EQ(RelativePaths(partitions), (std::vector<std::string>{"", "dt=2026-01-15"}));
  EXPECT_EQ(partitions[0].path, dir.path());
  ASSERT_EQ(partitions[0].files.size(), 1u);
  EXPECT_EQ(partitions[0].files[0].path, dir.path() + "/logs_20260115_190000_000001.parquet");
}

TEST(CatalogScan, HourPartitionsAndDayFilesBesideThem) {
  TempDir dir;
  const std::string day = dir.path() + "/dt=2026-01-15";
  MakeDir(day + "/hour=19");
  MakeDir(day + "/hour=09");
  MakeDir(day + "/hour=23");  // empty: omitted
  WriteFile(day + "/hour=19/logs_20260115_190000_000002.parquet");
  WriteFile(day + "/hour=09/logs_20260115_090000_000001.parquet");
  WriteFile(day + "/logs_20260115_000000_000007.parquet");
  std::vector<Partition> partitions;
  ASSERT_TRUE(ScanStorage(DefaultFileSystem(), dir.path(), &partitions).ok());
  ASSERT_EQ(RelativePaths(partitions),
            (std::vector<std::string>{"dt=2026-01-15", "dt=2026-01-15/hour=09", "dt=2026-01-15/hour=19"}));
  EXPECT_EQ(partitions[2].path, day + "/hour=19");
  EXPECT_EQ(partitions[2].files[0].path, day + "/hour=19/logs_20260115_190000_000002.parquet");
}

TEST(CatalogScan, HourOnlyDayIsNotAPartitionItself) {
  TempDir dir;
  MakeDir(dir.path() + "/dt=2026-01-15/hour=00");
  WriteFile(dir.path() + "/dt=2026-01-15/hour=00/logs_20260115_000000_000001.parquet");
  std::vector<Partition> partitions;
  ASSERT_TRUE(ScanStorage(DefaultFileSystem(), dir.path(), &partitions).ok());
  EXPECT_EQ(RelativePaths(partitions), (std::vector<std::string>{"dt=2026-01-15/hour=00"}));
}

TEST(CatalogScan, IgnoresTmpJunkAndForeignNames) {
  TempDir dir;
  const std::string root = dir.path();
  const std::string data = "logs_20260115_190000_000001.parquet";
  MakeDir(root + "/.tmp");
  WriteFile(root + "/.tmp/" + data);  // being written
  MakeDir(root + "/.tmp/dt=2026-01-15");
  WriteFile(root + "/.tmp/dt=2026-01-15/" + data);
  MakeDir(root + "/other");
  WriteFile(root + "/other/" + data);
  MakeDir(root + "/hour=01");  // an hour directory outside a day
  WriteFile(root + "/hour=01/" + data);
  MakeDir(root + "/dt=2026-01-15/junk");
  WriteFile(root + "/dt=2026-01-15/junk/" + data);
  MakeDir(root + "/dt=2026-01-15/hour=01/deeper");
  WriteFile(root + "/dt=2026-01-15/hour=01/deeper/" + data);
  MakeDir(root + "/dt=2026-01-16/" + data);  // a directory with a data file's name
  MakeDir(root + "/dt=2026-01-17");          // empty
  WriteFile(root + "/dt=2026-01-18");        // a file named like a partition
  WriteFile(root + "/README.txt");
  WriteFile(root + "/logs_bad.parquet");
  WriteFile(root + "/data.parquet");
  WriteFile(root + "/" + data + ".tmp");
  WriteFile(root + "/dt=2026-01-15/notes.txt");
  WriteFile(root + "/dt=2026-01-15/logs_20260230_190000_000001.parquet");      // Feb 30
  ASSERT_EQ(::symlink("/nonexistent", (root + "/dt=2026-01-19").c_str()), 0);  // dangling, not a directory

  std::vector<Partition> partitions;
  ASSERT_TRUE(ScanStorage(DefaultFileSystem(), root, &partitions).ok());
  EXPECT_TRUE(partitions.empty()) << ::testing::PrintToString(RelativePaths(partitions));

  WriteFile(root + "/dt=2026-01-15/" + data);
  ASSERT_TRUE(ScanStorage(DefaultFileSystem(), root, &partitions).ok());
  ASSERT_EQ(RelativePaths(partitions), (std::vector<std::string>{"dt=2026-01-15"}));
  EXPECT_EQ(Names(partitions[0].files), (std::vector<std::string>{data}));
}

TEST(CatalogScan, SplitsSupersededFilesPerPartition) {
  TempDir dir;
  const std::string day1 = dir.path() + "/dt=2026-01-15";
  const std::string day2 = dir.path() + "/dt=2026-01-16";
  MakeDir(day1);
  MakeDir(day2);
  WriteFile(day1 + "/logs_20260115_190000_000001.parquet");
  WriteFile(day1 + "/logs_20260115_190500_000002.parquet");
  WriteFile(day1 + "/logs_20260115_190000_000001-000002.parquet");  // merged, inputs survived a crash
  WriteFile(day1 + "/logs_20260115_191000_000004.parquet");
  // A range in another partition never supersedes: sequence numbers are per partition directory.
  WriteFile(day2 + "/logs_20260116_000000_000002.parquet");
  std::vector<Partition> partitions;
  ASSERT_TRUE(ScanStorage(DefaultFileSystem(), dir.path(), &partitions).ok());
  ASSERT_EQ(partitions.size(), 2u);
  EXPECT_EQ(Names(partitions[0].files),
            (std::vector<std::string>{"logs_20260115_190000_000001-000002.parquet",
                                      "logs_20260115_191000_000004.parquet"}));
  EXPECT_EQ(Names(partitions[0].superseded),
            (std::vector<std::string>{"logs_20260115_190000_000001.parquet",
                                      "logs_20260115_190500_000002.parquet"}));
  EXPECT_EQ(Names(partitions[1].files), (std::vector<std::string>{"logs_20260116_000000_000002.parquet"}));
  EXPECT_TRUE(partitions[1].superseded.empty());
}

TEST(CatalogScan, RootWithTrailingSlash) {
  TempDir dir;
  MakeDir(dir.path() + "/dt=2026-01-15");
  WriteFile(dir.path() + "/dt=2026-01-15/logs_20260115_190000_000001.parquet");
  std::vector<Partition> partitions;
  ASSERT_TRUE(ScanStorage(DefaultFileSystem(), dir.path() + "/", &partitions).ok());
  ASSERT_EQ(partitions.size(), 1u);
  EXPECT_EQ(partitions[0].path, dir.path() + "/dt=2026-01-15");
  EXPECT_EQ(partitions[0].files[0].path, dir.path() + "/dt=2026-01-15/logs_20260115_190000_000001.parquet");
}

// Lists directories through the real file system, except one that fails like an unreadable one (a
// chmod 000 directory would not fail for root, who runs these tests in containers).
class UnreadableDirFileSystem final : public FileSystem {
 public:
  explicit UnreadableDirFileSystem(std::string unreadable) : unreadable_(std::move(unreadable)) {}
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    return DefaultFileSystem()->NewWritableFile(path);
  }
  Result<std::unique_ptr<WritableFile>> OpenForOverwrite(const std::string& path) override {
    return DefaultFileSystem()->OpenForOverwrite(path);
  }
  Status ReadFile(const std::string& path, std::string* contents) override {
    return DefaultFileSystem()->ReadFile(path, contents);
  }
  Status ReadAt(const std::string& path, uint64_t offset, size_t length, std::string* out) override {
    return DefaultFileSystem()->ReadAt(path, offset, length, out);
  }
  Status Rename(const std::string& from, const std::string& to) override {
    return DefaultFileSystem()->Rename(from, to);
  }
  Status SyncDir(const std::string& path) override { return DefaultFileSystem()->SyncDir(path); }
  Status Remove(const std::string& path) override { return DefaultFileSystem()->Remove(path); }
  Status RemoveDir(const std::string& path) override { return DefaultFileSystem()->RemoveDir(path); }
  Status CreateDirs(const std::string& path) override { return DefaultFileSystem()->CreateDirs(path); }
  Status ListDir(const std::string& path, std::vector<DirEntry>* entries) override {
    if (path == unreadable_) {
      std::string message = "opendir ";
      message += path;
      message += ": Permission denied";
      return Status::IOError(message);
    }
    return DefaultFileSystem()->ListDir(path, entries);
  }

 private:
  const std::string unreadable_;
};

TEST(CatalogScan, UnreadablePartitionIsAnError) {
  TempDir dir;
  MakeDir(dir.path() + "/dt=2026-01-15/hour=01");
  WriteFile(dir.path() + "/dt=2026-01-15/hour=01/logs_20260115_010000_000001.parquet");
  for (const std::string& unreadable :
       {dir.path(), dir.path() + "/dt=2026-01-15", dir.path() + "/dt=2026-01-15/hour=01"}) {
    UnreadableDirFileSystem fs(unreadable);
    std::vector<Partition> partitions;
    const Status status = ScanStorage(&fs, dir.path(), &partitions);
    EXPECT_EQ(status.code(), Status::Code::kIOError) << unreadable;
    EXPECT_EQ(status.message(), "opendir " + unreadable + ": Permission denied");
  }
}

}  // namespace
}  // namespace catalog_test
}  // namespace logdaemon::storage

namespace logdaemon::storage {
namespace catalog_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

DataFile Part(uint64_t first, uint64_t last, uint32_t index, uint32_t count) {
  DataFile file;
  file.name = DataFileName(0, {first, last}, {index, count});
  file.parsed = *ParseDataFileName(file.name);
  file.path = "/x/" + file.name;
  return file;
}

TEST(CatalogParts, PartNamesRoundTripAndHostileOnesAreRefused) {
  std::string name = DataFileName(0, {1, 9}, {2, 3});
  EXPECT_EQ(name, "logs_19700101_000000_000001-000009_2of3.parquet");
  auto parsed = ParseDataFileName(name);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->range, (SequenceRange{1, 9}));
  EXPECT_EQ(parsed->part, (FilePart{2, 3}));
  EXPECT_EQ(ParseDataFileName("logs_19700101_000000_000001-000009.parquet")->part, FilePart{});
  for (const char* bad :
       {"logs_19700101_000000_000001-000009_0of3.parquet", "logs_19700101_000000_000001-000009_4of3.parquet",
        "logs_19700101_000000_000001-000009_1of1.parquet", "logs_19700101_000000_000001-000009_1of.parquet",
        "logs_19700101_000000_000001-000009_of3.parquet", "logs_19700101_000000_000001-000009_1of3x.parquet",
        "logs_19700101_000000_000001-000009_1Of3.parquet", "logs_19700101_000000_000001-000009_.parquet",
        "logs_19700101_000000_000001-000009_1of999999999999.parquet"}) {
    EXPECT_FALSE(ParseDataFileName(bad).has_value()) << bad;
  }
}

TEST(CatalogParts, ACompleteSetSupersedesItsInputsAndStaysVisible) {
  std::vector<DataFile> files = {File(1, 1), File(2, 2), File(3, 3), Part(1, 3, 1, 2), Part(1, 3, 2, 2)};
  std::vector<DataFile> visible, superseded, incomplete;
  SplitSuperseded(files, &visible, &superseded, &incomplete);
  ASSERT_EQ(visible.size(), 2u);
  EXPECT_EQ(visible[0].parsed.part.count, 2u);
  EXPECT_EQ(visible[1].parsed.part.count, 2u);
  EXPECT_EQ(superseded.size(), 3u);
  EXPECT_TRUE(incomplete.empty());
}

TEST(CatalogParts, AnIncompleteSetIsHiddenAndCoversNothing) {
  // A crash between the renames of parts 1 and 3 of 3: the inputs are still the truth.
  std::vector<DataFile> files = {File(1, 1), File(2, 2), File(3, 3), Part(1, 3, 1, 3), Part(1, 3, 3, 3)};
  std::vector<DataFile> visible, superseded, incomplete;
  SplitSuperseded(files, &visible, &superseded, &incomplete);
  EXPECT_EQ(Ranges(visible), (std::vector<SequenceRange>{{1, 1}, {2, 2}, {3, 3}}));
  EXPECT_TRUE(superseded.empty());
  EXPECT_EQ(incomplete.size(), 2u);
  // Without an `incomplete` list they count as superseded (hidden either way).
  SplitSuperseded(files, &visible, &superseded);
  EXPECT_EQ(visible.size(), 3u);
  EXPECT_EQ(superseded.size(), 2u);
}

TEST(CatalogParts, AWiderMergeSupersedesACompleteSet) {
  std::vector<DataFile> files = {Part(1, 3, 1, 2), Part(1, 3, 2, 2), File(4, 4), File(1, 4)};
  std::vector<DataFile> visible, superseded, incomplete;
  SplitSuperseded(files, &visible, &superseded, &incomplete);
  EXPECT_EQ(Ranges(visible), (std::vector<SequenceRange>{{1, 4}}));
  EXPECT_EQ(superseded.size(), 3u);
}

}  // namespace
}  // namespace catalog_test
}  // namespace logdaemon::storage
