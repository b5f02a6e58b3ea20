// `logdaemon ingest`: the NDJSON batcher, the summary, and RunIngest end to end against a fake daemon in
// the test process (a thread with its own Unix socket that answers frames like DESIGN.md §2, or
// misbehaves on purpose: closes mid-way, refuses connections, rejects frames as too large).
#include "cli/ingest_command.h"
#include "support/temp_dir.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace logdaemon::cli {
namespace ingest_command_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

// ---- helpers ------------------------------------------------------------------------------------------

// A fresh directory under /tmp, removed with everything in it.
// A TempDir that also writes files into itself.
class TempDir : public testing_support::TempDir {
 public:
  TempDir() : testing_support::TempDir("logdaemon_ingest") {}
  std::string File(const std::string& name, const std::string& content) const {
    std::string path = Sub(name);
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
};

// An unnamed temporary file standing in for stdout / stderr.
class Capture {
 public:
  Capture() : file_(std::tmpfile()) { EXPECT_NE(file_, nullptr); }
  ~Capture() { std::fclose(file_); }
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;

  std::FILE* file() const { return file_; }
  std::string Text() const {
    std::fflush(file_);
    std::string text;
    std::rewind(file_);
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), file_)) > 0) text.append(buf, n);
    return text;
  }

 private:
  std::FILE* file_;
};

struct FakeOptions {
  size_t close_after = SIZE_MAX;       // close each connection after this many replies
  size_t max_frame = size_t{1} << 20;  // a longer frame: "ERROR: frame too large", then close
  bool refuse = false;                 // answer every connection "ERROR: too many connections" and close
  size_t overload_first = 0;           // the first frames (over all connections) are "overloaded"
};

// The daemon's wire protocol on a thread: a log containing "bad" breaks the schema, one containing
// "overload" is always dropped as "overloaded" (so are the first `overload_first` frames), one not starting
// with '{' is invalid JSON, anything else is OK. Connections are served one after another until the server is
// destroyed.
class FakeDaemon {
 public:
  explicit FakeDaemon(FakeOptions options = {}) : options_(options) {
    path_ = dir_.path() + "/logdaemon.sock";
    listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path_.c_str(), path_.size());
    EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(::listen(listen_fd_, 16), 0);
    thread_ = std::thread([this] { Run(); });
  }
  ~FakeDaemon() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
  }
  FakeDaemon(const FakeDaemon&) = delete;
  FakeDaemon& operator=(const FakeDaemon&) = delete;

  const std::string& path() const { return path_; }
  const TempDir& dir() const { return dir_; }
  size_t connections() const { return connections_; }
  // Every frame the server read and answered, in order.
  std::vector<std::string> logs() const {
    std::lock_guard lock(mutex_);
    return logs_;
  }

 private:
  void Run() {
    while (!stop_) {
      pollfd pfd{listen_fd_, POLLIN, 0};
      if (::poll(&pfd, 1, 20) <= 0) continue;
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (fd < 0) continue;
      ++connections_;
      if (options_.refuse) {
        WriteAll(fd, "ERROR: too many connections\n");
      } else {
        Serve(fd);
      }
      ::close(fd);
    }
  }

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

  std::string Answer(std::string_view log) {
    if (log.empty()) return "ERROR: empty frame\n";
    if (log.front() != '{') return "ERROR: invalid JSON: expected an object at byte 0\n";
    if (log.find("overload") != std::string_view::npos || frames_ <= options_.overload_first) {
      return "ERROR: overloaded\n";
    }
    if (log.find("bad") != std::string_view::npos) {
      return "ERROR: schema: /level: enum: \"bad\" is not one of trace, debug, info, warn, error, fatal\n";
    }
    return "OK\n";
  }

  void Serve(int fd) {
    std::string in;
    std::string out;
    std::vector<char> buf(64 * 1024);
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
      size_t pos = 0;
      while (in.size() - pos >= 4) {
        const auto* p = reinterpret_cast<const unsigned char*>(in.data() + pos);
        const uint32_t len = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
        if (len > options_.max_frame) {
          out += std::string("ERROR: frame too large (") + std::to_string(len) + " > " +
                 std::to_string(options_.max_frame) + ")\n";
          WriteAll(fd, out);
          return;
        }
        if (in.size() - pos - 4 < len) break;
        const std::string_view log(in.data() + pos + 4, len);
        pos += 4 + len;
        {
          std::lock_guard lock(mutex_);
          logs_.emplace_back(log);
        }
        ++frames_;
        out += Answer(log);
        if (++replies == options_.close_after) {
          WriteAll(fd, out);
          return;
        }
      }
      in.erase(0, pos);
      if (!WriteAll(fd, out)) return;
      out.clear();
    }
  }

  const FakeOptions options_;
  TempDir dir_;
  std::string path_;
  int listen_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<size_t> connections_{0};
  size_t frames_ = 0;  // the server thread's own
  mutable std::mutex mutex_;
  std::vector<std::string> logs_;
  std::thread thread_;
};

