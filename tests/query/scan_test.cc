// The query scan on storage the engine wrote: counts (footers only, and filtered), filters on time,
// level and service, projection, limits, partition / file / row-group pruning, columns that older files
// lack, and errors. The comparison with DuckDB on the same files is tests/query/query_duckdb.sh.
#include "query/scan.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "logdaemon/schema.h"
#include "logdaemon/storage.h"
#include "query/group_count.h"
#include "support/temp_dir.h"
#include "support/test_storage.h"

namespace logdaemon::query {
namespace scan_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

class TempDir : public testing_support::TempDir {
 public:
  TempDir() : testing_support::TempDir("logdaemon_scan") {}
};

const char* kLevels[] = {"debug", "info", "warn", "error"};
const char* kServices[] = {"api", "worker", "db"};

// 3 days × 400 logs: day d, minute m; level and service cycle; every 7th log has no service.
std::string Log(int day, int i) {
  char text[400];
  const char* service = kServices[i % 3];
  std::snprintf(text, sizeof(text),
                R"({"timestamp":"2026-01-%02dT%02d:%02d:00Z","level":"%s","message":"msg %d-%d"%s%s%s})",
                15 + day, i / 60, i % 60, kLevels[i % 4], day, i, i % 7 == 0 ? "" : R"(,"service":")",
                i % 7 == 0 ? "" : service, i % 7 == 0 ? "" : "\"");
  return text;
}

class ScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StorageOptions options;
    options.directory = dir_.path();
    options.batch_size = 100;  // several files per day
    auto schema = SchemaValidator::DefaultSchema();
    ASSERT_TRUE(schema.ok());
    auto engine = StorageEngine::Open(options, *schema);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    for (int day = 0; day < 3; ++day) {
      for (int i = 0; i < 400; ++i) {
        ASSERT_TRUE((*engine)->Append(Log(day, i)).ok());
        if (i % 100 == 99) {
          ASSERT_TRUE((*engine)->Flush().ok());
        }
      }
    }
    ASSERT_TRUE((*engine)->Close().ok());
  }

  // Every matching row's message, in scan order.
  std::vector<std::string> Messages(ScanRequest request) {
    request.storage_dir = dir_.path();
    request.fields = {"message"};
    std::vector<std::string> messages;
    Status st = scanner_.Run(
        request, [](const std::vector<ColumnInfo>&) {},
        [&](std::span<const Value> row) {
          messages.emplace_back(row[0].s);
          return true;
        });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return messages;
  }

  uint64_t Count(ScanRequest request) {
    request.storage_dir = dir_.path();
    auto count = scanner_.Count(request);
    EXPECT_TRUE(count.ok()) << count.status().ToString();
    return count.ok() ? *count : 0;
  }

  // The expected count by brute force over the logs written.
  static uint64_t Expected(const std::function<bool(int day, int i)>& keep) {
    uint64_t n = 0;
    for (int day = 0; day < 3; ++day) {
      for (int i = 0; i < 400; ++i) n += keep(day, i) ? 1 : 0;
    }
    return n;
  }

  static int64_t Micros(int day, int minute) {
    return (int64_t{20468 + day} * 86400 + int64_t{minute} * 60) * 1'000'000;  // 2026-01-15 is day 20468
  }

  TempDir dir_;
  Scanner scanner_;
};

TEST_F(ScanTest, CountsFromFootersWithoutFilters) {
  EXPECT_EQ(Count({}), 1200u);
  EXPECT_EQ(scanner_.stats().rows_scanned, 0u);  // no page read
  EXPECT_EQ(scanner_.stats().bytes_read, 0u);
}

