// Round trips through FileWriter and FileReader: generated tables with every column type, nulls, empty
// and long strings, non-ASCII text, extreme integers, NaN and infinities, 0 rows, 1 row, many row
// groups and dictionary fallback — written, read back, and compared value for value, for every codec,
// every encoding and both data page versions.
#include <gtest/gtest.h>

#include <map>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "parquet/column_chunk_reader.h"
#include "parquet/file_reader.h"
#include "parquet/file_writer.h"

namespace logdaemon::parquet {
namespace round_trip_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

// A table in memory, column by column, in the writer's input layout, with the expected values
// kept separately for comparison.
struct Column {
  explicit Column(ColumnSpec column_spec) : spec(std::move(column_spec)) {}
  ColumnSpec spec;
  std::vector<uint8_t> levels;  // empty: all present
  std::vector<int64_t> int64s;
  std::vector<double> doubles;
  std::vector<uint8_t> booleans;
  std::vector<std::string> strings;
  // Writer layout for strings.
  std::string bytes;
  std::vector<uint32_t> offsets;

  size_t num_values() const {
    switch (spec.type) {
      case Type::kInt64:
        return int64s.size();
      case Type::kDouble:
        return doubles.size();
      case Type::kBoolean:
        return booleans.size();
      default:
        return strings.size();
    }
  }
  void PackStrings() {
    bytes.clear();
    offsets.assign(1, 0);
    for (const auto& s : strings) {
      bytes += s;
      offsets.push_back(static_cast<uint32_t>(bytes.size()));
    }
  }
  // The batch for rows [row_begin, row_end); value_begin is the index of the first present value.
  ColumnBatch Batch(size_t row_begin, size_t row_end, size_t value_begin) const {
    ColumnBatch batch;
    batch.num_rows = row_end - row_begin;
    size_t present = batch.num_rows;
    if (!levels.empty()) {
      batch.def_levels = levels.data() + row_begin;
      present = 0;
      for (size_t r = row_begin; r < row_end; ++r) present += levels[r];
    }
    batch.num_values = present;
    batch.int64s = int64s.data() + std::min(value_begin, int64s.size());
    batch.doubles = doubles.data() + std::min(value_begin, doubles.size());
    batch.booleans = booleans.data() + std::min(value_begin, booleans.size());
    batch.bytes = reinterpret_cast<const uint8_t*>(bytes.data());
    batch.offsets = offsets.data() + std::min(value_begin, offsets.empty() ? 0 : offsets.size() - 1);
    return batch;
  }
};

struct Table {
  std::vector<Column> columns;
  size_t num_rows = 0;

  std::vector<ColumnSpec> schema() const {
    std::vector<ColumnSpec> specs;
    for (const auto& c : columns) specs.push_back(c.spec);
    return specs;
  }
};

const std::vector<std::string> kInterestingStrings = {
    "",
    "a",
    "hello world",
    "日本語のログメッセージ",
    "emoji 🚀🔥 and combining e\u0301",
    std::string("nul\0inside", 10),
    std::string(10000, 'x'),
    "\xF0\x9F\x98\x80",
    "{\"nested\":{\"k\":[1,2,3]}}",
    "\xFF\xFF\xFF",
};

std::vector<uint8_t> MakeLevels(std::mt19937_64& rng, size_t rows, int null_percent) {
  std::vector<uint8_t> levels(rows);
  for (auto& l : levels) l = static_cast<int>(rng() % 100) >= null_percent ? 1 : 0;
  return levels;
}

size_t Present(const std::vector<uint8_t>& levels, size_t rows) {
  if (levels.empty()) return rows;
  size_t n = 0;
  for (auto l : levels) n += l;
  return n;
}

// Every type, with nulls in the optional columns and the values that break naive encoders.
Table MakeTypesTable(size_t rows, uint64_t seed, size_t distinct_strings = 50) {
  std::mt19937_64 rng(seed);
  Table t;
  t.num_rows = rows;

  Column ts(ColumnSpec::TimestampMicrosUtc("timestamp", Repetition::kRequired));
  int64_t now = 1768503600000000;  // 2026-01-15T19:00:00Z
  for (size_t i = 0; i < rows; ++i) ts.int64s.push_back(now += static_cast<int64_t>(rng() % 2000));
  t.columns.push_back(std::move(ts));

  Column i64(ColumnSpec::Int64("count", Repetition::kOptional));
  i64.levels = MakeLevels(rng, rows, 20);
  const int64_t extremes[] = {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), 0, -1,
                              1};
  for (size_t i = 0, present = Present(i64.levels, rows); i < present; ++i) {
    i64.int64s.push_back(i % 7 == 0 ? extremes[(i / 7) % 5] : static_cast<int64_t>(rng()));
  }
  t.columns.push_back(std::move(i64));

