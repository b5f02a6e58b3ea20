#include "cli/query_command.h"

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "query/output.h"
#include "query/scan.h"
#include "query/time_spec.h"

namespace logdaemon::cli {

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = text.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) items.emplace_back(item);
    start = comma + 1;
  }
  return items;
}

int Usage(const std::string& message) {
  std::fprintf(stderr, "logdaemon query: %s\n", message.c_str());
  return kExitUsage;
}

}  // namespace

int RunQuery(const QueryOptions& options) {
  // Options of issue #6 that this build does not implement yet say so rather than being ignored.
  struct Pending {
    bool given;
    const char* flag;
  };
  for (const Pending& p :
       {Pending{!options.count_by.empty(), "--count-by"}, Pending{!options.order.empty(), "--order"},
        Pending{options.follow, "--follow"}, Pending{options.explain, "--explain"}}) {
    if (p.given) {
      std::fprintf(stderr, "logdaemon query: %s is not implemented yet in this build of logdaemon\n", p.flag);
      return kExitUsage;
    }
  }

  query::ScanRequest request;
  request.storage_dir = options.storage;
  request.filter.levels = SplitList(options.levels);
  request.filter.services = SplitList(options.services);
  request.fields = SplitList(options.fields);
  request.filter.grep = options.grep;
  request.filter.grep_ignore_case = options.ignore_case;
  request.filter.where = options.where;
  if (options.ignore_case && options.grep.empty()) return Usage("-i needs --grep TEXT");
  request.limit = options.limit;
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

  query::Scanner scanner;
  if (options.count) {
    auto count = scanner.Count(request);
    if (!count.ok()) {
      std::fprintf(stderr, "logdaemon query: %s\n", count.status().message().c_str());
      return kExitFailure;
    }
    std::printf("%llu\n", static_cast<unsigned long long>(*count));
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
  std::unique_ptr<query::RowWriter> writer;
  Status st = scanner.Run(
      request,
      [&](const std::vector<query::ColumnInfo>& columns) {
        for (size_t i = 0; i < columns.size(); ++i) {
          if (columns[i].name == "level") output.level_column = static_cast<int>(i);
        }
        writer = query::MakeRowWriter(output, stdout);
        writer->Begin(columns);
      },
      [&](std::span<const query::Value> row) {
        writer->Row(row);
        return !writer->failed();  // the reader went away (`| head`): stop scanning
      });
  if (writer) writer->End();
  if (!st.ok()) {
    std::fprintf(stderr, "logdaemon query: %s\n", st.message().c_str());
    return st.code() == Status::Code::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  return kExitOk;
}

}  // namespace logdaemon::cli
