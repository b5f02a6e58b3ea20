// The streaming merge's pieces (issue #13): FileWriter's column-at-a-time row groups, ColumnGather,
// MergePlan's bounds and RowGroupMerger's time order — each against files built in memory, with nulls,
// dictionary and PLAIN pages, several row groups and small pages, and checked value for value.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "parquet/column_chunk_reader.h"
#include "parquet/file_reader.h"
#include "parquet/file_writer.h"
#include "parquet/io.h"
#include "storage/column_gather.h"
#include "storage/merge_plan.h"
#include "storage/row_group_merger.h"

namespace logdaemon::storage {
namespace merge_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using parquet::ColumnBatch;
using parquet::ColumnSpec;
using parquet::Repetition;

// One row of the test table: time (OPTIONAL INT64), seq (REQUIRED INT64), level (OPTIONAL string, few
// values: dictionary pages), message (OPTIONAL string, distinct: PLAIN after the dictionary fills),
// ratio (OPTIONAL DOUBLE), ok (OPTIONAL BOOLEAN).
struct Row {
  std::optional<int64_t> time;
  int64_t seq = 0;
  std::optional<std::string> level;
  std::optional<std::string> message;
  std::optional<double> ratio;
  std::optional<bool> ok;
  bool operator==(const Row&) const = default;
};

std::vector<ColumnSpec> Schema() {
  return {ColumnSpec::TimestampMicrosUtc("time", Repetition::kOptional),
          ColumnSpec::Int64("seq", Repetition::kRequired),
          ColumnSpec::String("level", Repetition::kOptional),
          ColumnSpec::String("message", Repetition::kOptional),
          ColumnSpec::Double("ratio", Repetition::kOptional),
          ColumnSpec::Boolean("ok", Repetition::kOptional)};
}

// Column-major buffers for a run of rows, as ColumnBatch wants them.
struct Columns {
  std::vector<std::vector<uint8_t>> levels = std::vector<std::vector<uint8_t>>(6);
  std::vector<int64_t> times, seqs;
  std::vector<double> ratios;
  std::vector<uint8_t> oks;
  std::string level_bytes, message_bytes;
  std::vector<uint32_t> level_offsets{0}, message_offsets{0};

  explicit Columns(const std::vector<Row>& rows) {
    for (const Row& row : rows) {
      levels[0].push_back(row.time.has_value());
      if (row.time) times.push_back(*row.time);
      seqs.push_back(row.seq);
      levels[2].push_back(row.level.has_value());
      if (row.level) {
        level_bytes += *row.level;
        level_offsets.push_back(static_cast<uint32_t>(level_bytes.size()));
      }
      levels[3].push_back(row.message.has_value());
      if (row.message) {
        message_bytes += *row.message;
        message_offsets.push_back(static_cast<uint32_t>(message_bytes.size()));
      }
      levels[4].push_back(row.ratio.has_value());
      if (row.ratio) ratios.push_back(*row.ratio);
      levels[5].push_back(row.ok.has_value());
      if (row.ok) oks.push_back(*row.ok ? 1 : 0);
    }
  }
  // Column c's batch for rows [begin, end).
  ColumnBatch Batch(size_t c, size_t begin, size_t end) const {
    ColumnBatch batch;
    batch.num_rows = end - begin;
    size_t first_value = begin;
    if (c != 1) {
      batch.def_levels = levels[c].data() + begin;
      first_value = static_cast<size_t>(std::count(levels[c].begin(), levels[c].begin() + begin, 1));
      batch.num_values =
          static_cast<size_t>(std::count(levels[c].begin() + begin, levels[c].begin() + end, 1));
    } else {
      batch.num_values = batch.num_rows;
    }
    switch (c) {
      case 0:
        batch.int64s = times.data() + first_value;
        break;
      case 1:
        batch.int64s = seqs.data() + first_value;
        break;
      case 2:
        batch.bytes = reinterpret_cast<const uint8_t*>(level_bytes.data());
        batch.offsets = level_offsets.data() + first_value;
        break;
      case 3:
        batch.bytes = reinterpret_cast<const uint8_t*>(message_bytes.data());
        batch.offsets = message_offsets.data() + first_value;
        break;
      case 4:
        batch.doubles = ratios.data() + first_value;
        break;
      default:
        batch.booleans = oks.data() + first_value;
        break;
    }
    return batch;
  }
};

// Rows with times from `time_of(i)`; every 7th row has no time, every 5th no level, ...
std::vector<Row> MakeRows(size_t n, int64_t seq0, const std::function<int64_t(size_t)>& time_of) {
  std::vector<Row> rows;
  const char* levels[] = {"debug", "info", "warn", "error"};
  for (size_t i = 0; i < n; ++i) {
    Row row;
    if (i % 7 != 3) row.time = time_of(i);
    row.seq = seq0 + static_cast<int64_t>(i);
    if (i % 5 != 1) row.level = levels[i % 4];
    if (i % 11 != 2)
      row.message = "message " + std::to_string(seq0 + static_cast<int64_t>(i)) + std::string(i % 13, 'x');
    if (i % 3 != 0) row.ratio = static_cast<double>(i) / 8;
    if (i % 4 != 0) row.ok = i % 2 == 0;
    rows.push_back(std::move(row));
  }
  return rows;
}

parquet::WriterOptions SmallPages() {
  parquet::WriterOptions options;
  options.data_page_max_rows = 100;  // many pages per chunk: ranged reads cross page boundaries
  return options;
}

// A Parquet file in memory, written with WriteBatch, one row group per entry of `groups`.
struct MemoryFile {
  std::unique_ptr<parquet::BufferOutputSink> sink = std::make_unique<parquet::BufferOutputSink>();
  std::unique_ptr<parquet::FileReader> reader;