  Column f64(ColumnSpec::Double("ratio", Repetition::kOptional));
  f64.levels = MakeLevels(rng, rows, 10);
  const double special[] = {std::nan(""),
                            std::numeric_limits<double>::infinity(),
                            -std::numeric_limits<double>::infinity(),
                            -0.0,
                            0.0,
                            std::numeric_limits<double>::denorm_min(),
                            std::numeric_limits<double>::max(),
                            -std::numeric_limits<double>::max()};
  for (size_t i = 0, present = Present(f64.levels, rows); i < present; ++i) {
    f64.doubles.push_back(i % 5 == 0 ? special[(i / 5) % 8] : static_cast<double>(rng() % 100000) / 7.0);
  }
  t.columns.push_back(std::move(f64));

  Column flag(ColumnSpec::Boolean("flag", Repetition::kOptional));
  flag.levels = MakeLevels(rng, rows, 30);
  for (size_t i = 0, present = Present(flag.levels, rows); i < present; ++i)
    flag.booleans.push_back(rng() % 2);
  t.columns.push_back(std::move(flag));

  Column level(ColumnSpec::String("level", Repetition::kRequired));
  const char* levels[] = {"trace", "debug", "info", "warn", "error", "fatal"};
  for (size_t i = 0; i < rows; ++i) level.strings.push_back(levels[rng() % 6]);
  level.PackStrings();
  t.columns.push_back(std::move(level));

  Column message(ColumnSpec::String("message", Repetition::kOptional));
  message.levels = MakeLevels(rng, rows, 15);
  for (size_t i = 0, present = Present(message.levels, rows); i < present; ++i) {
    if (i % 3 == 0) {
      message.strings.push_back(kInterestingStrings[(i / 3) % kInterestingStrings.size()]);
    } else {
      message.strings.push_back("message number " + std::to_string(rng() % distinct_strings));
    }
  }
  message.PackStrings();
  t.columns.push_back(std::move(message));

  Column metadata(ColumnSpec::Json("metadata", Repetition::kOptional));
  metadata.levels = MakeLevels(rng, rows, 50);
  for (size_t i = 0, present = Present(metadata.levels, rows); i < present; ++i) {
    metadata.strings.push_back("{\"request\":" + std::to_string(rng() % 1000) + ",\"tags\":[\"a\",\"b\"]}");
  }
  metadata.PackStrings();
  t.columns.push_back(std::move(metadata));
  return t;
}

// Writes `table` in batches of `batch_rows`, ending a row group every `group_rows` rows.
std::string WriteTable(const Table& table, const WriterOptions& options, size_t batch_rows, size_t group_rows,
                       const std::vector<KeyValue>& kv = {}) {
  BufferOutputSink sink;
  auto writer = FileWriter::Open(&sink, table.schema(), options);
  EXPECT_TRUE(writer.ok()) << writer.status().ToString();
  if (!writer.ok()) return {};
  std::vector<size_t> value_at(table.columns.size(), 0);
  size_t in_group = 0;
  for (size_t row = 0; row < table.num_rows;) {
    size_t end = std::min({table.num_rows, row + batch_rows, row + (group_rows - in_group)});
    std::vector<ColumnBatch> batches;
    for (size_t c = 0; c < table.columns.size(); ++c) {
      batches.push_back(table.columns[c].Batch(row, end, value_at[c]));
      value_at[c] += batches.back().num_values;
    }
    Status st = (*writer)->WriteBatch(batches.data(), end - row);
    EXPECT_TRUE(st.ok()) << st.ToString();
    in_group += end - row;
    row = end;
    if (in_group == group_rows) {
      EXPECT_TRUE((*writer)->EndRowGroup().ok());
      in_group = 0;
    }
  }
  Status st = (*writer)->Close(kv);
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ((*writer)->bytes_written(), sink.buffer().size());
  return std::string(sink.buffer().view());
}

std::unique_ptr<FileReader> OpenBytes(const std::string& bytes) {
  auto reader = FileReader::Open(
      std::make_unique<MemoryInputSource>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()),
      "memory");
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  return reader.ok() ? std::move(reader).value() : nullptr;
}

