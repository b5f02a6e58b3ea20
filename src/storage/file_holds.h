// FileHolds: which sealed files a reader outside the engine has taken for good, so that compaction
// never merges them and retention never deletes a file before it is released for deletion. The
// object-storage uploader (src/ship/) is that reader: a file it ships must stay exactly as it is, or
// the bucket would hold its rows twice (once in the shipped object, once in the merged file that
// superseded it; docs/shipping.md).
//
// Files are named by their path relative to the storage root ("dt=2026-01-15/logs_….parquet").
//
// The compactor and the holder race for the same files; the set settles it under one mutex:
//   compactor  BeginMerge(inputs)  → false when one input is held (the merge is skipped), else every
//              input is "merging" until EndMerge(inputs), which the compactor calls after the inputs
//              are removed (or the merge was given up).
//   holder     Hold(file)          → false while the file is merging (it is about to be superseded);
//              else it is held until Release(file) (the file is gone).
// So a held file is never an input of a merge, and a merge's input is never shipped.
//
// Retention: with holds in use, a visible file is deleted by retention only once MayDelete(file) (the
// holder marked it deletable: shipped, and kept locally long enough).
//
// Thread-safety: every method is thread-safe.
#pragma once

#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace logdaemon::storage {

class FileHolds {
 public:
  FileHolds() = default;
  FileHolds(const FileHolds&) = delete;
  FileHolds& operator=(const FileHolds&) = delete;

  bool BeginMerge(const std::vector<std::string>& files);
  void EndMerge(const std::vector<std::string>& files);
  bool Hold(const std::string& file);
  void Release(const std::string& file);
  bool IsHeld(const std::string& file) const;
  // Retention may delete a held file once it is marked so (and a file that is not held never).
  void MarkDeletable(const std::string& file);
  bool MayDelete(const std::string& file) const;
  size_t held_count() const;

 private:
  mutable std::mutex mutex_;
  std::set<std::string> held_;
  std::set<std::string> deletable_;
  std::multiset<std::string> merging_;
};

// The name FileHolds uses for a file of a partition: "dt=…/name", or "name" in the root.
std::string HeldName(const std::string& partition_relative_path, const std::string& file_name);

}  // namespace logdaemon::storage
