// Which files of a partition compaction merges next (DESIGN.md §5.3). Pure functions, so the bound on
// the number of files can be tested without a disk.
//
// Files are considered newest first, as in size-tiered ("universal") compaction: the newest file, then
// each older one as long as it is no bigger than everything gathered so far and the total stays within
// the rotation size. Gathering min_merge_width or more files makes a merge — or two or more when the
// next older file would not fit in the rotation size any more (big flush files). Flush files of similar
// size therefore merge in groups, merged files merge again once as much newer data has gathered, and
// every row is rewritten about log2(rotation / flush file size) times at most. A partition holds at most
// about min_merge_width - 1 + log2(rotation / flush size) files below the rotation size.
//
// A partition that has gone quiet (no new file for a while) is merged completely: from its oldest file
// below full_bytes to the newest, and the merge writes its output as parts cut at the rotation size
// (storage/compactor.h). That leaves about ceil(bytes / rotation) files, all full but the newest.
//
// Merged inputs are always adjacent in sequence order, so the merged file's range covers exactly them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace logdaemon::storage {

struct CompactionPolicy {
  // The inputs of one merge add up to at most this many bytes. The compactor sets it to the rotation
  // size divided by how much merging has been shrinking files (merged files compress better than their
  // inputs), so that merged files come out close to the rotation size.
  uint64_t rotation_bytes = uint64_t{100} << 20;
  // Files at least this big are full: never merged again.
  uint64_t full_bytes = uint64_t{85} << 20;
  size_t min_merge_width = 4;
  size_t max_merge_width = 256;  // bounds the open readers of one merge
};

// An index range [begin, end) of `sizes` (the partition's visible files, ordered by sequence) to merge,
// or begin == end. `barrier[i]` marks files that must not be merged (another schema).
std::pair<size_t, size_t> PickMerge(const std::vector<uint64_t>& sizes, const std::vector<bool>& barrier,
                                    const CompactionPolicy& policy, bool quiet);

// Flush files not merged yet in one partition from which the compactor counts as lagging.
inline constexpr uint64_t kLaggingBacklogFiles = 16;

// Whether the compactor lags, given whether it did and the largest flush-file backlog of a partition
// at its latest listing. Flush files wait until min_merge_width of them gather, plus those published
// while a merge runs: at 100 k logs/s with 64 KiB flush files the backlog stays below 8
// (tests/storage/bounded_files.cc). From twice that the compactor is not keeping up, and the writer
// makes fewer, bigger flush files (storage/writer.h) until the backlog is back to normal. Hysteresis
// keeps it from flapping.
bool CompactorLags(bool lagging, uint64_t backlog);

}  // namespace logdaemon::storage