// Reads every row group back and compares each column with the table, value for value (doubles bit for
// bit).
void ExpectReadsBack(const std::string& bytes, const Table& table) {
  auto reader = OpenBytes(bytes);
  ASSERT_NE(reader, nullptr);
  ASSERT_EQ(reader->num_rows(), static_cast<int64_t>(table.num_rows));
  ASSERT_EQ(reader->num_columns(), static_cast<int>(table.columns.size()));
  for (size_t c = 0; c < table.columns.size(); ++c) {
    const Column& column = table.columns[c];
    EXPECT_EQ(reader->columns()[c].name, column.spec.name);
    EXPECT_EQ(reader->columns()[c].type, column.spec.type);
    EXPECT_EQ(reader->columns()[c].repetition, column.spec.repetition);
    EXPECT_EQ(reader->columns()[c].logical_type, column.spec.logical_type);
    EXPECT_EQ(reader->columns()[c].converted_type, column.spec.converted_type);
    size_t row = 0;
    size_t value = 0;
    ColumnData data;
    for (int g = 0; g < reader->num_row_groups(); ++g) {
      Status st = reader->ReadColumnChunk(g, static_cast<int>(c), &data);
      ASSERT_TRUE(st.ok()) << st.ToString();
      for (size_t r = 0; r < data.num_rows; ++r, ++row) {
        bool expect_null = !column.levels.empty() && column.levels[row] == 0;
        ASSERT_EQ(data.is_null(r), expect_null) << column.spec.name << " row " << row;
      }
      for (size_t k = 0; k < data.num_values; ++k, ++value) {
        switch (column.spec.type) {
          case Type::kInt64:
            ASSERT_EQ(data.value<int64_t>(k), column.int64s[value]) << column.spec.name;
            break;
          case Type::kDouble: {
            double got = data.value<double>(k);
            ASSERT_EQ(std::memcmp(&got, &column.doubles[value], 8), 0)
                << column.spec.name << " value " << value;
            break;
          }
          case Type::kBoolean:
            ASSERT_EQ(data.value<uint8_t>(k), column.booleans[value]);
            break;
          default:
            ASSERT_EQ(data.byte_arrays[k], column.strings[value]) << column.spec.name << " value " << value;
        }
      }
    }
    EXPECT_EQ(row, table.num_rows);
    EXPECT_EQ(value, column.num_values());
  }
}

using Variant = std::tuple<Codec, ColumnEncoding, int>;  // codec, encoding, data page version

std::string VariantName(const testing::TestParamInfo<Variant>& info) {
  const char* encodings[] = {"Auto", "Plain", "Dictionary", "Delta"};
  return CodecName(std::get<0>(info.param)) + "_" + encodings[static_cast<int>(std::get<1>(info.param))] +
         "_v" + std::to_string(std::get<2>(info.param));
}

class RoundTrip : public testing::TestWithParam<Variant> {
 protected:
  WriterOptions Options() const {
    WriterOptions options;
    options.codec = std::get<0>(GetParam());
    options.data_page_version = std::get<2>(GetParam());
    if (std::get<1>(GetParam()) == ColumnEncoding::kDeltaBinaryPacked) {
      // DELTA_BINARY_PACKED applies to INT64 columns; the others stay on the automatic choice.
      options.column_encodings.assign(7, ColumnEncoding::kAuto);
      options.column_encodings[0] = options.column_encodings[1] = ColumnEncoding::kDeltaBinaryPacked;
    } else {
      options.encoding = std::get<1>(GetParam());
    }
    return options;
  }
};

TEST_P(RoundTrip, TypesTableInOneRowGroup) {
  Table table = MakeTypesTable(5000, 1);
  ExpectReadsBack(WriteTable(table, Options(), 1000, 1u << 30), table);
}

TEST_P(RoundTrip, ManyRowGroupsOfUnevenSize) {
  Table table = MakeTypesTable(3333, 2);
  ExpectReadsBack(WriteTable(table, Options(), 77, 500), table);
}

TEST_P(RoundTrip, ZeroRows) {
  Table table = MakeTypesTable(0, 3);
  std::string bytes = WriteTable(table, Options(), 10, 10);
  auto reader = OpenBytes(bytes);
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(reader->num_rows(), 0);
  EXPECT_EQ(reader->num_row_groups(), 0);
  EXPECT_EQ(reader->num_columns(), 7);
}

TEST_P(RoundTrip, OneRow) {
  Table table = MakeTypesTable(1, 4);
  ExpectReadsBack(WriteTable(table, Options(), 1, 1), table);
}

TEST_P(RoundTrip, PagesSplitAtTheRowLimit) {
  WriterOptions options = Options();
  options.data_page_max_rows = 100;
  Table table = MakeTypesTable(2345, 5);
  std::string bytes = WriteTable(table, options, 1000, 1u << 30);
  ExpectReadsBack(bytes, table);
  auto reader = OpenBytes(bytes);
  PageSummary pages;
  ASSERT_TRUE(reader->SummarizePages(0, 0, &pages).ok());
  EXPECT_EQ(pages.data_pages, 24);
  EXPECT_EQ(pages.data_pages_v2, std::get<2>(GetParam()) == 2 ? 24 : 0);
  EXPECT_TRUE(pages.has_crc);
}

INSTANTIATE_TEST_SUITE_P(AllCodecsAndEncodings, RoundTrip,
                         testing::Combine(testing::Values(Codec::kUncompressed, Codec::kSnappy, Codec::kGzip,
                                                          Codec::kZstd, Codec::kLz4Raw),
                                          testing::Values(ColumnEncoding::kAuto, ColumnEncoding::kPlain,
                                                          ColumnEncoding::kDictionary,
                                                          ColumnEncoding::kDeltaBinaryPacked),
                                          testing::Values(1, 2)),
                         VariantName);

