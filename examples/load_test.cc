// load_test: sends N logs to a running daemon as fast as it takes them and reports throughput and reply
// latency (the README's "Load Testing").
//
//   build/examples/load_test SOCKET N [--connections C] [--window W] [--corpus FILE] [--json]
//
// N logs in total are spread over C connections (one thread each, default 1). Each connection pipelines
// its frames with at most W unanswered (default 256), over the wire protocol directly (a u32 big-endian
// length, then the JSON; one "OK\n" or "ERROR: <reason>\n" per frame, in order), because it needs the
// moment each frame is written: the latency of a frame runs from the write() that completes it to the
// read() that brings its reply. The logs are either generated (realistic ~250-byte logs of the default
// schema: levels, services, messages, trace ids, metadata, timestamps of the current time) or the lines
// of an NDJSON corpus file, cycled. All frames are built before the clock starts, so the generator never
// limits the rate.
//
// Prints logs/s, MB/s (frame bytes, length prefixes included), p50/p99 latency, ok and errors by reason,
// and the elapsed time; --json prints the same as one JSON object. Exit status: 0 when every log got a
// reply (accepted or not), 1 when a connection failed, 2 on a usage error.
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <barrier>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kGeneratedPoolLogs = 65536;            // distinct generated logs, cycled
constexpr size_t kCorpusPoolBytes = size_t{256} << 20;  // the corpus frames kept in memory, at most
constexpr size_t kMaxSamples = 1'000'000;               // latency samples over all connections
constexpr size_t kMaxWriteBytes = 256 * 1024;           // per write(), so that replies are read in between
constexpr int kNoProgressTimeoutMs = 30'000;

struct Args {
  std::string socket_path;
  uint64_t total = 0;
  size_t connections = 1;
  size_t window = 256;
  std::string corpus;
  bool json = false;
  bool live_time = false;
};

int Usage(const char* why) {
  if (why != nullptr) std::fprintf(stderr, "load_test: %s\n", why);
  std::fprintf(
      stderr,
      "usage: load_test SOCKET N [--connections C] [--window W] [--corpus FILE] [--live-time] [--json]\n"
      "  N              logs to send in total\n"
      "  --connections  connections (threads) sharing them, default 1\n"
      "  --window       frames sent ahead of their replies per connection, default 256\n"
      "  --corpus       NDJSON file whose lines are sent (cycled) instead of generated logs\n"
      "  --live-time    stamp each log's \"timestamp\" with the time it is sent (as live logs\n"
      "                 are) rather than the pool's, which repeat with every cycle through it\n"
      "  --json         print the results as one JSON object\n");
  return 2;
}

bool ParseCount(const char* text, uint64_t min, uint64_t max, uint64_t* out) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || v < min || v > max) return false;
  *out = v;
  return true;
}

// ---- the frames ---------------------------------------------------------------------------------------

// Frames back to back in one buffer, so that a run of them is written with one write() straight from it.
struct FramePool {
  static constexpr size_t kStampLength = 27;  // 2026-01-15T19:00:00.000000Z
  static constexpr uint32_t kNoStamp = UINT32_MAX;
  std::string bytes;
  std::vector<size_t> offsets;  // frame i is [offsets[i], offsets[i + 1])
  // Where in frame i (from its length prefix) its "timestamp" value is, when that value has the form
  // --live-time rewrites in place (kStampLength characters of RFC 3339 UTC with microseconds).
  std::vector<uint32_t> stamp_at;
  size_t count() const { return offsets.size() - 1; }

  FramePool() { offsets.push_back(0); }
  void Add(std::string_view json) {
    const auto n = static_cast<uint32_t>(json.size());
    const char header[4] = {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                            static_cast<char>(n)};
    bytes.append(header, 4);
    bytes.append(json);
    offsets.push_back(bytes.size());
    stamp_at.push_back(StampOffset(json));
  }

