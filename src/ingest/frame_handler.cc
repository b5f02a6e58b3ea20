#include "ingest/frame_handler.h"

#include <algorithm>
#include <cstdio>

#include "storage/wal_format.h"

namespace logdaemon::ingest {

namespace {

// With no group commit in flight, a group this large is sealed at once instead of at the end of the turn.
constexpr size_t kEarlySealRows = 64;

}  // namespace

FrameHandler::FrameHandler(const SchemaValidator& schema, storage::Engine& engine, CounterValues* counters,
                           std::function<void()> wake)
    : admitter_(std::make_unique<LogAdmitter>(schema, engine)),
      appender_(&admitter_->appender()),
      engine_(&engine),
      durable_(appender_->durable()),
      counters_(counters) {
  if (wake) {
    room_listener_ = engine.AddRoomListener(wake);
    appender_->set_commit_notify(std::move(wake));
  }
}

void FrameHandler::Tick() {
  if (!admitter_) return;
  appender_->Tick();
  admitter_->ShrinkParserIfGrown();
}

void FrameHandler::Release(ReplyBuffer& replies, bool needs_commit) {
  // A reply behind one that waits waits too (order); otherwise it goes out at once.
  if (needs_commit || replies.waiting()) {
    uncommitted_.Add(&replies);
  } else {
    replies.Commit();
  }
}

void FrameHandler::Reject(RejectReason reason, std::string_view message, ReplyBuffer& replies) {
  ++counters_->frames_received;
  ++counters_->logs_rejected[static_cast<size_t>(reason)];
  replies.AppendError(message);
  Release(replies, false);
}

void FrameHandler::RejectEmpty(ReplyBuffer& replies) {
  Reject(RejectReason::kEmptyFrame, "empty frame", replies);
}

void FrameHandler::RejectTooLarge(uint32_t length, uint32_t max, ReplyBuffer& replies) {
  char text[96];
  std::snprintf(text, sizeof(text), "frame too large (%u > %u)", length, max);
  Reject(RejectReason::kFrameTooLarge, text, replies);
}

void FrameHandler::Resolve(const Status& status) {
  if (status.ok()) {
    uncommitted_.CommitSealed();
    return;
  }
  // Each `OK` that waited becomes the error: those logs are not stored, and the client must know.
  const size_t failed = uncommitted_.FailAll(status.message());
  counters_->logs_accepted -= std::min<uint64_t>(counters_->logs_accepted, failed);
  counters_->logs_rejected[static_cast<size_t>(RejectReason::kStorageUnavailable)] += failed;
}

void FrameHandler::SealForming() {
  if (uncommitted_.forming_empty()) return;
  if (appender_->has_forming()) {
    // Sealed as soon as the stream takes another group: the sync thread goes on to it the moment the
    // one before is durable.
    if (!appender_->can_start_commit()) return;
    appender_->StartCommit();
    uncommitted_.SealForming();
  } else if (!appender_->commit_in_flight()) {
    uncommitted_.CommitForming();  // only replies that waited behind the groups just done
  }
}

void FrameHandler::Pump() {
  if (!durable_) return;
  Status status;
  while (appender_->PollCommit(&status)) Resolve(status);
  SealForming();
}

void FrameHandler::CommitAll() {
  if (!durable_) return;
  Status status;
  while (appender_->WaitCommit(&status)) Resolve(status);
  SealForming();
  while (appender_->WaitCommit(&status)) Resolve(status);
}

bool FrameHandler::OverFairShare(RoomShare& share, size_t payload_bytes) const {
  // Uncontended (the usual case): one relaxed load. Beyond the threshold, a connection may hold at most
  // its share of the threshold: all connections within their shares stay below it, and the room above it
  // (at least two segments: the log grows a segment at a time) keeps a quiet connection answered while a
  // flood is refused. (A share of the whole limit let a flood's records plus their segments' slack reach
  // the limit, and then the quiet connection was refused too.)
  const storage::WalDirectory* wal = engine_->wal();
  const uint64_t threshold = engine_->wal_fair_threshold();
  if (wal->disk_bytes() < threshold) return false;
  const size_t connections = open_connections_ ? open_connections_->load(std::memory_order_relaxed) : 1;
  const uint64_t fair_share = threshold / std::max<size_t>(connections, 1);
  return share.Held(wal->oldest_lsn(appender_->wal_stream())) + storage::WalRecordBytes(payload_bytes) >
         fair_share;
}

bool FrameHandler::NoRoom(ReplyBuffer& replies) {
  if (engine_->options().overflow == OverflowPolicy::kBlock) {
    // Only this connection waits (the caller holds the frame and stops reading it). What this loop holds
    // is sealed, so that the replies before it are not held up too.
    room_waiting_ = true;
    engine_->WantRoom();  // the writer wakes this loop when it frees room
    SealForming();
    return false;
  }
  ++counters_->frames_received;
  ++counters_->logs_dropped;
  replies.AppendError("overloaded");
  Release(replies, false);
  return true;
}

bool FrameHandler::Handle(std::string_view payload, ReplyBuffer& replies, RoomShare* share) {
  simdjson::dom::element document;
  AdmitResult result = admitter_->Check(payload, &document);
  if (result.accepted()) {
    if (durable_ && share != nullptr && OverFairShare(*share, payload.size())) return NoRoom(replies);
    result = admitter_->Append(document, payload);
  }
  switch (result.kind) {
    case AdmitResult::Kind::kAccepted:
      Accepted(payload.size(), replies, share);
      return true;
    case AdmitResult::Kind::kNoRoom:
      return NoRoom(replies);
    case AdmitResult::Kind::kRejected:
      Reject(result.reason, admitter_->message(), replies);
      return true;
  }
  return true;
}

void FrameHandler::Accepted(size_t payload_bytes, ReplyBuffer& replies, RoomShare* share) {
  if (durable_ && share != nullptr) share->Add(appender_->last_lsn(), storage::WalRecordBytes(payload_bytes));
  ++counters_->frames_received;
  ++counters_->logs_accepted;
  replies.AppendOk();
  Release(replies, durable_);
  if (appender_->CommitDue()) {
    // The forming group is large: seal it, waiting for the oldest group in flight if it must.
    Status status;
    if (!appender_->can_start_commit() && appender_->WaitCommit(&status)) Resolve(status);
    SealForming();
  } else if (appender_->forming_logs() >= kEarlySealRows && !appender_->commit_in_flight()) {
    // Nothing is being synced: start on what is here while the rest of the turn is parsed, so the
    // fdatasync overlaps the parsing and the first replies go out sooner.
    SealForming();
  }
}

FrameHandler::~FrameHandler() {
  if (room_listener_ >= 0) engine_->RemoveRoomListener(room_listener_);
}

void FrameHandler::Finish() {
  if (room_listener_ >= 0) engine_->RemoveRoomListener(room_listener_);
  room_listener_ = -1;
  CommitAll();
  appender_ = nullptr;
  admitter_.reset();  // the appender commits and hands over what it holds
}

}  // namespace logdaemon::ingest
