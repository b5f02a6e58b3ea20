#include "cli/ingest_command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <initializer_list>
#include <span>
#include <thread>
#include <utility>

#include "cli/progress.h"
#include "logdaemon/client.h"

namespace logdaemon::cli {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitInterrupted = 130;  // 128 + SIGINT, as shells report it

// Bulk mode: batches big enough that the pipeline drains (one round trip) only every 64 Ki logs.
constexpr size_t kBulkBatchLines = 65536;
constexpr size_t kBulkBufferBytes = size_t{8} << 20;
constexpr size_t kInteractiveBufferBytes = size_t{64} << 10;

// The first rejected lines are shown in full; the rest only count.
constexpr uint64_t kShownRejects = 10;

// Replies that are about the connection rather than the log (DESIGN.md §2): after either one the daemon
// closes the connection.
constexpr std::string_view kTooManyConnections = "too many connections";
constexpr std::string_view kFrameTooLarge = "frame too large";
// The daemon's buffer was full (`serve --overflow drop`): the log was fine, send it again later.
constexpr std::string_view kOverloaded = "overloaded";

constexpr std::string_view kUtf8ByteOrderMark = "\xEF\xBB\xBF";

volatile std::sig_atomic_t g_interrupted = 0;
void OnInterrupt(int) {
  g_interrupted = 1;
}

// SIGINT stops reading (a read waiting on a pipe or a terminal returns EINTR), and the logs already sent
// still get their replies, so the summary is exact. SA_RESETHAND: a second Ctrl-C kills at once. The
// previous handler is restored on exit.
class InterruptScope {
 public:
  InterruptScope() {
    g_interrupted = 0;
    struct sigaction action {};
    action.sa_handler = OnInterrupt;
    action.sa_flags = SA_RESETHAND;  // no SA_RESTART
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, &previous_);
  }
  ~InterruptScope() { ::sigaction(SIGINT, &previous_, nullptr); }
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

 private:
  struct sigaction previous_ {};
};

// Builds a message by appending (GCC 12 gives a false -Wrestrict on `"literal" + std::string`).
std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view part : parts) out += part;
  return out;
}

std::string Number(uint64_t n) {
  return std::to_string(n);
}

unsigned long long Ull(uint64_t v) {
  return static_cast<unsigned long long>(v);
}

std::string TooLongReason(uint64_t length, size_t max_line) {
  return Cat({"line too long: ", Number(length), " bytes (the limit is ", Number(max_line >> 20),
              " MiB, --max-line-mb); not sent"});
}

// A client status message without the socket path it starts with (our messages name the socket once).
std::string WithoutPath(const Status& status, const std::string& path) {
  std::string_view message = status.message();
  if (message.starts_with(path) && message.substr(path.size()).starts_with(": ")) {
    message.remove_prefix(path.size() + 2);
  }
  return std::string(message);
}

// One ingest run: the connection to the daemon, the counts, and what the user is told.
class Ingester {
 public:
  Ingester(const IngestOptions& options, const IngestIo& io, std::string input_name, Progress* progress)
      : options_(options),
        io_(io),
        input_name_(std::move(input_name)),
        max_line_(static_cast<size_t>(options.max_line_mb) << 20),
        progress_(progress) {}

  // Connects (again). False, after saying why, when the daemon cannot be reached.
  bool Connect() {
    client_.reset();
    auto client = Client::Connect(options_.socket_path);
    if (!client.ok()) {
      Error(Cat({"cannot connect to ", options_.socket_path, ": ",
                 WithoutPath(client.status(), options_.socket_path)}));
      return false;
    }
    client_ = std::move(client).value();
    replies_on_connection_ = 0;
    return true;
  }

