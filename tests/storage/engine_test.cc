// StorageEngine end to end (include/logdaemon/storage.h, DESIGN.md §4–5): logs go in through Append and
// are read back, value by value, from the visible files with our own Parquet reader. Covers the table
// layout, rejection, overflow, partitioning, recovery, the directory lock, compaction, retention, the
// flush-latency histogram, --parquet-compat, and the disk failing or filling up (issue 4, proof 4).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "logdaemon/schema.h"
#include "logdaemon/storage.h"
#include "parquet/column_chunk_reader.h"
#include "parquet/file_reader.h"
#include "parquet/file_writer.h"
#include "storage/admission.h"
#include "storage/appender.h"
#include "storage/catalog.h"
#include "storage/compaction_policy.h"
#include "storage/engine.h"
#include "storage/fault_fs.h"
#include "storage/file_names.h"
#include "storage/row_batch.h"
#include "storage/storage_test_util.h"
#include "support/temp_dir.h"

namespace logdaemon::storage {
namespace engine_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using namespace std::chrono_literals;
using testing::Cell;
using testing::CellText;
using testing::ReadStorage;
using testing::Rfc3339;
using testing::Row;
using testing::StorageContents;
using testing::UtcMicros;
using Op = FaultInjectingFileSystem::Op;

namespace fs = std::filesystem;

class TempDir : public testing_support::TempDir {
 public:
  TempDir() : testing_support::TempDir("logdaemon_engine") {}
};

// A JSON string literal for `raw` (quotes, backslashes and control characters escaped).
std::string JsonString(std::string_view raw) {
  std::string out = "\"";
  for (char c : raw) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      char buffer[8];
      std::snprintf(buffer, sizeof(buffer), "\\u%04x", u);
      out += buffer;
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

std::string Double17(double v) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.17g", v);
  return buffer;
}

SchemaValidator DefaultSchema() {
  auto schema = SchemaValidator::DefaultSchema();
  EXPECT_TRUE(schema.ok()) << schema.status().ToString();
  return std::move(*schema);
}

// The original spec's custom schema, with a few more column types.
constexpr std::string_view kCustomSchema = R"json({
  "type": "object",
  "required": ["timestamp", "app_id", "request_id"],
  "properties": {
    "timestamp": {"type": "string", "format": "date-time"},
    "app_id": {"type": "string"},
    "request_id": {"type": "string"},
    "user_id": {"type": "integer"},
    "duration_ms": {"type": "number"},
    "success": {"type": "boolean"},
    "tags": {"type": "array"}
  }
})json";

SchemaValidator CustomSchema() {
  auto schema = SchemaValidator::FromString(kCustomSchema);
  EXPECT_TRUE(schema.ok()) << schema.status().ToString();
  return std::move(*schema);
}

// Collects on_error reports (called from the engine's threads).
struct ErrorLog {
  std::mutex mutex;
  std::vector<std::string> lines;
  std::function<void(const Status&)> Callback() {
    return [this](const Status& st) {
      std::lock_guard lock(mutex);
      lines.push_back(st.ToString());
    };
  }
  std::vector<std::string> Lines() {
    std::lock_guard lock(mutex);
    return lines;
  }
};

StorageOptions TestOptions(const std::string& dir) {
  StorageOptions options;
  options.directory = dir;
  options.flush_interval = 100ms;
  options.compaction = false;  // the tests that want merges call Compact()
  options.on_error = [](const Status&) {};
  return options;
}

std::unique_ptr<StorageEngine> OpenOrDie(StorageOptions options, SchemaValidator schema) {
  auto engine = StorageEngine::Open(std::move(options), std::move(schema));
  EXPECT_TRUE(engine.ok()) << engine.status().ToString();
  return engine.ok() ? std::move(*engine) : nullptr;
}

// A default-schema log with a unique integer `seq` (an undeclared field, so it lands in _extra).
std::string SeqLog(int64_t time_micros, int64_t seq) {
  std::string log = R"({"timestamp":")";
  log += Rfc3339(time_micros);
  log += R"(","level":"info","message":"row )";
  log += std::to_string(seq);
  log += R"(","seq":)";
  log += std::to_string(seq);
  log += '}';
  return log;
}

// The `seq` values in the _extra column ({"seq":N}) of every visible row, in file order.
std::vector<int64_t> SeqValues(const StorageContents& contents) {
  std::vector<int64_t> seqs;
  for (const testing::VisibleFile& file : contents.files) {
    int extra = -1;
    for (size_t c = 0; c < file.contents.columns.size(); ++c) {
      if (file.contents.columns[c].name == "_extra") extra = static_cast<int>(c);
    }
    EXPECT_GE(extra, 0) << file.file.path;
    if (extra < 0) continue;
    for (const Row& row : file.contents.rows) {
      const std::string* text = std::get_if<std::string>(&row[extra]);
      EXPECT_NE(text, nullptr);
      if (text == nullptr) continue;
      EXPECT_TRUE(text->starts_with("{\"seq\":")) << *text;
      seqs.push_back(std::stoll(text->substr(7)));
    }
  }
  return seqs;
}

// Every seq in [0, n) exactly once.
void ExpectSeqsExactly(std::vector<int64_t> seqs, int64_t n) {
  std::sort(seqs.begin(), seqs.end());
  EXPECT_EQ(static_cast<int64_t>(seqs.size()), n);
  EXPECT_TRUE(std::adjacent_find(seqs.begin(), seqs.end()) == seqs.end()) << "a row is visible twice";
  for (int64_t i = 0; i < std::min<int64_t>(n, static_cast<int64_t>(seqs.size())); ++i) {
    if (seqs[i] != i) {
      ADD_FAILURE() << "seq " << i << " is missing";
      break;
    }
  }
}

StorageContents ReadOrDie(const std::string& root) {
  StorageContents contents;
  Status st = ReadStorage(root, &contents);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return contents;
}

// Waits (up to `timeout`) until `done` holds.
bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

size_t CountParquet(const std::string& dir) {
  size_t n = 0;
  std::error_code ec;
  for (const auto& entry : fs::recursive_directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".parquet" &&
        entry.path().parent_path().filename() != std::string(kTmpDirName)) {
      ++n;
    }
  }
  return n;
}

// ---------------------------------------------------------------------------------------------------
// Layout and round trips

