#include "storage/row_batch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "logdaemon/schema.h"

namespace logdaemon::storage {
namespace row_batch_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using namespace std::string_view_literals;

// A layout with every column type, optional and required.
TableLayout MixedLayout() {
  TableLayout layout;
  layout.columns = {
      {"ts", ColumnType::kTimestamp, false}, {"name", ColumnType::kString, true},
      {"n", ColumnType::kInt64, false},      {"x", ColumnType::kDouble, false},
      {"flag", ColumnType::kBoolean, false}, {"doc", ColumnType::kJson, false},
      {"req_n", ColumnType::kInt64, true},   {"req_flag", ColumnType::kBoolean, true},
  };
  layout.time_column = 0;
  return layout;
}

// One row of MixedLayout, as plain values (nullopt = null).
struct Row {
  std::optional<int64_t> ts;
  std::string name;
  std::optional<int64_t> n;
  std::optional<double> x;
  std::optional<bool> flag;
  std::optional<std::string> doc;
  int64_t req_n = 0;
  bool req_flag = false;
  int64_t key = 0;
  int64_t time = 0;
  bool operator==(const Row&) const = default;
};

template <typename T, typename V>
void Put(ColumnBuffer& column, const std::optional<T>& value, V* values) {
  if (!value) {
    column.AppendNull();
    return;
  }
  column.MarkPresent();
  values->push_back(*value);
}

void AppendRowValues(const Row& row, RowBatch* batch) {
  auto& cols = batch->columns();
  Put(cols[0], row.ts, &cols[0].int64s);
  cols[1].MarkPresent();
  cols[1].bytes.append(row.name);
  Put(cols[2], row.n, &cols[2].int64s);
  Put(cols[3], row.x, &cols[3].doubles);
  if (row.flag) {
    cols[4].MarkPresent();
    cols[4].booleans.push_back(*row.flag);
  } else {
    cols[4].AppendNull();
  }
  if (row.doc) {
    cols[5].MarkPresent();
    cols[5].bytes.append(*row.doc);
  } else {
    cols[5].AppendNull();
  }
  cols[6].MarkPresent();
  cols[6].int64s.push_back(row.req_n);
  cols[7].MarkPresent();
  cols[7].booleans.push_back(row.req_flag);
  batch->CommitRow(row.key, row.time, 1000 + row.req_n);
}

// Reads every row back by walking the dense values along the definition levels.
std::vector<Row> ReadRows(const RowBatch& batch) {
  const auto& cols = batch.columns();
  std::vector<Row> rows(batch.num_rows());
  std::vector<size_t> next(cols.size(), 0);
  auto present = [&](size_t c, size_t r) { return cols[c].required || cols[c].def_levels[r] != 0; };
  for (size_t r = 0; r < rows.size(); ++r) {
    Row& row = rows[r];
    if (present(0, r)) row.ts = cols[0].int64s[next[0]++];
    row.name = std::string(cols[1].bytes[next[1]++]);
    if (present(2, r)) row.n = cols[2].int64s[next[2]++];
    if (present(3, r)) row.x = cols[3].doubles[next[3]++];
    if (present(4, r)) row.flag = cols[4].booleans[next[4]++] != 0;
    if (present(5, r)) row.doc = std::string(cols[5].bytes[next[5]++]);
    row.req_n = cols[6].int64s[next[6]++];
    row.req_flag = cols[7].booleans[next[7]++] != 0;
    row.key = batch.partition_keys()[r];
    row.time = batch.row_times()[r];
  }
  for (size_t c = 0; c < cols.size(); ++c) {
    EXPECT_EQ(next[c], cols[c].num_values()) << "column " << c;
    if (!cols[c].required) {
      EXPECT_EQ(cols[c].def_levels.size(), batch.num_rows()) << "column " << c;
    }
  }
  return rows;
}

std::vector<Row> RandomRows(std::mt19937_64& rng, size_t count, int64_t time_range) {
  std::vector<Row> rows;
  auto coin = [&] { return (rng() & 1) != 0; };
  for (size_t i = 0; i < count; ++i) {
    Row row;
    int64_t t = static_cast<int64_t>(rng() % static_cast<uint64_t>(time_range));
    if (coin()) row.ts = t;
    row.name = std::string(rng() % 12, static_cast<char>('a' + i % 26));
    if (coin()) row.n = static_cast<int64_t>(rng());
    if (coin()) row.x = static_cast<double>(rng() % 1000) / 7;
    if (coin()) row.flag = coin();
    if (coin()) row.doc = "{\"i\":" + std::to_string(i) + "}";
    row.req_n = static_cast<int64_t>(i);
    row.req_flag = coin();
    row.key = t / 10;
    row.time = t;
    rows.push_back(row);
  }
  return rows;
}

TEST(ParquetSchemaTest, MapsEveryColumnType) {
  auto specs = ParquetSchema(MixedLayout());
  ASSERT_EQ(specs.size(), 8u);
  EXPECT_EQ(specs[0].name, "ts");
  EXPECT_EQ(specs[0].type, parquet::Type::kInt64);
  ASSERT_TRUE(specs[0].logical_type.has_value());
  EXPECT_EQ(specs[0].converted_type, parquet::ConvertedType::kTimestampMicros);
  EXPECT_EQ(specs[0].repetition, parquet::Repetition::kOptional);
  EXPECT_EQ(specs[1].type, parquet::Type::kByteArray);
  EXPECT_EQ(specs[1].converted_type, parquet::ConvertedType::kUtf8);
  EXPECT_EQ(specs[1].repetition, parquet::Repetition::kRequired);
  EXPECT_EQ(specs[2].type, parquet::Type::kInt64);
  EXPECT_FALSE(specs[2].logical_type.has_value());
  EXPECT_EQ(specs[3].type, parquet::Type::kDouble);
  EXPECT_EQ(specs[4].type, parquet::Type::kBoolean);
  EXPECT_EQ(specs[5].type, parquet::Type::kByteArray);
  EXPECT_EQ(specs[5].converted_type, parquet::ConvertedType::kJson);
  EXPECT_EQ(specs[6].repetition, parquet::Repetition::kRequired);
}

TEST(RowBatchTest, ConstructorSetsTypesAndRepetition) {
  RowBatch batch(MixedLayout());
  ASSERT_EQ(batch.columns().size(), 8u);
  EXPECT_EQ(batch.columns()[3].type, ColumnType::kDouble);
  EXPECT_FALSE(batch.columns()[3].required);
  EXPECT_TRUE(batch.columns()[1].required);
  EXPECT_TRUE(batch.empty());
  EXPECT_TRUE(batch.SinglePartition());
}

TEST(RowBatchTest, AppendReadAndClearKeepsCapacity) {
  std::mt19937_64 rng(1);
  auto rows = RandomRows(rng, 100, 1000);
  RowBatch batch(MixedLayout());
  for (const Row& row : rows) AppendRowValues(row, &batch);
  EXPECT_EQ(batch.num_rows(), 100u);
  EXPECT_EQ(batch.first_arrival_ns(), 1000);
  EXPECT_EQ(ReadRows(batch), rows);
  EXPECT_GT(batch.ByteSize(), 100u * (16 + 8 + 1));
  size_t capacity = batch.columns()[1].bytes.bytes.capacity();
  batch.Clear();
  EXPECT_EQ(batch.num_rows(), 0u);
  EXPECT_EQ(batch.ByteSize(), 0u);
  for (const ColumnBuffer& column : batch.columns()) EXPECT_EQ(column.num_values(), 0u);
  EXPECT_EQ(batch.columns()[1].bytes.bytes.capacity(), capacity);
}

// Batches are recycled to any appender: one that carried rows read back from the write-ahead log (which
// make the writer tell the backlog they were routed) must come back as a plain batch, without credits.
TEST(RowBatchTest, ClearForgetsTheReadBackMarkAndCredits) {
  RowBatch batch(MixedLayout());
  batch.set_read_back(true);
  batch.AddCredits(7);
  batch.AddCredits(2);
  EXPECT_EQ(batch.credits(), 9u);
  batch.Clear();
  EXPECT_FALSE(batch.read_back());
  EXPECT_EQ(batch.credits(), 0u);
}

TEST(RowBatchTest, RollbackRowDropsAPartialRow) {
  std::mt19937_64 rng(2);
  auto rows = RandomRows(rng, 10, 1000);
  RowBatch batch(MixedLayout());
  for (const Row& row : rows) AppendRowValues(row, &batch);
  std::vector<size_t> sizes;
  for (const ColumnBuffer& c : batch.columns()) sizes.push_back(c.num_values() * 1000 + c.def_levels.size());
  size_t bytes = batch.columns()[5].bytes.bytes.size();

  auto& cols = batch.columns();
  cols[0].MarkPresent();
  cols[0].int64s.push_back(5);
  cols[1].MarkPresent();
  cols[1].bytes.append("partial");
  cols[2].AppendNull();
  cols[5].MarkPresent();                   // marked, value never appended
  cols[5].bytes.bytes.append("{\"cut"sv);  // a value cut short: bytes without an offset
  cols[7].booleans.push_back(1);
  batch.RollbackRow();

  std::vector<size_t> after;
  for (const ColumnBuffer& c : batch.columns()) after.push_back(c.num_values() * 1000 + c.def_levels.size());
  EXPECT_EQ(after, sizes);
  EXPECT_EQ(batch.columns()[5].bytes.bytes.size(), bytes);
  EXPECT_EQ(ReadRows(batch), rows);
  // The batch takes rows again as if nothing happened.
  AppendRowValues(rows[0], &batch);
  auto expected = rows;
  expected.push_back(rows[0]);
  EXPECT_EQ(ReadRows(batch), expected);
}

TEST(RowBatchTest, RollbackOnEmptyBatch) {
  RowBatch batch(MixedLayout());
  batch.columns()[1].bytes.append("x");
  batch.columns()[2].MarkPresent();
  batch.RollbackRow();
  for (const ColumnBuffer& c : batch.columns()) {
    EXPECT_EQ(c.num_values(), 0u);
    EXPECT_TRUE(c.def_levels.empty());
  }
}

TEST(RowBatchTest, AppendRowsAndAppendRow) {
  std::mt19937_64 rng(3);
  auto rows = RandomRows(rng, 50, 1000);
  RowBatch source(MixedLayout());
  for (const Row& row : rows) AppendRowValues(row, &source);

  RowBatch target(MixedLayout());
  target.AppendRows(source, 10, 30);
  target.AppendRow(source, 3);
  target.AppendRows(source, 40, 40);  // empty range
  target.AppendRows(source, 45, 50);
  std::vector<Row> expected(rows.begin() + 10, rows.begin() + 30);
  expected.push_back(rows[3]);
  expected.insert(expected.end(), rows.begin() + 45, rows.end());
  EXPECT_EQ(ReadRows(target), expected);
  EXPECT_EQ(target.first_arrival_ns(), source.first_arrival_ns());
  // Byte-array offsets are rebased onto the target's bytes.
  EXPECT_EQ(target.columns()[1].bytes.offsets.front(), 0u);
  EXPECT_EQ(target.columns()[1].bytes.offsets.back(), target.columns()[1].bytes.bytes.size());

  // Row by row, in reverse: value indexes are found from either end of the source.
  RowBatch reversed(MixedLayout());
  for (size_t row = rows.size(); row-- > 0;) reversed.AppendRow(source, row);
  EXPECT_EQ(ReadRows(reversed), std::vector<Row>(rows.rbegin(), rows.rend()));
}

TEST(RowBatchTest, SinglePartition) {
  RowBatch batch(MixedLayout());
  Row row;
  row.key = 7;
  AppendRowValues(row, &batch);
  AppendRowValues(row, &batch);
  EXPECT_TRUE(batch.SinglePartition());
  row.key = 8;
  AppendRowValues(row, &batch);
  EXPECT_FALSE(batch.SinglePartition());
}

TEST(RowBatchTest, ColumnBatchesPointAtTheBuffers) {
  std::mt19937_64 rng(7);
  auto rows = RandomRows(rng, 40, 1000);
  RowBatch batch(MixedLayout());
  for (const Row& row : rows) AppendRowValues(row, &batch);
  std::vector<parquet::ColumnBatch> out;
  batch.ColumnBatches(&out);
  ASSERT_EQ(out.size(), 8u);
  const auto& cols = batch.columns();
  for (size_t c = 0; c < 8; ++c) {
    SCOPED_TRACE(c);
    EXPECT_EQ(out[c].num_rows, 40u);
    EXPECT_EQ(out[c].num_values, cols[c].num_values());
    EXPECT_EQ(out[c].def_levels, cols[c].required ? nullptr : cols[c].def_levels.data());
  }
  EXPECT_EQ(out[6].num_values, 40u);
  EXPECT_EQ(out[0].int64s, cols[0].int64s.data());
  EXPECT_EQ(out[0].doubles, nullptr);
  EXPECT_EQ(out[1].bytes, cols[1].bytes.bytes.data());
  EXPECT_EQ(out[1].offsets, cols[1].bytes.offsets.data());
  EXPECT_EQ(out[1].int64s, nullptr);
  EXPECT_EQ(out[3].doubles, cols[3].doubles.data());
  EXPECT_EQ(out[4].booleans, cols[4].booleans.data());
  EXPECT_EQ(out[5].bytes, cols[5].bytes.bytes.data());

  // Even with no bytes at all, a byte-array column hands out a real pointer.
  RowBatch empty(MixedLayout());
  empty.ColumnBatches(&out);
  EXPECT_NE(out[1].bytes, nullptr);
  EXPECT_EQ(out[1].num_rows, 0u);
}

}  // namespace
}  // namespace row_batch_test
}  // namespace logdaemon::storage
