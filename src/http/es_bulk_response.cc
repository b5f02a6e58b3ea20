// SetItemResult and BulkResponse (http/es_bulk.h): the per-item status and the response, in the shape the
// shippers read. What each shipper does with an item's status, as their sources say:
//   - Filebeat (libbeat outputs/elasticsearch/client.go, bulkCollectPublishFails): < 300 acked; 409
//     dropped as a duplicate; 429 and >= 500 retried; any other 4xx dropped (or sent to the dead letter
//     index). It also retries the whole batch on any HTTP status other than 200 (413: splits it).
//   - Logstash (logstash-output-elasticsearch, common.rb submit): 200/201 success; 409 dropped; 400/404
//     to the dead letter queue (or dropped); everything else, 429 and 5xx included, retried forever.
//   - Vector (sinks/elasticsearch/retry.rs): HTTP 429 and 5xx retried, other 4xx not; a 200 whose body
//     contains "errors":true is not retried, unless `request_retry_partial` (off by default), which
//     retries when an item has 429 or 5xx.
//   - Fluent Bit (plugins/out_es/es.c, elasticsearch_error_check): any HTTP status but 200/201 retries
//     the chunk; with "errors":true the chunk is retried only when no item has 200/201 (a partly
//     refused chunk is not retried).
//   - @elastic/elasticsearch's bulk helper (helpers.ts): only 429 is retried per item; any other
//     status >= 400 goes to onDrop. Its transport retries whole requests on 502/503/504.
// Hence: a permanent refusal is 400 (dropped or dead-lettered, never retried forever); no room is 429,
// the one per-item status that every shipper retrying per item retries; and a request whose every log
// found no room is best answered HTTP 429 as a whole (every log meeting unavailable storage: 503), which
// every shipper retries, rather than 200 with per-item errors that Vector (by default) and Fluent Bit
// would not retry. That choice is the server's; this file maps one item.
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "http/es_bulk.h"
#include "query/output_json.h"

namespace logdaemon::http {

namespace {

// Ids for items sent without one, shaped like Elasticsearch's (20 characters of base64url): the time in
// milliseconds, a random per-thread prefix (24 bits) and a per-thread counter (48 bits). Unique without a
// shared atomic: the counter never repeats within a thread, and two threads' prefixes differ but by a
// one-in-16-million chance (and then collide only on the same counter in the same millisecond).
class IdGenerator {
 public:
  IdGenerator() {
    std::random_device device;
    prefix_ =
        (uint64_t{device()} << 32) ^ device() ^ std::hash<std::thread::id>{}(std::this_thread::get_id());
  }

  // Writes the next id into `id` (20 characters).
  void Next(uint64_t now_ms, char* id) {
    uint8_t bytes[15];
    for (int i = 0; i < 6; ++i) bytes[i] = static_cast<uint8_t>(now_ms >> (40 - 8 * i));
    for (int i = 0; i < 3; ++i) bytes[6 + i] = static_cast<uint8_t>(prefix_ >> (16 - 8 * i));
    const uint64_t n = counter_++;
    for (int i = 0; i < 6; ++i) bytes[9 + i] = static_cast<uint8_t>(n >> (40 - 8 * i));
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (int group = 0; group < 5; ++group) {
      const uint32_t v =
          (uint32_t{bytes[3 * group]} << 16) | (uint32_t{bytes[3 * group + 1]} << 8) | bytes[3 * group + 2];
      for (int k = 0; k < 4; ++k) id[4 * group + k] = kAlphabet[(v >> (18 - 6 * k)) & 63];
    }
  }