// How many data pages of column `c` (row group 0) each encoding wrote, and whether it has a dictionary.
struct ChunkEncodings {
  bool dictionary_page = false;
  int dictionary = 0;
  int plain = 0;
  int delta_length = 0;
  int other = 0;
};
ChunkEncodings EncodingsOf(const std::string& bytes, size_t c) {
  auto reader = OpenBytes(bytes);
  const ColumnMetaData& meta = *reader->metadata().row_groups[0].columns[c].meta_data;
  ChunkEncodings e;
  e.dictionary_page = meta.dictionary_page_offset.has_value();
  for (const auto& s : *meta.encoding_stats) {
    if (s.page_type == PageType::kDictionaryPage) continue;
    int* count = s.encoding == Encoding::kRleDictionary          ? &e.dictionary
                 : s.encoding == Encoding::kPlain                ? &e.plain
                 : s.encoding == Encoding::kDeltaLengthByteArray ? &e.delta_length
                                                                 : &e.other;
    *count += s.count;
  }
  return e;
}

// Past the size limit a chunk's later pages go without the dictionary: DELTA_LENGTH_BYTE_ARRAY, or PLAIN
// when delta_length_fallback is off. The first pages keep their dictionary (it paid on them).
TEST(RoundTripDictionary, LeavesTheDictionaryPastTheSizeLimit) {
  for (bool delta_length : {true, false}) {
    SCOPED_TRACE(delta_length);
    WriterOptions options;
    options.dictionary_size_limit = 64 * 1024;
    options.data_page_max_rows = 2000;
    options.delta_length_fallback = delta_length;
    Table table = MakeTypesTable(20000, 6, /*distinct_strings=*/4000);
    std::string bytes = WriteTable(table, options, 1000, 1u << 30);
    ExpectReadsBack(bytes, table);
    const ChunkEncodings message = EncodingsOf(bytes, 5);
    EXPECT_TRUE(message.dictionary_page);
    EXPECT_GT(message.dictionary, 0);
    EXPECT_GT(delta_length ? message.delta_length : message.plain, 0);
    EXPECT_EQ(delta_length ? message.plain : message.delta_length, 0);
    EXPECT_EQ(message.other, 0);
  }
}

// A column of unique values (trace ids) gives its dictionary up at the end of its first page: that page
// is rewritten without it, the chunk has no dictionary page, and every page is DELTA_LENGTH_BYTE_ARRAY
// (PLAIN when asked); so for values that repeat now and then. A column that is all nulls has nothing to
// encode: PLAIN pages, which every reader takes. All read back.
TEST(RoundTripDictionary, UniqueValuesGiveTheDictionaryUpAtTheFirstPage) {
  std::mt19937_64 rng(11);
  Table table;
  table.num_rows = 5000;
  Column trace(ColumnSpec::String("trace_id", Repetition::kOptional));
  trace.levels = MakeLevels(rng, table.num_rows, 50);
  for (size_t i = 0, present = Present(trace.levels, table.num_rows); i < present; ++i) {
    char hex[33];
    std::snprintf(hex, sizeof(hex), "%016llx%016llx", static_cast<unsigned long long>(rng()),
                  static_cast<unsigned long long>(rng()));
    trace.strings.push_back(hex);
  }
  trace.PackStrings();
  table.columns.push_back(std::move(trace));
  Column extra(ColumnSpec::Json("_extra", Repetition::kOptional));
  extra.levels.assign(table.num_rows, 0);
  extra.PackStrings();
  table.columns.push_back(std::move(extra));
  // Request ids where one in fifty repeats the one before: the dictionary still does not pay, and the
  // first page is rebuilt from its entries (not the arena as it is: the indices are not 0, 1, 2 ...).
  Column requests(ColumnSpec::String("request_id", Repetition::kRequired));
  for (size_t i = 0; i < table.num_rows; ++i) {
    requests.strings.push_back(i % 50 == 49 ? requests.strings.back() : "req-" + std::to_string(rng()));
  }
  requests.PackStrings();
  table.columns.push_back(std::move(requests));

  for (bool delta_length : {true, false}) {
    SCOPED_TRACE(delta_length);
    WriterOptions options;
    options.codec = Codec::kZstd;
    options.data_page_max_rows = 1000;
    options.delta_length_fallback = delta_length;
    std::string bytes = WriteTable(table, options, 700, 1u << 30);
    ExpectReadsBack(bytes, table);
    const ChunkEncodings ids = EncodingsOf(bytes, 0);
    EXPECT_FALSE(ids.dictionary_page);
    EXPECT_EQ(ids.dictionary, 0);
    EXPECT_EQ(delta_length ? ids.delta_length : ids.plain, 5);
    EXPECT_EQ(ids.plain + ids.delta_length, 5);
    const ChunkEncodings nulls = EncodingsOf(bytes, 1);
    EXPECT_EQ(nulls.plain, 5);
    EXPECT_EQ(nulls.delta_length + nulls.dictionary + nulls.other, 0);
    const ChunkEncodings ids_repeating = EncodingsOf(bytes, 2);
    EXPECT_FALSE(ids_repeating.dictionary_page);
    EXPECT_EQ(delta_length ? ids_repeating.delta_length : ids_repeating.plain, 5);
  }
}