TEST(StorageEngineTest, DefaultSchemaRoundTripEveryValue) {
  TempDir dir;
  const std::string root = dir.Sub("logs");
  // The original spec's library form.
  auto opened = StorageEngine::Open(root, Compression::kZstd, 500, 64 << 10);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<StorageEngine> engine = std::move(*opened);

  const char* levels[] = {"trace", "debug", "info", "warn", "error", "fatal"};
  const std::vector<std::string> tricky = {"", "quote \" and backslash \\", "line\nbreak\ttab",
                                           "caf\xc3\xa9 \xe2\x9c\x93", std::string(300, 'x')};
  const int64_t base = UtcMicros(2026, 1, 15, 23, 0, 0);
  const int kRows = 3000;
  std::map<std::string, Row> expected;  // by message (unique)
  for (int i = 0; i < kRows; ++i) {
    // Spans two days; some times carry an offset, which is normalised to UTC.
    const int64_t t = base + int64_t{i} * 1'700'000 + (i % 7);
    std::string ts = Rfc3339(t);
    if (i % 5 == 1) {
      // The same instant written at +02:00.
      ts = Rfc3339(t + 2 * 3'600'000'000LL);
      ts.replace(ts.size() - 1, 1, "+02:00");
    }
    const std::string message = "message " + std::to_string(i) + " " + tricky[i % tricky.size()];
    std::string log = "{\"timestamp\": \"" + ts + "\", \"level\": \"" + levels[i % 6] + "\"";
    log += ", \"message\": " + JsonString(message);
    Row row(7);
    row[0] = t;
    row[1] = std::string(levels[i % 6]);
    row[2] = message;
    if (i % 3 != 0) {
      log += ",\"service\":\"svc-" + std::to_string(i % 4) + "\"";
      row[3] = "svc-" + std::to_string(i % 4);
    }
    if (i % 5 == 0) {
      log += ",\"trace_id\":\"" + std::to_string(1000000 + i) + "\"";
      row[4] = std::to_string(1000000 + i);
    }
    if (i % 4 == 0) {
      log += ", \"metadata\": {\"i\": " + std::to_string(i) + ", \"tags\": [\"a\", true, null, 1.5]}";
      row[5] = "{\"i\":" + std::to_string(i) + ",\"tags\":[\"a\",true,null,1.5]}";
    }
    if (i % 2 == 0) {
      // Undeclared fields, in document order, minified.
      log += ", \"host\": \"h" + std::to_string(i % 10) + "\", \"n\": " + std::to_string(i) +
             ", \"o\": {\"k\": [1, 2]}";
      row[6] = "{\"host\":\"h" + std::to_string(i % 10) + "\",\"n\":" + std::to_string(i) +
               ",\"o\":{\"k\":[1,2]}}";
    }
    log += "}";
    Status st = engine->Append(log);
    ASSERT_TRUE(st.ok()) << st.ToString() << "\n" << log;
    expected[message] = std::move(row);
  }
  ASSERT_TRUE(engine->Flush().ok());
  const StorageStats stats = engine->Stats();
  EXPECT_EQ(stats.logs_appended, uint64_t{kRows});
  EXPECT_EQ(stats.rows_written, uint64_t{kRows});
  ASSERT_TRUE(engine->Close().ok());

  StorageContents contents = ReadOrDie(root);
  ASSERT_EQ(contents.total_rows(), size_t{kRows});
  EXPECT_EQ(contents.FilesPerPartition().size(), 2u);  // dt=2026-01-15 and dt=2026-01-16
  const std::string schema_text = DefaultSchema().text();
  for (const testing::VisibleFile& file : contents.files) {
    const auto& columns = file.contents.columns;
    ASSERT_EQ(columns.size(), 7u) << file.file.path;
    const char* names[] = {"timestamp", "level", "message", "service", "trace_id", "metadata", "_extra"};
    for (size_t c = 0; c < 7; ++c) EXPECT_EQ(columns[c].name, names[c]);
    EXPECT_EQ(columns[0].type, parquet::Type::kInt64);
    ASSERT_TRUE(columns[0].logical_type.has_value());
    EXPECT_EQ(columns[0].logical_type, parquet::LogicalType::Timestamp(true, parquet::TimeUnit::kMicros));
    EXPECT_EQ(columns[0].repetition, parquet::Repetition::kRequired);
    EXPECT_EQ(columns[1].repetition, parquet::Repetition::kRequired);
    EXPECT_EQ(columns[2].repetition, parquet::Repetition::kRequired);
    for (size_t c = 1; c <= 4; ++c) EXPECT_EQ(columns[c].logical_type, parquet::LogicalType::String()) << c;
    for (size_t c = 3; c < 7; ++c) EXPECT_EQ(columns[c].repetition, parquet::Repetition::kOptional) << c;
    EXPECT_EQ(columns[5].logical_type, parquet::LogicalType::Json());
    EXPECT_EQ(columns[6].logical_type, parquet::LogicalType::Json());
    EXPECT_EQ(file.contents.schema_text, schema_text);
    // Each file is in the partition of its rows' UTC date.
    for (const Row& row : file.contents.rows) {
      EXPECT_EQ(file.partition, "dt=" + Rfc3339(std::get<int64_t>(row[0])).substr(0, 10));
    }
  }
  size_t compared = 0;
  for (const Row& row : contents.AllRows()) {
    const std::string& message = std::get<std::string>(row[2]);
    auto it = expected.find(message);
    ASSERT_NE(it, expected.end()) << message;
    for (size_t c = 0; c < row.size(); ++c) {
      EXPECT_EQ(CellText(row[c]), CellText(it->second[c])) << "column " << c << " of " << message;
    }
    expected.erase(it);
    ++compared;
  }
  EXPECT_EQ(compared, size_t{kRows});
  EXPECT_TRUE(expected.empty());
}

TEST(StorageEngineTest, CustomSchemaRoundTripEveryValue) {
  TempDir dir;
  StorageOptions options = TestOptions(dir.path());
  options.batch_size = 100;
  std::unique_ptr<StorageEngine> engine = OpenOrDie(options, CustomSchema());
  ASSERT_NE(engine, nullptr);

  const TableLayout& layout = engine->layout();
  ASSERT_EQ(layout.columns.size(), 8u);
  const std::vector<std::pair<std::string, ColumnType>> want = {
      {"timestamp", ColumnType::kTimestamp}, {"app_id", ColumnType::kString},
      {"request_id", ColumnType::kString},   {"user_id", ColumnType::kInt64},
      {"duration_ms", ColumnType::kDouble},  {"success", ColumnType::kBoolean},
      {"tags", ColumnType::kJson},           {"_extra", ColumnType::kJson}};
  for (size_t c = 0; c < want.size(); ++c) {
    EXPECT_EQ(layout.columns[c].name, want[c].first);
    EXPECT_EQ(layout.columns[c].type, want[c].second) << want[c].first;
    EXPECT_EQ(layout.columns[c].required, c < 3) << want[c].first;
  }
  EXPECT_EQ(layout.time_column, 0);
  EXPECT_EQ(layout.extra_column, 7);

  const double doubles[] = {0.1, -2.5e-300, 1e300, 0, -0.0, 123456.789, 3};
  const int64_t ints[] = {0, -1, 9223372036854775807LL, -9223372036854775807LL - 1, 42};
  const int64_t base = UtcMicros(2026, 3, 1, 12, 0, 0);
  const int kRows = 2000;
  std::map<std::string, Row> expected;  // by request_id
  for (int i = 0; i < kRows; ++i) {
    const int64_t t = base + int64_t{i} * 123'457;
    const std::string request = "req-" + std::to_string(i);
    Row row(8);
    row[0] = t;
    row[1] = "app-" + std::to_string(i % 3);
    row[2] = request;
    std::string log = "{\"timestamp\":\"" + Rfc3339(t) + "\",\"app_id\":\"app-" + std::to_string(i % 3) +
                      "\",\"request_id\":\"" + request + "\"";
    if (i % 3 == 1) {
      const int64_t user = ints[i % 5];
      log += ",\"user_id\":" + std::to_string(user);
      row[3] = user;
    } else if (i % 3 == 2 && i % 2 == 0) {
      log += ",\"user_id\":7.0";  // an integral float counts as an integer
      row[3] = int64_t{7};
    }
    if (i % 4 != 3) {
      const double d = doubles[i % 7] + (i % 7 == 6 ? i * 0.25 : 0);
      log += ",\"duration_ms\":" + Double17(d);
      row[4] = d;
    }
    if (i % 5 == 0) {
      log += ",\"success\":true";
      row[5] = true;
    } else if (i % 5 == 1) {
      log += ",\"success\":false";
      row[5] = false;
    }
    if (i % 6 == 0) {
      log += ",\"tags\":[\"x\", 1, {\"y\": null}]";
      row[6] = "[\"x\",1,{\"y\":null}]";
    }
    if (i % 7 == 0) {
      log += ",\"region\":\"eu-" + std::to_string(i % 2) + "\"";
      row[7] = "{\"region\":\"eu-" + std::to_string(i % 2) + "\"}";
    }
    log += "}";
    Status st = engine->Append(log);
    ASSERT_TRUE(st.ok()) << st.ToString() << "\n" << log;
    expected[request] = std::move(row);
    if (i % 700 == 699) {
      ASSERT_TRUE(engine->Flush().ok());  // several files
    }
  }
  ASSERT_TRUE(engine->Close().ok());

  StorageContents contents = ReadOrDie(dir.path());
  ASSERT_EQ(contents.total_rows(), size_t{kRows});
  EXPECT_GE(contents.files.size(), 3u);
  for (const testing::VisibleFile& file : contents.files) {
    const auto& columns = file.contents.columns;
    ASSERT_EQ(columns.size(), 8u);
    EXPECT_EQ(columns[0].logical_type, parquet::LogicalType::Timestamp(true, parquet::TimeUnit::kMicros));
    EXPECT_EQ(columns[1].logical_type, parquet::LogicalType::String());
    EXPECT_EQ(columns[1].repetition, parquet::Repetition::kRequired);  // app_id STRING REQUIRED
    EXPECT_EQ(columns[3].type, parquet::Type::kInt64);                 // user_id INT64 OPTIONAL
    EXPECT_EQ(columns[3].repetition, parquet::Repetition::kOptional);
    EXPECT_FALSE(columns[3].logical_type.has_value());
    EXPECT_EQ(columns[4].type, parquet::Type::kDouble);
    EXPECT_EQ(columns[5].type, parquet::Type::kBoolean);
    EXPECT_EQ(columns[6].logical_type, parquet::LogicalType::Json());
    EXPECT_EQ(columns[7].name, "_extra");
    EXPECT_EQ(columns[7].logical_type, parquet::LogicalType::Json());
    EXPECT_EQ(file.contents.schema_text, std::string(kCustomSchema));
  }
  for (const Row& row : contents.AllRows()) {
    const std::string& request = std::get<std::string>(row[2]);
    auto it = expected.find(request);
    ASSERT_NE(it, expected.end()) << request;
    for (size_t c = 0; c < row.size(); ++c) {
      // Doubles exactly, -0 included (CellText prints %.17g, which keeps the sign).
      EXPECT_EQ(CellText(row[c]), CellText(it->second[c])) << "column " << c << " of " << request;
    }
    expected.erase(it);
  }
  EXPECT_TRUE(expected.empty());
}

TEST(StorageEngineTest, RejectedLogsSayWhyAndAreNotStored) {
  TempDir dir;
  std::unique_ptr<StorageEngine> engine = OpenOrDie(TestOptions(dir.path()), DefaultSchema());
  ASSERT_NE(engine, nullptr);
  struct Case {
    std::string log;
    std::string prefix;
  };
  const std::vector<Case> cases = {
      {R"({"timestamp":"2026-01-15T19:00:00Z","level":"info","message":"hi")", "invalid JSON: "},
      {"[1,2]", "not an object"},
      {R"({"timestamp":"2026-01-15T19:00:00Z","level":"verbose","message":"hi"})", "schema: /level"},
      {R"({"timestamp":"2026-01-15T19:00:00Z","level":"info"})", "schema: "},
      {R"({"timestamp":"yesterday","level":"info","message":"hi"})", "schema: /timestamp"},
  };
  for (const Case& c : cases) {
    Status st = engine->Append(c.log);
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << c.log;
    EXPECT_TRUE(st.message().starts_with(c.prefix)) << st.message();
  }
  ASSERT_TRUE(engine->Append(R"({"timestamp":"2026-01-15T19:00:00Z","level":"info","message":"ok"})").ok());
  ASSERT_TRUE(engine->Flush().ok());
  EXPECT_EQ(engine->Stats().logs_rejected, cases.size());
  EXPECT_EQ(engine->Stats().logs_appended, 1u);
  ASSERT_TRUE(engine->Close().ok());
  EXPECT_EQ(ReadOrDie(dir.path()).total_rows(), 1u);

  // An integer the schema accepts but INT64 cannot hold is refused by the shredder.
  TempDir custom_dir;
  std::unique_ptr<StorageEngine> custom = OpenOrDie(TestOptions(custom_dir.path()), CustomSchema());
  ASSERT_NE(custom, nullptr);
  Status st = custom->Append(
      R"({"timestamp":"2026-01-15T19:00:00Z","app_id":"a","request_id":"r","user_id":18446744073709551615})");
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("user_id"), std::string::npos) << st.message();
  ASSERT_TRUE(custom->Flush().ok());
  EXPECT_EQ(custom->Stats().logs_rejected, 1u);
  ASSERT_TRUE(custom->Close().ok());
  EXPECT_EQ(ReadOrDie(custom_dir.path()).total_rows(), 0u);
}

TEST(StorageEngineTest, AppendAfterCloseIsUnavailable) {
  TempDir dir;
  std::unique_ptr<StorageEngine> engine = OpenOrDie(TestOptions(dir.path()), DefaultSchema());
  ASSERT_NE(engine, nullptr);
  ASSERT_TRUE(engine->Append(SeqLog(UtcMicros(2026, 1, 15), 0)).ok());
  ASSERT_TRUE(engine->Close().ok());
  EXPECT_EQ(engine->Append(SeqLog(UtcMicros(2026, 1, 15), 1)).code(), Status::Code::kUnavailable);
  EXPECT_EQ(engine->Flush().code(), Status::Code::kUnavailable);
  EXPECT_EQ(engine->Compact().code(), Status::Code::kUnavailable);
  EXPECT_TRUE(engine->Close().ok());  // idempotent
  // Close flushed what was appended.
  ExpectSeqsExactly(SeqValues(ReadOrDie(dir.path())), 1);
}

// ---------------------------------------------------------------------------------------------------
// Overflow: the publisher is stuck on a disk whose fsync fails, so it holds its 2 pending files, the
// writer blocks in Submit, the rows it has not taken keep their credits, and the queue fills up.

StorageOptions StuckOptions(const std::string& dir, FaultInjectingFileSystem* faults, OverflowPolicy policy) {
  StorageOptions options = TestOptions(dir);
  options.queue_capacity = 8;
  options.batch_size = 1;
  options.flush_interval = 10ms;
  options.overflow = policy;
  options.file_system = faults;
  return options;
}

