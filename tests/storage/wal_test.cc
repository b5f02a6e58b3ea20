// The write-ahead log's pieces (DESIGN.md §1 step 4, §5 invariant 2): CRC-32C, the segment and record
// format and its torn tails, coverage, the stream writer (group commit, rolls, failures), the directory
// (trimming, markers) and recovery.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "storage/crc32c.h"
#include "storage/fault_fs.h"
#include "storage/wal.h"
#include "storage/wal_coverage.h"
#include "storage/wal_format.h"
#include "storage/wal_recovery.h"
#include "support/temp_dir.h"

namespace logdaemon::storage {
namespace wal_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using Op = FaultInjectingFileSystem::Op;

class TempDir : public testing_support::TempDir {
 public:
  TempDir() : testing_support::TempDir("logdaemon_wal") {}
};

uint32_t Crc(std::string_view s) {
  return Crc32c(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

// ---- CRC-32C --------------------------------------------------------------------------------------------

TEST(Crc32c, MatchesTheCheckValues) {
  // The standard check value, and RFC 3720 appendix B.4's vectors.
  EXPECT_EQ(Crc("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(Crc(std::string(32, '\xff')), 0x62A8AB43u);
  std::string ascending;
  for (int i = 0; i < 32; ++i) ascending += static_cast<char>(i);
  EXPECT_EQ(Crc(ascending), 0x46DD794Eu);
  EXPECT_EQ(Crc(""), 0u);
}

TEST(Crc32c, HardwareAndTablesAgreeAndExtendingEqualsOnePass) {
  std::mt19937 rng(7);
  std::string data(4099, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  const auto* bytes = reinterpret_cast<const uint8_t*>(data.data());
  for (size_t n : {0, 1, 7, 8, 9, 63, 64, 1000, 4099}) {
    for (size_t offset : {0, 1, 3}) {
      if (offset + n > data.size()) continue;
      EXPECT_EQ(Crc32c(bytes + offset, n), Crc32cPortable(0, bytes + offset, n)) << n << " at " << offset;
    }
    const size_t half = n / 2;
    EXPECT_EQ(Crc32cExtend(Crc32c(bytes, half), bytes + half, n - half), Crc32c(bytes, n)) << n;
  }
}

// ---- segment names and headers --------------------------------------------------------------------------

TEST(WalFormat, SegmentNamesRoundTripAndNothingElseParses) {
  EXPECT_EQ(WalSegmentFileName(3, 42), "00003-00000000000000000042.wal");
  auto parsed = ParseWalSegmentFileName("00003-00000000000000000042.wal");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->stream, 3u);
  EXPECT_EQ(parsed->first_lsn, 42u);
  EXPECT_EQ(ParseWalSegmentFileName(WalSegmentFileName(99999, UINT64_MAX))->first_lsn, UINT64_MAX);
  for (std::string_view bad :
       {"", "00003-00000000000000000042.wal.corrupt", "0003-00000000000000000042.wal",
        "00003_00000000000000000042.wal", "00003-0000000000000000004x.wal",
        "00003-00000000000000000000.wal" /* LSNs start at 1 */,
        "00003-99999999999999999999.wal" /* beyond 64 bits */, "+0003-00000000000000000042.wal",
        "00003-00000000000000000042.WAL", "logs_20260115_190000_000001.parquet"}) {
    EXPECT_FALSE(ParseWalSegmentFileName(bad).has_value()) << bad;
  }
}

TEST(WalFormat, HeaderRoundTripsAndEveryDamageIsCaught) {
  const std::string schema = R"({"type":"object"})";
  const std::string header = EncodeWalSegmentHeader(5, 1000, schema);
  EXPECT_EQ(header.size(), kWalSegmentHeaderFixedBytes + schema.size());
  auto decoded = DecodeWalSegmentHeader(header + "trailing records");
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->stream, 5u);
  EXPECT_EQ(decoded->first_lsn, 1000u);
  EXPECT_EQ(decoded->schema, schema);
  EXPECT_EQ(decoded->header_bytes, header.size());
  // Every single-byte change and every cut is refused, with a reason.
  for (size_t i = 0; i < header.size(); ++i) {
    std::string damaged = header;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x20);
    auto result = DecodeWalSegmentHeader(damaged);
    EXPECT_FALSE(result.ok()) << "byte " << i;
    if (!result.ok()) {
      EXPECT_EQ(result.status().code(), Status::Code::kCorruption);
      EXPECT_TRUE(result.status().message().starts_with("segment header: ")) << result.status().message();
    }
    EXPECT_FALSE(DecodeWalSegmentHeader(header.substr(0, i)).ok()) << "cut at " << i;
  }
  EXPECT_FALSE(DecodeWalSegmentHeader(std::string(4096, '\0')).ok());  // a preallocated, unwritten header
}

// ---- records and torn tails -------------------------------------------------------------------------------

std::string Records(uint64_t first_lsn, const std::vector<std::string>& payloads) {
  std::string out;
  for (size_t i = 0; i < payloads.size(); ++i) AppendWalRecord(first_lsn + i, payloads[i], &out);
  return out;
}

struct ReadResult {
  std::vector<std::pair<uint64_t, std::string>> records;
  bool torn = false;
  std::string reason;
  size_t end = 0;
};

ReadResult ReadAll(std::string_view bytes, uint64_t first_lsn) {
  ReadResult result;
  WalRecordReader reader(bytes, first_lsn);
  uint64_t lsn = 0;
  std::string_view payload;
  while (reader.Next(&lsn, &payload)) result.records.push_back({lsn, std::string(payload)});
  result.torn = reader.torn();
  result.reason = reader.torn_reason();
  result.end = reader.end_offset();
  return result;
}

TEST(WalRecords, RoundTripAndAZeroTailIsTheCleanEnd) {
  const std::vector<std::string> payloads = {R"({"a":1})", std::string(70000, 'x'), "{}"};
  std::string bytes = Records(7, payloads);
  const size_t written = bytes.size();
  bytes.append(1 << 12, '\0');  // the preallocated rest of the segment
  ReadResult result = ReadAll(bytes, 7);
  ASSERT_EQ(result.records.size(), 3u);
  EXPECT_FALSE(result.torn);
  EXPECT_EQ(result.end, written);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(result.records[i].first, 7 + i);
    EXPECT_EQ(result.records[i].second, payloads[i]);
  }
  // A file that ends exactly after a record, or a few zero bytes after it, ends cleanly too.
  EXPECT_FALSE(ReadAll(bytes.substr(0, written), 7).torn);
  EXPECT_FALSE(ReadAll(bytes.substr(0, written + 5), 7).torn);
}

TEST(WalRecords, EveryCutOfTheLastRecordIsATornTailAndKeepsTheOthers) {
  const std::string bytes = Records(1, {R"({"n":1})", R"({"n":2})", R"({"n":3,"pad":"xxxxxxxxxxxx"})"});
  const size_t third = Records(1, {R"({"n":1})", R"({"n":2})"}).size();
  for (size_t cut = third + 1; cut < bytes.size(); ++cut) {
    // A torn write followed by the preallocated zeros, or by the end of the file.
    for (const std::string& tail : {std::string(), std::string(64, '\0')}) {
      ReadResult result = ReadAll(bytes.substr(0, cut) + tail, 1);
      EXPECT_EQ(result.records.size(), 2u) << "cut at " << cut;
      EXPECT_TRUE(result.torn) << "cut at " << cut;
      EXPECT_EQ(result.end, third);
    }
  }
}

TEST(WalRecords, DamageAnywhereInARecordStopsTheReadThere) {
  const std::string bytes = Records(10, {R"({"n":1})", R"({"n":2})", R"({"n":3})"});
  const size_t second = Records(10, {R"({"n":1})"}).size();
  const size_t third = Records(10, {R"({"n":1})", R"({"n":2})"}).size();
  for (size_t i = second; i < third; ++i) {
    std::string damaged = bytes;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x01);
    ReadResult result = ReadAll(damaged, 10);
    EXPECT_EQ(result.records.size(), 1u) << "byte " << i;
    EXPECT_TRUE(result.torn) << "byte " << i;
    EXPECT_FALSE(result.reason.empty());
  }
}

TEST(WalRecords, AnLsnOutOfSequenceIsTorn) {
  std::string bytes = Records(1, {"{}"});
  AppendWalRecord(3, "{}", &bytes);  // 2 is missing
  ReadResult result = ReadAll(bytes, 1);
  EXPECT_EQ(result.records.size(), 1u);
  EXPECT_TRUE(result.torn);
  EXPECT_EQ(result.reason, "LSN 3 where 2 was due");
  EXPECT_TRUE(ReadAll(Records(5, {"{}"}), 4).torn);  // the segment's first record must be its first LSN
}

TEST(WalRecords, AHostileLengthIsATornTailNotARead) {
  std::string bytes = Records(1, {"{}"});
  std::string hostile = "\xff\xff\xff\x7f" + std::string(12, '\x01');
  ReadResult result = ReadAll(bytes + hostile, 1);
  EXPECT_EQ(result.records.size(), 1u);
  EXPECT_TRUE(result.torn);
  EXPECT_NE(result.reason.find("past the end"), std::string::npos) << result.reason;
}

// ---- coverage
// -------------------------------------------------------------------------------------------------

TEST(WalCoverage, RangesCoalesceAndEncodeReadably) {
  WalCoverage c;
  for (uint64_t lsn : {1, 2, 3, 5, 6, 10}) c.Add(0, lsn);
  c.AddAll(2, {7, 8, 9});
  EXPECT_EQ(c.Encode(), "0:1-3,5-6,10;2:7-9");
  EXPECT_TRUE(c.Covers(0, 2));
  EXPECT_FALSE(c.Covers(0, 4));
  EXPECT_TRUE(c.Covers(0, 10));
  EXPECT_FALSE(c.Covers(0, 11));
  EXPECT_FALSE(c.Covers(1, 1));
  EXPECT_EQ(c.MinLsn(0), 1u);
  EXPECT_EQ(c.MaxLsn(0), 10u);
  EXPECT_EQ(c.MaxLsn(9), 0u);
  c.Add(0, 4);  // fills the gap
  EXPECT_EQ(c.Encode(), "0:1-6,10;2:7-9");
}

TEST(WalCoverage, MergeIsTheUnionInAnyOrder) {
  WalCoverage a = *WalCoverage::Decode("0:1-10,20-30;1:5");
  WalCoverage b = *WalCoverage::Decode("0:11-19,40;1:1-4");
  WalCoverage ab = a;
  ab.Merge(b);
  WalCoverage ba = b;
  ba.Merge(a);
  EXPECT_EQ(ab.Encode(), "0:1-30,40;1:1-5");
  EXPECT_EQ(ab, ba);
}

TEST(WalCoverage, DecodeRoundTripsAndRefusesHostileText) {
  for (std::string_view text : {"0:1", "0:1-3,5-6,10;2:7-9", "4294967295:18446744073709551615"}) {
    auto decoded = WalCoverage::Decode(text);
    ASSERT_TRUE(decoded.ok()) << text << ": " << decoded.status().ToString();
    EXPECT_EQ(decoded->Encode(), text);
  }
  EXPECT_TRUE(WalCoverage::Decode("")->empty());
  EXPECT_EQ(WalCoverage::Decode("0:5-6,1-2,3-4")->Encode(), "0:1-6");  // normalised
  for (std::string_view bad : {"x", "0", "0:", "0:-1", "0:3-1", "0:1,", "0:1;", ":1", "0:1-", "0:1;1",
                               "4294967296:1", "0:18446744073709551616", "0:1 ", "0:1-2-3"}) {
    auto decoded = WalCoverage::Decode(bad);
    EXPECT_FALSE(decoded.ok()) << bad;
    if (!decoded.ok()) {
      EXPECT_NE(decoded.status().message().find("write-ahead log coverage"), std::string::npos);
    }
  }
}

// ---- streams, the directory, recovery -------------------------------------------------------------------

constexpr std::string_view kSchema = R"({"type":"object"})";

std::vector<std::string> SegmentNames(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

// Recovers `dir` with every record treated as not stored, or as stored when `stored` covers it.
struct Recovered {
  Status status;
  WalRecoveryStats stats;
  std::vector<std::string> replayed;  // "<stream>:<lsn>=<payload>"
  std::vector<std::string> reports;
};

Recovered Recover(WalDirectory* dir, const WalCoverage& stored = WalCoverage()) {
  Recovered out;
  WalRecoveryCallbacks callbacks;
  callbacks.coverage = [&]() -> Result<WalCoverage> { return stored; };
  callbacks.replay = [&](uint32_t stream, uint64_t lsn, std::string_view payload) {
    out.replayed.push_back(std::to_string(stream) + ":" + std::to_string(lsn) + "=" + std::string(payload));
    return Status::OK();
  };
  callbacks.report = [&](const std::string& line) { out.reports.push_back(line); };
  out.status = RecoverWal(dir, callbacks, &out.stats);
  return out;
}

TEST(WalStream, GroupCommitThenRecoveryReplaysEveryRecordInOrder) {
  TempDir tmp;
  FaultInjectingFileSystem fs;
  WalCounters counters;
  {
    WalDirectory dir(&fs, tmp.path(), std::string(kSchema), 1 << 20);
    WalStream stream(&dir, &counters);
    EXPECT_EQ(stream.stream(), 0u);
    for (int i = 1; i <= 3; ++i) EXPECT_EQ(*stream.Add(R"({"i":)" + std::to_string(i) + "}"), uint64_t(i));
    EXPECT_EQ(stream.group_records(), 3u);
    ASSERT_TRUE(stream.Commit().ok());
    EXPECT_EQ(*stream.Add(R"({"i":4})"), 4u);
    ASSERT_TRUE(stream.Commit().ok());
    ASSERT_TRUE(stream.Commit().ok());  // an empty group costs nothing
  }
  EXPECT_EQ(counters.commits.load(), 2u);
  EXPECT_EQ(counters.records.load(), 4u);
  EXPECT_EQ(counters.syncs.load(), 3u);  // two fdatasyncs, and the directory once for the new segment
  EXPECT_EQ(SegmentNames(tmp.path()), std::vector<std::string>{"00000-00000000000000000001.wal"});
  // The segment was preallocated: it takes its full size.
  EXPECT_EQ(std::filesystem::file_size(tmp.Sub("00000-00000000000000000001.wal")), uint64_t{1} << 20);

  WalDirectory again(&fs, tmp.path(), std::string(kSchema), 1 << 20);
  Recovered r = Recover(&again);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.replayed, (std::vector<std::string>{R"(0:1={"i":1})", R"(0:2={"i":2})", R"(0:3={"i":3})",
                                                  R"(0:4={"i":4})"}));
  EXPECT_EQ(r.stats.torn_tails, 0u);
  // The stream goes on after the last LSN, in a new segment.
  WalStream next(&again, nullptr);
  EXPECT_EQ(*next.Add("{}"), 5u);
}

TEST(WalStream, RecordsStoredAreNotReplayedAndTheirSegmentsGoWithAMarkerLeft) {
  TempDir tmp;
  FaultInjectingFileSystem fs;
  {
    WalDirectory dir(&fs, tmp.path(), std::string(kSchema), 4096);  // small: rolls every few records
    WalStream stream(&dir, nullptr);
    for (int i = 0; i < 40; ++i) {
      ASSERT_TRUE(stream.Add(R"({"message":")" + std::string(300, 'a' + i % 26) + "\"}").ok());
      if (i % 3 == 2) {
        ASSERT_TRUE(stream.Commit().ok());
      }
    }
    ASSERT_TRUE(stream.Commit().ok());
    EXPECT_GT(dir.segment_count(), 3u);
  }
  WalDirectory dir(&fs, tmp.path(), std::string(kSchema), 4096);
  Recovered r = Recover(&dir, *WalCoverage::Decode("0:1-30,35"));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.replayed.size(), 9u);  // 31..34 and 36..40
  EXPECT_TRUE(r.replayed.front().starts_with("0:31="));
  EXPECT_TRUE(r.replayed.back().starts_with("0:40="));
  EXPECT_EQ(r.stats.covered, 31u);
  // Only segments holding a record from 31 on stay (they are removed once the replayed rows are stored).
  for (const WalDirectory::Segment& segment : dir.Segments()) {
    EXPECT_GE(segment.last_lsn, 31u) << segment.first_lsn;
  }
  // Once everything is stored, the newest segment is replaced by an empty marker naming LSN 41; two of
  // the trimmed segments stay as spares, the rest are gone.
  ASSERT_TRUE(dir.Trim({{0, 40}}).ok());
  std::vector<std::string> names = SegmentNames(tmp.path());
  ASSERT_EQ(names.size(), 1 + WalDirectory::kSparesPerStream);
  EXPECT_EQ(names.front(), "00000-00000000000000000001.spare");
  EXPECT_TRUE(names[1].ends_with(".spare")) << names[1];
  EXPECT_EQ(names.back(), "00000-00000000000000000041.wal");
  EXPECT_EQ(dir.spare_count(), WalDirectory::kSparesPerStream);
  Recovered after = Recover(&dir);
  EXPECT_TRUE(after.replayed.empty());
  uint64_t next = 0;
  dir.AcquireStream(&next);
  EXPECT_EQ(next, 42u);  // LSNs never repeat, although every record is gone; nor does a segment's name
}

