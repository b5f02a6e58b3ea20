// The write-ahead log's on-disk format (DESIGN.md §1, §5): segment file names, the segment header and
// records. Pure encoding and decoding; the files themselves are handled by storage/wal.h.
//
// A stream is one admitting thread's log; its records carry consecutive log sequence numbers (LSNs) that
// never repeat within the stream, across restarts too. A stream's log is a series of segments:
//
//   wal/<stream, 5 digits>-<first LSN, 20 digits>.wal
//
//   segment header (little-endian)            record (little-endian)
//   0   8  magic "LDWAL01\n"                   0   4  payload bytes n (> 0)
//   8   4  header bytes h (all of it)          4   4  CRC-32C of bytes [0,4) and [8, 16+n)
//   12  4  stream                              8   8  LSN (the segment's first LSN + its index)
//   16  8  first LSN                           16  n  payload: the log's JSON text, as received
//   24  4  schema bytes s
//   28  s  the JSON Schema text the records were validated with
//   28+s 4 CRC-32C of bytes [0, 28+s)
//
// Records follow the header back to back. Segments are preallocated, so a segment's unused end reads as
// zeros: a record position holding 16 zero bytes (or fewer than 16 bytes, all zero, at the file's end) is
// the clean end. Each group commit also writes those zeros right after its last record (as many of the 16
// as the segment has room for), and the next group writes over them: a recycled segment (a trimmed one
// renamed <stream>-<first LSN>.spare and reused, storage/wal.h) still holds its old records beyond them.
// Anything else that does not decode — a bad checksum, a length past the end, an LSN out of sequence — is a
// torn tail: bytes of a group commit that never completed, whose logs were never acknowledged. Reading stops
// there.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "logdaemon/status.h"

namespace logdaemon::storage {

inline constexpr std::string_view kWalDirName = "wal";
inline constexpr std::string_view kWalSegmentSuffix = ".wal";
inline constexpr std::string_view kWalSpareSuffix = ".spare";
inline constexpr char kWalMagic[8] = {'L', 'D', 'W', 'A', 'L', '0', '1', '\n'};
inline constexpr size_t kWalRecordHeaderBytes = 16;
// The fixed part of a segment header: magic, header bytes, stream, first LSN, schema bytes, and the CRC.
inline constexpr size_t kWalSegmentHeaderFixedBytes = 8 + 4 + 4 + 8 + 4 + 4;
static_assert(kWalSegmentHeaderFixedBytes == 32);
inline constexpr uint32_t kMaxWalStream = 99999;

struct WalSegmentName {
  uint32_t stream = 0;
  uint64_t first_lsn = 0;
};

// "00001-00000000000000000042.wal"
std::string WalSegmentFileName(uint32_t stream, uint64_t first_lsn);
// std::nullopt for any other name.
std::optional<WalSegmentName> ParseWalSegmentFileName(std::string_view name);
// A spare (a trimmed segment kept for reuse) is named after the segment it was: "00001-…0042.spare".
std::string WalSpareFileName(uint32_t stream, uint64_t first_lsn);
std::optional<WalSegmentName> ParseWalSpareFileName(std::string_view name);

struct WalSegmentHeader {
  uint32_t stream = 0;
  uint64_t first_lsn = 0;
  std::string schema;
  size_t header_bytes = 0;  // where the records start
};

std::string EncodeWalSegmentHeader(uint32_t stream, uint64_t first_lsn, std::string_view schema);
// Corruption when the header is torn or not a segment header.
Result<WalSegmentHeader> DecodeWalSegmentHeader(std::string_view bytes);

// Appends one record to *out.
void AppendWalRecord(uint64_t lsn, std::string_view payload, std::string* out);
inline size_t WalRecordBytes(size_t payload_bytes) {
  return kWalRecordHeaderBytes + payload_bytes;
}

// Reads the records of one segment's bytes (after its header), in order.
class WalRecordReader {
 public:
  // `records` are the bytes after the header; the first record must carry `first_lsn`.
  WalRecordReader(std::string_view records, uint64_t first_lsn) : bytes_(records), next_lsn_(first_lsn) {}

  // The next record; false at the end (clean or torn: see torn()).
  bool Next(uint64_t* lsn, std::string_view* payload);
  // After Next() returned false: whether the end was a torn tail rather than the clean end, where it
  // starts (relative to the records), and why.
  bool torn() const { return torn_; }
  size_t end_offset() const { return offset_; }
  const std::string& torn_reason() const { return torn_reason_; }
  // The LSN the next record would have had.
  uint64_t next_lsn() const { return next_lsn_; }

 private:
  bool Stop(std::string reason);

  std::string_view bytes_;
  size_t offset_ = 0;
  uint64_t next_lsn_;
  bool torn_ = false;
  std::string torn_reason_;
};

}  // namespace logdaemon::storage
