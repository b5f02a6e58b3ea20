#include "http/otlp_logs.h"

#include <google/protobuf/arena.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/stubs/logging.h>

#include <chrono>
#include <limits>

#include "http/otlp/logs.pb.h"
#include "http/otlp_json.h"
#include "http/otlp_record_json.h"
#include "schema/json_value.h"

namespace logdaemon::http {

namespace {

// Message nesting of the deepest legitimate record: request > resource logs > scope logs > record >
// attribute > AnyValue, then three messages (KeyValueList, KeyValue, AnyValue) per kvlist level. The limit
// lets kMaxOtlpAnyValueDepth levels through, so that CheckOtlpDepth gives the clear error, and stops
// anything much deeper while parsing (protobuf's parser recurses). protobuf's default, 100, would refuse
// a legitimate 33-level value.
constexpr int kProtobufRecursionLimit = 3 * kMaxOtlpAnyValueDepth + 16;

uint64_t NowUnixNano() {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch).count());
}

// protobuf's parser writes a line to stderr for every string field with invalid UTF-8 before it fails the
// parse: one request could fill the daemon's log with them. Those lines are dropped (the client is told
// by the error); any other protobuf message goes to the handler protobuf had.
google::protobuf::LogHandler* previous_log_handler = nullptr;

void DropInvalidUtf8Lines(google::protobuf::LogLevel level, const char* filename, int line,
                          const std::string& message) {
  if (message.find("invalid UTF-8") != std::string::npos) return;
  if (previous_log_handler != nullptr) previous_log_handler(level, filename, line, message);
}

void InstallProtobufLogFilter() {
  // Once per process; a function-local static is initialised once even under concurrent first calls.
  static const bool installed = [] {
    previous_log_handler = google::protobuf::SetLogHandler(&DropInvalidUtf8Lines);
    return true;
  }();
  (void)installed;
}

// The request's messages live in an arena: one free for the whole request instead of one per record,
// attribute and string. Blocks up to 64 KiB keep the number of mallocs low for big requests.
google::protobuf::ArenaOptions RequestArenaOptions() {
  google::protobuf::ArenaOptions options;
  options.start_block_size = 4096;
  options.max_block_size = 64 * 1024;
  return options;
}

}  // namespace

Status DecodeOtlpProtobuf(std::string_view body, const OtlpMapping& mapping, LogBatch* logs) {
  if (body.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return Status::InvalidArgument("OTLP protobuf: body larger than 2 GiB");
  }
  InstallProtobufLogFilter();
  google::protobuf::Arena arena(RequestArenaOptions());
  auto* request = google::protobuf::Arena::CreateMessage<otlp::ExportLogsServiceRequest>(&arena);
  google::protobuf::io::CodedInputStream input(reinterpret_cast<const uint8_t*>(body.data()),
                                               static_cast<int>(body.size()));
  input.SetRecursionLimit(kProtobufRecursionLimit);
  // ConsumedEntireMessage: a stray end-group tag stops the parser early without failing it.
  if (!request->ParseFromCodedStream(&input) || !input.ConsumedEntireMessage()) {
    return Status::InvalidArgument(
        "OTLP protobuf: not a valid ExportLogsServiceRequest (truncated, a wrong wire type, invalid UTF-8 in "
        "a "
        "string, or nested deeper than " +
        std::to_string(kProtobufRecursionLimit) + " messages)");
  }
  if (Status status = CheckOtlpDepth(*request); !status.ok()) return status.WithContext("OTLP protobuf");
  AppendOtlpLogs(*request, mapping, NowUnixNano(), logs);
  return Status::OK();
}

Status DecodeOtlpJson(std::string_view body, const OtlpMapping& mapping, LogBatch* logs) {
  google::protobuf::Arena arena(RequestArenaOptions());
  auto* request = google::protobuf::Arena::CreateMessage<otlp::ExportLogsServiceRequest>(&arena);
  // The JSON decoder bounds the AnyValue nesting itself: no CheckOtlpDepth.
  if (Status status = ParseOtlpJson(body, request); !status.ok()) return status.WithContext("OTLP JSON");
  AppendOtlpLogs(*request, mapping, NowUnixNano(), logs);
  return Status::OK();
}

std::string EncodeOtlpResponseProtobuf(uint64_t rejected, std::string_view error_message) {
  // Full success is the empty message: the specification says partial_success stays unset then.
  if (rejected == 0) return {};
  InstallProtobufLogFilter();  // serializing a string with invalid UTF-8 logs too
  otlp::ExportLogsServiceResponse response;
  otlp::ExportLogsPartialSuccess* partial = response.mutable_partial_success();
  partial->set_rejected_log_records(
      static_cast<int64_t>(std::min<uint64_t>(rejected, std::numeric_limits<int64_t>::max())));
  partial->set_error_message(std::string(error_message));
  return response.SerializeAsString();
}

std::string EncodeOtlpResponseJson(uint64_t rejected, std::string_view error_message) {
  if (rejected == 0) return "{}";
  std::string out = "{\"partialSuccess\":{\"rejectedLogRecords\":\"";
  out += std::to_string(std::min<uint64_t>(rejected, std::numeric_limits<int64_t>::max()));
  out += '"';
  if (!error_message.empty()) {
    out += ",\"errorMessage\":";
    schema::AppendJsonString(error_message, &out);
  }
  out += "}}";
  return out;
}

}  // namespace logdaemon::http
