// How `logdaemon query` spells values as text, the same in every output format (docs/query.md
// "Formats"): timestamps, numbers, and the UTF-8 rules that keep the output valid and a terminal safe.
//
// Timestamps are RFC 3339 in UTC with "Z". The fraction is written only when the instant has one, with
// 3 digits when it is a whole number of milliseconds and 6 otherwise:
//   2026-01-15T19:00:00Z   2026-01-15T19:00:00.120Z   2026-01-15T19:00:00.000001Z
// Years outside 0000-9999 keep the sign and every digit (ISO 8601 expanded form, "+12026-…").
//
// Doubles are the shortest text that reads back as the same double (std::to_chars): "0.1", "1e+100",
// "-0", "12"; NaN and infinities (which JSON input cannot produce) as "NaN", "Infinity", "-Infinity".
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace logdaemon::query {

void AppendTimestamp(int64_t micros_utc, std::string* out);
std::string FormatTimestamp(int64_t micros_utc);

void AppendInt64(int64_t value, std::string* out);
void AppendDouble(double value, std::string* out);

// U+FFFD, the replacement for bytes that are not UTF-8, in UTF-8.
inline constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

// One step of UTF-8 decoding (Unicode §3.9, Table 3-7: no overlong forms, surrogates, or code points
// above U+10FFFF). A well-formed sequence gives its code point and length; otherwise `valid` is false and
// `length` is that of the maximal ill-formed subpart (at least 1), the bytes one U+FFFD replaces (Unicode
// §3.9 "U+FFFD Substitution of Maximal Subparts", as WHATWG's decoder does).
struct Utf8Step {
  uint32_t code_point;
  uint8_t length;
  bool valid;
};
// REQUIRES: p < limit. Reads no byte at or past `limit`.
Utf8Step DecodeUtf8(const unsigned char* p, const unsigned char* limit);

// Appends `text` with every ill-formed subpart replaced by U+FFFD.
void AppendValidUtf8(std::string_view text, std::string* out);

// Columns a code point takes in a terminal: 0 for combining marks and zero-width characters, 2 for East
// Asian wide and fullwidth characters and emoji, 1 otherwise. An approximation of wcwidth() that does not
// depend on the locale; the common scripts are right.
int CodePointDisplayWidth(uint32_t code_point);

}  // namespace logdaemon::query
