// ColumnChunkReader against FileReader::ReadColumnChunk of the same chunk: every row range of multi-page
// chunks (every type, nulls, both page versions, several codecs), dictionaries kept as indices, chunks
// whose writer fell back from dictionary to PLAIN, one reader reused across chunks and files, the bytes
// it reports, and hostile chunks (truncated, rows overrunning the row group, damaged CRCs, dictionary
// indices out of range, random damage) that must give errors, never crashes.
#include "parquet/column_chunk_reader.h"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "parquet/compression.h"
#include "parquet/file_reader.h"
#include "parquet/file_writer.h"
#include "parquet/metadata_codec.h"

namespace logdaemon::parquet {
namespace column_chunk_reader_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

constexpr size_t kPageRows = 16;

// One cell of a generated table.
struct Cell {
  bool present = true;
  int64_t int64 = 0;
  double real = 0;
  bool boolean = false;
  std::string text;
};

using Generator = Cell (*)(size_t column, size_t row);

// Writes `groups` row groups of `rows` rows each, cell (c, r) from `generate` (r counts across groups).
std::string WriteFile(const std::vector<ColumnSpec>& schema, Generator generate, size_t groups, size_t rows,
                      const WriterOptions& options) {
  BufferOutputSink sink;
  auto writer = FileWriter::Open(&sink, schema, options);
  EXPECT_TRUE(writer.ok()) << writer.status().ToString();
  if (!writer.ok()) return {};
  const size_t columns = schema.size();
  for (size_t g = 0; g < groups; ++g) {
    std::vector<std::vector<uint8_t>> levels(columns);
    std::vector<std::vector<int64_t>> int64s(columns);
    std::vector<std::vector<double>> doubles(columns);
    std::vector<std::vector<uint8_t>> booleans(columns);
    std::vector<std::string> bytes(columns);
    std::vector<std::vector<uint32_t>> offsets(columns, std::vector<uint32_t>{0});
    std::vector<ColumnBatch> batches(columns);
    for (size_t c = 0; c < columns; ++c) {
      for (size_t r = g * rows; r < (g + 1) * rows; ++r) {
        Cell cell = generate(c, r);
        if (schema[c].optional()) levels[c].push_back(cell.present ? 1 : 0);
        if (!cell.present) continue;
        int64s[c].push_back(cell.int64);
        doubles[c].push_back(cell.real);
        booleans[c].push_back(cell.boolean ? 1 : 0);
        bytes[c] += cell.text;
        offsets[c].push_back(static_cast<uint32_t>(bytes[c].size()));
      }
      ColumnBatch& batch = batches[c];
      batch.num_rows = rows;
      batch.def_levels = levels[c].empty() ? nullptr : levels[c].data();
      batch.num_values = int64s[c].size();
      batch.int64s = int64s[c].data();
      batch.doubles = doubles[c].data();
      batch.booleans = booleans[c].data();
      batch.bytes = reinterpret_cast<const uint8_t*>(bytes[c].data());
      batch.offsets = offsets[c].data();
    }
    EXPECT_TRUE((*writer)->WriteBatch(batches.data(), rows).ok());
    EXPECT_TRUE((*writer)->EndRowGroup().ok());
  }
  Status st = (*writer)->Close();
  EXPECT_TRUE(st.ok()) << st.ToString();
  return std::string(sink.buffer().view());
}

std::unique_ptr<FileReader> OpenBytes(const std::string& bytes, const std::string& name = "memory") {
  auto reader = FileReader::Open(
      std::make_unique<MemoryInputSource>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()),
      name);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  return reader.ok() ? std::move(reader).value() : nullptr;
}

std::string Padded(std::string text, size_t width) {
  text.resize(width, '.');
  return text;
}

// Every type, with nulls in the optional columns; see MixedSchema for what each column is for.
Cell MixedCell(size_t column, size_t row) {
  static const char* kLevels[] = {"trace", "debug", "info", "warn", "error"};
  Cell cell;
  switch (column) {
    case 0:  // ts: DELTA_BINARY_PACKED
      cell.int64 = 1768503600000000 + static_cast<int64_t>(row) * 1000 + static_cast<int64_t>(row % 7);
      break;
    case 1:  // count
      cell.present = row % 5 != 0;
      cell.int64 = static_cast<int64_t>(row * row) - 3;
      break;
    case 2:  // ratio
      cell.present = row % 3 != 1;
      cell.real = static_cast<double>(row) / 7.0;
      break;
    case 3:  // flag
      cell.present = row % 4 != 3;
      cell.boolean = row % 3 == 0;
      break;
    case 4:  // level: a small dictionary
      cell.text = kLevels[(row * 7) % 5];
      break;
    case 5:  // message: a dictionary, nulls, an empty string
      cell.present = row % 6 != 2;
      cell.text = row % 9 == 4 ? "" : "message " + std::to_string(row % 9);
      break;
    case 6:  // trace: every value distinct, so the writer gives the dictionary up at the first page
      cell.present = row % 10 != 0;
      cell.text = Padded("trace-" + std::to_string(row * 7919), 40);
      break;
    case 7:  // path: 2 rows per value; the dictionary outgrows its size limit after a few pages
      cell.text = Padded("long/path/value/" + std::to_string(row / 2), 64);
      break;
    default:
      break;
  }
  return cell;
}

std::vector<ColumnSpec> MixedSchema() {
  return {ColumnSpec::TimestampMicrosUtc("ts", Repetition::kRequired),
          ColumnSpec::Int64("count", Repetition::kOptional),
          ColumnSpec::Double("ratio", Repetition::kOptional),
          ColumnSpec::Boolean("flag", Repetition::kOptional),
          ColumnSpec::String("level", Repetition::kRequired),
          ColumnSpec::String("message", Repetition::kOptional),
          ColumnSpec::String("trace", Repetition::kOptional),
          ColumnSpec::String("path", Repetition::kRequired)};
}
constexpr int kTrace = 6;
constexpr int kPath = 7;
constexpr int kLevel = 4;

WriterOptions SmallPages(Codec codec, int version) {
  WriterOptions options;
  options.codec = codec;
  options.data_page_version = version;
  options.data_page_max_rows = kPageRows;
  options.dictionary_size_limit = 2000;
  return options;
}

// delta_length_fallback false: the pages after a dictionary are PLAIN, as older writers (and logdaemon
// before DELTA_LENGTH_BYTE_ARRAY) wrote them.
std::string MixedFile(Codec codec, int version, size_t groups = 2, size_t rows = 100,
                      bool delta_length_fallback = true) {
  WriterOptions options = SmallPages(codec, version);
  options.delta_length_fallback = delta_length_fallback;
  return WriteFile(MixedSchema(), MixedCell, groups, rows, options);
}

