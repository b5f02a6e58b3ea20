#include "http/es_probe.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

namespace logdaemon::http {
namespace {

// The response, parsed back; the tests read it as a client does.
class Response {
 public:
  explicit Response(std::string text) : text_(std::move(text)) {
    EXPECT_EQ(parser_.parse(text_).get(root_), simdjson::SUCCESS) << text_;
  }
  simdjson::dom::element root() const { return root_; }
  simdjson::dom::array items() const { return root_["items"].get_array().value(); }
  // items[i]'s only member: {"index": {...}} -> ("index", {...}).
  std::pair<std::string_view, simdjson::dom::object> item(size_t i) const {
    simdjson::dom::object wrapper = items().at(i).get_object().value();
    EXPECT_EQ(wrapper.size(), 1u);
    auto member = *wrapper.begin();
    return {member.key, member.value.get_object().value()};
  }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  simdjson::dom::parser parser_;
  simdjson::dom::element root_;
};

std::vector<std::string> Keys(simdjson::dom::object object) {
  std::vector<std::string> keys;
  for (auto member : object) keys.emplace_back(member.key);
  return keys;
}

// ---- The probes -------------------------------------------------------------------------------------------

TEST(EsBulkProbe, VersionProbeAnswersAsElasticsearch8) {
  const std::string text = VersionProbeResponse("node \"1\"");
  Response r(text);
  simdjson::dom::element root = r.root();
  EXPECT_EQ(Keys(root.get_object().value()),
            (std::vector<std::string>{"name", "cluster_name", "cluster_uuid", "version", "tagline"}));
  EXPECT_EQ(root["name"].get_string().value(), "node \"1\"");
  EXPECT_EQ(root["cluster_name"].get_string().value(), "logdaemon");
  EXPECT_FALSE(root["cluster_uuid"].get_string().value().empty());
  EXPECT_EQ(root["tagline"].get_string().value(), "You Know, for Search");
  simdjson::dom::element version = root["version"];
  EXPECT_EQ(version["number"].get_string().value(), "8.11.0");
  EXPECT_EQ(version["build_flavor"].get_string().value(), "default");
  EXPECT_FALSE(version["build_snapshot"].get_bool().value());
  EXPECT_EQ(version["lucene_version"].get_string().value(), "9.8.0");
  EXPECT_EQ(version["minimum_wire_compatibility_version"].get_string().value(), "7.17.0");
  EXPECT_EQ(version["minimum_index_compatibility_version"].get_string().value(), "7.0.0");
  for (const char* key : {"build_type", "build_hash", "build_date"}) {
    EXPECT_TRUE(version[key].is_string()) << key;
  }
  EXPECT_EQ(kElasticProductHeader, "X-Elastic-Product");
  EXPECT_EQ(kElasticProductValue, "Elasticsearch");
}

TEST(EsBulkProbe, LicenseHealthAcknowledgedAndErrorBodies) {
  Response license(LicenseResponse());
  EXPECT_EQ(license.root()["license"]["status"].get_string().value(), "active");
  EXPECT_EQ(license.root()["license"]["type"].get_string().value(), "basic");
  EXPECT_EQ(license.root()["license"]["mode"].get_string().value(), "basic");
  EXPECT_FALSE(license.root()["license"]["uid"].get_string().value().empty());

  Response health(ClusterHealthResponse());
  EXPECT_EQ(health.root()["status"].get_string().value(), "green");
  EXPECT_EQ(health.root()["number_of_nodes"].get_int64().value(), 1);

  Response ack{std::string(AcknowledgedResponse())};
  EXPECT_TRUE(ack.root()["acknowledged"].get_bool().value());

  Response error(ErrorResponse(400, "illegal_argument_exception", "Malformed \"line\"\n[1]"));
  simdjson::dom::element e = error.root()["error"];
  EXPECT_EQ(error.root()["status"].get_int64().value(), 400);
  EXPECT_EQ(e["type"].get_string().value(), "illegal_argument_exception");
  EXPECT_EQ(e["reason"].get_string().value(), "Malformed \"line\"\n[1]");
  EXPECT_EQ(e["root_cause"].at(0)["type"].get_string().value(), "illegal_argument_exception");
  EXPECT_EQ(e["root_cause"].at(0)["reason"].get_string().value(), "Malformed \"line\"\n[1]");
}

}  // namespace
}  // namespace logdaemon::http
