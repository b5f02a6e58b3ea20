// POST /v1/logs: OTLP/HTTP logs (https://opentelemetry.io/docs/specs/otlp/#otlphttp), protobuf
// (application/x-protobuf) or JSON (application/json). Each LogRecord becomes a log (otlp_logs.h has the
// mapping) and goes through the admission path like any other.
//
// Answers, as the specification asks: 200 with an empty ExportLogsServiceResponse when every record was
// stored; 200 with partial_success {rejected_log_records, error_message} when some were refused (the
// client must not retry those); 400 for a body that does not decode; 429 (no room) or 503 (the storage
// cannot write) with Retry-After when none was stored for the daemon's reasons, so the client retries
// the whole request. The response is encoded like the request.
#include <strings.h>

#include "http/endpoints.h"
#include "schema/json_value.h"

namespace logdaemon::http {

namespace {

enum class OtlpEncoding { kProtobuf, kJson, kOther };

OtlpEncoding EncodingOf(std::string_view content_type) {
  const std::string_view media = content_type.substr(0, content_type.find(';'));
  auto is = [&](std::string_view name) {
    std::string_view trimmed = media;
    while (!trimmed.empty() && trimmed.back() == ' ') trimmed.remove_suffix(1);
    return trimmed.size() == name.size() && ::strncasecmp(trimmed.data(), name.data(), name.size()) == 0;
  };
  if (is("application/x-protobuf") || is("application/protobuf")) return OtlpEncoding::kProtobuf;
  if (is("application/json")) return OtlpEncoding::kJson;
  return OtlpEncoding::kOther;
}

Response OtlpAnswer(OtlpEncoding encoding, uint64_t rejected, std::string_view message) {
  Response response;
  if (encoding == OtlpEncoding::kProtobuf) {
    response.content_type = "application/x-protobuf";
    response.body = EncodeOtlpResponseProtobuf(rejected, message);
  } else {
    response.body = EncodeOtlpResponseJson(rejected, message);
  }
  return response;
}

// An error answer: a google.rpc.Status {code, message}, as the specification asks for 4xx and 5xx — in
// protobuf (field 1: code, varint; field 2: message, bytes) or its JSON form.
Response OtlpError(OtlpEncoding encoding, int http_status, int rpc_code, std::string_view message,
                   int retry_after_seconds) {
  Response response;
  response.status = http_status;
  if (encoding == OtlpEncoding::kProtobuf) {
    response.content_type = "application/x-protobuf";
    std::string& out = response.body;
    out.push_back(0x08);
    out.push_back(static_cast<char>(rpc_code));  // codes are below 128: one varint byte
    out.push_back(0x12);
    for (uint64_t length = message.size();; length >>= 7) {
      if (length < 0x80) {
        out.push_back(static_cast<char>(length));
        break;
      }
      out.push_back(static_cast<char>((length & 0x7f) | 0x80));
    }
    out.append(message);
  } else {
    response.body.assign("{\"code\":").append(std::to_string(rpc_code)).append(",\"message\":");
    schema::AppendJsonString(message, &response.body);
    response.body.append("}");
  }
  if (http_status == 429 || http_status == 503)
    response.headers.emplace_back("Retry-After", std::to_string(retry_after_seconds));
  return response;
}

// gRPC status codes (google.rpc.Code) the answers use.
constexpr int kRpcInvalidArgument = 3;
constexpr int kRpcResourceExhausted = 8;
constexpr int kRpcUnavailable = 14;

// "N log records were rejected; the first (record I): <why>".
std::string PartialMessage(const BatchOutcome& outcome) {
  const size_t refused = outcome.rejected + outcome.no_room;
  std::string text = std::to_string(refused);
  text.append(refused == 1 ? " log record was" : " log records were")
      .append(" not stored; the first (record ");
  text.append(std::to_string(outcome.messages.front().first)).append("): ");
  text.append(outcome.messages.front().second);
  return text;
}

}  // namespace

Response HandleOtlp(std::string_view content_type, std::string_view body, IngestContext& context,
                    ingest::CounterValues* counters) {
  const OtlpEncoding encoding = EncodingOf(content_type);
  if (encoding == OtlpEncoding::kOther) {
    return JsonError(415, "Content-Type must be application/x-protobuf or application/json, got '" +
                              std::string(content_type.substr(0, 100)) + "'");
  }
  LogBatch logs;
  const Status decoded = encoding == OtlpEncoding::kProtobuf ? DecodeOtlpProtobuf(body, context.otlp, &logs)
                                                             : DecodeOtlpJson(body, context.otlp, &logs);
  if (!decoded.ok()) return OtlpError(encoding, 400, kRpcInvalidArgument, decoded.message(), 0);
  logs.Finish();
  BatchOutcome outcome;
  {
    AdmitterPool::Lease admitter = context.pool->Acquire();
    outcome = AdmitBatch(*admitter, logs, counters);
  }
  if (outcome.accepted == 0 && outcome.no_room > 0 && outcome.rejected == 0) {
    return OtlpError(encoding, 429, kRpcResourceExhausted, "overloaded: no room for these logs now",
                     context.retry_after_seconds);
  }
  if (outcome.accepted == 0 && outcome.storage_unavailable) {
    return OtlpError(encoding, 503, kRpcUnavailable, outcome.messages.front().second,
                     context.retry_after_seconds);
  }
  if (outcome.messages.empty()) return OtlpAnswer(encoding, 0, "");
  return OtlpAnswer(encoding, outcome.rejected + outcome.no_room, PartialMessage(outcome));
}

}  // namespace logdaemon::http
