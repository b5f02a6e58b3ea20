#include "parquet/bit_unpack.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <cstring>
#include <utility>

namespace logdaemon::parquet {

namespace {

static_assert(std::endian::native == std::endian::little, "the kernels load packed bytes as integers");

template <int kWidth>
constexpr uint64_t kWidthMask = kWidth == 64 ? ~uint64_t{0} : (uint64_t{1} << kWidth) - 1;

// ---- Packing ------------------------------------------------------------------------------------
// Every shift, mask and store below is a compile-time constant: a 32-value chunk costs a few
// instructions per value and no branches.

template <int kWidth, size_t kIndex>
inline void PackOne(uint64_t value, uint64_t* words) {
  constexpr size_t kBit = kIndex * kWidth;
  constexpr size_t kWord = kBit / 64;
  constexpr int kShift = static_cast<int>(kBit % 64);
  value &= kWidthMask<kWidth>;
  words[kWord] |= value << kShift;
  if constexpr (kShift + kWidth > 64) words[kWord + 1] |= value >> (64 - kShift);
}

template <int kWidth, typename T, size_t... kIndex>
inline void PackAll(const T* values, uint64_t* words, std::index_sequence<kIndex...>) {
  (PackOne<kWidth, kIndex>(static_cast<uint64_t>(values[kIndex]), words), ...);
}

template <int kWidth, typename T>
void Pack32(const T* values, uint8_t* out) {
  if constexpr (kWidth > 0) {
    constexpr size_t kBytes = 4 * kWidth;
    uint64_t words[(kBytes + 7) / 8] = {};
    PackAll<kWidth>(values, words, std::make_index_sequence<32>{});
    std::memcpy(out, words, kBytes);
  }
}

// ---- Unpacking ----------------------------------------------------------------------------------
// A block of kCount values (8 or 32) is kCount * kWidth / 8 bytes. It is loaded once as 64-bit words
// (kept in registers), and each value is one or two shifts of them and a mask.

// Little-endian load of kBytes (0 .. 8) bytes at p, made of power-of-two loads so that the bytes go
// straight to a register. (A memcpy of 3, 5, 6 or 7 bytes into a uint64_t compiles to small stores to
// the stack and one 8-byte reload that waits for them, a store-forwarding stall: it made the last
// values of every chunk several times slower than the others.)
template <size_t kBytes>
inline uint64_t LoadLE(const uint8_t* p) {
  if constexpr (kBytes == 0) {
    return 0;
  } else if constexpr (kBytes >= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
  } else if constexpr (kBytes >= 4) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return uint64_t{v} | (LoadLE<kBytes - 4>(p + 4) << 32);
  } else if constexpr (kBytes >= 2) {
    uint16_t v;
    std::memcpy(&v, p, 2);
    return uint64_t{v} | (LoadLE<kBytes - 2>(p + 2) << 16);
  } else {
    return p[0];
  }
}

// Word kWord of a block of kTotal bytes (the last one is partial when kTotal is not a multiple of 8).
template <size_t kTotal, size_t kWord>
inline uint64_t LoadWord(const uint8_t* in) {
  constexpr size_t kAt = 8 * kWord;
  return LoadLE<std::min<size_t>(8, kTotal - kAt)>(in + kAt);
}

template <int kWidth, size_t kIndex, size_t kWords>
inline uint64_t ExtractOne(const std::array<uint64_t, kWords>& words) {
  constexpr size_t kBit = kIndex * kWidth;
  constexpr size_t kWord = kBit / 64;
  constexpr int kShift = static_cast<int>(kBit % 64);
  uint64_t value = words[kWord] >> kShift;
  if constexpr (kShift + kWidth > 64) value |= words[kWord + 1] << (64 - kShift);
  return value & kWidthMask<kWidth>;
}

template <int kWidth, typename T, size_t kTotal, size_t... kWord, size_t... kIndex>
inline void UnpackBlock(const uint8_t* in, T* values, std::index_sequence<kWord...>,
                        std::index_sequence<kIndex...>) {
  const std::array<uint64_t, sizeof...(kWord)> words = {LoadWord<kTotal, kWord>(in)...};
  ((values[kIndex] = static_cast<T>(ExtractOne<kWidth, kIndex>(words))), ...);
}

template <int kWidth, size_t kCount, typename T>
void Unpack(const uint8_t* in, T* values) {
  static_assert(kWidth <= 8 * static_cast<int>(sizeof(T)));
  if constexpr (kWidth == 0) {
    std::fill_n(values, kCount, T{0});
  } else {
    constexpr size_t kTotal = kCount * kWidth / 8;
    UnpackBlock<kWidth, T, kTotal>(in, values, std::make_index_sequence<(kTotal + 7) / 8>{},
                                   std::make_index_sequence<kCount>{});
  }
}

template <typename T>
using PackFn = void (*)(const T*, uint8_t*);

template <typename T, size_t... kWidth>
constexpr std::array<PackFn<T>, sizeof...(kWidth)> MakePackTable(std::index_sequence<kWidth...>) {
  return {&Pack32<static_cast<int>(kWidth), T>...};
}
template <size_t kCount, typename T, size_t... kWidth>
constexpr std::array<UnpackFn<T>, sizeof...(kWidth)> MakeUnpackTable(std::index_sequence<kWidth...>) {
  return {&Unpack<static_cast<int>(kWidth), kCount, T>...};
}

// Indexed by bit width: one indirect call per 8 or 32 values, never per value.
constexpr auto kPack32x32 = MakePackTable<uint32_t>(std::make_index_sequence<33>{});
constexpr auto kPack32x64 = MakePackTable<uint64_t>(std::make_index_sequence<65>{});
constexpr auto kUnpack32x8 = MakeUnpackTable<32, uint8_t>(std::make_index_sequence<9>{});
constexpr auto kUnpack32x32 = MakeUnpackTable<32, uint32_t>(std::make_index_sequence<33>{});
constexpr auto kUnpack32x64 = MakeUnpackTable<32, uint64_t>(std::make_index_sequence<65>{});
constexpr auto kUnpack8x8 = MakeUnpackTable<8, uint8_t>(std::make_index_sequence<9>{});
constexpr auto kUnpack8x32 = MakeUnpackTable<8, uint32_t>(std::make_index_sequence<33>{});

}  // namespace

