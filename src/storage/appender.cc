#include "storage/appender.h"

#include <ctime>

#include "storage/engine.h"
#include "storage/wal.h"

namespace logdaemon::storage {

namespace {

// Coarse clocks (a few ms of resolution, no syscall): arrival times only drive flush deadlines, and the
// wall clock only stands in for logs without a time field.
int64_t CoarseSteadyNanos() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

int64_t CoarseWallMicros() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

// A forming group beyond this many bytes is sealed before the loop turn ends.
constexpr size_t kMaxGroupBytes = size_t{4} << 20;

}  // namespace

Appender::Appender(Engine* engine, std::unique_ptr<WalStream> wal)
    : engine_(engine),
      wal_(std::move(wal)),
      shredder_(engine->layout(), engine->options().partitioning),
      batch_(engine->TakeBatch()) {}

Appender::~Appender() {
  HandOff();
}

bool Appender::TakeCredits() {
  Admission& admission = engine_->admission();
  credits_ = admission.TryAcquire(engine_->credit_chunk());
  if (credits_ > 0) return true;
  // The queue is full. The rows this appender holds count against it too: hand them over so the writer
  // can encode them and free room (in durable mode, the caller commits them first: see Append).
  if (!wal_ && !batch_->empty()) Send();
  if (engine_->options().overflow == OverflowPolicy::kBlock) return TakeCreditsBlocking();
  return false;
}

bool Appender::TakeCreditsBlocking() {
  Admission& admission = engine_->admission();
  while (credits_ == 0 && !engine_->closing()) {
    credits_ = admission.Acquire(engine_->credit_chunk(), engine_->closing_flag(), std::chrono::seconds(1));
  }
  return credits_ > 0;
}

Status Appender::Append(simdjson::dom::element document, std::string_view text) {
  if (engine_->closing()) return Status::Unavailable("storage is closed");
  if (credits_ == 0) {
    // Waiting for room while holding rows that only a commit can hand over would wait for ever.
    const bool block = engine_->options().overflow == OverflowPolicy::kBlock;
    if (wal_ && block && (!batch_->empty() || in_flight_batch_)) {
      credits_ = engine_->admission().TryAcquire(engine_->credit_chunk());
      if (credits_ == 0) return Status::Aborted("commit the held logs first");
    } else if (!TakeCredits()) {
      if (engine_->closing()) return Status::Unavailable("storage is closed");
      ++dropped_;
      return Status::ResourceExhausted("overloaded");
    }
  }
  // One clock reading serves as the stand-in time and as the window's centre (no extra clock call).
  const int64_t now_micros = CoarseWallMicros();
  const StorageOptions& options = engine_->options();
  const TimeWindow window = WindowAround(now_micros, options.max_age, options.max_future);
  // Shredded (and the window checked) before the log is written to the write-ahead log: a refused log
  // is neither stored nor replayed.
  if (Status st = shredder_.Append(document, now_micros, CoarseSteadyNanos(), window, batch_.get());
      !st.ok()) {
    ++rejected_;
    return st;
  }
  if (wal_) {
    Result<uint64_t> lsn = wal_->Add(text);
    if (!lsn.ok()) {
      batch_->TruncateRows(batch_->num_rows() - 1);
      ++rejected_;
      return lsn.status();
    }
    batch_->SetLastRowLsn(wal_->stream(), *lsn);
  }
  --credits_;
  ++appended_;
  appended_since_tick_ = true;
  if (!wal_ && batch_->num_rows() >= engine_->handoff_rows()) Send();
  return Status::OK();
}

Status Appender::AppendLogged(simdjson::dom::element document, uint32_t stream, uint64_t lsn) {
  if (!batch_->empty() && batch_->wal_stream() != stream) Send();  // a batch holds one stream's rows
  if (credits_ == 0 && !TakeCreditsBlocking()) return Status::Unavailable("storage is closed");
  // No window: the log was acknowledged when it was logged, so it is stored however old it is now.
  if (Status st =
          shredder_.Append(document, CoarseWallMicros(), CoarseSteadyNanos(), TimeWindow{}, batch_.get());
      !st.ok()) {
    ++rejected_;
    return st;
  }
  batch_->SetLastRowLsn(stream, lsn);
  --credits_;
  ++appended_;
  if (batch_->num_rows() >= engine_->handoff_rows()) Send();
  return Status::OK();
}

void Appender::set_commit_notify(std::function<void()> notify) {
  if (wal_) wal_->set_notify(std::move(notify));
}

bool Appender::commit_in_flight() const {
  return wal_ && wal_->in_flight();
}

bool Appender::CommitDue() const {
  return wal_ && (batch_->num_rows() >= engine_->handoff_rows() || wal_->group_bytes() >= kMaxGroupBytes);
}

void Appender::StartCommit() {
  if (!wal_ || wal_->in_flight() || batch_->empty()) return;
  wal_->Seal();
  in_flight_batch_ = std::move(batch_);
  batch_ = engine_->TakeBatch();
}

bool Appender::PollCommit(Status* status) {
  if (!wal_ || !wal_->Poll(status)) return false;
  *status = GroupDone(*status);
  return true;
}

bool Appender::WaitCommit(Status* status) {
  if (!wal_ || !wal_->in_flight()) return false;
  *status = GroupDone(wal_->Wait());
  return true;
}

Status Appender::Commit() {
  if (!wal_) return Status::OK();
  Status first;
  Status st;
  if (WaitCommit(&st) && !st.ok()) first = st;
  StartCommit();
  if (WaitCommit(&st) && !st.ok() && first.ok()) first = st;
  return first;
}

Status Appender::GroupDone(const Status& status) {
  std::unique_ptr<RowBatch> rows = std::move(in_flight_batch_);
  if (status.ok()) {
    if (rows && !rows->empty()) {
      PublishCounters();
      engine_->RecycleBatch(engine_->Enqueue(std::move(rows)));
    }
    return status;
  }
  // Not durable: the logs of the group and of the one forming behind it are refused, so their rows must
  // not be stored either (the stream dropped their records).
  if (rows) DropRows(std::move(rows));
  std::unique_ptr<RowBatch> forming = std::move(batch_);
  batch_ = engine_->TakeBatch();
  DropRows(std::move(forming));
  engine_->ReportError(status.WithContext("write-ahead log"));
  return Status::Unavailable("storage unavailable: " + status.message());
}

void Appender::DropRows(std::unique_ptr<RowBatch> batch) {
  const size_t rows = batch->num_rows();
  credits_ += rows;
  appended_ -= std::min<uint64_t>(appended_, rows);
  rejected_ += rows;
  engine_->RecycleBatch(std::move(batch));
}

void Appender::PublishCounters() {
  EngineCounters& counters = engine_->counters();
  if (appended_ > 0) counters.logs_appended.fetch_add(appended_, std::memory_order_relaxed);
  if (rejected_ > 0) counters.logs_rejected.fetch_add(rejected_, std::memory_order_relaxed);
  if (dropped_ > 0) counters.logs_dropped.fetch_add(dropped_, std::memory_order_relaxed);
  appended_ = rejected_ = dropped_ = 0;
}

void Appender::Send() {
  PublishCounters();
  batch_ = engine_->Enqueue(std::move(batch_));
}

void Appender::Tick() {
  PublishCounters();
  // Memory mode: the batch goes once it is old enough (durable mode hands each group over when durable).
  if (!wal_ && !batch_->empty() &&
      CoarseSteadyNanos() - batch_->first_arrival_ns() >= engine_->handoff_interval_ns()) {
    Send();
  }
  // Idle since the last tick: give the unspent credits back, so that they neither count as queued logs
  // (logdaemon_queue_logs) nor hold capacity another appender could use. A busy appender keeps them, so
  // credits still cost one atomic operation per chunk, not per log.
  if (!appended_since_tick_ && credits_ > 0) {
    engine_->admission().Release(credits_);
    credits_ = 0;
  }
  appended_since_tick_ = false;
}

void Appender::HandOff() {
  (void)Commit();  // logs never acknowledged yet, but logged: keep them rather than drop them
  PublishCounters();
  if (!batch_->empty()) Send();
  engine_->admission().Release(credits_);
  credits_ = 0;
}

}  // namespace logdaemon::storage
