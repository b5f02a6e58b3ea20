// `logdaemon query`: reads the storage directory and prints the logs that match (DESIGN.md §6,
// docs/query.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace logdaemon::cli {

struct QueryOptions {
  std::string storage = "./logs";
  bool count = false;
  std::string levels;                       // "warn,error"
  std::string services;                     // "api,worker"
  std::optional<std::string> since, until;  // given (even empty) or not
  std::string fields;                       // "timestamp,level,message"
  uint64_t limit = 0;
  std::string format = "table";
  std::string where;  // --where EXPR
  std::string grep;   // --grep TEXT, -i
  bool ignore_case = false;
  std::string count_by, order;
  bool follow = false, explain = false;
};

// Exit status: 0 (also for an empty result), 1 an unreadable storage or file, 2 a usage error.
int RunQuery(const QueryOptions& options);

}  // namespace logdaemon::cli
