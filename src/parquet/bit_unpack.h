// Bit-packing kernels: fixed-width values packed LSB first, value i in bits [i * W, (i + 1) * W) of a
// little-endian byte string. The RLE / bit-packing hybrid (dictionary indices, levels) packs groups of 8
// values; DELTA_BINARY_PACKED packs miniblocks of multiples of 32. Both are hot paths of a scan, so each
// (width, value type, group size) has its own fully unrolled routine, chosen once per call through a
// table: no per-value branches, and no load beyond the bytes a group owns.
//
// Thread-safety: the functions are pure and thread-safe.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

namespace logdaemon::parquet {

// Bits needed to store max_value (0 for 0, 32 for 0xFFFFFFFF).
inline size_t BitWidth(uint32_t max_value) {
  return static_cast<size_t>(std::bit_width(max_value));
}

// Packs 32 values of bit_width bits, LSB first, into exactly 4 * bit_width bytes at out.
// REQUIRES: 0 <= bit_width <= 32 (uint32_t) or 64 (uint64_t); every value < 2^bit_width (higher bits
// are dropped).
void PackBits32(const uint32_t* values, int bit_width, uint8_t* out);
void PackBits32(const uint64_t* values, int bit_width, uint8_t* out);

// Unpacks 32 values of bit_width bits from exactly 4 * bit_width bytes at in (no byte beyond is read).
// REQUIRES: 0 <= bit_width <= 8 (uint8_t), 32 (uint32_t) or 64 (uint64_t).
void UnpackBits32(const uint8_t* in, int bit_width, uint8_t* values);
void UnpackBits32(const uint8_t* in, int bit_width, uint32_t* values);
void UnpackBits32(const uint8_t* in, int bit_width, uint64_t* values);

// Unpacks 8 values (one group of the RLE / bit-packing hybrid) from exactly bit_width bytes at in.
// REQUIRES: 0 <= bit_width <= 8 (uint8_t) or 32 (uint32_t).
void UnpackBits8(const uint8_t* in, int bit_width, uint8_t* values);
void UnpackBits8(const uint8_t* in, int bit_width, uint32_t* values);

// The kernels behind UnpackBits32 / UnpackBits8, for loops that unpack many chunks of one width (one
// table lookup per run instead of per chunk). T = uint8_t (bit_width <= 8) or uint32_t (<= 32).
template <typename T>
using UnpackFn = void (*)(const uint8_t* in, T* values);
template <typename T>
UnpackFn<T> Unpack32Kernel(int bit_width);
template <typename T>
UnpackFn<T> Unpack8Kernel(int bit_width);
template <>
UnpackFn<uint8_t> Unpack32Kernel<uint8_t>(int bit_width);
template <>
UnpackFn<uint32_t> Unpack32Kernel<uint32_t>(int bit_width);
template <>
UnpackFn<uint8_t> Unpack8Kernel<uint8_t>(int bit_width);
template <>
UnpackFn<uint32_t> Unpack8Kernel<uint32_t>(int bit_width);

}  // namespace logdaemon::parquet
