#include "parquet/byte_stream_split.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace logdaemon::parquet {
namespace byte_stream_split_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using Bytes = std::vector<uint8_t>;

Bytes Exact(const ByteBuffer& buffer) {
  return Bytes(buffer.data(), buffer.data() + buffer.size());
}

// Encodings.md: three 4-byte values AA BB CC DD | 00 11 22 33 | A3 B4 C5 D6 become the streams
// AA 00 A3 | BB 11 B4 | CC 22 C5 | DD 33 D6.
TEST(ByteStreamSplit, MatchesTheSpecificationsExample) {
  const Bytes values = {0xAA, 0xBB, 0xCC, 0xDD, 0x00, 0x11, 0x22, 0x33, 0xA3, 0xB4, 0xC5, 0xD6};
  const Bytes encoded = {0xAA, 0x00, 0xA3, 0xBB, 0x11, 0xB4, 0xCC, 0x22, 0xC5, 0xDD, 0x33, 0xD6};
  ByteBuffer buffer;
  EncodeByteStreamSplit(values.data(), 3, 4, &buffer);
  EXPECT_EQ(Exact(buffer), encoded);
  ByteBuffer out;
  ASSERT_TRUE(DecodeByteStreamSplit(encoded.data(), encoded.size(), 3, 4, &out).ok());
  EXPECT_EQ(Exact(out), values);
}

TEST(ByteStreamSplit, RoundTripsEveryWidthAndAppends) {
  std::mt19937_64 rng(1);
  for (int width : {1, 2, 3, 4, 5, 8, 12, 16}) {
    for (size_t n : {0, 1, 7, 8, 9, 33, 1000}) {
      Bytes values(n * static_cast<size_t>(width));
      for (auto& b : values) b = static_cast<uint8_t>(rng());
      ByteBuffer encoded;
      EncodeByteStreamSplit(values.data(), n, width, &encoded);
      Bytes bytes = Exact(encoded);
      ByteBuffer out;
      out.push_back(0x5A);
      ASSERT_TRUE(DecodeByteStreamSplit(bytes.data(), bytes.size(), n, width, &out).ok())
          << width << " " << n;
      EXPECT_EQ(Bytes(out.data() + 1, out.data() + out.size()), values) << width << " " << n;
    }
  }
}

// The page's values may be fewer than the streams hold (N comes from the size): the first ones.
TEST(ByteStreamSplit, DecodesTheFirstValuesOfLongerStreams) {
  const Bytes encoded = {0xAA, 0x00, 0xA3, 0xBB, 0x11, 0xB4, 0xCC, 0x22, 0xC5, 0xDD, 0x33, 0xD6};
  ByteBuffer out;
  ASSERT_TRUE(DecodeByteStreamSplit(encoded.data(), encoded.size(), 2, 4, &out).ok());
  EXPECT_EQ(Exact(out), (Bytes{0xAA, 0xBB, 0xCC, 0xDD, 0x00, 0x11, 0x22, 0x33}));
}

TEST(ByteStreamSplit, BadSizesAreCorrupt) {
  const Bytes encoded(12, 0x42);
  ByteBuffer out;
  EXPECT_EQ(DecodeByteStreamSplit(encoded.data(), 11, 2, 4, &out).code(), Status::Code::kCorruption);
  EXPECT_EQ(DecodeByteStreamSplit(encoded.data(), 12, 4, 4, &out).code(), Status::Code::kCorruption);
  EXPECT_EQ(DecodeByteStreamSplit(encoded.data(), 12, 1, 0, &out).code(), Status::Code::kCorruption);
  EXPECT_EQ(DecodeByteStreamSplit(encoded.data(), 12, 1, -4, &out).code(), Status::Code::kCorruption);
  EXPECT_EQ(DecodeByteStreamSplit(encoded.data(), 12, size_t{1} << 62, 8, &out).code(),
            Status::Code::kCorruption);
  EXPECT_EQ(out.size(), 0u);
  EXPECT_TRUE(DecodeByteStreamSplit(nullptr, 0, 0, 8, &out).ok());
}

}  // namespace
}  // namespace byte_stream_split_test
}  // namespace logdaemon::parquet