  // Interactive: each log is sent when its line is complete and its verdict echoed at once.
  bool RunInteractive(NdjsonBatcher& batcher) {
    progress_->Message(Cat({"logdaemon ingest: connected to ", options_.socket_path,
                            "; enter JSON logs, one per line (Ctrl-D to end)"}));
    NdjsonBatcher::Batch batch;
    for (;;) {
      const bool read_ok = batcher.Next(&batch);
      tally_.AddBlank(batch.blank_lines);
      for (size_t i = 0; i < batch.logs.size(); ++i) {
        if (!SendOne(batch.logs[i], batch.line_numbers[i])) return false;
      }
      if (batch.too_long_line != 0) {
        std::string reason = TooLongReason(batch.too_long_bytes, max_line_);
        tally_.AddRejectedLocally(reason);
        Echo(false, reason);
      }
      if (!read_ok) return ReadError(batcher);
      if (batch.end || g_interrupted) return true;
    }
  }

  // Bulk: batches pipelined over one connection.
  bool RunBulk(NdjsonBatcher& batcher) {
    NdjsonBatcher::Batch batch;
    for (;;) {
      const bool read_ok = batcher.Next(&batch);
      tally_.AddBlank(batch.blank_lines);
      if (!SendBatch(batch, batcher)) return false;
      if (batch.too_long_line != 0) {
        std::string reason = TooLongReason(batch.too_long_bytes, max_line_);
        tally_.AddRejectedLocally(reason);
        ShowRejected(batch.too_long_line, reason);
      }
      progress_->Update(batcher.bytes_read(), tally_.sent(), tally_.rejected());
      if (!read_ok) return ReadError(batcher);
      if (batch.end || g_interrupted) return true;
    }
  }

  void ReportHidden() {
    if (shown_rejects_ > kShownRejects) {
      progress_->Message(Cat({"… ", Number(shown_rejects_ - kShownRejects), " more rejected"}));
    }
  }

  const IngestTally& tally() const { return tally_; }
  uint64_t last_answered_line() const { return last_answered_line_; }

 private:
  // Pauses before logs answered "overloaded" are sent again: 10 ms at first, doubling up to 1 s while
  // none gets in; gives up once --retry-overloaded seconds passed without any log being accepted.
  class OverloadRetry {
   public:
    explicit OverloadRetry(int64_t seconds) : budget_(std::chrono::seconds(seconds)) { Progress(); }
    void Progress() {
      delay_ = kFirstDelay;
      deadline_ = Clock::now() + budget_;
    }
    // False when the budget is spent (or SIGINT came): the logs count as dropped.
    bool Wait() {
      const Clock::time_point now = Clock::now();
      if (budget_.count() <= 0 || now >= deadline_ || g_interrupted) return false;
      std::this_thread::sleep_for(std::min<Clock::duration>(delay_, deadline_ - now));
      delay_ = std::min(delay_ * 2, kMaxDelay);
      return !g_interrupted;
    }

   private:
    static constexpr std::chrono::milliseconds kFirstDelay{10};
    static constexpr std::chrono::milliseconds kMaxDelay{1000};
    const std::chrono::seconds budget_;
    std::chrono::milliseconds delay_ = kFirstDelay;
    Clock::time_point deadline_;
  };

  // Sends one log and waits for its reply. A connection the daemon closed since the last log (it was
  // restarted, the idle timeout passed, or it closed after "frame too large") is opened again and the
  // log sent once more: a log may then be stored twice if the daemon took it just before the connection
  // broke, which is acceptable for logs typed by hand. False, after saying why, when that fails too.
  bool Exchange(std::string_view log, Reply* reply) {
    for (int attempt = 0;; ++attempt) {
      if (client_ == nullptr && !Connect()) return false;
      auto result = client_->Send(log);
      if (!result.ok()) {
        Error(Cat({"lost the connection to ", options_.socket_path, ": ",
                   WithoutPath(result.status(), options_.socket_path),
                   attempt == 0 ? "; connecting again" : ""}));
        if (attempt > 0) return false;
        client_.reset();
        continue;
      }
      if (IsRefusal(*result)) return Refused();
      ++replies_on_connection_;
      if (result->error.starts_with(kFrameTooLarge)) client_.reset();  // the daemon closed it
      *reply = std::move(*result);
      return true;
    }
  }

