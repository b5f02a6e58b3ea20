// HttpServer over real loopback sockets with a raw TCP client, on a server with no storage engine (only
// /metrics and the Elasticsearch probes serve; the ingest endpoints answer 503): the answers, the token,
// and the bounds that keep hostile clients (idle, slow, oversized, floods) from holding it — ported from
// the tests of the hand-written exporter it replaced.
//
// libmicrohttpd keeps HTTP/1.1 connections open after an answer, so the one-shot requests below say
// `Connection: close` and read until the server closes; the keep-alive test reads by Content-Length.
// No assertion depends on timing: waits are for events, with generous socket timeouts as a safety net.
#include "http/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace logdaemon::http {
namespace http_server_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using namespace std::chrono_literals;

// ---- A raw TCP client ---------------------------------------------------------------------------------

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  Socket(Socket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Socket& operator=(Socket&&) = delete;
  ~Socket() { Close(); }
  int fd() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

void SetTimeouts(const Socket& socket, int seconds) {
  timeval timeout{};
  timeout.tv_sec = seconds;
  ::setsockopt(socket.fd(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  ::setsockopt(socket.fd(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
}

// A blocking client socket connected to the loopback (IPv4 or IPv6). The timeouts only keep a broken
// server from hanging the test; nothing asserts on them.
Socket Connect(uint16_t port, int family = AF_INET) {
  Socket socket(::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!socket.valid()) return socket;
  SetTimeouts(socket, 30);
  int rc;
  if (family == AF_INET6) {
    sockaddr_in6 address{};
    address.sin6_family = AF_INET6;
    address.sin6_port = htons(port);
    address.sin6_addr = in6addr_loopback;
    rc = ::connect(socket.fd(), reinterpret_cast<const sockaddr*>(&address), sizeof(address));
  } else {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    rc = ::connect(socket.fd(), reinterpret_cast<const sockaddr*>(&address), sizeof(address));
  }
  if (rc != 0) socket.Close();
  return socket;
}

bool SendAll(const Socket& socket, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(socket.fd(), data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Everything until the server closes (or resets) the connection.
std::string ReadToEnd(const Socket& socket) {
  std::string data;
  char buffer[8192];
  for (;;) {
    const ssize_t n = ::recv(socket.fd(), buffer, sizeof(buffer), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return data;
    data.append(buffer, static_cast<size_t>(n));
  }
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

struct HttpResponse {
  std::string status_line;                     // "HTTP/1.1 200 OK"; empty when nothing came back
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  int status() const { return status_line.size() >= 12 ? std::stoi(status_line.substr(9, 3)) : 0; }
  std::string header(const std::string& name) const {
    auto it = headers.find(Lower(name));
    return it == headers.end() ? std::string() : it->second;
  }
  bool has_header(const std::string& name) const { return headers.contains(Lower(name)); }
};

// The head of `raw` (up to its blank line) into *response; the offset of the body, or npos.
size_t ParseHead(const std::string& raw, HttpResponse* response) {
  const size_t head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos) return std::string::npos;
  const std::string head = raw.substr(0, head_end);
  size_t line_end = head.find("\r\n");
  response->status_line = head.substr(0, line_end);
  while (line_end != std::string::npos) {
    const size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    const std::string line =
        head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    size_t value = colon + 1;
    while (value < line.size() && line[value] == ' ') ++value;
    response->headers[Lower(line.substr(0, colon))] = line.substr(value);
  }
  return head_end + 4;
}

// A response read until the server closed the connection.
HttpResponse ParseResponse(const std::string& raw) {
  HttpResponse response;
  const size_t body = ParseHead(raw, &response);
  if (body != std::string::npos) response.body = raw.substr(body);
  return response;
}

// One response read from a connection that stays open: the head, then Content-Length bytes of body
// (none for a HEAD request). `pending` keeps bytes read past it.
HttpResponse ReadOneResponse(const Socket& socket, std::string* pending, bool head_request = false) {
  HttpResponse response;
  char buffer[8192];
  size_t body = std::string::npos;
  for (;;) {
    if (body == std::string::npos) body = ParseHead(*pending, &response);
    if (body != std::string::npos) {
      const size_t length = head_request ? 0 : std::stoul(response.header("Content-Length"));
      if (pending->size() >= body + length) {
        response.body = pending->substr(body, length);
        pending->erase(0, body + length);
        return response;
      }
    }
    const ssize_t n = ::recv(socket.fd(), buffer, sizeof(buffer), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return HttpResponse{};
    pending->append(buffer, static_cast<size_t>(n));
  }
}

HttpResponse Exchange(uint16_t port, std::string_view request, int family = AF_INET) {
  Socket socket = Connect(port, family);
  if (!socket.valid() || !SendAll(socket, request)) return {};
  return ParseResponse(ReadToEnd(socket));
}

// A one-shot request: `Connection: close`, so the server closes once it has answered.
std::string Request(std::string_view method, std::string_view path, std::string_view headers = "",
                    std::string_view body = "") {
  std::string request(method);
  request.append(" ").append(path).append(" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
  request.append(headers);
  if (!body.empty() || method == "POST" || method == "PUT")
    request.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  request.append("\r\n").append(body);
  return request;
}

HttpResponse Get(uint16_t port, std::string_view path, std::string_view headers = "") {
  return Exchange(port, Request("GET", path, headers));
}

// A request right after other clients hung up may still find their slots taken until the server has
// seen them go (their FIN and our SYN race inside the kernel); a real client simply retries.
HttpResponse GetEventually(uint16_t port, std::string_view path) {
  HttpResponse response;
  for (int attempt = 0; attempt < 500; ++attempt) {
    Socket socket = Connect(port);
    if (socket.valid()) {
      SetTimeouts(socket, 2);  // a connection still waiting in the backlog: try again
      if (SendAll(socket, Request("GET", path))) response = ParseResponse(ReadToEnd(socket));
    }
    if (!response.status_line.empty()) break;
    std::this_thread::sleep_for(20ms);
  }
  return response;
}

// True once the server has closed the connection (EOF or reset), after reading and discarding anything.
bool ServerCloses(const Socket& socket) {
  ReadToEnd(socket);
  char byte;
  const ssize_t n = ::recv(socket.fd(), &byte, 1, MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

using Render = std::function<std::string(const HttpStats&)>;

Render Fixed(std::string body) {
  return [body = std::move(body)](const HttpStats&) { return body; };
}

HttpServerOptions Loopback() {
  HttpServerOptions options;
  options.address = ListenAddress{"127.0.0.1", 0};
  return options;
}

std::unique_ptr<HttpServer> StartServer(Render render, HttpServerOptions options = Loopback()) {
  HttpContext context;
  context.render_metrics = std::move(render);
  Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(std::move(options), std::move(context));
  EXPECT_TRUE(server.ok()) << server.status().ToString();
  if (!server.ok()) return nullptr;
  EXPECT_NE((*server)->port(), 0);
  return std::move(server).value();
}

// ---- Responses --------------------------------------------------------------------------------------

TEST(HttpServer, GetMetricsAnswersTheRenderedTextWithPrometheusHeaders) {
  const std::string body = "# HELP up Up.\n# TYPE up gauge\nup 1\n";
  auto server = StartServer(Fixed(body));
  ASSERT_NE(server, nullptr);
  HttpResponse response = Get(server->port(), "/metrics");
  EXPECT_EQ(response.status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(response.header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(response.header("Content-Length"), std::to_string(body.size()));
  EXPECT_EQ(response.body, body);
}

TEST(HttpServer, RendersAfreshForEachScrapeWithTheServersOwnCounts) {
  std::atomic<int> scrapes{0};
  auto server = StartServer([&](const HttpStats& stats) {
    uint64_t metrics_ok = 0;
    if (auto it = stats.requests.find({Endpoint::kMetrics, 200}); it != stats.requests.end())
      metrics_ok = it->second;
    return "scrape " + std::to_string(++scrapes) + " after " + std::to_string(metrics_ok) + "\n";
  });
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(Get(server->port(), "/metrics").body, "scrape 1 after 0\n");
  EXPECT_EQ(Get(server->port(), "/metrics").body, "scrape 2 after 1\n");
  EXPECT_EQ(Get(server->port(), "/nothing").status(), 404);
  HttpStats stats = server->Stats();
  EXPECT_EQ((stats.requests[{Endpoint::kMetrics, 200}]), 2u);
  EXPECT_EQ((stats.requests[{Endpoint::kOther, 404}]), 1u);
}

TEST(HttpServer, KeepAliveConnectionsAreServedRequestAfterRequest) {
  std::atomic<int> scrapes{0};
  auto server = StartServer([&](const HttpStats&) { return "scrape " + std::to_string(++scrapes) + "\n"; });
  ASSERT_NE(server, nullptr);
  Socket socket = Connect(server->port());
  ASSERT_TRUE(socket.valid());
  std::string pending;
  // Two requests pipelined in one write, then one more after their answers.
  ASSERT_TRUE(
      SendAll(socket, "GET /metrics HTTP/1.1\r\nHost: a\r\n\r\nGET /metrics HTTP/1.1\r\nHost: a\r\n\r\n"));
  EXPECT_EQ(ReadOneResponse(socket, &pending).body, "scrape 1\n");
  EXPECT_EQ(ReadOneResponse(socket, &pending).body, "scrape 2\n");
  ASSERT_TRUE(SendAll(socket, "HEAD /metrics HTTP/1.1\r\nHost: a\r\n\r\n"));
  HttpResponse head = ReadOneResponse(socket, &pending, /*head_request=*/true);
  EXPECT_EQ(head.status(), 200);
  EXPECT_EQ(head.header("Content-Length"), "9");  // "scrape 3\n": HEAD renders the page too
  ASSERT_TRUE(SendAll(socket, "GET /metrics HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
  EXPECT_EQ(ReadOneResponse(socket, &pending).body, "scrape 4\n");
  EXPECT_TRUE(ServerCloses(socket));
}

TEST(HttpServer, QueryStringIsIgnored) {
  auto server = StartServer(Fixed("x 1\n"));
  ASSERT_NE(server, nullptr);
  HttpResponse response = Get(server->port(), "/metrics?name[]=x");
  EXPECT_EQ(response.status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(response.body, "x 1\n");
}

TEST(HttpServer, HeadSendsTheHeadersOfTheFullBodyAndNoBody) {
  auto server = StartServer(Fixed("0123456789"));
  ASSERT_NE(server, nullptr);
  HttpResponse response = Exchange(server->port(), Request("HEAD", "/metrics"));
  EXPECT_EQ(response.status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(response.header("Content-Length"), "10");
  EXPECT_EQ(response.header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(response.body, "");
}

TEST(HttpServer, Http10IsUnderstood) {
  auto server = StartServer(Fixed("x 1\n"));
  ASSERT_NE(server, nullptr);
  HttpResponse response = Exchange(server->port(), "GET /metrics HTTP/1.0\r\n\r\n");
  EXPECT_EQ(response.status(), 200);
  EXPECT_EQ(response.body, "x 1\n");
}

TEST(HttpServer, ARequestSentByteByByteIsAnswered) {
  auto server = StartServer(Fixed("x 1\n"));
  ASSERT_NE(server, nullptr);
  Socket socket = Connect(server->port());
  ASSERT_TRUE(socket.valid());
  const int on = 1;
  ::setsockopt(socket.fd(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));  // one segment per byte
  for (char c : Request("GET", "/metrics")) {
    ASSERT_TRUE(SendAll(socket, std::string_view(&c, 1)));
    std::this_thread::sleep_for(1ms);  // lets the reads split the blank line across wake-ups
  }
  EXPECT_EQ(ParseResponse(ReadToEnd(socket)).body, "x 1\n");
}

// What libmicrohttpd (0.9.75) answers to malformed requests before the server sees them; it is lenient
// elsewhere (an HTTP/1.1 request without Host, a bare-LF request, two spaces after the method are served).
TEST(HttpServer, MalformedRequestsAreRefusedByLibmicrohttpd) {
  auto server = StartServer(Fixed("x 1\n"));
  ASSERT_NE(server, nullptr);
  for (std::string_view request :
       {std::string_view("GET /metrics\r\n\r\n"),  // no version
        std::string_view("GET /metrics FTP/1.0\r\n\r\n"),
        std::string_view("GET /metrics HTTP/1.1\r\nHost: a\r\nbad header line\r\n\r\n"),
        std::string_view("GET /metrics HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n")}) {
    EXPECT_EQ(Exchange(server->port(), request).status_line, "HTTP/1.1 400 Bad Request")
        << testing::PrintToString(request);
  }
  EXPECT_EQ(Exchange(server->port(), "GET /metrics HTTP/2.0\r\nHost: a\r\n\r\n").status_line,
            "HTTP/1.1 505 HTTP Version Not Supported");
  // No request line at all, or a TLS ClientHello: closed without an answer.
  for (std::string_view request :
       {std::string_view("GET\r\n\r\n"), std::string_view("\x16\x03\x01\x02\x00\x01\n\n", 8)}) {
    Socket socket = Connect(server->port());
    ASSERT_TRUE(socket.valid() && SendAll(socket, request));
    EXPECT_EQ(ReadToEnd(socket), "") << testing::PrintToString(request);
    EXPECT_TRUE(ServerCloses(socket));
  }
  EXPECT_EQ(Get(server->port(), "/metrics").body, "x 1\n");
}

TEST(HttpServer, RootForABrowserRedirectsToTheWebUi) {
  auto server = StartServer(Fixed("x 1\n"));
  ASSERT_NE(server, nullptr);
  HttpResponse response = Get(server->port(), "/", "Accept: text/html,application/xhtml+xml,*/*;q=0.8\r\n");
  EXPECT_EQ(response.status_line, "HTTP/1.1 302 Found");
  EXPECT_EQ(response.header("Location"), "/ui/");
  EXPECT_EQ(response.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(response.body.find("href=\"/ui/\""), std::string::npos) << response.body;
  EXPECT_EQ(response.header("Content-Length"), std::to_string(response.body.size()));
  EXPECT_FALSE(response.has_header("X-Elastic-Product"));
}

TEST(HttpServer, RootOtherwiseIsTheElasticsearchVersionProbe) {
  auto server = StartServer(Fixed("x 1\n"));
  ASSERT_NE(server, nullptr);
  for (std::string_view accept : {"", "Accept: application/json\r\n", "Accept: */*\r\n"}) {
    HttpResponse response = Get(server->port(), "/", accept);
    EXPECT_EQ(response.status(), 200) << accept;
    EXPECT_EQ(response.header("Content-Type"), "application/json") << accept;
    EXPECT_EQ(response.header("X-Elastic-Product"), "Elasticsearch") << accept;
    EXPECT_NE(response.body.find("\"number\":\"8.11.0\""), std::string::npos) << response.body;
    EXPECT_NE(response.body.find("\"tagline\":\"You Know, for Search\""), std::string::npos) << response.body;
  }
  // HEAD / too (Logstash and the clients' ping).
  HttpResponse head = Exchange(server->port(), Request("HEAD", "/"));
  EXPECT_EQ(head.status(), 200);
  EXPECT_EQ(head.header("X-Elastic-Product"), "Elasticsearch");
  EXPECT_EQ(head.body, "");
}

TEST(HttpServer, TheOtherElasticsearchProbesAnswer) {
  auto server = StartServer(Fixed("x 1\n"));
  ASSERT_NE(server, nullptr);
  HttpResponse license = Get(server->port(), "/_license");
  EXPECT_EQ(license.status(), 200);
  EXPECT_NE(license.body.find("\"status\":\"active\""), std::string::npos) << license.body;
  EXPECT_EQ(license.header("X-Elastic-Product"), "Elasticsearch");
  HttpResponse health = Get(server->port(), "/_cluster/health");
  EXPECT_EQ(health.status(), 200);
  EXPECT_NE(health.body.find("\"status\":\"green\""), std::string::npos) << health.body;
  HttpResponse alias = Exchange(server->port(), Request("HEAD", "/someindex"));
  EXPECT_EQ(alias.status(), 200);
  HttpResponse put = Exchange(server->port(), Request("PUT", "/_index_template/logs", "", "{}"));
  EXPECT_EQ(put.status(), 200);
  EXPECT_EQ(put.body, "{\"acknowledged\":true}");
}

TEST(HttpServer, OtherPathsAre404) {
  auto server = StartServer(Fixed("x 1\n"));
  ASSERT_NE(server, nullptr);
  for (const char* path : {"/metricsx", "/metrics/", "/favicon.ico", "//metrics", "/v1/logs/", "/a/b/_bulk",
                           "/api/v1/ingest/x"}) {
    HttpResponse response = Get(server->port(), path);
    EXPECT_EQ(response.status_line, "HTTP/1.1 404 Not Found") << path;
    EXPECT_EQ(response.header("Content-Type"), "application/json") << path;
    EXPECT_EQ(response.body, std::string("{\"error\":\"no such endpoint: ") + path + "\"}\n") << path;
    EXPECT_EQ(response.header("Content-Length"), std::to_string(response.body.size())) << path;
  }
  // A HEAD of an unknown Elasticsearch-style path with a slash or an underscore is not an index.
  EXPECT_EQ(Exchange(server->port(), Request("HEAD", "/_something")).status(), 404);
  EXPECT_EQ(Exchange(server->port(), Request("HEAD", "/a/b")).status(), 404);
}

TEST(HttpServer, OtherMethodsAre405WithAllow) {
  auto server = StartServer(Fixed("x 1\n"));
  ASSERT_NE(server, nullptr);
  struct Case {
    const char* method;
    const char* path;
    const char* allow;
  };
  for (const Case& c :
       {Case{"POST", "/metrics", "GET, HEAD"}, Case{"PUT", "/metrics", "GET, HEAD"},
        Case{"DELETE", "/metrics", "GET, HEAD"}, Case{"OPTIONS", "/metrics", "GET, HEAD"},
        Case{"get", "/metrics", "GET, HEAD"}, Case{"POST", "/", "GET, HEAD"}, Case{"GET", "/v1/logs", "POST"},
        Case{"PUT", "/v1/logs", "POST"}, Case{"GET", "/api/v1/ingest", "POST"},
        Case{"GET", "/_bulk", "POST, PUT"}, Case{"DELETE", "/logs/_bulk", "POST, PUT"},
        Case{"POST", "/_license", "GET, HEAD"}, Case{"DELETE", "/_index_template/x", "GET, HEAD, PUT"}}) {
    HttpResponse response = Exchange(server->port(), Request(c.method, c.path, "Content-Length: 0\r\n"));
    EXPECT_EQ(response.status_line, "HTTP/1.1 405 Method Not Allowed") << c.method << " " << c.path;
    EXPECT_EQ(response.header("Allow"), c.allow) << c.method << " " << c.path;
    EXPECT_EQ(response.body,
              std::string("{\"error\":\"") + c.method + " is not allowed on " + c.path + "\"}\n");
  }
}

TEST(HttpServer, ALargeBodyArrivesWhole) {
  std::string body;
  for (int i = 0; body.size() < (4 << 20); ++i) body += "metric_" + std::to_string(i) + " 1\n";
  auto server = StartServer(Fixed(body));
  ASSERT_NE(server, nullptr);
  HttpResponse response = Get(server->port(), "/metrics");
  EXPECT_EQ(response.header("Content-Length"), std::to_string(body.size()));
  EXPECT_TRUE(response.body == body) << "got " << response.body.size() << " of " << body.size() << " bytes";
}

TEST(HttpServer, ARenderThatThrowsIs500AndTheNextScrapeWorks) {
  std::atomic<bool> fail{true};
  auto server = StartServer([&](const HttpStats&) -> std::string {
    if (fail.exchange(false)) throw std::runtime_error("boom");
    return "ok 1\n";
  });
  ASSERT_NE(server, nullptr);
  HttpResponse failed = Get(server->port(), "/metrics");
  EXPECT_EQ(failed.status_line, "HTTP/1.1 500 Internal Server Error");
  EXPECT_EQ(failed.body, "{\"error\":\"internal error: boom\"}\n");
  EXPECT_EQ(Get(server->port(), "/metrics").body, "ok 1\n");
  EXPECT_EQ((server->Stats().requests[{Endpoint::kMetrics, 500}]), 1u);
}

// ---- Without a storage engine ------------------------------------------------------------------------

TEST(HttpServer, IngestEndpointsWithoutAnEngineAre503WithRetryAfter) {
  auto server = StartServer(Fixed("x 1\n"));
  ASSERT_NE(server, nullptr);
  const std::string log = R"({"timestamp":"2026-01-15T10:00:00Z","level":"info","message":"m"})";
  for (const char* path : {"/v1/logs", "/api/v1/ingest", "/_bulk", "/logs/_bulk"}) {
    HttpResponse response =
        Exchange(server->port(), Request("POST", path, "Content-Type: application/json\r\n", log + "\n"));
    EXPECT_EQ(response.status_line, "HTTP/1.1 503 Service Unavailable") << path;
    EXPECT_EQ(response.header("Retry-After"), "1") << path;
    EXPECT_EQ(response.body, "{\"error\":\"this server does not take logs\"}\n") << path;
  }
  // The server goes on serving.
  EXPECT_EQ(Get(server->port(), "/metrics").body, "x 1\n");
}

TEST(HttpServer, ARequestRefusedOnItsHeadIsAnsweredWithoutWaitingForItsBody) {
  HttpServerOptions options = Loopback();
  options.connection_timeout = 600s;  // an answer that waited for the body would never come
  auto server = StartServer(Fixed("x 1\n"), options);
  ASSERT_NE(server, nullptr);
  // 100 MiB declared, none sent: the answer comes at once (no "100 Continue" first), then the close.
  for (std::string_view expect : {"", "Expect: 100-continue\r\n"}) {
    HttpResponse response =
        Exchange(server->port(), std::string("POST /api/v1/ingest HTTP/1.1\r\nHost: a\r\n")
                                     .append(expect)
                                     .append("Content-Length: 104857600\r\n\r\n"));
    EXPECT_EQ(response.status_line, "HTTP/1.1 503 Service Unavailable") << expect;
    EXPECT_EQ(response.header("Connection"), "close") << expect;
  }
  // The same for the other refusals of a head: 404 and 405.
  EXPECT_EQ(Exchange(server->port(), "POST /nothing HTTP/1.1\r\nContent-Length: 104857600\r\n\r\n").status(),
            404);
  EXPECT_EQ(Exchange(server->port(), "PUT /metrics HTTP/1.1\r\nContent-Length: 104857600\r\n\r\n").status(),
            405);
  EXPECT_EQ(Get(server->port(), "/metrics").body, "x 1\n");
}

// ---- The token ------------------------------------------------------------------------------------------

TEST(HttpServer, ATokenIsRequiredOnEveryPathWhenSet) {
  HttpServerOptions options = Loopback();
  options.token = "s3cret-t0ken";
  auto server = StartServer(Fixed("x 1\n"), options);
  ASSERT_NE(server, nullptr);
  const uint16_t port = server->port();

  HttpResponse none = Get(port, "/metrics");
  EXPECT_EQ(none.status_line, "HTTP/1.1 401 Unauthorized");
  EXPECT_EQ(none.header("WWW-Authenticate"), "Bearer realm=\"logdaemon\"");
  EXPECT_EQ(none.body, "{\"error\":\"missing or wrong token (Authorization: Bearer <token>)\"}\n");
  // Before anything else: an unknown path, a wrong method and an ingest path are 401 too.
  EXPECT_EQ(Get(port, "/nothing").status(), 401);
  EXPECT_EQ(Exchange(port, Request("DELETE", "/metrics")).status(), 401);
  EXPECT_EQ(Exchange(port, Request("POST", "/api/v1/ingest", "", "{}\n")).status(), 401);
  EXPECT_EQ(Get(port, "/").status(), 401);

  struct Case {
    const char* authorization;
    int status;
  };
  // "user:s3cret-t0ken", ":s3cret-t0ken", "user:wrong", "s3cret-t0ken" (no colon), "user:s3cret-t0ken2".
  for (const Case& c :
       {Case{"Bearer s3cret-t0ken", 200}, Case{"bearer s3cret-t0ken", 200}, Case{"Bearer wrong", 401},
        Case{"Bearer s3cret-t0ke", 401}, Case{"Bearer s3cret-t0kenn", 401}, Case{"Bearer ", 401},
        Case{"Bearer", 401}, Case{"s3cret-t0ken", 401}, Case{"Basic dXNlcjpzM2NyZXQtdDBrZW4=", 200},
        Case{"Basic OnMzY3JldC10MGtlbg==", 200}, Case{"Basic dXNlcjp3cm9uZw==", 401},
        Case{"Basic czNjcmV0LXQwa2Vu", 401}, Case{"Basic dXNlcjpzM2NyZXQtdDBrZW4y", 401},
        Case{"Basic !!!!", 401}, Case{"Digest s3cret-t0ken", 401}}) {
    HttpResponse response = Get(port, "/metrics", std::string("Authorization: ") + c.authorization + "\r\n");
    EXPECT_EQ(response.status(), c.status) << c.authorization;
    if (c.status == 200) {
      EXPECT_EQ(response.body, "x 1\n") << c.authorization;
    } else {
      EXPECT_EQ(response.header("WWW-Authenticate"), "Bearer realm=\"logdaemon\"") << c.authorization;
    }
  }
  // With the token, the ingest endpoints get as far as the missing engine.
  EXPECT_EQ(
      Exchange(port, Request("POST", "/api/v1/ingest", "Authorization: Bearer s3cret-t0ken\r\n", "{}\n"))
          .status(),
      503);
}

TEST(HttpServer, ANonLoopbackAddressWithoutATokenDoesNotStart) {
  // The check comes before the bind: nothing listens on these addresses, even for a moment.
  for (const char* host : {"", "0.0.0.0", "::", "10.1.2.3", "192.0.2.1"}) {
    HttpServerOptions options;
    options.address = ListenAddress{host, 0};
    HttpContext context;
    context.render_metrics = Fixed("x 1\n");
    Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(std::move(options), std::move(context));
    ASSERT_FALSE(server.ok()) << "'" << host << "' started without a token";
    EXPECT_EQ(server.status().code(), Status::Code::kInvalidArgument) << host;
    EXPECT_NE(server.status().message().find("--http-token-file"), std::string::npos)
        << server.status().message();
  }
}

// ---- Hostile clients -----------------------------------------------------------------------------------

TEST(HttpServer, AnOversizedRequestHeadIs431AndTheServerGoesOnServing) {
  auto server = StartServer(Fixed("x 1\n"));
  ASSERT_NE(server, nullptr);
  // 64 KiB of headers against the 32 KiB per-connection memory: libmicrohttpd answers before it has
  // read them all.
  std::string request = "GET /metrics HTTP/1.1\r\nHost: localhost\r\n";
  while (request.size() < (64 << 10)) request += "X-Padding: " + std::string(100, 'a') + "\r\n";
  request += "\r\n";
  HttpResponse response = Exchange(server->port(), request);
  EXPECT_EQ(response.status_line, "HTTP/1.1 431 Request Header Fields Too Large");
  // And a request line (URL) too long for the memory.
  HttpResponse long_url = Get(server->port(), "/metrics?" + std::string(64 << 10, 'q'));
  EXPECT_EQ(long_url.status_line, "HTTP/1.1 414 URI Too Long");
  // It still serves.
  EXPECT_EQ(Get(server->port(), "/metrics").body, "x 1\n");
}

TEST(HttpServer, AnIdleClientAndAHalfRequestDoNotBlockOthers) {
  HttpServerOptions options = Loopback();
  options.threads = 1;  // one thread holds all three: the idle ones must not stall it
  auto server = StartServer(Fixed("x 1\n"), options);
  ASSERT_NE(server, nullptr);
  Socket idle = Connect(server->port());  // connects and sends nothing
  ASSERT_TRUE(idle.valid());
  Socket half = Connect(server->port());  // sends half a request and stops
  ASSERT_TRUE(half.valid());
  ASSERT_TRUE(SendAll(half, "GET /metr"));
  // A whole head, then part of its body (on a path that reads its body: ingest paths refuse at once
  // without an engine).
  Socket half_body = Connect(server->port());
  ASSERT_TRUE(half_body.valid());
  ASSERT_TRUE(
      SendAll(half_body, "PUT /_index_template/logs HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n{"));
  for (int i = 0; i < 3; ++i) {
    HttpResponse response = Get(server->port(), "/metrics");
    EXPECT_EQ(response.status_line, "HTTP/1.1 200 OK");
    EXPECT_EQ(response.body, "x 1\n");
  }
}

TEST(HttpServer, SlowClientsAreDroppedAfterTheConnectionTimeout) {
  HttpServerOptions options = Loopback();
  options.connection_timeout = 1s;
  auto server = StartServer(Fixed("x 1\n"), options);
  ASSERT_NE(server, nullptr);
  Socket idle = Connect(server->port());
  Socket slowloris = Connect(server->port());
  Socket slow_body = Connect(server->port());
  ASSERT_TRUE(idle.valid() && slowloris.valid() && slow_body.valid());
  ASSERT_TRUE(SendAll(slowloris, "GET /metrics HTTP/1.1\r\nX-A: "));
  ASSERT_TRUE(
      SendAll(slow_body, "PUT /_index_template/logs HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n{"));
  // All get closed without an answer (a blocking read returns: EOF, or a reset) — well before the
  // sockets' 30 s receive timeout, which would return the same empty string but fail ServerCloses.
  EXPECT_EQ(ReadToEnd(idle), "");
  EXPECT_EQ(ReadToEnd(slowloris), "");
  EXPECT_EQ(ReadToEnd(slow_body), "");
  EXPECT_TRUE(ServerCloses(idle));
  EXPECT_TRUE(ServerCloses(slowloris));
  EXPECT_TRUE(ServerCloses(slow_body));
  // A client that keeps its connection open after an answer is closed too.
  Socket kept = Connect(server->port());
  ASSERT_TRUE(kept.valid());
  ASSERT_TRUE(SendAll(kept, "GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n"));
  std::string pending;
  EXPECT_EQ(ReadOneResponse(kept, &pending).body, "x 1\n");
  EXPECT_EQ(ReadToEnd(kept), "");
  EXPECT_TRUE(ServerCloses(kept));
  EXPECT_EQ(Get(server->port(), "/metrics").body, "x 1\n");
}

// libmicrohttpd stops accepting once every slot is taken (the listening socket leaves its poll set):
// connections beyond the limit wait in the kernel's backlog, unanswered, until a slot frees.
TEST(HttpServer, ConnectionsBeyondTheLimitAreNotServedUntilASlotFrees) {
  HttpServerOptions options = Loopback();
  options.max_connections = 4;
  options.connection_timeout = 120s;  // the idle ones must keep their slots for the whole test
  auto server = StartServer(Fixed("x 1\n"), options);
  ASSERT_NE(server, nullptr);
  std::vector<Socket> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(Connect(server->port()));
    ASSERT_TRUE(held.back().valid());
  }
  // The fifth is never answered while the four hold every slot.
  Socket extra = Connect(server->port());
  ASSERT_TRUE(extra.valid());
  ASSERT_TRUE(SendAll(extra, Request("GET", "/metrics")));
  pollfd fd{extra.fd(), POLLIN, 0};
  EXPECT_EQ(::poll(&fd, 1, 500), 0) << "answered or closed beyond the connection limit";
  // Once one leaves, it is served.
  held.front().Close();
  HttpResponse response = ParseResponse(ReadToEnd(extra));
  EXPECT_EQ(response.status(), 200);
  EXPECT_EQ(response.body, "x 1\n");
  EXPECT_EQ(GetEventually(server->port(), "/metrics").body, "x 1\n");
}

// A server thread at its connection limit whose clients all hang up at once must notice it and serve
// the next client, though no timeout is near. 128 is the batch of events libmicrohttpd's epoll loop takes
// at a time: after a batch of exactly 128 it waited for more with the full timeout (libmicrohttpd 0.9.75),
// leaving the 128 hang-ups unprocessed and the listening socket out of its set until then.
TEST(HttpServer, AFullThreadWhoseClientsAllLeaveAtOnceServesTheNextOne) {
  HttpServerOptions options = Loopback();
  options.threads = 1;
  options.max_connections = 128;
  options.connection_timeout = 600s;
  auto server = StartServer(Fixed("x 1\n"), options);
  ASSERT_NE(server, nullptr);
  for (int round = 0; round < 3; ++round) {
    std::vector<Socket> held;
    for (int i = 0; i < 128; ++i) {
      held.push_back(Connect(server->port()));
      ASSERT_TRUE(held.back().valid());
      ASSERT_TRUE(SendAll(held.back(), "GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n"));
      std::string pending;
      ASSERT_EQ(ReadOneResponse(held.back(), &pending).body, "x 1\n");  // accepted, served, kept open
    }
    held.clear();  // 128 hang-ups at once
    HttpResponse response = Get(server->port(), "/metrics");
    ASSERT_EQ(response.status_line, "HTTP/1.1 200 OK") << "round " << round;
    EXPECT_EQ(response.body, "x 1\n");
  }
}

TEST(HttpServer, AHundredConnectionsOpenedAndDroppedLeaveItServing) {
  auto server = StartServer(Fixed("x 1\n"));
  ASSERT_NE(server, nullptr);
  {
    std::vector<Socket> sockets;
    for (int i = 0; i < 100; ++i) {
      sockets.push_back(Connect(server->port()));
      ASSERT_TRUE(sockets.back().valid());
      if (i % 4 == 1) SendAll(sockets.back(), "GET /metrics HTTP/1.1\r\n");      // half a request
      if (i % 4 == 2) SendAll(sockets.back(), "GET /metrics HTTP/1.1\r\n\r\n");  // a full one, never read
      if (i % 4 == 3) SendAll(sockets.back(), "POST /_bulk HTTP/1.1\r\nContent-Length: 50\r\n\r\n{");
    }
  }  // all closed here, most with the server holding them
  HttpResponse response = GetEventually(server->port(), "/metrics");
  EXPECT_EQ(response.status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(response.body, "x 1\n");
}

TEST(HttpServer, DestructorReturnsWithClientsConnectedAndClosesThem) {
  HttpServerOptions options = Loopback();
  options.connection_timeout = 600s;
  auto server = StartServer(Fixed("x 1\n"), options);
  ASSERT_NE(server, nullptr);
  const uint16_t port = server->port();
  Socket idle = Connect(port);
  Socket half = Connect(port);
  Socket kept = Connect(port);
  ASSERT_TRUE(idle.valid() && half.valid() && kept.valid());
  ASSERT_TRUE(SendAll(half, "GET /"));
  ASSERT_TRUE(SendAll(kept, "GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n"));
  std::string pending;
  EXPECT_EQ(ReadOneResponse(kept, &pending).body, "x 1\n");  // kept alive after its answer
  EXPECT_EQ(Get(port, "/metrics").body, "x 1\n");
  server.reset();  // must not wait for the 600 s timeout (the test would time out)
  EXPECT_TRUE(ServerCloses(idle));
  EXPECT_TRUE(ServerCloses(half));
  EXPECT_TRUE(ServerCloses(kept));
  EXPECT_FALSE(Connect(port).valid());  // nothing listens any more
}

// ---- Addresses ------------------------------------------------------------------------------------------

TEST(HttpServer, APortInUseIsAnErrorNamingTheAddress) {
  auto first = StartServer(Fixed("x 1\n"));
  ASSERT_NE(first, nullptr);
  HttpServerOptions options;
  options.address = ListenAddress{"127.0.0.1", first->port()};
  Result<std::unique_ptr<HttpServer>> second = HttpServer::Start(options, HttpContext{});
  ASSERT_FALSE(second.ok());
  const std::string message = second.status().message();
  EXPECT_NE(message.find("127.0.0.1:" + std::to_string(first->port())), std::string::npos) << message;
  EXPECT_NE(message.find("in use"), std::string::npos) << message;
}

TEST(HttpServer, LocalhostListensOnTheIpv4Loopback) {
  HttpServerOptions options;
  options.address = ListenAddress{"localhost", 0};
  auto server = StartServer(Fixed("x 1\n"), options);
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(Get(server->port(), "/metrics").body, "x 1\n");
}

TEST(HttpServer, AllInterfacesWithATokenIncludesTheIpv4Loopback) {
  HttpServerOptions options;
  options.address = ListenAddress{"", 0};
  options.token = "all-interfaces";
  auto server = StartServer(Fixed("x 1\n"), options);
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(Get(server->port(), "/metrics").status(), 401);
  EXPECT_EQ(Get(server->port(), "/metrics", "Authorization: Bearer all-interfaces\r\n").body, "x 1\n");
}

TEST(HttpServer, Ipv6Loopback) {
  HttpServerOptions options;
  options.address = ListenAddress{"::1", 0};
  HttpContext context;
  context.render_metrics = Fixed("x 1\n");
  Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(options, std::move(context));
  if (!server.ok()) GTEST_SKIP() << "SKIPPED: no IPv6 loopback on this host: " << server.status().ToString();
  HttpResponse response = Exchange((*server)->port(), Request("GET", "/metrics"), AF_INET6);
  EXPECT_EQ(response.status(), 200);
  EXPECT_EQ(response.body, "x 1\n");
}

}  // namespace
}  // namespace http_server_test
}  // namespace logdaemon::http