  explicit MemoryFile(const std::vector<std::vector<Row>>& groups) {
    auto writer = parquet::FileWriter::Open(sink.get(), Schema(), SmallPages());
    EXPECT_TRUE(writer.ok());
    for (const auto& group : groups) {
      Columns columns(group);
      std::vector<ColumnBatch> batches;
      for (size_t c = 0; c < 6; ++c) batches.push_back(columns.Batch(c, 0, group.size()));
      EXPECT_TRUE((*writer)->WriteBatch(batches.data(), group.size()).ok());
      EXPECT_TRUE((*writer)->EndRowGroup().ok());
    }
    EXPECT_TRUE((*writer)->Close().ok());
    Open();
  }
  explicit MemoryFile(std::unique_ptr<parquet::BufferOutputSink> written) : sink(std::move(written)) {
    Open();
  }

  void Open() {
    auto opened = parquet::FileReader::Open(
        std::make_unique<parquet::MemoryInputSource>(sink->buffer().data(), sink->buffer().size()), "memory");
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    if (opened.ok()) reader = std::move(*opened);
  }
};

// Every row of a file, per row group.
std::vector<std::vector<Row>> ReadRows(const parquet::FileReader& reader) {
  std::vector<std::vector<Row>> groups;
  for (int g = 0; g < reader.num_row_groups(); ++g) {
    std::vector<parquet::ColumnData> data(6);
    for (int c = 0; c < 6; ++c) EXPECT_TRUE(reader.ReadColumnChunk(g, c, &data[static_cast<size_t>(c)]).ok());
    std::vector<size_t> next(6, 0);
    std::vector<Row> rows;
    for (size_t r = 0; r < data[0].num_rows; ++r) {
      Row row;
      auto present = [&](size_t c) { return !data[c].is_null(r); };
      if (present(0)) row.time = data[0].value<int64_t>(next[0]++);
      row.seq = data[1].value<int64_t>(next[1]++);
      if (present(2)) row.level = std::string(data[2].byte_arrays[next[2]++]);
      if (present(3)) row.message = std::string(data[3].byte_arrays[next[3]++]);
      if (present(4)) row.ratio = data[4].value<double>(next[4]++);
      if (present(5)) row.ok = data[5].fixed.data()[next[5]++] != 0;
      rows.push_back(std::move(row));
    }
    groups.push_back(std::move(rows));
  }
  return groups;
}

// ---------------------------------------------------------------------------------------------------
// FileWriter: column-at-a-time row groups

TEST(ColumnarRowGroups, ReadBackAsWrittenInBatchesOfAnySize) {
  const std::vector<Row> rows = MakeRows(1000, 0, [](size_t i) { return static_cast<int64_t>(i) * 10; });
  Columns columns(rows);
  auto sink = std::make_unique<parquet::BufferOutputSink>();
  auto writer = parquet::FileWriter::Open(sink.get(), Schema(), SmallPages());
  ASSERT_TRUE(writer.ok());
  for (int group = 0; group < 2; ++group) {
    ASSERT_TRUE((*writer)->BeginColumns(rows.size()).ok());
    for (size_t c = 0; c < 6; ++c) {
      // Uneven batches: 1 row, 333, then the rest.
      for (auto [begin, end] : {std::pair<size_t, size_t>{0, 1}, {1, 334}, {334, rows.size()}}) {
        ASSERT_TRUE((*writer)->AppendColumn(columns.Batch(c, begin, end)).ok());
      }
      ASSERT_TRUE((*writer)->EndColumn().ok());
    }
    ASSERT_TRUE((*writer)->EndRowGroup().ok());
  }
  ASSERT_TRUE((*writer)->Close().ok());
  EXPECT_EQ((*writer)->num_rows(), 2000);
  MemoryFile file(std::move(sink));
  ASSERT_NE(file.reader, nullptr);
  auto groups = ReadRows(*file.reader);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0], rows);
  EXPECT_EQ(groups[1], rows);
}