TEST_F(ScanTest, FiltersByLevelServiceAndTime) {
  ScanRequest errors;
  errors.filter.levels = {"error"};
  EXPECT_EQ(Count(errors), Expected([](int, int i) { return i % 4 == 3; }));

  ScanRequest api_warn_error;
  api_warn_error.filter.levels = {"warn", "error"};
  api_warn_error.filter.services = {"api"};
  EXPECT_EQ(Count(api_warn_error),
            Expected([](int, int i) { return i % 4 >= 2 && i % 7 != 0 && i % 3 == 0; }));

  ScanRequest window;
  window.filter.since_micros = Micros(1, 30);
  window.filter.until_micros = Micros(2, 10);  // exclusive
  EXPECT_EQ(Count(window),
            Expected([](int day, int i) { return (day == 1 && i >= 30) || (day == 2 && i < 10); }));
  // Day 0's partition was pruned by its name, without opening a file.
  EXPECT_GE(scanner_.stats().partitions_pruned, 1u);
  EXPECT_GT(scanner_.stats().row_groups_pruned + scanner_.stats().files_pruned, 0u);
}

TEST_F(ScanTest, ProjectsLimitsAndKeepsStorageOrder) {
  ScanRequest first;
  first.limit = 5;
  std::vector<std::string> messages = Messages(first);
  ASSERT_EQ(messages.size(), 5u);
  EXPECT_EQ(messages[0], "msg 0-0");
  EXPECT_EQ(messages[4], "msg 0-4");

  ScanRequest all;
  EXPECT_EQ(Messages(all).size(), 1200u);
}

TEST_F(ScanTest, EveryColumnByDefaultWithNullsForAbsentFields) {
  ScanRequest request;
  request.storage_dir = dir_.path();
  request.limit = 8;
  std::vector<ColumnInfo> columns;
  // The values are views into the row group being scanned: copied out during the callback.
  std::vector<int64_t> times;
  std::vector<std::optional<std::string>> services;
  ASSERT_TRUE(scanner_
                  .Run(
                      request, [&](const std::vector<ColumnInfo>& c) { columns = c; },
                      [&](std::span<const Value> row) {
                        for (size_t i = 0; i < row.size(); ++i) {
                          if (columns[i].name == "timestamp") times.push_back(row[i].i);
                          if (columns[i].name == "service") {
                            services.push_back(row[i].is_null() ? std::nullopt
                                                                : std::optional<std::string>(row[i].s));
                          }
                        }
                        return true;
                      })
                  .ok());
  ASSERT_GE(columns.size(), 6u);
  EXPECT_EQ(columns[0].name, "timestamp");
  EXPECT_EQ(columns[0].type, ValueType::kTimestamp);
  ASSERT_EQ(times.size(), 8u);
  ASSERT_EQ(services.size(), 8u);
  EXPECT_EQ(times[0], Micros(0, 0));
  EXPECT_FALSE(services[0].has_value());  // log 0 has no service
  EXPECT_EQ(services[1], "worker");
}

TEST_F(ScanTest, StopsWhenTheOutputSaysSo) {
  ScanRequest request;
  request.storage_dir = dir_.path();
  int calls = 0;
  ASSERT_TRUE(scanner_
                  .Run(
                      request, [](const std::vector<ColumnInfo>&) {},
                      [&](std::span<const Value>) { return ++calls < 3; })
                  .ok());
  EXPECT_EQ(calls, 3);
}

