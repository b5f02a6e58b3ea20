#include "http/query_api.h"

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>

#include "http/histogram.h"
#include "parquet/file_reader.h"
#include "parquet/statistics.h"
#include "query/follow.h"
#include "query/group_count.h"
#include "query/output_json.h"
#include "query/scan.h"
#include "query/scan_files.h"

namespace logdaemon::http {

namespace {

using Clock = std::chrono::steady_clock;

// A FILE* whose bytes go to `sink` (the JSON writer writes to a FILE*); a sink that answers false makes
// the write fail, which the writer reports as failed().
using ByteSink = std::function<bool(std::string_view)>;

ssize_t WriteToSink(void* cookie, const char* data, size_t size) {
  auto* sink = static_cast<ByteSink*>(cookie);
  return (*sink)(std::string_view(data, size)) ? static_cast<ssize_t>(size) : 0;
}

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
using SinkFile = std::unique_ptr<std::FILE, FileCloser>;

SinkFile OpenSinkFile(ByteSink* sink) {
  cookie_io_functions_t functions = {};
  functions.write = &WriteToSink;
  std::FILE* file = ::fopencookie(sink, "w", functions);
  if (file != nullptr) std::setvbuf(file, nullptr, _IONBF, 0);  // the writer buffers already
  return SinkFile(file);
}

void BindRequest(const QueryApiContext& context, const QueryJob& job, bool deadline,
                 query::ScanRequest* request) {
  request->storage_dir = context.storage_dir;
  request->threads = context.scan_threads;
  request->cancel = job.cancel_flag();
  request->max_order_buffer_bytes = context.max_order_buffer_bytes;
  if (deadline) request->deadline = Clock::now() + context.timeout;
}

Response JsonAnswer(std::string body) {
  Response response;
  response.body = std::move(body);
  return response;
}

// The scan's errors as answers: a bad filter is the client's (400, naming the parameter; a --where error
// with its place), a query over its time or cancelled is 503, anything else (an unreadable file) is 500.
Response ErrorAnswer(const Status& status, const QueryApiContext& context) {
  const std::string& message = status.message();
  if (status.code() == Status::Code::kInvalidArgument) {
    ParamError error;
    if (message.rfind("--where: ", 0) == 0) {
      error.parameter = "where";
      error.message = "where: " + message.substr(9, message.find('\n') - 9);
      const char* column = std::strstr(message.c_str(), "column ");
      if (column != nullptr) error.position = std::strtoull(column + 7, nullptr, 10);
    } else if (message.rfind("--fields: ", 0) == 0) {
      error.parameter = "fields";
      error.message = message.substr(2);
    } else if (message.rfind("--since/--until: ", 0) == 0) {
      error.parameter = "since";
      error.message = message.substr(2);
    } else {
      error.message = message;
    }
    Response response = JsonAnswer(ParamErrorJson(error));
    response.status = 400;
    return response;
  }
  if (status.code() == Status::Code::kAborted || status.code() == Status::Code::kResourceExhausted) {
    std::string text = message;
    if (message == "the query ran out of time") {
      text = "the query took longer than " + std::to_string(context.timeout.count()) +
             " ms: narrow it (since, until, level, service, where) or lower the limit";
    }
    return JsonError(503, text);
  }
  return JsonError(500, message);
}

std::string TypeName(query::ValueType type) {
  switch (type) {
    case query::ValueType::kNull:
      return "null";
    case query::ValueType::kBool:
      return "bool";
    case query::ValueType::kInt64:
      return "int64";
    case query::ValueType::kDouble:
      return "double";
    case query::ValueType::kString:
      return "string";
    case query::ValueType::kTimestamp:
      return "timestamp";
    case query::ValueType::kJson:
      return "json";
  }
  return "null";
}

// The table's columns (what `fields` may name) and its newest file, for the histogram and the facets.
struct TableInfo {
  std::vector<query::ColumnInfo> columns;
  query::StorageListing listing;
};

Status DescribeTable(const query::ScanRequest& request, TableInfo* info) {
  query::ScanStats stats;
  Status st = query::OpenStorage(request.storage_dir, request.filter, &stats, &info->listing);
  if (st.code() == Status::Code::kNotFound) return Status::OK();  // no storage yet: no columns
  if (!st.ok()) return st;
  query::ScanRequest all = request;
  all.fields.clear();
  all.filter.where.clear();  // checked by the real scan, with its place
  query::Scanner scanner;
  return scanner.Prepare(all, &info->listing.newest, info->listing.files,
                         [&](const std::vector<query::ColumnInfo>& columns) { info->columns = columns; });
}

// The earliest and latest time of the listed files' rows, from their row groups' statistics; nullopt
// when there are none.
std::optional<std::pair<int64_t, int64_t>> DataTimeRange(const query::StorageListing& listing,
                                                         const std::string& time_name) {
  std::optional<std::pair<int64_t, int64_t>> range;
  for (const query::ScanFile& file : listing.files) {
    auto reader = query::OpenReader(file);
    if (!reader.ok()) continue;
    const int column = (*reader)->FindColumn(time_name);
    if (column < 0) continue;
    for (const parquet::RowGroup& group : (*reader)->metadata().row_groups) {
      const auto& meta = group.columns[static_cast<size_t>(column)].meta_data;
      if (!meta || !meta->statistics) continue;
      const std::optional<parquet::Int64MinMax> times = parquet::Int64MinMaxOf(*meta->statistics);
      if (!times) continue;
      range = range ? std::pair(std::min(range->first, times->min), std::max(range->second, times->max))
                    : std::pair(times->min, times->max);
    }
  }
  return range;
}

const query::ColumnInfo* FindColumn(const std::vector<query::ColumnInfo>& columns, std::string_view name) {
  for (const query::ColumnInfo& column : columns)
    if (column.name == name) return &column;
  return nullptr;
}

// The time column: "timestamp" if the table has one, else its first timestamp column (as the scan decides).
const query::ColumnInfo* TimeColumn(const std::vector<query::ColumnInfo>& columns) {
  const query::ColumnInfo* time = FindColumn(columns, "timestamp");
  if (time != nullptr && time->type == query::ValueType::kTimestamp) return time;
  for (const query::ColumnInfo& column : columns)
    if (column.type == query::ValueType::kTimestamp) return &column;
  return nullptr;
}

// Text columns the newest file stores dictionary-encoded in every row group: few distinct values, the
// ones worth listing (level, service, …; not message).
std::vector<std::string> DictionaryColumns(const TableInfo& info, const std::string& time_name) {
  std::vector<std::string> names;
  if (info.listing.newest.path.empty()) return names;
  auto reader = query::OpenReader(info.listing.newest);
  if (!reader.ok()) return names;
  const parquet::FileReader& file = **reader;
  for (const query::ColumnInfo& column : info.columns) {
    if (column.type != query::ValueType::kString || column.name == time_name) continue;
    const int index = file.FindColumn(column.name);
    if (index < 0 || file.num_row_groups() == 0) continue;
    bool dictionary = true;
    for (const parquet::RowGroup& group : file.metadata().row_groups) {
      const auto& meta = group.columns[static_cast<size_t>(index)].meta_data;
      if (!meta || !meta->dictionary_page_offset) {
        dictionary = false;
        break;
      }
      if (meta->encoding_stats) {
        for (const parquet::PageEncodingStats& page : *meta->encoding_stats) {
          if (page.page_type == parquet::PageType::kDataPage &&
              page.encoding != parquet::Encoding::kRleDictionary &&
              page.encoding != parquet::Encoding::kPlainDictionary)
            dictionary = false;
        }
      }
    }
    if (dictionary) names.push_back(column.name);
  }
  return names;
}

std::string JsonString(std::string_view text) {
  std::string out;
  query::AppendJsonString(text, &out);
  return out;
}

// The histogram and the field counts read every match, in storage order, and need the table's columns.
Status PrepareWholeScan(const QueryApiContext& context, const QueryJob& job, query::ScanRequest* request,
                        TableInfo* table) {
  BindRequest(context, job, true, request);
  request->limit = 0;
  request->order = query::Order::kStorage;
  return DescribeTable(*request, table);
}

}  // namespace

namespace {

// One scan of `request` into *body as JSON lines; *rows gets the number of rows written.
Status ScanToJsonLines(const query::ScanRequest& request, size_t max_bytes, std::string* body, uint64_t* rows,
                       bool* too_big, query::ScanStats* stats) {
  body->clear();
  *rows = 0;
  ByteSink sink = [&](std::string_view bytes) {
    if (body->size() + bytes.size() > max_bytes) {
      *too_big = true;
      return false;
    }
    body->append(bytes);
    return true;
  };
  SinkFile file = OpenSinkFile(&sink);
  if (!file) return Status::IOError("fopencookie failed");
  std::unique_ptr<query::RowWriter> writer = query::MakeJsonWriter(file.get());
  query::Scanner scanner;
  Status st = scanner.Run(
      request, [&](const std::vector<query::ColumnInfo>& columns) { writer->Begin(columns); },
      [&](std::span<const query::Value> row) {
        writer->Row(row);
        ++*rows;
        return !writer->failed();
      });
  writer->End();
  const query::ScanStats& s = scanner.stats();
  stats->rows_scanned += s.rows_scanned;
  stats->rows_matched += s.rows_matched;
  return st;
}

// The newest (order=desc) or oldest (asc) `limit` logs lie in a short time window at that end of the
// data. Rather than sorting every matching log, the scan is run on the last (first) 1/1024 of the range,
// and on windows doubling from there until one holds `limit` logs or the window is the whole range: row
// groups outside a window are pruned by their time statistics, so on storage sorted by time (compaction
// sorts) the first window reads a few row groups of millions. The answer is the same: every log outside
// the window is older (newer) than every log in it.
Status ScanOrdered(query::ScanRequest request, const TableInfo& table, size_t max_bytes, std::string* body,
                   bool* too_big, query::ScanStats* stats) {
  uint64_t rows = 0;
  const query::ColumnInfo* time = TimeColumn(table.columns);
  std::optional<std::pair<int64_t, int64_t>> data;
  if (time != nullptr) data = DataTimeRange(table.listing, time->name);
  if (!data || request.limit == 0) return ScanToJsonLines(request, max_bytes, body, &rows, too_big, stats);
  const std::optional<int64_t> since = request.filter.since_micros, until = request.filter.until_micros;
  const int64_t lo = std::max(since.value_or(data->first), data->first);
  const int64_t hi = std::min(until.value_or(data->second + 1), data->second + 1);
  if (hi <= lo) return ScanToJsonLines(request, max_bytes, body, &rows, too_big, stats);
  const bool newest = request.order == query::Order::kDescending;
  for (int64_t width = std::max<int64_t>((hi - lo) / 1024, 1'000'000);; width *= 2) {
    const bool whole = width >= hi - lo;
    if (whole) {
      request.filter.since_micros = since;
      request.filter.until_micros = until;
    } else if (newest) {
      request.filter.since_micros = hi - width;  // until: as asked (logs newer than the data cannot be)
    } else {
      request.filter.until_micros = lo + width;
    }
    Status st = ScanToJsonLines(request, max_bytes, body, &rows, too_big, stats);
    if (!st.ok() || whole || rows >= request.limit) return st;
  }
}

}  // namespace

Response RunQueryRequest(const QueryApiContext& context, QueryParams params, const QueryJob& job) {
  const auto started = Clock::now();
  query::ScanRequest& request = params.request;
  BindRequest(context, job, true, &request);
  std::string body;
  bool too_big = false;
  query::ScanStats stats;
  Status st;
  if (request.order != query::Order::kStorage && request.limit != 0) {
    TableInfo table;
    st = DescribeTable(request, &table);
    if (st.ok()) st = ScanOrdered(request, table, context.max_answer_bytes, &body, &too_big, &stats);
  } else {
    uint64_t rows = 0;
    st = ScanToJsonLines(request, context.max_answer_bytes, &body, &rows, &too_big, &stats);
  }
  if (st.code() == Status::Code::kNotFound && st.message().find("(--storage)") != std::string::npos)
    st = Status::OK();  // no storage directory yet: no logs
  if (too_big) {
    return JsonError(413, "the answer is over " + std::to_string(context.max_answer_bytes) +
                              " bytes: lower the limit or choose fewer fields");
  }
  if (!st.ok()) return ErrorAnswer(st, context);
  Response response;
  if (params.format == QueryFormat::kJson) {
    // The writer's lines are JSON objects with every newline inside them escaped: one row per line.
    response.body.reserve(body.size() + 2);
    response.body.push_back('[');
    for (size_t i = 0; i < body.size(); ++i) {
      const bool last = i + 1 == body.size();
      if (body[i] == '\n') {
        if (!last) response.body.push_back(',');
      } else {
        response.body.push_back(body[i]);
      }
    }
    response.body.push_back(']');
  } else {
    response.content_type = "application/x-ndjson";
    response.body = std::move(body);
  }
  response.headers.emplace_back("X-Rows-Scanned", std::to_string(stats.rows_scanned));
  response.headers.emplace_back("X-Rows-Matched", std::to_string(stats.rows_matched));
  response.headers.emplace_back(
      "X-Took-Ms",
      std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count()));
  return response;
}

