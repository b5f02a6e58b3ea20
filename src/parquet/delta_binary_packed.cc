#include "parquet/delta_binary_packed.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <string>

#include "parquet/rle_bitpacked.h"

namespace logdaemon::parquet {

namespace {

// Far above what writers use (128 to a few thousand), low enough to bound the work a header can ask
// for per byte of input.
constexpr uint64_t kMaxBlockSize = uint64_t{1} << 20;

inline uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline uint64_t UnZigZag(uint64_t v) {
  return (v >> 1) ^ (0 - (v & 1));
}

// Writes v as ULEB128 at dest (room for 10 bytes); returns the bytes written.
inline size_t PutUleb128(uint8_t* dest, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    dest[n++] = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  dest[n++] = static_cast<uint8_t>(v);
  return n;
}

Status Corrupt(const std::string& what) {
  return Status::Corruption("DELTA_BINARY_PACKED: " + what);
}

}  // namespace

// ---- Encoder ------------------------------------------------------------------------------------

void DeltaBinaryPackedEncoder::Begin(ByteBuffer* out) {
  out_ = out;
  blocks_.clear();
  count_ = 0;
  first_value_ = 0;
  previous_ = 0;
  num_deltas_ = 0;
}

void DeltaBinaryPackedEncoder::PutMany(const int64_t* values, size_t n) {
  if (n == 0) return;
  size_t i = 0;
  if (count_ == 0) {
    first_value_ = values[0];
    previous_ = static_cast<uint64_t>(values[0]);
    i = 1;
  }
  count_ += n;
  while (i < n) {
    const size_t take = std::min(kBlockSize - num_deltas_, n - i);
    const int64_t* v = values + i;
    uint64_t* deltas = deltas_ + num_deltas_;
    deltas[0] = static_cast<uint64_t>(v[0]) - previous_;
    for (size_t k = 1; k < take; ++k)
      deltas[k] = static_cast<uint64_t>(v[k]) - static_cast<uint64_t>(v[k - 1]);
    previous_ = static_cast<uint64_t>(v[take - 1]);
    num_deltas_ += take;
    i += take;
    if (num_deltas_ == kBlockSize) FlushBlock();
  }
}

// Encodes deltas_[0 .. num_deltas_) as one block into blocks_.
void DeltaBinaryPackedEncoder::FlushBlock() {
  const size_t n = num_deltas_;
  int64_t min_delta = static_cast<int64_t>(deltas_[0]);
  for (size_t k = 1; k < n; ++k) min_delta = std::min(min_delta, static_cast<int64_t>(deltas_[k]));
  // Relative deltas, as unsigned: delta - min_delta never wraps below zero in the signed order.
  const uint64_t base = static_cast<uint64_t>(min_delta);
  for (size_t k = 0; k < n; ++k) deltas_[k] -= base;
  const size_t used = (n + kValuesPerMiniblock - 1) / kValuesPerMiniblock;
  std::fill(deltas_ + n, deltas_ + used * kValuesPerMiniblock, uint64_t{0});  // the padding

  uint8_t* dest = blocks_.prepare(10 + kMiniblocks + used * kValuesPerMiniblock * 8);
  size_t at = PutUleb128(dest, ZigZag(min_delta));
  uint8_t* widths = dest + at;
  at += kMiniblocks;
  for (size_t m = 0; m < kMiniblocks; ++m) {
    if (m >= used) {
      widths[m] = 0;  // after the last value: no bytes follow
      continue;
    }
    const uint64_t* miniblock = deltas_ + m * kValuesPerMiniblock;
    uint64_t all = 0;
    for (size_t k = 0; k < kValuesPerMiniblock; ++k) all |= miniblock[k];
    const int width = std::bit_width(all);
    widths[m] = static_cast<uint8_t>(width);
    for (size_t c = 0; c < kValuesPerMiniblock; c += 32) {
      PackBits32(miniblock + c, width, dest + at);
      at += 4 * static_cast<size_t>(width);
    }
  }
  blocks_.commit(at);
  num_deltas_ = 0;
}

void DeltaBinaryPackedEncoder::Finish() {
  if (num_deltas_ > 0) FlushBlock();
  uint8_t* dest = out_->prepare(4 * 10);
  size_t at = PutUleb128(dest, kBlockSize);
  at += PutUleb128(dest + at, kMiniblocks);
  at += PutUleb128(dest + at, count_);
  at += PutUleb128(dest + at, ZigZag(first_value_));
  out_->commit(at);
  out_->append(blocks_.data(), blocks_.size());
  blocks_.clear();
  count_ = 0;
  first_value_ = 0;
  previous_ = 0;
}

// ---- Decoder ------------------------------------------------------------------------------------

Status DeltaBinaryPackedDecoder::ReadUleb128(uint64_t* value) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (position_ >= size_) return Corrupt("varint cut off at byte " + std::to_string(position_));
    const uint8_t byte = data_[position_++];
    const uint64_t bits = byte & 0x7F;
    if (shift == 63 && bits > 1) return Corrupt("varint above 2^64 at byte " + std::to_string(position_ - 1));
    result |= bits << shift;
    if ((byte & 0x80) == 0) {
      *value = result;
      return Status::OK();
    }
  }
  return Corrupt("varint longer than 10 bytes at byte " + std::to_string(position_));
}