// --order with --limit keeps only the rows it can still print (a top-N), so it answers where buffering
// every row that overlaps in time would be refused; the answer is the head of the full ordering, ties
// in storage order.
TEST(ScanOrderTest, LimitKeepsOnlyTheTopRowsOfFilesThatOverlapInTime) {
  testing_support::TempDir dir("logdaemon_scan_top");
  {
    auto engine = testing_support::OpenTestStorage(dir.path());
    ASSERT_NE(engine, nullptr);
    // 40 flush files whose logs all fall in the same hour: one group of overlapping files. Times repeat
    // (every 600 logs), so ties matter.
    for (int f = 0; f < 40; ++f) {
      for (int i = 0; i < 150; ++i) {
        const int n = f * 150 + i;
        const int second = (n * 7919) % 600;
        char text[200];
        std::snprintf(text, sizeof(text),
                      R"({"timestamp":"2026-02-01T10:%02d:%02dZ","level":"info","message":"n%d"})",
                      second / 60, second % 60, n);
        ASSERT_TRUE(engine->Append(text).ok());
      }
      ASSERT_TRUE(engine->Flush().ok());
    }
    ASSERT_TRUE(engine->Close().ok());
  }
  auto run = [&](Order order, uint64_t limit, size_t cap, std::vector<std::string>* out) {
    ScanRequest request;
    request.storage_dir = dir.path();
    request.fields = {"message"};
    request.order = order;
    request.limit = limit;
    request.max_order_buffer_bytes = cap;
    Scanner scanner;
    return scanner.Run(
        request, [](const std::vector<ColumnInfo>&) {},
        [&](std::span<const Value> row) {
          out->emplace_back(row[0].s);
          return true;
        });
  };
  for (Order order : {Order::kAscending, Order::kDescending}) {
    std::vector<std::string> all, top;
    ASSERT_TRUE(run(order, 0, kMaxOrderBufferBytes, &all).ok());
    ASSERT_EQ(all.size(), 6000u);
    // 512 KiB: every row of the 40 files (each row group's strings in blocks of their own) does not fit...
    std::vector<std::string> refused;
    Status st = run(order, 0, size_t{512} << 10, &refused);
    EXPECT_EQ(st.code(), Status::Code::kResourceExhausted) << st.ToString();
    EXPECT_NE(st.message().find("--limit"), std::string::npos) << st.message();
    // ...but the first N of them do, and they are the full ordering's first N.
    for (uint64_t limit : {1u, 25u, 5000u}) {
      top.clear();
      Status limited = run(order, limit, size_t{512} << 10, &top);
      ASSERT_TRUE(limited.ok()) << "limit " << limit << ": " << limited.ToString();
      EXPECT_EQ(top, std::vector<std::string>(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(limit)))
          << "limit " << limit;
    }
  }
}

TEST_F(ScanTest, ParallelScansGiveTheSameRowsInTheSameOrder) {
  // Every file's row groups are units of parallel work; results come back in storage order.
  std::vector<ScanRequest> requests(6);
  requests[1].filter.levels = {"error", "warn"};
  requests[2].limit = 7;
  requests[3].filter.where = "service = 'api' OR level = 'debug'";
  requests[3].limit = 250;
  requests[4].order = Order::kDescending;
  requests[5].order = Order::kAscending;
  requests[5].filter.services = {"db"};
  requests[5].limit = 30;
  for (size_t n = 0; n < requests.size(); ++n) {
    std::vector<std::vector<std::string>> by_threads;
    for (size_t threads : {1, 2, 5}) {
      requests[n].threads = threads;
      by_threads.push_back({});
      std::vector<std::string>& messages = by_threads.back();
      ScanRequest request = requests[n];
      request.storage_dir = dir_.path();
      request.fields = {"message"};
      ASSERT_TRUE(scanner_
                      .Run(
                          request, [](const std::vector<ColumnInfo>&) {},
                          [&](std::span<const Value> row) {
                            messages.emplace_back(row[0].s);
                            return true;
                          })
                      .ok());
    }
    EXPECT_FALSE(by_threads[0].empty()) << n;
    EXPECT_EQ(by_threads[0], by_threads[1]) << "request " << n;
    EXPECT_EQ(by_threads[0], by_threads[2]) << "request " << n;
  }
  // --count-by sums the row groups' groups.
  std::vector<std::map<std::string, uint64_t>> counts;
  for (size_t threads : {1, 3}) {
    GroupCount groups;
    ScanRequest request;
    request.storage_dir = dir_.path();
    request.fields = {"service"};
    request.group_counts = &groups;
    request.threads = threads;
    ASSERT_TRUE(
        scanner_
            .Run(
                request, [](const std::vector<ColumnInfo>&) {}, [](std::span<const Value>) { return true; })
            .ok());
    counts.emplace_back();
    for (const auto& [value, n] : groups.Sorted())
      counts.back()[value.is_null() ? "<null>" : std::string(value.s)] = n;
  }
  EXPECT_EQ(counts[0], counts[1]);
  EXPECT_EQ(counts[0]["<null>"], Expected([](int, int i) { return i % 7 == 0; }));
}

