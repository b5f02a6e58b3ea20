// LogAdmitter: the admission path every front door shares (DESIGN.md §1 steps 2–4) — parse (simdjson, in
// place), check that the log is one JSON object, validate it against the schema, and append it through
// its own storage Appender (which logs it to the write-ahead log in durable mode). The socket's
// FrameHandler and the HTTP endpoints each own one per thread, so a log is refused for the same reason,
// with the same words, whichever door it came through.
//
// Hot path: no allocation per accepted log once the parser has grown to the logs' size; a refused log
// composes its message in a reused string.
//
// Thread-safety: none; one thread at a time owns it.
#pragma once

#include <simdjson.h>

#include <memory>
#include <string>
#include <string_view>

#include "logdaemon/schema.h"
#include "logdaemon/server.h"
#include "logdaemon/status.h"
#include "schema/validator.h"
#include "storage/appender.h"

namespace logdaemon::storage {
class Engine;
}

namespace logdaemon::ingest {

// What became of one log.
struct AdmitResult {
  enum class Kind : uint8_t {
    kAccepted,  // appended (durable mode: acknowledged once the group commit succeeds)
    kRejected,  // refused for `reason`; LogAdmitter::message() says why, as the socket's reply would
    kNoRoom,    // no room now: "overloaded" under --overflow drop; under block the caller may retry later
  };
  Kind kind = Kind::kAccepted;
  RejectReason reason = RejectReason::kInvalidJson;  // for kRejected
  bool accepted() const { return kind == Kind::kAccepted; }
};

class LogAdmitter {
 public:
  LogAdmitter(const SchemaValidator& schema, storage::Engine& engine);
  ~LogAdmitter();
  LogAdmitter(const LogAdmitter&) = delete;
  LogAdmitter& operator=(const LogAdmitter&) = delete;

  // The two steps of Admit, for a front door that checks more in between (the socket's fairness):
  // Check parses and validates `text` (followed by simdjson::SIMDJSON_PADDING readable bytes); on success
  // *document refers into the parser until the next Check.
  AdmitResult Check(std::string_view text, simdjson::dom::element* document);
  // Append stores a checked document; `text` is what the write-ahead log keeps.
  AdmitResult Append(simdjson::dom::element document, std::string_view text);
  // Check, then Append.
  AdmitResult Admit(std::string_view text);

  // Why the last log was rejected ("invalid JSON: …", "schema: …", "storage unavailable: …"); valid until
  // the next call. For kNoRoom: "overloaded".
  const std::string& message() const { return message_; }

  // Makes every log accepted so far durable (durable mode: waits for the group commit) and hands them to
  // the writer. Not OK (storage unavailable): none of the logs accepted since the previous Commit is
  // stored, and their senders must be told so.
  Status Commit();

  // Gives back the parser's capacity when a large log grew it (call between requests or loop turns).
  void ShrinkParserIfGrown();

  storage::Appender& appender() { return *appender_; }
  bool durable() const { return appender_->durable(); }
  storage::Engine& engine() { return *engine_; }

  // The parser starts with room for typical logs; a larger one grows it until ShrinkParserIfGrown().
  static constexpr size_t kInitialParserCapacity = 64 * 1024;

 private:
  AdmitResult Reject(RejectReason reason);
  void ShrinkParser();

  simdjson::dom::parser parser_;
  bool parser_grown_ = false;
  schema::Validator validator_;
  storage::Engine* engine_;
  std::unique_ptr<storage::Appender> appender_;
  std::string error_;    // the validator's message, reused
  std::string message_;  // the last rejection, reused
};

}  // namespace logdaemon::ingest
