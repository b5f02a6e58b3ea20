// Other writers' files (apache/parquet-testing, in ../shared/fixtures/parquet-testing/data): every
// flat file that uses only supported features reads to its documented values; every other one fails
// with an error that says why. The table below names every file of the directory, so a new fixture
// cannot be silently ignored.
#include <dirent.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "parquet/file_reader.h"
#include "support/fixtures.h"

namespace logdaemon::parquet {
namespace fixtures_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using testing_support::FixturesDir;

struct Expectation {
  const char* file;
  int64_t rows;       // when it reads
  const char* error;  // non-null: reading fails with an error containing this
};

// Read with logdaemon's reader on 2026-11-24 and cross-checked against DuckDB 1.5.6 (row counts and,
// for the files with *_expect.csv or documented contents, the values checked below).
const Expectation kData[] = {
    {"alltypes_dictionary.parquet", 2, nullptr},
    {"alltypes_plain.parquet", 8, nullptr},
    {"alltypes_plain.snappy.parquet", 2, nullptr},
    {"alltypes_tiny_pages.parquet", 7300, nullptr},
    {"alltypes_tiny_pages_plain.parquet", 7300, nullptr},
    {"binary.parquet", 12, nullptr},
    {"binary_truncated_min_max.parquet", 12, nullptr},
    {"byte_array_decimal.parquet", 24, nullptr},
    {"byte_stream_split.zstd.parquet", 300, nullptr},
    {"byte_stream_split_extended.gzip.parquet", 200, nullptr},
    {"column_chunk_key_value_metadata.parquet", 0, nullptr},
    {"concatenated_gzip_members.parquet", 513, nullptr},
    {"data_index_bloom_encoding_stats.parquet", 14, nullptr},
    {"data_index_bloom_encoding_with_length.parquet", 14, nullptr},
    {"datapage_v1-corrupt-checksum.parquet", 0, "page CRC mismatch"},
    {"datapage_v1-snappy-compressed-checksum.parquet", 5120, nullptr},
    {"datapage_v1-uncompressed-checksum.parquet", 5120, nullptr},
    {"datapage_v2.snappy.parquet", 0, "column 'e' is nested"},
    {"datapage_v2_empty_datapage.snappy.parquet", 1, nullptr},
    {"delta_binary_packed.parquet", 200, nullptr},
    {"delta_byte_array.parquet", 1000, nullptr},
    {"delta_encoding_optional_column.parquet", 100, nullptr},
    {"delta_encoding_required_column.parquet", 100, nullptr},
    {"delta_length_byte_array.parquet", 1000, nullptr},
    {"dict-page-offset-zero.parquet", 39, nullptr},
    {"fixed_length_byte_array.parquet", 1000, nullptr},
    {"fixed_length_decimal.parquet", 24, nullptr},
    {"fixed_length_decimal_legacy.parquet", 24, nullptr},
    {"float16_nonzeros_and_nans.parquet", 8, nullptr},
    {"float16_zeros_and_nans.parquet", 3, nullptr},
    {"floating_orders_nan_count.parquet", 50, nullptr},
    {"hadoop_lz4_compressed.parquet", 4, nullptr},
    {"hadoop_lz4_compressed_larger.parquet", 10000, nullptr},
    {"incorrect_map_schema.parquet", 0, "column 'my_map' is nested"},
    {"int32_decimal.parquet", 24, nullptr},
    {"int32_with_null_pages.parquet", 1000, nullptr},
    {"int64_decimal.parquet", 24, nullptr},
    {"int96_from_spark.parquet", 6, nullptr},
    {"large_string_map.brotli.parquet", 0, "column 'arr' is nested"},
    {"list_columns.parquet", 0, "column 'int64_list' is nested"},
    {"lz4_raw_compressed.parquet", 4, nullptr},
    {"lz4_raw_compressed_larger.parquet", 10000, nullptr},
    {"map_no_value.parquet", 0, "column 'my_map' is nested"},
    {"nan_in_stats.parquet", 2, nullptr},
    {"nation.dict-malformed.parquet", 0, "runs past the column chunk"},
    {"nested_lists.snappy.parquet", 0, "column 'a' is nested"},
    {"nested_maps.snappy.parquet", 0, "column 'a' is nested"},
    {"nested_structs.rust.parquet", 0, "column 'roll_num' is nested"},
    {"non_hadoop_lz4_compressed.parquet", 4, nullptr},
    {"nonnullable.impala.parquet", 0, "column 'Int_Array' is nested"},
    {"null_list.parquet", 0, "column 'emptylist' is nested"},
    {"nullable.impala.parquet", 0, "column 'int_array' is nested"},
    {"nulls.snappy.parquet", 0, "column 'b_struct' is nested"},
    {"old_list_structure.parquet", 0, "column 'a' is nested"},
    {"overflow_i16_page_cnt.parquet", 40000, nullptr},
    {"page_v2_empty_compressed.parquet", 10, nullptr},
    {"plain-dict-uncompressed-checksum.parquet", 1000, nullptr},
    {"repeated_no_annotation.parquet", 0, "column 'phoneNumbers' is nested"},
    {"repeated_primitive_no_list.parquet", 0, "column 'Int32_list' is REPEATED"},
    {"rle-dict-snappy-checksum.parquet", 1000, nullptr},
    {"rle-dict-uncompressed-corrupt-checksum.parquet", 0, "page CRC mismatch"},
    {"rle_boolean_encoding.parquet", 68, nullptr},
    {"single_nan.parquet", 1, nullptr},
    {"sort_columns.parquet", 6, nullptr},
    {"unknown-logical-type.parquet", 3, nullptr},
};

std::string DataDir() {
  return FixturesDir() + "/parquet-testing/data";
}

std::vector<std::string> ParquetFiles(const std::string& dir) {
  std::vector<std::string> files;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* entry = ::readdir(d)) {
      std::string name = entry->d_name;
      if (name.size() > 8 && name.compare(name.size() - 8, 8, ".parquet") == 0) files.push_back(name);
    }
    ::closedir(d);
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Reads every column chunk of every row group; the first error, or OK.
Status ReadEverything(const std::string& path, int64_t* rows,
                      std::vector<std::vector<ColumnData>>* out = nullptr) {
  auto reader = FileReader::Open(path);
  if (!reader.ok()) return reader.status();
  *rows = (*reader)->num_rows();
  for (int g = 0; g < (*reader)->num_row_groups(); ++g) {
    if (out) out->emplace_back((*reader)->num_columns());
    for (int c = 0; c < (*reader)->num_columns(); ++c) {
      ColumnData scratch;
      ColumnData* data = out ? &out->back()[static_cast<size_t>(c)] : &scratch;
      if (Status st = (*reader)->ReadColumnChunk(g, c, data); !st.ok()) return st;
    }
  }
  return Status::OK();
}

TEST(FixtureFiles, TheTableCoversEveryFile) {
  LOGDAEMON_REQUIRE_FIXTURE_DIR(DataDir());
  std::set<std::string> listed;
  for (const auto& e : kData) listed.insert(e.file);
  for (const auto& file : ParquetFiles(DataDir())) {
    EXPECT_TRUE(listed.count(file)) << file << " is new: add its expected outcome to kData";
  }
  EXPECT_EQ(listed.size(), ParquetFiles(DataDir()).size());
}

TEST(FixtureFiles, EachReadsOrFailsAsExpected) {
  LOGDAEMON_REQUIRE_FIXTURE_DIR(DataDir());
  for (const auto& e : kData) {
    std::string path = DataDir() + "/" + e.file;
    int64_t rows = -1;
    Status st = ReadEverything(path, &rows);
    if (e.error == nullptr) {
      EXPECT_TRUE(st.ok()) << e.file << ": " << st.ToString();
      EXPECT_EQ(rows, e.rows) << e.file;
    } else {
      ASSERT_FALSE(st.ok()) << e.file << " read, but should fail with \"" << e.error << "\"";
      EXPECT_NE(st.message().find(e.error), std::string::npos) << e.file << ": " << st.message();
      EXPECT_NE(st.message().find(e.file), std::string::npos) << "the error names the file: " << st.message();
    }
  }
}

// A CSV field list; quoted fields may hold commas. An empty unquoted field is null (the .md files).
std::vector<std::pair<bool, std::string>> SplitCsv(const std::string& line) {
  std::vector<std::pair<bool, std::string>> fields;
  std::string field;
  bool quoted = false, in_quotes = false;
  for (size_t i = 0; i <= line.size(); ++i) {
    char c = i < line.size() ? line[i] : ',';
    if (in_quotes) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (c == '"') {
        in_quotes = false;
      } else {
        field.push_back(c);
      }
    } else if (c == '"') {
      in_quotes = quoted = true;
    } else if (c == ',') {
      fields.emplace_back(!quoted && field.empty(), field);
      field.clear();
      quoted = false;
    } else if (c != '\r') {
      field.push_back(c);
    }
  }
  return fields;
}