// logdaemon_queue_logs counts logs, not credits: an io thread's appender takes credits in chunks, and
// gives back the unspent ones once it has been idle for a tick, so a quiet daemon reports exactly the logs
// it holds.
TEST(StorageEngineTest, QueuedLogsCountsLogsOnceAppendersAreIdle) {
  TempDir dir;
  StorageOptions options;
  options.directory = dir.path();
  options.batch_size = 1000000;
  options.flush_interval = std::chrono::hours(1);  // the rows stay in the appender's batch
  auto engine = OpenOrDie(options, DefaultSchema());
  ASSERT_NE(engine, nullptr);
  {
    std::unique_ptr<Appender> appender = engine->engine().NewAppender();
    simdjson::dom::parser parser;
    const int64_t t = UtcMicros(2026, 1, 15, 19);
    for (int i = 0; i < 5; ++i) {
      simdjson::padded_string text(SeqLog(t, i));
      simdjson::dom::element document;
      ASSERT_EQ(parser.parse(text).get(document), simdjson::SUCCESS);
      ASSERT_TRUE(appender->Append(document, std::string_view(text)).ok());
    }
    appender->Tick();  // busy since the last tick: keeps its credits (one chunk)
    EXPECT_GT(engine->Stats().queued_logs, 5u);
    appender->Tick();  // idle for a tick: gives back the unspent ones
    EXPECT_EQ(engine->Stats().queued_logs, 5u);
  }  // the appender hands its rows over
  ASSERT_TRUE(engine->Close().ok());
  EXPECT_EQ(engine->Stats().queued_logs, 0u);
}

// A slow disk (syncs that take long, not failing ones) makes the writer fall behind: the queue fills and
// logs beyond it are refused as "overloaded".
TEST(StorageEngineTest, FullQueueDropsWithOverloaded) {
  TempDir dir;
  FaultInjectingFileSystem faults;
  std::unique_ptr<StorageEngine> engine =
      OpenOrDie(StuckOptions(dir.path(), &faults, OverflowPolicy::kDrop), DefaultSchema());
  ASSERT_NE(engine, nullptr);
  faults.StallSyncs(true);
  const int64_t t = UtcMicros(2026, 1, 15, 19);
  int64_t accepted = 0, dropped = 0;
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (dropped < 20 && std::chrono::steady_clock::now() < deadline) {
    Status st = engine->Append(SeqLog(t, accepted));
    if (st.ok()) {
      ++accepted;
    } else {
      ASSERT_EQ(st.code(), Status::Code::kResourceExhausted) << st.ToString();
      EXPECT_EQ(st.message(), "overloaded");
      ++dropped;
    }
    std::this_thread::sleep_for(1ms);  // lets the writer take what it can
  }
  ASSERT_EQ(dropped, 20) << "the queue never filled up";
  // Memory stays bounded: the writer took at most a couple of files' worth beyond the queue.
  EXPECT_LE(engine->Stats().queued_logs, 8u);
  EXPECT_LE(engine->Stats().pending_files, 2u);
  EXPECT_EQ(engine->Stats().write_errors, 0u) << "slow, not failing";
  faults.StallSyncs(false);
  ASSERT_TRUE(engine->Flush().ok());
  StorageStats stats = engine->Stats();
  EXPECT_EQ(stats.logs_dropped, uint64_t(dropped));
  EXPECT_EQ(stats.logs_appended, uint64_t(accepted));
  EXPECT_EQ(stats.rows_written, uint64_t(accepted));
  ASSERT_TRUE(engine->Close().ok());
  ExpectSeqsExactly(SeqValues(ReadOrDie(dir.path())), accepted);
}

// The queue is bounded in bytes too (issue 12, item 8): a log takes one credit per KiB, so logs of
// 5 KiB fill the 8-log queue of StuckOptions after one — where 8 small ones fit.
TEST(StorageEngineTest, LargeLogsTakeMoreOfTheQueue) {
  EXPECT_EQ(LogCredits(0, 10000), 1u);
  EXPECT_EQ(LogCredits(1023, 10000), 1u);
  EXPECT_EQ(LogCredits(1024, 10000), 2u);
  EXPECT_EQ(LogCredits(100 * 1024, 10000), 101u);
  EXPECT_EQ(LogCredits(size_t{1} << 30, 10000), 10000u) << "a huge log still fits an empty queue";
  EXPECT_EQ(LogCredits(5000, 0), 1u);
  auto accepted_before_full = [](size_t pad) {
    TempDir dir;
    FaultInjectingFileSystem faults;
    std::unique_ptr<StorageEngine> engine =
        OpenOrDie(StuckOptions(dir.path(), &faults, OverflowPolicy::kDrop), DefaultSchema());
    // Nothing reaches a file: every row stays in the queue or the writer's open file.
    faults.StallSyncs(true);
    const int64_t t = UtcMicros(2026, 1, 15, 19);
    int64_t accepted = 0;
    size_t max_queued = 0;
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      std::string log = SeqLog(t, accepted);
      log.insert(log.size() - 1, ",\"pad\":\"" + std::string(pad, 'x') + "\"");
      Status st = engine->Append(log);
      max_queued = std::max<size_t>(max_queued, engine->Stats().queued_logs);
      if (!st.ok()) break;
      ++accepted;
    }
    EXPECT_LE(max_queued, 8u) << "credits never pass the capacity";
    faults.StallSyncs(false);
    EXPECT_TRUE(engine->Close().ok());
    return accepted;
  };
  const int64_t small = accepted_before_full(10);
  const int64_t large = accepted_before_full(5000);
  EXPECT_GE(small, 8);
  // The writer takes rows out of the queue as it encodes them, so both counts include what it holds; the
  // queue's own share shrinks from 8 logs to 1.
  EXPECT_LE(large, small - 5) << "small logs " << small << ", 5 KiB logs " << large;
}

// A disk that refuses the files (issue 12, item 6): once the queue is full, the logs beyond it are
// refused with the disk's reason, not "overloaded"; once writing works again, they are accepted again.
TEST(StorageEngineTest, FullQueueOnAFullDiskSaysStorageUnavailable) {
  TempDir dir;
  FaultInjectingFileSystem faults;
  std::unique_ptr<StorageEngine> engine =
      OpenOrDie(StuckOptions(dir.path(), &faults, OverflowPolicy::kDrop), DefaultSchema());
  ASSERT_NE(engine, nullptr);
  faults.FailNext(Op::kSync, ENOSPC, -1);
  const int64_t t = UtcMicros(2026, 1, 15, 19);
  int64_t accepted = 0, refused = 0, overloaded = 0;
  auto deadline = std::chrono::steady_clock::now() + 10s;
  // Until the first write has failed, a full queue is just a full queue ("overloaded").
  while (!engine->Stats().storage_failing && std::chrono::steady_clock::now() < deadline) {
    Status st = engine->Append(SeqLog(t, accepted));
    if (st.ok()) {
      ++accepted;
    } else {
      ASSERT_EQ(st.code(), Status::Code::kResourceExhausted) << st.ToString();
      ++overloaded;
    }
    std::this_thread::sleep_for(1ms);
  }
  ASSERT_TRUE(engine->Stats().storage_failing) << "no write failed";
  while (refused < 20 && std::chrono::steady_clock::now() < deadline) {
    Status st = engine->Append(SeqLog(t, accepted));
    if (st.ok()) {
      ++accepted;
    } else {
      ASSERT_EQ(st.code(), Status::Code::kUnavailable) << st.ToString();
      EXPECT_TRUE(st.message().starts_with("storage unavailable: fsync ")) << st.message();
      EXPECT_NE(st.message().find("No space left on device"), std::string::npos) << st.message();
      ++refused;
    }
    std::this_thread::sleep_for(1ms);
  }
  ASSERT_EQ(refused, 20) << "the queue never filled up";
  StorageStats stuck = engine->Stats();
  EXPECT_TRUE(stuck.storage_failing);
  EXPECT_EQ(stuck.logs_rejected, uint64_t(refused));
  EXPECT_EQ(stuck.logs_dropped, uint64_t(overloaded));
  faults.ClearFaults();
  ASSERT_TRUE(engine->Flush().ok());
  EXPECT_FALSE(engine->Stats().storage_failing);
  ASSERT_TRUE(engine->Append(SeqLog(t, accepted)).ok()) << "accepted again once the disk works";
  ++accepted;
  ASSERT_TRUE(engine->Close().ok());
  ExpectSeqsExactly(SeqValues(ReadOrDie(dir.path())), accepted);
}

// The drop counter is what an operator watches during an outage: it must move while the disk is stuck,
// not only once the disk works again.
TEST(StorageEngineTest, DropsAreCountedWhileTheWriterIsStuck) {
  TempDir dir;
  FaultInjectingFileSystem faults;
  std::unique_ptr<StorageEngine> engine =
      OpenOrDie(StuckOptions(dir.path(), &faults, OverflowPolicy::kDrop), DefaultSchema());
  ASSERT_NE(engine, nullptr);
  faults.StallSyncs(true);
  const int64_t t = UtcMicros(2026, 1, 15, 19);
  int64_t accepted = 0, dropped = 0;
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (dropped < 20 && std::chrono::steady_clock::now() < deadline) {
    if (engine->Append(SeqLog(t, accepted)).ok()) {
      ++accepted;
    } else {
      ++dropped;
    }
    std::this_thread::sleep_for(1ms);
  }
  ASSERT_EQ(dropped, 20);
  EXPECT_TRUE(WaitFor([&] { return engine->Stats().logs_dropped == uint64_t(dropped); }, 2s))
      << "logs_dropped is " << engine->Stats().logs_dropped << " while " << dropped << " logs were dropped";
  faults.StallSyncs(false);
  ASSERT_TRUE(engine->Close().ok());
}

TEST(StorageEngineTest, FullQueueBlocksUnderBlockPolicy) {
  TempDir dir;
  FaultInjectingFileSystem faults;
  std::unique_ptr<StorageEngine> engine =
      OpenOrDie(StuckOptions(dir.path(), &faults, OverflowPolicy::kBlock), DefaultSchema());
  ASSERT_NE(engine, nullptr);
  faults.FailNext(Op::kSync, EIO, -1);
  const int64_t t = UtcMicros(2026, 1, 15, 19);
  std::atomic<int64_t> done{0};
  std::atomic<bool> stop{false};
  std::atomic<bool> all_ok{true};
  std::thread producer([&] {
    while (!stop) {
      if (!engine->Append(SeqLog(t, done)).ok()) all_ok = false;
      ++done;
    }
  });
  // Whatever happens below, the producer is let go and joined.
  struct Release {
    FaultInjectingFileSystem* faults;
    std::atomic<bool>* stop;
    std::thread* thread;
    ~Release() {
      stop->store(true);
      faults->ClearFaults();
      if (thread->joinable()) thread->join();
    }
  } release{&faults, &stop, &producer};
  // The producer gets stuck once the publisher holds its two files and the queue is full...
  int64_t last = -1;
  ASSERT_TRUE(WaitFor(
      [&] {
        int64_t now = done.load();
        bool stuck = now == last;
        last = now;
        std::this_thread::sleep_for(200ms);
        return stuck;
      },
      10s));
  const int64_t stuck_at = done.load();
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(done.load(), stuck_at);
  EXPECT_EQ(engine->Stats().logs_dropped, 0u);
  // ...and goes on by itself once the disk works again.
  faults.ClearFaults();
  ASSERT_TRUE(WaitFor([&] { return done.load() > stuck_at + 100; }, 10s));
  stop = true;
  producer.join();
  EXPECT_TRUE(all_ok);
  ASSERT_TRUE(engine->Flush().ok());
  EXPECT_EQ(engine->Stats().logs_dropped, 0u);
  EXPECT_EQ(engine->Stats().logs_appended, uint64_t(done.load()));
  ASSERT_TRUE(engine->Close().ok());
  ExpectSeqsExactly(SeqValues(ReadOrDie(dir.path())), done.load());
}