// Value k of a ColumnData, as bytes, however it is stored.
std::string_view ValueBytes(const ColumnData& data, size_t k) {
  if (data.type == Type::kByteArray) {
    return data.dictionary_encoded ? (*data.dictionary)[data.dict_indices[k]] : data.byte_arrays[k];
  }
  size_t width = static_cast<size_t>(FixedWidth(data.type, data.type_length));
  return {reinterpret_cast<const char*>(data.fixed.data()) + k * width, width};
}

// Present values before each row of a whole chunk, and after the last.
std::vector<size_t> PresentBefore(const ColumnData& full) {
  std::vector<size_t> before(full.num_rows + 1, 0);
  for (size_t r = 0; r < full.num_rows; ++r) before[r + 1] = before[r] + (full.is_null(r) ? 0 : 1);
  return before;
}

// `part` (a Read of [begin, end)) is self-consistent, covers the range, and matches `full` on every row
// it holds.
testing::AssertionResult RangeMatches(const ColumnData& full, const std::vector<size_t>& before,
                                      const ColumnData& part, size_t begin, size_t end, bool optional) {
  end = std::min(end, full.num_rows);
  if (part.type != full.type) return testing::AssertionFailure() << "type differs";
  if (part.first_row > begin || part.first_row + part.num_rows < end ||
      part.first_row + part.num_rows > full.num_rows) {
    return testing::AssertionFailure() << "rows [" << part.first_row << ", +" << part.num_rows
                                       << ") do not cover [" << begin << ", " << end << ")";
  }
  if (part.def_levels.size() != (optional ? part.num_rows : 0)) {
    return testing::AssertionFailure()
           << part.def_levels.size() << " levels for " << part.num_rows << " rows";
  }
  size_t first = part.first_row;
  size_t present = before[first + part.num_rows] - before[first];
  if (part.num_values != present) {
    return testing::AssertionFailure() << part.num_values << " values, expected " << present;
  }
  if (part.dictionary_encoded) {
    if (part.dictionary == nullptr || part.dict_indices.size() != present || part.byte_arrays.count() != 0) {
      return testing::AssertionFailure() << "inconsistent dictionary-encoded data";
    }
  } else if (part.dictionary != nullptr || !part.dict_indices.empty()) {
    return testing::AssertionFailure() << "dictionary fields set on materialized data";
  } else if (part.type == Type::kByteArray && part.byte_arrays.count() != present) {
    return testing::AssertionFailure() << part.byte_arrays.count() << " byte arrays, expected " << present;
  }
  size_t k = 0;
  size_t k_full = before[first];
  for (size_t local = 0; local < part.num_rows; ++local) {
    size_t row = first + local;
    if (part.is_null(local) != full.is_null(row)) {
      return testing::AssertionFailure() << "row " << row << ": null differs";
    }
    if (part.is_null(local)) continue;
    if (ValueBytes(part, k) != ValueBytes(full, k_full)) {
      return testing::AssertionFailure() << "row " << row << ": value differs";
    }
    ++k;
    ++k_full;
  }
  return testing::AssertionSuccess();
}

class EveryRange : public testing::TestWithParam<std::tuple<Codec, int>> {};

