// The LogRecord -> JSON mapping (otlp_logs.h's table), row by row, through the protobuf decoder.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "http/otlp_any_value.h"
#include "http/otlp_logs.h"
#include "http/otlp_test_util.h"
#include "logdaemon/schema.h"
#include "schema/rfc3339.h"

namespace logdaemon::http {
namespace otlp_mapping_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using testing::AddAttribute;
using testing::DecodeProto;
using testing::ExampleNanos;
using testing::Log;
using testing::OneRecord;

// The one log of a one-record request.
std::string DecodeOne(const otlp::ExportLogsServiceRequest& request, const OtlpMapping& mapping = {}) {
  std::vector<std::string> logs = DecodeProto(request, mapping);
  EXPECT_EQ(logs.size(), 1u);
  return logs.empty() ? std::string() : logs[0];
}

TEST(OtlpMapping, FullRecordMapsEveryField) {
  otlp::ExportLogsServiceRequest request;
  otlp::ResourceLogs* resource_logs = request.add_resource_logs();
  AddAttribute(resource_logs->mutable_resource()->mutable_attributes(), "service.name")
      ->mutable_value()
      ->set_string_value("checkout");
  AddAttribute(resource_logs->mutable_resource()->mutable_attributes(), "host.name")
      ->mutable_value()
      ->set_string_value("web-1");
  otlp::ScopeLogs* scope_logs = resource_logs->add_scope_logs();
  scope_logs->mutable_scope()->set_name("io.example.logger");
  scope_logs->mutable_scope()->set_version("1.2.3");
  otlp::LogRecord* record = scope_logs->add_log_records();
  record->set_time_unix_nano(ExampleNanos());
  record->set_observed_time_unix_nano(ExampleNanos() + 1'000);
  record->set_severity_number(otlp::SEVERITY_NUMBER_WARN2);
  record->set_severity_text("WARN");
  record->mutable_body()->set_string_value("card declined");
  AddAttribute(record->mutable_attributes(), "http.status")->mutable_value()->set_int_value(402);
  AddAttribute(record->mutable_attributes(), "retry")->mutable_value()->set_bool_value(false);
  record->set_dropped_attributes_count(3);
  record->set_flags(1);
  record->set_trace_id(std::string("\x5b\x8e\xff\xf7\x98\x03\x81\x03\xd2\x69\xb6\x33\x81\x3f\xc6\x0c", 16));
  record->set_span_id(std::string("\xee\xe1\x9b\x7e\xc3\xc1\xb1\x74", 8));
  record->set_event_name("payment.declined");

  const std::string text = DecodeOne(request);
  EXPECT_EQ(
      text,
      R"({"timestamp":"2026-12-05T13:34:12.123456789Z","level":"warn","message":"card declined",)"
      R"("service":"checkout","trace_id":"5b8efff798038103d269b633813fc60c","span_id":"eee19b7ec3c1b174",)"
      R"("metadata":{"http.status":402,"retry":false},"severity_number":14,)"
      R"("observed_timestamp":"2026-12-05T13:34:12.123457789Z","flags":1,"event_name":"payment.declined",)"
      R"("scope":{"name":"io.example.logger","version":"1.2.3"},"resource":{"host.name":"web-1"},)"
      R"("dropped_attributes_count":3})");
  Log log(text);
  // The default schema accepts it as it is (the unknown keys go to `_extra`).
  auto validator = SchemaValidator::DefaultSchema();
  ASSERT_TRUE(validator.ok());
  EXPECT_TRUE(validator->Validate(text).ok()) << validator->Validate(text).ToString();
}

TEST(OtlpMapping, MinimalRecordHasTheRequiredFieldsOnly) {
  otlp::ExportLogsServiceRequest request;
  OneRecord(&request)->set_time_unix_nano(ExampleNanos());
  const std::string text = DecodeOne(request);
  EXPECT_EQ(text, R"({"timestamp":"2026-12-05T13:34:12.123456789Z","level":"info","message":""})");
  auto validator = SchemaValidator::DefaultSchema();
  ASSERT_TRUE(validator.ok());
  EXPECT_TRUE(validator->Validate(text).ok());
}

TEST(OtlpMapping, TimeFallsBackToObservedTimeThenToNow) {
  otlp::ExportLogsServiceRequest request;
  otlp::LogRecord* record = OneRecord(&request);
  record->set_observed_time_unix_nano(ExampleNanos());
  {
    Log log(DecodeOne(request));
    EXPECT_EQ(log.String("timestamp"), "2026-12-05T13:34:12.123456789Z");
    // The observed time is the time field's instant: not repeated.
    EXPECT_FALSE(log.Has("observed_timestamp"));
  }
  record->set_observed_time_unix_nano(0);
  const auto before = std::chrono::system_clock::now();
  Log log(DecodeOne(request));
  const auto after = std::chrono::system_clock::now();
  int64_t micros = 0;
  ASSERT_TRUE(schema::ParseRfc3339DateTime(log.String("timestamp"), &micros)) << log.text();
  const auto to_micros = [](auto t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  };
  EXPECT_GE(micros, to_micros(before));
  EXPECT_LE(micros, to_micros(after));
  EXPECT_FALSE(log.Has("observed_timestamp"));
}

TEST(OtlpMapping, TimesHaveNineFractionDigitsThatStorageReadsAsMicroseconds) {
  const struct {
    uint64_t nanos;
    const char* text;
  } kCases[] = {
      {1, "1970-01-01T00:00:00.000000001Z"},
      {999'999'999, "1970-01-01T00:00:00.999999999Z"},
      {1'000'000'000, "1970-01-01T00:00:01.000000000Z"},
      {ExampleNanos(), "2026-12-05T13:34:12.123456789Z"},
      // The largest fixed64: 2554.
      {std::numeric_limits<uint64_t>::max(), "2554-07-21T23:34:33.709551615Z"},
  };
  for (const auto& c : kCases) {
    std::string text;
    AppendRfc3339Nanos(c.nanos, &text);
    EXPECT_EQ(text, c.text);
    int64_t micros = 0;
    ASSERT_TRUE(schema::ParseRfc3339DateTime(text, &micros)) << text;
    EXPECT_EQ(micros, static_cast<int64_t>(c.nanos / 1000)) << text;  // truncated, never rounded up
  }
}

TEST(OtlpMapping, SeverityNumberRangesGiveTheLevel) {
  const char* const kLevels[] = {"trace", "debug", "info", "warn", "error", "fatal"};
  for (int number = 1; number <= 24; ++number) {
    otlp::ExportLogsServiceRequest request;
    otlp::LogRecord* record = OneRecord(&request);
    record->set_time_unix_nano(1);
    record->set_severity_number(static_cast<otlp::SeverityNumber>(number));
    record->set_severity_text("error");  // the number wins
    Log log(DecodeOne(request));
    EXPECT_EQ(log.String("level"), kLevels[(number - 1) / 4]) << number;
    EXPECT_EQ(log.Json("severity_number"), std::to_string(number));
  }
}

TEST(OtlpMapping, SeverityTextGivesTheLevelWhenTheNumberDoesNot) {
  const struct {
    int number;
    const char* text;
    const char* level;
  } kCases[] = {
      {0, "", "info"},
      {0, "TRACE", "trace"},
      {0, "Debug", "debug"},
      {0, "INFO", "info"},
      {0, "Information", "info"},
      {0, "WARNING", "warn"},
      {0, "warn", "warn"},
      {0, "ERR", "error"},
      {0, "Error", "error"},
      {0, "CRITICAL", "fatal"},
      {0, "crit", "fatal"},
      {0, "Alert", "fatal"},
      {0, "emerg", "fatal"},
      {0, "EMERGENCY", "fatal"},
      {0, "panic", "fatal"},
      {0, "FATAL", "fatal"},
      {0, "Notice", "notice"},                // unknown: lower-cased, the schema decides
      {0, "Ünknown \"X\"", "Ünknown \"x\""},  // only ASCII letters are lower-cased
      // Out of the specification's range: the text decides, the number is kept.
      {25, "error", "error"},
      {-3, "", "info"},
      {1000, "WARNING", "warn"},
  };
  for (const auto& c : kCases) {
    otlp::ExportLogsServiceRequest request;
    otlp::LogRecord* record = OneRecord(&request);
    record->set_time_unix_nano(1);
    record->set_severity_number(static_cast<otlp::SeverityNumber>(c.number));
    record->set_severity_text(c.text);
    Log log(DecodeOne(request));
    EXPECT_EQ(log.String("level"), c.level) << c.text;
    EXPECT_EQ(log.Has("severity_number"), c.number != 0) << c.number;
    if (c.number != 0) {
      EXPECT_EQ(log.Json("severity_number"), std::to_string(c.number));
    }
  }
}

TEST(OtlpMapping, BodyBecomesTheMessage) {
  const auto message_of = [](const otlp::AnyValue* body) {
    otlp::ExportLogsServiceRequest request;
    otlp::LogRecord* record = OneRecord(&request);
    record->set_time_unix_nano(1);
    if (body != nullptr) *record->mutable_body() = *body;
    return Log(DecodeOne(request)).String("message");
  };
  otlp::AnyValue body;
  EXPECT_EQ(message_of(nullptr), "");
  EXPECT_EQ(message_of(&body), "");  // present, but no value
  body.set_string_value("line \"one\"\n\ttwo \\ three \x01 ünï");
  EXPECT_EQ(message_of(&body), "line \"one\"\n\ttwo \\ three \x01 ünï");
  body.set_string_value("");
  EXPECT_EQ(message_of(&body), "");
  body.set_int_value(-42);
  EXPECT_EQ(message_of(&body), "-42");
  body.set_bool_value(true);
  EXPECT_EQ(message_of(&body), "true");
  body.set_double_value(2.5);
  EXPECT_EQ(message_of(&body), "2.5");
  body.set_bytes_value(std::string("\x00\xff hi", 5));
  EXPECT_EQ(message_of(&body), "AP8gaGk=");
  body.mutable_array_value()->add_values()->set_string_value("a");
  body.mutable_array_value()->add_values()->set_int_value(1);
  EXPECT_EQ(message_of(&body), R"(["a",1])");
  otlp::KeyValue* entry = body.mutable_kvlist_value()->add_values();
  entry->set_key("user");
  entry->mutable_value()->mutable_kvlist_value()->add_values()->set_key("id");
  EXPECT_EQ(message_of(&body), R"({"user":{"id":null}})");
}

TEST(OtlpMapping, AttributeValuesBecomeJson) {
  otlp::ExportLogsServiceRequest request;
  otlp::LogRecord* record = OneRecord(&request);
  record->set_time_unix_nano(1);
  auto* attributes = record->mutable_attributes();
  AddAttribute(attributes, "s")->mutable_value()->set_string_value("x");
  AddAttribute(attributes, "t")->mutable_value()->set_bool_value(true);
  AddAttribute(attributes, "f")->mutable_value()->set_bool_value(false);
  AddAttribute(attributes, "min")->mutable_value()->set_int_value(std::numeric_limits<int64_t>::min());
  AddAttribute(attributes, "max")->mutable_value()->set_int_value(std::numeric_limits<int64_t>::max());
  AddAttribute(attributes, "d")->mutable_value()->set_double_value(0.1);
  AddAttribute(attributes, "big")->mutable_value()->set_double_value(1e300);
  AddAttribute(attributes, "whole")->mutable_value()->set_double_value(3.0);
  AddAttribute(attributes, "nan")->mutable_value()->set_double_value(std::nan(""));
  AddAttribute(attributes, "inf")->mutable_value()->set_double_value(-INFINITY);
  AddAttribute(attributes, "b")->mutable_value()->set_bytes_value("foobar");
  AddAttribute(attributes, "empty_bytes")->mutable_value()->set_bytes_value("");
  AddAttribute(attributes, "unset");
  AddAttribute(attributes, "empty_array")->mutable_value()->mutable_array_value();
  AddAttribute(attributes, "empty_map")->mutable_value()->mutable_kvlist_value();
  otlp::ArrayValue* array = AddAttribute(attributes, "a")->mutable_value()->mutable_array_value();
  array->add_values()->set_int_value(1);
  array->add_values()->mutable_array_value()->add_values()->set_string_value("nested");
  array->add_values();
  AddAttribute(attributes, "quote\"back\\slash\nnewline\x1f")->mutable_value()->set_string_value("v");
  AddAttribute(attributes, "")->mutable_value()->set_string_value("empty key");
  AddAttribute(attributes, "s")->mutable_value()->set_string_value("repeated key kept");

  // The exact text: integers stay integers, doubles are the shortest text that reads back the same.
  const std::string text = DecodeOne(request);
  EXPECT_EQ(text,
            R"({"timestamp":"1970-01-01T00:00:00.000000001Z","level":"info","message":"","metadata":{)"
            R"("s":"x","t":true,"f":false,"min":-9223372036854775808,"max":9223372036854775807,"d":0.1,)"
            R"("big":1e+300,"whole":3,"nan":null,"inf":null,"b":"Zm9vYmFy","empty_bytes":"","unset":null,)"
            R"("empty_array":[],"empty_map":{},"a":[1,["nested"],null],)"
            R"("quote\"back\\slash\u000anewline\u001f":"v","":"empty key","s":"repeated key kept"}})");
  Log log(text);
}

TEST(OtlpMapping, NoAttributesNoMetadata) {
  otlp::ExportLogsServiceRequest request;
  OneRecord(&request)->set_time_unix_nano(1);
  EXPECT_FALSE(Log(DecodeOne(request)).Has("metadata"));
}

TEST(OtlpMapping, ServiceComesFromTheResourceAndTheRestGoesToResource) {
  otlp::ExportLogsServiceRequest request;
  otlp::ResourceLogs* first = request.add_resource_logs();
  auto* attributes = first->mutable_resource()->mutable_attributes();
  AddAttribute(attributes, "service.namespace")->mutable_value()->set_string_value("shop");
  AddAttribute(attributes, "service.name")->mutable_value()->set_string_value("cart");
  AddAttribute(attributes, "service.name")->mutable_value()->set_string_value("second");
  first->add_scope_logs()->add_log_records()->set_time_unix_nano(1);
  // A non-string service.name is no service: it stays a resource attribute.
  otlp::ResourceLogs* second = request.add_resource_logs();
  AddAttribute(second->mutable_resource()->mutable_attributes(), "service.name")
      ->mutable_value()
      ->set_int_value(7);
  second->add_scope_logs()->add_log_records()->set_time_unix_nano(1);
  // No resource at all: neither key (and nothing left over from the previous resource).
  request.add_resource_logs()->add_scope_logs()->add_log_records()->set_time_unix_nano(1);

  const std::vector<std::string> logs = DecodeProto(request);
  ASSERT_EQ(logs.size(), 3u);
  Log a(logs[0]), b(logs[1]), c(logs[2]);
  EXPECT_EQ(a.String("service"), "cart");
  EXPECT_EQ(a.Json("resource"), R"({"service.namespace":"shop","service.name":"second"})");
  EXPECT_FALSE(b.Has("service"));
  EXPECT_EQ(b.Json("resource"), R"({"service.name":7})");
  EXPECT_FALSE(c.Has("service"));
  EXPECT_FALSE(c.Has("resource"));
}

TEST(OtlpMapping, TraceAndSpanIdsOnlyWhenValid) {
  const auto decode = [](std::string trace_id, std::string span_id) {
    otlp::ExportLogsServiceRequest request;
    otlp::LogRecord* record = OneRecord(&request);
    record->set_time_unix_nano(1);
    record->set_trace_id(trace_id);
    record->set_span_id(span_id);
    return DecodeOne(request);
  };
  {
    // Built by assignment, not `std::string(15, c) + c`: GCC 12 at -O3 reports a false -Warray-bounds on
    // that concatenation when the test file is compiled with the precompiled GoogleTest header.
    std::string trace_id(16, '\x01');
    trace_id[15] = '\xab';
    std::string span_id(8, '\0');
    span_id[7] = '\x01';
    Log log(decode(trace_id, span_id));
    EXPECT_EQ(log.String("trace_id"), "010101010101010101010101010101ab");
    EXPECT_EQ(log.String("span_id"), "0000000000000001");
  }
  {
    Log log(decode(std::string(16, '\0'), std::string(8, '\0')));  // all zero: no span
    EXPECT_FALSE(log.Has("trace_id"));
    EXPECT_FALSE(log.Has("span_id"));
  }
  {
    Log log(decode(std::string(15, '\x01'), std::string(16, '\x01')));  // wrong lengths
    EXPECT_FALSE(log.Has("trace_id"));
    EXPECT_FALSE(log.Has("span_id"));
  }
}

TEST(OtlpMapping, ScopeAndExtras) {
  otlp::ExportLogsServiceRequest request;
  otlp::ResourceLogs* resource_logs = request.add_resource_logs();
  otlp::ScopeLogs* named = resource_logs->add_scope_logs();
  named->mutable_scope()->set_name("lib");  // no version
  otlp::LogRecord* record = named->add_log_records();
  record->set_time_unix_nano(5);
  record->set_observed_time_unix_nano(4);
  record->set_flags(0xffffffff);
  record->set_dropped_attributes_count(0xffffffff);
  otlp::ScopeLogs* unnamed = resource_logs->add_scope_logs();
  unnamed->mutable_scope()->set_version("9");  // a version without a name is no scope
  unnamed->add_log_records()->set_time_unix_nano(5);

  const std::vector<std::string> logs = DecodeProto(request);
  ASSERT_EQ(logs.size(), 2u);
  Log a(logs[0]), b(logs[1]);
  EXPECT_EQ(a.Json("scope"), R"({"name":"lib"})");
  EXPECT_EQ(a.String("observed_timestamp"), "1970-01-01T00:00:00.000000004Z");
  EXPECT_EQ(a.Json("flags"), "4294967295");
  EXPECT_EQ(a.Json("dropped_attributes_count"), "4294967295");
  EXPECT_FALSE(a.Has("event_name"));
  EXPECT_FALSE(a.Has("severity_number"));
  EXPECT_EQ(b.Keys(), (std::vector<std::string>{"timestamp", "level", "message"}));
}

TEST(OtlpMapping, DeclaredPropertiesTakeTheirAttributes) {
  OtlpMapping mapping;
  mapping.declared_properties = {"timestamp", "level",   "message", "metadata", "user_id",
                                 "region",    "service", "scope",   "resource"};
  otlp::ExportLogsServiceRequest request;
  otlp::LogRecord* record = OneRecord(&request);
  record->set_time_unix_nano(1);
  auto* attributes = record->mutable_attributes();
  AddAttribute(attributes, "user_id")->mutable_value()->set_int_value(42);
  AddAttribute(attributes, "level")->mutable_value()->set_string_value("attribute level");
  AddAttribute(attributes, "timestamp")->mutable_value()->set_string_value("attribute time");
  AddAttribute(attributes, "metadata")->mutable_value()->set_string_value("attribute metadata");
  // A mapped key is never taken, even when the mapped value is absent (no service.name here).
  AddAttribute(attributes, "service")->mutable_value()->set_string_value("attribute service");
  AddAttribute(attributes, "region")->mutable_value()->mutable_kvlist_value();
  AddAttribute(attributes, "user_id")->mutable_value()->set_int_value(43);  // the first one wins
  AddAttribute(attributes, "other")->mutable_value()->set_bool_value(true);

  Log log(DecodeOne(request, mapping));
  EXPECT_EQ(log.Json("user_id"), "42");
  EXPECT_EQ(log.Json("region"), "{}");
  EXPECT_EQ(log.String("level"), "info");
  EXPECT_EQ(log.String("timestamp"), "1970-01-01T00:00:00.000000001Z");
  EXPECT_FALSE(log.Has("service"));
  EXPECT_EQ(log.Json("metadata"),
            R"({"level":"attribute level","timestamp":"attribute time","metadata":"attribute metadata",)"
            R"("service":"attribute service","user_id":43,"other":true})");
}

TEST(OtlpMapping, CustomTimeField) {
  OtlpMapping mapping;
  mapping.time_field = "ts";
  mapping.declared_properties = {"ts", "timestamp"};
  otlp::ExportLogsServiceRequest request;
  otlp::LogRecord* record = OneRecord(&request);
  record->set_time_unix_nano(ExampleNanos());
  AddAttribute(record->mutable_attributes(), "ts")->mutable_value()->set_string_value("not the time");
  // "timestamp" is not a mapped key under this time field: a declared property like any other.
  AddAttribute(record->mutable_attributes(), "timestamp")->mutable_value()->set_string_value("declared");
  Log log(DecodeOne(request, mapping));
  EXPECT_EQ(log.Keys(), (std::vector<std::string>{"ts", "level", "message", "timestamp", "metadata"}));
  EXPECT_EQ(log.String("ts"), "2026-12-05T13:34:12.123456789Z");
  EXPECT_EQ(log.String("timestamp"), "declared");
  EXPECT_EQ(log.Json("metadata"), R"({"ts":"not the time"})");
}

TEST(OtlpMapping, TimeFieldNamedLikeAMappedKeyIsWrittenOnce) {
  OtlpMapping mapping;
  mapping.time_field = "observed_timestamp";
  otlp::ExportLogsServiceRequest request;
  otlp::LogRecord* record = OneRecord(&request);
  record->set_time_unix_nano(ExampleNanos());
  record->set_observed_time_unix_nano(7);
  Log log(DecodeOne(request, mapping));
  EXPECT_EQ(log.String("observed_timestamp"), "2026-12-05T13:34:12.123456789Z");

  mapping.time_field = "we\"ird\\";  // escaped as any key
  Log weird(DecodeOne(request, mapping));
  EXPECT_EQ(weird.String("we\"ird\\"), "2026-12-05T13:34:12.123456789Z");
}

TEST(OtlpMapping, RecordsKeepTheirOrderAcrossResourcesAndScopes) {
  otlp::ExportLogsServiceRequest request;
  int n = 0;
  for (int r = 0; r < 3; ++r) {
    otlp::ResourceLogs* resource_logs = request.add_resource_logs();
    AddAttribute(resource_logs->mutable_resource()->mutable_attributes(), "service.name")
        ->mutable_value()
        ->set_string_value("svc" + std::to_string(r));
    for (int s = 0; s < 3; ++s) {
      otlp::ScopeLogs* scope_logs = resource_logs->add_scope_logs();
      scope_logs->mutable_scope()->set_name("scope" + std::to_string(s));
      for (int i = 0; i < 4; ++i) {
        otlp::LogRecord* record = scope_logs->add_log_records();
        record->set_time_unix_nano(1);
        record->mutable_body()->set_string_value(std::to_string(n++));
      }
    }
  }
  const std::vector<std::string> logs = DecodeProto(request);
  ASSERT_EQ(logs.size(), 36u);
  for (int i = 0; i < 36; ++i) {
    Log log(logs[i]);
    EXPECT_EQ(log.String("message"), std::to_string(i));
    EXPECT_EQ(log.String("service"), "svc" + std::to_string(i / 12));
    EXPECT_EQ(log.Json("scope"), R"({"name":"scope)" + std::to_string(i / 4 % 3) + R"("})");
  }
}

TEST(OtlpMapping, Base64MatchesRfc4648Vectors) {
  const std::pair<const char*, const char*> kVectors[] = {{"", ""},
                                                          {"f", "Zg=="},
                                                          {"fo", "Zm8="},
                                                          {"foo", "Zm9v"},
                                                          {"foob", "Zm9vYg=="},
                                                          {"fooba", "Zm9vYmE="},
                                                          {"foobar", "Zm9vYmFy"}};
  for (const auto& [bytes, text] : kVectors) {
    std::string out;
    AppendBase64(bytes, &out);
    EXPECT_EQ(out, text);
  }
  std::string out;
  AppendBase64(std::string("\xff\xfe\xfd\x00", 4), &out);
  EXPECT_EQ(out, "//79AA==");
}

}  // namespace
}  // namespace otlp_mapping_test
}  // namespace logdaemon::http
