#include "storage/compaction_policy.h"

namespace logdaemon::storage {

namespace {

// The merge that starts at `first` and takes newer files while they fit in the budget.
std::pair<size_t, size_t> FromOldest(const std::vector<uint64_t>& sizes, const CompactionPolicy& policy,
                                     size_t first, size_t end) {
  uint64_t total = sizes[first];
  size_t last = first + 1;
  while (last < end && last - first < policy.max_merge_width &&
         total + sizes[last] <= policy.rotation_bytes) {
    total += sizes[last++];
  }
  return {first, last};
}

// While a partition is written: size-tiered, from the newest file back (see the header).
std::pair<size_t, size_t> PickActive(const std::vector<uint64_t>& sizes, const std::vector<bool>& barrier,
                                     const CompactionPolicy& policy) {
  const size_t end = sizes.size();
  if (end == 0 || barrier[end - 1] || sizes[end - 1] >= policy.full_bytes) return {0, 0};
  size_t begin = end - 1;
  uint64_t total = sizes[begin];
  bool full = false;  // the next older file would not fit in the merge budget
  while (begin > 0 && end - begin < policy.max_merge_width) {
    size_t next = begin - 1;
    if (barrier[next] || sizes[next] >= policy.full_bytes) break;
    if (total + sizes[next] > policy.rotation_bytes) {
      full = true;
      break;
    }
    if (sizes[next] > total) break;
    total += sizes[next];
    begin = next;
  }
  // The merge fills a file. Merged newest first, it would leave the older small files of this run
  // behind before a file that is never merged again: the picker starts from the newest file and stops at
  // a full one, so they would stay until the partition went quiet — one more such file for nearly every
  // merge (storage.bounded_files saw dozens in a minute). So such a merge starts from the oldest of them
  // and takes newer files while they fit; the newest wait, and later files join them. Big files (half
  // the rotation size or more) are not gone back for: leaving them costs nothing the bound does not
  // allow, and merging them again rewrites much for little.
  auto small = [&](size_t i) { return sizes[i] < policy.big_bytes && sizes[i] < policy.full_bytes; };
  if (full && small(begin - 1)) {
    size_t oldest = begin - 1;
    while (oldest > 0 && !barrier[oldest - 1] && small(oldest - 1)) --oldest;
    auto from_oldest = FromOldest(sizes, policy, oldest, end);
    if (from_oldest.second - from_oldest.first >= 2) return from_oldest;
  }
  // Fewer than min_merge_width files are merged when together they fill most of a rotation-sized file
  // anyway (big flush files against a small rotation): waiting would gain nothing.
  if (end - begin >= (full ? 2 : policy.min_merge_width)) return {begin, end};
  return {0, 0};
}

// A quiet partition: everything from its oldest file below full_bytes to the end of its newest run of
// mergeable files, so that the merge's parts (each cut at the rotation size) leave at most one file
// below it. Nothing when that run holds fewer than two such files.
std::pair<size_t, size_t> PickQuiet(const std::vector<uint64_t>& sizes, const std::vector<bool>& barrier,
                                    const CompactionPolicy& policy) {
  size_t end = sizes.size();
  while (end > 0) {
    while (end > 0 && barrier[end - 1]) --end;
    size_t begin = end;
    while (begin > 0 && !barrier[begin - 1]) --begin;
    // [begin, end) is a run without barriers; start at its oldest file that is not full.
    size_t first = begin;
    while (first < end && sizes[first] >= policy.full_bytes) ++first;
    size_t small = 0;
    for (size_t i = first; i < end; ++i) small += sizes[i] < policy.full_bytes ? 1 : 0;
    if (small >= 2) {
      if (end - first > policy.max_merge_width) first = end - policy.max_merge_width;
      return {first, end};
    }
    end = begin;
  }
  return {0, 0};
}

}  // namespace

std::pair<size_t, size_t> PickMerge(const std::vector<uint64_t>& sizes, const std::vector<bool>& barrier,
                                    const CompactionPolicy& policy, bool quiet) {
  return quiet ? PickQuiet(sizes, barrier, policy) : PickActive(sizes, barrier, policy);
}

bool CompactorLags(bool lagging, CompactionBacklog backlog, const CompactionPolicy& policy) {
  const uint64_t lagging_files = LaggingBacklogFiles(policy);
  const uint64_t lagging_bytes = policy.rotation_bytes / 2 * 3;
  if (lagging) return backlog.files > lagging_files / 2 || backlog.bytes > lagging_bytes / 2;
  return backlog.files >= lagging_files || backlog.bytes >= lagging_bytes;
}

bool MergeWritesFinalFiles(uint64_t input_bytes, double shrink, const CompactionPolicy& policy, bool quiet) {
  return quiet || static_cast<double>(input_bytes) * shrink >= static_cast<double>(policy.full_bytes);
}

}  // namespace logdaemon::storage