// A query holds every file it reads open; out of descriptors, it says which limit to raise rather than
// failing on some file.
TEST_F(ScanTest, RunningOutOfDescriptorsSaysToRaiseTheLimit) {
  // The same query first, with descriptors to spare. Besides checking it works, that warms UBSan's
  // cache of checked vtable pointers: a pointer it has not seen yet it checks through a pipe, which
  // it cannot make with no descriptor free, and then it reports errors that are not the program's.
  ASSERT_EQ(Count({}), 1200u);
  size_t data_files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_.path())) {
    data_files += entry.path().extension() == ".parquet" ? 1 : 0;
  }
  ASSERT_GE(data_files, 2u);
  // A low limit, then every descriptor below it taken but one: enough to list the storage, not to hold
  // two of its files.
  struct rlimit saved;
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  int highest = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    highest = std::max(highest, std::atoi(entry.path().filename().c_str()));
  }
  struct rlimit tight = saved;
  tight.rlim_cur = static_cast<rlim_t>(highest) + 16;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &tight), 0);
  std::vector<int> fillers;
  for (int fd; (fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;) fillers.push_back(fd);
  EXPECT_FALSE(fillers.empty());
  if (!fillers.empty()) {
    ::close(fillers.back());
    fillers.pop_back();
  }
  ScanRequest request;
  request.storage_dir = dir_.path();
  Status st = scanner_.Run(
      request, [](const std::vector<ColumnInfo>&) {}, [](std::span<const Value>) { return true; });
  for (int fd : fillers) ::close(fd);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &saved), 0);
  EXPECT_EQ(st.code(), Status::Code::kResourceExhausted) << st.ToString();
  EXPECT_NE(st.message().find("ulimit -n"), std::string::npos) << st.message();
  EXPECT_EQ(Count({}), 1200u);  // with the limit back, the same query works
}

TEST_F(ScanTest, UnknownFieldAndMissingStorageAreErrors) {
  ScanRequest request;
  request.storage_dir = dir_.path();
  request.fields = {"nope"};
  Status st = scanner_.Run(
      request, [](const std::vector<ColumnInfo>&) {}, [](std::span<const Value>) { return true; });
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("no column named nope"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("timestamp"), std::string::npos) << st.message();

  ScanRequest missing;
  missing.storage_dir = dir_.path() + "/does-not-exist";
  auto count = scanner_.Count(missing);
  EXPECT_EQ(count.status().code(), Status::Code::kNotFound);
}

// One file whose row group spans many scan windows and pages: level is dictionary-encoded, trace_id has a
// distinct long value per log (the writer falls back from its dictionary to PLAIN part-way), and every
// 5th log lacks a service.
class BigRowGroupTest : public ::testing::Test {
 protected:
  static constexpr int kLogs = 60'000;
  static std::string Level(int i) { return kLevels[(i * 7) % 4]; }
  static std::string Trace(int i) { return "trace-" + std::to_string(i) + std::string(40, 'x'); }

  void SetUp() override {
    auto engine = testing_support::OpenTestStorage(dir_.path());  // one flush file, at Close
    ASSERT_NE(engine, nullptr);
    for (int i = 0; i < kLogs; ++i) {
      char text[300];
      const std::string service = i % 5 == 0 ? "" : std::string(R"("service":")") + kServices[i % 3] + "\",";
      std::snprintf(text, sizeof(text),
                    R"({"timestamp":"2026-01-15T10:%02d:%02d.%06dZ","level":"%s","message":"m%d",%s)"
                    R"("trace_id":"%s"})",
                    i / 6000, (i / 100) % 60, i % 100, Level(i).c_str(), i, service.c_str(),
                    Trace(i).c_str());
      ASSERT_TRUE(engine->Append(text).ok()) << text;
    }
    ASSERT_TRUE(engine->Close().ok());
  }

  TempDir dir_;
  Scanner scanner_;
};

