// The Elasticsearch bulk API (POST /_bulk, POST /{index}/_bulk; PUT too) and the answers shippers want
// before their first bulk (GET / and the other probes of es_probe.h), so that Filebeat, Fluent Bit,
// Vector, Logstash and the official clients ship here with their Elasticsearch outputs. es_bulk.h parses
// the body and shapes the answer; every answer carries the product header the official clients check.
//
// A bulk whose every log found no room is answered 429 as a whole, and one whose every log met a storage
// that cannot write, 503: Vector (by default) and Fluent Bit retry whole requests only, never the items
// of a 200 (es_bulk.h has what each shipper retries).
#include <chrono>

#include "http/endpoints.h"

namespace logdaemon::http {

namespace {

void AddProductHeader(Response* response) {
  response->headers.emplace_back(std::string(kElasticProductHeader), std::string(kElasticProductValue));
}

Response EsError(int status, std::string_view type, std::string_view reason, int retry_after_seconds) {
  Response response;
  response.status = status;
  response.body = EsErrorBody(status, type, reason);
  if (status == 429 || status == 503)
    response.headers.emplace_back("Retry-After", std::to_string(retry_after_seconds));
  AddProductHeader(&response);
  return response;
}

}  // namespace

Response HandleBulk(LogBatch* logs, std::string_view body, std::string_view url_index, IngestContext& context,
                    ingest::CounterValues* counters) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<BulkItem> items;
  if (Status parsed = ParseBulk(body, url_index, context.bulk, logs, &items); !parsed.ok())
    return EsError(400, "illegal_argument_exception", parsed.message(), context.retry_after_seconds);
  BatchOutcome outcome;
  {
    AdmitterPool::Lease admitter = context.pool->Acquire();
    outcome = AdmitBatch(*admitter, *logs, counters);
  }
  if (outcome.accepted == 0 && outcome.no_room > 0 && outcome.rejected == 0) {
    return EsError(429, "es_rejected_execution_exception", "overloaded: no room for these logs now",
                   context.retry_after_seconds);
  }
  if (outcome.accepted == 0 && outcome.storage_unavailable) {
    return EsError(503, "unavailable_shards_exception", outcome.messages.front().second,
                   context.retry_after_seconds);
  }
  for (BulkItem& item : items) {
    if (item.log < 0) continue;
    const auto log = static_cast<size_t>(item.log);
    SetItemResult(&item, outcome.results[log], outcome.MessageOf(log));
  }
  const auto took =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  Response response;
  response.body = BulkResponse(items, took.count());
  AddProductHeader(&response);
  return response;
}

Response HandleEsProbe(EsProbe probe) {
  Response response;
  switch (probe) {
    case EsProbe::kRoot:
      response.body = VersionProbeResponse("logdaemon");
      break;
    case EsProbe::kLicense:
      response.body = LicenseResponse();
      break;
    case EsProbe::kHealth:
      response.body = ClusterHealthResponse();
      break;
    case EsProbe::kAcknowledged:
      response.body = std::string(AcknowledgedResponse());
      break;
  }
  AddProductHeader(&response);
  return response;
}

}  // namespace logdaemon::http
