#include "parquet/rle_bitpacked.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstring>
#include <string>
#include <utility>

namespace logdaemon::parquet {

namespace {

// Encodings.md: "bit-packed-run-len and rle-run-len must be in the range [1, 2^31 - 1]".
constexpr size_t kMaxRunLength = (size_t{1} << 31) - 1;
// A repeat this long becomes an RLE run (a header and one value) rather than literals.
constexpr size_t kMinRleRun = 8;

// How many of values[0 .. n) equal value, from the start.
template <typename T>
inline size_t CountRepeats(const T* values, size_t n, T value) {
  size_t i = 0;
  while (i < n && values[i] == value) ++i;
  return i;
}

// Levels: eight at a time, since pages without nulls are one long run.
template <>
inline size_t CountRepeats<uint8_t>(const uint8_t* values, size_t n, uint8_t value) {
  const uint64_t pattern = 0x0101010101010101ULL * value;
  size_t i = 0;
  while (i + 8 <= n) {
    uint64_t word;
    std::memcpy(&word, values + i, 8);
    if (word != pattern) break;
    i += 8;
  }
  while (i < n && values[i] == value) ++i;
  return i;
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

}  // namespace

// ---- Encoder ------------------------------------------------------------------------------------

static_assert(((63 << 1) | 1) < 0x80, "a bit-packed run of 63 groups has a one-byte ULEB128 header");

void RleBitPackedEncoder::Begin(ByteBuffer* out, int bit_width) {
  assert(bit_width >= 0 && bit_width <= 32);
  out_ = out;
  bit_width_ = bit_width;
  run_value_ = 0;
  run_length_ = 0;
  num_literals_ = 0;
}

void RleBitPackedEncoder::Put(uint32_t value) {
  PutRepeated(value, 1);
}

void RleBitPackedEncoder::PutRepeated(uint32_t value, size_t n) {
  if (n == 0) return;
  if (run_length_ == 0 || value != run_value_) {
    EndRun();
    run_value_ = value;
  }
  run_length_ += n;
}

template <typename T>
void RleBitPackedEncoder::PutValues(const T* values, size_t n) {
  size_t i = 0;
  while (i < n) {
    const T value = values[i];
    if (run_length_ == 0 || value != run_value_) {
      EndRun();
      run_value_ = value;
    }
    size_t repeats = 1 + CountRepeats(values + i + 1, n - i - 1, value);
    run_length_ += repeats;
    i += repeats;
  }
}

void RleBitPackedEncoder::PutMany(const uint32_t* values, size_t n) {
  PutValues(values, n);
}
void RleBitPackedEncoder::PutMany(const uint8_t* values, size_t n) {
  PutValues(values, n);
}

// The pending run ended (a different value follows, or Finish): decide RLE run or literals.
void RleBitPackedEncoder::EndRun() {
  size_t length = run_length_;
  run_length_ = 0;
  if (length >= kMinRleRun) {
    // A bit-packed run holds whole groups, so an RLE run can only start once the literals fill their
    // last group: top them up from the run, and keep the RLE run only if it is still long.
    size_t fill = (8 - num_literals_ % 8) % 8;
    if (length - fill >= kMinRleRun) {
      AppendLiterals(run_value_, fill);
      FlushLiterals();
      WriteRleRun(run_value_, length - fill);
      return;
    }
  }
  AppendLiterals(run_value_, length);
}

void RleBitPackedEncoder::AppendLiterals(uint32_t value, size_t count) {
  while (count > 0) {
    size_t take = std::min(count, kMaxLiterals - num_literals_);
    std::fill_n(literals_ + num_literals_, take, value);
    num_literals_ += take;
    count -= take;
    // kMaxLiterals is a multiple of 8, so a full buffer ends on a group boundary.
    if (num_literals_ == kMaxLiterals) FlushLiterals();
  }
}

// Writes the literals as one bit-packed run, padding the last group with zeros.
void RleBitPackedEncoder::FlushLiterals() {
  if (num_literals_ == 0) return;
  const size_t groups = (num_literals_ + 7) / 8;
  const size_t chunks = (num_literals_ + 31) / 32;
  std::fill(literals_ + num_literals_, literals_ + chunks * 32, 0u);
  const size_t width = static_cast<size_t>(bit_width_);
  // Whole 32-value chunks are packed into the room prepared; only groups * width bytes are kept.
  uint8_t* dest = out_->prepare(1 + chunks * 4 * width);
  dest[0] = static_cast<uint8_t>((groups << 1) | 1);
  for (size_t c = 0; c < chunks; ++c) PackBits32(literals_ + 32 * c, bit_width_, dest + 1 + c * 4 * width);
  out_->commit(1 + groups * width);
  num_literals_ = 0;
}

void RleBitPackedEncoder::WriteRleRun(uint32_t value, size_t count) {
  const size_t value_bytes = static_cast<size_t>(bit_width_ + 7) / 8;
  if (bit_width_ < 32) value &= (uint32_t{1} << bit_width_) - 1;
  while (count > 0) {
    size_t length = std::min(count, kMaxRunLength);
    uint8_t* dest = out_->prepare(10 + 4);
    size_t at = PutUleb128(dest, static_cast<uint64_t>(length) << 1);
    std::memcpy(dest + at, &value, value_bytes);  // little-endian, ceil(bit_width / 8) bytes
    out_->commit(at + value_bytes);
    count -= length;
  }
}

void RleBitPackedEncoder::Finish() {
  EndRun();
  FlushLiterals();
}

// ---- Decoder ------------------------------------------------------------------------------------

void RleBitPackedDecoder::Reset(const uint8_t* data, size_t size, int bit_width) {
  data_ = data;
  size_ = size;
  position_ = 0;
  bit_width_ = bit_width;
  corrupt_ = bit_width < 0 || bit_width > 32;
  remaining_ = 0;
  in_rle_ = false;
  rle_value_ = 0;
  packed_ = nullptr;
  packed_bytes_ = 0;
  packed_truncated_ = false;
  group_position_ = 0;
  group_size_ = 0;
}

// Starts the next run; false at the end of the input or on corruption (which sets corrupt_).
bool RleBitPackedDecoder::NextRun() {
  if (corrupt_) return false;
  if (packed_truncated_) {
    // The caller needs values past a bit-packed run whose bytes were cut off.
    corrupt_ = true;
    return false;
  }
  if (position_ >= size_) return false;
  group_position_ = group_size_ = 0;

  // Header: ULEB128 of (length << 1) | kind, below 2^32 as lengths are below 2^31: at most 5 bytes.
  uint64_t header = 0;
  for (int shift = 0;; shift += 7) {
    if (position_ >= size_ || shift > 28) {
      corrupt_ = true;
      return false;
    }
    uint8_t byte = data_[position_++];
    header |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) break;
  }

