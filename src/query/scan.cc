#include "query/scan.h"

#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <memory>

#include "parquet/column_data.h"
#include "parquet/file_reader.h"
#include "query/column_source.h"
#include "query/dictionary_eval.h"
#include "query/expr_errors.h"
#include "query/expr_unicode.h"
#include "query/expression.h"
#include "query/row_buffer.h"
#include "schema/rfc3339.h"
#include "storage/catalog.h"

namespace logdaemon::query {

namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerHour = 3600 * kMicrosPerSecond;
constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;
// Rows a row group is scanned by: a --limit stops after the window that fills it, and output columns are
// decoded only for the pages holding a window's matches.
constexpr size_t kWindowRows = 16 * 1024;

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

// The UTC time range [begin, end) a partition directory holds: "dt=2026-01-15" or
// "dt=2026-01-15/hour=19"; nullopt for the root or a name that is not one of those.
std::optional<std::pair<int64_t, int64_t>> PartitionRange(std::string_view relative) {
  if (!relative.starts_with("dt=") || relative.size() < 13) return std::nullopt;
  std::string_view date = relative.substr(3, 10);
  if (!schema::IsRfc3339FullDate(date)) return std::nullopt;
  auto number = [](std::string_view s) {
    unsigned v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
  };
  const int64_t day =
      schema::DaysFromCivil(number(date.substr(0, 4)), number(date.substr(5, 2)), number(date.substr(8, 2)));
  int64_t begin = day * kMicrosPerDay;
  int64_t length = kMicrosPerDay;
  std::string_view rest = relative.substr(13);
  if (rest.starts_with("/hour=") && rest.size() == 8) {
    begin += int64_t{number(rest.substr(6, 2))} * kMicrosPerHour;
    length = kMicrosPerHour;
  } else if (!rest.empty()) {
    return std::nullopt;
  }
  return std::make_pair(begin, begin + length);
}

bool RangeExcluded(const ScanFilter& filter, int64_t begin, int64_t end_exclusive) {
  if (filter.until_micros && begin >= *filter.until_micros) return true;
  if (filter.since_micros && end_exclusive <= *filter.since_micros) return true;
  return false;
}

struct FileToScan {
  std::string path;
  int64_t min_time_micros = 0;
  uint64_t sequence = 0;
};

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

// --grep: `needle` occurs in `text`; with fold, after simple case folding of both (needle pre-folded).
bool Contains(std::string_view text, std::string_view needle, bool fold, std::u32string* scratch,
              const std::u32string& folded_needle) {
  if (!fold) return text.find(needle) != std::string_view::npos;
  scratch->clear();
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    uint32_t cp;
    p += expr::DecodeUtf8(p, end, &cp);
    scratch->push_back(static_cast<char32_t>(expr::FoldCase(cp)));
  }
  return scratch->find(folded_needle) != std::u32string::npos;
}

bool OneOf(const Value& v, const std::vector<std::string>& wanted) {
  if (v.type != ValueType::kString) return false;
  return std::find(wanted.begin(), wanted.end(), v.s) != wanted.end();
}

