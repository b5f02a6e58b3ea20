#include "schema/rfc3339.h"

#include "schema/ascii.h"
#include "schema/time_units.h"

namespace logdaemon::schema {

namespace {

constexpr int kMinutesPerDay = 24 * 60;

// Days from 0000-03-01 to 1970-01-01. Counting years from March puts the leap day at the end of the
// counted year, so a year's length never depends on the month being converted.
constexpr int64_t kDaysFromYearZeroMarchToEpoch = 719'468;
constexpr int64_t kDaysPer400Years = 146'097;

struct Date {
  int year;
  int month;
  int day;
};

struct Time {
  int hour;
  int minute;
  int second;          // 60 for a leap second
  int micros;          // the fraction, truncated to the microsecond
  int offset_minutes;  // local time minus UTC
};

// Floor division: rounds toward negative infinity, as calendar arithmetic before the epoch needs.
constexpr int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t quotient = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient;
}

// Only ASCII '0'-'9': RFC 3339's DIGIT is the ABNF core rule, never a Unicode digit, and no locale.
using ascii::IsDigit;

// Reads `count` digits at p into *value. REQUIRES: p + count <= limit was checked by the caller.
bool ReadDigits(const char* p, int count, int* value) {
  int result = 0;
  for (int i = 0; i < count; ++i) {
    if (!IsDigit(p[i])) return false;
    result = result * 10 + (p[i] - '0');
  }
  *value = result;
  return true;
}

constexpr bool IsLeapYear(int64_t year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// full-date = date-fullyear "-" date-month "-" date-mday. Returns the end of what it read, or nullptr.
const char* ParseFullDate(const char* p, const char* limit, Date* date) {
  if (limit - p < 10) return nullptr;
  if (!ReadDigits(p, 4, &date->year) || p[4] != '-' || !ReadDigits(p + 5, 2, &date->month) || p[7] != '-' ||
      !ReadDigits(p + 8, 2, &date->day)) {
    return nullptr;
  }
  if (date->month < 1 || date->month > 12) return nullptr;
  if (date->day < 1 || date->day > DaysInMonth(date->year, date->month)) return nullptr;
  return p + 10;
}

// partial-time = time-hour ":" time-minute ":" time-second [time-secfrac]. The leap second is checked
// later, against the offset.
const char* ParsePartialTime(const char* p, const char* limit, Time* time) {
  if (limit - p < 8) return nullptr;
  if (!ReadDigits(p, 2, &time->hour) || p[2] != ':' || !ReadDigits(p + 3, 2, &time->minute) || p[5] != ':' ||
      !ReadDigits(p + 6, 2, &time->second)) {
    return nullptr;
  }
  if (time->hour > 23 || time->minute > 59 || time->second > 60) return nullptr;
  p += 8;
  time->micros = 0;
  if (p != limit && *p == '.') {
    ++p;
    const char* const digits = p;
    // Any number of digits is allowed; those past the sixth are dropped, which truncates toward the
    // past because the fraction is added to the whole second below it, never subtracted.
    int scale = 100'000;
    for (; p != limit && IsDigit(*p); ++p) {
      time->micros += (*p - '0') * scale;
      scale /= 10;
    }
    if (p == digits) return nullptr;  // time-secfrac = "." 1*DIGIT
  }
  return p;
}

// time-offset = "Z" / time-numoffset, time-numoffset = ("+" / "-") time-hour ":" time-minute.
const char* ParseTimeOffset(const char* p, const char* limit, Time* time) {
  if (p == limit) return nullptr;
  if (*p == 'Z' || *p == 'z') {
    time->offset_minutes = 0;
    return p + 1;
  }
  if (*p != '+' && *p != '-') return nullptr;
  if (limit - p < 6) return nullptr;
  int hours, minutes;
  if (!ReadDigits(p + 1, 2, &hours) || p[3] != ':' || !ReadDigits(p + 4, 2, &minutes)) return nullptr;
  if (hours > 23 || minutes > 59) return nullptr;
  // "-00:00" (offset unknown, RFC 3339 §4.3) names the same instant as "Z".
  time->offset_minutes = (*p == '-' ? -1 : 1) * (hours * 60 + minutes);
  return p + 6;
}

// full-time = partial-time time-offset, with RFC 3339 §5.7's leap second rule: ss = 60 only where the
// UTC time is 23:59 (the only minute to which a leap second is ever added).
const char* ParseFullTime(const char* p, const char* limit, Time* time) {
  p = ParsePartialTime(p, limit, time);
  if (p == nullptr) return nullptr;
  p = ParseTimeOffset(p, limit, time);
  if (p == nullptr) return nullptr;
  if (time->second == 60) {
    const int local_minute = time->hour * 60 + time->minute;
    const int utc_minute =
        ((local_minute - time->offset_minutes) % kMinutesPerDay + kMinutesPerDay) % kMinutesPerDay;
    if (utc_minute != 23 * 60 + 59) return nullptr;
  }
  return p;
}

// Days before March-based year `year_of_era` (0-400) of a 400-year era that starts on a March 1st.
constexpr int64_t DaysBeforeYearOfEra(int64_t year_of_era) {
  return 365 * year_of_era + year_of_era / 4 - year_of_era / 100 + year_of_era / 400;
}

void CivilFromDays(int64_t days, int64_t* year, int* month, int* day) {
  const int64_t from_year_zero = days + kDaysFromYearZeroMarchToEpoch;
  const int64_t era = FloorDiv(from_year_zero, kDaysPer400Years);
  const int64_t day_of_era = from_year_zero - era * kDaysPer400Years;  // [0, 146096]
  // 365 days a year overestimates by at most one year (an era has 97 leap days, fewer than 365).
  int64_t year_of_era = day_of_era / 365;
  while (DaysBeforeYearOfEra(year_of_era) > day_of_era) --year_of_era;
  const int64_t day_of_year = day_of_era - DaysBeforeYearOfEra(year_of_era);  // March 1st = 0
  // Months from March have 31, 30, 31, 30, 31 days, repeating: 153 days every five months.
  const int64_t month_from_march = (5 * day_of_year + 2) / 153;
  *day = static_cast<int>(day_of_year - (153 * month_from_march + 2) / 5 + 1);
  *month = static_cast<int>(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
  *year = era * 400 + year_of_era + (*month <= 2 ? 1 : 0);
}

// Writes `value` as exactly `width` digits ending at end[-1]. REQUIRES: 0 <= value < 10^width.
void WriteDigits(int64_t value, int width, char* end) {
  for (int i = 0; i < width; ++i) {
    *--end = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  const int64_t march_year = month <= 2 ? year - 1 : year;
  const int64_t month_from_march = month <= 2 ? month + 9 : month - 3;
  return 365 * march_year + FloorDiv(march_year, 4) - FloorDiv(march_year, 100) + FloorDiv(march_year, 400) +
         (153 * month_from_march + 2) / 5 + day - 1 - kDaysFromYearZeroMarchToEpoch;
}

bool ParseRfc3339DateTime(std::string_view text, int64_t* micros_utc) {
  const char* p = text.data();
  const char* const limit = p + text.size();
  Date date;
  Time time;
  p = ParseFullDate(p, limit, &date);
  if (p == nullptr || p == limit || (*p != 'T' && *p != 't')) return false;
  p = ParseFullTime(p + 1, limit, &time);
  if (p == nullptr || p != limit) return false;
  int second = time.second;
  int micros = time.micros;
  if (second == 60) {
    // POSIX time has no 23:59:60: the last representable instant of the UTC day keeps the order of
    // events and their UTC date.
    second = 59;
    micros = 999'999;
  }
  const int64_t seconds =
      DaysFromCivil(date.year, static_cast<unsigned>(date.month), static_cast<unsigned>(date.day)) * 86'400 +
      time.hour * 3'600 + time.minute * 60 + second - time.offset_minutes * 60;
  *micros_utc = seconds * kMicrosPerSecond + micros;
  return true;
}

bool IsRfc3339FullDate(std::string_view text) {
  Date date;
  const char* const limit = text.data() + text.size();
  const char* const end = ParseFullDate(text.data(), limit, &date);
  return end != nullptr && end == limit;  // a default string_view has data() == nullptr == limit
}

bool IsRfc3339FullTime(std::string_view text) {
  Time time;
  const char* const limit = text.data() + text.size();
  const char* const end = ParseFullTime(text.data(), limit, &time);
  return end != nullptr && end == limit;
}

void AppendRfc3339Micros(int64_t micros_utc, std::string* out) {
  // Truncating division then a correction: FloorDiv(micros, day) * day could overflow near INT64_MIN.
  int64_t days = micros_utc / kMicrosPerDay;
  int64_t micros_of_day = micros_utc % kMicrosPerDay;
  if (micros_of_day < 0) {
    micros_of_day += kMicrosPerDay;
    --days;
  }
  int64_t year;
  int month, day;
  CivilFromDays(days, &year, &month, &day);

  // int64 microseconds reach about ±292 000 years from 1970: years outside 0000-9999 are written with
  // a sign and as many digits as they need (the ISO 8601 expanded form), never truncated.
  char buffer[48];
  char* p = buffer;
  uint64_t magnitude = year < 0 ? static_cast<uint64_t>(-year) : static_cast<uint64_t>(year);
  if (year < 0) *p++ = '-';
  if (year > 9999) *p++ = '+';
  int year_digits = 4;
  for (uint64_t bound = 10'000; magnitude >= bound; bound *= 10) ++year_digits;
  p += year_digits;
  WriteDigits(static_cast<int64_t>(magnitude), year_digits, p);
  *p++ = '-';
  WriteDigits(month, 2, p += 2);
  *p++ = '-';
  WriteDigits(day, 2, p += 2);
  *p++ = 'T';
  const int64_t seconds_of_day = micros_of_day / kMicrosPerSecond;
  WriteDigits(seconds_of_day / 3'600, 2, p += 2);
  *p++ = ':';
  WriteDigits(seconds_of_day / 60 % 60, 2, p += 2);
  *p++ = ':';
  WriteDigits(seconds_of_day % 60, 2, p += 2);
  *p++ = '.';
  WriteDigits(micros_of_day % kMicrosPerSecond, 6, p += 6);
  *p++ = 'Z';
  out->append(buffer, static_cast<size_t>(p - buffer));
}

}  // namespace logdaemon::schema
