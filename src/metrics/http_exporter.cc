// The /metrics HTTP endpoint (http_exporter.h): one thread serving every scrape with poll(2).
//
// Each connection lives through three states: reading the request head (at most max_request_bytes),
// writing the response, then a short "lingering close" — the write side is shut down and whatever the
// client still sends is read and discarded until it closes. Closing a socket that still has unread input
// makes the kernel send a reset, which can destroy the response before the client has read it (the case
// of an oversized request answered 431); lingering avoids that. Every state is bounded by the
// connection's deadline.
//
// Thread-safety: Start and the destructor from one thread; the exporter's state is touched only by its
// own thread, which the destructor wakes through an eventfd and joins.
#include "metrics/http_exporter.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <exception>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace logdaemon::metrics {
namespace {

using Clock = std::chrono::steady_clock;

// After the response: how long to keep discarding what a client still sends before closing anyway.
constexpr std::chrono::milliseconds kLingerTime{1000};
// When accept fails for lack of descriptors or memory, the listening socket stays readable; pause
// accepting for this long instead of spinning on it.
constexpr std::chrono::milliseconds kAcceptBackoff{100};
// Accepts per wake-up, so that a connection flood cannot starve the connections already being served.
constexpr int kMaxAcceptsPerWake = 256;
// Bytes discarded per wake-up from a lingering client, for the same reason.
constexpr size_t kMaxDrainPerWake = 64 << 10;

std::string ErrnoText(int error) {
  return std::error_code(error, std::generic_category()).message();
}

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  ~UniqueFd() { Reset(); }
  int get() const { return fd_; }
  void Reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

bool IsDigits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsIpv4Literal(const std::string& host) {
  in_addr address{};
  return inet_pton(AF_INET, host.c_str(), &address) == 1;
}

bool IsIpv6Literal(const std::string& host) {
  in6_addr address{};
  return inet_pton(AF_INET6, host.c_str(), &address) == 1;
}

// "127.0.0.1:9100", "[::1]:9100", "*:9100" (all interfaces): how errors name the address.
std::string DescribeAddress(const ListenAddress& address) {
  const bool ipv6 = address.host.find(':') != std::string::npos;
  std::string text;
  if (ipv6) text.push_back('[');
  text.append(address.host.empty() ? std::string_view("*") : std::string_view(address.host));
  if (ipv6) text.push_back(']');
  text.push_back(':');
  text.append(std::to_string(address.port));
  return text;
}

// ---- Requests and responses ---------------------------------------------------------------------

struct Response {
  int status = 200;
  std::string_view reason = "OK";
  std::string_view content_type = "text/plain; charset=utf-8";
  std::string body;
  bool allow_header = false;  // 405 says which methods are allowed
  bool head_only = false;     // HEAD: headers (with the body's length), no body
};

Response Plain(int status, std::string_view reason, std::string body) {
  Response response;
  response.status = status;
  response.reason = reason;
  response.body = std::move(body);
  return response;
}

constexpr std::string_view kIndexPage =
    "<html><head><title>logdaemon</title></head>"
    "<body><h1>logdaemon</h1><p><a href=\"/metrics\">Metrics</a></p></body></html>\n";

// Where the request head ends (one past its blank line), searching from `from`; npos while incomplete.
// Accepts bare LF line ends as well as CRLF, as RFC 9112 §2.2 allows a recipient to.
size_t FindHeadEnd(std::string_view data, size_t from) {
  for (size_t i = data.find('\n', from); i != std::string_view::npos; i = data.find('\n', i + 1)) {
    if (i + 1 < data.size() && data[i + 1] == '\n') return i + 2;
    if (i + 2 < data.size() && data[i + 1] == '\r' && data[i + 2] == '\n') return i + 3;
  }
  return std::string_view::npos;
}

bool IsTokenChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// A request target is visible US-ASCII (anything else must be percent-encoded; RFC 3986).
bool IsVisibleAscii(char c) {
  return c > ' ' && c < '\x7f';
}

// Answers a complete request head. Only the request line matters: the headers are not needed to serve
// a scrape, and no request body is ever read (each connection ends after one response).
Response Answer(std::string_view head, const HttpExporter::Render& render) {
  std::string_view line = head.substr(0, head.find('\n'));
  if (line.ends_with('\r')) line.remove_suffix(1);

  const size_t first_space = line.find(' ');
  const size_t second_space =
      first_space == std::string_view::npos ? first_space : line.find(' ', first_space + 1);
  if (second_space == std::string_view::npos) return Plain(400, "Bad Request", "malformed request line\n");
  const std::string_view method = line.substr(0, first_space);
  std::string_view target = line.substr(first_space + 1, second_space - first_space - 1);
  const std::string_view version = line.substr(second_space + 1);
  if (method.empty() || !std::all_of(method.begin(), method.end(), IsTokenChar) || target.empty() ||
      target.front() != '/' || !std::all_of(target.begin(), target.end(), IsVisibleAscii) ||
      !version.starts_with("HTTP/")) {
    return Plain(400, "Bad Request", "malformed request line\n");
  }
  if (version != "HTTP/1.0" && version != "HTTP/1.1") {
    return Plain(505, "HTTP Version Not Supported", "HTTP/1.0 or HTTP/1.1 only\n");
  }
  const bool head_only = method == "HEAD";
  if (method != "GET" && !head_only) {
    Response response = Plain(405, "Method Not Allowed", "only GET and HEAD\n");
    response.allow_header = true;
    return response;
  }

  target = target.substr(0, target.find_first_of("?#"));
  Response response;
  if (target == "/metrics") {
    try {
      response.body = render();
    } catch (const std::exception& e) {
      // The exporter thread must survive a failing render (e.g. bad_alloc): the next scrape may work.
      response =
          Plain(500, "Internal Server Error", std::string("rendering the metrics failed: ").append(e.what()));
      response.body += '\n';
    }
    if (response.status == 200) response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  } else if (target == "/") {
    response.content_type = "text/html; charset=utf-8";
    response.body.assign(kIndexPage);
  } else {
    response = Plain(404, "Not Found", "not found; the metrics are at /metrics\n");
  }
  response.head_only = head_only;
  return response;
}

std::string Serialize(const Response& response) {
  std::string out;
  out.reserve(160 + (response.head_only ? 0 : response.body.size()));
  out.append("HTTP/1.1 ").append(std::to_string(response.status)).append(" ").append(response.reason);
  out.append("\r\nContent-Type: ").append(response.content_type);
  out.append("\r\nContent-Length: ").append(std::to_string(response.body.size()));
  if (response.allow_header) out.append("\r\nAllow: GET, HEAD");
  out.append("\r\nConnection: close\r\n\r\n");
  if (!response.head_only) out.append(response.body);
  return out;
}

// ---- Connections ------------------------------------------------------------------------------

struct Connection {
  enum class State { kReading, kWriting, kLingering, kClosed };
  UniqueFd fd;
  State state = State::kReading;
  Clock::time_point deadline;
  std::string data;  // the request while reading, the response while writing
  size_t sent = 0;   // bytes of the response written

