// The RLE / bit-packing hybrid of Encodings.md: runs of one repeated value, or groups of 8 values
// bit-packed LSB first. Parquet uses it for definition levels, dictionary indices and RLE booleans.
//
//   run header (ULEB128): (count << 1) | 0  → RLE run: count repeats of one value in ceil(bw/8) bytes
//                         (groups << 1) | 1 → bit-packed run of groups * 8 values, bw bits each
//
// Thread-safety: none.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "logdaemon/status.h"
#include "parquet/byte_buffer.h"

namespace logdaemon::parquet {

// Bits needed to store max_value (0 for 0).
int BitWidth(uint32_t max_value);

class RleBitPackedEncoder {
 public:
  // Appends to *out (not cleared). bit_width 0..32.
  void Begin(ByteBuffer* out, int bit_width);
  void Put(uint32_t value);
  void PutMany(const uint32_t* values, size_t n);
  void PutMany(const uint8_t* values, size_t n);
  void PutRepeated(uint32_t value, size_t n);
  // Flushes what is pending; *out then holds the whole encoding (no length prefix).
  void Finish();

 private:
  void EndRun(bool final);
  void FlushLiterals(bool final);
  void WriteRun(uint32_t value, size_t count);
  void WriteVarint(uint64_t v);

  ByteBuffer* out_ = nullptr;
  int bit_width_ = 0;
  // Values not yet written: literals_ (a multiple of 8 are flushed as bit-packed groups) and a pending
  // run of run_value_ repeated run_length_ times.
  std::vector<uint32_t> literals_;
  uint32_t run_value_ = 0;
  size_t run_length_ = 0;
};

class RleBitPackedDecoder {
 public:
  void Reset(const uint8_t* data, size_t size, int bit_width);
  // Decodes up to n values; returns how many. Fewer means the input ended or is corrupt (corrupt()).
  template <typename T>
  size_t GetBatch(T* out, size_t n);
  bool corrupt() const { return corrupt_; }
  size_t bytes_consumed() const { return position_; }

 private:
  bool NextRun();

  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t position_ = 0;
  int bit_width_ = 0;
  bool corrupt_ = false;
  // The current run.
  bool in_rle_ = false;
  uint32_t rle_value_ = 0;
  size_t remaining_ = 0;             // values left in the run
  const uint8_t* packed_ = nullptr;  // bit-packed run: its bytes
  size_t packed_bytes_ = 0;
  size_t packed_index_ = 0;  // next value within the bit-packed run
};

extern template size_t RleBitPackedDecoder::GetBatch<uint8_t>(uint8_t*, size_t);
extern template size_t RleBitPackedDecoder::GetBatch<uint32_t>(uint32_t*, size_t);

// Data page v1 definition levels: a u32 little-endian byte length, then the hybrid with bit width 1.
// Decodes exactly num_values levels; *consumed receives 4 + the length.
Status DecodeLevelsV1(const uint8_t* data, size_t size, size_t num_values, uint8_t* out, size_t* consumed);
void EncodeLevelsV1(const uint8_t* levels, size_t n, ByteBuffer* out);

}  // namespace logdaemon::parquet