Response RunHistogramRequest(const QueryApiContext& context, QueryParams params, const QueryJob& job) {
  query::ScanRequest& request = params.request;
  TableInfo table;
  if (Status st = PrepareWholeScan(context, job, &request, &table); !st.ok()) return ErrorAnswer(st, context);
  const query::ColumnInfo* time = TimeColumn(table.columns);
  // The range: [since, until) where given, else the stored logs' (from the footers' statistics).
  std::optional<std::pair<int64_t, int64_t>> data;
  if (time != nullptr && (!request.filter.since_micros || !request.filter.until_micros))
    data = DataTimeRange(table.listing, time->name);
  const int64_t from = request.filter.since_micros.value_or(data ? data->first : 0);
  int64_t to = request.filter.until_micros.value_or(data ? data->second + 1 : from + 1'000'000);
  if (to <= from) to = from + 1;
  query::TimeHistogram histogram = PlanBuckets(from, to, params.buckets);
  if (time != nullptr && !table.listing.files.empty()) {
    // Counted by level inside the scan; a table without a level column counts by the time itself (one
    // key per instant would be many: HistogramJson folds them into "(none)").
    const query::ColumnInfo* level = FindColumn(table.columns, "level");
    request.fields = {level != nullptr && level->type == query::ValueType::kString ? level->name
                                                                                   : time->name};
    request.histogram = &histogram;
    query::Scanner scanner;
    Status st = scanner.Run(
        request, [](const std::vector<query::ColumnInfo>&) {},
        [](std::span<const query::Value>) { return true; });
    if (!st.ok()) return ErrorAnswer(st, context);
  }
  return JsonAnswer(HistogramJson(from, to, histogram));
}