std::string Log(size_t i, std::string_view message = "fine") {
  std::string log = R"({"timestamp":"2026-01-15T19:00:00Z","level":"info","seq":)";
  log.append(std::to_string(i));
  log.append(R"(,"message":")");
  log.append(message);
  log.append("\"}");
  return log;
}

std::string Lines(const std::vector<std::string>& logs) {
  std::string text;
  for (const std::string& log : logs) text.append(log).append("\n");
  return text;
}

struct RunResult {
  int code;
  std::string out;
  std::string err;
};

RunResult Ingest(const std::string& socket, const std::string& file,
                 IngestIo::Mode mode = IngestIo::Mode::kBulk, IngestOptions options = {}) {
  Capture out, err;
  options.socket_path = socket;
  options.file = file;
  IngestIo io;
  io.mode = mode;
  io.out = out.file();
  io.err = err.file();
  const int code = RunIngest(options, io);
  return {code, out.Text(), err.Text()};
}

bool Contains(const std::string& text, std::string_view want) {
  return text.find(want) != std::string::npos;
}

// ---- NdjsonBatcher ------------------------------------------------------------------------------------

// Every batch of an input, with its logs copied (they point into the batcher's buffer).
struct Collected {
  std::vector<std::string> logs;
  std::vector<uint64_t> line_numbers;
  std::vector<size_t> batch_sizes;
  std::vector<std::pair<uint64_t, uint64_t>> too_long;  // line, bytes
  uint64_t blank = 0;
  bool read_ok = true;
};

Collected CollectFd(int fd, NdjsonBatcher::Limits limits, size_t* max_capacity = nullptr) {
  NdjsonBatcher batcher(fd, limits);
  NdjsonBatcher::Batch batch;
  Collected c;
  for (int guard = 0; guard < 1000000; ++guard) {
    c.read_ok = batcher.Next(&batch);
    for (size_t i = 0; i < batch.logs.size(); ++i) {
      c.logs.emplace_back(batch.logs[i]);
      c.line_numbers.push_back(batch.line_numbers[i]);
    }
    if (!batch.logs.empty()) c.batch_sizes.push_back(batch.logs.size());
    if (batch.too_long_line != 0) c.too_long.emplace_back(batch.too_long_line, batch.too_long_bytes);
    c.blank += batch.blank_lines;
    if (max_capacity != nullptr) *max_capacity = std::max(*max_capacity, batcher.capacity());
    if (!c.read_ok || batch.end) break;
  }
  return c;
}

Collected Collect(const std::string& content, NdjsonBatcher::Limits limits, size_t* max_capacity = nullptr) {
  TempDir dir;
  const std::string path = dir.File("input.ndjson", content);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  EXPECT_GE(fd, 0);
  Collected c = CollectFd(fd, limits, max_capacity);
  ::close(fd);
  return c;
}

NdjsonBatcher::Limits SmallLimits(size_t max_line, size_t max_lines, size_t buffer_bytes) {
  NdjsonBatcher::Limits limits;
  limits.max_line = max_line;
  limits.max_lines = max_lines;
  limits.buffer_bytes = buffer_bytes;
  return limits;
}

TEST(NdjsonBatcherTest, SplitsLinesStripsCarriageReturnsAndSkipsBlankLines) {
  Collected c = Collect("{\"a\":1}\r\n\n  \t\r\n{\"b\":2}\n{\"c\":3}", {});
  EXPECT_TRUE(c.read_ok);
  EXPECT_EQ(c.logs, (std::vector<std::string>{R"({"a":1})", R"({"b":2})", R"({"c":3})"}));
  EXPECT_EQ(c.line_numbers, (std::vector<uint64_t>{1, 4, 5}));
  EXPECT_EQ(c.blank, 2u);
  EXPECT_TRUE(c.too_long.empty());
}

