#include "http/otlp_record_json.h"

#include <algorithm>
#include <unordered_set>
#include <vector>

#include "http/otlp_any_value.h"
#include "schema/json_value.h"

namespace logdaemon::http {

namespace {

using KeyValues = google::protobuf::RepeatedPtrField<otlp::KeyValue>;

// The top-level keys the mapping writes besides the time field. Attributes never take them, so a log's
// keys stay unique whatever its attributes are called.
// clang-format off
constexpr std::string_view kMappedKeys[] = {
    "level", "message", "service", "trace_id", "span_id", "metadata", "severity_number", "observed_timestamp",
    "flags", "event_name", "scope", "resource", "dropped_attributes_count"};
// clang-format on

bool AttributesWithinDepth(const KeyValues& attributes) {
  for (const otlp::KeyValue& entry : attributes) {
    if (!AnyValueWithinDepth(entry.value(), 1)) return false;
  }
  return true;
}

// The OTLP specification: an id of the wrong length or all zero bytes means "no trace/span".
bool IsValidId(std::string_view id, size_t size) {
  if (id.size() != size) return false;
  for (char byte : id) {
    if (byte != 0) return true;
  }
  return false;
}

// severity_number's six ranges of four; else severity_text, lower-cased, with the names syslog and the
// common logging libraries use for our levels.
std::string_view LevelOf(const otlp::LogRecord& record, std::string* scratch) {
  static constexpr std::string_view kLevels[] = {"trace", "debug", "info", "warn", "error", "fatal"};
  static constexpr std::pair<std::string_view, std::string_view> kAliases[] = {
      {"warning", "warn"},   {"err", "error"},       {"information", "info"},
      {"critical", "fatal"}, {"crit", "fatal"},      {"alert", "fatal"},
      {"emerg", "fatal"},    {"emergency", "fatal"}, {"panic", "fatal"}};
  const int number = record.severity_number();
  if (number >= 1 && number <= 24) return kLevels[(number - 1) / 4];
  if (record.severity_text().empty()) return "info";
  scratch->assign(record.severity_text());
  for (char& c : *scratch) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  for (const auto& [alias, level] : kAliases) {
    if (*scratch == alias) return level;
  }
  return *scratch;
}

// Writes the logs of one request: keeps what the records of one resource, or one scope, share (their
// JSON text is written once and copied into each log) and the scratch space, reused across records.
class RecordWriter {
 public:
  RecordWriter(const OtlpMapping& mapping, uint64_t now_unix_nano);

  void SetResource(const otlp::Resource& resource);
  void SetScope(const otlp::InstrumentationScope& scope);
  void Write(const otlp::LogRecord& record, std::string* out);

 private:
  // Appends `,"key":` unless the time field has that name (it was written first and wins).
  bool Key(std::string_view key, std::string* out) const;
  void WriteMessage(const otlp::AnyValue& body, std::string* out);
  void WriteAttributes(const KeyValues& attributes, std::string* out);
  void WriteExtras(const otlp::LogRecord& record, uint64_t time, std::string* out);

