#include "parquet/compression.h"

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <cstdint>

#include <random>
#include <string>

namespace logdaemon::parquet {
namespace compression_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

const Codec kWritable[] = {Codec::kUncompressed, Codec::kSnappy, Codec::kGzip, Codec::kZstd, Codec::kLz4Raw};

std::string RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

TEST(Compression, EveryWritableCodecRoundTrips) {
  std::string repetitive;
  while (repetitive.size() < (1 << 20)) repetitive += "2026-01-15T19:00:00Z info request served in 12 ms\n";
  for (Codec codec : kWritable) {
    Compressor compressor(codec, 0);
    Decompressor decompressor;
    for (const std::string& input : {std::string(), std::string("x"), RandomBytes(1 << 20, 1), repetitive}) {
      ByteBuffer compressed, restored;
      ASSERT_TRUE(
          compressor.Compress(reinterpret_cast<const uint8_t*>(input.data()), input.size(), &compressed)
              .ok());
      Status st =
          decompressor.Decompress(codec, compressed.data(), compressed.size(), input.size(), &restored);
      ASSERT_TRUE(st.ok()) << CodecName(codec) << ": " << st.ToString();
      EXPECT_EQ(restored.view(), input) << CodecName(codec);
    }
  }
}

// Log-like text with some entropy: what makes zstd's higher levels build their big tables.
std::string LogLines(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s;
  while (s.size() < n) {
    s += "{\"level\":\"info\",\"message\":\"user " + std::to_string(rng() % 100000) + " took " +
         std::to_string(rng() % 2000) + " ms\",\"trace_id\":\"" + std::to_string(rng()) + "\"}\n";
  }
  s.resize(n);
  return s;
}

// Uncapped, a zstd context takes 12.5 MiB at level 9 and 17 MiB at level 19 for a 1 MiB page, and
// 81-129 MiB at levels 19-22 for an 8 MiB one (a big dictionary page): outside any memory budget.
TEST(Compression, ZstdContextsStaySmallAtEveryLevel) {
  const std::string page = LogLines(1 << 20, 3), big_page = LogLines(8 << 20, 4);
  for (int level : {1, 3, 6, 9, 15, 19, 22}) {
    Compressor compressor(Codec::kZstd, level);
    Decompressor decompressor;
    for (const std::string* input : {&page, &big_page}) {
      ByteBuffer compressed, restored;
      ASSERT_TRUE(
          compressor.Compress(reinterpret_cast<const uint8_t*>(input->data()), input->size(), &compressed)
              .ok());
      EXPECT_LE(compressor.context_bytes(), size_t{5} << 20)
          << "level " << level << ", a page of " << input->size() << " bytes";
      ASSERT_TRUE(
          decompressor
              .Decompress(Codec::kZstd, compressed.data(), compressed.size(), input->size(), &restored)
              .ok());
      EXPECT_EQ(restored.view(), *input) << "level " << level;
    }
  }
  // The caps lower only what the levels from 5 up would take: below, the output is zstd's own.
  for (int level : {1, 3, 4}) {
    Compressor compressor(Codec::kZstd, level);
    ByteBuffer ours;
    ASSERT_TRUE(compressor.Compress(reinterpret_cast<const uint8_t*>(page.data()), page.size(), &ours).ok());
    std::string theirs(ZSTD_compressBound(page.size()), '\0');
    theirs.resize(ZSTD_compress(theirs.data(), theirs.size(), page.data(), page.size(), level));
    EXPECT_TRUE(ours.view() == theirs)
        << "level " << level << ": " << ours.size() << " bytes, zstd's own " << theirs.size();
  }
  // Higher levels still compress better.
  size_t previous = SIZE_MAX;
  for (int level : {3, 9, 19}) {
    Compressor compressor(Codec::kZstd, level);
    ByteBuffer out;
    ASSERT_TRUE(compressor.Compress(reinterpret_cast<const uint8_t*>(page.data()), page.size(), &out).ok());
    EXPECT_LT(out.size(), previous) << "level " << level;
    previous = out.size();
  }
}

// Random hex, as trace ids are: 4 bits of entropy a byte.
std::string RandomHex(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '0');
  for (auto& c : s) c = "0123456789abcdef"[rng() % 16];
  return s;
}