TEST(NdjsonBatcherTest, EmptyInputIsOneEmptyLastBatch) {
  Collected c = Collect("", {});
  EXPECT_TRUE(c.read_ok);
  EXPECT_TRUE(c.logs.empty());
  EXPECT_EQ(c.blank, 0u);
  Collected only_newlines = Collect("\n\n\r\n", {});
  EXPECT_TRUE(only_newlines.logs.empty());
  EXPECT_EQ(only_newlines.blank, 3u);
}

TEST(NdjsonBatcherTest, ByteOrderMarkIsDroppedOnlyAtTheStart) {
  Collected c = Collect("\xEF\xBB\xBF{\"a\":1}\n\xEF\xBB\xBF{\"b\":2}\n", {});
  ASSERT_EQ(c.logs.size(), 2u);
  EXPECT_EQ(c.logs[0], R"({"a":1})");
  EXPECT_EQ(c.logs[1], "\xEF\xBB\xBF{\"b\":2}");  // mid-file it is the log's own (invalid) bytes
}

TEST(NdjsonBatcherTest, BatchesHoldAtMostMaxLines) {
  std::vector<std::string> logs;
  for (size_t i = 0; i < 10; ++i) logs.push_back(Log(i));
  Collected c = Collect(Lines(logs), SmallLimits(1000, 3, 1 << 16));
  EXPECT_EQ(c.logs, logs);
  EXPECT_EQ(c.batch_sizes, (std::vector<size_t>{3, 3, 3, 1}));
}

// Whatever the buffer size (down to one byte, so every line crosses reads and the buffer grows), the
// lines come out the same.
TEST(NdjsonBatcherTest, AnyBufferSizeGivesTheSameLines) {
  const std::string content = "{}\n\n{\"k\":\"0123456789\"}\r\nx\n  \n{\"last\":true}";
  const std::vector<std::string> want = {"{}", R"({"k":"0123456789"})", "x", R"({"last":true})"};
  for (size_t buffer = 1; buffer <= 40; ++buffer) {
    size_t capacity = 0;
    Collected c = Collect(content, SmallLimits(100, 2, buffer), &capacity);
    EXPECT_EQ(c.logs, want) << "buffer " << buffer;
    EXPECT_EQ(c.line_numbers, (std::vector<uint64_t>{1, 3, 4, 6})) << "buffer " << buffer;
    EXPECT_EQ(c.blank, 2u) << "buffer " << buffer;
    EXPECT_LE(capacity, std::max<size_t>(buffer, 101)) << "buffer " << buffer;
  }
}

TEST(NdjsonBatcherTest, TooLongLinesAreSkippedAndReportedInOrder) {
  const std::string big(25, 'x');
  const std::string content =
      std::string("short\n") + big + "\nafter\n" + big + "\r\n" + big;  // the last without '\n'
  for (size_t buffer : {4, 8, 16, 64, 1024}) {
    Collected c = Collect(content, SmallLimits(10, 100, buffer));
    EXPECT_TRUE(c.read_ok);
    EXPECT_EQ(c.logs, (std::vector<std::string>{"short", "after"})) << "buffer " << buffer;
    EXPECT_EQ(c.line_numbers, (std::vector<uint64_t>{1, 3})) << "buffer " << buffer;
    // Lengths count the raw bytes of the line, a '\r' included.
    EXPECT_EQ(c.too_long, (std::vector<std::pair<uint64_t, uint64_t>>{{2, 25}, {4, 26}, {5, 25}}))
        << "buffer " << buffer;
  }
}

TEST(NdjsonBatcherTest, ALineExactlyAtTheLimitIsKept) {
  const std::string line(10, 'y');
  Collected c = Collect(line + "\n" + line + "z\n", SmallLimits(10, 100, 4));
  EXPECT_EQ(c.logs, (std::vector<std::string>{line}));
  EXPECT_EQ(c.too_long, (std::vector<std::pair<uint64_t, uint64_t>>{{2, 11}}));
}

