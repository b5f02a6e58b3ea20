#include "cli/query_command.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

#include "query/follow.h"
#include "query/group_count.h"
#include "query/name_list.h"
#include "query/output.h"
#include "query/scan.h"
#include "query/time_spec.h"

namespace logdaemon::cli {

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

int Usage(const std::string& message) {
  std::fprintf(stderr, "logdaemon query: %s\n", message.c_str());
  return kExitUsage;
}

// --explain: what the scan read and skipped, on stderr.
void Explain(const query::Scanner& scanner, std::chrono::steady_clock::duration elapsed) {
  const query::ScanStats& s = scanner.stats();
  if (const std::string where = scanner.where_text(); !where.empty()) {
    std::fprintf(stderr, "explain: where %s\n", where.c_str());
  }
  std::fprintf(
      stderr,
      "explain: partitions %llu (%llu pruned by date), files %llu (%llu pruned by name), row groups "
      "%llu (%llu pruned by statistics), rows scanned %llu, matched %llu, %.1f MB read, %.1f ms\n",
      static_cast<unsigned long long>(s.partitions), static_cast<unsigned long long>(s.partitions_pruned),
      static_cast<unsigned long long>(s.files), static_cast<unsigned long long>(s.files_pruned),
      static_cast<unsigned long long>(s.row_groups), static_cast<unsigned long long>(s.row_groups_pruned),
      static_cast<unsigned long long>(s.rows_scanned), static_cast<unsigned long long>(s.rows_matched),
      static_cast<double>(s.bytes_read) / 1e6, std::chrono::duration<double, std::milli>(elapsed).count());
}

// A query holds every file it reads open (so that compaction removing one mid-query loses nothing): allow
// as many descriptors as the system lets this process have.
void RaiseOpenFileLimit() {
  struct rlimit limit;
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &limit);  // best effort: the open fails with a hint otherwise
  }
}

// SIGINT / SIGTERM end --follow cleanly (the output flushed, exit 0): the handler writes a byte the
// follower polls for.
int g_stop_pipe[2] = {-1, -1};

void OnStopSignal(int) {
  const int saved = errno;
  const char byte = 1;
  (void)!::write(g_stop_pipe[1], &byte, 1);
  errno = saved;
}

