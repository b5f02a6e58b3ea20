// Dictionary building for RLE_DICTIONARY: each distinct value gets the next index (0, 1, 2 ...); the
// dictionary page is the distinct values in index order, PLAIN-encoded; data pages hold the indices.
//
// Open-addressing hash tables with linear probing, at most half full. Byte arrays are copied once, into
// one arena that is laid out as the PLAIN page itself (a 4-byte length, then the bytes, per entry), so
// the dictionary page is compressed straight from it: a merged file's dictionary is megabytes, and a
// PLAIN copy of it was the largest single buffer of a merge. Reset() keeps every allocation for the next
// column chunk, so the steady state allocates nothing; a table only grows (doubling) while a chunk's
// dictionary does.
//
// Thread-safety: none; one encoder per column writer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "parquet/byte_buffer.h"

namespace logdaemon::parquet {

// INT64 values, and DOUBLE values by their bit patterns: values are equal when their 8 bytes are, so
// NaNs with different payloads stay distinct, as do -0.0 and +0.0 (the dictionary must give back
// exactly the bytes it was given).
class Int64DictionaryEncoder {
 public:
  // Forgets every entry; keeps the memory.
  void Reset();
  // Adds the values not yet present; writes each value's index to indices[i].
  void Insert(const int64_t* values, size_t n, uint32_t* indices);
  size_t size() const { return values_.size(); }
  // Bytes of the PLAIN-encoded dictionary page (8 per entry).
  size_t plain_size() const { return values_.size() * sizeof(int64_t); }
  // The dictionary page's payload: the entries in index order, PLAIN (little-endian hosts, as the rest of
  // the format); plain_size() bytes, valid until the next Insert or Reset.
  const uint8_t* plain() const { return reinterpret_cast<const uint8_t*>(values_.data()); }
  // The entries in index order; size() of them.
  const int64_t* values() const { return values_.data(); }
  // Bytes it holds (capacities: entries and hash slots), for the memory accounting.
  size_t memory_bytes() const {
    return values_.capacity() * sizeof(int64_t) + slots_.capacity() * sizeof(Slot);
  }

 private:
  struct Slot {
    int64_t value;
    uint32_t index_plus_one;  // 0: empty
  };
  void Grow();

  std::vector<int64_t> values_;
  std::vector<Slot> slots_;  // a power of two of them
  size_t mask_ = 0;
};

class ByteArrayDictionaryEncoder {
 public:
  // Forgets every entry; keeps the memory.
  void Reset();
  // Adds the byte arrays not yet present (value k = bytes[offsets[k] .. offsets[k+1]), as in
  // ColumnBatch); writes each value's index to indices[i].
  // REQUIRES: plain_size() stays below 4 GiB (the caller falls back to PLAIN far earlier).
  void Insert(const uint8_t* bytes, const uint32_t* offsets, size_t n, uint32_t* indices);
  // As Insert, for values that come with keys (ColumnBatch::value_keys: equal keys, equal bytes): a
  // value whose key came before since the last Reset takes that key's index without its bytes being
  // hashed or compared. Keys from kMaxValueKeys up (kNoValueKey among them) are inserted as by Insert;
  // below it, the map costs 4 bytes per key up to the highest seen.
  void InsertKeyed(const uint8_t* bytes, const uint32_t* offsets, const uint32_t* keys, size_t n,
                   uint32_t* indices);
  static constexpr uint32_t kMaxValueKeys = uint32_t{1} << 20;
  size_t size() const { return entries_.size(); }
  // Bytes of the PLAIN-encoded dictionary page (a 4-byte length plus the bytes, per entry).
  size_t plain_size() const { return arena_.size(); }
  // Bytes it holds (capacities: arena, entries, hash slots), for the memory accounting.
  size_t memory_bytes() const {
    return arena_.capacity() + entries_.capacity() * sizeof(Entry) + slots_.capacity() * sizeof(Slot) +
           key_indices_.capacity() * sizeof(uint32_t);
  }
  // The dictionary page's payload: the entries in index order, PLAIN; plain_size() bytes, valid until the
  // next Insert or Reset.
  const uint8_t* plain() const { return arena_.data(); }
  // Puts the entries in byte order (as memcmp compares; a prefix first), and writes each entry's new
  // index to (*remap)[old index]. A compressor finds far more in a sorted dictionary page — neighbours
  // share prefixes and templates (a merged row group's messages: 21 % smaller under zstd) — so a writer
  // that can renumber its indices (ColumnChunkWriter with WriterOptions::sort_dictionaries) calls it
  // before writing the dictionary page. Insert keeps working afterwards. Holds a second copy of the
  // entries while it runs.
  void SortEntries(std::vector<uint32_t>* remap);
  // Hands the arena — the entries as a PLAIN page, in index order — to *out (whose old buffer it takes
  // in exchange) and forgets every entry. A column that gives its dictionary up after a page of distinct
  // values gets that page's PLAIN values without a copy.
  void TakeArena(ByteBuffer* out);
  // Entry `index`, valid until the next Insert or Reset. REQUIRES: index < size().
  std::string_view value(uint32_t index) const {
    const Entry& e = entries_[index];
    return {reinterpret_cast<const char*>(arena_.data()) + e.offset, e.length};
  }

 private:
  struct Entry {
    uint64_t hash;    // kept for Grow, which then reads no bytes
    uint32_t offset;  // of the value's bytes in arena_ (its 4-byte length is just before them)
    uint32_t length;
  };
  // The high half of the hash rides along, so that a probe compares bytes only on a likely match.
  struct Slot {
    uint32_t index_plus_one;  // 0: empty
    uint32_t hash_high;
  };
  void Grow();

  ByteBuffer arena_;
  std::vector<Entry> entries_;
  std::vector<Slot> slots_;  // a power of two of them
  size_t mask_ = 0;
  // InsertKeyed's keys: key -> its entry's index + 1 (0: not seen). Forgotten whenever the indices
  // change meaning (Reset, TakeArena, SortEntries).
  std::vector<uint32_t> key_indices_;
};

}  // namespace logdaemon::parquet