TEST(NdjsonBatcherTest, AHugeLineIsNeverHeldWhole) {
  const std::string huge(4 << 20, 'h');
  size_t capacity = 0;
  Collected c = Collect(std::string("{}\n") + huge + "\n{}\n", SmallLimits(1000, 100, 256), &capacity);
  EXPECT_EQ(c.logs, (std::vector<std::string>{"{}", "{}"}));
  EXPECT_EQ(c.too_long, (std::vector<std::pair<uint64_t, uint64_t>>{{2, huge.size()}}));
  EXPECT_LE(capacity, 1001u);
}

TEST(NdjsonBatcherTest, APipeIsSentAsItComesWithoutWaitingForAFullBatch) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  NdjsonBatcher batcher(fds[0], SmallLimits(1000, 1000, 1 << 16));
  NdjsonBatcher::Batch batch;
  ASSERT_EQ(::write(fds[1], "{\"a\":1}\n{\"b\":2}\n{\"c", 19), 19);
  // The writer is still open: the batch comes back with what is complete, instead of blocking.
  ASSERT_TRUE(batcher.Next(&batch));
  EXPECT_EQ(batch.logs, (std::vector<std::string_view>{R"({"a":1})", R"({"b":2})"}));
  EXPECT_FALSE(batch.end);
  ASSERT_EQ(::write(fds[1], "\":3}\n", 5), 5);
  ::close(fds[1]);
  ASSERT_TRUE(batcher.Next(&batch));
  EXPECT_EQ(batch.logs, (std::vector<std::string_view>{R"({"c":3})"}));
  if (!batch.end) {
    ASSERT_TRUE(batcher.Next(&batch));
    EXPECT_TRUE(batch.logs.empty());
    EXPECT_TRUE(batch.end);
  }
  EXPECT_EQ(batcher.lines(), 3u);
  ::close(fds[0]);
}

