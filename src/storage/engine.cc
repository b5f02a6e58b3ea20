#include "storage/engine.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <simdjson.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "parquet/file_reader.h"
#include "schema/json_syntax_error.h"
#include "schema/validator.h"
#include "storage/appender.h"
#include "storage/catalog.h"
#include "storage/clock.h"
#include "storage/compactor.h"
#include "storage/publisher.h"
#include "storage/wal_format.h"
#include "storage/writer.h"

namespace logdaemon::storage {

namespace {

Status CheckOptions(const StorageOptions& options) {
  if (options.directory.empty()) return Status::InvalidArgument("storage directory: must not be empty");
  if (options.batch_size == 0) return Status::InvalidArgument("batch size: must be at least 1");
  if (options.flush_interval.count() < 1)
    return Status::InvalidArgument("flush interval: must be at least 1 ms");
  if (options.queue_capacity == 0) return Status::InvalidArgument("queue capacity: must be at least 1");
  if (options.rotation_bytes < (uint64_t{64} << 10)) {
    return Status::InvalidArgument("rotation size: must be at least 64 KiB");
  }
  if (options.retention_days < 0) return Status::InvalidArgument("retention days: must not be negative");
  if ((options.file_mode & 0600) != 0600 || options.file_mode > 0777) {
    return Status::InvalidArgument("file mode: must be permission bits that let the owner read and write");
  }
  return Status::OK();
}

// One parser and validator per thread for Engine::Append (the daemon's io threads have their own).
struct ParseState {
  simdjson::dom::parser parser;
  bool ready = parser.allocate(64 * 1024, SchemaValidator::kMaxDocumentDepth) == simdjson::SUCCESS;
  std::shared_ptr<const schema::CompiledSchema> schema;
  std::unique_ptr<schema::Validator> validator;
  std::string error;
  std::string buffer;
};

// Stores records read back from the write-ahead log (recovery, and the backlog): parses each again but
// does not validate it — the schema that validated it is the current one (recovery refuses the others)
// — and appends it through its own appender, which waits for room.
class LogReplayer {
 public:
  LogReplayer(Engine* engine, const AppenderLinks* links) : engine_(engine), appender_(links, nullptr) {}

  Appender& appender() { return appender_; }
  uint64_t unstorable() const { return unstorable_; }

  Status Store(uint32_t stream, uint64_t lsn, std::string_view payload) {
    buffer_.assign(payload);
    buffer_.resize(payload.size() + simdjson::SIMDJSON_PADDING);
    simdjson::dom::element document;
    Status st;
    if (parser_.parse(buffer_.data(), payload.size(), false).get(document) != simdjson::SUCCESS) {
      st = Status::InvalidArgument("not JSON");
    } else {
      st = appender_.AppendLogged(document, stream, lsn, payload.size());
    }
    if (!st.ok()) {
      if (st.code() == Status::Code::kUnavailable) return st;
      ++unstorable_;
      engine_->ReportError(st.WithContext("write-ahead log record " + std::to_string(stream) + ":" +
                                          std::to_string(lsn) + " cannot be stored"));
    }
    return Status::OK();
  }

