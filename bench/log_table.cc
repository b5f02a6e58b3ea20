#include "log_table.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

namespace logdaemon::bench {

using parquet::ColumnBatch;
using parquet::ColumnSpec;
using parquet::Repetition;

std::vector<ColumnSpec> LogTable::Schema() {
  return {ColumnSpec::TimestampMicrosUtc("timestamp", Repetition::kRequired),
          ColumnSpec::String("level", Repetition::kRequired),
          ColumnSpec::String("message", Repetition::kRequired),
          ColumnSpec::String("service", Repetition::kOptional),
          ColumnSpec::String("trace_id", Repetition::kOptional),
          ColumnSpec::Json("metadata", Repetition::kOptional)};
}

std::string CorpusPath() {
  const char* env = std::getenv("LOGDAEMON_FIXTURES_DIR");
  std::string dir = env != nullptr && *env ? env : LOGDAEMON_FIXTURES_DIR;
  return dir + "/corpus/loghub_messages.tsv";
}

namespace {

// The corpus's levels are each system's own spelling; map them onto the schema's six.
std::string NormalizeLevel(const std::string& raw, std::mt19937_64& rng) {
  if (raw.empty()) return (rng() % 10 == 0) ? "debug" : "info";
  char c = static_cast<char>(raw[0] | 0x20);
  switch (c) {
    case 'e':
      return raw.size() > 1 && (raw[1] | 0x20) == 'm' ? "fatal" : "error";
    case 'f':
      return "fatal";
    case 'w':
      return "warn";
    case 'd':
    case 'v':
      return "debug";
    case 't':
      return "trace";
    default:
      return "info";
  }
}

}  // namespace

bool BuildLogTable(const std::string& corpus_path, size_t rows, LogTable* t) {
  std::ifstream in(corpus_path);
  if (!in) return false;
  struct Line {
    std::string system, level, component, message;
  };
  std::vector<Line> lines;
  std::string text;
  std::getline(in, text);  // header
  while (std::getline(in, text)) {
    Line line;
    std::stringstream ss(text);
    std::getline(ss, line.system, '\t');
    std::getline(ss, line.level, '\t');
    std::getline(ss, line.component, '\t');
    std::getline(ss, line.message, '\t');
    lines.push_back(std::move(line));
  }
  if (lines.empty()) return false;
  std::mt19937_64 rng(42);
  *t = LogTable();
  t->rows = rows;
  t->service.present.resize(rows);
  t->trace_id.present.resize(rows);
  t->metadata.present.resize(rows);
  int64_t now = 1768503600000000;  // 2026-01-15T19:00:00Z
  for (size_t r = 0; r < rows; ++r) {
    // Logs arrive from many sources at once: walk the corpus in a shuffled order.
    const Line& line = lines[(r * 7919 + rng() % 16) % lines.size()];
    now += 500 + static_cast<int64_t>(rng() % 1000);
    t->timestamps.push_back(now);
    t->level.Add(NormalizeLevel(line.level, rng));
    t->message.Add(line.message);
    t->service.present[r] = rng() % 50 != 0;
    if (t->service.present[r]) {
      std::string service = line.system;
      for (auto& ch : service) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      t->service.Add(service);
    }
    t->trace_id.present[r] = rng() % 2 == 0;
    if (t->trace_id.present[r]) {
      char hex[33];
      std::snprintf(hex, sizeof(hex), "%016llx%016llx", static_cast<unsigned long long>(rng()),
                    static_cast<unsigned long long>(rng()));
      t->trace_id.Add(hex);
    }
    t->metadata.present[r] = rng() % 3 != 0;
    if (t->metadata.present[r]) {
      std::string component = line.component.substr(0, 40);
      std::string escaped;
      for (char ch : component) {
        if (ch == '"' || ch == '\\') escaped.push_back('\\');
        if (static_cast<unsigned char>(ch) >= 0x20) escaped.push_back(ch);
      }
      t->metadata.Add("{\"pid\":" + std::to_string(1000 + rng() % 30000) + ",\"host\":\"node-" +
                      std::to_string(rng() % 32) + "\",\"component\":\"" + escaped + "\"}");
    }
  }
  return true;
}

void LogTable::Batches(size_t begin, size_t end, std::vector<size_t>* value_at,
                       std::vector<ColumnBatch>* out) const {
  out->assign(6, ColumnBatch());
  size_t n = end - begin;
  ColumnBatch& ts = (*out)[0];
  ts.num_rows = ts.num_values = n;
  ts.int64s = timestamps.data() + begin;
  const StringColumn* strings[] = {&level, &message, &service, &trace_id, &metadata};
  for (size_t i = 0; i < 5; ++i) {
    const StringColumn& column = *strings[i];
    ColumnBatch& batch = (*out)[i + 1];
    batch.num_rows = n;
    size_t present = n;
    if (!column.present.empty()) {
      batch.def_levels = column.present.data() + begin;
      present = 0;
      for (size_t r = begin; r < end; ++r) present += column.present[r];
    }
    batch.num_values = present;
    batch.bytes = reinterpret_cast<const uint8_t*>(column.bytes.data());
    batch.offsets = column.offsets.data() + (*value_at)[i + 1];
    (*value_at)[i + 1] += present;
  }
}

size_t LogTable::RawBytes() const {
  return rows * sizeof(int64_t) + level.bytes.size() + message.bytes.size() + service.bytes.size() +
         trace_id.bytes.size() + metadata.bytes.size();
}

namespace {

void AppendJsonString(const char* p, size_t n, std::string* out) {
  out->push_back('"');
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(p[i]);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\u%04x", c);
      out->append(escaped);
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
  out->push_back('"');
}

std::string Rfc3339(int64_t micros) {
  time_t seconds = static_cast<time_t>(micros / 1000000);
  struct tm tm;
  gmtime_r(&seconds, &tm);
  char buffer[96];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(micros % 1000000));
  return buffer;
}

}  // namespace

std::string LogTable::ToNdjson() const {
  std::string out;
  size_t at[5] = {0, 0, 0, 0, 0};
  const StringColumn* strings[] = {&level, &message, &service, &trace_id, &metadata};
  const char* names[] = {"level", "message", "service", "trace_id", "metadata"};
  for (size_t r = 0; r < rows; ++r) {
    out += "{\"timestamp\":\"" + Rfc3339(timestamps[r]) + "\"";
    for (size_t i = 0; i < 5; ++i) {
      const StringColumn& column = *strings[i];
      if (!column.present.empty() && !column.present[r]) continue;
      size_t k = at[i]++;
      const char* p = column.bytes.data() + column.offsets[k];
      size_t n = column.offsets[k + 1] - column.offsets[k];
      out += ",\"";
      out += names[i];
      out += "\":";
      if (i == 4) {
        out.append(p, n);  // metadata is a JSON object already
      } else {
        AppendJsonString(p, n, &out);
      }
    }
    out += "}\n";
  }
  return out;
}

void LogTable::ShiftTimesToEndAt(int64_t end_micros) {
  if (timestamps.empty()) return;
  const int64_t shift = end_micros - timestamps.back();
  for (int64_t& t : timestamps) t += shift;
}

}  // namespace logdaemon::bench
