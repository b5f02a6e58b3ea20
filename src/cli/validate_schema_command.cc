#include "cli/validate_schema_command.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>

#include "cli/reject_reasons.h"
#include "logdaemon/schema.h"

namespace logdaemon::cli {

namespace {

void PrintLayout(const TableLayout& layout) {
  size_t width = 4;
  for (const Column& column : layout.columns) width = std::max(width, column.name.size());
  std::printf("columns:\n");
  for (size_t i = 0; i < layout.columns.size(); ++i) {
    const Column& column = layout.columns[i];
    const char* note = static_cast<int>(i) == layout.time_column ? "  time field (UTC, microseconds)"
                       : static_cast<int>(i) == layout.extra_column
                           ? "  undeclared properties, as one JSON object"
                           : "";
    std::printf("  %-*s  %-9s  %-8s%s\n", static_cast<int>(width), column.name.c_str(),
                std::string(ColumnTypeName(column.type)).c_str(), column.required ? "required" : "optional",
                note);
  }
  if (layout.time_column < 0) std::printf("no time field: logs are partitioned by the time they arrive\n");
}

int ValidateData(const SchemaValidator& validator, const std::string& path) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) {
      std::fprintf(stderr, "logdaemon validate-schema: %s: cannot open: %s\n", path.c_str(),
                   std::strerror(errno));
      return 1;
    }
    in = &file;
  }
  std::string line;
  uint64_t line_number = 0, checked = 0, invalid = 0;
  RejectReasons reasons;
  while (std::getline(*in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    ++checked;
    Status st = validator.Validate(line);
    if (st.ok()) continue;
    ++invalid;
    reasons.Add(st.message());
    std::printf("line %llu: %s\n", static_cast<unsigned long long>(line_number), st.message().c_str());
  }
  if (in->bad()) {
    std::fprintf(stderr, "logdaemon validate-schema: %s: read error\n", path.c_str());
    return 1;
  }
  std::printf("%llu logs checked: %llu valid, %llu invalid\n", static_cast<unsigned long long>(checked),
              static_cast<unsigned long long>(checked - invalid), static_cast<unsigned long long>(invalid));
  reasons.PrintByName(stdout);
  return invalid == 0 ? 0 : 1;
}

}  // namespace

int RunValidateSchema(const ValidateSchemaOptions& options) {
  SchemaOptions schema_options;
  schema_options.schema_paths = options.schema_paths;
  schema_options.time_field = options.time_field;
  schema_options.time_field_explicit = options.time_field_explicit;
  auto validator = options.schema_file.empty()
                       ? SchemaValidator::DefaultSchema(schema_options)
                       : SchemaValidator::FromFile(options.schema_file, schema_options);
  if (!validator.ok()) {
    std::fprintf(stderr, "logdaemon validate-schema: %s\n", validator.status().message().c_str());
    return 1;
  }
  if (options.data_file.empty()) {
    std::printf("ok%s\n", options.schema_file.empty() ? " (the built-in default schema)" : "");
    PrintLayout(validator->layout());
    return 0;
  }
  return ValidateData(*validator, options.data_file);
}

}  // namespace logdaemon::cli