// A decoded value as the CSV writes it.
std::string ValueText(const ColumnData& d, size_t k) {
  switch (d.type) {
    case Type::kInt32:
      return std::to_string(d.value<int32_t>(k));
    case Type::kInt64:
      return std::to_string(d.value<int64_t>(k));
    case Type::kByteArray:
      return std::string(d.byte_arrays[k]);
    default:
      return "?";
  }
}

void ExpectCsv(const std::string& parquet, const std::string& csv) {
  std::vector<std::vector<ColumnData>> groups;
  int64_t rows = 0;
  Status st = ReadEverything(DataDir() + "/" + parquet, &rows, &groups);
  ASSERT_TRUE(st.ok()) << st.ToString();
  std::ifstream in(DataDir() + "/" + csv);
  ASSERT_TRUE(in) << csv;
  std::string line;
  std::getline(in, line);  // header
  size_t group = 0, row_in_group = 0;
  std::vector<size_t> value_index(groups.empty() ? 0 : groups[0].size(), 0);
  int64_t row = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    while (group < groups.size() && row_in_group == groups[group][0].num_rows) {
      ++group;
      row_in_group = 0;
      std::fill(value_index.begin(), value_index.end(), 0);
    }
    ASSERT_LT(group, groups.size()) << csv << " has more rows than " << parquet;
    auto fields = SplitCsv(line);
    ASSERT_EQ(fields.size(), groups[group].size()) << csv << " row " << row;
    for (size_t c = 0; c < fields.size(); ++c) {
      const ColumnData& d = groups[group][c];
      bool null = d.is_null(row_in_group);
      ASSERT_EQ(null, fields[c].first) << parquet << " row " << row << " column " << c;
      if (!null) {
        ASSERT_EQ(ValueText(d, value_index[c]++), fields[c].second)
            << parquet << " row " << row << " column " << c;
      }
    }
    ++row_in_group;
    ++row;
  }
  EXPECT_EQ(row, rows) << csv;
}