  const OtlpMapping& mapping_;
  const uint64_t now_unix_nano_;
  // Declared properties that attributes may fill: not the time field, not a mapped key.
  std::unordered_set<std::string_view> promotable_;
  std::string service_;   // JSON string literal, or empty when the resource names no service
  std::string resource_;  // JSON object of the other resource attributes, or empty
  std::string scope_;     // JSON object, or empty
  std::string scratch_;
  std::string metadata_;
  std::vector<std::string_view> promoted_;  // of the current record
};

RecordWriter::RecordWriter(const OtlpMapping& mapping, uint64_t now_unix_nano)
    : mapping_(mapping), now_unix_nano_(now_unix_nano) {
  for (const std::string& property : mapping.declared_properties) {
    bool mapped = property == mapping.time_field;
    for (std::string_view key : kMappedKeys) mapped = mapped || property == key;
    if (!mapped) promotable_.insert(property);
  }
}

void RecordWriter::SetResource(const otlp::Resource& resource) {
  service_.clear();
  resource_.clear();
  for (const otlp::KeyValue& entry : resource.attributes()) {
    if (service_.empty() && entry.key() == "service.name" && entry.value().has_string_value()) {
      schema::AppendJsonString(entry.value().string_value(), &service_);
      continue;
    }
    resource_.push_back(resource_.empty() ? '{' : ',');
    schema::AppendJsonString(entry.key(), &resource_);
    resource_.push_back(':');
    AppendAnyValueJson(entry.value(), 1, &resource_);
  }
  if (!resource_.empty()) resource_.push_back('}');
}

void RecordWriter::SetScope(const otlp::InstrumentationScope& scope) {
  scope_.clear();
  if (scope.name().empty()) return;
  scope_.append("{\"name\":");
  schema::AppendJsonString(scope.name(), &scope_);
  if (!scope.version().empty()) {
    scope_.append(",\"version\":");
    schema::AppendJsonString(scope.version(), &scope_);
  }
  scope_.push_back('}');
}

bool RecordWriter::Key(std::string_view key, std::string* out) const {
  if (key == mapping_.time_field) return false;
  out->append(",\"");
  out->append(key);  // a mapped key: plain ASCII, nothing to escape
  out->append("\":");
  return true;
}

void RecordWriter::Write(const otlp::LogRecord& record, std::string* out) {
  uint64_t time = record.time_unix_nano();
  if (time == 0) time = record.observed_time_unix_nano();
  if (time == 0) time = now_unix_nano_;
  out->push_back('{');
  schema::AppendJsonString(mapping_.time_field, out);
  out->append(":\"");
  AppendRfc3339Nanos(time, out);
  out->push_back('"');
  if (Key("level", out)) schema::AppendJsonString(LevelOf(record, &scratch_), out);
  if (Key("message", out)) WriteMessage(record.body(), out);
  if (!service_.empty() && Key("service", out)) out->append(service_);
  if (IsValidId(record.trace_id(), 16) && Key("trace_id", out)) {
    out->push_back('"');
    AppendHex(record.trace_id(), out);
    out->push_back('"');
  }
  if (IsValidId(record.span_id(), 8) && Key("span_id", out)) {
    out->push_back('"');
    AppendHex(record.span_id(), out);
    out->push_back('"');
  }
  WriteAttributes(record.attributes(), out);
  WriteExtras(record, time, out);
  out->push_back('}');
}

void RecordWriter::WriteMessage(const otlp::AnyValue& body, std::string* out) {
  switch (body.value_case()) {
    case otlp::AnyValue::kStringValue:
      schema::AppendJsonString(body.string_value(), out);
      return;
    case otlp::AnyValue::kBytesValue:
      // The base64 text itself: a message reads better without the quotes its JSON text would have.
      out->push_back('"');
      AppendBase64(body.bytes_value(), out);
      out->push_back('"');
      return;
    case otlp::AnyValue::VALUE_NOT_SET:
      out->append("\"\"");
      return;
    default:
      // The message column is a string: a structured body is kept whole as its JSON text.
      scratch_.clear();
      AppendAnyValueJson(body, 1, &scratch_);
      schema::AppendJsonString(scratch_, out);
      return;
  }
}

void RecordWriter::WriteAttributes(const KeyValues& attributes, std::string* out) {
  metadata_.clear();
  promoted_.clear();
  for (const otlp::KeyValue& entry : attributes) {
    const std::string& key = entry.key();
    if (!promotable_.empty() && promotable_.contains(key) &&
        std::find(promoted_.begin(), promoted_.end(), key) == promoted_.end()) {
      out->push_back(',');
      schema::AppendJsonString(key, out);
      out->push_back(':');
      AppendAnyValueJson(entry.value(), 1, out);
      promoted_.push_back(key);
      continue;
    }
    metadata_.push_back(metadata_.empty() ? '{' : ',');
    schema::AppendJsonString(key, &metadata_);
    metadata_.push_back(':');
    AppendAnyValueJson(entry.value(), 1, &metadata_);
  }
  if (!metadata_.empty() && Key("metadata", out)) {
    out->append(metadata_);
    out->push_back('}');
  }
}

void RecordWriter::WriteExtras(const otlp::LogRecord& record, uint64_t time, std::string* out) {
  if (record.severity_number() != 0 && Key("severity_number", out)) {
    AppendInteger(static_cast<int>(record.severity_number()), out);
  }
  const uint64_t observed = record.observed_time_unix_nano();
  if (observed != 0 && observed != time && Key("observed_timestamp", out)) {
    out->push_back('"');
    AppendRfc3339Nanos(observed, out);
    out->push_back('"');
  }
  if (record.flags() != 0 && Key("flags", out)) AppendInteger(record.flags(), out);
  if (!record.event_name().empty() && Key("event_name", out)) {
    schema::AppendJsonString(record.event_name(), out);
  }
  if (!scope_.empty() && Key("scope", out)) out->append(scope_);
  if (!resource_.empty() && Key("resource", out)) out->append(resource_);
  if (record.dropped_attributes_count() != 0 && Key("dropped_attributes_count", out)) {
    AppendInteger(record.dropped_attributes_count(), out);
  }
}

}  // namespace

Status CheckOtlpDepth(const otlp::ExportLogsServiceRequest& request) {
  for (const otlp::ResourceLogs& resource_logs : request.resource_logs()) {
    bool ok = AttributesWithinDepth(resource_logs.resource().attributes());
    for (const otlp::ScopeLogs& scope_logs : resource_logs.scope_logs()) {
      for (const otlp::LogRecord& record : scope_logs.log_records()) {
        ok = ok && AnyValueWithinDepth(record.body(), 1) && AttributesWithinDepth(record.attributes());
      }
    }
    if (!ok) {
      return Status::InvalidArgument("an AnyValue nests deeper than " +
                                     std::to_string(kMaxOtlpAnyValueDepth) + " levels");
    }
  }
  return Status::OK();
}

void AppendOtlpLogs(const otlp::ExportLogsServiceRequest& request, const OtlpMapping& mapping,
                    uint64_t now_unix_nano, LogBatch* logs) {
  RecordWriter writer(mapping, now_unix_nano);
  for (const otlp::ResourceLogs& resource_logs : request.resource_logs()) {
    writer.SetResource(resource_logs.resource());
    for (const otlp::ScopeLogs& scope_logs : resource_logs.scope_logs()) {
      writer.SetScope(scope_logs.scope());
      for (const otlp::LogRecord& record : scope_logs.log_records()) {
        logs->BeginLog();
        writer.Write(record, &logs->buffer());
        logs->EndLog();
      }
    }
  }
}

}  // namespace logdaemon::http
