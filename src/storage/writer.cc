#include "storage/writer.h"

#include <pthread.h>
#include <algorithm>
#include <climits>

#include "storage/clock.h"
#include "storage/file_names.h"
#include "storage/wal.h"
#include "storage/wal_backlog.h"

namespace logdaemon::storage {

namespace {

// --parquet-compat: PLAIN + dictionary only (no DELTA_BINARY_PACKED, and PLAIN pages where a string
// column leaves its dictionary: no DELTA_LENGTH_BYTE_ARRAY), for old readers.
std::vector<parquet::ColumnEncoding> CompatEncodings(const std::vector<parquet::ColumnSpec>& schema) {
  std::vector<parquet::ColumnEncoding> encodings;
  for (const parquet::ColumnSpec& column : schema) {
    encodings.push_back(column.type == parquet::Type::kBoolean ? parquet::ColumnEncoding::kPlain
                                                               : parquet::ColumnEncoding::kDictionary);
  }
  return encodings;
}

}  // namespace

parquet::WriterOptions FileWriterOptions(const StorageOptions& options,
                                         const std::vector<parquet::ColumnSpec>& schema) {
  parquet::WriterOptions out;
  if (options.parquet_compat) {
    out.column_encodings = CompatEncodings(schema);
    out.delta_length_fallback = false;
  }
  switch (options.compression) {
    case Compression::kNone:
      out.codec = parquet::Codec::kUncompressed;
      break;
    case Compression::kSnappy:
      out.codec = parquet::Codec::kSnappy;
      break;
    case Compression::kZstd:
      out.codec = parquet::Codec::kZstd;
      break;
    case Compression::kGzip:
      out.codec = parquet::Codec::kGzip;
      break;
    case Compression::kLz4:
      out.codec = parquet::Codec::kLz4Raw;
      break;
  }
  out.compression_level = options.compression_level;
  // A column chunk's dictionary is held whole while the chunk is written: in a flush file every column's
  // at once, so 1 MiB (parquet-mr's and Arrow's default dictionary page size) keeps a wide schema's writer
  // within its memory share. Compaction, which holds one column at a time, raises it for merged files.
  out.dictionary_size_limit = size_t{1} << 20;
  return out;
}

Writer::Writer(const StorageContext& context, EngineCounters* counters, EngineEvents events,
               WriterLinks links, uint64_t next_sequence)
    : context_(context),
      counters_(counters),
      events_(std::move(events)),
      links_(links),
      next_sequence_(next_sequence),
      schema_(ParquetSchema(context.layout())),
      writer_options_(FileWriterOptions(context.options(), schema_)) {
  metadata_.push_back({"logdaemon.schema", context.schema().text()});
  int64_t interval_ns = static_cast<int64_t>(context.options().flush_interval.count()) * 1'000'000;
  flush_deadline_ns_ = interval_ns / 4 * 3;
  min_gap_ns_ = std::min<int64_t>(interval_ns / 2, 1'000'000'000);
  // Flush files stay well below the rotation size (1/16 of it), so that compaction can pack them into
  // files that fill it closely.
  max_flush_bytes_ =
      std::min<uint64_t>(kMaxFlushBytes, std::max<uint64_t>(context.options().rotation_bytes / 16, 16 << 10));
  lagging_flush_bytes_ =
      std::max(max_flush_bytes_, std::min<uint64_t>(kMaxFlushBytes, context.options().rotation_bytes / 2));
  // The writer's share of the memory budget: files of at most an eighth of it, open files together at
  // most a quarter (the rest is for the files queued for the publisher and the spare buffer). Bigger
  // files would make compaction cheaper (storage/compaction_policy.h), but a quarter of the share made
  // the daemon's peak 9 MiB higher whenever the compactor lagged (server.memory, 2026-12-05).
  if (const uint64_t share = context.options().writer_memory_bytes; share > 0) {
    const uint64_t file_cap = std::max<uint64_t>(share / 8, 64 << 10);
    max_flush_bytes_ = std::min(max_flush_bytes_, file_cap);
    lagging_flush_bytes_ = std::min(lagging_flush_bytes_, file_cap);
    max_open_bytes_ = std::max<uint64_t>(share / 4, file_cap);
  }
}

Writer::~Writer() {
  Join();
}

void Writer::Start() {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "ld-writer");
    Run();
  });
}

