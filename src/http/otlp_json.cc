#include "http/otlp_json.h"

#include <simdjson.h>

#include <cstdint>
#include <string>

#include "http/otlp_json_values.h"
#include "http/otlp_logs.h"
#include "schema/json_value.h"

namespace logdaemon::http {

namespace {

using otlp_json::Expected;
using otlp_json::GetBase64;
using otlp_json::GetBool;
using otlp_json::GetDouble;
using otlp_json::GetHexId;
using otlp_json::GetInt64;
using otlp_json::GetObject;
using otlp_json::GetSeverity;
using otlp_json::GetString;
using otlp_json::GetUint32;
using otlp_json::GetUint64;
using simdjson::dom::element;
using simdjson::dom::object;
using KeyValues = google::protobuf::RepeatedPtrField<otlp::KeyValue>;

// A key of a message: its lowerCamelCase JSON name, or the proto field name (proto3 JSON parsers accept
// both, and so does the OpenTelemetry Collector).
bool Is(std::string_view key, std::string_view json_name, std::string_view proto_name) {
  return key == json_name || key == proto_name;
}

// Each element of the array `value` (objects only) through parse(object, index).
template <typename Parse>
Status ForEachObject(element value, std::string_view key, Parse&& parse) {
  if (!value.is_array()) return Expected(key, "an array");
  size_t index = 0;
  for (element item : schema::ArrayOf(value)) {
    Status status =
        item.is_object() ? parse(schema::ObjectOf(item)) : Status::InvalidArgument("expected an object");
    if (!status.ok()) return status.WithContext(std::string(key) + "[" + std::to_string(index) + "]");
    ++index;
  }
  return Status::OK();
}

Status ParseKeyValues(element value, std::string_view key, int depth, KeyValues* entries);
Status ParseAnyValue(object value, int depth, otlp::AnyValue* out);

// {"values": [AnyValue, ...]}; `depth` is the nesting of the elements.
Status ParseArrayValue(element value, std::string_view key, int depth, otlp::ArrayValue* out) {
  object array_value;
  if (Status status = GetObject(value, key, &array_value); !status.ok()) return status;
  for (auto [field_key, field] : array_value) {
    if (field_key != "values" || field.is_null()) continue;
    Status status = ForEachObject(field, field_key, [&](object element_value) {
      return ParseAnyValue(element_value, depth, out->add_values());
    });
    if (!status.ok()) return status.WithContext(key);
  }
  return Status::OK();
}

// {"values": [KeyValue, ...]}; `depth` is the nesting of the values.
Status ParseKvlistValue(element value, std::string_view key, int depth, otlp::KeyValueList* out) {
  object kvlist_value;
  if (Status status = GetObject(value, key, &kvlist_value); !status.ok()) return status;
  for (auto [field_key, field] : kvlist_value) {
    if (field_key != "values" || field.is_null()) continue;
    Status status = ParseKeyValues(field, field_key, depth, out->mutable_values());
    if (!status.ok()) return status.WithContext(key);
  }
  return Status::OK();
}

Status ParseAnyValue(object value, int depth, otlp::AnyValue* out) {
  if (depth > kMaxOtlpAnyValueDepth) {
    return Status::InvalidArgument("an AnyValue nests deeper than " + std::to_string(kMaxOtlpAnyValueDepth) +
                                   " levels");
  }
  for (auto [key, field] : value) {
    if (field.is_null()) continue;
    Status status;
    if (Is(key, "stringValue", "string_value")) {
      status = GetString(field, key, out->mutable_string_value());
    } else if (Is(key, "boolValue", "bool_value")) {
      bool b = false;
      status = GetBool(field, key, &b);
      out->set_bool_value(b);
    } else if (Is(key, "intValue", "int_value")) {
      int64_t i = 0;
      status = GetInt64(field, key, &i);
      out->set_int_value(i);
    } else if (Is(key, "doubleValue", "double_value")) {
      double d = 0;
      status = GetDouble(field, key, &d);
      out->set_double_value(d);
    } else if (Is(key, "bytesValue", "bytes_value")) {
      status = GetBase64(field, key, out->mutable_bytes_value());
    } else if (Is(key, "arrayValue", "array_value")) {
      status = ParseArrayValue(field, key, depth + 1, out->mutable_array_value());
    } else if (Is(key, "kvlistValue", "kvlist_value")) {
      status = ParseKvlistValue(field, key, depth + 1, out->mutable_kvlist_value());
    }
    if (!status.ok()) return status;
  }
  return Status::OK();
}

// [{"key": ..., "value": AnyValue}, ...]; `depth` is the nesting of the values.
Status ParseKeyValues(element value, std::string_view key, int depth, KeyValues* entries) {
  return ForEachObject(value, key, [&](object entry) {
    otlp::KeyValue* out = entries->Add();
    for (auto [field_key, field] : entry) {
      if (field.is_null()) continue;
      Status status;
      if (field_key == "key") {
        status = GetString(field, field_key, out->mutable_key());
      } else if (field_key == "value") {
        object any_value;
        status = GetObject(field, field_key, &any_value);
        if (status.ok()) status = ParseAnyValue(any_value, depth, out->mutable_value()).WithContext("value");
      }
      if (!status.ok()) return status;
    }
    return Status::OK();
  });
}

Status ParseScope(object scope, otlp::InstrumentationScope* out) {
  for (auto [key, field] : scope) {
    if (field.is_null()) continue;
    Status status;
    if (key == "name") {
      status = GetString(field, key, out->mutable_name());
    } else if (key == "version") {
      status = GetString(field, key, out->mutable_version());
    } else if (key == "attributes") {
      status = ParseKeyValues(field, key, 1, out->mutable_attributes());
    } else if (Is(key, "droppedAttributesCount", "dropped_attributes_count")) {
      uint32_t count = 0;
      status = GetUint32(field, key, &count);
      out->set_dropped_attributes_count(count);
    }
    if (!status.ok()) return status.WithContext("scope");
  }
  return Status::OK();
}

Status ParseResource(object resource, otlp::Resource* out) {
  for (auto [key, field] : resource) {
    if (field.is_null()) continue;
    Status status;
    if (key == "attributes") {
      status = ParseKeyValues(field, key, 1, out->mutable_attributes());
    } else if (Is(key, "droppedAttributesCount", "dropped_attributes_count")) {
      uint32_t count = 0;
      status = GetUint32(field, key, &count);
      out->set_dropped_attributes_count(count);
    }
    if (!status.ok()) return status.WithContext("resource");
  }
  return Status::OK();
}

// The integer fields of a LogRecord, apart so that ParseLogRecord stays readable.
Status ParseLogRecordNumber(std::string_view key, element field, otlp::LogRecord* out) {
  Status status;
  if (Is(key, "timeUnixNano", "time_unix_nano")) {
    uint64_t nanos = 0;
    status = GetUint64(field, key, &nanos);
    out->set_time_unix_nano(nanos);
  } else if (Is(key, "observedTimeUnixNano", "observed_time_unix_nano")) {
    uint64_t nanos = 0;
    status = GetUint64(field, key, &nanos);
    out->set_observed_time_unix_nano(nanos);
  } else if (Is(key, "severityNumber", "severity_number")) {
    otlp::SeverityNumber severity = otlp::SEVERITY_NUMBER_UNSPECIFIED;
    status = GetSeverity(field, key, &severity);
    out->set_severity_number(severity);
  } else if (Is(key, "droppedAttributesCount", "dropped_attributes_count")) {
    uint32_t count = 0;
    status = GetUint32(field, key, &count);
    out->set_dropped_attributes_count(count);
  } else if (key == "flags") {
    uint32_t flags = 0;
    status = GetUint32(field, key, &flags);
    out->set_flags(flags);
  }
  return status;
}

Status ParseLogRecord(object record, otlp::LogRecord* out) {
  for (auto [key, field] : record) {
    if (field.is_null()) continue;
    Status status;
    if (Is(key, "severityText", "severity_text")) {
      status = GetString(field, key, out->mutable_severity_text());
    } else if (key == "body") {
      object body;
      status = GetObject(field, key, &body);
      if (status.ok()) status = ParseAnyValue(body, 1, out->mutable_body()).WithContext("body");
    } else if (key == "attributes") {
      status = ParseKeyValues(field, key, 1, out->mutable_attributes());
    } else if (Is(key, "traceId", "trace_id")) {
      status = GetHexId(field, key, out->mutable_trace_id());
    } else if (Is(key, "spanId", "span_id")) {
      status = GetHexId(field, key, out->mutable_span_id());
    } else if (Is(key, "eventName", "event_name")) {
      status = GetString(field, key, out->mutable_event_name());
    } else {
      status = ParseLogRecordNumber(key, field, out);
    }
    if (!status.ok()) return status;
  }
  return Status::OK();
}

Status ParseScopeLogs(object scope_logs, otlp::ScopeLogs* out) {
  for (auto [key, field] : scope_logs) {
    if (field.is_null()) continue;
    Status status;
    if (key == "scope") {
      object scope;
      status = GetObject(field, key, &scope);
      if (status.ok()) status = ParseScope(scope, out->mutable_scope());
    } else if (Is(key, "logRecords", "log_records")) {
      status = ForEachObject(field, key,
                             [&](object record) { return ParseLogRecord(record, out->add_log_records()); });
    } else if (Is(key, "schemaUrl", "schema_url")) {
      status = GetString(field, key, out->mutable_schema_url());
    }
    if (!status.ok()) return status;
  }
  return Status::OK();
}

Status ParseResourceLogs(object resource_logs, otlp::ResourceLogs* out) {
  for (auto [key, field] : resource_logs) {
    if (field.is_null()) continue;
    Status status;
    if (key == "resource") {
      object resource;
      status = GetObject(field, key, &resource);
      if (status.ok()) status = ParseResource(resource, out->mutable_resource());
    } else if (Is(key, "scopeLogs", "scope_logs")) {
      status = ForEachObject(
          field, key, [&](object scope_logs) { return ParseScopeLogs(scope_logs, out->add_scope_logs()); });
    } else if (Is(key, "schemaUrl", "schema_url")) {
      status = GetString(field, key, out->mutable_schema_url());
    }
    if (!status.ok()) return status;
  }
  return Status::OK();
}

}  // namespace

Status ParseOtlpJson(std::string_view body, otlp::ExportLogsServiceRequest* request) {
  // A parser per call: its buffers grow to the body's size, and a long-lived one would keep the largest
  // body's worth of memory for good. simdjson bounds the nesting (1024 levels) without recursing.
  simdjson::dom::parser parser;
  element root;
  if (const auto error = parser.parse(body.data(), body.size(), /*realloc_if_needed=*/false).get(root)) {
    return Status::InvalidArgument(simdjson::error_message(error));
  }
  if (!root.is_object())
    return Status::InvalidArgument("expected a JSON object (an ExportLogsServiceRequest)");
  for (auto [key, field] : schema::ObjectOf(root)) {
    if (field.is_null() || !Is(key, "resourceLogs", "resource_logs")) continue;
    Status status = ForEachObject(field, key, [&](object resource_logs) {
      return ParseResourceLogs(resource_logs, request->add_resource_logs());
    });
    if (!status.ok()) return status;
  }
  return Status::OK();
}

}  // namespace logdaemon::http
