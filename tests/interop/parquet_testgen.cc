// parquet_testgen: the C++ half of the interoperability tests.
//
//   parquet_testgen OUT_DIR   writes a matrix of Parquet files with logdaemon's FileWriter (every codec
//                             × encoding × data page version, and special tables) and, beside each,
//                             NAME.expect.json: the columns, every row's values, the row groups, and
//                             per column chunk the null count and min/max computed from the data itself
//                             (not from our statistics code). The node scripts check what DuckDB and
//                             arrow-rs read against it.
//   parquet_testgen --cat FILE
//                             prints a file's rows as JSON lines, read with our FileReader, so that the
//                             node scripts can compare our reading of DuckDB's files with DuckDB's own.
//
// Value conventions (both ways): INT64 and timestamps as decimal strings (JSON numbers lose precision
// past 2^53), doubles as numbers or "NaN" / "Infinity" / "-Infinity", booleans, strings, null.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "parquet/file_reader.h"
#include "parquet/file_writer.h"

namespace {

using namespace logdaemon::parquet;  // NOLINT: a test tool
using logdaemon::Status;

void AppendJsonString(std::string_view value, std::string* out) {
  out->push_back('"');
  for (unsigned char c : value) {
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

std::string DoubleJson(double v) {
  if (std::isnan(v)) return "\"NaN\"";
  if (std::isinf(v)) return v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  char buffer[40];
  std::snprintf(buffer, sizeof(buffer), "%.17g", v);
  return buffer;
}

enum class Kind { kTimestamp, kInt64, kDouble, kBoolean, kString, kJson };

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kTimestamp:
      return "timestamp";
    case Kind::kInt64:
      return "int64";
    case Kind::kDouble:
      return "double";
    case Kind::kBoolean:
      return "boolean";
    case Kind::kString:
      return "string";
    case Kind::kJson:
      return "json";
  }
  return "?";
}

// One column: per row either null or a value.
struct Column {
  std::string name;
  Kind kind;
  bool optional;
  std::vector<uint8_t> present;
  std::vector<int64_t> ints;         // timestamp, int64, boolean (0/1)
  std::vector<double> doubles;       // double
  std::vector<std::string> strings;  // string, json

