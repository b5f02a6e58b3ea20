// The daemon's /metrics body and SIGUSR1 line: every required metric with its exact name and type, output
// that a Prometheus parser accepts (checked by a small parser here), and values taken from the structs.
#include "ingest/server_metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace logdaemon::ingest {
namespace server_metrics_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

// ---- A small parser for the text format ---------------------------------------------------------------

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct Parsed {
  std::map<std::string, std::string> types;  // family → counter | gauge | histogram
  std::map<std::string, std::string> helps;
  std::vector<Sample> samples;
  std::vector<std::string> errors;
};

bool IsNameChar(char c, bool first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
         (!first && c >= '0' && c <= '9');
}

// Parses `name{label="value",...} value`; nullopt (and an error) when the line is not that.
std::optional<Sample> ParseSampleLine(std::string_view line, std::string& error) {
  Sample sample;
  size_t i = 0;
  while (i < line.size() && IsNameChar(line[i], i == 0)) ++i;
  if (i == 0) return error = "no metric name", std::nullopt;
  sample.name = line.substr(0, i);
  if (i < line.size() && line[i] == '{') {
    ++i;
    while (i < line.size() && line[i] != '}') {
      const size_t start = i;
      while (i < line.size() && IsNameChar(line[i], i == start) && line[i] != ':') ++i;
      if (i == start || i + 1 >= line.size() || line[i] != '=' || line[i + 1] != '"') {
        return error = "bad label", std::nullopt;
      }
      const std::string label(line.substr(start, i - start));
      i += 2;
      std::string value;
      for (; i < line.size() && line[i] != '"'; ++i) {
        if (line[i] == '\\') {
          if (++i >= line.size()) return error = "dangling escape", std::nullopt;
          if (line[i] == 'n') {
            value += '\n';
          } else if (line[i] == '\\' || line[i] == '"') {
            value += line[i];
          } else {
            return error = "bad escape", std::nullopt;
          }
        } else {
          value += line[i];
        }
      }
      if (i >= line.size()) return error = "unterminated label value", std::nullopt;
      ++i;  // closing quote
      if (!sample.labels.emplace(label, value).second) return error = "repeated label", std::nullopt;
      if (i < line.size() && line[i] == ',') ++i;
    }
    if (i >= line.size()) return error = "unterminated labels", std::nullopt;
    ++i;  // '}'
  }
  if (i >= line.size() || line[i] != ' ') return error = "no space before the value", std::nullopt;
  const std::string value_text(line.substr(i + 1));
  if (value_text == "+Inf") {
    sample.value = INFINITY;
  } else if (value_text == "-Inf") {
    sample.value = -INFINITY;
  } else if (value_text == "NaN") {
    sample.value = NAN;
  } else {
    size_t used = 0;
    try {
      sample.value = std::stod(value_text, &used);
    } catch (...) {
      used = 0;
    }
    if (used == 0 || used != value_text.size()) return error = "bad value '" + value_text + "'", std::nullopt;
  }
  return sample;
}

// The family a sample belongs to (a histogram's _bucket/_sum/_count samples belong to the histogram).
std::string FamilyOf(const std::string& name, const std::map<std::string, std::string>& types) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    if (name.ends_with(suffix)) {
      const std::string base = name.substr(0, name.size() - std::string_view(suffix).size());
      auto it = types.find(base);
      if (it != types.end() && it->second == "histogram") return base;
    }
  }
  return name;
}

Parsed Parse(const std::string& text) {
  Parsed parsed;
  if (text.empty() || text.back() != '\n') parsed.errors.push_back("the text does not end with a newline");
  std::set<std::string> finished;  // families whose samples have ended
  std::string current;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    auto fail = [&](const std::string& why) { parsed.errors.push_back(why + ": " + line); };
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) {
      const std::string rest = line.substr(7);
      const size_t space = rest.find(' ');
      if (space == std::string::npos) {
        fail("comment without text");
        continue;
      }
      const std::string name = rest.substr(0, space);
      if (name != current) {
        if (!current.empty()) finished.insert(current);
        if (finished.count(name) != 0) fail("family split");
        current = name;
      }
      auto& map = line[2] == 'H' ? parsed.helps : parsed.types;
      if (!map.emplace(name, rest.substr(space + 1)).second) fail("repeated HELP/TYPE");
      continue;
    }
    if (line.empty() || line[0] == '#') {
      fail("unexpected line");
      continue;
    }
    std::string error;
    std::optional<Sample> sample = ParseSampleLine(line, error);
    if (!sample) {
      fail(error);
      continue;
    }
    if (FamilyOf(sample->name, parsed.types) != current) fail("sample outside its family's block");
    parsed.samples.push_back(std::move(*sample));
  }
  for (const auto& [name, type] : parsed.types) {
    if (type != "counter" && type != "gauge" && type != "histogram")
      parsed.errors.push_back("bad type " + type);
    if (parsed.helps.count(name) == 0) parsed.errors.push_back("no HELP for " + name);
  }
  return parsed;
}