  short PollEvents() const { return state == State::kWriting ? POLLOUT : POLLIN; }
  void Close() {
    fd.Reset();
    state = State::kClosed;
    data = std::string();
  }
};

}  // namespace

Result<ListenAddress> ParseListenAddress(std::string_view text) {
  if (text.empty()) return Status::InvalidArgument("empty address; expected host:port, e.g. 127.0.0.1:9100");
  if (std::any_of(text.begin(), text.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return Status::InvalidArgument("the address contains a control character");
  }

  const std::string quoted = std::string("'").append(text).append("'");
  ListenAddress address;
  std::string_view port_text;
  if (text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos)
      return Status::InvalidArgument(quoted + ": missing ']' after the IPv6 address");
    address.host.assign(text.substr(1, close - 1));
    if (!IsIpv6Literal(address.host)) {
      return Status::InvalidArgument(quoted + ": '" + address.host + "' is not an IPv6 address");
    }
    if (close + 1 >= text.size() || text[close + 1] != ':') {
      return Status::InvalidArgument(quoted + ": missing ':port' after ']' (e.g. [::1]:9100)");
    }
    port_text = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return Status::InvalidArgument(quoted + ": missing ':port' (expected host:port, e.g. 127.0.0.1:9100)");
    }
    address.host.assign(text.substr(0, colon));
    port_text = text.substr(colon + 1);
    if (address.host.find(':') != std::string::npos) {
      return Status::InvalidArgument(quoted + ": an IPv6 address needs brackets, e.g. [::1]:9100");
    }
    if (!address.host.empty() && address.host != "localhost" && !IsIpv4Literal(address.host)) {
      return Status::InvalidArgument(quoted + ": host '" + address.host +
                                     "' is not an IPv4 address, a bracketed IPv6 address or localhost");
    }
  }

  if (port_text.empty()) return Status::InvalidArgument(quoted + ": missing port number after ':'");
  if (!IsDigits(port_text)) {
    return Status::InvalidArgument(quoted + ": port '" + std::string(port_text) + "' is not a number");
  }
  unsigned port = 0;
  const auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (error != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return Status::InvalidArgument(quoted + ": port " + std::string(port_text) +
                                   " is out of range (0-65535)");
  }
  address.port = static_cast<uint16_t>(port);
  return address;
}