Status DeltaBinaryPackedDecoder::Reset(const uint8_t* data, size_t size) {
  data_ = data;
  size_ = size;
  position_ = 0;
  total_values_ = 0;
  values_decoded_ = 0;
  deltas_loaded_ = 0;
  last_value_ = 0;
  min_delta_ = 0;
  bit_widths_ = nullptr;
  width_ = 0;
  miniblock_ = nullptr;
  miniblock_bytes_ = 0;
  chunks_left_ = 0;
  chunk_position_ = 0;
  chunk_size_ = 0;

  uint64_t block_size, miniblocks, total, first;
  for (uint64_t* field : {&block_size, &miniblocks, &total, &first}) {
    if (Status st = ReadUleb128(field); !st.ok()) return st;
  }
  if (block_size == 0 || block_size % 128 != 0 || block_size > kMaxBlockSize) {
    return Corrupt("block size " + std::to_string(block_size) +
                   " (must be a positive multiple of 128, at most 2^20)");
  }
  if (miniblocks == 0 || block_size % miniblocks != 0 || (block_size / miniblocks) % 32 != 0) {
    return Corrupt(std::to_string(miniblocks) + " miniblocks in a block of " + std::to_string(block_size) +
                   " (each must hold a multiple of 32 values)");
  }
  // Every block takes at least a min delta byte and its bit widths: a count the bytes left could not
  // hold is refused here, before any caller sizes a buffer by it.
  if (total > 1) {
    const uint64_t deltas = total - 1;
    const uint64_t blocks = deltas / block_size + (deltas % block_size != 0);
    if (blocks > (size_ - position_) / (1 + miniblocks)) {
      return Corrupt(std::to_string(total) + " values cannot fit in " + std::to_string(size_) + " bytes");
    }
  }
  miniblocks_per_block_ = static_cast<size_t>(miniblocks);
  values_per_miniblock_ = static_cast<size_t>(block_size / miniblocks);
  next_miniblock_ = miniblocks_per_block_;  // the first delta starts a block
  total_values_ = static_cast<size_t>(total);
  last_value_ = UnZigZag(first);
  return Status::OK();
}

Status DeltaBinaryPackedDecoder::StartBlock() {
  uint64_t zigzag;
  if (Status st = ReadUleb128(&zigzag); !st.ok()) return st;
  min_delta_ = UnZigZag(zigzag);
  if (miniblocks_per_block_ > size_ - position_) return Corrupt("block bit widths cut off");
  bit_widths_ = data_ + position_;
  position_ += miniblocks_per_block_;
  next_miniblock_ = 0;
  return Status::OK();
}

