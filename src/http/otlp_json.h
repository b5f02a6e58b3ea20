// The OTLP/JSON decoder (otlp_logs.h says which JSON it accepts): the body is parsed with simdjson (DOM)
// and turned into the same ExportLogsServiceRequest message the protobuf decoder produces, so that one
// mapping (otlp_record_json.h) serves both encodings.
//
// Thread-safety: pure function; each call uses its own parser.
#pragma once

#include <string_view>

#include "http/otlp/logs.pb.h"
#include "logdaemon/status.h"

namespace logdaemon::http {

// Fills *request from `body`. InvalidArgument("<where>: <what>") for invalid JSON (simdjson's words, which
// include nesting deeper than its limit), a known key with a value of the wrong type, a bad hex id or
// base64 value, an unknown severity name, or an AnyValue nested deeper than kMaxOtlpAnyValueDepth (so
// the request needs no CheckOtlpDepth). REQUIRES: the padding DecodeOtlpJson requires after `body`.
Status ParseOtlpJson(std::string_view body, otlp::ExportLogsServiceRequest* request);

}  // namespace logdaemon::http
