// FileWriter's interning (InternValue, ColumnBatch::dictionary_indices, ForgetInternedValues), the path a
// merge takes for dictionary-encoded string columns: a file written with interned indices must read back
// exactly as the same rows written as values — values, nulls, statistics, dictionary — and every misuse
// must be refused with an error that names the column, never written.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "parquet/column_chunk_reader.h"
#include "parquet/file_reader.h"
#include "parquet/file_writer.h"

namespace logdaemon::parquet {
namespace {

std::vector<ColumnSpec> Schema() {
  return {ColumnSpec::Int64("seq", Repetition::kRequired),
          ColumnSpec::String("message", Repetition::kOptional)};
}

WriterOptions SmallPages() {
  WriterOptions options;
  options.data_page_max_rows = 50;  // several pages per chunk, so page statistics are exercised
  return options;
}

// Row r: seq r; message null every 7th row, else one of 13 texts.
bool Present(size_t r) {
  return r % 7 != 3;
}
std::string Message(size_t r) {
  return "message " + std::to_string((r * 5) % 13) + " of the test";
}

struct Rows {
  std::vector<int64_t> seq;
  std::vector<uint8_t> levels;
  std::vector<std::string> values;  // present ones
};

Rows MakeRows(size_t first, size_t count) {
  Rows rows;
  for (size_t r = first; r < first + count; ++r) {
    rows.seq.push_back(static_cast<int64_t>(r));
    rows.levels.push_back(Present(r) ? 1 : 0);
    if (Present(r)) rows.values.push_back(Message(r));
  }
  return rows;
}

std::unique_ptr<FileReader> OpenBytes(const std::string& bytes) {
  auto reader = FileReader::Open(
      std::make_unique<MemoryInputSource>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()),
      "memory");
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  return reader.ok() ? std::move(reader).value() : nullptr;
}

ColumnBatch SeqBatch(const Rows& rows) {
  ColumnBatch batch;
  batch.num_rows = rows.seq.size();
  batch.num_values = rows.seq.size();
  batch.int64s = rows.seq.data();
  return batch;
}

// Two row groups of 120 and 80 rows, column at a time; the message column as values, or as interned
// indices.
std::string WriteFile(bool interned) {
  BufferOutputSink sink;
  auto writer = FileWriter::Open(&sink, Schema(), SmallPages());
  EXPECT_TRUE(writer.ok()) << writer.status().ToString();
  if (!writer.ok()) return {};
  FileWriter& w = **writer;
  size_t first = 0;
  for (size_t count : {120, 80}) {
    Rows rows = MakeRows(first, count);
    first += count;
    EXPECT_TRUE(w.BeginColumns(count).ok());
    EXPECT_TRUE(w.AppendColumn(SeqBatch(rows)).ok());
    EXPECT_TRUE(w.EndColumn().ok());
    ColumnBatch batch;
    batch.num_rows = count;
    batch.def_levels = rows.levels.data();
    batch.num_values = rows.values.size();
    std::vector<uint32_t> indices;
    std::string bytes;
    std::vector<uint32_t> offsets{0};
    if (interned) {
      EXPECT_TRUE(w.CanInternValues());
      for (const std::string& value : rows.values) {
        uint32_t index = 0;
        EXPECT_TRUE(w.InternValue(value, &index));
        indices.push_back(index);
      }
      EXPECT_EQ(w.InternedDictionary().entries, 13u);
      batch.dictionary_indices = indices.data();
    } else {
      for (const std::string& value : rows.values) {
        bytes += value;
        offsets.push_back(static_cast<uint32_t>(bytes.size()));
      }
      batch.bytes = reinterpret_cast<const uint8_t*>(bytes.data());
      batch.offsets = offsets.data();
    }
    // In two appends, as a merge's windows come.
    ColumnBatch head = batch;
    head.num_rows = 60;
    head.num_values = 0;
    for (size_t r = 0; r < 60; ++r) head.num_values += rows.levels[r];
    ColumnBatch tail = batch;
    tail.num_rows = count - 60;
    tail.def_levels += 60;
    tail.num_values = batch.num_values - head.num_values;
    if (interned) {
      tail.dictionary_indices += head.num_values;
    } else {
      tail.offsets += head.num_values;
    }
    Status st = w.AppendColumn(head);
    EXPECT_TRUE(st.ok()) << st.ToString();
    st = w.AppendColumn(tail);
    EXPECT_TRUE(st.ok()) << st.ToString();
    EXPECT_TRUE(w.EndColumn().ok());
    EXPECT_TRUE(w.EndRowGroup().ok());
  }
  EXPECT_TRUE(w.Close().ok());
  return std::string(sink.buffer().view());
}

TEST(InternedValues, ReadBackExactlyAsTheSameRowsWrittenAsValues) {
  const std::string as_values = WriteFile(false);
  const std::string as_indices = WriteFile(true);
  auto values_file = OpenBytes(as_values);
  auto indices_file = OpenBytes(as_indices);
  ASSERT_NE(values_file, nullptr);
  ASSERT_NE(indices_file, nullptr);
  ASSERT_EQ(indices_file->num_row_groups(), 2);
  size_t first = 0;
  for (int g = 0; g < 2; ++g) {
    ColumnData expected;
    ColumnData actual;
    ASSERT_TRUE(values_file->ReadColumnChunk(g, 1, &expected).ok());
    ASSERT_TRUE(indices_file->ReadColumnChunk(g, 1, &actual).ok());
    EXPECT_EQ(actual.def_levels, expected.def_levels);
    ASSERT_EQ(actual.byte_arrays.count(), expected.byte_arrays.count());
    Rows rows = MakeRows(first, expected.num_rows);
    first += expected.num_rows;
    for (size_t k = 0; k < actual.byte_arrays.count(); ++k) {
      ASSERT_EQ(actual.byte_arrays[k], rows.values[k]) << g << " " << k;
    }
    // Chunk and page statistics, encodings: the same.
    const ColumnChunk& a = indices_file->metadata().row_groups[static_cast<size_t>(g)].columns[1];
    const ColumnChunk& e = values_file->metadata().row_groups[static_cast<size_t>(g)].columns[1];
    ASSERT_TRUE(a.meta_data && e.meta_data);
    EXPECT_EQ(a.meta_data->encodings, e.meta_data->encodings);
    ASSERT_TRUE(a.meta_data->statistics && e.meta_data->statistics);
    EXPECT_EQ(a.meta_data->statistics->min_value, e.meta_data->statistics->min_value);
    EXPECT_EQ(a.meta_data->statistics->max_value, e.meta_data->statistics->max_value);
    EXPECT_EQ(a.meta_data->statistics->null_count, e.meta_data->statistics->null_count);
    // The dictionary holds each distinct value once.
    ColumnChunkReader reader;
    ASSERT_TRUE(reader.Open(*indices_file, g, 1, /*keep_dictionary=*/true).ok());
    ColumnData part;
    ASSERT_TRUE(reader.Read(0, reader.num_rows(), &part).ok());
    ASSERT_NE(reader.dictionary(), nullptr);
    EXPECT_EQ(reader.dictionary()->count(), 13u);
  }
}

TEST(InternedValues, RefusedWhereTheColumnTakesNoInternedValues) {
  BufferOutputSink sink;
  WriterOptions options = SmallPages();
  options.column_encodings = {ColumnEncoding::kAuto, ColumnEncoding::kPlain};
  auto writer = FileWriter::Open(&sink, Schema(), options);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  FileWriter& w = **writer;
  uint32_t index = 7;
  EXPECT_FALSE(w.InternValue("outside a row group", &index));
  ASSERT_TRUE(w.BeginColumns(1).ok());
  EXPECT_FALSE(w.CanInternValues());  // INT64
  EXPECT_FALSE(w.InternValue("an INT64 column", &index));
  Rows rows = MakeRows(0, 1);
  ASSERT_TRUE(w.AppendColumn(SeqBatch(rows)).ok());
  ASSERT_TRUE(w.EndColumn().ok());
  EXPECT_FALSE(w.CanInternValues());  // BYTE_ARRAY, but PLAIN
  EXPECT_FALSE(w.InternValue("a PLAIN column", &index));
  EXPECT_EQ(index, 7u);
  EXPECT_EQ(w.InternedDictionary().entries, 0u);
}

TEST(InternedValues, RefusedAtTheDictionaryLimitAndForgotten) {
  BufferOutputSink sink;
  WriterOptions options = SmallPages();
  options.dictionary_size_limit = 100;  // PLAIN bytes: 4 + length per entry
  auto writer = FileWriter::Open(&sink, Schema(), options);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  FileWriter& w = **writer;
  Rows rows = MakeRows(0, 3);
  ASSERT_TRUE(w.BeginColumns(3).ok());
  ASSERT_TRUE(w.AppendColumn(SeqBatch(rows)).ok());
  ASSERT_TRUE(w.EndColumn().ok());
  uint32_t index = 0;
  size_t taken = 0;
  const std::string value(20, 'v');  // 24 bytes an entry: four fit under 100, the fifth does not
  for (char c : std::string("abcdef")) {
    if (w.InternValue(std::string(1, c) + value, &index)) ++taken;
  }
  EXPECT_EQ(taken, 4u);
  EXPECT_EQ(w.InternedDictionary().entries, 4u);
  EXPECT_EQ(w.InternedDictionary().plain_bytes, 4u * 25);
  EXPECT_TRUE(w.InternValue("a" + value, &index)) << "a value already in takes no room";
  EXPECT_EQ(index, 0u);
  // Forgotten, the column is written from values, as if nothing had been interned.
  ASSERT_TRUE(w.ForgetInternedValues().ok());
  EXPECT_EQ(w.InternedDictionary().entries, 0u);
  std::string bytes;
  std::vector<uint32_t> offsets{0};
  for (const std::string& v : rows.values) {
    bytes += v;
    offsets.push_back(static_cast<uint32_t>(bytes.size()));
  }
  ColumnBatch batch;
  batch.num_rows = 3;
  batch.def_levels = rows.levels.data();
  batch.num_values = rows.values.size();
  batch.bytes = reinterpret_cast<const uint8_t*>(bytes.data());
  batch.offsets = offsets.data();
  ASSERT_TRUE(w.AppendColumn(batch).ok());
  // Once rows are in, the dictionary is in use.
  Status st = w.ForgetInternedValues();
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("message"), std::string::npos) << st.ToString();
  ASSERT_TRUE(w.EndColumn().ok());
  ASSERT_TRUE(w.EndRowGroup().ok());
  ASSERT_TRUE(w.Close().ok());
  auto file = OpenBytes(std::string(sink.buffer().view()));
  ASSERT_NE(file, nullptr);
  ColumnChunkReader reader;
  ASSERT_TRUE(reader.Open(*file, 0, 1, /*keep_dictionary=*/true).ok());
  ColumnData part;
  ASSERT_TRUE(reader.Read(0, 3, &part).ok());
  ASSERT_NE(reader.dictionary(), nullptr);
  EXPECT_EQ(reader.dictionary()->count(), rows.values.size()) << "no forgotten entry in the dictionary page";
}

