#include "query/row_group_scan.h"

#include <algorithm>

#include "query/expr_unicode.h"

namespace logdaemon::query {

namespace {

// Rows a row group is scanned by: a --limit stops after the window that fills it, and output columns are
// decoded only for the pages holding a window's matches.
constexpr size_t kWindowRows = 16 * 1024;

// --count-by reads only the selected rows' values of a dictionary-encoded column (skipping the others
// run by run) when at most one row in this many is selected; denser, decoding every value is cheaper.
constexpr size_t kGatherRatio = 8;

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

}  // namespace

RowGroupScanner::RowGroupScanner(const ScanPlan& plan)
    : plan_(plan), level_filter_(plan.filter->levels), service_filter_(plan.filter->services) {
  null_source_.OpenNull();
  source_row_.sources.assign(plan.table->size(), nullptr);
  values_.resize(plan.output->size());
}

void RowGroupScanner::Scan(const FilePlan& file, int group, uint64_t limit, RowGroupResult* out) {
  out->status = ScanInto(file, group, limit, out);
  for (ColumnSource& s : sources_) out->bytes_read += s.TakeBytesDecoded();
}

ColumnSource* RowGroupScanner::Source(const FilePlan& file, int group, int column, ValueType type) {
  if (column < 0) return &null_source_;
  ColumnSource* s = &sources_[static_cast<size_t>(column)];
  if (!open_[static_cast<size_t>(column)]) {
    open_[static_cast<size_t>(column)] = true;
    if (Status st = s->Open(*file.reader, group, column, type); !st.ok() && open_status_.ok()) {
      open_status_ = st;
    }
  }
  return s;
}

// The selected rows by time bucket and key. Keys repeat from row to row (most logs are info), so the
// last key's counts are kept at hand rather than looked up per row.
void RowGroupScanner::CountBuckets(const ColumnSource& time, const ColumnSource& key, TimeHistogram* out) {
  if (key.dictionary_encoded()) {
    // By dictionary entry: each entry's counts are looked up once per window, not per row.
    const parquet::ByteArrayValues& dictionary = key.dictionary();
    entry_counts_.assign(dictionary.count(), nullptr);
    // Rows come mostly in time order: the last bucket's bounds spare a division per row.
    int64_t bucket = -1, bucket_begin = 0, bucket_end = 0;
    for (uint32_t r : selected_) {
      const Value t = time.Get(r);
      if (t.is_null()) continue;
      if (t.i < bucket_begin || t.i >= bucket_end || bucket < 0) {
        bucket = out->BucketOf(t.i);
        if (bucket < 0) continue;
        bucket_begin = out->origin_micros + bucket * out->width_micros;
        bucket_end = bucket_begin + out->width_micros;
      }
      const int64_t entry = key.dict_index(r);
      if (entry < 0) {
        out->null_counts.resize(out->buckets, 0);
        ++out->null_counts[static_cast<size_t>(bucket)];
        continue;
      }
      std::vector<uint64_t>*& counts = entry_counts_[static_cast<size_t>(entry)];
      if (counts == nullptr) counts = &out->CountsOf(dictionary[static_cast<size_t>(entry)]);
      ++(*counts)[static_cast<size_t>(bucket)];
    }
    return;
  }
  std::string_view last_key;
  std::vector<uint64_t>* last_counts = nullptr;
  for (uint32_t r : selected_) {
    const Value t = time.Get(r);
    if (t.is_null()) continue;
    const int64_t bucket = out->BucketOf(t.i);
    if (bucket < 0) continue;
    const Value k = key.Get(r);
    if (k.is_null()) {
      out->null_counts.resize(out->buckets, 0);
      ++out->null_counts[static_cast<size_t>(bucket)];
      continue;
    }
    if (last_counts == nullptr || k.s != last_key) {
      last_counts = &out->CountsOf(k.s);
      last_key = k.s;  // a view into the column's data: valid for this window
    }
    ++(*last_counts)[static_cast<size_t>(bucket)];
  }
}

Status RowGroupScanner::ScanInto(const FilePlan& file, int group, uint64_t limit, RowGroupResult* out) {
  const ScanFilter& filter = *plan_.filter;
  const std::vector<ColumnInfo>& table = *plan_.table;
  const std::vector<ColumnInfo>& output = *plan_.output;
  const parquet::FileReader& reader = *file.reader;
  if (sources_.size() < static_cast<size_t>(reader.num_columns())) {
    sources_.resize(static_cast<size_t>(reader.num_columns()));
  }
  open_.assign(static_cast<size_t>(reader.num_columns()), false);
  open_status_ = Status::OK();
  if (plan_.histogram != nullptr) out->histogram = plan_.histogram->Shape();

  // The chunks this row group needs, each opened once; their pages are decoded window by window.
  const bool time_filter = filter.since_micros || filter.until_micros;
  const bool need_time = time_filter || plan_.need_time;
  ColumnSource* time_source = Source(file, group, need_time ? file.time_index : -1, ValueType::kTimestamp);
  ColumnSource* level_source =
      Source(file, group, filter.levels.empty() ? -1 : file.level_index, ValueType::kString);
  ColumnSource* service_source =
      Source(file, group, filter.services.empty() ? -1 : file.service_index, ValueType::kString);
  for (int column : plan_.filter_columns) {
    source_row_.sources[static_cast<size_t>(column)] = Source(
        file, group, file.filter_index[static_cast<size_t>(column)], table[static_cast<size_t>(column)].type);
  }
  const ColumnSource* message_source =
      plan_.message_column >= 0 ? source_row_.sources[static_cast<size_t>(plan_.message_column)] : nullptr;
  std::vector<ColumnSource*> output_sources(output.size());
  for (size_t i = 0; i < output.size(); ++i) {
    output_sources[i] = Source(file, group, file.output_index[i], output[i].type);
  }
  if (!open_status_.ok()) return open_status_;

  const size_t rows = static_cast<size_t>(reader.metadata().row_groups[static_cast<size_t>(group)].num_rows);
  filter_sources_.assign({time_source, level_source, service_source});
  for (int column : plan_.filter_columns) {
    filter_sources_.push_back(source_row_.sources[static_cast<size_t>(column)]);
  }
  size_t w1 = 0;
  for (size_t w0 = 0; w0 < rows; w0 = w1) {
    w1 = std::min(rows, w0 + kWindowRows);
    for (ColumnSource* s : filter_sources_) {
      if (Status st = s->Cover(w0, w1); !st.ok()) return st;
    }
    if (limit == 0) {
      // Whole pages were decoded: the window grows to the end of what every filter column holds, so
      // that a page straddling two windows is not decoded twice (pages of 20 000 rows and windows of
      // 16 Ki would decode most pages twice). With a limit, the smaller window may stop sooner.
      size_t reach = SIZE_MAX;
      for (const ColumnSource* s : filter_sources_) reach = std::min(reach, s->covered_end());
      if (reach != SIZE_MAX) w1 = std::max(w1, std::min(rows, reach));
    }
    out->rows_scanned += w1 - w0;
    const bool level_dictionary = !filter.levels.empty() && level_filter_.Prepare(*level_source);
    const bool service_dictionary = !filter.services.empty() && service_filter_.Prepare(*service_source);
    // The dictionary filters first, in one tight pass over the indices each; the other checks then see
    // only the rows those pass (a --level error passes a few percent).
    const bool prefiltered = level_dictionary || service_dictionary;
    size_t num_candidates = w1 - w0;
    if (prefiltered) {
      if (candidates_.size() < w1 - w0) candidates_.resize(w1 - w0);
      uint32_t* candidates = candidates_.data();
      num_candidates = level_dictionary ? level_filter_.Select(*level_source, w0, w1, candidates)
                                        : service_filter_.Select(*service_source, w0, w1, candidates);
      if (level_dictionary && service_dictionary) {
        num_candidates = service_filter_.Refine(*service_source, candidates, num_candidates);
      }
    }
    selected_.clear();
    for (size_t i = 0; i < num_candidates; ++i) {
      const size_t r = prefiltered ? candidates_[i] : w0 + i;
      if (time_filter) {
        const Value t = time_source->Get(r);
        if (t.is_null()) continue;
        if (filter.since_micros && t.i < *filter.since_micros) continue;
        if (filter.until_micros && t.i >= *filter.until_micros) continue;
      }
      if (!filter.levels.empty() && !level_dictionary && !OneOf(level_source->Get(r), filter.levels))
        continue;
      if (!filter.services.empty() && !service_dictionary &&
          !OneOf(service_source->Get(r), filter.services)) {
        continue;
      }
      source_row_.row = r;
      if (message_source != nullptr) {
        const Value message = message_source->Get(r);
        if (message.is_null() ||
            !Contains(message.s, filter.grep, filter.grep_ignore_case, &grep_scratch_, plan_.folded_grep)) {
          continue;
        }
      }
      if (plan_.where != nullptr && !plan_.where->Matches(source_row_, &scratch_)) continue;
      selected_.push_back(static_cast<uint32_t>(r));
      if (limit != 0 && out->rows_matched + selected_.size() >= limit) break;
    }
    out->rows_matched += selected_.size();
    if (selected_.empty() || output.empty()) {
      if (limit != 0 && out->rows_matched >= limit) break;
      continue;
    }
    if (plan_.group && selected_.size() * kGatherRatio <= w1 - w0 &&
        output_sources[0]->CanGather(selected_.front(), selected_.back() + 1)) {
      // A few rows of many: only their values are read of the grouped column's pages.
      entries_.resize(selected_.size());
      if (Status st = output_sources[0]->Gather(selected_, entries_.data()); !st.ok()) return st;
      group_dict_counts_.AddEntries(*output_sources[0], entries_, &out->groups);
      continue;
    }
    for (ColumnSource* s : output_sources) {
      if (Status st = s->Cover(selected_.front(), selected_.back() + 1); !st.ok()) return st;
    }
    if (plan_.histogram != nullptr) {
      CountBuckets(*time_source, *output_sources[0], &out->histogram);
      continue;
    }
    if (plan_.group) {
      ColumnSource& key = *output_sources[0];
      if (key.dictionary_encoded()) {
        group_dict_counts_.Add(key, selected_, &out->groups);
      } else {
        for (uint32_t r : selected_) out->groups.Add(key.Get(r));
      }
      continue;
    }
    for (uint32_t r : selected_) {
      for (size_t i = 0; i < output.size(); ++i) values_[i] = output_sources[i]->Get(r);
      const Value t = plan_.need_time ? time_source->Get(r) : Value::Null();
      out->rows.Add(t.is_null() ? INT64_MIN : t.i, values_);
    }
    if (limit != 0 && out->rows_matched >= limit) break;
  }
  // Counts by dictionary entry become counts by value while the dictionary is still there.
  if (plan_.group) group_dict_counts_.Fold(&out->groups);
  return Status::OK();
}

}  // namespace logdaemon::query