  ColumnSpec Spec() const {
    Repetition rep = optional ? Repetition::kOptional : Repetition::kRequired;
    switch (kind) {
      case Kind::kTimestamp:
        return ColumnSpec::TimestampMicrosUtc(name, rep);
      case Kind::kInt64:
        return ColumnSpec::Int64(name, rep);
      case Kind::kDouble:
        return ColumnSpec::Double(name, rep);
      case Kind::kBoolean:
        return ColumnSpec::Boolean(name, rep);
      case Kind::kString:
        return ColumnSpec::String(name, rep);
      case Kind::kJson:
        return ColumnSpec::Json(name, rep);
    }
    return ColumnSpec::Int64(name, rep);
  }
  std::string ValueJson(size_t row) const {
    if (!present[row]) return "null";
    switch (kind) {
      case Kind::kTimestamp:
      case Kind::kInt64:
        return "\"" + std::to_string(ints[row]) + "\"";
      case Kind::kBoolean:
        return ints[row] ? "true" : "false";
      case Kind::kDouble:
        return DoubleJson(doubles[row]);
      default: {
        std::string out;
        AppendJsonString(strings[row], &out);
        return out;
      }
    }
  }
};

struct Table {
  std::vector<Column> columns;
  size_t rows = 0;
};

const std::vector<std::string> kTexts = {
    "",
    "a",
    "hello world",
    "日本語のログメッセージ",
    "emoji 🚀🔥 and combining e\u0301",
    "Ünïcödé ñ",
    std::string(10000, 'x') + "tail",
    "\xF0\x9F\x98\x80",
    "quote \" and backslash \\ and tab\t",
    "zzzz" + std::string(100, 'z'),
};

// The table every matrix file holds: every type, nulls, extremes, NaN/inf, long and unicode strings.
Table TypesTable(size_t rows, uint64_t seed, size_t distinct = 40) {
  std::mt19937_64 rng(seed);
  Table t;
  t.rows = rows;
  auto add = [&](std::string name, Kind kind, bool optional, int null_percent) -> Column& {
    Column c{std::move(name), kind, optional, {}, {}, {}, {}};
    for (size_t r = 0; r < rows; ++r) {
      c.present.push_back(!optional || static_cast<int>(rng() % 100) >= null_percent);
    }
    c.ints.resize(rows);
    c.doubles.resize(rows);
    c.strings.resize(rows);
    t.columns.push_back(std::move(c));
    return t.columns.back();
  };
  Column& ts = add("ts", Kind::kTimestamp, false, 0);
  int64_t now = 1768503600000000;
  for (size_t r = 0; r < rows; ++r) ts.ints[r] = now += static_cast<int64_t>(rng() % 3000);
  Column& i64 = add("i64", Kind::kInt64, true, 20);
  const int64_t extremes[] = {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), 0,
                              -1};
  for (size_t r = 0; r < rows; ++r)
    i64.ints[r] = r % 9 == 0 ? extremes[(r / 9) % 4] : static_cast<int64_t>(rng() % 100000) - 50000;
  Column& f64 = add("f64", Kind::kDouble, true, 10);
  const double special[] = {std::nan(""),
                            std::numeric_limits<double>::infinity(),
                            -std::numeric_limits<double>::infinity(),
                            -0.0,
                            std::numeric_limits<double>::denorm_min(),
                            std::numeric_limits<double>::max(),
                            -std::numeric_limits<double>::max(),
                            0.1};
  for (size_t r = 0; r < rows; ++r)
    f64.doubles[r] = r % 7 == 0 ? special[(r / 7) % 8] : static_cast<double>(rng() % 1000000) / 64.0;
  Column& b = add("b", Kind::kBoolean, true, 30);
  for (size_t r = 0; r < rows; ++r) b.ints[r] = static_cast<int64_t>(rng() % 2);
  Column& s = add("s", Kind::kString, true, 15);
  for (size_t r = 0; r < rows; ++r) {
    s.strings[r] =
        r % 4 == 0 ? kTexts[(r / 4) % kTexts.size()] : "message " + std::to_string(rng() % distinct);
  }
  Column& j = add("j", Kind::kJson, true, 40);
  for (size_t r = 0; r < rows; ++r) {
    j.strings[r] = "{\"n\":" + std::to_string(rng() % 1000) + ",\"tags\":[\"a\",\"ü\"],\"ok\":true}";
  }
  return t;
}

// A realistic log table from the corpus (timestamp, level, message, service, trace_id, metadata).
bool LogTable(const std::string& corpus, size_t rows, Table* t) {
  std::ifstream in(corpus);
  if (!in) return false;
  std::string line;
  std::getline(in, line);  // header
  std::vector<std::array<std::string, 4>> lines;
  while (std::getline(in, line) && lines.size() < rows) {
    std::array<std::string, 4> fields;
    std::stringstream ss(line);
    for (auto& f : fields) std::getline(ss, f, '\t');
    lines.push_back(fields);
  }
  std::mt19937_64 rng(7);
  t->rows = lines.size();
  auto make = [&](std::string name, Kind kind, bool optional) {
    Column c{std::move(name),
             kind,
             optional,
             std::vector<uint8_t>(t->rows, 1),
             std::vector<int64_t>(t->rows),
             std::vector<double>(t->rows),
             std::vector<std::string>(t->rows)};
    return c;
  };
  Column ts = make("timestamp", Kind::kTimestamp, false), level = make("level", Kind::kString, false),
         message = make("message", Kind::kString, false), service = make("service", Kind::kString, true),
         trace = make("trace_id", Kind::kString, true), metadata = make("metadata", Kind::kJson, true);
  const char* levels[] = {"info", "info", "info", "debug", "warn", "error"};
  int64_t now = 1768503600000000;
  for (size_t r = 0; r < t->rows; ++r) {
    ts.ints[r] = now += 1000 + static_cast<int64_t>(rng() % 500);
    level.strings[r] = levels[rng() % 6];
    message.strings[r] = lines[r][3];
    service.strings[r] = lines[r][0] + "-" + lines[r][2];
    service.present[r] = rng() % 20 != 0;
    char hex[33];
    std::snprintf(hex, sizeof(hex), "%016llx%016llx", static_cast<unsigned long long>(rng()),
                  static_cast<unsigned long long>(rng()));
    trace.strings[r] = hex;
    trace.present[r] = rng() % 2;
    metadata.strings[r] =
        "{\"pid\":" + std::to_string(rng() % 5000) + ",\"host\":\"node-" + std::to_string(rng() % 20) + "\"}";
    metadata.present[r] = rng() % 4 != 0;
  }
  t->columns = {ts, level, message, service, trace, metadata};
  return true;
}