// Adds `count` records of 300 bytes from LSN `first` on, committing every three.
void AddRecords(WalStream* stream, uint64_t first, int count, char fill) {
  for (int i = 0; i < count; ++i) {
    Result<uint64_t> lsn = stream->Add(R"({"message":")" + std::string(300, fill) + "\"}");
    ASSERT_TRUE(lsn.ok()) << lsn.status().ToString();
    EXPECT_EQ(*lsn, first + static_cast<uint64_t>(i));
    if (i % 3 == 2) {
      ASSERT_TRUE(stream->Commit().ok());
    }
  }
  ASSERT_TRUE(stream->Commit().ok());
}

TEST(WalStream, TrimmedSegmentsAreRecycledAndTheirOldRecordsNeverReadBack) {
  TempDir tmp;
  FaultInjectingFileSystem fs;
  constexpr uint64_t kSegment = 4096;  // 12 records of 316 bytes
  WalCounters counters;
  {
    WalDirectory dir(&fs, tmp.path(), std::string(kSchema), kSegment);
    WalStream stream(&dir, &counters);
    AddRecords(&stream, 1, 40, 'a');  // 4 segments: 1-12, 13-24, 25-36, 37-
    ASSERT_TRUE(dir.Trim({{0, 36}}).ok());
    EXPECT_EQ(dir.spare_count(), 2u);
    EXPECT_EQ(dir.Segments().size(), 1u);  // the third segment was removed: two spares are enough
    // The next two segments are the spares, written over in place.
    AddRecords(&stream, 41, 23, 'b');  // up to 63: the 4th segment ends at 48, then 49-60, 61-
    EXPECT_EQ(dir.recycled_segments(), 2u);
    EXPECT_EQ(dir.spare_count(), 0u);
    const std::vector<std::string> expected = {
        "00000-00000000000000000037.wal", "00000-00000000000000000049.wal", "00000-00000000000000000061.wal"};
    EXPECT_EQ(SegmentNames(tmp.path()), expected);
  }
  // The last segment holds 3 new records and then the old segment's records from the 4th on: only the
  // clean end written after each group stops the reading there.
  std::string recycled;
  ASSERT_TRUE(fs.ReadFile(tmp.Sub("00000-00000000000000000061.wal"), &recycled).ok());
  EXPECT_EQ(recycled.size(), kSegment);
  EXPECT_NE(recycled.find(std::string(300, 'a')), std::string::npos) << "no old record left to test against";
  WalDirectory again(&fs, tmp.path(), std::string(kSchema), kSegment);
  Recovered r = Recover(&again, *WalCoverage::Decode("0:1-36"));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.stats.torn_tails, 0u);
  ASSERT_EQ(r.replayed.size(), 27u);  // 37..63, each once
  EXPECT_TRUE(r.replayed.front().starts_with("0:37="));
  EXPECT_TRUE(r.replayed[4].starts_with("0:41=")) << r.replayed[4];
  EXPECT_NE(r.replayed[4].find(std::string(300, 'b')), std::string::npos);
  EXPECT_TRUE(r.replayed.back().starts_with("0:63="));
  for (size_t i = 4; i < r.replayed.size(); ++i) {
    EXPECT_EQ(r.replayed[i].find(std::string(300, 'a')), std::string::npos) << r.replayed[i];
  }
}

