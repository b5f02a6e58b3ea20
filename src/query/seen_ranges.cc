#include "query/seen_ranges.h"

#include <algorithm>

namespace logdaemon::query {

namespace {

// The first entry that may overlap a range starting at `first`: the one before it can reach into it.
template <typename Map>
auto FirstOverlapping(Map& ranges, uint64_t first) {
  auto it = ranges.upper_bound(first);
  if (it != ranges.begin()) {
    auto before = std::prev(it);
    if (before->second.last >= first) return before;
  }
  return it;
}

}  // namespace

void SeenRanges::Add(storage::SequenceRange range, std::optional<uint64_t> rows) {
  ranges_[range.first] = Entry{range.last, rows};
}

uint64_t SeenRanges::CoveredCount(storage::SequenceRange range) const {
  uint64_t covered = 0;
  for (auto it = FirstOverlapping(ranges_, range.first); it != ranges_.end() && it->first <= range.last;
       ++it) {
    const uint64_t lo = std::max(it->first, range.first);
    const uint64_t hi = std::min(it->second.last, range.last);
    covered += hi - lo + 1;
  }
  return covered;
}

std::vector<storage::SequenceRange> SeenRanges::Gaps(storage::SequenceRange range) const {
  std::vector<storage::SequenceRange> gaps;
  uint64_t next = range.first;  // the first number not known to be seen
  bool done = false;
  for (auto it = FirstOverlapping(ranges_, range.first); it != ranges_.end() && it->first <= range.last;
       ++it) {
    if (it->first > next) gaps.push_back({next, it->first - 1});
    if (it->second.last >= range.last) {
      done = true;
      break;
    }
    next = std::max(next, it->second.last + 1);
  }
  if (!done && next <= range.last) gaps.push_back({next, range.last});
  return gaps;
}

std::optional<uint64_t> SeenRanges::RowsWithin(storage::SequenceRange range) const {
  uint64_t rows = 0;
  for (auto it = FirstOverlapping(ranges_, range.first); it != ranges_.end() && it->first <= range.last;
       ++it) {
    if (!it->second.rows) return std::nullopt;
    rows += *it->second.rows;
  }
  return rows;
}

void SeenRanges::Collapse(storage::SequenceRange range, std::optional<uint64_t> rows) {
  auto it = FirstOverlapping(ranges_, range.first);
  while (it != ranges_.end() && it->first <= range.last) {
    range.first = std::min(range.first, it->first);
    range.last = std::max(range.last, it->second.last);
    it = ranges_.erase(it);
  }
  ranges_[range.first] = Entry{range.last, rows};
}

void SeenRanges::ForgetBefore(uint64_t first) {
  auto it = ranges_.begin();
  while (it != ranges_.end() && it->second.last < first) it = ranges_.erase(it);
}

}  // namespace logdaemon::query
