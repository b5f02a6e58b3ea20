#include "storage/wal_format.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "storage/crc32c.h"

namespace logdaemon::storage {

namespace {

void PutU32(std::string* out, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 4);
}

void PutU64(std::string* out, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 8);
}

uint32_t GetU32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t{static_cast<uint8_t>(p[i])} << (8 * i);
  return v;
}

uint64_t GetU64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t{static_cast<uint8_t>(p[i])} << (8 * i);
  return v;
}

const uint8_t* Bytes(const char* p) {
  return reinterpret_cast<const uint8_t*>(p);
}

bool AllZero(std::string_view bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == 0; });
}

bool ParseDigits(std::string_view text, uint64_t* value) {
  if (text.empty()) return false;
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) return false;
    v = v * 10 + digit;
  }
  *value = v;
  return true;
}

std::string FileName(uint32_t stream, uint64_t first_lsn, std::string_view suffix) {
  char name[64];
  std::snprintf(name, sizeof(name), "%05u-%020llu", stream, static_cast<unsigned long long>(first_lsn));
  return std::string(name).append(suffix);
}

std::optional<WalSegmentName> ParseFileName(std::string_view name, std::string_view suffix) {
  // Exactly the shape FileName makes: 5 digits, '-', 20 digits, the suffix.
  if (name.size() != 5 + 1 + 20 + suffix.size() || name[5] != '-' || name.substr(26) != suffix) {
    return std::nullopt;
  }
  uint64_t stream = 0;
  uint64_t first = 0;
  if (!ParseDigits(name.substr(0, 5), &stream) || !ParseDigits(name.substr(6, 20), &first))
    return std::nullopt;
  if (stream > kMaxWalStream || first == 0) return std::nullopt;
  return WalSegmentName{static_cast<uint32_t>(stream), first};
}

}  // namespace

std::string WalSegmentFileName(uint32_t stream, uint64_t first_lsn) {
  return FileName(stream, first_lsn, kWalSegmentSuffix);
}

std::optional<WalSegmentName> ParseWalSegmentFileName(std::string_view name) {
  return ParseFileName(name, kWalSegmentSuffix);
}

std::string WalSpareFileName(uint32_t stream, uint64_t first_lsn) {
  return FileName(stream, first_lsn, kWalSpareSuffix);
}

std::optional<WalSegmentName> ParseWalSpareFileName(std::string_view name) {
  return ParseFileName(name, kWalSpareSuffix);
}

std::string EncodeWalSegmentHeader(uint32_t stream, uint64_t first_lsn, std::string_view schema) {
  std::string out(kWalMagic, sizeof(kWalMagic));
  PutU32(&out, static_cast<uint32_t>(kWalSegmentHeaderFixedBytes + schema.size()));
  PutU32(&out, stream);
  PutU64(&out, first_lsn);
  PutU32(&out, static_cast<uint32_t>(schema.size()));
  out.append(schema);
  PutU32(&out, Crc32c(Bytes(out.data()), out.size()));
  return out;
}

Result<WalSegmentHeader> DecodeWalSegmentHeader(std::string_view bytes) {
  if (bytes.size() < kWalSegmentHeaderFixedBytes) {
    return Status::Corruption("segment header: " + std::to_string(bytes.size()) +
                              " bytes, shorter than a header");
  }
  if (std::memcmp(bytes.data(), kWalMagic, sizeof(kWalMagic)) != 0) {
    return Status::Corruption("segment header: not a logdaemon write-ahead log segment (bad magic)");
  }
  const uint32_t header_bytes = GetU32(bytes.data() + 8);
  const uint32_t schema_bytes = GetU32(bytes.data() + 24);
  if (header_bytes != kWalSegmentHeaderFixedBytes + uint64_t{schema_bytes} || header_bytes > bytes.size()) {
    return Status::Corruption("segment header: its length (" + std::to_string(header_bytes) +
                              ") does not fit the file");
  }
  const size_t crc_at = header_bytes - 4;
  if (GetU32(bytes.data() + crc_at) != Crc32c(Bytes(bytes.data()), crc_at)) {
    return Status::Corruption("segment header: checksum mismatch");
  }
  WalSegmentHeader header;
  header.stream = GetU32(bytes.data() + 12);
  header.first_lsn = GetU64(bytes.data() + 16);
  header.schema.assign(bytes.data() + 28, schema_bytes);
  header.header_bytes = header_bytes;
  return header;
}

void AppendWalRecord(uint64_t lsn, std::string_view payload, std::string* out) {
  const size_t at = out->size();
  PutU32(out, static_cast<uint32_t>(payload.size()));
  PutU32(out, 0);  // the checksum, filled in below
  PutU64(out, lsn);
  out->append(payload);
  const char* record = out->data() + at;
  uint32_t crc = Crc32cExtend(0, Bytes(record), 4);
  crc = Crc32cExtend(crc, Bytes(record + 8), 8 + payload.size());
  for (int i = 0; i < 4; ++i) (*out)[at + 4 + static_cast<size_t>(i)] = static_cast<char>(crc >> (8 * i));
}

bool WalRecordReader::Stop(std::string reason) {
  torn_ = true;
  torn_reason_ = std::move(reason);
  return false;
}

bool WalRecordReader::Next(uint64_t* lsn, std::string_view* payload) {
  if (torn_) return false;
  const std::string_view rest = bytes_.substr(offset_);
  if (rest.size() < kWalRecordHeaderBytes) {
    if (AllZero(rest)) return false;  // the clean end
    return Stop("a record header cut short");
  }
  if (AllZero(rest.substr(0, kWalRecordHeaderBytes))) return false;  // the preallocated, unwritten end
  const uint32_t length = GetU32(rest.data());
  if (length == 0 || length > rest.size() - kWalRecordHeaderBytes) {
    return Stop("a record length (" + std::to_string(length) + ") past the end of the segment");
  }
  uint32_t crc = Crc32cExtend(0, Bytes(rest.data()), 4);
  crc = Crc32cExtend(crc, Bytes(rest.data() + 8), 8 + size_t{length});
  if (crc != GetU32(rest.data() + 4)) return Stop("a record checksum mismatch");
  const uint64_t record_lsn = GetU64(rest.data() + 8);
  if (record_lsn != next_lsn_) {
    return Stop("LSN " + std::to_string(record_lsn) + " where " + std::to_string(next_lsn_) + " was due");
  }
  *lsn = record_lsn;
  *payload = rest.substr(kWalRecordHeaderBytes, length);
  offset_ += kWalRecordHeaderBytes + length;
  ++next_lsn_;
  return true;
}

}  // namespace logdaemon::storage