std::optional<double> Value(const Parsed& parsed, std::string_view name,
                            const std::map<std::string, std::string>& labels = {}) {
  for (const Sample& sample : parsed.samples) {
    if (sample.name == name && sample.labels == labels) return sample.value;
  }
  return std::nullopt;
}

// ---- Fixtures -------------------------------------------------------------------------------------------

// Every counter a distinct value, so that a value read from the wrong field shows.
ServerStats SomeServerStats() {
  ServerStats stats;
  stats.connections_accepted = 101;
  stats.connections_active = 3;
  stats.connections_refused = 7;
  stats.connections_timed_out = 5;
  stats.frames_received = 1000;
  stats.bytes_received = 123456;
  stats.logs_accepted = 900;
  stats.logs_dropped = 40;
  for (size_t i = 0; i < kRejectReasonCount; ++i) stats.logs_rejected[i] = 10 * (i + 1);  // 10..90
  stats.logs_rejected[static_cast<size_t>(RejectReason::kUnstorable)] = 0;  // a zero is still exposed
  stats.reads_paused = 11;
  stats.reads_deferred = 13;
  stats.memory_ingest_bytes = 4096;
  stats.memory_ingest_limit_bytes = 16 << 20;
  stats.memory_limit_bytes = 64 << 20;
  return stats;
}

StorageStats SomeStorageStats() {
  StorageStats stats;
  stats.logs_appended = 900;
  stats.rows_written = 850;
  stats.files_written = 12;
  stats.bytes_written = 987654;
  stats.compactions = 2;
  stats.files_compacted = 9;
  stats.files_deleted_by_retention = 4;
  stats.write_errors = 1;
  stats.queued_logs = 50;
  stats.pending_files = 1;
  stats.compaction_backlog = 6;
  stats.flush_latency_counts.assign(std::size(StorageStats::kLatencyBoundsMs) + 1, 0);
  stats.flush_latency_counts[0] = 2;   // <= 1 ms
  stats.flush_latency_counts[3] = 8;   // (5, 10] ms
  stats.flush_latency_counts[12] = 1;  // > 5000 ms
  stats.flush_latency_sum_ms = 6123.5;
  return stats;
}

metrics::ProcessMetrics SomeProcessMetrics() {
  metrics::ProcessMetrics process;
  process.cpu_seconds = 12.5;
  process.resident_memory_bytes = 48 << 20;
  process.virtual_memory_bytes = uint64_t{3} << 30;
  process.open_fds = 17;
  process.max_fds = 1024;
  process.start_time_seconds = 1700000123.25;
  return process;
}

const BuildInfo kBuild{"0.1.0", "abc123def456", "uring"};

// ---- RenderMetrics ----------------------------------------------------------------------------------------

TEST(RenderMetrics, OutputParsesAsPrometheusText) {
  const Parsed parsed =
      Parse(RenderMetrics(SomeServerStats(), SomeStorageStats(), kBuild, SomeProcessMetrics()));
  for (const std::string& error : parsed.errors) ADD_FAILURE() << error;
  EXPECT_FALSE(parsed.samples.empty());
}

TEST(RenderMetrics, TheOriginalSpecsFiveKeepTheirNamesAndTypes) {
  const Parsed parsed =
      Parse(RenderMetrics(SomeServerStats(), SomeStorageStats(), kBuild, SomeProcessMetrics()));
  const std::map<std::string, std::string> expected = {
      {"log_daemon_ingest_count", "counter"},     {"log_daemon_bytes_processed", "counter"},
      {"log_daemon_dropped_messages", "counter"}, {"log_daemon_write_latency_ms", "histogram"},
      {"log_daemon_active_connections", "gauge"},
  };
  for (const auto& [name, type] : expected) {
    ASSERT_EQ(parsed.types.count(name), 1u) << name;
    EXPECT_EQ(parsed.types.at(name), type) << name;
  }
}

