// Compactor: the background thread that keeps the file count bounded and applies retention.
//
// About once a second (and after files are published) it scans the storage directory and, per partition,
// merges what storage/compaction_policy.h picks: the inputs are read back with our Parquet reader, their
// rows gathered into row groups of at least kMergeRowGroupRows (where there are that many), each sorted
// by the time field, and written to .tmp/ as one file or, past the rotation size, as several parts
// (`_<k>of<n>`, each at most the rotation size); they are fsynced and renamed into the partition, named
// after the range of sequence numbers the inputs cover, and only then are the inputs removed
// (DESIGN.md §5.3). A crash in between leaves inputs that the merged file supersedes; readers skip them
// and start-up removes them.
//
// Ingest keeps priority: the thread runs at a lower CPU priority, the writer never waits for it, and
// Close stops it between row groups (discarding an unfinished merge).
//
// Retention (every 10 s): partitions entirely older than retention_days are deleted; then, while the
// directory holds more than retention_bytes, the oldest files go first.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "storage/catalog.h"
#include "storage/compaction_policy.h"
#include "storage/engine.h"

namespace logdaemon::storage {

inline constexpr size_t kMergeRowGroupRows = 128 * 1024;
// A merged row group is also cut at this many bytes of decoded values, to bound memory: the merge holds
// the group, its sorted copy, a decoded input group and the encoders' buffers, so the daemon's peak RSS
// under load follows this figure (48 MiB: ~295 MB VmHWM in bench/ingest.sh; 16 MiB: ~200 MB; 8 MiB:
// ~175 MB). 16 MiB keeps ~60 k-row groups of ~270-byte logs.
inline constexpr size_t kMergeRowGroupBytes = size_t{16} << 20;

class Compactor {
 public:
  explicit Compactor(Engine* engine);
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
  struct MergePart;
  Status Merge(const Partition& partition, size_t begin, size_t end);
  Status ApplyRetention();
  bool IsCompatible(const DataFile& file);
  // Publishes the backlog (EngineCounters::compaction_backlog) and whether the compactor lags.
  void UpdateBacklog(const std::vector<Partition>& partitions);
  bool stopping() const;

  Engine* engine_;
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