TEST_F(BigRowGroupTest, DictionaryFiltersAndGroupsMatchRowByRow) {
  ScanRequest request;
  request.storage_dir = dir_.path();
  request.filter.levels = {"error", "debug"};
  request.filter.services = {"api", "db"};
  auto count = scanner_.Count(request);
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  uint64_t expected = 0;
  std::map<std::string, uint64_t> by_service;
  for (int i = 0; i < kLogs; ++i) {
    const std::string level = Level(i);
    if (level != "error" && level != "debug") continue;
    by_service[i % 5 == 0 ? "<null>" : kServices[i % 3]]++;
    if (i % 5 != 0 && kServices[i % 3] != std::string("worker")) ++expected;
  }
  EXPECT_EQ(*count, expected);

  // --count-by service (dictionary-encoded, with nulls) among error and debug logs.
  GroupCount groups;
  ScanRequest grouped;
  grouped.storage_dir = dir_.path();
  grouped.filter.levels = {"error", "debug"};
  grouped.fields = {"service"};
  grouped.group_counts = &groups;
  ASSERT_TRUE(
      scanner_
          .Run(
              grouped, [](const std::vector<ColumnInfo>&) {}, [](std::span<const Value>) { return true; })
          .ok());
  std::map<std::string, uint64_t> got;
  for (const auto& [value, n] : groups.Sorted()) got[value.is_null() ? "<null>" : std::string(value.s)] = n;
  EXPECT_EQ(got, by_service);

  // --count-by trace_id: the dictionary gives way to PLAIN part-way through the chunk.
  GroupCount users;
  ScanRequest by_user;
  by_user.storage_dir = dir_.path();
  by_user.fields = {"trace_id"};
  by_user.group_counts = &users;
  ASSERT_TRUE(
      scanner_
          .Run(
              by_user, [](const std::vector<ColumnInfo>&) {}, [](std::span<const Value>) { return true; })
          .ok());
  EXPECT_EQ(users.size(), static_cast<size_t>(kLogs));
  for (const auto& [value, n] : users.Sorted()) ASSERT_EQ(n, 1u) << value.s;
}

TEST_F(BigRowGroupTest, EveryRowReadsBackAcrossWindowsAndALimitStopsEarly) {
  ScanRequest request;
  request.storage_dir = dir_.path();
  request.fields = {"message", "trace_id", "service"};
  int i = 0;
  ASSERT_TRUE(scanner_
                  .Run(
                      request, [](const std::vector<ColumnInfo>&) {},
                      [&](std::span<const Value> row) {
                        EXPECT_EQ(row[0].s, "m" + std::to_string(i));
                        EXPECT_EQ(row[1].s, Trace(i));
                        if (i % 5 == 0) {
                          EXPECT_TRUE(row[2].is_null()) << i;
                        } else {
                          EXPECT_EQ(row[2].s, kServices[i % 3]) << i;
                        }
                        ++i;
                        return !HasFailure();
                      })
                  .ok());
  EXPECT_EQ(i, kLogs);
  const uint64_t all_bytes = scanner_.stats().bytes_read;

  ScanRequest limited = request;
  limited.limit = 3;
  limited.filter.grep = "m4";  // m4, m40, m41, ...
  std::vector<std::string> messages;
  ASSERT_TRUE(scanner_
                  .Run(
                      limited, [](const std::vector<ColumnInfo>&) {},
                      [&](std::span<const Value> row) {
                        messages.emplace_back(row[0].s);
                        return true;
                      })
                  .ok());
  EXPECT_EQ(messages, (std::vector<std::string>{"m4", "m40", "m41"}));
  EXPECT_LT(scanner_.stats().rows_scanned, static_cast<uint64_t>(kLogs)) << "the limit stops the scan";
  EXPECT_LT(scanner_.stats().bytes_read, all_bytes / 2) << "only the first pages are decoded";
}