TEST(WalStream, APowerCutInARecycledSegmentLeavesTheLastDurableGroupAndNothingOld) {
  TempDir tmp;
  constexpr uint64_t kSegment = 4096;
  {
    FaultInjectingFileSystem fs;
    WalDirectory dir(&fs, tmp.path(), std::string(kSchema), kSegment);
    WalStream stream(&dir, nullptr);
    AddRecords(&stream, 1, 30, 'a');  // segments 1-12, 13-24, 25-
    ASSERT_TRUE(dir.Trim({{0, 24}}).ok());
    ASSERT_EQ(dir.spare_count(), 2u);
    AddRecords(&stream, 31, 9, 'b');  // 25-36 fills up; 37-39 go to a recycled segment
    ASSERT_EQ(dir.recycled_segments(), 1u);
    // A group written over the old records, never made durable: the cut puts the old bytes back.
    ASSERT_TRUE(stream.Add(R"({"message":"lost"})").ok());
    ASSERT_TRUE(stream.Add(R"({"message":"lost too"})").ok());
    fs.FailNext(Op::kSync, EIO);
    EXPECT_FALSE(stream.Commit().ok());
    ASSERT_TRUE(fs.PowerCut().ok());
  }
  FaultInjectingFileSystem fs;  // the reboot
  WalDirectory again(&fs, tmp.path(), std::string(kSchema), kSegment);
  Recovered r = Recover(&again, *WalCoverage::Decode("0:1-24"));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.stats.torn_tails, 0u);
  ASSERT_EQ(r.replayed.size(), 15u);  // 25..39: every acknowledged record, none of the failed group
  EXPECT_TRUE(r.replayed.back().starts_with("0:39=")) << r.replayed.back();
  EXPECT_EQ(again.spare_count(), 1u);  // the other spare, found at start and kept
}

