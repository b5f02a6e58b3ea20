#include "parquet/plain.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace logdaemon::parquet {
namespace plain_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using Bytes = std::vector<uint8_t>;

Bytes Exact(const ByteBuffer& buffer) {
  return Bytes(buffer.data(), buffer.data() + buffer.size());
}

// Arrow-style input: bytes and offsets, offsets starting at `base` (a slice of a larger batch).
struct ByteArrays {
  std::string bytes;
  std::vector<uint32_t> offsets;
  ByteArrays(const std::vector<std::string>& values, size_t base = 0)
      : bytes(base, '#'), offsets{uint32_t(base)} {
    for (const auto& v : values) {
      bytes += v;
      offsets.push_back(static_cast<uint32_t>(bytes.size()));
    }
  }
  const uint8_t* data() const { return reinterpret_cast<const uint8_t*>(bytes.data()); }
};

TEST(Plain, Int64AndDoubleAreLittleEndianBackToBack) {
  ByteBuffer buffer;
  buffer.push_back(0xEE);
  const int64_t ints[] = {1, -2, std::numeric_limits<int64_t>::min()};
  EncodePlainInt64(ints, 3, &buffer);
  const double doubles[] = {1.0, -0.0};
  EncodePlainDouble(doubles, 2, &buffer);
  EXPECT_EQ(Exact(buffer),
            (Bytes{0xEE,                                               //
                   0x01, 0,    0,    0,    0,    0,    0,    0,        // 1
                   0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,     // -2
                   0,    0,    0,    0,    0,    0,    0,    0x80,     // INT64_MIN
                   0,    0,    0,    0,    0,    0,    0xF0, 0x3F,     // 1.0
                   0,    0,    0,    0,    0,    0,    0,    0x80}));  // -0.0
}

TEST(Plain, FixedWidthDecodeAppendsAndChecksTheSize) {
  const int64_t ints[] = {7, -7, 1LL << 40};
  ByteBuffer encoded;
  EncodePlainInt64(ints, 3, &encoded);
  Bytes bytes = Exact(encoded);
  ByteBuffer out;
  out.push_back(0xEE);
  ASSERT_TRUE(DecodePlainFixed(bytes.data(), bytes.size(), 3, 8, &out).ok());
  ASSERT_EQ(out.size(), 25u);
  EXPECT_EQ(std::memcmp(out.data() + 1, ints, 24), 0);
  // Fewer values than the data holds is fine; more is corruption.
  EXPECT_TRUE(DecodePlainFixed(bytes.data(), bytes.size(), 2, 8, &out).ok());
  EXPECT_EQ(DecodePlainFixed(bytes.data(), bytes.size(), 4, 8, &out).code(), Status::Code::kCorruption);
  EXPECT_EQ(DecodePlainFixed(bytes.data(), 23, 3, 8, &out).code(), Status::Code::kCorruption);
  // Counts whose byte size overflows are still refused.
  EXPECT_FALSE(
      DecodePlainFixed(bytes.data(), bytes.size(), std::numeric_limits<size_t>::max() / 4, 8, &out).ok());
  EXPECT_FALSE(DecodePlainFixed(bytes.data(), bytes.size(), 1, 0, &out).ok());
  EXPECT_FALSE(DecodePlainFixed(bytes.data(), bytes.size(), 1, -8, &out).ok());
  EXPECT_TRUE(DecodePlainFixed(nullptr, 0, 0, 8, &out).ok());
}

// Encodings.md: booleans bit-packed LSB first; value i is bit i % 8 of byte i / 8.
TEST(Plain, BooleansArePackedLeastSignificantBitFirst) {
  const uint8_t values[] = {1, 0, 1, 1, 0, 0, 0, 0, 1};
  ByteBuffer buffer;
  EncodePlainBoolean(values, 9, &buffer);
  EXPECT_EQ(Exact(buffer), (Bytes{0x0D, 0x01}));
  // Only the lowest bit of each input byte counts.
  const uint8_t odd[] = {3, 2, 0xFF, 0xFE, 1, 1, 1, 1};
  buffer.clear();
  EncodePlainBoolean(odd, 8, &buffer);
  EXPECT_EQ(Exact(buffer), (Bytes{0xF5}));
}

TEST(Plain, BooleansRoundTripEveryLength) {
  std::mt19937_64 rng(1);
  for (size_t n = 0; n <= 130; ++n) {
    std::vector<uint8_t> values(n);
    for (auto& v : values) v = static_cast<uint8_t>(rng() & 1);
    ByteBuffer encoded;
    EncodePlainBoolean(values.data(), n, &encoded);
    ASSERT_EQ(encoded.size(), (n + 7) / 8);
    Bytes bytes = Exact(encoded);
    ByteBuffer out;
    out.push_back(9);
    ASSERT_TRUE(DecodePlainBoolean(bytes.data(), bytes.size(), n, &out).ok()) << n;
    EXPECT_EQ(Bytes(out.data() + 1, out.data() + out.size()), values) << n;
    if (n > 0) {
      EXPECT_EQ(DecodePlainBoolean(bytes.data(), bytes.size() - 1, n, &out).code(),
                Status::Code::kCorruption);
    }
  }
  // Bits past num_values are ignored, whatever they are.
  const Bytes all_set = {0xFF};
  ByteBuffer out;
  ASSERT_TRUE(DecodePlainBoolean(all_set.data(), 1, 3, &out).ok());
  EXPECT_EQ(Exact(out), (Bytes{1, 1, 1}));
}

