#include "parquet/dictionary_encoder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace logdaemon::parquet {
namespace dictionary_encoder_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using Bytes = std::vector<uint8_t>;

Bytes Exact(const ByteBuffer& buffer) {
  return Bytes(buffer.data(), buffer.data() + buffer.size());
}

int64_t Bits(double d) {
  int64_t bits;
  std::memcpy(&bits, &d, 8);
  return bits;
}

struct ByteArrays {
  std::string bytes;
  std::vector<uint32_t> offsets;
  explicit ByteArrays(const std::vector<std::string>& values, size_t base = 0)
      : bytes(base, '#'), offsets{static_cast<uint32_t>(base)} {
    for (const auto& v : values) {
      bytes += v;
      offsets.push_back(static_cast<uint32_t>(bytes.size()));
    }
  }
  const uint8_t* data() const { return reinterpret_cast<const uint8_t*>(bytes.data()); }
};

// ---- INT64 / DOUBLE -----------------------------------------------------------------------------

TEST(Int64Dictionary, IndicesFollowFirstAppearance) {
  Int64DictionaryEncoder dict;
  dict.Reset();
  const int64_t values[] = {30, 10, 30, 20, 10, std::numeric_limits<int64_t>::min(), 0};
  uint32_t indices[7];
  dict.Insert(values, 7, indices);
  EXPECT_EQ(std::vector<uint32_t>(indices, indices + 7), (std::vector<uint32_t>{0, 1, 0, 2, 1, 3, 4}));
  ASSERT_EQ(dict.size(), 5u);
  EXPECT_EQ(std::vector<int64_t>(dict.values(), dict.values() + 5),
            (std::vector<int64_t>{30, 10, 20, std::numeric_limits<int64_t>::min(), 0}));
  // Later batches continue the same dictionary.
  const int64_t more[] = {20, 40};
  dict.Insert(more, 2, indices);
  EXPECT_EQ(indices[0], 2u);
  EXPECT_EQ(indices[1], 5u);
  // The page payload: the entries, PLAIN, in index order.
  ASSERT_EQ(dict.plain_size(), 6 * 8u);
  EXPECT_EQ(std::memcmp(dict.plain(), dict.values(), dict.plain_size()), 0);
}

// Doubles are compared by their bytes: the dictionary gives back exactly what it was given.
TEST(Int64Dictionary, DoublesAreKeptByTheirBitPatterns) {
  const double quiet_nan = std::numeric_limits<double>::quiet_NaN();
  int64_t payload_nan_bits = Bits(quiet_nan) | 0x1234;
  std::vector<int64_t> values = {Bits(0.0),       Bits(-0.0), Bits(quiet_nan), payload_nan_bits,
                                 Bits(quiet_nan), Bits(1.5),  Bits(-0.0)};
  Int64DictionaryEncoder dict;
  std::vector<uint32_t> indices(values.size());
  dict.Insert(values.data(), values.size(), indices.data());  // Reset is optional before first use
  EXPECT_EQ(indices, (std::vector<uint32_t>{0, 1, 2, 3, 2, 4, 1}));
  EXPECT_EQ(dict.values()[3], payload_nan_bits);
}

