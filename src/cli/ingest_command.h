// `logdaemon ingest [FILE]`: sends NDJSON logs (one per line) from a file or stdin to a running daemon
// over its Unix socket, and says what the daemon answered.
//
// Two modes, chosen by where the logs come from:
// - interactive (stdin is a terminal): each line is sent on its own as soon as it is entered, and its
//   verdict is echoed on stdout at once: "✓" or "✗ <the daemon's reason>";
// - bulk (a file, a pipe): lines are read in bounded batches and pipelined over one connection (at most
//   `window` frames unanswered), so a file of any size streams through a few MiB of memory. A progress
//   bar goes to stderr when it is a terminal; a summary (sent, ok, rejected by reason, logs/s) follows.
//
// Lines longer than --max-line-mb are never sent: they are rejected locally as "line too long". Blank
// lines are skipped; a trailing '\r' (CRLF files) and a UTF-8 byte order mark are dropped.
//
// A log answered "overloaded" (the daemon's buffer was full, `serve --overflow drop`) is not wrong: it is
// sent again after a pause, until the daemon takes it or --retry-overloaded seconds pass without progress.
// After "frame too large" the daemon closes the connection; ingest connects again and goes on.
//
// Thread-safety: RunIngest installs a SIGINT handler while it runs; call it from one thread at a time.
// NdjsonBatcher and IngestTally are plain single-threaded objects.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cli/reject_reasons.h"

namespace logdaemon::cli {

struct IngestOptions {
  std::string socket_path = "/tmp/logdaemon.sock";
  std::string file;          // empty or "-": stdin
  int64_t max_line_mb = 16;  // longer lines are rejected locally, without being sent
  int64_t window = 1024;     // bulk mode: frames sent and not yet answered, at most
  // Logs answered "overloaded" are sent again, with a growing pause, until the daemon takes them or this
  // many seconds pass without any log accepted; 0: not retried (counted as rejected at once).
  int64_t retry_overloaded_seconds = 60;
  bool quiet = false;  // no progress bar
};

// Where RunIngest writes and which mode it uses. The defaults are the process's; tests pass files and
// force a mode.
struct IngestIo {
  enum class Mode {
    kAuto,         // interactive when the input is stdin and a terminal, bulk otherwise
    kInteractive,  // one log at a time, a verdict per line on `out`
    kBulk,         // pipelined batches, summary on `err`
  };
  Mode mode = Mode::kAuto;
  std::FILE* out = stdout;  // the interactive verdicts
  std::FILE* err = stderr;  // errors, rejected lines, progress bar (when a terminal), summary
};

// Exit code: 0 when every log was accepted; 1 when some log was rejected (by the daemon, including
// "overloaded" beyond the retries, or locally as too long), when the daemon cannot be reached, when the
// connection broke (the message says how many logs were acknowledged and where to resume) or the input could
// not be read; 2 on a usage error (bad option value, FILE cannot be opened); 130 when interrupted (SIGINT),
// after the replies to what was sent have arrived.
int RunIngest(const IngestOptions& options, const IngestIo& io = {});

// Splits NDJSON input from a file descriptor into batches of logs. One buffer is reused for every
// batch: a batch's logs point into it and stay valid until the next call to Next(). A batch ends at
// `max_lines` logs, when the buffer is full, at a line that is too long, or when logs are ready and no
// more input is waiting (so that a slow stream such as `tail -f` is sent as it comes, not held until a
// batch fills up). A line beyond `max_line` bytes is skipped as it streams by, never held whole, so
// memory stays at max(buffer_bytes, max_line + 1) whatever the input.
class NdjsonBatcher {
 public:
  struct Limits {
    size_t max_line = size_t{16} << 20;     // bytes, without the '\n'
    size_t max_lines = 65536;               // logs per batch
    size_t buffer_bytes = size_t{8} << 20;  // initial buffer; grows only for a line that does not fit
  };

  struct Batch {
    std::vector<std::string_view> logs;  // without '\n' and a trailing '\r'; valid until Next()
    std::vector<uint64_t> line_numbers;  // 1-based input line of each log
    uint64_t blank_lines = 0;            // skipped: empty or only spaces and tabs
    // A line longer than max_line that ends this batch (it comes after `logs`): its number and length.
    uint64_t too_long_line = 0;  // 0: none
    uint64_t too_long_bytes = 0;
    bool end = false;  // no batch follows: end of input, or interrupted (SIGINT during RunIngest)
  };