TEST(NdjsonBatcherTest, AReadErrorIsReported) {
  TempDir dir;
  const int fd = ::open(dir.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  NdjsonBatcher batcher(fd, {});
  NdjsonBatcher::Batch batch;
  EXPECT_FALSE(batcher.Next(&batch));
  EXPECT_EQ(batcher.error(), EISDIR);
  ::close(fd);
}

// ---- IngestTally ----------------------------------------------------------------------------------------

TEST(IngestTallyTest, SummaryCountsAndReasonsLargestFirst) {
  IngestTally tally;
  tally.AddBlank(2);
  tally.AddOk(100);
  tally.AddOk(100);
  tally.AddRejected(50, "invalid JSON: unterminated string at byte 8");
  tally.AddRejected(50, "schema: /level: enum: \"x\" is not one of trace");
  tally.AddRejected(50, "schema: /level: enum: \"y\" is not one of trace");
  tally.AddRejected(50, "overloaded");
  tally.AddRejectedLocally("line too long: 20000000 bytes (the limit is 16 MiB, --max-line-mb); not sent");
  EXPECT_EQ(tally.lines(), 9u);
  EXPECT_EQ(tally.sent(), 6u);
  EXPECT_EQ(tally.ok(), 2u);
  EXPECT_EQ(tally.rejected(), 5u);
  EXPECT_EQ(tally.bytes_sent(), 400u);
  EXPECT_EQ(tally.overloaded(), 1u);

  Capture out;
  tally.PrintSummary(out.file(), 2.0);
  const std::string text = out.Text();
  EXPECT_TRUE(Contains(text, "lines:     9 (2 blank)\n")) << text;
  EXPECT_TRUE(Contains(text, "sent:      6 logs, 0.0 MB in 2.00 s: 3 logs/s\n")) << text;
  EXPECT_TRUE(Contains(text, "ok:        2\nrejected:  5\n")) << text;
  const size_t schema = text.find("         2  schema: /level: enum\n");
  const size_t json = text.find("         1  invalid JSON\n");
  const size_t too_long = text.find("         1  line too long\n");
  ASSERT_NE(schema, std::string::npos) << text;
  ASSERT_NE(json, std::string::npos) << text;
  ASSERT_NE(too_long, std::string::npos) << text;
  EXPECT_LT(schema, json);
  EXPECT_TRUE(Contains(text, "dropped 1 logs; send them again")) << text;
  EXPECT_FALSE(Contains(text, "retried:")) << text;
}

TEST(IngestTallyTest, RetriesAreShownWhenThereWereAny) {
  IngestTally tally;
  tally.AddRetries(3);
  tally.AddOk(10);
  EXPECT_EQ(tally.retries(), 3u);
  Capture out;
  tally.PrintSummary(out.file(), 1.0);
  EXPECT_TRUE(Contains(out.Text(), "retried:   3 sends of logs answered 'overloaded'")) << out.Text();
  EXPECT_FALSE(Contains(out.Text(), "dropped")) << out.Text();
}

TEST(IngestTallyTest, NothingSent) {
  IngestTally tally;
  Capture out;
  tally.PrintSummary(out.file(), 0.0);
  EXPECT_TRUE(Contains(out.Text(), "sent:      0 logs")) << out.Text();
  EXPECT_TRUE(Contains(out.Text(), "rejected:  0\n")) << out.Text();
}

// ---- RunIngest, bulk mode ---------------------------------------------------------------------------------

TEST(IngestBulkTest, EveryLogArrivesInOrderAndExitIsZero) {
  FakeDaemon daemon;
  std::vector<std::string> logs;
  for (size_t i = 0; i < 3000; ++i) logs.push_back(Log(i));
  const std::string input = daemon.dir().File("in.ndjson", Lines(logs));
  IngestOptions options;
  options.window = 16;
  RunResult r = Ingest(daemon.path(), input, IngestIo::Mode::kBulk, options);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(daemon.logs(), logs);
  EXPECT_TRUE(Contains(r.err, "sent:      3000 logs")) << r.err;
  EXPECT_TRUE(Contains(r.err, "ok:        3000\nrejected:  0\n")) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(IngestBulkTest, CrlfAndBlankLinesAreNotSent) {
  FakeDaemon daemon;
  const std::string input = daemon.dir().File("in.ndjson", "\r\n{\"a\":1}\r\n   \n{\"b\":2}\r\n\n");
  RunResult r = Ingest(daemon.path(), input);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(daemon.logs(), (std::vector<std::string>{R"({"a":1})", R"({"b":2})"}));
  EXPECT_TRUE(Contains(r.err, "lines:     5 (3 blank)")) << r.err;
}

TEST(IngestBulkTest, RejectedLogsAreCountedByReasonShownWithTheirLineAndExitIsOne) {
  FakeDaemon daemon;
  const std::string input = daemon.dir().File(
      "in.ndjson",
      Lines({Log(1), Log(2, "bad"), "not json at all", Log(4), Log(5, "bad"), Log(6, "overload")}));
  IngestOptions options;
  options.retry_overloaded_seconds = 0;  // "overloaded" counts at once
  RunResult r = Ingest(daemon.path(), input, IngestIo::Mode::kBulk, options);
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_EQ(daemon.logs().size(), 6u);
  EXPECT_TRUE(Contains(r.err, input + ":2: schema: /level: enum: \"bad\" is not one of")) << r.err;
  EXPECT_TRUE(Contains(r.err, input + ":3: invalid JSON: expected an object")) << r.err;
  EXPECT_TRUE(Contains(r.err, "ok:        2\nrejected:  4\n")) << r.err;
  EXPECT_TRUE(Contains(r.err, "         2  schema: /level: enum\n")) << r.err;
  EXPECT_TRUE(Contains(r.err, "         1  overloaded\n")) << r.err;
  EXPECT_TRUE(Contains(r.err, "dropped 1 logs")) << r.err;
}

// "overloaded" means the daemon's buffer was full, not that the log is wrong: it is sent again.
TEST(IngestBulkTest, OverloadedLogsAreSentAgainUntilAccepted) {
  FakeDaemon daemon(FakeOptions{.overload_first = 150});
  std::vector<std::string> logs;
  for (size_t i = 0; i < 100; ++i) logs.push_back(Log(i));
  IngestOptions options;
  options.window = 16;
  RunResult r =
      Ingest(daemon.path(), daemon.dir().File("in.ndjson", Lines(logs)), IngestIo::Mode::kBulk, options);
  EXPECT_EQ(r.code, 0) << r.err;
  // 100 overloaded, then 50 of the resent 100, then the last 50 accepted.
  const std::vector<std::string> seen = daemon.logs();
  ASSERT_EQ(seen.size(), 250u);
  std::vector<std::string> accepted(seen.begin() + 150, seen.end());
  std::sort(accepted.begin(), accepted.end());
  std::vector<std::string> want = logs;
  std::sort(want.begin(), want.end());
  EXPECT_EQ(accepted, want);
  EXPECT_TRUE(Contains(r.err, "ok:        100\nrejected:  0\n")) << r.err;
  EXPECT_TRUE(Contains(r.err, "retried:   150 sends")) << r.err;
}

TEST(IngestBulkTest, LogsStillOverloadedAfterTheRetryBudgetCountAsDropped) {
  FakeDaemon daemon;
  IngestOptions options;
  options.retry_overloaded_seconds = 1;
  RunResult r =
      Ingest(daemon.path(), daemon.dir().File("in.ndjson", Lines({Log(1), Log(2, "overload"), Log(3)})),
             IngestIo::Mode::kBulk, options);
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_TRUE(Contains(r.err, ":2: overloaded\n")) << r.err;
  EXPECT_TRUE(Contains(r.err, "ok:        2\nrejected:  1\n")) << r.err;
  EXPECT_TRUE(Contains(r.err, "         1  overloaded\n")) << r.err;
  EXPECT_TRUE(Contains(r.err, "dropped 1 logs")) << r.err;
  EXPECT_GE(daemon.logs().size(), 4u);  // sent at least twice
}

TEST(IngestBulkTest, OnlyTheFirstTenRejectionsAreShown) {
  FakeDaemon daemon;
  std::vector<std::string> logs;
  for (size_t i = 0; i < 25; ++i) logs.push_back(Log(i, "bad"));
  const std::string input = daemon.dir().File("in.ndjson", Lines(logs));
  RunResult r = Ingest(daemon.path(), input);
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(Contains(r.err, input + ":10: schema")) << r.err;
  EXPECT_FALSE(Contains(r.err, input + ":11: schema")) << r.err;
  EXPECT_TRUE(Contains(r.err, "… 15 more rejected")) << r.err;
  EXPECT_TRUE(Contains(r.err, "        25  schema: /level: enum\n")) << r.err;
}

TEST(IngestBulkTest, EmptyInputSendsNothingAndSucceeds) {
  FakeDaemon daemon;
  RunResult r = Ingest(daemon.path(), daemon.dir().File("empty.ndjson", ""));
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(daemon.logs().empty());
  EXPECT_TRUE(Contains(r.err, "lines:     0\nsent:      0 logs")) << r.err;
}

TEST(IngestBulkTest, ALineBeyondMaxLineMbIsRejectedLocallyAndNeverSent) {
  FakeDaemon daemon(FakeOptions{.max_frame = size_t{4} << 20});
  const std::string big = std::string("{\"message\":\"") + std::string((1 << 20) + 100, 'x') + "\"}";
  const std::string input = daemon.dir().File("in.ndjson", Lines({Log(1), big, Log(3)}));
  IngestOptions options;
  options.max_line_mb = 1;
  RunResult r = Ingest(daemon.path(), input, IngestIo::Mode::kBulk, options);
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_EQ(daemon.logs(), (std::vector<std::string>{Log(1), Log(3)}));
  EXPECT_TRUE(Contains(r.err, input + ":2: line too long: " + std::to_string(big.size()) +
                                  " bytes (the limit is 1 MiB, --max-line-mb); not sent"))
      << r.err;
  EXPECT_TRUE(Contains(r.err, "         1  line too long\n")) << r.err;
}

// The daemon answers a frame beyond its --max-message-bytes with "frame too large" and closes the
// connection without reading what follows: ingest sends the rest again on a new connection.
TEST(IngestBulkTest, AfterFrameTooLargeTheRestIsSentOnANewConnection) {
  FakeDaemon daemon(FakeOptions{.max_frame = 1000});
  std::vector<std::string> logs;
  for (size_t i = 0; i < 200; ++i)
    logs.push_back(i == 60 || i == 150 ? Log(i, std::string(2000, 'z')) : Log(i));
  const std::string input = daemon.dir().File("in.ndjson", Lines(logs));
  RunResult r = Ingest(daemon.path(), input);
  EXPECT_EQ(r.code, 1) << r.err;
  std::vector<std::string> want = logs;
  want.erase(want.begin() + 150);
  want.erase(want.begin() + 60);
  EXPECT_EQ(daemon.logs(), want);
  EXPECT_EQ(daemon.connections(), 3u);
  EXPECT_TRUE(Contains(r.err, input + ":61: frame too large (")) << r.err;
  EXPECT_TRUE(Contains(r.err, "ok:        198\nrejected:  2\n")) << r.err;
  EXPECT_TRUE(Contains(r.err, "         2  frame too large\n")) << r.err;
}

TEST(IngestBulkTest, ADaemonThatClosesMidWaySaysHowManyWereAnswered) {
  FakeDaemon daemon(FakeOptions{.close_after = 50});
  std::vector<std::string> logs;
  for (size_t i = 0; i < 200; ++i) logs.push_back(Log(i, i == 7 ? "bad" : "fine"));
  const std::string input =
      daemon.dir().File("in.ndjson", std::string("\n") + Lines(logs));  // log i is on line i + 2
  RunResult r = Ingest(daemon.path(), input);
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_TRUE(Contains(r.err, "logdaemon ingest: lost the connection to " + daemon.path() + ": ")) << r.err;
  EXPECT_TRUE(Contains(r.err, "50 logs were answered before that (49 ok, 1 rejected); " + input +
                                  " from line 52 on got no answer"))
      << r.err;
  EXPECT_TRUE(Contains(r.err, "sent:      50 logs")) << r.err;
  EXPECT_EQ(daemon.connections(), 1u);
}

TEST(IngestBulkTest, NoDaemonIsAClearErrorAndExitOne) {
  TempDir dir;
  const std::string socket = dir.path() + "/nobody.sock";
  RunResult r = Ingest(socket, dir.File("in.ndjson", Lines({Log(1)})));
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(Contains(r.err, "logdaemon ingest: cannot connect to " + socket + ": no such socket")) << r.err;
  EXPECT_TRUE(Contains(r.err, "is logdaemon serve running?")) << r.err;
}

TEST(IngestBulkTest, AStaleSocketNobodyListensOnIsAClearError) {
  TempDir dir;
  const std::string socket = dir.path() + "/stale.sock";
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, socket.c_str(), socket.size());
  ASSERT_EQ(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)), 0);
  ::close(fd);  // bound, never listened on: the file stays
  RunResult r = Ingest(socket, dir.File("in.ndjson", Lines({Log(1)})));
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(Contains(r.err, "cannot connect to " + socket + ": connection refused")) << r.err;
}