void Writer::Join() {
  if (thread_.joinable()) thread_.join();
}

void Writer::Run() {
  std::deque<QueueItem> items;
  int64_t next_deadline = INT64_MAX;
  for (;;) {
    int64_t tick = SteadyNanos() + links_.tick_ns;
    bool more = links_.queue->DequeueAll(std::min(next_deadline, tick), &items);
    for (QueueItem& item : items) {
      if (item.batch) {
        const size_t credits = item.batch->credits();
        Route(*item.batch);
        KeepOpenFilesInShare();
        links_.queue->RecycleBatch(std::move(item.batch));
        // Encoded now: the rows no longer count against the queue's capacity.
        links_.admission->Release(credits);
        events_.on_room();
      }
      if (item.flush) {
        FlushDue(/*force=*/true, SteadyNanos());
        PendingFile marker;
        marker.token = std::move(item.flush);
        links_.publisher->Submit(std::move(marker));
      }
    }
    items.clear();
    events_.on_tick();
    if (links_.wal &&
        counters_->published_sequence.load(std::memory_order_acquire) != trimmed_at_published_) {
      if (Status st = TrimWal(); !st.ok()) events_.on_error(st.WithContext("trimming the write-ahead log"));
    }
    if (!more) {
      FlushDue(/*force=*/true, SteadyNanos());
      return;
    }
    next_deadline = FlushDue(/*force=*/false, SteadyNanos());
    KeepOpenFilesInShare();  // also refreshes the gauge after flushes
  }
}

void Writer::Route(const RowBatch& batch) {
  if (batch.empty()) return;
  RouteByPartition(batch);
  // Rows read back from the write-ahead log's backlog: it may now forget them (they are in open files,
  // whose coverage keeps the log from being trimmed below them).
  WalBacklog* backlog = links_.backlog;
  if (backlog != nullptr && batch.read_back() && !batch.wal_lsns().empty()) {
    backlog->Routed(batch.wal_stream(), batch.wal_lsns().back());
  }
}

void Writer::RouteByPartition(const RowBatch& batch) {
  if (batch.SinglePartition()) {
    WriteRows(batch.partition_keys()[0], batch);
    return;
  }
  // Rare: a batch across a partition boundary (midnight, late logs). Split it by key, a run of rows
  // with the same key at a time.
  const std::vector<int64_t>& keys = batch.partition_keys();
  for (size_t begin = 0, end = 0; begin < batch.num_rows(); begin = end) {
    end = begin + 1;
    while (end < batch.num_rows() && keys[end] == keys[begin]) ++end;
    std::unique_ptr<RowBatch>& part = split_[keys[begin]];
    if (!part) part = std::make_unique<RowBatch>(context_.layout());
    part->AppendRows(batch, begin, end);
  }
  for (auto& [key, part] : split_) {
    if (!part->empty()) WriteRows(key, *part);
    part->Clear();
  }
  if (split_.size() > 16) split_.clear();  // keys of long-gone partitions
}

bool Writer::OpenPartition(PartitionState* state, int64_t key, int64_t first_arrival_ns) {
  const size_t max_open = std::max<size_t>(1, context_.options().max_open_partitions);
  while (open_lru_.size() >= max_open) {
    // The least recently written partition goes first: it is the least likely to get more rows soon.
    const int64_t oldest = open_lru_.front();
    FlushPartition(oldest, &partitions_.at(oldest));
  }
  // Room for a file at the size cap plus the batch that takes it past the cap, reserved at once: grown
  // by doubling, a file just past the cap would hold twice its size, and so would every buffer the
  // publisher recycles. Pages the file never reaches are never touched, so they cost no memory.
  parquet::ByteBuffer buffer = links_.publisher->buffers().Take();
  buffer.reserve(max_flush_bytes_ + max_flush_bytes_ / 4);
  auto open = std::make_unique<OpenFile>(std::move(buffer));
  auto writer = parquet::FileWriter::Open(&open->sink, schema_, writer_options_);
  if (!writer.ok()) {
    events_.on_error(writer.status().WithContext("opening a flush file"));
    return false;
  }
  open->writer = std::move(*writer);
  open->min_time = INT64_MAX;
  open->first_arrival_ns = first_arrival_ns;
  state->open = std::move(open);
  state->lru = open_lru_.insert(open_lru_.end(), key);
  return true;
}

