// Readers of the scalar values of OTLP/JSON, as the proto3 JSON mapping writes them and the OTLP
// specification amends it: 64-bit integers as numbers or decimal strings, doubles as numbers or strings
// (with "NaN" and "Infinity"), ids as hex, enums as integers or names. Each checks the type and the range
// and says which key was wrong: InvalidArgument("<key>: expected ...").
//
// Thread-safety: pure functions.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "http/otlp/logs.pb.h"
#include "logdaemon/status.h"

namespace logdaemon::http::otlp_json {

// InvalidArgument("<key>: expected <what>").
Status Expected(std::string_view key, std::string_view what);

Status GetUint64(simdjson::dom::element value, std::string_view key, uint64_t* out);
Status GetUint32(simdjson::dom::element value, std::string_view key, uint32_t* out);
Status GetInt64(simdjson::dom::element value, std::string_view key, int64_t* out);
Status GetDouble(simdjson::dom::element value, std::string_view key, double* out);
Status GetString(simdjson::dom::element value, std::string_view key, std::string* out);
Status GetBool(simdjson::dom::element value, std::string_view key, bool* out);
Status GetObject(simdjson::dom::element value, std::string_view key, simdjson::dom::object* out);
// Trace and span ids: hex, either case (the OTLP amendment; not base64).
Status GetHexId(simdjson::dom::element value, std::string_view key, std::string* out);
// AnyValue bytes: base64 (either alphabet, padding optional).
Status GetBase64(simdjson::dom::element value, std::string_view key, std::string* out);
// An integer (int32), or the enum value's name.
Status GetSeverity(simdjson::dom::element value, std::string_view key, otlp::SeverityNumber* out);

}  // namespace logdaemon::http::otlp_json