TEST(IngestBulkTest, TooManyConnectionsIsARefusalNotARejectedLog) {
  FakeDaemon daemon(FakeOptions{.refuse = true});
  RunResult r = Ingest(daemon.path(), daemon.dir().File("in.ndjson", Lines({Log(1), Log(2)})));
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(Contains(r.err, "refused the connection: too many connections")) << r.err;
  EXPECT_TRUE(Contains(r.err, "rejected:  0\n")) << r.err;
}

TEST(IngestBulkTest, UsageErrorsExitTwo) {
  FakeDaemon daemon;
  EXPECT_EQ(Ingest(daemon.path(), daemon.dir().path() + "/missing.ndjson").code, 2);
  RunResult dir = Ingest(daemon.path(), daemon.dir().path());
  EXPECT_EQ(dir.code, 2);
  EXPECT_TRUE(Contains(dir.err, "is a directory")) << dir.err;
  IngestOptions options;
  options.window = 0;
  EXPECT_EQ(
      Ingest(daemon.path(), daemon.dir().File("in.ndjson", "{}\n"), IngestIo::Mode::kBulk, options).code, 2);
  options = {};
  options.max_line_mb = 0;
  EXPECT_EQ(
      Ingest(daemon.path(), daemon.dir().File("in.ndjson", "{}\n"), IngestIo::Mode::kBulk, options).code, 2);
  options.max_line_mb = 4096;
  EXPECT_EQ(
      Ingest(daemon.path(), daemon.dir().File("in.ndjson", "{}\n"), IngestIo::Mode::kBulk, options).code, 2);
  EXPECT_TRUE(daemon.logs().empty());
}