  // Interactive: one log, its verdict echoed (after retries while the daemon is overloaded).
  bool SendOne(std::string_view log, uint64_t line) {
    OverloadRetry retry(options_.retry_overloaded_seconds);
    Reply reply;
    for (;;) {
      if (!Exchange(log, &reply)) return false;
      if (reply.ok || reply.error != kOverloaded || !retry.Wait()) break;
      tally_.AddRetries(1);
    }
    if (reply.ok) {
      tally_.AddOk(log.size());
    } else {
      tally_.AddRejected(log.size(), reply.error);
    }
    last_answered_line_ = line;
    Echo(reply.ok, reply.error);
    return true;
  }

  // Bulk: the batch's logs pipelined; then those answered "overloaded", again, until the daemon takes
  // them or the retry budget is spent.
  bool SendBatch(const NdjsonBatcher::Batch& batch, const NdjsonBatcher& batcher) {
    overloaded_logs_.clear();
    overloaded_lines_.clear();
    if (!SendLogs(batch.logs, batch.line_numbers, batcher)) return false;
    OverloadRetry retry(options_.retry_overloaded_seconds);
    while (!overloaded_logs_.empty()) {
      if (!retry.Wait()) {
        DropOverloaded();
        break;
      }
      retry_logs_.swap(overloaded_logs_);
      retry_lines_.swap(overloaded_lines_);
      overloaded_logs_.clear();
      overloaded_lines_.clear();
      tally_.AddRetries(retry_logs_.size());
      const uint64_t ok_before = tally_.ok();
      if (!SendLogs(retry_logs_, retry_lines_, batcher)) return false;
      if (tally_.ok() > ok_before) retry.Progress();
    }
    return true;
  }

  // Sends `logs` (from input lines `lines`) pipelined; those answered "overloaded" are set aside in
  // overloaded_logs_. After "frame too large" the daemon closes the connection without reading the
  // frames behind it: those are sent again on a new connection. Any other break is fatal.
  bool SendLogs(std::span<const std::string_view> logs, std::span<const uint64_t> lines,
                const NdjsonBatcher& batcher) {
    size_t answered = 0;
    while (answered < logs.size()) {
      if (client_ == nullptr && !Connect()) return false;
      const size_t base = answered;
      bool refused = false;
      bool closed_by_daemon = false;
      Status status = client_->SendAll(
          logs.subspan(base), static_cast<size_t>(options_.window), [&](size_t index, const Reply& reply) {
            if (refused) return;
            if (IsRefusal(reply)) {
              refused = true;
              return;
            }
            ++replies_on_connection_;
            const size_t i = base + index;
            if (reply.ok) {
              tally_.AddOk(logs[i].size());
            } else if (reply.error == kOverloaded && options_.retry_overloaded_seconds > 0) {
              overloaded_logs_.push_back(logs[i]);
              overloaded_lines_.push_back(lines[i]);
            } else {
              tally_.AddRejected(logs[i].size(), reply.error);
              ShowRejected(lines[i], reply.error);
              if (reply.error.starts_with(kFrameTooLarge)) closed_by_daemon = true;
            }
            answered = i + 1;
            last_answered_line_ = std::max(last_answered_line_, lines[i]);  // retries go back
            if ((answered & 1023) == 0) {
              progress_->Update(batcher.bytes_read(), tally_.sent(), tally_.rejected());
            }
          });
      if (refused) return Refused();
      if (closed_by_daemon) {
        client_.reset();
        continue;
      }
      if (!status.ok()) {
        DropOverloaded();
        Error(Cat({"lost the connection to ", options_.socket_path, ": ",
                   WithoutPath(status, options_.socket_path)}));
        Error(Cat({Number(tally_.sent()), " logs were answered before that (", Number(tally_.ok()), " ok, ",
                   Number(tally_.sent() - tally_.ok()), " rejected); ", input_name_, " from line ",
                   Number(lines[answered]), " on got no answer: send it again from there"}));
        return false;
      }
    }
    return true;
  }

  // The logs still answered "overloaded" count as dropped.
  void DropOverloaded() {
    for (size_t i = 0; i < overloaded_logs_.size(); ++i) {
      tally_.AddRejected(overloaded_logs_[i].size(), kOverloaded);
      ShowRejected(overloaded_lines_[i], std::string(kOverloaded));
    }
    overloaded_logs_.clear();
    overloaded_lines_.clear();
  }

