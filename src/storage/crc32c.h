// CRC-32C (Castagnoli, polynomial 0x1EDC6F41, reflected 0x82F63B78), the checksum of write-ahead log
// records (storage/wal_format.h). Computed with the SSE4.2 crc32 instruction where the CPU has it (checked
// once at start), else with slicing-by-8 tables; both give the same values (tested against RFC 3720's
// check values).
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>

namespace logdaemon::storage {

// Extends `crc` (0 for a new checksum) by `n` bytes of `data`.
uint32_t Crc32cExtend(uint32_t crc, const uint8_t* data, size_t n);
inline uint32_t Crc32c(const uint8_t* data, size_t n) {
  return Crc32cExtend(0, data, n);
}

// The table version, for tests that compare both paths.
uint32_t Crc32cPortable(uint32_t crc, const uint8_t* data, size_t n);

}  // namespace logdaemon::storage