TEST(ColumnarRowGroups, MisuseIsAnErrorNotACorruptFile) {
  const std::vector<Row> rows = MakeRows(10, 0, [](size_t i) { return static_cast<int64_t>(i); });
  Columns columns(rows);
  parquet::BufferOutputSink sink;
  auto writer = parquet::FileWriter::Open(&sink, Schema(), SmallPages());
  ASSERT_TRUE(writer.ok());
  parquet::FileWriter& w = **writer;
  EXPECT_FALSE(w.AppendColumn(columns.Batch(0, 0, 10)).ok());  // outside BeginColumns
  EXPECT_FALSE(w.EndColumn().ok());
  EXPECT_FALSE(w.BeginColumns(0).ok());
  ASSERT_TRUE(w.BeginColumns(10).ok());
  EXPECT_FALSE(w.BeginColumns(10).ok());  // nested
  std::vector<ColumnBatch> batches;
  for (size_t c = 0; c < 6; ++c) batches.push_back(columns.Batch(c, 0, 10));
  EXPECT_FALSE(w.WriteBatch(batches.data(), 10).ok());  // mixed with row batches
  ASSERT_TRUE(w.AppendColumn(columns.Batch(0, 0, 4)).ok());
  EXPECT_FALSE(w.EndColumn().ok());                            // 4 of 10 rows
  EXPECT_FALSE(w.AppendColumn(columns.Batch(0, 0, 10)).ok());  // 14 of 10 rows
  ASSERT_TRUE(w.AppendColumn(columns.Batch(0, 4, 10)).ok());
  ASSERT_TRUE(w.EndColumn().ok());
  EXPECT_FALSE(w.EndRowGroup().ok());  // five columns unwritten
}

// ---------------------------------------------------------------------------------------------------
// MergePlan

