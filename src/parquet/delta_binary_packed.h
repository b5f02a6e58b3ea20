// DELTA_BINARY_PACKED (Encodings.md): a header (block size, miniblocks per block, value count, first
// value), then blocks of deltas: a minimum delta and per-miniblock bit widths, followed by the deltas
// minus the minimum, bit-packed. logdaemon writes blocks of 128 values in 4 miniblocks of 32. All
// arithmetic wraps modulo 2^64 (2^32 for INT32 columns), as the specification says.
//
// Thread-safety: none.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "logdaemon/status.h"
#include "parquet/byte_buffer.h"

namespace logdaemon::parquet {

class DeltaBinaryPackedEncoder {
 public:
  // Starts a new encoding that Finish appends to *out.
  void Begin(ByteBuffer* out);
  void PutMany(const int64_t* values, size_t n);
  void Finish();

 private:
  void WriteBlock(const uint64_t* deltas, size_t n);

  ByteBuffer* out_ = nullptr;
  std::vector<int64_t> values_;
};

class DeltaBinaryPackedDecoder {
 public:
  Status Reset(const uint8_t* data, size_t size);
  size_t total_values() const { return total_values_; }
  // Decodes the next n values. REQUIRES: n <= values left.
  Status Decode(int64_t* out, size_t n);
  Status Decode(int32_t* out, size_t n);
  // After every value was decoded: where the encoding ends.
  size_t bytes_consumed() const { return position_; }

 private:
  Status DecodeRaw(uint64_t* out, size_t n);
  Status LoadMiniblock();
  Status ReadVarint(uint64_t* v);

  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t position_ = 0;
  size_t block_size_ = 0;
  size_t miniblocks_ = 0;
  size_t values_per_miniblock_ = 0;
  size_t total_values_ = 0;
  size_t values_read_ = 0;
  uint64_t last_value_ = 0;
  // The current block and miniblock.
  uint64_t min_delta_ = 0;
  std::vector<uint8_t> widths_;
  size_t miniblock_index_ = 0;    // next miniblock of the block to load
  std::vector<uint64_t> deltas_;  // the loaded miniblock's deltas (min delta added)
  size_t delta_index_ = 0;
  std::vector<uint64_t> scratch_;
};

}  // namespace logdaemon::parquet
