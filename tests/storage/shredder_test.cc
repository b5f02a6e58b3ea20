#include "storage/shredder.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "logdaemon/schema.h"
#include "schema/rfc3339.h"
#include "storage/file_names.h"

// The shredder's promise (shredder.h): no allocation per row once the batch's buffers have grown.
// Counted with tests/support/allocation_counter.h (this is the one file of the binary that includes it).
#include "support/allocation_counter.h"

namespace logdaemon::storage {
namespace shredder_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

constexpr int64_t kMicrosPerHour = int64_t{3600} * 1000000;
constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;
// 2026-01-15T19:00:00Z
const int64_t kJan15 = schema::DaysFromCivil(2026, 1, 15) * kMicrosPerDay + 19 * kMicrosPerHour;
constexpr int64_t kNow = int64_t{1700000000} * 1000000;  // 2023-11-14T22:13:20Z

constexpr const char* kCustomSchema = R"({
  "type": "object",
  "properties": {
    "timestamp": {"type": "string", "format": "date-time"},
    "app_id": {"type": "string"},
    "user_id": {"type": "integer"},
    "score": {"type": "number"},
    "ok": {"type": "boolean"},
    "tags": {"type": "array", "items": {"type": "string"}},
    "payload": {},
    "seen_at": {"type": "string", "format": "date-time"},
    "maybe": {"type": ["string", "null"]}
  },
  "required": ["timestamp", "app_id", "payload", "maybe"]
})";

// Column indexes of kCustomSchema's layout.
enum Custom { kTimestamp, kAppId, kUserId, kScore, kOk, kTags, kPayload, kSeenAt, kMaybe, kExtra };

TableLayout DefaultLayout() {
  auto validator = SchemaValidator::DefaultSchema();
  EXPECT_TRUE(validator.ok()) << validator.status().ToString();
  return validator->layout();
}

TableLayout CustomLayout() {
  auto validator = SchemaValidator::FromString(kCustomSchema);
  EXPECT_TRUE(validator.ok()) << validator.status().ToString();
  return validator->layout();
}

// The batch's shape: what "unchanged" means after a rejected log.
struct Shape {
  size_t rows;
  std::vector<size_t> def_levels, values, bytes;
  size_t keys, times;
  bool operator==(const Shape&) const = default;
};
Shape ShapeOf(const RowBatch& batch) {
  Shape shape{batch.num_rows(), {}, {}, {}, batch.partition_keys().size(), batch.row_times().size()};
  for (const ColumnBuffer& c : batch.columns()) {
    shape.def_levels.push_back(c.def_levels.size());
    shape.values.push_back(c.num_values());
    shape.bytes.push_back(c.bytes.bytes.size());
  }
  return shape;
}

class ShredderTest : public ::testing::Test {
 protected:
  Status Shred(Shredder& shredder, RowBatch& batch, std::string_view json, int64_t now = kNow,
               TimeWindow window = {}) {
    simdjson::padded_string padded(json);
    simdjson::dom::element doc;
    auto error = parser_.parse(padded).get(doc);
    EXPECT_EQ(error, simdjson::SUCCESS) << json;
    if (error != simdjson::SUCCESS) return Status::InvalidArgument("test: bad JSON");
    // Check (a log bound for the write-ahead log's backlog) must refuse exactly what Append refuses, with
    // the same message, and write nothing: every case of this file asserts it.
    Shape before = ShapeOf(batch);
    Status checked = shredder.Check(doc, window);
    EXPECT_EQ(ShapeOf(batch), before) << "Check wrote to the batch: " << json;
    Status appended = shredder.Append(doc, now, 77, window, &batch);
    EXPECT_EQ(checked.code(), appended.code()) << json;
    EXPECT_EQ(checked.message(), appended.message()) << json;
    return appended;
  }
  // Shreds one valid document into a fresh batch and expects success.
  void ShredOk(Shredder& shredder, RowBatch& batch, std::string_view json) {
    Status status = Shred(shredder, batch, json);
    ASSERT_TRUE(status.ok()) << status.ToString() << " for " << json;
  }
  // Expects `json` to be rejected with `message`, leaving the batch exactly as it was.
  void ExpectRejected(Shredder& shredder, RowBatch& batch, std::string_view json, std::string_view message) {
    Shape before = ShapeOf(batch);
    Status status = Shred(shredder, batch, json);
    EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << json;
    EXPECT_EQ(status.message(), message) << json;
    EXPECT_EQ(ShapeOf(batch), before) << json;
  }
  // Minified JSON of `json` through AppendMinifiedJson.
  std::string Minify(std::string_view json) {
    simdjson::padded_string padded(json);
    simdjson::dom::element doc;
    EXPECT_EQ(parser_.parse(padded).get(doc), simdjson::SUCCESS) << json;
    parquet::ByteBuffer out;
    AppendMinifiedJson(doc, &out);
    return std::string(out.view());
  }

  simdjson::dom::parser parser_;
};

std::string Bytes(const RowBatch& batch, size_t column, size_t k) {
  return std::string(batch.columns()[column].bytes[k]);
}