// memory_bytes() counts what the writer's buffers hold — at least the row group's encoded chunks and
// its dictionaries while they are open, and the kept capacity after the row group, when buffered_bytes()
// (what the file will take) is back to 0. zstd's context shows up once a page has been compressed.
TEST(RoundTripDictionary, MemoryBytesCountWhatTheBuffersHold) {
  Table table = MakeTypesTable(20000, 8, /*distinct_strings=*/5000);
  WriterOptions options;
  options.codec = Codec::kZstd;
  BufferOutputSink sink;
  auto writer = FileWriter::Open(&sink, table.schema(), options);
  ASSERT_TRUE(writer.ok());
  const size_t empty = (*writer)->memory_bytes();
  std::vector<ColumnBatch> batches;
  for (size_t c = 0; c < table.columns.size(); ++c) batches.push_back(table.columns[c].Batch(0, 20000, 0));
  ASSERT_TRUE((*writer)->WriteBatch(batches.data(), 20000).ok());
  const size_t buffered = (*writer)->buffered_bytes();
  const size_t held = (*writer)->memory_bytes();
  EXPECT_GT(buffered, 100u << 10);
  // Every buffered byte is in some buffer, and the zstd context (~1 MiB) besides.
  EXPECT_GE(held, buffered + (512u << 10)) << "buffered " << buffered << ", held " << held;
  ASSERT_TRUE((*writer)->EndRowGroup().ok());
  EXPECT_EQ((*writer)->buffered_bytes(), 0u);
  EXPECT_GT((*writer)->memory_bytes(), empty);  // capacity kept for the next row group
  ASSERT_TRUE((*writer)->Close().ok());
}

// The first page's values all distinct for 2 048 of them: the dictionary is given up there, without
// waiting for the page's end, even though the page then repeats one value (which would have paid for
// it). One repeat among the first 2 048 keeps it to the end of the page, where it pays.
TEST(RoundTripDictionary, AllDistinctValuesGiveTheDictionaryUpEarly) {
  Table table;
  table.num_rows = 20000;
  auto add = [&](const char* name, size_t repeat_at) {
    Column column(ColumnSpec::String(name, Repetition::kRequired));
    for (size_t i = 0; i < table.num_rows; ++i) {
      if (i == repeat_at) {
        column.strings.push_back(column.strings[10]);
      } else {
        column.strings.push_back(i < 4000 ? "request-" + std::to_string(i * 7919) : std::string("repeated"));
      }
    }
    column.PackStrings();
    table.columns.push_back(std::move(column));
  };
  add("distinct_then_repeated", SIZE_MAX);
  add("one_repeat_early", 1500);
  WriterOptions options;
  options.data_page_max_rows = 20000;
  const std::string bytes = WriteTable(table, options, 1000, 1u << 30);
  ExpectReadsBack(bytes, table);
  const ChunkEncodings early = EncodingsOf(bytes, 0);
  EXPECT_FALSE(early.dictionary_page);
  EXPECT_EQ(early.delta_length, 1);
  const ChunkEncodings kept = EncodingsOf(bytes, 1);
  EXPECT_TRUE(kept.dictionary_page);
  EXPECT_EQ(kept.dictionary, 1);
}

// Trace ids (32 random hex digits, the dictionary given up) under zstd: their pages are compressed
// without short matches (Compressor's small_alphabet), within 1.5 % of the 16 bytes of entropy each; a
// column of text beside them is compressed as before. Read back unchanged.
TEST(RoundTripDictionary, HexIdsCompressCloseToTheirEntropyUnderZstd) {
  Table table;
  table.num_rows = 60000;
  std::mt19937_64 rng(11);
  Column ids(ColumnSpec::String("trace_id", Repetition::kRequired));
  Column text(ColumnSpec::String("message", Repetition::kRequired));
  for (size_t i = 0; i < table.num_rows; ++i) {
    std::string id(32, '0');
    for (char& c : id) c = "0123456789abcdef"[rng() % 16];
    ids.strings.push_back(std::move(id));
    text.strings.push_back("user " + std::to_string(rng() % 100000) + " took " +
                           std::to_string(rng() % 2000) + " ms");
  }
  ids.PackStrings();
  text.PackStrings();
  table.columns.push_back(std::move(ids));
  table.columns.push_back(std::move(text));
  WriterOptions options;
  options.codec = Codec::kZstd;
  const std::string bytes = WriteTable(table, options, 5000, 1u << 30);
  ExpectReadsBack(bytes, table);
  auto reader = FileReader::Open(
      std::make_unique<MemoryInputSource>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()),
      "memory");
  ASSERT_TRUE(reader.ok());
  const auto& meta = (*reader)->metadata().row_groups[0].columns[0].meta_data;
  ASSERT_TRUE(meta.has_value());
  const double entropy = 16.0 * static_cast<double>(table.num_rows);
  EXPECT_LT(static_cast<double>(meta->total_compressed_size), entropy * 1.015)
      << "zstd's short matches in random hex cost ~3 % at level 3";
}

