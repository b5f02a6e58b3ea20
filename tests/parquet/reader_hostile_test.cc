// Files are untrusted input: a valid file cut short at every length, or with bytes flipped at random,
// must give a clean error (or, for harmless flips, a result), never a crash, an over-read (the ASan
// build checks) or an unbounded allocation.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "parquet/file_reader.h"
#include "parquet/file_writer.h"

namespace logdaemon::parquet {
namespace reader_hostile_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

std::string SmallFile(Codec codec, int page_version) {
  std::vector<int64_t> ts;
  std::vector<uint8_t> levels;
  std::string bytes;
  std::vector<uint32_t> offsets{0};
  for (int i = 0; i < 300; ++i) {
    ts.push_back(1768503600000000 + i * 1000);
    levels.push_back(i % 3 != 0);
    if (i % 3 != 0) {
      bytes += "message " + std::to_string(i % 17);
      offsets.push_back(static_cast<uint32_t>(bytes.size()));
    }
  }
  ColumnBatch batches[2];
  batches[0].num_rows = batches[0].num_values = ts.size();
  batches[0].int64s = ts.data();
  batches[1].num_rows = ts.size();
  batches[1].def_levels = levels.data();
  batches[1].num_values = offsets.size() - 1;
  batches[1].bytes = reinterpret_cast<const uint8_t*>(bytes.data());
  batches[1].offsets = offsets.data();
  WriterOptions options;
  options.codec = codec;
  options.data_page_version = page_version;
  options.data_page_max_rows = 100;
  BufferOutputSink sink;
  auto writer = FileWriter::Open(&sink,
                                 {ColumnSpec::TimestampMicrosUtc("ts", Repetition::kRequired),
                                  ColumnSpec::String("message", Repetition::kOptional)},
                                 options);
  EXPECT_TRUE(writer.ok());
  EXPECT_TRUE((*writer)->WriteBatch(batches, ts.size()).ok());
  EXPECT_TRUE((*writer)->EndRowGroup().ok());
  EXPECT_TRUE((*writer)->WriteBatch(batches, ts.size()).ok());
  EXPECT_TRUE((*writer)->Close().ok());
  return std::string(sink.buffer().view());
}

// Reads everything it can; returns whether every read succeeded.
bool ReadAll(const std::vector<uint8_t>& file) {
  ReaderOptions options;
  options.max_chunk_memory = 16 << 20;
  auto reader =
      FileReader::Open(std::make_unique<MemoryInputSource>(file.data(), file.size()), "hostile", options);
  if (!reader.ok()) {
    EXPECT_NE(reader.status().message().find("hostile"), std::string::npos) << reader.status().message();
    return false;
  }
  bool ok = true;
  ColumnData data;
  for (int g = 0; g < (*reader)->num_row_groups(); ++g) {
    for (int c = 0; c < (*reader)->num_columns(); ++c) {
      Status st = (*reader)->ReadColumnChunk(g, c, &data);
      if (!st.ok()) {
        EXPECT_NE(st.message().find("hostile: column '"), std::string::npos) << st.message();
        ok = false;
      }
      std::optional<ColumnIndex> column_index;
      std::optional<OffsetIndex> offset_index;
      ok = (*reader)->ReadColumnIndex(g, c, &column_index).ok() && ok;
      ok = (*reader)->ReadOffsetIndex(g, c, &offset_index).ok() && ok;
    }
  }
  return ok;
}

TEST(ReaderHostile, EveryTruncationFailsCleanly) {
  std::string file = SmallFile(Codec::kSnappy, 1);
  for (size_t cut = 0; cut < file.size(); ++cut) {
    std::vector<uint8_t> prefix(file.begin(), file.begin() + static_cast<ptrdiff_t>(cut));
    EXPECT_FALSE(ReadAll(prefix)) << "a file cut at " << cut << " of " << file.size() << " bytes read";
  }
}

TEST(ReaderHostile, RandomByteFlipsNeverCrash) {
  std::mt19937_64 rng(5);
  for (Codec codec : {Codec::kUncompressed, Codec::kSnappy, Codec::kZstd, Codec::kGzip, Codec::kLz4Raw}) {
    for (int version : {1, 2}) {
      std::string file = SmallFile(codec, version);
      for (int round = 0; round < 400; ++round) {
        std::vector<uint8_t> mutated(file.begin(), file.end());
        int flips = 1 + static_cast<int>(rng() % 4);
        for (int f = 0; f < flips; ++f)
          mutated[rng() % mutated.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
        ReadAll(mutated);  // any outcome but a crash is fine; CRCs catch most page damage
      }
    }
  }
}

TEST(ReaderHostile, ChecksumsCatchDamagedPages) {
  std::string file = SmallFile(Codec::kUncompressed, 1);
  std::vector<uint8_t> damaged(file.begin(), file.end());
  // Byte 60 lies inside the first data page's body (the header is ~40 bytes).
  damaged[60] ^= 0x01;
  auto reader =
      FileReader::Open(std::make_unique<MemoryInputSource>(damaged.data(), damaged.size()), "damaged");
  ASSERT_TRUE(reader.ok());
  ColumnData data;
  Status st = (*reader)->ReadColumnChunk(0, 0, &data);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("CRC mismatch"), std::string::npos) << st.message();
  ReaderOptions trusting;
  trusting.verify_checksums = false;
  auto unchecked = FileReader::Open(std::make_unique<MemoryInputSource>(damaged.data(), damaged.size()),
                                    "damaged", trusting);
  ASSERT_TRUE(unchecked.ok());
}

TEST(ReaderHostile, NotParquetAtAll) {
  std::vector<uint8_t> text(100, 'x');
  auto reader = FileReader::Open(std::make_unique<MemoryInputSource>(text.data(), text.size()), "text.log");
  ASSERT_FALSE(reader.ok());
  EXPECT_NE(reader.status().message().find("text.log: not a Parquet file"), std::string::npos);
  std::vector<uint8_t> tiny = {'P', 'A', 'R', '1'};
  EXPECT_FALSE(FileReader::Open(std::make_unique<MemoryInputSource>(tiny.data(), tiny.size()), "tiny").ok());
}

}  // namespace
}  // namespace reader_hostile_test
}  // namespace logdaemon::parquet
