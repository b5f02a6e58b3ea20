#include "parquet/delta_byte_array.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "parquet/delta_binary_packed.h"
#include "parquet/plain.h"

namespace logdaemon::parquet {
namespace delta_byte_array_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using Bytes = std::vector<uint8_t>;

Bytes Exact(const ByteBuffer& buffer) {
  return Bytes(buffer.data(), buffer.data() + buffer.size());
}

struct ByteArrays {
  std::string bytes;
  std::vector<uint32_t> offsets{0};
  explicit ByteArrays(const std::vector<std::string>& values) {
    for (const auto& v : values) {
      bytes += v;
      offsets.push_back(static_cast<uint32_t>(bytes.size()));
    }
  }
  const uint8_t* data() const { return reinterpret_cast<const uint8_t*>(bytes.data()); }
};

Bytes EncodeLengths(const std::vector<std::string>& values) {
  ByteArrays input(values);
  ByteBuffer buffer;
  EncodeDeltaLengthByteArray(input.data(), input.offsets.data(), values.size(), &buffer);
  return Exact(buffer);
}

Bytes EncodePrefixes(const std::vector<std::string>& values) {
  ByteArrays input(values);
  ByteBuffer buffer;
  EncodeDeltaByteArray(input.data(), input.offsets.data(), values.size(), &buffer);
  return Exact(buffer);
}

Bytes Dbp(const std::vector<int64_t>& values) {
  ByteBuffer buffer;
  DeltaBinaryPackedEncoder encoder;
  encoder.Begin(&buffer);
  encoder.PutMany(values.data(), values.size());
  encoder.Finish();
  return Exact(buffer);
}

Bytes Concat(std::initializer_list<Bytes> parts) {
  Bytes all;
  for (const Bytes& p : parts) all.insert(all.end(), p.begin(), p.end());
  return all;
}

Bytes Text(const std::string& s) {
  return Bytes(s.begin(), s.end());
}

std::vector<std::string> Values(const ByteArrayValues& values, size_t from = 0) {
  std::vector<std::string> out;
  for (size_t i = from; i < values.count(); ++i) out.emplace_back(values[i]);
  return out;
}

// Strings sharing prefixes with their neighbours, as sorted keys and log paths do.
std::vector<std::string> PrefixedStrings(size_t n, std::mt19937_64* rng) {
  std::vector<std::string> values;
  std::string previous;
  for (size_t i = 0; i < n; ++i) {
    std::string v = previous.substr(0, previous.empty() ? 0 : (*rng)() % (previous.size() + 1));
    size_t extra = (*rng)() % 12;
    for (size_t k = 0; k < extra; ++k) v.push_back(static_cast<char>('a' + (*rng)() % 4));
    values.push_back(v);
    previous = v;
  }
  return values;
}

// ---- DELTA_LENGTH_BYTE_ARRAY ---------------------------------------------------------------------

// Encodings.md: "Hello", "World", "Foobar", "ABCDEF" → DeltaEncoding(5, 5, 6, 6) "HelloWorldFoobarABCDEF".
TEST(DeltaLengthByteArray, EncodesTheSpecificationsExample) {
  std::vector<std::string> values = {"Hello", "World", "Foobar", "ABCDEF"};
  Bytes expected = Concat({Dbp({5, 5, 6, 6}), Text("HelloWorldFoobarABCDEF")});
  EXPECT_EQ(EncodeLengths(values), expected);
  ByteArrayValues out;
  ASSERT_TRUE(DecodeDeltaLengthByteArray(expected.data(), expected.size(), 4, &out).ok());
  EXPECT_EQ(Values(out), values);
}

TEST(DeltaLengthByteArray, RoundTripsAndAppends) {
  std::mt19937_64 rng(1);
  for (size_t n : {0, 1, 7, 8, 9, 31, 32, 33, 127, 128, 129, 1000, 100000}) {
    std::vector<std::string> values = PrefixedStrings(n, &rng);
    Bytes bytes = EncodeLengths(values);
    ByteArrayValues out;
    out.append("before");
    ASSERT_TRUE(DecodeDeltaLengthByteArray(bytes.data(), bytes.size(), n, &out).ok()) << n;
    ASSERT_EQ(out[0], "before");
    EXPECT_EQ(Values(out, 1), values) << n;
  }
}

// The writer collects a page's values PLAIN and turns them into DELTA_LENGTH_BYTE_ARRAY in place at the
// page's end: the same bytes as from offsets, for any count (across the 256-value slices), empty and
// long values included, with one scratch buffer reused.
TEST(DeltaLengthByteArray, PlainTurnedInPlaceEqualsFromOffsets) {
  std::mt19937_64 rng(3);
  ByteBuffer lengths;
  for (size_t n : {0, 1, 2, 255, 256, 257, 513, 5000}) {
    std::vector<std::string> values = PrefixedStrings(n, &rng);
    if (n > 1) values[1].clear();
    if (n > 2) values[2] = std::string(70000, 'z');
    ByteArrays input(values);
    ByteBuffer page;
    EncodePlainByteArray(input.data(), input.offsets.data(), n, &page);
    PlainToDeltaLength(&page, &lengths);
    EXPECT_EQ(Exact(page), EncodeLengths(values)) << n;
  }
}

// A page may store more lengths than the caller wants values: the bytes still start after all of them.
TEST(DeltaLengthByteArray, ExtraStoredLengthsAreSkipped) {
  std::vector<std::string> values = {"one", "two", "three"};
  Bytes bytes = EncodeLengths(values);
  ByteArrayValues out;
  ASSERT_TRUE(DecodeDeltaLengthByteArray(bytes.data(), bytes.size(), 2, &out).ok());
  EXPECT_EQ(Values(out), (std::vector<std::string>{"one", "two"}));
}

TEST(DeltaLengthByteArray, BadLengthsAreCorruptAndLeaveTheOutputAlone) {
  struct Case {
    const char* what;
    Bytes bytes;
    size_t num_values;
  };
  const Case cases[] = {
      {"negative length", Concat({Dbp({3, -1}), Text("abc")}), 2},
      {"length past the end", Concat({Dbp({3, 4}), Text("abcdef")}), 2},
      {"huge length", Concat({Dbp({int64_t{1} << 40}), Text("x")}), 1},
      {"lengths summing past the end", Concat({Dbp({4, 4, 4}), Text("abcdefgh")}), 3},
      {"fewer lengths than values", Concat({Dbp({1, 1}), Text("ab")}), 3},
      {"no lengths at all", Bytes{}, 1},
  };
  for (const Case& c : cases) {
    ByteArrayValues out;
    out.append("keep");
    Status st = DecodeDeltaLengthByteArray(c.bytes.data(), c.bytes.size(), c.num_values, &out);
    EXPECT_EQ(st.code(), Status::Code::kCorruption) << c.what;
    EXPECT_EQ(Values(out), (std::vector<std::string>{"keep"})) << c.what;
  }
}

// Every cut fails cleanly, reading nothing past the end (exact-size copies: ASan checks).
TEST(DeltaLengthByteArray, EveryTruncationIsCorrupt) {
  std::mt19937_64 rng(2);
  std::vector<std::string> values = PrefixedStrings(200, &rng);
  values.back() += "z";  // so that the last byte is part of a value
  Bytes bytes = EncodeLengths(values);
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    Bytes prefix(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(cut));
    ByteArrayValues out;
    EXPECT_EQ(DecodeDeltaLengthByteArray(prefix.data(), prefix.size(), values.size(), &out).code(),
              Status::Code::kCorruption)
        << cut;
    EXPECT_EQ(out.count(), 0u);
  }
}