TEST_F(ShredderTest, DefaultSchemaRows) {
  TableLayout layout = DefaultLayout();
  ASSERT_EQ(layout.columns.size(), 7u);  // six properties and _extra
  ASSERT_EQ(layout.time_column, 0);
  ASSERT_EQ(layout.extra_column, 6);
  Shredder shredder(layout, Partitioning::kDay);
  RowBatch batch(layout);
  ShredOk(shredder, batch,
          R"({"timestamp":"2026-01-15T20:00:00.5+01:00","level":"info","message":"Hello",)"
          R"("service":"billing","trace_id":"abc","metadata":{"pid": 1, "nested": {"a": [1, 2.5, "x"]}}})");
  ShredOk(shredder, batch, R"({"message":"second","level":"warn","timestamp":"2026-01-16T00:00:00Z"})");
  ASSERT_EQ(batch.num_rows(), 2u);
  const auto& cols = batch.columns();
  EXPECT_EQ(cols[0].int64s, (std::vector<int64_t>{kJan15 + 500000, kJan15 + 5 * kMicrosPerHour}));
  EXPECT_TRUE(cols[0].required);
  EXPECT_EQ(Bytes(batch, 1, 0), "info");
  EXPECT_EQ(Bytes(batch, 1, 1), "warn");
  EXPECT_EQ(Bytes(batch, 2, 1), "second");
  EXPECT_EQ(cols[3].def_levels, (std::vector<uint8_t>{1, 0}));
  EXPECT_EQ(Bytes(batch, 3, 0), "billing");
  EXPECT_EQ(cols[4].def_levels, (std::vector<uint8_t>{1, 0}));
  EXPECT_EQ(cols[5].def_levels, (std::vector<uint8_t>{1, 0}));
  EXPECT_EQ(Bytes(batch, 5, 0), R"({"pid":1,"nested":{"a":[1,2.5,"x"]}})");
  EXPECT_EQ(cols[6].def_levels, (std::vector<uint8_t>{0, 0}));
  EXPECT_EQ(cols[6].num_values(), 0u);
  EXPECT_EQ(batch.row_times(), (std::vector<int64_t>{kJan15 + 500000, kJan15 + 5 * kMicrosPerHour}));
  int64_t day = kJan15 / kMicrosPerDay;
  EXPECT_EQ(batch.partition_keys(), (std::vector<int64_t>{day, day + 1}));
  EXPECT_EQ(batch.first_arrival_ns(), 77);
}

TEST_F(ShredderTest, CustomSchemaEveryType) {
  TableLayout layout = CustomLayout();
  ASSERT_EQ(layout.columns.size(), 10u);
  EXPECT_EQ(layout.columns[kUserId].type, ColumnType::kInt64);
  EXPECT_EQ(layout.columns[kScore].type, ColumnType::kDouble);
  EXPECT_EQ(layout.columns[kPayload].type, ColumnType::kJson);
  EXPECT_TRUE(layout.columns[kPayload].required);
  EXPECT_FALSE(layout.columns[kMaybe].required);  // required but nullable: OPTIONAL
  Shredder shredder(layout, Partitioning::kHour);
  RowBatch batch(layout);
  ShredOk(
      shredder, batch,
      R"({"app_id":"a1","timestamp":"2026-01-15T19:30:00Z","user_id":-12,"score":3,"ok":true,)"
      R"("tags":["x", "y"],"payload":{"k":[true,false,null]},"seen_at":"2026-01-15T19:00:00Z","maybe":"m"})");
  ShredOk(shredder, batch,
          R"({"timestamp":"2026-01-15T19:00:00Z","app_id":"a2","score":2.5,"ok":false,"payload":null,)"
          R"("maybe":null,"seen_at":null,"tags":null})");
  const auto& cols = batch.columns();
  EXPECT_EQ(cols[kTimestamp].int64s, (std::vector<int64_t>{kJan15 + 1800 * int64_t{1000000}, kJan15}));
  EXPECT_EQ(Bytes(batch, kAppId, 1), "a2");
  EXPECT_EQ(cols[kUserId].def_levels, (std::vector<uint8_t>{1, 0}));
  EXPECT_EQ(cols[kUserId].int64s, (std::vector<int64_t>{-12}));
  EXPECT_EQ(cols[kScore].doubles, (std::vector<double>{3.0, 2.5}));
  EXPECT_EQ(cols[kOk].booleans, (std::vector<uint8_t>{1, 0}));
  EXPECT_EQ(cols[kTags].def_levels, (std::vector<uint8_t>{1, 0}));
  EXPECT_EQ(Bytes(batch, kTags, 0), R"(["x","y"])");
  EXPECT_TRUE(cols[kPayload].required);
  EXPECT_EQ(Bytes(batch, kPayload, 0), R"({"k":[true,false,null]})");
  EXPECT_EQ(Bytes(batch, kPayload, 1), "null");  // REQUIRED JSON: null is the text "null"
  EXPECT_EQ(cols[kSeenAt].int64s, (std::vector<int64_t>{kJan15}));
  EXPECT_EQ(cols[kMaybe].def_levels, (std::vector<uint8_t>{1, 0}));
  EXPECT_EQ(cols[kExtra].def_levels, (std::vector<uint8_t>{0, 0}));
  int64_t hour = kJan15 / kMicrosPerHour;
  EXPECT_EQ(batch.partition_keys(), (std::vector<int64_t>{hour, hour}));
  EXPECT_EQ(batch.partition_keys()[0], PartitionKey(Partitioning::kHour, batch.row_times()[0]));
}

