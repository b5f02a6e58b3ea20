// `logdaemon validate-schema [FILE] [--data LOGS.ndjson]`: compiles a JSON Schema the way `serve` will and
// shows the table it maps to (DESIGN.md §4), or the compile error with where it is; with --data, checks
// every line of an NDJSON file against it, one output line per rejected log and a summary.
#pragma once

#include <string>
#include <vector>

namespace logdaemon::cli {

struct ValidateSchemaOptions {
  std::string schema_file;  // empty: the built-in default schema
  std::string data_file;    // empty: no data; "-": stdin
  std::vector<std::string> schema_paths;
  std::string time_field = "timestamp";
  bool time_field_explicit = false;
};

// Exit code: 0 when the schema compiles (and every log is valid), 1 otherwise.
int RunValidateSchema(const ValidateSchemaOptions& options);

}  // namespace logdaemon::cli