  static uint32_t StampOffset(std::string_view json) {
    constexpr std::string_view kKey = "\"timestamp\":\"";
    const size_t key = json.find(kKey);
    if (key == std::string_view::npos) return kNoStamp;
    const size_t at = key + kKey.size();
    if (json.size() < at + kStampLength + 1 || json[at + kStampLength] != '"') return kNoStamp;
    constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd.ddddddZ";
    for (size_t i = 0; i < kStampLength; ++i) {
      const char c = json[at + i];
      if (kShape[i] == 'd' ? (c < '0' || c > '9') : c != kShape[i]) return kNoStamp;
    }
    return static_cast<uint32_t>(4 + at);
  }
};

// RFC 3339 UTC with microseconds: FramePool::kStampLength characters.
void AppendTimestamp(std::chrono::system_clock::time_point t, std::string* out) {
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  const time_t seconds = static_cast<time_t>(micros / 1'000'000);
  std::tm tm{};
  ::gmtime_r(&seconds, &tm);
  char text[64];
  std::snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(micros % 1'000'000));
  *out += text;
}

// Realistic logs of the default schema, from a fixed seed (the same logs on every run).
class LogGenerator {
 public:
  LogGenerator() : rng_(20260115), start_(std::chrono::system_clock::now()) {}

  std::string Next(size_t i) {
    std::string log = "{\"timestamp\":\"";
    AppendTimestamp(start_ + std::chrono::microseconds(i * 37), &log);
    log += "\",\"level\":\"";
    log += Level();
    log += "\",\"message\":\"";
    const size_t service = Pick(std::size(kServices));
    const uint64_t id = 1000 + Pick(90000);
    const uint64_t ms = 1 + Pick(900);
    char message[160];
    switch (service) {
      case 0:
        std::snprintf(message, sizeof(message), "GET /api/v1/orders/%" PRIu64 " %d in %" PRIu64 " ms", id,
                      Pick(20) == 0 ? 503 : 200, ms);
        break;
      case 1:
        std::snprintf(
            message, sizeof(message),
            Pick(8) == 0 ? "login failed for user %" PRIu64 ": bad password" : "user %" PRIu64 " logged in",
            id);
        break;
      case 2:
        std::snprintf(message, sizeof(message), "charged order %" PRIu64 ": %" PRIu64 ".%02" PRIu64 " EUR",
                      id, ms, id % 100);
        break;
      case 3:
        std::snprintf(message, sizeof(message),
                      "query \\\"%s\\\" returned %" PRIu64 " hits in %" PRIu64 " ms",
                      kWords[Pick(std::size(kWords))], id % 500, ms);
        break;
      default:
        std::snprintf(message, sizeof(message),
                      Pick(10) == 0 ? "job %" PRIu64 " failed: timeout after %" PRIu64 " ms, retrying"
                                    : "job %" PRIu64 " finished in %" PRIu64 " ms",
                      id, ms);
        break;
    }
    log += message;
    log += "\",\"service\":\"";
    log += kServices[service];
    log += '"';
    if (Pick(10) != 0) {
      log += ",\"trace_id\":\"";
      for (int k = 0; k < 32; ++k) log += "0123456789abcdef"[Pick(16)];
      log += '"';
    }
    char metadata[200];
    std::snprintf(metadata, sizeof(metadata),
                  ",\"metadata\":{\"host\":\"web-%02" PRIu64 "\",\"user_id\":%" PRIu64
                  ",\"duration_ms\":%" PRIu64 ".%" PRIu64 ",\"http\":{\"status\":%d,\"method\":\"%s\"}}}",
                  Pick(24), id, ms, id % 10, Pick(20) == 0 ? 503 : 200, Pick(4) == 0 ? "POST" : "GET");
    log += metadata;
    return log;
  }

 private:
  static constexpr const char* kServices[] = {"api-gateway", "auth", "billing", "search", "worker"};
  static constexpr const char* kWords[] = {"parquet", "unix socket", "io_uring", "schema", "backpressure"};

