// The Elasticsearch bulk API (`POST /_bulk`, `POST /{index}/_bulk`; DESIGN.md §2b): the body's parsing and
// the response's shape, so that Filebeat, Fluent Bit, Vector, Logstash and the official clients can ship
// here with their Elasticsearch outputs. The server (routing, limits, gzip, admission) is elsewhere; the
// version probe and the other answers shippers need before their first bulk are in http/es_probe.h.
//
// What a request becomes:
//   ParseBulk      body -> one BulkItem per action, in order, and the documents to admit in a LogBatch
//   (the caller admits logs->log(item.log) for each item with log >= 0, then calls SetItemResult)
//   BulkResponse   items -> {"took":N,"errors":B,"items":[...]} as Elasticsearch answers (HTTP 200)
//
// Where this follows Elasticsearch 8 and where it deliberately does not (a log store is not an index):
// - Whole-request errors (HTTP 400, ParseBulk returns InvalidArgument with Elasticsearch's reason): an
//   action line that is not JSON, not an object, an empty object, an object with more than one key, an
//   action other than index/create/update/delete, action metadata that is an array or a non-object value,
//   `op_type` other than index/create, and a body without any action ("no requests added").
// - Accepted where Elasticsearch 8 answers 400: a body whose last line lacks its newline (ES: "must be
//   terminated by a newline"), `_type` (Fluent Bit sends it by default; ES 7 accepted it), and metadata
//   parameters this parser does not know (ignored, so that a newer shipper's parameter does not refuse
//   its whole batch: Filebeat and Logstash retry a refused batch forever).
// - Per item, HTTP 400: `update` and `delete` (logs are append-only; the item says so), an action at the
//   end of the body with no document line after it (ES drops it silently, which would misalign the
//   shipper's items), an empty `_id`, an `_id` over 512 bytes (ES refuses the whole request for both).
// - Documents are not judged here: a document that is not JSON, not an object or not valid under the
//   schema is handed to the admission path like any other, which refuses it with the socket's words and
//   counts it under its reason; SetItemResult turns that into the item's 400.
// - `_id` is echoed, never used to deduplicate: two `create`s with one id store two logs (ES: 409). An
//   item without `_id` gets a generated one in the response. `_index` is echoed and otherwise unused.
// - Lines are split on '\n'; a '\r' before it is dropped (CRLF bodies); blank lines where an action is
//   expected are skipped, as Elasticsearch does (a blank line where a document is expected is that
//   document, and is refused as invalid JSON).
// - URL parameters (`refresh`, `pipeline`, `routing`, `timeout`, `filter_path` (Filebeat), `pretty`,
//   `wait_for_active_shards`, `require_alias`, `_source*`) change nothing: the server ignores them. The
//   full response is a superset of what `filter_path=errors,items.*.error,items.*.status` asks for.
//
// Document rewriting (BulkOptions): shippers name the time `@timestamp` (Filebeat, Fluent Bit, Logstash,
// Vector's data streams) and often the level `log.level` (ECS), while the schema has its own names.
//   - `@timestamp` is renamed to the time field when the document has no time field at its top level (a
//     document that has both keeps both: `@timestamp` then goes to `_extra` like any undeclared field).
//   - `level` is added from `log.level` (a top-level key "log.level", or "level" inside a top-level "log"
//     object) when the document has no `level`; the value is lower-cased and common spellings are mapped
//     to the default schema's names (warning -> warn, err -> error, critical/crit/alert/emerg/emergency/
//     panic -> fatal, information/informational/notice -> info, dbg -> debug). `log.level` itself stays.
//   Only keys written literally (not with \u escapes) are recognised. Renamed documents are the original
//   bytes with the key replaced (and the level member inserted first), never re-serialised.
//
// Thread-safety: pure functions (BulkResponse's generated ids come from a per-thread counter).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "http/es_probe.h"
#include "http/log_batch.h"
#include "ingest/log_admitter.h"
#include "logdaemon/status.h"

namespace logdaemon::http {

struct BulkOptions {
  std::string time_field = "timestamp";         // the schema's time field
  std::string timestamp_source = "@timestamp";  // renamed to time_field when time_field is absent; "": off
  std::string level_field = "level";            // the schema's level field; "": no level mapping
  std::string level_source = "log.level";       // "a.b": key "a.b", or "b" inside object "a"; "": off
};

// The default index when neither the action nor the URL names one.
inline constexpr std::string_view kDefaultIndex = "logdaemon";
// Elasticsearch refuses longer ids ("id [...] is too long, must be no longer than 512 bytes").
inline constexpr size_t kMaxIdBytes = 512;

struct BulkItem {
  std::string action;  // "index", "create" (also index with "op_type":"create"), "update", "delete"
  std::string index;   // the action's _index, else the URL's index, else kDefaultIndex
  std::string id;      // the action's _id; empty: BulkResponse generates one
  int64_t log = -1;    // the document's index in the LogBatch; -1: nothing to admit (status is set)
  int status = 0;      // HTTP status of the item; 0 until SetItemResult (a log) or set by ParseBulk
  std::string error_type, error_reason;  // for status >= 300
};

// Parses an NDJSON bulk body (see the file comment for what is refused and how). `body` must be followed
// by at least simdjson::SIMDJSON_PADDING readable bytes. `items` is cleared first. `logs` must hold no
// logs yet; it is either empty (every document is then copied into it), or holds the body itself
// (LogBatch::AdoptBuffer, `body` lying inside logs->buffer(): no copy): documents are then spans of the
// body, a rewritten document no longer than its original is written over it (the body's bytes change),
// and a longer one is appended after the body. Give the adopted buffer spare capacity (body/8 and the
// padding) so that those appends and Finish() do not move the whole body. Calls logs->Finish() on
// success.
// Not OK (InvalidArgument, with the reason Elasticsearch gives): the whole request is refused (HTTP 400,
// EsErrorBody(400, "illegal_argument_exception", message)); `items` and `logs` are then unspecified.
Status ParseBulk(std::string_view body, std::string_view url_index, const BulkOptions& options,
                 LogBatch* logs, std::vector<BulkItem>* items);

// The item's status from the admission of its log (which shipper retries what: es_bulk_response.cc):
//   accepted                      -> 201 "created"
//   kNoRoom                       -> 429 es_rejected_execution_exception (every shipper retries it)
//   kRejected, storage unavailable-> 503 unavailable_shards_exception (Filebeat, Logstash, Vector's
//                                    request_retry_partial retry it; ES answers 503 for such items too)
//   kRejected, any other reason   -> 400 document_parsing_exception (invalid JSON, not an object, schema)
//                                    or illegal_argument_exception (time out of range, unstorable, too
//                                    large): a permanent refusal, dropped or dead-lettered, not retried
// `message` is the admitter's reason (LogAdmitter::message()).
void SetItemResult(BulkItem* item, const ingest::AdmitResult& result, std::string_view message);

// The response body (HTTP 200, Content-Type application/json): compact JSON, "took" then "errors" then
// "items", as Vector ("errors":true substring) and Fluent Bit ("errors":false,"items":[ substring, when
// the response overflows its buffer) read it. `errors` is true when any item's status is >= 300. An item
// left at status 0 (never given a result) is answered 500, which shippers retry.
std::string BulkResponse(const std::vector<BulkItem>& items, int64_t took_ms);

}  // namespace logdaemon::http