TEST(Int64Dictionary, MatchesAReferenceMapThroughGrowthAndReset) {
  std::mt19937_64 rng(1);
  Int64DictionaryEncoder dict;
  for (int round = 0; round < 3; ++round) {
    dict.Reset();
    std::unordered_map<int64_t, uint32_t> reference;
    std::vector<int64_t> order;
    // Distinct values of several shapes: small, timestamps, doubles, wide random.
    std::vector<int64_t> values(200000);
    for (size_t i = 0; i < values.size(); ++i) {
      switch (rng() % 4) {
        case 0:
          values[i] = static_cast<int64_t>(rng() % 1000);
          break;
        case 1:
          values[i] = 1768503600000000 + static_cast<int64_t>(rng() % 50000) * 1000;
          break;
        case 2:
          values[i] = Bits(static_cast<double>(rng() % 10000) / 4);
          break;
        default:
          values[i] = static_cast<int64_t>(rng() % (uint64_t{1} << (20 + round * 20)));
          break;
      }
    }
    std::vector<uint32_t> indices(values.size());
    for (size_t at = 0; at < values.size(); at += 777) {
      size_t n = std::min<size_t>(777, values.size() - at);
      dict.Insert(values.data() + at, n, indices.data() + at);
    }
    for (size_t i = 0; i < values.size(); ++i) {
      auto [it, inserted] = reference.emplace(values[i], static_cast<uint32_t>(order.size()));
      if (inserted) order.push_back(values[i]);
      ASSERT_EQ(indices[i], it->second) << i;
    }
    ASSERT_EQ(dict.size(), order.size());
    EXPECT_TRUE(std::equal(order.begin(), order.end(), dict.values()));
  }
}

// ---- BYTE_ARRAY ---------------------------------------------------------------------------------

TEST(ByteArrayDictionary, IndicesFollowFirstAppearance) {
  ByteArrayDictionaryEncoder dict;
  dict.Reset();
  ByteArrays input({"info", "warn", "info", "", "error", "", "warn"}, 3);
  uint32_t indices[7];
  dict.Insert(input.data(), input.offsets.data(), 7, indices);
  EXPECT_EQ(std::vector<uint32_t>(indices, indices + 7), (std::vector<uint32_t>{0, 1, 0, 2, 3, 2, 1}));
  ASSERT_EQ(dict.size(), 4u);
  EXPECT_EQ(dict.value(0), "info");
  EXPECT_EQ(dict.value(2), "");
  EXPECT_EQ(dict.value(3), "error");
  ByteBuffer page;
  page.append(dict.plain(), dict.plain_size());
  EXPECT_EQ(Exact(page), (Bytes{4,   0, 0, 0, 'i', 'n', 'f', 'o', 4, 0,   0,   0,   'w', 'a', 'r',
                                'n', 0, 0, 0, 0,   5,   0,   0,   0, 'e', 'r', 'r', 'o', 'r'}));
}

// Strings that differ in one byte, at every position and for every length up to 80 (both sides of
// each of the hash's 4-, 8-, 16- and 32-byte steps), are all distinct; equal ones share an index.
TEST(ByteArrayDictionary, OneByteDifferencesAtEveryPositionAreDistinct) {
  std::vector<std::string> values;
  for (size_t length = 0; length <= 80; ++length) {
    std::string base(length, 'q');
    values.push_back(base);
    for (size_t at = 0; at < length; ++at) {
      std::string v = base;
      v[at] = 'r';
      values.push_back(v);
    }
  }
  const size_t distinct = values.size();
  std::vector<std::string> twice = values;
  twice.insert(twice.end(), values.begin(), values.end());
  ByteArrays input(twice);
  ByteArrayDictionaryEncoder dict;
  std::vector<uint32_t> indices(twice.size());
  dict.Insert(input.data(), input.offsets.data(), twice.size(), indices.data());
  ASSERT_EQ(dict.size(), distinct);
  for (size_t i = 0; i < distinct; ++i) {
    EXPECT_EQ(indices[i], i);
    EXPECT_EQ(indices[distinct + i], i);
    EXPECT_EQ(dict.value(static_cast<uint32_t>(i)), values[i]);
  }
}

