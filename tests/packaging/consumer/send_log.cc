// Sends one log to a logdaemon socket with the installed client library and prints the reply:
//   send_log SOCKET MESSAGE   -> "OK" (exit 0), "ERROR: <reason>" (exit 1), or the failure (exit 2)
#include <logdaemon/client.h>

#include <cstdio>
#include <ctime>
#include <string>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: send_log SOCKET MESSAGE\n");
    return 2;
  }
  auto client = logdaemon::Client::Connect(argv[1]);
  if (!client.ok()) {
    std::fprintf(stderr, "connect: %s\n", client.status().ToString().c_str());
    return 2;
  }
  char now[32];
  const std::time_t t = std::time(nullptr);
  std::strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  const std::string log =
      std::string(R"({"timestamp":")") + now + R"(","level":"info","message":")" + argv[2] + "\"}";
  auto reply = (*client)->Send(log);
  if (!reply.ok()) {
    std::fprintf(stderr, "send: %s\n", reply.status().ToString().c_str());
    return 2;
  }
  std::printf("%s\n", reply->ok ? "OK" : ("ERROR: " + reply->error).c_str());
  return reply->ok ? 0 : 1;
}