void Writer::ForgetOpen(PartitionState* state) {
  if (state->open) open_lru_.erase(state->lru);
  state->open.reset();
}

void Writer::WriteRows(int64_t key, const RowBatch& rows) {
  PartitionState& state = partitions_[key];
  if (!state.open) {
    if (!OpenPartition(&state, key, rows.first_arrival_ns())) return;
  } else {
    open_lru_.splice(open_lru_.end(), open_lru_, state.lru);  // now the most recently written
  }
  OpenFile& file = *state.open;
  if (!rows.wal_lsns().empty()) {
    file.coverage.AddAll(rows.wal_stream(), rows.wal_lsns());
    uint64_t& routed = routed_max_[rows.wal_stream()];
    routed = std::max(routed, rows.wal_lsns().back());
  }
  rows.ColumnBatches(&column_batches_);
  if (Status st = file.writer->WriteBatch(column_batches_.data(), rows.num_rows()); !st.ok()) {
    // Encoding into memory fails only on a bug; the file is broken, so it is dropped with its rows.
    events_.on_error(st.WithContext("encoding a flush file; " + std::to_string(file.rows) + " rows lost"));
    FileLost(file);
    ForgetOpen(&state);
    return;
  }
  file.rows += rows.num_rows();
  file.first_arrival_ns = std::min(file.first_arrival_ns, rows.first_arrival_ns());
  for (int64_t t : rows.row_times()) file.min_time = std::min(file.min_time, t);
  if (file.writer->row_group_rows() >= kFlushRowGroupRows) {
    if (Status st = file.writer->EndRowGroup(); !st.ok()) events_.on_error(st);
  }
}

int64_t Writer::FlushDue(bool force, int64_t now_ns) {
  const size_t batch_size = context_.options().batch_size;
  const bool lagging = counters_->compaction_lagging.load(std::memory_order_relaxed);
  const uint64_t max_bytes = lagging ? lagging_flush_bytes_ : max_flush_bytes_;
  int64_t next = INT64_MAX;
  for (auto it = partitions_.begin(); it != partitions_.end();) {
    PartitionState& state = it->second;
    if (!state.open) {
      // Forget partitions that have been quiet for a minute (their keys would pile up over days).
      if (now_ns - state.last_flush_ns > 60'000'000'000) {
        it = partitions_.erase(it);
        continue;
      }
      ++it;
      continue;
    }
    OpenFile& file = *state.open;
    int64_t age_deadline = file.first_arrival_ns + flush_deadline_ns_;
    int64_t gap_deadline =
        file.rows >= batch_size && !lagging ? state.last_flush_ns + min_gap_ns_ : INT64_MAX;
    bool too_big = file.sink.size() + file.writer->buffered_bytes() >= max_bytes;
    if (force || too_big || now_ns >= age_deadline || now_ns >= gap_deadline) {
      FlushPartition(it->first, &state);
    } else {
      next = std::min({next, age_deadline, gap_deadline});
    }
    ++it;
  }
  return next;
}