TEST(MergePlan, EveryRowOnceInInputOrderWithinTheRowAndByteBounds) {
  // Three inputs: 3 row groups of 500, one of 0 rows... and a single 2000-row group.
  auto time_of = [](size_t i) { return static_cast<int64_t>(i); };
  MemoryFile a({MakeRows(500, 0, time_of), MakeRows(500, 500, time_of), MakeRows(500, 1000, time_of)});
  MemoryFile empty(std::vector<std::vector<Row>>{});
  MemoryFile b({MakeRows(2000, 1500, time_of)});
  std::vector<MergeInput> inputs = {
      {a.reader.get(), 0, "a"}, {empty.reader.get(), 0, "empty"}, {b.reader.get(), 0, "b"}};
  for (size_t max_bytes : {size_t{1} << 30, size_t{4} << 10, size_t{1}}) {
    MergePlan plan(inputs, max_bytes);
    std::vector<MergeSlice> group;
    std::vector<std::pair<uint32_t, size_t>> seen;  // (input, first row of the slice in the input)
    size_t total = 0;
    size_t groups = 0;
    std::map<uint32_t, size_t> next_row;  // per input: the next row expected, over its row groups
    while (plan.Next(700, &group)) {
      ++groups;
      size_t rows = 0;
      for (const MergeSlice& slice : group) {
        ASSERT_GT(slice.rows(), 0u);
        size_t offset = 0;
        for (int g = 0; g < slice.row_group; ++g) {
          offset += static_cast<size_t>(inputs[slice.input].reader->metadata().row_groups[g].num_rows);
        }
        EXPECT_EQ(offset + slice.begin, next_row[slice.input]) << "rows in input order, none skipped";
        next_row[slice.input] = offset + slice.end;
        rows += slice.rows();
      }
      EXPECT_LE(rows, 700u);
      if (max_bytes == 1) {
        EXPECT_EQ(rows, 1u) << "a group always takes a row, and only one past the bound";
      }
      total += rows;
    }
    EXPECT_EQ(total, 3500u);
    EXPECT_EQ(next_row[0], 1500u);
    EXPECT_EQ(next_row[2], 2000u);
    if (max_bytes == (size_t{1} << 30)) {
      EXPECT_EQ(groups, 5u);  // 3500 / 700
    }
    if (max_bytes == (size_t{4} << 10)) {
      EXPECT_GT(groups, 5u);  // the byte bound cuts groups smaller
    }
  }
}

TEST(MergePlan, GroupsToSortAreCutToTheDecodedBoundAndTheRestPlannedAgain) {
  // Distinct messages: each row's decoded bytes are several times what it takes compressed, so a bound
  // that a streamed group fits whole cuts the same group when it has to be decoded to be sorted.
  auto time_of = [](size_t i) { return static_cast<int64_t>(i); };
  MemoryFile a({MakeRows(3000, 0, time_of)});
  MemoryFile b({MakeRows(1000, 3000, time_of), MakeRows(1000, 4000, time_of)});
  std::vector<MergeInput> inputs = {{a.reader.get(), 0, "a"}, {b.reader.get(), 0, "b"}};
  const size_t bound = 48 << 10;
  MergePlan streamed(inputs, bound);
  std::vector<MergeSlice> group;
  std::vector<size_t> streamed_rows;
  while (streamed.Next(100000, &group)) {
    size_t rows = 0;
    for (const MergeSlice& slice : group) rows += slice.rows();
    streamed_rows.push_back(rows);
  }
  MergePlan sorted(inputs, bound);
  std::vector<size_t> sorted_rows;
  std::map<uint32_t, size_t> next_row;
  size_t cuts = 0;
  while (sorted.Next(100000, &group)) {
    cuts += sorted.FitForSort(&group) ? 1 : 0;
    EXPECT_FALSE(sorted.FitForSort(&group)) << "a group cut once fits";
    size_t rows = 0;
    for (const MergeSlice& slice : group) {
      ASSERT_GT(slice.rows(), 0u);
      size_t offset = 0;
      for (int g = 0; g < slice.row_group; ++g) offset += 1000 * static_cast<size_t>(slice.input == 1);
      EXPECT_EQ(offset + slice.begin, next_row[slice.input]) << "rows in input order, none skipped or twice";
      next_row[slice.input] = offset + slice.end;
      rows += slice.rows();
    }
    sorted_rows.push_back(rows);
  }
  EXPECT_EQ(next_row[0], 3000u);
  EXPECT_EQ(next_row[1], 2000u);
  EXPECT_GT(cuts, 0u);
  EXPECT_GT(sorted_rows.size(), streamed_rows.size()) << "groups to sort are smaller";
  size_t total = 0;
  for (size_t rows : sorted_rows) total += rows;
  EXPECT_EQ(total, 5000u);
}

