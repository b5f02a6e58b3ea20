#include "storage/appender.h"

#include "storage/clock.h"
#include "storage/wal.h"
#include "storage/wal_backlog.h"
#include "storage/wal_format.h"

namespace logdaemon::storage {

namespace {

// A forming group beyond this many bytes is sealed before the loop turn ends.
constexpr size_t kMaxGroupBytes = size_t{1} << 20;

}  // namespace

Appender::Appender(const AppenderLinks* links, std::unique_ptr<WalStream> wal)
    : links_(*links),
      give_up_(links->closing),
      wal_(std::move(wal)),
      shredder_(links->context->layout(), links->context->options().partitioning),
      batch_(links->queue->TakeBatch()) {}

Appender::~Appender() {
  HandOff();
}

bool Appender::TakeCredits(size_t cost) {
  Admission& admission = *links_.admission;
  credits_ += admission.TryAcquire(std::max(links_.credit_chunk, cost - credits_));
  if (credits_ >= cost) return true;
  // The queue is full. The rows this appender holds count against it too: hand them over so the writer
  // can encode them and free room.
  if (!wal_ && !batch_->empty()) Send();
  if (wait_for_room_ && links_.context->options().overflow == OverflowPolicy::kBlock)
    return TakeCreditsBlocking(cost);
  return false;
}

bool Appender::TakeCreditsBlocking(size_t cost) {
  Admission& admission = *links_.admission;
  // The rows this appender holds took credits too: waiting with them unsent could wait for ever (the
  // backlog's appender, holding the whole queue's worth of large logs, did).
  if (credits_ < cost && !wal_ && !batch_->empty()) Send();
  while (credits_ < cost && !give_up_->load()) {
    credits_ +=
        admission.Acquire(std::max(links_.credit_chunk, cost - credits_), *give_up_, std::chrono::seconds(1));
  }
  return credits_ >= cost;
}

Status Appender::FindRoom(size_t cost, bool* to_memory) {
  if (!wal_) {
    if (TakeCredits(cost)) return Status::OK();
    return NoRoom();
  }
  // Durable acks: memory while it has room and nothing waits in the backlog (the room it frees is the
  // backlog's first); else the log alone holds the log until the writer catches up.
  WalBacklog* backlog = links_.backlog;
  if (backlog->empty()) {
    credits_ += links_.admission->TryAcquire(std::max(links_.credit_chunk, cost - credits_));
    if (credits_ >= cost) return Status::OK();
  }
  if (links_.wal_has_room()) {
    *to_memory = false;
    return Status::OK();
  }
  return NoRoom();
}

Status Appender::NoRoom() {
  if (links_.closing->load(std::memory_order_relaxed)) return Status::Unavailable("storage is closed");
  // A disk that refuses the files is why there is no room: say so, not "overloaded".
  if (std::string why = links_.counters->StorageFailure(); !why.empty()) {
    ++rejected_;
    return Status::Unavailable("storage unavailable: " + why);
  }
  if (links_.context->options().overflow == OverflowPolicy::kBlock) return Status::Aborted("no room: wait");
  ++dropped_;
  return Status::ResourceExhausted("overloaded");
}

Status Appender::Append(simdjson::dom::element document, std::string_view text) {
  if (links_.closing->load(std::memory_order_relaxed)) return Status::Unavailable("storage is closed");
  bool to_memory = true;
  const size_t cost = LogCredits(text.size(), links_.admission->capacity());
  if (credits_ < cost) {
    if (Status st = FindRoom(cost, &to_memory); !st.ok()) return st;
  }
  // One clock reading serves as the stand-in time and as the window's centre (no extra clock call).
  const int64_t now_micros = CoarseWallMicros();
  const StorageOptions& options = links_.context->options();
  const TimeWindow window = WindowAround(now_micros, options.max_age, options.max_future);
  // Shredded (and the window checked) before the log is written to the write-ahead log: a refused log is
  // neither stored nor replayed. A log bound for the backlog is only checked — it is shredded when it is
  // read back — but by the same checks, so one that cannot be stored is refused now, not lost after its
  // `OK`.
  Status shredded = to_memory
                        ? shredder_.Append(document, now_micros, CoarseSteadyNanos(), window, batch_.get())
                        : shredder_.Check(document, window);
  if (!shredded.ok()) {
    ++rejected_;
    return shredded;
  }
  if (wal_) {
    Result<uint64_t> lsn = wal_->Add(text);
    if (!lsn.ok()) {
      if (to_memory) batch_->TruncateRows(batch_->num_rows() - 1);
      ++rejected_;
      return lsn.status();
    }
    if (to_memory) {
      batch_->SetLastRowLsn(wal_->stream(), *lsn);
    } else {
      AddToBacklogSpan(*lsn, WalRecordBytes(text.size()));
    }
  }
  if (to_memory) {
    credits_ -= cost;
    batch_->AddCredits(cost);
  }
  ++appended_;
  appended_since_tick_ = true;
  if (!wal_ && batch_->num_rows() >= links_.handoff_rows) Send();
  return Status::OK();
}

void Appender::AddToBacklogSpan(uint64_t lsn, uint64_t record_bytes) {
  const uint64_t segment = wal_->last_segment_first_lsn();
  const uint64_t offset = wal_->last_record_offset();
  if (!forming_spans_.empty()) {
    WalSpan& last = forming_spans_.back();
    if (last.segment_first_lsn == segment && last.last_lsn + 1 == lsn && last.offset + last.bytes == offset) {
      last.last_lsn = lsn;
      last.bytes += record_bytes;
      return;
    }
  }
  forming_spans_.push_back({wal_->stream(), segment, offset, lsn, lsn, record_bytes});
}

Status Appender::AppendLogged(simdjson::dom::element document, uint32_t stream, uint64_t lsn,
                              size_t text_bytes) {
  if (!batch_->empty() && batch_->wal_stream() != stream) Send();  // a batch holds one stream's rows
  const size_t cost = LogCredits(text_bytes, links_.admission->capacity());
  if (credits_ < cost && !TakeCreditsBlocking(cost)) return Status::Unavailable("storage is closed");
  // Marked only now, on the batch the row goes into: waiting for room may have sent the one there was
  // (unmarked, the writer would never tell the backlog that this row was routed).
  batch_->set_read_back(true);
  // No window: the log was acknowledged when it was logged, so it is stored however old it is now.
  if (Status st =
          shredder_.Append(document, CoarseWallMicros(), CoarseSteadyNanos(), TimeWindow{}, batch_.get());
      !st.ok()) {
    ++rejected_;
    return st;
  }
  batch_->SetLastRowLsn(stream, lsn);
  credits_ -= cost;
  batch_->AddCredits(cost);
  ++appended_;
  if (batch_->num_rows() >= links_.handoff_rows) Send();
  return Status::OK();
}

void Appender::set_commit_notify(std::function<void()> notify) {
  if (wal_) wal_->set_notify(std::move(notify));
}

uint32_t Appender::wal_stream() const {
  return wal_ ? wal_->stream() : RowBatch::kNoWalStream;
}

uint64_t Appender::last_lsn() const {
  return wal_ ? wal_->next_lsn() - 1 : 0;
}

size_t Appender::forming_logs() const {
  return wal_ ? wal_->group_records() : 0;
}

bool Appender::commit_in_flight() const {
  return wal_ && wal_->in_flight();
}

bool Appender::can_start_commit() const {
  return wal_ && wal_->can_seal();
}

bool Appender::CommitDue() const {
  return wal_ && (wal_->group_records() >= links_.handoff_rows || wal_->group_bytes() >= kMaxGroupBytes);
}

void Appender::StartCommit() {
  if (!wal_ || !wal_->can_seal() || wal_->group_records() == 0) return;
  wal_->Seal();
  in_flight_.push_back({std::move(batch_), std::move(forming_spans_)});
  batch_ = links_.queue->TakeBatch();
  forming_spans_ = {};
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
  while (WaitCommit(&st)) {
    if (!st.ok() && first.ok()) first = st;
  }
  StartCommit();
  if (WaitCommit(&st) && !st.ok() && first.ok()) first = st;
  return first;
}

Status Appender::GroupDone(const Status& status) {
  InFlight done = std::move(in_flight_.front());
  in_flight_.pop_front();
  if (status.ok()) {
    // The backlog first: its records are older than none of the rows, and order does not matter to the
    // writer, but the backlog's non-emptiness keeps the next logs off the credits it needs.
    for (const WalSpan& span : done.spans) links_.backlog->Push(span);
    if (done.rows && !done.rows->empty()) {
      PublishCounters();
      links_.queue->RecycleBatch(links_.queue->Enqueue(std::move(done.rows)));
    }
    return status;
  }
  // Not durable: the logs of the group, of the groups sealed behind it and of the one forming are
  // refused, so their rows must not be stored either (the stream dropped their records). The stream
  // refuses the groups behind unwritten, at once: they are collected here, so that nothing sealed before
  // the failure is still in flight when the next group is sealed.
  std::vector<InFlight> refused;
  refused.push_back(std::move(done));
  while (wal_->in_flight()) {
    (void)wal_->Wait();
    refused.push_back(std::move(in_flight_.front()));
    in_flight_.pop_front();
  }
  for (InFlight& group : refused) {
    if (group.rows) DropRows(std::move(group.rows));
    ForgetSpans(&group.spans);
  }
  ForgetSpans(&forming_spans_);
  std::unique_ptr<RowBatch> forming = std::move(batch_);
  batch_ = links_.queue->TakeBatch();
  DropRows(std::move(forming));
  links_.on_error(status.WithContext("write-ahead log"));
  return Status::Unavailable("storage unavailable: " + status.message());
}

void Appender::ForgetSpans(std::vector<WalSpan>* spans) {
  for (const WalSpan& span : *spans) {
    appended_ -= std::min<uint64_t>(appended_, span.logs());
    rejected_ += span.logs();
  }
  spans->clear();
}

void Appender::DropRows(std::unique_ptr<RowBatch> batch) {
  const size_t rows = batch->num_rows();
  credits_ += batch->credits();
  appended_ -= std::min<uint64_t>(appended_, rows);
  rejected_ += rows;
  links_.queue->RecycleBatch(std::move(batch));
}

void Appender::PublishCounters() {
  EngineCounters& counters = *links_.counters;
  if (appended_ > 0) counters.logs_appended.fetch_add(appended_, std::memory_order_relaxed);
  if (rejected_ > 0) counters.logs_rejected.fetch_add(rejected_, std::memory_order_relaxed);
  if (dropped_ > 0) counters.logs_dropped.fetch_add(dropped_, std::memory_order_relaxed);
  appended_ = rejected_ = dropped_ = 0;
}

void Appender::Send() {
  PublishCounters();
  batch_ = links_.queue->Enqueue(std::move(batch_));
}

void Appender::Tick() {
  PublishCounters();
  // Memory mode: the batch goes once it is old enough (durable mode hands each group over when durable).
  if (!wal_ && !batch_->empty() &&
      CoarseSteadyNanos() - batch_->first_arrival_ns() >= links_.handoff_interval_ns) {
    Send();
  }
  // Idle since the last tick: give the unspent credits back, so that they neither count as queued logs
  // (logdaemon_queue_logs) nor hold capacity another appender could use. A busy appender keeps them, so
  // credits still cost one atomic operation per chunk, not per log.
  if (!appended_since_tick_ && credits_ > 0) {
    links_.admission->Release(credits_);
    credits_ = 0;
  }
  appended_since_tick_ = false;
}

void Appender::HandOff() {
  (void)Commit();  // logs never acknowledged yet, but logged: keep them rather than drop them
  PublishCounters();
  if (!batch_->empty()) Send();
  links_.admission->Release(credits_);
  credits_ = 0;
}

}  // namespace logdaemon::storage