  // "ERROR: too many connections" is the daemon refusing the connection, sent before any log was read.
  bool IsRefusal(const Reply& reply) const {
    return !reply.ok && replies_on_connection_ == 0 && reply.error == kTooManyConnections;
  }

  bool Refused() {
    Error(Cat({"the daemon at ", options_.socket_path,
               " refused the connection: too many connections (serve --max-connections)"}));
    client_.reset();
    return false;
  }

  bool ReadError(const NdjsonBatcher& batcher) {
    Error(Cat({"cannot read ", input_name_, " after line ", Number(batcher.lines()), ": ",
               std::strerror(batcher.error())}));
    return false;
  }

  void Echo(bool ok, const std::string& reason) {
    if (ok) {
      std::fputs("✓\n", io_.out);
    } else {
      std::fprintf(io_.out, "✗ %s\n", reason.c_str());
    }
    std::fflush(io_.out);
  }

  void ShowRejected(uint64_t line, const std::string& reason) {
    if (++shown_rejects_ <= kShownRejects) {
      progress_->Message(Cat({input_name_, ":", Number(line), ": ", reason}));
    }
  }

  void Error(const std::string& message) { progress_->Message(Cat({"logdaemon ingest: ", message})); }

  const IngestOptions& options_;
  const IngestIo& io_;
  const std::string input_name_;
  const size_t max_line_;
  Progress* progress_;
  std::unique_ptr<Client> client_;
  uint64_t replies_on_connection_ = 0;
  uint64_t shown_rejects_ = 0;
  uint64_t last_answered_line_ = 0;
  IngestTally tally_;
  // Bulk mode: logs answered "overloaded" (pointing into the current batch), and the ones being retried.
  std::vector<std::string_view> overloaded_logs_, retry_logs_;
  std::vector<uint64_t> overloaded_lines_, retry_lines_;
};

int UsageError(std::FILE* err, const std::string& message) {
  std::fprintf(err, "logdaemon ingest: %s\n", message.c_str());
  return kExitUsage;
}

}  // namespace

// ---- NdjsonBatcher -----------------------------------------------------------------------------------

NdjsonBatcher::NdjsonBatcher(int fd, Limits limits)
    : fd_(fd),
      limits_(Limits{std::max<size_t>(limits.max_line, 1), std::max<size_t>(limits.max_lines, 1),
                     std::max<size_t>(limits.buffer_bytes, 1)}),
      capacity_(limits_.buffer_bytes),
      buffer_(new char[capacity_]) {}

bool NdjsonBatcher::Next(Batch* batch) {
  batch->logs.clear();
  batch->line_numbers.clear();
  batch->blank_lines = 0;
  batch->too_long_line = 0;
  batch->too_long_bytes = 0;
  batch->end = false;
  Compact();  // the previous batch's logs are released
  for (;;) {
    if (skipping_) {
      // Inside a line beyond the limit: drop its bytes up to its newline. The batch is empty here.
      const void* found = std::memchr(buffer_.get() + begin_, '\n', end_ - begin_);
      if (found != nullptr) {
        const size_t stop = static_cast<size_t>(static_cast<const char*>(found) - buffer_.get());
        batch->too_long_line = ++line_number_;
        batch->too_long_bytes = skipped_ + (stop - begin_);
        begin_ = scan_ = stop + 1;
        skipping_ = false;
        return true;
      }
      skipped_ += end_ - begin_;
      begin_ = scan_ = end_ = 0;
    } else {
      while (const void* found = std::memchr(buffer_.get() + scan_, '\n', end_ - scan_)) {
        const size_t start = begin_;
        const size_t stop = static_cast<size_t>(static_cast<const char*>(found) - buffer_.get());
        begin_ = scan_ = stop + 1;
        ++line_number_;
        if (stop - start > limits_.max_line) {  // whole in the buffer, and still too long
          batch->too_long_line = line_number_;
          batch->too_long_bytes = stop - start;
          return true;
        }
        if (TakeLine(start, stop, batch)) return true;
      }
      scan_ = end_;
      if (end_ - begin_ > limits_.max_line) {
        // The current line goes beyond the limit: from now on its bytes are dropped as they come. The
        // logs before it point into the buffer, so they go first.
        if (!batch->logs.empty()) return true;
        skipping_ = true;
        skipped_ = end_ - begin_;
        begin_ = scan_ = end_ = 0;
      }
    }
    if (eof_) {
      if (skipping_) {
        batch->too_long_line = ++line_number_;
        batch->too_long_bytes = skipped_;
        skipping_ = false;
      } else if (begin_ < end_) {  // a last line without '\n'
        const size_t start = begin_;
        begin_ = scan_ = end_;
        ++line_number_;
        TakeLine(start, end_, batch);
      }
      batch->end = true;
      return true;
    }
    // Logs are ready: send them rather than wait for a slow stream to fill the batch.
    if (!batch->logs.empty() && !InputWaiting()) return true;
    if (end_ == capacity_) {
      if (!batch->logs.empty()) return true;
      Compact();
      if (end_ == capacity_) Grow();
    }
    if (!Fill()) {
      if (!interrupted_) return false;
      batch->end = true;
      return true;
    }
  }
}