  uint64_t Pick(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng_); }

  const char* Level() {
    // Mostly info, as real services log.
    const uint64_t p = Pick(100);
    if (p < 2) return "trace";
    if (p < 17) return "debug";
    if (p < 82) return "info";
    if (p < 94) return "warn";
    if (p < 99) return "error";
    return "fatal";
  }

  std::mt19937_64 rng_;
  const std::chrono::system_clock::time_point start_;
};

bool LoadCorpus(const std::string& path, uint64_t needed, FramePool* pool) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "load_test: %s: cannot open: %s\n", path.c_str(), std::strerror(errno));
    return false;
  }
  std::string line;
  while (pool->count() < needed && pool->bytes.size() < kCorpusPoolBytes && std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    pool->Add(line);
  }
  if (pool->count() == 0) {
    std::fprintf(stderr, "load_test: %s: no logs in it\n", path.c_str());
    return false;
  }
  return true;
}

// ---- one connection -----------------------------------------------------------------------------------

std::string ReasonClass(std::string_view error) {
  // "schema: /level: enum: …" → "schema: /level: enum"; "invalid JSON: …" → "invalid JSON";
  // "frame too large (N > M)" → "frame too large".
  if (error.starts_with("schema: ")) {
    size_t pointer_end = error.find(": ", 8);
    return std::string(error.substr(
        0, pointer_end == std::string_view::npos ? pointer_end : error.find(": ", pointer_end + 2)));
  }
  return std::string(error.substr(0, std::min(error.find(':'), error.find(" ("))));
}

struct ConnectionResult {
  uint64_t replies = 0;
  uint64_t ok = 0;
  uint64_t errors = 0;
  uint64_t bytes = 0;  // frame bytes written
  std::map<std::string, uint64_t> errors_by_reason;
  std::vector<uint32_t> latency_us;  // sampled
  std::string failure;               // empty: every frame got its reply
};

