#include "http/query_params.h"

#include <charconv>
#include <set>

#include "query/expression.h"
#include "query/name_list.h"
#include "query/output_json.h"  // AppendJsonString
#include "query/time_spec.h"

namespace logdaemon::http {

namespace {

// The parameters each endpoint takes; anything else is refused, so that a misspelt filter is an error
// rather than a silently wider answer.
bool Accepts(Endpoint endpoint, std::string_view name) {
  static const std::set<std::string_view> kFilters = {"where", "level", "service",    "since",
                                                      "until", "grep",  "ignore_case"};
  if (kFilters.count(name) != 0) return true;
  switch (endpoint) {
    case Endpoint::kQuery:
      return name == "fields" || name == "limit" || name == "order" || name == "format";
    case Endpoint::kHistogram:
      return name == "buckets";
    case Endpoint::kFields:
      return name == "top" || name == "facets";
    case Endpoint::kTail:
      return name == "backlog" || name == "fields";
    default:
      return false;
  }
}

std::optional<uint64_t> ParseCount(std::string_view text, uint64_t min, uint64_t max) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max)
    return std::nullopt;
  return value;
}

class Parser {
 public:
  Parser(Endpoint endpoint, int64_t now) : endpoint_(endpoint), now_(now) {}

  std::optional<ParamError> Take(const std::string& name, const std::string& value) {
    if (!Accepts(endpoint_, name)) return ParamError{name, "unknown parameter \"" + name + "\"", {}};
    const bool repeatable = name == "level" || name == "service";
    if (!seen_.insert(name).second && !repeatable) {
      return ParamError{name, name + ": given more than once", {}};
    }
    query::ScanRequest& r = params_.request;
    if (name == "where") return Where(value);
    if (name == "level" || name == "service") {
      auto& list = name == "level" ? r.filter.levels : r.filter.services;
      for (std::string& item : query::SplitNameList(value)) list.push_back(std::move(item));
      return std::nullopt;
    }
    if (name == "since" || name == "until") {
      auto instant = query::ParseTimeSpec(value, now_);
      if (!instant.ok()) return ParamError{name, name + ": " + instant.status().message(), {}};
      (name == "since" ? r.filter.since_micros : r.filter.until_micros) = *instant;
      return std::nullopt;
    }
    if (name == "grep") {
      r.filter.grep = value;
      return std::nullopt;
    }
    if (name == "ignore_case") {
      if (value != "true" && value != "false" && value != "1" && value != "0")
        return ParamError{name, "ignore_case: \"" + value + "\" is not true or false", {}};
      r.filter.grep_ignore_case = value == "true" || value == "1";
      return std::nullopt;
    }
    if (name == "fields") {
      r.fields = query::SplitNameList(value);
      return std::nullopt;
    }
    if (name == "facets") {
      params_.facets = query::SplitNameList(value);
      return std::nullopt;
    }
    if (name == "order") {
      if (value == "asc") {
        r.order = query::Order::kAscending;
      } else if (value == "desc") {
        r.order = query::Order::kDescending;
      } else {
        return ParamError{name, "order: \"" + value + "\" is not an order (asc, desc)", {}};
      }
      return std::nullopt;
    }
    if (name == "format") {
      if (value == "ndjson") {
        params_.format = QueryFormat::kNdjson;
      } else if (value == "json") {
        params_.format = QueryFormat::kJson;
      } else {
        return ParamError{name, "format: \"" + value + "\" is not a format (ndjson, json)", {}};
      }
      return std::nullopt;
    }
    return Number(name, value);
  }

  std::optional<ParamError> Finish() {
    if (params_.request.filter.grep_ignore_case && params_.request.filter.grep.empty())
      return ParamError{"ignore_case", "ignore_case needs grep", {}};
    return std::nullopt;
  }

  QueryParams& params() { return params_; }

 private:
  std::optional<ParamError> Where(const std::string& value) {
    size_t offset = 0;
    auto parsed = query::Expression::Parse(value, &offset);
    if (!parsed.ok())
      return ParamError{"where", "where: " + parsed.status().message(), CharacterColumn(value, offset)};
    params_.request.filter.where = value;
    return std::nullopt;
  }

  std::optional<ParamError> Number(const std::string& name, const std::string& value) {
    struct Bounds {
      const char* name;
      uint64_t min, max;
    };
    static constexpr Bounds kBounds[] = {{"limit", 1, kMaxQueryLimit},
                                         {"buckets", 1, kMaxBuckets},
                                         {"top", 1, kMaxTop},
                                         {"backlog", 0, kMaxBacklog}};
    for (const Bounds& bounds : kBounds) {
      if (name != bounds.name) continue;
      auto number = ParseCount(value, bounds.min, bounds.max);
      if (!number) {
        return ParamError{name,
                          name + ": \"" + value + "\" is not a whole number from " +
                              std::to_string(bounds.min) + " to " + std::to_string(bounds.max),
                          {}};
      }
      if (name == "limit") params_.request.limit = *number;
      if (name == "buckets") params_.buckets = *number;
      if (name == "top") params_.top = *number;
      if (name == "backlog") params_.backlog = *number;
      return std::nullopt;
    }
    return ParamError{name, "unknown parameter \"" + name + "\"", {}};
  }

  Endpoint endpoint_;
  int64_t now_;
  std::set<std::string> seen_;
  QueryParams params_;
};

}  // namespace

std::pair<QueryParams, std::optional<ParamError>> ParseQueryParams(
    Endpoint endpoint, const std::vector<std::pair<std::string, std::string>>& args, int64_t now_micros) {
  Parser parser(endpoint, now_micros);
  parser.params().request.limit = kDefaultQueryLimit;
  parser.params().request.order = query::Order::kDescending;  // the newest logs first, as a viewer wants
  for (const auto& [name, value] : args) {
    if (auto error = parser.Take(name, value)) return {QueryParams{}, std::move(error)};
  }
  if (auto error = parser.Finish()) return {QueryParams{}, std::move(error)};
  return {std::move(parser.params()), std::nullopt};
}

std::string ParamErrorJson(const ParamError& error) {
  std::string out = "{\"error\":";
  query::AppendJsonString(error.message, &out);
  out += ",\"parameter\":";
  query::AppendJsonString(error.parameter, &out);
  if (error.position) out += ",\"position\":" + std::to_string(*error.position);
  out += "}";
  return out;
}

size_t CharacterColumn(std::string_view text, size_t offset) {
  size_t column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
  }
  return column;
}

}  // namespace logdaemon::http
