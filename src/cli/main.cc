// logdaemon: the command line. Each subcommand parses its flags here and hands a plain options struct
// to the module that does the work.
#include <CLI/CLI.hpp>

#include <iostream>
#include <string>

#include "cli/inspect_command.h"
#include "cli/validate_schema_command.h"

namespace {

// Exit codes: 0 success, 1 the command ran and found a problem (a bad file, rejected logs), 2 usage
// errors and commands that do not exist yet.
constexpr int kExitNotImplemented = 2;

int NotImplemented(const std::string& command) {
  std::cerr << "logdaemon " << command << ": not implemented yet in this build of logdaemon\n";
  return kExitNotImplemented;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"logdaemon: validates JSON logs against a JSON Schema and stores them as Parquet"};
  app.set_version_flag("--version", std::string("logdaemon version ") + LOGDAEMON_VERSION + " (build " +
                                        LOGDAEMON_GIT_SHA + ")");
  app.require_subcommand(1);

  // serve: the flags of the original specification, with its defaults.
  CLI::App* serve = app.add_subcommand("serve", "Start the log ingestion daemon");
  std::string socket_path = "/tmp/logdaemon.sock";
  std::string storage = "./logs";
  std::string schema;
  int batch_size = 1000;
  std::string compression = "snappy";
  int max_connections = 1000;
  int rotation_mb = 100;
  int flush_interval = 5;
  serve->add_option("-s,--socket", socket_path, "Unix socket path")->capture_default_str();
  serve->add_option("-d,--storage", storage, "Storage directory for Parquet files")->capture_default_str();
  serve->add_option("--schema", schema, "JSON Schema file (default: the built-in log schema)");
  serve->add_option("-b,--batch-size", batch_size, "Rows buffered before a flush")->capture_default_str();
  serve->add_option("-c,--compression", compression, "snappy, zstd, gzip, lz4, none")->capture_default_str();
  serve->add_option("-m,--max-connections", max_connections, "Maximum concurrent connections")
      ->capture_default_str();
  serve->add_option("-r,--rotation-mb", rotation_mb, "File rotation size in MB")->capture_default_str();
  serve->add_option("-f,--flush-interval", flush_interval, "Flush interval in seconds")
      ->capture_default_str();

  CLI::App* query = app.add_subcommand("query", "Query stored logs");
  bool count = false;
  query->add_option("-d,--storage", storage, "Storage directory")->capture_default_str();
  query->add_flag("-c,--count", count, "Show the total count only");

  CLI::App* validate = app.add_subcommand(
      "validate-schema", "Check a JSON Schema file and show its columns; with --data, validate NDJSON logs");
  logdaemon::cli::ValidateSchemaOptions validate_options;
  validate->add_option("FILE", validate_options.schema_file,
                       "JSON Schema file (draft-07; default: the built-in log schema)");
  validate->add_option("--data", validate_options.data_file,
                       "NDJSON logs to validate, one per line ('-': stdin)");
  validate->add_option("--schema-path", validate_options.schema_paths,
                       "Where remote $refs are found: DIR (schemas by $id) or URI=DIR; repeatable");
  CLI::Option* time_field = validate
                                ->add_option("--time-field", validate_options.time_field,
                                             "The date-time property that partitions the logs")
                                ->capture_default_str();

  CLI::App* ingest = app.add_subcommand("ingest", "Send NDJSON logs from stdin or a file to the daemon");
  std::string ingest_file;
  ingest->add_option("-s,--socket", socket_path, "Unix socket path")->capture_default_str();
  ingest->add_option("FILE", ingest_file, "NDJSON file (default: stdin)");

  CLI::App* inspect =
      app.add_subcommand("inspect", "Show a Parquet file's schema, row groups, column chunks");
  logdaemon::cli::InspectOptions inspect_options;
  inspect->add_option("FILE", inspect_options.files, "Parquet files")->required();
  inspect->add_flag("--json", inspect_options.json, "One JSON document per file");

  CLI11_PARSE(app, argc, argv);

  if (*inspect) return logdaemon::cli::RunInspect(inspect_options);
  if (*serve) return NotImplemented("serve");
  if (*query) return NotImplemented("query");
  if (*validate) {
    validate_options.time_field_explicit = time_field->count() > 0;
    return logdaemon::cli::RunValidateSchema(validate_options);
  }
  if (*ingest) return NotImplemented("ingest");
  return kExitNotImplemented;
}