// The same table written column at a time (BeginColumns / AppendColumn / EndColumn, as merges write),
// in the same batches and row groups as WriteTable.
// keys: per column, a value key per present value (ColumnBatch::value_keys), or none.
std::string WriteTableColumnar(const Table& table, const WriterOptions& options, size_t batch_rows,
                               size_t group_rows, const std::vector<std::vector<uint32_t>>* keys = nullptr) {
  BufferOutputSink sink;
  auto writer = FileWriter::Open(&sink, table.schema(), options);
  EXPECT_TRUE(writer.ok()) << writer.status().ToString();
  if (!writer.ok()) return {};
  std::vector<size_t> value_at(table.columns.size(), 0);
  for (size_t group = 0; group < table.num_rows; group += group_rows) {
    const size_t group_end = std::min(table.num_rows, group + group_rows);
    EXPECT_TRUE((*writer)->BeginColumns(group_end - group).ok());
    for (size_t c = 0; c < table.columns.size(); ++c) {
      for (size_t row = group; row < group_end; row += batch_rows) {
        ColumnBatch batch = table.columns[c].Batch(row, std::min(group_end, row + batch_rows), value_at[c]);
        if (keys != nullptr && !(*keys)[c].empty()) batch.value_keys = (*keys)[c].data() + value_at[c];
        value_at[c] += batch.num_values;
        Status st = (*writer)->AppendColumn(batch);
        EXPECT_TRUE(st.ok()) << st.ToString();
      }
      EXPECT_TRUE((*writer)->EndColumn().ok());
    }
    EXPECT_TRUE((*writer)->EndRowGroup().ok());
  }
  EXPECT_TRUE((*writer)->Close().ok());
  return std::string(sink.buffer().view());
}

// Four optional string columns of 12 000 rows whose dictionaries end four ways: message kept, trace_id
// given up at its first page, level kept and small, host past the 32 KiB size limit of
// DictionaryFateOptions.
Table DictionaryFateTable(std::mt19937_64& rng) {
  Table table;
  table.num_rows = 12000;
  auto add = [&](const char* name, auto value_of) {
    Column column(ColumnSpec::String(name, Repetition::kOptional));
    column.levels = MakeLevels(rng, table.num_rows, 10);
    for (size_t i = 0, n = Present(column.levels, table.num_rows); i < n; ++i)
      column.strings.push_back(value_of(i));
    column.PackStrings();
    table.columns.push_back(std::move(column));
  };
  add("message", [&](size_t) { return "request " + std::to_string(rng() % 700) + " served"; });
  add("trace_id", [&](size_t) { return std::to_string(rng()) + std::to_string(rng()); });
  add("level", [&](size_t) { return std::string(rng() % 2 ? "info" : "warn"); });
  add("host", [&](size_t) { return "host-" + std::to_string(rng() % 9000); });
  return table;
}

WriterOptions DictionaryFateOptions(bool sorted) {
  WriterOptions options;
  options.codec = Codec::kSnappy;
  options.data_page_max_rows = 1500;
  options.dictionary_size_limit = 32 * 1024;
  options.sort_dictionaries = sorted;
  return options;
}

// Column-at-a-time row groups lend one pair of dictionaries to each column in turn (reset, never
// freed, between columns — also when a column gives its dictionary up): the file is byte for byte the
// one written row batch by row batch, where every column has its own. A dictionary carried over with
// an entry or a hash slot of the column before would change a dictionary page, an index or a size.
TEST(RoundTripDictionary, ColumnAtATimeWritesTheSameBytesWithOneLentDictionary) {
  std::mt19937_64 rng(5);
  Table table = DictionaryFateTable(rng);
  Column sizes(ColumnSpec::Int64("size", Repetition::kRequired));
  for (size_t i = 0; i < table.num_rows; ++i) sizes.int64s.push_back(static_cast<int64_t>(rng() % 300));
  table.columns.push_back(std::move(sizes));
  for (bool sorted : {false, true}) {
    SCOPED_TRACE(sorted);
    WriterOptions options = DictionaryFateOptions(sorted);
    options.column_encodings = {ColumnEncoding::kAuto, ColumnEncoding::kAuto, ColumnEncoding::kAuto,
                                ColumnEncoding::kAuto, ColumnEncoding::kDictionary};
    const std::string by_rows = WriteTable(table, options, 1000, 5000);
    const std::string by_columns = WriteTableColumnar(table, options, 1000, 5000);
    ExpectReadsBack(by_columns, table);
    EXPECT_TRUE(by_rows == by_columns)
        << by_rows.size() << " bytes by rows, " << by_columns.size() << " by columns";
    EXPECT_TRUE(EncodingsOf(by_columns, 0).dictionary_page);
    EXPECT_FALSE(EncodingsOf(by_columns, 1).dictionary_page);
    EXPECT_TRUE(EncodingsOf(by_columns, 4).dictionary_page);
  }
}

