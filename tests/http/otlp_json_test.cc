// The OTLP/JSON decoder: the specification's encoding (and what proto3 JSON parsers also accept) gives
// the same logs as the protobuf encoding of the same request; anything else is InvalidArgument with
// nothing appended.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "http/otlp_any_value.h"
#include "http/otlp_logs.h"
#include "http/otlp_test_util.h"

namespace logdaemon::http {
namespace otlp_json_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using testing::AddAttribute;
using testing::DecodeJson;
using testing::DecodeJsonText;
using testing::DecodeProto;
using testing::Log;

constexpr std::string_view kExistingLog = R"({"already":"here"})";

// Our own example, in the shape of the specification's: hex ids in upper case, 64-bit integers as strings,
// every AnyValue kind, a declared property.
constexpr std::string_view kExample = R"({
  "resourceLogs": [{
    "resource": {
      "attributes": [
        {"key": "service.name", "value": {"stringValue": "checkout"}},
        {"key": "host.name", "value": {"stringValue": "web-1"}}
      ],
      "droppedAttributesCount": 0
    },
    "scopeLogs": [{
      "scope": {"name": "io.example.logger", "version": "1.2.3",
                "attributes": [{"key": "ignored", "value": {"intValue": "1"}}]},
      "logRecords": [{
        "timeUnixNano": "1796477652123456789",
        "observedTimeUnixNano": "1796477652123457789",
        "severityNumber": 17,
        "severityText": "Error",
        "traceId": "5B8EFFF798038103D269B633813FC60C",
        "spanId": "eee19b7ec3c1b174",
        "eventName": "payment.declined",
        "flags": 1,
        "droppedAttributesCount": 2,
        "body": {"stringValue": "card declined"},
        "attributes": [
          {"key": "user_id", "value": {"intValue": "42"}},
          {"key": "string.attribute", "value": {"stringValue": "some string"}},
          {"key": "boolean.attribute", "value": {"boolValue": true}},
          {"key": "int.attribute", "value": {"intValue": "-10"}},
          {"key": "double.attribute", "value": {"doubleValue": 637.704}},
          {"key": "bytes.attribute", "value": {"bytesValue": "Zm9vYmFy"}},
          {"key": "array.attribute", "value": {"arrayValue": {"values": [
            {"stringValue": "many"}, {"intValue": 3}, {"arrayValue": {}}, {}]}}},
          {"key": "map.attribute", "value": {"kvlistValue": {"values": [
            {"key": "some.map.key", "value": {"stringValue": "some value"}},
            {"key": "empty"}]}}}
        ]
      }, {
        "timeUnixNano": 1000,
        "body": {"kvlistValue": {"values": [{"key": "a", "value": {"doubleValue": "NaN"}}]}}
      }]
    }]
  }]
})";

