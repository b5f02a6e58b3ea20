// The write-ahead log (DESIGN.md §1 step 4, §5 invariant 2): with durable acknowledgements, every admitted
// log is appended to its thread's stream and a loop turn's logs are made durable together (group commit:
// one write, one fdatasync) before their `OK`s are sent. Flush files record which records they hold
// (storage/wal_coverage.h); a segment is deleted once every record in it is in a durable file; at start,
// the records no file holds are stored again (storage/wal_recovery.h). The format: storage/wal_format.h.
//
// WalDirectory is the registry of wal/: every segment of every stream, which streams are in use, the next
// LSN of each, and trimming. WalStream is one appender's writer into its stream.
//
// LSNs never repeat within a stream, across restarts too: a stream's newest segment is never deleted
// while its name is the only record of where the stream stopped; when its records are all stored it is
// replaced by an empty segment named after the next LSN (a marker).
//
// Trimmed segments are recycled: up to kSparesPerStream full-size ones per stream are renamed
// <stream>-<first LSN>.spare instead of deleted, and the stream's next segment is made from one by writing
// its new header over the old. Its blocks are then all allocated and written, so a group commit's
// fdatasync has only data to flush; appending to a fresh (fallocated) segment also commits the file
// system's journal, for its newly written extents — on ext4 here, 0.20 ms against 0.11 ms per fdatasync.
// The old records beyond the new ones never read as records: see the clean end in storage/wal_format.h.
//
// Thread-safety: WalDirectory is internally locked (appenders create and close segments, the writer
// thread trims). A WalStream belongs to one thread.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "logdaemon/status.h"
#include "storage/fs.h"

namespace logdaemon::storage {

// What the write-ahead log has done, for metrics. Each WalStream adds once per group commit.
struct WalCounters {
  std::atomic<uint64_t> commits{0};         // group commits (each one fdatasync, more after a roll)
  std::atomic<uint64_t> syncs{0};           // fdatasync / fsync calls
  std::atomic<uint64_t> records{0};         // records made durable
  std::atomic<uint64_t> bytes{0};           // bytes written
  std::atomic<uint64_t> failed_commits{0};  // groups refused: a write or sync failed
  std::atomic<uint64_t> torn_tails{0};      // segments whose end was cut at recovery
  std::atomic<uint64_t> replayed{0};        // records stored again at recovery
};

class WalDirectory {
 public:
  struct Segment {
    uint32_t stream = 0;
    uint64_t first_lsn = 0;
    uint64_t last_lsn = 0;  // first_lsn - 1 while empty
    uint64_t bytes = 0;     // on disk (preallocated size for an open segment)
    bool open = false;      // being appended to
  };

  // `dir` is <storage>/wal; `schema` goes into every segment header; segments are preallocated to
  // `segment_bytes`.
  WalDirectory(FileSystem* fs, std::string dir, std::string schema, uint64_t segment_bytes);
  WalDirectory(const WalDirectory&) = delete;
  WalDirectory& operator=(const WalDirectory&) = delete;

  const std::string& path() const { return dir_; }
  const std::string& schema() const { return schema_; }
  uint64_t segment_bytes() const { return segment_bytes_; }
  FileSystem* fs() const { return fs_; }

  // Recovery: a segment found on disk (closed), and the next LSN a stream must continue from.
  void AddRecovered(const Segment& segment);
  void RaiseNextLsn(uint32_t stream, uint64_t next_lsn);

  // A stream for a new writer (the lowest not in use) and its next LSN; Release gives it back.
  uint32_t AcquireStream(uint64_t* next_lsn);
  void ReleaseStream(uint32_t stream, uint64_t next_lsn);

  // Recovery: a spare found on disk. Kept when it has the segment size and its stream has room for it,
  // removed otherwise.
  Status AdoptSpare(uint32_t stream, uint64_t first_lsn, uint64_t bytes);

  // Creates <dir>/<stream>-<first_lsn>.wal with its header and, unless `marker` (min_bytes 0),
  // preallocated to max(segment_bytes, min_bytes) — made from one of the stream's spares when there is one
  // and the segment takes the usual size. Nothing is durable until the caller syncs the file and
  // SyncDir()s. *header_bytes: where records start; the file holds zeros from there to at least
  // *header_bytes + kWalRecordHeaderBytes (a clean end).
  Result<std::unique_ptr<WritableFile>> CreateSegment(uint32_t stream, uint64_t first_lsn, uint64_t min_bytes,
                                                      size_t* header_bytes);
  // The segment starting at first_lsn holds records up to last_lsn and takes no more.
  void CloseSegment(uint32_t stream, uint64_t first_lsn, uint64_t last_lsn);
  Status SyncDir();