// ---- DELTA_BYTE_ARRAY ----------------------------------------------------------------------------

// Encodings.md: "axis", "axle", "babble", "babyhood" → DeltaEncoding(0, 2, 0, 3),
// DeltaEncoding(4, 2, 6, 5), "axislebabbleyhood".
TEST(DeltaByteArray, EncodesTheSpecificationsExample) {
  std::vector<std::string> values = {"axis", "axle", "babble", "babyhood"};
  Bytes expected = Concat({Dbp({0, 2, 0, 3}), Dbp({4, 2, 6, 5}), Text("axislebabbleyhood")});
  EXPECT_EQ(EncodePrefixes(values), expected);
  ByteArrayValues out;
  ASSERT_TRUE(DecodeDeltaByteArray(expected.data(), expected.size(), 4, &out).ok());
  EXPECT_EQ(Values(out), values);
}

TEST(DeltaByteArray, RoundTripsAndAppends) {
  std::mt19937_64 rng(3);
  for (size_t n : {0, 1, 7, 8, 9, 31, 32, 33, 127, 128, 129, 1000, 100000}) {
    std::vector<std::string> values = PrefixedStrings(n, &rng);
    Bytes bytes = EncodePrefixes(values);
    ByteArrayValues out;
    out.append("before");  // the first value's prefix is against nothing, not against this
    ASSERT_TRUE(DecodeDeltaByteArray(bytes.data(), bytes.size(), n, &out).ok()) << n;
    ASSERT_EQ(out[0], "before");
    EXPECT_EQ(Values(out, 1), values) << n;
  }
  std::vector<std::string> odd = {
      "", "", "a", "", "日本", "日本語", std::string(5000, 'z'), std::string(4999, 'z'), ""};
  Bytes bytes = EncodePrefixes(odd);
  ByteArrayValues out;
  ASSERT_TRUE(DecodeDeltaByteArray(bytes.data(), bytes.size(), odd.size(), &out).ok());
  EXPECT_EQ(Values(out), odd);
}

