#include "http/listen_address.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <system_error>

namespace logdaemon::http {
namespace {

std::string ErrnoText(int error) {
  return std::error_code(error, std::generic_category()).message();
}

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

}  // namespace

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

bool IsLoopback(const ListenAddress& address) {
  const std::string& host = address.host;
  if (host == "localhost" || host == "::1") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  return false;
}

Result<int> BindListener(const ListenAddress& address, int backlog) {
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

  int fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0 && host.empty() && errno == EAFNOSUPPORT) {
    // "All interfaces" on a host without IPv6: the IPv4 wildcard.
    auto* sin = reinterpret_cast<sockaddr_in*>(&storage);
    storage = sockaddr_storage{};
    sin->sin_family = AF_INET;
    sin->sin_port = htons(address.port);
    sin->sin_addr.s_addr = htonl(INADDR_ANY);
    length = sizeof(sockaddr_in);
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  }
  auto failure = [&](const char* call) {
    const int error = errno;
    if (fd >= 0) ::close(fd);
    return Status::Unavailable(
        std::string(call).append(" ").append(DescribeAddress(address)).append(": ").append(ErrnoText(error)));
  };
  if (fd < 0) return failure("socket");
  const int on = 1;
  if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0) return failure("setsockopt");
  if (storage.ss_family == AF_INET6 && host.empty()) {
    // The wildcard serves IPv4 too, whatever net.ipv6.bindv6only says.
    const int off = 0;
    ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
  }
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&storage), length) != 0) return failure("bind");
  if (::listen(fd, backlog) != 0) return failure("listen");
  return fd;
}

Result<ListenAddress> AdoptListener(int fd) {
  const std::string name = "descriptor " + std::to_string(fd);
  int type = 0;
  int listening = 0;
  socklen_t length = sizeof(int);
  sockaddr_storage storage{};
  socklen_t address_length = sizeof(storage);
  const bool is_listening_tcp =
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &address_length) == 0 &&
      (storage.ss_family == AF_INET || storage.ss_family == AF_INET6) &&
      ::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) == 0 && type == SOCK_STREAM &&
      (length = sizeof(int), ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) == 0) &&
      listening != 0;
  if (!is_listening_tcp) return Status::InvalidArgument(name + " is not a listening TCP socket");
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0 || ::fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
    return Status::IOError(name + ": cannot make it non-blocking: " + ErrnoText(errno));
  }
  ListenAddress address;
  char text[INET6_ADDRSTRLEN] = {};
  if (storage.ss_family == AF_INET6) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&storage);
    if (!IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr)) {
      // An IPv4-mapped ::ffff:127.0.0.1 is written as IPv4, so that IsLoopback knows it.
      if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
        ::inet_ntop(AF_INET, &sin6->sin6_addr.s6_addr[12], text, sizeof(text));
      } else {
        ::inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof(text));
      }
      address.host = text;
    }
    address.port = ntohs(sin6->sin6_port);
  } else {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(&storage);
    ::inet_ntop(AF_INET, &sin->sin_addr, text, sizeof(text));
    address.host = sin->sin_addr.s_addr == htonl(INADDR_ANY) ? std::string() : std::string(text);
    address.port = ntohs(sin->sin_port);
  }
  return address;
}

uint16_t BoundPort(int fd) {
  sockaddr_storage storage{};
  socklen_t length = sizeof(storage);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length) != 0) return 0;
  if (storage.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
  return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
}

}  // namespace logdaemon::http