// The files the filter's time range does not exclude, by earliest time; *newest (when not null) is set
// to the newest visible file whether pruned or not: its schema is the table's current one, so a query
// that prunes everything still knows its columns.
Status ListFiles(const std::string& dir, const ScanFilter& filter, ScanStats* stats,
                 std::vector<FileToScan>* files, std::string* newest = nullptr) {
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status::NotFound("storage directory " + dir + " does not exist (--storage)");
  }
  std::vector<storage::Partition> partitions;
  if (Status s = storage::ScanStorage(storage::DefaultFileSystem(), dir, &partitions); !s.ok()) return s;
  int64_t newest_time = INT64_MIN;
  uint64_t newest_sequence = 0;
  for (const storage::Partition& partition : partitions) {
    for (const storage::DataFile& file : partition.files) {
      const int64_t t = file.parsed.min_time_seconds;
      if (newest != nullptr &&
          (t > newest_time || (t == newest_time && file.parsed.range.first > newest_sequence))) {
        newest_time = t;
        newest_sequence = file.parsed.range.first;
        *newest = file.path;
      }
    }
    ++stats->partitions;
    if (auto range = PartitionRange(partition.relative_path);
        range && RangeExcluded(filter, range->first, range->second)) {
      ++stats->partitions_pruned;
      stats->files += partition.files.size();
      stats->files_pruned += partition.files.size();
      continue;
    }
    for (const storage::DataFile& file : partition.files) {
      ++stats->files;
      const int64_t min_time = file.parsed.min_time_seconds * kMicrosPerSecond;
      // A file's name carries the time of its earliest row (to the second): nothing in it is before.
      if (filter.until_micros && min_time >= *filter.until_micros) {
        ++stats->files_pruned;
        continue;
      }
      files->push_back({file.path, min_time, file.parsed.range.first});
    }
  }
  std::sort(files->begin(), files->end(), [](const FileToScan& a, const FileToScan& b) {
    return a.min_time_micros != b.min_time_micros ? a.min_time_micros < b.min_time_micros
                                                  : a.sequence < b.sequence;
  });
  return Status::OK();
}

}  // namespace