// ---- RunIngest, interactive mode ----------------------------------------------------------------------

TEST(IngestInteractiveTest, EachLineGetsItsVerdictOnStdout) {
  FakeDaemon daemon;
  const std::string input =
      daemon.dir().File("typed.ndjson", Lines({Log(1), "", Log(2, "bad"), "{oops", Log(3)}));
  RunResult r = Ingest(daemon.path(), input, IngestIo::Mode::kInteractive);
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_EQ(r.out,
            "✓\n"
            "✗ schema: /level: enum: \"bad\" is not one of trace, debug, info, warn, error, fatal\n"
            "✓\n"  // "{oops" is valid for the fake daemon, which only looks at the first byte
            "✓\n");
  EXPECT_TRUE(Contains(r.err, "enter JSON logs, one per line")) << r.err;
  EXPECT_TRUE(Contains(r.err, "logdaemon ingest: 4 sent: 3 ok, 1 rejected\n")) << r.err;
}

TEST(IngestInteractiveTest, AllAcceptedExitsZero) {
  FakeDaemon daemon;
  RunResult r = Ingest(daemon.path(), daemon.dir().File("typed.ndjson", Lines({Log(1), Log(2)})),
                       IngestIo::Mode::kInteractive);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "✓\n✓\n");
  EXPECT_TRUE(Contains(r.err, "logdaemon ingest: 2 sent: 2 ok, 0 rejected\n")) << r.err;
}

