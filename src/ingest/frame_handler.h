// FrameHandler: what happens to one frame's payload (DESIGN.md §1 steps 2–6): parse (simdjson, in place:
// the frame decoder guarantees the padding), check it is an object, validate against the schema, hand it
// to the storage engine through this loop's Appender, and append the reply. One per event loop.
//
// Hot path: no allocation, lock or syscall per frame in the steady state — the parser keeps its capacity,
// the validator writes an error string only on failure, the appender batches.
//
// Durable acknowledgements: the replies wait for the group commit. The loop calls Commit() once per turn,
// before it sends (one write and one fdatasync for every log the turn admitted); Handle() commits early
// when the group grows large.
//
// Thread-safety: none; it belongs to one loop's thread.
#pragma once

#include <simdjson.h>

#include <memory>
#include <string>
#include <string_view>

#include "ingest/loop_counters.h"
#include "ingest/reply_buffer.h"
#include "logdaemon/schema.h"
#include "schema/validator.h"
#include "storage/appender.h"
#include "storage/engine.h"

namespace logdaemon::ingest {

class FrameHandler {
 public:
  FrameHandler(const SchemaValidator& schema, storage::Engine& engine, CounterValues* counters);

  // Handles one payload (followed by at least simdjson::SIMDJSON_PADDING readable bytes) and appends its
  // reply to `replies`.
  void Handle(std::string_view payload, ReplyBuffer& replies);
  // Replies to frames the decoder refused or found empty.
  void RejectEmpty(ReplyBuffer& replies);
  void RejectTooLarge(uint32_t length, uint32_t max, ReplyBuffer& replies);

  CounterValues& counters() { return *counters_; }

  // Makes the logs handled since the last call durable and releases their replies (`OK`, or the storage
  // error when the commit failed). Call it each loop turn before sending, and again while
  // has_uncommitted().
  void Commit();
  bool has_uncommitted() const { return !uncommitted_.empty(); }

  // Each loop turn, after Commit(): lets the appender hand over a batch that is old enough.
  void Tick() {
    if (appender_) appender_->Tick();
  }
  // Hands everything over to the storage engine; the handler takes no more frames after it.
  void Finish();

 private:
  void Reject(RejectReason reason, std::string_view message, ReplyBuffer& replies);

  simdjson::dom::parser parser_;
  schema::Validator validator_;
  // Queues the reply just appended behind the group commit, or releases it at once when nothing waits.
  void Release(ReplyBuffer& replies, bool needs_commit);

  std::unique_ptr<storage::Appender> appender_;
  bool durable_ = false;
  UncommittedReplies uncommitted_;
  CounterValues* counters_;
  std::string error_;    // the validator's message, reused
  std::string message_;  // a reply being composed, reused
};

}  // namespace logdaemon::ingest
