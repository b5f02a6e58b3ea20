// FrameHandler: what happens to one frame's payload (DESIGN.md §1 steps 2–6): the admission path every
// front door shares (LogAdmitter: parse in place — the frame decoder guarantees the padding —, check it is
// an object, validate, append through this loop's Appender), the socket's fairness check, and the reply.
// One per event loop.
//
// Hot path: no allocation, lock or syscall per frame in the steady state — the parser keeps its capacity
// (a turn that parsed a frame larger than LogAdmitter::kInitialParserCapacity ends with the parser shrunk
// back), the validator writes an error string only on failure, the appender batches.
//
// Durable acknowledgements: the replies wait for their group commit, which is pipelined: while one group
// is being made durable on the write-ahead log's sync thread, the next forms from what the loop reads
// meanwhile, and is sealed behind it (two groups in flight at most). The loop calls Pump() each turn (and
// when the sync thread wakes it): it collects the finished groups (their `OK`s are released, or turned
// into the storage error) and seals the next one. Handle() waits for the oldest group in flight only when
// the forming one grows large and no more may be sealed.
//
// Thread-safety: none; it belongs to one loop's thread.
#pragma once

#include <simdjson.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/log_admitter.h"
#include "ingest/loop_counters.h"
#include "ingest/reply_buffer.h"
#include "ingest/room_share.h"
#include "logdaemon/schema.h"
#include "storage/appender.h"
#include "storage/engine.h"

namespace logdaemon::ingest {

class FrameHandler {
 public:
  // `wake` is called from the write-ahead log's sync thread when a group commit finished (the loop then
  // calls Pump()); may be empty in memory mode.
  FrameHandler(const SchemaValidator& schema, storage::Engine& engine, CounterValues* counters,
               std::function<void()> wake = {});
  ~FrameHandler();
  FrameHandler(const FrameHandler&) = delete;
  FrameHandler& operator=(const FrameHandler&) = delete;

  // Handles one payload (followed by at least simdjson::SIMDJSON_PADDING readable bytes) and appends its
  // reply to `replies`. Returns false, answering nothing, when there is no room for the log under
  // --overflow block: the caller keeps the frame, stops reading that connection and offers the frame
  // again later (the loop retries while room_waiting()).
  // `share` (may be null: no fairness) is what the frame's connection holds of the room (durable acks).
  bool Handle(std::string_view payload, ReplyBuffer& replies, RoomShare* share = nullptr);
  // The count of open connections (across loops) that fair shares divide the room by.
  void set_open_connections(const std::atomic<size_t>* open) { open_connections_ = open; }
  // Whether a frame found no room since the last ClearRoomWaiting().
  bool room_waiting() const { return room_waiting_; }
  void ClearRoomWaiting() { room_waiting_ = false; }
  // Replies to frames the decoder refused or found empty.
  void RejectEmpty(ReplyBuffer& replies);
  void RejectTooLarge(uint32_t length, uint32_t max, ReplyBuffer& replies);

  CounterValues& counters() { return *counters_; }

  // Collects a finished group commit (releasing its replies) and seals the forming group if nothing is in
  // flight. Non-blocking. Call it each loop turn, after handling input, and again after sending.
  void Pump();
  // The buffers whose replies were released since the last call (for the loop to send them).
  std::vector<ReplyBuffer*> TakeReleased() { return uncommitted_.TakeReleased(); }
  // Makes everything handled so far durable and releases the replies (waits).
  void CommitAll();

  // Each loop turn, after Commit(): lets the appender hand over a batch that is old enough, and gives
  // back the parser's capacity if a large frame grew it.
  void Tick();
  // Hands everything over to the storage engine; the handler takes no more frames after it.
  void Finish();

 private:
  void Reject(RejectReason reason, std::string_view message, ReplyBuffer& replies);
  // Durable acks: whether the connection holding `share` is over its fair share of a filling log.
  bool OverFairShare(RoomShare& share, size_t payload_bytes) const;
  // No room for the log: "overloaded" (drop), or false under --overflow block (the frame waits).
  bool NoRoom(ReplyBuffer& replies);

  // Queues the reply just appended behind the group commit, or releases it at once when nothing waits.
  void Release(ReplyBuffer& replies, bool needs_commit);
  // A group commit ended: its replies are released, or refused with the error.
  void Resolve(const Status& status);
  // Seals the forming group (when the stream takes another), or releases replies that only waited for
  // order (when nothing is in flight).
  void SealForming();

  // Counts and answers an accepted log, and seals its group early when it is large.
  void Accepted(size_t payload_bytes, ReplyBuffer& replies, RoomShare* share);

  std::unique_ptr<LogAdmitter> admitter_;  // parse, validate, append: the path every front door shares
  storage::Appender* appender_;            // admitter_'s
  storage::Engine* engine_;
  const std::atomic<size_t>* open_connections_ = nullptr;
  bool durable_ = false;
  UncommittedReplies uncommitted_;
  CounterValues* counters_;
  bool room_waiting_ = false;
  int room_listener_ = -1;  // the engine's wake-up registration (storage::Engine::AddRoomListener)
};

}  // namespace logdaemon::ingest