TEST(IngestInteractiveTest, AnOverloadedLogIsSentAgain) {
  FakeDaemon daemon(FakeOptions{.overload_first = 2});
  RunResult r = Ingest(daemon.path(), daemon.dir().File("typed.ndjson", Lines({Log(1), Log(2)})),
                       IngestIo::Mode::kInteractive);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "✓\n✓\n");
  EXPECT_EQ(daemon.logs(), (std::vector<std::string>{Log(1), Log(1), Log(1), Log(2)}));
}

TEST(IngestInteractiveTest, ATooLongLineIsRejectedLocally) {
  FakeDaemon daemon;
  IngestOptions options;
  options.max_line_mb = 1;
  const std::string big(size_t{2} << 20, 'q');
  RunResult r = Ingest(daemon.path(), daemon.dir().File("typed.ndjson", Lines({big, Log(2)})),
                       IngestIo::Mode::kInteractive, options);
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_EQ(r.out, "✗ line too long: 2097152 bytes (the limit is 1 MiB, --max-line-mb); not sent\n✓\n");
  EXPECT_EQ(daemon.logs(), (std::vector<std::string>{Log(2)}));
}

// A daemon that closed the connection since the last line (restarted, idle timeout) is reconnected to.
TEST(IngestInteractiveTest, AClosedConnectionIsOpenedAgain) {
  FakeDaemon daemon(FakeOptions{.close_after = 1});
  const std::vector<std::string> logs = {Log(1), Log(2), Log(3)};
  RunResult r =
      Ingest(daemon.path(), daemon.dir().File("typed.ndjson", Lines(logs)), IngestIo::Mode::kInteractive);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "✓\n✓\n✓\n");
  EXPECT_EQ(daemon.logs(), logs);
  EXPECT_EQ(daemon.connections(), 3u);
}

TEST(IngestInteractiveTest, FrameTooLargeThenTheNextLineUsesANewConnection) {
  FakeDaemon daemon(FakeOptions{.max_frame = 100});
  RunResult r =
      Ingest(daemon.path(), daemon.dir().File("typed.ndjson", Lines({Log(1, std::string(200, 'w')), Log(2)})),
             IngestIo::Mode::kInteractive);
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_TRUE(r.out.starts_with("✗ frame too large (")) << r.out;
  EXPECT_TRUE(r.out.ends_with("✓\n")) << r.out;
  EXPECT_FALSE(Contains(r.err, "lost the connection")) << r.err;
  EXPECT_EQ(daemon.connections(), 2u);
}

TEST(IngestInteractiveTest, NoDaemon) {
  TempDir dir;
  RunResult r = Ingest(dir.path() + "/none.sock", dir.File("typed.ndjson", Lines({Log(1)})),
                       IngestIo::Mode::kInteractive);
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(r.out.empty());
  EXPECT_TRUE(Contains(r.err, "cannot connect to")) << r.err;
}

}  // namespace
}  // namespace ingest_command_test
}  // namespace logdaemon::cli