TEST_F(ShredderTest, ExtraHoldsUndeclaredPropertiesInDocumentOrder) {
  TableLayout layout = DefaultLayout();
  Shredder shredder(layout, Partitioning::kDay);
  RowBatch batch(layout);
  ShredOk(shredder, batch,
          R"({"zeta": 1, "timestamp":"2026-01-15T19:00:00Z", "alpha" : {"b": [ 1, {"c": null} ]},)"
          R"( "level":"info","message":"m", "_extra": "kept", "q\"uote": "v\n", "num": -0.0})");
  EXPECT_EQ(Bytes(batch, 6, 0),
            R"({"zeta":1,"alpha":{"b":[1,{"c":null}]},"_extra":"kept","q\"uote":"v\n","num":-0})");
  EXPECT_EQ(batch.columns()[6].def_levels, (std::vector<uint8_t>{1}));
}

TEST_F(ShredderTest, NoExtraColumnIgnoresUndeclaredProperties) {
  auto validator = SchemaValidator::FromString(
      R"({"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false})");
  ASSERT_TRUE(validator.ok());
  const TableLayout& layout = validator->layout();
  ASSERT_EQ(layout.extra_column, -1);
  ASSERT_EQ(layout.time_column, -1);
  Shredder shredder(layout, Partitioning::kDay);
  RowBatch batch(layout);
  ShredOk(shredder, batch, R"({"x":1,"a":"v","_extra":2})");
  ASSERT_EQ(batch.columns().size(), 1u);
  EXPECT_EQ(Bytes(batch, 0, 0), "v");
  // No time field: the row's time is "now".
  EXPECT_EQ(batch.row_times(), (std::vector<int64_t>{kNow}));
  EXPECT_EQ(batch.partition_keys(), (std::vector<int64_t>{kNow / kMicrosPerDay}));
}

TEST_F(ShredderTest, NullTimeFieldUsesNow) {
  auto validator = SchemaValidator::FromString(
      R"({"type":"object","properties":{"timestamp":{"type":["string","null"],"format":"date-time"}}})");
  ASSERT_TRUE(validator.ok()) << validator.status().ToString();
  const TableLayout& layout = validator->layout();
  ASSERT_EQ(layout.time_column, 0);
  Shredder shredder(layout, Partitioning::kNone);
  RowBatch batch(layout);
  ShredOk(shredder, batch, R"({"timestamp":null})");
  ShredOk(shredder, batch, R"({})");
  ShredOk(shredder, batch, R"({"timestamp":"2026-01-15T19:00:00Z"})");
  EXPECT_EQ(batch.row_times(), (std::vector<int64_t>{kNow, kNow, kJan15}));
  EXPECT_EQ(batch.partition_keys(), (std::vector<int64_t>{0, 0, 0}));
  EXPECT_EQ(batch.columns()[0].def_levels, (std::vector<uint8_t>{0, 0, 1}));
}

// ---- The accepted window of the time field (DESIGN.md §4)
// ---------------------------------------------------

constexpr int64_t kMicrosPerSecond = 1'000'000;
// 2026-12-05T12:00:00Z, and the serve defaults around it.
const int64_t kDec5Noon = schema::DaysFromCivil(2026, 12, 5) * kMicrosPerDay + 12 * kMicrosPerHour;
const std::optional<std::chrono::seconds> kThirtyDays = std::chrono::hours(24 * 30);
const std::optional<std::chrono::seconds> kOneHour = std::chrono::hours(1);

TEST(TimeWindowTest, AroundNowWithBothLimits) {
  const TimeWindow window = WindowAround(kDec5Noon, kThirtyDays, kOneHour);
  EXPECT_EQ(window.from, kDec5Noon - 30 * kMicrosPerDay);
  EXPECT_EQ(window.to, kDec5Noon + kMicrosPerHour);
  // Both bounds belong to the window; a microsecond beyond either does not.
  EXPECT_TRUE(window.Contains(window.from));
  EXPECT_TRUE(window.Contains(window.to));
  EXPECT_TRUE(window.Contains(kDec5Noon));
  EXPECT_FALSE(window.Contains(window.from - 1));
  EXPECT_FALSE(window.Contains(window.to + 1));
}