 private:
  Engine* engine_;
  Appender appender_;
  simdjson::dom::parser parser_;
  std::string buffer_;
  uint64_t unstorable_ = 0;
};

}  // namespace

Engine::Engine(StorageOptions options, SchemaValidator schema)
    : context_(std::move(options), std::move(schema)),
      admission_(context_.options().queue_capacity),
      queue_(context_.layout()) {
  // Appenders hand over batches small enough that a few of them cannot hold the whole capacity, and
  // take credits in chunks small enough that idle appenders cannot starve the busy ones.
  AppenderLinks& links = appender_links_;
  links.handoff_rows = std::clamp<size_t>(context_.options().queue_capacity / 8, 1, 4096);
  links.credit_chunk = std::clamp<size_t>(context_.options().queue_capacity / 64, 1, 256);
  int64_t interval_ns = static_cast<int64_t>(context_.options().flush_interval.count()) * 1'000'000;
  links.handoff_interval_ns = std::clamp<int64_t>(interval_ns / 8, 1'000'000, 250'000'000);
  links.context = &context_;
  links.counters = &counters_;
  links.queue = &queue_;
  links.admission = &admission_;
  links.closing = &closing_;
  links.wal_has_room = [this] { return wal_has_room(); };
  links.on_error = [this](const Status& status) { ReportError(status); };
}

Result<std::unique_ptr<Engine>> Engine::Open(StorageOptions options, SchemaValidator schema) {
  if (Status st = CheckOptions(options); !st.ok()) return st;
  std::unique_ptr<Engine> engine(new Engine(std::move(options), std::move(schema)));
  if (Status st = engine->fs()->CreateDirs(engine->root()); !st.ok()) return st;
  // One engine per directory: two writers would reuse sequence numbers and delete each other's files.
  std::string lock_path = JoinPath(engine->root(), ".lock");
  engine->lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC,
                            static_cast<mode_t>(engine->options().file_mode));
  if (engine->lock_fd_ < 0) return FileError("open", lock_path, errno);
  if (::flock(engine->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return Status::IOError("storage directory " + engine->root() +
                             " is in use by another logdaemon process");
    }
    return FileError("flock", lock_path, errno);
  }
  if (Status st = engine->Recover(); !st.ok()) return st.WithContext("recovering " + engine->root());
  if (engine->options().ack == AckMode::kDurable) {
    const std::string wal_dir = JoinPath(engine->root(), kWalDirName);
    if (Status st = engine->fs()->CreateDirs(wal_dir); !st.ok()) return st;
    engine->wal_ = std::make_unique<WalDirectory>(engine->fs(), wal_dir, engine->schema().text(),
                                                  engine->options().wal_segment_bytes);
    engine->MakeBacklog();
  }
  engine->StartThreads();
  if (engine->wal_) {
    engine->SizeWal();
    engine->backlog_->Start();
    if (Status st = engine->RecoverWal(); !st.ok()) {
      (void)engine->Close();
      return st.WithContext("recovering the write-ahead log of " + engine->root());
    }
  }
  engine->shared_appender_ = engine->NewAppender();
  engine->shared_appender_->set_wait_for_room(true);
  return engine;
}

EngineEvents Engine::Events() {
  EngineEvents events;
  events.on_error = [this](const Status& status) { ReportError(status); };
  events.on_notice = [this](const std::string& line) { ReportNotice(line); };
  return events;
}

void Engine::StartThreads() {
  // The threads are handed what they need, not the engine: the context, the counters, these events (a
  // published file wakes the compactor directly), and the writer its queue and publisher.
  compactor_ = std::make_unique<Compactor>(context_, &counters_, Events());
  EngineEvents publisher_events = Events();
  publisher_events.on_published = [compactor = compactor_.get()] { compactor->Notify(); };
  publisher_ =
      std::make_unique<Publisher>(context_, &counters_, std::move(publisher_events), /*max_pending=*/2,
                                  /*max_buffer_bytes=*/2 * kMaxFlushBytes);
  EngineEvents writer_events = Events();
  writer_events.on_room = [this] { NotifyRoom(); };
  writer_events.on_tick = [this] { TickSharedAppender(); };
  WriterLinks links;
  links.queue = &queue_;
  links.admission = &admission_;
  links.publisher = publisher_.get();
  links.wal = wal_.get();
  links.backlog = backlog_.get();
  links.tick_ns = appender_links_.handoff_interval_ns;
  writer_ = std::make_unique<Writer>(context_, &counters_, std::move(writer_events), links, next_sequence_);
  publisher_->Start();
  writer_->Start();
  compactor_->Start();
}

Status Engine::Recover() {
  // 1. Whatever is in .tmp/ was being written when a process died: never visible, never needed.
  const std::string tmp = tmp_dir();
  if (Status st = fs()->CreateDirs(tmp); !st.ok()) return st;
  std::vector<DirEntry> entries;
  if (Status st = fs()->ListDir(tmp, &entries); !st.ok()) return st;
  for (const DirEntry& entry : entries) {
    std::string path = JoinPath(tmp, entry.name);
    Status st = entry.is_dir ? fs()->RemoveDir(path) : fs()->Remove(path);
    if (!st.ok()) return st;
  }
  // 2. Files a durable merged file supersedes (a crash came between the merge and their removal), and
  //    parts of a merged file that a crash left incomplete.
  std::vector<Partition> partitions;
  if (Status st = ScanStorage(fs(), root(), &partitions); !st.ok()) return st;
  uint64_t last = 0;
  for (const Partition& partition : partitions) {
    for (const DataFile& file : partition.files) last = std::max(last, file.parsed.range.last);
    // Parts of a merged file whose other parts never made it: their inputs are all still there.
    for (const std::vector<DataFile>* garbage : {&partition.superseded, &partition.incomplete}) {
      for (const DataFile& file : *garbage) {
        last = std::max(last, file.parsed.range.last);
        if (Status st = fs()->Remove(file.path); !st.ok() && st.code() != Status::Code::kNotFound) return st;
      }
    }
    if (!partition.superseded.empty() || !partition.incomplete.empty()) {
      if (Status st = fs()->SyncDir(partition.path); !st.ok()) return st;
    }
  }
  // 3. Sequence numbers continue after the highest one on disk.
  next_sequence_ = last + 1;
  counters_.published_sequence.store(last);
  return Status::OK();
}

