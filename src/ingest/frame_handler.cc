#include "ingest/frame_handler.h"

#include <algorithm>
#include <cstdio>

#include "schema/json_syntax_error.h"
#include "storage/wal_format.h"

namespace logdaemon::ingest {

namespace {

// The parser starts with room for typical logs; a larger frame grows it until the end of the loop turn.
constexpr size_t kInitialParserCapacity = 64 * 1024;
// With no group commit in flight, a group this large is sealed at once instead of at the end of the turn.
constexpr size_t kEarlySealRows = 64;

}  // namespace

FrameHandler::FrameHandler(const SchemaValidator& schema, storage::Engine& engine, CounterValues* counters,
                           std::function<void()> wake)
    : validator_(schema.compiled()),
      engine_(&engine),
      appender_(engine.NewAppender()),
      durable_(appender_->durable()),
      counters_(counters) {
  if (wake) {
    room_listener_ = engine.AddRoomListener(wake);
    appender_->set_commit_notify(std::move(wake));
  }
  ShrinkParser();
  error_.reserve(256);
  message_.reserve(256);
}

void FrameHandler::ShrinkParser() {
  parser_ = simdjson::dom::parser();  // frees the grown buffers
  parser_grown_ = false;
  // On failure the parser allocates on first use instead (and reports MEMALLOC there). The result is
  // looked at only because GCC's warn_unused_result ignores a (void) cast.
  if (parser_.allocate(kInitialParserCapacity, SchemaValidator::kMaxDocumentDepth) != simdjson::SUCCESS) {
    parser_grown_ = false;
  }
}

void FrameHandler::Tick() {
  if (appender_) appender_->Tick();
  if (parser_grown_) ShrinkParser();
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
  if (appender_->commit_in_flight() || uncommitted_.forming_empty()) return;
  if (appender_->has_forming()) {
    appender_->StartCommit();
    uncommitted_.SealForming();
  } else {
    uncommitted_.CommitForming();  // only replies that waited behind the group just done
  }
}

void FrameHandler::Pump() {
  if (!durable_) return;
  Status status;
  if (appender_->PollCommit(&status)) Resolve(status);
  SealForming();
}

void FrameHandler::CommitAll() {
  if (!durable_) return;
  Status status;
  if (appender_->WaitCommit(&status)) Resolve(status);
  SealForming();
  if (appender_->WaitCommit(&status)) Resolve(status);
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
  if (payload.size() > kInitialParserCapacity) parser_grown_ = true;  // parse() grows it
  // realloc_if_needed = false: the payload already has the padding simdjson reads past its end.
  if (auto error = parser_.parse(payload.data(), payload.size(), false).get(document);
      error != simdjson::SUCCESS) {
    // The failure path may allocate: it describes where the text went wrong.
    message_.assign("invalid JSON: ");
    message_.append(schema::DescribeJsonSyntaxError(payload, SchemaValidator::kMaxDocumentDepth,
                                                    simdjson::error_message(error)));
    Reject(error == simdjson::UTF8_ERROR ? RejectReason::kInvalidUtf8 : RejectReason::kInvalidJson, message_,
           replies);
    return true;
  }
  if (document.type() != simdjson::dom::element_type::OBJECT) {
    Reject(RejectReason::kNotObject, "not an object: a log is one JSON object", replies);
    return true;
  }
  if (!validator_.Validate(document, &error_)) {
    message_.assign("schema: ");
    message_.append(error_);
    Reject(RejectReason::kSchema, message_, replies);
    return true;
  }
  if (durable_ && share != nullptr && OverFairShare(*share, payload.size())) return NoRoom(replies);
  Status st = appender_->Append(document, payload);
  if (st.code() == Status::Code::kAborted) return NoRoom(replies);  // --overflow block
  if (st.ok()) {
    if (durable_ && share != nullptr)
      share->Add(appender_->last_lsn(), storage::WalRecordBytes(payload.size()));
    ++counters_->frames_received;
    ++counters_->logs_accepted;
    replies.AppendOk();
    Release(replies, durable_);
    if (appender_->CommitDue()) {
      // The forming group is large: wait for the one in flight, then seal this one.
      Status status;
      if (appender_->WaitCommit(&status)) Resolve(status);
      SealForming();
    } else if (appender_->forming_logs() >= kEarlySealRows && !appender_->commit_in_flight()) {
      // Nothing is being synced: start on what is here while the rest of the turn is parsed, so the
      // fdatasync overlaps the parsing and the first replies go out sooner.
      SealForming();
    }
    return true;
  }
  if (st.code() == Status::Code::kOutOfRange) {  // the time is outside the accepted window
    Reject(RejectReason::kTimeOutOfRange, st.message(), replies);
    return true;
  }
  if (st.code() == Status::Code::kResourceExhausted) return NoRoom(replies);  // --overflow drop
  if (st.code() == Status::Code::kUnavailable) {
    if (st.message().starts_with("storage unavailable")) {
      Reject(RejectReason::kStorageUnavailable, st.message(), replies);
      return true;
    }
    // The storage engine is closing: the log is not stored, and the client must know it.
    Reject(RejectReason::kUnstorable, "unavailable: the daemon is shutting down", replies);
    return true;
  }
  Reject(RejectReason::kUnstorable, st.message(), replies);
  return true;
}

FrameHandler::~FrameHandler() {
  if (room_listener_ >= 0) engine_->RemoveRoomListener(room_listener_);
}

void FrameHandler::Finish() {
  if (room_listener_ >= 0) engine_->RemoveRoomListener(room_listener_);
  room_listener_ = -1;
  CommitAll();
  appender_.reset();
}

}  // namespace logdaemon::ingest