Status RunFollow(const query::ScanRequest& request, std::unique_ptr<query::RowWriter>& writer,
                 const query::Scanner::BeginFn& begin, const query::Scanner::RowFn& row,
                 query::ScanStats* stats) {
  if (::pipe2(g_stop_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
    return Status::IOError(std::string("--follow: pipe: ") + std::strerror(errno));
  }
  struct sigaction action = {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
  query::FollowOptions follow;
  follow.stop_fd = g_stop_pipe[0];
  follow.output_fd = STDOUT_FILENO;
  follow.flush = [&] {
    if (writer) writer->Flush();
  };
  follow.warn = [](const std::string& line) { std::fprintf(stderr, "logdaemon query: %s\n", line.c_str()); };
  query::FollowStats follow_stats;
  Status status = query::Follow(request, follow, begin, row, &follow_stats);
  *stats = follow_stats.scan;
  return status;
}

}  // namespace

int RunQuery(const QueryOptions& options) {
  RaiseOpenFileLimit();
  query::ScanRequest request;
  request.storage_dir = options.storage;
  request.filter.levels = query::SplitNameList(options.levels);
  request.filter.services = query::SplitNameList(options.services);
  request.fields = query::SplitNameList(options.fields);
  request.filter.grep = options.grep;
  request.filter.grep_ignore_case = options.ignore_case;
  request.filter.where = options.where;
  if (options.ignore_case && options.grep.empty()) return Usage("-i needs --grep TEXT");
  request.limit = options.limit;
  if (options.order == "asc") {
    request.order = query::Order::kAscending;
  } else if (options.order == "desc") {
    request.order = query::Order::kDescending;
  } else if (!options.order.empty()) {
    return Usage("--order: \"" + options.order + "\" is not an order (asc, desc)");
  }
  const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  if (options.since) {
    auto since = query::ParseTimeSpec(*options.since, now);
    if (!since.ok()) return Usage("--since: " + since.status().message());
    request.filter.since_micros = *since;
  }
  if (options.until) {
    auto until = query::ParseTimeSpec(*options.until, now);
    if (!until.ok()) return Usage("--until: " + until.status().message());
    request.filter.until_micros = *until;
  }

  if (options.count && !options.count_by.empty()) return Usage("--count and --count-by exclude each other");
  if (options.follow && (options.count || !options.count_by.empty())) {
    return Usage("--follow prints logs as they come: it does not go with --count or --count-by");
  }
  if (options.follow && request.order == query::Order::kDescending) {
    return Usage("--follow prints the newest logs last: it does not go with --order desc");
  }
  const auto started = std::chrono::steady_clock::now();
  query::Scanner scanner;
  if (options.count) {
    auto count = scanner.Count(request);
    if (!count.ok()) {
      std::fprintf(stderr, "logdaemon query: %s\n", count.status().message().c_str());
      return count.status().code() == Status::Code::kInvalidArgument ? kExitUsage : kExitFailure;
    }
    std::printf("%llu\n", static_cast<unsigned long long>(*count));
    if (options.explain) Explain(scanner, std::chrono::steady_clock::now() - started);
    return kExitOk;
  }

  query::OutputOptions output;
  if (options.format == "table") {
    output.format = query::OutputFormat::kTable;
  } else if (options.format == "json") {
    output.format = query::OutputFormat::kJson;
  } else if (options.format == "csv") {
    output.format = query::OutputFormat::kCsv;
  } else {
    return Usage("--format: \"" + options.format + "\" is not a format (table, json, csv)");
  }
  // Colours only for a person: a terminal, and NO_COLOR (https://no-color.org) unset or empty.
  const char* no_color = std::getenv("NO_COLOR");
  output.color = ::isatty(STDOUT_FILENO) && (no_color == nullptr || no_color[0] == '\0');

  // `query | head`: a closed pipe is a write error (EPIPE) that stops the scan, not a signal that kills
  // the process mid-line.
  std::signal(SIGPIPE, SIG_IGN);
  if (!options.count_by.empty()) {
    // The counts are known only at the end: the scan reads FIELD (and the filters' columns), then the
    // groups are printed, largest first; --limit applies to the groups.
    request.fields = {options.count_by};
    request.limit = 0;
    query::GroupCount groups;
    request.group_counts = &groups;
    std::vector<query::ColumnInfo> columns;
    Status st = scanner.Run(
        request, [&](const std::vector<query::ColumnInfo>& c) { columns = c; },
        [&](std::span<const query::Value>) { return true; });
    if (!st.ok()) {
      std::fprintf(stderr, "logdaemon query: %s\n", st.message().c_str());
      return st.code() == Status::Code::kInvalidArgument ? kExitUsage : kExitFailure;
    }
    if (columns.empty()) columns.push_back({options.count_by, query::ValueType::kString});
    columns.push_back({"count", query::ValueType::kInt64});
    if (options.count_by == "level") output.level_column = 0;
    auto writer = query::MakeRowWriter(output, stdout);
    writer->Begin(columns);
    uint64_t printed = 0;
    for (const auto& [value, count] : groups.Sorted()) {
      if (options.limit != 0 && printed++ >= options.limit) break;
      const query::Value row[2] = {value, query::Value::Int64(static_cast<int64_t>(count))};
      writer->Row(row);
      if (writer->failed()) break;
    }
    writer->End();
    if (options.explain) Explain(scanner, std::chrono::steady_clock::now() - started);
    return kExitOk;
  }

  std::unique_ptr<query::RowWriter> writer;
  auto begin = [&](const std::vector<query::ColumnInfo>& columns) {
    for (size_t i = 0; i < columns.size(); ++i) {
      if (columns[i].name == "level") output.level_column = static_cast<int>(i);
    }
    writer = query::MakeRowWriter(output, stdout);
    writer->Begin(columns);
  };
  auto row = [&](std::span<const query::Value> values) {
    writer->Row(values);
    return !writer->failed();  // the reader went away (`| head`): stop scanning
  };
  Status st;
  if (options.follow) {
    st = RunFollow(request, writer, begin, row, scanner.mutable_stats());
  } else {
    st = scanner.Run(request, begin, row);
  }
  if (writer) writer->End();
  if (options.explain) Explain(scanner, std::chrono::steady_clock::now() - started);
  if (!st.ok()) {
    std::fprintf(stderr, "logdaemon query: %s\n", st.message().c_str());
    return st.code() == Status::Code::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  return kExitOk;
}

}  // namespace logdaemon::cli