// The same request, built with the generated classes.
otlp::ExportLogsServiceRequest ExampleRequest() {
  otlp::ExportLogsServiceRequest request;
  otlp::ResourceLogs* resource_logs = request.add_resource_logs();
  auto* resource_attributes = resource_logs->mutable_resource()->mutable_attributes();
  AddAttribute(resource_attributes, "service.name")->mutable_value()->set_string_value("checkout");
  AddAttribute(resource_attributes, "host.name")->mutable_value()->set_string_value("web-1");
  otlp::ScopeLogs* scope_logs = resource_logs->add_scope_logs();
  scope_logs->mutable_scope()->set_name("io.example.logger");
  scope_logs->mutable_scope()->set_version("1.2.3");
  otlp::LogRecord* record = scope_logs->add_log_records();
  record->set_time_unix_nano(1796477652123456789);
  record->set_observed_time_unix_nano(1796477652123457789);
  record->set_severity_number(otlp::SEVERITY_NUMBER_ERROR);
  record->set_severity_text("Error");
  record->set_trace_id(std::string("\x5b\x8e\xff\xf7\x98\x03\x81\x03\xd2\x69\xb6\x33\x81\x3f\xc6\x0c", 16));
  record->set_span_id(std::string("\xee\xe1\x9b\x7e\xc3\xc1\xb1\x74", 8));
  record->set_event_name("payment.declined");
  record->set_flags(1);
  record->set_dropped_attributes_count(2);
  record->mutable_body()->set_string_value("card declined");
  auto* attributes = record->mutable_attributes();
  AddAttribute(attributes, "user_id")->mutable_value()->set_int_value(42);
  AddAttribute(attributes, "string.attribute")->mutable_value()->set_string_value("some string");
  AddAttribute(attributes, "boolean.attribute")->mutable_value()->set_bool_value(true);
  AddAttribute(attributes, "int.attribute")->mutable_value()->set_int_value(-10);
  AddAttribute(attributes, "double.attribute")->mutable_value()->set_double_value(637.704);
  AddAttribute(attributes, "bytes.attribute")->mutable_value()->set_bytes_value("foobar");
  otlp::ArrayValue* array =
      AddAttribute(attributes, "array.attribute")->mutable_value()->mutable_array_value();
  array->add_values()->set_string_value("many");
  array->add_values()->set_int_value(3);
  array->add_values()->mutable_array_value();
  array->add_values();
  otlp::KeyValueList* map =
      AddAttribute(attributes, "map.attribute")->mutable_value()->mutable_kvlist_value();
  AddAttribute(map->mutable_values(), "some.map.key")->mutable_value()->set_string_value("some value");
  AddAttribute(map->mutable_values(), "empty");
  otlp::LogRecord* second = scope_logs->add_log_records();
  second->set_time_unix_nano(1000);
  AddAttribute(second->mutable_body()->mutable_kvlist_value()->mutable_values(), "a")
      ->mutable_value()
      ->set_double_value(std::nan(""));
  return request;
}

OtlpMapping ExampleMapping() {
  OtlpMapping mapping;
  mapping.declared_properties = {"timestamp", "level",    "message", "service",
                                 "trace_id",  "metadata", "user_id"};
  return mapping;
}

// Decodes `text` into a batch that already holds one log; on failure nothing may have been appended.
Status DecodeChecked(std::string_view text) {
  LogBatch batch;
  batch.Add(kExistingLog);
  const size_t bytes_before = batch.buffer().size();
  const Status status = DecodeJsonText(text, OtlpMapping{}, &batch);
  if (!status.ok()) {
    EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
    EXPECT_TRUE(status.message().starts_with("OTLP JSON: ")) << status.message();
    EXPECT_EQ(batch.size(), 1u);
    EXPECT_EQ(batch.buffer().size(), bytes_before);
  }
  return status;
}

TEST(OtlpJson, ExampleDecodesAsItsProtobufTwin) {
  const std::vector<std::string> from_json = DecodeJson(kExample, ExampleMapping());
  const std::vector<std::string> from_proto = DecodeProto(ExampleRequest(), ExampleMapping());
  EXPECT_EQ(from_json, from_proto);
  ASSERT_EQ(from_json.size(), 2u);
  EXPECT_EQ(
      from_json[0],
      R"({"timestamp":"2026-12-05T13:34:12.123456789Z","level":"error","message":"card declined",)"
      R"("service":"checkout","trace_id":"5b8efff798038103d269b633813fc60c","span_id":"eee19b7ec3c1b174",)"
      R"("user_id":42,"metadata":{"string.attribute":"some string","boolean.attribute":true,)"
      R"("int.attribute":-10,"double.attribute":637.704,"bytes.attribute":"Zm9vYmFy",)"
      R"("array.attribute":["many",3,[],null],"map.attribute":{"some.map.key":"some value","empty":null}},)"
      R"("severity_number":17,"observed_timestamp":"2026-12-05T13:34:12.123457789Z","flags":1,)"
      R"("event_name":"payment.declined","scope":{"name":"io.example.logger","version":"1.2.3"},)"
      R"("resource":{"host.name":"web-1"},"dropped_attributes_count":2})");
  EXPECT_EQ(Log(from_json[1]).String("message"), R"({"a":null})");
}

