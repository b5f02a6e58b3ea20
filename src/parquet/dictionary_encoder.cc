#include "parquet/dictionary_encoder.h"

#include <algorithm>
#include <cstring>
#include <string_view>
#include <utility>

namespace logdaemon::parquet {

namespace {

constexpr size_t kInitialSlots = 1024;

// Odd constants with no structure: the fractional bits of the golden ratio, sqrt(2) and sqrt(3).
constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ULL;
constexpr uint64_t kSqrt2 = 0x6A09E667F3BCC909ULL;
constexpr uint64_t kSqrt3 = 0xBB67AE8584CAA73BULL;

// Integers: fold the high half into the low half (doubles differ mostly in their high bits), multiply
// to spread every bit upwards, then fold the well-mixed high bits back into the low bits the table
// uses. One multiply, two shifts.
inline uint64_t HashInt(uint64_t x) {
  x ^= x >> 32;
  x *= kGolden;
  return x ^ (x >> 29);
}

inline uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint64_t Load32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// 64 x 64 → 128-bit multiply, halves XORed: every output bit depends on every input bit.
inline uint64_t MultiplyFold(uint64_t a, uint64_t b) {
  const unsigned __int128 product = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(product) ^ static_cast<uint64_t>(product >> 64);
}

// Byte strings: 16 bytes per multiply-fold step, two independent lanes over long strings so that the
// multiplies overlap; short strings (levels, service names) in one step from two overlapping loads.
// Never reads outside p[0 .. n).
uint64_t HashBytes(const uint8_t* p, size_t n) {
  uint64_t seed = MultiplyFold(n ^ kSqrt2, kGolden);
  uint64_t a = 0, b = 0;
  if (n <= 16) {
    if (n >= 8) {
      a = Load64(p);
      b = Load64(p + n - 8);
    } else if (n >= 4) {
      a = Load32(p);
      b = Load32(p + n - 4);
    } else if (n > 0) {
      a = (static_cast<uint64_t>(p[0]) << 16) | (static_cast<uint64_t>(p[n / 2]) << 8) | p[n - 1];
    }
  } else {
    const uint8_t* end = p + n;
    if (n > 32) {
      uint64_t lane = seed ^ kSqrt3;
      do {
        seed = MultiplyFold(Load64(p) ^ kSqrt2, Load64(p + 8) ^ seed);
        lane = MultiplyFold(Load64(p + 16) ^ kSqrt3, Load64(p + 24) ^ lane);
        p += 32;
      } while (end - p > 32);
      seed ^= lane;
    }
    if (end - p > 16) {
      seed = MultiplyFold(Load64(p) ^ kSqrt2, Load64(p + 8) ^ seed);
    }
    // The last 16 bytes, overlapping what came before if need be (n > 16, so they exist).
    a = Load64(end - 16);
    b = Load64(end - 8);
  }
  return MultiplyFold(MultiplyFold(a ^ kSqrt2, b ^ seed), kGolden ^ n);
}

}  // namespace

// ---- INT64 / DOUBLE -----------------------------------------------------------------------------

void Int64DictionaryEncoder::Reset() {
  values_.clear();
  if (slots_.empty()) {
    Grow();
  } else {
    std::fill(slots_.begin(), slots_.end(), Slot{0, 0});
  }
}

void Int64DictionaryEncoder::Grow() {
  const size_t capacity = slots_.empty() ? kInitialSlots : slots_.size() * 2;
  slots_.assign(capacity, Slot{0, 0});
  mask_ = capacity - 1;
  for (size_t i = 0; i < values_.size(); ++i) {
    size_t slot = HashInt(static_cast<uint64_t>(values_[i])) & mask_;
    while (slots_[slot].index_plus_one != 0) slot = (slot + 1) & mask_;
    slots_[slot] = Slot{values_[i], static_cast<uint32_t>(i + 1)};
  }
}

void Int64DictionaryEncoder::Insert(const int64_t* values, size_t n, uint32_t* indices) {
  if (slots_.empty()) Grow();
  for (size_t i = 0; i < n; ++i) {
    const int64_t value = values[i];
    size_t slot = HashInt(static_cast<uint64_t>(value)) & mask_;
    while (true) {
      const Slot& s = slots_[slot];
      if (s.index_plus_one == 0) {
        values_.push_back(value);
        const uint32_t index = static_cast<uint32_t>(values_.size() - 1);
        slots_[slot] = Slot{value, index + 1};
        indices[i] = index;
        if (2 * values_.size() > slots_.size()) Grow();  // keep at most half full
        break;
      }
      if (s.value == value) {
        indices[i] = s.index_plus_one - 1;
        break;
      }
      slot = (slot + 1) & mask_;
    }
  }
}

// ---- BYTE_ARRAY ---------------------------------------------------------------------------------

void ByteArrayDictionaryEncoder::Reset() {
  arena_.clear();
  entries_.clear();
  key_indices_.clear();
  if (slots_.empty()) {
    Grow();
  } else {
    std::fill(slots_.begin(), slots_.end(), Slot{0, 0});
  }
}

void ByteArrayDictionaryEncoder::Grow() {
  const size_t capacity = slots_.empty() ? kInitialSlots : slots_.size() * 2;
  slots_.assign(capacity, Slot{0, 0});
  mask_ = capacity - 1;
  for (size_t i = 0; i < entries_.size(); ++i) {
    const uint64_t hash = entries_[i].hash;
    size_t slot = hash & mask_;
    while (slots_[slot].index_plus_one != 0) slot = (slot + 1) & mask_;
    slots_[slot] = Slot{static_cast<uint32_t>(i + 1), static_cast<uint32_t>(hash >> 32)};
  }
}

void ByteArrayDictionaryEncoder::Insert(const uint8_t* bytes, const uint32_t* offsets, size_t n,
                                        uint32_t* indices) {
  if (slots_.empty()) Grow();
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* value = bytes + offsets[i];
    const uint32_t length = offsets[i + 1] - offsets[i];
    const uint64_t hash = HashBytes(value, length);
    const uint32_t hash_high = static_cast<uint32_t>(hash >> 32);
    size_t slot = hash & mask_;
    while (true) {
      const Slot s = slots_[slot];
      if (s.index_plus_one == 0) {
        const uint32_t index = static_cast<uint32_t>(entries_.size());
        uint8_t* plain = arena_.prepare(4 + size_t{length});
        std::memcpy(plain, &length, 4);  // PLAIN's little-endian length
        if (length != 0) std::memcpy(plain + 4, value, length);
        entries_.push_back(Entry{hash, static_cast<uint32_t>(arena_.size() + 4), length});
        arena_.commit(4 + size_t{length});
        slots_[slot] = Slot{index + 1, hash_high};
        indices[i] = index;
        if (2 * entries_.size() > slots_.size()) Grow();  // keep at most half full
        break;
      }
      if (s.hash_high == hash_high) {
        const Entry& e = entries_[s.index_plus_one - 1];
        if (e.hash == hash && e.length == length &&
            (length == 0 || std::memcmp(arena_.data() + e.offset, value, length) == 0)) {
          indices[i] = s.index_plus_one - 1;
          break;
        }
      }
      slot = (slot + 1) & mask_;
    }
  }
}