TEST(RenderMetrics, OperatorMetricsHaveTheirNamesAndTypes) {
  const Parsed parsed =
      Parse(RenderMetrics(SomeServerStats(), SomeStorageStats(), kBuild, SomeProcessMetrics()));
  const std::map<std::string, std::string> expected = {
      {"logdaemon_logs_accepted_total", "counter"},
      {"logdaemon_logs_rejected_total", "counter"},
      {"logdaemon_logs_dropped_total", "counter"},
      {"logdaemon_bytes_received_total", "counter"},
      {"logdaemon_connections_accepted_total", "counter"},
      {"logdaemon_connections_refused_total", "counter"},
      {"logdaemon_connections_timed_out_total", "counter"},
      {"logdaemon_reads_paused_total", "counter"},
      {"logdaemon_reads_deferred_total", "counter"},
      {"logdaemon_memory_bytes", "gauge"},
      {"logdaemon_memory_limit_bytes", "gauge"},
      {"logdaemon_memory_budget_bytes", "gauge"},
      {"logdaemon_queue_logs", "gauge"},
      {"logdaemon_queue_pending_files", "gauge"},
      {"logdaemon_rows_written_total", "counter"},
      {"logdaemon_files_written_total", "counter"},
      {"logdaemon_written_bytes_total", "counter"},
      {"logdaemon_compactions_total", "counter"},
      {"logdaemon_files_compacted_total", "counter"},
      {"logdaemon_compaction_backlog_files", "gauge"},
      {"logdaemon_files_deleted_by_retention_total", "counter"},
      {"logdaemon_write_errors_total", "counter"},
      {"logdaemon_logs_lost_total", "counter"},
      {"logdaemon_wal_commits_total", "counter"},
      {"logdaemon_wal_syncs_total", "counter"},
      {"logdaemon_wal_logs_total", "counter"},
      {"logdaemon_wal_written_bytes_total", "counter"},
      {"logdaemon_wal_failed_commits_total", "counter"},
      {"logdaemon_wal_torn_tails_total", "counter"},
      {"logdaemon_wal_replayed_logs_total", "counter"},
      {"logdaemon_wal_segments", "gauge"},
      {"logdaemon_wal_spare_segments", "gauge"},
      {"logdaemon_wal_recycled_segments_total", "counter"},
      {"logdaemon_wal_bytes", "gauge"},
      {"logdaemon_wal_max_bytes", "gauge"},
      {"logdaemon_wal_fair_threshold_bytes", "gauge"},
      {"logdaemon_wal_backlog_logs", "gauge"},
      {"logdaemon_wal_backlog_bytes", "gauge"},
      {"logdaemon_wal_spilled_logs_total", "counter"},
      {"logdaemon_storage_failing", "gauge"},
      {"logdaemon_build_info", "gauge"},
      {"process_cpu_seconds_total", "counter"},
      {"process_open_fds", "gauge"},
      {"process_max_fds", "gauge"},
      {"process_virtual_memory_bytes", "gauge"},
      {"process_resident_memory_bytes", "gauge"},
      {"process_start_time_seconds", "gauge"},
  };
  for (const auto& [name, type] : expected) {
    ASSERT_EQ(parsed.types.count(name), 1u) << name;
    EXPECT_EQ(parsed.types.at(name), type) << name;
  }
  // Nothing unexpected: a new metric is added here and in docs/metrics.md together.
  EXPECT_EQ(parsed.types.size(), expected.size() + 5);
}

TEST(RenderMetrics, ValuesComeFromTheServerStats) {
  const ServerStats server = SomeServerStats();
  const Parsed parsed = Parse(RenderMetrics(server, SomeStorageStats(), kBuild, SomeProcessMetrics()));
  EXPECT_EQ(Value(parsed, "log_daemon_ingest_count"), 1000);
  EXPECT_EQ(Value(parsed, "log_daemon_dropped_messages"), 40);
  EXPECT_EQ(Value(parsed, "log_daemon_active_connections"), 3);
  EXPECT_EQ(Value(parsed, "logdaemon_logs_accepted_total"), 900);
  EXPECT_EQ(Value(parsed, "logdaemon_logs_dropped_total", {{"reason", "overloaded"}}), 40);
  EXPECT_EQ(Value(parsed, "logdaemon_bytes_received_total"), 123456);
  EXPECT_EQ(Value(parsed, "logdaemon_connections_accepted_total"), 101);
  EXPECT_EQ(Value(parsed, "logdaemon_connections_refused_total", {{"reason", "max_connections"}}), 7);
  EXPECT_EQ(Value(parsed, "logdaemon_connections_timed_out_total"), 5);
  EXPECT_EQ(Value(parsed, "logdaemon_reads_paused_total"), 11);
  EXPECT_EQ(Value(parsed, "logdaemon_reads_deferred_total"), 13);
  EXPECT_EQ(Value(parsed, "logdaemon_memory_bytes", {{"part", "ingest"}}), 4096);
  EXPECT_EQ(Value(parsed, "logdaemon_memory_limit_bytes", {{"part", "ingest"}}), 16 << 20);
  EXPECT_EQ(Value(parsed, "logdaemon_memory_budget_bytes"), 64 << 20);
}