TEST(InternedValues, MisusedIndicesAreRefused) {
  BufferOutputSink sink;
  auto writer = FileWriter::Open(&sink, Schema(), SmallPages());
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  FileWriter& w = **writer;
  Rows rows = MakeRows(0, 2);
  const uint32_t out_of_range[2] = {0, 1};
  // Indices outside a column-at-a-time row group.
  std::vector<ColumnBatch> batches(2);
  batches[0] = SeqBatch(rows);
  batches[1].num_rows = 2;
  batches[1].def_levels = rows.levels.data();
  batches[1].num_values = rows.values.size();
  batches[1].dictionary_indices = out_of_range;
  Status st = w.WriteBatch(batches.data(), 2);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("message"), std::string::npos) << st.ToString();
  // An index the dictionary does not have: one entry interned, index 1 refused.
  ASSERT_TRUE(w.BeginColumns(2).ok());
  ASSERT_TRUE(w.AppendColumn(SeqBatch(rows)).ok());
  ASSERT_TRUE(w.EndColumn().ok());
  uint32_t index = 9;
  ASSERT_TRUE(w.InternValue(rows.values[0], &index));
  EXPECT_EQ(index, 0u);
  st = w.AppendColumn(batches[1]);
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("dictionary index 1 of 1 entries"), std::string::npos) << st.ToString();
}

}  // namespace
}  // namespace logdaemon::parquet
