#include "storage/compaction_policy.h"

namespace logdaemon::storage {

std::pair<size_t, size_t> PickMerge(const std::vector<uint64_t>& sizes, const std::vector<bool>& barrier,
                                    const CompactionPolicy& policy, bool quiet) {
  const size_t n = sizes.size();
  // Try each suffix end, newest first; a quiet partition is merged from any point, not just the newest.
  size_t end = n;
  while (end > 0) {
    size_t begin = end - 1;
    if (barrier[begin] || sizes[begin] >= policy.rotation_bytes) {
      if (!quiet) return {0, 0};
      end = begin;
      continue;
    }
    uint64_t total = sizes[begin];
    bool full = false;  // the next older file would not fit in the rotation size
    while (begin > 0 && end - begin < policy.max_merge_width) {
      size_t next = begin - 1;
      if (barrier[next]) break;
      if (total + sizes[next] > policy.rotation_bytes) {
        full = true;
        break;
      }
      if (!quiet && sizes[next] > total) break;
      total += sizes[next];
      begin = next;
    }
    size_t width = end - begin;
    // Fewer than min_merge_width files are merged when together they fill most of a rotation-sized
    // file anyway (big flush files against a small rotation): waiting would gain nothing.
    if (width >= (quiet || full ? 2 : policy.min_merge_width)) return {begin, end};
    if (!quiet) return {0, 0};
    end = begin;
  }
  return {0, 0};
}

}  // namespace logdaemon::storage
