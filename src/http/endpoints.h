// The HTTP front door's endpoints, apart from libmicrohttpd: each takes a request's (decompressed, padded)
// body and answers a Response. http_server.cc routes to them. One file per endpoint:
//   ndjson_endpoint.cc   POST /api/v1/ingest        one log per line; a result per rejected line
//   otlp_endpoint.cc     POST /v1/logs              OTLP/HTTP, protobuf or JSON; partial success
//   bulk_endpoint.cc     POST /_bulk, /{index}/_bulk, GET /   the Elasticsearch bulk API and its probe
//
// Thread-safety: the handlers run on any server thread; the pool hands each request its own admitter.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/batch_admission.h"
#include "http/es_bulk.h"
#include "http/otlp_logs.h"
#include "ingest/loop_counters.h"

namespace logdaemon::http {

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// What the ingest endpoints share.
struct IngestContext {
  AdmitterPool* pool = nullptr;
  int retry_after_seconds = 1;
  OtlpMapping otlp;
  BulkOptions bulk;
};

// A JSON error answer: {"error": message}, with Retry-After for 429 and 503.
Response JsonError(int status, std::string_view message, int retry_after_seconds = 1);

// `body` is followed by simdjson's padding in its buffer.
Response HandleNdjson(LogBatch* logs, std::string_view body, IngestContext& context,
                      ingest::CounterValues* counters);
Response HandleOtlp(std::string_view content_type, std::string_view body, IngestContext& context,
                    ingest::CounterValues* counters);
// `logs` has adopted the body's buffer (`body` lies in it, followed by the padding).
Response HandleBulk(LogBatch* logs, std::string_view body, std::string_view url_index, IngestContext& context,
                    ingest::CounterValues* counters);

// The Elasticsearch answers shippers ask for before their first bulk (es_probe.h).
enum class EsProbe : uint8_t {
  kRoot,          // GET /: the version
  kLicense,       // GET /_license, /_xpack: an active basic license (Filebeat, Logstash)
  kHealth,        // GET /_cluster/health (Vector)
  kAcknowledged,  // index templates, data streams, ILM policies, aliases: "it exists" / "done"
};
Response HandleEsProbe(EsProbe probe);

}  // namespace logdaemon::http
