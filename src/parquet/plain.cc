#include "parquet/plain.h"

#include <array>
#include <cstring>
#include <limits>
#include <string>

namespace logdaemon::parquet {

namespace {

// Byte b spread to eight bytes: byte i of kSpreadBits[b] is bit i of b (0 or 1).
constexpr std::array<uint64_t, 256> MakeSpreadTable() {
  std::array<uint64_t, 256> table{};
  for (uint64_t b = 0; b < 256; ++b) {
    for (int i = 0; i < 8; ++i) table[b] |= ((b >> i) & 1) << (8 * i);
  }
  return table;
}
constexpr std::array<uint64_t, 256> kSpreadBits = MakeSpreadTable();

// Eight 0/1 bytes (little-endian in word) gathered into one byte, value i to bit i. Each masked byte
// i is multiplied onto bit 56 + i by the term 2^(56 - 7i) and no partial products collide, so the top
// byte is exactly the packed bits.
inline uint8_t GatherBits(uint64_t word) {
  return static_cast<uint8_t>(((word & 0x0101010101010101ULL) * 0x0102040810204080ULL) >> 56);
}

}  // namespace

void EncodePlainInt64(const int64_t* values, size_t n, ByteBuffer* out) {
  out->append(values, n * sizeof(int64_t));
}

void EncodePlainDouble(const double* values, size_t n, ByteBuffer* out) {
  out->append(values, n * sizeof(double));
}

void EncodePlainBoolean(const uint8_t* values, size_t n, ByteBuffer* out) {
  const size_t bytes = (n + 7) / 8;
  uint8_t* dest = out->prepare(bytes);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t word;
    std::memcpy(&word, values + i, 8);
    dest[i / 8] = GatherBits(word);
  }
  if (i < n) {
    uint8_t last = 0;
    for (size_t k = 0; i + k < n; ++k) last |= static_cast<uint8_t>((values[i + k] & 1) << k);
    dest[i / 8] = last;
  }
  out->commit(bytes);
}

void EncodePlainByteArray(const uint8_t* bytes, const uint32_t* offsets, size_t n, ByteBuffer* out) {
  if (n == 0) return;
  const size_t total = 4 * n + (offsets[n] - offsets[0]);
  uint8_t* dest = out->prepare(total);
  for (size_t i = 0; i < n; ++i) {
    const uint32_t length = offsets[i + 1] - offsets[i];
    std::memcpy(dest, &length, 4);
    if (length != 0) std::memcpy(dest + 4, bytes + offsets[i], length);  // bytes may be null if all empty
    dest += 4 + length;
  }
  out->commit(total);
}

Status DecodePlainFixed(const uint8_t* data, size_t size, size_t num_values, int width, ByteBuffer* out) {
  if (width <= 0) return Status::Corruption("PLAIN: value width " + std::to_string(width));
  const size_t w = static_cast<size_t>(width);
  if (num_values > size / w) {
    return Status::Corruption("PLAIN: " + std::to_string(num_values) + " values of " + std::to_string(w) +
                              " bytes need more than the " + std::to_string(size) + " bytes present");
  }
  out->append(data, num_values * w);
  return Status::OK();
}

Status DecodePlainBoolean(const uint8_t* data, size_t size, size_t num_values, ByteBuffer* out) {
  if (num_values / 8 + (num_values % 8 != 0) > size) {
    return Status::Corruption("PLAIN: " + std::to_string(num_values) + " booleans need more than the " +
                              std::to_string(size) + " bytes present");
  }
  uint8_t* dest = out->prepare(num_values);
  const size_t whole = num_values / 8;
  for (size_t b = 0; b < whole; ++b) std::memcpy(dest + 8 * b, &kSpreadBits[data[b]], 8);
  for (size_t i = 8 * whole; i < num_values; ++i) dest[i] = (data[i / 8] >> (i % 8)) & 1;
  out->commit(num_values);
  return Status::OK();
}

Status DecodePlainByteArray(const uint8_t* data, size_t size, size_t num_values, ByteArrayValues* out,
                            size_t* consumed) {
  // Every value takes at least its 4-byte length: this bounds what is allocated below.
  if (num_values > size / 4) {
    return Status::Corruption("PLAIN: " + std::to_string(num_values) + " byte arrays cannot fit in " +
                              std::to_string(size) + " bytes");
  }
  const size_t old_count = out->offsets.size();
  const size_t old_bytes = out->bytes.size();
  out->offsets.resize(old_count + num_values);
  uint32_t* offsets = out->offsets.data() + old_count;
  // The values' bytes are at most what the lengths leave; the buffer grows once.
  uint8_t* dest = out->bytes.prepare(size - 4 * num_values);
  uint64_t end = old_bytes;
  size_t position = 0;
  Status error;
  for (size_t i = 0; i < num_values; ++i) {
    if (size - position < 4) {
      error = Status::Corruption("PLAIN: byte array " + std::to_string(i) + " length cut off");
      break;
    }
    uint32_t length;
    std::memcpy(&length, data + position, 4);
    position += 4;
    // The value must leave room for the lengths still to come: that keeps the bytes copied within
    // what was prepared above.
    const size_t later_lengths = 4 * (num_values - i - 1);
    if (length > size - position || size - position - length < later_lengths) {
      error = Status::Corruption("PLAIN: byte array " + std::to_string(i) + " of " + std::to_string(length) +
                                 " bytes, " + std::to_string(size - position) + " left for it and " +
                                 std::to_string(num_values - i - 1) + " more");
      break;
    }
    end += length;
    if (end > kMaxByteArrayBytes) {
      error = Status::NotSupported("PLAIN: a column chunk with 4 GiB or more of byte arrays");
      break;
    }
    std::memcpy(dest, data + position, length);
    dest += length;
    position += length;
    offsets[i] = static_cast<uint32_t>(end);
  }
  if (!error.ok()) {
    out->offsets.resize(old_count);
    return error;
  }
  out->bytes.commit(static_cast<size_t>(end) - old_bytes);
  *consumed = position;
  return Status::OK();
}

}  // namespace logdaemon::parquet