TEST(MergePlan, FootersTellWhetherInputsMayBeOutOfTimeOrder) {
  auto rows_from = [](int64_t first, size_t n) {
    auto rows = MakeRows(n, first, [first](size_t i) { return first + static_cast<int64_t>(i); });
    for (size_t i = 0; i < rows.size(); ++i) rows[i].time = first + static_cast<int64_t>(i);  // no nulls
    return rows;
  };
  MemoryFile early({rows_from(0, 100), rows_from(100, 100)});
  MemoryFile late({rows_from(200, 100)});
  MemoryFile overlapping({rows_from(150, 100)});
  MemoryFile with_nulls({MakeRows(100, 300, [](size_t i) { return 300 + static_cast<int64_t>(i); })});
  auto inputs = [](std::initializer_list<const MemoryFile*> files) {
    std::vector<MergeInput> list;
    for (const MemoryFile* file : files) list.push_back({file->reader.get(), 0, "input"});
    return list;
  };
  EXPECT_FALSE(MayBeOutOfTimeOrder(inputs({&early, &late}), 0));
  EXPECT_TRUE(MayBeOutOfTimeOrder(inputs({&late, &early}), 0));
  EXPECT_TRUE(MayBeOutOfTimeOrder(inputs({&early, &overlapping, &late}), 0));
  EXPECT_TRUE(MayBeOutOfTimeOrder(inputs({&early, &late, &with_nulls}), 0)) << "null times take the fallback";
  EXPECT_TRUE(MayBeOutOfTimeOrder(inputs({&early, &late}), -1)) << "no time column";
  EXPECT_TRUE(MayBeOutOfTimeOrder(inputs({&early, &late}), 2)) << "statistics that are not times (strings)";
  EXPECT_TRUE(MayBeOutOfTimeOrder(inputs({&early, &late}), 6)) << "a column the files do not have";
}

// ---------------------------------------------------------------------------------------------------
// RowGroupMerger

// Merges `inputs` with a plan of `max_rows`-row groups into a new file; returns it.
std::unique_ptr<MemoryFile> MergeAll(const std::vector<MergeInput>& inputs, size_t max_rows, size_t max_bytes,
                                     std::vector<int64_t>* min_times) {
  auto sink = std::make_unique<parquet::BufferOutputSink>();
  auto writer = parquet::FileWriter::Open(sink.get(), Schema(), SmallPages());
  EXPECT_TRUE(writer.ok());
  MergePlan plan(inputs, max_bytes);
  RowGroupMerger merger(/*time_column=*/0, max_bytes);
  std::vector<MergeSlice> group;
  while (plan.Next(max_rows, &group)) {
    // As the compactor does: a group out of order is cut to what fits decoded.
    Status prepared = merger.Prepare(inputs, group);
    EXPECT_TRUE(prepared.ok()) << prepared.ToString();
    if (!merger.in_order() && plan.FitForSort(&group)) merger.Cut(group);
    int64_t min_time = 0;
    Status st = merger.Write(inputs, group, writer->get(), &min_time);
    EXPECT_TRUE(st.ok()) << st.ToString();
    min_times->push_back(min_time);
  }
  EXPECT_TRUE((*writer)->Close().ok());
  return std::make_unique<MemoryFile>(std::move(sink));
}

