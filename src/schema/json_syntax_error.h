// Where and why a text is not a JSON document, for error messages. simdjson rejects bad input fast but
// says only what kind of error it met; this scanner runs on that (rare) failure path and finds the
// first offending byte, so that users read "invalid JSON: expected ':' after an object key at byte 17"
// instead of "TAPE_ERROR".
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace logdaemon::schema {

struct JsonSyntaxError {
  bool found = false;  // false: `text` is valid JSON as far as this scanner can tell
  size_t offset = 0;   // byte offset of the first byte that makes the text invalid (0-based)
  std::string what;    // short, lower case, no trailing period: "unterminated string", "invalid UTF-8"
};

// Scans `text` as one JSON value (RFC 8259) with optional surrounding white space, nested at most
// `max_depth` arrays/objects deep. Checks UTF-8 (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF),
// string escapes (incl. \u surrogate pairs), control characters in strings, numbers' grammar, literals,
// trailing content. Never recurses (any nesting depth is safe), never allocates beyond the message.
JsonSyntaxError FindJsonSyntaxError(std::string_view text, size_t max_depth);

// "<what> at byte N" (or `fallback` when the scanner found nothing wrong, which happens when simdjson
// refused the text for a limit of its own, such as capacity).
std::string DescribeJsonSyntaxError(std::string_view text, size_t max_depth, std::string_view fallback);

// 1-based line and column (in bytes) of `offset` in `text`, for files: "line 3, column 14".
std::string LineAndColumn(std::string_view text, size_t offset);

}  // namespace logdaemon::schema
