#include "cli/inspect_command.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "cli/json_writer.h"
#include "parquet/file_reader.h"

namespace logdaemon::cli {

namespace {

using parquet::ColumnSpec;
using parquet::Type;

// Proleptic Gregorian date of a day count since 1970-01-01.
void CivilFromDays(int64_t days, int64_t* year, unsigned* month, unsigned* day) {
  days += 719468;
  int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  unsigned doe = static_cast<unsigned>(days - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  *day = doy - (153 * mp + 2) / 5 + 1;
  *month = mp < 10 ? mp + 3 : mp - 9;
  *year = static_cast<int64_t>(yoe) + era * 400 + (*month <= 2);
}

std::string FormatTimestamp(int64_t value, parquet::TimeUnit unit, bool utc) {
  int64_t per_second = unit == parquet::TimeUnit::kMillis   ? 1000
                       : unit == parquet::TimeUnit::kMicros ? 1000000
                                                            : 1000000000;
  int64_t seconds = value / per_second;
  int64_t fraction = value % per_second;
  if (fraction < 0) {
    fraction += per_second;
    --seconds;
  }
  int64_t days = seconds / 86400;
  int64_t rest = seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  int64_t year;
  unsigned month, day;
  CivilFromDays(days, &year, &month, &day);
  int digits = unit == parquet::TimeUnit::kMillis ? 3 : unit == parquet::TimeUnit::kMicros ? 6 : 9;
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%04" PRId64 "-%02u-%02uT%02d:%02d:%02d.%0*" PRId64 "%s", year, month,
                day, static_cast<int>(rest / 3600), static_cast<int>(rest / 60 % 60),
                static_cast<int>(rest % 60), digits, fraction, utc ? "Z" : "");
  return buffer;
}

std::string Hex(std::string_view bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out = "0x";
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// A plain-encoded statistics value as a person reads it.
std::string FormatStatValue(const ColumnSpec& column, std::string_view value) {
  auto load = [&](auto zero) {
    decltype(zero) v = zero;
    if (value.size() == sizeof(v)) std::memcpy(&v, value.data(), sizeof(v));
    return v;
  };
  switch (column.type) {
    case Type::kBoolean:
      return value.size() == 1 ? (value[0] ? "true" : "false") : Hex(value);
    case Type::kInt32:
      if (value.size() != 4) return Hex(value);
      return std::to_string(load(int32_t{0}));
    case Type::kInt64: {
      if (value.size() != 8) return Hex(value);
      int64_t v = load(int64_t{0});
      if (column.logical_type && column.logical_type->kind == parquet::LogicalType::kTimestamp) {
        return FormatTimestamp(v, column.logical_type->unit, column.logical_type->is_adjusted_to_utc);
      }
      return std::to_string(v);
    }
    case Type::kFloat:
    case Type::kDouble: {
      double v = value.size() == 4 ? static_cast<double>(load(0.0f)) : value.size() == 8 ? load(0.0) : NAN;
      if (value.size() != 4 && value.size() != 8) return Hex(value);
      char buffer[32];
      std::snprintf(buffer, sizeof(buffer), "%.17g", v);
      return buffer;
    }
    case Type::kByteArray: {
      bool text = column.logical_type ? (column.logical_type->kind == parquet::LogicalType::kString ||
                                         column.logical_type->kind == parquet::LogicalType::kJson ||
                                         column.logical_type->kind == parquet::LogicalType::kEnum)
                                      : column.converted_type == parquet::ConvertedType::kUtf8 ||
                                            column.converted_type == parquet::ConvertedType::kJson;
      if (!text) return Hex(value);
      std::string quoted;
      AppendJsonString(value, &quoted);
      return quoted;
    }
    default:
      return Hex(value);
  }
}

std::string Join(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += separator;
    out += parts[i];
  }
  return out;
}

struct ChunkReport {
  const parquet::ColumnChunk* chunk;
  parquet::PageSummary pages;
  bool has_column_index;
  bool has_offset_index;
};

int InspectOne(const std::string& path, bool json) {
  auto opened = parquet::FileReader::Open(path);
  if (!opened.ok()) {
    std::cerr << "logdaemon inspect: " << opened.status().message() << "\n";
    return 1;
  }
  const parquet::FileReader& reader = **opened;
  const parquet::FileMetaData& meta = reader.metadata();
  const std::vector<ColumnSpec>& columns = reader.columns();

  // Page summaries need the chunks' bytes; gather them first so that an error stops the report.
  std::vector<std::vector<ChunkReport>> groups;
  for (int g = 0; g < reader.num_row_groups(); ++g) {
    std::vector<ChunkReport>& chunks = groups.emplace_back();
    for (int c = 0; c < reader.num_columns(); ++c) {
      ChunkReport report{&meta.row_groups[g].columns[c], {}, false, false};
      if (Status st = reader.SummarizePages(g, c, &report.pages); !st.ok()) {
        std::cerr << "logdaemon inspect: " << st.message() << "\n";
        return 1;
      }
      report.has_column_index = report.chunk->column_index_offset.has_value();
      report.has_offset_index = report.chunk->offset_index_offset.has_value();
      chunks.push_back(report);
    }
  }

  auto encodings_of = [](const parquet::ColumnMetaData& md) {
    std::vector<std::string> names;
    for (auto e : md.encodings) names.push_back(parquet::EncodingName(e));
    return names;
  };

  if (json) {
    JsonWriter w;
    w.BeginObject();
    w.Key("file");
    w.String(path);
    w.Key("version");
    w.Int(meta.version);
    w.Key("created_by");
    meta.created_by ? w.String(*meta.created_by) : w.Null();
    w.Key("num_rows");
    w.Int(meta.num_rows);
    w.Key("key_value_metadata");
    w.BeginObject();
    if (meta.key_value_metadata) {
      for (const auto& kv : *meta.key_value_metadata) {
        w.Key(kv.key);
        kv.value ? w.String(*kv.value) : w.Null();
      }
    }
    w.EndObject();
    w.Key("schema");
    w.BeginArray();
    for (const ColumnSpec& column : columns) {
      w.BeginObject();
      w.Key("name");
      w.String(column.name);
      w.Key("physical_type");
      w.String(parquet::TypeName(column.type));
      if (column.type == Type::kFixedLenByteArray) {
        w.Key("type_length");
        w.Int(column.type_length);
      }
      w.Key("repetition");
      w.String(parquet::RepetitionName(column.repetition));
      w.Key("logical_type");
      column.logical_type ? w.String(parquet::LogicalTypeName(*column.logical_type)) : w.Null();
      w.Key("converted_type");
      column.converted_type ? w.String(parquet::ConvertedTypeName(*column.converted_type)) : w.Null();
      w.EndObject();
    }
    w.EndArray();
    w.Key("row_groups");
    w.BeginArray();
    for (size_t g = 0; g < groups.size(); ++g) {
      const parquet::RowGroup& group = meta.row_groups[g];
      w.BeginObject();
      w.Key("num_rows");
      w.Int(group.num_rows);
      w.Key("total_byte_size");
      w.Int(group.total_byte_size);
      w.Key("columns");
      w.BeginArray();
      for (size_t c = 0; c < groups[g].size(); ++c) {
        const ChunkReport& report = groups[g][c];
        const parquet::ColumnMetaData& md = *report.chunk->meta_data;
        w.BeginObject();
        w.Key("name");
        w.String(columns[c].name);
        w.Key("codec");
        w.String(parquet::CodecName(md.codec));
        w.Key("encodings");
        w.BeginArray();
        for (const auto& name : encodings_of(md)) w.String(name);
        w.EndArray();
        w.Key("num_values");
        w.Int(md.num_values);
        w.Key("compressed_bytes");
        w.Int(md.total_compressed_size);
        w.Key("uncompressed_bytes");
        w.Int(md.total_uncompressed_size);
        w.Key("data_page_offset");
        w.Int(md.data_page_offset);
        w.Key("dictionary_page_offset");
        md.dictionary_page_offset ? w.Int(*md.dictionary_page_offset) : w.Null();
        w.Key("dictionary_pages");
        w.Int(report.pages.dictionary_pages);
        w.Key("data_pages");
        w.Int(report.pages.data_pages);
        w.Key("data_pages_v2");
        w.Int(report.pages.data_pages_v2);
        w.Key("page_crc");
        w.Bool(report.pages.has_crc);
        w.Key("column_index");
        w.Bool(report.has_column_index);
        w.Key("offset_index");
        w.Bool(report.has_offset_index);
        w.Key("statistics");
        if (md.statistics) {
          const parquet::Statistics& s = *md.statistics;
          w.BeginObject();
          w.Key("null_count");
          s.null_count ? w.Int(*s.null_count) : w.Null();
          w.Key("min");
          s.min_value ? w.String(FormatStatValue(columns[c], *s.min_value)) : w.Null();
          w.Key("max");
          s.max_value ? w.String(FormatStatValue(columns[c], *s.max_value)) : w.Null();
          w.Key("min_exact");
          s.is_min_value_exact ? w.Bool(*s.is_min_value_exact) : w.Null();
          w.Key("max_exact");
          s.is_max_value_exact ? w.Bool(*s.is_max_value_exact) : w.Null();
          w.Key("distinct_count");
          s.distinct_count ? w.Int(*s.distinct_count) : w.Null();
          w.EndObject();
        } else {
          w.Null();
        }
        w.EndObject();
      }
      w.EndArray();
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    std::cout << w.str() << "\n";
    return 0;
  }

  std::cout << "file:        " << path << "\n";
  std::cout << "created_by:  " << meta.created_by.value_or("(none)") << "\n";
  std::cout << "version:     " << meta.version << "\n";
  std::cout << "rows:        " << meta.num_rows << "\n";
  std::cout << "row groups:  " << meta.row_groups.size() << "\n";
  if (meta.key_value_metadata && !meta.key_value_metadata->empty()) {
    std::cout << "key-value metadata:\n";
    for (const auto& kv : *meta.key_value_metadata) {
      std::string value = kv.value.value_or("(null)");
      if (value.size() > 120) value = value.substr(0, 117) + "...";
      std::cout << "  " << kv.key << " = " << value << "\n";
    }
  }
  std::cout << "schema:\n";
  for (const ColumnSpec& column : columns) {
    std::cout << "  " << column.name << ": " << parquet::RepetitionName(column.repetition) << " "
              << parquet::TypeName(column.type);
    if (column.type == Type::kFixedLenByteArray) std::cout << "(" << column.type_length << ")";
    if (column.logical_type) std::cout << " logical=" << parquet::LogicalTypeName(*column.logical_type);
    if (column.converted_type)
      std::cout << " converted=" << parquet::ConvertedTypeName(*column.converted_type);
    std::cout << "\n";
  }
  for (size_t g = 0; g < groups.size(); ++g) {
    const parquet::RowGroup& group = meta.row_groups[g];
    std::cout << "row group " << g << ": " << group.num_rows << " rows, " << group.total_byte_size
              << " bytes uncompressed\n";
    for (size_t c = 0; c < groups[g].size(); ++c) {
      const ChunkReport& report = groups[g][c];
      const parquet::ColumnMetaData& md = *report.chunk->meta_data;
      std::cout << "  " << columns[c].name << ": " << parquet::CodecName(md.codec) << " ["
                << Join(encodings_of(md), ", ") << "] " << md.total_compressed_size << " / "
                << md.total_uncompressed_size << " bytes (compressed / uncompressed), " << md.num_values
                << " values\n";
      std::cout << "    pages: " << report.pages.dictionary_pages << " dictionary, "
                << report.pages.data_pages << " data" << (report.pages.data_pages_v2 ? " (v2)" : "")
                << (report.pages.has_crc ? ", with CRC" : "")
                << "; page index: " << (report.has_column_index ? "column" : "no column")
                << (report.has_offset_index ? " + offset" : ", no offset") << "\n";
      if (md.statistics) {
        const parquet::Statistics& s = *md.statistics;
        std::cout << "    statistics: min=" << (s.min_value ? FormatStatValue(columns[c], *s.min_value) : "-")
                  << (s.is_min_value_exact == false ? " (truncated)" : "")
                  << " max=" << (s.max_value ? FormatStatValue(columns[c], *s.max_value) : "-")
                  << (s.is_max_value_exact == false ? " (truncated)" : "")
                  << " nulls=" << (s.null_count ? std::to_string(*s.null_count) : "-") << "\n";
      }
    }
  }
  return 0;
}

}  // namespace

int RunInspect(const InspectOptions& options) {
  int status = 0;
  for (size_t i = 0; i < options.files.size(); ++i) {
    if (i > 0 && !options.json) std::cout << "\n";
    if (InspectOne(options.files[i], options.json) != 0) status = 1;
  }
  return status;
}

}  // namespace logdaemon::cli