// ---------------------------------------------------------------------------------------------------
// Partitions

TEST(StorageEngineTest, PartitionsByDayHourOrNone) {
  const std::vector<int64_t> times = {UtcMicros(2026, 1, 15, 19, 10), UtcMicros(2026, 1, 15, 19, 50),
                                      UtcMicros(2026, 1, 15, 20, 5), UtcMicros(2026, 1, 16, 1, 0)};
  const std::vector<std::pair<Partitioning, std::map<std::string, size_t>>> cases = {
      {Partitioning::kDay, {{"dt=2026-01-15", 3}, {"dt=2026-01-16", 1}}},
      {Partitioning::kHour,
       {{"dt=2026-01-15/hour=19", 2}, {"dt=2026-01-15/hour=20", 1}, {"dt=2026-01-16/hour=01", 1}}},
      {Partitioning::kNone, {{"", 4}}},
  };
  for (const auto& [partitioning, want] : cases) {
    TempDir dir;
    StorageOptions options = TestOptions(dir.path());
    options.partitioning = partitioning;
    std::unique_ptr<StorageEngine> engine = OpenOrDie(options, DefaultSchema());
    ASSERT_NE(engine, nullptr);
    for (size_t i = 0; i < times.size(); ++i) ASSERT_TRUE(engine->Append(SeqLog(times[i], int64_t(i))).ok());
    ASSERT_TRUE(engine->Close().ok());
    StorageContents contents = ReadOrDie(dir.path());
    std::map<std::string, size_t> rows;
    for (const testing::VisibleFile& file : contents.files) {
      rows[file.partition] += file.contents.rows.size();
      for (const Row& row : file.contents.rows) {
        const std::string ts = Rfc3339(std::get<int64_t>(row[0]));
        if (partitioning == Partitioning::kDay) {
          EXPECT_EQ(file.partition, "dt=" + ts.substr(0, 10));
        }
        if (partitioning == Partitioning::kHour) {
          EXPECT_EQ(file.partition, "dt=" + ts.substr(0, 10) + "/hour=" + ts.substr(11, 2));
        }
      }
    }
    EXPECT_EQ(rows, want) << "partitioning " << int(partitioning);
    ExpectSeqsExactly(SeqValues(contents), 4);
  }
}

TEST(StorageEngineTest, BatchAcrossMidnightGoesToTwoPartitions) {
  TempDir dir;
  StorageOptions options = TestOptions(dir.path());
  options.flush_interval = 10s;  // only Flush() hands the shared batch over: all rows are one batch
  std::unique_ptr<StorageEngine> engine = OpenOrDie(options, DefaultSchema());
  ASSERT_NE(engine, nullptr);
  const int64_t midnight = UtcMicros(2026, 1, 16);
  for (int i = 0; i < 20; ++i) {
    // Alternating sides of midnight, within one batch.
    int64_t t = i % 2 == 0 ? midnight - 1 - i : midnight + i;
    ASSERT_TRUE(engine->Append(SeqLog(t, i)).ok());
  }
  ASSERT_TRUE(engine->Flush().ok());
  EXPECT_EQ(engine->Stats().files_written, 2u);
  ASSERT_TRUE(engine->Close().ok());
  StorageContents contents = ReadOrDie(dir.path());
  ASSERT_EQ(contents.files.size(), 2u);
  EXPECT_EQ(contents.files[0].partition, "dt=2026-01-15");
  EXPECT_EQ(contents.files[1].partition, "dt=2026-01-16");
  for (const testing::VisibleFile& file : contents.files) {
    EXPECT_EQ(file.contents.rows.size(), 10u);
    for (const Row& row : file.contents.rows) {
      EXPECT_EQ(std::get<int64_t>(row[0]) < midnight, file.partition == "dt=2026-01-15");
    }
  }
  ExpectSeqsExactly(SeqValues(contents), 20);
}

// ---------------------------------------------------------------------------------------------------
// The accepted window of the time field (DESIGN.md §4) and the cap on open partitions

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(StorageEngineTest, LogsOutsideTheTimeWindowAreRefusedAndNotStored) {
  TempDir dir;
  StorageOptions options = TestOptions(dir.path());
  options.max_age = std::chrono::hours(24 * 30);
  options.max_future = std::chrono::hours(1);
  std::unique_ptr<StorageEngine> engine = OpenOrDie(options, DefaultSchema());
  ASSERT_NE(engine, nullptr);
  const int64_t now = NowMicros();
  const int64_t hour = int64_t{3600} * 1'000'000;
  // Inside, with a margin of a minute for the clock moving during the test.
  ASSERT_TRUE(engine->Append(SeqLog(now, 0)).ok());
  ASSERT_TRUE(engine->Append(SeqLog(now - 30 * 24 * hour + 60'000'000, 1)).ok());
  ASSERT_TRUE(engine->Append(SeqLog(now + hour - 60'000'000, 2)).ok());
  struct Case {
    std::string log;
    std::string prefix;
  };
  const std::vector<Case> cases = {
      {R"({"timestamp":"0001-01-01T00:00:00Z","level":"info","message":"year 1"})",
       "timestamp 0001-01-01T00:00:00Z outside the accepted window "},
      {R"({"timestamp":"9999-12-31T23:59:59Z","level":"info","message":"year 9999"})",
       "timestamp 9999-12-31T23:59:59Z outside the accepted window "},
      {SeqLog(now - 30 * 24 * hour - 60'000'000, 100), "timestamp "},
      {SeqLog(now + hour + 60'000'000, 101), "timestamp "},
  };
  for (const Case& c : cases) {
    Status st = engine->Append(c.log);
    EXPECT_EQ(st.code(), Status::Code::kOutOfRange) << c.log;
    EXPECT_TRUE(st.message().starts_with(c.prefix)) << st.message();
    EXPECT_NE(st.message().find(" outside the accepted window "), std::string::npos) << st.message();
  }
  ASSERT_TRUE(engine->Flush().ok());
  EXPECT_EQ(engine->Stats().logs_rejected, cases.size());
  EXPECT_EQ(engine->Stats().logs_appended, 3u);
  ASSERT_TRUE(engine->Close().ok());
  StorageContents contents = ReadOrDie(dir.path());
  ExpectSeqsExactly(SeqValues(contents), 3);
  for (const testing::VisibleFile& file : contents.files) {
    EXPECT_NE(file.partition, "dt=0001-01-01");
    EXPECT_NE(file.partition, "dt=9999-12-31");
  }
}

// The library's default: no window, so year 1 and year 9999 are stored in partitions of their own.
TEST(StorageEngineTest, WithoutAWindowEveryDateIsStored) {
  TempDir dir;
  std::unique_ptr<StorageEngine> engine = OpenOrDie(TestOptions(dir.path()), DefaultSchema());
  ASSERT_NE(engine, nullptr);
  EXPECT_FALSE(engine->options().max_age.has_value());
  EXPECT_FALSE(engine->options().max_future.has_value());
  ASSERT_TRUE(engine->Append(SeqLog(UtcMicros(1, 1, 1), 0)).ok());
  ASSERT_TRUE(engine->Append(SeqLog(UtcMicros(9999, 12, 31, 23, 59, 59), 1)).ok());
  ASSERT_TRUE(engine->Close().ok());
  StorageContents contents = ReadOrDie(dir.path());
  std::set<std::string> partitions;
  for (const testing::VisibleFile& file : contents.files) partitions.insert(file.partition);
  EXPECT_EQ(partitions, (std::set<std::string>{"dt=0001-01-01", "dt=9999-12-31"}));
  ExpectSeqsExactly(SeqValues(contents), 2);
}

// Appends one log per time through its own appender and hands the batch to the writer at once, so the
// writer sees the partitions in this order.
void AppendBatch(Engine& engine, const std::vector<int64_t>& times, int64_t* seq) {
  std::unique_ptr<Appender> appender = engine.NewAppender();
  simdjson::dom::parser parser;
  for (int64_t t : times) {
    simdjson::padded_string text(SeqLog(t, (*seq)++));
    simdjson::dom::element document;
    ASSERT_EQ(parser.parse(text).get(document), simdjson::SUCCESS);
    ASSERT_TRUE(appender->Append(document, std::string_view(text)).ok());
  }
  appender->HandOff();
}

// Only the cap flushes here (no age, size or row trigger fires within the test): each partition opened
// beyond it flushes the least recently written one.
TEST(StorageEngineTest, OpeningMorePartitionsThanTheCapFlushesTheLeastRecentlyWritten) {
  TempDir dir;
  StorageOptions options = TestOptions(dir.path());
  options.partitioning = Partitioning::kHour;
  options.batch_size = 1'000'000;
  options.flush_interval = std::chrono::hours(1);
  options.max_open_partitions = 3;
  std::unique_ptr<StorageEngine> engine = OpenOrDie(options, DefaultSchema());
  ASSERT_NE(engine, nullptr);
  auto hour = [](int h) { return UtcMicros(2026, 1, 15, h, 30); };
  int64_t seq = 0;
  AppendBatch(engine->engine(), {hour(0), hour(1), hour(2)}, &seq);  // open: 0, 1, 2
  AppendBatch(engine->engine(), {hour(0)}, &seq);                    // 1 is now the least recent
  AppendBatch(engine->engine(), {hour(3)}, &seq);                    // flushes 1
  ASSERT_TRUE(WaitFor([&] { return engine->Stats().files_written == 1; }, 10s));
  StorageContents first = ReadOrDie(dir.path());
  ASSERT_EQ(first.files.size(), 1u);
  EXPECT_EQ(first.files[0].partition, "dt=2026-01-15/hour=01");

  // Twenty more hours in one batch: each flushes one, and the last three stay open.
  std::vector<int64_t> more;
  for (int h = 4; h < 24; ++h) more.push_back(hour(h));
  AppendBatch(engine->engine(), more, &seq);
  ASSERT_TRUE(WaitFor([&] { return engine->Stats().files_written == 21; }, 10s))
      << engine->Stats().files_written;
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(engine->Stats().files_written, 21u);  // no more than the cap asks for
  ASSERT_TRUE(engine->Close().ok());
  EXPECT_EQ(engine->Stats().files_written, 24u);
  StorageContents contents = ReadOrDie(dir.path());
  std::map<std::string, size_t> files_per_partition;
  for (const testing::VisibleFile& file : contents.files) ++files_per_partition[file.partition];
  EXPECT_EQ(files_per_partition.size(), 24u);
  for (const auto& [partition, files] : files_per_partition) EXPECT_EQ(files, 1u) << partition;
  ExpectSeqsExactly(SeqValues(contents), seq);
}

