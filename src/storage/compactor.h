// Compactor: the background thread that keeps the file count bounded and applies retention.
//
// About once a second (and after files are published) it scans the storage directory and, per partition,
// merges what storage/compaction_policy.h picks: the inputs are read back with our Parquet reader a column
// and a few pages at a time and written, one row group at a time, each sorted by the time field
// (storage/merge_plan.h, storage/row_group_merger.h), to .tmp/ as one file or, past the rotation size,
// as several parts
// (`_<k>of<n>`, each at most the rotation size); they are fsynced and renamed into the partition, named
// after the range of sequence numbers the inputs cover, and only then are the inputs removed
// (DESIGN.md §5.3). A crash in between leaves inputs that the merged file supersedes; readers skip them
// and start-up removes them.
//
// Ingest keeps priority: the thread runs at a lower CPU priority, the writer never waits for it, and
// Close stops it between row groups (discarding an unfinished merge).
//
// It is handed the engine's StorageContext, EngineCounters and EngineEvents, not the engine: it lists
// only files up to the counters' published sequence, publishes its backlog and lag there, and reports
// errors through on_error.
//
// Retention (every 10 s): partitions entirely older than retention_days are deleted; then, while the
// directory holds more than retention_bytes, the oldest files go first.
//
// With StorageOptions::file_holds (object-storage shipping), held files are never merged and visible
// files are deleted by retention only once the holder allows it (storage/file_holds.h).
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "parquet/file_reader.h"
#include "storage/catalog.h"
#include "storage/compaction_policy.h"
#include "storage/engine_counters.h"
#include "storage/merge_plan.h"
#include "storage/storage_context.h"
#include "storage/wal_coverage.h"

namespace logdaemon::storage {

inline constexpr size_t kMergeRowGroupRows = 128 * 1024;
// A merge holds one column of one merged row group at a time (storage/row_group_merger.h); row groups
// are cut so that no column of one is estimated above this many bytes: encoded, for rows already in time
// order (streamed through), decoded for rows to sort (storage/merge_plan.h). What the merge holds at its
// peak is about twice this: the decoded column, its encoded chunk, the readers' pages.
inline constexpr size_t kMergeColumnBytes = size_t{4} << 20;

class MergeOutput;

class Compactor {
 public:
  // Reads and writes through context.fs() under context.root(); counts into *counters (and reads the
  // published sequence there, see EngineCounters::published_sequence); reports errors through `events`.
  Compactor(const StorageContext& context, EngineCounters* counters, EngineEvents events);
  ~Compactor();

  void Start();
  void Stop();
  // Something changed (a file was published): look again soon.
  void Notify();
  // Merges every partition as if it were quiet and applies retention; returns after that, with the
  // first error met.
  Status RunNow();

 private:
  void Run();
  // One pass over the storage; *more is set when another pass would find more to merge.
  Status CompactPass(bool force, bool* more);
  // A merge, in steps: open the inputs, write the merged parts to .tmp/, publish them, remove the inputs,
  // count it.
  struct MergeInputs {
    std::vector<std::unique_ptr<parquet::FileReader>> readers;
    std::vector<MergeInput> list;
    WalCoverage coverage;
    uint64_t bytes = 0;
    uint64_t rows = 0;
  };
  // `final_files`: MergeWritesFinalFiles (storage/compaction_policy.h), whether to sort dictionaries.
  Status Merge(const Partition& partition, size_t begin, size_t end, bool final_files);
  Status OpenInputs(const Partition& partition, size_t begin, size_t end, MergeInputs* inputs);
  Status WriteMerged(const MergeInputs& inputs, MergeOutput* output);
  Status RemoveInputs(const Partition& partition, size_t begin, size_t end);
  void RecordMerge(size_t files, uint64_t input_bytes, uint64_t written);
  Status ApplyRetention();
  // With StorageOptions::file_holds: marks the held files (and their sibling parts) as barriers.
  void MarkHeldFiles(const Partition& partition, std::vector<bool>* barrier) const;
  // Whether retention may delete a visible file: always without holds, else once the holder allows it
  // (an unshipped file is never deleted).
  bool MayDelete(const Partition& partition, const DataFile& file) const;
  bool IsCompatible(const DataFile& file);
  // Publishes the backlog (EngineCounters::compaction_backlog) and whether the compactor lags.
  void UpdateBacklog(const std::vector<Partition>& partitions);
  bool stopping() const;

  const StorageContext& context_;
  EngineCounters* const counters_;
  const EngineEvents events_;
  CompactionPolicy policy_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool notified_ = false;
  uint64_t run_now_requests_ = 0;
  uint64_t run_now_done_ = 0;
  Status run_now_status_;
  std::condition_variable done_cv_;
  std::atomic<bool> stop_flag_{false};

  struct PartitionActivity {
    uint64_t last_sequence = 0;
    int64_t changed_ns = 0;
    int quiet_merges = 0;  // since the last new file
  };
  std::map<std::string, PartitionActivity> activity_;
  std::map<std::string, bool> compatible_;  // by path: the file's schema is the engine's
  int64_t quiet_ns_;
  // The bound on one column of one merged row group, decoded (storage/merge_plan.h).
  size_t merge_column_bytes_ = kMergeColumnBytes;
  // Merged bytes / input bytes of the recent merges (an average): merged files compress better than
  // their inputs, so a merge may take inputs adding up to more than the rotation size.
  double shrink_ = 1.0;
  bool shrink_measured_ = false;
  void SetBudget();
  int64_t next_retention_ns_ = 0;
  int64_t backoff_until_ns_ = 0;
  std::thread thread_;
};

}  // namespace logdaemon::storage