TEST(TimeWindowTest, BoundsAreRoundedOutwardToWholeSeconds) {
  const TimeWindow window =
      WindowAround(kDec5Noon + 250'000, std::chrono::seconds(10), std::chrono::seconds(10));
  EXPECT_EQ(window.from, kDec5Noon - 10 * kMicrosPerSecond);
  EXPECT_EQ(window.to, kDec5Noon + 11 * kMicrosPerSecond);
}

TEST(TimeWindowTest, OffMeansUnboundedOnThatSide) {
  const TimeWindow none = WindowAround(kDec5Noon, std::nullopt, std::nullopt);
  EXPECT_EQ(none.from, INT64_MIN);
  EXPECT_EQ(none.to, INT64_MAX);
  EXPECT_TRUE(none.Contains(INT64_MIN));
  EXPECT_TRUE(none.Contains(INT64_MAX));
  const TimeWindow future_only = WindowAround(kDec5Noon, std::nullopt, kOneHour);
  EXPECT_EQ(future_only.from, INT64_MIN);
  EXPECT_EQ(future_only.to, kDec5Noon + kMicrosPerHour);
  const TimeWindow age_only = WindowAround(kDec5Noon, kThirtyDays, std::nullopt);
  EXPECT_EQ(age_only.from, kDec5Noon - 30 * kMicrosPerDay);
  EXPECT_EQ(age_only.to, INT64_MAX);
}

TEST(TimeWindowTest, HugeLimitsSaturateInsteadOfWrapping) {
  const TimeWindow window =
      WindowAround(kDec5Noon, std::chrono::seconds(INT64_MAX / 2), std::chrono::seconds(INT64_MAX / 2));
  // Far beyond any date a log can spell (about 292 000 years back), with no wrap-around to the other end.
  EXPECT_LT(window.from, INT64_MIN / 2);
  EXPECT_EQ(window.to, INT64_MAX);
  EXPECT_TRUE(window.Contains(schema::DaysFromCivil(1, 1, 1) * kMicrosPerDay));
  // A negative limit counts as zero: the window is the current second.
  const TimeWindow zero = WindowAround(kDec5Noon, std::chrono::seconds(-5), std::chrono::seconds(-5));
  EXPECT_EQ(zero.from, kDec5Noon);
  EXPECT_EQ(zero.to, kDec5Noon);
}

TEST(TimeWindowTest, MessageNamesTheTimeAndTheBounds) {
  const TimeWindow window = WindowAround(kDec5Noon, kThirtyDays, kOneHour);
  EXPECT_EQ(TimeOutOfRangeMessage(kDec5Noon + 2 * kMicrosPerHour + 500, window),
            "timestamp 2026-12-05T14:00:00.000500Z outside the accepted window 2026-11-05T12:00:00Z .. "
            "2026-12-05T13:00:00Z");
  EXPECT_EQ(TimeOutOfRangeMessage(kDec5Noon, WindowAround(kDec5Noon, std::nullopt, kOneHour)),
            "timestamp 2026-12-05T12:00:00Z outside the accepted window (no limit) .. 2026-12-05T13:00:00Z");
}

// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the extremes a date-time can spell.
const int64_t kYear1 = schema::DaysFromCivil(1, 1, 1) * kMicrosPerDay;
const int64_t kYear9999 =
    schema::DaysFromCivil(9999, 12, 31) * kMicrosPerDay + kMicrosPerDay - kMicrosPerSecond;

TEST_F(ShredderTest, TimesOutsideTheWindowAreRefusedAndLeaveTheBatchUnchanged) {
  TableLayout layout = DefaultLayout();
  Shredder shredder(layout, Partitioning::kDay);
  RowBatch batch(layout);
  const TimeWindow window = WindowAround(kDec5Noon, kThirtyDays, kOneHour);
  ASSERT_TRUE(Shred(shredder, batch, R"({"timestamp":"2026-12-05T11:00:00Z","level":"info","message":"in"})",
                    kDec5Noon, window)
                  .ok());
  const Shape before = ShapeOf(batch);
  struct Case {
    std::string_view json;
    std::string_view message;
  };
  const Case cases[] = {
      {R"({"timestamp":"0001-01-01T00:00:00Z","level":"info","message":"m","service":"s","x":1})",
       "timestamp 0001-01-01T00:00:00Z outside the accepted window 2026-11-05T12:00:00Z .. "
       "2026-12-05T13:00:00Z"},
      {R"({"level":"info","message":"m","metadata":{"a":1},"timestamp":"9999-12-31T23:59:59Z"})",
       "timestamp 9999-12-31T23:59:59Z outside the accepted window 2026-11-05T12:00:00Z .. "
       "2026-12-05T13:00:00Z"},
      // A microsecond outside either bound; offsets are normalised to UTC first.
      {R"({"timestamp":"2026-11-05T11:59:59.999999Z","level":"info","message":"m"})",
       "timestamp 2026-11-05T11:59:59.999999Z outside the accepted window 2026-11-05T12:00:00Z .. "
       "2026-12-05T13:00:00Z"},
      {R"({"timestamp":"2026-12-05T14:00:00.000001+01:00","level":"info","message":"m"})",
       "timestamp 2026-12-05T13:00:00.000001Z outside the accepted window 2026-11-05T12:00:00Z .. "
       "2026-12-05T13:00:00Z"},
  };
  for (const Case& c : cases) {
    Status status = Shred(shredder, batch, c.json, kDec5Noon, window);
    EXPECT_EQ(status.code(), Status::Code::kOutOfRange) << c.json;
    EXPECT_EQ(status.message(), c.message) << c.json;
    EXPECT_EQ(ShapeOf(batch), before) << c.json;
  }
  // The bounds themselves are inside.
  ASSERT_TRUE(Shred(shredder, batch, R"({"timestamp":"2026-11-05T12:00:00Z","level":"info","message":"a"})",
                    kDec5Noon, window)
                  .ok());
  ASSERT_TRUE(Shred(shredder, batch, R"({"timestamp":"2026-12-05T13:00:00Z","level":"info","message":"b"})",
                    kDec5Noon, window)
                  .ok());
  EXPECT_EQ(batch.row_times(),
            (std::vector<int64_t>{kDec5Noon - kMicrosPerHour, kDec5Noon - 30 * kMicrosPerDay,
                                  kDec5Noon + kMicrosPerHour}));
  EXPECT_EQ(Bytes(batch, 2, 1), "a");  // the refused rows left nothing behind in any column
}

TEST_F(ShredderTest, WithoutAWindowEveryTimeIsAccepted) {
  TableLayout layout = DefaultLayout();
  Shredder shredder(layout, Partitioning::kDay);
  RowBatch batch(layout);
  ASSERT_TRUE(Shred(shredder, batch, R"({"timestamp":"0001-01-01T00:00:00Z","level":"info","message":"m"})",
                    kDec5Noon, WindowAround(kDec5Noon, std::nullopt, std::nullopt))
                  .ok());
  ASSERT_TRUE(Shred(shredder, batch, R"({"timestamp":"9999-12-31T23:59:59Z","level":"info","message":"m"})",
                    kDec5Noon, WindowAround(kDec5Noon, std::nullopt, std::nullopt))
                  .ok());
  EXPECT_EQ(batch.row_times(), (std::vector<int64_t>{kYear1, kYear9999}));
}

TEST_F(ShredderTest, ALogWithoutATimeValueIsNotCheckedAgainstTheWindow) {
  auto validator = SchemaValidator::FromString(
      R"({"type":"object","properties":{"timestamp":{"type":["string","null"],"format":"date-time"}}})");
  ASSERT_TRUE(validator.ok()) << validator.status().ToString();
  const TableLayout& layout = validator->layout();
  Shredder shredder(layout, Partitioning::kDay);
  RowBatch batch(layout);
  // A window that excludes even "now": only a present time value is checked.
  const TimeWindow closed{kDec5Noon + kMicrosPerDay, kDec5Noon + 2 * kMicrosPerDay};
  EXPECT_TRUE(Shred(shredder, batch, R"({})", kDec5Noon, closed).ok());
  EXPECT_TRUE(Shred(shredder, batch, R"({"timestamp":null})", kDec5Noon, closed).ok());
  EXPECT_EQ(Shred(shredder, batch, R"({"timestamp":"2026-12-05T12:00:00Z"})", kDec5Noon, closed).code(),
            Status::Code::kOutOfRange);
  EXPECT_EQ(batch.row_times(), (std::vector<int64_t>{kDec5Noon, kDec5Noon}));
}

// Every string survives minification: re-parsing the output gives the same string back.
TEST_F(ShredderTest, EscapingRoundTrips) {
  std::vector<std::string> strings = {
      "plain",
      "quote \" and backslash \\ and slash /",
      std::string("nul \0 inside", 12),
      "controls \b\f\n\r\t \x01\x1f\x7f",
      "unicode é ü 中文 \u2028",
      "emoji 😀🚀",
      "",
  };
  for (int c = 0; c < 0x20; ++c) strings.push_back(std::string(1, static_cast<char>(c)));
  for (const std::string& s : strings) {
    {
      // s as a JSON string written with \u escapes only (UTF-8 bytes raw), minified, parsed back.
      std::string json = "[\"";
      for (unsigned char ch : s) {
        char buf[8];
        std::snprintf(buf, sizeof(buf), "\\u%04x", ch < 0x80 ? ch : 0);
        if (ch < 0x80) {
          json.append(buf);
        } else {
          json.push_back(static_cast<char>(ch));  // UTF-8 bytes pass through as-is
        }
      }
      json.append("\"]");
      std::string minified = Minify(json);
      simdjson::dom::parser reparser;
      simdjson::padded_string padded(minified);
      simdjson::dom::element back;
      ASSERT_EQ(reparser.parse(padded).get(back), simdjson::SUCCESS) << minified;
      std::string_view value;
      ASSERT_EQ(back.at(0).get_string().get(value), simdjson::SUCCESS);
      EXPECT_EQ(value, s) << minified;
      // Only what JSON requires is escaped: printable ASCII and UTF-8 stay raw.
      for (unsigned char ch : minified) EXPECT_GE(ch, 0x20);
    }
  }
  EXPECT_EQ(Minify(R"(["a\"b\\c\/d\u0001\u001f\b\f\n\r\t"])"), R"(["a\"b\\c/d\u0001\u001f\b\f\n\r\t"])");
  EXPECT_EQ(Minify(R"(["\u00e9\ud83d\ude00"])"), "[\"é😀\"]");
  EXPECT_EQ(Minify(R"({"k\n\"ey" : "v"})"), R"({"k\n\"ey":"v"})");
}

TEST_F(ShredderTest, NumbersInJsonColumns) {
  EXPECT_EQ(Minify("[1e300, -0.0, 0.1, 3.0, -5, 9223372036854775807, 18446744073709551615, "
                   "-9223372036854775808, 1.5e-7, 2.2250738585072014e-308]"),
            "[1e+300,-0,0.1,3,-5,9223372036854775807,18446744073709551615,-9223372036854775808,1.5e-07,"
            "2.2250738585072014e-308]");
  EXPECT_EQ(Minify(R"({"a":true,"b":false,"c":null,"d":[],"e":{}})"),
            R"({"a":true,"b":false,"c":null,"d":[],"e":{}})");
  // Shortest round trip: the text reads back as the same double.
  for (double d : {0.1, 1.0 / 3, 1e-300, 5e-324, 1.7976931348623157e308, -123.456}) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "[%.17g]", d);
    std::string text = Minify(buf);
    EXPECT_EQ(std::strtod(text.c_str() + 1, nullptr), d) << text;
  }
}

