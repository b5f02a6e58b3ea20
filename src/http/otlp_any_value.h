// OTLP values as our logs write them: AnyValue -> JSON (otlp_logs.h has the rules), nanosecond times as
// RFC 3339, and the text forms of bytes (hex for trace and span ids, base64 for the rest), both ways.
//
// Thread-safety: pure functions.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/otlp/logs.pb.h"

namespace logdaemon::http {

// True when `value`, at nesting `depth` (1 for an attribute's value or a body), and everything inside it
// stay within kMaxOtlpAnyValueDepth. Recurses at most that deep.
bool AnyValueWithinDepth(const otlp::AnyValue& value, int depth);

// AnyValue -> JSON; `depth` as above. Values deeper than the limit are written as null (callers check
// AnyValueWithinDepth first; this only bounds the recursion).
void AppendAnyValueJson(const otlp::AnyValue& value, int depth, std::string* out);

// "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ".
void AppendRfc3339Nanos(uint64_t unix_nano, std::string* out);

// An integer as JSON writes it.
template <typename Integer>
void AppendInteger(Integer value, std::string* out) {
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out->append(buffer, result.ptr);
}

// Lower-case hex, two digits per byte.
void AppendHex(std::string_view bytes, std::string* out);

// Hex text (either case) -> bytes; false for odd length or a non-hex character.
bool DecodeHex(std::string_view text, std::string* bytes);

// RFC 4648 base64, standard alphabet, padded.
void AppendBase64(std::string_view bytes, std::string* out);

// RFC 4648 base64 -> bytes; the standard and the URL-safe alphabet, with or without padding (as proto3
// JSON parsers accept). False for anything else.
bool DecodeBase64(std::string_view text, std::string* bytes);

}  // namespace logdaemon::http