class HttpExporter::Impl {
 public:
  Impl(UniqueFd listen_fd, UniqueFd wake_fd, uint16_t port, Render render, HttpExporterLimits limits)
      : listen_fd_(std::move(listen_fd)),
        wake_fd_(std::move(wake_fd)),
        port_(port),
        render_(std::move(render)),
        limits_(limits) {}

  ~Impl() {
    if (thread_.joinable()) {
      const uint64_t one = 1;
      // An eventfd write of 1 cannot fail short of overflowing the counter, which one write cannot do.
      [[maybe_unused]] ssize_t written = ::write(wake_fd_.get(), &one, sizeof(one));
      thread_.join();
    }
  }

  Status StartThread() {
    try {
      thread_ = std::thread([this] { Serve(); });
    } catch (const std::system_error& e) {
      return Status::IOError(std::string("cannot start the metrics thread: ").append(e.what()));
    }
    return Status::OK();
  }

  uint16_t port() const { return port_; }

 private:
  void Serve() {
    std::vector<pollfd> fds;
    for (;;) {
      const Clock::time_point now = Clock::now();
      const bool accepting = now >= accept_paused_until_;
      fds.clear();
      fds.push_back({wake_fd_.get(), POLLIN, 0});
      fds.push_back({accepting ? listen_fd_.get() : -1, POLLIN, 0});  // poll ignores negative fds
      for (const Connection& connection : connections_) {
        fds.push_back({connection.fd.get(), connection.PollEvents(), 0});
      }
      const int ready = ::poll(fds.data(), fds.size(), TimeoutMs(now));
      if (ready < 0) {
        if (errno == EINTR || errno == EAGAIN || errno == ENOMEM) continue;
        return;  // EFAULT / EINVAL: cannot happen with these arguments
      }
      if (fds[0].revents != 0) return;  // the destructor asks us to stop

      // Connections before new accepts, so that slots freed in this round are available to them.
      for (size_t i = 0; i < connections_.size(); ++i) {
        if (fds[i + 2].revents != 0) Service(connections_[i], fds[i + 2].revents);
      }
      CloseExpired(Clock::now());
      RemoveClosed();
      if (fds[1].revents != 0) AcceptPending();
    }
  }