// The proto field names, as proto3 JSON parsers (and the OpenTelemetry Collector) accept them.
TEST(OtlpJson, SnakeCaseKeysAreAcceptedToo) {
  std::string text(kExample);
  for (const auto& [camel, snake] : std::vector<std::pair<std::string, std::string>>{
           {"resourceLogs", "resource_logs"},
           {"scopeLogs", "scope_logs"},
           {"logRecords", "log_records"},
           {"timeUnixNano", "time_unix_nano"},
           {"observedTimeUnixNano", "observed_time_unix_nano"},
           {"severityNumber", "severity_number"},
           {"severityText", "severity_text"},
           {"traceId", "trace_id"},
           {"spanId", "span_id"},
           {"eventName", "event_name"},
           {"droppedAttributesCount", "dropped_attributes_count"},
           {"stringValue", "string_value"},
           {"boolValue", "bool_value"},
           {"intValue", "int_value"},
           {"doubleValue", "double_value"},
           {"bytesValue", "bytes_value"},
           {"arrayValue", "array_value"},
           {"kvlistValue", "kvlist_value"},
       }) {
    for (size_t at = text.find(camel); at != std::string::npos; at = text.find(camel, at)) {
      text.replace(at, camel.size(), snake);
    }
  }
  EXPECT_EQ(text.find("Value\""), std::string::npos) << text;
  EXPECT_EQ(DecodeJson(text, ExampleMapping()), DecodeProto(ExampleRequest(), ExampleMapping()));
}

// The single-record JSON `record` (a LogRecord object's members), decoded.
std::string DecodeRecord(std::string_view record_members) {
  const std::string text = R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"1",)" +
                           std::string(record_members) + "}]}]}]}";
  const std::vector<std::string> logs = DecodeJson(text);
  EXPECT_EQ(logs.size(), 1u) << text;
  return logs.empty() ? std::string() : logs[0];
}

TEST(OtlpJson, IntegersAsNumbersOrStrings) {
  EXPECT_EQ(Log(DecodeRecord(R"("timeUnixNano": 1796477652123456789)")).String("timestamp"),
            "2026-12-05T13:34:12.123456789Z");
  EXPECT_EQ(Log(DecodeRecord(R"("timeUnixNano": "18446744073709551615")")).String("timestamp"),
            "2554-07-21T23:34:33.709551615Z");
  EXPECT_EQ(Log(DecodeRecord(R"("timeUnixNano": 1e3)")).String("timestamp"),
            "1970-01-01T00:00:00.000001000Z");
  EXPECT_EQ(Log(DecodeRecord(R"("timeUnixNano": 2.0)")).String("timestamp"),
            "1970-01-01T00:00:00.000000002Z");
  // The metadata's exact text (the log ends with it).
  const auto attribute = [](std::string_view value) {
    const std::string text = DecodeRecord(R"("attributes":[{"key":"v","value":)" + std::string(value) + "}]");
    Log log(text);
    const size_t at = text.find(R"("metadata":)");
    return at == std::string::npos ? text : text.substr(at + 11, text.size() - at - 12);
  };
  EXPECT_EQ(attribute(R"({"intValue":"-9223372036854775808"})"), R"({"v":-9223372036854775808})");
  EXPECT_EQ(attribute(R"({"intValue":9223372036854775807})"), R"({"v":9223372036854775807})");
  EXPECT_EQ(attribute(R"({"intValue":-0})"), R"({"v":0})");
  EXPECT_EQ(attribute(R"({"intValue":"-0"})"), R"({"v":0})");
  EXPECT_EQ(attribute(R"({"doubleValue":"Infinity"})"), R"({"v":null})");
  EXPECT_EQ(attribute(R"({"doubleValue":"-Infinity"})"), R"({"v":null})");
  EXPECT_EQ(attribute(R"({"doubleValue":"2.5"})"), R"({"v":2.5})");
  EXPECT_EQ(attribute(R"({"doubleValue":7})"), R"({"v":7})");
  EXPECT_EQ(attribute(R"({"bytesValue":"_-8"})"), R"({"v":"/+8="})");  // URL-safe, unpadded
  EXPECT_EQ(attribute(R"({"bytesValue":""})"), R"({"v":""})");
  EXPECT_EQ(attribute(R"({"stringValue":"a","intValue":"5"})"), R"({"v":5})");  // the last member wins
  EXPECT_EQ(Log(DecodeRecord(R"("flags": "4294967295", "droppedAttributesCount": 4294967295)")).Json("flags"),
            "4294967295");
}