 private:
  uint64_t prefix_ = 0;
  uint64_t counter_ = 0;
};

void SetError(BulkItem* item, int status, std::string_view type, std::string_view reason) {
  item->status = status;
  item->error_type = type;
  item->error_reason = reason;
}

// The error type of a permanent refusal. Elasticsearch 8 says document_parsing_exception for a document
// its mapping refuses (mapper_parsing_exception before 8.8); no shipper acts on the type, only on 400.
std::string_view RejectionType(RejectReason reason) {
  switch (reason) {
    case RejectReason::kInvalidJson:
    case RejectReason::kInvalidUtf8:
    case RejectReason::kNotObject:
    case RejectReason::kSchema:
    case RejectReason::kEmptyFrame:
      return "document_parsing_exception";
    default:
      return "illegal_argument_exception";
  }
}

void AppendItem(const BulkItem& item, int64_t seq_no, IdGenerator& ids, uint64_t now_ms, std::string* out) {
  out->append("{");
  query::AppendJsonString(item.action, out);
  out->append(":{\"_index\":");
  query::AppendJsonString(item.index, out);
  out->append(",\"_id\":");
  if (item.id.empty()) {
    char id[22] = {'"'};
    ids.Next(now_ms, id + 1);
    id[21] = '"';
    out->append(id, sizeof(id));
  } else {
    query::AppendJsonString(item.id, out);
  }
  const int status = item.status == 0 ? 500 : item.status;
  if (status < 300) {
    // Elasticsearch's fields for a created document, in its order; clients read at most status and result.
    out->append(
        ",\"_version\":1,\"result\":\"created\",\"_shards\":{\"total\":1,\"successful\":1,\"failed\":0},");
    out->append("\"_seq_no\":");
    out->append(std::to_string(seq_no));
    out->append(",\"_primary_term\":1,\"status\":");
    out->append(std::to_string(status));
    out->append("}}");
    return;
  }
  out->append(",\"status\":");
  out->append(std::to_string(status));
  out->append(",\"error\":{\"type\":");
  if (item.status == 0) {  // a caller's omission, answered as a server error that shippers retry
    out->append("\"exception\",\"reason\":\"logdaemon gave this log no result\"");
  } else {
    query::AppendJsonString(item.error_type, out);
    out->append(",\"reason\":");
    query::AppendJsonString(item.error_reason, out);
  }
  out->append("}}}");
}

}  // namespace

void SetItemResult(BulkItem* item, const ingest::AdmitResult& result, std::string_view message) {
  switch (result.kind) {
    case ingest::AdmitResult::Kind::kAccepted:
      item->status = 201;
      item->error_type.clear();
      item->error_reason.clear();
      return;
    case ingest::AdmitResult::Kind::kNoRoom:
      // 429 is the one status every shipper retries per item (the official bulk helper retries nothing
      // else); Elasticsearch says the same when its write queue is full.
      SetError(item, 429, "es_rejected_execution_exception", message.empty() ? "overloaded" : message);
      return;
    case ingest::AdmitResult::Kind::kRejected:
      if (result.reason == RejectReason::kStorageUnavailable) {
        // Not the log's fault, and not permanent: 503 as Elasticsearch answers an item whose shard is
        // unavailable; Filebeat, Logstash and Vector (request_retry_partial) retry it.
        SetError(item, 503, "unavailable_shards_exception", message);
      } else {
        SetError(item, 400, RejectionType(result.reason), message);
      }
      return;
  }
}

std::string BulkResponse(const std::vector<BulkItem>& items, int64_t took_ms) {
  bool errors = false;
  for (const BulkItem& item : items) errors = errors || item.status == 0 || item.status >= 300;
  std::string out;
  out.reserve(64 + items.size() * 200);
  // "took" first and "errors" just before "items": Fluent Bit, when a large response overflows its
  // buffer, looks for the text "errors":false,"items":[ (and Vector always looks for "errors":true).
  out.append("{\"took\":");
  out.append(std::to_string(took_ms));
  out.append(errors ? ",\"errors\":true,\"items\":[" : ",\"errors\":false,\"items\":[");
  thread_local IdGenerator ids;
  const auto now_ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count());
  int64_t seq_no = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendItem(items[i], seq_no, ids, now_ms, &out);
    if (items[i].status > 0 && items[i].status < 300) ++seq_no;
  }
  out.append("]}");
  return out;
}

}  // namespace logdaemon::http