bool NdjsonBatcher::TakeLine(size_t start, size_t stop, Batch* batch) {
  if (stop > start && buffer_[stop - 1] == '\r') --stop;  // CRLF
  std::string_view line(buffer_.get() + start, stop - start);
  if (line_number_ == 1 && line.starts_with(kUtf8ByteOrderMark))
    line.remove_prefix(kUtf8ByteOrderMark.size());
  if (line.find_first_not_of(" \t") == std::string_view::npos) {
    ++batch->blank_lines;
    return false;
  }
  batch->logs.push_back(line);
  batch->line_numbers.push_back(line_number_);
  return batch->logs.size() >= limits_.max_lines;
}

void NdjsonBatcher::Compact() {
  if (begin_ == 0) return;
  std::memmove(buffer_.get(), buffer_.get() + begin_, end_ - begin_);
  end_ -= begin_;
  scan_ -= begin_;
  begin_ = 0;
}

void NdjsonBatcher::Grow() {
  // Only a partial line of at most max_line bytes fills the buffer (a longer one is being skipped), so
  // the buffer is below max_line + 1 here and may grow to it.
  const size_t grown = std::min(capacity_ * 2, limits_.max_line + 1);
  std::unique_ptr<char[]> bigger(new char[grown]);
  std::memcpy(bigger.get(), buffer_.get(), end_);
  buffer_ = std::move(bigger);
  capacity_ = grown;
}

bool NdjsonBatcher::Fill() {
  for (;;) {
    const ssize_t n = ::read(fd_, buffer_.get() + end_, capacity_ - end_);
    if (n > 0) {
      end_ += static_cast<size_t>(n);
      bytes_read_ += static_cast<uint64_t>(n);
      return true;
    }
    if (n == 0) {
      eof_ = true;
      return true;
    }
    if (errno == EINTR) {
      if (g_interrupted) {
        interrupted_ = true;
        return false;
      }
      continue;
    }
    error_ = errno;
    return false;
  }
}

bool NdjsonBatcher::InputWaiting() const {
  pollfd pfd{fd_, POLLIN, 0};
  // A regular file is always "readable"; a pipe or terminal only when a read would not block (data, or
  // the writer is gone).
  return ::poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR)) != 0;
}

// ---- IngestTally --------------------------------------------------------------------------------------

void IngestTally::AddReason(std::string_view reason) {
  if (reason.find(':') == std::string_view::npos) reason = reason.substr(0, reason.find(" ("));
  reasons_.Add(reason);
}

void IngestTally::PrintSummary(std::FILE* out, double seconds) const {
  seconds = std::max(seconds, 1e-6);
  std::fprintf(out, "lines:     %llu", Ull(lines_));
  if (blank_ > 0) std::fprintf(out, " (%llu blank)", Ull(blank_));
  std::fprintf(out, "\nsent:      %llu logs, %.1f MB in %.2f s: %.0f logs/s\n", Ull(sent_),
               static_cast<double>(bytes_sent_) / 1e6, seconds, static_cast<double>(sent_) / seconds);
  std::fprintf(out, "ok:        %llu\n", Ull(ok_));
  std::fprintf(out, "rejected:  %llu\n", Ull(rejected_));
  reasons_.PrintByCount(out);
  if (retries_ > 0) {
    std::fprintf(out, "retried:   %llu sends of logs answered 'overloaded' (the daemon's buffer was full)\n",
                 Ull(retries_));
  }
  if (overloaded_ > 0) {
    std::fprintf(out,
                 "(overloaded: the daemon's buffer stayed full and it dropped %llu logs; send them again, "
                 "or raise --retry-overloaded)\n",
                 Ull(overloaded_));
  }
}