TEST(WalDirectory, SparesFoundAtStartAreKeptUpToTheCapAndOnlyAtTheSegmentSize) {
  TempDir tmp;
  FaultInjectingFileSystem fs;
  auto make = [&](const std::string& name, uint64_t bytes) {
    std::filesystem::resize_file(tmp.Sub(name), bytes);
  };
  for (const char* name : {"00000-00000000000000000001.spare", "00000-00000000000000000013.spare",
                           "00000-00000000000000000025.spare", "00001-00000000000000000001.spare",
                           "00001-00000000000000000013.spare"}) {
    std::ofstream(tmp.Sub(name)).put('x');
  }
  make("00000-00000000000000000001.spare", 4096);
  make("00000-00000000000000000013.spare", 4096);
  make("00000-00000000000000000025.spare", 4096);  // one more than a stream keeps
  make("00001-00000000000000000001.spare", 4096);
  make("00001-00000000000000000013.spare", 8192);  // made with another --wal-segment-mb
  WalDirectory dir(&fs, tmp.path(), std::string(kSchema), 4096);
  Recovered r = Recover(&dir);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(dir.spare_count(), 3u);
  EXPECT_EQ(SegmentNames(tmp.path()).size(), 3u);
  EXPECT_EQ(r.stats.torn_tails, 0u);
  EXPECT_TRUE(r.reports.empty());
  // A segment made from a spare holding junk: its header and the clean end are written over it.
  WalStream stream(&dir, nullptr);
  EXPECT_EQ(*stream.Add("{}"), 1u);
  ASSERT_TRUE(stream.Commit().ok());
  EXPECT_EQ(dir.recycled_segments(), 1u);
  WalDirectory again(&fs, tmp.path(), std::string(kSchema), 4096);
  Recovered after = Recover(&again);
  ASSERT_TRUE(after.status.ok()) << after.status.ToString();
  EXPECT_EQ(after.replayed, std::vector<std::string>{"0:1={}"});
  EXPECT_EQ(after.stats.torn_tails, 0u);
}

