#include "parquet/delta_binary_packed.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace logdaemon::parquet {

namespace {

constexpr size_t kBlockSize = 128;
constexpr size_t kMiniblocks = 4;
constexpr size_t kValuesPerMiniblock = kBlockSize / kMiniblocks;
// Limits on what a header may claim, far above what any writer uses, to bound the work per block.
constexpr size_t kMaxBlockSize = 1 << 16;

void PutVarint(ByteBuffer* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<uint8_t>(v));
}

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
}

int Width64(uint64_t v) {
  return v == 0 ? 0 : 64 - __builtin_clzll(v);
}

// Appends count values of `width` bits, LSB first, to out (count * width / 8 bytes; count % 8 == 0).
void PackBits(const uint64_t* values, size_t count, int width, ByteBuffer* out) {
  size_t bytes = count * static_cast<size_t>(width) / 8;
  uint8_t* dest = out->prepare(bytes);
  std::memset(dest, 0, bytes);
  if (width > 0) {
    size_t bit = 0;
    for (size_t i = 0; i < count; ++i, bit += static_cast<size_t>(width)) {
      uint64_t v = values[i];
      size_t byte = bit >> 3;
      int shift = static_cast<int>(bit & 7);
      // Up to 64 + 7 bits: spread over at most 9 bytes.
      unsigned __int128 wide = static_cast<unsigned __int128>(v) << shift;
      int span = (shift + width + 7) / 8;
      for (int k = 0; k < span; ++k) dest[byte + k] |= static_cast<uint8_t>(wide >> (8 * k));
    }
  }
  out->commit(bytes);
}

// Reads count values of `width` bits from p (which has `available` bytes, enough for them).
void UnpackBits(const uint8_t* p, size_t available, size_t count, int width, uint64_t* out) {
  if (width == 0) {
    std::fill(out, out + count, 0);
    return;
  }
  const uint64_t mask = width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
  size_t bit = 0;
  for (size_t i = 0; i < count; ++i, bit += static_cast<size_t>(width)) {
    size_t byte = bit >> 3;
    unsigned __int128 wide = 0;
    size_t take = std::min<size_t>(16, available - byte);
    std::memcpy(&wide, p + byte, take);
    out[i] = static_cast<uint64_t>(wide >> (bit & 7)) & mask;
  }
}

}  // namespace

void DeltaBinaryPackedEncoder::Begin(ByteBuffer* out) {
  out_ = out;
  values_.clear();
}

void DeltaBinaryPackedEncoder::PutMany(const int64_t* values, size_t n) {
  values_.insert(values_.end(), values, values + n);
}

void DeltaBinaryPackedEncoder::WriteBlock(const uint64_t* deltas, size_t n) {
  int64_t min_delta = static_cast<int64_t>(deltas[0]);
  for (size_t i = 1; i < n; ++i) min_delta = std::min(min_delta, static_cast<int64_t>(deltas[i]));
  PutVarint(out_, ZigZag(min_delta));
  uint64_t relative[kBlockSize];
  for (size_t i = 0; i < n; ++i) relative[i] = deltas[i] - static_cast<uint64_t>(min_delta);
  for (size_t i = n; i < kBlockSize; ++i) relative[i] = 0;
  size_t used = (n + kValuesPerMiniblock - 1) / kValuesPerMiniblock;
  int widths[kMiniblocks] = {0, 0, 0, 0};
  for (size_t m = 0; m < used; ++m) {
    uint64_t all = 0;
    for (size_t i = 0; i < kValuesPerMiniblock; ++i) all |= relative[m * kValuesPerMiniblock + i];
    widths[m] = Width64(all);
  }
  for (size_t m = 0; m < kMiniblocks; ++m) out_->push_back(static_cast<uint8_t>(widths[m]));
  // Miniblocks past the last value are not written (their widths stay 0).
  for (size_t m = 0; m < used; ++m)
    PackBits(relative + m * kValuesPerMiniblock, kValuesPerMiniblock, widths[m], out_);
}

void DeltaBinaryPackedEncoder::Finish() {
  size_t n = values_.size();
  PutVarint(out_, kBlockSize);
  PutVarint(out_, kMiniblocks);
  PutVarint(out_, n);
  PutVarint(out_, ZigZag(n == 0 ? 0 : values_[0]));
  uint64_t deltas[kBlockSize];
  size_t in_block = 0;
  for (size_t i = 1; i < n; ++i) {
    deltas[in_block++] = static_cast<uint64_t>(values_[i]) - static_cast<uint64_t>(values_[i - 1]);
    if (in_block == kBlockSize) {
      WriteBlock(deltas, in_block);
      in_block = 0;
    }
  }
  if (in_block > 0) WriteBlock(deltas, in_block);
  values_.clear();
}

Status DeltaBinaryPackedDecoder::ReadVarint(uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (position_ >= size_) return Status::Corruption("DELTA_BINARY_PACKED: truncated varint");
    uint8_t byte = data_[position_++];
    result |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return Status::OK();
    }
  }
  return Status::Corruption("DELTA_BINARY_PACKED: varint too long");
}

