#include "parquet/rle_bitpacked.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace logdaemon::parquet {

namespace {

// A repeat this long is worth an RLE run rather than literals (it costs a header and one value).
constexpr size_t kMinRunLength = 8;
// Keep bit-packed runs bounded so that the literals buffer stays small.
constexpr size_t kMaxLiteralGroups = 63;

}  // namespace

int BitWidth(uint32_t max_value) {
  int width = 0;
  while (max_value != 0) {
    ++width;
    max_value >>= 1;
  }
  return width;
}

void RleBitPackedEncoder::Begin(ByteBuffer* out, int bit_width) {
  out_ = out;
  bit_width_ = bit_width;
  literals_.clear();
  run_length_ = 0;
}

void RleBitPackedEncoder::WriteVarint(uint64_t v) {
  while (v >= 0x80) {
    out_->push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out_->push_back(static_cast<uint8_t>(v));
}

void RleBitPackedEncoder::WriteRun(uint32_t value, size_t count) {
  WriteVarint(static_cast<uint64_t>(count) << 1);
  int bytes = (bit_width_ + 7) / 8;
  for (int i = 0; i < bytes; ++i) out_->push_back(static_cast<uint8_t>(value >> (8 * i)));
}

// Writes the literals as bit-packed groups of 8: all of them when `final` (padding the last group
// with zeros), otherwise only whole groups.
void RleBitPackedEncoder::FlushLiterals(bool final) {
  size_t count = literals_.size();
  if (count == 0) return;
  size_t groups = final ? (count + 7) / 8 : count / 8;
  if (groups == 0) return;
  size_t values = groups * 8;
  literals_.resize(std::max(values, count), 0);
  WriteVarint((static_cast<uint64_t>(groups) << 1) | 1);
  size_t bytes = groups * static_cast<size_t>(bit_width_);
  uint8_t* dest = out_->prepare(bytes);
  std::memset(dest, 0, bytes);
  uint64_t buffer = 0;
  int bits = 0;
  size_t at = 0;
  for (size_t i = 0; i < values; ++i) {
    buffer |= static_cast<uint64_t>(literals_[i]) << bits;
    bits += bit_width_;
    while (bits >= 8) {
      dest[at++] = static_cast<uint8_t>(buffer);
      buffer >>= 8;
      bits -= 8;
    }
  }
  out_->commit(bytes);
  literals_.erase(literals_.begin(), literals_.begin() + static_cast<ptrdiff_t>(std::min(values, count)));
  if (final) literals_.clear();
}

void RleBitPackedEncoder::Put(uint32_t value) {
  if (run_length_ > 0 && value == run_value_) {
    ++run_length_;
    return;
  }
  EndRun(false);
  run_value_ = value;
  run_length_ = 1;
}

// The pending run ends: a long one becomes an RLE run, a short one joins the literals (which are all
// written out when `final`).
void RleBitPackedEncoder::EndRun(bool final) {
  if (run_length_ >= kMinRunLength) {
    // An RLE run may only start at a group boundary of the literals: move values from the run into the
    // literals until the literals fill whole groups.
    while (literals_.size() % 8 != 0 && run_length_ > 0) {
      literals_.push_back(run_value_);
      --run_length_;
    }
    FlushLiterals(true);
    if (run_length_ > 0) WriteRun(run_value_, run_length_);
  } else {
    literals_.insert(literals_.end(), run_length_, run_value_);
    if (final) {
      FlushLiterals(true);
    } else if (literals_.size() >= kMaxLiteralGroups * 8) {
      FlushLiterals(false);
    }
  }
  run_length_ = 0;
}

void RleBitPackedEncoder::PutMany(const uint32_t* values, size_t n) {
  for (size_t i = 0; i < n; ++i) Put(values[i]);
}

void RleBitPackedEncoder::PutMany(const uint8_t* values, size_t n) {
  for (size_t i = 0; i < n; ++i) Put(values[i]);
}

void RleBitPackedEncoder::PutRepeated(uint32_t value, size_t n) {
  if (n == 0) return;
  Put(value);
  run_length_ += n - 1;
}

void RleBitPackedEncoder::Finish() {
  EndRun(true);
}

void RleBitPackedDecoder::Reset(const uint8_t* data, size_t size, int bit_width) {
  data_ = data;
  size_ = size;
  position_ = 0;
  bit_width_ = bit_width;
  corrupt_ = bit_width < 0 || bit_width > 32;
  remaining_ = 0;
}

bool RleBitPackedDecoder::NextRun() {
  if (corrupt_ || position_ >= size_) return false;
  uint64_t header = 0;
  int shift = 0;
  while (true) {
    if (position_ >= size_ || shift > 63) {
      corrupt_ = true;
      return false;
    }
    uint8_t byte = data_[position_++];
    header |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) break;
    shift += 7;
  }
  if ((header & 1) == 0) {
    size_t count = static_cast<size_t>(header >> 1);
    size_t bytes = static_cast<size_t>((bit_width_ + 7) / 8);
    if (count == 0 || bytes > size_ - position_) {
      corrupt_ = true;
      return false;
    }
    uint32_t value = 0;
    for (size_t i = 0; i < bytes; ++i) value |= static_cast<uint32_t>(data_[position_ + i]) << (8 * i);
    position_ += bytes;
    if (bit_width_ < 32 && (value >> bit_width_) != 0) {
      corrupt_ = true;
      return false;
    }
    in_rle_ = true;
    rle_value_ = value;
    remaining_ = count;
    return true;
  }
  uint64_t groups = header >> 1;
  if (groups == 0 || groups > (uint64_t{1} << 40)) {
    corrupt_ = true;
    return false;
  }
  size_t values = static_cast<size_t>(groups) * 8;
  size_t bytes = static_cast<size_t>(groups) * static_cast<size_t>(bit_width_);
  // Writers may cut the padding of the last group: take the values whose bits are all there.
  if (bytes > size_ - position_) {
    bytes = size_ - position_;
    values = bit_width_ == 0 ? values : bytes * 8 / static_cast<size_t>(bit_width_);
    if (values == 0) {
      corrupt_ = true;
      return false;
    }
  }
  in_rle_ = false;
  packed_ = data_ + position_;
  packed_bytes_ = bytes;
  packed_index_ = 0;
  remaining_ = values;
  position_ += bytes;
  return true;
}

