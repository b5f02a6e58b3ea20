#include "parquet/dictionary_encoder.h"

#include <cstring>

namespace logdaemon::parquet {

namespace {

constexpr size_t kInitialSlots = 1024;

uint64_t MixInt(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

// A fast hash of a byte string: two multiply-rotate lanes over 16 bytes at a time (log messages are
// ~100 bytes, so the per-byte cost dominates), then a full avalanche of the combined state.
uint64_t HashBytes(const uint8_t* p, size_t n) {
  constexpr uint64_t kA = 0x9E3779B97F4A7C15ULL;
  constexpr uint64_t kB = 0xC2B2AE3D27D4EB4FULL;
  uint64_t h1 = n * kA;
  uint64_t h2 = ~n * kB;
  auto rotl = [](uint64_t x, int r) { return (x << r) | (x >> (64 - r)); };
  while (n >= 16) {
    uint64_t w1, w2;
    std::memcpy(&w1, p, 8);
    std::memcpy(&w2, p + 8, 8);
    h1 = rotl(h1 ^ (w1 * kB), 29) * kA;
    h2 = rotl(h2 ^ (w2 * kA), 31) * kB;
    p += 16;
    n -= 16;
  }
  uint64_t tail1 = 0, tail2 = 0;
  if (n > 8) {
    std::memcpy(&tail1, p, 8);
    std::memcpy(&tail2, p + 8, n - 8);
  } else if (n > 0) {
    std::memcpy(&tail1, p, n);
  }
  h1 = rotl(h1 ^ (tail1 * kB), 29) * kA;
  h2 = rotl(h2 ^ (tail2 * kA), 31) * kB;
  return MixInt(h1 ^ rotl(h2, 17));
}

}  // namespace

void Int64DictionaryEncoder::Reset() {
  values_.clear();
  if (slots_.empty()) {
    slots_.assign(kInitialSlots, 0);
    mask_ = kInitialSlots - 1;
  } else {
    std::fill(slots_.begin(), slots_.end(), 0);
  }
}

void Int64DictionaryEncoder::Grow() {
  size_t capacity = slots_.empty() ? kInitialSlots : slots_.size() * 2;
  slots_.assign(capacity, 0);
  mask_ = capacity - 1;
  for (size_t i = 0; i < values_.size(); ++i) {
    size_t slot = MixInt(static_cast<uint64_t>(values_[i])) & mask_;
    while (slots_[slot] != 0) slot = (slot + 1) & mask_;
    slots_[slot] = static_cast<uint32_t>(i + 1);
  }
}

void Int64DictionaryEncoder::Insert(const int64_t* values, size_t n, uint32_t* indices) {
  if (slots_.empty()) Grow();
  for (size_t i = 0; i < n; ++i) {
    int64_t v = values[i];
    size_t slot = MixInt(static_cast<uint64_t>(v)) & mask_;
    while (true) {
      uint32_t entry = slots_[slot];
      if (entry == 0) {
        values_.push_back(v);
        slots_[slot] = static_cast<uint32_t>(values_.size());
        indices[i] = static_cast<uint32_t>(values_.size() - 1);
        // Keep the load factor under 1/2.
        if (values_.size() * 2 > slots_.size()) Grow();
        break;
      }
      if (values_[entry - 1] == v) {
        indices[i] = entry - 1;
        break;
      }
      slot = (slot + 1) & mask_;
    }
  }
}

void Int64DictionaryEncoder::WritePlain(ByteBuffer* out) const {
  out->append(values_.data(), values_.size() * sizeof(int64_t));
}

void ByteArrayDictionaryEncoder::Reset() {
  arena_.clear();
  entries_.clear();
  if (slots_.empty()) {
    slots_.assign(kInitialSlots, 0);
    mask_ = kInitialSlots - 1;
  } else {
    std::fill(slots_.begin(), slots_.end(), 0);
  }
}

void ByteArrayDictionaryEncoder::Grow() {
  size_t capacity = slots_.empty() ? kInitialSlots : slots_.size() * 2;
  slots_.assign(capacity, 0);
  mask_ = capacity - 1;
  for (size_t i = 0; i < entries_.size(); ++i) {
    size_t slot = entries_[i].hash & mask_;
    while (slots_[slot] != 0) slot = (slot + 1) & mask_;
    slots_[slot] = static_cast<uint32_t>(i + 1);
  }
}

void ByteArrayDictionaryEncoder::Insert(const uint8_t* bytes, const uint32_t* offsets, size_t n,
                                        uint32_t* indices) {
  if (slots_.empty()) Grow();
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* value = bytes + offsets[i];
    uint32_t length = offsets[i + 1] - offsets[i];
    uint64_t hash = HashBytes(value, length);
    size_t slot = hash & mask_;
    while (true) {
      uint32_t entry = slots_[slot];
      if (entry == 0) {
        Entry e{hash, static_cast<uint32_t>(arena_.size()), length};
        arena_.append(value, length);
        entries_.push_back(e);
        slots_[slot] = static_cast<uint32_t>(entries_.size());
        indices[i] = static_cast<uint32_t>(entries_.size() - 1);
        if (entries_.size() * 2 > slots_.size()) Grow();
        break;
      }
      const Entry& e = entries_[entry - 1];
      if (e.hash == hash && e.length == length &&
          (length == 0 || std::memcmp(arena_.data() + e.offset, value, length) == 0)) {
        indices[i] = entry - 1;
        break;
      }
      slot = (slot + 1) & mask_;
    }
  }
}

void ByteArrayDictionaryEncoder::WritePlain(ByteBuffer* out) const {
  uint8_t* dest = out->prepare(plain_size());
  for (const Entry& e : entries_) {
    std::memcpy(dest, &e.length, 4);
    if (e.length != 0) std::memcpy(dest + 4, arena_.data() + e.offset, e.length);
    dest += 4 + e.length;
  }
  out->commit(plain_size());
}

}  // namespace logdaemon::parquet