TEST(OtlpJson, SeverityAsNumberNameOrDecimalString) {
  EXPECT_EQ(Log(DecodeRecord(R"("severityNumber": "SEVERITY_NUMBER_WARN3")")).String("level"), "warn");
  EXPECT_EQ(Log(DecodeRecord(R"("severityNumber": "SEVERITY_NUMBER_WARN3")")).Json("severity_number"), "15");
  EXPECT_EQ(Log(DecodeRecord(R"("severityNumber": "21")")).String("level"), "fatal");
  EXPECT_EQ(Log(DecodeRecord(R"("severityNumber": 5)")).String("level"), "debug");
  EXPECT_EQ(Log(DecodeRecord(R"("severityNumber": 99, "severityText": "WARNING")")).String("level"), "warn");
}

TEST(OtlpJson, HexIdsInEitherCase) {
  Log log(DecodeRecord(R"("traceId": "aBcDeF0123456789ABCDEF0123456789", "spanId": "0123456789abcdef")"));
  EXPECT_EQ(log.String("trace_id"), "abcdef0123456789abcdef0123456789");
  EXPECT_EQ(log.String("span_id"), "0123456789abcdef");
  Log empty(DecodeRecord(R"("traceId": "", "spanId": "")"));
  EXPECT_FALSE(empty.Has("trace_id"));
  EXPECT_FALSE(empty.Has("span_id"));
}

TEST(OtlpJson, UnknownKeysAndNullsAreIgnored) {
  const std::string text = R"({"unknown": {"deep": [[[{"x": 1}]]]}, "resourceLogs": [{
    "resource": null, "schemaUrl": "https://opentelemetry.io/schemas/1.21.0", "entityRefs": [{"type": "x"}],
    "scopeLogs": [{"scope": {"name": "s", "future": true}, "logRecords": [{
      "timeUnixNano": "1", "observedTimeUnixNano": null, "severityNumber": null, "severityText": null,
      "body": null, "attributes": null, "traceId": null, "spanId": null, "flags": null, "eventName": null,
      "newField": {"a": [1, 2]}
    }, {"timeUnixNano": "2", "body": {"stringValue": null, "futureValue": {}}, "attributes": [
      {"key": "k", "value": null, "extra": 1}
    ]}]}]}], "resource_logs": null})";
  const std::vector<std::string> logs = DecodeJson(text);
  ASSERT_EQ(logs.size(), 2u);
  EXPECT_EQ(logs[0], R"({"timestamp":"1970-01-01T00:00:00.000000001Z","level":"info","message":"",)"
                     R"("scope":{"name":"s"}})");
  EXPECT_EQ(logs[1], R"({"timestamp":"1970-01-01T00:00:00.000000002Z","level":"info","message":"",)"
                     R"("metadata":{"k":null},"scope":{"name":"s"}})");
}

TEST(OtlpJson, EmptyRequests) {
  EXPECT_TRUE(DecodeJson("{}").empty());
  EXPECT_TRUE(DecodeJson(R"({"resourceLogs": []})").empty());
  EXPECT_TRUE(DecodeJson(R"({"resourceLogs": null})").empty());
  EXPECT_TRUE(DecodeJson(R"({"resourceLogs": [{}, {"scopeLogs": [{}]}]})").empty());
}