// Expected statistics of rows [begin, end) of a column, computed from the values.
std::string StatsJson(const Column& c, size_t begin, size_t end) {
  size_t nulls = 0;
  bool any = false;
  int64_t imin = 0, imax = 0;
  double dmin = 0, dmax = 0;
  std::string smin, smax;
  for (size_t r = begin; r < end; ++r) {
    if (!c.present[r]) {
      ++nulls;
      continue;
    }
    switch (c.kind) {
      case Kind::kDouble:
        if (std::isnan(c.doubles[r])) break;
        if (!any) dmin = dmax = c.doubles[r];
        dmin = std::min(dmin, c.doubles[r]);
        dmax = std::max(dmax, c.doubles[r]);
        any = true;
        break;
      case Kind::kString:
      case Kind::kJson:
        if (!any) smin = smax = c.strings[r];
        if (c.strings[r] < smin) smin = c.strings[r];
        if (c.strings[r] > smax) smax = c.strings[r];
        any = true;
        break;
      default:
        if (!any) imin = imax = c.ints[r];
        imin = std::min(imin, c.ints[r]);
        imax = std::max(imax, c.ints[r]);
        any = true;
    }
  }
  std::string out = "{\"null_count\":" + std::to_string(nulls);
  if (any) {
    out += ",\"min\":";
    switch (c.kind) {
      case Kind::kDouble:
        out += DoubleJson(dmin) + ",\"max\":" + DoubleJson(dmax);
        break;
      case Kind::kString:
      case Kind::kJson:
        AppendJsonString(smin, &out);
        out += ",\"max\":";
        AppendJsonString(smax, &out);
        break;
      case Kind::kBoolean:
        out += std::string(imin ? "true" : "false") + ",\"max\":" + (imax ? "true" : "false");
        break;
      default:
        out += "\"" + std::to_string(imin) + "\",\"max\":\"" + std::to_string(imax) + "\"";
    }
  }
  return out + "}";
}

