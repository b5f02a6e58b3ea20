#include "parquet/rle_bitpacked.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <vector>

namespace logdaemon::parquet {
namespace rle_bitpacked_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using Bytes = std::vector<uint8_t>;

// An exact-size heap copy, so that ASan reports any read past its end.
Bytes Exact(const ByteBuffer& buffer) {
  return Bytes(buffer.data(), buffer.data() + buffer.size());
}

Bytes Encode(const std::vector<uint32_t>& values, int bit_width) {
  ByteBuffer buffer;
  RleBitPackedEncoder encoder;
  encoder.Begin(&buffer, bit_width);
  encoder.PutMany(values.data(), values.size());
  encoder.Finish();
  return Exact(buffer);
}

// Decodes in uneven steps (1, 4, 13, 40 ...), as pages and batches do, so that bit-packed chunks
// split between calls.
template <typename T>
std::vector<T> DecodeInSteps(const Bytes& bytes, int bit_width, size_t n) {
  RleBitPackedDecoder decoder;
  decoder.Reset(bytes.data(), bytes.size(), bit_width);
  std::vector<T> out(n);
  size_t at = 0;
  for (size_t step = 1; at < n; step = step * 3 + 1) {
    size_t want = std::min(step, n - at);
    EXPECT_EQ(decoder.GetBatch(out.data() + at, want), want) << "at " << at;
    at += want;
  }
  EXPECT_FALSE(decoder.corrupt());
  return out;
}

// Runs of random lengths (1 .. 20) of random values below 2^bit_width.
std::vector<uint32_t> RunsAndLiterals(size_t n, int bit_width, std::mt19937_64* rng) {
  const uint64_t limit = uint64_t{1} << bit_width;
  std::vector<uint32_t> values;
  while (values.size() < n) {
    uint32_t value = static_cast<uint32_t>((*rng)() % limit);
    size_t length = std::min<size_t>(1 + (*rng)() % 20, n - values.size());
    values.insert(values.end(), length, value);
  }
  return values;
}

// ---- Bit packing ---------------------------------------------------------------------------------

TEST(BitPacking, BitWidthOfMaxValue) {
  EXPECT_EQ(BitWidth(0), 0u);
  EXPECT_EQ(BitWidth(1), 1u);
  EXPECT_EQ(BitWidth(2), 2u);
  EXPECT_EQ(BitWidth(255), 8u);
  EXPECT_EQ(BitWidth(256), 9u);
  EXPECT_EQ(BitWidth(0x7FFFFFFFu), 31u);
  EXPECT_EQ(BitWidth(0xFFFFFFFFu), 32u);
}

// Encodings.md: 0 .. 7 with bit width 3 are 10001000 11000110 11111010.
TEST(BitPacking, PacksLeastSignificantBitFirstAsTheSpecificationShows) {
  uint32_t values[32] = {0, 1, 2, 3, 4, 5, 6, 7};
  uint8_t packed[12] = {};
  PackBits32(values, 3, packed);
  EXPECT_EQ(packed[0], 0b10001000);
  EXPECT_EQ(packed[1], 0b11000110);
  EXPECT_EQ(packed[2], 0b11111010);
  for (int i = 3; i < 12; ++i) EXPECT_EQ(packed[i], 0) << i;
}

// Each width writes exactly 4 * width bytes and reads exactly those back (the guard byte stays; the
// exact-size input shows over-reads under ASan).
template <typename T>
void CheckEveryWidth(int max_width) {
  std::mt19937_64 rng(static_cast<uint64_t>(max_width));
  for (int width = 0; width <= max_width; ++width) {
    T values[32];
    for (T& v : values) {
      uint64_t r = rng();
      v = static_cast<T>(width == 64 ? r : r & ((uint64_t{1} << width) - 1));
    }
    if (width > 0) values[31] = static_cast<T>(width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1);
    Bytes packed(4 * static_cast<size_t>(width) + 1, 0xAB);
    if constexpr (sizeof(T) > 1) {
      PackBits32(values, width, packed.data());
    } else {
      uint32_t wide[32];
      std::copy(values, values + 32, wide);
      PackBits32(wide, width, packed.data());
    }
    EXPECT_EQ(packed.back(), 0xAB) << "width " << width << " wrote past 4 * width bytes";
    Bytes exact(packed.begin(), packed.end() - 1);
    T unpacked[32];
    UnpackBits32(exact.data(), width, unpacked);
    EXPECT_TRUE(std::equal(values, values + 32, unpacked)) << "width " << width;
  }
}

TEST(BitPacking, RoundTripsEveryWidthOfEveryValueType) {
  CheckEveryWidth<uint8_t>(8);
  CheckEveryWidth<uint32_t>(32);
  CheckEveryWidth<uint64_t>(64);
}

TEST(BitPacking, DropsBitsAboveTheWidth) {
  uint32_t values[32];
  std::fill(values, values + 32, 0xFFFFFFFFu);
  uint8_t packed[4 * 5];
  PackBits32(values, 5, packed);
  uint32_t unpacked[32];
  UnpackBits32(packed, 5, unpacked);
  for (uint32_t v : unpacked) EXPECT_EQ(v, 31u);
}

// ---- Encoder -------------------------------------------------------------------------------------

TEST(RleBitPacked, RoundTripsEveryBitWidthAndLength) {
  std::mt19937_64 rng(1);
  for (int width = 0; width <= 32; ++width) {
    for (size_t n : {0, 1, 7, 8, 9, 31, 32, 33, 127, 128, 129, 1000, 100000}) {
      std::vector<uint32_t> values = RunsAndLiterals(n, width, &rng);
      Bytes bytes = Encode(values, width);
      ASSERT_EQ(DecodeInSteps<uint32_t>(bytes, width, n), values) << "width " << width << " n " << n;
      if (width <= 8) {
        std::vector<uint8_t> narrow(values.begin(), values.end());
        ASSERT_EQ(DecodeInSteps<uint8_t>(bytes, width, n), narrow) << "width " << width << " n " << n;
      }
    }
  }
}

TEST(RleBitPacked, RoundTripsRandomLiterals) {
  std::mt19937_64 rng(2);
  for (int width : {1, 2, 3, 7, 8, 9, 13, 16, 17, 24, 31, 32}) {
    for (size_t n : {1, 7, 8, 9, 33, 503, 504, 505, 1000, 100000}) {
      std::vector<uint32_t> values(n);
      for (auto& v : values) v = static_cast<uint32_t>(rng() & ((uint64_t{1} << width) - 1));
      ASSERT_EQ(DecodeInSteps<uint32_t>(Encode(values, width), width, n), values) << width << " " << n;
    }
  }
}

// 100 copies of 5 at width 3: header 100 << 1 = 200 as ULEB128 (C8 01), then the value in one byte.
TEST(RleBitPacked, RepeatsBecomeOneRleRun) {
  EXPECT_EQ(Encode(std::vector<uint32_t>(100, 5), 3), (Bytes{0xC8, 0x01, 0x05}));
  // Width 17: the value takes ceil(17 / 8) = 3 bytes, little-endian.
  EXPECT_EQ(Encode(std::vector<uint32_t>(8, 0x1ABCD), 17), (Bytes{0x10, 0xCD, 0xAB, 0x01}));
  // Width 0: no value bytes at all.
  EXPECT_EQ(Encode(std::vector<uint32_t>(9, 0), 0), (Bytes{0x12}));
}

// Encodings.md's example, as a run: one group of 8 → header (1 << 1) | 1, then 3 bytes.
TEST(RleBitPacked, DistinctValuesBecomeOneBitPackedGroup) {
  EXPECT_EQ(Encode({0, 1, 2, 3, 4, 5, 6, 7}, 3), (Bytes{0x03, 0x88, 0xC6, 0xFA}));
  // Fewer than 8 values: the group is padded with zeros.
  EXPECT_EQ(Encode({1, 0, 1}, 1), (Bytes{0x03, 0x05}));
}

// A repeat shorter than 8 stays among the literals.
TEST(RleBitPacked, ShortRepeatsStayLiterals) {
  EXPECT_EQ(Encode({1, 1, 1, 1, 1, 1, 1, 0}, 1), (Bytes{0x03, 0x7F}));
}

// Literals, then a long run: the run first tops the literals up to a whole group.
TEST(RleBitPacked, RleRunStartsOnAGroupBoundary) {
  std::vector<uint32_t> values = {2, 3, 2};
  values.insert(values.end(), 20, 1);
  // The group 2 3 2 1 | 1 1 1 1 at width 2, LSB first: 0b01'10'11'10 = 0x6E, 0b01'01'01'01 = 0x55.
  // Then an RLE run of the 15 ones left: header 15 << 1 = 0x1E, value 0x01.
  EXPECT_EQ(Encode(values, 2), (Bytes{0x03, 0x6E, 0x55, 0x1E, 0x01}));
  EXPECT_EQ(DecodeInSteps<uint32_t>(Encode(values, 2), 2, values.size()), values);
}

// A bit-packed run holds at most 63 groups (504 values), so its header is always one byte.
TEST(RleBitPacked, BitPackedRunsAreBoundedToOneByteHeaders) {
  std::vector<uint32_t> values(1000);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<uint32_t>(i % 1024);
  Bytes bytes = Encode(values, 10);
  ASSERT_GE(bytes.size(), 1 + 63 * 10u);
  EXPECT_EQ(bytes[0], (63 << 1) | 1);
  EXPECT_EQ(bytes[1 + 63 * 10], ((1000 - 504 + 7) / 8) << 1 | 1);
  EXPECT_EQ(bytes.size(), 1 + 63 * 10 + 1 + 62 * 10u);
}

TEST(RleBitPacked, PutRepeatedIsOneRun) {
  ByteBuffer buffer;
  RleBitPackedEncoder encoder;
  encoder.Begin(&buffer, 1);
  encoder.PutRepeated(1, 1'000'000);
  encoder.Finish();
  // 1'000'000 << 1 = 2'000'000 = ULEB128 80 89 7A, then the value.
  EXPECT_EQ(Exact(buffer), (Bytes{0x80, 0x89, 0x7A, 0x01}));
}

// Runs longer than 2^31 - 1 (the specification's limit) are split.
TEST(RleBitPacked, RunsLongerThanTheSpecificationsLimitAreSplit) {
  ByteBuffer buffer;
  RleBitPackedEncoder encoder;
  encoder.Begin(&buffer, 1);
  encoder.PutRepeated(1, size_t{3'000'000'000});
  encoder.Finish();
  // (2^31 - 1) << 1 = 0xFFFFFFFE → FE FF FF FF 0F; the rest: 852'516'353 << 1 = 1'705'032'706.
  Bytes expected = {0xFE, 0xFF, 0xFF, 0xFF, 0x0F, 0x01};
  uint64_t rest = (3'000'000'000ULL - 2147483647ULL) << 1;
  while (rest >= 0x80) {
    expected.push_back(static_cast<uint8_t>(rest | 0x80));
    rest >>= 7;
  }
  expected.push_back(static_cast<uint8_t>(rest));
  expected.push_back(0x01);
  EXPECT_EQ(Exact(buffer), expected);
}

// However the values arrive (one by one, in slices, as repeats), the bytes are the same.
TEST(RleBitPacked, PutPutManyAndPutRepeatedAgree) {
  std::mt19937_64 rng(3);
  std::vector<uint32_t> values = RunsAndLiterals(5000, 4, &rng);
  Bytes whole = Encode(values, 4);

  ByteBuffer one_by_one;
  RleBitPackedEncoder encoder;
  encoder.Begin(&one_by_one, 4);
  for (uint32_t v : values) encoder.Put(v);
  encoder.Finish();
  EXPECT_EQ(Exact(one_by_one), whole);

  ByteBuffer mixed;
  encoder.Begin(&mixed, 4);
  size_t i = 0;
  while (i < values.size()) {
    size_t run = 1;
    while (i + run < values.size() && values[i + run] == values[i]) ++run;
    if (run > 3) {
      encoder.PutRepeated(values[i], run);
    } else {
      std::vector<uint8_t> narrow(values.begin() + static_cast<ptrdiff_t>(i),
                                  values.begin() + static_cast<ptrdiff_t>(i + run));
      encoder.PutMany(narrow.data(), narrow.size());
    }
    i += run;
  }
  encoder.Finish();
  EXPECT_EQ(Exact(mixed), whole);
}

TEST(RleBitPacked, BeginAppendsAndTheEncoderIsReusable) {
  ByteBuffer buffer;
  buffer.append("xy", 2);
  RleBitPackedEncoder encoder;
  encoder.Begin(&buffer, 3);
  encoder.PutMany(std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 6, 7}.data(), 8);
  encoder.Finish();
  encoder.Begin(&buffer, 3);
  encoder.PutRepeated(5, 100);
  encoder.Finish();
  EXPECT_EQ(Exact(buffer), (Bytes{'x', 'y', 0x03, 0x88, 0xC6, 0xFA, 0xC8, 0x01, 0x05}));
}

TEST(RleBitPacked, AllPresentLevelsAreTiny) {
  std::vector<uint8_t> levels(100000, 1);
  ByteBuffer buffer;
  RleBitPackedEncoder encoder;
  encoder.Begin(&buffer, 1);
  encoder.PutMany(levels.data(), levels.size());
  encoder.Finish();
  EXPECT_EQ(Exact(buffer), (Bytes{0xC0, 0x9A, 0x0C, 0x01}));  // 200000 as ULEB128, value 1
}

// ---- Decoder -------------------------------------------------------------------------------------

TEST(RleBitPacked, DecodesAnEmptyInputToNothing) {
  RleBitPackedDecoder decoder;
  decoder.Reset(nullptr, 0, 5);
  uint32_t out[4];
  EXPECT_EQ(decoder.GetBatch(out, 4), 0u);
  EXPECT_FALSE(decoder.corrupt());
}

// A run may claim more values than the caller wants (the last group's padding): only those are read.
TEST(RleBitPacked, CallersTakeOnlyWhatTheyNeed) {
  Bytes bytes = {0x03, 0x88, 0xC6, 0xFA};  // 8 values
  RleBitPackedDecoder decoder;
  decoder.Reset(bytes.data(), bytes.size(), 3);
  uint32_t out[8];
  EXPECT_EQ(decoder.GetBatch(out, 5), 5u);
  EXPECT_EQ(std::vector<uint32_t>(out, out + 5), (std::vector<uint32_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(decoder.bytes_consumed(), 4u);
  EXPECT_EQ(decoder.GetBatch(out, 8), 3u);  // the rest of the group, then the end
  EXPECT_FALSE(decoder.corrupt());
  // A huge RLE run is filled lazily.
  Bytes huge = {0xFE, 0xFF, 0xFF, 0xFF, 0x0F, 0x01};
  decoder.Reset(huge.data(), huge.size(), 1);
  EXPECT_EQ(decoder.GetBatch(out, 8), 8u);
  EXPECT_FALSE(decoder.corrupt());
}

// Writers have dropped the padding bytes of the last group: what is there decodes; more is corruption.
TEST(RleBitPacked, CutPaddingDecodesWhatIsThere) {
  Bytes bytes = {0x03, 10, 20, 30};  // one group of 8 at width 8, cut after 3 values
  RleBitPackedDecoder decoder;
  decoder.Reset(bytes.data(), bytes.size(), 8);
  uint8_t out[8];
  EXPECT_EQ(decoder.GetBatch(out, 3), 3u);
  EXPECT_FALSE(decoder.corrupt());
  EXPECT_EQ(std::vector<uint8_t>(out, out + 3), (std::vector<uint8_t>{10, 20, 30}));
  EXPECT_EQ(decoder.GetBatch(out, 1), 0u);
  EXPECT_TRUE(decoder.corrupt());
  // Nothing there at all.
  Bytes header_only = {0x03};
  decoder.Reset(header_only.data(), header_only.size(), 8);
  EXPECT_EQ(decoder.GetBatch(out, 1), 0u);
  EXPECT_TRUE(decoder.corrupt());
}

// Every cut of a valid stream either yields all values (only inside the last group's padding) or a
// correct prefix of them; no cut reads past the end (the copies are exact-size: ASan checks).
TEST(RleBitPacked, EveryTruncationFailsCleanly) {
  std::mt19937_64 rng(4);
  for (int width : {1, 3, 8, 10, 20, 32}) {
    std::vector<uint32_t> values = RunsAndLiterals(700, width, &rng);
    Bytes bytes = Encode(values, width);
    for (size_t cut = 0; cut < bytes.size(); ++cut) {
      Bytes prefix(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(cut));
      RleBitPackedDecoder decoder;
      decoder.Reset(prefix.data(), prefix.size(), width);
      std::vector<uint32_t> out(values.size());
      size_t got = decoder.GetBatch(out.data(), out.size());
      ASSERT_TRUE(std::equal(out.begin(), out.begin() + static_cast<ptrdiff_t>(got), values.begin()))
          << "width " << width << " cut " << cut;
      if (got == values.size()) {
        EXPECT_GE(cut + static_cast<size_t>(width), bytes.size()) << "only padding may be missing";
      }
      EXPECT_LE(decoder.bytes_consumed(), cut);
    }
  }
}

TEST(RleBitPacked, HostileHeadersAreCorrupt) {
  struct Case {
    const char* what;
    Bytes bytes;
    int width;
  };
  const Case cases[] = {
      {"RLE value wider than the bit width", {0x02, 0x02}, 1},
      {"RLE value cut off", {0x02, 0x34}, 12},
      {"RLE run of zero values", {0x00, 0x01}, 1},
      {"bit-packed run of zero groups", {0x01, 0x00}, 1},
      {"header that never ends", {0xFF, 0xFF, 0xFF}, 1},
      {"header over five bytes", {0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x01}, 1},
      {"RLE run of 2^31 values", {0x80, 0x80, 0x80, 0x80, 0x10, 0x01}, 1},
      {"bit-packed run of 2^28 groups (2^31 values)", {0x81, 0x80, 0x80, 0x80, 0x02, 0x00}, 1},
  };
  for (const Case& c : cases) {
    RleBitPackedDecoder decoder;
    decoder.Reset(c.bytes.data(), c.bytes.size(), c.width);
    uint32_t out[4];
    EXPECT_EQ(decoder.GetBatch(out, 1), 0u) << c.what;
    EXPECT_TRUE(decoder.corrupt()) << c.what;
  }
  // Bit widths outside 0 .. 32.
  Bytes run = {0x02, 0x01};
  for (int width : {-1, 33, 255}) {
    RleBitPackedDecoder decoder;
    decoder.Reset(run.data(), run.size(), width);
    uint32_t out[1];
    EXPECT_EQ(decoder.GetBatch(out, 1), 0u) << width;
    EXPECT_TRUE(decoder.corrupt()) << width;
  }
}

// Bytes out of a width above 8: fine while the values fit, corrupt once one does not.
TEST(RleBitPacked, NarrowOutputChecksEachValue) {
  Bytes small = Encode({1, 2, 3, 255, 7, 7, 7, 7, 7, 7, 7, 7, 7}, 9);
  EXPECT_EQ(DecodeInSteps<uint8_t>(small, 9, 13),
            (std::vector<uint8_t>{1, 2, 3, 255, 7, 7, 7, 7, 7, 7, 7, 7, 7}));
  Bytes large = Encode({1, 2, 256}, 9);
  RleBitPackedDecoder decoder;
  decoder.Reset(large.data(), large.size(), 9);
  uint8_t out[3];
  EXPECT_EQ(decoder.GetBatch(out, 3), 2u);
  EXPECT_TRUE(decoder.corrupt());
}

TEST(RleBitPacked, BytesConsumedEndsAtTheLastRunRead) {
  std::vector<uint32_t> values(16, 3);
  values.push_back(1);
  Bytes bytes = Encode(values, 2);  // RLE run (2 bytes), then one bit-packed group (1 + 2 bytes)
  ASSERT_EQ(bytes.size(), 5u);
  RleBitPackedDecoder decoder;
  decoder.Reset(bytes.data(), bytes.size(), 2);
  uint32_t out[17];
  EXPECT_EQ(decoder.GetBatch(out, 16), 16u);
  EXPECT_EQ(decoder.bytes_consumed(), 2u);
  EXPECT_EQ(decoder.GetBatch(out, 1), 1u);
  EXPECT_EQ(decoder.bytes_consumed(), 5u);
}

// ---- Reading values far apart (ReadAhead) --------------------------------------------------------

// ReadAhead at random gaps, mixed with GetBatch, gives the values a plain decode gives: every width,
// runs of every kind and length, gaps inside a group, across groups, runs and whole runs.
TEST(RleBitPacked, ReadAheadMatchesAPlainDecode) {
  std::mt19937_64 rng(21);
  for (int width = 0; width <= 32; ++width) {
    for (size_t n : {1, 7, 8, 9, 100, 1000, 5000}) {
      std::vector<uint32_t> values = RunsAndLiterals(n, width, &rng);
      // Some long literal stretches too, so that bit-packed runs of many groups occur.
      for (size_t i = 0; i < n; i += 3) {
        values[i] = static_cast<uint32_t>(rng() & (width == 32 ? ~0u : (1u << width) - 1));
      }
      Bytes bytes = Encode(values, width);
      for (size_t max_gap : {1, 3, 9, 40, 700}) {
        RleBitPackedDecoder decoder;
        decoder.Reset(bytes.data(), bytes.size(), width);
        size_t at = 0;  // values passed so far
        while (true) {
          const size_t gap = rng() % max_gap;
          if (rng() % 4 == 0) {
            // A batch now and then: ReadAhead and GetBatch share the decoder's state.
            uint32_t batch[5];
            const size_t want = std::min<size_t>(1 + rng() % 5, n - at);
            ASSERT_EQ(decoder.GetBatch(batch, want), want);
            for (size_t k = 0; k < want; ++k) ASSERT_EQ(batch[k], values[at + k]);
            at += want;
            if (at == n) break;
            continue;
          }
          uint32_t value = 0xDEADBEEF;
          if (at + gap >= n) {
            // Past the values: only the zero padding of the last bit-packed group may follow.
            if (decoder.ReadAhead(gap, &value)) {
              EXPECT_LT(at + gap, n + 7) << "width " << width << " n " << n;
              EXPECT_EQ(value, 0u);
            }
            break;
          }
          ASSERT_TRUE(decoder.ReadAhead(gap, &value)) << "width " << width << " at " << at << " gap " << gap;
          ASSERT_EQ(value, values[at + gap])
              << "width " << width << " n " << n << " at " << at << " gap " << gap;
          at += gap + 1;
          if (at == n) break;
        }
        EXPECT_FALSE(decoder.corrupt());
      }
    }
  }
}

// A gap past the end, or into bad data, is false, never an over-read (exact-size copies: ASan).
TEST(RleBitPacked, ReadAheadOnHostileInputFailsCleanly) {
  std::mt19937_64 rng(22);
  for (int width : {1, 3, 4, 8, 13, 32}) {
    std::vector<uint32_t> values = RunsAndLiterals(600, width, &rng);
    Bytes bytes = Encode(values, width);
    for (size_t cut = 0; cut < bytes.size(); ++cut) {
      Bytes prefix(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(cut));
      // What a plain decode of the cut stream delivers: ReadAhead agrees on every value of it.
      RleBitPackedDecoder plain;
      plain.Reset(prefix.data(), prefix.size(), width);
      std::vector<uint32_t> delivered(values.size());
      delivered.resize(plain.GetBatch(delivered.data(), delivered.size()));
      RleBitPackedDecoder decoder;
      decoder.Reset(prefix.data(), prefix.size(), width);
      size_t at = 0;
      while (true) {
        const size_t gap = rng() % 50;
        uint32_t value = 0;
        const bool ok = decoder.ReadAhead(gap, &value);
        if (at + gap >= delivered.size()) {
          // Nothing past what a plain decode delivers, but the zero padding after the last value.
          if (ok) {
            ASSERT_EQ(delivered.size(), values.size()) << "width " << width << " cut " << cut;
            ASSERT_LT(at + gap, values.size() + 7);
            ASSERT_EQ(value, 0u);
          }
          break;
        }
        ASSERT_TRUE(ok) << "width " << width << " cut " << cut;
        ASSERT_EQ(value, values[at + gap]);
        at += gap + 1;
      }
    }
  }
  // Hostile headers: zero-length runs, huge runs, values wider than the width, headers that never end.
  const Bytes hostile[] = {{0x00, 0x01},
                           {0x01, 0x00},
                           {0x02, 0x02},
                           {0xFF, 0xFF, 0xFF},
                           {0x80, 0x80, 0x80, 0x80, 0x10, 0x01},
                           {0x81, 0x80, 0x80, 0x80, 0x02, 0x00}};
  for (const Bytes& bytes : hostile) {
    RleBitPackedDecoder decoder;
    decoder.Reset(bytes.data(), bytes.size(), 1);
    uint32_t value;
    EXPECT_FALSE(decoder.ReadAhead(0, &value));
    EXPECT_TRUE(decoder.corrupt());
    EXPECT_FALSE(decoder.ReadAhead(5, &value));
  }
  // A huge RLE run is passed in O(1); a huge gap past it fails.
  Bytes huge = {0xFE, 0xFF, 0xFF, 0xFF, 0x0F, 0x01};  // 2^31 - 1 ones
  RleBitPackedDecoder decoder;
  decoder.Reset(huge.data(), huge.size(), 1);
  uint32_t value = 0;
  ASSERT_TRUE(decoder.ReadAhead((size_t{1} << 31) - 3, &value));
  EXPECT_EQ(value, 1u);
  EXPECT_TRUE(decoder.ReadAhead(0, &value));
  EXPECT_FALSE(decoder.ReadAhead(0, &value));
  EXPECT_FALSE(decoder.corrupt());
}

// ---- Data page v1 levels -------------------------------------------------------------------------

TEST(LevelsV1, CarryTheirLength) {
  std::vector<uint8_t> levels = {1, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0};
  ByteBuffer buffer;
  buffer.append("ab", 2);
  EncodeLevelsV1(levels.data(), levels.size(), &buffer);
  buffer.append("trailing values", 15);
  Bytes bytes = Exact(buffer);
  std::vector<uint8_t> out(levels.size());
  size_t consumed = 0;
  ASSERT_TRUE(DecodeLevelsV1(bytes.data() + 2, bytes.size() - 2, levels.size(), out.data(), &consumed).ok());
  EXPECT_EQ(out, levels);
  EXPECT_EQ(consumed, bytes.size() - 2 - 15);
  uint32_t length;
  std::memcpy(&length, bytes.data() + 2, 4);
  EXPECT_EQ(length, consumed - 4);
}

TEST(LevelsV1, RoundTripLengths) {
  std::mt19937_64 rng(5);
  for (size_t n : {0, 1, 7, 8, 9, 31, 32, 33, 127, 128, 129, 1000, 100000}) {
    std::vector<uint8_t> levels(n);
    for (size_t i = 0; i < n; ++i) levels[i] = (i / 50) % 3 == 0 ? 1 : static_cast<uint8_t>(rng() & 1);
    ByteBuffer buffer;
    EncodeLevelsV1(levels.data(), n, &buffer);
    Bytes bytes = Exact(buffer);
    std::vector<uint8_t> out(n);
    size_t consumed = 0;
    ASSERT_TRUE(DecodeLevelsV1(bytes.data(), bytes.size(), n, out.data(), &consumed).ok()) << n;
    EXPECT_EQ(out, levels) << n;
    EXPECT_EQ(consumed, bytes.size());
  }
}

TEST(LevelsV1, BadLengthsAreCorrupt) {
  std::vector<uint8_t> levels(40, 1);
  levels[3] = 0;
  ByteBuffer buffer;
  EncodeLevelsV1(levels.data(), levels.size(), &buffer);
  Bytes bytes = Exact(buffer);
  std::vector<uint8_t> out(levels.size() + 1);
  size_t consumed = 0;
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    Bytes prefix(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(cut));
    Status st = DecodeLevelsV1(prefix.data(), prefix.size(), levels.size(), out.data(), &consumed);
    EXPECT_EQ(st.code(), Status::Code::kCorruption) << cut;
  }
  // More levels than encoded.
  Status st = DecodeLevelsV1(bytes.data(), bytes.size(), levels.size() + 8, out.data(), &consumed);
  EXPECT_EQ(st.code(), Status::Code::kCorruption);
  // A length prefix claiming 4 GiB.
  Bytes huge = {0xFF, 0xFF, 0xFF, 0xFF, 0x02, 0x01};
  EXPECT_FALSE(DecodeLevelsV1(huge.data(), huge.size(), 1, out.data(), &consumed).ok());
}

}  // namespace
}  // namespace rle_bitpacked_test
}  // namespace logdaemon::parquet
