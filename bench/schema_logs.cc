#include "schema_logs.h"

#include <cstdint>
#include <cstdio>

#include "log_table.h"

namespace logdaemon::bench {

namespace {

// Which logs carry an extension field (valid set) or are broken (mixed set): one in ten each, on
// different rows so that the invalid ones are not all of one shape.
constexpr size_t kExtensionRow = 3;
constexpr size_t kInvalidRow = 7;
constexpr size_t kEvery = 10;

// Every line starts with the timestamp, whose value has a fixed width ("2026-01-15T19:00:00.000000Z").
constexpr std::string_view kTimestampPrefix = "{\"timestamp\":\"";
constexpr size_t kTimestampChars = 27;

std::string Break(std::string_view line, size_t kind) {
  std::string out(line);
  switch (kind % 4) {
    case 0: {  // enum
      size_t at = out.find("\"level\":\"");
      size_t value = at + 9;
      out.replace(value, out.find('"', value) - value, "verbose");
      break;
    }
    case 1:  // format: a well-formed date-time on a day that does not exist
      out.replace(kTimestampPrefix.size(), 10, "2026-02-30");
      break;
    case 2:  // required: the top-level message is the first key spelled so (it follows timestamp, level)
      out.replace(out.find(",\"message\":"), 11, ",\"msg\":");
      break;
    default:  // type
      out.replace(kTimestampPrefix.size() - 1, kTimestampChars + 2, "1768503600");
      break;
  }
  return out;
}

}  // namespace

bool BuildValidLogs(const std::string& corpus_path, size_t rows, std::string* ndjson) {
  LogTable table;
  if (!BuildLogTable(corpus_path, rows, &table)) return false;
  std::string plain = table.ToNdjson();
  ndjson->clear();
  ndjson->reserve(plain.size() + rows * 4);
  size_t row = 0;
  for (size_t begin = 0; begin < plain.size(); ++row) {
    size_t end = plain.find('\n', begin);
    std::string_view line(plain.data() + begin, end - begin);
    if (row % kEvery == kExtensionRow) {
      // The extension field goes before the closing brace; its value is derived from the row so it is
      // deterministic and different on every line.
      char field[48];
      std::snprintf(field, sizeof(field), ",\"x-request-id\":\"req-%012llx\"",
                    static_cast<unsigned long long>((row * 0x9E3779B97F4A7C15ull) >> 16));
      ndjson->append(line.substr(0, line.size() - 1));
      ndjson->append(field);
      ndjson->append("}");
    } else {
      ndjson->append(line);
    }
    ndjson->push_back('\n');
    begin = end + 1;
  }
  return true;
}

std::string MakeMixedLogs(std::string_view valid_ndjson, size_t* invalid) {
  std::string out;
  out.reserve(valid_ndjson.size());
  *invalid = 0;
  size_t row = 0;
  for (size_t begin = 0; begin < valid_ndjson.size(); ++row) {
    size_t end = valid_ndjson.find('\n', begin);
    std::string_view line = valid_ndjson.substr(begin, end - begin);
    if (row % kEvery == kInvalidRow) {
      out += Break(line, (*invalid)++);
    } else {
      out += line;
    }
    out.push_back('\n');
    begin = end + 1;
  }
  return out;
}

}  // namespace logdaemon::bench