TEST_F(ShredderTest, IntegerColumn) {
  TableLayout layout = CustomLayout();
  Shredder shredder(layout, Partitioning::kDay);
  RowBatch batch(layout);
  const std::string head =
      R"({"timestamp":"2026-01-15T19:00:00Z","app_id":"a","payload":1,"maybe":null,"user_id":)";
  for (const char* ok :
       {"3.0", "-9223372036854775808", "9223372036854775807", "-0.0", "1e3", "-9223372036854775808.0"}) {
    ShredOk(shredder, batch, head + ok + "}");
  }
  EXPECT_EQ(batch.columns()[kUserId].int64s,
            (std::vector<int64_t>{3, INT64_MIN, INT64_MAX, 0, 1000, INT64_MIN}));
  ExpectRejected(shredder, batch, head + "18446744073709551615}",
                 "/user_id: integer 18446744073709551615 is out of the INT64 range");
  ExpectRejected(shredder, batch, head + "9223372036854775808}",
                 "/user_id: integer 9223372036854775808 is out of the INT64 range");
  ExpectRejected(shredder, batch, head + "9223372036854775808.0}",
                 "/user_id: integer 9223372036854775808 is out of the INT64 range");
  ExpectRejected(shredder, batch, head + "1e300}", "/user_id: integer 1e+300 is out of the INT64 range");
  ExpectRejected(shredder, batch, head + "0.5}", "/user_id: 0.5 is not an integer");
  ExpectRejected(shredder, batch, head + "\"7\"}", "/user_id: expected integer, got string");
}