TEST_P(EveryRange, MatchesTheWholeChunk) {
  auto [codec, version] = GetParam();
  std::string bytes = MixedFile(codec, version);
  auto file = OpenBytes(bytes);
  ASSERT_NE(file, nullptr);
  ColumnChunkReader reader;
  ColumnData full;
  ColumnData part;
  for (int g = 0; g < file->num_row_groups(); ++g) {
    for (int c = 0; c < file->num_columns(); ++c) {
      ASSERT_TRUE(file->ReadColumnChunk(g, c, &full).ok());
      EXPECT_EQ(full.first_row, 0u);
      EXPECT_FALSE(full.dictionary_encoded);
      std::vector<size_t> before = PresentBefore(full);
      const bool optional = file->columns()[static_cast<size_t>(c)].optional();
      const bool strings = file->columns()[static_cast<size_t>(c)].type == Type::kByteArray;
      for (bool keep : {false, true}) {
        if (keep && !strings) continue;
        SCOPED_TRACE("row group " + std::to_string(g) + " column " + std::to_string(c) + " keep " +
                     std::to_string(keep));
        Status st = reader.Open(*file, g, c, keep);
        ASSERT_TRUE(st.ok()) << st.ToString();
        ASSERT_EQ(reader.num_rows(), full.num_rows);
        ASSERT_GE(reader.num_data_pages(), full.num_rows / kPageRows);
        const size_t n = reader.num_rows();
        for (size_t begin = 0; begin < n; ++begin) {
          for (size_t end = begin + 1; end <= n; ++end) {
            st = reader.Read(begin, end, &part);
            ASSERT_TRUE(st.ok()) << st.ToString();
            ASSERT_TRUE(RangeMatches(full, before, part, begin, end, optional)) << begin << ".." << end;
          }
        }
        // end past the row group is clamped; the whole chunk matches ReadColumnChunk exactly.
        ASSERT_TRUE(reader.Read(0, std::numeric_limits<size_t>::max(), &part).ok());
        EXPECT_EQ(part.first_row, 0u);
        EXPECT_EQ(part.num_rows, n);
        ASSERT_TRUE(RangeMatches(full, before, part, 0, n, optional));
        ASSERT_TRUE(reader.Read(n - 1, n + 100, &part).ok());
        ASSERT_TRUE(RangeMatches(full, before, part, n - 1, n, optional));
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(CodecsAndVersions, EveryRange,
                         testing::Values(std::make_tuple(Codec::kUncompressed, 1),
                                         std::make_tuple(Codec::kSnappy, 2),
                                         std::make_tuple(Codec::kZstd, 1)));

TEST(ColumnChunkReader, RangesDecodeWholePagesOnly) {
  std::string bytes = MixedFile(Codec::kSnappy, 1);
  auto file = OpenBytes(bytes);
  ASSERT_NE(file, nullptr);
  std::optional<OffsetIndex> index;
  ASSERT_TRUE(file->ReadOffsetIndex(0, 0, &index).ok());
  ASSERT_TRUE(index.has_value());
  ASSERT_GE(index->page_locations.size(), 4u);
  ColumnChunkReader reader;
  ASSERT_TRUE(reader.Open(*file, 0, 0, false).ok());
  ASSERT_EQ(reader.num_data_pages(), index->page_locations.size());
  ColumnData part;
  // Rows inside page 2 only: page 2 exactly.
  size_t page2 = static_cast<size_t>(index->page_locations[2].first_row_index);
  size_t page3 = static_cast<size_t>(index->page_locations[3].first_row_index);
  ASSERT_TRUE(reader.Read(page2 + 1, page2 + 2, &part).ok());
  EXPECT_EQ(part.first_row, page2);
  EXPECT_EQ(part.num_rows, page3 - page2);
  // A range ending at a page boundary does not decode the next page.
  ASSERT_TRUE(reader.Read(page2, page3, &part).ok());
  EXPECT_EQ(part.first_row, page2);
  EXPECT_EQ(part.num_rows, page3 - page2);
  // One row either side of a boundary: both pages.
  ASSERT_TRUE(reader.Read(page3 - 1, page3 + 1, &part).ok());
  EXPECT_EQ(part.first_row, page2);
  EXPECT_GT(part.num_rows, page3 - page2);
  // Empty ranges read nothing; inverted ones are refused.
  ASSERT_TRUE(reader.Read(5, 5, &part).ok());
  EXPECT_EQ(part.num_rows, 0u);
  Status st = reader.Read(6, 5, &part);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << st.ToString();
}

TEST(ColumnChunkReader, KeepsTheDictionaryOfDictionaryEncodedStrings) {
  for (int version : {1, 2}) {
    std::string bytes = MixedFile(Codec::kZstd, version);
    auto file = OpenBytes(bytes);
    ASSERT_NE(file, nullptr);
    ColumnChunkReader reader;
    ColumnData full;
    ColumnData part;
    for (int c : {kLevel, 5}) {
      ASSERT_TRUE(file->ReadColumnChunk(1, c, &full).ok());
      ASSERT_TRUE(reader.Open(*file, 1, c, true).ok());
      ASSERT_TRUE(reader.Read(0, reader.num_rows(), &part).ok());
      ASSERT_TRUE(part.dictionary_encoded);
      ASSERT_NE(part.dictionary, nullptr);
      EXPECT_TRUE(part.byte_arrays.bytes.empty());
      EXPECT_LE(part.dictionary->count(), 10u);  // few distinct values: indices, not copies
      ASSERT_EQ(part.dict_indices.size(), full.num_values);
      for (size_t k = 0; k < full.num_values; ++k) {
        ASSERT_EQ((*part.dictionary)[part.dict_indices[k]], full.byte_arrays[k]) << k;
      }
      // Without keep_dictionary the same chunk is materialized.
      ASSERT_TRUE(reader.Open(*file, 1, c, false).ok());
      ASSERT_TRUE(reader.Read(0, reader.num_rows(), &part).ok());
      EXPECT_FALSE(part.dictionary_encoded);
      EXPECT_EQ(part.dictionary, nullptr);
      EXPECT_TRUE(part.dict_indices.empty());
      EXPECT_EQ(part.byte_arrays.bytes.view(), full.byte_arrays.bytes.view());
    }
    // keep_dictionary is ignored for other types, even dictionary-encoded ones.
    WriterOptions options = SmallPages(Codec::kSnappy, version);
    options.encoding = ColumnEncoding::kDictionary;
    Generator repeating = [](size_t, size_t row) {
      Cell cell;
      cell.present = row % 5 != 0;
      cell.int64 = static_cast<int64_t>(row % 3);
      return cell;
    };
    std::string ints =
        WriteFile({ColumnSpec::Int64("count", Repetition::kOptional)}, repeating, 1, 50, options);
    auto int_file = OpenBytes(ints);
    ASSERT_NE(int_file, nullptr);
    ASSERT_TRUE(int_file->ReadColumnChunk(0, 0, &full).ok());
    ASSERT_TRUE(reader.Open(*int_file, 0, 0, true).ok());
    ASSERT_TRUE(reader.Read(0, 50, &part).ok());
    EXPECT_FALSE(part.dictionary_encoded);
    EXPECT_EQ(part.fixed.view(), full.fixed.view());
  }
}

// The rows of `rows` gathered from `reader` (open on the chunk of `full`) are the chunk's values.
testing::AssertionResult GatherMatches(ColumnChunkReader* reader, const ColumnData& full,
                                       const std::vector<size_t>& before, const std::vector<uint32_t>& rows) {
  std::vector<uint32_t> indices(rows.size(), 12345);
  if (Status st = reader->GatherIndices(rows, indices.data()); !st.ok()) {
    return testing::AssertionFailure() << st.ToString();
  }
  if (reader->dictionary() == nullptr) return testing::AssertionFailure() << "no dictionary";
  for (size_t i = 0; i < rows.size(); ++i) {
    const size_t row = rows[i];
    if (full.is_null(row)) {
      if (indices[i] != kNullDictIndex) return testing::AssertionFailure() << "row " << row << ": not null";
      continue;
    }
    if (indices[i] >= reader->dictionary()->count()) {
      return testing::AssertionFailure() << "row " << row << ": index " << indices[i] << " out of range";
    }
    if ((*reader->dictionary())[indices[i]] != full.byte_arrays[before[row]]) {
      return testing::AssertionFailure() << "row " << row << ": value differs";
    }
  }
  return testing::AssertionSuccess();
}

// GatherIndices reads what Read reads, for any rows: dense or sparse, single rows, page edges, nulls,
// both page versions, compressed or not; and leaves a Read's data alone.
TEST(ColumnChunkReader, GatherIndicesMatchesTheWholeChunk) {
  std::mt19937_64 rng(17);
  for (int version : {1, 2}) {
    for (Codec codec : {Codec::kUncompressed, Codec::kZstd}) {
      SCOPED_TRACE(testing::Message() << "version " << version << " codec " << static_cast<int>(codec));
      std::string bytes = MixedFile(codec, version, 2, 100);
      auto file = OpenBytes(bytes);
      ASSERT_NE(file, nullptr);
      ColumnChunkReader reader;
      ColumnData full;
      ColumnData part;
      for (int group : {0, 1}) {
        for (int c : {kLevel, 5}) {
          SCOPED_TRACE(c);
          ASSERT_TRUE(file->ReadColumnChunk(group, c, &full).ok());
          const std::vector<size_t> before = PresentBefore(full);
          ASSERT_TRUE(reader.Open(*file, group, c, true).ok());
          const size_t n = reader.num_rows();
          ASSERT_TRUE(reader.CanGatherIndices(0, n));
          ASSERT_TRUE(reader.Read(kPageRows, kPageRows + 1, &part).ok());
          for (size_t density : {1, 2, 5, 17, 60}) {
            for (int round = 0; round < 3; ++round) {
              std::vector<uint32_t> rows;
              for (size_t r = 0; r < n; ++r) {
                if (rng() % density == 0) rows.push_back(static_cast<uint32_t>(r));
              }
              EXPECT_TRUE(GatherMatches(&reader, full, before, rows)) << "density " << density;
            }
          }
          const uint32_t last = static_cast<uint32_t>(n - 1);
          for (const std::vector<uint32_t>& rows :
               {std::vector<uint32_t>{0}, std::vector<uint32_t>{last}, std::vector<uint32_t>{},
                std::vector<uint32_t>{kPageRows - 1, kPageRows, 2 * kPageRows - 1, 2 * kPageRows, last}}) {
            EXPECT_TRUE(GatherMatches(&reader, full, before, rows));
          }
          EXPECT_TRUE(
              RangeMatches(full, before, part, kPageRows, kPageRows + 1, file->columns()[c].optional()));
          // Rows out of order are refused, not misread.
          std::vector<uint32_t> backwards = {5, 3};
          std::vector<uint32_t> indices(2);
          EXPECT_FALSE(reader.GatherIndices(backwards, indices.data()).ok());
          std::vector<uint32_t> across = {2 * kPageRows, 3};
          EXPECT_FALSE(reader.GatherIndices(across, indices.data()).ok());
        }
      }
      // What cannot be gathered: strings without keep_dictionary, the pages after a dictionary
      // outgrew its limit, a chunk that gave its dictionary up, other types.
      ASSERT_TRUE(reader.Open(*file, 0, kLevel, false).ok());
      EXPECT_FALSE(reader.CanGatherIndices(0, 1));
      ASSERT_TRUE(reader.Open(*file, 0, kTrace, true).ok());
      EXPECT_FALSE(reader.CanGatherIndices(0, 1));
      ASSERT_TRUE(reader.Open(*file, 0, kPath, true).ok());
      EXPECT_TRUE(reader.CanGatherIndices(0, 1));
      EXPECT_FALSE(reader.CanGatherIndices(0, reader.num_rows()));
      std::vector<uint32_t> rows = {static_cast<uint32_t>(reader.num_rows() - 1)};
      uint32_t index = 0;
      EXPECT_FALSE(reader.GatherIndices(rows, &index).ok());
      ASSERT_TRUE(reader.Open(*file, 0, 1, true).ok());
      EXPECT_FALSE(reader.CanGatherIndices(0, 1));
      EXPECT_FALSE(reader.CanGatherIndices(0, reader.num_rows() + 1));
      EXPECT_FALSE(reader.CanGatherIndices(3, 3));
    }
  }
  ColumnChunkReader unopened;
  EXPECT_FALSE(unopened.CanGatherIndices(0, 1));
}

TEST(ColumnChunkReader, DictionaryFallbackReadsBothWays) {
  // Pages after the dictionary: DELTA_LENGTH_BYTE_ARRAY (logdaemon's files) or PLAIN (other writers').
  for (bool delta_length : {true, false}) {
    SCOPED_TRACE(delta_length);
    std::string bytes = MixedFile(Codec::kSnappy, 1, 2, 100, delta_length);
    auto file = OpenBytes(bytes);
    ASSERT_NE(file, nullptr);
    ColumnChunkReader reader;
    ColumnData full;
    ColumnData part;
    // Unique values: the dictionary was given up at the first page, so no page of the chunk uses one.
    ASSERT_TRUE(file->ReadColumnChunk(0, kTrace, &full).ok());
    ASSERT_TRUE(reader.Open(*file, 0, kTrace, true).ok());
    ASSERT_TRUE(reader.Read(0, 1, &part).ok());
    EXPECT_FALSE(part.dictionary_encoded);
    EXPECT_TRUE(RangeMatches(full, PresentBefore(full), part, 0, 1, true));
    EXPECT_EQ(reader.dictionary(), nullptr);

    const int c = kPath;
    ASSERT_TRUE(file->ReadColumnChunk(0, c, &full).ok());
    std::vector<size_t> before = PresentBefore(full);
    ASSERT_TRUE(reader.Open(*file, 0, c, true).ok());
    EXPECT_EQ(reader.dictionary(), nullptr);  // not decoded yet
    const size_t n = reader.num_rows();
    // The first page was dictionary-encoded, the last not: the whole chunk mixes them and is
    // materialized; each end alone is not mixed.
    ASSERT_TRUE(reader.Read(0, n, &part).ok());
    EXPECT_FALSE(part.dictionary_encoded);
    EXPECT_TRUE(RangeMatches(full, before, part, 0, n, file->columns()[c].optional()));
    ASSERT_TRUE(reader.Read(0, 1, &part).ok());
    EXPECT_TRUE(part.dictionary_encoded);
    EXPECT_EQ(part.dictionary, reader.dictionary());
    EXPECT_TRUE(RangeMatches(full, before, part, 0, 1, file->columns()[c].optional()));
    ASSERT_TRUE(reader.Read(n - 1, n, &part).ok());
    EXPECT_FALSE(part.dictionary_encoded);
    EXPECT_EQ(part.dictionary, nullptr);
    ASSERT_NE(reader.dictionary(), nullptr);  // still there for per-entry results of earlier Reads
    EXPECT_GT(reader.dictionary()->count(), 0u);
    EXPECT_TRUE(RangeMatches(full, before, part, n - 1, n, file->columns()[c].optional()));
    // The size-limit fallback happens after several dictionary pages.
    ASSERT_TRUE(reader.Open(*file, 0, kPath, true).ok());
    ASSERT_TRUE(reader.Read(kPageRows, kPageRows + 1, &part).ok());
    EXPECT_TRUE(part.dictionary_encoded);
  }
}

TEST(ColumnChunkReader, OneReaderReusedAcrossChunksAndFiles) {
  std::string first_bytes = MixedFile(Codec::kSnappy, 1, 3, 70);
  auto reader_a = OpenBytes(first_bytes, "a.parquet");
  ASSERT_NE(reader_a, nullptr);
  WriterOptions options = SmallPages(Codec::kZstd, 2);
  options.data_page_max_rows = 7;
  std::vector<ColumnSpec> schema = {ColumnSpec::String("message", Repetition::kOptional),
                                    ColumnSpec::Int64("count", Repetition::kOptional)};
  Generator shifted = [](size_t column, size_t row) { return MixedCell(column == 0 ? 5 : 1, row + 3); };
  std::string second_bytes = WriteFile(schema, shifted, 2, 33, options);
  auto reader_b = OpenBytes(second_bytes, "b.parquet");
  ASSERT_NE(reader_b, nullptr);

  struct Step {
    const FileReader* file;
    int row_group;
    int column;
    bool keep;
  };
  const Step steps[] = {
      {reader_a.get(), 0, 5, true},  {reader_b.get(), 1, 0, true},      {reader_a.get(), 2, kPath, true},
      {reader_b.get(), 0, 1, false}, {reader_a.get(), 1, 0, false},     {reader_b.get(), 0, 0, false},
      {reader_a.get(), 1, 3, true},  {reader_a.get(), 1, kTrace, true}, {reader_b.get(), 1, 0, true}};
  ColumnChunkReader reader;
  ColumnData full;
  ColumnData part;
  for (const Step& step : steps) {
    SCOPED_TRACE(step.file->name() + " " + std::to_string(step.row_group) + " " +
                 std::to_string(step.column));
    ASSERT_TRUE(step.file->ReadColumnChunk(step.row_group, step.column, &full).ok());
    std::vector<size_t> before = PresentBefore(full);
    ASSERT_TRUE(reader.Open(*step.file, step.row_group, step.column, step.keep).ok());
    ASSERT_EQ(reader.num_rows(), full.num_rows);
    const bool optional = step.file->columns()[static_cast<size_t>(step.column)].optional();
    for (size_t begin = 0; begin < full.num_rows; begin += 5) {
      ASSERT_TRUE(reader.Read(begin, begin + 9, &part).ok());
      ASSERT_TRUE(RangeMatches(full, before, part, begin, begin + 9, optional));
    }
    ASSERT_TRUE(reader.Read(0, full.num_rows, &part).ok());
    ASSERT_TRUE(RangeMatches(full, before, part, 0, full.num_rows, optional));
  }
}

TEST(ColumnChunkReader, MovingKeepsTheDictionaryValid) {
  std::string bytes = MixedFile(Codec::kZstd, 1);
  auto file = OpenBytes(bytes);
  ASSERT_NE(file, nullptr);
  ColumnData full;
  ASSERT_TRUE(file->ReadColumnChunk(0, kLevel, &full).ok());
  std::vector<size_t> before = PresentBefore(full);
  std::vector<ColumnChunkReader> readers(1);
  ASSERT_TRUE(readers[0].Open(*file, 0, kLevel, true).ok());
  ColumnData part;
  ASSERT_TRUE(readers[0].Read(0, 20, &part).ok());
  ASSERT_TRUE(part.dictionary_encoded);
  readers.resize(50);  // moves readers[0]
  EXPECT_TRUE(RangeMatches(full, before, part, 0, 20, false));
  ColumnChunkReader moved = std::move(readers[0]);
  EXPECT_TRUE(RangeMatches(full, before, part, 0, 20, false));
  ASSERT_TRUE(moved.Read(30, 70, &part).ok());
  EXPECT_TRUE(RangeMatches(full, before, part, 30, 70, false));
  // A moved-from reader can be opened again.
  ASSERT_TRUE(readers[0].Open(*file, 1, kLevel, true).ok());
  ASSERT_TRUE(file->ReadColumnChunk(1, kLevel, &full).ok());
  ASSERT_TRUE(readers[0].Read(0, 100, &part).ok());
  EXPECT_TRUE(RangeMatches(full, PresentBefore(full), part, 0, 100, false));
}

TEST(ColumnChunkReader, ReadersTakingTurnsWithOneLentScratch) {
  // A merge's sorted group: many readers, each Open + Read once with the one scratch lent to it, then
  // only its decoded rows and dictionary used. Each must read what a reader of its own reads, keep its
  // dictionary after giving the scratch back, and refuse a Read until it is opened again.
  for (Codec codec : {Codec::kSnappy, Codec::kZstd}) {
    std::string bytes = MixedFile(codec, 2, 3, 70);
    auto file = OpenBytes(bytes);
    ASSERT_NE(file, nullptr);
    for (int column : {kLevel, 5, kPath, 3}) {
      SCOPED_TRACE(std::to_string(column) + " " + CodecName(codec));
      ChunkReadScratch scratch;
      std::vector<ColumnChunkReader> readers(3);
      std::vector<ColumnData> parts(3);
      for (int g = 0; g < 3; ++g) {
        ColumnChunkReader& reader = readers[static_cast<size_t>(g)];
        reader.SwapScratch(&scratch);
        ASSERT_TRUE(reader.Open(*file, g, column, true).ok());
        ASSERT_TRUE(reader.Read(0, reader.num_rows(), &parts[static_cast<size_t>(g)]).ok());
        reader.SwapScratch(&scratch);
      }
      EXPECT_GT(scratch.memory_bytes(), 0u);  // the chunk's bytes and pages ended in the scratch
      for (int g = 0; g < 3; ++g) {
        ColumnData full;
        ASSERT_TRUE(file->ReadColumnChunk(g, column, &full).ok());
        const ColumnData& part = parts[static_cast<size_t>(g)];
        const bool optional = file->columns()[static_cast<size_t>(column)].optional();
        EXPECT_TRUE(RangeMatches(full, PresentBefore(full), part, 0, full.num_rows, optional));
        if (part.dictionary_encoded) {
          EXPECT_EQ(part.dictionary, readers[static_cast<size_t>(g)].dictionary());
        }
        ColumnData again;
        Status st = readers[static_cast<size_t>(g)].Read(0, 1, &again);
        EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << st.ToString();
      }
    }
  }
}

TEST(ColumnChunkReader, BytesDecodedCountsOnlyDecodedPages) {
  std::string bytes = MixedFile(Codec::kSnappy, 1);
  auto file = OpenBytes(bytes);
  ASSERT_NE(file, nullptr);
  ColumnChunkReader reader;
  ColumnData part;
  for (int c : {0, kLevel}) {
    SCOPED_TRACE(c);
    std::optional<OffsetIndex> index;
    ASSERT_TRUE(file->ReadOffsetIndex(0, c, &index).ok());
    ASSERT_TRUE(index.has_value());
    const auto& pages = index->page_locations;
    ASSERT_GE(pages.size(), 4u);
    const ColumnMetaData& meta = *file->metadata().row_groups[0].columns[static_cast<size_t>(c)].meta_data;
    uint64_t dictionary = 0;
    if (meta.dictionary_page_offset) {
      dictionary = static_cast<uint64_t>(meta.data_page_offset - *meta.dictionary_page_offset);
    }
    EXPECT_EQ(dictionary > 0, c == kLevel);

    ASSERT_TRUE(reader.Open(*file, 0, c, true).ok());
    EXPECT_EQ(reader.bytes_decoded(), 0u);
    ASSERT_TRUE(reader.Read(0, 1, &part).ok());
    uint64_t expected = dictionary + static_cast<uint64_t>(pages[0].compressed_page_size);
    EXPECT_EQ(reader.bytes_decoded(), expected);
    ASSERT_TRUE(reader.Read(0, 2, &part).ok());  // the same page again counts once
    EXPECT_EQ(reader.bytes_decoded(), expected);
    size_t page2 = static_cast<size_t>(pages[2].first_row_index);
    ASSERT_TRUE(reader.Read(page2, page2 + 1, &part).ok());
    expected += static_cast<uint64_t>(pages[2].compressed_page_size);
    EXPECT_EQ(reader.bytes_decoded(), expected);
    ASSERT_TRUE(reader.Read(0, reader.num_rows(), &part).ok());
    EXPECT_EQ(reader.bytes_decoded(), static_cast<uint64_t>(meta.total_compressed_size));
    // Open starts counting again.
    ASSERT_TRUE(reader.Open(*file, 0, c, false).ok());
    EXPECT_EQ(reader.bytes_decoded(), 0u);
  }
}

TEST(ColumnChunkReader, MisuseIsAnError) {
  std::string bytes = MixedFile(Codec::kSnappy, 1, 1, 20);
  auto file = OpenBytes(bytes);
  ASSERT_NE(file, nullptr);
  ColumnChunkReader reader;
  ColumnData part;
  EXPECT_EQ(reader.Read(0, 1, &part).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(reader.Open(*file, 1, 0, false).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(reader.Open(*file, 0, -1, false).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(reader.Open(*file, 0, 99, false).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(reader.num_rows(), 0u);
  EXPECT_EQ(reader.Read(0, 1, &part).code(), Status::Code::kInvalidArgument);  // after a failed Open
}

// ---------------------------------------------------------------------------------------------------
// Hostile chunks, built by taking a valid one-column, one-row-group file apart page by page and
// putting it back together with changes.

struct RawPage {
  PageHeader header;
  std::string body;
};

struct Dissected {
  FileMetaData metadata;
  std::vector<RawPage> pages;
};

Dissected Dissect(const std::string& file) {
  Dissected d;
  uint32_t footer_length;
  std::memcpy(&footer_length, file.data() + file.size() - 8, 4);
  const auto* base = reinterpret_cast<const uint8_t*>(file.data());
  EXPECT_TRUE(ParseFileMetaData(base + file.size() - 8 - footer_length, footer_length, &d.metadata).ok());
  const ColumnMetaData& meta = *d.metadata.row_groups[0].columns[0].meta_data;
  size_t position = static_cast<size_t>(meta.dictionary_page_offset.value_or(meta.data_page_offset));
  size_t end = position + static_cast<size_t>(meta.total_compressed_size);
  while (position < end) {
    RawPage page;
    size_t header_size = 0;
    EXPECT_TRUE(ParsePageHeader(base + position, end - position, &page.header, &header_size).ok());
    position += header_size;
    page.body = file.substr(position, static_cast<size_t>(page.header.compressed_page_size));
    position += page.body.size();
    d.pages.push_back(std::move(page));
  }
  return d;
}

// The file again; the chunk's size in the footer is what the pages take plus size_delta.
std::string Assemble(Dissected d, int64_t size_delta = 0) {
  std::string file(kMagic, 4);
  ColumnMetaData& meta = *d.metadata.row_groups[0].columns[0].meta_data;
  meta.dictionary_page_offset.reset();
  meta.data_page_offset = 0;
  ByteBuffer buffer;
  for (const RawPage& page : d.pages) {
    if (page.header.type == PageType::kDictionaryPage && !meta.dictionary_page_offset) {
      meta.dictionary_page_offset = static_cast<int64_t>(file.size());
    }
    if (page.header.type != PageType::kDictionaryPage && meta.data_page_offset == 0) {
      meta.data_page_offset = static_cast<int64_t>(file.size());
    }
    buffer.clear();
    SerializePageHeader(page.header, &buffer);
    file.append(buffer.view());
    file.append(page.body);
  }
  meta.total_compressed_size = static_cast<int64_t>(file.size()) - 4 + size_delta;
  buffer.clear();
  SerializeFileMetaData(d.metadata, &buffer);
  file.append(buffer.view());
  uint32_t length = static_cast<uint32_t>(buffer.size());
  file.append(reinterpret_cast<const char*>(&length), 4);
  file.append(kMagic, 4);
  return file;
}

// A new body for an uncompressed page, with matching sizes and CRC.
void SetBody(RawPage* page, std::string body) {
  page->body = std::move(body);
  page->header.compressed_page_size = static_cast<int32_t>(page->body.size());
  page->header.uncompressed_page_size = static_cast<int32_t>(page->body.size());
  if (page->header.crc) {
    page->header.crc = static_cast<int32_t>(
        PageCrc32(reinterpret_cast<const uint8_t*>(page->body.data()), page->body.size()));
  }
}

// One column of MixedCell, one row group of 100 rows, uncompressed, no page index (its offsets would
// go stale when pages change).
std::string OneColumnFile(int column, int version = 1) {
  WriterOptions options = SmallPages(Codec::kUncompressed, version);
  options.page_index = false;
  std::vector<ColumnSpec> schema = {MixedSchema()[static_cast<size_t>(column)]};
  Generator generate = nullptr;
  switch (column) {
    case 1:
      generate = [](size_t, size_t row) { return MixedCell(1, row); };
      break;
    case kLevel:
      generate = [](size_t, size_t row) { return MixedCell(kLevel, row); };
      break;
    default:
      generate = [](size_t, size_t row) { return MixedCell(kTrace, row); };
      break;
  }
  return WriteFile(schema, generate, 1, 100, options);
}

// A hostile file and its reader, kept alive together for the reads after Open.
struct HostileFile {
  std::string bytes;
  std::unique_ptr<FileReader> reader;
};

// Opens the file's only chunk; the error, if any.
Status OpenChunk(std::string bytes, ColumnChunkReader* chunk, HostileFile* file, bool keep = false) {
  file->reader.reset();
  file->bytes = std::move(bytes);
  auto opened =
      FileReader::Open(std::make_unique<MemoryInputSource>(
                           reinterpret_cast<const uint8_t*>(file->bytes.data()), file->bytes.size()),
                       "hostile");
  if (!opened.ok()) return opened.status();
  file->reader = std::move(opened).value();
  return chunk->Open(*file->reader, 0, 0, keep);
}

void ExpectError(const Status& st, std::string_view needle) {
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("hostile: column '"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find(needle), std::string::npos) << st.ToString();
}

TEST(ColumnChunkReaderHostile, ReassemblyAloneChangesNothing) {
  for (int column : {1, kLevel, kTrace}) {
    std::string original = OneColumnFile(column);
    std::string rebuilt = Assemble(Dissect(original));
    auto a = OpenBytes(original);
    auto b = OpenBytes(rebuilt);
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    ColumnData x;
    ColumnData y;
    ASSERT_TRUE(a->ReadColumnChunk(0, 0, &x).ok());
    Status st = b->ReadColumnChunk(0, 0, &y);
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ(x.num_rows, y.num_rows);
    EXPECT_EQ(x.def_levels, y.def_levels);
    EXPECT_EQ(x.fixed.view(), y.fixed.view());
    EXPECT_EQ(x.byte_arrays.bytes.view(), y.byte_arrays.bytes.view());
  }
}

TEST(ColumnChunkReaderHostile, TruncatedChunk) {
  ColumnChunkReader reader;
  HostileFile file;
  for (int column : {1, kLevel}) {
    Dissected d = Dissect(OneColumnFile(column));
    // Cut the last byte of the last page: its body runs past the chunk.
    ExpectError(OpenChunk(Assemble(d, -1), &reader, &file), "runs past the column chunk");
    // Cut where the last page starts: the pages hold fewer rows than the row group.
    int64_t last = static_cast<int64_t>(d.pages.back().body.size());
    ByteBuffer header;
    SerializePageHeader(d.pages.back().header, &header);
    last += static_cast<int64_t>(header.size());
    ExpectError(OpenChunk(Assemble(d, -last), &reader, &file), "the row group 100 rows");
    // Whole-chunk reads fail the same way.
    std::string bytes = Assemble(d, -1);
    auto whole = OpenBytes(bytes, "hostile");
    ASSERT_NE(whole, nullptr);
    ColumnData data;
    ExpectError(whole->ReadColumnChunk(0, 0, &data), "runs past the column chunk");
  }
}

TEST(ColumnChunkReaderHostile, PageRowsOverrunTheRowGroup) {
  ColumnChunkReader reader;
  HostileFile file;
  for (int version : {1, 2}) {
    Dissected d = Dissect(OneColumnFile(1, version));
    // The row group claims a row fewer than its pages hold.
    Dissected fewer = d;
    fewer.metadata.row_groups[0].num_rows -= 1;
    fewer.metadata.num_rows -= 1;
    ExpectError(OpenChunk(Assemble(fewer), &reader, &file), "rows left");
    // A middle page claims more rows than it has.
    Dissected more = d;
    ASSERT_GE(more.pages.size(), 4u);
    if (version == 1) {
      more.pages[2].header.data_page_header->num_values += 50;
    } else {
      more.pages[2].header.data_page_header_v2->num_values += 50;
      more.pages[2].header.data_page_header_v2->num_rows += 50;
    }
    ExpectError(OpenChunk(Assemble(more), &reader, &file), "rows left");
    // A page claiming 2^31 - 1 rows is refused before anything is allocated for it.
    Dissected huge = d;
    if (version == 1) {
      huge.pages[0].header.data_page_header->num_values = std::numeric_limits<int32_t>::max();
    } else {
      huge.pages[0].header.data_page_header_v2->num_values = std::numeric_limits<int32_t>::max();
    }
    ExpectError(OpenChunk(Assemble(huge), &reader, &file), "rows left");
  }
}

TEST(ColumnChunkReaderHostile, DamagedCrcFailsOnlyTheRangesThatDecodeIt) {
  for (int column : {1, kLevel}) {
    SCOPED_TRACE(column);
    Dissected d = Dissect(OneColumnFile(column));
    const bool dictionary = d.pages[0].header.type == PageType::kDictionaryPage;
    EXPECT_EQ(dictionary, column == kLevel);
    const size_t damaged_page = dictionary ? 4 : 3;  // data page 3 either way
    ASSERT_TRUE(d.pages[damaged_page].header.crc.has_value());
    d.pages[damaged_page].body.back() ^= 0x40;
    std::string bytes = Assemble(d);
    ColumnChunkReader reader;
    HostileFile file;
    ASSERT_TRUE(OpenChunk(bytes, &reader, &file, true).ok());  // CRCs are checked when decoding
    ColumnData part;
    EXPECT_TRUE(reader.Read(0, 3 * kPageRows, &part).ok());
    EXPECT_TRUE(reader.Read(4 * kPageRows, 100, &part).ok());
    Status st = reader.Read(3 * kPageRows + 2, 3 * kPageRows + 3, &part);
    ExpectError(st, "page CRC mismatch");
    EXPECT_NE(st.message().find("page " + std::to_string(damaged_page) + " at offset"), std::string::npos)
        << st.ToString();
    ExpectError(reader.Read(0, 100, &part), "page CRC mismatch");
    ExpectError(file.reader->ReadColumnChunk(0, 0, &part), "page CRC mismatch");
    // Asked again, it fails again.
    ExpectError(reader.Read(3 * kPageRows, 3 * kPageRows + 1, &part), "page CRC mismatch");
  }
}

TEST(ColumnChunkReaderHostile, DamagedDictionaryFailsEveryDictionaryRead) {
  Dissected d = Dissect(OneColumnFile(kLevel));
  ASSERT_EQ(d.pages[0].header.type, PageType::kDictionaryPage);
  d.pages[0].body[5] ^= 0x01;
  std::string bytes = Assemble(d);
  ColumnChunkReader reader;
  HostileFile file;
  ASSERT_TRUE(OpenChunk(bytes, &reader, &file, true).ok());
  ColumnData part;
  for (int attempt = 0; attempt < 2; ++attempt) {
    Status st = reader.Read(20, 21, &part);
    ExpectError(st, "page CRC mismatch");
    EXPECT_NE(st.message().find("page 0 at offset 4"), std::string::npos) << st.ToString();
  }
}

// RLE run of `count` copies of `value`, bit width 8, as dictionary indices.
std::string IndicesBody(size_t count, uint8_t value) {
  std::string body(1, '\x08');
  for (uint64_t header = count << 1;;) {  // ULEB128 run header: count, and 0 for "RLE"
    uint8_t byte = header & 0x7F;
    header >>= 7;
    body.push_back(static_cast<char>(header ? byte | 0x80 : byte));
    if (!header) break;
  }
  body.push_back(static_cast<char>(value));
  return body;
}

TEST(ColumnChunkReaderHostile, DictionaryIndexOutOfRange) {
  Dissected d = Dissect(OneColumnFile(kLevel));  // REQUIRED: a v1 page body is just the indices
  ASSERT_EQ(d.pages[0].header.type, PageType::kDictionaryPage);
  ASSERT_EQ(d.pages[0].header.dictionary_page_header->num_values, 5);
  RawPage& page = d.pages[3];  // data page 2
  ASSERT_EQ(page.header.data_page_header->encoding, Encoding::kRleDictionary);
  SetBody(&page, IndicesBody(static_cast<size_t>(page.header.data_page_header->num_values), 200));
  std::string bytes = Assemble(d);
  HostileFile file;
  for (bool keep : {false, true}) {
    ColumnChunkReader reader;
    ASSERT_TRUE(OpenChunk(bytes, &reader, &file, keep).ok());
    ColumnData part;
    EXPECT_TRUE(reader.Read(0, kPageRows, &part).ok());
    EXPECT_EQ(part.dictionary_encoded, keep);
    ExpectError(reader.Read(2 * kPageRows, 2 * kPageRows + 1, &part),
                "dictionary index 200 out of range (5 entries)");
    ExpectError(reader.Read(0, 100, &part), "dictionary index 200 out of range");
  }
  // Gathering rows of that page finds it too; rows of the other pages do not need it.
  {
    ColumnChunkReader reader;
    ASSERT_TRUE(OpenChunk(bytes, &reader, &file, true).ok());
    std::vector<uint32_t> rows = {1, kPageRows + 3, 2 * kPageRows + 5};
    std::vector<uint32_t> indices(rows.size());
    ExpectError(reader.GatherIndices(rows, indices.data()), "dictionary index 200 out of range (5 entries)");
    rows = {1, kPageRows + 3, 3 * kPageRows};
    EXPECT_TRUE(reader.GatherIndices(rows, indices.data()).ok());
  }
  // Fewer indices than the page's values: the rows past them are an error.
  SetBody(&page, IndicesBody(3, 1));
  bytes = Assemble(d);
  {
    ColumnChunkReader reader;
    ASSERT_TRUE(OpenChunk(bytes, &reader, &file, true).ok());
    std::vector<uint32_t> rows = {2 * kPageRows + 2};
    uint32_t index = 0;
    ASSERT_TRUE(reader.GatherIndices(rows, &index).ok());
    EXPECT_EQ(index, 1u);
    rows = {2 * kPageRows + 3};
    ExpectError(reader.GatherIndices(rows, &index), "dictionary indices: fewer than");
  }
  // No indices at all, or a bit width above 32.
  for (std::string body : {std::string(), std::string(1, '\x21')}) {
    SetBody(&page, body);
    bytes = Assemble(d);
    ColumnChunkReader reader;
    ASSERT_TRUE(OpenChunk(bytes, &reader, &file, true).ok());
    std::vector<uint32_t> rows = {2 * kPageRows};
    uint32_t index = 0;
    ExpectError(reader.GatherIndices(rows, &index), "dictionary indices");
  }
  // An index just past the end, too.
  SetBody(&page, IndicesBody(static_cast<size_t>(page.header.data_page_header->num_values), 5));
  bytes = Assemble(d);
  ColumnChunkReader reader;
  ASSERT_TRUE(OpenChunk(bytes, &reader, &file, true).ok());
  ColumnData part;
  ExpectError(reader.Read(2 * kPageRows, 2 * kPageRows + 1, &part), "dictionary index 5 out of range");
}

TEST(ColumnChunkReaderHostile, StructuralDamage) {
  ColumnChunkReader reader;
  HostileFile file;
  ColumnData part;
  Dissected d = Dissect(OneColumnFile(kLevel));
  // A second dictionary page.
  Dissected twice = d;
  twice.pages.insert(twice.pages.begin() + 1, twice.pages[0]);
  ExpectError(OpenChunk(Assemble(twice), &reader, &file), "second dictionary page");
  // The dictionary after a data page.
  Dissected late = d;
  std::swap(late.pages[0], late.pages[1]);
  ExpectError(OpenChunk(Assemble(late), &reader, &file), "dictionary page after a data page");
  // Dictionary-encoded pages without a dictionary: Open cannot tell, the first Read does.
  Dissected none = d;
  none.pages.erase(none.pages.begin());
  std::string bytes = Assemble(none);
  ASSERT_TRUE(OpenChunk(bytes, &reader, &file, true).ok());
  ExpectError(reader.Read(0, 1, &part), "no dictionary page");
  // A dictionary page with fewer entries than its bytes hold; the indices above them are caught.
  Dissected small = d;
  small.pages[0].header.dictionary_page_header->num_values = 2;
  bytes = Assemble(small);
  ASSERT_TRUE(OpenChunk(bytes, &reader, &file, true).ok());
  ExpectError(reader.Read(0, 100, &part), "out of range (2 entries)");
  // Negative sizes.
  Dissected negative = d;
  negative.pages[2].header.uncompressed_page_size = -1;
  ExpectError(OpenChunk(Assemble(negative), &reader, &file), "negative uncompressed_page_size");
}

// The reader hostile test's random damage, read a range at a time: anything but a crash (ASan checks
// for over-reads) or an unbounded allocation.
TEST(ColumnChunkReaderHostile, RandomDamageNeverCrashes) {
  std::mt19937_64 rng(11);
  ReaderOptions options;
  options.max_chunk_memory = 16 << 20;
  for (int version : {1, 2}) {
    for (Codec codec : {Codec::kUncompressed, Codec::kSnappy}) {
      std::string file = MixedFile(codec, version, 2, 60);
      for (int round = 0; round < 150; ++round) {
        std::string mutated = file;
        int flips = 1 + static_cast<int>(rng() % 4);
        for (int f = 0; f < flips; ++f) {
          mutated[rng() % mutated.size()] ^= static_cast<char>(1 + rng() % 255);
        }
        auto reader = FileReader::Open(std::make_unique<MemoryInputSource>(
                                           reinterpret_cast<const uint8_t*>(mutated.data()), mutated.size()),
                                       "hostile", options);
        if (!reader.ok()) continue;
        ColumnChunkReader chunk;
        ColumnData part;
        for (int g = 0; g < (*reader)->num_row_groups(); ++g) {
          for (int c = 0; c < (*reader)->num_columns(); ++c) {
            bool keep = (rng() & 1) != 0;
            Status st = chunk.Open(**reader, g, c, keep);
            if (!st.ok()) {
              EXPECT_NE(st.message().find("hostile: "), std::string::npos) << st.ToString();
              continue;
            }
            // Rows far apart, gathered: an error or indices within the dictionary.
            std::vector<uint32_t> rows;
            for (size_t r = rng() % 5; r < chunk.num_rows(); r += 1 + rng() % 25) {
              rows.push_back(static_cast<uint32_t>(r));
            }
            if (!rows.empty() && chunk.CanGatherIndices(rows.front(), rows.back() + 1)) {
              std::vector<uint32_t> indices(rows.size());
              if (chunk.GatherIndices(rows, indices.data()).ok()) {
                for (uint32_t index : indices) {
                  if (index != kNullDictIndex) {
                    ASSERT_LT(index, chunk.dictionary()->count());
                  }
                }
              }
            }
            for (size_t begin = 0; begin < chunk.num_rows(); begin += 1 + rng() % 30) {
              st = chunk.Read(begin, begin + 1 + rng() % 40, &part);
              if (!st.ok()) continue;
              EXPECT_LE(part.first_row, begin);
              if (part.dictionary_encoded) {
                for (uint32_t index : part.dict_indices) ASSERT_LT(index, part.dictionary->count());
              }
            }
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace column_chunk_reader_test
}  // namespace logdaemon::parquet