Result<WalCoverage> Engine::ReadCoverage() {
  std::vector<Partition> partitions;
  if (Status st = ScanStorage(fs(), root(), &partitions); !st.ok()) return st;
  WalCoverage coverage;
  for (const Partition& partition : partitions) {
    for (const DataFile& file : partition.files) {
      auto reader = parquet::FileReader::Open(file.path);
      if (!reader.ok()) return reader.status().WithContext(file.path);
      if (Status st = MergeFileCoverage(**reader, file.path, &coverage); !st.ok()) return st;
    }
  }
  return coverage;
}

Status Engine::RecoverWal() {
  LogReplayer replay(this, &appender_links_);
  WalRecoveryCallbacks callbacks;
  callbacks.coverage = [this] { return ReadCoverage(); };
  callbacks.report = [this](const std::string& line) { ReportNotice(line); };
  callbacks.replay = [&](uint32_t stream, uint64_t lsn, std::string_view payload) {
    return replay.Store(stream, lsn, payload);
  };
  WalRecoveryStats stats;
  Status st = storage::RecoverWal(wal_.get(), callbacks, &stats);
  replay.appender().HandOff();
  wal_counters_.torn_tails.fetch_add(stats.torn_tails, std::memory_order_relaxed);
  wal_counters_.replayed.fetch_add(stats.replayed - replay.unstorable(), std::memory_order_relaxed);
  return st;
}

void Engine::SizeWal() {
  // Half the free space (plus what the log already holds): the Parquet files the backlog becomes need
  // room too. At least a few segments, so that the log works at all on a nearly full disk (it then
  // reports the disk as full when a segment cannot be made).
  uint64_t limit = options().wal_max_bytes;
  struct statvfs vfs;
  if (::statvfs(wal_->path().c_str(), &vfs) == 0) {
    const uint64_t free_bytes = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
    limit = std::min(limit, wal_->disk_bytes() + free_bytes / 2);
  }
  wal_max_bytes_ = std::max(limit, 4 * options().wal_segment_bytes);
}

void Engine::MakeBacklog() {
  auto replayer = std::make_shared<LogReplayer>(this, &appender_links_);
  WalBacklogCallbacks callbacks;
  callbacks.store = [replayer](uint32_t stream, uint64_t lsn, std::string_view payload) {
    return replayer->Store(stream, lsn, payload);
  };
  callbacks.hand_off = [replayer] { replayer->appender().HandOff(); };
  callbacks.report_error = [this](const Status& status) { ReportError(status); };
  backlog_ = std::make_unique<WalBacklog>(wal_.get(), std::move(callbacks));
  appender_links_.backlog = backlog_.get();
  replayer->appender().set_give_up(&backlog_->abandon_flag());
}

