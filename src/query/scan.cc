#include "query/scan.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <thread>

#include "parquet/column_data.h"
#include "parquet/file_reader.h"
#include "query/expr_errors.h"
#include "query/expr_unicode.h"
#include "query/expression.h"
#include "query/row_buffer.h"
#include "query/row_group_scan.h"
#include "query/scan_files.h"

namespace logdaemon::query {

namespace {

// --order with --limit cuts its buffer back to the limit no more often than every this many rows.
constexpr uint64_t kMinTopRows = 4096;

ValueType TypeOf(const parquet::ColumnSpec& column) {
  using parquet::LogicalType;
  using parquet::Type;
  const int kind = column.logical_type ? column.logical_type->kind : -1;
  switch (column.type) {
    case Type::kBoolean:
      return ValueType::kBool;
    case Type::kInt64:
      return kind == LogicalType::kTimestamp ? ValueType::kTimestamp : ValueType::kInt64;
    case Type::kDouble:
      return ValueType::kDouble;
    case Type::kByteArray:
      return kind == LogicalType::kJson ? ValueType::kJson : ValueType::kString;
    default:
      return ValueType::kNull;  // not a type logdaemon writes: read as null
  }
}

// Statistics of one column chunk, decoded; has_min_max false when absent (then nothing is pruned).
struct ChunkStats {
  bool has_min_max = false;
  std::string_view min, max;  // plain-encoded
  bool exact = true;          // min and max are exact values (not truncated prefixes)
};

ChunkStats StatsOf(const parquet::RowGroup& group, int column) {
  ChunkStats stats;
  if (column < 0 || static_cast<size_t>(column) >= group.columns.size()) return stats;
  const auto& meta = group.columns[static_cast<size_t>(column)].meta_data;
  if (!meta || !meta->statistics) return stats;
  const parquet::Statistics& s = *meta->statistics;
  if (!s.min_value || !s.max_value) return stats;
  stats.has_min_max = true;
  stats.min = *s.min_value;
  stats.max = *s.max_value;
  stats.exact = s.is_min_value_exact.value_or(true) && s.is_max_value_exact.value_or(true);
  return stats;
}

int64_t DecodeInt64(std::string_view plain) {
  int64_t v = 0;
  if (plain.size() == sizeof(v)) std::memcpy(&v, plain.data(), sizeof(v));
  return v;
}

// Whether no value of a string column chunk can be one of `wanted`, by its exact min and max.
bool StringsExcluded(const ChunkStats& stats, const std::vector<std::string>& wanted) {
  if (wanted.empty() || !stats.has_min_max || !stats.exact) return false;
  for (const std::string& w : wanted) {
    if (w >= stats.min && w <= stats.max) return false;
  }
  return true;
}

// A column chunk's statistics as the expression's ColumnStats, typed as the table column.
bool DecodeStats(const parquet::RowGroup& group, int file_column, ValueType type, ColumnStats* out) {
  *out = ColumnStats{};
  out->num_rows = group.num_rows;
  if (file_column < 0 || static_cast<size_t>(file_column) >= group.columns.size()) {
    // The file lacks the column: every row is null.
    out->null_count = group.num_rows;
    return true;
  }
  const auto& meta = group.columns[static_cast<size_t>(file_column)].meta_data;
  if (!meta || !meta->statistics) return true;
  const parquet::Statistics& s = *meta->statistics;
  if (s.null_count) out->null_count = *s.null_count;
  if (!s.min_value || !s.max_value) return true;
  const std::string& min = *s.min_value;
  const std::string& max = *s.max_value;
  switch (type) {
    case ValueType::kInt64:
    case ValueType::kTimestamp:
      if (min.size() != 8 || max.size() != 8) return true;
      out->min =
          type == ValueType::kInt64 ? Value::Int64(DecodeInt64(min)) : Value::Timestamp(DecodeInt64(min));
      out->max =
          type == ValueType::kInt64 ? Value::Int64(DecodeInt64(max)) : Value::Timestamp(DecodeInt64(max));
      break;
    case ValueType::kDouble: {
      if (min.size() != 8 || max.size() != 8) return true;
      double lo, hi;
      std::memcpy(&lo, min.data(), 8);
      std::memcpy(&hi, max.data(), 8);
      out->min = Value::Double(lo);
      out->max = Value::Double(hi);
      break;
    }
    case ValueType::kBool:
      if (min.size() != 1 || max.size() != 1) return true;
      out->min = Value::Bool(min[0] != 0);
      out->max = Value::Bool(max[0] != 0);
      break;
    case ValueType::kString:
      // A truncated minimum is a prefix (still a lower bound) and a truncated maximum is rounded up
      // (still an upper bound): both are safe for pruning.
      out->min = Value::String(min);
      out->max = Value::String(max);
      break;
    default:
      return true;  // JSON and unknown types: no usable order
  }
  out->has_min_max = true;
  return true;
}

// Whether the statistics of row group `group` rule out every row, before any page is read.
bool RowGroupPruned(const parquet::FileReader& reader, int group, const FilePlan& file,
                    const ScanFilter& filter, const Expression* where, const std::vector<ColumnInfo>& table,
                    std::vector<ColumnStats>* table_stats) {
  const parquet::RowGroup& meta = reader.metadata().row_groups[static_cast<size_t>(group)];
  if (filter.since_micros || filter.until_micros) {
    if (file.time_index < 0) return true;  // no time: nothing is in the range
    ChunkStats t = StatsOf(meta, file.time_index);
    if (t.has_min_max && RangeExcluded(filter, DecodeInt64(t.min), DecodeInt64(t.max) + 1)) return true;
  }
  if (!filter.levels.empty() &&
      (file.level_index < 0 || StringsExcluded(StatsOf(meta, file.level_index), filter.levels))) {
    return true;
  }
  if (!filter.services.empty() &&
      (file.service_index < 0 || StringsExcluded(StatsOf(meta, file.service_index), filter.services))) {
    return true;
  }
  if (where == nullptr) return false;
  return !where->MayMatch([&](int column) -> const ColumnStats* {
    ColumnStats* stats = &(*table_stats)[static_cast<size_t>(column)];
    const int file_column = reader.FindColumn(table[static_cast<size_t>(column)].name);
    const bool same_type = file_column < 0 || TypeOf(reader.columns()[static_cast<size_t>(file_column)]) ==
                                                  table[static_cast<size_t>(column)].type;
    if (!same_type) return nullptr;  // read as null, but no statistics to say so
    DecodeStats(meta, file_column, table[static_cast<size_t>(column)].type, stats);
    return stats;
  });
}

}  // namespace

// What Prepare works out, for Execute.
struct Scanner::Prepared {
  const ScanRequest* request = nullptr;
  std::vector<ColumnInfo> table;
  std::vector<ColumnInfo> output;
  std::string time_name;  // the table's time column; empty: none
  std::unique_ptr<Expression> where;
  ScanPlan plan;
};

Scanner::Scanner() = default;
Scanner::~Scanner() = default;

Status Scanner::Prepare(const ScanRequest& request, const ScanFile* newest, std::span<const ScanFile> files,
                        const BeginFn& begin) {
  auto prepared = std::make_unique<Prepared>();
  prepared->request = &request;
  // The table: every column of the newest file and of every file scanned, by name, in order of first
  // appearance (newest first, so the current schema's order leads).
  std::vector<const ScanFile*> schema_files;
  if (newest != nullptr && !newest->path.empty()) schema_files.push_back(newest);
  for (auto it = files.rbegin(); it != files.rend(); ++it) {
    if (newest == nullptr || it->path != newest->path) schema_files.push_back(&*it);
  }
  std::vector<ColumnInfo>& table = prepared->table;
  for (const ScanFile* file : schema_files) {
    auto reader = OpenReader(*file);
    if (!reader.ok()) return reader.status();
    for (const parquet::ColumnSpec& spec : (*reader)->columns()) {
      if (std::none_of(table.begin(), table.end(),
                       [&](const ColumnInfo& c) { return c.name == spec.name; })) {
        table.push_back({spec.name, TypeOf(spec)});
      }
    }
  }

  std::vector<ColumnInfo>& output = prepared->output;
  if (request.count_only) {
    // No output columns: only the filter columns are read.
  } else if (request.fields.empty()) {
    output = table;
  } else {
    for (const std::string& name : request.fields) {
      auto found =
          std::find_if(table.begin(), table.end(), [&](const ColumnInfo& c) { return c.name == name; });
      if (found == table.end()) {
        std::string known;
        for (const ColumnInfo& c : table) known.append(known.empty() ? "" : ", ").append(c.name);
        if (table.empty()) return Status::InvalidArgument("--fields: no column named " + name + " (no data)");
        return Status::InvalidArgument("--fields: no column named " + name + " (columns: " + known + ")");
      }
      output.push_back(*found);
    }
  }
  const ScanFilter& filter = request.filter;
  auto time_column = std::find_if(table.begin(), table.end(), [](const ColumnInfo& c) {
    return c.type == ValueType::kTimestamp && c.name == "timestamp";
  });
  if (time_column == table.end()) {
    time_column = std::find_if(table.begin(), table.end(),
                               [](const ColumnInfo& c) { return c.type == ValueType::kTimestamp; });
  }
  prepared->time_name = time_column == table.end() ? std::string() : time_column->name;
  if ((filter.since_micros || filter.until_micros) && prepared->time_name.empty() && !files.empty()) {
    return Status::InvalidArgument("--since/--until: the stored logs have no time column");
  }
  if (!filter.where.empty()) {
    size_t offset = 0;
    auto compiled = Expression::Compile(filter.where, table, &offset);
    if (!compiled.ok()) {
      return Status::InvalidArgument("--where: " + compiled.status().message() + "\n" +
                                     expr::RenderCaret(filter.where, offset));
    }
    prepared->where = std::move(*compiled);
  }
  ScanPlan& plan = prepared->plan;
  if (!filter.grep.empty()) {
    for (size_t i = 0; i < table.size(); ++i) {
      if (table[i].name == "message" && table[i].type == ValueType::kString)
        plan.message_column = static_cast<int>(i);
    }
    if (plan.message_column < 0 && !files.empty()) {
      return Status::InvalidArgument("--grep: the stored logs have no message column");
    }
    const char* p = filter.grep.data();
    const char* end = p + filter.grep.size();
    while (p < end) {
      uint32_t cp;
      p += expr::DecodeUtf8(p, end, &cp);
      plan.folded_grep.push_back(static_cast<char32_t>(expr::FoldCase(cp)));
    }
  }
  // The table columns the row filters read (--where's, --grep's message): a cursor each, per row group.
  if (prepared->where) plan.filter_columns = prepared->where->referenced_columns();
  if (plan.message_column >= 0 && std::find(plan.filter_columns.begin(), plan.filter_columns.end(),
                                            plan.message_column) == plan.filter_columns.end()) {
    plan.filter_columns.push_back(plan.message_column);
  }
  if (request.group_counts != nullptr && output.size() != 1) {
    return Status::InvalidArgument("--count-by takes exactly one column");
  }
  plan.filter = &filter;
  plan.table = &prepared->table;
  plan.output = &prepared->output;
  plan.where = prepared->where.get();
  plan.group = request.group_counts != nullptr;
  plan.histogram = request.histogram;
  prepared_ = std::move(prepared);
  begin(prepared_->output);  // only once the request is known to be valid
  return Status::OK();
}

Status Scanner::Execute(std::span<const ScanFile> files, Order order, uint64_t limit, const RowFn& row) {
  const ScanRequest& request = *prepared_->request;
  const ScanFilter& filter = request.filter;
  const std::vector<ColumnInfo>& table = prepared_->table;
  const std::vector<ColumnInfo>& output = prepared_->output;
  const std::string& time_name = prepared_->time_name;
  const Expression* where = prepared_->where.get();
  GroupCount* const groups = request.group_counts;

  // With --order, files are taken in groups that overlap in time (by the time statistics of their row
  // groups); a group's matching rows are buffered and sorted, and groups follow each other in time.
  const bool ordered = order != Order::kStorage && !time_name.empty() && !request.count_only;
  std::vector<std::vector<size_t>> file_groups;
  if (ordered) {
    std::vector<std::pair<int64_t, int64_t>> ranges(files.size());
    for (size_t i = 0; i < files.size(); ++i) {
      auto reader = OpenReader(files[i]);
      if (!reader.ok()) return reader.status();
      const int t = (*reader)->FindColumn(time_name);
      int64_t lo = INT64_MAX, hi = INT64_MIN;
      for (const parquet::RowGroup& g : (*reader)->metadata().row_groups) {
        ChunkStats stats = StatsOf(g, t);
        if (!stats.has_min_max) {
          lo = INT64_MIN;  // unknown: overlaps everything
          hi = INT64_MAX;
          break;
        }
        lo = std::min(lo, DecodeInt64(stats.min));
        hi = std::max(hi, DecodeInt64(stats.max));
      }
      ranges[i] = {lo, hi};
    }
    std::vector<size_t> by_start(files.size());
    for (size_t i = 0; i < files.size(); ++i) by_start[i] = i;
    std::stable_sort(by_start.begin(), by_start.end(),
                     [&](size_t a, size_t b) { return ranges[a].first < ranges[b].first; });
    int64_t group_end = INT64_MIN;
    for (size_t i : by_start) {
      if (file_groups.empty() || ranges[i].first > group_end) {
        file_groups.emplace_back();
        group_end = ranges[i].second;
      } else {
        group_end = std::max(group_end, ranges[i].second);
      }
      file_groups.back().push_back(i);
    }
    if (order == Order::kDescending) std::reverse(file_groups.begin(), file_groups.end());
  } else {
    file_groups.emplace_back();
    for (size_t i = 0; i < files.size(); ++i) file_groups.back().push_back(i);
  }
  prepared_->plan.need_time = ordered || request.histogram != nullptr;

  uint64_t emitted = 0;
  RowBuffer buffer(output.size());
  size_t kept_bytes = 0;  // the buffer's bytes after it was last cut back to the limit
  // Sorts and hands on a group's buffered rows; false once the scan must stop.
  auto flush_group = [&]() {
    bool more = true;
    for (uint32_t i : buffer.Order(order == Order::kDescending)) {
      if (!row(buffer.Row(i)) || (limit != 0 && ++emitted >= limit)) {
        more = false;
        break;
      }
    }
    buffer.Clear();
    kept_bytes = 0;
    return more;
  };

  // Row groups are scanned in batches, in parallel, and their results handed on in storage order. A
  // batch is twice the threads (so a slow row group does not idle the others for long); with --limit the
  // first batch is one row group and batches double, so that a limit met early reads no more.
  const size_t threads = std::max<size_t>(
      1, request.threads != 0 ? request.threads : std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::unique_ptr<RowGroupScanner>> workers;
  for (size_t i = 0; i < threads; ++i) workers.push_back(std::make_unique<RowGroupScanner>(prepared_->plan));
  const bool early_stop = limit != 0 && !ordered;
  size_t batch_size = early_stop ? 1 : 2 * threads;
  struct Unit {
    size_t file_group;
    std::shared_ptr<const FilePlan> file;
    int group;
  };
  std::vector<Unit> batch;
  std::vector<std::unique_ptr<RowGroupResult>> results;
  size_t current_file_group = 0;
  bool done = false;
  // Runs the batch and hands its results on; false once the scan must stop (an error sets *status).
  auto run_batch = [&](Status* status) {
    if (request.cancel != nullptr && request.cancel->load(std::memory_order_relaxed)) {
      *status = Status::Aborted("the query was cancelled");
      return false;
    }
    if (std::chrono::steady_clock::now() > request.deadline) {
      *status = Status::Aborted("the query ran out of time");
      return false;
    }
    results.clear();
    for (size_t i = 0; i < batch.size(); ++i)
      results.push_back(std::make_unique<RowGroupResult>(output.size()));
    const uint64_t unit_limit = early_stop ? limit - emitted : 0;
    std::atomic<size_t> next{0};
    auto work = [&](RowGroupScanner* worker) {
      for (size_t i = next++; i < batch.size(); i = next++) {
        worker->Scan(*batch[i].file, batch[i].group, unit_limit, results[i].get());
      }
    };
    std::vector<std::thread> helpers;
    for (size_t t = 1; t < std::min(threads, batch.size()); ++t) helpers.emplace_back(work, workers[t].get());
    work(workers[0].get());
    for (std::thread& helper : helpers) helper.join();

    for (size_t i = 0; i < batch.size(); ++i) {
      RowGroupResult& result = *results[i];
      stats_.rows_scanned += result.rows_scanned;
      stats_.rows_matched += result.rows_matched;
      stats_.bytes_read += result.bytes_read;
      if (!result.status.ok()) {
        *status = result.status;
        return false;
      }
      if (request.histogram != nullptr) {
        request.histogram->Merge(result.histogram);
        continue;
      }
      if (groups != nullptr) {
        groups->Merge(result.groups);
        continue;
      }
      if (ordered) {
        if (batch[i].file_group != current_file_group) {
          current_file_group = batch[i].file_group;
          if (!flush_group()) return false;
        }
        buffer.Append(std::move(result.rows));
        // A top-N: with a limit, only the rows that can still be printed are kept, cut back whenever
        // the buffer holds twice as many (so each row is copied a bounded number of times) or half the
        // memory allowed.
        if (limit != 0 && (buffer.size() >= std::max<uint64_t>(2 * (limit - emitted), kMinTopRows) ||
                           buffer.bytes() > std::max(request.max_order_buffer_bytes / 2, 2 * kept_bytes))) {
          buffer.KeepBest(limit - emitted, order == Order::kDescending);
          kept_bytes = buffer.bytes();
        }
        if (buffer.bytes() > request.max_order_buffer_bytes) {
          *status = Status::ResourceExhausted(
              "--order: more than " + std::to_string(request.max_order_buffer_bytes >> 20) +
              " MiB of matching logs overlap in time; narrow the query (--since, --until, filters), add "
              "--limit, or drop --order");
          return false;
        }
        continue;
      }
      for (size_t r = 0; r < result.rows.size(); ++r) {
        if (!row(result.rows.Row(r)) || (limit != 0 && ++emitted >= limit)) return false;
      }
    }
    batch.clear();
    batch_size = std::min(2 * threads, batch_size * 2);
    return true;
  };

  Status status;
  std::vector<ColumnStats> table_stats(table.size());
  for (size_t file_group = 0; file_group < file_groups.size() && !done; ++file_group) {
    for (size_t file_number : file_groups[file_group]) {
      if (done) break;
      auto opened = OpenReader(files[file_number]);
      if (!opened.ok()) return opened.status();
      auto file = std::make_shared<FilePlan>();
      file->reader = std::move(*opened);
      const parquet::FileReader& reader = *file->reader;
      // The file column holding a table column with the table's type, or -1 (then it reads as null).
      auto file_column_of = [&](const ColumnInfo& column) {
        const int index = reader.FindColumn(column.name);
        if (index < 0 || TypeOf(reader.columns()[static_cast<size_t>(index)]) != column.type) return -1;
        return index;
      };
      file->time_index = time_name.empty() ? -1 : file_column_of({time_name, ValueType::kTimestamp});
      file->level_index = file_column_of({"level", ValueType::kString});
      file->service_index = file_column_of({"service", ValueType::kString});
      for (const ColumnInfo& column : output) file->output_index.push_back(file_column_of(column));
      file->filter_index.assign(table.size(), -1);
      for (int column : prepared_->plan.filter_columns) {
        file->filter_index[static_cast<size_t>(column)] = file_column_of(table[static_cast<size_t>(column)]);
      }

      for (int group = 0; group < reader.num_row_groups() && !done; ++group) {
        ++stats_.row_groups;
        if (RowGroupPruned(reader, group, *file, filter, where, table, &table_stats)) {
          ++stats_.row_groups_pruned;
          continue;
        }
        batch.push_back({file_group, file, group});
        if (batch.size() >= batch_size && !run_batch(&status)) done = true;
      }
    }
  }
  if (!done && !batch.empty() && !run_batch(&status)) done = true;
  if (!status.ok()) return status;
  if (!done && ordered) flush_group();
  return Status::OK();
}

std::string Scanner::where_text() const {
  return prepared_ && prepared_->where ? prepared_->where->ToString() : std::string();
}

Status Scanner::Run(const ScanRequest& request, const BeginFn& begin, const RowFn& row) {
  stats_ = {};
  StorageListing listing;
  if (Status st = OpenStorage(request.storage_dir, request.filter, &stats_, &listing); !st.ok()) return st;
  if (Status st = Prepare(request, &listing.newest, listing.files, begin); !st.ok()) return st;
  return Execute(listing.files, request.order, request.limit, row);
}

Result<uint64_t> Scanner::Count(const ScanRequest& request) {
  if (request.filter.empty()) {
    // Footers only.
    stats_ = {};
    StorageListing listing;
    if (Status st = OpenStorage(request.storage_dir, request.filter, &stats_, &listing); !st.ok()) return st;
    uint64_t total = 0;
    for (const ScanFile& file : listing.files) {
      auto reader = OpenReader(file);
      if (!reader.ok()) return reader.status();
      total += static_cast<uint64_t>((*reader)->num_rows());
      stats_.row_groups += static_cast<uint64_t>((*reader)->num_row_groups());
    }
    stats_.rows_matched = total;
    return total;
  }
  ScanRequest counting = request;
  counting.count_only = true;
  counting.limit = 0;
  Status st = Run(
      counting, [](const std::vector<ColumnInfo>&) {}, [](std::span<const Value>) { return true; });
  if (!st.ok()) return st;
  return stats_.rows_matched;
}

}  // namespace logdaemon::query