Status DeltaBinaryPackedDecoder::LoadMiniblock() {
  if (next_miniblock_ == miniblocks_per_block_) {
    if (Status st = StartBlock(); !st.ok()) return st;
  }
  // Only widths of miniblocks holding values are checked: the others may be arbitrary (Encodings.md).
  const int width = bit_widths_[next_miniblock_++];
  if (width > 64) return Corrupt("bit width " + std::to_string(width) + " above 64");
  width_ = width;
  const size_t bytes = values_per_miniblock_ / 8 * static_cast<size_t>(width);
  // The last miniblock may lack its padding (LoadChunk checks that the values needed are there).
  const size_t present = std::min(bytes, size_ - position_);
  miniblock_ = data_ + position_;
  miniblock_bytes_ = present;
  position_ += present;
  chunks_left_ = values_per_miniblock_ / 32;
  return Status::OK();
}

// Unpacks the next 32 deltas (fewer at the end) into chunk_.
Status DeltaBinaryPackedDecoder::LoadChunk() {
  if (chunks_left_ == 0) {
    if (Status st = LoadMiniblock(); !st.ok()) return st;
  }
  const size_t needed = std::min<size_t>(32, total_values_ - 1 - deltas_loaded_);
  const size_t chunk_bytes = 4 * static_cast<size_t>(width_);
  if (miniblock_bytes_ >= chunk_bytes) {
    UnpackBits32(miniblock_, width_, chunk_);
    miniblock_ += chunk_bytes;
    miniblock_bytes_ -= chunk_bytes;
  } else {
    const size_t needed_bytes = (needed * static_cast<size_t>(width_) + 7) / 8;
    if (miniblock_bytes_ < needed_bytes) return Corrupt("miniblock cut off");
    uint8_t tail[4 * 64] = {};
    std::memcpy(tail, miniblock_, miniblock_bytes_);
    UnpackBits32(tail, width_, chunk_);
    miniblock_ += miniblock_bytes_;
    miniblock_bytes_ = 0;
  }
  --chunks_left_;
  chunk_position_ = 0;
  chunk_size_ = needed;
  deltas_loaded_ += needed;
  return Status::OK();
}

template <typename T>
Status DeltaBinaryPackedDecoder::DecodeValues(T* out, size_t n) {
  if (n > total_values_ - values_decoded_) {
    return Corrupt(std::to_string(n) + " values wanted, " + std::to_string(total_values_ - values_decoded_) +
                   " left");
  }
  size_t i = 0;
  if (n > 0 && values_decoded_ == 0) {
    const T first = static_cast<T>(last_value_);
    std::memcpy(out, &first, sizeof(T));
    i = 1;
    values_decoded_ = 1;
  }
  while (i < n) {
    if (chunk_position_ == chunk_size_) {
      if (Status st = LoadChunk(); !st.ok()) return st;
    }
    const size_t take = std::min(n - i, chunk_size_ - chunk_position_);
    const uint64_t* deltas = chunk_ + chunk_position_;
    const uint64_t min_delta = min_delta_;
    uint64_t value = last_value_;
    T* dest = out + i;
    for (size_t k = 0; k < take; ++k) {
      value += deltas[k] + min_delta;  // modulo 2^64; narrowing to int32 keeps it modulo 2^32
      const T narrowed = static_cast<T>(value);
      std::memcpy(dest + k, &narrowed, sizeof(T));  // the caller's buffer may be unaligned
    }
    last_value_ = value;
    chunk_position_ += take;
    i += take;
    values_decoded_ += take;
  }
  return Status::OK();
}

Status DeltaBinaryPackedDecoder::Decode(int64_t* out, size_t n) {
  return DecodeValues(out, n);
}
Status DeltaBinaryPackedDecoder::Decode(int32_t* out, size_t n) {
  return DecodeValues(out, n);
}

}  // namespace logdaemon::parquet