TEST(WalStream, AStreamInUseKeepsItsNewestSegment) {
  TempDir tmp;
  FaultInjectingFileSystem fs;
  WalDirectory dir(&fs, tmp.path(), std::string(kSchema), 4096);
  WalStream stream(&dir, nullptr);
  ASSERT_TRUE(stream.Add("{}").ok());
  ASSERT_TRUE(stream.Commit().ok());
  ASSERT_TRUE(dir.Trim({{0, 1}}).ok());  // record 1 is stored, but the segment is still being written
  EXPECT_EQ(SegmentNames(tmp.path()), std::vector<std::string>{"00000-00000000000000000001.wal"});
}

TEST(WalStream, AFailedSyncRefusesTheGroupAndTheNextRecordStartsANewSegment) {
  TempDir tmp;
  FaultInjectingFileSystem fs;
  WalCounters counters;
  WalDirectory dir(&fs, tmp.path(), std::string(kSchema), 1 << 16);
  WalStream stream(&dir, &counters);
  ASSERT_TRUE(stream.Add(R"({"n":1})").ok());
  ASSERT_TRUE(stream.Commit().ok());
  ASSERT_TRUE(stream.Add(R"({"n":2})").ok());
  fs.FailNext(Op::kSync, EIO);
  Status st = stream.Commit();
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("fdatasync"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("Input/output error"), std::string::npos) << st.ToString();
  EXPECT_EQ(counters.failed_commits.load(), 1u);
  // The next record goes to a new segment and never reuses LSN 2.
  EXPECT_EQ(*stream.Add(R"({"n":3})"), 3u);
  ASSERT_TRUE(stream.Commit().ok());
  EXPECT_EQ(SegmentNames(tmp.path()),
            (std::vector<std::string>{"00000-00000000000000000001.wal", "00000-00000000000000000003.wal"}));
}

