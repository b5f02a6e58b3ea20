// What Elasticsearch clients and shippers ask before (and besides) their first bulk request, answered so
// that they proceed (DESIGN.md §2b). The server routes these paths; the bodies are built here.
//
//   GET /               VersionProbeResponse: Vector (api_version auto reads version.number's major),
//   HEAD /  (200)       Filebeat (version.number; build_flavor "serverless" would switch it to DSL),
//                       Logstash (HEAD / is its health check; GET / must say >= 7.14 *and* carry the
//                       product header, else "Could not connect to a compatible version").
//   GET /_license       LicenseResponse: Filebeat's default distribution refuses to start without an
//                       active basic (or better) license; Logstash marks the node dead without
//                       license.status "active". Older Filebeat asks GET /_xpack for the same object.
//   GET /_cluster/health  ClusterHealthResponse: Vector's health check (any 200).
//   Index management:   HEAD/GET answered 200 (the template, policy or data stream "exists", so the shipper
//                       skips creating it), PUT answered 200 AcknowledgedResponse():
//                       Filebeat: HEAD /_index_template/<n>, GET /_data_stream/<n>, GET /_ilm/policy/<n>;
//                       Logstash: HEAD /_index_template/<n> (and /_ilm/policy, /_alias with ILM).
//   Every answer on an Elasticsearch path carries kElasticProductHeader: kElasticProductValue; the
//   official clients (elastic-transport: every 2xx response) and Logstash refuse a server without it.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace logdaemon::http {

// The header the official clients check on every 2xx answer (ProductNotSupportedError without it).
inline constexpr std::string_view kElasticProductHeader = "X-Elastic-Product";
inline constexpr std::string_view kElasticProductValue = "Elasticsearch";

// The Elasticsearch version logdaemon answers as: 8.x, which every current shipper speaks (Vector and
// Filebeat choose their bulk format by the major; Logstash needs >= 7.14).
inline constexpr std::string_view kElasticVersion = "8.11.0";
inline constexpr std::string_view kElasticLuceneVersion = "9.8.0";  // what 8.11.0 ships with

// GET / : {"name":..,"cluster_name":"logdaemon","cluster_uuid":..,"version":{..},"tagline":..}.
std::string VersionProbeResponse(std::string_view node_name);
// GET /_license (and /_xpack): an active basic license that never expires.
std::string LicenseResponse();
// GET /_cluster/health: a green one-node cluster.
std::string ClusterHealthResponse();
// PUT on index-management paths: {"acknowledged":true}.
std::string_view AcknowledgedResponse();
// Elasticsearch's error body: {"error":{"root_cause":[{"type":..,"reason":..}],"type":..,"reason":..},
// "status":N}, for whole-request refusals (400 from ParseBulk, 413, 429, 503).
std::string EsErrorBody(int status, std::string_view type, std::string_view reason);

}  // namespace logdaemon::http
