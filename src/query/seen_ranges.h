// SeenRanges: the flush sequence numbers whose logs `query --follow` has already handed on (or skipped on
// purpose), with the number of rows they held where known. A storage file covers a range of sequence
// numbers (storage/file_names.h); comparing its range with these tells the follower whether the file is
// new, already shown, or a merge of shown and unseen flushes (which compaction merged before the follower
// could read them).
//
// Memory stays bounded: the ranges inside a merged file's range collapse into one once the file is seen,
// and ranges before every visible file (removed by retention) are forgotten.
//
// Thread-safety: none.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "storage/file_names.h"

namespace logdaemon::query {

class SeenRanges {
 public:
  // Marks `range` seen, holding `rows` rows (nullopt: not known). REQUIRES: no part of it is seen yet.
  void Add(storage::SequenceRange range, std::optional<uint64_t> rows);
  // How many sequence numbers of `range` are seen.
  uint64_t CoveredCount(storage::SequenceRange range) const;
  // The parts of `range` not seen, in order.
  std::vector<storage::SequenceRange> Gaps(storage::SequenceRange range) const;
  // The rows of the seen ranges inside `range`; nullopt when one of them is not known.
  std::optional<uint64_t> RowsWithin(storage::SequenceRange range) const;
  // Replaces every seen range that overlaps `range` by one range, their union with it, holding `rows`.
  void Collapse(storage::SequenceRange range, std::optional<uint64_t> rows);
  // Forgets the ranges that end before `first`.
  void ForgetBefore(uint64_t first);

  size_t size() const { return ranges_.size(); }
  bool empty() const { return ranges_.empty(); }

 private:
  struct Entry {
    uint64_t last;
    std::optional<uint64_t> rows;
  };
  std::map<uint64_t, Entry> ranges_;  // by first; disjoint
};

}  // namespace logdaemon::query
