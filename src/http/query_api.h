// The query API (DESIGN.md §2b, §6; docs/http.md "Query API"): the work behind
//   GET /api/v1/query       matching logs as NDJSON (or a JSON array), newest first by default
//   GET /api/v1/histogram   matching logs per time bucket and level
//   GET /api/v1/fields      the columns, and the most frequent values of the dictionary-encoded text columns
//   GET /api/v1/tail        Server-Sent Events: each log published from now on that matches, once
// on the storage directory, with the engine of `logdaemon query` (query/scan.h, query/follow.h).
//
// Each runs on a query thread (query_runner.h), never on libmicrohttpd's. Bounds: a deadline per query
// (then 503), `limit` at most kMaxQueryLimit rows and an answer of at most max_answer_bytes (413), --order
// buffering at most max_order_buffer_bytes, the histogram's and facets' memory bounded by their own caps;
// a tail holds at most the job's stream limit for a slow reader.
//
// Thread-safety: the functions are reentrant.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "http/endpoints.h"
#include "http/query_job.h"
#include "http/query_params.h"

namespace logdaemon::http {

struct QueryApiContext {
  std::string storage_dir;
  std::chrono::milliseconds timeout{10000};  // per one-shot query
  size_t max_answer_bytes = 8 << 20;
  size_t max_order_buffer_bytes = 64 << 20;
  size_t scan_threads = 1;  // per query: the daemon's cores belong to ingest first
  std::chrono::milliseconds tail_relist_interval{1000};
};

Response RunQueryRequest(const QueryApiContext& context, QueryParams params, const QueryJob& job);
Response RunHistogramRequest(const QueryApiContext& context, QueryParams params, const QueryJob& job);
Response RunFieldsRequest(const QueryApiContext& context, QueryParams params, const QueryJob& job);
// Streams into `job` until the client goes or the server stops; an error becomes an `event: error`.
void RunTailRequest(const QueryApiContext& context, QueryParams params, QueryJob& job);

}  // namespace logdaemon::http
