#include "schema/rfc3339.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <string_view>

namespace logdaemon::schema {
namespace rfc3339_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using namespace std::string_view_literals;

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kDay = 86'400 * kSecond;
constexpr int64_t kSentinel = 0x5A5A5A5A;

// The instant of `text`, or kSentinel if it does not parse (the output must then be left alone).
int64_t Micros(std::string_view text) {
  int64_t micros = kSentinel;
  if (!ParseRfc3339DateTime(text, &micros)) {
    EXPECT_EQ(micros, kSentinel) << text;
  }
  return micros;
}

bool Parses(std::string_view text) {
  int64_t micros;
  return ParseRfc3339DateTime(text, &micros);
}

std::string Format(int64_t micros) {
  std::string out;
  AppendRfc3339Micros(micros, &out);
  return out;
}

TEST(Rfc3339DateTime, UtcBecomesMicrosecondsSinceTheEpoch) {
  EXPECT_EQ(Micros("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(Micros("1970-01-01T00:00:01Z"), kSecond);
  EXPECT_EQ(Micros("2026-01-15T19:00:00Z"), 1'768'503'600'000'000);
  EXPECT_EQ(Micros("2000-02-29T12:00:00Z"), 951'825'600'000'000);
}

TEST(Rfc3339DateTime, NumericOffsetsAreNormalisedToUtc) {
  EXPECT_EQ(Micros("2026-01-15T20:30:00+01:30"), 1'768'503'600'000'000);
  EXPECT_EQ(Micros("2026-01-15T11:00:00-08:00"), 1'768'503'600'000'000);
  // The offset moves the UTC date: a day forward and a day back.
  EXPECT_EQ(Micros("2026-01-16T18:59:00+23:59"), 1'768'503'600'000'000);
  EXPECT_EQ(Micros("2026-01-14T19:01:00-23:59"), 1'768'503'600'000'000);
  EXPECT_EQ(Micros("1937-01-01T12:00:27.87+00:20"), -1'041'337'172'130'000);
}

// RFC 3339 §4.3: "-00:00" says the local offset is unknown; the instant is the UTC one.
TEST(Rfc3339DateTime, UnknownLocalOffsetIsUtc) {
  EXPECT_EQ(Micros("2026-01-15T19:00:00-00:00"), 1'768'503'600'000'000);
  EXPECT_EQ(Micros("2026-01-15T19:00:00+00:00"), 1'768'503'600'000'000);
}

// RFC 3339 §5.6 NOTE: "T" and "Z" may be written in lower case.
TEST(Rfc3339DateTime, LowerCaseTAndZAreAccepted) {
  EXPECT_EQ(Micros("2026-01-15t19:00:00z"), 1'768'503'600'000'000);
  EXPECT_EQ(Micros("1963-06-19t08:30:06.283185z"), -206'292'593'716'815);
  EXPECT_FALSE(Parses("2026-01-15 19:00:00Z"));  // a space is ISO 8601 leniency, not RFC 3339 syntax
  EXPECT_FALSE(Parses("2026-01-15x19:00:00Z"));
  EXPECT_FALSE(Parses("2026-01-15T19:00:00UTC"));
}

TEST(Rfc3339DateTime, FractionsKeepMicroseconds) {
  EXPECT_EQ(Micros("1970-01-01T00:00:00.5Z"), 500'000);
  EXPECT_EQ(Micros("1970-01-01T00:00:00.000001Z"), 1);
  EXPECT_EQ(Micros("1970-01-01T00:00:00.123456Z"), 123'456);
  EXPECT_EQ(Micros("1963-06-19T08:30:06.283185Z"), -206'292'593'716'815);
  EXPECT_FALSE(Parses("1970-01-01T00:00:00.Z"));  // time-secfrac = "." 1*DIGIT
  EXPECT_FALSE(Parses("1970-01-01T00:00:00,5Z"));
}

TEST(Rfc3339DateTime, FractionsBeyondTheMicrosecondAreTruncatedTowardThePast) {
  EXPECT_EQ(Micros("1970-01-01T00:00:00.1234567Z"), 123'456);
  EXPECT_EQ(Micros("1970-01-01T00:00:00.0000009Z"), 0);
  EXPECT_EQ(Micros("1985-04-12T00:59:59.999999999999999Z"), 482'115'599'999'999);
  // Before the epoch the instant is negative; the past is still the more negative value.
  EXPECT_EQ(Micros("1969-12-31T23:59:59.9999999Z"), -1);
  EXPECT_EQ(Micros("1969-12-31T23:59:59.0000001Z"), -kSecond);
  EXPECT_EQ(Micros("1969-12-31T23:59:59.0000009-00:30"), -kSecond + 1'800 * kSecond);
}

TEST(Rfc3339DateTime, YearsBeforeTheEpochAreNegative) {
  EXPECT_EQ(Micros("1969-12-31T23:59:59Z"), -kSecond);
  EXPECT_EQ(Micros("1900-03-01T00:00:00Z"), -25'508 * kDay);
  EXPECT_EQ(Micros("0001-01-01T00:00:00Z"), -62'135'596'800'000'000);
  EXPECT_EQ(Micros("0000-01-01T00:00:00Z"), -62'167'219'200'000'000);
  // An offset may move the instant before year 0000.
  EXPECT_EQ(Micros("0000-01-01T00:00:00+01:00"), -62'167'219'200'000'000 - 3'600 * kSecond);
}

TEST(Rfc3339DateTime, YearsUpTo9999) {
  EXPECT_EQ(Micros("9999-12-31T23:59:59.999999Z"), 253'402'300'799'999'999);
  EXPECT_EQ(Micros("9999-12-31T23:59:59.999999-23:59"), 253'402'300'799'999'999 + 1'439 * 60 * kSecond);
  EXPECT_FALSE(Parses("+11963-06-19T08:30:06.283185Z"));
  EXPECT_FALSE(Parses("10000-01-01T00:00:00Z"));
  EXPECT_FALSE(Parses("-0001-01-01T00:00:00Z"));
}

// RFC 3339 §5.7: second 60 only in the last minute of the UTC day; stored as 23:59:59.999999 UTC.
TEST(Rfc3339DateTime, LeapSecondOnlyAt235960Utc) {
  constexpr int64_t kLastMicrosOf1998 = 915'148'799'999'999;
  EXPECT_EQ(Micros("1998-12-31T23:59:60Z"), kLastMicrosOf1998);
  EXPECT_EQ(Micros("1998-12-31T23:59:60.5Z"), kLastMicrosOf1998);
  EXPECT_EQ(Micros("1998-12-31T15:59:60.123-08:00"), kLastMicrosOf1998);
  // Local time on the next day, UTC still the last minute of 1998: the UTC date is kept.
  EXPECT_EQ(Micros("1999-01-01T00:29:60+00:30"), kLastMicrosOf1998);
  EXPECT_FALSE(Parses("1998-12-31T23:59:61Z"));
  EXPECT_FALSE(Parses("1998-12-31T23:58:60Z"));
  EXPECT_FALSE(Parses("1998-12-31T22:59:60Z"));
  EXPECT_FALSE(Parses("1998-12-31T23:59:60+01:00"));
  EXPECT_FALSE(Parses("2016-12-31T24:59:60+01:00"));
}

TEST(Rfc3339DateTime, FieldsAreRangeChecked) {
  EXPECT_TRUE(Parses("2026-12-31T23:59:59+23:59"));
  EXPECT_FALSE(Parses("2026-13-01T00:00:00Z"));
  EXPECT_FALSE(Parses("2026-00-01T00:00:00Z"));
  EXPECT_FALSE(Parses("2026-01-00T00:00:00Z"));
  EXPECT_FALSE(Parses("2026-01-32T00:00:00Z"));
  EXPECT_FALSE(Parses("1990-02-31T15:59:59.123-08:00"));
  EXPECT_FALSE(Parses("1990-12-31T24:00:00Z"));
  EXPECT_FALSE(Parses("1990-12-31T15:60:00Z"));
  EXPECT_FALSE(Parses("1990-12-31T10:00:00+10:60"));
  EXPECT_FALSE(Parses("1990-12-31T15:59:59-24:00"));
  EXPECT_FALSE(Parses("1990-12-31T99:99:99Z"));
}

TEST(Rfc3339DateTime, OffsetIsRequiredAndComplete) {
  EXPECT_FALSE(Parses("2026-01-15T19:00:00"));
  EXPECT_FALSE(Parses("2026-01-15T19:00:00.5"));
  EXPECT_FALSE(Parses("1985-04-12T23:20:50+01"));
  EXPECT_FALSE(Parses("1985-04-12T23:20:50+0100"));
  EXPECT_FALSE(Parses("1985-04-12T23:20:50+1:00"));
  EXPECT_FALSE(Parses("1963-06-19T08:30:06.28123+01:00Z"));
  EXPECT_FALSE(Parses("2026-01-15T19:00:00Z+01:00"));
}

TEST(Rfc3339DateTime, OtherIso8601FormsAreRejected) {
  EXPECT_FALSE(Parses("2013-350T01:01:01Z"));
  EXPECT_FALSE(Parses("20260115T190000Z"));
  EXPECT_FALSE(Parses("2026-W03-4T19:00:00Z"));
  EXPECT_FALSE(Parses("1963-6-19T08:30:06Z"));
  EXPECT_FALSE(Parses("1963-06-1T08:30:06Z"));
  EXPECT_FALSE(Parses("2026-01-15T19:00Z"));
  EXPECT_FALSE(Parses("06/19/1963 08:30:06 PST"));
}

TEST(Rfc3339DateTime, HostileInputIsRejected) {
  const std::string valid = "2026-01-15T19:00:00.123456+01:00";
  ASSERT_TRUE(Parses(valid));
  for (size_t length = 0; length < valid.size(); ++length) {
    EXPECT_FALSE(Parses(std::string_view(valid).substr(0, length))) << length;
  }
  EXPECT_FALSE(Parses(""));
  EXPECT_FALSE(Parses(std::string_view()));  // data() == nullptr
  EXPECT_FALSE(IsRfc3339FullDate(std::string_view()));
  EXPECT_FALSE(IsRfc3339FullTime(std::string_view()));
  EXPECT_FALSE(Parses("2026-01-15T19:00:00Z\n"));
  EXPECT_FALSE(Parses(" 2026-01-15T19:00:00Z"));
  EXPECT_FALSE(Parses("2026-01-15T19:00:00Z\0"sv));
  EXPECT_FALSE(Parses("2026-01-15T19:00\0:00Z"sv));
  EXPECT_FALSE(Parses("1963-06-1\u09eaT00:00:00Z"));  // a Bengali digit four
  EXPECT_FALSE(Parses("1963-06-11T0\u09ea:00:00Z"));
  EXPECT_FALSE(Parses("\xff\xff\xff\xff-01-15T19:00:00Z"));
  EXPECT_FALSE(Parses("9999999999999999999999-01-15T19:00:00Z"));
}

TEST(Rfc3339DateTime, AMegabyteOfFractionDigitsIsTruncated) {
  std::string text = "2026-01-15T19:00:00.";
  text.append(1 << 20, '9');
  text += 'Z';
  EXPECT_EQ(Micros(text), 1'768'503'600'999'999);
  text[text.size() - 2] = 'x';  // a non-digit at the end of the fraction
  EXPECT_FALSE(Parses(text));
}

TEST(Rfc3339FullDate, DaysAreCheckedAgainstTheMonthAndLeapYears) {
  EXPECT_TRUE(IsRfc3339FullDate("2026-01-15"));
  EXPECT_TRUE(IsRfc3339FullDate("2020-01-31"));
  EXPECT_FALSE(IsRfc3339FullDate("2020-04-31"));
  EXPECT_TRUE(IsRfc3339FullDate("2020-02-29"));
  EXPECT_FALSE(IsRfc3339FullDate("2021-02-29"));
  EXPECT_FALSE(IsRfc3339FullDate("1900-02-29"));
  EXPECT_TRUE(IsRfc3339FullDate("2000-02-29"));
  EXPECT_TRUE(IsRfc3339FullDate("0400-02-29"));
  EXPECT_FALSE(IsRfc3339FullDate("0100-02-29"));
  EXPECT_TRUE(IsRfc3339FullDate("0000-01-01"));
  EXPECT_TRUE(IsRfc3339FullDate("1582-10-10"));  // proleptic Gregorian: no Julian gap
}

TEST(Rfc3339FullDate, OnlyTheDate) {
  EXPECT_FALSE(IsRfc3339FullDate(""));
  EXPECT_FALSE(IsRfc3339FullDate("2020-01-01Z"));
  EXPECT_FALSE(IsRfc3339FullDate("2020-11-28T23:55:45Z"));
  EXPECT_FALSE(IsRfc3339FullDate("2020-01-01\0"sv));
  EXPECT_FALSE(IsRfc3339FullDate("20230328"));
  EXPECT_FALSE(IsRfc3339FullDate("12020-01-01"));
  EXPECT_FALSE(IsRfc3339FullDate("2020-1-01"));
  EXPECT_FALSE(IsRfc3339FullDate("2020\u201301\u201301"));
}

TEST(Rfc3339FullTime, OffsetIsRequired) {
  EXPECT_TRUE(IsRfc3339FullTime("08:30:06Z"));
  EXPECT_TRUE(IsRfc3339FullTime("08:30:06z"));
  EXPECT_TRUE(IsRfc3339FullTime("23:20:50.52+05:30"));
  EXPECT_TRUE(IsRfc3339FullTime("12:34:56-00:00"));
  EXPECT_FALSE(IsRfc3339FullTime("12:00:00"));
  EXPECT_FALSE(IsRfc3339FullTime("12:00:00.52"));
  EXPECT_FALSE(IsRfc3339FullTime("08:30:06 PST"));
  EXPECT_FALSE(IsRfc3339FullTime("08:30:06#00:20"));
  EXPECT_FALSE(IsRfc3339FullTime("01:02:03Z+00:30"));
  EXPECT_FALSE(IsRfc3339FullTime("2020-11-28T23:55:45Z"));
  EXPECT_FALSE(IsRfc3339FullTime(""));
  EXPECT_FALSE(IsRfc3339FullTime("8:3:6Z"));
}

// Without a date, the leap second rule still applies to the time converted to UTC.
TEST(Rfc3339FullTime, LeapSecondOnlyAt2359Utc) {
  EXPECT_TRUE(IsRfc3339FullTime("23:59:60Z"));
  EXPECT_TRUE(IsRfc3339FullTime("01:29:60+01:30"));
  EXPECT_TRUE(IsRfc3339FullTime("23:29:60+23:30"));
  EXPECT_TRUE(IsRfc3339FullTime("15:59:60-08:00"));
  EXPECT_TRUE(IsRfc3339FullTime("00:29:60-23:30"));
  EXPECT_FALSE(IsRfc3339FullTime("22:59:60Z"));
  EXPECT_FALSE(IsRfc3339FullTime("23:58:60+00:00"));
  EXPECT_FALSE(IsRfc3339FullTime("23:59:60+01:00"));
  EXPECT_FALSE(IsRfc3339FullTime("23:59:60-00:30"));
  EXPECT_FALSE(IsRfc3339FullTime("00:00:61Z"));
}

TEST(DaysFromCivil, CountsFromTheEpochInTheProlepticGregorianCalendar) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11'017);
  EXPECT_EQ(DaysFromCivil(1600, 2, 29), -135'081);
  EXPECT_EQ(DaysFromCivil(0, 1, 1), -719'528);
  EXPECT_EQ(DaysFromCivil(9999, 12, 31), 2'932'896);
  EXPECT_EQ(DaysFromCivil(-1, 12, 31), -719'529);
  EXPECT_EQ(DaysFromCivil(-400, 1, 1), -719'528 - 146'097);
}

TEST(DaysFromCivil, ConsecutiveDaysDifferByOne) {
  int64_t previous = DaysFromCivil(-801, 12, 31);
  static constexpr unsigned kDaysInMonth[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  for (int64_t year = -800; year <= 2400; ++year) {
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    for (unsigned month = 1; month <= 12; ++month) {
      const unsigned days = kDaysInMonth[month - 1] + (month == 2 && leap ? 1 : 0);
      for (unsigned day = 1; day <= days; ++day) {
        const int64_t current = DaysFromCivil(year, month, day);
        ASSERT_EQ(current, previous + 1) << year << "-" << month << "-" << day;
        previous = current;
      }
    }
  }
}

TEST(AppendRfc3339Micros, WritesSixFractionDigitsAndZ) {
  EXPECT_EQ(Format(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(Format(1'768'503'600'000'000), "2026-01-15T19:00:00.000000Z");
  EXPECT_EQ(Format(1'768'503'600'000'042), "2026-01-15T19:00:00.000042Z");
  EXPECT_EQ(Format(951'825'600'000'000), "2000-02-29T12:00:00.000000Z");
  EXPECT_EQ(Format(253'402'300'799'999'999), "9999-12-31T23:59:59.999999Z");
}

TEST(AppendRfc3339Micros, NegativeInstantsRoundToThePast) {
  EXPECT_EQ(Format(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(Format(-kSecond), "1969-12-31T23:59:59.000000Z");
  EXPECT_EQ(Format(-kDay), "1969-12-31T00:00:00.000000Z");
  EXPECT_EQ(Format(-206'292'593'716'815), "1963-06-19T08:30:06.283185Z");
  EXPECT_EQ(Format(-62'167'219'200'000'000), "0000-01-01T00:00:00.000000Z");
}

TEST(AppendRfc3339Micros, AppendsWithoutClearing) {
  std::string out = "at ";
  AppendRfc3339Micros(0, &out);
  EXPECT_EQ(out, "at 1970-01-01T00:00:00.000000Z");
}

// Years outside 0000-9999 (reached through offsets, or any int64 from elsewhere) get a sign.
TEST(AppendRfc3339Micros, YearsOutsideFourDigitsAreSigned) {
  EXPECT_EQ(Format(-62'167'219'200'000'001), "-0001-12-31T23:59:59.999999Z");
  EXPECT_EQ(Format(253'402'300'800'000'000), "+10000-01-01T00:00:00.000000Z");
  EXPECT_EQ(Format(std::numeric_limits<int64_t>::max()), "+294247-01-10T04:00:54.775807Z");
  EXPECT_EQ(Format(std::numeric_limits<int64_t>::min()), "-290308-12-21T19:59:05.224192Z");
}

TEST(AppendRfc3339Micros, RoundTripsThroughTheParser) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int64_t> instant(-62'167'219'200'000'000, 253'402'300'799'999'999);
  for (int i = 0; i < 100'000; ++i) {
    const int64_t micros = instant(rng);
    const std::string text = Format(micros);
    ASSERT_EQ(Micros(text), micros) << text;
  }
}

}  // namespace
}  // namespace rfc3339_test
}  // namespace logdaemon::schema