TEST(RowGroupMerger, OverlappingInputsComeOutSortedByTimeStablyWithEveryValue) {
  // Two inputs whose times interleave and repeat; rows without a time take the input's fallback time.
  auto first = MakeRows(900, 0, [](size_t i) { return static_cast<int64_t>((i * 7919) % 500); });
  auto second = MakeRows(700, 10000, [](size_t i) { return static_cast<int64_t>(i % 300); });
  MemoryFile a({first});
  MemoryFile b({std::vector<Row>(second.begin(), second.begin() + 350),
                std::vector<Row>(second.begin() + 350, second.end())});
  std::vector<MergeInput> inputs = {{a.reader.get(), 250, "a"}, {b.reader.get(), 100, "b"}};
  std::vector<int64_t> min_times;
  auto merged = MergeAll(inputs, 600, size_t{1} << 30, &min_times);
  auto groups = ReadRows(*merged->reader);
  ASSERT_EQ(groups.size(), 3u);  // 1600 rows in groups of at most 600
  // Expected: the same rows, each group sorted stably by time (fallback for none), in input order.
  std::vector<std::pair<int64_t, Row>> all;
  for (const Row& row : first) all.push_back({row.time.value_or(250), row});
  for (const Row& row : second) all.push_back({row.time.value_or(100), row});
  size_t at = 0;
  for (size_t g = 0; g < groups.size(); ++g) {
    std::vector<std::pair<int64_t, Row>> expected(all.begin() + static_cast<long>(at),
                                                  all.begin() + static_cast<long>(at + groups[g].size()));
    std::stable_sort(expected.begin(), expected.end(),
                     [](const auto& x, const auto& y) { return x.first < y.first; });
    ASSERT_EQ(groups[g].size(), expected.size());
    for (size_t r = 0; r < expected.size(); ++r)
      ASSERT_EQ(groups[g][r], expected[r].second) << "group " << g << " row " << r;
    EXPECT_EQ(min_times[g], expected.front().first);
    at += groups[g].size();
  }
  EXPECT_EQ(at, all.size());
}

TEST(RowGroupMerger, InputsAlreadyInOrderAreCopiedThroughUnchanged) {
  auto rows = MakeRows(5000, 0, [](size_t i) { return 1000 + static_cast<int64_t>(i); });
  // Times with gaps where a row has none: fallback 0 would break the order, so give every row a time.
  for (size_t i = 0; i < rows.size(); ++i) rows[i].time = 1000 + static_cast<int64_t>(i);
  MemoryFile a({std::vector<Row>(rows.begin(), rows.begin() + 2500)});
  MemoryFile b({std::vector<Row>(rows.begin() + 2500, rows.end())});
  std::vector<MergeInput> inputs = {{a.reader.get(), 0, "a"}, {b.reader.get(), 0, "b"}};
  std::vector<int64_t> min_times;
  auto merged = MergeAll(inputs, 4000, size_t{1} << 30, &min_times);
  auto groups = ReadRows(*merged->reader);
  ASSERT_EQ(groups.size(), 2u);
  std::vector<Row> all = groups[0];
  all.insert(all.end(), groups[1].begin(), groups[1].end());
  EXPECT_EQ(all, rows);
  EXPECT_EQ(min_times, (std::vector<int64_t>{1000, 5000}));
}

TEST(RowGroupMerger, RowsInOrderMakeLargerGroupsThanRowsToSort) {
  // The same rows, once in time order and once reversed: with a bound that the decoded rows exceed,
  // only the reversed ones are cut into more groups; both come out whole and sorted.
  auto rows = MakeRows(4000, 0, [](size_t i) { return static_cast<int64_t>(i); });
  for (size_t i = 0; i < rows.size(); ++i) rows[i].time = static_cast<int64_t>(i);
  std::vector<Row> reversed(rows.rbegin(), rows.rend());
  MemoryFile in_order({std::vector<Row>(rows.begin(), rows.begin() + 2000),
                       std::vector<Row>(rows.begin() + 2000, rows.end())});
  MemoryFile out_of_order({reversed});
  const size_t bound = 64 << 10;
  std::vector<int64_t> min_times;
  auto a = MergeAll({{in_order.reader.get(), 0, "in order"}}, 100000, bound, &min_times);
  auto b = MergeAll({{out_of_order.reader.get(), 0, "reversed"}}, 100000, bound, &min_times);
  const auto streamed = ReadRows(*a->reader);
  const auto sorted = ReadRows(*b->reader);
  EXPECT_LT(streamed.size(), sorted.size());
  std::vector<Row> all;
  for (const auto& group : streamed) all.insert(all.end(), group.begin(), group.end());
  EXPECT_EQ(all, rows);
  size_t total = 0;
  for (const auto& group : sorted) {
    total += group.size();
    for (size_t r = 1; r < group.size(); ++r) EXPECT_LT(*group[r - 1].time, *group[r].time);
  }
  EXPECT_EQ(total, rows.size());
}