int ConnectTo(const std::string& path, std::string* error) {
  sockaddr_un addr{};
  if (path.size() >= sizeof(addr.sun_path)) {
    *error = path + ": socket path too long";
    return -1;
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    *error = path + ": cannot connect: " + std::strerror(errno) + " (is logdaemon serve running?)";
    if (fd >= 0) ::close(fd);
    return -1;
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

// Sends `count` frames of the pool, starting at frame `first` and cycling, with at most `window`
// unanswered, and reads every reply.
class Connection {
 public:
  Connection(const FramePool& pool, size_t first, uint64_t count, size_t window, uint64_t sample_every,
             bool live_time)
      : pool_(pool),
        first_(first),
        count_(count),
        window_(window),
        sample_every_(sample_every),
        live_time_(live_time),
        sent_at_(window) {}

  void Run(int fd, ConnectionResult* result) {
    result_ = result;
    rbuf_.resize(64 * 1024);
    while (result_->replies < count_) {
      const uint64_t may_send = std::min(count_, result_->replies + window_);
      const bool want_write = !write_closed_ && sent_ < may_send;
      pollfd pfd{fd, static_cast<short>(POLLIN | (want_write ? POLLOUT : 0)), 0};
      const int ready = ::poll(&pfd, 1, kNoProgressTimeoutMs);
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) return Fail(ready == 0 ? "no reply from the daemon for 30 s" : "poll failed");
      if (want_write && (pfd.revents & POLLOUT)) Write(fd, may_send);
      if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
        if (!Read(fd)) return;
      }
    }
  }

 private:
  // Writes the frames [sent_, may_send), from where the last write stopped, without wrapping the pool.
  void Write(int fd, uint64_t may_send) {
    const size_t frame = (first_ + sent_) % pool_.count();
    const size_t frames = static_cast<size_t>(std::min<uint64_t>(may_send - sent_, pool_.count() - frame));
    const size_t begin = pool_.offsets[frame] + partial_;
    const size_t end = std::min(pool_.offsets[frame + frames], begin + kMaxWriteBytes);
    const char* data = live_time_ ? Stamped(frame, begin, end) : pool_.bytes.data() + begin;
    const ssize_t n = ::send(fd, data, end - begin, MSG_NOSIGNAL);
    if (n < 0) {
      // The daemon stopped reading (it closed the connection): collect the replies it still sends.
      if (errno == EPIPE || errno == ECONNRESET) write_closed_ = true;
      return;
    }
    const Clock::time_point now = Clock::now();
    result_->bytes += static_cast<uint64_t>(n);
    size_t position = begin + static_cast<size_t>(n);
    size_t f = frame;
    // Every frame this write completed is stamped with its time.
    while (f < frame + frames && pool_.offsets[f + 1] <= position) {
      sent_at_[sent_ % window_] = now;
      ++sent_;
      ++f;
    }
    const bool continued = f == frame && partial_ > 0;  // the frame cut before is still not done
    partial_ = position - pool_.offsets[f];
    // A frame this write started and cut keeps the time it was stamped with for its remaining bytes.
    if (live_time_ && partial_ > 0 && !continued) partial_stamp_ = stamp_;
  }

  // --live-time: the pool's bytes [begin, end) (frames from `frame` on) copied, each "timestamp" value
  // in them replaced by the time of this write; the pool itself is shared by the connections, read-only.
  const char* Stamped(size_t frame, size_t begin, size_t end) {
    stamp_.clear();
    AppendTimestamp(std::chrono::system_clock::now(), &stamp_);
    stage_.assign(pool_.bytes.data() + begin, end - begin);
    for (size_t f = frame; f < pool_.count() && pool_.offsets[f] < end; ++f) {
      if (pool_.stamp_at[f] == FramePool::kNoStamp) continue;
      // A frame already started in an earlier write goes on with the time it started with.
      const std::string& stamp = (f == frame && partial_ > 0) ? partial_stamp_ : stamp_;
      const size_t at = pool_.offsets[f] + pool_.stamp_at[f];
      for (size_t i = 0; i < FramePool::kStampLength; ++i) {
        if (at + i >= begin && at + i < end) stage_[at + i - begin] = stamp[i];
      }
    }
    return stage_.data();
  }

  bool Read(int fd) {
    const ssize_t n = ::recv(fd, rbuf_.data() + rend_, rbuf_.size() - rend_, 0);
    if (n == 0 || (n < 0 && (errno == ECONNRESET || errno == EPIPE))) {
      Fail("the daemon closed the connection after " + std::to_string(result_->replies) + " of " +
           std::to_string(count_) + " replies");
      return false;
    }
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return true;
      Fail(std::string("recv: ") + std::strerror(errno));
      return false;
    }
    const Clock::time_point now = Clock::now();
    rend_ += static_cast<size_t>(n);
    size_t start = 0;
    while (const void* found = std::memchr(rbuf_.data() + start, '\n', rend_ - start)) {
      const size_t stop = static_cast<size_t>(static_cast<const char*>(found) - rbuf_.data());
      const std::string_view line(rbuf_.data() + start, stop - start);
      start = stop + 1;
      // A reply comes after its whole frame, except "frame too large", which the daemon sends after the
      // length alone (and then closes the connection).
      if (result_->replies >= sent_ + (partial_ > 0 ? 1 : 0)) {
        Fail("a reply before its log was sent: " + std::string(line.substr(0, 100)));
        return false;
      }
      if (result_->replies % sample_every_ == 0) {
        const auto us =
            std::chrono::duration_cast<std::chrono::microseconds>(now - sent_at_[result_->replies % window_]);
        result_->latency_us.push_back(static_cast<uint32_t>(std::min<int64_t>(us.count(), UINT32_MAX)));
      }
      ++result_->replies;
      if (line == "OK") {
        ++result_->ok;
      } else if (line.starts_with("ERROR: ")) {
        ++result_->errors;
        ++result_->errors_by_reason[ReasonClass(line.substr(7))];
      } else {
        Fail("unexpected reply: " + std::string(line.substr(0, 100)));
        return false;
      }
    }
    std::memmove(rbuf_.data(), rbuf_.data() + start, rend_ - start);
    rend_ -= start;
    if (rend_ == rbuf_.size()) {
      Fail("a reply line longer than 64 KiB");
      return false;
    }
    return true;
  }

  void Fail(std::string why) { result_->failure = std::move(why); }

  const FramePool& pool_;
  const size_t first_;
  const uint64_t count_;
  const uint64_t window_;
  const uint64_t sample_every_;
  const bool live_time_;
  std::string stage_;          // --live-time: this write's bytes, stamped
  std::string stamp_;          // the time this write's frames carry
  std::string partial_stamp_;  // the time the frame cut by an earlier write carries
  ConnectionResult* result_ = nullptr;
  uint64_t sent_ = 0;   // frames written completely
  size_t partial_ = 0;  // bytes of frame sent_ already written
  bool write_closed_ = false;
  std::vector<Clock::time_point> sent_at_;  // frame i's write time at [i % window]; i in flight
  std::vector<char> rbuf_;
  size_t rend_ = 0;
};