TEST(OtlpJson, MalformedBodiesAreInvalidArgumentWithWhereAndWhat) {
  const std::pair<std::string, std::string> kCases[] = {
      {"", "OTLP JSON: "},
      {"{", "OTLP JSON: "},
      {"[]", "OTLP JSON: expected a JSON object"},
      {"{} {}", "OTLP JSON: "},
      {"{\"resourceLogs\": [{\"x\": \"\xff\"}]}", "OTLP JSON: "},             // invalid UTF-8
      {R"({"resourceLogs": [{"x": 18446744073709551616}]})", "OTLP JSON: "},  // simdjson: not a number
      {R"({"resourceLogs": 5})", "OTLP JSON: resourceLogs: expected an array"},
      {R"({"resourceLogs": [5]})", "OTLP JSON: resourceLogs[0]: expected an object"},
      {R"({"resourceLogs": [{"resource": []}]})", "OTLP JSON: resourceLogs[0]: resource: expected an object"},
      {R"({"resourceLogs": [{}, {"scopeLogs": [{"logRecords": [{}, {"timeUnixNano": "abc"}]}]}]})",
       "OTLP JSON: resourceLogs[1]: scopeLogs[0]: logRecords[1]: timeUnixNano: expected an unsigned integer"},
  };
  for (const auto& [text, prefix] : kCases) {
    const Status status = DecodeChecked(text);
    ASSERT_FALSE(status.ok()) << text;
    EXPECT_TRUE(status.message().starts_with(prefix)) << status.message();
  }
}

TEST(OtlpJson, WrongValuesInRecordsAreInvalidArgument) {
  const char* const kRecords[] = {
      R"("timeUnixNano": -1)",
      R"("timeUnixNano": "-1")",
      R"("timeUnixNano": 1.5)",
      R"("timeUnixNano": "18446744073709551616")",
      R"("timeUnixNano": "1e3")",
      R"("timeUnixNano": " 1")",
      R"("timeUnixNano": "")",
      R"("timeUnixNano": true)",
      R"("observedTimeUnixNano": {})",
      R"("flags": 4294967296)",
      R"("droppedAttributesCount": "-5")",
      R"("severityNumber": "SEVERITY_NUMBER_LOUD")",
      R"("severityNumber": 2147483648)",
      R"("severityNumber": 1.5)",
      R"("severityText": 3)",
      R"("eventName": ["x"])",
      R"("traceId": "5B8EFFF798038103D269B633813FC60")",  // odd length
      R"("traceId": "zz8EFFF798038103D269B633813FC60C")",
      R"("spanId": 12)",
      R"("body": "text")",
      R"("body": {"intValue": "9223372036854775808"})",
      R"("body": {"intValue": "-9223372036854775809"})",
      R"("body": {"intValue": 1.5})",
      R"("body": {"boolValue": "true"})",
      R"("body": {"doubleValue": "fast"})",
      R"("body": {"doubleValue": "nan"})",
      R"("body": {"bytesValue": "Zm9vYmFy="})",
      R"("body": {"bytesValue": "Zm9v!mFy"})",
      R"("body": {"bytesValue": "Z"})",
      R"("body": {"arrayValue": []})",
      R"("body": {"arrayValue": {"values": {}}})",
      R"("body": {"arrayValue": {"values": [1]}})",
      R"("body": {"kvlistValue": {"values": [{"key": 1}]}})",
      R"("body": {"kvlistValue": {"values": [{"key": "k", "value": "v"}]}})",
      R"("attributes": {})",
      R"("attributes": [{"key": "k", "value": {"intValue": "x"}}])",
  };
  for (const char* record : kRecords) {
    const std::string text = R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"1"},{)" +
                             std::string(record) + "}]}]}]}";
    const Status status = DecodeChecked(text);
    EXPECT_FALSE(status.ok()) << record;
    EXPECT_TRUE(status.message().starts_with("OTLP JSON: resourceLogs[0]: scopeLogs[0]: logRecords[1]: "))
        << status.message();
  }
}

// An AnyValue `levels` deep in OTLP/JSON: a scalar at level 1.
// Built as prefix + scalar + suffix: linear in `levels`.
std::string NestedJson(int levels, bool kvlist) {
  const std::string_view open =
      kvlist ? R"({"kvlistValue":{"values":[{"key":"k","value":)" : R"({"arrayValue":{"values":[)";
  const std::string_view close = kvlist ? "}]}}" : "]}}";
  std::string value;
  for (int level = 2; level <= levels; ++level) value += open;
  value += R"({"intValue":7})";
  for (int level = 2; level <= levels; ++level) value += close;
  return value;
}