TEST(Compression, SmallAlphabetsAreIdsAndNumbersNotText) {
  auto small = [](const std::string& s) {
    return SmallAlphabet(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  };
  EXPECT_TRUE(small(RandomHex(1 << 20, 1)));
  EXPECT_TRUE(small(std::string(5000, '7')));
  EXPECT_TRUE(small("0123456789-.:TZ"));
  EXPECT_FALSE(small(LogLines(1 << 20, 2)));
  EXPECT_FALSE(small(RandomBytes(4096, 3)));
  EXPECT_FALSE(small(std::string()));
  // Only the last 4 KiB are looked at: text before them does not count.
  EXPECT_TRUE(small(LogLines(10000, 4) + RandomHex(4096, 5)));
}

// zstd's levels 3-15 take matches from 5 bytes (some from 4); in random hex most of those are
// coincidences that cost more than the literals, and the output ends 3-5 % above the entropy (under
// 1 % without them).
TEST(Compression, SmallAlphabetPagesSkipShortMatches) {
  const std::string hex = RandomHex(640000, 6);
  const std::string text = LogLines(1 << 20, 7);
  const auto* hex_data = reinterpret_cast<const uint8_t*>(hex.data());
  const auto* text_data = reinterpret_cast<const uint8_t*>(text.data());
  for (int level : {1, 3, 6, 9, 19}) {
    Compressor compressor(Codec::kZstd, level);
    Decompressor decompressor;
    ByteBuffer plain, small, restored;
    ASSERT_TRUE(compressor.Compress(hex_data, hex.size(), &plain).ok());
    ASSERT_TRUE(compressor.Compress(hex_data, hex.size(), &small, /*small_alphabet=*/true).ok());
    EXPECT_LE(small.size(), plain.size()) << "level " << level;
    EXPECT_LT(small.size(), hex.size() / 2 * 1010 / 1000)
        << "level " << level << ": within 1 % of the entropy";
    ASSERT_TRUE(
        decompressor.Decompress(Codec::kZstd, small.data(), small.size(), hex.size(), &restored).ok());
    EXPECT_EQ(restored.view(), hex);
    if (level == 3 || level == 9) {
      EXPECT_GT(plain.size(), hex.size() / 2 * 1025 / 1000)
          << "level " << level << " takes the short matches";
    }
    // The setting does not stick: the next page without it is compressed as by a fresh compressor.
    ByteBuffer after, fresh;
    ASSERT_TRUE(compressor.Compress(text_data, text.size(), &after).ok());
    Compressor other(Codec::kZstd, level);
    ASSERT_TRUE(other.Compress(text_data, text.size(), &fresh).ok());
    EXPECT_TRUE(after.view() == fresh.view()) << "level " << level;
  }
  // Other codecs ignore it.
  Compressor snappy(Codec::kSnappy, 0);
  ByteBuffer a, b;
  ASSERT_TRUE(snappy.Compress(hex_data, hex.size(), &a).ok());
  ASSERT_TRUE(snappy.Compress(hex_data, hex.size(), &b, true).ok());
  EXPECT_TRUE(a.view() == b.view());
}

TEST(Compression, CorruptOrTruncatedStreamsFailCleanly) {
  std::string input = RandomBytes(4096, 2) + std::string(4096, 'a');
  for (Codec codec : kWritable) {
    if (codec == Codec::kUncompressed) continue;
    Compressor compressor(codec, 0);
    Decompressor decompressor;
    ByteBuffer compressed, restored;
    ASSERT_TRUE(
        compressor.Compress(reinterpret_cast<const uint8_t*>(input.data()), input.size(), &compressed).ok());
    for (size_t cut = 1; cut < compressed.size(); cut += 97) {
      std::string prefix(compressed.view().substr(0, cut));
      EXPECT_FALSE(decompressor
                       .Decompress(codec, reinterpret_cast<const uint8_t*>(prefix.data()), prefix.size(),
                                   input.size(), &restored)
                       .ok())
          << CodecName(codec) << " cut at " << cut;
    }
    // The right stream, the wrong size.
    EXPECT_FALSE(
        decompressor.Decompress(codec, compressed.data(), compressed.size(), input.size() + 1, &restored)
            .ok());
    EXPECT_FALSE(
        decompressor.Decompress(codec, compressed.data(), compressed.size(), input.size() - 1, &restored)
            .ok());
  }
}

TEST(Compression, HugeDeclaredSizesAreRefusedBeforeAllocating) {
  // A snappy stream whose header claims ~2 GiB.
  const uint8_t snappy_claim[] = {0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x00};
  Decompressor decompressor;
  ByteBuffer out;
  EXPECT_FALSE(
      decompressor.Decompress(Codec::kSnappy, snappy_claim, sizeof(snappy_claim), size_t{2} << 30, &out)
          .ok());
  EXPECT_LT(out.capacity(), size_t{1} << 20);
  const uint8_t lz4[] = {0x10, 0x61};
  EXPECT_FALSE(decompressor.Decompress(Codec::kLz4Raw, lz4, sizeof(lz4), size_t{1} << 30, &out).ok());
  EXPECT_LT(out.capacity(), size_t{1} << 20);
}

TEST(Compression, ConcatenatedGzipMembersAreOneStream) {
  std::string first = "first member ", second = "second member";
  ByteBuffer joined;
  for (const std::string& part : {first, second}) {
    Compressor compressor(Codec::kGzip, 6);
    ByteBuffer member;
    ASSERT_TRUE(
        compressor.Compress(reinterpret_cast<const uint8_t*>(part.data()), part.size(), &member).ok());
    joined.append(member.data(), member.size());
  }
  Decompressor decompressor;
  ByteBuffer out;
  ASSERT_TRUE(
      decompressor.Decompress(Codec::kGzip, joined.data(), joined.size(), first.size() + second.size(), &out)
          .ok());
  EXPECT_EQ(out.view(), first + second);
}

TEST(Compression, HadoopFramedLz4) {
  std::string input = "hadoop framed lz4 block, hadoop framed lz4 block";
  Compressor raw(Codec::kLz4Raw, 0);
  ByteBuffer block;
  ASSERT_TRUE(raw.Compress(reinterpret_cast<const uint8_t*>(input.data()), input.size(), &block).ok());
  ByteBuffer framed;
  auto be32 = [&](uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) framed.push_back(static_cast<uint8_t>(v >> shift));
  };
  be32(static_cast<uint32_t>(input.size()));
  be32(static_cast<uint32_t>(block.size()));
  framed.append(block.data(), block.size());
  Decompressor decompressor;
  ByteBuffer out;
  ASSERT_TRUE(decompressor.Decompress(Codec::kLz4, framed.data(), framed.size(), input.size(), &out).ok());
  EXPECT_EQ(out.view(), input);
  // The same block without the framing, as some writers label it LZ4.
  ASSERT_TRUE(decompressor.Decompress(Codec::kLz4, block.data(), block.size(), input.size(), &out).ok());
  EXPECT_EQ(out.view(), input);
}