TEST(ScanEmpty, EmptyStorageIsAnEmptyResult) {
  TempDir dir;
  Scanner scanner;
  ScanRequest request;
  request.storage_dir = dir.path();
  auto count = scanner.Count(request);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 0u);
  int rows = 0;
  ASSERT_TRUE(scanner
                  .Run(
                      request, [](const std::vector<ColumnInfo>&) {},
                      [&](std::span<const Value>) { return ++rows > 0; })
                  .ok());
  EXPECT_EQ(rows, 0);
}

TEST(ScanCorrupt, AnUnreadableFileIsAnErrorNamingIt) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() + "/dt=2026-01-15");
  const std::string path = dir.path() + "/dt=2026-01-15/logs_20260115_190000_000001.parquet";
  std::FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs("not parquet at all", f);
  std::fclose(f);
  Scanner scanner;
  ScanRequest request;
  request.storage_dir = dir.path();
  auto count = scanner.Count(request);
  ASSERT_FALSE(count.ok());
  EXPECT_NE(count.status().message().find(path), std::string::npos) << count.status().ToString();
}

// The HTTP query API's bounds: a set cancel flag (the client went away) or a deadline already past stops
// the scan before it reads a row group, with Aborted; neither set, the same scan runs to its end.
TEST_F(ScanTest, StopsWhenCancelledOrPastItsDeadline) {
  std::atomic<bool> cancel{true};
  ScanRequest cancelled;
  cancelled.storage_dir = dir_.path();
  cancelled.cancel = &cancel;
  uint64_t rows = 0;
  auto count_rows = [&](std::span<const Value>) {
    ++rows;
    return true;
  };
  Status st = scanner_.Run(
      cancelled, [](const std::vector<ColumnInfo>&) {}, count_rows);
  EXPECT_EQ(st.code(), Status::Code::kAborted) << st.ToString();
  EXPECT_EQ(st.message(), "the query was cancelled");
  EXPECT_EQ(rows, 0u);

  ScanRequest late;
  late.storage_dir = dir_.path();
  late.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  st = scanner_.Run(
      late, [](const std::vector<ColumnInfo>&) {}, count_rows);
  EXPECT_EQ(st.code(), Status::Code::kAborted) << st.ToString();
  EXPECT_EQ(st.message(), "the query ran out of time");
  EXPECT_EQ(rows, 0u);

  cancel = false;
  ScanRequest running;
  running.storage_dir = dir_.path();
  running.cancel = &cancel;
  running.deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  st = scanner_.Run(
      running, [](const std::vector<ColumnInfo>&) {}, count_rows);
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(rows, 1200u);
}

// ScanRequest::histogram: the matching rows counted by time bucket and level inside the scan, equal to
// counting the logs written; rows outside the buckets are not counted; no row reaches the callback.
TEST_F(ScanTest, CountsAHistogramByTimeBucketAndLevel) {
  TimeHistogram histogram;
  histogram.origin_micros = Micros(0, 0);
  histogram.width_micros = 6 * 3600 * int64_t{1'000'000};  // 6 hours: a day's 400 minutes in buckets 0 and 1
  histogram.buckets = 8;                                   // two days of the three
  ScanRequest request;
  request.storage_dir = dir_.path();
  request.filter.services = {"api"};
  request.fields = {"level"};
  request.histogram = &histogram;
  uint64_t rows = 0;
  Status st = scanner_.Run(
      request, [](const std::vector<ColumnInfo>&) {},
      [&](std::span<const Value>) {
        ++rows;
        return true;
      });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(rows, 0u);
  std::map<std::string, std::vector<uint64_t>, std::less<>> want;
  for (int day = 0; day < 2; ++day) {
    for (int i = 0; i < 400; ++i) {
      if (i % 7 == 0 || i % 3 != 0) continue;  // no service, or not api
      auto& counts = want.try_emplace(kLevels[i % 4], std::vector<uint64_t>(8, 0)).first->second;
      ++counts[static_cast<size_t>(day * 4 + i / 360)];
    }
  }
  EXPECT_EQ(histogram.counts, want);
  EXPECT_TRUE(histogram.null_counts.empty());
}

}  // namespace
}  // namespace scan_test
}  // namespace logdaemon::query
