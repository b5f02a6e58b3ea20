// `logdaemon inspect FILE...`: what a Parquet file holds, as `parquet-tools meta` shows it — the schema
// (physical, logical and converted types, repetition), the row groups, and per column chunk its
// encodings, codec, sizes, statistics, dictionary and data page counts and page index. `--json` prints
// one JSON document per file for machines.
#pragma once

#include <string>
#include <vector>

namespace logdaemon::cli {

struct InspectOptions {
  std::vector<std::string> files;
  bool json = false;
};

// Prints to stdout; errors (one line per bad file) go to stderr. Returns the exit code: 0 when every
// file could be inspected, 1 otherwise.
int RunInspect(const InspectOptions& options);

}  // namespace logdaemon::cli
