// The HTTP server's address: parsing (errors that say what is wrong), loopback detection and binding.
#include "http/listen_address.h"

#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace logdaemon::http {
namespace listen_address_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

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

TEST(IsLoopback, OnlyAddressesThisHostAloneReaches) {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "::1", "localhost"})
    EXPECT_TRUE(IsLoopback(ListenAddress{host, 9100})) << host;
  for (const char* host : {"", "0.0.0.0", "::", "10.0.0.1", "192.168.1.1", "::ffff:127.0.0.1", "128.0.0.1"})
    EXPECT_FALSE(IsLoopback(ListenAddress{host, 9100})) << host;
}

TEST(BindListener, PortZeroPicksAFreePortAndAPortInUseIsAnErrorNamingIt) {
  Result<int> first = BindListener(ListenAddress{"127.0.0.1", 0});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  const uint16_t port = BoundPort(*first);
  EXPECT_NE(port, 0);
  Result<int> second = BindListener(ListenAddress{"127.0.0.1", port});
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("127.0.0.1:" + std::to_string(port)), std::string::npos)
      << second.status().message();
  EXPECT_NE(second.status().message().find("in use"), std::string::npos) << second.status().message();
  ::close(*first);
}

TEST(BindListener, AnAddressNotOnThisHostIsAnErrorNamingIt) {
  // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never assigned to a local interface.
  Result<int> bound = BindListener(ListenAddress{"192.0.2.1", 0});
  ASSERT_FALSE(bound.ok());
  EXPECT_NE(bound.status().message().find("192.0.2.1"), std::string::npos) << bound.status().message();
}

// Socket activation: a TCP socket bound by someone else is adopted with the address it listens on; anything
// else is refused, naming the descriptor, and left open (the caller owns it).
TEST(AdoptListener, TakesAListeningTcpSocketWithItsAddress) {
  Result<int> fd = BindListener(ListenAddress{"127.0.0.1", 0});
  ASSERT_TRUE(fd.ok()) << fd.status().ToString();
  Result<ListenAddress> address = AdoptListener(*fd);
  ASSERT_TRUE(address.ok()) << address.status().ToString();
  EXPECT_EQ(address->host, "127.0.0.1");
  EXPECT_EQ(address->port, BoundPort(*fd));
  EXPECT_TRUE(IsLoopback(*address));
  ::close(*fd);

  Result<int> everywhere = BindListener(ListenAddress{"", 0});
  ASSERT_TRUE(everywhere.ok()) << everywhere.status().ToString();
  Result<ListenAddress> wildcard = AdoptListener(*everywhere);
  ASSERT_TRUE(wildcard.ok()) << wildcard.status().ToString();
  EXPECT_EQ(wildcard->host, "");  // every interface: reachable from other hosts
  EXPECT_FALSE(IsLoopback(*wildcard));
  ::close(*everywhere);
}

TEST(AdoptListener, RefusesAnythingElseNamingTheDescriptor) {
  const int unix_socket = ::socket(AF_UNIX, SOCK_STREAM, 0);
  const int not_listening = ::socket(AF_INET, SOCK_STREAM, 0);
  const int udp = ::socket(AF_INET, SOCK_DGRAM, 0);
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  for (int fd : {unix_socket, not_listening, udp, pipe_fds[0], 1000}) {
    Result<ListenAddress> address = AdoptListener(fd);
    ASSERT_FALSE(address.ok()) << fd;
    EXPECT_EQ(address.status().message(),
              "descriptor " + std::to_string(fd) + " is not a listening TCP socket");
  }
  for (int fd : {unix_socket, not_listening, udp, pipe_fds[0], pipe_fds[1]}) ::close(fd);
}

}  // namespace
}  // namespace listen_address_test
}  // namespace logdaemon::http
