// OTLP/HTTP logs (POST /v1/logs, DESIGN.md §2b, issue #14): an ExportLogsServiceRequest body, protobuf
// or JSON, decoded into our logs (one JSON object text per LogRecord, appended to a LogBatch), and the
// ExportLogsServiceResponse that answers it. The endpoint then admits each log as any other: JSON Schema
// validation, then storage.
//
// The mapping, LogRecord -> JSON object (top-level keys; under the default schema every key that is not
// a schema property lands in the `_extra` column):
//
// | Key                        | From                              | Value                                  |
// |----------------------------|-----------------------------------|----------------------------------------|
// | <time field> (`timestamp`) | time_unix_nano, else              | RFC 3339 UTC with 9 fraction digits:   |
// |                            | observed_time_unix_nano, else the | "2026-12-05T13:34:12.123456789Z"       |
// |                            | time of decoding                  | (storage keeps microseconds: it        |
// |                            |                                   | truncates)                             |
// | `level`                    | severity_number 1-4 / 5-8 / 9-12  | "trace" / "debug" / "info" / "warn" /  |
// |                            | / 13-16 / 17-20 / 21-24           | "error" / "fatal"                      |
// |                            | else (0, or out of range):        | lower-cased (ASCII); warning->warn,    |
// |                            | severity_text                     | err->error, information->info,         |
// |                            |                                   | critical, crit, alert, emerg,          |
// |                            |                                   | emergency, panic->fatal; other text    |
// |                            |                                   | kept (the schema decides)              |
// |                            | neither                           | "info"                                 |
// | `message`                  | body                              | a string as is; bytes as base64 text;  |
// |                            |                                   | other values as their JSON text        |
// |                            |                                   | ("{\"a\":1}", "42"); no body, or no    |
// |                            |                                   | value: ""                              |
// | `service`                  | resource attribute service.name   | when it is a string (the first one)    |
// | `trace_id`                 | trace_id                          | 32 lower-case hex digits; only when 16 |
// |                            |                                   | bytes, not all zero                    |
// | `span_id`                  | span_id                           | 16 lower-case hex digits; only when 8  |
// |                            |                                   | bytes, not all zero                    |
// | <declared property>        | an attribute whose key the schema | its value as JSON; the first attribute |
// |                            | declares (OtlpMapping)            | of that key                            |
// | `metadata`                 | the other attributes              | object key -> value as JSON, in order; |
// |                            |                                   | absent when none                       |
// | `severity_number`          | severity_number                   | integer, when not 0                    |
// | `observed_timestamp`       | observed_time_unix_nano           | RFC 3339 as above; when not 0 and not  |
// |                            |                                   | the time field's instant               |
// | `flags`                    | flags                             | integer, when not 0                    |
// | `event_name`               | event_name                        | when not empty                         |
// | `scope`                    | the InstrumentationScope          | {"name", "version" (when not empty)};  |
// |                            |                                   | when the scope has a name              |
// | `resource`                 | the other resource attributes (a  | object, as `metadata`; when any        |
// |                            | second or non-string service.name |                                        |
// |                            | too)                              |                                        |
// | `dropped_attributes_count` | dropped_attributes_count          | integer, when not 0                    |
//
// AnyValue -> JSON: string -> string; bool -> true/false; int -> integer; double -> number (NaN and the
// infinities -> null); bytes -> base64 string (RFC 4648, padded); array -> array; kvlist -> object;
// an AnyValue with no value -> null. Attribute lists are written in their order; a key repeated in one
// list (the wire format cannot forbid it) is repeated in the object.
//
// Keys never collide at the top level: a mapped key (every key in the table but <declared property>, and
// the time field) is never taken by an attribute — such an attribute stays in `metadata`, even when the
// mapped key is absent from this log — and a key the time field names is not written a second time.
//
// Limits: AnyValues nest at most kMaxOtlpAnyValueDepth levels (deeper: InvalidArgument), so neither the
// decoders nor the mapping recurse without bound. Not validated here (the schema's job): that a log's
// values fit its columns.
//
// Thread-safety: pure functions; each call uses its own parser.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "http/log_batch.h"
#include "logdaemon/status.h"

namespace logdaemon::http {

// The deepest AnyValue nesting accepted (a scalar attribute is 1 level; an array of scalars, 2).
inline constexpr int kMaxOtlpAnyValueDepth = 64;

struct OtlpMapping {
  // The schema's time field (--time-field).
  std::string time_field = "timestamp";
  // The schema's top-level properties: a log attribute with one of these names becomes that top-level
  // property instead of a key of `metadata` (custom schemas with declared columns). Mapped keys (above)
  // are never taken by attributes, whether listed here or not.
  std::vector<std::string> declared_properties;
};

// Decodes an ExportLogsServiceRequest in the protobuf encoding; every LogRecord becomes one JSON object
// appended to *logs (logs->Finish() is the caller's job). A malformed body (truncated, an invalid wire
// type or unbalanced group, invalid UTF-8 in a string, nesting too deep) is InvalidArgument("OTLP
// protobuf: ..."), and then nothing is appended. As in every protobuf parser, a known field number with
// another valid wire type than its own is an unknown field, and skipped. An empty body is an empty
// request: OK, no logs. The first call installs a protobuf log
// handler (google::protobuf::SetLogHandler) that drops protobuf's "invalid UTF-8" lines, which a client
// could otherwise write to stderr at will, and passes every other line to the previous handler.
Status DecodeOtlpProtobuf(std::string_view body, const OtlpMapping& mapping, LogBatch* logs);

// Decodes an ExportLogsServiceRequest in the OTLP/JSON encoding: the proto3 JSON mapping as the OTLP
// specification amends it — lowerCamelCase keys (the proto field names, e.g. "time_unix_nano", are
// accepted too, as proto3 JSON parsers do), traceId/spanId as hex strings (either case), enums as integers
// (the enum names are accepted too), 64-bit integers as decimal strings or numbers, unknown keys ignored,
// null as an absent field, AnyValue bytes as base64 (standard or URL-safe alphabet, padding optional).
// Errors: InvalidArgument("OTLP JSON: <path>: ...") and nothing appended.
//
// REQUIRES: the bytes after `body` up to body.data() + body.size() + simdjson::SIMDJSON_PADDING are
// readable (simdjson parses in place and reads past the end; their content does not matter). A body in a
// std::string with capacity() >= size() + SIMDJSON_PADDING qualifies.
Status DecodeOtlpJson(std::string_view body, const OtlpMapping& mapping, LogBatch* logs);

// The ExportLogsServiceResponse: partial_success {rejected_log_records, error_message} when rejected > 0,
// else an empty message (zero bytes in protobuf).
std::string EncodeOtlpResponseProtobuf(uint64_t rejected, std::string_view error_message);
// The same in OTLP/JSON: "{}" when rejected == 0, else
// {"partialSuccess":{"rejectedLogRecords":"<n>","errorMessage":"<text>"}} (int64 as a string, as the proto3
// JSON mapping writes it; errorMessage left out when empty).
std::string EncodeOtlpResponseJson(uint64_t rejected, std::string_view error_message);

}  // namespace logdaemon::http