// Logs spread over many dates (a backfill) keep at most the default cap of files open.
TEST(StorageEngineTest, LogsAcrossManyDatesKeepAtMostTheDefaultCapOpen) {
  TempDir dir;
  StorageOptions options = TestOptions(dir.path());
  options.batch_size = 1'000'000;
  options.flush_interval = std::chrono::hours(1);
  ASSERT_EQ(options.max_open_partitions, 64u);
  std::unique_ptr<StorageEngine> engine = OpenOrDie(options, DefaultSchema());
  ASSERT_NE(engine, nullptr);
  constexpr int kDays = 200;
  std::vector<int64_t> times;
  for (int day = 0; day < kDays; ++day)
    times.push_back(UtcMicros(2025, 1, 1) + int64_t{day} * 86'400'000'000);
  int64_t seq = 0;
  AppendBatch(engine->engine(), times, &seq);
  ASSERT_TRUE(WaitFor([&] { return engine->Stats().files_written == kDays - 64; }, 20s))
      << engine->Stats().files_written;
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(engine->Stats().files_written, uint64_t{kDays - 64});
  ASSERT_TRUE(engine->Close().ok());
  EXPECT_EQ(engine->Stats().files_written, uint64_t{kDays});
  ExpectSeqsExactly(SeqValues(ReadOrDie(dir.path())), kDays);
}

// ---------------------------------------------------------------------------------------------------
// Recovery and the directory lock

TEST(StorageEngineTest, RecoveryClearsTmpRemovesSupersededAndContinuesSequence) {
  TempDir dir;
  const std::string root = dir.Sub("logs");
  const std::string partition = root + "/dt=2026-01-15";
  const int64_t t = UtcMicros(2026, 1, 15, 19);
  {
    std::unique_ptr<StorageEngine> engine = OpenOrDie(TestOptions(root), DefaultSchema());
    ASSERT_NE(engine, nullptr);
    for (int file = 0; file < 3; ++file) {
      for (int i = 0; i < 10; ++i) ASSERT_TRUE(engine->Append(SeqLog(t + i, file * 10 + i)).ok());
      ASSERT_TRUE(engine->Flush().ok());
    }
    ASSERT_TRUE(engine->Close().ok());
  }
  const std::string backup = dir.Sub("backup");
  fs::create_directories(backup);
  std::vector<std::string> flush_files = testing::ListNames(partition);
  ASSERT_EQ(flush_files.size(), 3u);
  for (const std::string& name : flush_files) fs::copy_file(partition + "/" + name, backup + "/" + name);
  {
    std::unique_ptr<StorageEngine> engine = OpenOrDie(TestOptions(root), DefaultSchema());
    ASSERT_NE(engine, nullptr);
    ASSERT_TRUE(engine->Compact().ok());
    ASSERT_TRUE(engine->Close().ok());
  }
  ASSERT_EQ(testing::ListNames(partition).size(), 1u);
  // A crash between a merge and the removal of its inputs, and files that were being written.
  for (const std::string& name : flush_files) fs::copy_file(backup + "/" + name, partition + "/" + name);
  std::ofstream(root + "/.tmp/7-logs_20260115_190000_000007.parquet") << "half a file";
  std::ofstream(root + "/.tmp/merge-1-3.parquet") << "PAR1 and then nothing";
  {
    // Readers already skip the superseded inputs.
    StorageContents contents = ReadOrDie(root);
    EXPECT_EQ(contents.files.size(), 1u);
    EXPECT_EQ(contents.superseded, 3u);
    ExpectSeqsExactly(SeqValues(contents), 30);
  }
  std::unique_ptr<StorageEngine> engine = OpenOrDie(TestOptions(root), DefaultSchema());
  ASSERT_NE(engine, nullptr);
  EXPECT_TRUE(testing::ListNames(root + "/.tmp").empty());
  std::vector<std::string> left = testing::ListNames(partition);
  ASSERT_EQ(left.size(), 1u);
  auto merged = ParseDataFileName(left[0]);
  ASSERT_TRUE(merged.has_value()) << left[0];
  EXPECT_EQ(merged->range, (SequenceRange{1, 3}));
  // Sequence numbers continue after the highest on disk.
  ASSERT_TRUE(engine->Append(SeqLog(t + 99, 30)).ok());
  ASSERT_TRUE(engine->Close().ok());
  StorageContents contents = ReadOrDie(root);
  ASSERT_EQ(contents.files.size(), 2u);
  EXPECT_EQ(contents.files[1].file.parsed.range, (SequenceRange{4, 4}));
  EXPECT_NE(contents.files[1].file.name.find("_000004.parquet"), std::string::npos)
      << contents.files[1].file.name;
  EXPECT_EQ(contents.superseded, 0u);
  ExpectSeqsExactly(SeqValues(contents), 31);
}

TEST(StorageEngineTest, SequenceContinuesAfterHandWrittenFiles) {
  TempDir dir;
  const std::string partition = dir.Sub("dt=2026-01-15");
  fs::create_directories(partition);
  // A file written by hand with our Parquet writer, named as a merged file covering 1..41.
  {
    SchemaValidator schema = DefaultSchema();
    std::ofstream out(partition + "/" + DataFileName(UtcMicros(2026, 1, 15), {1, 41}), std::ios::binary);
    struct Sink final : parquet::OutputSink {
      std::ofstream* out;
      Status Append(const uint8_t* data, size_t n) override {
        out->write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(n));
        return Status::OK();
      }
    } sink;
    sink.out = &out;
    auto writer = parquet::FileWriter::Open(&sink, ParquetSchema(schema.layout()), {});
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    ASSERT_TRUE((*writer)->Close({{"logdaemon.schema", schema.text()}}).ok());
  }
  std::unique_ptr<StorageEngine> engine = OpenOrDie(TestOptions(dir.path()), DefaultSchema());
  ASSERT_NE(engine, nullptr);
  ASSERT_TRUE(engine->Append(SeqLog(UtcMicros(2026, 1, 15, 1), 0)).ok());
  ASSERT_TRUE(engine->Close().ok());
  StorageContents contents = ReadOrDie(dir.path());
  ASSERT_EQ(contents.files.size(), 2u);
  EXPECT_EQ(contents.files[1].file.parsed.range, (SequenceRange{42, 42}));
}

TEST(StorageEngineTest, SecondEngineOnTheSameDirectoryIsRefused) {
  TempDir dir;
  std::unique_ptr<StorageEngine> first = OpenOrDie(TestOptions(dir.path()), DefaultSchema());
  ASSERT_NE(first, nullptr);
  auto second = StorageEngine::Open(TestOptions(dir.path()), DefaultSchema());
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("in use"), std::string::npos) << second.status().ToString();
  ASSERT_TRUE(first->Close().ok());
  first.reset();
  // Released with the engine.
  auto third = StorageEngine::Open(TestOptions(dir.path()), DefaultSchema());
  EXPECT_TRUE(third.ok()) << third.status().ToString();
}

// ---------------------------------------------------------------------------------------------------
// Compaction and retention

TEST(StorageEngineTest, CompactMergesAPartitionIntoOneSortedFile) {
  TempDir dir;
  std::unique_ptr<StorageEngine> engine = OpenOrDie(TestOptions(dir.path()), DefaultSchema());
  ASSERT_NE(engine, nullptr);
  const int64_t day = UtcMicros(2026, 1, 15);
  uint64_t state = 12345;
  int64_t seq = 0;
  int64_t min_time = INT64_MAX;
  for (int file = 0; file < 5; ++file) {
    for (int i = 0; i < 200; ++i) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      int64_t t = day + static_cast<int64_t>((state >> 20) % 86'400'000'000ULL);  // out of order
      min_time = std::min(min_time, t);
      ASSERT_TRUE(engine->Append(SeqLog(t, seq++)).ok());
    }
    ASSERT_TRUE(engine->Flush().ok());
  }
  ASSERT_EQ(ReadOrDie(dir.path()).files.size(), 5u);
  ASSERT_TRUE(engine->Compact().ok());
  StorageStats stats = engine->Stats();
  EXPECT_EQ(stats.compactions, 1u);
  EXPECT_EQ(stats.files_compacted, 5u);
  ASSERT_TRUE(engine->Close().ok());

  EXPECT_EQ(CountParquet(dir.path()), 1u);  // the inputs are gone
  StorageContents contents = ReadOrDie(dir.path());
  ASSERT_EQ(contents.files.size(), 1u);
  const testing::VisibleFile& merged = contents.files[0];
  EXPECT_EQ(merged.file.parsed.range, (SequenceRange{1, 5}));
  EXPECT_EQ(merged.file.parsed.min_time_seconds, min_time / 1'000'000);
  EXPECT_EQ(merged.file.name, DataFileName(min_time, {1, 5}));
  size_t row = 0;
  for (size_t group_rows : merged.contents.row_group_rows) {
    for (size_t i = 1; i < group_rows; ++i) {
      EXPECT_LE(std::get<int64_t>(merged.contents.rows[row + i - 1][0]),
                std::get<int64_t>(merged.contents.rows[row + i][0]));
    }
    row += group_rows;
  }
  ExpectSeqsExactly(SeqValues(contents), seq);
}