void IngestTally::PrintShortSummary(std::FILE* out) const {
  std::fprintf(out, "logdaemon ingest: %llu sent: %llu ok, %llu rejected\n", Ull(sent_), Ull(ok_),
               Ull(rejected_));
}

// ---- RunIngest ----------------------------------------------------------------------------------------

int RunIngest(const IngestOptions& options, const IngestIo& io) {
  if (options.max_line_mb < 1 || options.max_line_mb > 4095) {
    // 4095: a frame's length is a u32.
    return UsageError(io.err, "--max-line-mb: must be between 1 and 4095");
  }
  if (options.window < 1 || options.window > 1'000'000) {
    return UsageError(io.err, "--window: must be between 1 and 1000000");
  }
  if (options.retry_overloaded_seconds < 0 || options.retry_overloaded_seconds > 86'400) {
    return UsageError(io.err, "--retry-overloaded: must be between 0 and 86400 seconds");
  }

  const bool is_stdin = options.file.empty() || options.file == "-";
  const std::string input_name = is_stdin ? "<stdin>" : options.file;
  const int fd = is_stdin ? STDIN_FILENO : ::open(options.file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return UsageError(io.err, Cat({options.file, ": cannot open: ", std::strerror(errno)}));
  struct FdCloser {
    int fd;
    bool owned;
    ~FdCloser() {
      if (owned) ::close(fd);
    }
  } closer{fd, !is_stdin};
  struct stat st {};
  uint64_t total_bytes = 0;  // for the progress bar's percentage: regular files only
  if (::fstat(fd, &st) == 0) {
    if (S_ISDIR(st.st_mode)) return UsageError(io.err, Cat({input_name, ": is a directory"}));
    if (S_ISREG(st.st_mode)) total_bytes = static_cast<uint64_t>(st.st_size);
  }
  if (!is_stdin) ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);

  const bool interactive = io.mode == IngestIo::Mode::kInteractive ||
                           (io.mode == IngestIo::Mode::kAuto && is_stdin && ::isatty(fd));
  const size_t max_line = static_cast<size_t>(options.max_line_mb) << 20;
  NdjsonBatcher::Limits limits;
  limits.max_line = max_line;
  limits.max_lines = interactive ? 1 : kBulkBatchLines;
  limits.buffer_bytes = interactive ? kInteractiveBufferBytes : kBulkBufferBytes;
  NdjsonBatcher batcher(fd, limits);

  InterruptScope interrupt_scope;
  Progress progress(!interactive && !options.quiet && ::isatty(::fileno(io.err)), total_bytes, io.err);
  Ingester ingester(options, io, input_name, &progress);
  if (!ingester.Connect()) return kExitFailed;

  const Clock::time_point start = Clock::now();
  const bool completed = interactive ? ingester.RunInteractive(batcher) : ingester.RunBulk(batcher);
  ingester.ReportHidden();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  progress.Clear();

  const bool interrupted = g_interrupted != 0;
  if (completed && interrupted) {
    std::fprintf(io.err, "logdaemon ingest: interrupted: %s was sent up to line %llu\n", input_name.c_str(),
                 Ull(ingester.last_answered_line()));
  }
  if (interactive) {
    ingester.tally().PrintShortSummary(io.err);
  } else {
    ingester.tally().PrintSummary(io.err, seconds);
  }
  std::fflush(io.err);
  if (!completed) return kExitFailed;
  if (interrupted) return kExitInterrupted;
  return ingester.tally().rejected() > 0 ? kExitFailed : kExitOk;
}

}  // namespace logdaemon::cli