TEST(OtlpJson, AnyValuesNestUpToTheLimit) {
  for (bool kvlist : {false, true}) {
    const std::string ok = DecodeRecord(R"("body":)" + NestedJson(kMaxOtlpAnyValueDepth, kvlist) +
                                        R"(,"attributes":[{"key":"d","value":)" +
                                        NestedJson(kMaxOtlpAnyValueDepth, kvlist) + "}]");
    Log log(ok);
    EXPECT_TRUE(log.Has("metadata"));
    for (const char* where : {R"("body":%)", R"("attributes":[{"key":"d","value":%}])"}) {
      std::string record(where);
      record.replace(record.find('%'), 1, NestedJson(kMaxOtlpAnyValueDepth + 1, kvlist));
      const std::string text = R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{)" + record + "}]}]}]}";
      const Status status = DecodeChecked(text);
      EXPECT_FALSE(status.ok());
      EXPECT_NE(status.message().find("an AnyValue nests deeper than 64 levels"), std::string::npos)
          << status.message();
    }
  }
}

TEST(OtlpJson, TenThousandLevelsAreRefusedWithoutOverflowingTheStack) {
  const std::string arrays = std::string(10'000, '[') + std::string(10'000, ']');
  const std::string objects = [] {
    std::string text;
    for (int i = 0; i < 10'000; ++i) text += R"({"a":)";
    text += "1";
    text += std::string(10'000, '}');
    return text;
  }();
  for (const std::string& text :
       {arrays, objects, R"({"unknown":)" + arrays + "}",
        R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":)" + NestedJson(10'000, true) + "}]}]}]}"}) {
    const Status status = DecodeChecked(text);
    EXPECT_FALSE(status.ok());
  }
}

TEST(OtlpJson, ManyRecords) {
  constexpr int kRecords = 50'000;
  std::string text = R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[)";
  for (int i = 0; i < kRecords; ++i) {
    if (i) text += ',';
    text += R"({"timeUnixNano":")" + std::to_string(i + 1) + R"(","body":{"stringValue":")" +
            std::to_string(i) + R"("}})";
  }
  text += "]}]}]}";
  const std::vector<std::string> logs = DecodeJson(text);
  ASSERT_EQ(logs.size(), static_cast<size_t>(kRecords));
  EXPECT_EQ(Log(logs.back()).String("message"), std::to_string(kRecords - 1));
}

TEST(OtlpJson, HexAndBase64Decoders) {
  std::string bytes;
  EXPECT_TRUE(DecodeHex("", &bytes));
  EXPECT_EQ(bytes, "");
  EXPECT_TRUE(DecodeHex("00fFa0", &bytes));
  EXPECT_EQ(bytes, std::string("\x00\xff\xa0", 3));
  EXPECT_FALSE(DecodeHex("0", &bytes));
  EXPECT_FALSE(DecodeHex("0g", &bytes));
  EXPECT_FALSE(DecodeHex("-1", &bytes));

  const std::pair<const char*, const char*> kValid[] = {
      {"", ""},
      {"Zg==", "f"},
      {"Zg", "f"},
      {"Zm8=", "fo"},
      {"Zm8", "fo"},
      {"Zm9v", "foo"},
      {"Zm9vYg==", "foob"},
      {"Zm9vYmE=", "fooba"},
      {"Zm9vYmFy", "foobar"},
      {"-_8=", "\xfb\xff"},
      {"+/8", "\xfb\xff"},
  };
  for (const auto& [text, expected] : kValid) {
    EXPECT_TRUE(DecodeBase64(text, &bytes)) << text;
    EXPECT_EQ(bytes, expected) << text;
  }
  for (const char* text : {"Z", "Z===", "Zg=", "Zg===", "=", "Zm9v=", "Zm 9v", "Zm9v\n", "Zg==Zg=="}) {
    EXPECT_FALSE(DecodeBase64(text, &bytes)) << text;
  }
}

}  // namespace
}  // namespace otlp_json_test
}  // namespace logdaemon::http