TEST(StorageEngineTest, RetentionDaysDeletesOldPartitions) {
  TempDir dir;
  StorageOptions options = TestOptions(dir.path());
  options.retention_days = 7;
  std::unique_ptr<StorageEngine> engine = OpenOrDie(options, DefaultSchema());
  ASSERT_NE(engine, nullptr);
  const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  ASSERT_TRUE(engine->Append(SeqLog(UtcMicros(2020, 1, 1, 12), 0)).ok());
  ASSERT_TRUE(engine->Append(SeqLog(now - 30LL * 86'400'000'000, 1)).ok());
  ASSERT_TRUE(engine->Append(SeqLog(now, 2)).ok());
  ASSERT_TRUE(engine->Flush().ok());
  // Retention runs in the background too (right after the publish wakes the compactor); Compact()
  // applies it now in any case.
  ASSERT_TRUE(engine->Compact().ok());
  EXPECT_EQ(engine->Stats().files_deleted_by_retention, 2u);
  ASSERT_TRUE(engine->Close().ok());
  StorageContents contents = ReadOrDie(dir.path());
  ASSERT_EQ(contents.files.size(), 1u);
  EXPECT_EQ(contents.files[0].partition, "dt=" + Rfc3339(now).substr(0, 10));
  EXPECT_FALSE(fs::exists(dir.Sub("dt=2020-01-01")));  // whole partition directories go
}

TEST(StorageEngineTest, RetentionBytesDeletesOldestFilesFirst) {
  TempDir dir;
  int64_t seq = 0;
  {
    std::unique_ptr<StorageEngine> engine = OpenOrDie(TestOptions(dir.path()), DefaultSchema());
    ASSERT_NE(engine, nullptr);
    // Written newest day first, so that "oldest" must come from the partition, not the sequence.
    for (int day : {12, 11, 10}) {
      for (int i = 0; i < 100; ++i)
        ASSERT_TRUE(engine->Append(SeqLog(UtcMicros(2026, 1, day, 3) + i, seq++)).ok());
      ASSERT_TRUE(engine->Flush().ok());
    }
    // A second, later file in the newest partition.
    for (int i = 0; i < 100; ++i)
      ASSERT_TRUE(engine->Append(SeqLog(UtcMicros(2026, 1, 12, 4) + i, seq++)).ok());
    ASSERT_TRUE(engine->Close().ok());
  }
  StorageContents before = ReadOrDie(dir.path());
  ASSERT_EQ(before.files.size(), 4u);
  std::map<std::string, uint64_t> sizes;
  uint64_t total = 0;
  for (const auto& f : before.files) {
    sizes[f.partition] += f.file.size;
    total += f.file.size;
  }
  StorageOptions options = TestOptions(dir.path());
  // Room for everything but the oldest partition's file.
  options.retention_bytes = total - sizes["dt=2026-01-10"];
  std::unique_ptr<StorageEngine> engine = OpenOrDie(options, DefaultSchema());
  ASSERT_NE(engine, nullptr);
  ASSERT_TRUE(engine->Compact().ok());
  EXPECT_EQ(engine->Stats().files_deleted_by_retention, 1u);
  ASSERT_TRUE(engine->Close().ok());
  StorageContents after = ReadOrDie(dir.path());
  std::map<std::string, size_t> files = after.FilesPerPartition();
  EXPECT_EQ(files.count("dt=2026-01-10"), 0u);
  EXPECT_EQ(files["dt=2026-01-11"], 1u);
  EXPECT_EQ(after.total_rows(), 300u);
}

// Flush files bigger than a quarter of the rotation size (fast ingest, small rotation) never gather
// min_merge_width files that fit the rotation size, so while ingest goes on (never quiet) nothing merges
// and the partition's file count grows with every flush (storage.bounded_files shows it: 100 k rows/s,
// 0.2 s flush interval, 1 MiB rotation: 400 KiB flush files, 0 merges in 10 s). A merge that would fill
// at least half a file is worth doing with fewer inputs.
TEST(StorageEngineTest, PolicyMergesFlushFilesBiggerThanAQuarterOfTheRotation) {
  CompactionPolicy policy;
  policy.rotation_bytes = 1 << 20;
  const std::vector<uint64_t> sizes(10, 400 << 10);
  const std::vector<bool> barrier(10, false);
  auto [begin, end] = PickMerge(sizes, barrier, policy, /*quiet=*/false);
  EXPECT_EQ(end - begin, 2u) << "ten 400 KiB files and a 1 MiB rotation: nothing is merged";
}

// A merge that fills a file, taken newest first, leaves out the older files of its run. Once it is a full
// file, nothing could ever take them in (the picker starts from the newest file and stops at a full one):
// they would stay small until the partition goes quiet — one more file for nearly every merge
// (storage.bounded_files under ASan: dozens in a minute, the bound broken). The merge starts from the
// run's oldest file instead; the newest files wait for newer ones.
TEST(StorageEngineTest, PolicyNeverLeavesFilesBeforeAFullMerge) {
  CompactionPolicy policy;
  policy.rotation_bytes = 1000;
  policy.full_bytes = 850;
  std::vector<uint64_t> sizes = {950};  // a full merged file
  sizes.insert(sizes.end(), 12, 90);    // flush files: the newest 11 fill a file, 12 do not fit
  const std::vector<bool> barrier(sizes.size(), false);
  auto [begin, end] = PickMerge(sizes, barrier, policy, /*quiet=*/false);
  EXPECT_EQ(begin, 1u) << "the oldest flush file, after the full file, is merged";
  EXPECT_EQ(end, 12u) << "with the next 10: the newest waits";

  // The same where the first file may not be merged (another schema, or shipped), and at the very start.
  std::vector<bool> first_held = barrier;
  first_held[0] = true;
  std::tie(begin, end) = PickMerge(sizes, first_held, policy, false);
  EXPECT_EQ(begin, 1u);
  EXPECT_EQ(end, 12u);
  const std::vector<uint64_t> only_flush_files(12, 90);
  std::tie(begin, end) = PickMerge(only_flush_files, std::vector<bool>(12, false), policy, false);
  EXPECT_EQ(begin, 0u);
  EXPECT_EQ(end, 11u);

  // An earlier merge's output that is not full yet is the run's oldest: it takes newer files in.
  sizes = {950, 600};
  sizes.insert(sizes.end(), 12, 90);
  std::tie(begin, end) = PickMerge(sizes, std::vector<bool>(sizes.size(), false), policy, false);
  EXPECT_EQ(begin, 1u);
  EXPECT_EQ(end, 6u) << "600 and four flush files fill the budget";

  // ... unless it is big (half the rotation size or more): two such hold a rotation's worth, within the
  // bound, and merging it again would rewrite much for little. The small files after it go first.
  policy.big_bytes = 500;
  std::tie(begin, end) = PickMerge(sizes, std::vector<bool>(sizes.size(), false), policy, false);
  EXPECT_EQ(begin, 2u) << "the big file stays; the oldest flush file starts the merge";
  EXPECT_EQ(end, 13u);
  policy.big_bytes = CompactionPolicy{}.big_bytes;

  // Without a file to fill, the newest are merged first, as before (32 small ones).
  const std::vector<uint64_t> small(40, 10);
  std::tie(begin, end) = PickMerge(small, std::vector<bool>(40, false), policy, false);
  EXPECT_EQ(end, 40u);
  EXPECT_GE(end - begin, 32u);
}

TEST(StorageEngineTest, CompactorLagsFromFortyEightWaitingFlushFilesUntilBackToTwentyFour) {
  const CompactionPolicy policy;
  ASSERT_EQ(LaggingBacklogFiles(policy), 48u) << "half as many again as the 32 files a merge waits for";
  auto lags = [&](bool lagging, uint64_t files) {
    return CompactorLags(lagging, {files, files << 10}, policy);
  };
  EXPECT_FALSE(lags(false, 0));
  EXPECT_FALSE(lags(false, 47));
  EXPECT_TRUE(lags(false, 48));
  EXPECT_TRUE(lags(true, 48));
  EXPECT_TRUE(lags(true, 25)) << "still lagging until the backlog is back to half";
  EXPECT_FALSE(lags(true, 24));
  EXPECT_FALSE(lags(false, 25)) << "and it does not come back before forty-eight";
}

// Big flush files merge before 32 gather (as soon as they fill a rotation-sized file), so the files
// alone would let a starved compactor fall far behind before it counted as lagging: one and a half
// merges' bytes count as lagging too.
TEST(StorageEngineTest, CompactorLagsFromOneAndAHalfMergesOfBytes) {
  CompactionPolicy policy;
  policy.rotation_bytes = 100 << 20;
  const uint64_t mib = 1 << 20;
  EXPECT_FALSE(CompactorLags(false, {37, 148 * mib}, policy));
  EXPECT_TRUE(CompactorLags(false, {38, 152 * mib}, policy)) << "38 flush files of 4 MiB: 1.5 merges";
  EXPECT_TRUE(CompactorLags(true, {20, 80 * mib}, policy)) << "still lagging above three quarters of a merge";
  EXPECT_FALSE(CompactorLags(true, {18, 72 * mib}, policy));
}

TEST(StorageEngineTest, OnlyMergesThatWriteFullFilesOrRepackSortTheirDictionaries) {
  CompactionPolicy policy;
  policy.full_bytes = 85 << 20;
  EXPECT_TRUE(MergeWritesFinalFiles(1 << 20, 0.9, policy, /*quiet=*/true)) << "a quiet repack stays";
  EXPECT_TRUE(MergeWritesFinalFiles(95 << 20, 0.9, policy, false)) << "85.5 MB expected: full";
  EXPECT_FALSE(MergeWritesFinalFiles(94 << 20, 0.9, policy, false)) << "84.6 MB: merged again later";
}

// The first row group's message dictionary of the one file `path`: its entries, and whether they are in
// byte order.
void MessageDictionary(const std::string& path, size_t* entries, bool* sorted) {
  auto file = parquet::FileReader::Open(path);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  parquet::ColumnChunkReader chunk;
  parquet::ColumnData data;
  ASSERT_TRUE(chunk.Open(**file, 0, 2, /*keep_dictionary=*/true).ok());  // message
  ASSERT_TRUE(chunk.Read(0, 1, &data).ok());
  ASSERT_TRUE(data.dictionary_encoded);
  const parquet::ByteArrayValues& dictionary = *chunk.dictionary();
  *entries = dictionary.count();
  *sorted = true;
  for (size_t k = 1; k < dictionary.count(); ++k) *sorted = *sorted && dictionary[k - 1] < dictionary[k];
}

// Sorting a dictionary costs a merge CPU and pays only on disk: a background merge of two small flush
// files (to be merged again) keeps the messages' first-seen order; Compact(), the repack that stays,
// writes them in byte order.
TEST(StorageEngineTest, TheRepackSortsDictionariesAnIntermediateMergeDoesNot) {
  TempDir dir;
  const int64_t t = UtcMicros(2026, 1, 15, 19);
  int64_t seq = 0;
  // 400 messages, first seen in an order that is not byte order ("template 0", "template 319", ...).
  auto append_file = [&](StorageEngine* engine) {
    for (int i = 0; i < 1000; ++i, ++seq) {
      const std::string log = R"({"timestamp":")" + Rfc3339(t + seq * 1000) +
                              R"(","level":"info","message":"template )" +
                              std::to_string((seq * 7919) % 400) +
                              R"( of the dictionary test, padded out","seq":)" + std::to_string(seq) + "}";
      ASSERT_TRUE(engine->Append(log).ok());
    }
    ASSERT_TRUE(engine->Flush().ok());
  };
  auto files = [&] { return ReadOrDie(dir.path()).files; };
  {
    StorageOptions options = TestOptions(dir.path());
    options.compaction = true;
    options.merge_min_files = 2;
    std::unique_ptr<StorageEngine> engine = OpenOrDie(options, DefaultSchema());
    ASSERT_NE(engine, nullptr);
    append_file(engine.get());
    append_file(engine.get());
    for (int i = 0; i < 1000 && engine->Stats().compactions == 0; ++i) std::this_thread::sleep_for(10ms);
    ASSERT_EQ(engine->Stats().compactions, 1u) << "the background merge of the two flush files";
    ASSERT_TRUE(engine->Close().ok());
  }
  ASSERT_EQ(files().size(), 1u);
  size_t entries = 0;
  bool sorted = true;
  MessageDictionary(files()[0].file.path, &entries, &sorted);
  EXPECT_EQ(entries, 400u);
  EXPECT_FALSE(sorted) << "an intermediate merge sorted its dictionary";

  std::unique_ptr<StorageEngine> engine = OpenOrDie(TestOptions(dir.path()), DefaultSchema());
  ASSERT_NE(engine, nullptr);
  append_file(engine.get());
  ASSERT_TRUE(engine->Compact().ok());
  ASSERT_TRUE(engine->Close().ok());
  ASSERT_EQ(files().size(), 1u);
  MessageDictionary(files()[0].file.path, &entries, &sorted);
  EXPECT_EQ(entries, 400u);
  EXPECT_TRUE(sorted) << "Compact() left its dictionary unsorted";
  ExpectSeqsExactly(SeqValues(ReadOrDie(dir.path())), seq);
}

