// Writer: the thread that turns queued rows into flush files (DESIGN.md §5.2).
//
// Rows are routed by partition into that partition's open file — a Parquet FileWriter encoding into
// memory — as soon as they arrive, and their admission credits are released then (encoded rows are a
// few dozen bytes each). A partition's open file is flushed (closed, given the next flush sequence
// number and handed to the Publisher) when
//   - its oldest row has waited 3/4 of the flush interval (so it is visible within the interval), or
//   - it holds batch_size rows and the partition's previous flush is at least min(interval / 2, 1 s)
//     old — at high rates rows coalesce instead of making tiny files, or
//   - its encoded size reaches kMaxFlushBytes, 1/16 of the rotation size (compaction can pack flush
//     files closely into rotation-sized files) or an eighth of the writer's memory share, or
//   - the open files together hold more than a quarter of the writer's memory share (the largest goes
//     first), or
//   - a Flush() or Close() asks.
// While the compactor lags (EngineCounters::compaction_lagging: a partition has piled up small files,
// e.g. because other processes take the CPU it runs on at a lower priority), the second trigger is off
// and the size limit is half the rotation size: files come at most every 3/4 interval and bigger, so
// the number of files stays bounded however slow compaction gets, and the interval is still kept.
// Row groups end every kFlushRowGroupRows rows, so a flush file has as few row groups as it can.
// At most StorageOptions::max_open_partitions partitions have an open file: opening one more first
// flushes the one written least recently (logs spread over many dates or hours must not make the writer
// hold a file per partition in memory).
//
// Write-ahead log (durable acks): each flush file records which log records its rows came from
// (storage/wal_coverage.h, in its key-value metadata). The writer also knows, per stream, up to which
// LSN every record is in a published file — the rows it routed, minus those still in open or unpublished
// files — and TrimWal() deletes the segments below that.
//
// It is handed the engine's StorageContext, EngineCounters and EngineEvents and its WriterLinks, not the
// engine: it takes batches from the BatchQueue, gives their credits back to the Admission, hands files
// to the Publisher, and calls on_room when it frees room and on_tick each time it wakes up.
#pragma once

#include <deque>
#include <list>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "parquet/file_writer.h"
#include "storage/admission.h"
#include "storage/batch_queue.h"
#include "storage/engine_counters.h"
#include "storage/memory_sink.h"
#include "storage/publisher.h"
#include "storage/storage_context.h"
#include "storage/wal_coverage.h"

namespace logdaemon::storage {

inline constexpr size_t kMaxFlushBytes = size_t{8} << 20;
inline constexpr int64_t kFlushRowGroupRows = 128 * 1024;

// Writer options for the engine's flush and merged files (codec, level, --parquet-compat encodings).
parquet::WriterOptions FileWriterOptions(const StorageOptions& options,
                                         const std::vector<parquet::ColumnSpec>& schema);

class WalBacklog;
class WalDirectory;

// What the writer takes rows from and hands its work to (the engine owns each; they outlive the writer).
struct WriterLinks {
  BatchQueue* queue = nullptr;     // the rows and flush requests, and the spare batches it gives back
  Admission* admission = nullptr;  // takes back the credits of the rows it has encoded
  Publisher* publisher = nullptr;  // the files it has flushed
  WalDirectory* wal = nullptr;     // durable acks: the write-ahead log it trims (else null)
  WalBacklog* backlog = nullptr;   // durable acks: the logs waiting in the log for room (else null)
  int64_t tick_ns = 0;             // it waits for rows at most this long between EngineEvents::on_tick
};

class Writer {
 public:
  // Reads the options and schema from `context`; sets its gauges in *counters and reads the compactor's
  // lag and the published sequence there; reports through events.on_error, on_room and on_tick.
  Writer(const StorageContext& context, EngineCounters* counters, EngineEvents events, WriterLinks links,
         uint64_t next_sequence);
  ~Writer();

  void Start();
  // Returns after the queue has been drained, every open file flushed and handed to the publisher.
  void Join();
  // Deletes the write-ahead log segments whose records are all in published files. The writer's thread
  // calls it as files are published; Engine::Close once more after Join() and the publisher's end.
  Status TrimWal();

 private:
  struct OpenFile {
    explicit OpenFile(parquet::ByteBuffer buffer) : sink(std::move(buffer)) {}
    MemorySink sink;
    std::unique_ptr<parquet::FileWriter> writer;
    size_t rows = 0;
    int64_t min_time = 0;
    int64_t first_arrival_ns = 0;
    WalCoverage coverage;  // the log records of its rows
  };
  // A flush file handed to the publisher and not yet published: its smallest LSN per stream.
  struct Unpublished {
    uint64_t sequence = 0;
    std::map<uint32_t, uint64_t> min_lsn;
  };
  struct PartitionState {
    std::unique_ptr<OpenFile> open;
    int64_t last_flush_ns = 0;
    std::list<int64_t>::iterator lru;  // its place in open_lru_, while `open` is set
  };

  void Run();
  void Route(const RowBatch& batch);
  void RouteByPartition(const RowBatch& batch);
  void WriteRows(int64_t key, const RowBatch& rows);
  // Flushes the partitions whose trigger fired (all of them when `force`); returns the next deadline.
  int64_t FlushDue(bool force, int64_t now_ns);
  void FlushPartition(int64_t key, PartitionState* state);
  // Flushes the largest open files while the open files together hold more than max_open_bytes_.
  void KeepOpenFilesInShare();
  // Opens a flush file for the partition (flushing the least recently written one first when
  // max_open_partitions are open). False when the file could not be opened (reported).
  bool OpenPartition(PartitionState* state, int64_t key, int64_t first_arrival_ns);
  // Drops the partition's open file without writing it (an encoding failure broke it).
  void ForgetOpen(PartitionState* state);
  // The file's rows will not be in any file (an encoding failure): the write-ahead log keeps them for a
  // restart (its records are pinned below the trim point), or, with memory acks, they are counted lost.
  void FileLost(const OpenFile& file);

  const StorageContext& context_;
  EngineCounters* const counters_;
  const EngineEvents events_;
  const WriterLinks links_;
  uint64_t next_sequence_;
  std::vector<parquet::ColumnSpec> schema_;
  parquet::WriterOptions writer_options_;
  std::vector<parquet::KeyValue> metadata_;
  int64_t flush_deadline_ns_;  // 3/4 of the flush interval
  int64_t min_gap_ns_;
  uint64_t max_flush_bytes_;
  uint64_t lagging_flush_bytes_;  // the size limit while the compactor lags
  uint64_t max_open_bytes_ = 0;   // 0: no bound on the open files together
  std::map<int64_t, PartitionState> partitions_;
  // The keys of the partitions with an open file, least recently written first.
  std::list<int64_t> open_lru_;
  std::map<int64_t, std::unique_ptr<RowBatch>> split_;  // scratch for batches spanning partitions
  std::vector<parquet::ColumnBatch> column_batches_;
  // Write-ahead log bookkeeping (see the header comment).
  std::map<uint32_t, uint64_t> routed_max_;  // per stream, the highest LSN routed
  std::map<uint32_t, uint64_t> pinned_;      // per stream, the lowest LSN of rows lost in memory
  std::deque<Unpublished> unpublished_;
  uint64_t trimmed_at_published_ = 0;  // the published sequence at the last trim
  std::thread thread_;
};

}  // namespace logdaemon::storage