template <typename T>
size_t RleBitPackedDecoder::GetBatch(T* out, size_t n) {
  if (sizeof(T) == 1 && bit_width_ > 8) {
    corrupt_ = true;
    return 0;
  }
  size_t done = 0;
  const uint64_t mask = bit_width_ == 32 ? 0xFFFFFFFFu : ((uint64_t{1} << bit_width_) - 1);
  while (done < n) {
    if (remaining_ == 0 && !NextRun()) break;
    size_t take = std::min(remaining_, n - done);
    if (in_rle_) {
      std::fill(out + done, out + done + take, static_cast<T>(rle_value_));
    } else if (bit_width_ == 0) {
      std::fill(out + done, out + done + take, T{0});
      packed_index_ += take;
    } else {
      size_t bit = packed_index_ * static_cast<size_t>(bit_width_);
      for (size_t i = 0; i < take; ++i, bit += static_cast<size_t>(bit_width_)) {
        size_t byte = bit >> 3;
        // Load up to 8 bytes without reading past the run's bytes.
        uint64_t word = 0;
        size_t avail = std::min<size_t>(8, packed_bytes_ - byte);
        std::memcpy(&word, packed_ + byte, avail);
        out[done + i] = static_cast<T>((word >> (bit & 7)) & mask);
      }
      packed_index_ += take;
    }
    remaining_ -= take;
    done += take;
  }
  return done;
}

template size_t RleBitPackedDecoder::GetBatch<uint8_t>(uint8_t*, size_t);
template size_t RleBitPackedDecoder::GetBatch<uint32_t>(uint32_t*, size_t);

Status DecodeLevelsV1(const uint8_t* data, size_t size, size_t num_values, uint8_t* out, size_t* consumed) {
  if (size < 4) return Status::Corruption("levels: missing length prefix");
  uint32_t length;
  std::memcpy(&length, data, 4);
  if (length > size - 4) return Status::Corruption("levels: length prefix past the page end");
  RleBitPackedDecoder decoder;
  decoder.Reset(data + 4, length, 1);
  size_t got = decoder.GetBatch(out, num_values);
  if (got != num_values) {
    return Status::Corruption("levels: " + std::to_string(got) + " of " + std::to_string(num_values) +
                              " decoded");
  }
  *consumed = 4 + length;
  return Status::OK();
}

void EncodeLevelsV1(const uint8_t* levels, size_t n, ByteBuffer* out) {
  size_t at = out->size();
  out->append_le<uint32_t>(0);
  RleBitPackedEncoder encoder;
  encoder.Begin(out, 1);
  encoder.PutMany(levels, n);
  encoder.Finish();
  uint32_t length = static_cast<uint32_t>(out->size() - at - 4);
  std::memcpy(out->data() + at, &length, 4);
}

}  // namespace logdaemon::parquet
