// The `format` keyword of JSON Schema draft-07 (§7.3): which formats logdaemon asserts and how.
// Asserted: date-time, date, time (RFC 3339), email (RFC 5321 Mailbox, ASCII), hostname (RFC 1123
// labels), idn-hostname (RFC 5890, through libidn2: idna.h), ipv4 (dotted quad, no leading zeros), ipv6 (RFC
// 4291 text forms), uri and uri-reference (RFC 3986), json-pointer (RFC 6901), relative-json-pointer, regex
// (ECMA-262 as far as PCRE2 allows, see regex.h). Every other format name, known to the spec or not, is an
// annotation only: values pass, as the spec allows.
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>

namespace logdaemon::schema {

enum class Format {
  kUnknown,  // not asserted: every string passes
  kDateTime,
  kDate,
  kTime,
  kEmail,
  kHostname,
  kIdnHostname,
  kIpv4,
  kIpv6,
  kUri,
  kUriReference,
  kJsonPointer,
  kRelativeJsonPointer,
  kRegex,
};

// The Format named `name` ("date-time" …); kUnknown for names logdaemon does not assert.
Format FormatFromName(std::string_view name);

// The format's name as written in schemas ("date-time" …); "unknown" for kUnknown.
std::string_view FormatName(Format format);

// Whether `value` (valid UTF-8) is valid for `format`. kUnknown: always true.
bool CheckFormat(Format format, std::string_view value);

}  // namespace logdaemon::schema
