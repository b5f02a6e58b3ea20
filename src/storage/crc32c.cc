#include "storage/crc32c.h"

#include <array>
#include <cstring>

namespace logdaemon::storage {

namespace {

constexpr uint32_t kPolynomial = 0x82F63B78;  // reflected Castagnoli

// kTables[0] is the byte-at-a-time table; kTables[k][b] is the CRC of byte b followed by k zero bytes,
// so eight bytes are folded with eight look-ups (slicing-by-8).
constexpr std::array<std::array<uint32_t, 256>, 8> MakeTables() {
  std::array<std::array<uint32_t, 256>, 8> tables{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t crc = b;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1) ? kPolynomial : 0);
    tables[0][b] = crc;
  }
  for (uint32_t b = 0; b < 256; ++b) {
    for (size_t k = 1; k < 8; ++k)
      tables[k][b] = (tables[k - 1][b] >> 8) ^ tables[0][tables[k - 1][b] & 0xFF];
  }
  return tables;
}

constexpr auto kTables = MakeTables();

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t Crc32cHardware(uint32_t crc, const uint8_t* data, size_t n) {
  uint64_t state = ~crc;
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, data, 8);
    state = __builtin_ia32_crc32di(state, word);
    data += 8;
    n -= 8;
  }
  uint32_t state32 = static_cast<uint32_t>(state);
  while (n > 0) {
    state32 = __builtin_ia32_crc32qi(state32, *data++);
    --n;
  }
  return ~state32;
}

bool HasSse42() {
  static const bool has = __builtin_cpu_supports("sse4.2");
  return has;
}
#endif

}  // namespace

uint32_t Crc32cPortable(uint32_t crc, const uint8_t* data, size_t n) {
  uint32_t state = ~crc;
  while (n >= 8) {
    uint32_t low;
    uint32_t high;
    std::memcpy(&low, data, 4);  // little-endian hosts only (x86_64, aarch64), as the rest of the format
    std::memcpy(&high, data + 4, 4);
    low ^= state;
    state = kTables[7][low & 0xFF] ^ kTables[6][(low >> 8) & 0xFF] ^ kTables[5][(low >> 16) & 0xFF] ^
            kTables[4][low >> 24] ^ kTables[3][high & 0xFF] ^ kTables[2][(high >> 8) & 0xFF] ^
            kTables[1][(high >> 16) & 0xFF] ^ kTables[0][high >> 24];
    data += 8;
    n -= 8;
  }
  while (n > 0) {
    state = (state >> 8) ^ kTables[0][(state ^ *data++) & 0xFF];
    --n;
  }
  return ~state;
}

uint32_t Crc32cExtend(uint32_t crc, const uint8_t* data, size_t n) {
#if defined(__x86_64__)
  if (HasSse42()) return Crc32cHardware(crc, data, n);
#endif
  return Crc32cPortable(crc, data, n);
}

}  // namespace logdaemon::storage
