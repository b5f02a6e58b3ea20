#include "http/batch_admission.h"

#include <algorithm>

namespace logdaemon::http {

std::string_view BatchOutcome::MessageOf(size_t log) const {
  auto it = std::lower_bound(messages.begin(), messages.end(), log,
                             [](const auto& entry, size_t index) { return entry.first < index; });
  return it != messages.end() && it->first == log ? std::string_view(it->second) : std::string_view();
}

AdmitterPool::~AdmitterPool() = default;

AdmitterPool::Lease AdmitterPool::Acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!free_.empty()) {
      std::unique_ptr<ingest::LogAdmitter> admitter = std::move(free_.back());
      free_.pop_back();
      return Lease(this, std::move(admitter));
    }
  }
  // Made outside the lock: an admitter opens a write-ahead log stream.
  return Lease(this, std::make_unique<ingest::LogAdmitter>(schema_, engine_));
}

void AdmitterPool::Return(std::unique_ptr<ingest::LogAdmitter> admitter) {
  admitter->ShrinkParserIfGrown();
  std::lock_guard lock(mutex_);
  free_.push_back(std::move(admitter));
}

namespace {

// The logs accepted so far were not made durable: each becomes a rejection with the storage's message.
void FailAccepted(const Status& commit, BatchOutcome* outcome, ingest::CounterValues* counters) {
  std::vector<std::pair<size_t, std::string>> messages;
  messages.reserve(outcome->results.size());
  size_t next_message = 0;
  for (size_t i = 0; i < outcome->results.size(); ++i) {
    ingest::AdmitResult& result = outcome->results[i];
    if (result.accepted()) {
      result = {ingest::AdmitResult::Kind::kRejected, RejectReason::kStorageUnavailable};
      messages.emplace_back(i, std::string(commit.message()));
    } else {
      messages.push_back(std::move(outcome->messages[next_message++]));
    }
  }
  outcome->messages = std::move(messages);
  counters->logs_accepted -= std::min<uint64_t>(counters->logs_accepted, outcome->accepted);
  counters->logs_rejected[static_cast<size_t>(RejectReason::kStorageUnavailable)] += outcome->accepted;
  outcome->rejected += outcome->accepted;
  outcome->accepted = 0;
  outcome->storage_unavailable = true;
}

}  // namespace

BatchOutcome AdmitBatch(ingest::LogAdmitter& admitter, const LogBatch& logs,
                        ingest::CounterValues* counters) {
  BatchOutcome outcome;
  outcome.results.resize(logs.size());
  bool room = true;
  for (size_t i = 0; i < logs.size(); ++i) {
    ++counters->frames_received;
    ingest::AdmitResult& result = outcome.results[i];
    result = room ? admitter.Admit(logs.log(i)) : ingest::AdmitResult{ingest::AdmitResult::Kind::kNoRoom};
    switch (result.kind) {
      case ingest::AdmitResult::Kind::kAccepted:
        ++outcome.accepted;
        ++counters->logs_accepted;
        break;
      case ingest::AdmitResult::Kind::kNoRoom:
        room = false;
        ++outcome.no_room;
        ++counters->logs_dropped;
        outcome.messages.emplace_back(i, "overloaded");
        break;
      case ingest::AdmitResult::Kind::kRejected:
        ++outcome.rejected;
        ++counters->logs_rejected[static_cast<size_t>(result.reason)];
        if (result.reason == RejectReason::kStorageUnavailable) outcome.storage_unavailable = true;
        outcome.messages.emplace_back(i, admitter.message());
        break;
    }
  }
  if (Status commit = admitter.Commit(); !commit.ok() && outcome.accepted > 0) {
    FailAccepted(commit, &outcome, counters);
  }
  return outcome;
}

}  // namespace logdaemon::http