// Writes `table` as OUT_DIR/name.parquet (row groups of group_rows) and its expectation file.
bool WriteCase(const std::string& dir, const std::string& name, const Table& table,
               const WriterOptions& options, size_t group_rows, const char* codec_name) {
  std::string path = dir + "/" + name + ".parquet";
  int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
  if (fd < 0) return false;
  FdOutputSink sink(fd);
  std::vector<ColumnSpec> specs;
  for (const auto& c : table.columns) specs.push_back(c.Spec());
  auto writer = FileWriter::Open(&sink, specs, options);
  if (!writer.ok()) {
    std::cerr << name << ": " << writer.status().ToString() << "\n";
    return false;
  }
  std::vector<size_t> groups;
  // Writer inputs for one row group, rebuilt per group.
  for (size_t begin = 0; begin < table.rows; begin += group_rows) {
    size_t end = std::min(table.rows, begin + group_rows);
    std::vector<ColumnBatch> batches(table.columns.size());
    std::vector<std::vector<int64_t>> ints(table.columns.size());
    std::vector<std::vector<double>> doubles(table.columns.size());
    std::vector<std::vector<uint8_t>> booleans(table.columns.size());
    std::vector<std::string> bytes(table.columns.size());
    std::vector<std::vector<uint32_t>> offsets(table.columns.size());
    for (size_t ci = 0; ci < table.columns.size(); ++ci) {
      const Column& c = table.columns[ci];
      offsets[ci].push_back(0);
      for (size_t r = begin; r < end; ++r) {
        if (!c.present[r]) continue;
        ints[ci].push_back(c.ints[r]);
        doubles[ci].push_back(c.doubles[r]);
        booleans[ci].push_back(static_cast<uint8_t>(c.ints[r]));
        bytes[ci] += c.strings[r];
        offsets[ci].push_back(static_cast<uint32_t>(bytes[ci].size()));
      }
      ColumnBatch& batch = batches[ci];
      batch.num_rows = end - begin;
      batch.def_levels = c.optional ? c.present.data() + begin : nullptr;
      batch.num_values = ints[ci].size();
      batch.int64s = ints[ci].data();
      batch.doubles = doubles[ci].data();
      batch.booleans = booleans[ci].data();
      batch.bytes = reinterpret_cast<const uint8_t*>(bytes[ci].data());
      batch.offsets = offsets[ci].data();
    }
    Status st = (*writer)->WriteBatch(batches.data(), end - begin);
    if (st.ok()) st = (*writer)->EndRowGroup();
    if (!st.ok()) {
      std::cerr << name << ": " << st.ToString() << "\n";
      return false;
    }
    groups.push_back(end - begin);
  }
  Status st = (*writer)->Close({{"logdaemon.test", name}});
  ::close(fd);
  if (!st.ok()) {
    std::cerr << name << ": " << st.ToString() << "\n";
    return false;
  }

  std::string json = "{\"file\":\"" + name + ".parquet\",\"codec\":\"" + codec_name + "\",\"columns\":[";
  for (size_t ci = 0; ci < table.columns.size(); ++ci) {
    if (ci) json += ",";
    json += "{\"name\":\"" + table.columns[ci].name + "\",\"kind\":\"" + KindName(table.columns[ci].kind) +
            "\",\"optional\":" + (table.columns[ci].optional ? "true" : "false") + "}";
  }
  json += "],\"row_groups\":[";
  size_t begin = 0;
  for (size_t g = 0; g < groups.size(); ++g) {
    if (g) json += ",";
    json += "{\"rows\":" + std::to_string(groups[g]) + ",\"stats\":[";
    for (size_t ci = 0; ci < table.columns.size(); ++ci) {
      if (ci) json += ",";
      json += StatsJson(table.columns[ci], begin, begin + groups[g]);
    }
    json += "]}";
    begin += groups[g];
  }
  json += "],\"rows\":[";
  for (size_t r = 0; r < table.rows; ++r) {
    if (r) json += ",\n";
    json += "[";
    for (size_t ci = 0; ci < table.columns.size(); ++ci) {
      if (ci) json += ",";
      json += table.columns[ci].ValueJson(r);
    }
    json += "]";
  }
  json += "]}\n";
  std::ofstream(dir + "/" + name + ".expect.json") << json;
  return true;
}