// ---------------------------------------------------------------------------------------------------
// Metrics and --parquet-compat

TEST(StorageEngineTest, FlushLatencyHistogramCountsEveryFile) {
  TempDir dir;
  std::unique_ptr<StorageEngine> engine = OpenOrDie(TestOptions(dir.path()), DefaultSchema());
  ASSERT_NE(engine, nullptr);
  StorageStats empty = engine->Stats();
  ASSERT_EQ(empty.flush_latency_counts.size(), std::size(StorageStats::kLatencyBoundsMs) + 1);
  for (int file = 0; file < 4; ++file) {
    ASSERT_TRUE(engine->Append(SeqLog(UtcMicros(2026, 1, 15, 1), file)).ok());
    ASSERT_TRUE(engine->Flush().ok());
  }
  StorageStats stats = engine->Stats();
  ASSERT_EQ(stats.flush_latency_counts.size(), std::size(StorageStats::kLatencyBoundsMs) + 1);
  uint64_t counted = 0;
  for (uint64_t c : stats.flush_latency_counts) counted += c;
  EXPECT_EQ(counted, 4u);
  EXPECT_EQ(stats.files_written, 4u);
  EXPECT_EQ(stats.rows_written, 4u);
  EXPECT_GT(stats.bytes_written, 0u);
  EXPECT_GE(stats.flush_latency_sum_ms, 0.0);
  ASSERT_TRUE(engine->Close().ok());
}

// Every column chunk's encodings in the visible files; *delta says whether any is DELTA_BINARY_PACKED.
// Which of the delta encodings the visible files use: DELTA_BINARY_PACKED (timestamps) and
// DELTA_LENGTH_BYTE_ARRAY (strings without a dictionary: the messages "row N" are all distinct).
struct DeltaEncodings {
  bool binary_packed = false;
  bool length_byte_array = false;
};

void CheckEncodings(const std::string& root, DeltaEncodings* delta, size_t* chunks) {
  *delta = DeltaEncodings();
  *chunks = 0;
  std::vector<Partition> partitions;
  ASSERT_TRUE(ScanStorage(DefaultFileSystem(), root, &partitions).ok());
  for (const Partition& partition : partitions) {
    for (const DataFile& file : partition.files) {
      auto reader = parquet::FileReader::Open(file.path);
      ASSERT_TRUE(reader.ok()) << reader.status().ToString();
      for (const parquet::RowGroup& group : (*reader)->metadata().row_groups) {
        for (const parquet::ColumnChunk& chunk : group.columns) {
          ASSERT_TRUE(chunk.meta_data.has_value());
          ++*chunks;
          for (parquet::Encoding e : chunk.meta_data->encodings) {
            if (e == parquet::Encoding::kDeltaBinaryPacked) delta->binary_packed = true;
            if (e == parquet::Encoding::kDeltaLengthByteArray) delta->length_byte_array = true;
          }
        }
      }
    }
  }
}

void WriteCompatFiles(const std::string& root, bool compat) {
  StorageOptions options = TestOptions(root);
  options.parquet_compat = compat;
  std::unique_ptr<StorageEngine> engine = OpenOrDie(options, DefaultSchema());
  ASSERT_NE(engine, nullptr);
  for (int file = 0; file < 2; ++file) {
    for (int i = 0; i < 500; ++i) {
      ASSERT_TRUE(engine->Append(SeqLog(UtcMicros(2026, 1, 15, 1) + i * 1000, file * 500 + i)).ok());
    }
    ASSERT_TRUE(engine->Flush().ok());
  }
  ASSERT_TRUE(engine->Close().ok());
}

TEST(StorageEngineTest, ParquetCompatFlushFilesHaveNoDeltaEncodings) {
  DeltaEncodings delta;
  size_t chunks = 0;
  TempDir normal;
  WriteCompatFiles(normal.path(), false);
  CheckEncodings(normal.path(), &delta, &chunks);
  EXPECT_TRUE(delta.binary_packed) << "the default encodes the timestamp column DELTA_BINARY_PACKED";
  EXPECT_TRUE(delta.length_byte_array) << "the default writes unique strings DELTA_LENGTH_BYTE_ARRAY";
  TempDir compat;
  WriteCompatFiles(compat.path(), true);
  CheckEncodings(compat.path(), &delta, &chunks);
  EXPECT_EQ(chunks, 2u * 7u);
  EXPECT_FALSE(delta.binary_packed);
  EXPECT_FALSE(delta.length_byte_array);
  ExpectSeqsExactly(SeqValues(ReadOrDie(compat.path())), 1000);
}

TEST(StorageEngineTest, ParquetCompatMergedFilesHaveNoDeltaEncodings) {
  TempDir compat;
  WriteCompatFiles(compat.path(), true);
  StorageOptions options = TestOptions(compat.path());
  options.parquet_compat = true;
  std::unique_ptr<StorageEngine> engine = OpenOrDie(options, DefaultSchema());
  ASSERT_NE(engine, nullptr);
  ASSERT_TRUE(engine->Compact().ok());
  ASSERT_TRUE(engine->Close().ok());
  DeltaEncodings delta;
  size_t chunks = 0;
  CheckEncodings(compat.path(), &delta, &chunks);
  EXPECT_EQ(chunks, 7u);  // one merged file, one row group
  EXPECT_FALSE(delta.binary_packed) << "compaction writes DELTA_BINARY_PACKED under parquet_compat";
  EXPECT_FALSE(delta.length_byte_array) << "compaction writes DELTA_LENGTH_BYTE_ARRAY under parquet_compat";
  ExpectSeqsExactly(SeqValues(ReadOrDie(compat.path())), 1000);
}

// ---------------------------------------------------------------------------------------------------
// Disk full, EIO, permission denied (issue 4, proof 4)

TEST(StorageEngineTest, DiskFullThenFreedResumesByItself) {
  TempDir dir;
  FaultInjectingFileSystem disk;
  disk.SetCapacity(200 << 10);
  ErrorLog errors;
  StorageOptions options = TestOptions(dir.path());
  options.file_system = &disk;
  options.flush_interval = 50ms;
  options.batch_size = 500;
  options.rotation_bytes = 64 << 10;
  options.compaction = true;  // merges fail on the full disk too
  options.queue_capacity = 2000;
  options.on_error = errors.Callback();
  std::unique_ptr<StorageEngine> engine = OpenOrDie(options, DefaultSchema());
  ASSERT_NE(engine, nullptr);

  const int64_t t = UtcMicros(2026, 1, 15, 19);
  int64_t seq = 0;
  uint64_t attempts = 0;
  uint64_t storage_unavailable = 0;
  auto append_for = [&](std::chrono::milliseconds how_long) {
    auto end = std::chrono::steady_clock::now() + how_long;
    while (std::chrono::steady_clock::now() < end) {
      for (int i = 0; i < 100; ++i) {
        ++attempts;
        Status st = engine->Append(SeqLog(t + seq, seq));
        if (st.ok()) {
          ++seq;
        } else if (st.code() == Status::Code::kUnavailable) {
          // The queue is full because the disk is: the refusal says so (issue 12, item 6).
          ASSERT_TRUE(st.message().starts_with("storage unavailable: ")) << st.message();
          ASSERT_NE(st.message().find("No space left on device"), std::string::npos) << st.message();
          ++storage_unavailable;
        } else {
          // Before the first write failed, a full queue is just a full queue.
          ASSERT_EQ(st.code(), Status::Code::kResourceExhausted) << st.ToString();
        }
      }
      std::this_thread::sleep_for(1ms);
    }
  };
  // Until the disk is full and stays so for a while.
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (engine->Stats().write_errors < 3 && std::chrono::steady_clock::now() < deadline) append_for(100ms);
  append_for(1s);
  StorageStats full = engine->Stats();
  EXPECT_GT(full.write_errors, 2u);
  EXPECT_LE(full.queued_logs, options.queue_capacity);
  EXPECT_LE(full.pending_files, 2u);
  EXPECT_FALSE(errors.Lines().empty());
  bool named_enospc = false;
  for (const std::string& line : errors.Lines())
    named_enospc |= line.find("No space left on device") != std::string::npos;
  EXPECT_TRUE(named_enospc);
  // Every visible file is complete, even now.
  StorageContents during;
  Status read = ReadStorage(dir.path(), &during);
  ASSERT_TRUE(read.ok()) << read.ToString();
  EXPECT_LE(disk.used_bytes(), uint64_t{200} << 10);

  // Space is freed: the retried writes land without anyone asking.
  disk.SetCapacity(0);
  ASSERT_TRUE(
      WaitFor([&] { return engine->Stats().pending_files == 0 && engine->Stats().queued_logs == 0; }, 20s));
  append_for(200ms);
  ASSERT_TRUE(engine->Flush().ok());
  StorageStats stats = engine->Stats();
  EXPECT_EQ(stats.logs_appended, uint64_t(seq));
  EXPECT_GT(storage_unavailable, 0u) << "the full disk should have filled the queue";
  EXPECT_EQ(stats.logs_rejected, storage_unavailable);
  EXPECT_EQ(stats.logs_appended + stats.logs_dropped + stats.logs_rejected, attempts);
  EXPECT_EQ(stats.rows_written, uint64_t(seq));
  ASSERT_TRUE(engine->Close().ok());
  EXPECT_TRUE(testing::ListNames(dir.Sub(".tmp")).empty());
  ExpectSeqsExactly(SeqValues(ReadOrDie(dir.path())), seq);
}