Engine::~Engine() {
  (void)Close();
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

std::unique_ptr<Appender> Engine::NewAppender() {
  std::unique_ptr<WalStream> stream;
  if (wal_) stream = std::make_unique<WalStream>(wal_.get(), &wal_counters_);
  return std::make_unique<Appender>(&appender_links_, std::move(stream));
}

Status Engine::Append(std::string_view json) {
  if (closing()) return Status::Unavailable("storage is closed");
  thread_local ParseState state;
  if (!state.ready) return Status::IOError("out of memory for the JSON parser");
  if (state.schema != schema().compiled()) {
    state.schema = schema().compiled();
    state.validator = std::make_unique<schema::Validator>(state.schema);
  }
  // simdjson reads up to SIMDJSON_PADDING bytes past the end: a reused padded copy.
  state.buffer.assign(json);
  state.buffer.resize(json.size() + simdjson::SIMDJSON_PADDING);
  simdjson::dom::element document;
  if (auto error = state.parser.parse(state.buffer.data(), json.size(), false).get(document);
      error != simdjson::SUCCESS) {
    counters_.logs_rejected.fetch_add(1, std::memory_order_relaxed);
    return Status::InvalidArgument("invalid JSON: " +
                                   schema::DescribeJsonSyntaxError(json, SchemaValidator::kMaxDocumentDepth,
                                                                   simdjson::error_message(error)));
  }
  if (document.type() != simdjson::dom::element_type::OBJECT) {
    counters_.logs_rejected.fetch_add(1, std::memory_order_relaxed);
    return Status::InvalidArgument("not an object: a log is one JSON object");
  }
  if (!state.validator->Validate(document, &state.error)) {
    counters_.logs_rejected.fetch_add(1, std::memory_order_relaxed);
    return Status::InvalidArgument("schema: " + state.error);
  }
  std::lock_guard lock(shared_mutex_);
  if (!shared_appender_) return Status::Unavailable("storage is closed");
  Status st = shared_appender_->Append(document, json);
  // --overflow block with no room (durable: the write-ahead log is at its limit): this caller waits
  // until the backlog shrinks. Memory mode's appender waits inside Append (set_wait_for_room).
  while (st.code() == Status::Code::kAborted && !closing()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    st = shared_appender_->Append(document, json);
  }
  if (st.code() == Status::Code::kAborted) st = Status::Unavailable("storage is closed");
  if (st.ok()) st = shared_appender_->Commit();
  // Refusals are rare and callers of this path read Stats() to see them at once.
  if (!st.ok()) shared_appender_->PublishCounters();
  return st;
}

int Engine::AddRoomListener(std::function<void()> wake) {
  std::lock_guard lock(room_mutex_);
  const int id = next_room_listener_++;
  room_listeners_.emplace(id, std::move(wake));
  return id;
}

void Engine::RemoveRoomListener(int id) {
  std::lock_guard lock(room_mutex_);
  room_listeners_.erase(id);
}

void Engine::NotifyRoom() {
  // One load when nobody waits (per batch or trim, never per log).
  if (!room_wanted_.load(std::memory_order_acquire) || !room_wanted_.exchange(false)) return;
  std::lock_guard lock(room_mutex_);
  for (const auto& [id, wake] : room_listeners_) wake();
}

void Engine::TickSharedAppender() {
  // try_lock: an Append waiting for room (kBlock) holds the mutex, and it waits for this very thread.
  std::unique_lock lock(shared_mutex_, std::try_to_lock);
  if (lock.owns_lock() && shared_appender_) shared_appender_->Tick();
}

void Engine::ReportError(const Status& status) {
  // The same error repeating (a full disk, retried with backoff) is reported once a minute, with a
  // count of the repeats in between, so the daemon's log stays readable.
  std::string line = status.ToString();
  {
    std::lock_guard lock(error_mutex_);
    int64_t now = SteadyNanos();
    if (line == last_error_ && now - last_error_ns_ < 60'000'000'000) {
      ++suppressed_errors_;
      return;
    }
    if (suppressed_errors_ > 0) {
      line += " (and " + std::to_string(suppressed_errors_) + " repeats of the previous error)";
    }
    last_error_ = status.ToString();
    last_error_ns_ = now;
    suppressed_errors_ = 0;
  }
  if (options().on_error) {
    options().on_error(Status::IOError(line));
  } else {
    std::fprintf(stderr, "logdaemon storage: %s\n", line.c_str());
  }
}

void Engine::ReportNotice(const std::string& line) {
  if (options().on_notice) {
    options().on_notice(line);
  } else {
    std::fprintf(stderr, "logdaemon storage: %s\n", line.c_str());
  }
}

Status Engine::PushFlushAndWait() {
  auto token = std::make_shared<FlushToken>();
  if (!queue_.PushFlush(token)) return Status::Unavailable("storage is closed");
  return token->Wait();
}

Status Engine::Flush() {
  if (closing()) return Status::Unavailable("storage is closed");
  {
    std::lock_guard lock(shared_mutex_);
    if (shared_appender_) shared_appender_->HandOff();
  }
  // What waits in the write-ahead log's backlog was appended before this Flush too.
  if (backlog_) backlog_->WaitIdle();
  return PushFlushAndWait();
}

Status Engine::Compact() {
  if (closing()) return Status::Unavailable("storage is closed");
  return compactor_->RunNow();
}

Status Engine::Close() {
  std::lock_guard close_lock(close_mutex_);
  if (closed_) return close_status_;
  closed_ = true;
  closing_.store(true);
  admission_.WakeAll();
  if (!writer_) return close_status_;  // Open failed before the threads started
  {
    // Gone before the final trim, so that its write-ahead log stream is free and can be closed off.
    std::lock_guard lock(shared_mutex_);
    shared_appender_.reset();
  }
  // Compaction stops at once (an unfinished merge is discarded); ingest's rows come first.
  compactor_->Stop();
  // A disk that stays full must not hang shutdown forever: retries stop after shutdown_write_timeout.
  const int64_t deadline_ns =
      SteadyNanos() + std::chrono::nanoseconds(options().shutdown_write_timeout).count();
  publisher_->BeginShutdown(deadline_ns);
  if (backlog_) {
    // The backlog is stored too, within the same deadline; what is left stays in the log (it is durable)
    // and is stored at the next start.
    backlog_->Drain(deadline_ns);
    if (uint64_t left = backlog_->logs(); left > 0) {
      ReportNotice("shutdown: " + std::to_string(left) +
                   " logs of the write-ahead log's backlog were not stored in time; they are stored at the "
                   "next start");
    }
  }
  queue_.Stop();
  writer_->Join();  // drains the queue and hands every open file to the publisher
  publisher_->Stop();
  // What is now in durable files leaves the write-ahead log; what is not stays there for the next start.
  if (wal_) {
    if (Status st = writer_->TrimWal(); !st.ok()) ReportError(st.WithContext("trimming the write-ahead log"));
    // A stopped daemon holds no disk for a log it is not writing; the next start makes fresh segments.
    if (Status st = wal_->RemoveSpares(); !st.ok()) ReportError(st.WithContext("removing spare segments"));
  }
  backlog_.reset();
  if (uint64_t lost = publisher_->abandoned_rows(); lost > 0) {
    if (!wal_) counters_.logs_lost_at_shutdown.fetch_add(lost, std::memory_order_relaxed);
    close_status_ = Status::IOError(
        std::to_string(lost) +
        (wal_ ? " rows could not be written (see the errors above); they stay in the write-ahead log and are "
                "stored at the next start"
              : " rows could not be written (see the errors above)"));
  }
  shared_appender_.reset();
  return close_status_;
}

void Engine::ReleaseSpareMemory() {
  queue_.DropSpares();
  if (publisher_) publisher_->buffers().Clear();
}

StorageStats Engine::Stats() const {
  StorageStats stats;
  const EngineCounters& c = counters_;
  stats.logs_appended = c.logs_appended.load();
  stats.logs_rejected = c.logs_rejected.load();
  stats.logs_dropped = c.logs_dropped.load();
  stats.rows_written = c.rows_written.load();
  stats.files_written = c.files_written.load();
  stats.bytes_written = c.bytes_written.load();
  stats.compactions = c.compactions.load();
  stats.files_compacted = c.files_compacted.load();
  stats.files_deleted_by_retention = c.files_deleted_by_retention.load();
  stats.write_errors = c.write_errors.load();
  stats.logs_lost_at_shutdown = c.logs_lost_at_shutdown.load();
  stats.logs_lost_encoding = c.logs_lost_encoding.load();
  stats.queued_logs = admission_.in_use();
  stats.pending_files = c.pending_files.load();
  stats.compaction_backlog = c.compaction_backlog.load();
  stats.wal_commits = wal_counters_.commits.load();
  stats.wal_syncs = wal_counters_.syncs.load();
  stats.wal_records = wal_counters_.records.load();
  stats.wal_bytes = wal_counters_.bytes.load();
  stats.wal_failed_commits = wal_counters_.failed_commits.load();
  stats.wal_torn_tails = wal_counters_.torn_tails.load();
  stats.wal_replayed = wal_counters_.replayed.load();
  if (wal_) {
    stats.wal_segments = wal_->segment_count();
    stats.wal_spare_segments = wal_->spare_count();
    stats.wal_recycled = wal_->recycled_segments();
    stats.wal_disk_bytes = wal_->disk_bytes();
    stats.wal_max_bytes = wal_max_bytes_;
    stats.wal_fair_threshold = wal_fair_threshold();
  }
  if (backlog_) {
    stats.wal_backlog_logs = backlog_->logs();
    stats.wal_backlog_bytes = backlog_->bytes();
    stats.wal_spilled = backlog_->spilled_total();
  }
  stats.storage_failing = c.storage_failing.load();
  stats.writer_memory_bytes =
      c.writer_open_bytes.load() + c.pending_bytes.load() + publisher_->buffers().held_bytes();
  stats.writer_memory_limit = options().writer_memory_bytes;
  stats.compaction_memory_bytes = c.merge_bytes.load();
  stats.compaction_memory_limit = options().merge_memory_bytes;
  std::lock_guard lock(c.latency_mutex);
  stats.flush_latency_counts = c.latency_counts;
  if (stats.flush_latency_counts.empty()) {
    stats.flush_latency_counts.assign(std::size(StorageStats::kLatencyBoundsMs) + 1, 0);
  }
  stats.flush_latency_sum_ms = c.latency_sum_ms;
  return stats;
}

}  // namespace logdaemon::storage
