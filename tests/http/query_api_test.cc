// The query API's parts apart from libmicrohttpd: the URL parameters (every one, and hostile values),
// the volume histogram's buckets, and the runner's bounds and cancellation (a client that hangs up).
// The endpoints end to end: tests/server/query_api.py; in a browser: tests/ui/ui_test.mjs.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <tuple>

#include "http/histogram.h"
#include "http/query_job.h"
#include "http/query_params.h"
#include "http/query_runner.h"

namespace logdaemon::http {
namespace query_api_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using Args = std::vector<std::pair<std::string, std::string>>;
constexpr int64_t kNow = 1'796'000'000'000'000;  // 2026-11-28T…Z, in µs

QueryParams Parse(Endpoint endpoint, const Args& args) {
  auto [params, error] = ParseQueryParams(endpoint, args, kNow);
  EXPECT_FALSE(error) << error->message;
  return params;
}

ParamError Refused(Endpoint endpoint, const Args& args) {
  auto [params, error] = ParseQueryParams(endpoint, args, kNow);
  EXPECT_TRUE(error) << "accepted";
  return error.value_or(ParamError{});
}

TEST(QueryParams, DefaultsAreTheNewestHundred) {
  QueryParams p = Parse(Endpoint::kQuery, {});
  EXPECT_EQ(p.request.limit, 100u);
  EXPECT_EQ(p.request.order, query::Order::kDescending);
  EXPECT_EQ(p.format, QueryFormat::kNdjson);
  EXPECT_TRUE(p.request.filter.empty());
}

TEST(QueryParams, EveryFilterOfTheCommandLine) {
  QueryParams p = Parse(Endpoint::kQuery, {{"where", "metadata.status >= 500"},
                                           {"level", "error, warn"},
                                           {"level", "fatal"},
                                           {"service", "api"},
                                           {"since", "1h"},
                                           {"until", "2026-11-28T00:00:00Z"},
                                           {"grep", "Timeout"},
                                           {"ignore_case", "true"},
                                           {"fields", "timestamp,message"},
                                           {"limit", "10000"},
                                           {"order", "asc"},
                                           {"format", "json"}});
  EXPECT_EQ(p.request.filter.where, "metadata.status >= 500");
  EXPECT_EQ(p.request.filter.levels, (std::vector<std::string>{"error", "warn", "fatal"}));
  EXPECT_EQ(p.request.filter.services, (std::vector<std::string>{"api"}));
  EXPECT_EQ(p.request.filter.since_micros, kNow - 3'600'000'000);
  EXPECT_EQ(p.request.filter.until_micros, 1'795'824'000'000'000);
  EXPECT_EQ(p.request.filter.grep, "Timeout");
  EXPECT_TRUE(p.request.filter.grep_ignore_case);
  EXPECT_EQ(p.request.fields, (std::vector<std::string>{"timestamp", "message"}));
  EXPECT_EQ(p.request.limit, 10000u);
  EXPECT_EQ(p.request.order, query::Order::kAscending);
  EXPECT_EQ(p.format, QueryFormat::kJson);
}

TEST(QueryParams, EachEndpointItsOwn) {
  EXPECT_EQ(Parse(Endpoint::kHistogram, {{"buckets", "7"}}).buckets, 7u);
  QueryParams fields = Parse(Endpoint::kFields, {{"top", "3"}, {"facets", "level,service"}});
  EXPECT_EQ(fields.top, 3u);
  EXPECT_EQ(fields.facets, (std::vector<std::string>{"level", "service"}));
  EXPECT_EQ(Parse(Endpoint::kTail, {{"backlog", "0"}}).backlog, 0u);
  EXPECT_EQ(Parse(Endpoint::kTail, {{"backlog", "1000"}}).backlog, 1000u);
  // A parameter of another endpoint is refused, not ignored.
  EXPECT_EQ(Refused(Endpoint::kHistogram, {{"limit", "5"}}).message, "unknown parameter \"limit\"");
  EXPECT_EQ(Refused(Endpoint::kTail, {{"order", "asc"}}).parameter, "order");
}

TEST(QueryParams, HostileValuesNameTheParameter) {
  struct Case {
    Endpoint endpoint;
    Args args;
    std::string parameter, message;
  };
  const Case cases[] = {
      {Endpoint::kQuery, {{"nope", "1"}}, "nope", "unknown parameter \"nope\""},
      {Endpoint::kQuery, {{"limit", "5"}, {"limit", "6"}}, "limit", "limit: given more than once"},
      {Endpoint::kQuery, {{"limit", "0"}}, "limit", "limit: \"0\" is not a whole number from 1 to 10000"},
      {Endpoint::kQuery,
       {{"limit", "10001"}},
       "limit",
       "limit: \"10001\" is not a whole number from 1 to 10000"},
      {Endpoint::kQuery, {{"limit", "-1"}}, "limit", "limit: \"-1\" is not a whole number from 1 to 10000"},
      {Endpoint::kQuery,
       {{"limit", "12abc"}},
       "limit",
       "limit: \"12abc\" is not a whole number from 1 to 10000"},
      {Endpoint::kQuery,
       {{"limit", "99999999999999999999999"}},
       "limit",
       "limit: \"99999999999999999999999\" is not a whole number from 1 to 10000"},
      {Endpoint::kQuery, {{"order", "sideways"}}, "order", "order: \"sideways\" is not an order (asc, desc)"},
      {Endpoint::kQuery, {{"format", "xml"}}, "format", "format: \"xml\" is not a format (ndjson, json)"},
      {Endpoint::kQuery,
       {{"ignore_case", "yes"}},
       "ignore_case",
       "ignore_case: \"yes\" is not true or false"},
      {Endpoint::kQuery, {{"ignore_case", "true"}}, "ignore_case", "ignore_case needs grep"},
      {Endpoint::kHistogram,
       {{"buckets", "0"}},
       "buckets",
       "buckets: \"0\" is not a whole number from 1 to 1000"},
      {Endpoint::kFields, {{"top", "1001"}}, "top", "top: \"1001\" is not a whole number from 1 to 1000"},
      {Endpoint::kTail,
       {{"backlog", "1001"}},
       "backlog",
       "backlog: \"1001\" is not a whole number from 0 to 1000"},
  };
  for (const Case& c : cases) {
    ParamError error = Refused(c.endpoint, c.args);
    EXPECT_EQ(error.parameter, c.parameter);
    EXPECT_EQ(error.message, c.message);
    EXPECT_FALSE(error.position);
  }
  ParamError since = Refused(Endpoint::kQuery, {{"since", "15x"}});
  EXPECT_EQ(since.parameter, "since");
  EXPECT_EQ(since.message.rfind("since: \"15x\" is not a time", 0), 0u) << since.message;
}

TEST(QueryParams, WhereErrorsPointAtTheirCharacter) {
  ParamError error = Refused(Endpoint::kQuery, {{"where", "level = AND x"}});
  EXPECT_EQ(error.parameter, "where");
  EXPECT_EQ(error.message, "where: column 9: expected a value after '=', got AND");
  EXPECT_EQ(error.position, 9u);
  // Characters, not bytes: "é" is two bytes and one character.
  ParamError accented = Refused(Endpoint::kQuery, {{"where", "'é' = = 1"}});
  EXPECT_EQ(accented.position, 7u) << accented.message;
  EXPECT_EQ(
      ParamErrorJson(error),
      R"({"error":"where: column 9: expected a value after '=', got AND","parameter":"where","position":9})");
}

constexpr int64_t kSecond = 1'000'000;

TEST(Histogram, RoundBucketsCoverTheRange) {
  const int64_t from = 1'795'999'800 * kSecond;  // a multiple of 5 min
  // 30 minutes in at most 6 buckets: 5 minutes each, from a multiple of 5 minutes.
  query::TimeHistogram h = PlanBuckets(from, from + 1800 * kSecond, 6);
  EXPECT_EQ(h.origin_micros, from);
  EXPECT_EQ(h.width_micros, 300 * kSecond);
  EXPECT_EQ(h.buckets, 6u);
  // 10 s … 70 s in at most 4: 30 s wide from 0 s (the first bucket starts before the range).
  h = PlanBuckets(10 * kSecond, 70 * kSecond + 1, 4);
  EXPECT_EQ(std::make_tuple(h.origin_micros, h.width_micros, h.buckets),
            std::make_tuple(int64_t{0}, 30 * kSecond, size_t{3}));
  // Eleven years in 10: beyond a year a bucket, widths double.
  h = PlanBuckets(0, 4015 * 86400 * kSecond, 10);
  EXPECT_EQ(h.width_micros, 2 * 31'536'000 * kSecond);
  EXPECT_LE(h.buckets, 10u);
  // Before 1970 too: buckets start at multiples of the width.
  h = PlanBuckets(-90 * kSecond, -30 * kSecond, 2);
  EXPECT_EQ(std::make_tuple(h.origin_micros, h.width_micros, h.buckets),
            std::make_tuple(-90 * kSecond, 30 * kSecond, size_t{2}));
  EXPECT_EQ(h.BucketOf(-90 * kSecond - 1), -1);
  EXPECT_EQ(h.BucketOf(-90 * kSecond), 0);
  EXPECT_EQ(h.BucketOf(-30 * kSecond - 1), 1);
  EXPECT_EQ(h.BucketOf(-30 * kSecond), -1);
}

TEST(Histogram, JsonOrdersLevelsBySeverity) {
  query::TimeHistogram h = PlanBuckets(0, 3 * kSecond, 3);
  h.CountsOf("info") = {1, 0, 2};
  h.CountsOf("error") = {0, 1, 0};
  h.CountsOf("audit") = {1, 1, 1};
  h.null_counts = {0, 0, 4};
  EXPECT_EQ(HistogramJson(0, 3 * kSecond - 1, h),
            "{\"from\":0,\"to\":3000,\"bucket_ms\":1000,\"total\":11,"
            "\"levels\":[\"info\",\"error\",\"audit\",\"(none)\"],\"times\":[0,1000,2000],"
            "\"counts\":{\"info\":[1,0,2],\"error\":[0,1,0],\"audit\":[1,1,1],\"(none)\":[0,0,4]}}");
  EXPECT_EQ(
      HistogramJson(0, kSecond, PlanBuckets(0, kSecond, 10)),
      "{\"from\":0,\"to\":1000,\"bucket_ms\":1000,\"total\":0,\"levels\":[],\"times\":[0],\"counts\":{}}");
}

TEST(Histogram, MergesPartsOfAScan) {
  query::TimeHistogram a = PlanBuckets(0, 2 * kSecond, 2), b = a.Shape();
  a.CountsOf("info")[0] = 2;
  b.CountsOf("info")[1] = 3;
  b.CountsOf("warn")[0] = 1;
  b.null_counts = {5, 0};
  a.Merge(b);
  EXPECT_EQ(a.counts["info"], (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(a.counts["warn"], (std::vector<uint64_t>{1, 0}));
  EXPECT_EQ(a.null_counts, (std::vector<uint64_t>{5, 0}));
}

// A job whose socket is one end of a socket pair: closing the other end is the client hanging up.
struct Client {
  int fds[2] = {-1, -1};
  Client() { EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0); }
  ~Client() {
    for (int fd : fds)
      if (fd >= 0) ::close(fd);
  }
  void HangUp() {
    ::close(fds[1]);
    fds[1] = -1;
  }
};

TEST(QueryRunner, CancelsAQueryWhoseClientHangsUp) {
  QueryRunner runner(1, 4, 2);
  Client client;
  auto job = std::make_shared<QueryJob>(nullptr, client.fds[0], 1024);
  std::atomic<bool> ended{false};
  ASSERT_TRUE(runner.Submit(job, [&, job] {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!job->cancelled() && std::chrono::steady_clock::now() < give_up)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ended = true;
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(ended);  // a client still there: the query runs on
  const auto hung_up = std::chrono::steady_clock::now();
  client.HangUp();
  while (!ended && std::chrono::steady_clock::now() - hung_up < std::chrono::seconds(5))
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_TRUE(job->cancelled());
  EXPECT_LT(std::chrono::steady_clock::now() - hung_up, std::chrono::seconds(1));
  EXPECT_EQ(runner.cancelled_by_client(), 1u);
}

TEST(QueryRunner, RefusesWorkBeyondItsBounds) {
  QueryRunner runner(1, 1, 1);
  Client a, b, c, d;
  auto blocker = std::make_shared<QueryJob>(nullptr, a.fds[0], 1024);
  std::atomic<bool> started{false};
  ASSERT_TRUE(runner.Submit(blocker, [&, blocker] {
    started = true;
    while (!blocker->cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }));
  while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_TRUE(runner.Submit(std::make_shared<QueryJob>(nullptr, b.fds[0], 1024), [] {}));   // waits
  EXPECT_FALSE(runner.Submit(std::make_shared<QueryJob>(nullptr, c.fds[0], 1024), [] {}));  // one too many
  auto tail = std::make_shared<QueryJob>(nullptr, d.fds[0], 1024);
  EXPECT_TRUE(runner.StartTail(tail, [tail] {
    while (!tail->cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }));
  EXPECT_FALSE(runner.StartTail(std::make_shared<QueryJob>(nullptr, -1, 1024), [] {}));
  runner.Shutdown();  // cancels the blocker and the tail, and returns once their threads have ended
  EXPECT_TRUE(blocker->cancelled());
  EXPECT_TRUE(tail->cancelled());
  EXPECT_FALSE(runner.Submit(std::make_shared<QueryJob>(nullptr, -1, 1024), [] {}));
}

TEST(QueryJob, AStreamWaitsForItsReaderAndEnds) {
  QueryJob job(nullptr, -1, 8);
  char buffer[64];
  EXPECT_EQ(job.Read(buffer, sizeof buffer), 0);  // nothing yet
  EXPECT_TRUE(job.Append("0123456789"));          // under the limit when it started: taken whole
  std::atomic<bool> appended{false};
  std::thread writer([&] {
    appended = job.Append("more");  // waits: 10 bytes pending, over the limit of 8
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(appended);
  EXPECT_EQ(job.Read(buffer, 2), 2);  // 8 pending: still not under the limit
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(appended);
  EXPECT_EQ(job.Read(buffer, sizeof buffer), 8);  // drained: the writer goes on
  EXPECT_EQ(std::string(buffer, 8), "23456789");
  writer.join();
  EXPECT_TRUE(appended);
  job.EndStream();
  EXPECT_EQ(job.Read(buffer, sizeof buffer), 4);
  EXPECT_EQ(job.Read(buffer, sizeof buffer), -1);  // the end
  QueryJob cancelled(nullptr, -1, 8);
  cancelled.Cancel();
  EXPECT_FALSE(cancelled.Append("x"));
  EXPECT_EQ(cancelled.Read(buffer, sizeof buffer), -2);
}

}  // namespace
}  // namespace query_api_test
}  // namespace logdaemon::http