TEST(FixtureValues, DeltaBinaryPackedMatchesItsCsv) {
  LOGDAEMON_REQUIRE_FIXTURE_DIR(DataDir());
  ExpectCsv("delta_binary_packed.parquet", "delta_binary_packed_expect.csv");
}

TEST(FixtureValues, DeltaByteArrayMatchesItsCsv) {
  LOGDAEMON_REQUIRE_FIXTURE_DIR(DataDir());
  ExpectCsv("delta_byte_array.parquet", "delta_byte_array_expect.csv");
}

TEST(FixtureValues, DeltaEncodingOptionalColumnMatchesItsCsv) {
  LOGDAEMON_REQUIRE_FIXTURE_DIR(DataDir());
  ExpectCsv("delta_encoding_optional_column.parquet", "delta_encoding_optional_column_expect.csv");
}

TEST(FixtureValues, DeltaEncodingRequiredColumnMatchesItsCsv) {
  LOGDAEMON_REQUIRE_FIXTURE_DIR(DataDir());
  ExpectCsv("delta_encoding_required_column.parquet", "delta_encoding_required_column_expect.csv");
}

TEST(FixtureValues, AllTypesPlainHasItsWellKnownRows) {
  LOGDAEMON_REQUIRE_FIXTURE_DIR(DataDir());
  auto reader = FileReader::Open(DataDir() + "/alltypes_plain.parquet");
  ASSERT_TRUE(reader.ok());
  ColumnData id, flag, text;
  ASSERT_TRUE((*reader)->ReadColumnChunk(0, (*reader)->FindColumn("id"), &id).ok());
  ASSERT_TRUE((*reader)->ReadColumnChunk(0, (*reader)->FindColumn("bool_col"), &flag).ok());
  ASSERT_TRUE((*reader)->ReadColumnChunk(0, (*reader)->FindColumn("string_col"), &text).ok());
  const int32_t ids[] = {4, 5, 6, 7, 2, 3, 0, 1};
  for (size_t i = 0; i < 8; ++i) {
    EXPECT_EQ(id.value<int32_t>(i), ids[i]);
    EXPECT_EQ(flag.value<uint8_t>(i), i % 2 == 0 ? 1 : 0);
    EXPECT_EQ(text.byte_arrays[i], i % 2 == 0 ? "0" : "1");
  }
}