TEST(Plain, ByteArraysAreLengthPrefixed) {
  ByteArrays input({"ab", "", "xyz"}, 5);
  ByteBuffer buffer;
  EncodePlainByteArray(input.data(), input.offsets.data(), 3, &buffer);
  EXPECT_EQ(Exact(buffer), (Bytes{2, 0, 0, 0, 'a', 'b', 0, 0, 0, 0, 3, 0, 0, 0, 'x', 'y', 'z'}));
  // Nothing at all: no bytes, even with null data.
  const uint32_t zero[] = {0};
  EncodePlainByteArray(nullptr, zero, 0, &buffer);
  const uint32_t empties[] = {0, 0, 0};
  EncodePlainByteArray(nullptr, empties, 2, &buffer);
  EXPECT_EQ(buffer.size(), 17u + 8u);
}

TEST(Plain, ByteArraysRoundTrip) {
  std::mt19937_64 rng(2);
  for (size_t n : {0, 1, 7, 8, 9, 31, 32, 33, 127, 128, 129, 1000, 100000}) {
    std::vector<std::string> values(n);
    for (auto& v : values) v = std::string(rng() % 40, static_cast<char>('a' + rng() % 26));
    ByteArrays input(values, n % 3);
    ByteBuffer encoded;
    EncodePlainByteArray(input.data(), input.offsets.data(), n, &encoded);
    encoded.append("tail", 4);  // the page may hold more; consumed says where the values end
    Bytes bytes = Exact(encoded);
    ByteArrayValues out;
    out.append("before");
    size_t consumed = 0;
    ASSERT_TRUE(DecodePlainByteArray(bytes.data(), bytes.size(), n, &out, &consumed).ok()) << n;
    EXPECT_EQ(consumed, bytes.size() - 4);
    ASSERT_EQ(out.count(), n + 1);
    EXPECT_EQ(out[0], "before");
    for (size_t i = 0; i < n; ++i) ASSERT_EQ(out[i + 1], values[i]) << i;
  }
}

// Every cut fails cleanly, leaves the output as it was, and reads nothing past the end (ASan).
TEST(Plain, ByteArrayTruncationsAreCorrupt) {
  ByteArrays input({"hello", "", "w", std::string(300, 'x'), "end"});
  ByteBuffer encoded;
  EncodePlainByteArray(input.data(), input.offsets.data(), 5, &encoded);
  Bytes bytes = Exact(encoded);
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    Bytes prefix(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(cut));
    ByteArrayValues out;
    out.append("keep");
    size_t consumed = 0;
    Status st = DecodePlainByteArray(prefix.data(), prefix.size(), 5, &out, &consumed);
    EXPECT_EQ(st.code(), Status::Code::kCorruption) << cut;
    ASSERT_EQ(out.count(), 1u);
    EXPECT_EQ(out[0], "keep");
    EXPECT_EQ(out.bytes.size(), 4u);
  }
}

TEST(Plain, HostileByteArrayLengthsAreCorrupt) {
  ByteArrayValues out;
  size_t consumed = 0;
  // A length of 4 GiB - 1 with 2 bytes behind it.
  const Bytes huge = {0xFF, 0xFF, 0xFF, 0xFF, 'a', 'b'};
  EXPECT_EQ(DecodePlainByteArray(huge.data(), huge.size(), 1, &out, &consumed).code(),
            Status::Code::kCorruption);
  // "Negative" (above 2^31) lengths are just huge unsigned lengths.
  const Bytes negative = {0xFE, 0xFF, 0xFF, 0x80, 'a'};
  EXPECT_EQ(DecodePlainByteArray(negative.data(), negative.size(), 1, &out, &consumed).code(),
            Status::Code::kCorruption);
  // A count no page of this size could hold is refused before anything is allocated for it.
  const Bytes one = {0, 0, 0, 0};
  EXPECT_EQ(DecodePlainByteArray(one.data(), one.size(), size_t{1} << 40, &out, &consumed).code(),
            Status::Code::kCorruption);
  EXPECT_EQ(out.count(), 0u);
  // Zero values from nothing.
  EXPECT_TRUE(DecodePlainByteArray(nullptr, 0, 0, &out, &consumed).ok());
  EXPECT_EQ(consumed, 0u);
}

}  // namespace
}  // namespace plain_test
}  // namespace logdaemon::parquet
