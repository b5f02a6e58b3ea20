// The README's "From your application" in C++: connect to the daemon's socket, send a few logs, and print
// the daemon's reply to each. The last log breaks the default schema on purpose, to show an ERROR reply.
// It uses the client library (include/logdaemon/client.h, docs/client.md; link logdaemon_client), which
// frames each log (a u32 big-endian length, then the JSON) and reads its "OK" or "ERROR: <reason>".
//
//   build/examples/client [SOCKET]        SOCKET defaults to /tmp/logdaemon.sock
//
// Exit status: 0 when every log got its reply (whatever the reply), 1 when the daemon could not be
// reached or the connection broke.
#include <logdaemon/client.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

namespace {

// The current time as RFC 3339 in UTC ("2026-12-05T19:00:00Z"): the daemon refuses logs whose time is
// outside its window (by default 30 days back, 1 hour ahead).
std::string NowUtc() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string socket_path = argc > 1 ? argv[1] : "/tmp/logdaemon.sock";

  auto client = logdaemon::Client::Connect(socket_path);
  if (!client.ok()) {
    std::fprintf(stderr, "client: %s\n", client.status().ToString().c_str());
    return 1;
  }

  const std::string timestamp = R"({"timestamp":")" + NowUtc() + R"(",)";
  const std::vector<std::string> logs = {
      timestamp + R"("level":"info","message":"Application started","service":"my-app"})",
      timestamp + R"("level":"warn","message":"Cache hit rate is low","service":"my-app",)"
                  R"("trace_id":"trace-123","metadata":{"cache":"users","hit_rate":0.42}})",
      timestamp + R"("level":"error","message":"Payment declined","service":"billing",)"
                  R"("metadata":{"order_id":9001,"nested":{"retry":true}}})",
      // Rejected: "verbose" is not one of the default schema's levels.
      timestamp + R"("level":"verbose","message":"Too chatty"})",
  };

  size_t accepted = 0;
  for (const std::string& log : logs) {
    auto reply = (*client)->Send(log);
    if (!reply.ok()) {
      std::fprintf(stderr, "client: %s\n", reply.status().ToString().c_str());
      return 1;
    }
    std::printf("sent:  %s\n", log.c_str());
    if (reply->ok) {
      ++accepted;
      std::printf("reply: OK\n");
    } else {
      std::printf("reply: ERROR: %s\n", reply->error.c_str());
    }
  }
  std::printf("%zu logs sent to %s: %zu accepted, %zu rejected\n", logs.size(), socket_path.c_str(), accepted,
              logs.size() - accepted);
  return 0;
}
