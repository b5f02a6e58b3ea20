// Helpers shared by the storage engine's tests and drivers (engine_test.cc, crash_writer.cc,
// crash_harness.cc, bounded_files.cc, fixture_writer.cc): reading a storage directory back with our own
// Parquet reader, value by value, and formatting times. No GoogleTest here, so the drivers can use it.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "logdaemon/status.h"
#include "parquet/file_reader.h"
#include "storage/catalog.h"
#include "storage/fs.h"

namespace logdaemon::storage::testing {

// One value as read back: null, INT64 (and timestamps, as UTC micros), DOUBLE, BOOLEAN, or the bytes of a
// BYTE_ARRAY (STRING, JSON).
using Cell = std::variant<std::monostate, int64_t, double, bool, std::string>;
using Row = std::vector<Cell>;

inline std::string CellText(const Cell& cell) {
  if (std::holds_alternative<std::monostate>(cell)) return "null";
  if (const int64_t* v = std::get_if<int64_t>(&cell)) return std::to_string(*v);
  if (const double* v = std::get_if<double>(&cell)) {
    char buffer[64];
    std::snprintf(buffer, sizeof(buffer), "%.17g", *v);
    return buffer;
  }
  if (const bool* v = std::get_if<bool>(&cell)) return *v ? "true" : "false";
  std::string text = "\"";
  text += std::get<std::string>(cell);
  text += '"';
  return text;
}

// Everything in one Parquet file, decoded with our reader: every column chunk of every row group.
struct FileContents {
  std::vector<parquet::ColumnSpec> columns;
  std::vector<Row> rows;
  std::vector<size_t> row_group_rows;
  std::string schema_text;  // the `logdaemon.schema` key-value metadata
};

inline Status ReadFileContents(const std::string& path, FileContents* out) {
  *out = FileContents();
  auto reader = parquet::FileReader::Open(path);
  if (!reader.ok()) return reader.status();
  out->columns = (*reader)->columns();
  out->schema_text = (*reader)->KeyValue("logdaemon.schema").value_or("");
  parquet::ColumnData data;
  for (int group = 0; group < (*reader)->num_row_groups(); ++group) {
    const size_t first_row = out->rows.size();
    size_t group_rows = 0;
    for (int column = 0; column < (*reader)->num_columns(); ++column) {
      if (Status st = (*reader)->ReadColumnChunk(group, column, &data); !st.ok()) return st;
      if (column == 0) {
        group_rows = data.num_rows;
        out->rows.resize(first_row + group_rows, Row(out->columns.size()));
      } else if (data.num_rows != group_rows) {
        return Status::Corruption(path + ": column chunks of one row group disagree on the row count");
      }
      size_t k = 0;  // index among the present values
      for (size_t row = 0; row < group_rows; ++row) {
        Cell& cell = out->rows[first_row + row][column];
        if (data.is_null(row)) continue;
        switch (data.type) {
          case parquet::Type::kInt64:
            cell = data.value<int64_t>(k);
            break;
          case parquet::Type::kDouble:
            cell = data.value<double>(k);
            break;
          case parquet::Type::kBoolean:
            cell = data.fixed.data()[k] != 0;
            break;
          case parquet::Type::kByteArray:
            cell = std::string(data.byte_arrays[k]);
            break;
          default:
            return Status::NotSupported(path + ": unexpected physical type");
        }
        ++k;
      }
      if (k != data.num_values) return Status::Corruption(path + ": present values and levels disagree");
    }
    out->row_group_rows.push_back(group_rows);
  }
  if (static_cast<int64_t>(out->rows.size()) != (*reader)->num_rows()) {
    return Status::Corruption(path + ": row groups do not add up to the file's row count");
  }
  return Status::OK();
}

// The visible files of a storage directory (storage/catalog.h), each read fully.
struct VisibleFile {
  std::string partition;  // relative path
  DataFile file;
  FileContents contents;
};

struct StorageContents {
  std::vector<VisibleFile> files;
  size_t superseded = 0;  // files hidden by a merged file (a crash between a merge and its cleanup)
  size_t total_rows() const {
    size_t n = 0;
    for (const VisibleFile& f : files) n += f.contents.rows.size();
    return n;
  }
  // Every row of every visible file, in file order.
  std::vector<Row> AllRows() const {
    std::vector<Row> rows;
    for (const VisibleFile& f : files)
      rows.insert(rows.end(), f.contents.rows.begin(), f.contents.rows.end());
    return rows;
  }
  std::map<std::string, size_t> FilesPerPartition() const {
    std::map<std::string, size_t> counts;
    for (const VisibleFile& f : files) ++counts[f.partition];
    return counts;
  }
};

inline Status ReadStorage(const std::string& root, StorageContents* out) {
  *out = StorageContents();
  std::vector<Partition> partitions;
  if (Status st = ScanStorage(DefaultFileSystem(), root, &partitions); !st.ok()) return st;
  for (const Partition& partition : partitions) {
    out->superseded += partition.superseded.size();
    for (const DataFile& file : partition.files) {
      VisibleFile visible;
      visible.partition = partition.relative_path;
      visible.file = file;
      if (Status st = ReadFileContents(file.path, &visible.contents); !st.ok()) return st;
      out->files.push_back(std::move(visible));
    }
  }
  return Status::OK();
}

// "2026-01-15T19:00:00.000001Z" for UTC micros.
inline std::string Rfc3339(int64_t micros) {
  int64_t seconds = micros >= 0 ? micros / 1'000'000 : (micros - 999'999) / 1'000'000;
  int64_t fraction = micros - seconds * 1'000'000;
  time_t t = static_cast<time_t>(seconds);
  tm parts{};
  gmtime_r(&t, &parts);
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", parts.tm_year + 1900,
                parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec,
                static_cast<long long>(fraction));
  return buffer;
}

// UTC micros of a civil date and time.
inline int64_t UtcMicros(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) {
  tm parts{};
  parts.tm_year = year - 1900;
  parts.tm_mon = month - 1;
  parts.tm_mday = day;
  parts.tm_hour = hour;
  parts.tm_min = minute;
  parts.tm_sec = second;
  return static_cast<int64_t>(timegm(&parts)) * 1'000'000;
}

// Entries of a directory (names), empty when it does not exist.
inline std::vector<std::string> ListNames(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    names.push_back(entry.path().filename().string());
  }
  return names;
}

// True under AddressSanitizer, where the tests scale their workloads down.
inline constexpr bool kSanitized =
#if defined(__SANITIZE_ADDRESS__)
    true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    true;
#else
    false;
#endif
#else
    false;
#endif

}  // namespace logdaemon::storage::testing