TEST(DeltaByteArray, ExtraStoredValuesAreSkipped) {
  Bytes bytes = EncodePrefixes({"axis", "axle", "babble", "babyhood"});
  ByteArrayValues out;
  ASSERT_TRUE(DecodeDeltaByteArray(bytes.data(), bytes.size(), 2, &out).ok());
  EXPECT_EQ(Values(out), (std::vector<std::string>{"axis", "axle"}));
}

TEST(DeltaByteArray, BadPrefixesAreCorruptAndLeaveTheOutputAlone) {
  struct Case {
    const char* what;
    Bytes bytes;
    size_t num_values;
  };
  const Case cases[] = {
      {"a first value with a prefix", Concat({Dbp({1, 0}), Dbp({2, 1}), Text("abc")}), 2},
      {"a prefix longer than the previous value", Concat({Dbp({0, 3}), Dbp({2, 1}), Text("abc")}), 2},
      {"a negative prefix", Concat({Dbp({0, -1}), Dbp({2, 1}), Text("abc")}), 2},
      {"a negative suffix length", Concat({Dbp({0, 0}), Dbp({2, -1}), Text("abc")}), 2},
      {"suffixes past the end", Concat({Dbp({0, 1}), Dbp({2, 5}), Text("abc")}), 2},
      {"fewer prefixes than values", Concat({Dbp({0}), Dbp({2, 1}), Text("abc")}), 2},
      {"fewer suffixes than values", Concat({Dbp({0, 1}), Dbp({2}), Text("ab")}), 2},
      {"no suffixes at all", Dbp({0, 1}), 2},
  };
  for (const Case& c : cases) {
    ByteArrayValues out;
    out.append("keep");
    Status st = DecodeDeltaByteArray(c.bytes.data(), c.bytes.size(), c.num_values, &out);
    EXPECT_EQ(st.code(), Status::Code::kCorruption) << c.what;
    EXPECT_EQ(Values(out), (std::vector<std::string>{"keep"})) << c.what;
  }
}

TEST(DeltaByteArray, EveryTruncationIsCorrupt) {
  std::mt19937_64 rng(4);
  std::vector<std::string> values = PrefixedStrings(200, &rng);
  values.back() += "z";
  Bytes bytes = EncodePrefixes(values);
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    Bytes prefix(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(cut));
    ByteArrayValues out;
    EXPECT_EQ(DecodeDeltaByteArray(prefix.data(), prefix.size(), values.size(), &out).code(),
              Status::Code::kCorruption)
        << cut;
    EXPECT_EQ(out.count(), 0u);
    EXPECT_EQ(out.bytes.size(), 0u);
  }
}

}  // namespace
}  // namespace delta_byte_array_test
}  // namespace logdaemon::parquet
