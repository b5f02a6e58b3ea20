// The /metrics endpoint over real loopback sockets, with a raw TCP client: the responses, the address
// parser, and the bounds that keep hostile clients (idle, slow, oversized, floods) from holding it.
// No assertion depends on timing: waits are for events, with generous socket timeouts as a safety net.
#include "metrics/http_exporter.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace logdaemon::metrics {
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

// A blocking client socket connected to 127.0.0.1:port. The timeouts only keep a broken exporter from
// hanging the test; nothing asserts on them.
Socket Connect(uint16_t port) {
  Socket socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!socket.valid()) return socket;
  timeval timeout{};
  timeout.tv_sec = 30;
  ::setsockopt(socket.fd(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  ::setsockopt(socket.fd(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(socket.fd(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0)
    socket.Close();
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

struct HttpResponse {
  std::string status_line;  // "HTTP/1.1 200 OK"; empty when nothing came back
  std::map<std::string, std::string> headers;
  std::string body;
};

HttpResponse ParseResponse(const std::string& raw) {
  HttpResponse response;
  const size_t head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos) return response;
  const std::string head = raw.substr(0, head_end);
  size_t line_end = head.find("\r\n");
  response.status_line = head.substr(0, line_end);
  while (line_end != std::string::npos) {
    const size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    const std::string line =
        head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
    const size_t colon = line.find(": ");
    if (colon != std::string::npos) response.headers[line.substr(0, colon)] = line.substr(colon + 2);
  }
  response.body = raw.substr(head_end + 4);
  return response;
}

HttpResponse Exchange(uint16_t port, std::string_view request) {
  Socket socket = Connect(port);
  if (!socket.valid() || !SendAll(socket, request)) return {};
  return ParseResponse(ReadToEnd(socket));
}

HttpResponse Get(uint16_t port, std::string_view path) {
  return Exchange(port, std::string("GET ").append(path).append(" HTTP/1.1\r\nHost: localhost\r\n\r\n"));
}

// A scrape right after other clients hung up may still find their slots taken until the exporter has
// seen them go (their FIN and our SYN race inside the kernel); a real scraper simply retries next time.
HttpResponse GetEventually(uint16_t port, std::string_view path) {
  HttpResponse response;
  for (int attempt = 0; attempt < 200; ++attempt) {
    response = Get(port, path);
    if (!response.status_line.empty()) break;
    std::this_thread::sleep_for(10ms);
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

std::unique_ptr<HttpExporter> StartExporter(HttpExporter::Render render, HttpExporterLimits limits = {}) {
  Result<std::unique_ptr<HttpExporter>> exporter =
      HttpExporter::Start(ListenAddress{"127.0.0.1", 0}, std::move(render), limits);
  EXPECT_TRUE(exporter.ok()) << exporter.status().ToString();
  if (!exporter.ok()) return nullptr;
  EXPECT_NE((*exporter)->port(), 0);
  return std::move(exporter).value();
}

HttpExporter::Render Fixed(std::string body) {
  return [body = std::move(body)] { return body; };
}

// ---- ParseListenAddress ------------------------------------------------------------------------------

TEST(ParseListenAddress, AcceptsHostPortForms) {
  struct Case {
    const char* text;
    const char* host;
    uint16_t port;
  };
  for (const Case& c :
       {Case{"127.0.0.1:9100", "127.0.0.1", 9100}, Case{"[::1]:9100", "::1", 9100}, Case{":9100", "", 9100},
        Case{"localhost:9100", "localhost", 9100}, Case{"0.0.0.0:0", "0.0.0.0", 0},
        Case{"[::]:65535", "::", 65535}, Case{"10.1.2.3:00080", "10.1.2.3", 80}}) {
    Result<ListenAddress> address = ParseListenAddress(c.text);
    ASSERT_TRUE(address.ok()) << c.text << ": " << address.status().ToString();
    EXPECT_EQ(address->host, c.host) << c.text;
    EXPECT_EQ(address->port, c.port) << c.text;
  }
}

TEST(ParseListenAddress, RejectsBadInputWithAMessageSayingWhat) {
  struct Case {
    const char* text;
    const char* says;
  };
  for (const Case& c : {Case{"", "empty"},
                        Case{"9100", "missing ':port'"},
                        Case{"localhost", "missing ':port'"},
                        Case{"127.0.0.1:", "missing port"},
                        Case{":", "missing port"},
                        Case{"127.0.0.1:http", "not a number"},
                        Case{"127.0.0.1:-1", "not a number"},
                        Case{"127.0.0.1:+80", "not a number"},
                        Case{"127.0.0.1: 80", "not a number"},
                        Case{"127.0.0.1:80 ", "not a number"},
                        Case{"127.0.0.1:65536", "out of range (0-65535)"},
                        Case{"127.0.0.1:99999999999999999999999", "out of range"},
                        Case{"::1:9100", "needs brackets"},
                        Case{"[::1]9100", "missing ':port'"},
                        Case{"[::1]", "missing ':port'"},
                        Case{"[::1", "missing ']'"},
                        Case{"[127.0.0.1]:80", "not an IPv6 address"},
                        Case{"[]:80", "not an IPv6 address"},
                        Case{"example.com:80", "not an IPv4 address"},
                        Case{"256.1.1.1:80", "not an IPv4"},
                        Case{"127.0.0.1\n:80", "control character"}}) {
    Result<ListenAddress> address = ParseListenAddress(c.text);
    ASSERT_FALSE(address.ok()) << "accepted: " << c.text;
    EXPECT_EQ(address.status().code(), Status::Code::kInvalidArgument) << c.text;
    EXPECT_NE(address.status().message().find(c.says), std::string::npos)
        << c.text << " -> " << address.status().message();
  }
}

TEST(ParseListenAddress, EmbeddedNulIsRejected) {
  // A C string API would see "127.0.0.1" alone.
  EXPECT_FALSE(ParseListenAddress(std::string_view("127.0.0.1\0:80", 13)).ok());
  EXPECT_FALSE(ParseListenAddress(std::string_view("127.0.0.1:8\0", 12)).ok());
  EXPECT_FALSE(ParseListenAddress(std::string_view("[::1\0]:80", 9)).ok());
}

// ---- Responses --------------------------------------------------------------------------------------

TEST(HttpExporter, GetMetricsAnswersTheRenderedTextWithPrometheusHeaders) {
  const std::string body = "# HELP up Up.\n# TYPE up gauge\nup 1\n";
  auto exporter = StartExporter(Fixed(body));
  ASSERT_NE(exporter, nullptr);
  HttpResponse response = Get(exporter->port(), "/metrics");
  EXPECT_EQ(response.status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(response.headers["Content-Type"], "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(response.headers["Content-Length"], std::to_string(body.size()));
  EXPECT_EQ(response.headers["Connection"], "close");
  EXPECT_EQ(response.body, body);
}

TEST(HttpExporter, RendersAfreshForEachScrape) {
  std::atomic<int> scrapes{0};
  auto exporter = StartExporter([&] { return "scrape " + std::to_string(++scrapes) + "\n"; });
  ASSERT_NE(exporter, nullptr);
  EXPECT_EQ(Get(exporter->port(), "/metrics").body, "scrape 1\n");
  EXPECT_EQ(Get(exporter->port(), "/metrics").body, "scrape 2\n");
}

TEST(HttpExporter, QueryStringIsIgnored) {
  auto exporter = StartExporter(Fixed("x 1\n"));
  ASSERT_NE(exporter, nullptr);
  HttpResponse response = Get(exporter->port(), "/metrics?name[]=x");
  EXPECT_EQ(response.status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(response.body, "x 1\n");
}

TEST(HttpExporter, HeadSendsTheHeadersOnly) {
  auto exporter = StartExporter(Fixed("0123456789"));
  ASSERT_NE(exporter, nullptr);
  HttpResponse response = Exchange(exporter->port(), "HEAD /metrics HTTP/1.1\r\n\r\n");
  EXPECT_EQ(response.status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(response.headers["Content-Length"], "10");
  EXPECT_EQ(response.body, "");
}

TEST(HttpExporter, Http10AndBareLineFeedsAreUnderstood) {
  auto exporter = StartExporter(Fixed("x 1\n"));
  ASSERT_NE(exporter, nullptr);
  EXPECT_EQ(Exchange(exporter->port(), "GET /metrics HTTP/1.0\r\n\r\n").body, "x 1\n");
  EXPECT_EQ(Exchange(exporter->port(), "GET /metrics HTTP/1.0\n\n").body, "x 1\n");
  EXPECT_EQ(Exchange(exporter->port(), "GET /metrics HTTP/1.1\nHost: a\n\n").body, "x 1\n");
}

TEST(HttpExporter, RootIsATinyPageLinkingToMetrics) {
  auto exporter = StartExporter(Fixed("x 1\n"));
  ASSERT_NE(exporter, nullptr);
  HttpResponse response = Get(exporter->port(), "/");
  EXPECT_EQ(response.status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(response.headers["Content-Type"], "text/html; charset=utf-8");
  EXPECT_NE(response.body.find("href=\"/metrics\""), std::string::npos);
  EXPECT_EQ(response.headers["Content-Length"], std::to_string(response.body.size()));
}

TEST(HttpExporter, OtherPathsAre404) {
  auto exporter = StartExporter(Fixed("x 1\n"));
  ASSERT_NE(exporter, nullptr);
  for (const char* path : {"/metricsx", "/metrics/", "/favicon.ico", "/../metrics", "//metrics"}) {
    HttpResponse response = Get(exporter->port(), path);
    EXPECT_EQ(response.status_line, "HTTP/1.1 404 Not Found") << path;
    EXPECT_EQ(response.headers["Content-Length"], std::to_string(response.body.size())) << path;
    EXPECT_EQ(response.headers["Connection"], "close") << path;
  }
}

TEST(HttpExporter, OtherMethodsAre405WithAllow) {
  auto exporter = StartExporter(Fixed("x 1\n"));
  ASSERT_NE(exporter, nullptr);
  for (const char* method : {"POST", "PUT", "DELETE", "OPTIONS", "get"}) {
    HttpResponse response = Exchange(
        exporter->port(), std::string(method).append(" /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n"));
    EXPECT_EQ(response.status_line, "HTTP/1.1 405 Method Not Allowed") << method;
    EXPECT_EQ(response.headers["Allow"], "GET, HEAD") << method;
  }
}

TEST(HttpExporter, MalformedRequestsAre400) {
  auto exporter = StartExporter(Fixed("x 1\n"));
  ASSERT_NE(exporter, nullptr);
  for (std::string_view request :
       {std::string_view("\r\n\r\n"), std::string_view("GET\r\n\r\n"),
        std::string_view("GET /metrics\r\n\r\n"), std::string_view("GET  /metrics HTTP/1.1\r\n\r\n"),
        std::string_view("GET metrics HTTP/1.1\r\n\r\n"), std::string_view("GET /metrics FTP/1.0\r\n\r\n"),
        std::string_view("GET /met rics HTTP/1.1\r\n\r\n"), std::string_view("G(T /metrics HTTP/1.1\r\n\r\n"),
        std::string_view("\x16\x03\x01\x02\x00\x01\n\n", 8),
        std::string_view("GET /metrics\0 HTTP/1.1\r\n\r\n", 26),
        std::string_view("GET /m\xC3\xA9trics HTTP/1.1\r\n\r\n"),
        std::string_view("GET /metrics\x7f HTTP/1.1\r\n\r\n")}) {
    HttpResponse response = Exchange(exporter->port(), request);
    EXPECT_EQ(response.status_line, "HTTP/1.1 400 Bad Request") << testing::PrintToString(request);
  }
}

TEST(HttpExporter, OtherHttpVersionsAre505) {
  auto exporter = StartExporter(Fixed("x 1\n"));
  ASSERT_NE(exporter, nullptr);
  EXPECT_EQ(Exchange(exporter->port(), "GET /metrics HTTP/2.0\r\n\r\n").status_line,
            "HTTP/1.1 505 HTTP Version Not Supported");
}

TEST(HttpExporter, ARequestSentByteByByteIsAnswered) {
  auto exporter = StartExporter(Fixed("x 1\n"));
  ASSERT_NE(exporter, nullptr);
  Socket socket = Connect(exporter->port());
  ASSERT_TRUE(socket.valid());
  const int on = 1;
  ::setsockopt(socket.fd(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));  // one segment per byte
  for (char c : std::string_view("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")) {
    ASSERT_TRUE(SendAll(socket, std::string_view(&c, 1)));
    std::this_thread::sleep_for(1ms);  // lets the reads split the blank line across wake-ups
  }
  EXPECT_EQ(ParseResponse(ReadToEnd(socket)).body, "x 1\n");
}

TEST(HttpExporter, ALargeBodyArrivesWhole) {
  std::string body;
  for (int i = 0; body.size() < (4 << 20); ++i) body += "metric_" + std::to_string(i) + " 1\n";
  auto exporter = StartExporter(Fixed(body));
  ASSERT_NE(exporter, nullptr);
  HttpResponse response = Get(exporter->port(), "/metrics");
  EXPECT_EQ(response.headers["Content-Length"], std::to_string(body.size()));
  EXPECT_TRUE(response.body == body) << "got " << response.body.size() << " of " << body.size() << " bytes";
}

TEST(HttpExporter, ARenderThatThrowsIs500AndTheNextScrapeWorks) {
  std::atomic<bool> fail{true};
  auto exporter = StartExporter([&]() -> std::string {
    if (fail.exchange(false)) throw std::runtime_error("boom");
    return "ok 1\n";
  });
  ASSERT_NE(exporter, nullptr);
  HttpResponse failed = Get(exporter->port(), "/metrics");
  EXPECT_EQ(failed.status_line, "HTTP/1.1 500 Internal Server Error");
  EXPECT_NE(failed.body.find("boom"), std::string::npos);
  EXPECT_EQ(Get(exporter->port(), "/metrics").body, "ok 1\n");
}

// ---- Hostile clients -----------------------------------------------------------------------------------

TEST(HttpExporter, AnOversizedRequestIs431AndClosed) {
  auto exporter = StartExporter(Fixed("x 1\n"));
  ASSERT_NE(exporter, nullptr);
  // 64 KiB of headers, all sent before reading: the exporter answers after 8 KiB and discards the rest
  // until the client closes, so the answer is not lost to a reset.
  std::string request = "GET /metrics HTTP/1.1\r\n";
  while (request.size() < (64 << 10)) request += "X-Padding: " + std::string(100, 'a') + "\r\n";
  request += "\r\n";
  HttpResponse response = Exchange(exporter->port(), request);
  EXPECT_EQ(response.status_line, "HTTP/1.1 431 Request Header Fields Too Large");
  EXPECT_EQ(response.headers["Connection"], "close");
  // And it still serves.
  EXPECT_EQ(Get(exporter->port(), "/metrics").body, "x 1\n");
}

TEST(HttpExporter, ARequestOfExactlyTheLimitIsServedAndOneByteMoreIsNot) {
  HttpExporterLimits limits;
  limits.max_request_bytes = 100;
  auto exporter = StartExporter(Fixed("x 1\n"), limits);
  ASSERT_NE(exporter, nullptr);
  const std::string line = "GET /metrics HTTP/1.1\r\n";
  const std::string exact = line + "X: " + std::string(100 - line.size() - 7, 'a') + "\r\n\r\n";
  ASSERT_EQ(exact.size(), 100u);
  EXPECT_EQ(Exchange(exporter->port(), exact).status_line, "HTTP/1.1 200 OK");
  const std::string over = line + "X: " + std::string(100 - line.size() - 6, 'a') + "\r\n\r\n";
  ASSERT_EQ(over.size(), 101u);
  EXPECT_EQ(Exchange(exporter->port(), over).status_line, "HTTP/1.1 431 Request Header Fields Too Large");
}

TEST(HttpExporter, AnIdleClientDoesNotBlockOtherScrapes) {
  auto exporter = StartExporter(Fixed("x 1\n"));
  ASSERT_NE(exporter, nullptr);
  Socket idle = Connect(exporter->port());  // connects and sends nothing
  ASSERT_TRUE(idle.valid());
  Socket half = Connect(exporter->port());  // sends half a request and stops
  ASSERT_TRUE(half.valid());
  ASSERT_TRUE(SendAll(half, "GET /metr"));
  HttpResponse response = Get(exporter->port(), "/metrics");
  EXPECT_EQ(response.status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(response.body, "x 1\n");
}

TEST(HttpExporter, SlowClientsAreDroppedAtTheirDeadline) {
  HttpExporterLimits limits;
  limits.deadline = 50ms;
  auto exporter = StartExporter(Fixed("x 1\n"), limits);
  ASSERT_NE(exporter, nullptr);
  Socket idle = Connect(exporter->port());
  Socket slowloris = Connect(exporter->port());
  ASSERT_TRUE(idle.valid() && slowloris.valid());
  ASSERT_TRUE(SendAll(slowloris, "GET /metrics HTTP/1.1\r\nX-A: "));
  // Both get closed without an answer (a blocking read returns: EOF, or a reset).
  EXPECT_EQ(ReadToEnd(idle), "");
  EXPECT_EQ(ReadToEnd(slowloris), "");
}

TEST(HttpExporter, AClientThatReadsTooSlowlyIsDroppedAtTheDeadline) {
  HttpExporterLimits limits;
  limits.deadline = 100ms;
  const std::string body(16 << 20, 'x');  // far more than the socket buffers hold
  auto exporter = StartExporter(Fixed(body), limits);
  ASSERT_NE(exporter, nullptr);
  Socket slow = Connect(exporter->port());
  ASSERT_TRUE(slow.valid());
  // A small window (not too small: a tiny one makes the final drain crawl on delayed acks).
  const int small = 64 << 10;
  ::setsockopt(slow.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
  ASSERT_TRUE(SendAll(slow, "GET /metrics HTTP/1.1\r\n\r\n"));
  // Other scrapes are served meanwhile.
  EXPECT_EQ(Get(exporter->port(), "/").status_line, "HTTP/1.1 200 OK");
  // Reading 1 KiB per millisecond would take over 16 s: the exporter gives up at its deadline (100 ms)
  // and the client gets what was already in the socket buffers (a few MiB), short of the whole response.
  std::string received;
  char buffer[1024];
  for (int i = 0; i < 300; ++i) {
    const ssize_t n = ::recv(slow.fd(), buffer, sizeof(buffer), 0);
    if (n <= 0) break;
    received.append(buffer, static_cast<size_t>(n));
    std::this_thread::sleep_for(1ms);
  }
  received += ReadToEnd(slow);
  EXPECT_LT(received.size(), body.size());
}

TEST(HttpExporter, ConnectionsBeyondTheLimitAreClosedAtOnce) {
  HttpExporterLimits limits;
  limits.max_connections = 4;
  limits.deadline = 120s;  // the idle ones must keep their slots for the whole test
  auto exporter = StartExporter(Fixed("x 1\n"), limits);
  ASSERT_NE(exporter, nullptr);
  std::vector<Socket> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(Connect(exporter->port()));
    ASSERT_TRUE(held.back().valid());
  }
  // Accepted in order, so the four above hold every slot: the fifth is closed without an answer.
  Socket extra = Connect(exporter->port());
  ASSERT_TRUE(extra.valid());
  EXPECT_TRUE(ServerCloses(extra));
  // Once one leaves, scrapes are served again.
  held.front().Close();
  EXPECT_EQ(GetEventually(exporter->port(), "/metrics").body, "x 1\n");
}

TEST(HttpExporter, AHundredConnectionsOpenedAndDroppedLeaveItServing) {
  auto exporter = StartExporter(Fixed("x 1\n"));
  ASSERT_NE(exporter, nullptr);
  {
    std::vector<Socket> sockets;
    for (int i = 0; i < 100; ++i) {
      sockets.push_back(Connect(exporter->port()));
      ASSERT_TRUE(sockets.back().valid());
      if (i % 3 == 1) SendAll(sockets.back(), "GET /metrics HTTP/1.1\r\n");      // half a request
      if (i % 3 == 2) SendAll(sockets.back(), "GET /metrics HTTP/1.1\r\n\r\n");  // a full one, never read
    }
  }  // all closed here, most with the exporter holding them
  HttpResponse response = GetEventually(exporter->port(), "/metrics");
  EXPECT_EQ(response.status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(response.body, "x 1\n");
}

TEST(HttpExporter, DestructorReturnsWithClientsConnectedAndClosesThem) {
  HttpExporterLimits limits;
  limits.deadline = 600s;
  auto exporter = StartExporter(Fixed("x 1\n"), limits);
  ASSERT_NE(exporter, nullptr);
  const uint16_t port = exporter->port();
  Socket idle = Connect(port);
  Socket half = Connect(port);
  ASSERT_TRUE(idle.valid() && half.valid());
  ASSERT_TRUE(SendAll(half, "GET /"));
  EXPECT_EQ(Get(port, "/metrics").body, "x 1\n");  // the two above are accepted by now
  exporter.reset();  // must not wait for the 600 s deadline (the test would time out)
  EXPECT_TRUE(ServerCloses(idle));
  EXPECT_TRUE(ServerCloses(half));
  EXPECT_FALSE(Connect(port).valid());  // nothing listens any more
}

TEST(HttpExporter, APortInUseIsAnErrorNamingTheAddress) {
  auto first = StartExporter(Fixed("x 1\n"));
  ASSERT_NE(first, nullptr);
  Result<std::unique_ptr<HttpExporter>> second =
      HttpExporter::Start(ListenAddress{"127.0.0.1", first->port()}, Fixed("y 1\n"));
  ASSERT_FALSE(second.ok());
  const std::string message = second.status().message();
  EXPECT_NE(message.find("127.0.0.1:" + std::to_string(first->port())), std::string::npos) << message;
  EXPECT_NE(message.find("in use"), std::string::npos) << message;
}

TEST(HttpExporter, AnAddressNotOnThisHostIsAnErrorNamingIt) {
  // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never assigned to a local interface.
  Result<std::unique_ptr<HttpExporter>> exporter =
      HttpExporter::Start(ListenAddress{"192.0.2.1", 0}, Fixed(""));
  ASSERT_FALSE(exporter.ok());
  EXPECT_NE(exporter.status().message().find("192.0.2.1:0"), std::string::npos)
      << exporter.status().message();
}

TEST(HttpExporter, LocalhostListensOnTheIpv4Loopback) {
  Result<std::unique_ptr<HttpExporter>> exporter =
      HttpExporter::Start(ListenAddress{"localhost", 0}, Fixed("x 1\n"));
  ASSERT_TRUE(exporter.ok()) << exporter.status().ToString();
  EXPECT_EQ(Get((*exporter)->port(), "/metrics").body, "x 1\n");
}

TEST(HttpExporter, AllInterfacesIncludesTheIpv4Loopback) {
  Result<std::unique_ptr<HttpExporter>> exporter = HttpExporter::Start(ListenAddress{"", 0}, Fixed("x 1\n"));
  ASSERT_TRUE(exporter.ok()) << exporter.status().ToString();
  EXPECT_EQ(Get((*exporter)->port(), "/metrics").body, "x 1\n");
}

TEST(HttpExporter, Ipv6Loopback) {
  Result<std::unique_ptr<HttpExporter>> exporter =
      HttpExporter::Start(ListenAddress{"::1", 0}, Fixed("x 1\n"));
  if (!exporter.ok()) GTEST_SKIP() << "no IPv6 loopback here: " << exporter.status().ToString();
  Socket socket(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(socket.valid());
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_port = htons((*exporter)->port());
  address.sin6_addr = in6addr_loopback;
  ASSERT_EQ(::connect(socket.fd(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_TRUE(SendAll(socket, "GET /metrics HTTP/1.1\r\n\r\n"));
  EXPECT_EQ(ParseResponse(ReadToEnd(socket)).body, "x 1\n");
}

}  // namespace
}  // namespace logdaemon::metrics