void PackBits32(const uint32_t* values, int bit_width, uint8_t* out) {
  assert(bit_width >= 0 && bit_width <= 32);
  kPack32x32[static_cast<size_t>(bit_width)](values, out);
}
void PackBits32(const uint64_t* values, int bit_width, uint8_t* out) {
  assert(bit_width >= 0 && bit_width <= 64);
  kPack32x64[static_cast<size_t>(bit_width)](values, out);
}

void UnpackBits32(const uint8_t* in, int bit_width, uint8_t* values) {
  Unpack32Kernel<uint8_t>(bit_width)(in, values);
}
void UnpackBits32(const uint8_t* in, int bit_width, uint32_t* values) {
  Unpack32Kernel<uint32_t>(bit_width)(in, values);
}
void UnpackBits32(const uint8_t* in, int bit_width, uint64_t* values) {
  assert(bit_width >= 0 && bit_width <= 64);
  kUnpack32x64[static_cast<size_t>(bit_width)](in, values);
}
void UnpackBits8(const uint8_t* in, int bit_width, uint8_t* values) {
  Unpack8Kernel<uint8_t>(bit_width)(in, values);
}
void UnpackBits8(const uint8_t* in, int bit_width, uint32_t* values) {
  Unpack8Kernel<uint32_t>(bit_width)(in, values);
}

template <>
UnpackFn<uint8_t> Unpack32Kernel<uint8_t>(int bit_width) {
  assert(bit_width >= 0 && bit_width <= 8);
  return kUnpack32x8[static_cast<size_t>(bit_width)];
}
template <>
UnpackFn<uint32_t> Unpack32Kernel<uint32_t>(int bit_width) {
  assert(bit_width >= 0 && bit_width <= 32);
  return kUnpack32x32[static_cast<size_t>(bit_width)];
}
template <>
UnpackFn<uint8_t> Unpack8Kernel<uint8_t>(int bit_width) {
  assert(bit_width >= 0 && bit_width <= 8);
  return kUnpack8x8[static_cast<size_t>(bit_width)];
}
template <>
UnpackFn<uint32_t> Unpack8Kernel<uint32_t>(int bit_width) {
  assert(bit_width >= 0 && bit_width <= 32);
  return kUnpack8x32[static_cast<size_t>(bit_width)];
}

}  // namespace logdaemon::parquet
