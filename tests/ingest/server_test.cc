// LogServer in process, on both backends: the wire protocol table (DESIGN.md §2), pipelining, the
// connection limit, the socket file rules, counters, and that every acknowledged log reaches storage on
// shutdown. The daemon binary's end-to-end suite is tests/server/.
#include "logdaemon/server.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "logdaemon/client.h"
#include "logdaemon/schema.h"
#include "logdaemon/storage.h"
#include "support/temp_dir.h"

namespace logdaemon {
namespace server_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

constexpr const char* kValid = R"({"timestamp":"2026-01-15T19:00:00Z","level":"info","message":"hello"})";

class TempDir : public testing_support::TempDir {
 public:
  TempDir() : testing_support::TempDir("logdaemon_server") {}
};

// A raw connection, for what the client library will not send (bad lengths, half frames).
class RawConnection {
 public:
  explicit RawConnection(const std::string& path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
    timeval timeout{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  }
  ~RawConnection() { ::close(fd_); }
  bool connected() const { return connected_; }

  void SendBytes(std::string_view bytes) {
    ASSERT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL), static_cast<ssize_t>(bytes.size()));
  }
  static std::string Frame(std::string_view payload) {
    const uint32_t n = static_cast<uint32_t>(payload.size());
    std::string frame = {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                         static_cast<char>(n)};
    frame.append(payload);
    return frame;
  }
  // One reply line, without its newline; "<closed>" at end of stream.
  std::string ReadLine() {
    for (;;) {
      size_t newline = buffered_.find('\n');
      if (newline != std::string::npos) {
        std::string line = buffered_.substr(0, newline);
        buffered_.erase(0, newline + 1);
        return line;
      }
      char chunk[4096];
      const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return std::string("<error: ") + std::strerror(errno) + ">";
      if (n == 0) return "<closed>";
      buffered_.append(chunk, static_cast<size_t>(n));
    }
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  std::string buffered_;
};

class ServerTest : public ::testing::TestWithParam<IoBackend> {
 protected:
  void SetUp() override {
    socket_path_ = dir_.path() + "/d.sock";
    options_.socket_path = socket_path_;
    options_.io_backend = GetParam();
    options_.io_threads = 2;
  }

  void StartServer() {
    StorageOptions storage_options;
    storage_options.directory = dir_.path() + "/logs";
    storage_options.flush_interval = std::chrono::milliseconds(200);
    storage_options.queue_capacity = queue_capacity_;
    auto schema = SchemaValidator::DefaultSchema();
    ASSERT_TRUE(schema.ok());
    auto storage = StorageEngine::Open(storage_options, *schema);
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    storage_ = std::move(*storage);
    server_ = std::make_unique<LogServer>(options_, *schema);
    Status st = server_->Start(*storage_);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  void StopServer() {
    if (!server_) return;
    server_->Shutdown();
    ASSERT_TRUE(server_->Wait().ok());
    ASSERT_TRUE(storage_->Close().ok());
  }

  void TearDown() override { StopServer(); }

  std::unique_ptr<Client> Connect() {
    auto client = Client::Connect(socket_path_);
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return client.ok() ? std::move(*client) : nullptr;
  }

  // Polls Stats() until `check` holds (the loops publish counters once per turn).
  template <typename Check>
  bool Eventually(Check check) {
    for (int i = 0; i < 500; ++i) {
      if (check(server_->Stats())) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  TempDir dir_;
  std::string socket_path_;
  ServerOptions options_;
  size_t queue_capacity_ = 10000;
  std::unique_ptr<StorageEngine> storage_;
  std::unique_ptr<LogServer> server_;
};

TEST_P(ServerTest, AnswersEveryRowOfTheProtocolTable) {
  StartServer();
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  auto ok = client->Send(kValid);
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->ok);

  auto bad_json = client->Send(R"({"timestamp":)");
  ASSERT_TRUE(bad_json.ok());
  EXPECT_FALSE(bad_json->ok);
  EXPECT_TRUE(bad_json->error.starts_with("invalid JSON: ")) << bad_json->error;

  auto bad_utf8 =
      client->Send("{\"timestamp\":\"2026-01-15T19:00:00Z\",\"level\":\"info\",\"message\":\"\xff\"}");
  ASSERT_TRUE(bad_utf8.ok());
  EXPECT_NE(bad_utf8->error.find("UTF-8"), std::string::npos) << bad_utf8->error;

  auto array = client->Send("[1,2]");
  ASSERT_TRUE(array.ok());
  EXPECT_TRUE(array->error.starts_with("not an object")) << array->error;

  auto schema = client->Send(R"({"timestamp":"2026-01-15T19:00:00Z","level":"loud","message":"x"})");
  ASSERT_TRUE(schema.ok());
  EXPECT_TRUE(schema->error.starts_with("schema: /level")) << schema->error;

  auto empty = client->Send("");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->error, "empty frame");

  // The connection is still usable after every rejection.
  auto again = client->Send(kValid);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->ok);

