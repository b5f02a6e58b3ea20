#include "ingest/log_admitter.h"

#include "schema/json_syntax_error.h"
#include "storage/engine.h"

namespace logdaemon::ingest {

LogAdmitter::LogAdmitter(const SchemaValidator& schema, storage::Engine& engine)
    : validator_(schema.compiled()), engine_(&engine), appender_(engine.NewAppender()) {
  ShrinkParser();
  error_.reserve(256);
  message_.reserve(256);
}

LogAdmitter::~LogAdmitter() = default;

void LogAdmitter::ShrinkParser() {
  parser_ = simdjson::dom::parser();  // frees the grown buffers
  parser_grown_ = false;
  // On failure the parser allocates on first use instead (and reports MEMALLOC there). The result is
  // looked at only because GCC's warn_unused_result ignores a (void) cast.
  if (parser_.allocate(kInitialParserCapacity, SchemaValidator::kMaxDocumentDepth) != simdjson::SUCCESS) {
    parser_grown_ = false;
  }
}

void LogAdmitter::ShrinkParserIfGrown() {
  // simdjson's parser holds about 14 bytes per byte of its largest document: that must not stay pinned.
  if (parser_grown_) ShrinkParser();
}

AdmitResult LogAdmitter::Reject(RejectReason reason) {
  return AdmitResult{AdmitResult::Kind::kRejected, reason};
}

AdmitResult LogAdmitter::Check(std::string_view text, simdjson::dom::element* document) {
  if (text.size() > kInitialParserCapacity) parser_grown_ = true;  // parse() grows it
  // realloc_if_needed = false: the text already has the padding simdjson reads past its end.
  if (auto error = parser_.parse(text.data(), text.size(), false).get(*document);
      error != simdjson::SUCCESS) {
    // The failure path may allocate: it describes where the text went wrong.
    message_.assign("invalid JSON: ");
    message_.append(schema::DescribeJsonSyntaxError(text, SchemaValidator::kMaxDocumentDepth,
                                                    simdjson::error_message(error)));
    return Reject(error == simdjson::UTF8_ERROR ? RejectReason::kInvalidUtf8 : RejectReason::kInvalidJson);
  }
  if (document->type() != simdjson::dom::element_type::OBJECT) {
    message_.assign("not an object: a log is one JSON object");
    return Reject(RejectReason::kNotObject);
  }
  if (!validator_.Validate(*document, &error_)) {
    message_.assign("schema: ");
    message_.append(error_);
    return Reject(RejectReason::kSchema);
  }
  return AdmitResult{};
}

AdmitResult LogAdmitter::Append(simdjson::dom::element document, std::string_view text) {
  Status st = appender_->Append(document, text);
  if (st.ok()) return AdmitResult{};
  switch (st.code()) {
    case Status::Code::kAborted:            // --overflow block: the caller may offer it again later
    case Status::Code::kResourceExhausted:  // --overflow drop
      message_.assign("overloaded");
      return AdmitResult{AdmitResult::Kind::kNoRoom};
    case Status::Code::kOutOfRange:  // the time is outside the accepted window
      message_.assign(st.message());
      return Reject(RejectReason::kTimeOutOfRange);
    case Status::Code::kUnavailable:
      if (st.message().starts_with("storage unavailable")) {
        message_.assign(st.message());
        return Reject(RejectReason::kStorageUnavailable);
      }
      // The storage engine is closing: the log is not stored, and the client must know it.
      message_.assign("unavailable: the daemon is shutting down");
      return Reject(RejectReason::kUnstorable);
    default:
      message_.assign(st.message());
      return Reject(RejectReason::kUnstorable);
  }
}

AdmitResult LogAdmitter::Admit(std::string_view text) {
  simdjson::dom::element document;
  AdmitResult checked = Check(text, &document);
  if (!checked.accepted()) return checked;
  return Append(document, text);
}

Status LogAdmitter::Commit() {
  Status status = appender_->Commit();
  // Memory mode keeps rows in the batch until it is old enough; a request's logs go to the writer now,
  // since nothing may tick this admitter until the next request. Unspent credits go back too.
  appender_->HandOff();
  return status;
}

}  // namespace logdaemon::ingest