TEST(RowGroupMerger, WriteWithoutPrepareIsRefused) {
  auto rows = MakeRows(10, 0, [](size_t i) { return static_cast<int64_t>(i); });
  MemoryFile a({rows});
  std::vector<MergeInput> inputs = {{a.reader.get(), 0, "a"}};
  parquet::BufferOutputSink sink;
  auto writer = parquet::FileWriter::Open(&sink, Schema(), SmallPages());
  ASSERT_TRUE(writer.ok());
  RowGroupMerger merger(/*time_column=*/0, 1 << 20);
  const std::vector<MergeSlice> group = {{0, 0, 0, 10}};
  int64_t min_time = 0;
  EXPECT_EQ(merger.Write(inputs, group, writer->get(), &min_time).code(), Status::Code::kInvalidArgument);
}

TEST(RowGroupMerger, ATinyByteBoundStillMergesEveryRow) {
  auto rows = MakeRows(300, 0, [](size_t i) { return static_cast<int64_t>(300 - i); });
  MemoryFile a({rows});
  std::vector<MergeInput> inputs = {{a.reader.get(), 7, "a"}};
  std::vector<int64_t> min_times;
  auto merged = MergeAll(inputs, 128, 2048, &min_times);
  size_t total = 0;
  for (const auto& group : ReadRows(*merged->reader)) {
    total += group.size();
    for (size_t r = 1; r < group.size(); ++r)
      EXPECT_LE(group[r - 1].time.value_or(7), group[r].time.value_or(7));
  }
  EXPECT_EQ(total, rows.size());
}

// ---------------------------------------------------------------------------------------------------
// ColumnGather

TEST(ColumnGather, ANullInARequiredColumnIsCorruption) {
  parquet::ColumnData data;
  data.type = parquet::Type::kInt64;
  data.num_rows = 2;
  data.def_levels = {1, 0};
  data.num_values = 1;
  data.fixed.append_le(int64_t{5});
  GatherSource source;
  source.data = &data;
  ColumnSpec required = ColumnSpec::Int64("seq", Repetition::kRequired);
  ASSERT_TRUE(source.Prepare(required).ok());
  ColumnGather gather;
  ColumnBatch batch;
  std::vector<GatherSource> sources = {source};
  std::vector<RowRef> rows = {{0, 0}};
  ASSERT_TRUE(gather.Gather(required, sources, rows, &batch).ok());
  EXPECT_EQ(batch.int64s[0], 5);
  rows = {{0, 1}};
  Status st = gather.Gather(required, sources, rows, &batch);
  EXPECT_EQ(st.code(), Status::Code::kCorruption) << st.ToString();
  EXPECT_NE(st.message().find("'seq'"), std::string::npos) << st.message();
}