TEST(WalStream, AFullDiskRefusesTheRecordWithTheReason) {
  TempDir tmp;
  FaultInjectingFileSystem fs;
  WalDirectory dir(&fs, tmp.path(), std::string(kSchema), 1 << 16);
  fs.SetCapacity(1 << 15);  // less than one segment
  WalStream stream(&dir, nullptr);
  Result<uint64_t> lsn = stream.Add("{}");
  ASSERT_FALSE(lsn.ok());
  EXPECT_EQ(lsn.status().code(), Status::Code::kUnavailable);
  EXPECT_TRUE(lsn.status().message().starts_with("storage unavailable: fallocate "))
      << lsn.status().ToString();
  EXPECT_NE(lsn.status().message().find("No space left on device"), std::string::npos);
  EXPECT_TRUE(SegmentNames(tmp.path()).empty());  // the half-made segment is gone
  fs.SetCapacity(0);                              // room again
  EXPECT_EQ(*stream.Add("{}"), 1u);
  EXPECT_TRUE(stream.Commit().ok());
}

TEST(WalStream, AFailedWriteRefusesTheWholeGroupAcrossARoll) {
  TempDir tmp;
  FaultInjectingFileSystem fs;
  WalDirectory dir(&fs, tmp.path(), std::string(kSchema), 1024);
  WalStream stream(&dir, nullptr);
  ASSERT_TRUE(stream.Add(std::string(400, ' ') + "{}").ok());
  ASSERT_TRUE(stream.Add(std::string(400, ' ') + "{}").ok());
  ASSERT_TRUE(stream.Add(std::string(400, ' ') + "{}").ok());  // rolls: the group spans two segments
  fs.FailNext(Op::kWrite, EIO);  // the old segment's part, written by the sync thread
  EXPECT_FALSE(stream.Commit().ok());
  // The next record starts a third segment, after the refused LSNs.
  EXPECT_EQ(*stream.Add("{}"), 4u);
  EXPECT_TRUE(stream.Commit().ok());
}

