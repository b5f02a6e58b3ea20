#include "storage/appender.h"

#include <ctime>

#include "storage/engine.h"

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

}  // namespace

Appender::Appender(Engine* engine)
    : engine_(engine),
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
  // can encode them and free room.
  if (!batch_->empty()) batch_ = engine_->Enqueue(std::move(batch_));
  if (engine_->options().overflow == OverflowPolicy::kBlock) {
    while (credits_ == 0 && !engine_->closing()) {
      credits_ = admission.Acquire(engine_->credit_chunk(), engine_->closing_flag(), std::chrono::seconds(1));
    }
  }
  return credits_ > 0;
}

Status Appender::Append(simdjson::dom::element document) {
  if (engine_->closing()) return Status::Unavailable("storage is closed");
  if (credits_ == 0 && !TakeCredits()) {
    if (engine_->closing()) return Status::Unavailable("storage is closed");
    ++dropped_;
    return Status::ResourceExhausted("overloaded");
  }
  if (Status st = shredder_.Append(document, CoarseWallMicros(), CoarseSteadyNanos(), batch_.get());
      !st.ok()) {
    ++rejected_;
    return st;
  }
  --credits_;
  ++appended_;
  appended_since_tick_ = true;
  if (batch_->num_rows() >= engine_->handoff_rows()) Send();
  return Status::OK();
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
  if (!batch_->empty() &&
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
  PublishCounters();
  if (!batch_->empty()) Send();
  engine_->admission().Release(credits_);
  credits_ = 0;
}

}  // namespace logdaemon::storage