TEST_F(ShredderTest, DoubleColumn) {
  TableLayout layout = CustomLayout();
  Shredder shredder(layout, Partitioning::kDay);
  RowBatch batch(layout);
  const std::string head =
      R"({"timestamp":"2026-01-15T19:00:00Z","app_id":"a","payload":1,"maybe":null,"score":)";
  for (const char* ok : {"1e300", "-0.0", "0.1", "7", "18446744073709551615"})
    ShredOk(shredder, batch, head + ok + "}");
  const auto& d = batch.columns()[kScore].doubles;
  ASSERT_EQ(d.size(), 5u);
  EXPECT_EQ(d[0], 1e300);
  EXPECT_EQ(d[1], 0.0);
  EXPECT_TRUE(std::signbit(d[1]));
  EXPECT_EQ(d[2], 0.1);
  EXPECT_EQ(d[3], 7.0);
  EXPECT_EQ(d[4], 18446744073709551615.0);
  ExpectRejected(shredder, batch, head + "true}", "/score: expected number, got boolean");
}

TEST_F(ShredderTest, DuplicateKeysKeepTheFirstOccurrence) {
  TableLayout layout = DefaultLayout();
  Shredder shredder(layout, Partitioning::kDay);
  RowBatch batch(layout);
  ShredOk(shredder, batch,
          R"({"timestamp":"2026-01-15T19:00:00Z","level":"info","message":"first","x":1,"message":"second",)"
          R"("timestamp":"2030-01-01T00:00:00Z","x":2,"y":3,"service":null,"service":"late"})");
  EXPECT_EQ(Bytes(batch, 2, 0), "first");
  EXPECT_EQ(batch.columns()[0].int64s, (std::vector<int64_t>{kJan15}));
  EXPECT_EQ(batch.row_times(), (std::vector<int64_t>{kJan15}));
  EXPECT_EQ(batch.columns()[3].def_levels, (std::vector<uint8_t>{0}));  // the first service was null
  EXPECT_EQ(Bytes(batch, 6, 0), R"({"x":1,"y":3})");
  // A later duplicate of the wrong type does not matter either: it is never looked at.
  ShredOk(shredder, batch,
          R"({"timestamp":"2026-01-15T19:00:00Z","level":"info","message":"m","message":5})");
}

TEST_F(ShredderTest, ManyUndeclaredKeysAreDeduplicated) {
  TableLayout layout = DefaultLayout();
  Shredder shredder(layout, Partitioning::kDay);
  RowBatch batch(layout);
  std::string doc = R"({"timestamp":"2026-01-15T19:00:00Z","level":"info","message":"m")";
  std::string expected = "{";
  for (int i = 0; i < 1000; ++i) {
    doc += ",\"k" + std::to_string(i) + "\":" + std::to_string(i);
    if (i != 0) expected += ",";
    expected += "\"k" + std::to_string(i) + "\":" + std::to_string(i);
  }
  for (int i = 0; i < 1000; i += 3) doc += ",\"k" + std::to_string(i) + "\":-1";
  doc += "}";
  expected += "}";
  for (int round = 0; round < 3; ++round) {  // again: the hash table is reset between rows
    ShredOk(shredder, batch, doc);
    EXPECT_EQ(Bytes(batch, 6, static_cast<size_t>(round)), expected);
  }
  // A row with few undeclared keys after one with many.
  ShredOk(shredder, batch,
          R"({"timestamp":"2026-01-15T19:00:00Z","level":"info","message":"m","k1":1,"k1":2})");
  EXPECT_EQ(Bytes(batch, 6, 3), R"({"k1":1})");
}

