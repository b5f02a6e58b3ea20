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

#include <cstdio>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  const std::string socket_path = argc > 1 ? argv[1] : "/tmp/logdaemon.sock";

  auto client = logdaemon::Client::Connect(socket_path);
  if (!client.ok()) {
    std::fprintf(stderr, "client: %s\n", client.status().ToString().c_str());
    return 1;
  }

  const std::vector<std::string> logs = {
      R"({"timestamp":"2026-01-15T19:00:00Z","level":"info","message":"Application started","service":"my-app"})",
      R"({"timestamp":"2026-01-15T19:00:01Z","level":"warn","message":"Cache hit rate is low","service":"my-app",)"
      R"("trace_id":"trace-123","metadata":{"cache":"users","hit_rate":0.42}})",
      R"({"timestamp":"2026-01-15T19:00:02Z","level":"error","message":"Payment declined","service":"billing",)"
      R"("metadata":{"order_id":9001,"nested":{"retry":true}}})",
      // Rejected: "verbose" is not one of the default schema's levels.
      R"({"timestamp":"2026-01-15T19:00:03Z","level":"verbose","message":"Too chatty"})",
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
