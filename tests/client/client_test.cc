// The client library against a fake server in the test process: a thread with its own Unix socket that
// reads frames and answers like the daemon's wire protocol (DESIGN.md §2), or misbehaves on purpose.
#include "logdaemon/client.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

// The example of docs/client.md, compiled here and run against the fake server below.
#include "client/client_example.inc"
#include "support/temp_dir.h"

namespace logdaemon {
namespace client_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using namespace std::chrono_literals;

struct FakeOptions {
  size_t close_after = SIZE_MAX;  // close the connection after this many replies
  bool never_reply = false;
  std::string reply_override;  // sent instead of every reply when not empty (garbage, overlong lines)
  size_t read_chunk = 64 * 1024;
  std::chrono::microseconds read_delay{0};  // after every read: a slow server
  int sndbuf = 0;                           // SO_SNDBUF of the accepted connection, when > 0
  int rcvbuf = 0;
};

// Serves connections one after another until destroyed. Replies like a naive server: after each read it
// writes all its replies, blocking, before it reads again, so a client that only writes would deadlock.
class FakeServer {
 public:
  explicit FakeServer(FakeOptions options = {}) : options_(std::move(options)) {
    char tmpl[] = "/tmp/logdaemon-client-test-XXXXXX";
    const char* dir = ::mkdtemp(tmpl);
    EXPECT_NE(dir, nullptr);
    dir_ = dir;
    path_ = dir_ + "/logdaemon.sock";
    listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path_.c_str(), path_.size());
    EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(::listen(listen_fd_, 16), 0);
    thread_ = std::thread([this] { Run(); });
  }
  ~FakeServer() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
  }
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  const std::string& path() const { return path_; }
  // The most complete frames the server ever found waiting at once: bounded by the client's window.
  size_t max_frames_waiting() const { return max_frames_waiting_; }
  size_t frames() const { return frames_; }

 private:
  void Run() {
    while (!stop_) {
      pollfd pfd{listen_fd_, POLLIN, 0};
      if (::poll(&pfd, 1, 20) <= 0) continue;
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (fd < 0) continue;
      if (options_.sndbuf > 0) ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &options_.sndbuf, sizeof(int));
      if (options_.rcvbuf > 0) ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &options_.rcvbuf, sizeof(int));
      Serve(fd);
      ::close(fd);
    }
  }

  // Writes all of `out`, waiting as long as needed (unless the test is over or the client is gone).
  bool WriteAll(int fd, const std::string& out) {
    size_t pos = 0;
    while (pos < out.size() && !stop_) {
      const ssize_t n = ::send(fd, out.data() + pos, out.size() - pos, MSG_NOSIGNAL);
      if (n > 0) {
        pos += static_cast<size_t>(n);
      } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        pollfd pfd{fd, POLLOUT, 0};
        ::poll(&pfd, 1, 20);
      } else {
        return false;
      }
    }
    return pos == out.size();
  }

  void Serve(int fd) {
    std::string in;
    std::string out;
    std::vector<char> buf(options_.read_chunk);
    size_t replies = 0;
    while (!stop_) {
      pollfd pfd{fd, POLLIN, 0};
      if (::poll(&pfd, 1, 20) <= 0) continue;
      const ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
      if (n == 0) return;
      if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) continue;
        return;
      }
      in.append(buf.data(), static_cast<size_t>(n));
      if (options_.read_delay.count() > 0) std::this_thread::sleep_for(options_.read_delay);
      size_t pos = 0;
      size_t waiting = 0;
      while (in.size() - pos >= 4) {
        const auto* p = reinterpret_cast<const unsigned char*>(in.data() + pos);
        const uint32_t len = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
        if (in.size() - pos - 4 < len) break;
        const std::string_view log(in.data() + pos + 4, len);
        pos += 4 + len;
        ++waiting;
        ++frames_;
        if (options_.never_reply) continue;
        if (!options_.reply_override.empty()) {
          out += options_.reply_override;
        } else if (log.empty()) {
          out += "ERROR: empty frame\n";
        } else if (log.find("bad") != std::string_view::npos) {
          out += "ERROR: bad log\n";
        } else {
          out += "OK\n";
        }
        if (++replies == options_.close_after) {
          WriteAll(fd, out);
          return;
        }
      }
      in.erase(0, pos);
      if (waiting > max_frames_waiting_) max_frames_waiting_ = waiting;
      if (!WriteAll(fd, out)) return;
      out.clear();
    }
  }

  FakeOptions options_;
  std::string dir_;
  std::string path_;
  int listen_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<size_t> max_frames_waiting_{0};
  std::atomic<size_t> frames_{0};
  std::thread thread_;
};