TEST(ByteArrayDictionary, MatchesAReferenceMapThroughGrowthAndReset) {
  std::mt19937_64 rng(2);
  ByteArrayDictionaryEncoder dict;
  for (int round = 0; round < 3; ++round) {
    dict.Reset();
    std::vector<std::string> values(100000);
    for (auto& v : values) {
      size_t length = rng() % 3 == 0 ? rng() % 8 : rng() % 120;
      v.resize(length);
      for (auto& c : v) c = static_cast<char>('a' + rng() % (round + 2));
    }
    ByteArrays input(values);
    std::vector<uint32_t> indices(values.size());
    for (size_t at = 0; at < values.size(); at += 1000) {
      size_t n = std::min<size_t>(1000, values.size() - at);
      dict.Insert(input.data(), input.offsets.data() + at, n, indices.data() + at);
    }
    std::unordered_map<std::string, uint32_t> reference;
    size_t plain = 0;
    for (size_t i = 0; i < values.size(); ++i) {
      auto [it, inserted] = reference.emplace(values[i], static_cast<uint32_t>(reference.size()));
      if (inserted) plain += 4 + values[i].size();
      ASSERT_EQ(indices[i], it->second) << i;
      ASSERT_EQ(dict.value(indices[i]), values[i]);
    }
    EXPECT_EQ(dict.size(), reference.size());
    EXPECT_EQ(dict.plain_size(), plain);
    // The page is PLAIN: walking it by its lengths gives back every entry, in index order.
    size_t at = 0;
    for (uint32_t k = 0; k < dict.size(); ++k) {
      uint32_t length = 0;
      ASSERT_LE(at + 4, plain);
      std::memcpy(&length, dict.plain() + at, 4);
      ASSERT_LE(at + 4 + length, plain);
      EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(dict.plain()) + at + 4, length),
                dict.value(k));
      at += 4 + length;
    }
    EXPECT_EQ(at, plain);
  }
}

// SortEntries puts the entries in memcmp order — bytes compared unsigned, a prefix before what extends
// it, NUL bytes inside and at the end, the empty value first, values that differ only past their 16th
// byte (the sort's key) — renumbers
// them consistently, and leaves a table that Insert keeps using: known values get their new index, new
// ones the next. The PLAIN page follows the new order.
// Values with keys get the indices Insert gives them, whether or not their key came before, with or
// without a key, and keys at or past the map's bound; after Reset, SortEntries and TakeArena a key
// stands for nothing (here it is reused for other bytes, as the next column chunk may).
TEST(ByteArrayDictionary, KeyedInsertsGiveInsertsIndices) {
  std::mt19937_64 rng(11);
  ByteArrayDictionaryEncoder keyed;
  ByteArrayDictionaryEncoder plain;
  for (int round = 0; round < 4; ++round) {
    keyed.Reset();
    plain.Reset();
    // 40 distinct values, each under its own key, some without one.
    std::vector<std::string> values;
    std::vector<uint32_t> keys;
    for (int i = 0; i < 5000; ++i) {
      const uint32_t v = static_cast<uint32_t>(rng() % 40);
      values.push_back("round " + std::to_string(round) + " value " + std::to_string(v * 7919 % 40));
      switch (rng() % 8) {
        case 0:
          keys.push_back(kNoValueKey);
          break;
        case 1:
          keys.push_back(ByteArrayDictionaryEncoder::kMaxValueKeys + v);  // past the bound: hashed
          break;
        default:
          keys.push_back(v);  // the same keys every round, for other bytes: Reset must forget them
      }
    }
    ByteArrays input(values, 2);
    std::vector<uint32_t> want(values.size()), got(values.size());
    plain.Insert(input.data(), input.offsets.data(), values.size(), want.data());
    // In steps of various sizes, as a writer's pages cut them.
    for (size_t at = 0; at < values.size();) {
      const size_t n = std::min<size_t>(values.size() - at, 1 + rng() % 700);
      keyed.InsertKeyed(input.data(), input.offsets.data() + at, keys.data() + at, n, got.data() + at);
      at += n;
    }
    ASSERT_EQ(got, want) << "round " << round;
    ASSERT_EQ(keyed.size(), plain.size());
    for (uint32_t k = 0; k < keyed.size(); ++k) EXPECT_EQ(keyed.value(k), plain.value(k));
    if (round == 1) {
      std::vector<uint32_t> remap;
      keyed.SortEntries(&remap);
      // The keys of this round, inserted again with other bytes, must not take the old indices.
      ByteArrays other({"other bytes"});
      uint32_t key = keys[0] == kNoValueKey ? 1 : keys[0], index = 0;
      keyed.InsertKeyed(other.data(), other.offsets.data(), &key, 1, &index);
      EXPECT_EQ(keyed.value(index), "other bytes");
    }
    if (round == 2) {
      ByteBuffer page;
      keyed.TakeArena(&page);
      ByteArrays other({"after the arena"});
      uint32_t key = 2, index = 99;
      keyed.InsertKeyed(other.data(), other.offsets.data(), &key, 1, &index);
      EXPECT_EQ(index, 0u);
      EXPECT_EQ(keyed.value(0), "after the arena");
    }
  }
}