// Values that come with keys (as a merge gives them: an input dictionary's indices) make the same file
// as without: dictionaries kept, given up early, and past their size limit; sorted or not; with keys
// missing for some values.
TEST(RoundTripDictionary, KeyedValuesWriteTheSameBytes) {
  std::mt19937_64 rng(8);
  const Table table = DictionaryFateTable(rng);
  std::vector<std::vector<uint32_t>> keys;  // per column: a key per distinct string, every 10th missing
  for (const Column& column : table.columns) {
    std::map<std::string, uint32_t> key_of;
    keys.emplace_back();
    for (const std::string& value : column.strings) {
      const uint32_t key = key_of.emplace(value, static_cast<uint32_t>(key_of.size())).first->second;
      keys.back().push_back(rng() % 10 == 0 ? kNoValueKey : key);
    }
  }
  for (bool sorted : {false, true}) {
    SCOPED_TRACE(sorted);
    const WriterOptions options = DictionaryFateOptions(sorted);
    const std::string plain = WriteTableColumnar(table, options, 1000, 5000);
    const std::string keyed = WriteTableColumnar(table, options, 1000, 5000, &keys);
    ExpectReadsBack(keyed, table);
    EXPECT_TRUE(plain == keyed) << plain.size() << " bytes without keys, " << keyed.size() << " with";
    EXPECT_TRUE(EncodingsOf(keyed, 0).dictionary_page);
    EXPECT_FALSE(EncodingsOf(keyed, 1).dictionary_page);
  }
}

// Sorted dictionaries (merged files): for each codec and page version, with the dictionary kept whole
// and with the size limit passed in the middle of chunks (the held pages are written before the pages
// without the dictionary), every value reads back and every larger dictionary page is in byte order.
TEST(RoundTripDictionary, SortedDictionariesReadBackInByteOrder) {
  for (Codec codec : {Codec::kUncompressed, Codec::kSnappy, Codec::kZstd}) {
    for (int version : {1, 2}) {
      for (size_t limit : {size_t{8} << 20, size_t{16} << 10}) {
        SCOPED_TRACE(testing::Message() << CodecName(codec) << " v" << version << " limit " << limit);
        WriterOptions options;
        options.codec = codec;
        options.data_page_version = version;
        options.data_page_max_rows = 1500;
        options.dictionary_size_limit = limit;
        options.sort_dictionaries = true;
        Table table = MakeTypesTable(12000, 9, /*distinct_strings=*/4000);
        std::string bytes = WriteTable(table, options, 1000, 5000);
        ExpectReadsBack(bytes, table);
        auto file = OpenBytes(bytes);
        ASSERT_EQ(file->num_row_groups(), 3);
        const ChunkEncodings message = EncodingsOf(bytes, 5);
        EXPECT_GT(message.dictionary, 0);
        EXPECT_EQ(message.delta_length > 0, limit < (size_t{1} << 20));
        for (int group = 0; group < 3; ++group) {
          for (int column : {5, 6}) {  // message, metadata: dictionaries of kilobytes
            ColumnChunkReader chunk;
            ColumnData data;
            ASSERT_TRUE(chunk.Open(*file, group, column, true).ok());
            ASSERT_TRUE(chunk.Read(0, 1, &data).ok());
            ASSERT_TRUE(data.dictionary_encoded);
            const ByteArrayValues& dictionary = *chunk.dictionary();
            ASSERT_GT(dictionary.count(), 100u);
            for (size_t k = 1; k < dictionary.count(); ++k) {
              ASSERT_LT(dictionary[k - 1], dictionary[k]) << "group " << group << " column " << column;
            }
          }
        }
      }
    }
  }
}

TEST(RoundTripMetadata, KeyValueMetadataAndCreatedBy) {
  Table table = MakeTypesTable(10, 7);
  std::string bytes =
      WriteTable(table, WriterOptions(), 10, 10, {{"logdaemon.schema", "{\"type\":\"object\"}"}});
  auto reader = OpenBytes(bytes);
  EXPECT_EQ(reader->KeyValue("logdaemon.schema"), "{\"type\":\"object\"}");
  ASSERT_TRUE(reader->metadata().created_by);
  EXPECT_EQ(reader->metadata().created_by->rfind("logdaemon version ", 0), 0u);
  EXPECT_NE(reader->metadata().created_by->find(" (build "), std::string::npos);
}

