// storage_fixture_writer OUT: writes logs with known values through StorageEngine into OUT/default (the
// built-in schema) and OUT/custom (the original spec's custom schema: app_id STRING REQUIRED, user_id
// INT64 OPTIONAL, …), over several day partitions and flushes, compacts them, and writes what DuckDB and
// arrow-rs must read back (storage_duckdb.mjs layout, issue 4 proofs 1 and 5):
//   OUT/<name>.columns.json   the columns: name, kind, DuckDB type; row count; unique key; time field
//   OUT/<name>.expect.ndjson  every row; timestamps as epoch microseconds, JSON columns as their text
//   OUT/<name>.arrow.ndjson   the same with INT64 and timestamps as decimal strings (exact in JavaScript)
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "logdaemon/schema.h"
#include "logdaemon/storage.h"
#include "storage/storage_test_util.h"

namespace {

using namespace logdaemon;
using storage::testing::Rfc3339;
using storage::testing::UtcMicros;

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

struct ColumnInfo {
  std::string name;
  std::string kind;  // timestamp, string, int64, double, boolean, json
};

// One value as it goes into the log (`log`, JSON text; empty: absent) and as it must be read back
// (`text` for the expectations: JSON text of the value; "null" for null).
struct Value {
  std::string log;
  std::string expect = "null";
};

struct Dataset {
  std::string name;
  std::vector<ColumnInfo> columns;
  std::string key;
  std::vector<std::string> logs;
  std::vector<std::vector<Value>> rows;
};

Value Str(const std::string& s) {
  return {JsonString(s), JsonString(s)};
}
Value Int(int64_t v) {
  return {std::to_string(v), std::to_string(v)};
}
Value Time(int64_t micros, const std::string& written) {
  return {JsonString(written), std::to_string(micros)};
}
// A JSON column: what is written, and its minified text (stored as a string in the expectations).
Value Json(const std::string& written, const std::string& minified) {
  return {written, JsonString(minified)};
}

Dataset DefaultData() {
  Dataset d;
  d.name = "default";
  d.columns = {{"timestamp", "timestamp"}, {"level", "string"},  {"message", "string"}, {"service", "string"},
               {"trace_id", "string"},     {"metadata", "json"}, {"_extra", "json"}};
  d.key = "message";
  const char* levels[] = {"trace", "debug", "info", "warn", "error", "fatal"};
  const std::vector<std::string> tricky = {"", "quote \" backslash \\ slash /", "line\nbreak\ttab",
                                           "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80", "it's"};
  const int64_t base = UtcMicros(2026, 1, 14, 22, 0, 0);
  for (int i = 0; i < 3000; ++i) {
    const int64_t t = base + int64_t{i} * 57'600'123;  // about two days
    std::string written = Rfc3339(t);
    if (i % 4 == 1) {
      written = Rfc3339(t - 5 * 3'600'000'000LL - 30 * 60'000'000LL);
      written.replace(written.size() - 1, 1, "-05:30");
    }
    std::vector<Value> row(7);
    row[0] = Time(t, written);
    row[1] = Str(levels[i % 6]);
    row[2] = Str("m" + std::to_string(i) + " " + tricky[i % tricky.size()]);
    if (i % 3 != 0) row[3] = Str("svc-" + std::to_string(i % 5));
    if (i % 2 == 0) row[4] = Str(std::to_string(0xabcdef00 + i));
    if (i % 4 == 0) {
      row[5] =
          Json("{\"user\": {\"id\": " + std::to_string(i) + ", \"roles\": [\"a\", \"b\"]}, \"ok\": true}",
               "{\"user\":{\"id\":" + std::to_string(i) + ",\"roles\":[\"a\",\"b\"]},\"ok\":true}");
    }
    if (i % 3 == 1) {
      row[6] =
          Json("", "{\"host\":\"web-" + std::to_string(i % 7) + "\",\"latency\":" + std::to_string(i) + "}");
    }
    std::string log = "{";
    for (size_t c = 0; c < 6; ++c) {
      if (row[c].log.empty()) continue;
      if (log.size() > 1) log += ", ";
      log += "\"" + d.columns[c].name + "\": " + row[c].log;
    }
    if (i % 3 == 1) log += ",\"host\":\"web-" + std::to_string(i % 7) + "\",\"latency\":" + std::to_string(i);
    log += "}";
    d.logs.push_back(log);
    d.rows.push_back(row);
  }
  return d;
}

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
    "tags": {"type": "array", "items": {"type": "string"}}
  }
})json";