TEST_F(ShredderTest, ManyColumnsUseTheHashedLookup) {
  std::string schema = R"({"type":"object","properties":{)";
  for (int i = 0; i < 40; ++i) {
    if (i != 0) schema += ",";
    schema += "\"c" + std::to_string(i) + "\":{\"type\":\"integer\"}";
  }
  schema += "}}";
  auto validator = SchemaValidator::FromString(schema);
  ASSERT_TRUE(validator.ok()) << validator.status().ToString();
  const TableLayout& layout = validator->layout();
  ASSERT_EQ(layout.columns.size(), 41u);
  Shredder shredder(layout, Partitioning::kNone);
  RowBatch batch(layout);
  std::string doc = "{";
  for (int i = 39; i >= 0; i -= 2) doc += "\"c" + std::to_string(i) + "\":" + std::to_string(i * 10) + ",";
  doc += R"("c400":1,"_extra":2})";
  ShredOk(shredder, batch, doc);
  for (int i = 0; i < 40; ++i) {
    const ColumnBuffer& column = batch.columns()[static_cast<size_t>(i)];
    ASSERT_EQ(column.def_levels.size(), 1u);
    EXPECT_EQ(column.def_levels[0], i % 2) << i;
    if (i % 2) {
      EXPECT_EQ(column.int64s[0], i * 10);
    }
  }
  EXPECT_EQ(Bytes(batch, 40, 0), R"({"c400":1,"_extra":2})");
}

TEST_F(ShredderTest, WrongTypesOnUnvalidatedInputAreRejectedCleanly) {
  TableLayout layout = CustomLayout();
  Shredder shredder(layout, Partitioning::kDay);
  RowBatch batch(layout);
  // A good row first, so "unchanged" is checked against a non-empty batch.
  ShredOk(
      shredder, batch,
      R"({"timestamp":"2026-01-15T19:00:00Z","app_id":"a","payload":[1],"maybe":"x","undeclared":{"z":1}})");
  // Each bad value comes after good ones (and after undeclared ones), so rollback has work to do.
  const std::string head =
      R"({"timestamp":"2026-01-15T19:00:00Z","extra1":[1,2,3],"payload":{"p":"q"},"maybe":"mm","score":1.5,)";
  ExpectRejected(shredder, batch, head + R"("app_id":5})", "/app_id: expected string, got integer");
  ExpectRejected(shredder, batch, head + R"("app_id":"a","ok":"yes"})", "/ok: expected boolean, got string");
  ExpectRejected(shredder, batch, head + R"("app_id":"a","user_id":[1]})",
                 "/user_id: expected integer, got array");
  ExpectRejected(shredder, batch, head + R"("app_id":"a","score2":1,"seen_at":{}})",
                 "/seen_at: expected a date-time string, got object");
  ExpectRejected(shredder, batch, head + R"("app_id":"a","seen_at":"yesterday"})",
                 "/seen_at: \"yesterday\" is not an RFC 3339 date-time");
  ExpectRejected(shredder, batch, head + R"("app_id":null})", "/app_id: expected string, got null");
  ExpectRejected(shredder, batch,
                 R"({"timestamp":"2026-01-15T19:00:00Z","app_id":"a","payload":1,"maybe":false})",
                 "/maybe: expected string, got boolean");
  // A required property missing (the log would have failed validation).
  ExpectRejected(shredder, batch, head + R"("user_id":1})", "/app_id: required property is missing");
  ExpectRejected(shredder, batch, R"({"app_id":"a","maybe":null})",
                 "/timestamp: required property is missing");
  // Not an object at all.
  Shape before = ShapeOf(batch);
  EXPECT_FALSE(Shred(shredder, batch, "[1,2]").ok());
  EXPECT_EQ(ShapeOf(batch), before);
  // The batch still takes good rows, and its first row is intact.
  ShredOk(shredder, batch, head + R"("app_id":"b"})");
  EXPECT_EQ(batch.num_rows(), 2u);
  EXPECT_EQ(Bytes(batch, kAppId, 0), "a");
  EXPECT_EQ(Bytes(batch, kAppId, 1), "b");
  EXPECT_EQ(Bytes(batch, kExtra, 0), R"({"undeclared":{"z":1}})");
  EXPECT_EQ(Bytes(batch, kExtra, 1), R"({"extra1":[1,2,3]})");
  EXPECT_EQ(batch.columns()[kScore].def_levels, (std::vector<uint8_t>{0, 1}));
}

TEST_F(ShredderTest, DeepNestingInAJsonColumn) {
  TableLayout layout = CustomLayout();
  Shredder shredder(layout, Partitioning::kDay);
  RowBatch batch(layout);
  std::string nested;
  for (int i = 0; i < 100; ++i) nested += "{\"a\":[";
  nested += "1";
  for (int i = 0; i < 100; ++i) nested += "]}";  // 200 levels
  ShredOk(shredder, batch,
          R"({"timestamp":"2026-01-15T19:00:00Z","app_id":"a","maybe":null,"payload":)" + nested + "}");
  EXPECT_EQ(Bytes(batch, kPayload, 0), nested);
}