TEST(RenderMetrics, OneRejectionSamplePerReasonIncludingZeros) {
  const ServerStats server = SomeServerStats();
  const Parsed parsed = Parse(RenderMetrics(server, SomeStorageStats(), kBuild, SomeProcessMetrics()));
  const std::map<std::string, double> expected = {
      {"invalid_json", 10},    {"invalid_utf8", 20},        {"not_object", 30},
      {"schema", 40},          {"unstorable", 0},           {"empty_frame", 60},
      {"frame_too_large", 70}, {"storage_unavailable", 80}, {"time_out_of_range", 90},
  };
  size_t samples = 0;
  for (const Sample& sample : parsed.samples) samples += sample.name == "logdaemon_logs_rejected_total";
  EXPECT_EQ(samples, kRejectReasonCount);
  for (const auto& [reason, value] : expected) {
    EXPECT_EQ(Value(parsed, "logdaemon_logs_rejected_total", {{"reason", reason}}), value) << reason;
  }
}

TEST(RenderMetrics, ValuesComeFromTheStorageStats) {
  const Parsed parsed =
      Parse(RenderMetrics(SomeServerStats(), SomeStorageStats(), kBuild, SomeProcessMetrics()));
  EXPECT_EQ(Value(parsed, "log_daemon_bytes_processed"), 987654);
  EXPECT_EQ(Value(parsed, "logdaemon_written_bytes_total"), 987654);
  EXPECT_EQ(Value(parsed, "logdaemon_queue_logs"), 50);
  EXPECT_EQ(Value(parsed, "logdaemon_queue_pending_files"), 1);
  EXPECT_EQ(Value(parsed, "logdaemon_rows_written_total"), 850);
  EXPECT_EQ(Value(parsed, "logdaemon_files_written_total"), 12);
  EXPECT_EQ(Value(parsed, "logdaemon_compactions_total"), 2);
  EXPECT_EQ(Value(parsed, "logdaemon_files_compacted_total"), 9);
  EXPECT_EQ(Value(parsed, "logdaemon_compaction_backlog_files"), 6);
  EXPECT_EQ(Value(parsed, "logdaemon_files_deleted_by_retention_total"), 4);
  EXPECT_EQ(Value(parsed, "logdaemon_write_errors_total"), 1);
}

TEST(RenderMetrics, WriteLatencyHistogramIsCumulativeOverTheStorageBounds) {
  const Parsed parsed =
      Parse(RenderMetrics(SomeServerStats(), SomeStorageStats(), kBuild, SomeProcessMetrics()));
  // Per bucket 2 (<=1), 8 ((5,10]), 1 (+Inf): cumulative 2,2,2,10,...,10, +Inf 11.
  const std::map<std::string, double> expected = {
      {"1", 2},    {"2", 2},    {"5", 2},     {"10", 10},   {"25", 10},   {"50", 10},   {"100", 10},
      {"250", 10}, {"500", 10}, {"1000", 10}, {"2500", 10}, {"5000", 10}, {"+Inf", 11},
  };
  size_t buckets = 0;
  for (const Sample& sample : parsed.samples) buckets += sample.name == "log_daemon_write_latency_ms_bucket";
  EXPECT_EQ(buckets, expected.size());
  for (const auto& [le, value] : expected) {
    EXPECT_EQ(Value(parsed, "log_daemon_write_latency_ms_bucket", {{"le", le}}), value) << le;
  }
  EXPECT_EQ(Value(parsed, "log_daemon_write_latency_ms_sum"), 6123.5);
  EXPECT_EQ(Value(parsed, "log_daemon_write_latency_ms_count"), 11);
}