void ByteArrayDictionaryEncoder::InsertKeyed(const uint8_t* bytes, const uint32_t* offsets,
                                             const uint32_t* keys, size_t n, uint32_t* indices) {
  for (size_t i = 0; i < n; ++i) {
    const uint32_t key = keys[i];
    if (key < key_indices_.size() && key_indices_[key] != 0) {
      indices[i] = key_indices_[key] - 1;
      continue;
    }
    Insert(bytes, offsets + i, 1, indices + i);
    if (key < kMaxValueKeys) {
      if (key >= key_indices_.size()) key_indices_.resize(size_t{key} + 1, 0);
      key_indices_[key] = indices[i] + 1;
    }
  }
}

namespace {

// A value's first 16 bytes as two big-endian numbers (zero-padded): comparing them compares those bytes
// as memcmp does, so a sort reads the arena only for values that share 16 bytes.
struct SortItem {
  uint64_t high;
  uint64_t low;
  uint32_t index;
};

uint64_t BigEndian(const uint8_t* bytes) {
  uint64_t key = 0;
  for (int i = 0; i < 8; ++i) key = key << 8 | bytes[i];
  return key;
}

}  // namespace

void ByteArrayDictionaryEncoder::TakeArena(ByteBuffer* out) {
  std::swap(arena_, *out);
  arena_.clear();
  entries_.clear();
  key_indices_.clear();
  std::fill(slots_.begin(), slots_.end(), Slot{0, 0});
}

void ByteArrayDictionaryEncoder::SortEntries(std::vector<uint32_t>* remap) {
  const size_t n = entries_.size();
  std::vector<SortItem> order(n);
  for (size_t i = 0; i < n; ++i) {
    const std::string_view v = value(static_cast<uint32_t>(i));
    uint8_t bytes[16] = {};
    std::memcpy(bytes, v.data(), std::min<size_t>(16, v.size()));
    order[i] = SortItem{BigEndian(bytes), BigEndian(bytes + 8), static_cast<uint32_t>(i)};
  }
  std::sort(order.begin(), order.end(), [this](const SortItem& a, const SortItem& b) {
    if (a.high != b.high) return a.high < b.high;
    if (a.low != b.low) return a.low < b.low;
    // The same first 16 bytes (zero-padded): the rest, then the length, decide.
    const std::string_view x = value(a.index), y = value(b.index);
    const size_t common = std::min(x.size(), y.size());
    if (common > 16) {
      if (int c = std::memcmp(x.data() + 16, y.data() + 16, common - 16); c != 0) return c < 0;
    }
    return x.size() < y.size();
  });
  remap->resize(n);
  ByteBuffer sorted;
  sorted.reserve(arena_.size());
  std::vector<Entry> sorted_entries(n);
  for (size_t k = 0; k < n; ++k) {
    const uint32_t old = order[k].index;
    (*remap)[old] = static_cast<uint32_t>(k);
    const Entry& e = entries_[old];
    sorted.append(arena_.data() + e.offset - 4, 4 + size_t{e.length});
    sorted_entries[k] = Entry{e.hash, static_cast<uint32_t>(sorted.size() - e.length), e.length};
  }
  arena_ = std::move(sorted);
  entries_ = std::move(sorted_entries);
  key_indices_.clear();  // the indices they map to changed
  for (Slot& slot : slots_) {
    if (slot.index_plus_one != 0) slot.index_plus_one = (*remap)[slot.index_plus_one - 1] + 1;
  }
}

}  // namespace logdaemon::parquet
