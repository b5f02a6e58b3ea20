// `logdaemon import [FILE...]`: bulk-loads existing NDJSON log files (or stdin) into a storage directory
// through the same validation as `serve`, so that users can migrate their old logs. Nothing is dropped:
// the storage blocks when its queue is full. At the end the storage is flushed and compacted, so a large
// import leaves a few large files. A progress bar goes to stderr when it is a terminal; the summary
// (lines, imported, rejected by reason, speed, files written) goes to stdout.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace logdaemon::cli {

struct ImportOptions {
  std::vector<std::string> files;  // empty: stdin; "-": stdin
  std::string storage = "./logs";
  std::string schema_file;  // empty: the built-in default schema
  std::vector<std::string> schema_paths;
  std::string time_field = "timestamp";
  bool time_field_explicit = false;
  std::string compression = "snappy";
  int64_t compression_level = 0;  // 0: the codec's default (zstd 3, gzip 6)
  int64_t batch_size = 1'000'000;
  int64_t rotation_mb = 100;
  std::string partition = "day";
  bool parquet_compat = false;
  bool quiet = false;  // no progress bar
  int64_t max_line_mb = 64;
  // The accepted window of the time field, as `serve --max-age` / `--max-future` spell it. An import
  // loads history, so only logs dated in the future are refused by default (DESIGN.md §4).
  std::string max_age = "off";
  std::string max_future = "1h";
};

// Exit code: 0 when every log was imported; 1 when some were rejected; 2 on a configuration error, a
// storage that cannot be opened or written, or an input file that cannot be read (the other files are
// still imported); 130 when interrupted (SIGINT), after flushing what was read.
int RunImport(const ImportOptions& options);

}  // namespace logdaemon::cli