namespace {

constexpr size_t kMaxFacetValues = 10000;  // a column with more distinct values is not listed

std::string ValueJson(const query::Value& value) {
  switch (value.type) {
    case query::ValueType::kNull:
      return "null";
    case query::ValueType::kString:
    case query::ValueType::kJson:
      return JsonString(value.s);
    case query::ValueType::kInt64:
    case query::ValueType::kTimestamp:
      return std::to_string(value.i);
    case query::ValueType::kBool:
      return value.b ? "true" : "false";
    case query::ValueType::kDouble:
      return std::to_string(value.d);
  }
  return "null";
}

// The facets' top values, counted by the scan's --count-by path (dictionary entries, not strings, per row).
Status CountFacets(const query::ScanRequest& request, const std::vector<std::string>& facets,
                   std::vector<query::GroupCount>* groups, uint64_t* total) {
  groups->resize(facets.size());
  for (size_t i = 0; i < facets.size(); ++i) {
    query::ScanRequest counting = request;
    counting.fields = {facets[i]};
    counting.group_counts = &(*groups)[i];
    query::Scanner scanner;
    Status st = scanner.Run(
        counting, [](const std::vector<query::ColumnInfo>&) {},
        [](std::span<const query::Value>) { return true; });
    if (!st.ok()) return st;
    *total = scanner.stats().rows_matched;
  }
  if (facets.empty()) {
    query::Scanner scanner;
    auto count = scanner.Count(request);
    if (!count.ok()) return count.status();
    *total = *count;
  }
  return Status::OK();
}

std::string FieldsJson(const std::vector<query::ColumnInfo>& columns, const query::ColumnInfo* time,
                       const std::vector<std::string>& facets, const std::vector<query::GroupCount>& groups,
                       uint64_t total, size_t top) {
  std::string out = "{\"total\":" + std::to_string(total) + ",\"columns\":[";
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i != 0) out += ',';
    out += "{\"name\":" + JsonString(columns[i].name) + ",\"type\":\"" + TypeName(columns[i].type) + "\"" +
           (time != nullptr && time->name == columns[i].name ? ",\"time\":true" : "") + "}";
  }
  out += "],\"facets\":{";
  for (size_t i = 0; i < facets.size(); ++i) {
    if (i != 0) out += ',';
    out += JsonString(facets[i]) + ":{";
    if (i >= groups.size() || groups[i].size() > kMaxFacetValues) {
      out += "\"complete\":false,\"distinct_over\":" + std::to_string(kMaxFacetValues) + ",\"values\":[]}";
      continue;
    }
    const auto sorted = groups[i].Sorted();
    out += "\"complete\":true,\"distinct\":" + std::to_string(sorted.size()) + ",\"values\":[";
    for (size_t v = 0; v < sorted.size() && v < top; ++v) {
      if (v != 0) out += ',';
      out +=
          "{\"value\":" + ValueJson(sorted[v].first) + ",\"count\":" + std::to_string(sorted[v].second) + "}";
    }
    out += "]}";
  }
  out += "}}";
  return out;
}

}  // namespace

