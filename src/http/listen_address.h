// The HTTP server's address (--http-addr, and its alias --metrics-addr): parsing with errors that say what
// is wrong, and binding a listening TCP socket with errors that name the address and the reason.
//
// Thread-safety: plain functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "logdaemon/status.h"

namespace logdaemon::http {

struct ListenAddress {
  std::string host;  // an IPv4 or IPv6 literal, or "localhost"; empty: every interface
  uint16_t port = 0;
};

// "127.0.0.1:9100", "[::1]:9100", "localhost:9100", ":9100" (all interfaces); port 0 picks a free one.
// InvalidArgument naming what is wrong (the caller adds the flag's name).
Result<ListenAddress> ParseListenAddress(std::string_view text);

// "127.0.0.1:9100", "[::1]:9100", "*:9100": how messages name an address.
std::string DescribeAddress(const ListenAddress& address);

// Whether only this host can reach the address (127.0.0.0/8, ::1, localhost). Anything else needs a token.
bool IsLoopback(const ListenAddress& address);

// A listening, non-blocking, close-on-exec TCP socket bound to `address` (SO_REUSEADDR); the descriptor.
// Unavailable naming the address and the system's reason ("address already in use").
Result<int> BindListener(const ListenAddress& address, int backlog = 128);

// Checks that `fd` (bound by someone else: systemd's socket activation) is a listening TCP socket (IPv4
// or IPv6) and makes it non-blocking and close-on-exec; the address it listens on. InvalidArgument naming
// the descriptor when it is something else; the descriptor stays open either way (the caller owns it).
Result<ListenAddress> AdoptListener(int fd);

// The port a bound socket listens on.
uint16_t BoundPort(int fd);

}  // namespace logdaemon::http