// Default options with `change` applied (designated initializers that skip a std::string member trip GCC's
// -Wmissing-field-initializers).
template <typename Change>
FakeOptions Options(Change change) {
  FakeOptions options;
  change(options);
  return options;
}

std::unique_ptr<Client> MustConnect(const std::string& path) {
  auto client = Client::Connect(path);
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  return client.ok() ? std::move(client).value() : nullptr;
}

// Logs of the kind the load generator sends; every 7th is rejected by the fake server.
std::vector<std::string> MakeLogs(size_t n) {
  std::vector<std::string> logs;
  logs.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    std::string log = R"({"level":"info","seq":)";
    log.append(std::to_string(i));
    log.append(i % 7 == 3 ? R"(,"message":"bad"})" : R"(,"message":"fine"})");
    logs.push_back(std::move(log));
  }
  return logs;
}

// Sends `logs` and checks that every reply came, in order, with the expected verdict.
void SendAndCheck(Client& client, const std::vector<std::string>& logs, size_t window) {
  size_t next = 0;
  size_t rejected = 0;
  Status s = client.SendAll(logs, window, [&](size_t index, const Reply& r) {
    ASSERT_EQ(index, next);
    const bool bad = logs[index].find("bad") != std::string::npos;
    EXPECT_EQ(r.ok, !bad) << index;
    if (bad) {
      EXPECT_EQ(r.error, "bad log");
      ++rejected;
    }
    ++next;
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(next, logs.size());
  EXPECT_EQ(rejected, (logs.size() + 3) / 7);
}

TEST(ClientTest, SendOkAndError) {
  FakeServer server;
  auto client = MustConnect(server.path());
  ASSERT_NE(client, nullptr);
  auto ok = client->Send(R"({"message":"hello"})");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_TRUE(ok->ok);
  EXPECT_EQ(ok->error, "");
  auto bad = client->Send(R"({"message":"bad"})");
  ASSERT_TRUE(bad.ok()) << bad.status().ToString();
  EXPECT_FALSE(bad->ok);
  EXPECT_EQ(bad->error, "bad log");
  // The reused internal Reply is cleared by an OK after an ERROR.
  auto again = client->Send(R"({"message":"hi"})");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->ok);
  EXPECT_EQ(again->error, "");
}

TEST(ClientTest, EmptyLogIsSentAndRejectedByTheServer) {
  FakeServer server;
  auto client = MustConnect(server.path());
  ASSERT_NE(client, nullptr);
  auto reply = client->Send("");
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_FALSE(reply->ok);
  EXPECT_EQ(reply->error, "empty frame");
  EXPECT_TRUE(client->Send("{}").value().ok);
}

TEST(ClientTest, Pipelined100kInOrderWithinTheWindow) {
  FakeServer server;
  auto client = MustConnect(server.path());
  ASSERT_NE(client, nullptr);
  const auto logs = MakeLogs(100000);
  SendAndCheck(*client, logs, 1000);
  EXPECT_EQ(server.frames(), logs.size());
  EXPECT_LE(server.max_frames_waiting(), 1000u);
  // The same connection goes on working after a batch.
  EXPECT_TRUE(client->Send("{}").value().ok);
}

TEST(ClientTest, WindowOfOne) {
  FakeServer server;
  auto client = MustConnect(server.path());
  ASSERT_NE(client, nullptr);
  const auto logs = MakeLogs(2000);
  SendAndCheck(*client, logs, 1);
  EXPECT_EQ(server.max_frames_waiting(), 1u);
}

TEST(ClientTest, StringViewBatchAndNoCallback) {
  FakeServer server;
  auto client = MustConnect(server.path());
  ASSERT_NE(client, nullptr);
  std::vector<std::string_view> logs = {"{}", R"({"a":1})", "bad"};
  ASSERT_TRUE(client->SendAll(logs, 2, nullptr).ok());
  ASSERT_TRUE(client->SendAll(std::vector<std::string_view>{}, 1, nullptr).ok());
  EXPECT_EQ(client->SendAll(logs, 0, nullptr).code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(client->usable());
}

// A server that reads slowly in small pieces and blocks writing its replies while the client's receive
// buffer is full; the client has everything in flight at once. A client that only wrote would deadlock.
TEST(ClientTest, SlowServerWithBothBuffersFullDoesNotDeadlock) {
  FakeServer server(Options([](FakeOptions& o) {
    o.read_chunk = 4096;
    o.read_delay = std::chrono::microseconds(20);
    o.sndbuf = 4096;
    o.rcvbuf = 4096;
  }));
  auto client = MustConnect(server.path());
  ASSERT_NE(client, nullptr);
  const auto logs = MakeLogs(300000);
  SendAndCheck(*client, logs, logs.size());
}

TEST(ClientTest, ServerClosesAfterNReplies) {
  FakeServer server(Options([](FakeOptions& o) { o.close_after = 10; }));
  auto client = MustConnect(server.path());
  ASSERT_NE(client, nullptr);
  const auto logs = MakeLogs(1000);
  size_t got = 0;
  Status s = client->SendAll(logs, 100, [&](size_t, const Reply&) { ++got; });
  EXPECT_EQ(s.code(), Status::Code::kIOError) << s.ToString();
  EXPECT_NE(s.message().find("closed the connection (10 of 1000 replies received"), std::string::npos)
      << s.ToString();
  EXPECT_EQ(got, 10u);
  EXPECT_FALSE(client->usable());
  auto after = client->Send("{}");
  EXPECT_EQ(after.status().code(), Status::Code::kUnavailable) << after.status().ToString();
}

TEST(ClientTest, ServerClosesBeforeSingleReply) {
  FakeServer server(Options([&](FakeOptions& o) {
    o.close_after = 1;
    o.reply_override = "OK";
  }));  // no newline, then closes
  auto client = MustConnect(server.path());
  ASSERT_NE(client, nullptr);
  auto reply = client->Send("{}");
  EXPECT_EQ(reply.status().code(), Status::Code::kIOError);
  EXPECT_NE(reply.status().message().find("0 of 1 reply received, then half a reply line"), std::string::npos)
      << reply.status().ToString();
}

TEST(ClientTest, GarbageReplyIsCorruption) {
  FakeServer server(Options([](FakeOptions& o) { o.reply_override = "HELLO\x01\n"; }));
  auto client = MustConnect(server.path());
  ASSERT_NE(client, nullptr);
  auto reply = client->Send("{}");
  EXPECT_EQ(reply.status().code(), Status::Code::kCorruption);
  EXPECT_NE(reply.status().message().find(R"(unexpected reply from the server: "HELLO\x01")"),
            std::string::npos)
      << reply.status().ToString();
  EXPECT_FALSE(client->usable());
}

TEST(ClientTest, OverlongReplyLineIsCorruption) {
  for (const bool with_newline : {false, true}) {
    std::string line(Client::kMaxReplyLineBytes + 10, 'x');
    if (with_newline) line += '\n';
    FakeServer server(Options([&](FakeOptions& o) { o.reply_override = line; }));
    auto client = MustConnect(server.path());
    ASSERT_NE(client, nullptr);
    auto reply = client->Send("{}");
    EXPECT_EQ(reply.status().code(), Status::Code::kCorruption) << with_newline;
    EXPECT_NE(reply.status().message().find("unexpected reply from the server"), std::string::npos)
        << reply.status().ToString();
  }
}

TEST(ClientTest, ReplyWithoutRequestIsCorruption) {
  FakeServer server(Options([](FakeOptions& o) { o.reply_override = "OK\nOK\n"; }));
  auto client = MustConnect(server.path());
  ASSERT_NE(client, nullptr);
  auto reply = client->Send("{}");
  EXPECT_EQ(reply.status().code(), Status::Code::kCorruption) << reply.status().ToString();
}

TEST(ClientTest, SilentServerTimesOut) {
  FakeServer server(Options([](FakeOptions& o) { o.never_reply = true; }));
  auto client = MustConnect(server.path());
  ASSERT_NE(client, nullptr);
  client->set_reply_timeout(200ms);
  const auto start = std::chrono::steady_clock::now();
  auto reply = client->Send("{}");
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(reply.status().code(), Status::Code::kIOError);
  EXPECT_NE(reply.status().message().find("no reply from the server for 200 ms (0 of 1 reply received)"),
            std::string::npos)
      << reply.status().ToString();
  EXPECT_GE(took, 190ms);
  EXPECT_LT(took, 5s);
}

TEST(ClientTest, FrameOver4GiBIsRefusedLocally) {
  FakeServer server;
  auto client = MustConnect(server.path());
  ASSERT_NE(client, nullptr);
  // A valid 4 GiB range that costs no memory: reserved, never touched.
  const size_t size = size_t{Client::kMaxFrameBytes} + 1;
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  ASSERT_NE(p, MAP_FAILED);
  const std::string_view huge(static_cast<const char*>(p), size);
  auto reply = client->Send(huge);
  EXPECT_EQ(reply.status().code(), Status::Code::kInvalidArgument) << reply.status().ToString();
  std::vector<std::string_view> logs = {"{}", huge};
  Status s = client->SendAll(logs, 10, nullptr);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("log 1 is 4294967296 bytes"), std::string::npos) << s.ToString();
  ::munmap(p, size);
  // Nothing was sent: the connection is still in step.
  EXPECT_TRUE(client->Send("{}").value().ok);
  EXPECT_EQ(server.frames(), 1u);
}

class TempDir : public testing_support::TempDir {
 public:
  TempDir() : testing_support::TempDir("logdaemon_client") {}
};

TEST(ClientConnectTest, MissingSocket) {
  TempDir dir;
  auto c = Client::Connect(dir.path() + "/nope.sock");
  EXPECT_EQ(c.status().code(), Status::Code::kNotFound);
  EXPECT_NE(c.status().message().find("no such socket (is logdaemon serve running?)"), std::string::npos)
      << c.status().ToString();
}

TEST(ClientConnectTest, RegularFile) {
  TempDir dir;
  const std::string path = dir.path() + "/file";
  std::ofstream(path) << "x";
  auto c = Client::Connect(path);
  EXPECT_EQ(c.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(c.status().message().find("not a socket"), std::string::npos) << c.status().ToString();
}

TEST(ClientConnectTest, RefusedWhenNobodyListens) {
  TempDir dir;
  const std::string path = dir.path() + "/stale.sock";
  // A socket file left behind: bound, never listening (like a daemon that died).
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size());
  ASSERT_EQ(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)), 0);
  ::close(fd);
  auto c = Client::Connect(path);
  EXPECT_EQ(c.status().code(), Status::Code::kUnavailable);
  EXPECT_NE(c.status().message().find("connection refused"), std::string::npos) << c.status().ToString();
  EXPECT_NE(c.status().message().find("is logdaemon serve running?"), std::string::npos);
}