Status DeltaBinaryPackedDecoder::Reset(const uint8_t* data, size_t size) {
  data_ = data;
  size_ = size;
  position_ = 0;
  values_read_ = 0;
  miniblock_index_ = 0;
  deltas_.clear();
  delta_index_ = 0;
  uint64_t block_size, miniblocks, total, first;
  for (uint64_t* field : {&block_size, &miniblocks, &total, &first}) {
    if (Status st = ReadVarint(field); !st.ok()) return st;
  }
  if (block_size == 0 || block_size % 128 != 0 || block_size > kMaxBlockSize) {
    return Status::Corruption("DELTA_BINARY_PACKED: block size " + std::to_string(block_size));
  }
  if (miniblocks == 0 || block_size % miniblocks != 0 || (block_size / miniblocks) % 32 != 0) {
    return Status::Corruption("DELTA_BINARY_PACKED: " + std::to_string(miniblocks) + " miniblocks per block");
  }
  block_size_ = block_size;
  miniblocks_ = miniblocks;
  values_per_miniblock_ = block_size / miniblocks;
  // Each value needs at least a bit somewhere, except in runs of equal deltas (width 0), where each
  // block still costs at least 1 + miniblocks bytes. Bound the claim by what the bytes could hold.
  uint64_t max_values = (static_cast<uint64_t>(size) + 1) * block_size_;
  if (total > max_values) return Status::Corruption("DELTA_BINARY_PACKED: value count exceeds the data");
  total_values_ = static_cast<size_t>(total);
  last_value_ = static_cast<uint64_t>(UnZigZag(first));
  miniblock_index_ = miniblocks_;  // no block loaded yet
  return Status::OK();
}

Status DeltaBinaryPackedDecoder::LoadMiniblock() {
  if (miniblock_index_ == miniblocks_) {
    uint64_t zigzag;
    if (Status st = ReadVarint(&zigzag); !st.ok()) return st;
    min_delta_ = static_cast<uint64_t>(UnZigZag(zigzag));
    if (miniblocks_ > size_ - position_)
      return Status::Corruption("DELTA_BINARY_PACKED: truncated bit widths");
    widths_.assign(data_ + position_, data_ + position_ + miniblocks_);
    position_ += miniblocks_;
    miniblock_index_ = 0;
  }
  int width = widths_[miniblock_index_];
  if (width > 64) return Status::Corruption("DELTA_BINARY_PACKED: bit width " + std::to_string(width));
  size_t full_bytes = values_per_miniblock_ * static_cast<size_t>(width) / 8;
  // The values this miniblock must still deliver; a writer may omit the padding after the last one.
  size_t needed = std::min(values_per_miniblock_, total_values_ - values_read_);
  size_t needed_bytes = (needed * static_cast<size_t>(width) + 7) / 8;
  size_t available = std::min(full_bytes, size_ - position_);
  if (available < needed_bytes) return Status::Corruption("DELTA_BINARY_PACKED: truncated miniblock");
  deltas_.resize(needed);
  UnpackBits(data_ + position_, available, needed, width, deltas_.data());
  for (auto& d : deltas_) d += min_delta_;
  position_ += available;
  ++miniblock_index_;
  delta_index_ = 0;
  return Status::OK();
}

Status DeltaBinaryPackedDecoder::DecodeRaw(uint64_t* out, size_t n) {
  if (n > total_values_ - values_read_) return Status::Corruption("DELTA_BINARY_PACKED: too few values");
  size_t i = 0;
  if (n > 0 && values_read_ == 0) {
    out[i++] = last_value_;
    ++values_read_;
  }
  while (i < n) {
    if (delta_index_ == deltas_.size()) {
      if (Status st = LoadMiniblock(); !st.ok()) return st;
    }
    size_t take = std::min(n - i, deltas_.size() - delta_index_);
    uint64_t value = last_value_;
    for (size_t k = 0; k < take; ++k) {
      value += deltas_[delta_index_ + k];
      out[i + k] = value;
    }
    last_value_ = value;
    delta_index_ += take;
    i += take;
    values_read_ += take;
  }
  return Status::OK();
}

Status DeltaBinaryPackedDecoder::Decode(int64_t* out, size_t n) {
  static_assert(sizeof(int64_t) == sizeof(uint64_t));
  if (n == 0) return Status::OK();
  scratch_.resize(n);
  if (Status st = DecodeRaw(scratch_.data(), n); !st.ok()) return st;
  std::memcpy(out, scratch_.data(), n * sizeof(int64_t));
  return Status::OK();
}

Status DeltaBinaryPackedDecoder::Decode(int32_t* out, size_t n) {
  if (n == 0) return Status::OK();
  scratch_.resize(n);
  if (Status st = DecodeRaw(scratch_.data(), n); !st.ok()) return st;
  // Sums modulo 2^64 truncated to 32 bits are the sums modulo 2^32 that INT32 columns use.
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<int32_t>(static_cast<uint32_t>(scratch_[i]));
  return Status::OK();
}

}  // namespace logdaemon::parquet
