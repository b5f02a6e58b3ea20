#include "storage/file_names.h"

#include <cinttypes>
#include <cstdio>

#include "schema/rfc3339.h"
#include "schema/time_units.h"

namespace logdaemon::storage {

namespace {

constexpr std::string_view kFilePrefix = "logs_";

// Rounds toward negative infinity, so that 1969-12-31T23:59:59.5Z is in day -1, not day 0.
int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t quotient = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient;
}

struct CivilDate {
  int64_t year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

// The inverse of schema::DaysFromCivil (H. Hinnant's civil_from_days): eras of 400 years starting on
// March 1st, so the leap day is the last day of its year.
CivilDate CivilFromDays(int64_t days) {
  const int64_t z = days + 719'468;  // days since 0000-03-01
  const int64_t era = FloorDiv(z, 146'097);
  const int64_t day_of_era = z - era * 146'097;  // [0, 146096]
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36'524 - day_of_era / 146'096) / 365;  // [0, 399]
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);  // [0, 365]
  const int64_t month_from_march = (5 * day_of_year + 2) / 153;                // [0, 11]
  CivilDate date;
  date.day = static_cast<unsigned>(day_of_year - (153 * month_from_march + 2) / 5 + 1);
  date.month = static_cast<unsigned>(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
  date.year = year_of_era + era * 400 + (date.month <= 2 ? 1 : 0);
  return date;
}

bool IsLeapYear(int64_t year) {
  return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

unsigned DaysInMonth(int64_t year, unsigned month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// "YYYY-MM-DD"; years outside 0000-9999 (reachable only through extreme times) print as "-0001" or
// "10000", so that distinct partition keys keep distinct directories.
void AppendIsoDate(int64_t days, std::string* out) {
  const CivilDate date = CivilFromDays(days);
  char buffer[48];
  const int length =
      std::snprintf(buffer, sizeof buffer, "%s%04" PRId64 "-%02u-%02u", date.year < 0 ? "-" : "",
                    date.year < 0 ? -date.year : date.year, date.month, date.day);
  out->append(buffer, static_cast<size_t>(length));
}

// Consumes exactly `count` decimal digits from the front of *text into *value.
bool ConsumeFixedDigits(std::string_view* text, size_t count, int64_t* value) {
  if (text->size() < count) return false;
  int64_t result = 0;
  for (size_t i = 0; i < count; ++i) {
    const char c = (*text)[i];
    if (c < '0' || c > '9') return false;
    result = result * 10 + (c - '0');
  }
  *value = result;
  text->remove_prefix(count);
  return true;
}

// Consumes one or more decimal digits (no sign) that fit in uint64_t.
bool ConsumeSequenceNumber(std::string_view* text, uint64_t* value) {
  size_t i = 0;
  uint64_t result = 0;
  while (i < text->size() && (*text)[i] >= '0' && (*text)[i] <= '9') {
    const auto digit = static_cast<uint64_t>((*text)[i] - '0');
    if (result > (UINT64_MAX - digit) / 10) return false;
    result = result * 10 + digit;
    ++i;
  }
  if (i == 0) return false;
  *value = result;
  text->remove_prefix(i);
  return true;
}

bool ConsumeChar(std::string_view* text, char c) {
  if (text->empty() || text->front() != c) return false;
  text->remove_prefix(1);
  return true;
}

}  // namespace

std::string DataFileName(int64_t min_time_micros, SequenceRange range, FilePart part) {
  // A name has room for years 0000-9999 only; a time outside them (an offset can move a valid RFC 3339
  // time there) is clamped, so that the file stays a parseable, visible data file. The name's time is a
  // hint for people and retention; the rows carry the exact times.
  static const int64_t kMinSeconds = schema::DaysFromCivil(0, 1, 1) * kSecondsPerDay;
  static const int64_t kMaxSeconds =
      schema::DaysFromCivil(9999, 12, 31) * kSecondsPerDay + kSecondsPerDay - 1;
  int64_t seconds = FloorDiv(min_time_micros, kMicrosPerSecond);
  if (seconds < kMinSeconds) seconds = kMinSeconds;
  if (seconds > kMaxSeconds) seconds = kMaxSeconds;
  const int64_t days = FloorDiv(seconds, kSecondsPerDay);
  const int64_t second_of_day = seconds - days * kSecondsPerDay;
  const CivilDate date = CivilFromDays(days);

  char buffer[96];
  int length = std::snprintf(buffer, sizeof buffer, "logs_%04" PRId64 "%02u%02u_%02d%02d%02d_%06" PRIu64,
                             date.year, date.month, date.day, static_cast<int>(second_of_day / 3600),
                             static_cast<int>(second_of_day / 60 % 60), static_cast<int>(second_of_day % 60),
                             range.first);
  if (range.last != range.first) {
    length += std::snprintf(buffer + length, sizeof buffer - static_cast<size_t>(length), "-%06" PRIu64,
                            range.last);
  }
  if (part.count > 0) {
    length += std::snprintf(buffer + length, sizeof buffer - static_cast<size_t>(length), "_%uof%u",
                            part.index, part.count);
  }
  std::string name(buffer, static_cast<size_t>(length));
  name.append(kParquetSuffix);
  return name;
}

std::optional<ParsedFileName> ParseDataFileName(std::string_view name) {
  if (!name.starts_with(kFilePrefix) || !name.ends_with(kParquetSuffix)) return std::nullopt;
  std::string_view rest =
      name.substr(kFilePrefix.size(), name.size() - kFilePrefix.size() - kParquetSuffix.size());
  int64_t year, month, day, hour, minute, second;
  if (!ConsumeFixedDigits(&rest, 4, &year) || !ConsumeFixedDigits(&rest, 2, &month) ||
      !ConsumeFixedDigits(&rest, 2, &day) || !ConsumeChar(&rest, '_') ||
      !ConsumeFixedDigits(&rest, 2, &hour) || !ConsumeFixedDigits(&rest, 2, &minute) ||
      !ConsumeFixedDigits(&rest, 2, &second) || !ConsumeChar(&rest, '_')) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 ||
      day > static_cast<int64_t>(DaysInMonth(year, static_cast<unsigned>(month)))) {
    return std::nullopt;
  }
  if (hour > 23 || minute > 59 || second > 59) return std::nullopt;

  ParsedFileName parsed;
  if (!ConsumeSequenceNumber(&rest, &parsed.range.first)) return std::nullopt;
  parsed.range.last = parsed.range.first;
  if (ConsumeChar(&rest, '-') && !ConsumeSequenceNumber(&rest, &parsed.range.last)) return std::nullopt;
  if (ConsumeChar(&rest, '_')) {
    // "_<k>of<n>": part k of a merged file written as n parts, 1 <= k <= n, 2 <= n.
    uint64_t index = 0, count = 0;
    if (!ConsumeSequenceNumber(&rest, &index) || !ConsumeChar(&rest, 'o') || !ConsumeChar(&rest, 'f') ||
        !ConsumeSequenceNumber(&rest, &count)) {
      return std::nullopt;
    }
    if (count < 2 || count > kMaxFileParts || index < 1 || index > count) return std::nullopt;
    parsed.part = {static_cast<uint32_t>(index), static_cast<uint32_t>(count)};
  }
  if (!rest.empty() || parsed.range.first > parsed.range.last) return std::nullopt;

  const int64_t days = schema::DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  parsed.min_time_seconds = days * kSecondsPerDay + hour * 3600 + minute * 60 + second;
  return parsed;
}

int64_t PartitionKey(Partitioning partitioning, int64_t time_micros) {
  switch (partitioning) {
    case Partitioning::kDay:
      return FloorDiv(time_micros, kMicrosPerDay);
    case Partitioning::kHour:
      return FloorDiv(time_micros, kMicrosPerHour);
    case Partitioning::kNone:
      return 0;
  }
  return 0;
}

std::string PartitionPath(Partitioning partitioning, int64_t key) {
  std::string path;
  switch (partitioning) {
    case Partitioning::kDay:
      path = "dt=";
      AppendIsoDate(key, &path);
      break;
    case Partitioning::kHour: {
      path = "dt=";
      AppendIsoDate(FloorDiv(key, 24), &path);
      const int64_t hour = key - FloorDiv(key, 24) * 24;
      path += "/hour=";
      path += static_cast<char>('0' + hour / 10);
      path += static_cast<char>('0' + hour % 10);
      break;
    }
    case Partitioning::kNone:
      break;
  }
  return path;
}

int64_t PartitionStartMicros(Partitioning partitioning, int64_t key) {
  switch (partitioning) {
    case Partitioning::kDay:
      return key * kMicrosPerDay;
    case Partitioning::kHour:
      return key * kMicrosPerHour;
    case Partitioning::kNone:
      return 0;
  }
  return 0;
}

}  // namespace logdaemon::storage