Status Scanner::Run(const ScanRequest& request, const BeginFn& begin, const RowFn& row) {
  stats_ = {};
  std::vector<FileToScan> files;
  std::string newest;
  if (Status st = ListFiles(request.storage_dir, request.filter, &stats_, &files, &newest); !st.ok()) {
    return st;
  }

  // The table: every column of the newest file and of every file scanned, by name, in order of first
  // appearance (newest first, so the current schema's order leads).
  std::vector<std::string> schema_files;
  if (!newest.empty()) schema_files.push_back(newest);
  for (auto it = files.rbegin(); it != files.rend(); ++it) {
    if (it->path != newest) schema_files.push_back(it->path);
  }
  std::vector<ColumnInfo> table;
  for (const std::string& path : schema_files) {
    auto reader = parquet::FileReader::Open(path);
    if (!reader.ok()) return reader.status();
    for (const parquet::ColumnSpec& spec : (*reader)->columns()) {
      if (std::none_of(table.begin(), table.end(),
                       [&](const ColumnInfo& c) { return c.name == spec.name; })) {
        table.push_back({spec.name, TypeOf(spec)});
      }
    }
  }

  std::vector<ColumnInfo> output;
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
  const std::string time_name = time_column == table.end() ? std::string() : time_column->name;
  if ((filter.since_micros || filter.until_micros) && time_name.empty() && !files.empty()) {
    return Status::InvalidArgument("--since/--until: the stored logs have no time column");
  }
  std::unique_ptr<Expression> where;
  if (!filter.where.empty()) {
    size_t offset = 0;
    auto compiled = Expression::Compile(filter.where, table, &offset);
    if (!compiled.ok()) {
      return Status::InvalidArgument("--where: " + compiled.status().message() + "\n" +
                                     expr::RenderCaret(filter.where, offset));
    }
    where = std::move(*compiled);
  }
  int message_column = -1;
  std::u32string folded_grep, grep_scratch;
  if (!filter.grep.empty()) {
    for (size_t i = 0; i < table.size(); ++i) {
      if (table[i].name == "message" && table[i].type == ValueType::kString)
        message_column = static_cast<int>(i);
    }
    if (message_column < 0 && !files.empty()) {
      return Status::InvalidArgument("--grep: the stored logs have no message column");
    }
    const char* p = filter.grep.data();
    const char* end = p + filter.grep.size();
    while (p < end) {
      uint32_t cp;
      p += expr::DecodeUtf8(p, end, &cp);
      folded_grep.push_back(static_cast<char32_t>(expr::FoldCase(cp)));
    }
  }
  // The table columns the row filters read (--where's, --grep's message): a cursor each, per row group.
  std::vector<int> filter_columns;
  if (where) filter_columns = where->referenced_columns();
  if (message_column >= 0 &&
      std::find(filter_columns.begin(), filter_columns.end(), message_column) == filter_columns.end()) {
    filter_columns.push_back(message_column);
  }
  EvalScratch scratch;
  std::vector<ColumnStats> table_stats(table.size());
  // The --where expression reads the table's columns through the current row group's sources.
  struct SourceRow final : RowView {
    std::vector<ColumnSource*> sources;  // by table column; only the filter columns are set
    size_t row = 0;
    Value Get(int column) const override { return sources[static_cast<size_t>(column)]->Get(row); }
  } source_row;
  source_row.sources.assign(table.size(), nullptr);
  GroupCount* const groups = request.group_counts;
  if (groups != nullptr && output.size() != 1) {
    return Status::InvalidArgument("--count-by takes exactly one column");
  }
  begin(output);  // only once the request is known to be valid

  // With --order, files are taken in groups that overlap in time (by the time statistics of their row
  // groups); a group's matching rows are buffered and sorted, and groups follow each other in time.
  const bool ordered = request.order != Order::kStorage && !time_name.empty() && !request.count_only;
  std::vector<std::vector<size_t>> file_groups;
  if (ordered) {
    std::vector<std::pair<int64_t, int64_t>> ranges(files.size());
    for (size_t i = 0; i < files.size(); ++i) {
      auto reader = parquet::FileReader::Open(files[i].path);
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
    if (request.order == Order::kDescending) std::reverse(file_groups.begin(), file_groups.end());
  } else {
    file_groups.emplace_back();
    for (size_t i = 0; i < files.size(); ++i) file_groups.back().push_back(i);
  }

  std::vector<Value> values(output.size());
  uint64_t emitted = 0;
  RowBuffer buffer(output.size());
  // Hands one matching row on (or buffers it); false once the scan must stop.
  auto emit = [&](int64_t time) {
    if (ordered) {
      buffer.Add(time, values);
      return true;
    }
    if (!row(values)) return false;
    return request.limit == 0 || ++emitted < request.limit;
  };
  // Sorts and hands on a group's buffered rows; false once the scan must stop.
  auto flush_group = [&]() {
    bool more = true;
    for (uint32_t i : buffer.Order(request.order == Order::kDescending)) {
      if (!row(buffer.Row(i)) || (request.limit != 0 && ++emitted >= request.limit)) {
        more = false;
        break;
      }
    }
    buffer.Clear();
    return more;
  };

  // One source per file column, reused from row group to row group and file to file (their buffers
  // stay allocated), and one for columns a file lacks.
  std::vector<ColumnSource> sources;
  ColumnSource null_source;
  null_source.OpenNull();
  // --level / --service on dictionary-encoded chunks: whether each dictionary entry passes, computed
  // once per chunk instead of comparing every row's string.
  DictionaryFilter level_filter(filter.levels), service_filter(filter.services);
  // --count-by on a dictionary-encoded chunk: counts per dictionary entry, added to `groups` by value
  // when the chunk is done.
  DictionaryCounts group_dict_counts;
  std::vector<uint32_t> selected;
  const bool time_filter = filter.since_micros || filter.until_micros;

  for (const std::vector<size_t>& file_group : file_groups) {
    for (size_t file_number : file_group) {
      const FileToScan& file = files[file_number];
      auto opened = parquet::FileReader::Open(file.path);
      if (!opened.ok()) return opened.status();
      const parquet::FileReader& reader = **opened;
      // The file column holding a table column with the table's type, or -1 (then it reads as null).
      auto file_column_of = [&](const ColumnInfo& column) {
        const int index = reader.FindColumn(column.name);
        if (index < 0 || TypeOf(reader.columns()[static_cast<size_t>(index)]) != column.type) return -1;
        return index;
      };
      const int time_index = time_name.empty() ? -1 : file_column_of({time_name, ValueType::kTimestamp});
      const int level_index = reader.FindColumn("level");
      const int service_index = reader.FindColumn("service");
      std::vector<int> output_index(output.size());
      for (size_t i = 0; i < output.size(); ++i) output_index[i] = file_column_of(output[i]);
      std::vector<int> filter_index(table.size(), -1);
      for (int column : filter_columns) {
        filter_index[static_cast<size_t>(column)] = file_column_of(table[static_cast<size_t>(column)]);
      }
      if (sources.size() < static_cast<size_t>(reader.num_columns())) {
        sources.resize(static_cast<size_t>(reader.num_columns()));
      }

      for (int group = 0; group < reader.num_row_groups(); ++group) {
        ++stats_.row_groups;
        const parquet::RowGroup& meta = reader.metadata().row_groups[static_cast<size_t>(group)];
        // Pruning by statistics, before reading any page.
        bool pruned = false;
        if (time_filter && time_index < 0) pruned = true;
        if (!pruned && time_index >= 0 && time_filter) {
          ChunkStats t = StatsOf(meta, time_index);
          if (t.has_min_max) {
            pruned = RangeExcluded(filter, DecodeInt64(t.min), DecodeInt64(t.max) + 1);
          }
        }
        if (!pruned && !filter.levels.empty()) {
          pruned = level_index < 0 || StringsExcluded(StatsOf(meta, level_index), filter.levels);
        }
        if (!pruned && !filter.services.empty()) {
          pruned = service_index < 0 || StringsExcluded(StatsOf(meta, service_index), filter.services);
        }
        if (!pruned && where) {
          pruned = !where->MayMatch([&](int column) -> const ColumnStats* {
            ColumnStats* stats = &table_stats[static_cast<size_t>(column)];
            const int file_column = reader.FindColumn(table[static_cast<size_t>(column)].name);
            const bool same_type =
                file_column < 0 || TypeOf(reader.columns()[static_cast<size_t>(file_column)]) ==
                                       table[static_cast<size_t>(column)].type;
            if (!same_type) return nullptr;  // read as null, but no statistics to say so
            DecodeStats(meta, file_column, table[static_cast<size_t>(column)].type, stats);
            return stats;
          });
        }
        if (pruned) {
          ++stats_.row_groups_pruned;
          continue;
        }

        // Opens the chunks this row group needs, each once; pages are decoded window by window below.
        std::vector<bool> open(static_cast<size_t>(reader.num_columns()));
        Status open_status;
        auto source = [&](int file_column, ValueType type) -> ColumnSource* {
          if (file_column < 0) return &null_source;
          ColumnSource* s = &sources[static_cast<size_t>(file_column)];
          if (!open[static_cast<size_t>(file_column)]) {
            open[static_cast<size_t>(file_column)] = true;
            if (Status st = s->Open(reader, group, file_column, type); !st.ok() && open_status.ok()) {
              open_status = st;
            }
          }
          return s;
        };
        const bool need_time = (time_filter || ordered) && time_index >= 0;
        ColumnSource* time_source = source(need_time ? time_index : -1, ValueType::kTimestamp);
        ColumnSource* level_source = source(filter.levels.empty() ? -1 : level_index, ValueType::kString);
        ColumnSource* service_source =
            source(filter.services.empty() ? -1 : service_index, ValueType::kString);
        for (int column : filter_columns) {
          source_row.sources[static_cast<size_t>(column)] =
              source(filter_index[static_cast<size_t>(column)], table[static_cast<size_t>(column)].type);
        }
        const ColumnSource* message_source =
            message_column >= 0 ? source_row.sources[static_cast<size_t>(message_column)] : nullptr;
        std::vector<ColumnSource*> output_sources(output.size());
        for (size_t i = 0; i < output.size(); ++i)
          output_sources[i] = source(output_index[i], output[i].type);
        if (!open_status.ok()) return open_status;

        const size_t rows = static_cast<size_t>(meta.num_rows);
        // Windows of rows: a --limit stops after the window that fills it, and the output columns are
        // decoded only for the pages holding matches.
        for (size_t w0 = 0; w0 < rows; w0 += kWindowRows) {
          const size_t w1 = std::min(rows, w0 + kWindowRows);
          stats_.rows_scanned += w1 - w0;
          for (ColumnSource* s : {time_source, level_source, service_source}) {
            if (Status st = s->Cover(w0, w1); !st.ok()) return st;
          }
          for (int column : filter_columns) {
            ColumnSource* s = source_row.sources[static_cast<size_t>(column)];
            if (Status st = s->Cover(w0, w1); !st.ok()) return st;
          }
          const bool level_dictionary = !filter.levels.empty() && level_filter.Prepare(*level_source);
          const bool service_dictionary = !filter.services.empty() && service_filter.Prepare(*service_source);
          selected.clear();
          for (size_t r = w0; r < w1; ++r) {
            if (time_filter) {
              Value t = time_source->Get(r);
              if (t.is_null()) continue;
              if (filter.since_micros && t.i < *filter.since_micros) continue;
              if (filter.until_micros && t.i >= *filter.until_micros) continue;
            }
            if (!filter.levels.empty() && !(level_dictionary ? level_filter.Passes(*level_source, r)
                                                             : OneOf(level_source->Get(r), filter.levels))) {
              continue;
            }
            if (!filter.services.empty() &&
                !(service_dictionary ? service_filter.Passes(*service_source, r)
                                     : OneOf(service_source->Get(r), filter.services))) {
              continue;
            }
            source_row.row = r;
            if (message_source != nullptr) {
              Value message = message_source->Get(r);
              if (message.is_null() ||
                  !Contains(message.s, filter.grep, filter.grep_ignore_case, &grep_scratch, folded_grep)) {
                continue;
              }
            }
            if (where && !where->Matches(source_row, &scratch)) continue;
            selected.push_back(static_cast<uint32_t>(r));
          }
          stats_.rows_matched += selected.size();
          if (selected.empty() || output.empty()) continue;
          for (ColumnSource* s : output_sources) {
            if (Status st = s->Cover(selected.front(), selected.back() + 1); !st.ok()) return st;
          }
          if (groups != nullptr) {
            ColumnSource& key = *output_sources[0];
            if (key.dictionary_encoded()) {
              group_dict_counts.Add(key, selected, groups);
            } else {
              for (uint32_t r : selected) groups->Add(key.Get(r));
            }
            continue;
          }
          for (uint32_t r : selected) {
            for (size_t i = 0; i < output.size(); ++i) values[i] = output_sources[i]->Get(r);
            const Value t = ordered ? time_source->Get(r) : Value::Null();
            if (!emit(t.is_null() ? INT64_MIN : t.i)) {
              for (ColumnSource& s : sources) stats_.bytes_read += s.TakeBytesDecoded();
              return Status::OK();
            }
          }
          if (ordered && buffer.bytes() > kMaxOrderBufferBytes) {
            return Status::ResourceExhausted("--order: more than " +
                                             std::to_string(kMaxOrderBufferBytes >> 20) +
                                             " MiB of matching logs overlap in time; narrow the query "
                                             "(--since, --until, filters) or drop --order");
          }
        }
        // Counts by dictionary entry become counts by value while the dictionary is still there.
        if (groups != nullptr) group_dict_counts.Fold(groups);
        for (ColumnSource& s : sources) stats_.bytes_read += s.TakeBytesDecoded();
      }
    }
    if (ordered && !flush_group()) return Status::OK();
  }
  return Status::OK();
}

Result<uint64_t> Scanner::Count(const ScanRequest& request) {
  if (request.filter.empty()) {
    // Footers only.
    stats_ = {};
    std::vector<FileToScan> files;
    if (Status st = ListFiles(request.storage_dir, request.filter, &stats_, &files); !st.ok()) return st;
    uint64_t total = 0;
    for (const FileToScan& file : files) {
      auto reader = parquet::FileReader::Open(file.path);
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
