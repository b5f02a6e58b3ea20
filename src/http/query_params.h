// The query API's URL parameters (docs/http.md "Query API"), parsed into a query::ScanRequest and the
// endpoint's own settings. The filters are the `logdaemon query` options under their long names:
//
//   where=EXPR  level=a,b  service=a,b  since=T  until=T  grep=TEXT  ignore_case=true  fields=a,b
//   limit=N  order=asc|desc  format=ndjson|json     (query)
//   buckets=N                                       (histogram)
//   top=N  facets=a,b                               (fields)
//   backlog=N  fields=a,b                           (tail)
//
// Every value is checked here, before any file is read: an unknown or repeated parameter, a number out of
// range, a time that is not one, and a --where expression that does not parse are ParamErrors naming the
// parameter (and, for `where`, the character where it went wrong). `level` and `service` may be repeated.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/http_stats.h"
#include "query/scan.h"

namespace logdaemon::http {

// Bounds of the API's answers, so that no request can make the daemon hold much memory.
inline constexpr uint64_t kDefaultQueryLimit = 100;
inline constexpr uint64_t kMaxQueryLimit = 10000;
inline constexpr size_t kDefaultBuckets = 60;
inline constexpr size_t kMaxBuckets = 1000;
inline constexpr size_t kDefaultTop = 10;
inline constexpr size_t kMaxTop = 1000;
inline constexpr uint64_t kMaxBacklog = 1000;

enum class QueryFormat { kNdjson, kJson };

struct QueryParams {
  query::ScanRequest request;  // filters, fields, limit, order (storage_dir left empty)
  QueryFormat format = QueryFormat::kNdjson;
  size_t buckets = kDefaultBuckets;
  size_t top = kDefaultTop;
  std::vector<std::string> facets;  // empty: the dictionary-encoded text columns
  uint64_t backlog = 0;
};

struct ParamError {
  std::string parameter;
  std::string message;             // "where: column 9: expected a value after '='"
  std::optional<size_t> position;  // `where`: the character (1-based) the error points at
};

// The URL's parameters as libmicrohttpd decoded them, in order; `now_micros` anchors relative times.
// The answer is either the parameters or the error.
std::pair<QueryParams, std::optional<ParamError>> ParseQueryParams(
    Endpoint endpoint, const std::vector<std::pair<std::string, std::string>>& args, int64_t now_micros);

// The 400 answer's body: {"error": message, "parameter": name, "position": N (when known)}.
std::string ParamErrorJson(const ParamError& error);

// The 1-based character (UTF-8 code point) of `text` at byte `offset`.
size_t CharacterColumn(std::string_view text, size_t offset);

}  // namespace logdaemon::http
