// Which files of a partition compaction merges next (DESIGN.md §5.3). Pure functions, so the bound on
// the number of files can be tested without a disk.
//
// Files are considered newest first, as in size-tiered ("universal") compaction: the newest file, then
// each older one as long as it is no bigger than everything gathered so far and the total stays within
// the rotation size. Gathering min_merge_width or more files makes a merge — or two or more when the
// next older file would not fit in the rotation size any more, i.e. when the gathered files make a
// full file already. Flush files of similar size therefore merge in groups, merged files merge again
// once as much newer data has gathered, and every row is rewritten about
// log_min_merge_width(rotation / flush file size) times at most. A partition holds at most about
// min_merge_width - 1 + log2(rotation / flush size) files below the rotation size.
//
// One exception keeps that bound from creeping up: when the gathered files would fill a file and the
// older one that did not fit is small (below half the rotation size), the merge starts instead from the
// oldest small file of that run and takes newer files while they fit. Merged newest first, those older
// files would stay behind, small, before a full file, which the picker never passes — until the
// partition went quiet, one more such file for nearly every merge. A big file left behind costs nothing
// the bound does not allow (two of them hold a rotation's worth).
//
// Why a width of 32 (it was 4): the compactor's CPU is proportional to the bytes it merges per byte
// flushed, and at full ingest flush files are a few MiB (storage/writer.h) against a 100 MB rotation.
// Simulated over this policy (flush files of 0.7–1 × F arriving one at a time, merges shrinking their
// inputs to 85 %): with F = 2 MiB a width of 4 merges 2.43 bytes per byte flushed, 16 → 1.82, 32 →
// 1.48; with F = 4 MiB, 2.03, 1.43 and 0.97 (32 such files fill a rotation-sized file). The price is
// more small files in the partition being written (up to about 34 instead of 11), which queries prune
// by their footers' time ranges. Slow partitions are not hurt: their flush files are small, and 32 of
// them merge cheaply. Measured with the daemon (2 cores, 3 M logs at ~190 k logs/s, where the
// compactor keeps up): 35–37 merges and 3.9–4.0 s of compactor CPU before, 5 merges and 2.7–3.1 s
// after. At saturation the compactor lags either way, and then merges wide whatever the width.
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
  // Files at least this big (half the rotation size) may stay behind a merge that fills a file: two of
  // them hold a rotation's worth, so they keep the file count within 2 * ceil(bytes / rotation), and
  // merging them again would rewrite much for little (and hold their big dictionaries).
  uint64_t big_bytes = uint64_t{50} << 20;
  size_t min_merge_width = 32;   // StorageOptions::merge_min_files
  size_t max_merge_width = 256;  // bounds the open readers of one merge
};

// An index range [begin, end) of `sizes` (the partition's visible files, ordered by sequence) to merge,
// or begin == end. `barrier[i]` marks files that must not be merged (another schema).
std::pair<size_t, size_t> PickMerge(const std::vector<uint64_t>& sizes, const std::vector<bool>& barrier,
                                    const CompactionPolicy& policy, bool quiet);

// Flush files waiting in one partition from which the compactor lags (half as many again as a merge
// waits for): 48 with the default width.
constexpr uint64_t LaggingBacklogFiles(const CompactionPolicy& policy) {
  return policy.min_merge_width * 3 / 2;
}

// The flush files not merged yet in the partition with the most, at the compactor's latest listing.
struct CompactionBacklog {
  uint64_t files = 0;
  uint64_t bytes = 0;
};

// Whether the compactor lags, given whether it did and the backlog. Flush files wait until
// min_merge_width of them gather, or fewer that fill a rotation-sized file, plus those published while
// a merge runs. From half as many again — LaggingBacklogFiles(), or one and a half merges' bytes —
// the compactor is not keeping up, and the writer makes fewer, bigger flush files (storage/writer.h)
// until the backlog is back to half that. Hysteresis keeps it from flapping.
bool CompactorLags(bool lagging, CompactionBacklog backlog, const CompactionPolicy& policy);

// Whether a merge writes files that stay as they are: a quiet partition's repack (or an explicit
// Compact()), or a merge whose output — its inputs' bytes times `shrink`, what merges have been shrinking
// files to — is full (full_bytes: never merged again). The compactor sorts the string dictionaries of
// those files only (WriterOptions::sort_dictionaries): sorting costs about 12 % of a merge, and pays
// only on disk, while an intermediate file is merged again anyway.
bool MergeWritesFinalFiles(uint64_t input_bytes, double shrink, const CompactionPolicy& policy, bool quiet);

}  // namespace logdaemon::storage