TEST(FixtureValues, ConcatenatedGzipMembersHoldOneTo513) {
  LOGDAEMON_REQUIRE_FIXTURE_DIR(DataDir());
  auto reader = FileReader::Open(DataDir() + "/concatenated_gzip_members.parquet");
  ASSERT_TRUE(reader.ok());
  ColumnData d;
  ASSERT_TRUE((*reader)->ReadColumnChunk(0, 0, &d).ok());
  ASSERT_EQ(d.num_values, 513u);
  for (size_t i = 0; i < 513; ++i) ASSERT_EQ(d.value<int64_t>(i), static_cast<int64_t>(i + 1));
}

TEST(FixtureValues, LegacyAndRawLz4DecodeTheSameRows) {
  LOGDAEMON_REQUIRE_FIXTURE_DIR(DataDir());
  // The three small LZ4 files hold the same 4 rows; their first column is a timestamp-ish INT64.
  std::vector<std::vector<ColumnData>> hadoop, raw, non_hadoop;
  int64_t rows = 0;
  ASSERT_TRUE(ReadEverything(DataDir() + "/hadoop_lz4_compressed.parquet", &rows, &hadoop).ok());
  ASSERT_TRUE(ReadEverything(DataDir() + "/lz4_raw_compressed.parquet", &rows, &raw).ok());
  ASSERT_TRUE(ReadEverything(DataDir() + "/non_hadoop_lz4_compressed.parquet", &rows, &non_hadoop).ok());
  for (size_t c = 0; c < hadoop[0].size(); ++c) {
    EXPECT_EQ(hadoop[0][c].fixed.view(), raw[0][c].fixed.view()) << "column " << c;
    EXPECT_EQ(hadoop[0][c].fixed.view(), non_hadoop[0][c].fixed.view()) << "column " << c;
    EXPECT_EQ(hadoop[0][c].byte_arrays.bytes.view(), raw[0][c].byte_arrays.bytes.view()) << "column " << c;
  }
}

TEST(FixtureValues, ByteStreamSplitDecodesToFiniteNormals) {
  LOGDAEMON_REQUIRE_FIXTURE_DIR(DataDir());
  std::vector<std::vector<ColumnData>> groups;
  int64_t rows = 0;
  ASSERT_TRUE(ReadEverything(DataDir() + "/byte_stream_split.zstd.parquet", &rows, &groups).ok());
  for (const ColumnData& d : groups[0]) {
    for (size_t k = 0; k < d.num_values; ++k) {
      double v = d.type == Type::kFloat ? d.value<float>(k) : d.value<double>(k);
      // Standard normal samples: a wrong byte order would give huge or non-finite numbers.
      EXPECT_TRUE(std::isfinite(v) && std::abs(v) < 10) << v;
    }
  }
}

TEST(BadData, EveryFileFailsCleanly) {
  std::string dir = FixturesDir() + "/parquet-testing/bad_data";
  LOGDAEMON_REQUIRE_FIXTURE_DIR(dir);
  for (const auto& file : ParquetFiles(dir)) {
    int64_t rows = 0;
    Status st = ReadEverything(dir + "/" + file, &rows);
    if (file == "ARROW-GH-43605.parquet") {
      // Its "bad" part (dictionary indices with bit width 0) is legal: every index is 0. DuckDB reads
      // it the same way: 21186 rows, all equal to the dictionary's single value.
      EXPECT_TRUE(st.ok()) << st.ToString();
      EXPECT_EQ(rows, 21186);
      continue;
    }
    ASSERT_FALSE(st.ok()) << file << " read without error";
    EXPECT_NE(st.message().find(file), std::string::npos) << st.message();
  }
}

}  // namespace
}  // namespace fixtures_test
}  // namespace logdaemon::parquet
