// Publisher: makes encoded files durable and visible, in the order they were submitted (DESIGN.md §5.1):
// write to <root>/.tmp/, fsync, close, create the partition directory if needed, rename into it, fsync
// the directory. A failure at any step (disk full, EIO, permission denied) removes the temporary file,
// is counted and reported, and the same bytes are tried again with exponential backoff (10 ms to 2 s)
// until they land; so a visible file is always complete and nothing is lost while the process lives.
//
// At most `max_pending` files wait; Submit blocks beyond that, which stops the writer from taking more
// rows, which fills the queue, which applies the overflow policy: memory stays bounded however long the
// disk stays full.
//
// It is handed the engine's StorageContext, EngineCounters and EngineEvents, not the engine: it reports
// errors and notices through them, stores the published sequence in the counters and calls on_published
// after each file (which wakes the compactor).
//
// Thread-safety: Submit from the writer thread; Stop from any.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "parquet/byte_buffer.h"
#include "storage/batch_queue.h"
#include "storage/buffer_pool.h"
#include "storage/engine_counters.h"
#include "storage/storage_context.h"

namespace logdaemon::storage {

struct PendingFile {
  std::string partition_path;  // relative to the root; "" for the root
  std::string name;            // empty: a marker that only completes `token`
  parquet::ByteBuffer bytes;
  uint64_t rows = 0;
  uint64_t sequence = 0;   // the flush sequence number (the file covers just this one)
  int64_t encoded_ns = 0;  // steady clock when encoding ended (flush latency starts there)
  std::shared_ptr<FlushToken> token;
};

class Publisher {
 public:
  // Writes through context.fs() into context.root(); counts into *counters (and stores the published
  // sequence there); reports errors, notices and each published file through `events`.
  // max_buffer_bytes: the largest flush-file buffer worth keeping for reuse.
  Publisher(const StorageContext& context, EngineCounters* counters, EngineEvents events, size_t max_pending,
            size_t max_buffer_bytes);
  ~Publisher();

  void Start();
  // Queues a file (or a marker). Blocks while max_pending files wait, unless the publisher is stopping.
  void Submit(PendingFile file);
  // From now on, a failure after `deadline_ns` (steady clock) abandons every queued file (reported;
  // their tokens complete with the error) instead of retrying: shutdown cannot hang on a full disk.
  void BeginShutdown(int64_t deadline_ns);
  // Publishes what is queued (under the shutdown deadline, if set), then joins the thread.
  void Stop();
  // Rows given up on at shutdown.
  uint64_t abandoned_rows() const { return abandoned_rows_; }
  // The buffers of published files, for the writer's next ones.
  BufferPool& buffers() { return buffers_; }

 private:
  void Run();
  // *entry_durable: false when the directory fsync kept failing until the shutdown deadline.
  Status Publish(const PendingFile& file, bool* entry_durable);

  const StorageContext& context_;
  EngineCounters* const counters_;
  const EngineEvents events_;
  const size_t max_pending_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<PendingFile> queue_;
  bool stopping_ = false;
  int64_t deadline_ns_ = INT64_MAX;
  uint64_t abandoned_rows_ = 0;
  uint64_t tmp_counter_ = 0;
  BufferPool buffers_;
  std::thread thread_;
};

}  // namespace logdaemon::storage
