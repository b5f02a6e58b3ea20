// Process metrics from /proc: each rule of proc(5) that the parser relies on, fed fixture text (a comm with
// spaces and parentheses among them), then the live values of this test process.
#include "metrics/process_metrics.h"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>

namespace logdaemon::metrics {
namespace process_metrics_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

// A /proc/self/stat line as the kernel writes it, with the fields the parser reads set: utime (14),
// stime (15), starttime (22), vsize (23), rss (24). The others are typical values; tpgid (8) is -1, as it
// is for a daemon without a terminal.
std::string StatLine(std::string_view comm, uint64_t utime, uint64_t stime, uint64_t starttime,
                     uint64_t vsize, uint64_t rss) {
  return "1234 (" + std::string(comm) + ") S 1 1234 1234 0 -1 4194560 2310 0 0 0 " + std::to_string(utime) +
         " " + std::to_string(stime) + " 0 0 20 0 4 0 " + std::to_string(starttime) + " " +
         std::to_string(vsize) + " " + std::to_string(rss) +
         " 18446744073709551615 94557302947840 94557303988229 140726120818704 0 0 0 0 4096 16387 0 0 0 17 1 "
         "0 0 0 0 0 94557304451568 94557304476944 94557333807104 140726120823399 140726120823439 "
         "140726120823439 140726120824793 0\n";
}

constexpr std::string_view kSystemStat =
    "cpu  2255 34 2290 22625563 6290 127 456 0 0 0\n"
    "cpu0 1132 34 1441 11311718 3675 113 341 0 0 0\n"
    "cpu1 1123 0 849 11313845 2615 14 115 0 0 0\n"
    "intr 114930548 113199788 3 0 5 263 0 4 0 1 0 0 0 0 0 0 0\n"
    "ctxt 1990473\n"
    "btime 1700000000\n"
    "processes 2915\n"
    "procs_running 1\n"
    "procs_blocked 0\n"
    "softirq 1284210 0 435263 0 6434 56380 0 25 412291 0 373817\n";

std::string Limits(std::string_view soft_open_files) {
  std::string soft(soft_open_files);
  soft.resize(21, ' ');
  return "Limit                     Soft Limit           Hard Limit           Units     \n"
         "Max cpu time              unlimited            unlimited            seconds   \n"
         "Max file size             unlimited            unlimited            bytes     \n"
         "Max processes             96367                96367                processes \n"
         "Max open files            " +
         soft +
         "524288               files     \n"
         "Max locked memory         8388608              8388608              bytes     \n"
         "Max realtime timeout      unlimited            unlimited            us        \n";
}

struct Fixture {
  std::string self_stat = StatLine("logdaemon", 150, 75, 500, 104857600, 2560);
  std::string system_stat{kSystemStat};
  std::string self_limits = Limits("1024");

