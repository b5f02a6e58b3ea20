#include "parquet/delta_binary_packed.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <random>
#include <vector>

namespace logdaemon::parquet {
namespace delta_binary_packed_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using Bytes = std::vector<uint8_t>;

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

Bytes Exact(const ByteBuffer& buffer) {
  return Bytes(buffer.data(), buffer.data() + buffer.size());
}

Bytes Encode(const std::vector<int64_t>& values) {
  ByteBuffer buffer;
  DeltaBinaryPackedEncoder encoder;
  encoder.Begin(&buffer);
  encoder.PutMany(values.data(), values.size());
  encoder.Finish();
  return Exact(buffer);
}

// Decodes every value in uneven steps (1, 4, 13, 40 ...), as pages and batches do, and checks that
// the encoding ends where the bytes do.
std::vector<int64_t> Decode(const Bytes& bytes) {
  DeltaBinaryPackedDecoder decoder;
  Status st = decoder.Reset(bytes.data(), bytes.size());
  EXPECT_TRUE(st.ok()) << st.ToString();
  std::vector<int64_t> out(decoder.total_values());
  size_t at = 0;
  for (size_t step = 1; at < out.size(); step = step * 3 + 1) {
    size_t n = std::min(step, out.size() - at);
    st = decoder.Decode(out.data() + at, n);
    EXPECT_TRUE(st.ok()) << st.ToString();
    at += n;
  }
  EXPECT_EQ(decoder.bytes_consumed(), bytes.size());
  return out;
}

void ExpectRoundTrip(const std::vector<int64_t>& values, const char* what) {
  Bytes bytes = Encode(values);
  EXPECT_EQ(Decode(bytes), values) << what << ", " << values.size() << " values";
}

const size_t kLengths[] = {0, 1, 2, 7, 8, 9, 31, 32, 33, 127, 128, 129, 1000, 100000};

// ---- The specification's examples -----------------------------------------------------------------

// Encodings.md example 1 (1, 2, 3, 4, 5), with logdaemon's 128-value blocks of 4 miniblocks:
// header 128 (80 01), 4 miniblocks, 5 values, first value 1 (zigzag 2); block: min delta 1 (zigzag 2),
// bit widths 0 0 0 0, and no miniblock bytes (width 0).
TEST(DeltaBinaryPacked, EncodesTheSpecificationsFirstExample) {
  const Bytes expected = {0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00};
  EXPECT_EQ(Encode({1, 2, 3, 4, 5}), expected);
  EXPECT_EQ(Decode(expected), (std::vector<int64_t>{1, 2, 3, 4, 5}));
}

// Example 2 (7, 5, 3, 1, 2, 3, 4, 5): deltas -2 -2 -2 1 1 1 1, min delta -2 (zigzag 3), relative
// deltas 0 0 0 3 3 3 3 at 2 bits. The first miniblock holds 32 values: 8 bytes, LSB first
// (0 0 0 3 → 0xC0, 3 3 3 0 → 0x3F, then zeros); the others are not written.
TEST(DeltaBinaryPacked, EncodesTheSpecificationsSecondExample) {
  const Bytes expected = {0x80, 0x01, 0x04, 0x08, 0x0E,                     // header; first value 7
                          0x03, 0x02, 0x00, 0x00, 0x00,                     // min delta -2; widths
                          0xC0, 0x3F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};  // miniblock 0
  EXPECT_EQ(Encode({7, 5, 3, 1, 2, 3, 4, 5}), expected);
  EXPECT_EQ(Decode(expected), (std::vector<int64_t>{7, 5, 3, 1, 2, 3, 4, 5}));
}

// The examples as printed use a block size of 8, which the specification itself calls invalid.
TEST(DeltaBinaryPacked, TheExamplesBlockSizeOfEightIsRefused) {
  const Bytes example1 = {0x08, 0x01, 0x05, 0x02, 0x02, 0x00};
  const Bytes example2 = {0x08, 0x01, 0x08, 0x0E, 0x03, 0x02, 0xC0, 0x3F};
  DeltaBinaryPackedDecoder decoder;
  EXPECT_EQ(decoder.Reset(example1.data(), example1.size()).code(), Status::Code::kCorruption);
  EXPECT_EQ(decoder.Reset(example2.data(), example2.size()).code(), Status::Code::kCorruption);
}

// Example 2 with one miniblock of 128 values per block, its padding left out (as some writers do):
// the values needed are all there, so it decodes.
TEST(DeltaBinaryPacked, DecodesAMiniblockWithoutItsPadding) {
  const Bytes bytes = {0x80, 0x01, 0x01, 0x08, 0x0E, 0x03, 0x02, 0xC0, 0x3F};
  EXPECT_EQ(Decode(bytes), (std::vector<int64_t>{7, 5, 3, 1, 2, 3, 4, 5}));
  // One byte fewer and the last value is missing.
  DeltaBinaryPackedDecoder decoder;
  ASSERT_TRUE(decoder.Reset(bytes.data(), bytes.size() - 1).ok());
  int64_t out[8];
  EXPECT_EQ(decoder.Decode(out, 8).code(), Status::Code::kCorruption);
}

// "readers must accept arbitrary values" for the bit widths of miniblocks after the last value.
TEST(DeltaBinaryPacked, UnusedMiniblockWidthsMayBeAnything) {
  const Bytes bytes = {0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0x00, 0xFF, 0x41, 0x07};
  EXPECT_EQ(Decode(bytes), (std::vector<int64_t>{1, 2, 3, 4, 5}));
}

// ---- Round trips --------------------------------------------------------------------------------

TEST(DeltaBinaryPacked, RoundTripsTimestampsOfEveryLength) {
  std::mt19937_64 rng(1);
  for (size_t n : kLengths) {
    std::vector<int64_t> ts(n);
    int64_t now = 1768503600000000;  // 2026-01-15T19:00:00Z in microseconds
    for (auto& v : ts) v = now += 1000 + static_cast<int64_t>(rng() % 200) - 100;
    ExpectRoundTrip(ts, "timestamps");
  }
}

TEST(DeltaBinaryPacked, RoundTripsRandomValuesOfEveryLength) {
  std::mt19937_64 rng(2);
  for (size_t n : kLengths) {
    std::vector<int64_t> values(n);
    for (auto& v : values) v = static_cast<int64_t>(rng());
    ExpectRoundTrip(values, "random");
    for (auto& v : values) v = static_cast<int64_t>(rng() % 1000) - 500;
    ExpectRoundTrip(values, "small");
  }
}

TEST(DeltaBinaryPacked, RoundTripsEveryDeltaBitWidth) {
  std::mt19937_64 rng(3);
  for (int width = 0; width <= 64; ++width) {
    std::vector<int64_t> values(300);
    uint64_t value = rng();
    for (auto& v : values) {
      uint64_t delta = width == 64 ? rng() : rng() & ((uint64_t{1} << width) - 1);
      v = static_cast<int64_t>(value += delta);
    }
    ExpectRoundTrip(values, "width");
  }
}

// Deltas between INT64_MIN and INT64_MAX overflow int64; modulo 2^64 they round-trip.
TEST(DeltaBinaryPacked, RoundTripsExtremesWithWrappingDeltas) {
  ExpectRoundTrip({kMin, kMax, kMin, kMax, 0, -1, 1, kMax, kMax, kMin, kMin, 0}, "extremes");
  std::vector<int64_t> alternating(1000);
  for (size_t i = 0; i < alternating.size(); ++i) alternating[i] = i % 2 ? kMax : kMin;
  ExpectRoundTrip(alternating, "alternating");
  ExpectRoundTrip({kMax}, "one");
  ExpectRoundTrip({kMin, kMin + 1, kMax - 1, kMax}, "edges");
  std::vector<int64_t> descending(500);
  for (size_t i = 0; i < descending.size(); ++i) descending[i] = kMax - static_cast<int64_t>(i) * 1000003;
  ExpectRoundTrip(descending, "descending");
}

TEST(DeltaBinaryPacked, EqualValuesCostOnlyHeaders) {
  for (size_t n : kLengths) {
    std::vector<int64_t> values(n, -42);
    ExpectRoundTrip(values, "equal");
    size_t blocks = n <= 1 ? 0 : (n - 1 + 127) / 128;
    // Header: 2 + 1 + varint(n) + 1 (zigzag -42 = 83); each block: min delta 0 (1 byte) + 4 widths.
    size_t count_bytes = n < 128 ? 1 : n < 16384 ? 2 : 3;
    EXPECT_EQ(Encode(values).size(), 2 + 1 + count_bytes + 1 + 5 * blocks) << n;
  }
}

TEST(DeltaBinaryPacked, ValuesArriveInAnySlices) {
  std::mt19937_64 rng(4);
  std::vector<int64_t> values(5000);
  for (auto& v : values) v = static_cast<int64_t>(rng() % 100000);
  Bytes whole = Encode(values);
  ByteBuffer buffer;
  buffer.append("xyz", 3);  // Begin appends
  DeltaBinaryPackedEncoder encoder;
  for (int round = 0; round < 2; ++round) {  // and the encoder is reusable
    buffer.resize(3);
    encoder.Begin(&buffer);
    for (size_t at = 0, step = 1; at < values.size(); step = step % 300 + 7) {
      size_t n = std::min(step, values.size() - at);
      encoder.PutMany(values.data() + at, n);
      at += n;
    }
    encoder.Finish();
    EXPECT_EQ(Bytes(buffer.data() + 3, buffer.data() + buffer.size()), whole);
  }
}

// INT32 columns wrap modulo 2^32: a writer going from INT32_MIN to INT32_MAX stores the delta -1.
TEST(DeltaBinaryPacked, Int32DecodingWrapsModulo2To32) {
  // header: 128, 4 miniblocks, 2 values, first value INT32_MIN (zigzag 2^32 - 1); block: min delta -1
  // (zigzag 1), widths 0.
  const Bytes bytes = {0x80, 0x01, 0x04, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01, 0x00, 0x00, 0x00, 0x00};
  DeltaBinaryPackedDecoder decoder;
  ASSERT_TRUE(decoder.Reset(bytes.data(), bytes.size()).ok());
  int32_t out[2];
  ASSERT_TRUE(decoder.Decode(out, 2).ok());
  EXPECT_EQ(out[0], std::numeric_limits<int32_t>::min());
  EXPECT_EQ(out[1], std::numeric_limits<int32_t>::max());

  std::mt19937_64 rng(5);
  std::vector<int64_t> wide(1000);
  for (auto& v : wide) v = static_cast<int32_t>(rng());
  Bytes encoded = Encode(wide);
  ASSERT_TRUE(decoder.Reset(encoded.data(), encoded.size()).ok());
  std::vector<int32_t> narrow(wide.size());
  ASSERT_TRUE(decoder.Decode(narrow.data(), 10).ok());
  ASSERT_TRUE(decoder.Decode(narrow.data() + 10, narrow.size() - 10).ok());
  EXPECT_TRUE(std::equal(wide.begin(), wide.end(), narrow.begin()));
}

// ---- Hostile and broken input -------------------------------------------------------------------

TEST(DeltaBinaryPacked, HostileHeadersAreCorrupt) {
  struct Case {
    const char* what;
    Bytes bytes;
  };
  const Case cases[] = {
      {"empty", {}},
      {"cut in the header", {0x80, 0x01, 0x04}},
      {"block size 0", {0x00, 0x04, 0x05, 0x02}},
      {"block size 129", {0x81, 0x01, 0x04, 0x05, 0x02}},
      {"block size 2^21", {0x80, 0x80, 0x80, 0x01, 0x04, 0x05, 0x02}},
      {"no miniblocks", {0x80, 0x01, 0x00, 0x05, 0x02}},
      {"miniblocks not dividing the block", {0x80, 0x01, 0x03, 0x05, 0x02}},
      {"miniblocks of 16 values", {0x80, 0x01, 0x08, 0x05, 0x02}},
      {"2^32 values in a few bytes",
       {0x80, 0x01, 0x04, 0x80, 0x80, 0x80, 0x80, 0x10, 0x02, 0x02, 0, 0, 0, 0}},
      {"2^63 values", {0x80, 0x01, 0x04, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x02}},
      {"varint above 2^64",
       {0x80, 0x01, 0x04, 0x05, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F}},
      {"varint of 11 bytes",
       {0x80, 0x01, 0x04, 0x05, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}},
  };
  for (const Case& c : cases) {
    Bytes exact = c.bytes;
    DeltaBinaryPackedDecoder decoder;
    Status st = decoder.Reset(exact.data(), exact.size());
    EXPECT_EQ(st.code(), Status::Code::kCorruption) << c.what;
    EXPECT_EQ(st.message().rfind("DELTA_BINARY_PACKED: ", 0), 0u) << st.message();
  }
}

TEST(DeltaBinaryPacked, BitWidthsAbove64AreCorrupt) {
  const Bytes wide = {0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0x41, 0x00, 0x00, 0x00};  // width 65
  DeltaBinaryPackedDecoder decoder;
  ASSERT_TRUE(decoder.Reset(wide.data(), wide.size()).ok());
  int64_t out[5];
  EXPECT_EQ(decoder.Decode(out, 5).code(), Status::Code::kCorruption);
  // Width 64 is fine.
  Bytes full = {0x80, 0x01, 0x04, 0x02, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00};
  full.resize(full.size() + 32 * 8, 0xFF);
  ASSERT_TRUE(decoder.Reset(full.data(), full.size()).ok());
  ASSERT_TRUE(decoder.Decode(out, 2).ok());
  EXPECT_EQ(out[1], -1);  // 0 + (0 + 0xFFFF...) modulo 2^64
}

TEST(DeltaBinaryPacked, AskingForMoreThanStoredIsCorrupt) {
  Bytes bytes = Encode({1, 2, 3});
  DeltaBinaryPackedDecoder decoder;
  ASSERT_TRUE(decoder.Reset(bytes.data(), bytes.size()).ok());
  int64_t out[4];
  EXPECT_EQ(decoder.Decode(out, 4).code(), Status::Code::kCorruption);
  ASSERT_TRUE(decoder.Decode(out, 3).ok());
  EXPECT_EQ(decoder.Decode(out, 1).code(), Status::Code::kCorruption);
  EXPECT_TRUE(decoder.Decode(out, 0).ok());
}

// Every cut either fails cleanly or, when it falls in the last miniblock's padding, decodes to the
// right values; nothing is read past the end (exact-size copies: ASan checks).
TEST(DeltaBinaryPacked, EveryTruncationFailsCleanly) {
  std::mt19937_64 rng(6);
  std::vector<int64_t> values(300);
  for (auto& v : values) v = static_cast<int64_t>(rng() % 1000000);
  Bytes bytes = Encode(values);
  size_t decoded_cuts = 0;
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    Bytes prefix(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(cut));
    DeltaBinaryPackedDecoder decoder;
    Status st = decoder.Reset(prefix.data(), prefix.size());
    if (!st.ok()) {
      EXPECT_EQ(st.code(), Status::Code::kCorruption);
      continue;
    }
    ASSERT_EQ(decoder.total_values(), values.size());
    std::vector<int64_t> out(values.size());
    st = decoder.Decode(out.data(), out.size());
    if (st.ok()) {
      EXPECT_EQ(out, values) << "cut " << cut;
      ++decoded_cuts;
    } else {
      EXPECT_EQ(st.code(), Status::Code::kCorruption);
    }
  }
  // 299 deltas: the last miniblock holds 299 - 288 = 11 values, so its padding is 21 values' bits.
  EXPECT_GT(decoded_cuts, 0u);
}

}  // namespace
}  // namespace delta_binary_packed_test
}  // namespace logdaemon::parquet