void Writer::KeepOpenFilesInShare() {
  // O(open files x columns) per batch, not per row; usually one or two files are open.
  for (;;) {
    uint64_t total = 0;
    uint64_t held = 0;  // what the open files' buffers hold, for the gauge
    int64_t largest_key = 0;
    uint64_t largest = 0;
    for (int64_t key : open_lru_) {
      const OpenFile& file = *partitions_.at(key).open;
      const uint64_t bytes = file.sink.size() + file.writer->buffered_bytes();
      total += bytes;
      held += file.sink.capacity() + file.writer->memory_bytes();
      if (bytes >= largest) {
        largest = bytes;
        largest_key = key;
      }
    }
    counters_->writer_open_bytes.store(held, std::memory_order_relaxed);
    // One open file is bounded by its own size cap.
    if (max_open_bytes_ == 0 || total <= max_open_bytes_ || open_lru_.size() < 2) return;
    FlushPartition(largest_key, &partitions_.at(largest_key));
  }
}

void Writer::FlushPartition(int64_t key, PartitionState* state) {
  open_lru_.erase(state->lru);
  std::unique_ptr<OpenFile> file = std::move(state->open);
  state->last_flush_ns = SteadyNanos();
  std::vector<parquet::KeyValue> metadata = metadata_;
  if (!file->coverage.empty()) metadata.push_back({std::string(kWalCoverageKey), file->coverage.Encode()});
  if (Status st = file->writer->Close(metadata); !st.ok()) {
    events_.on_error(st.WithContext("finishing a flush file; " + std::to_string(file->rows) + " rows lost"));
    FileLost(*file);
    return;
  }
  PendingFile pending;
  const Partitioning partitioning = context_.options().partitioning;
  pending.partition_path = PartitionPath(partitioning, key);
  uint64_t sequence = next_sequence_++;
  pending.name = DataFileName(file->min_time, {sequence, sequence});
  pending.sequence = sequence;
  pending.rows = file->rows;
  pending.bytes = file->sink.Take();
  pending.encoded_ns = SteadyNanos();
  if (!file->coverage.empty()) {
    Unpublished unpublished{sequence, {}};
    for (const auto& [stream, ranges] : file->coverage.streams())
      unpublished.min_lsn[stream] = ranges.front().first;
    unpublished_.push_back(std::move(unpublished));
  }
  links_.publisher->Submit(std::move(pending));
}

void Writer::FileLost(const OpenFile& file) {
  // Durable acks: the log keeps the rows (pinned) for the next start. Memory acks: they are gone.
  if (!links_.wal) counters_->logs_lost_encoding.fetch_add(file.rows, std::memory_order_relaxed);
  for (const auto& [stream, ranges] : file.coverage.streams()) {
    if (ranges.empty()) continue;
    auto [it, inserted] = pinned_.try_emplace(stream, ranges.front().first);
    if (!inserted) it->second = std::min(it->second, ranges.front().first);
  }
}

Status Writer::TrimWal() {
  WalDirectory* wal = links_.wal;
  if (wal == nullptr) return Status::OK();
  const uint64_t published = counters_->published_sequence.load(std::memory_order_acquire);
  trimmed_at_published_ = published;
  while (!unpublished_.empty() && unpublished_.front().sequence <= published) unpublished_.pop_front();
  // Every routed row of a stream is in a published file, except those of open and unpublished files.
  std::map<uint32_t, uint64_t> stored_through = routed_max_;
  auto lower = [&](uint32_t stream, uint64_t first_not_stored) {
    auto it = stored_through.find(stream);
    if (it != stored_through.end()) it->second = std::min(it->second, first_not_stored - 1);
  };
  for (const auto& [key, state] : partitions_) {
    if (!state.open) continue;
    for (const auto& [stream, ranges] : state.open->coverage.streams()) lower(stream, ranges.front().first);
  }
  for (const Unpublished& file : unpublished_) {
    for (const auto& [stream, lsn] : file.min_lsn) lower(stream, lsn);
  }
  for (const auto& [stream, lsn] : pinned_) lower(stream, lsn);
  // Records still in the backlog may be older than rows routed through memory.
  if (WalBacklog* backlog = links_.backlog) backlog->LowerStoredThrough(&stored_through);
  Status st = wal->Trim(stored_through);
  events_.on_room();  // the log may have shrunk below its limit or a connection below its share
  return st;
}

}  // namespace logdaemon::storage
