// Helpers of the OTLP tests: requests built with the generated classes, decoded, and the logs read back
// with simdjson.
#pragma once

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "http/log_batch.h"
#include "http/otlp/logs.pb.h"
#include "http/otlp_logs.h"
#include "schema/json_value.h"
#include "schema/rfc3339.h"

namespace logdaemon::http::testing {

// 2026-12-05T13:34:12.123456789Z.
inline uint64_t ExampleNanos() {
  const int64_t days = schema::DaysFromCivil(2026, 12, 5);
  return static_cast<uint64_t>(days * 86'400 + 13 * 3'600 + 34 * 60 + 12) * 1'000'000'000 + 123'456'789;
}

// The logs of a batch, as strings (after Finish()).
inline std::vector<std::string> LogsOf(const LogBatch& batch) {
  std::vector<std::string> logs;
  for (size_t i = 0; i < batch.size(); ++i) logs.emplace_back(batch.log(i));
  return logs;
}

// One decoded log, parsed: field access by top-level key.
class Log {
 public:
  explicit Log(std::string_view text) : text_(text), padded_(text) {
    const auto error = parser_.parse(padded_).get(root_);
    EXPECT_EQ(error, simdjson::SUCCESS) << text;
    if (error) return;
    EXPECT_TRUE(root_.is_object()) << text;
    // Keys are unique at the top level, whatever the record held.
    std::set<std::string_view> keys;
    for (auto field : schema::ObjectOf(root_)) {
      EXPECT_TRUE(keys.insert(field.key).second) << "duplicate key " << field.key << " in " << text;
    }
  }
  Log(const Log&) = delete;

  const std::string& text() const { return text_; }
  bool Has(std::string_view key) const { return !root_.at_key(key).error(); }
  // The string at `key`; "<absent>" or "<not a string>" otherwise.
  std::string String(std::string_view key) const {
    simdjson::dom::element element;
    if (root_.at_key(key).get(element)) return "<absent>";
    std::string_view s;
    if (element.get_string().get(s)) return "<not a string>";
    return std::string(s);
  }
  // Minified JSON of the value at `key`, or "<absent>".
  std::string Json(std::string_view key) const {
    simdjson::dom::element element;
    if (root_.at_key(key).get(element)) return "<absent>";
    return simdjson::minify(element);
  }
  std::vector<std::string> Keys() const {
    std::vector<std::string> keys;
    for (auto field : schema::ObjectOf(root_)) keys.emplace_back(field.key);
    return keys;
  }

 private:
  std::string text_;
  simdjson::padded_string padded_;
  simdjson::dom::parser parser_;
  simdjson::dom::element root_;
};

// Decodes `request` (serialized) with the protobuf decoder and returns its logs.
inline std::vector<std::string> DecodeProto(const otlp::ExportLogsServiceRequest& request,
                                            const OtlpMapping& mapping = {}) {
  LogBatch batch;
  const Status status = DecodeOtlpProtobuf(request.SerializeAsString(), mapping, &batch);
  EXPECT_TRUE(status.ok()) << status.ToString();
  batch.Finish();
  return LogsOf(batch);
}

// `text` with the padding DecodeOtlpJson requires.
inline Status DecodeJsonText(std::string_view text, const OtlpMapping& mapping, LogBatch* batch) {
  std::string body;
  body.reserve(text.size() + simdjson::SIMDJSON_PADDING);
  body.append(text);
  return DecodeOtlpJson(body, mapping, batch);
}

inline std::vector<std::string> DecodeJson(std::string_view text, const OtlpMapping& mapping = {}) {
  LogBatch batch;
  const Status status = DecodeJsonText(text, mapping, &batch);
  EXPECT_TRUE(status.ok()) << status.ToString();
  batch.Finish();
  return LogsOf(batch);
}

// A request of one resource, one scope and one record; returns the record to fill in.
inline otlp::LogRecord* OneRecord(otlp::ExportLogsServiceRequest* request) {
  return request->add_resource_logs()->add_scope_logs()->add_log_records();
}

inline otlp::KeyValue* AddAttribute(google::protobuf::RepeatedPtrField<otlp::KeyValue>* attributes,
                                    std::string_view key) {
  otlp::KeyValue* entry = attributes->Add();
  entry->set_key(std::string(key));
  return entry;
}

}  // namespace logdaemon::http::testing