struct FaultCase {
  Op op;
  int error_number;
};

class InjectedFaultTest : public ::testing::TestWithParam<FaultCase> {};

TEST_P(InjectedFaultTest, CountedReportedRetriedAndNothingBrokenVisible) {
  const FaultCase fault = GetParam();
  TempDir dir;
  FaultInjectingFileSystem faults;
  ErrorLog errors;
  StorageOptions options = TestOptions(dir.path());
  options.file_system = &faults;
  options.flush_interval = 20ms;
  options.batch_size = 10;
  options.on_error = errors.Callback();
  std::unique_ptr<StorageEngine> engine = OpenOrDie(options, DefaultSchema());
  ASSERT_NE(engine, nullptr);
  // A first file lands before the fault.
  const int64_t t = UtcMicros(2026, 1, 15, 19);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(engine->Append(SeqLog(t + i, i)).ok());
  ASSERT_TRUE(engine->Flush().ok());
  faults.FailNext(fault.op, fault.error_number, -1);
  for (int i = 10; i < 100; ++i) ASSERT_TRUE(engine->Append(SeqLog(t + i, i)).ok());
  // A failed directory fsync is counted but not retried (the file is already visible): one per file.
  const uint64_t want_errors = fault.op == Op::kSyncDir ? 1 : 3;
  ASSERT_TRUE(WaitFor([&] { return engine->Stats().write_errors >= want_errors; }, 10s))
      << "write errors: " << engine->Stats().write_errors;
  {
    StorageContents during;
    Status st = ReadStorage(dir.path(), &during);
    ASSERT_TRUE(st.ok()) << st.ToString();
    if (fault.op != Op::kSyncDir) {
      EXPECT_EQ(during.total_rows(), 10u);  // nothing new is visible yet
    }
  }
  faults.ClearFaults();
  ASSERT_TRUE(engine->Flush().ok());
  EXPECT_EQ(engine->Stats().rows_written, 100u);
  ASSERT_TRUE(engine->Close().ok());
  const std::string why = std::strerror(fault.error_number);
  bool reported = false;
  for (const std::string& line : errors.Lines()) reported |= line.find(why) != std::string::npos;
  EXPECT_TRUE(reported) << "no on_error report mentions \"" << why << "\"";
  EXPECT_TRUE(testing::ListNames(dir.Sub(".tmp")).empty());
  ExpectSeqsExactly(SeqValues(ReadOrDie(dir.path())), 100);
}

std::vector<FaultCase> AllFaults() {
  std::vector<FaultCase> cases;
  for (Op op : {Op::kCreate, Op::kWrite, Op::kSync, Op::kRename, Op::kSyncDir}) {
    for (int e : {ENOSPC, EIO, EACCES}) cases.push_back({op, e});
  }
  return cases;
}

std::string FaultName(const ::testing::TestParamInfo<FaultCase>& info) {
  static const char* ops[] = {"Create", "Write", "Sync", "Rename", "SyncDir", "Remove"};
  std::string name = ops[static_cast<int>(info.param.op)];
  name += info.param.error_number == ENOSPC ? "ENOSPC" : info.param.error_number == EIO ? "EIO" : "EACCES";
  return name;
}

INSTANTIATE_TEST_SUITE_P(Faults, InjectedFaultTest, ::testing::ValuesIn(AllFaults()), FaultName);

}  // namespace
}  // namespace engine_test
}  // namespace logdaemon::storage

namespace logdaemon::storage {
namespace engine_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

// Writes `files` flush files of `rows_per_file` logs each (seq 0..), closes, and returns the rows.
int64_t WriteFlushFiles(const std::string& root, int files, int rows_per_file, uint64_t rotation) {
  StorageOptions options = TestOptions(root);
  options.rotation_bytes = rotation;
  std::unique_ptr<StorageEngine> engine = OpenOrDie(options, DefaultSchema());
  if (engine == nullptr) return 0;
  const int64_t t = UtcMicros(2026, 1, 15, 19);
  int64_t seq = 0;
  for (int f = 0; f < files; ++f) {
    for (int i = 0; i < rows_per_file; ++i, ++seq) {
      // Times out of order across files, so that sorting is visible.
      EXPECT_TRUE(engine->Append(SeqLog(t + ((seq * 7919) % 100000) * 1000, seq)).ok());
    }
    EXPECT_TRUE(engine->Flush().ok());
  }
  EXPECT_TRUE(engine->Close().ok());
  return seq;
}

TEST(StorageEngineTest, CompactCutsMergedOutputIntoRotationSizedParts) {
  TempDir dir;
  const std::string root = dir.Sub("logs");
  const uint64_t rotation = 64 << 10;  // the smallest allowed, so that a few thousand logs fill parts
  const int64_t rows = WriteFlushFiles(root, 12, 2000, rotation);
  {
    StorageOptions options = TestOptions(root);
    options.rotation_bytes = rotation;
    std::unique_ptr<StorageEngine> engine = OpenOrDie(options, DefaultSchema());
    ASSERT_NE(engine, nullptr);
    ASSERT_TRUE(engine->Compact().ok());
    EXPECT_GE(engine->Stats().compactions, 1u);
    ASSERT_TRUE(engine->Close().ok());
  }
  StorageContents contents = ReadOrDie(root);
  ExpectSeqsExactly(SeqValues(contents), rows);
  uint64_t bytes = 0;
  size_t below_full = 0;
  for (const testing::VisibleFile& file : contents.files) {
    bytes += file.file.size;
    // A part ends before its next row group would overflow the rotation size; row groups are ~1/16.
    EXPECT_LE(file.file.size, rotation + rotation / 8) << file.file.name;
    if (file.file.size < rotation / 20 * 17) ++below_full;
    // One merged file in parts: the same range (every flush, including the ones the size cut).
    EXPECT_EQ(file.file.parsed.range, contents.files[0].file.parsed.range) << file.file.name;
    EXPECT_EQ(file.file.parsed.range.first, 1u) << file.file.name;
    EXPECT_EQ(file.file.parsed.part.count, contents.files.size()) << file.file.name;
  }
  EXPECT_GE(contents.files.size(), 2u);
  EXPECT_LE(below_full, 1u) << "every part but the last is full";
  EXPECT_LE(contents.files.size(), (bytes + rotation - 1) / rotation + 1);
}

TEST(StorageEngineTest, PartsLeftIncompleteByACrashAreHiddenThenRemoved) {
  TempDir dir;
  const std::string root = dir.Sub("logs");
  const std::string partition = root + "/dt=2026-01-15";
  const uint64_t rotation = 64 << 10;
  const int64_t rows = WriteFlushFiles(root, 8, 2000, rotation);
  const std::string backup = dir.Sub("backup");
  std::filesystem::create_directories(backup);
  std::vector<std::string> inputs = testing::ListNames(partition);
  for (const std::string& name : inputs)
    std::filesystem::copy_file(partition + "/" + name, backup + "/" + name);
  {
    StorageOptions options = TestOptions(root);
    options.rotation_bytes = rotation;
    std::unique_ptr<StorageEngine> engine = OpenOrDie(options, DefaultSchema());
    ASSERT_NE(engine, nullptr);
    ASSERT_TRUE(engine->Compact().ok());
    ASSERT_TRUE(engine->Close().ok());
  }
  std::vector<std::string> parts = testing::ListNames(partition);
  ASSERT_GE(parts.size(), 2u);
  // As if the process died after renaming all parts but the last, before removing the inputs.
  std::filesystem::remove(partition + "/" + parts.back());
  for (const std::string& name : inputs)
    std::filesystem::copy_file(backup + "/" + name, partition + "/" + name);
  {
    StorageContents contents = ReadOrDie(root);
    EXPECT_EQ(contents.files.size(), inputs.size()) << "the inputs are visible, the parts are not";
    ExpectSeqsExactly(SeqValues(contents), rows);
  }
  StorageOptions options = TestOptions(root);
  options.rotation_bytes = rotation;
  std::unique_ptr<StorageEngine> engine = OpenOrDie(options, DefaultSchema());
  ASSERT_NE(engine, nullptr);
  ASSERT_TRUE(engine->Close().ok());
  EXPECT_EQ(testing::ListNames(partition).size(), inputs.size()) << "start-up removed the incomplete parts";
  ExpectSeqsExactly(SeqValues(ReadOrDie(root)), rows);
}

}  // namespace
}  // namespace engine_test
}  // namespace logdaemon::storage

namespace logdaemon::storage {
namespace engine_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

// Background merges take a merged file's parts whole: a merge that took only its small last part
// would cover (supersede) the other parts without having merged their rows. The crash test found this.
TEST(StorageEngineTest, BackgroundMergesTakeEveryPartOfAMergedFile) {
  TempDir dir;
  const std::string root = dir.Sub("logs");
  const uint64_t rotation = 64 << 10;
  int64_t rows = WriteFlushFiles(root, 10, 2000, rotation);
  StorageOptions options = TestOptions(root);
  options.rotation_bytes = rotation;
  options.compaction = true;
  std::unique_ptr<StorageEngine> engine = OpenOrDie(options, DefaultSchema());
  ASSERT_NE(engine, nullptr);
  ASSERT_TRUE(engine->Compact().ok());
  const uint64_t after_compact = engine->Stats().compactions;
  // Small flush files until a background merge reaches back into the parts.
  const int64_t t = UtcMicros(2026, 1, 15, 20);
  // The range the parts of the compacted file share; the loop ends once a merge has covered it.
  auto parts_range = [&]() -> std::optional<SequenceRange> {
    std::vector<Partition> partitions;
    EXPECT_TRUE(ScanStorage(DefaultFileSystem(), root, &partitions).ok());
    for (const Partition& p : partitions) {
      for (const DataFile& f : p.files) {
        if (f.parsed.part.count > 0) return f.parsed.range;
      }
    }
    return std::nullopt;
  };
  const std::optional<SequenceRange> original = parts_range();
  ASSERT_TRUE(original.has_value());
  auto parts_visible = [&] { return parts_range() == original; };
  ASSERT_TRUE(parts_visible());
  for (int round = 0; round < 80 && parts_visible(); ++round) {
    for (int i = 0; i < 200; ++i, ++rows) ASSERT_TRUE(engine->Append(SeqLog(t + rows, rows)).ok());
    ASSERT_TRUE(engine->Flush().ok());
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_GE(engine->Stats().compactions, after_compact + 1);
  ASSERT_TRUE(engine->Close().ok());
  ExpectSeqsExactly(SeqValues(ReadOrDie(root)), rows);
}

}  // namespace
}  // namespace engine_test
}  // namespace logdaemon::storage