// Values from a dictionary-encoded source carry a key (its key_base + their dictionary index) that the
// writer can map to its own index without hashing; values of a source without a key base, or not
// dictionary-encoded, carry none; with no key at all, the batch has no keys.
TEST(ColumnGather, DictionarySourcesGiveTheirValuesKeys) {
  parquet::ByteArrayValues dictionary;
  dictionary.append("info");
  dictionary.append("warn");
  parquet::ColumnData by_dictionary;
  by_dictionary.type = parquet::Type::kByteArray;
  by_dictionary.num_rows = 3;
  by_dictionary.def_levels = {1, 0, 1};
  by_dictionary.num_values = 2;
  by_dictionary.dictionary_encoded = true;
  by_dictionary.dictionary = &dictionary;
  by_dictionary.dict_indices = {1, 0};
  parquet::ColumnData plain;
  plain.type = parquet::Type::kByteArray;
  plain.num_rows = 1;
  plain.num_values = 1;
  plain.byte_arrays.append("warn");
  const ColumnSpec level = ColumnSpec::String("level", Repetition::kOptional);
  std::vector<GatherSource> sources(2);
  sources[0].data = &by_dictionary;
  sources[1].data = &plain;
  for (GatherSource& source : sources) ASSERT_TRUE(source.Prepare(level).ok());
  sources[0].key_base = 100;
  sources[1].key_base = 200;  // ignored: its values are not dictionary indices
  const std::vector<RowRef> rows = {{0, 2}, {1, 0}, {0, 1}, {0, 0}};
  ColumnGather gather;
  ColumnBatch batch;
  ASSERT_TRUE(gather.Gather(level, sources, rows, &batch).ok());
  ASSERT_EQ(batch.num_values, 3u);
  ASSERT_NE(batch.value_keys, nullptr);
  EXPECT_EQ(std::vector<uint32_t>(batch.value_keys, batch.value_keys + 3),
            (std::vector<uint32_t>{100, parquet::kNoValueKey, 101}));
  EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(batch.bytes), batch.offsets[3]), "infowarnwarn");
  sources[0].key_base = parquet::kNoValueKey;
  ASSERT_TRUE(gather.Gather(level, sources, rows, &batch).ok());
  EXPECT_EQ(batch.value_keys, nullptr);
}

// A merge input is an untrusted file: data that does not add up is Corruption naming the column, before
// anything is gathered from it.
TEST(ColumnGather, PrepareRejectsDataThatDoesNotMatchItsColumn) {
  auto int64s = [] {
    parquet::ColumnData data;
    data.type = parquet::Type::kInt64;
    data.num_rows = 3;
    data.def_levels = {1, 0, 1};
    data.num_values = 2;
    data.fixed.append_le(int64_t{1});
    data.fixed.append_le(int64_t{2});
    return data;
  };
  auto strings = [] {
    parquet::ColumnData data;
    data.type = parquet::Type::kByteArray;
    data.num_rows = 2;
    data.num_values = 2;
    data.byte_arrays.append("a");
    data.byte_arrays.append("b");
    return data;
  };
  const ColumnSpec n = ColumnSpec::Int64("n", Repetition::kOptional);
  const ColumnSpec s = ColumnSpec::String("s", Repetition::kOptional);
  auto prepare = [](const parquet::ColumnData& data, const ColumnSpec& column) {
    GatherSource source;
    source.data = &data;
    return source.Prepare(column);
  };
  ASSERT_TRUE(prepare(int64s(), n).ok());
  ASSERT_TRUE(prepare(strings(), s).ok());
  auto expect_corruption = [&](const parquet::ColumnData& data, const ColumnSpec& column,
                               std::string_view why) {
    Status st = prepare(data, column);
    EXPECT_EQ(st.code(), Status::Code::kCorruption) << why;
    EXPECT_NE(st.message().find("'" + column.name + "'"), std::string::npos) << st.message();
    EXPECT_NE(st.message().find(why), std::string::npos) << st.message();
  };
  expect_corruption(int64s(), ColumnSpec::Double("n", Repetition::kOptional), "physical type");
  {
    auto data = int64s();
    data.fixed.resize(8);  // one value's bytes for two
    expect_corruption(data, n, "value bytes");
  }
  {
    auto data = int64s();
    data.def_levels.pop_back();
    expect_corruption(data, n, "definition levels");
  }
  {
    auto data = int64s();
    data.num_values = 3;
    expect_corruption(data, n, "value count");
  }
  {
    auto data = strings();
    data.num_values = 3;
    data.num_rows = 3;
    expect_corruption(data, s, "byte array values");
  }
}

}  // namespace
}  // namespace merge_test
}  // namespace logdaemon::storage