Dataset CustomData() {
  Dataset d;
  d.name = "custom";
  d.columns = {{"timestamp", "timestamp"}, {"app_id", "string"},      {"request_id", "string"},
               {"user_id", "int64"},       {"duration_ms", "double"}, {"success", "boolean"},
               {"tags", "json"},           {"_extra", "json"}};
  d.key = "request_id";
  const int64_t ints[] = {0, -1, 9223372036854775807LL, -9223372036854775807LL - 1, 1234567890123LL};
  const double doubles[] = {0.1, 2.5e-300, 1e300, 0, 123456.789, -3.75};
  const int64_t base = UtcMicros(2026, 3, 1, 20, 0, 0);
  for (int i = 0; i < 3000; ++i) {
    const int64_t t = base + int64_t{i} * 80'000'003;  // about three days
    std::vector<Value> row(8);
    row[0] = Time(t, Rfc3339(t));
    row[1] = Str("app-" + std::to_string(i % 4));
    row[2] = Str("req-" + std::to_string(i));
    if (i % 3 != 0) row[3] = Int(ints[i % 5] + (i % 5 == 4 ? i : 0));
    if (i % 4 != 0) {
      std::string v = Double17(doubles[i % 6] * (i % 6 == 5 ? i : 1));
      row[4] = {v, v};
    }
    if (i % 5 == 1) row[5] = {"true", "true"};
    if (i % 5 == 2) row[5] = {"false", "false"};
    if (i % 6 == 0)
      row[6] =
          Json("[\"t" + std::to_string(i % 3) + "\", \"x\"]", "[\"t" + std::to_string(i % 3) + "\",\"x\"]");
    if (i % 7 == 0) row[7] = Json("", "{\"region\":\"eu-" + std::to_string(i % 2) + "\",\"retry\":null}");
    std::string log = "{";
    for (size_t c = 0; c < 7; ++c) {
      if (row[c].log.empty()) continue;
      if (log.size() > 1) log += ",";
      log += "\"" + d.columns[c].name + "\":" + row[c].log;
    }
    if (i % 7 == 0) log += ",\"region\":\"eu-" + std::to_string(i % 2) + "\",\"retry\":null";
    log += "}";
    d.logs.push_back(log);
    d.rows.push_back(row);
  }
  return d;
}

const char* DuckType(const std::string& kind) {
  if (kind == "timestamp") return "TIMESTAMP WITH TIME ZONE";
  if (kind == "string") return "VARCHAR";
  if (kind == "int64") return "BIGINT";
  if (kind == "double") return "DOUBLE";
  if (kind == "boolean") return "BOOLEAN";
  return "JSON";
}

int Write(const std::string& out, const Dataset& d, SchemaValidator schema) {
  StorageOptions options;
  options.directory = out + "/" + d.name;
  options.batch_size = 400;
  options.compression = Compression::kSnappy;
  auto engine = StorageEngine::Open(options, std::move(schema));
  if (!engine.ok()) {
    std::fprintf(stderr, "%s: %s\n", d.name.c_str(), engine.status().ToString().c_str());
    return 1;
  }
  for (size_t i = 0; i < d.logs.size(); ++i) {
    if (Status st = (*engine)->Append(d.logs[i]); !st.ok()) {
      std::fprintf(stderr, "%s: %s\n%s\n", d.name.c_str(), st.ToString().c_str(), d.logs[i].c_str());
      return 1;
    }
    if (i % 500 == 499) {
      if (Status st = (*engine)->Flush(); !st.ok())
        return std::fprintf(stderr, "%s\n", st.ToString().c_str()), 1;
    }
  }
  if (Status st = (*engine)->Flush(); !st.ok()) return std::fprintf(stderr, "%s\n", st.ToString().c_str()), 1;
  if (Status st = (*engine)->Compact(); !st.ok())
    return std::fprintf(stderr, "%s\n", st.ToString().c_str()), 1;
  if (Status st = (*engine)->Close(); !st.ok()) return std::fprintf(stderr, "%s\n", st.ToString().c_str()), 1;

  std::ofstream columns(out + "/" + d.name + ".columns.json");
  columns << "{\"rows\":" << d.rows.size() << ",\"key\":\"" << d.key
          << "\",\"time_field\":\"timestamp\",\"columns\":[";
  for (size_t c = 0; c < d.columns.size(); ++c) {
    columns << (c ? "," : "") << "{\"name\":\"" << d.columns[c].name << "\",\"kind\":\"" << d.columns[c].kind
            << "\",\"duckdb\":\"" << DuckType(d.columns[c].kind) << "\"}";
  }
  columns << "]}\n";
  std::ofstream expect(out + "/" + d.name + ".expect.ndjson");
  std::ofstream arrow(out + "/" + d.name + ".arrow.ndjson");
  for (const std::vector<Value>& row : d.rows) {
    expect << "{";
    arrow << "{";
    for (size_t c = 0; c < d.columns.size(); ++c) {
      const std::string& kind = d.columns[c].kind;
      const std::string& v = row[c].expect;
      expect << (c ? "," : "") << "\"" << d.columns[c].name << "\":" << v;
      const bool quoted = (kind == "timestamp" || kind == "int64") && v != "null";
      arrow << (c ? "," : "") << "\"" << d.columns[c].name << "\":" << (quoted ? "\"" + v + "\"" : v);
    }
    expect << "}\n";
    arrow << "}\n";
  }
  std::printf("%s: %zu rows\n", d.name.c_str(), d.rows.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: storage_fixture_writer OUT\n");
    return 2;
  }
  auto default_schema = SchemaValidator::DefaultSchema();
  auto custom_schema = SchemaValidator::FromString(kCustomSchema);
  if (!default_schema.ok() || !custom_schema.ok()) {
    std::fprintf(stderr, "schema failed to compile\n");
    return 1;
  }
  if (int rc = Write(argv[1], DefaultData(), std::move(*default_schema)); rc != 0) return rc;
  return Write(argv[1], CustomData(), std::move(*custom_schema));
}