TEST(WalStream, TheNextGroupFormsWhileOneIsInFlight) {
  TempDir tmp;
  FaultInjectingFileSystem fs;
  WalDirectory dir(&fs, tmp.path(), std::string(kSchema), 1 << 16);
  WalStream stream(&dir, nullptr);
  std::atomic<int> notified{0};
  stream.set_notify([&] { ++notified; });
  ASSERT_TRUE(stream.Add(R"({"g":1})").ok());
  stream.Seal();
  EXPECT_TRUE(stream.in_flight());
  ASSERT_TRUE(stream.Add(R"({"g":2})").ok());  // forms meanwhile
  EXPECT_EQ(stream.group_records(), 1u);
  EXPECT_TRUE(stream.Wait().ok());
  EXPECT_FALSE(stream.in_flight());
  // The callback runs on the sync thread just after the group is marked done (so that the loop it wakes
  // finds it done): wait for it, then it has run exactly once per group.
  auto notified_at_least = [&](int n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (notified.load() < n && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    return notified.load();
  };
  EXPECT_EQ(notified_at_least(1), 1);
  Status status;
  EXPECT_FALSE(stream.Poll(&status));  // nothing in flight
  stream.Seal();
  while (!stream.Poll(&status)) std::this_thread::yield();
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(notified_at_least(2), 2);
}

TEST(WalStream, AFailedGroupRefusesTheOneFormingBehindIt) {
  TempDir tmp;
  FaultInjectingFileSystem fs;
  WalCounters counters;
  WalDirectory dir(&fs, tmp.path(), std::string(kSchema), 1 << 16);
  WalStream stream(&dir, &counters);
  ASSERT_TRUE(stream.Add(R"({"g":1})").ok());
  ASSERT_TRUE(stream.Commit().ok());
  fs.FailNext(Op::kSync, EIO);
  ASSERT_TRUE(stream.Add(R"({"g":2})").ok());
  stream.Seal();
  ASSERT_TRUE(stream.Add(R"({"g":3})").ok());  // behind the group that will fail
  EXPECT_FALSE(stream.Wait().ok());
  EXPECT_EQ(stream.group_records(), 0u);  // dropped with it
  EXPECT_EQ(*stream.Add(R"({"g":4})"), 4u);
  ASSERT_TRUE(stream.Commit().ok());
  EXPECT_EQ(counters.records.load(), 2u);  // g1 and g4
  WalDirectory again(&fs, tmp.path(), std::string(kSchema), 1 << 16);
  Recovered r = Recover(&again);
  // g2 may be on disk (its write succeeded, its sync did not): never acknowledged, but logged. g3 never
  // reached the disk.
  for (const std::string& replayed : r.replayed) EXPECT_EQ(replayed.find("\"g\":3"), std::string::npos);
  EXPECT_NE(std::find(r.replayed.begin(), r.replayed.end(), R"(0:4={"g":4})"), r.replayed.end());
}

TEST(WalStream, TwoGroupsInFlightFinishInOrder) {
  TempDir tmp;
  FaultInjectingFileSystem fs;
  WalCounters counters;
  WalDirectory dir(&fs, tmp.path(), std::string(kSchema), 1 << 16);
  WalStream stream(&dir, &counters);
  ASSERT_TRUE(stream.Add(R"({"g":1})").ok());
  stream.Seal();
  ASSERT_TRUE(stream.Add(R"({"g":2})").ok());
  ASSERT_TRUE(stream.Add(R"({"g":2})").ok());
  EXPECT_TRUE(stream.can_seal());
  stream.Seal();  // sealed behind the first, which may still be syncing
  EXPECT_FALSE(stream.can_seal());
  ASSERT_TRUE(stream.Add(R"({"g":3})").ok());
  stream.Seal();  // a no-op: two are in flight
  EXPECT_EQ(stream.group_records(), 1u);
  Status status;
  while (!stream.Poll(&status)) std::this_thread::yield();
  EXPECT_TRUE(status.ok());
  EXPECT_TRUE(stream.in_flight());
  EXPECT_TRUE(stream.can_seal());
  EXPECT_TRUE(stream.Wait().ok());
  EXPECT_FALSE(stream.in_flight());
  ASSERT_TRUE(stream.Commit().ok());
  EXPECT_EQ(counters.commits.load(), 3u);
  EXPECT_EQ(counters.records.load(), 4u);
}

TEST(WalStream, AFailedGroupRefusesTheGroupSealedBehindItUnwritten) {
  TempDir tmp;
  FaultInjectingFileSystem fs;
  WalCounters counters;
  WalDirectory dir(&fs, tmp.path(), std::string(kSchema), 1 << 16);
  WalStream stream(&dir, &counters);
  ASSERT_TRUE(stream.Add(R"({"g":1})").ok());
  ASSERT_TRUE(stream.Commit().ok());
  fs.FailNext(Op::kWrite, EIO, 1);  // the next group's write: nothing of it reaches the file
  ASSERT_TRUE(stream.Add(R"({"g":2})").ok());
  stream.Seal();
  ASSERT_TRUE(stream.Add(R"({"g":3})").ok());
  stream.Seal();                               // behind the group that will fail
  ASSERT_TRUE(stream.Add(R"({"g":4})").ok());  // forming behind both
  const Status first = stream.Wait();
  EXPECT_FALSE(first.ok());
  EXPECT_EQ(stream.group_records(), 0u);  // the forming group went with it
  const Status second = stream.Wait();    // refused with the same reason, never written
  EXPECT_FALSE(second.ok());
  EXPECT_EQ(second.message(), first.message());
  EXPECT_FALSE(stream.in_flight());
  EXPECT_EQ(counters.failed_commits.load(), 2u);
  // The stream goes on in a new segment, after the refused LSNs; what follows is written again.
  EXPECT_EQ(*stream.Add(R"({"g":5})"), 5u);
  ASSERT_TRUE(stream.Commit().ok());
  WalDirectory again(&fs, tmp.path(), std::string(kSchema), 1 << 16);
  Recovered r = Recover(&again);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.replayed, (std::vector<std::string>{R"(0:1={"g":1})", R"(0:5={"g":5})"}));
}

