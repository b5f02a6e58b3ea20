// GroupCount: `--count-by FIELD` — the number of matching logs per value of one column, largest first.
// Keys own their bytes (the scan's values are views into a row group that goes away).
//
// Thread-safety: none; one per query.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "query/value.h"

namespace logdaemon::query {

class GroupCount {
 public:
  void Add(const Value& value, uint64_t count = 1);
  // Adds every group of `other` (another part of the same scan).
  void Merge(const GroupCount& other);
  // The groups, largest count first (ties by value order, nulls last): the value (its strings point into
  // this object, valid while it lives and no Add is called) and its count.
  std::vector<std::pair<Value, uint64_t>> Sorted() const;
  size_t size() const { return counts_.size(); }

 private:
  struct Key {
    ValueType type = ValueType::kNull;
    std::string bytes;  // the string, or the raw bytes of the number / bool
    bool operator==(const Key& other) const { return type == other.type && bytes == other.bytes; }
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      return std::hash<std::string>()(k.bytes) ^ (static_cast<size_t>(k.type) * 0x9e3779b97f4a7c15ULL);
    }
  };
  static Value ValueOf(const Key& key);

  std::unordered_map<Key, uint64_t, KeyHash> counts_;
  Key probe_;  // reused for lookups, so a value already counted allocates nothing
};

}  // namespace logdaemon::query
