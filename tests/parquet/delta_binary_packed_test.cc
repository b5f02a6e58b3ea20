#include "parquet/delta_binary_packed.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <vector>

#include "parquet/delta_byte_array.h"

namespace logdaemon::parquet {
namespace {

std::vector<int64_t> RoundTrip(const std::vector<int64_t>& values) {
  ByteBuffer buffer;
  DeltaBinaryPackedEncoder encoder;
  encoder.Begin(&buffer);
  encoder.PutMany(values.data(), values.size());
  encoder.Finish();
  DeltaBinaryPackedDecoder decoder;
  EXPECT_TRUE(decoder.Reset(buffer.data(), buffer.size()).ok());
  EXPECT_EQ(decoder.total_values(), values.size());
  std::vector<int64_t> out(values.size());
  // Decode in uneven steps, as pages and batches do.
  size_t at = 0;
  for (size_t step = 1; at < values.size(); step = step * 3 + 1) {
    size_t n = std::min(step, values.size() - at);
    EXPECT_TRUE(decoder.Decode(out.data() + at, n).ok());
    at += n;
  }
  EXPECT_EQ(decoder.bytes_consumed(), buffer.size());
  return out;
}

TEST(DeltaBinaryPacked, RoundTripsTimestampsAndExtremes) {
  std::mt19937_64 rng(3);
  for (size_t n : {0, 1, 2, 31, 32, 33, 127, 128, 129, 1000, 65537}) {
    std::vector<int64_t> ts(n);
    int64_t now = 1768503600000000;
    for (auto& v : ts) v = now += static_cast<int64_t>(rng() % 2000);
    ASSERT_EQ(RoundTrip(ts), ts) << n;
  }
  const int64_t min = std::numeric_limits<int64_t>::min(), max = std::numeric_limits<int64_t>::max();
  std::vector<int64_t> extremes = {min, max, min, max, 0, -1, 1, max, max, min, min, 0};
  ASSERT_EQ(RoundTrip(extremes), extremes);  // deltas wrap around 2^64
  std::vector<int64_t> random(5000);
  for (auto& v : random) v = static_cast<int64_t>(rng());
  ASSERT_EQ(RoundTrip(random), random);
  std::vector<int64_t> constant(1000, 42);
  ASSERT_EQ(RoundTrip(constant), constant);
}

TEST(DeltaBinaryPacked, DecodesTheSpecificationsExample) {
  // Encodings.md, example 1: 1, 2, 3, 4, 5 → deltas all 1, min delta 1, bit width 0.
  // header: block 128, 4 miniblocks, 5 values, first value 1 (zigzag 2); block: min delta 1 (zigzag 2),
  // widths 0 0 0 0.
  const uint8_t bytes[] = {0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00};
  DeltaBinaryPackedDecoder decoder;
  ASSERT_TRUE(decoder.Reset(bytes, sizeof(bytes)).ok());
  int64_t out[5];
  ASSERT_TRUE(decoder.Decode(out, 5).ok());
  EXPECT_EQ(std::vector<int64_t>(out, out + 5), (std::vector<int64_t>{1, 2, 3, 4, 5}));
}

TEST(DeltaBinaryPacked, HostileHeadersFailCleanly) {
  DeltaBinaryPackedDecoder decoder;
  const uint8_t bad_block[] = {0x81, 0x01, 0x04, 0x05, 0x02};  // block size 129
  EXPECT_FALSE(decoder.Reset(bad_block, sizeof(bad_block)).ok());
  const uint8_t zero_miniblocks[] = {0x80, 0x01, 0x00, 0x05, 0x02};
  EXPECT_FALSE(decoder.Reset(zero_miniblocks, sizeof(zero_miniblocks)).ok());
  const uint8_t huge_count[] = {0x80, 0x01, 0x04, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x02};
  EXPECT_FALSE(decoder.Reset(huge_count, sizeof(huge_count)).ok());
  const uint8_t wide[] = {0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0x41, 0x00, 0x00, 0x00};  // bit width 65
  ASSERT_TRUE(decoder.Reset(wide, sizeof(wide)).ok());
  int64_t out[5];
  EXPECT_FALSE(decoder.Decode(out, 5).ok());
}

// A cut inside the last miniblock's padding may still decode (other writers omit that padding), but
// then to the right values; any other cut fails; none reads past the end (ASan checks).
TEST(DeltaBinaryPacked, TruncatedInputFailsWithoutOverRead) {
  std::vector<int64_t> values(300);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<int64_t>(i * i * 7919);
  ByteBuffer buffer;
  DeltaBinaryPackedEncoder encoder;
  encoder.Begin(&buffer);
  encoder.PutMany(values.data(), values.size());
  encoder.Finish();
  for (size_t cut = 0; cut < buffer.size(); ++cut) {
    std::vector<uint8_t> prefix(buffer.data(), buffer.data() + cut);
    DeltaBinaryPackedDecoder decoder;
    std::vector<int64_t> out(values.size());
    bool ok = decoder.Reset(prefix.data(), prefix.size()).ok() && decoder.Decode(out.data(), out.size()).ok();
    if (ok) {
      EXPECT_EQ(out, values) << "cut at " << cut;
    }
  }
}

TEST(DeltaByteArray, RoundTripsPrefixesAndLengths) {
  std::vector<std::string> values = {"",     "apple",  "applesauce",         "apply", "b", "",
                                     "日本", "日本語", std::string(300, 'z')};
  ByteBuffer length_encoded, prefix_encoded;
  EncodeDeltaLengthByteArray(values, &length_encoded);
  EncodeDeltaByteArray(values, &prefix_encoded);
  ByteArrayValues a, b;
  ASSERT_TRUE(
      DecodeDeltaLengthByteArray(length_encoded.data(), length_encoded.size(), values.size(), &a).ok());
  ASSERT_TRUE(DecodeDeltaByteArray(prefix_encoded.data(), prefix_encoded.size(), values.size(), &b).ok());
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(a[i], values[i]);
    EXPECT_EQ(b[i], values[i]);
  }
  for (size_t cut = 0; cut < prefix_encoded.size(); ++cut) {
    std::vector<uint8_t> prefix(prefix_encoded.data(), prefix_encoded.data() + cut);
    ByteArrayValues out;
    EXPECT_FALSE(DecodeDeltaByteArray(prefix.data(), prefix.size(), values.size(), &out).ok()) << cut;
  }
}

}  // namespace
}  // namespace logdaemon::parquet