TEST(ClientConnectTest, PathTooLong) {
  auto c = Client::Connect("/tmp/" + std::string(200, 'a') + ".sock");
  EXPECT_EQ(c.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(
      c.status().message().find("socket path is too long (210 bytes; a Unix socket path holds at most 107)"),
      std::string::npos)
      << c.status().ToString();
  EXPECT_EQ(Client::Connect("").status().code(), Status::Code::kInvalidArgument);
}

TEST(ClientConnectTest, PermissionDenied) {
  // A listening socket without a serving thread: connect() checks the permission before any accept,
  // and the process stays single-threaded, so the fork below cannot inherit a lock some other thread
  // held (under ASan the child could hang in the allocator).
  char dir_template[] = "/tmp/logdaemon_client_perm_XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::string path = std::string(dir_template) + "/s.sock";
  const int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  ASSERT_EQ(::bind(listener, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  ASSERT_EQ(::chmod(path.c_str(), 0), 0);
  // Root bypasses the socket's permissions: try as "nobody" in a child process.
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::alarm(30);  // never hang the suite, whatever happens in the child
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(3);
    auto c = Client::Connect(path);
    const bool denied = c.status().code() == Status::Code::kIOError &&
                        c.status().message().find("permission denied") != std::string::npos;
    ::_exit(denied ? 0 : 1);
  }
  int wstatus = 0;
  ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
  ::close(listener);
  std::filesystem::remove_all(dir_template);
  ASSERT_TRUE(WIFEXITED(wstatus));
  if (WEXITSTATUS(wstatus) == 3) GTEST_SKIP() << "cannot drop privileges";
  EXPECT_EQ(WEXITSTATUS(wstatus), 0) << "Connect did not report permission denied";
}

// The example of docs/client.md runs: the fake server rejects its "bad" log.
TEST(ClientDocsTest, ExampleRuns) {
  FakeServer server;
  testing::internal::CaptureStderr();
  const int rc = SendSomeLogs(server.path().c_str());
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(rc, 2) << err;
  EXPECT_EQ(err, "log 2 rejected: bad log\n");
}

// docs/client.md shows client_example.inc verbatim, so the documented code is the code compiled above.
TEST(ClientDocsTest, ExampleInDocsIsTheCompiledOne) {
  const std::filesystem::path here = std::filesystem::path(LOGDAEMON_SOURCE_DIR) / "tests" / "client";
  auto slurp = [](const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  const std::string example = slurp(here / "client_example.inc");
  const std::string doc = slurp(here / "../../docs/client.md");
  ASSERT_FALSE(example.empty());
  EXPECT_NE(doc.find("```cpp\n" + example + "```\n"), std::string::npos)
      << "docs/client.md must contain tests/client/client_example.inc verbatim in a ```cpp block";
}

}  // namespace
}  // namespace client_test
}  // namespace logdaemon