TEST(Compression, EmptyPagesNeedNoStream) {
  Decompressor decompressor;
  ByteBuffer out;
  for (Codec codec : kWritable) EXPECT_TRUE(decompressor.Decompress(codec, nullptr, 0, 0, &out).ok());
  EXPECT_FALSE(
      decompressor.Decompress(Codec::kBrotli, reinterpret_cast<const uint8_t*>("x"), 1, 1, &out).ok());
  EXPECT_FALSE(Compressor::Check(Codec::kBrotli, 0).ok());
  EXPECT_FALSE(Compressor::Check(Codec::kZstd, 99).ok());
}

TEST(Compression, PageCrcIsStandardCrc32) {
  const char* text = "123456789";
  EXPECT_EQ(PageCrc32(reinterpret_cast<const uint8_t*>(text), 9), 0xCBF43926u);  // the CRC-32 check value
  // zlib's crc32() as the reference, at every length up to a few folding blocks and every alignment
  // (ISA-L takes other paths for short tails and unaligned starts), and for a page of 1 MiB.
  const std::string bytes = RandomBytes((1 << 20) + 64, 9);
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  for (size_t offset = 0; offset < 64; offset += 7) {
    for (size_t n = 0; n <= 1100; ++n) {
      ASSERT_EQ(PageCrc32(data + offset, n), crc32(0, data + offset, static_cast<uInt>(n)))
          << n << " bytes at offset " << offset;
    }
  }
  EXPECT_EQ(PageCrc32(data + 3, 1 << 20), crc32(0, data + 3, 1u << 20));
  EXPECT_EQ(PageCrc32(nullptr, 0), 0u);
}

}  // namespace
}  // namespace compression_test
}  // namespace logdaemon::parquet