  // Does not own `fd`.
  NdjsonBatcher(int fd, Limits limits);
  NdjsonBatcher(const NdjsonBatcher&) = delete;
  NdjsonBatcher& operator=(const NdjsonBatcher&) = delete;

  // Fills `*batch` with the next logs (clearing what it held). False when a read failed: error() is the
  // errno, and `*batch` holds the logs read before it.
  bool Next(Batch* batch);

  uint64_t bytes_read() const { return bytes_read_; }
  uint64_t lines() const { return line_number_; }
  bool interrupted() const { return interrupted_; }
  int error() const { return error_; }
  size_t capacity() const { return capacity_; }

 private:
  // Appends the line [start, stop) to the batch (or counts it blank). True when the batch is full.
  bool TakeLine(size_t start, size_t stop, Batch* batch);
  // Moves the unconsumed bytes to the front of the buffer (REQUIRES: no log of the batch points there).
  void Compact();
  void Grow();
  // Reads more bytes after end_. False on a read error or an interruption.
  bool Fill();
  bool InputWaiting() const;

  const int fd_;
  const Limits limits_;
  size_t capacity_;
  std::unique_ptr<char[]> buffer_;
  size_t begin_ = 0;  // first unconsumed byte: the start of the current line
  size_t scan_ = 0;   // [begin_, scan_) holds no '\n'
  size_t end_ = 0;    // end of the bytes read
  bool eof_ = false;
  bool skipping_ = false;  // inside a line beyond max_line; skipped_ bytes of it dropped so far
  uint64_t skipped_ = 0;
  uint64_t line_number_ = 0;
  uint64_t bytes_read_ = 0;
  bool interrupted_ = false;
  int error_ = 0;
};

// What happened to every line: the numbers of the summary.
class IngestTally {
 public:
  void AddBlank(uint64_t n) {
    lines_ += n;
    blank_ += n;
  }
  void AddOk(size_t bytes) {
    ++lines_;
    ++sent_;
    ++ok_;
    bytes_sent_ += bytes;
  }
  // Answered with ERROR by the daemon.
  void AddRejected(size_t bytes, std::string_view reason) {
    ++lines_;
    ++sent_;
    ++rejected_;
    bytes_sent_ += bytes;
    AddReason(reason);
    if (reason == "overloaded") ++overloaded_;
  }
  // Logs sent again after "overloaded" (each resend counts).
  void AddRetries(uint64_t n) { retries_ += n; }
  // Rejected here, never sent (too long).
  void AddRejectedLocally(std::string_view reason) {
    ++lines_;
    ++rejected_;
    AddReason(reason);
  }

  uint64_t lines() const { return lines_; }  // every line accounted for, blank ones included
  uint64_t blank() const { return blank_; }
  uint64_t sent() const { return sent_; }  // sent and answered
  uint64_t ok() const { return ok_; }
  uint64_t rejected() const { return rejected_; }
  uint64_t bytes_sent() const { return bytes_sent_; }
  uint64_t overloaded() const { return overloaded_; }  // dropped by a daemon whose buffer was full
  uint64_t retries() const { return retries_; }
  const RejectReasons& reasons() const { return reasons_; }

  // The summary: lines, sent (MB, seconds, logs/s), ok, rejected and its reasons, largest first.
  void PrintSummary(std::FILE* out, double seconds) const;
  // One line for the end of an interactive session, whose verdicts were shown line by line.
  void PrintShortSummary(std::FILE* out) const;

 private:
  // Counts `reason` under its class (ReasonClass). The protocol-level replies have no ':' but carry
  // numbers in parentheses ("frame too large (2000000 > 1048576)"): they are counted without them.
  void AddReason(std::string_view reason);

  uint64_t lines_ = 0, blank_ = 0, sent_ = 0, ok_ = 0, rejected_ = 0, bytes_sent_ = 0, overloaded_ = 0,
           retries_ = 0;
  RejectReasons reasons_;
};

}  // namespace logdaemon::cli