  ProcSnapshot Snapshot() const {
    return {.self_stat = self_stat,
            .system_stat = system_stat,
            .self_limits = self_limits,
            .open_fds = 12,
            .clock_ticks_per_second = 100,
            .page_size = 4096};
  }
};

// ---- Parsing ---------------------------------------------------------------------------------------------

TEST(ParseProcessMetrics, EveryValueFromItsField) {
  const Fixture fixture;
  const Result<ProcessMetrics> metrics = ParseProcessMetrics(fixture.Snapshot());
  ASSERT_TRUE(metrics.ok()) << metrics.status().ToString();
  EXPECT_DOUBLE_EQ(metrics->cpu_seconds, 2.25);                 // (150 + 75) / 100
  EXPECT_EQ(metrics->resident_memory_bytes, 2560u * 4096u);     // pages × page size
  EXPECT_EQ(metrics->virtual_memory_bytes, 104857600u);         // already bytes
  EXPECT_EQ(metrics->open_fds, 12u);                            // as counted by the caller
  EXPECT_EQ(metrics->max_fds, 1024u);                           // the soft limit, not the hard one
  EXPECT_DOUBLE_EQ(metrics->start_time_seconds, 1700000005.0);  // btime + 500 / 100
}

TEST(ParseProcessMetrics, CommWithSpacesAndParenthesesEndsAtTheLastParenthesis) {
  Fixture fixture;
  fixture.self_stat = StatLine("my (weird) name", 150, 75, 500, 104857600, 2560);
  const Result<ProcessMetrics> metrics = ParseProcessMetrics(fixture.Snapshot());
  ASSERT_TRUE(metrics.ok()) << metrics.status().ToString();
  EXPECT_DOUBLE_EQ(metrics->cpu_seconds, 2.25);
  EXPECT_EQ(metrics->resident_memory_bytes, 2560u * 4096u);
  EXPECT_EQ(metrics->virtual_memory_bytes, 104857600u);
  EXPECT_DOUBLE_EQ(metrics->start_time_seconds, 1700000005.0);
}

TEST(ParseProcessMetrics, CommThatLooksLikeFieldsIsNotReadAsFields) {
  Fixture fixture;
  // A name may hold ") R 7 8 9 " itself: only the last ')' ends it.
  fixture.self_stat = StatLine("x) R 7 8 9 (", 150, 75, 500, 104857600, 2560);
  const Result<ProcessMetrics> metrics = ParseProcessMetrics(fixture.Snapshot());
  ASSERT_TRUE(metrics.ok()) << metrics.status().ToString();
  EXPECT_DOUBLE_EQ(metrics->cpu_seconds, 2.25);
  EXPECT_EQ(metrics->resident_memory_bytes, 2560u * 4096u);
  EXPECT_DOUBLE_EQ(metrics->start_time_seconds, 1700000005.0);
}

TEST(ParseProcessMetrics, ClockTicksAndPageSizeAreTheSnapshots) {
  Fixture fixture;
  ProcSnapshot snapshot = fixture.Snapshot();
  snapshot.clock_ticks_per_second = 250;
  snapshot.page_size = 16384;
  const Result<ProcessMetrics> metrics = ParseProcessMetrics(snapshot);
  ASSERT_TRUE(metrics.ok()) << metrics.status().ToString();
  EXPECT_DOUBLE_EQ(metrics->cpu_seconds, 0.9);  // 225 / 250
  EXPECT_EQ(metrics->resident_memory_bytes, 2560u * 16384u);
  EXPECT_DOUBLE_EQ(metrics->start_time_seconds, 1700000002.0);  // btime + 500 / 250
}

TEST(ParseProcessMetrics, UnlimitedOpenFilesIsTheLargestValue) {
  Fixture fixture;
  fixture.self_limits = Limits("unlimited");
  const Result<ProcessMetrics> metrics = ParseProcessMetrics(fixture.Snapshot());
  ASSERT_TRUE(metrics.ok()) << metrics.status().ToString();
  EXPECT_EQ(metrics->max_fds, std::numeric_limits<uint64_t>::max());
}

TEST(ParseProcessMetrics, StatWithoutCommIsCorruption) {
  Fixture fixture;
  fixture.self_stat = "1234 S 1 1234 1234 0 -1 4194560 2310 0 0 0 150 75 0 0 20 0 4 0 500 104857600 2560\n";
  EXPECT_EQ(ParseProcessMetrics(fixture.Snapshot()).status().code(), Status::Code::kCorruption);
  fixture.self_stat = "1234 )name( S 1\n";
  EXPECT_EQ(ParseProcessMetrics(fixture.Snapshot()).status().code(), Status::Code::kCorruption);
  fixture.self_stat = "";
  EXPECT_EQ(ParseProcessMetrics(fixture.Snapshot()).status().code(), Status::Code::kCorruption);
}

TEST(ParseProcessMetrics, StatEndingBeforeRssIsCorruption) {
  Fixture fixture;
  // Up to vsize (field 23): rss, field 24, is missing.
  fixture.self_stat =
      "1234 (logdaemon) S 1 1234 1234 0 -1 4194560 2310 0 0 0 150 75 0 0 20 0 4 0 500 104857600\n";
  const Result<ProcessMetrics> metrics = ParseProcessMetrics(fixture.Snapshot());
  EXPECT_EQ(metrics.status().code(), Status::Code::kCorruption);
  EXPECT_NE(metrics.status().message().find("rss"), std::string::npos) << metrics.status().message();
}

TEST(ParseProcessMetrics, ANonNumericFieldIsCorruption) {
  Fixture fixture;
  fixture.self_stat = "1234 (logdaemon) S 1 1234 1234 0 -1 4194560 2310 0 0 0 15x 75 0 0 20 0 4 0 500 1 2\n";
  Result<ProcessMetrics> metrics = ParseProcessMetrics(fixture.Snapshot());
  EXPECT_EQ(metrics.status().code(), Status::Code::kCorruption);
  EXPECT_NE(metrics.status().message().find("utime"), std::string::npos) << metrics.status().message();
  fixture.self_stat = "1234 (logdaemon) S 1 1234 1234 0 -1 4194560 2310 0 0 0 150 75 0 0 20 0 4 0 500 1 -2\n";
  metrics = ParseProcessMetrics(fixture.Snapshot());
  EXPECT_EQ(metrics.status().code(), Status::Code::kCorruption);
  EXPECT_NE(metrics.status().message().find("rss"), std::string::npos) << metrics.status().message();
}

TEST(ParseProcessMetrics, SystemStatWithoutBtimeIsCorruption) {
  Fixture fixture;
  fixture.system_stat = "cpu  2255 34 2290 22625563 6290 127 456 0 0 0\nbtimes 17\nctxt 1990473\n";
  EXPECT_EQ(ParseProcessMetrics(fixture.Snapshot()).status().code(), Status::Code::kCorruption);
  fixture.system_stat = "btime soon\n";
  EXPECT_EQ(ParseProcessMetrics(fixture.Snapshot()).status().code(), Status::Code::kCorruption);
}

TEST(ParseProcessMetrics, LimitsWithoutMaxOpenFilesIsCorruption) {
  Fixture fixture;
  fixture.self_limits = "Limit                     Soft Limit           Hard Limit           Units     \n";
  EXPECT_EQ(ParseProcessMetrics(fixture.Snapshot()).status().code(), Status::Code::kCorruption);
  fixture.self_limits = Limits("many");
  EXPECT_EQ(ParseProcessMetrics(fixture.Snapshot()).status().code(), Status::Code::kCorruption);
}

TEST(ParseProcessMetrics, NonPositiveClockTicksOrPageSizeIsInvalidArgument) {
  const Fixture fixture;
  ProcSnapshot snapshot = fixture.Snapshot();
  snapshot.clock_ticks_per_second = 0;
  EXPECT_EQ(ParseProcessMetrics(snapshot).status().code(), Status::Code::kInvalidArgument);
  snapshot = fixture.Snapshot();
  snapshot.page_size = -1;  // what sysconf returns on error
  EXPECT_EQ(ParseProcessMetrics(snapshot).status().code(), Status::Code::kInvalidArgument);
}

// ---- This process ----------------------------------------------------------------------------------------

TEST(ReadProcessMetrics, ThisProcessHasPlausibleValues) {
  const Result<ProcessMetrics> metrics = ReadProcessMetrics();
  ASSERT_TRUE(metrics.ok()) << metrics.status().ToString();
  EXPECT_GT(metrics->resident_memory_bytes, 0u);
  EXPECT_GE(metrics->virtual_memory_bytes, metrics->resident_memory_bytes);
  EXPECT_GE(metrics->open_fds, 3u);  // stdin, stdout, stderr
  EXPECT_GE(metrics->max_fds, metrics->open_fds);
  EXPECT_GE(metrics->cpu_seconds, 0);
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  // btime and starttime are both rounded down, so the start time can only read early; a second of slack
  // for a step of the clock.
  EXPECT_LE(metrics->start_time_seconds, now + 1);
  EXPECT_GT(metrics->start_time_seconds, now - 3600);
}

TEST(ReadProcessMetrics, AnOpenedFileIsCounted) {
  const Result<ProcessMetrics> before = ReadProcessMetrics();
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  const int fd = ::open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  const Result<ProcessMetrics> during = ReadProcessMetrics();
  ::close(fd);
  ASSERT_TRUE(during.ok()) << during.status().ToString();
  EXPECT_EQ(during->open_fds, before->open_fds + 1);
}

}  // namespace
}  // namespace process_metrics_test
}  // namespace logdaemon::metrics
