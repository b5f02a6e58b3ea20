// DELTA_BINARY_PACKED (Encodings.md): a header, then blocks of deltas between consecutive values.
//
//   header: <block size> <miniblocks per block> <total value count> <first value (zigzag)>   ULEB128 each
//   block:  <min delta (zigzag ULEB128)> <one bit-width byte per miniblock> <miniblocks>
//   miniblock: (block size / miniblocks) values of (delta - min delta), bit-packed LSB first
//
// logdaemon writes blocks of 128 values in 4 miniblocks of 32 (what other writers use, and readers
// expect). All arithmetic wraps modulo 2^64 (2^32 for INT32 columns), as the specification asks, so
// neighbours such as INT64_MIN and INT64_MAX round-trip.
//
// Thread-safety: none; one encoder or decoder per thread.
#pragma once

#include <cstddef>
#include <cstdint>

#include "logdaemon/status.h"
#include "parquet/byte_buffer.h"

namespace logdaemon::parquet {

// Deltas are computed and bit-packed as values arrive, a block at a time, into a buffer of its own;
// Finish writes the header (which needs the total count) and then those blocks. Reusable: Begin again
// after Finish; buffers keep their capacity.
class DeltaBinaryPackedEncoder {
 public:
  DeltaBinaryPackedEncoder() = default;
  DeltaBinaryPackedEncoder(const DeltaBinaryPackedEncoder&) = delete;
  DeltaBinaryPackedEncoder& operator=(const DeltaBinaryPackedEncoder&) = delete;
  DeltaBinaryPackedEncoder(DeltaBinaryPackedEncoder&&) = default;
  DeltaBinaryPackedEncoder& operator=(DeltaBinaryPackedEncoder&&) = default;

  // Starts an encoding that Finish appends to *out (not cleared; must outlive Finish).
  void Begin(ByteBuffer* out);
  void PutMany(const int64_t* values, size_t n);
  // Appends the header and every block to *out. A last, partial block keeps its four bit-width bytes;
  // miniblocks after its last value have width 0 and no bytes, as the specification allows.
  void Finish();

 private:
  static constexpr size_t kBlockSize = 128;
  static constexpr size_t kMiniblocks = 4;
  static constexpr size_t kValuesPerMiniblock = kBlockSize / kMiniblocks;
  static_assert(kBlockSize % 128 == 0 && kValuesPerMiniblock % 32 == 0,
                "Encodings.md: a block is a multiple of 128 values, a miniblock a multiple of 32");

  void FlushBlock();

  ByteBuffer* out_ = nullptr;
  ByteBuffer blocks_;
  size_t count_ = 0;
  int64_t first_value_ = 0;
  uint64_t previous_ = 0;
  size_t num_deltas_ = 0;
  uint64_t deltas_[kBlockSize];
};

class DeltaBinaryPackedDecoder {
 public:
  // Reads and checks the header of data[0 .. size) (borrowed; must outlive the decoder's use):
  // block size a multiple of 128 up to 2^20, miniblocks dividing it into multiples of 32, and a value
  // count the remaining bytes could hold.
  Status Reset(const uint8_t* data, size_t size);
  size_t total_values() const { return total_values_; }
  // Decodes the next n values. Asking for more than are left is corruption (the caller's page said
  // there were more). INT32 columns: each value is the 64-bit result modulo 2^32.
  Status Decode(int64_t* out, size_t n);
  Status Decode(int32_t* out, size_t n);
  // Once every value was decoded: where the encoding ends (DELTA_LENGTH_BYTE_ARRAY's bytes follow).
  size_t bytes_consumed() const { return position_; }

 private:
  template <typename T>
  Status DecodeValues(T* out, size_t n);
  Status LoadChunk();
  Status LoadMiniblock();
  Status StartBlock();
  Status ReadUleb128(uint64_t* value);

  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t position_ = 0;  // the next unread byte; the end of the current miniblock once it is loaded
  size_t miniblocks_per_block_ = 0;
  size_t values_per_miniblock_ = 0;
  size_t total_values_ = 0;
  size_t values_decoded_ = 0;  // handed to the caller
  size_t deltas_loaded_ = 0;   // unpacked into chunk_ so far
  uint64_t last_value_ = 0;
  // The current block.
  uint64_t min_delta_ = 0;
  const uint8_t* bit_widths_ = nullptr;  // miniblocks_per_block_ bytes, inside data_
  size_t next_miniblock_ = 0;
  // The current miniblock: chunks of 32 values, 4 * width bytes each.
  int width_ = 0;
  const uint8_t* miniblock_ = nullptr;  // its next unread chunk
  size_t miniblock_bytes_ = 0;          // bytes present from miniblock_ on
  size_t chunks_left_ = 0;
  // The current chunk of deltas (min delta not yet added).
  uint64_t chunk_[32];
  size_t chunk_position_ = 0;
  size_t chunk_size_ = 0;
};

}  // namespace logdaemon::parquet