TEST_F(ShredderTest, LargeString) {
  TableLayout layout = DefaultLayout();
  Shredder shredder(layout, Partitioning::kDay);
  RowBatch batch(layout);
  std::string big(1 << 20, 'x');
  for (size_t i = 0; i < big.size(); i += 4096) big[i] = '"';  // escaped in _extra, raw in message
  std::string escaped;
  for (char c : big) {
    if (c == '"') escaped += '\\';
    escaped += c;
  }
  ShredOk(shredder, batch,
          R"({"timestamp":"2026-01-15T19:00:00Z","level":"info","message":")" + escaped + R"(","big":")" +
              escaped + "\"}");
  EXPECT_EQ(Bytes(batch, 2, 0), big);
  EXPECT_EQ(Bytes(batch, 6, 0), "{\"big\":\"" + escaped + "\"}");
}

TEST_F(ShredderTest, PartitionKeys) {
  TableLayout layout = DefaultLayout();
  const char* doc = R"({"timestamp":"1969-12-31T23:30:00Z","level":"info","message":"m"})";
  for (Partitioning p : {Partitioning::kDay, Partitioning::kHour, Partitioning::kNone}) {
    Shredder shredder(layout, p);
    RowBatch batch(layout);
    ShredOk(shredder, batch, doc);
    int64_t expected = p == Partitioning::kDay ? -1 : p == Partitioning::kHour ? -1 : 0;
    EXPECT_EQ(batch.partition_keys()[0], expected);
    EXPECT_EQ(batch.row_times()[0], -30 * 60 * int64_t{1000000});
  }
}

// Parses `count` varied default-schema logs with metadata objects, for the allocation and speed tests.
std::vector<std::string> SampleLogs(size_t count) {
  std::vector<std::string> logs;
  for (size_t i = 0; i < count; ++i) {
    logs.push_back(R"({"timestamp":"2026-01-15T19:)" + std::to_string(10 + i % 50) +
                   R"(:00.123+01:00","level":"info",)"
                   R"("message":"request )" +
                   std::to_string(i) +
                   R"( served in 12ms","service":"billing",)"
                   R"("trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","metadata":{"pid":)" +
                   std::to_string(i) + R"(,"host":"web-1","tags":["a","b"],"latency":0.0123},"x":1})");
  }
  return logs;
}

TEST_F(ShredderTest, WarmBatchAllocatesNothingPerRow) {
  TableLayout layout = DefaultLayout();
  Shredder shredder(layout, Partitioning::kDay);
  RowBatch batch(layout);
  auto logs = SampleLogs(1000);
  // simdjson's DOM stays valid only until the parser's next parse: parse each document into its own
  // parser ahead of time so that only Append runs in the measured loop.
  std::vector<std::unique_ptr<simdjson::dom::parser>> parsers;
  std::vector<simdjson::dom::element> docs;
  for (const std::string& log : logs) {
    parsers.push_back(std::make_unique<simdjson::dom::parser>());
    simdjson::dom::element doc;
    ASSERT_EQ(parsers.back()->parse(log).get(doc), simdjson::SUCCESS);
    docs.push_back(doc);
  }
  long cold = g_allocations.load();
  for (auto doc : docs) ASSERT_TRUE(shredder.Append(doc, kNow, 1, TimeWindow{}, &batch).ok());
  EXPECT_GT(g_allocations.load() - cold, 0);  // the counter works: a cold batch grows its buffers
  batch.Clear();
  int failures = 0;
  // With a window (that accepts every sample log): checking it allocates nothing either.
  const TimeWindow window = WindowAround(kJan15, std::chrono::hours(24), std::chrono::hours(1));
  long before = g_allocations.load();
  for (auto doc : docs) failures += !shredder.Append(doc, kNow, 1, window, &batch).ok();
  long allocations = g_allocations.load() - before;
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(allocations, 0);
  EXPECT_EQ(batch.num_rows(), 1000u);
}

TEST_F(ShredderTest, ShredSpeed) {
  TableLayout layout = DefaultLayout();
  Shredder shredder(layout, Partitioning::kDay);
  RowBatch batch(layout);
  auto logs = SampleLogs(1000);
  std::vector<std::unique_ptr<simdjson::dom::parser>> parsers;
  std::vector<simdjson::dom::element> docs;
  size_t bytes = 0;
  for (const std::string& log : logs) {
    parsers.push_back(std::make_unique<simdjson::dom::parser>());
    simdjson::dom::element doc;
    ASSERT_EQ(parsers.back()->parse(log).get(doc), simdjson::SUCCESS);
    docs.push_back(doc);
    bytes += log.size();
  }
  constexpr int kRounds = 50;
  auto start = std::chrono::steady_clock::now();
  for (int round = 0; round < kRounds; ++round) {
    batch.Clear();
    for (auto doc : docs) ASSERT_TRUE(shredder.Append(doc, kNow, 1, TimeWindow{}, &batch).ok());
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double rows = 1000.0 * kRounds;
  // Informational: the row rate of the shredder alone (parsing and validation excluded).
  std::printf("[ shred    ] %.0f rows/s, %.0f MB/s of JSON\n", rows / seconds,
              bytes * kRounds / seconds / 1e6);
}

}  // namespace
}  // namespace shredder_test
}  // namespace logdaemon::storage