int Generate(const std::string& dir, const std::string& corpus) {
  const std::pair<Codec, const char*> codecs[] = {{Codec::kUncompressed, "UNCOMPRESSED"},
                                                  {Codec::kSnappy, "SNAPPY"},
                                                  {Codec::kGzip, "GZIP"},
                                                  {Codec::kZstd, "ZSTD"},
                                                  {Codec::kLz4Raw, "LZ4_RAW"}};
  const std::pair<ColumnEncoding, const char*> encodings[] = {{ColumnEncoding::kAuto, "auto"},
                                                              {ColumnEncoding::kPlain, "plain"},
                                                              {ColumnEncoding::kDictionary, "dictionary"},
                                                              {ColumnEncoding::kDeltaBinaryPacked, "delta"}};
  Table types = TypesTable(1500, 1);
  int files = 0;
  for (const auto& [codec, codec_name] : codecs) {
    for (const auto& [encoding, encoding_name] : encodings) {
      for (int version : {1, 2}) {
        WriterOptions options;
        options.codec = codec;
        options.data_page_version = version;
        options.data_page_max_rows = 500;  // several pages per chunk
        if (encoding == ColumnEncoding::kDeltaBinaryPacked) {
          options.column_encodings = {encoding,
                                      encoding,
                                      ColumnEncoding::kAuto,
                                      ColumnEncoding::kAuto,
                                      ColumnEncoding::kAuto,
                                      ColumnEncoding::kAuto};
        } else {
          options.encoding = encoding;
        }
        std::string name =
            std::string("types_") + codec_name + "_" + encoding_name + "_v" + std::to_string(version);
        if (!WriteCase(dir, name, types, options, 700, codec_name)) return 1;
        ++files;
      }
    }
  }
  WriterOptions defaults;
  if (!WriteCase(dir, "zero_rows", TypesTable(0, 2), defaults, 100, "SNAPPY")) return 1;
  if (!WriteCase(dir, "one_row", TypesTable(1, 3), defaults, 100, "SNAPPY")) return 1;
  if (!WriteCase(dir, "many_row_groups", TypesTable(2000, 4), defaults, 293, "SNAPPY")) return 1;
  Table nulls = TypesTable(300, 5);
  for (auto& c : nulls.columns) {
    if (c.optional) std::fill(c.present.begin(), c.present.end(), 0);
  }
  if (!WriteCase(dir, "all_null", nulls, defaults, 300, "SNAPPY")) return 1;
  WriterOptions fallback;
  fallback.codec = Codec::kZstd;
  fallback.dictionary_size_limit = 32 * 1024;
  if (!WriteCase(dir, "dictionary_fallback", TypesTable(6000, 6, 1000000), fallback, 6000, "ZSTD")) return 1;
  files += 5;
  Table logs;
  if (LogTable(corpus, 20000, &logs)) {
    WriterOptions zstd;
    zstd.codec = Codec::kZstd;
    if (!WriteCase(dir, "log_table_zstd", logs, zstd, 20000, "ZSTD")) return 1;
    if (!WriteCase(dir, "log_table_snappy", logs, defaults, 8192, "SNAPPY")) return 1;
    files += 2;
  } else {
    std::cerr << "parquet_testgen: corpus " << corpus << " not found; the log table files are skipped\n";
  }
  std::cout << "parquet_testgen: wrote " << files << " files to " << dir << "\n";
  return 0;
}

int Cat(const std::string& path) {
  auto reader = FileReader::Open(path);
  if (!reader.ok()) {
    std::cerr << reader.status().ToString() << "\n";
    return 1;
  }
  const FileReader& r = **reader;
  std::vector<ColumnData> data(static_cast<size_t>(r.num_columns()));
  for (int g = 0; g < r.num_row_groups(); ++g) {
    std::vector<size_t> value_index(data.size(), 0);
    for (int c = 0; c < r.num_columns(); ++c) {
      Status st = r.ReadColumnChunk(g, c, &data[static_cast<size_t>(c)]);
      if (!st.ok()) {
        std::cerr << st.ToString() << "\n";
        return 1;
      }
    }
    size_t rows = static_cast<size_t>(r.metadata().row_groups[static_cast<size_t>(g)].num_rows);
    for (size_t row = 0; row < rows; ++row) {
      std::string line = "[";
      for (size_t c = 0; c < data.size(); ++c) {
        if (c) line += ",";
        const ColumnData& d = data[c];
        if (d.is_null(row)) {
          line += "null";
          continue;
        }
        size_t k = value_index[c]++;
        switch (d.type) {
          case Type::kBoolean:
            line += d.value<uint8_t>(k) ? "true" : "false";
            break;
          case Type::kInt32:
            line += "\"" + std::to_string(d.value<int32_t>(k)) + "\"";
            break;
          case Type::kInt64:
            line += "\"" + std::to_string(d.value<int64_t>(k)) + "\"";
            break;
          case Type::kFloat:
            line += DoubleJson(d.value<float>(k));
            break;
          case Type::kDouble:
            line += DoubleJson(d.value<double>(k));
            break;
          case Type::kByteArray:
            AppendJsonString(d.byte_arrays[k], &line);
            break;
          default:
            line += "\"?\"";
        }
      }
      std::cout << line << "]\n";
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--cat") return Cat(argv[2]);
  if (argc >= 2 && argv[1][0] != '-') {
    std::string corpus =
        argc >= 3 ? argv[2] : std::string(LOGDAEMON_FIXTURES_DIR) + "/corpus/loghub_messages.tsv";
    return Generate(argv[1], corpus);
  }
  std::cerr << "usage: parquet_testgen OUT_DIR [CORPUS.tsv] | parquet_testgen --cat FILE\n";
  return 2;
}
