// The protobuf decoder against hostile bodies (truncated, random, mutated, wrong wire types, deep
// nesting, huge counts) and the response encoders.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "http/otlp_logs.h"
#include "http/otlp_test_util.h"
#include "logdaemon/schema.h"

namespace logdaemon::http {
namespace otlp_protobuf_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using testing::AddAttribute;
using testing::DecodeProto;
using testing::Log;
using testing::LogsOf;
using testing::OneRecord;

constexpr std::string_view kExistingLog = R"({"already":"here"})";

std::string Varint(uint64_t value) {
  std::string out;
  while (value >= 0x80) {
    out.push_back(static_cast<char>(value | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
  return out;
}

// `payload` wrapped in one length-delimited field per entry of `fields`, the first outermost. Built from
// the sizes, without copying the payload once per level (a 10 000-level body stays cheap to build).
std::string Nest(const std::vector<int>& fields, std::string_view payload) {
  std::vector<uint64_t> content_sizes(fields.size());
  uint64_t size = payload.size();
  for (size_t i = fields.size(); i-- > 0;) {
    content_sizes[i] = size;
    size += Varint(static_cast<uint64_t>(fields[i]) << 3 | 2).size() + Varint(size).size();
  }
  std::string out;
  out.reserve(size);
  for (size_t i = 0; i < fields.size(); ++i) {
    out += Varint(static_cast<uint64_t>(fields[i]) << 3 | 2);
    out += Varint(content_sizes[i]);
  }
  out += payload;
  return out;
}

// Request > ResourceLogs > ScopeLogs > LogRecord, then `inner` fields.
std::vector<int> RecordPath(std::vector<int> inner) {
  std::vector<int> fields = {1, 2, 2};
  fields.insert(fields.end(), inner.begin(), inner.end());
  return fields;
}

// Decodes `body` into a batch that already holds one log. On failure the batch must be untouched; on
// success every appended log must be a JSON object with unique keys.
Status DecodeChecked(std::string_view body, size_t* appended = nullptr) {
  LogBatch batch;
  batch.Add(kExistingLog);
  const size_t bytes_before = batch.buffer().size();
  const Status status = DecodeOtlpProtobuf(body, OtlpMapping{}, &batch);
  if (!status.ok()) {
    EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
    EXPECT_TRUE(status.message().starts_with("OTLP protobuf: ")) << status.message();
    EXPECT_EQ(batch.size(), 1u);
    EXPECT_EQ(batch.buffer().size(), bytes_before);
  }
  batch.Finish();
  EXPECT_EQ(batch.log(0), kExistingLog);
  for (size_t i = 1; i < batch.size(); ++i) Log log(batch.log(i));
  if (appended != nullptr) *appended = batch.size() - 1;
  return status;
}

otlp::ExportLogsServiceRequest SampleRequest() {
  otlp::ExportLogsServiceRequest request;
  for (int r = 0; r < 2; ++r) {
    otlp::ResourceLogs* resource_logs = request.add_resource_logs();
    AddAttribute(resource_logs->mutable_resource()->mutable_attributes(), "service.name")
        ->mutable_value()
        ->set_string_value("svc");
    otlp::ScopeLogs* scope_logs = resource_logs->add_scope_logs();
    scope_logs->mutable_scope()->set_name("scope");
    for (int i = 0; i < 3; ++i) {
      otlp::LogRecord* record = scope_logs->add_log_records();
      record->set_time_unix_nano(1'700'000'000'000'000'000 + i);
      record->set_severity_number(otlp::SEVERITY_NUMBER_ERROR);
      record->mutable_body()->set_string_value("message number " + std::to_string(i));
      record->set_trace_id(std::string(16, '\x11'));
      AddAttribute(record->mutable_attributes(), "k")->mutable_value()->set_double_value(1.5);
      otlp::ArrayValue* array =
          AddAttribute(record->mutable_attributes(), "a")->mutable_value()->mutable_array_value();
      array->add_values()->set_string_value("x");
      array->add_values()->set_bytes_value("\x01\x02");
    }
  }
  return request;
}

TEST(OtlpProtobuf, EmptyBodyIsAnEmptyRequest) {
  size_t appended = 99;
  EXPECT_TRUE(DecodeChecked("", &appended).ok());
  EXPECT_EQ(appended, 0u);
  // Resources and scopes without records: no logs either.
  otlp::ExportLogsServiceRequest request;
  for (int i = 0; i < 1000; ++i) request.add_resource_logs()->add_scope_logs();
  EXPECT_TRUE(DecodeChecked(request.SerializeAsString(), &appended).ok());
  EXPECT_EQ(appended, 0u);
}

TEST(OtlpProtobuf, LogsAreAppendedAfterTheBatchsOwn) {
  size_t appended = 0;
  EXPECT_TRUE(DecodeChecked(SampleRequest().SerializeAsString(), &appended).ok());
  EXPECT_EQ(appended, 6u);
}

TEST(OtlpProtobuf, EveryTruncationFailsCleanlyOrDecodesAPrefix) {
  const std::string body = SampleRequest().SerializeAsString();
  size_t failures = 0;
  for (size_t length = 0; length < body.size(); ++length) {
    size_t appended = 0;
    const Status status = DecodeChecked(std::string_view(body).substr(0, length), &appended);
    if (!status.ok()) {
      ++failures;
    } else {
      EXPECT_LE(appended, 6u);  // a cut at a field boundary is a shorter, valid request
    }
  }
  EXPECT_GT(failures, body.size() * 9 / 10);
}

TEST(OtlpProtobuf, RandomBytesNeverCrashAndNeverAppendPartially) {
  std::mt19937 random(1234);
  for (int i = 0; i < 5000; ++i) {
    std::string body(random() % 300, '\0');
    for (char& c : body) c = static_cast<char>(random());
    DecodeChecked(body);
  }
}

TEST(OtlpProtobuf, MutatedRequestsNeverCrashAndNeverAppendPartially) {
  const std::string valid = SampleRequest().SerializeAsString();
  std::mt19937 random(99);
  size_t failures = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string body = valid;
    for (int flips = 1 + random() % 4; flips > 0; --flips) {
      body[random() % body.size()] ^= static_cast<char>(1 << (random() % 8));
    }
    if (!DecodeChecked(body).ok()) ++failures;
  }
  EXPECT_GT(failures, 0u);
}

TEST(OtlpProtobuf, InvalidWireFormatIsInvalidArgument) {
  const std::string kBodies[] = {
      std::string("\x0f", 1),                                               // wire type 7 does not exist
      std::string("\x0e", 1),                                               // nor does 6
      std::string("\x0c", 1),                                               // an end-group with no group
      std::string("\x0b", 1),                                               // a group that never ends
      std::string("\x00", 1),                                               // field number 0
      std::string("\x0a\x05\x0a\x01", 4),                                   // a length past the end
      std::string("\x0a\xff\xff\xff\xff\x0f", 6),                           // a length of 4 GiB
      std::string("\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 12),  // a varint of 11 bytes
      Nest(RecordPath({5}), std::string("\x0a\x02\xc3\x28", 4)),            // invalid UTF-8 in a string body
      Nest(RecordPath({6}), std::string("\x0a\x01\xff", 3)),                // ... and in an attribute key
      Nest(RecordPath({}), std::string("\x09\x01\x02", 3)),                 // a fixed64 time cut short
  };
  for (const std::string& body : kBodies) {
    const Status status = DecodeChecked(body);
    EXPECT_FALSE(status.ok()) << ::testing::PrintToString(body);
    EXPECT_NE(status.message().find("not a valid ExportLogsServiceRequest"), std::string::npos);
  }
}

// protobuf would log each one to stderr: a client could fill the daemon's log.
TEST(OtlpProtobuf, InvalidUtf8IsNotLogged) {
  ::testing::internal::CaptureStderr();
  for (int i = 0; i < 10; ++i) {
    EXPECT_FALSE(DecodeChecked(Nest(RecordPath({5}), std::string("\x0a\x01\xff", 3))).ok());
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

// A valid wire type on a field number declared with another type is, for protobuf, an unknown field: it is
// skipped, as by every protobuf parser. Unknown field numbers likewise.
TEST(OtlpProtobuf, UnknownFieldsAndMismatchedWireTypesAreSkipped) {
  size_t appended = 99;
  EXPECT_TRUE(DecodeChecked(std::string("\x08\x01", 2), &appended).ok());  // resource_logs as a varint
  EXPECT_EQ(appended, 0u);
  // A record with time_unix_nano as a varint (skipped: the time is now), and field 100.
  std::string record_fields("\x08\x05", 2);
  record_fields += Varint(100 << 3 | 0);
  record_fields += Varint(7);
  record_fields.append("\x2a\x03\x0a\x01z", 5);  // body "z"
  LogBatch batch;
  ASSERT_TRUE(DecodeOtlpProtobuf(Nest(RecordPath({}), record_fields), OtlpMapping{}, &batch).ok());
  batch.Finish();
  ASSERT_EQ(batch.size(), 1u);
  Log log(batch.log(0));
  EXPECT_EQ(log.String("message"), "z");
  EXPECT_NE(log.String("timestamp"), "1970-01-01T00:00:00.000000005Z");
}

// A value nested `levels` deep: a scalar at level 1, each array or kvlist one level more.
otlp::AnyValue Nested(int levels, bool kvlist) {
  otlp::AnyValue value;
  value.set_int_value(7);
  for (int level = 2; level <= levels; ++level) {
    otlp::AnyValue outer;
    if (kvlist) {
      otlp::KeyValue* entry = outer.mutable_kvlist_value()->add_values();
      entry->set_key("k");
      *entry->mutable_value() = std::move(value);
    } else {
      *outer.mutable_array_value()->add_values() = std::move(value);
    }
    value = std::move(outer);
  }
  return value;
}

TEST(OtlpProtobuf, AnyValuesNestUpToTheLimit) {
  for (bool kvlist : {false, true}) {
    otlp::ExportLogsServiceRequest request;
    otlp::LogRecord* record = OneRecord(&request);
    record->set_time_unix_nano(1);
    *record->mutable_body() = Nested(kMaxOtlpAnyValueDepth, kvlist);
    *AddAttribute(record->mutable_attributes(), "deep")->mutable_value() =
        Nested(kMaxOtlpAnyValueDepth, kvlist);
    *AddAttribute(request.mutable_resource_logs(0)->mutable_resource()->mutable_attributes(), "deep")
         ->mutable_value() = Nested(kMaxOtlpAnyValueDepth, kvlist);
    const std::vector<std::string> logs = DecodeProto(request);
    ASSERT_EQ(logs.size(), 1u);
    Log log(logs[0]);
    std::string expected = "7";
    for (int level = 2; level <= kMaxOtlpAnyValueDepth; ++level) {
      expected = kvlist ? R"({"k":)" + expected + "}" : "[" + expected + "]";
    }
    EXPECT_EQ(log.String("message"), expected);
    EXPECT_EQ(log.Json("metadata"), R"({"deep":)" + expected + "}");
    EXPECT_EQ(log.Json("resource"), R"({"deep":)" + expected + "}");
    // Within the depth the schema validator accepts.
    auto validator = SchemaValidator::DefaultSchema();
    ASSERT_TRUE(validator.ok());
    EXPECT_TRUE(validator->Validate(logs[0]).ok()) << validator->Validate(logs[0]).ToString();
  }
}

TEST(OtlpProtobuf, AnyValuesNestedDeeperThanTheLimitAreRefused) {
  for (bool kvlist : {false, true}) {
    for (int where = 0; where < 3; ++where) {
      otlp::ExportLogsServiceRequest request;
      otlp::LogRecord* record = OneRecord(&request);
      const otlp::AnyValue deep = Nested(kMaxOtlpAnyValueDepth + 1, kvlist);
      if (where == 0) *record->mutable_body() = deep;
      if (where == 1) *AddAttribute(record->mutable_attributes(), "deep")->mutable_value() = deep;
      if (where == 2) {
        *AddAttribute(request.mutable_resource_logs(0)->mutable_resource()->mutable_attributes(), "deep")
             ->mutable_value() = deep;
      }
      const Status status = DecodeChecked(request.SerializeAsString());
      EXPECT_EQ(status.message(), "OTLP protobuf: an AnyValue nests deeper than 64 levels") << where;
    }
  }
}

TEST(OtlpProtobuf, TenThousandLevelsAreRefusedWithoutOverflowingTheStack) {
  std::vector<int> arrays = RecordPath({5});
  std::vector<int> kvlists = RecordPath({6});  // an attribute: KeyValue > AnyValue > ...
  kvlists.push_back(2);
  for (int i = 0; i < 10'000; ++i) {
    arrays.insert(arrays.end(), {5, 1});       // AnyValue.array_value > ArrayValue.values
    kvlists.insert(kvlists.end(), {6, 1, 2});  // AnyValue.kvlist_value > KeyValueList.values > KeyValue.value
  }
  for (const auto& fields : {arrays, kvlists}) {
    const Status status = DecodeChecked(Nest(fields, "\x18\x01"));
    EXPECT_NE(status.message().find("nested deeper than"), std::string::npos) << status.message();
  }
}

TEST(OtlpProtobuf, ManyRecords) {
  constexpr int kRecords = 100'000;
  otlp::ExportLogsServiceRequest request;
  otlp::ScopeLogs* scope_logs = request.add_resource_logs()->add_scope_logs();
  for (int i = 0; i < kRecords; ++i) {
    otlp::LogRecord* record = scope_logs->add_log_records();
    record->set_time_unix_nano(static_cast<uint64_t>(i) + 1);
    record->mutable_body()->set_string_value(std::to_string(i));
  }
  LogBatch batch;
  ASSERT_TRUE(DecodeOtlpProtobuf(request.SerializeAsString(), OtlpMapping{}, &batch).ok());
  batch.Finish();
  ASSERT_EQ(batch.size(), static_cast<size_t>(kRecords));
  for (int i : {0, 1, kRecords / 2, kRecords - 1}) {
    Log log(batch.log(static_cast<size_t>(i)));
    EXPECT_EQ(log.String("message"), std::to_string(i));
  }
}

TEST(OtlpProtobuf, ManyAttributes) {
  constexpr int kAttributes = 100'000;
  otlp::ExportLogsServiceRequest request;
  otlp::LogRecord* record = OneRecord(&request);
  record->set_time_unix_nano(1);
  for (int i = 0; i < kAttributes; ++i) {
    char key[16];  // not "k" + std::to_string(i): GCC 12's -Wrestrict misfires on it
    std::snprintf(key, sizeof(key), "k%d", i);
    AddAttribute(record->mutable_attributes(), key)->mutable_value()->set_int_value(i);
  }
  OtlpMapping mapping;
  mapping.declared_properties = {"k5", "k99999"};
  const std::vector<std::string> logs = DecodeProto(request, mapping);
  ASSERT_EQ(logs.size(), 1u);
  Log log(logs[0]);
  EXPECT_EQ(log.Json("k5"), "5");
  EXPECT_EQ(log.Json("k99999"), "99999");
  EXPECT_NE(log.text().find(R"("metadata":{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k6":6,)"), std::string::npos);
}

TEST(OtlpResponse, ProtobufIsEmptyOnSuccessAndCarriesThePartialSuccess) {
  EXPECT_EQ(EncodeOtlpResponseProtobuf(0, "ignored"), "");
  otlp::ExportLogsServiceResponse response;
  ASSERT_TRUE(response.ParseFromString(EncodeOtlpResponseProtobuf(0, "")));
  EXPECT_FALSE(response.has_partial_success());

  ASSERT_TRUE(response.ParseFromString(EncodeOtlpResponseProtobuf(3, "line 2: schema: /level: enum")));
  ASSERT_TRUE(response.has_partial_success());
  EXPECT_EQ(response.partial_success().rejected_log_records(), 3);
  EXPECT_EQ(response.partial_success().error_message(), "line 2: schema: /level: enum");

  ASSERT_TRUE(response.ParseFromString(EncodeOtlpResponseProtobuf(std::numeric_limits<uint64_t>::max(), "")));
  EXPECT_EQ(response.partial_success().rejected_log_records(), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(response.partial_success().error_message(), "");
}

TEST(OtlpResponse, JsonIsEmptyObjectOnSuccessAndCarriesThePartialSuccess) {
  EXPECT_EQ(EncodeOtlpResponseJson(0, "ignored"), "{}");
  EXPECT_EQ(EncodeOtlpResponseJson(5, ""), R"({"partialSuccess":{"rejectedLogRecords":"5"}})");
  EXPECT_EQ(
      EncodeOtlpResponseJson(2, "schema: \"level\"\n\\ \x01"),
      R"({"partialSuccess":{"rejectedLogRecords":"2","errorMessage":"schema: \"level\"\u000a\\ \u0001"}})");
  EXPECT_EQ(EncodeOtlpResponseJson(std::numeric_limits<uint64_t>::max(), ""),
            R"({"partialSuccess":{"rejectedLogRecords":"9223372036854775807"}})");
}

}  // namespace
}  // namespace otlp_protobuf_test
}  // namespace logdaemon::http
