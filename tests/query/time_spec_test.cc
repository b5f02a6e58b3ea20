// --since / --until: every accepted form, and hostile input that must be refused with a message that says
// what is accepted (query/time_spec.h).
#include "query/time_spec.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace logdaemon::query {
namespace time_spec_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using namespace std::string_view_literals;

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;
// 2026-01-15T12:00:00Z: 20468 days after the epoch.
constexpr int64_t kNow = 20'468 * kDay + 12 * kHour;

constexpr std::string_view kAccepted =
    ": use RFC 3339 (2026-01-15T19:00:00Z), a date (2026-01-15) or a duration (30s, 15m, 2h, 7d)";

int64_t Instant(std::string_view text, int64_t now = kNow) {
  Result<int64_t> result = ParseTimeSpec(text, now);
  EXPECT_TRUE(result.ok()) << text << ": " << result.status().ToString();
  return result.ok() ? *result : std::numeric_limits<int64_t>::min();
}

// The message of the error for `text`, "" when it parses.
std::string Error(std::string_view text, int64_t now = kNow) {
  Result<int64_t> result = ParseTimeSpec(text, now);
  if (result.ok()) return "";
  EXPECT_EQ(result.status().code(), Status::Code::kInvalidArgument);
  return result.status().message();
}

TEST(TimeSpec, DateTimeInUtc) {
  EXPECT_EQ(Instant("2026-01-15T19:00:00Z"), 20'468 * kDay + 19 * kHour);
  EXPECT_EQ(Instant("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(Instant("2026-01-15t19:00:00z"), 20'468 * kDay + 19 * kHour);  // RFC 3339 §5.6 note
}

TEST(TimeSpec, DateTimeOffsetsAreNormalisedToUtc) {
  EXPECT_EQ(Instant("2026-01-15T21:00:00+02:00"), 20'468 * kDay + 19 * kHour);
  EXPECT_EQ(Instant("2026-01-15T13:30:00-05:30"), 20'468 * kDay + 19 * kHour);
  EXPECT_EQ(Instant("2026-01-15T19:00:00-00:00"), 20'468 * kDay + 19 * kHour);
  // The offset moves the instant across midnight, and across a year.
  EXPECT_EQ(Instant("2026-01-16T01:00:00+06:00"), 20'468 * kDay + 19 * kHour);
  EXPECT_EQ(Instant("2025-12-31T23:30:00-01:00"), 20'454 * kDay + 30 * kMinute);
}

TEST(TimeSpec, DateTimeFractionsToTheMicrosecond) {
  EXPECT_EQ(Instant("1970-01-01T00:00:00.5Z"), 500'000);
  EXPECT_EQ(Instant("1970-01-01T00:00:00.123456Z"), 123'456);
  EXPECT_EQ(Instant("1970-01-01T00:00:00.1234567Z"), 123'456);  // truncated
}

TEST(TimeSpec, SpaceInsteadOfT) {
  EXPECT_EQ(Instant("2026-01-15 19:00:00Z"), 20'468 * kDay + 19 * kHour);
  EXPECT_EQ(Instant("2026-01-15 21:00:00+02:00"), 20'468 * kDay + 19 * kHour);
}

TEST(TimeSpec, LeapSecondIsTheLastMicrosecondOfTheDay) {
  EXPECT_EQ(Instant("2016-12-31T23:59:60Z"), Instant("2017-01-01T00:00:00Z") - 1);
}

TEST(TimeSpec, DateIsMidnightUtc) {
  EXPECT_EQ(Instant("2026-01-15"), 20'468 * kDay);
  EXPECT_EQ(Instant("1970-01-01"), 0);
  EXPECT_EQ(Instant("1969-12-31"), -kDay);
  EXPECT_EQ(Instant("0000-01-01"), -719'528 * kDay);
  EXPECT_EQ(Instant("9999-12-31"), 2'932'896 * kDay);
}

TEST(TimeSpec, LeapYears) {
  EXPECT_EQ(Instant("2024-02-29"), Instant("2024-03-01") - kDay);
  EXPECT_EQ(Instant("2000-02-29"), Instant("2000-03-01") - kDay);  // divisible by 400
  EXPECT_NE(Error("2026-02-29"), "");
  EXPECT_NE(Error("1900-02-29"), "");  // divisible by 100, not 400
  EXPECT_NE(Error("2100-02-29T00:00:00Z"), "");
  EXPECT_EQ(Instant("2024-12-31") - Instant("2024-01-01"), 365 * kDay);
}

TEST(TimeSpec, DurationsCountBackFromNow) {
  EXPECT_EQ(Instant("30s"), kNow - 30 * kSecond);
  EXPECT_EQ(Instant("15m"), kNow - 15 * kMinute);
  EXPECT_EQ(Instant("2h"), kNow - 2 * kHour);
  EXPECT_EQ(Instant("7d"), kNow - 7 * kDay);
  EXPECT_EQ(Instant("1w"), kNow - 7 * kDay);
  EXPECT_EQ(Instant("0s"), kNow);
  EXPECT_EQ(Instant("007m"), kNow - 7 * kMinute);
}

TEST(TimeSpec, DurationsCombine) {
  EXPECT_EQ(Instant("1h30m"), kNow - 90 * kMinute);
  EXPECT_EQ(Instant("1d12h"), kNow - 36 * kHour);
  EXPECT_EQ(Instant("1m1m"), kNow - 2 * kMinute);
}

TEST(TimeSpec, Now) {
  EXPECT_EQ(Instant("now"), kNow);
  EXPECT_EQ(Instant("NOW"), kNow);
}

TEST(TimeSpec, UnknownTextSaysWhatIsAccepted) {
  Result<int64_t> result = ParseTimeSpec("15x", kNow);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().WithContext("--since").message(),
            std::string("--since: \"15x\" is not a time").append(kAccepted));
  EXPECT_EQ(Error("yesterday"), std::string("\"yesterday\" is not a time").append(kAccepted));
}

TEST(TimeSpec, SpecificHints) {
  EXPECT_EQ(Error(""), std::string("\"\" is not a time (empty)").append(kAccepted));
  EXPECT_EQ(Error("15"), std::string("\"15\" is not a time (a duration needs a unit)").append(kAccepted));
  EXPECT_EQ(
      Error("2026-01-15T19:00:00"),
      std::string("\"2026-01-15T19:00:00\" is not a time (no UTC offset: add Z for UTC, or one like +02:00)")
          .append(kAccepted));
}

TEST(TimeSpec, MalformedDurations) {
  for (std::string_view text : {"2H", "2M", "1y", "1mo", "2.5h", "-2h", "+2h", "h", "1h30", "2 h", "1h 30m",
                                "1_000s", "١s" /* Arabic-Indic digit one */, "2hh"}) {
    EXPECT_NE(Error(text), "") << text;
  }
}

TEST(TimeSpec, MalformedDates) {
  for (std::string_view text :
       {"2026-13-01", "2026-00-10", "2026-01-32", "2026-1-15", "26-01-15", "2026/01/15", "2026-01-15Z",
        "2026-01-15T", "2026-01-15T24:00:00Z", "2026-01-15T19:60:00Z", "2026-01-15T19:00:00+24:00",
        "2026-01-15T19:00Z", "2026-01-15T19:00:00.Z",
        "2026-01-15T12:59:60Z" /* leap second not at 23:59 UTC */, "2026-01-15  19:00:00Z",
        "20260115T190000Z"}) {
    EXPECT_NE(Error(text), "") << text;
  }
}

TEST(TimeSpec, SpacesAreNotTrimmed) {
  for (std::string_view text : {" 2h", "2h ", " ", "\t2h", "2026-01-15 ", " 2026-01-15T19:00:00Z", "now "}) {
    EXPECT_NE(Error(text), "") << text;
  }
}

TEST(TimeSpec, NulAndControlBytesAreRefusedAndShownEscaped) {
  EXPECT_EQ(Error("2h\0"sv), std::string("\"2h\\x00\" is not a time").append(kAccepted));
  EXPECT_EQ(Error("\0"sv), std::string("\"\\x00\" is not a time").append(kAccepted));
  EXPECT_EQ(Error("2026-01-15\0"sv), std::string("\"2026-01-15\\x00\" is not a time").append(kAccepted));
  EXPECT_EQ(Error("\x1b[31m"sv), std::string("\"\\x1b[31m\" is not a time").append(kAccepted));
  EXPECT_EQ(Error("\"\\\xff"sv), std::string("\"\\\"\\\\\\xff\" is not a time").append(kAccepted));
}

TEST(TimeSpec, LongTextIsShortenedInTheMessage) {
  const std::string text(10'000, '7');
  const std::string message = Error(text + "x");
  EXPECT_EQ(message, std::string("\"").append(64, '7').append("…\" is not a time").append(kAccepted));
}

TEST(TimeSpec, OverflowingDurationsAreErrorsNotWrapped) {
  EXPECT_EQ(Error("999999999999d"), "\"999999999999d\" is too long a duration");
  EXPECT_EQ(Error("9223372036854775807s"), "\"9223372036854775807s\" is too long a duration");
  EXPECT_EQ(Error("99999999999999999999999999s"), "\"99999999999999999999999999s\" is too long a duration");
  EXPECT_EQ(Error("106751991d106751991d"), "\"106751991d106751991d\" is too long a duration");
  // The largest number of whole days in int64 microseconds still fits …
  EXPECT_EQ(Instant("106751991d"), kNow - 106'751'991 * kDay);
  // … and one more week does not.
  EXPECT_EQ(Error("15250285w"), "\"15250285w\" is too long a duration");
  // Too long, but not a duration either: the general message.
  EXPECT_EQ(Error("99999999999999999999999x"),
            std::string("\"99999999999999999999999x\" is not a time").append(kAccepted));
}

TEST(TimeSpec, ResultBeforeTheInt64RangeIsAnError) {
  const int64_t early = std::numeric_limits<int64_t>::min() + kSecond;
  EXPECT_EQ(Instant("1s", early), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(Error("2s", early), "\"2s\" is too far in the past");
  EXPECT_EQ(Error("106751991d", -kNow), "\"106751991d\" is too far in the past");
}

}  // namespace
}  // namespace time_spec_test
}  // namespace logdaemon::query
