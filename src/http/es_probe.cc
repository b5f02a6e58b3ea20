#include "http/es_probe.h"

#include <string>

#include "query/output_json.h"

namespace logdaemon::http {

namespace {

// Stable across restarts: Logstash records the cluster_uuid as metadata, and a node that changed
// clusters at every restart would look like a new cluster to it.
constexpr std::string_view kClusterName = "logdaemon";
constexpr std::string_view kClusterUuid = "bG9nZGFlbW9uLWNsdXN0ZXI";
constexpr std::string_view kLicenseUid = "6c6f6764-6165-6d6f-6e2d-6c6963656e73";

void AppendField(std::string_view key, std::string_view value, std::string* out) {
  query::AppendJsonString(key, out);
  out->push_back(':');
  query::AppendJsonString(value, out);
}

}  // namespace

std::string VersionProbeResponse(std::string_view node_name) {
  std::string out = "{";
  AppendField("name", node_name, &out);
  out.push_back(',');
  AppendField("cluster_name", kClusterName, &out);
  out.push_back(',');
  AppendField("cluster_uuid", kClusterUuid, &out);
  out.append(",\"version\":{");
  AppendField("number", kElasticVersion, &out);
  // "default", not "serverless": Filebeat and Logstash switch to the serverless APIs on that word.
  out.append(
      ",\"build_flavor\":\"default\",\"build_type\":\"tar\",\"build_hash\":\"logdaemon\","
      "\"build_date\":\"2023-11-04T10:04:57.184859352Z\",\"build_snapshot\":false,");
  AppendField("lucene_version", kElasticLuceneVersion, &out);
  out.append(
      ",\"minimum_wire_compatibility_version\":\"7.17.0\","
      "\"minimum_index_compatibility_version\":\"7.0.0\"},"
      "\"tagline\":\"You Know, for Search\"}");
  return out;
}

std::string LicenseResponse() {
  // Both "type" (GET /_license) and "mode" (GET /_xpack, which older Filebeat reads and whose Cover()
  // check compares the mode): one body serves both paths. No expiry: a basic license has none.
  std::string out = "{\"license\":{\"status\":\"active\",";
  AppendField("uid", kLicenseUid, &out);
  out.append(
      ",\"type\":\"basic\",\"mode\":\"basic\",\"issue_date\":\"2023-11-04T00:00:00.000Z\","
      "\"issue_date_in_millis\":1699056000000,\"max_nodes\":1000,\"max_resource_units\":null,"
      "\"issued_to\":\"logdaemon\",\"issuer\":\"logdaemon\",\"start_date_in_millis\":-1},"
      "\"features\":{}}");
  return out;
}

std::string ClusterHealthResponse() {
  std::string out = "{";
  AppendField("cluster_name", kClusterName, &out);
  out.append(
      ",\"status\":\"green\",\"timed_out\":false,\"number_of_nodes\":1,\"number_of_data_nodes\":1,"
      "\"active_primary_shards\":0,\"active_shards\":0,\"relocating_shards\":0,\"initializing_shards\":0,"
      "\"unassigned_shards\":0,\"delayed_unassigned_shards\":0,\"number_of_pending_tasks\":0,"
      "\"number_of_in_flight_fetch\":0,\"task_max_waiting_in_queue_millis\":0,"
      "\"active_shards_percent_as_number\":100.0}");
  return out;
}

std::string_view AcknowledgedResponse() {
  return "{\"acknowledged\":true}";
}

std::string EsErrorBody(int status, std::string_view type, std::string_view reason) {
  std::string cause = "{";
  AppendField("type", type, &cause);
  cause.push_back(',');
  AppendField("reason", reason, &cause);
  cause.push_back('}');
  std::string out = "{\"error\":{\"root_cause\":[";
  out.append(cause);
  out.append("],");
  out.append(cause, 1, std::string::npos);  // the same members, in the error object itself
  out.append(",\"status\":");
  out.append(std::to_string(status));
  out.push_back('}');
  return out;
}

}  // namespace logdaemon::http