  // Deletes (or keeps as spares) the closed segments all of whose records are stored in durable files:
  // those of a stream with last_lsn <= stored_through[stream]. A stream not in use whose newest segment
  // goes is first given a marker. Errors are returned after trying everything (the segments stay, for a
  // later trim).
  Status Trim(const std::map<uint32_t, uint64_t>& stored_through);

  // Segments and bytes on disk (disk_bytes() is a lock-free read: admission checks it).
  size_t segment_count() const;
  uint64_t disk_bytes() const { return disk_bytes_.load(std::memory_order_relaxed); }
  // Spares: how many are kept (not counted in disk_bytes(): they are room for the log to reuse, at most
  // kSparesPerStream × segment_bytes per stream), and how many segments were made from one.
  static constexpr size_t kSparesPerStream = 2;
  size_t spare_count() const;
  // Deletes every spare (a clean shutdown). The first error, after trying them all.
  Status RemoveSpares();
  uint64_t recycled_segments() const { return recycled_.load(std::memory_order_relaxed); }
  std::vector<Segment> Segments() const;
  std::string SegmentPath(uint32_t stream, uint64_t first_lsn) const;
  // The first LSN still on disk in `stream` (records below it were trimmed); lock-free, for fairness
  // (ingest/room_share.h). 0 for streams beyond kTrackedStreams (all of their records count as held).
  static constexpr uint32_t kTrackedStreams = 256;
  uint64_t oldest_lsn(uint32_t stream) const {
    return stream < kTrackedStreams ? oldest_lsn_[stream].load(std::memory_order_relaxed) : 0;
  }

 private:
  using Key = std::pair<uint32_t, uint64_t>;  // stream, first LSN
  void RecountBytesLocked();
  std::string SparePath(uint32_t stream, uint64_t first_lsn) const;
  // A new segment file at `path` beginning with `start` (its header and a clean end), preallocated to
  // `capacity` unless that is 0.
  Result<std::unique_ptr<WritableFile>> CreateFresh(const std::string& path, const std::string& start,
                                                    uint64_t capacity);
  // The spare's first LSN, taken from the stream's spares; nullopt when it has none.
  std::optional<uint64_t> TakeSpare(uint32_t stream);
  // Turns the spare into the segment at `path`, starting with `start`. On failure the spare is removed.
  Result<std::unique_ptr<WritableFile>> ReuseSpare(uint32_t stream, uint64_t spare_lsn,
                                                   const std::string& path, const std::string& start);
  // A trimmed segment: kept as a spare when it is full-size and its stream has room, else removed.
  Status RecycleOrRemove(const Key& key, uint64_t bytes);

  FileSystem* const fs_;
  const std::string dir_;
  const std::string schema_;
  const uint64_t segment_bytes_;
  mutable std::mutex mutex_;
  std::map<Key, Segment> segments_;
  std::map<uint32_t, uint64_t> next_lsn_;  // per stream ever seen
  std::set<uint32_t> in_use_;
  std::map<uint32_t, std::vector<uint64_t>> spares_;  // per stream: the first LSNs in its spares' names
  std::atomic<uint64_t> recycled_{0};
  std::atomic<uint64_t> disk_bytes_{0};  // the sum of segments_' bytes
  std::array<std::atomic<uint64_t>, kTrackedStreams> oldest_lsn_{};
  std::mutex trim_mutex_;  // one Trim at a time (the writer's, or recovery's)
};

class WalStream {
 public:
  // Takes a stream from `dir` (released by the destructor). `counters` may be null.
  WalStream(WalDirectory* dir, WalCounters* counters);
  // Waits for a group in flight; a group still forming is dropped (it was never acknowledged).
  ~WalStream();
  WalStream(const WalStream&) = delete;
  WalStream& operator=(const WalStream&) = delete;

  uint32_t stream() const { return stream_; }
  uint64_t next_lsn() const { return next_lsn_; }

  // Where the record the last Add() returned sits: its segment (by first LSN) and its byte offset there.
  uint64_t last_segment_first_lsn() const { return segment_first_lsn_; }
  uint64_t last_record_offset() const { return last_record_offset_; }