  // Milliseconds until the earliest deadline (rounded up, so that the deadline has passed on waking),
  // or -1 to wait for events only.
  int TimeoutMs(Clock::time_point now) const {
    std::optional<Clock::time_point> earliest;
    if (now < accept_paused_until_) earliest = accept_paused_until_;
    for (const Connection& connection : connections_) {
      if (!earliest || connection.deadline < *earliest) earliest = connection.deadline;
    }
    if (!earliest) return -1;
    if (*earliest <= now) return 0;
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(*earliest - now).count();
    return static_cast<int>(std::min<int64_t>(wait, 60'000));
  }

  void AcceptPending() {
    for (int i = 0; i < kMaxAcceptsPerWake; ++i) {
      UniqueFd fd(::accept4(listen_fd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
      if (fd.get() < 0) {
        if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO) continue;
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
          accept_paused_until_ = Clock::now() + kAcceptBackoff;
        }
        return;  // EAGAIN: nothing more to accept
      }
      if (connections_.size() >= limits_.max_connections) ReapFinished();
      if (connections_.size() >= limits_.max_connections) continue;  // refused: `fd` closes here
      Connection& connection = connections_.emplace_back();
      connection.fd = std::move(fd);
      connection.deadline = Clock::now() + limits_.deadline;
    }
  }

  // At the connection limit: serve, without waiting, whatever the current connections have ready (a
  // client that has already hung up frees its slot) before refusing a newcomer.
  void ReapFinished() {
    std::vector<pollfd> fds;
    fds.reserve(connections_.size());
    for (const Connection& connection : connections_) {
      fds.push_back({connection.fd.get(), connection.PollEvents(), 0});
    }
    if (::poll(fds.data(), fds.size(), 0) <= 0) return;
    for (size_t i = 0; i < connections_.size(); ++i) {
      if (fds[i].revents != 0) Service(connections_[i], fds[i].revents);
    }
    RemoveClosed();
  }

  void Service(Connection& connection, short revents) {
    switch (connection.state) {
      case Connection::State::kReading:
        ReadRequest(connection);
        break;
      case Connection::State::kWriting:
        if ((revents & (POLLERR | POLLHUP)) != 0 && (revents & POLLOUT) == 0) {
          connection.Close();
        } else {
          WriteResponse(connection);
        }
        break;
      case Connection::State::kLingering:
        Drain(connection);
        break;
      case Connection::State::kClosed:
        break;
    }
  }

  void ReadRequest(Connection& connection) {
    char buffer[4096];
    for (;;) {
      // One byte beyond the limit is enough to know the request is too large.
      const size_t room = limits_.max_request_bytes + 1 - connection.data.size();
      const ssize_t n = ::recv(connection.fd.get(), buffer, std::min(sizeof(buffer), room), 0);
      if (n == 0) return connection.Close();  // the client gave up before finishing its request
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) connection.Close();
        return;
      }
      const size_t searched = connection.data.size();
      connection.data.append(buffer, static_cast<size_t>(n));
      // The blank line may straddle two reads: look again from just before the new bytes.
      const size_t head_end = FindHeadEnd(connection.data, searched >= 2 ? searched - 2 : 0);
      if (head_end != std::string::npos && head_end <= limits_.max_request_bytes) {
        return Respond(connection, Answer(std::string_view(connection.data).substr(0, head_end), render_));
      }
      if (connection.data.size() > limits_.max_request_bytes) {
        return Respond(connection, Plain(431, "Request Header Fields Too Large",
                                         "the request head exceeds " +
                                             std::to_string(limits_.max_request_bytes) + " bytes\n"));
      }
    }
  }

  void Respond(Connection& connection, const Response& response) {
    connection.data = Serialize(response);
    connection.sent = 0;
    connection.state = Connection::State::kWriting;
    WriteResponse(connection);
  }

  void WriteResponse(Connection& connection) {
    while (connection.sent < connection.data.size()) {
      const ssize_t n = ::send(connection.fd.get(), connection.data.data() + connection.sent,
                               connection.data.size() - connection.sent, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) connection.Close();
        return;
      }
      connection.sent += static_cast<size_t>(n);
    }
    // Done: tell the client (FIN), then discard its input until it closes too (see the file comment).
    ::shutdown(connection.fd.get(), SHUT_WR);
    connection.data = std::string();
    connection.state = Connection::State::kLingering;
    connection.deadline = std::min(connection.deadline, Clock::now() + kLingerTime);
    Drain(connection);
  }

  void Drain(Connection& connection) {
    char buffer[4096];
    for (size_t drained = 0; drained < kMaxDrainPerWake;) {
      const ssize_t n = ::recv(connection.fd.get(), buffer, sizeof(buffer), 0);
      if (n == 0) return connection.Close();
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) connection.Close();
        return;
      }
      drained += static_cast<size_t>(n);
    }
  }

  void CloseExpired(Clock::time_point now) {
    for (Connection& connection : connections_) {
      if (connection.state != Connection::State::kClosed && now >= connection.deadline) connection.Close();
    }
  }

  void RemoveClosed() {
    std::erase_if(connections_, [](const Connection& c) { return c.state == Connection::State::kClosed; });
  }

  UniqueFd listen_fd_;
  UniqueFd wake_fd_;
  const uint16_t port_;
  const Render render_;
  const HttpExporterLimits limits_;
  std::vector<Connection> connections_;
  Clock::time_point accept_paused_until_{};
  std::thread thread_;  // last: started once everything it uses exists
};