// A segment with a torn tail: the records before the tear are replayed, the tear is reported and counted.
TEST(WalRecovery, ATornTailIsCutCountedAndReported) {
  TempDir tmp;
  FaultInjectingFileSystem fs;
  {
    WalDirectory dir(&fs, tmp.path(), std::string(kSchema), 1 << 16);
    WalStream stream(&dir, nullptr);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(stream.Add(R"({"n":)" + std::to_string(i) + "}").ok());
    ASSERT_TRUE(stream.Commit().ok());
  }
  const std::string path = tmp.Sub("00000-00000000000000000001.wal");
  // A group commit that died half way: a record header and half its payload, where zeros were.
  std::string torn;
  AppendWalRecord(4, R"({"n":"never acknowledged"})", &torn);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    const size_t end = EncodeWalSegmentHeader(0, 1, kSchema).size() +
                       Records(1, {R"({"n":0})", R"({"n":1})", R"({"n":2})"}).size();
    f.seekp(static_cast<std::streamoff>(end));
    f.write(torn.data(), static_cast<std::streamsize>(torn.size() / 2));
  }
  WalDirectory dir(&fs, tmp.path(), std::string(kSchema), 1 << 16);
  Recovered r = Recover(&dir);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.replayed.size(), 3u);
  EXPECT_EQ(r.stats.torn_tails, 1u);
  ASSERT_FALSE(r.reports.empty());
  EXPECT_NE(r.reports[0].find("cut at byte"), std::string::npos) << r.reports[0];
  EXPECT_NE(r.reports[0].find("never acknowledged"), std::string::npos) << r.reports[0];
  // The stream goes on at LSN 4: the torn record's number was never acknowledged to anyone.
  uint64_t next = 0;
  dir.AcquireStream(&next);
  EXPECT_EQ(next, 4u);
}

TEST(WalRecovery, AnUnreadableHeaderIsSetAsideNotDeleted) {
  TempDir tmp;
  FaultInjectingFileSystem fs;
  std::ofstream(tmp.Sub("00002-00000000000000000007.wal"), std::ios::binary) << std::string(64, '\0');
  std::ofstream(tmp.Sub("not-a-segment.txt")) << "left alone";
  WalDirectory dir(&fs, tmp.path(), std::string(kSchema), 1 << 16);
  Recovered r = Recover(&dir);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.stats.torn_tails, 1u);
  EXPECT_EQ(SegmentNames(tmp.path()),
            (std::vector<std::string>{"00002-00000000000000000007.wal.corrupt", "not-a-segment.txt"}));
  ASSERT_EQ(r.reports.size(), 1u);
  EXPECT_NE(r.reports[0].find("set aside"), std::string::npos) << r.reports[0];
}

TEST(WalRecovery, RecordsOfAnotherSchemaNotYetStoredStopTheStartWithWhatToDo) {
  TempDir tmp;
  FaultInjectingFileSystem fs;
  {
    WalDirectory dir(&fs, tmp.path(), R"({"type":"object","required":["old"]})", 1 << 16);
    WalStream stream(&dir, nullptr);
    ASSERT_TRUE(stream.Add(R"({"old":1})").ok());
    ASSERT_TRUE(stream.Add(R"({"old":2})").ok());
    ASSERT_TRUE(stream.Commit().ok());
  }
  {
    WalDirectory dir(&fs, tmp.path(), std::string(kSchema), 1 << 16);
    Recovered r = Recover(&dir);
    ASSERT_FALSE(r.status.ok());
    EXPECT_TRUE(r.replayed.empty());  // nothing half done
    const std::string& message = r.status.message();
    EXPECT_NE(message.find("holds 2 acknowledged logs"), std::string::npos) << message;
    EXPECT_NE(message.find("different schema"), std::string::npos) << message;
    EXPECT_NE(message.find("--schema"), std::string::npos) << message;
  }
  // Once they are stored (in files that cover them), another schema may start.
  WalDirectory dir(&fs, tmp.path(), std::string(kSchema), 1 << 16);
  Recovered r = Recover(&dir, *WalCoverage::Decode("0:1-2"));
  EXPECT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_TRUE(r.replayed.empty());
}

}  // namespace
}  // namespace wal_test
}  // namespace logdaemon::storage