  // Adds a record to the group being formed and returns its LSN. Unavailable ("storage unavailable:
  // <why>") when no segment could be made for it (disk full, read-only): the record is not in the group.
  Result<uint64_t> Add(std::string_view payload);

  // Group commit, pipelined: Seal() hands the forming group to the stream's sync thread, which writes it
  // with one write and makes it durable with one fdatasync (after a roll, the previous segment's and the
  // directory's too), then calls the notify callback. Meanwhile the next group forms. Up to
  // kMaxGroupsInFlight groups are in flight: one being synced and one sealed behind it, so that the sync
  // thread goes straight on to the next group when one is done, without waiting for its owner to wake up
  // and seal it. Groups finish in the order they were sealed. On failure the failed group, those sealed
  // behind it and the one forming are all refused — their logs must be answered with the error — and the
  // next Add starts a new segment; their LSNs are never used again.
  //
  // REQUIRES for Seal: can_seal(). A no-op when the forming group is empty.
  static constexpr size_t kMaxGroupsInFlight = 2;
  void Seal();
  bool in_flight() const { return in_flight_ > 0; }
  bool can_seal() const { return in_flight_ < kMaxGroupsInFlight; }
  // Whether the oldest group in flight is done, without waiting; then *status is its outcome.
  bool Poll(Status* status);
  // Waits for the oldest group in flight (OK when there is none).
  Status Wait();
  // Everything added so far made durable: waits for the groups in flight, then seals and waits for the
  // forming one. The first failure, if any.
  Status Commit();
  // Called on the sync thread when a group is done (e.g. to wake the owner's event loop).
  void set_notify(std::function<void()> notify) { notify_ = std::move(notify); }

  size_t group_records() const { return forming_.records; }
  size_t group_bytes() const { return forming_bytes_; }

 private:
  // The bytes of a group for one segment file, in order, to be written at `offset` of a segment of
  // `capacity` bytes; `close_after`: the segment was rolled away from.
  struct Chunk {
    std::shared_ptr<WritableFile> file;
    uint64_t segment_first_lsn = 0;
    uint64_t last_lsn = 0;
    std::string bytes;
    bool close_after = false;
    uint64_t offset = 0;
    uint64_t capacity = 0;
  };
  struct Group {
    std::vector<Chunk> chunks;
    size_t records = 0;
    bool dir_sync = false;  // a segment was created: its directory entry must be durable too
    uint64_t epoch = 0;     // the owner's failures handled before it was sealed
  };

  Status OpenSegment(size_t record_bytes);
  void SyncThread();
  Status WriteGroup(Group& group);  // on the sync thread
  // On the sync thread: a group sealed behind a failed one is refused unwritten (its segments closed).
  Status RefuseGroup(Group& group, const Status& failure);
  // The oldest group in flight ended with `status`; on failure the forming group goes too.
  void Finish(const Status& status);
  // Discards the forming group (its LSNs are never used) and closes the current segment.
  void DropForming();
  void CloseCurrent(uint64_t last_lsn);
  // A segment the stream rolled away from (chunk.close_after): closed, its last LSN recorded.
  void CloseIfRolled(Chunk& chunk);

  WalDirectory* const dir_;
  WalCounters* const counters_;
  uint32_t stream_ = 0;
  uint64_t next_lsn_ = 1;
  std::shared_ptr<WritableFile> segment_;
  uint64_t segment_first_lsn_ = 0;
  uint64_t segment_used_ = 0;  // bytes written, in flight or forming
  uint64_t last_record_offset_ = 0;
  uint64_t segment_capacity_ = 0;  // preallocated
  Group forming_;
  size_t forming_bytes_ = 0;
  size_t in_flight_ = 0;  // groups sealed and not yet Polled / Waited for
  uint64_t epoch_ = 0;    // failures handled (Finish)
  std::function<void()> notify_;

  // Shared with the sync thread.
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Group> sealed_;  // handed to the sync thread, not yet taken
  std::deque<Status> done_;   // the outcomes of the groups done, oldest first
  bool stop_ = false;
  std::thread thread_;  // started by the first Seal

  // The sync thread's own: the epoch of the last group that failed, whose followers are refused with
  // the same failure.
  std::optional<uint64_t> failed_epoch_;
  Status failure_;
};

}  // namespace logdaemon::storage