TEST(RenderMetrics, AnEngineWithoutLatencyCountsYetShowsAnEmptyHistogram) {
  StorageStats storage;  // flush_latency_counts empty
  const Parsed parsed = Parse(RenderMetrics(ServerStats{}, storage, kBuild, std::nullopt));
  for (const std::string& error : parsed.errors) ADD_FAILURE() << error;
  EXPECT_EQ(Value(parsed, "log_daemon_write_latency_ms_bucket", {{"le", "+Inf"}}), 0);
  EXPECT_EQ(Value(parsed, "log_daemon_write_latency_ms_count"), 0);
  EXPECT_EQ(Value(parsed, "log_daemon_ingest_count"), 0);
}

TEST(RenderMetrics, BuildInfoLabelsAreEscaped) {
  const BuildInfo odd{"1.0\"beta", "a\\b", "epoll\n"};
  const std::string text = RenderMetrics(ServerStats{}, StorageStats{}, odd, std::nullopt);
  EXPECT_NE(
      text.find(
          "logdaemon_build_info{version=\"1.0\\\"beta\",revision=\"a\\\\b\",io_backend=\"epoll\\n\"} 1\n"),
      std::string::npos)
      << text;
  const Parsed parsed = Parse(text);
  for (const std::string& error : parsed.errors) ADD_FAILURE() << error;
  EXPECT_EQ(Value(parsed, "logdaemon_build_info",
                  {{"version", "1.0\"beta"}, {"revision", "a\\b"}, {"io_backend", "epoll\n"}}),
            1);
}

TEST(RenderMetrics, BuildInfo) {
  const Parsed parsed =
      Parse(RenderMetrics(SomeServerStats(), SomeStorageStats(), kBuild, SomeProcessMetrics()));
  EXPECT_EQ(Value(parsed, "logdaemon_build_info",
                  {{"version", "0.1.0"}, {"revision", "abc123def456"}, {"io_backend", "uring"}}),
            1);
}

TEST(RenderMetrics, ProcessMetricsHaveTheClientLibrariesNamesTypesAndHelp) {
  const Parsed parsed =
      Parse(RenderMetrics(SomeServerStats(), SomeStorageStats(), kBuild, SomeProcessMetrics()));
  for (const std::string& error : parsed.errors) ADD_FAILURE() << error;
  // https://prometheus.io/docs/instrumenting/writing_clientlibs/#process-metrics
  const std::map<std::string, std::pair<std::string, std::string>> expected = {
      {"process_cpu_seconds_total", {"counter", "Total user and system CPU time spent in seconds."}},
      {"process_open_fds", {"gauge", "Number of open file descriptors."}},
      {"process_max_fds", {"gauge", "Maximum number of open file descriptors."}},
      {"process_virtual_memory_bytes", {"gauge", "Virtual memory size in bytes."}},
      {"process_resident_memory_bytes", {"gauge", "Resident memory size in bytes."}},
      {"process_start_time_seconds", {"gauge", "Start time of the process since unix epoch in seconds."}},
  };
  for (const auto& [name, type_and_help] : expected) {
    ASSERT_EQ(parsed.types.count(name), 1u) << name;
    EXPECT_EQ(parsed.types.at(name), type_and_help.first) << name;
    EXPECT_EQ(parsed.helps.at(name), type_and_help.second) << name;
  }
}

TEST(RenderMetrics, ProcessValuesComeFromTheProcessMetrics) {
  const Parsed parsed =
      Parse(RenderMetrics(SomeServerStats(), SomeStorageStats(), kBuild, SomeProcessMetrics()));
  EXPECT_EQ(Value(parsed, "process_cpu_seconds_total"), 12.5);
  EXPECT_EQ(Value(parsed, "process_open_fds"), 17);
  EXPECT_EQ(Value(parsed, "process_max_fds"), 1024);
  EXPECT_EQ(Value(parsed, "process_virtual_memory_bytes"), 3.0 * (1 << 30));
  EXPECT_EQ(Value(parsed, "process_resident_memory_bytes"), 48 << 20);
  EXPECT_EQ(Value(parsed, "process_start_time_seconds"), 1700000123.25);
}

TEST(RenderMetrics, ProcessMetricsThatCouldNotBeReadAreLeftOut) {
  const std::string text = RenderMetrics(SomeServerStats(), SomeStorageStats(), kBuild, std::nullopt);
  EXPECT_EQ(text.find("process_"), std::string::npos) << text;
  const Parsed parsed = Parse(text);
  for (const std::string& error : parsed.errors) ADD_FAILURE() << error;
  EXPECT_EQ(Value(parsed, "logdaemon_build_info",
                  {{"version", "0.1.0"}, {"revision", "abc123def456"}, {"io_backend", "uring"}}),
            1);
}

