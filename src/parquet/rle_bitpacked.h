// The RLE / bit-packing hybrid of Encodings.md: runs of one repeated value, or groups of 8 values
// bit-packed LSB first. Parquet uses it for definition levels, dictionary indices and RLE booleans.
//
//   run header (ULEB128): (count << 1) | 0  → RLE run: count repeats of one value in ceil(bw/8) bytes
//                         (groups << 1) | 1 → bit-packed run of groups * 8 values, bw bits each
//
// The bit-packing kernels are in bit_unpack.h (shared with DELTA_BINARY_PACKED's miniblocks).
//
// Thread-safety: none; one encoder or decoder per thread. The free functions are thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

#include "logdaemon/status.h"
#include "parquet/bit_unpack.h"
#include "parquet/byte_buffer.h"

namespace logdaemon::parquet {

// Encodes a stream of values. Repeats of 8 or more become RLE runs; everything else is bit-packed in
// groups of 8 (the last group padded with zeros; readers stop at the page's value count). A
// bit-packed run holds at most 63 groups so that its header is one byte, reserved before the values
// and patched when the run ends: nothing is copied twice.
//
// Usage: Begin, any mix of Put*, Finish; then Begin again to reuse the object (no allocation).
class RleBitPackedEncoder {
 public:
  RleBitPackedEncoder() = default;
  RleBitPackedEncoder(const RleBitPackedEncoder&) = delete;
  RleBitPackedEncoder& operator=(const RleBitPackedEncoder&) = delete;
  RleBitPackedEncoder(RleBitPackedEncoder&&) = default;
  RleBitPackedEncoder& operator=(RleBitPackedEncoder&&) = default;

  // Appends to *out (which is not cleared and must outlive Finish). REQUIRES: 0 <= bit_width <= 32.
  void Begin(ByteBuffer* out, int bit_width);
  // REQUIRES: every value < 2^bit_width.
  void Put(uint32_t value);
  void PutMany(const uint32_t* values, size_t n);
  void PutMany(const uint8_t* values, size_t n);  // levels
  // n copies of value, in O(1) (e.g. the definition levels of a page without nulls).
  void PutRepeated(uint32_t value, size_t n);
  // Writes what is pending; *out then holds the whole encoding (no length prefix).
  void Finish();

 private:
  static constexpr size_t kMaxLiteralGroups = 63;  // (63 << 1) | 1 = 127: a one-byte header
  static constexpr size_t kMaxLiterals = 8 * kMaxLiteralGroups;

  template <typename T>
  void PutValues(const T* values, size_t n);
  void EndRun();
  void AppendLiterals(uint32_t value, size_t count);
  void FlushLiterals();
  void WriteRleRun(uint32_t value, size_t count);

  ByteBuffer* out_ = nullptr;
  int bit_width_ = 0;
  // Pending, in stream order: literals_[0 .. num_literals_) (a bit-packed run being built), then a run
  // of run_length_ copies of run_value_ whose fate (RLE run or literals) is decided when it ends.
  uint32_t run_value_ = 0;
  size_t run_length_ = 0;
  size_t num_literals_ = 0;
  // Rounded up to whole 32-value chunks so that FlushLiterals can pack the zero padding as well.
  uint32_t literals_[(kMaxLiterals + 31) / 32 * 32];
};

// Decodes a stream produced by any conforming writer, batch by batch.
class RleBitPackedDecoder {
 public:
  // Decodes data[0 .. size) (borrowed; must outlive the decoder's use). An invalid bit_width makes
  // the decoder corrupt.
  void Reset(const uint8_t* data, size_t size, int bit_width);

  // Decodes up to n values into out; returns how many. Fewer than n means the input ended, or is
  // corrupt (see corrupt()). A bit-packed run may claim more values than the page holds (its last
  // group's padding): callers ask only for the values they need. T = uint8_t or uint32_t; a value
  // that does not fit T is corruption.
  template <typename T>
  size_t GetBatch(T* out, size_t n);
  // Passes over `ahead` values, then reads the next one into *value; false as GetBatch would deliver
  // fewer. Runs are passed by their headers and bit-packed groups unread (only the group holding the
  // value is unpacked), so reading a few values far apart costs little more than the runs between them.
  bool ReadAhead(size_t ahead, uint32_t* value);

  // Whether the input broke a rule: a zero-length or over-long run, an RLE value wider than the bit
  // width, a run header or RLE value cut off, or values needed from a bit-packed run whose bytes were
  // cut off (decoding what is there first, as other readers do for cut padding).
  bool corrupt() const { return corrupt_; }
  // Bytes of the input read so far (runs are consumed whole when they start).
  size_t bytes_consumed() const { return position_; }

 private:
  bool NextRun();
  template <typename T>
  void ReadPacked(T* out, size_t count);
  void LoadGroup();
  size_t GetBatchNarrow(uint8_t* out, size_t n);

  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t position_ = 0;
  int bit_width_ = 0;
  bool corrupt_ = false;
  // The current run: remaining_ values left in it.
  size_t remaining_ = 0;
  bool in_rle_ = false;
  uint32_t rle_value_ = 0;
  // Bit-packed run: its unread bytes (whole 32-value chunks and 8-value groups are unpacked straight
  // into the caller's buffer; a group split between calls is unpacked once into group_).
  const uint8_t* packed_ = nullptr;
  size_t packed_bytes_ = 0;
  bool packed_truncated_ = false;  // the run's bytes end before the values it claims
  uint32_t group_[8];
  size_t group_position_ = 0;
  size_t group_size_ = 0;
};

extern template size_t RleBitPackedDecoder::GetBatch<uint8_t>(uint8_t*, size_t);
extern template size_t RleBitPackedDecoder::GetBatch<uint32_t>(uint32_t*, size_t);

// Data page v1 levels: a u32 little-endian byte length, then the hybrid with bit width 1.
// Decodes exactly num_values levels into out; *consumed receives 4 + the length. Fewer levels than
// num_values, or a length past size, is corruption.
Status DecodeLevelsV1(const uint8_t* data, size_t size, size_t num_values, uint8_t* out, size_t* consumed);
// Appends the length prefix and the encoding of n levels (each 0 or 1).
void EncodeLevelsV1(const uint8_t* levels, size_t n, ByteBuffer* out);

}  // namespace logdaemon::parquet