TEST(RoundTripStatistics, ChunkStatisticsMatchTheData) {
  Table table = MakeTypesTable(4000, 8);
  std::string bytes = WriteTable(table, WriterOptions(), 4000, 4000);
  auto reader = OpenBytes(bytes);
  const RowGroup& group = reader->metadata().row_groups[0];
  // timestamp: required, increasing.
  const Statistics& ts = *group.columns[0].meta_data->statistics;
  int64_t min, max;
  std::memcpy(&min, ts.min_value->data(), 8);
  std::memcpy(&max, ts.max_value->data(), 8);
  EXPECT_EQ(min, table.columns[0].int64s.front());
  EXPECT_EQ(max, table.columns[0].int64s.back());
  EXPECT_EQ(*ts.null_count, 0);
  // count: extremes are present.
  const Statistics& count = *group.columns[1].meta_data->statistics;
  std::memcpy(&min, count.min_value->data(), 8);
  std::memcpy(&max, count.max_value->data(), 8);
  EXPECT_EQ(min, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(max, std::numeric_limits<int64_t>::max());
  size_t nulls = 0;
  for (auto l : table.columns[1].levels) nulls += l == 0;
  EXPECT_EQ(*count.null_count, static_cast<int64_t>(nulls));
  // level: exact strings.
  const Statistics& level = *group.columns[4].meta_data->statistics;
  EXPECT_EQ(*level.min_value, "debug");
  EXPECT_EQ(*level.max_value, "warn");
  // The page index is there and parses.
  std::optional<ColumnIndex> column_index;
  std::optional<OffsetIndex> offset_index;
  ASSERT_TRUE(reader->ReadColumnIndex(0, 0, &column_index).ok());
  ASSERT_TRUE(reader->ReadOffsetIndex(0, 0, &offset_index).ok());
  ASSERT_TRUE(column_index && offset_index);
  EXPECT_EQ(column_index->boundary_order, BoundaryOrder::kAscending);
  EXPECT_EQ(offset_index->page_locations.size(), column_index->null_pages.size());
  EXPECT_EQ(offset_index->page_locations[0].first_row_index, 0);
}

TEST(RoundTripFile, WritesToAFileDescriptor) {
  Table table = MakeTypesTable(1000, 9);
  std::string path = testing::TempDir() + "/round_trip_fd.parquet";
  FILE* file = std::fopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr);
  FdOutputSink sink(fileno(file));
  auto writer = FileWriter::Open(&sink, table.schema(), WriterOptions());
  ASSERT_TRUE(writer.ok());
  std::vector<ColumnBatch> batches;
  for (const auto& c : table.columns) batches.push_back(c.Batch(0, table.num_rows, 0));
  ASSERT_TRUE((*writer)->WriteBatch(batches.data(), table.num_rows).ok());
  ASSERT_TRUE((*writer)->Close().ok());
  std::fclose(file);
  auto reader = FileReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->num_rows(), 1000);
  std::remove(path.c_str());
}

TEST(WriterConfig, RefusesBadSchemasAndOptions) {
  WriterOptions options;
  EXPECT_FALSE(ValidateWriterConfig({ColumnSpec::Int64("", Repetition::kRequired)}, options).ok());
  EXPECT_FALSE(ValidateWriterConfig({ColumnSpec::Int64("a", Repetition::kRequired),
                                     ColumnSpec::Int64("a", Repetition::kRequired)},
                                    options)
                   .ok());
  EXPECT_FALSE(ValidateWriterConfig({ColumnSpec::Int64("a", Repetition::kRepeated)}, options).ok());
  options.encoding = ColumnEncoding::kDeltaBinaryPacked;
  Status st = ValidateWriterConfig({ColumnSpec::String("s", Repetition::kRequired)}, options);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("'s'"), std::string::npos);
  options = WriterOptions();
  options.codec = Codec::kBrotli;
  EXPECT_FALSE(ValidateWriterConfig({ColumnSpec::Int64("a", Repetition::kRequired)}, options).ok());
}

TEST(WriterBatch, RefusesInconsistentBatches) {
  BufferOutputSink sink;
  auto writer = FileWriter::Open(&sink, {ColumnSpec::Int64("a", Repetition::kOptional)}, WriterOptions());
  ASSERT_TRUE(writer.ok());
  int64_t values[2] = {1, 2};
  uint8_t levels[3] = {1, 0, 0};
  ColumnBatch batch;
  batch.num_rows = 3;
  batch.def_levels = levels;
  batch.num_values = 2;  // levels say 1
  batch.int64s = values;
  EXPECT_FALSE((*writer)->WriteBatch(&batch, 3).ok());
  batch.num_values = 1;
  EXPECT_TRUE((*writer)->WriteBatch(&batch, 3).ok());
}

}  // namespace
}  // namespace round_trip_test
}  // namespace logdaemon::parquet
