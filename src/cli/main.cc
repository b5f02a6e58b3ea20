// logdaemon: the command line. Each subcommand parses its flags here and hands a plain options struct
// to the module that does the work.
#include <CLI/CLI.hpp>

#include <iostream>
#include <string>

#include "cli/command_docs.h"
#include "cli/import_command.h"
#include "cli/ingest_command.h"
#include "cli/inspect_command.h"
#include "cli/query_command.h"
#include "cli/serve_command.h"
#include "cli/validate_schema_command.h"

namespace {

// Exit codes: 0 success, 1 the command ran and found a problem (a bad file, rejected logs), 2 usage
// errors and commands that do not exist yet.
constexpr int kExitNotImplemented = 2;
constexpr int kExitUsage = 2;

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"logdaemon: validates JSON logs against a JSON Schema and stores them as Parquet"};
  app.set_version_flag("--version", std::string("logdaemon version ") + LOGDAEMON_VERSION + " (build " +
                                        LOGDAEMON_GIT_SHA + ")");
  app.require_subcommand(1);

  // serve: every flag (and its config-file key) is declared in cli/serve_settings.cc.
  CLI::App* serve = app.add_subcommand("serve", "Start the log ingestion daemon");
  logdaemon::cli::ServeCommandLine serve_command_line(*serve);
  CLI::App* query = app.add_subcommand("query", "Query stored logs");
  logdaemon::cli::QueryOptions query_options;
  query->add_option("-d,--storage", query_options.storage, "Storage directory")->capture_default_str();
  query->add_flag("-c,--count", query_options.count, "Show the number of matching logs only");
  query->add_option("--level", query_options.levels, "Only these levels: error, or warn,error");
  query->add_option("--service", query_options.services, "Only these services: api, or api,worker");
  query->add_option("--since", query_options.since,
                    "From this time on: RFC 3339, a date (2026-01-15), or ago (30s, 15m, 2h, 7d)");
  query->add_option("--until", query_options.until, "Before this time (same forms as --since)");
  query->add_option("--fields", query_options.fields, "Columns to print: timestamp,level,message");
  query
      ->add_option("--limit", query_options.limit,
                   "At most this many logs (0: all); with --follow, the newest N stored ones first")
      ->capture_default_str();
  query->add_option("--format", query_options.format, "table, json (JSON lines) or csv")
      ->capture_default_str();
  query->add_option(
      "--where", query_options.where,
      "A filter: \"level = 'error' AND metadata.http.status >= 500\" (docs/query-expressions.md)");
  query->add_option("--grep", query_options.grep, "Messages containing TEXT");
  query->add_flag("-i", query_options.ignore_case, "--grep in any case");
  query->add_option("--count-by", query_options.count_by,
                    "The number of matching logs per value of FIELD, largest first");
  query->add_option("--order", query_options.order,
                    "By time: asc (oldest first) or desc (newest first); default: storage order");
  query->add_flag(
      "--follow", query_options.follow,
      "After the stored logs, keep printing new ones as they are flushed (like tail -f); Ctrl-C ends");
  query->add_flag("--explain", query_options.explain,
                  "Also print on stderr the files and row groups scanned and pruned, bytes read, time");

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
  logdaemon::cli::IngestOptions ingest_options;
  ingest->add_option("-s,--socket", ingest_options.socket_path, "Unix socket path")->capture_default_str();
  ingest->add_option("FILE", ingest_options.file, "NDJSON file, one log per line (default or '-': stdin)");
  ingest
      ->add_option("--max-line-mb", ingest_options.max_line_mb,
                   "Longer lines are rejected as 'line too long' without being sent")
      ->capture_default_str();
  ingest
      ->add_option("--window", ingest_options.window, "Logs sent ahead of their replies, at most (bulk mode)")
      ->capture_default_str();
  ingest
      ->add_option("--retry-overloaded", ingest_options.retry_overloaded_seconds,
                   "Resend logs answered 'overloaded' until this long (s) without progress; 0: never")
      ->capture_default_str();
  ingest->add_flag("-q,--quiet", ingest_options.quiet, "No progress bar");

  CLI::App* inspect =
      app.add_subcommand("inspect", "Show a Parquet file's schema, row groups, column chunks");
  logdaemon::cli::InspectOptions inspect_options;
  inspect->add_option("FILE", inspect_options.files, "Parquet files")->required();
  inspect->add_flag("--json", inspect_options.json, "One JSON document per file");

  CLI::App* import = app.add_subcommand(
      "import", "Bulk-load NDJSON log files (or stdin) through validation into the storage directory");
  logdaemon::cli::ImportOptions import_options;
  import->add_option("FILE", import_options.files, "NDJSON files, one log per line ('-' or none: stdin)");
  import->add_option("-d,--storage", import_options.storage, "Storage directory for Parquet files")
      ->capture_default_str();
  import->add_option("--schema", import_options.schema_file,
                     "JSON Schema file (default: the built-in log schema)");
  import->add_option("--schema-path", import_options.schema_paths,
                     "Where remote $refs are found: DIR (schemas by $id) or URI=DIR; repeatable");
  CLI::Option* import_time_field = import
                                       ->add_option("--time-field", import_options.time_field,
                                                    "The date-time property that partitions the logs")
                                       ->capture_default_str();
  import->add_option("-c,--compression", import_options.compression, "snappy, zstd, gzip, lz4, none")
      ->capture_default_str();
  import
      ->add_option("--compression-level", import_options.compression_level,
                   "zstd 1..22, gzip 1..9; 0: the codec's default")
      ->capture_default_str();
  import
      ->add_option("-b,--batch-size", import_options.batch_size, "Rows buffered per partition before a flush")
      ->capture_default_str();
  import->add_option("-r,--rotation-mb", import_options.rotation_mb, "Size of the compacted files in MB")
      ->capture_default_str();
  import->add_option("--partition", import_options.partition, "day, hour or none")->capture_default_str();
  import->add_flag("--parquet-compat", import_options.parquet_compat,
                   "PLAIN and dictionary encodings only, for old Parquet readers");
  import
      ->add_option("--max-line-mb", import_options.max_line_mb,
                   "Longer lines are rejected as 'line too long' without being loaded")
      ->capture_default_str();
  import
      ->add_option("--max-age", import_options.max_age,
                   "Refuse logs whose time field is older than this (30d, 12h, 90m, 3600s, or off)")
      ->type_name("AGE")
      ->capture_default_str();
  import
      ->add_option("--max-future", import_options.max_future,
                   "Refuse logs whose time field is further ahead than this (or off)")
      ->type_name("AGE")
      ->capture_default_str();
  import->add_flag("-q,--quiet", import_options.quiet, "No progress bar");

  // Hidden (no group): run by the build to write the man pages and the bash completion from the definitions
  // above (cli/command_docs.h).
  CLI::App* docs =
      app.add_subcommand("generate-docs", "Write the man pages and the bash completion")->group("");
  std::string docs_man_dir;
  std::string docs_completion;
  logdaemon::cli::ManPageInfo docs_info{LOGDAEMON_VERSION, ""};
  docs->add_option("--man-dir", docs_man_dir, "Directory of man1/ and man5/")->required();
  docs->add_option("--bash-completion", docs_completion, "The completion script's file")->required();
  docs->add_option("--date", docs_info.date, "The pages' date (YYYY-MM-DD)")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // app.exit prints the message (or --help, --version); CLI11's own codes (100 and up) would tell
    // scripts nothing more, so every usage error is 2, as documented above.
    return app.exit(e) == 0 ? 0 : kExitUsage;
  }

  if (*docs) {
    logdaemon::Status st = logdaemon::cli::WriteCommandDocs(app, docs_man_dir, docs_completion, docs_info);
    if (!st.ok()) std::cerr << "logdaemon generate-docs: " << st.message() << "\n";
    return st.ok() ? 0 : 1;
  }
  if (*inspect) return logdaemon::cli::RunInspect(inspect_options);
  if (*serve) return logdaemon::cli::RunServeCommand(serve_command_line);
  if (*query) return logdaemon::cli::RunQuery(query_options);
  if (*validate) {
    validate_options.time_field_explicit = time_field->count() > 0;
    return logdaemon::cli::RunValidateSchema(validate_options);
  }
  if (*ingest) return logdaemon::cli::RunIngest(ingest_options);
  if (*import) {
    import_options.time_field_explicit = import_time_field->count() > 0;
    return logdaemon::cli::RunImport(import_options);
  }
  return kExitNotImplemented;
}
