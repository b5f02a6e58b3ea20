// The bit-packing kernels against a bit-by-bit reference: every width of every value type, 8- and
// 32-value blocks, at every byte alignment, from exact-size buffers (ASan reports any read past them).
#include "parquet/bit_unpack.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

namespace logdaemon::parquet {
namespace bit_unpack_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using Bytes = std::vector<uint8_t>;

// Value i of a bit string packed LSB first, one bit at a time.
uint64_t ReferenceValue(const uint8_t* in, int width, size_t i) {
  uint64_t value = 0;
  for (int b = 0; b < width; ++b) {
    const size_t bit = i * static_cast<size_t>(width) + static_cast<size_t>(b);
    value |= static_cast<uint64_t>((in[bit / 8] >> (bit % 8)) & 1) << b;
  }
  return value;
}

// Random bytes, with the first and last bytes all ones so that the values touching the block's ends
// have every bit set.
Bytes RandomBlock(size_t size, std::mt19937_64* rng) {
  Bytes bytes(size);
  for (uint8_t& b : bytes) b = static_cast<uint8_t>((*rng)());
  if (size > 0) bytes.front() = bytes.back() = 0xFF;
  return bytes;
}

// Unpacks `count` values of every width up to max_width with `unpack`, from a buffer holding exactly
// the block at each of 8 byte offsets, and compares with the reference.
template <typename T, typename Unpack>
void CheckAgainstReference(int max_width, size_t count, Unpack unpack) {
  std::mt19937_64 rng(static_cast<uint64_t>(max_width) * 31 + count);
  for (int width = 0; width <= max_width; ++width) {
    const size_t size = count * static_cast<size_t>(width) / 8;
    for (size_t offset = 0; offset < 8; ++offset) {
      const Bytes block = RandomBlock(size, &rng);
      // The block ends the buffer, so that a load past it is an over-read; `offset` bytes before it
      // vary its alignment.
      Bytes buffer(offset + size);
      if (size > 0) std::memcpy(buffer.data() + offset, block.data(), size);
      std::vector<T> values(count, T{0x5A});
      unpack(buffer.data() + offset, width, values.data());
      for (size_t i = 0; i < count; ++i) {
        ASSERT_EQ(static_cast<uint64_t>(values[i]), ReferenceValue(block.data(), width, i))
            << "width " << width << " value " << i << " offset " << offset;
      }
    }
  }
}

TEST(BitUnpack, ThirtyTwoValuesOfEveryWidthMatchTheReference) {
  CheckAgainstReference<uint8_t>(8, 32, [](const uint8_t* in, int w, uint8_t* v) { UnpackBits32(in, w, v); });
  CheckAgainstReference<uint32_t>(32, 32,
                                  [](const uint8_t* in, int w, uint32_t* v) { UnpackBits32(in, w, v); });
  CheckAgainstReference<uint64_t>(64, 32,
                                  [](const uint8_t* in, int w, uint64_t* v) { UnpackBits32(in, w, v); });
}

TEST(BitUnpack, EightValuesOfEveryWidthMatchTheReference) {
  CheckAgainstReference<uint8_t>(8, 8, [](const uint8_t* in, int w, uint8_t* v) { UnpackBits8(in, w, v); });
  CheckAgainstReference<uint32_t>(32, 8,
                                  [](const uint8_t* in, int w, uint32_t* v) { UnpackBits8(in, w, v); });
}

TEST(BitUnpack, KernelsAreTheFunctionsTheyStandFor) {
  std::mt19937_64 rng(5);
  for (int width = 0; width <= 32; ++width) {
    const Bytes block = RandomBlock(4 * static_cast<size_t>(width), &rng);
    uint32_t direct[32], through[32];
    UnpackBits32(block.data(), width, direct);
    Unpack32Kernel<uint32_t>(width)(block.data(), through);
    EXPECT_EQ(std::memcmp(direct, through, sizeof direct), 0) << width;
    UnpackBits8(block.data(), width, direct);
    Unpack8Kernel<uint32_t>(width)(block.data(), through);
    EXPECT_EQ(std::memcmp(direct, through, 8 * sizeof(uint32_t)), 0) << width;
    if (width <= 8) {
      uint8_t narrow[32];
      Unpack32Kernel<uint8_t>(width)(block.data(), narrow);
      for (size_t i = 0; i < 32; ++i) EXPECT_EQ(narrow[i], ReferenceValue(block.data(), width, i));
      Unpack8Kernel<uint8_t>(width)(block.data(), narrow);
      for (size_t i = 0; i < 8; ++i) EXPECT_EQ(narrow[i], ReferenceValue(block.data(), width, i));
    }
  }
}

// Packing then unpacking 8-value groups: the groups of a 32-value chunk are its 4 * 8 values.
TEST(BitUnpack, GroupsOfAChunkAreItsValues) {
  std::mt19937_64 rng(6);
  for (int width = 1; width <= 32; ++width) {
    uint32_t values[32];
    for (uint32_t& v : values) v = static_cast<uint32_t>(rng()) & (width == 32 ? ~0u : (1u << width) - 1);
    Bytes packed(4 * static_cast<size_t>(width));
    PackBits32(values, width, packed.data());
    for (size_t g = 0; g < 4; ++g) {
      uint32_t group[8];
      UnpackBits8(packed.data() + g * static_cast<size_t>(width), width, group);
      for (size_t i = 0; i < 8; ++i) ASSERT_EQ(group[i], values[8 * g + i]) << width << " " << g << " " << i;
    }
  }
}

}  // namespace
}  // namespace bit_unpack_test
}  // namespace logdaemon::parquet