// ---- the report ---------------------------------------------------------------------------------------

double Percentile(std::vector<uint32_t>& samples, double p) {
  if (samples.empty()) return 0;
  const size_t k = std::min(samples.size() - 1, static_cast<size_t>(p * static_cast<double>(samples.size())));
  std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(k), samples.end());
  return samples[k] / 1000.0;
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof(esc), "\\u%04x", c);
      out += esc;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    uint64_t value = 0;
    if (arg == "-h" || arg == "--help") {
      Usage(nullptr);
      return 0;
    }
    if (arg == "--json") {
      args.json = true;
    } else if (arg == "--live-time") {
      args.live_time = true;
    } else if (arg == "--connections" || arg == "--window" || arg == "--corpus") {
      if (i + 1 >= argc) return Usage("an option lacks its value");
      const char* v = argv[++i];
      if (arg == "--corpus") {
        args.corpus = v;
      } else if (!ParseCount(v, 1, arg == "--connections" ? 10'000 : 1'000'000, &value)) {
        return Usage(arg == "--connections" ? "--connections: 1 to 10000" : "--window: 1 to 1000000");
      } else {
        (arg == "--connections" ? args.connections : args.window) = static_cast<size_t>(value);
      }
    } else if (arg.starts_with("-")) {
      return Usage("unknown option");
    } else {
      positional.emplace_back(arg);
    }
  }
  if (positional.size() != 2) return Usage("SOCKET and N are required");
  args.socket_path = positional[0];
  if (!ParseCount(positional[1].c_str(), 1, UINT64_MAX, &args.total))
    return Usage("N: a number of logs, >= 1");
  const size_t connections = static_cast<size_t>(std::min<uint64_t>(args.connections, args.total));

  // Every frame before the clock starts.
  FramePool pool;
  if (!args.corpus.empty()) {
    if (!LoadCorpus(args.corpus, args.total, &pool)) return 2;
  } else {
    LogGenerator generator;
    const size_t n = static_cast<size_t>(std::min<uint64_t>(args.total, kGeneratedPoolLogs));
    for (size_t i = 0; i < n; ++i) pool.Add(generator.Next(i));
  }
  const uint64_t sample_every = std::max<uint64_t>(1, args.total / kMaxSamples);

  // Connect everything first; then all threads start together.
  std::vector<ConnectionResult> results(connections);
  std::vector<int> fds(connections, -1);
  for (size_t c = 0; c < connections; ++c) fds[c] = ConnectTo(args.socket_path, &results[c].failure);
  std::barrier start_line(static_cast<std::ptrdiff_t>(connections + 1));
  std::vector<std::thread> threads;
  for (size_t c = 0; c < connections; ++c) {
    const uint64_t count = args.total / connections + (c < args.total % connections ? 1 : 0);
    threads.emplace_back([&, c, count] {
      Connection connection(pool, c * pool.count() / connections, count, args.window, sample_every,
                            args.live_time);
      start_line.arrive_and_wait();
      if (fds[c] >= 0) connection.Run(fds[c], &results[c]);
    });
  }
  start_line.arrive_and_wait();
  const Clock::time_point start = Clock::now();
  for (std::thread& t : threads) t.join();
  const double seconds = std::max(std::chrono::duration<double>(Clock::now() - start).count(), 1e-9);
  for (int fd : fds) {
    if (fd >= 0) ::close(fd);
  }

  // Sum up.
  ConnectionResult total;
  size_t failed = 0;
  for (ConnectionResult& r : results) {
    total.replies += r.replies;
    total.ok += r.ok;
    total.errors += r.errors;
    total.bytes += r.bytes;
    for (const auto& [reason, n] : r.errors_by_reason) total.errors_by_reason[reason] += n;
    total.latency_us.insert(total.latency_us.end(), r.latency_us.begin(), r.latency_us.end());
    if (!r.failure.empty()) {
      ++failed;
      std::fprintf(stderr, "load_test: connection %zu: %s\n", static_cast<size_t>(&r - results.data()),
                   r.failure.c_str());
    }
  }
  const double p50 = Percentile(total.latency_us, 0.50);
  const double p99 = Percentile(total.latency_us, 0.99);
  const double logs_per_s = static_cast<double>(total.replies) / seconds;
  const double mb_per_s = static_cast<double>(total.bytes) / 1e6 / seconds;
  const unsigned long long ull_total = args.total;

  if (args.json) {
    std::string reasons = "{";
    for (const auto& [reason, n] : total.errors_by_reason) {
      if (reasons.size() > 1) reasons += ",";
      reasons += JsonString(reason) + ":" + std::to_string(n);
    }
    reasons += "}";
    std::printf(
        "{\"socket\":%s,\"logs\":%llu,\"connections\":%zu,\"window\":%zu,\"source\":\"%s\",\"elapsed_s\":%."
        "6f,"
        "\"replies\":%llu,\"logs_per_s\":%.1f,\"mb_per_s\":%.3f,\"latency_p50_ms\":%.3f,\"latency_p99_ms\":%."
        "3f,"
        "\"latency_samples\":%zu,\"ok\":%llu,\"errors\":%llu,\"errors_by_reason\":%s,\"failed_connections\":%"
        "zu}\n",
        JsonString(args.socket_path).c_str(), ull_total, connections, args.window,
        args.corpus.empty() ? "generated" : "corpus", seconds, static_cast<unsigned long long>(total.replies),
        logs_per_s, mb_per_s, p50, p99, total.latency_us.size(), static_cast<unsigned long long>(total.ok),
        static_cast<unsigned long long>(total.errors), reasons.c_str(), failed);
  } else {
    std::printf(
        "load_test: %llu %s logs (%zu distinct, %.0f bytes on average) over %zu connection%s, window %zu\n",
        ull_total, args.corpus.empty() ? "generated" : "corpus", pool.count(),
        static_cast<double>(pool.bytes.size()) / static_cast<double>(pool.count()) - 4, connections,
        connections == 1 ? "" : "s", args.window);
    std::printf("elapsed:     %.3f s\n", seconds);
    std::printf("throughput:  %.0f logs/s, %.1f MB/s\n", logs_per_s, mb_per_s);
    std::printf("latency:     p50 %.3f ms, p99 %.3f ms (write to reply, %zu samples)\n", p50, p99,
                total.latency_us.size());
    std::printf("ok:          %llu\n", static_cast<unsigned long long>(total.ok));
    std::printf("errors:      %llu\n", static_cast<unsigned long long>(total.errors));
    for (const auto& [reason, n] : total.errors_by_reason) {
      std::printf("  %10llu  %s\n", static_cast<unsigned long long>(n), reason.c_str());
    }
    if (total.replies < args.total) {
      std::printf("unanswered:  %llu (%zu connection%s failed)\n",
                  static_cast<unsigned long long>(args.total - total.replies), failed,
                  failed == 1 ? "" : "s");
    }
  }
  return failed == 0 ? 0 : 1;
}