  if ((header & 1) == 0) {
    const uint64_t count = header >> 1;
    const size_t value_bytes = static_cast<size_t>(bit_width_ + 7) / 8;
    if (count == 0 || count > kMaxRunLength || value_bytes > size_ - position_) {
      corrupt_ = true;
      return false;
    }
    // Little-endian, byte by byte: a memcpy of a variable size is a call and a stack round trip, and
    // short RLE runs (levels, indices of clustered values) make this a hot path.
    uint32_t value = 0;
    for (size_t k = 0; k < value_bytes; ++k) value |= static_cast<uint32_t>(data_[position_ + k]) << (8 * k);
    position_ += value_bytes;
    if (bit_width_ < 32 && (value >> bit_width_) != 0) {
      corrupt_ = true;
      return false;
    }
    in_rle_ = true;
    rle_value_ = value;
    remaining_ = static_cast<size_t>(count);
    return true;
  }

  const uint64_t groups = header >> 1;
  size_t values = static_cast<size_t>(groups) * 8;
  if (groups == 0 || values > kMaxRunLength) {
    corrupt_ = true;
    return false;
  }
  const size_t width = static_cast<size_t>(bit_width_);
  size_t bytes = static_cast<size_t>(groups) * width;
  if (bytes > size_ - position_) {
    // Cut off before its end (writers have dropped the last group's padding): the values whose bits
    // are all present stay readable; needing more is corruption (NextRun, above).
    bytes = size_ - position_;
    values = bytes * 8 / width;  // width > 0: a width-0 run has no bytes to miss
    packed_truncated_ = true;
    if (values == 0) {
      corrupt_ = true;
      return false;
    }
  }
  in_rle_ = false;
  packed_ = data_ + position_;
  packed_bytes_ = bytes;
  position_ += bytes;
  remaining_ = values;
  return true;
}

// Delivers count (<= remaining_) values of the current bit-packed run.
template <typename T>
void RleBitPackedDecoder::ReadPacked(T* out, size_t count) {
  size_t done = 0;
  if (group_position_ < group_size_) {
    const size_t take = std::min(count, group_size_ - group_position_);
    for (size_t k = 0; k < take; ++k) out[k] = static_cast<T>(group_[group_position_ + k]);
    group_position_ += take;
    done = take;
  }
  const size_t width = static_cast<size_t>(bit_width_);
  if (width == 0) {  // no bytes: every value is 0
    std::fill_n(out + done, count - done, T{0});
    return;
  }
  // Whole chunks, then whole groups, straight into out: runs hold whole groups, and callers mostly
  // ask for whole runs, so this is nearly every value.
  auto unpack_blocks = [&](UnpackFn<T> unpack, size_t values_per_block, size_t bytes_per_block) {
    const size_t blocks = std::min((count - done) / values_per_block, packed_bytes_ / bytes_per_block);
    for (size_t b = 0; b < blocks; ++b) {
      unpack(packed_, out + done);
      packed_ += bytes_per_block;
      done += values_per_block;
    }
    packed_bytes_ -= blocks * bytes_per_block;
  };
  if (count - done >= 32) unpack_blocks(Unpack32Kernel<T>(bit_width_), 32, 4 * width);
  if (count - done >= 8) unpack_blocks(Unpack8Kernel<T>(bit_width_), 8, width);
  if (done == count) return;
  // Fewer than 8 values wanted (a group split between calls), or the last group of a run whose bytes
  // were cut off.
  LoadGroup();
  const size_t take = count - done;  // < 8: see above
  for (size_t k = 0; k < take; ++k) out[done + k] = static_cast<T>(group_[k]);
  group_position_ = take;
}

// Unpacks the run's next group into group_ (zero-extending bytes cut off: NextRun made remaining_ count
// only the values wholly present). REQUIRES: bit_width_ > 0, and the run has values left.
void RleBitPackedDecoder::LoadGroup() {
  const size_t width = static_cast<size_t>(bit_width_);
  const size_t available = std::min(width, packed_bytes_);
  if (available == width) {
    UnpackBits8(packed_, bit_width_, group_);
  } else {
    uint8_t tail[32] = {};
    std::memcpy(tail, packed_, available);
    UnpackBits8(tail, bit_width_, group_);
  }
  packed_ += available;
  packed_bytes_ -= available;
  group_position_ = 0;
  group_size_ = 8;
}

bool RleBitPackedDecoder::ReadAhead(size_t ahead, uint32_t* value) {
  // Whole runs: their bytes were passed when they started.
  while (true) {
    if (remaining_ == 0 && !NextRun()) return false;
    if (ahead < remaining_) break;
    ahead -= remaining_;
    remaining_ = 0;
  }
  remaining_ -= ahead + 1;
  if (in_rle_) {
    *value = rle_value_;
    return true;
  }
  if (group_position_ < group_size_) {
    const size_t buffered = group_size_ - group_position_;
    if (ahead < buffered) {
      *value = group_[group_position_ + ahead];
      group_position_ += ahead + 1;
      return true;
    }
    ahead -= buffered;
    group_position_ = group_size_;
  }
  const size_t width = static_cast<size_t>(bit_width_);
  if (width == 0) {
    *value = 0;
    return true;
  }
  // The value is present (ahead < the run's values left), so its group starts within the run's bytes
  // (for a cut-off run, LoadGroup zero-extends the group's missing bytes).
  const size_t skip_bytes = ahead / 8 * width;
  packed_ += skip_bytes;
  packed_bytes_ -= skip_bytes;
  LoadGroup();
  group_position_ = ahead % 8 + 1;
  *value = group_[ahead % 8];
  return true;
}

template <typename T>
size_t RleBitPackedDecoder::GetBatch(T* out, size_t n) {
  if constexpr (sizeof(T) == 1) {
    if (bit_width_ > 8) return GetBatchNarrow(out, n);
  }
  size_t done = 0;
  while (done < n) {
    if (remaining_ == 0 && !NextRun()) break;
    size_t take = std::min(remaining_, n - done);
    if (in_rle_) {
      std::fill_n(out + done, take, static_cast<T>(rle_value_));
    } else {
      ReadPacked(out + done, take);
    }
    remaining_ -= take;
    done += take;
  }
  return done;
}

// Bytes out of a width above 8: decoded as u32 and checked, a slice at a time.
size_t RleBitPackedDecoder::GetBatchNarrow(uint8_t* out, size_t n) {
  uint32_t wide[256];
  size_t done = 0;
  while (done < n) {
    size_t want = std::min(n - done, std::size(wide));
    size_t got = GetBatch(wide, want);
    for (size_t k = 0; k < got; ++k) {
      if (wide[k] > 0xFF) {
        corrupt_ = true;
        return done + k;
      }
      out[done + k] = static_cast<uint8_t>(wide[k]);
    }
    done += got;
    if (got < want) break;
  }
  return done;
}

template size_t RleBitPackedDecoder::GetBatch<uint8_t>(uint8_t*, size_t);
template size_t RleBitPackedDecoder::GetBatch<uint32_t>(uint32_t*, size_t);

// ---- Data page v1 levels ------------------------------------------------------------------------

Status DecodeLevelsV1(const uint8_t* data, size_t size, size_t num_values, uint8_t* out, size_t* consumed) {
  if (size < 4) return Status::Corruption("RLE levels: missing the 4-byte length");
  uint32_t length;
  std::memcpy(&length, data, 4);
  if (length > size - 4) {
    return Status::Corruption("RLE levels: length " + std::to_string(length) + " past the page's " +
                              std::to_string(size - 4) + " bytes");
  }
  RleBitPackedDecoder decoder;
  decoder.Reset(data + 4, length, 1);
  size_t got = decoder.GetBatch(out, num_values);
  if (got != num_values) {
    return Status::Corruption("RLE levels: " + std::to_string(got) + " of " + std::to_string(num_values) +
                              (decoder.corrupt() ? " decoded before bad data" : " present"));
  }
  *consumed = 4 + static_cast<size_t>(length);
  return Status::OK();
}

void EncodeLevelsV1(const uint8_t* levels, size_t n, ByteBuffer* out) {
  const size_t at = out->size();
  out->append_le<uint32_t>(0);  // the length, patched below
  RleBitPackedEncoder encoder;
  encoder.Begin(out, 1);
  encoder.PutMany(levels, n);
  encoder.Finish();
  const uint32_t length = static_cast<uint32_t>(out->size() - at - 4);
  std::memcpy(out->data() + at, &length, 4);
}

}  // namespace logdaemon::parquet
