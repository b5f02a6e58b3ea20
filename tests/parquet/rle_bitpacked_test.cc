#include "parquet/rle_bitpacked.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace logdaemon::parquet {
namespace {

std::vector<uint32_t> RoundTrip(const std::vector<uint32_t>& values, int bit_width) {
  ByteBuffer buffer;
  RleBitPackedEncoder encoder;
  encoder.Begin(&buffer, bit_width);
  encoder.PutMany(values.data(), values.size());
  encoder.Finish();
  RleBitPackedDecoder decoder;
  decoder.Reset(buffer.data(), buffer.size(), bit_width);
  std::vector<uint32_t> out(values.size());
  EXPECT_EQ(decoder.GetBatch(out.data(), out.size()), values.size());
  EXPECT_FALSE(decoder.corrupt());
  return out;
}

TEST(RleBitPacked, RoundTripsEveryBitWidthAndLength) {
  std::mt19937_64 rng(1);
  for (int width = 0; width <= 32; ++width) {
    uint64_t limit = width == 32 ? (uint64_t{1} << 32) : (uint64_t{1} << width);
    for (size_t n : {0, 1, 7, 8, 9, 31, 32, 33, 127, 128, 129, 1000, 10007}) {
      std::vector<uint32_t> values(n);
      for (size_t i = 0; i < n; ++i) {
        // Mix runs (repeats) and literals.
        values[i] = (i / 17) % 2 == 0 ? static_cast<uint32_t>(rng() % limit)
                                      : static_cast<uint32_t>((i / 17) % limit);
      }
      ASSERT_EQ(RoundTrip(values, width), values) << "width " << width << " n " << n;
    }
  }
}

TEST(RleBitPacked, LongRunsBecomeRleRuns) {
  std::vector<uint32_t> values(100000, 1);
  ByteBuffer buffer;
  RleBitPackedEncoder encoder;
  encoder.Begin(&buffer, 1);
  encoder.PutMany(values.data(), values.size());
  encoder.Finish();
  EXPECT_LT(buffer.size(), 8u);
}

TEST(RleBitPacked, BitWidthOfMaxValue) {
  EXPECT_EQ(BitWidth(0), 0);
  EXPECT_EQ(BitWidth(1), 1);
  EXPECT_EQ(BitWidth(255), 8);
  EXPECT_EQ(BitWidth(256), 9);
  EXPECT_EQ(BitWidth(0xFFFFFFFFu), 32);
}

// A cut inside the last group's padding still yields every value (writers may omit that padding),
// and then the right ones; other cuts yield fewer; none reads past the end (ASan checks).
TEST(RleBitPacked, TruncatedInputNeverOverReads) {
  std::mt19937_64 rng(2);
  std::vector<uint32_t> values(500);
  for (auto& v : values) v = static_cast<uint32_t>(rng() % 1000);
  ByteBuffer buffer;
  RleBitPackedEncoder encoder;
  encoder.Begin(&buffer, 10);
  encoder.PutMany(values.data(), values.size());
  encoder.Finish();
  for (size_t cut = 0; cut < buffer.size(); ++cut) {
    std::vector<uint8_t> prefix(buffer.data(), buffer.data() + cut);  // exact-size copy: ASan sees over-reads
    RleBitPackedDecoder decoder;
    decoder.Reset(prefix.data(), prefix.size(), 10);
    std::vector<uint32_t> out(values.size());
    if (decoder.GetBatch(out.data(), out.size()) == values.size()) {
      EXPECT_EQ(out, values) << "cut at " << cut;
      EXPECT_GE(cut, buffer.size() - 5) << "only the padding may be missing";
    }
  }
}

TEST(RleBitPacked, HostileHeadersAreRejected) {
  // An RLE run whose value does not fit the bit width.
  const uint8_t too_wide[] = {0x02, 0xFF};
  RleBitPackedDecoder decoder;
  decoder.Reset(too_wide, sizeof(too_wide), 1);
  uint8_t out[4];
  EXPECT_EQ(decoder.GetBatch(out, 1), 0u);
  EXPECT_TRUE(decoder.corrupt());
  // A varint header that never ends.
  const uint8_t endless[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
  decoder.Reset(endless, sizeof(endless), 1);
  EXPECT_EQ(decoder.GetBatch(out, 1), 0u);
  EXPECT_TRUE(decoder.corrupt());
  // A run of zero values.
  const uint8_t empty_run[] = {0x00, 0x01};
  decoder.Reset(empty_run, sizeof(empty_run), 1);
  EXPECT_EQ(decoder.GetBatch(out, 1), 0u);
  // Bit width too large for one-byte output.
  const uint8_t run[] = {0x02, 0x01, 0x00};
  decoder.Reset(run, sizeof(run), 9);
  EXPECT_EQ(decoder.GetBatch(out, 1), 0u);
}

TEST(RleBitPacked, LevelsV1CarryTheirLength) {
  std::vector<uint8_t> levels = {1, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0};
  ByteBuffer buffer;
  EncodeLevelsV1(levels.data(), levels.size(), &buffer);
  buffer.append("trailing values", 15);
  std::vector<uint8_t> out(levels.size());
  size_t consumed = 0;
  ASSERT_TRUE(DecodeLevelsV1(buffer.data(), buffer.size(), levels.size(), out.data(), &consumed).ok());
  EXPECT_EQ(out, levels);
  EXPECT_EQ(consumed, buffer.size() - 15);
  EXPECT_FALSE(DecodeLevelsV1(buffer.data(), 3, levels.size(), out.data(), &consumed).ok());
}

}  // namespace
}  // namespace logdaemon::parquet
