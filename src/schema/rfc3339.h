// RFC 3339 dates and times (the `date-time`, `date` and `time` formats of JSON Schema draft-07, and the
// time field of the table layout, DESIGN.md §4), and their conversion to and from UTC microseconds since
// the Unix epoch: the representation storage keeps as TIMESTAMP(isAdjustedToUTC=true, MICROS).
//
// Grammar (RFC 3339 §5.6): full-date = YYYY-MM-DD (days checked against the month, leap years included);
// partial-time = hh:mm:ss[.fraction]; time-offset = "Z" / ("+" / "-") hh:mm; date-time = full-date "T"
// full-time, where "T" and "Z" may be lower case (RFC 3339 §5.6 note). A leap second (ss = 60) is valid
// only where the time, converted to UTC, is 23:59:60; it is stored as 23:59:59.999999 of that day, so
// that ordering and the UTC date are kept (POSIX time has no leap seconds). Fractions beyond the
// microsecond are truncated toward the past.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace logdaemon::schema {

// A valid RFC 3339 date-time: stores its instant in *micros_utc and returns true. Otherwise returns
// false and leaves *micros_utc alone. Years 0000-9999 (offsets may move the instant outside them).
bool ParseRfc3339DateTime(std::string_view text, int64_t* micros_utc);

// full-date: "2026-01-15".
bool IsRfc3339FullDate(std::string_view text);

// full-time: partial-time and a required time-offset ("19:00:00Z", "19:00:00.5+02:00"), leap second
// rules as above.
bool IsRfc3339FullTime(std::string_view text);

// Days since 1970-01-01 of a proleptic Gregorian date (negative before it).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

// Appends "YYYY-MM-DDTHH:MM:SS.ffffffZ" (always six fraction digits, always "Z") for `micros_utc`.
void AppendRfc3339Micros(int64_t micros_utc, std::string* out);

}  // namespace logdaemon::schema
