#include "http/http_stats.h"

#include "metrics/exposition.h"

namespace logdaemon::http {

const char* EndpointLabel(Endpoint endpoint) {
  switch (endpoint) {
    case Endpoint::kOtlp:
      return "/v1/logs";
    case Endpoint::kNdjson:
      return "/api/v1/ingest";
    case Endpoint::kBulk:
      return "/_bulk";
    case Endpoint::kEsProbe:
      return "/";  // and the other Elasticsearch probes (/_license, /_cluster/health, templates)
    case Endpoint::kMetrics:
      return "/metrics";
    case Endpoint::kOther:
      return "other";
    case Endpoint::kQuery:
      return "/api/v1/query";
    case Endpoint::kHistogram:
      return "/api/v1/histogram";
    case Endpoint::kFields:
      return "/api/v1/fields";
    case Endpoint::kTail:
      return "/api/v1/tail";
    case Endpoint::kUi:
      return "/ui/";
  }
  return "other";
}

void HttpStats::AddLogsTo(ServerStats* stats) const {
  for (const ingest::CounterValues& counts : logs) {
    stats->frames_received += counts.frames_received;
    stats->logs_accepted += counts.logs_accepted;
    stats->logs_dropped += counts.logs_dropped;
    for (size_t i = 0; i < kRejectReasonCount; ++i) stats->logs_rejected[i] += counts.logs_rejected[i];
  }
}

void HttpCounters::CountCutBody() {
  std::lock_guard lock(mutex_);
  ++stats_.bodies_cut;
}

void HttpCounters::AddRequest(Endpoint endpoint, int status, uint64_t body_bytes,
                              const ingest::CounterValues& logs) {
  std::lock_guard lock(mutex_);
  ++stats_.requests[{endpoint, status}];
  stats_.body_bytes_received += body_bytes;
  ingest::CounterValues& total = stats_.logs[static_cast<size_t>(endpoint)];
  total.frames_received += logs.frames_received;
  total.logs_accepted += logs.logs_accepted;
  total.logs_dropped += logs.logs_dropped;
  for (size_t i = 0; i < kRejectReasonCount; ++i) total.logs_rejected[i] += logs.logs_rejected[i];
}

HttpStats HttpCounters::Read() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

namespace {

double D(uint64_t value) {
  return static_cast<double>(value);
}

uint64_t Rejected(const ingest::CounterValues& counts) {
  uint64_t sum = 0;
  for (uint64_t n : counts.logs_rejected) sum += n;
  return sum;
}

}  // namespace

void AppendHttpMetrics(const HttpStats& stats, std::string* page) {
  metrics::TextExposition out;
  for (const auto& [key, count] : stats.requests) {
    const std::string code = std::to_string(key.second);
    out.Counter("logdaemon_http_requests_total", "HTTP requests answered, by path and status code.", D(count),
                {{"path", EndpointLabel(key.first)}, {"code", code}});
  }
  // Only the endpoints that take logs.
  constexpr Endpoint kIngest[] = {Endpoint::kOtlp, Endpoint::kNdjson, Endpoint::kBulk};
  for (Endpoint endpoint : kIngest) {
    out.Counter("logdaemon_http_logs_received_total", "Logs received over HTTP, by path.",
                D(stats.logs[static_cast<size_t>(endpoint)].frames_received),
                {{"path", EndpointLabel(endpoint)}});
  }
  for (Endpoint endpoint : kIngest) {
    out.Counter("logdaemon_http_logs_accepted_total", "Logs received over HTTP and stored, by path.",
                D(stats.logs[static_cast<size_t>(endpoint)].logs_accepted),
                {{"path", EndpointLabel(endpoint)}});
  }
  for (Endpoint endpoint : kIngest) {
    out.Counter("logdaemon_http_logs_rejected_total",
                "Logs received over HTTP and refused (reasons: logdaemon_logs_rejected_total), by path.",
                D(Rejected(stats.logs[static_cast<size_t>(endpoint)])), {{"path", EndpointLabel(endpoint)}});
  }
  for (Endpoint endpoint : kIngest) {
    out.Counter(
        "logdaemon_http_logs_dropped_total", "Logs received over HTTP and not stored for lack of room.",
        D(stats.logs[static_cast<size_t>(endpoint)].logs_dropped), {{"path", EndpointLabel(endpoint)}});
  }
  out.Counter("logdaemon_http_request_body_bytes_total", "Request body bytes received (compressed as sent).",
              D(stats.body_bytes_received));
  out.Counter("logdaemon_http_bodies_cut_total",
              "Refused request bodies that went on past three times --http-max-body-mb: the connection was "
              "closed without an answer.",
              D(stats.bodies_cut));
  out.Gauge("logdaemon_http_body_bytes", "Decompressed request body bytes held in memory now.",
            D(stats.body_bytes_in_flight));
  out.Gauge("logdaemon_http_body_limit_bytes", "The most request body bytes held at once.",
            D(stats.body_bytes_limit));
  out.Gauge("logdaemon_http_queries_running", "Query API requests running now (tails included).",
            D(stats.queries_running));
  out.Counter("logdaemon_http_queries_cancelled_total",
              "Query API requests stopped because their client went away.", D(stats.queries_cancelled));
  page->append(out.text());
}

}  // namespace logdaemon::http