  ASSERT_TRUE(Eventually([](const ServerStats& s) { return s.frames_received == 7; }));
  ServerStats stats = server_->Stats();
  EXPECT_EQ(stats.logs_accepted, 2u);
  EXPECT_EQ(stats.rejected_total(), 5u);
  EXPECT_EQ(stats.logs_rejected[static_cast<size_t>(RejectReason::kInvalidUtf8)], 1u);
  EXPECT_EQ(stats.logs_rejected[static_cast<size_t>(RejectReason::kEmptyFrame)], 1u);
}

TEST_P(ServerTest, FrameTooLargeIsAnsweredThenClosed) {
  options_.max_message_bytes = 1024;
  StartServer();
  RawConnection raw(socket_path_);
  ASSERT_TRUE(raw.connected());
  raw.SendBytes(RawConnection::Frame(kValid));
  raw.SendBytes(std::string("\xff\xff\xff\xff", 4));
  EXPECT_EQ(raw.ReadLine(), "OK");
  EXPECT_EQ(raw.ReadLine(), "ERROR: frame too large (4294967295 > 1024)");
  EXPECT_EQ(raw.ReadLine(), "<closed>");
  // Everyone else is still served.
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  auto reply = client->Send(kValid);
  ASSERT_TRUE(reply.ok());
  EXPECT_TRUE(reply->ok);
}

TEST_P(ServerTest, PipelinedRepliesComeBackInOrder) {
  StartServer();
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  std::vector<std::string> logs;
  for (int i = 0; i < 5000; ++i) {
    logs.push_back(i % 7 == 3 ? std::string("{bad") : std::string(kValid));
  }
  size_t seen = 0;
  Status st = client->SendAll(logs, 1000, [&](size_t index, const Reply& reply) {
    EXPECT_EQ(index, seen++);
    EXPECT_EQ(reply.ok, index % 7 != 3) << index << " " << reply.error;
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(seen, logs.size());
}

TEST_P(ServerTest, RefusesConnectionsBeyondTheLimit) {
  options_.max_connections = 3;
  StartServer();
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(Connect());
    ASSERT_NE(clients.back(), nullptr);
    auto reply = clients.back()->Send(kValid);  // the connection is adopted by a loop
    ASSERT_TRUE(reply.ok()) << "client " << i << ": " << reply.status().ToString();
    ASSERT_TRUE(reply->ok) << "client " << i << ": " << reply->error;
  }
  RawConnection extra(socket_path_);
  ASSERT_TRUE(extra.connected());
  EXPECT_EQ(extra.ReadLine(), "ERROR: too many connections");
  EXPECT_EQ(extra.ReadLine(), "<closed>");
  EXPECT_EQ(server_->Stats().connections_refused, 1u);
  // The loops publish their counters after answering, so the third connection may not show yet: wait
  // for it, or the wait for 2 below could pass before the closed connection is noticed.
  ASSERT_TRUE(Eventually([](const ServerStats& s) { return s.connections_active == 3; }))
      << "active connections: " << server_->Stats().connections_active;
  clients.pop_back();
  ASSERT_TRUE(Eventually([](const ServerStats& s) { return s.connections_active == 2; }))
      << "active connections: " << server_->Stats().connections_active;
  auto again = Connect();
  ASSERT_NE(again, nullptr);
  auto reply = again->Send(kValid);
  ASSERT_TRUE(reply.ok()) << reply.status().ToString() << "; refused " << server_->Stats().connections_refused
                          << ", active " << server_->Stats().connections_active;
  EXPECT_TRUE(reply->ok) << reply->error;
}

TEST_P(ServerTest, ClosesIdleAndHalfFrameConnections) {
  options_.idle_timeout = std::chrono::milliseconds(300);
  StartServer();
  RawConnection idle(socket_path_);
  RawConnection half(socket_path_);
  half.SendBytes(std::string("\0\0\0\x40{\"time", 10));
  EXPECT_EQ(idle.ReadLine(), "<closed>");
  EXPECT_EQ(half.ReadLine(), "<closed>");
  EXPECT_TRUE(Eventually([](const ServerStats& s) { return s.connections_timed_out == 2; }));
}

TEST_P(ServerTest, ReplacesAStaleSocketAndNeverTakesOverALiveOne) {
  // A stale socket file: bound, then its owner went away.
  {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, socket_path_.c_str(), sizeof(address.sun_path) - 1);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    ::close(fd);
  }
  StartServer();
  auto schema = SchemaValidator::DefaultSchema();
  LogServer second(options_, *schema);
  Status st = second.Start(*storage_);
  EXPECT_EQ(st.code(), Status::Code::kUnavailable);
  EXPECT_NE(st.message().find("another daemon is listening on " + socket_path_), std::string::npos)
      << st.ToString();
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  auto reply = client->Send(kValid);
  ASSERT_TRUE(reply.ok() && reply->ok);
}

TEST_P(ServerTest, RefusesAPathThatIsNotASocket) {
  std::FILE* f = std::fopen(socket_path_.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fclose(f);
  StorageOptions storage_options;
  storage_options.directory = dir_.path() + "/logs";
  auto schema = SchemaValidator::DefaultSchema();
  auto storage = StorageEngine::Open(storage_options, *schema);
  ASSERT_TRUE(storage.ok());
  LogServer server(options_, *schema);
  Status st = server.Start(**storage);
  EXPECT_NE(st.message().find("is not a socket"), std::string::npos) << st.ToString();
  EXPECT_TRUE(std::filesystem::exists(socket_path_));  // never removed
}

// Socket activation (ServerOptions::listen_fd): a socket bound by someone else, blocking as systemd
// passes it by default, is served as it is; its file is neither replaced nor removed, and socket_path is
// not bound.
TEST_P(ServerTest, ServesAnAdoptedSocketAndLeavesItsFile) {
  const std::string adopted_path = dir_.path() + "/adopted.sock";
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, adopted_path.c_str(), sizeof(address.sun_path) - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(::listen(fd, 16), 0);
  options_.listen_fd = fd;
  StartServer();
  EXPECT_FALSE(std::filesystem::exists(socket_path_)) << "socket_path was bound too";
  for (int i = 0; i < 3; ++i) {  // several connections: the acceptor must not block on the socket
    auto client = Client::Connect(adopted_path);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    auto reply = (*client)->Send(kValid);
    ASSERT_TRUE(reply.ok() && reply->ok) << i;
  }
  StopServer();
  server_.reset();
  EXPECT_TRUE(std::filesystem::exists(adopted_path)) << "the adopted socket's file was removed";
  EXPECT_EQ(::fcntl(fd, F_GETFD), -1) << "the adopted descriptor was not closed";
}

TEST_P(ServerTest, RefusesToAdoptWhatIsNotAListeningUnixSocket) {
  auto schema = SchemaValidator::DefaultSchema();
  StorageOptions storage_options;
  storage_options.directory = dir_.path() + "/logs";
  auto storage = StorageEngine::Open(storage_options, *schema);
  ASSERT_TRUE(storage.ok());
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const int not_listening = ::socket(AF_UNIX, SOCK_STREAM, 0);
  const int datagram = ::socket(AF_UNIX, SOCK_DGRAM, 0);
  for (int fd : {pipe_fds[0], not_listening, datagram}) {
    ServerOptions options = options_;
    options.listen_fd = fd;
    LogServer server(options, *schema);
    Status st = server.Start(**storage);
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << st.ToString();
    EXPECT_EQ(st.message(), "descriptor " + std::to_string(fd) + " is not a listening Unix stream socket");
    EXPECT_EQ(::fcntl(fd, F_GETFD), -1) << "descriptor " << fd << " was not closed";
  }
  ::close(pipe_fds[1]);
  EXPECT_FALSE(std::filesystem::exists(socket_path_));
  ASSERT_TRUE((*storage)->Close().ok());
}

TEST_P(ServerTest, SetsTheSocketMode) {
  options_.socket_mode = 0600;
  StartServer();
  struct stat st;
  ASSERT_EQ(::stat(socket_path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_P(ServerTest, EveryAcknowledgedLogIsStoredAfterShutdown) {
  StartServer();
  std::vector<std::thread> senders;
  std::atomic<uint64_t> acked{0};
  for (int t = 0; t < 4; ++t) {
    senders.emplace_back([&] {
      auto client = Client::Connect(socket_path_);
      if (!client.ok()) return;
      std::vector<std::string> logs(20000, kValid);
      (void)(*client)->SendAll(logs, 512, [&](size_t, const Reply& reply) {
        if (reply.ok) acked.fetch_add(1);
      });
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  server_->Shutdown();  // while the senders are busy
  ASSERT_TRUE(server_->Wait().ok());
  for (auto& t : senders) t.join();
  ASSERT_TRUE(storage_->Close().ok());
  const ServerStats server_stats = server_->Stats();
  const StorageStats storage_stats = storage_->Stats();
  EXPECT_EQ(server_stats.logs_accepted, acked.load());
  EXPECT_EQ(storage_stats.rows_written, acked.load());
  EXPECT_FALSE(std::filesystem::exists(socket_path_));  // removed on shutdown
  server_.reset();
}

TEST_P(ServerTest, OverloadedUnderDropAndNeverUnderBlock) {
  queue_capacity_ = 16;
  StartServer();
  auto client = Connect();
  ASSERT_NE(client, nullptr);
  std::vector<std::string> logs(20000, kValid);
  uint64_t ok = 0, overloaded = 0, other = 0;
  ASSERT_TRUE(client
                  ->SendAll(logs, 4096,
                            [&](size_t, const Reply& reply) {
                              if (reply.ok)
                                ++ok;
                              else if (reply.error == "overloaded")
                                ++overloaded;
                              else
                                ++other;
                            })
                  .ok());
  EXPECT_EQ(ok + overloaded, logs.size());
  EXPECT_EQ(other, 0u);
  ASSERT_TRUE(Eventually([&](const ServerStats& s) { return s.frames_received == logs.size(); }));
  EXPECT_EQ(server_->Stats().logs_dropped, overloaded);
}

INSTANTIATE_TEST_SUITE_P(Backends, ServerTest, ::testing::Values(IoBackend::kEpoll, IoBackend::kUring),
                         [](const ::testing::TestParamInfo<IoBackend>& backend) {
                           return std::string(IoBackendName(backend.param));
                         });

}  // namespace
}  // namespace server_test
}  // namespace logdaemon