Response RunFieldsRequest(const QueryApiContext& context, QueryParams params, const QueryJob& job) {
  query::ScanRequest& request = params.request;
  TableInfo table;
  if (Status st = PrepareWholeScan(context, job, &request, &table); !st.ok()) return ErrorAnswer(st, context);
  const query::ColumnInfo* time = TimeColumn(table.columns);
  std::vector<std::string> facets = params.facets;
  for (const std::string& name : facets) {
    const query::ColumnInfo* column = FindColumn(table.columns, name);
    if (column == nullptr || column->type == query::ValueType::kJson) {
      Response response = JsonAnswer(
          ParamErrorJson({"facets",
                          "facets: " + name + (column == nullptr ? " is not a column" : " is a JSON column"),
                          {}}));
      response.status = 400;
      return response;
    }
  }
  if (facets.empty()) facets = DictionaryColumns(table, time != nullptr ? time->name : std::string());
  std::vector<query::GroupCount> groups;
  uint64_t total = 0;
  if (!table.columns.empty()) {
    if (Status st = CountFacets(request, facets, &groups, &total); !st.ok()) return ErrorAnswer(st, context);
  }
  return JsonAnswer(FieldsJson(table.columns, time, facets, groups, total, params.top));
}

void RunTailRequest(const QueryApiContext& context, QueryParams params, QueryJob& job) {
  query::ScanRequest& request = params.request;
  BindRequest(context, job, false, &request);
  request.limit = params.backlog;
  request.order = query::Order::kStorage;
  // Each JSON line becomes one event: "data: <line>\n\n".
  bool line_start = true;
  std::string event;
  ByteSink sink = [&](std::string_view bytes) {
    event.clear();
    for (char c : bytes) {
      if (line_start) event += "data: ";
      line_start = c == '\n';
      event.push_back(c);
      if (c == '\n') event.push_back('\n');
    }
    return job.Append(event);
  };
  SinkFile file = OpenSinkFile(&sink);
  if (!file) {
    job.EndStream();
    return;
  }
  std::unique_ptr<query::RowWriter> writer;
  bool ready_sent = false;
  query::FollowOptions follow;
  follow.stop_fd = job.stop_fd();
  follow.relist_interval = context.tail_relist_interval;
  follow.print_stored = params.backlog > 0;
  follow.flush = [&] {
    if (writer) writer->Flush();
    // The first flush comes once the stored logs are shown and marked seen: from here on, every log
    // published is sent. Clients that send logs and expect to see them wait for this event.
    if (!ready_sent) {
      ready_sent = true;
      job.Append("event: ready\ndata: {}\n\n");
    }
  };
  follow.warn = [&](const std::string& line) {
    job.Append("event: warning\ndata: " + JsonString(line) + "\n\n");
  };
  job.Append(": logdaemon tail\n\n");  // the answer's head goes out now, not with the first log
  Status st = query::Follow(
      request, follow,
      [&](const std::vector<query::ColumnInfo>& columns) {
        writer = query::MakeJsonWriter(file.get());
        writer->Begin(columns);
      },
      [&](std::span<const query::Value> row) {
        writer->Row(row);
        return !writer->failed() && !job.cancelled();
      });
  if (writer) writer->End();
  if (!ready_sent && st.ok() && !job.cancelled()) job.Append("event: ready\ndata: {}\n\n");
  if (!st.ok() && !job.cancelled()) {
    Response error = ErrorAnswer(st, context);
    job.Append("event: error\ndata: " + error.body + "\n\n");
  }
  job.EndStream();
}

}  // namespace logdaemon::http
