// HttpStats: what the HTTP front door has done, for /metrics — requests by path and status code, and
// per endpoint the logs it received, accepted, rejected (by reason) and dropped. Handler threads add a
// request's counts at its end (one lock per request, not per log).
//
// Thread-safety: HttpCounters is thread-safe; HttpStats is a copy.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "ingest/loop_counters.h"

namespace logdaemon::http {

enum class Endpoint : uint8_t {
  kOtlp,
  kNdjson,
  kBulk,
  kEsProbe,
  kMetrics,
  kOther,
  // The query API (query_api.h) and the web UI's files (ui_assets.h).
  kQuery,
  kHistogram,
  kFields,
  kTail,
  kUi,
};
inline constexpr size_t kEndpointCount = 11;
// The `path` label: "/v1/logs", "/api/v1/ingest", "/_bulk" (also /{index}/_bulk), "/", "/metrics", and
// "/api/v1/query", "/api/v1/histogram", "/api/v1/fields", "/api/v1/tail", "/ui/" (every file of the UI), and
// "other" for every path the server does not serve (a label per unknown path would let clients grow the
// page without bound).
const char* EndpointLabel(Endpoint endpoint);

struct HttpStats {
  std::map<std::pair<Endpoint, int>, uint64_t> requests;     // (endpoint, status code) → count
  std::array<ingest::CounterValues, kEndpointCount> logs{};  // per endpoint; frames_received = logs received
  uint64_t body_bytes_received = 0;   // request body bytes as received (compressed when gzip)
  uint64_t body_bytes_in_flight = 0;  // gauge: decompressed body bytes held now
  uint64_t body_bytes_limit = 0;
  uint64_t bodies_cut = 0;  // refused bodies that went on past three times the bound: closed unanswered
  // The query API: queries (and tails) running now, and those cancelled because their client went away.
  uint64_t queries_running = 0;
  uint64_t queries_cancelled = 0;

  // The logs of every endpoint, added to the socket's counts (the daemon's per-log metrics count both).
  void AddLogsTo(ServerStats* stats) const;
};

class HttpCounters {
 public:
  void AddRequest(Endpoint endpoint, int status, uint64_t body_bytes, const ingest::CounterValues& logs);
  void CountCutBody();
  HttpStats Read() const;

 private:
  mutable std::mutex mutex_;
  HttpStats stats_;
};

// Appends the front door's own families (logdaemon_http_*) to a /metrics page.
void AppendHttpMetrics(const HttpStats& stats, std::string* page);

}  // namespace logdaemon::http
