#include "query/time_spec.h"

#include <cstdint>
#include <limits>
#include <string>

#include "schema/rfc3339.h"
#include "schema/time_units.h"

namespace logdaemon::query {

namespace {

// The text between double quotes, as a message can show it: printable ASCII as is, anything else (NUL,
// control characters, bytes of other scripts) as \xHH, and at most 64 bytes of it. An option value is
// short; a longer one is a mistake whose start is enough to recognise.
std::string Quoted(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  constexpr size_t kMaxShown = 64;
  std::string out = "\"";
  for (size_t i = 0; i < text.size() && i < kMaxShown; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte == '"' || byte == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(byte));
    } else if (byte >= 0x20 && byte < 0x7f) {
      out.push_back(static_cast<char>(byte));
    } else {
      out.append("\\x");
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xf]);
    }
  }
  if (text.size() > kMaxShown) out.append("…");
  out.push_back('"');
  return out;
}

Status NotATime(std::string_view text, std::string_view why) {
  std::string message = Quoted(text);
  message.append(" is not a time");
  if (!why.empty()) {
    message.append(" (");
    message.append(why);
    message.append(")");
  }
  message.append(
      ": use RFC 3339 (2026-01-15T19:00:00Z), a date (2026-01-15) or a duration (30s, 15m, 2h, 7d)");
  return Status::InvalidArgument(message);
}

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

bool AllDigits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

int64_t UnitMicros(char unit) {
  switch (unit) {
    case 's':
      return kMicrosPerSecond;
    case 'm':
      return 60 * kMicrosPerSecond;
    case 'h':
      return 3'600 * kMicrosPerSecond;
    case 'd':
      return kMicrosPerDay;
    case 'w':
      return 7 * kMicrosPerDay;
    default:
      return 0;
  }
}

enum class DurationParse { kNotADuration, kTooLong, kOk };

// 1*(1*DIGIT unit): "30s", "1h30m". Overflow is checked at every step, so no input wraps around.
DurationParse ParseDuration(std::string_view text, int64_t* micros) {
  if (text.empty() || !IsDigit(text.front())) return DurationParse::kNotADuration;
  int64_t total = 0;
  bool too_long = false;
  size_t p = 0;
  while (p < text.size()) {
    if (!IsDigit(text[p])) return DurationParse::kNotADuration;
    int64_t count = 0;
    for (; p < text.size() && IsDigit(text[p]); ++p) {
      if (__builtin_mul_overflow(count, 10, &count) || __builtin_add_overflow(count, text[p] - '0', &count)) {
        too_long = true;
        count = 0;  // keep reading: the rest must still be a duration for "too long" to be the right error
      }
    }
    if (p == text.size()) return DurationParse::kNotADuration;  // digits without a unit
    const int64_t unit = UnitMicros(text[p++]);
    if (unit == 0) return DurationParse::kNotADuration;
    int64_t part;
    if (__builtin_mul_overflow(count, unit, &part) || __builtin_add_overflow(total, part, &total)) {
      too_long = true;
    }
  }
  if (too_long) return DurationParse::kTooLong;
  *micros = total;
  return DurationParse::kOk;
}

bool EqualsIgnoringAsciiCase(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

// full-date alone: midnight UTC of that day.
bool ParseDate(std::string_view text, int64_t* micros) {
  if (!schema::IsRfc3339FullDate(text)) return false;
  auto number = [&](size_t at, size_t digits) {
    unsigned value = 0;
    for (size_t i = at; i < at + digits; ++i) value = value * 10 + static_cast<unsigned>(text[i] - '0');
    return value;
  };
  *micros = schema::DaysFromCivil(number(0, 4), number(5, 2), number(8, 2)) * kMicrosPerDay;
  return true;
}

}  // namespace

Result<int64_t> ParseTimeSpec(std::string_view text, int64_t now_micros) {
  if (text.empty()) return NotATime(text, "empty");
  if (EqualsIgnoringAsciiCase(text, "now")) return now_micros;

  int64_t duration;
  switch (ParseDuration(text, &duration)) {
    case DurationParse::kOk: {
      int64_t instant;
      if (__builtin_sub_overflow(now_micros, duration, &instant)) {
        return Status::InvalidArgument(Quoted(text) + " is too far in the past");
      }
      return instant;
    }
    case DurationParse::kTooLong:
      return Status::InvalidArgument(Quoted(text) + " is too long a duration");
    case DurationParse::kNotADuration:
      break;
  }

  int64_t instant;
  if (ParseDate(text, &instant)) return instant;

  // RFC 3339 §5.6 lets applications write a space instead of "T"; a shell user quoting a time often does.
  std::string date_time(text);
  if (date_time.size() > 10 && date_time[10] == ' ') date_time[10] = 'T';
  if (schema::ParseRfc3339DateTime(date_time, &instant)) return instant;

  if (AllDigits(text)) return NotATime(text, "a duration needs a unit");
  date_time.push_back('Z');
  if (schema::ParseRfc3339DateTime(date_time, &instant)) {
    return NotATime(text, "no UTC offset: add Z for UTC, or one like +02:00");
  }
  return NotATime(text, "");
}

}  // namespace logdaemon::query