namespace {

// A listening, non-blocking TCP socket on `address`; errors name the address and the failing call.
Result<UniqueFd> Listen(const ListenAddress& address) {
  sockaddr_storage storage{};
  socklen_t length = 0;
  const std::string& host = address.host;
  const bool ipv6 = host.find(':') != std::string::npos || host.empty();
  if (ipv6) {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&storage);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(address.port);
    sin6->sin6_addr = in6addr_any;
    if (!host.empty() && inet_pton(AF_INET6, host.c_str(), &sin6->sin6_addr) != 1) {
      return Status::InvalidArgument(DescribeAddress(address) + ": not an IPv6 address");
    }
    length = sizeof(sockaddr_in6);
  } else {
    auto* sin = reinterpret_cast<sockaddr_in*>(&storage);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(address.port);
    const char* literal = host == "localhost" ? "127.0.0.1" : host.c_str();
    if (inet_pton(AF_INET, literal, &sin->sin_addr) != 1) {
      return Status::InvalidArgument(DescribeAddress(address) + ": not an IPv4 address");
    }
    length = sizeof(sockaddr_in);
  }

  UniqueFd fd(::socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (fd.get() < 0 && host.empty() && errno == EAFNOSUPPORT) {
    // "All interfaces" on a host without IPv6: the IPv4 wildcard.
    auto* sin = reinterpret_cast<sockaddr_in*>(&storage);
    storage = sockaddr_storage{};
    sin->sin_family = AF_INET;
    sin->sin_port = htons(address.port);
    sin->sin_addr.s_addr = htonl(INADDR_ANY);
    length = sizeof(sockaddr_in);
    fd = UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  }
  auto failure = [&](const char* call) {
    return Status::IOError(
        std::string(call).append(" ").append(DescribeAddress(address)).append(": ").append(ErrnoText(errno)));
  };
  if (fd.get() < 0) return failure("socket");
  const int on = 1;
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0) return failure("setsockopt");
  if (storage.ss_family == AF_INET6 && host.empty()) {
    // The wildcard serves IPv4 too, whatever net.ipv6.bindv6only says.
    const int off = 0;
    ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
  }
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&storage), length) != 0) return failure("bind");
  if (::listen(fd.get(), SOMAXCONN) != 0) return failure("listen");
  return fd;
}

Result<uint16_t> BoundPort(int fd) {
  sockaddr_storage storage{};
  socklen_t length = sizeof(storage);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length) != 0) {
    return Status::IOError("getsockname: " + ErrnoText(errno));
  }
  if (storage.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
  return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
}

}  // namespace

Result<std::unique_ptr<HttpExporter>> HttpExporter::Start(const ListenAddress& address, Render render,
                                                          HttpExporterLimits limits) {
  Result<UniqueFd> listen_fd = Listen(address);
  if (!listen_fd.ok()) return listen_fd.status();
  Result<uint16_t> port = BoundPort(listen_fd->get());
  if (!port.ok()) return port.status();
  UniqueFd wake_fd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (wake_fd.get() < 0) return Status::IOError("eventfd: " + ErrnoText(errno));

  limits.max_connections = std::max<size_t>(limits.max_connections, 1);
  auto impl =
      std::make_unique<Impl>(std::move(*listen_fd), std::move(wake_fd), *port, std::move(render), limits);
  if (Status started = impl->StartThread(); !started.ok()) return started;
  return std::unique_ptr<HttpExporter>(new HttpExporter(std::move(impl)));
}

HttpExporter::HttpExporter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpExporter::~HttpExporter() = default;

uint16_t HttpExporter::port() const {
  return impl_->port();
}

}  // namespace logdaemon::metrics
