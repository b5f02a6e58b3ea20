// Work done once per dictionary entry instead of once per row, for dictionary-encoded string chunks
// (level, service and other low-cardinality columns: a row group of 128 Ki rows holds a handful of
// distinct values).
//
//   DictionaryFilter  --level / --service: whether each entry is one of the wanted values.
//   DictionaryCounts  --count-by: counts per entry, turned into counts per value when the chunk ends.
//
// Thread-safety: one of each per scanning thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "query/column_source.h"
#include "query/group_count.h"

namespace logdaemon::query {

class DictionaryFilter {
 public:
  explicit DictionaryFilter(const std::vector<std::string>& wanted) : wanted_(wanted) {}

  // True when `source`'s covered rows are dictionary indices; then Passes() may be called for them.
  bool Prepare(const ColumnSource& source);
  bool Passes(const ColumnSource& source, size_t row) const {
    const int64_t entry = source.dict_index(row);
    return entry >= 0 && passes_[static_cast<size_t>(entry)] != 0;
  }
  // Writes the rows of [begin, end) that pass to rows (room for end - begin), in order; returns how
  // many. One branch-free pass over the indices: most rows of a --level filter fail.
  size_t Select(const ColumnSource& source, size_t begin, size_t end, uint32_t* rows) const;
  // Keeps those of rows[0 .. n) that pass, in order; returns how many.
  size_t Refine(const ColumnSource& source, uint32_t* rows, size_t n) const;

 private:
  const std::vector<std::string>& wanted_;
  uint64_t generation_ = ~uint64_t{0};
  std::vector<uint8_t> passes_;  // by dictionary entry
};

class DictionaryCounts {
 public:
  // Counts the rows `rows` of `source` (dictionary-encoded now) by entry. A source with another
  // dictionary than the previous call's first folds the previous counts into `groups`.
  void Add(const ColumnSource& source, std::span<const uint32_t> rows, GroupCount* groups);
  // The same for entries already read (ColumnSource::Gather): parquet::kNullDictIndex counts as null.
  void AddEntries(const ColumnSource& source, std::span<const uint32_t> entries, GroupCount* groups);
  // Adds the counts so far to `groups` by value, while the dictionary is still valid.
  void Fold(GroupCount* groups);

 private:
  // Folds the counts of another dictionary than source's first.
  void Switch(const ColumnSource& source, GroupCount* groups);

  const ColumnSource* source_ = nullptr;
  uint64_t generation_ = ~uint64_t{0};
  std::vector<uint64_t> counts_;  // by dictionary entry
  uint64_t nulls_ = 0;
};

}  // namespace logdaemon::query