TEST(RenderMetrics, LargeCountersStayExactUpTo2To53) {
  ServerStats server;
  server.frames_received = (uint64_t{1} << 53) - 1;
  const std::string text = RenderMetrics(server, StorageStats{}, kBuild, std::nullopt);
  EXPECT_NE(text.find("\nlog_daemon_ingest_count 9007199254740991\n"), std::string::npos);
}

// ---- StatsLine
// ----------------------------------------------------------------------------------------------

std::map<std::string, std::string> ParsePairs(const std::string& line) {
  std::map<std::string, std::string> pairs;
  size_t start = 0;
  while (start <= line.size()) {
    size_t end = line.find(' ', start);
    if (end == std::string::npos) end = line.size();
    const std::string pair = line.substr(start, end - start);
    const size_t equals = pair.find('=');
    EXPECT_NE(equals, std::string::npos) << "not key=value: '" << pair << "' in " << line;
    if (equals != std::string::npos) {
      EXPECT_TRUE(pairs.emplace(pair.substr(0, equals), pair.substr(equals + 1)).second)
          << "repeated: " << pair;
    }
    start = end + 1;
  }
  return pairs;
}

TEST(StatsLine, IsOneLineOfKeyValuePairsFromTheStructs) {
  const std::string line = StatsLine(SomeServerStats(), SomeStorageStats());
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const std::map<std::string, std::string> pairs = ParsePairs(line);
  const std::map<std::string, std::string> expected = {
      {"connections", "3"},
      {"connections_accepted", "101"},
      {"connections_refused", "7"},
      {"received", "1000"},
      {"ok", "900"},
      {"rejected", std::to_string(10 + 20 + 30 + 40 + 0 + 60 + 70 + 80 + 90)},
      {"dropped", "40"},
      {"bytes_received", "123456"},
      {"queued", "50"},
      {"pending_files", "1"},
      {"rows_written", "850"},
      {"files", "12"},
      {"bytes_written", "987654"},
      {"compactions", "2"},
      {"compaction_backlog", "6"},
      {"write_errors", "1"},
      // 11 flushes: 2 in (0,1], 8 in (5,10], 1 above 5000. The median (rank 5.5) lies in (5,10]:
      // 5 + 5 * (5.5 - 2) / 8 = 7.1875; the 99th percentile (rank 10.89) in +Inf: the highest bound.
      {"flush_p50_ms", "7.2"},
      {"flush_p99_ms", "5000.0"},
  };
  EXPECT_EQ(pairs, expected) << line;
}

TEST(StatsLine, StartsWithConnectionsAndHasNoLatencyBeforeTheFirstFlush) {
  const std::string line = StatsLine(ServerStats{}, StorageStats{});
  EXPECT_TRUE(line.starts_with("connections=0 ")) << line;
  EXPECT_EQ(line.find("flush_p"), std::string::npos) << line;
  EXPECT_EQ(ParsePairs(line).size(), 16u);
}

TEST(StatsLine, FirstBucketInterpolatesFromZero) {
  StorageStats storage;
  storage.flush_latency_counts.assign(std::size(StorageStats::kLatencyBoundsMs) + 1, 0);
  storage.flush_latency_counts[0] = 4;  // all four in (0, 1] ms
  const std::map<std::string, std::string> pairs = ParsePairs(StatsLine(ServerStats{}, storage));
  EXPECT_EQ(pairs.at("flush_p50_ms"), "0.5");
  EXPECT_EQ(pairs.at("flush_p99_ms"), "1.0");
}

TEST(RejectReasonLabel, EveryReasonHasItsLabel) {
  const char* expected[] = {"invalid_json",    "invalid_utf8",        "not_object",
                            "schema",          "unstorable",          "empty_frame",
                            "frame_too_large", "storage_unavailable", "time_out_of_range"};
  static_assert(std::size(expected) == kRejectReasonCount);
  for (size_t i = 0; i < kRejectReasonCount; ++i) {
    EXPECT_STREQ(RejectReasonLabel(static_cast<RejectReason>(i)), expected[i]);
  }
}

TEST(ServerStats, RejectedTotalSumsEveryReason) {
  EXPECT_EQ(SomeServerStats().rejected_total(), 10u + 20 + 30 + 40 + 0 + 60 + 70 + 80 + 90);
  EXPECT_EQ(ServerStats{}.rejected_total(), 0u);
}

}  // namespace
}  // namespace server_metrics_test
}  // namespace logdaemon::ingest