TEST(ByteArrayDictionary, TheKeyMapIsCountedInMemoryBytes) {
  ByteArrayDictionaryEncoder keyed;
  ByteArrayDictionaryEncoder plain;
  keyed.Reset();
  plain.Reset();
  ByteArrays input({"a value"});
  uint32_t key = 100000, index = 0;
  keyed.InsertKeyed(input.data(), input.offsets.data(), &key, 1, &index);
  plain.Insert(input.data(), input.offsets.data(), 1, &index);
  EXPECT_GE(keyed.memory_bytes(), plain.memory_bytes() + 4 * 100001);
}

TEST(ByteArrayDictionary, SortEntriesRenumbersIntoByteOrder) {
  std::mt19937_64 rng(5);
  std::vector<std::string> values = {"warn",
                                     "info",
                                     "",
                                     "\xFF\xFE",
                                     "info2",
                                     "infa",
                                     std::string("in\0fo", 5),
                                     "abcdefgh-2",
                                     "abcdefgh-1",
                                     "abcdefgh",
                                     "\x7F",
                                     "Zebra",
                                     "0123456789abcdef-b",
                                     "0123456789abcdef-a",
                                     "0123456789abcdef",
                                     std::string("0123456789abcdef\0", 17),
                                     std::string("0123456789ab\0\0", 14),
                                     "0123456789abcdef-a\xFF",
                                     "0123456789abcdef-a\x01"};
  for (int i = 0; i < 3000; ++i) values.push_back("message " + std::to_string(rng() % 100000));
  ByteArrayDictionaryEncoder dict;
  dict.Reset();
  ByteArrays input(values, 1);
  std::vector<uint32_t> before(values.size());
  dict.Insert(input.data(), input.offsets.data(), values.size(), before.data());
  const size_t entries = dict.size();

  std::vector<uint32_t> remap;
  dict.SortEntries(&remap);
  ASSERT_EQ(dict.size(), entries);
  ASSERT_EQ(remap.size(), entries);
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(dict.value(remap[before[i]]), values[i]) << i;
  }
  for (uint32_t k = 1; k < entries; ++k) {
    const std::string_view a = dict.value(k - 1), b = dict.value(k);
    const int order = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
    EXPECT_TRUE(order < 0 || (order == 0 && a.size() < b.size())) << k;
  }
  EXPECT_EQ(dict.value(0), "");

  // The PLAIN page is the entries in their new order.
  size_t at = 0;
  for (uint32_t k = 0; k < entries; ++k) {
    uint32_t length;
    std::memcpy(&length, dict.plain() + at, 4);
    EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(dict.plain()) + at + 4, length), dict.value(k));
    at += 4 + length;
  }
  EXPECT_EQ(at, dict.plain_size());

  // Insert goes on: known values find their new indices, a new one takes the next.
  ByteArrays again({"info", "", "never seen", "warn"});
  uint32_t after[4];
  dict.Insert(again.data(), again.offsets.data(), 4, after);
  EXPECT_EQ(after[0], remap[before[1]]);
  EXPECT_EQ(after[1], remap[before[2]]);
  EXPECT_EQ(after[2], entries);
  EXPECT_EQ(after[3], remap[before[0]]);
}

}  // namespace
}  // namespace dictionary_encoder_test
}  // namespace logdaemon::parquet
