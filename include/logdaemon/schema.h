// SchemaValidator: a JSON Schema (draft-07) compiled once, the table layout it maps to (DESIGN.md §4), and
// validation of JSON documents against it. The library side of `serve --schema FILE` and
// `logdaemon validate-schema`.
//
//   auto validator = logdaemon::SchemaValidator::DefaultSchema();
//   logdaemon::Status st = validator->Validate(R"({"timestamp":"2026-01-15T19:00:00Z","level":"info",
//                                                   "message":"hi"})");
//   // st.ok(), or st.message() == "schema: /level: enum: \"verbose\" is not one of trace, debug, …"
//
// Remote `$ref`s are never fetched: SchemaOptions::schema_paths maps them to local files.
//
// Thread-safety: a SchemaValidator is immutable once built; Validate may be called from any number of
// threads at once (each thread parses and validates with its own reusable state). Copies share the
// compiled schema.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "logdaemon/status.h"

namespace logdaemon {

namespace schema {
class CompiledSchema;
}

// How a top-level property is stored (DESIGN.md §4).
enum class ColumnType {
  kTimestamp,  // string with format date-time: INT64 TIMESTAMP(isAdjustedToUTC=true, MICROS)
  kString,     // BYTE_ARRAY STRING
  kInt64,      // integer
  kDouble,     // number
  kBoolean,    // boolean
  kJson,       // object, array, several types or none: BYTE_ARRAY JSON (minified text)
};

// "TIMESTAMP", "STRING", "INT64", "DOUBLE", "BOOLEAN", "JSON".
std::string_view ColumnTypeName(ColumnType type);

struct Column {
  std::string name;  // the property name, as in the schema
  ColumnType type;
  bool required;  // REQUIRED in Parquet; else OPTIONAL (null when absent or null)
};

struct TableLayout {
  // The schema's `properties`, in schema order, then `_extra` when the schema admits undeclared
  // properties (they are kept there as one JSON object, never dropped).
  std::vector<Column> columns;
  int time_column = -1;   // index of the time field in `columns`, -1 when the schema has none
  int extra_column = -1;  // index of `_extra`, -1 when undeclared properties cannot occur

  static constexpr std::string_view kExtraColumn = "_extra";
};

struct SchemaOptions {
  // `--schema-path` values: "DIR" (its *.json schemas, registered by their `$id`) or "URI=DIR" (references
  // under URI are read from DIR).
  std::vector<std::string> schema_paths;
  // `--time-field`: the date-time property that drives partitioning and pruning. When it is the default
  // and the schema lacks it, the layout has no time field; when set explicitly it must exist.
  std::string time_field = "timestamp";
  bool time_field_explicit = false;
};

class SchemaValidator {
 public:
  // The built-in log schema of the original specification.
  static Result<SchemaValidator> DefaultSchema(const SchemaOptions& options = {});
  static Result<SchemaValidator> FromFile(const std::string& path, const SchemaOptions& options = {});
  static Result<SchemaValidator> FromString(std::string_view text, const SchemaOptions& options = {});

  // Parses and validates one JSON document. OK, or InvalidArgument with the reply text:
  //   "invalid JSON: <what> at byte N", "not an object", "schema: <pointer>: <keyword>: <why>".
  Status Validate(std::string_view json) const;

  const TableLayout& layout() const { return *layout_; }
  // The schema's text, as stored in each Parquet file's key-value metadata (`logdaemon.schema`).
  const std::string& text() const { return *text_; }
  const std::shared_ptr<const schema::CompiledSchema>& compiled() const { return compiled_; }

  // Nesting beyond this many arrays/objects is refused as invalid JSON.
  static constexpr size_t kMaxDocumentDepth = 256;

 private:
  static Result<SchemaValidator> Build(std::string text,
                                       Result<std::shared_ptr<const schema::CompiledSchema>> compiled,
                                       const SchemaOptions& options);

  std::shared_ptr<const schema::CompiledSchema> compiled_;
  std::shared_ptr<const TableLayout> layout_;
  std::shared_ptr<const std::string> text_;
};

}  // namespace logdaemon
