#include "cli/import_command.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cli/allocator.h"
#include "cli/progress.h"
#include "cli/reject_reasons.h"
#include "cli/serve_settings.h"  // ParseTimeLimit: the window is spelled as for serve
#include "logdaemon/schema.h"
#include "logdaemon/server.h"
#include "logdaemon/storage.h"
#include "storage/admission.h"  // kBytesPerCredit: the queue is sized in credits

namespace logdaemon::cli {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kExitOk = 0;
constexpr int kExitRejected = 1;
constexpr int kExitError = 2;
constexpr int kExitInterrupted = 130;  // 128 + SIGINT, as shells report it

// The first rejected lines are shown in full; the rest only count (an old log file can hold millions).
constexpr uint64_t kShownRejects = 10;

// Bulk mode: a flush interval long enough that flush files are cut by size (8 MiB encoded), not by age.
constexpr std::chrono::milliseconds kFlushInterval{60'000};

volatile std::sig_atomic_t g_interrupted = 0;
void OnInterrupt(int) {
  g_interrupted = 1;
}

double Seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}
double Megabytes(uint64_t bytes) {
  return static_cast<double>(bytes) / 1e6;
}
unsigned long long Ull(uint64_t v) {
  return static_cast<unsigned long long>(v);
}

// Builds a message by appending (GCC 12 gives a false -Wrestrict on `"literal" + std::string`).
std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view part : parts) out += part;
  return out;
}

// Splits a file descriptor's bytes into lines. It reads big chunks into one buffer that is reused for
// every line and every file, so the steady state allocates nothing per line; the buffer grows only when a
// line does not fit, up to the line limit. A longer line is skipped as it streams by (never held whole)
// and reported with its length.
class LineReader {
 public:
  enum class Next { kLine, kTooLong, kEnd, kError };

  explicit LineReader(size_t max_line)
      : max_line_(max_line),
        capacity_(std::min(kInitialCapacity, max_line + 1)),
        buffer_(new char[capacity_]) {}

  void Reset(int fd) {
    fd_ = fd;
    begin_ = scan_ = end_ = 0;
    eof_ = skipping_ = false;
    skipped_ = 0;
  }

  // kLine: `*line` is the next line without its '\n' (and a '\r' before it), valid until the next call;
  // a last line without '\n' counts. kTooLong: a line beyond the limit was skipped, `*length` bytes.
  // kEnd: end of input, or interrupted (g_interrupted). kError: a read failed (error()).
  Next Read(std::string_view* line, uint64_t* length) {
    for (;;) {
      if (const char* nl = static_cast<const char*>(std::memchr(buffer_.get() + scan_, '\n', end_ - scan_))) {
        size_t start = begin_;
        size_t stop = static_cast<size_t>(nl - buffer_.get());
        begin_ = scan_ = stop + 1;
        if (skipping_) {
          skipping_ = false;
          *length = skipped_ + (stop - start);
          return Next::kTooLong;
        }
        *line = Trim(start, stop);
        return Next::kLine;
      }
      scan_ = end_;
      // No newline in [begin_, end_): the line goes on. Past the limit, stop keeping its bytes.
      if (!skipping_ && end_ - begin_ > max_line_) {
        skipping_ = true;
        skipped_ = 0;
      }
      if (skipping_) {
        skipped_ += end_ - begin_;
        begin_ = scan_ = end_ = 0;
      }
      if (eof_) {
        if (skipping_) {
          skipping_ = false;
          *length = skipped_;
          return Next::kTooLong;
        }
        if (begin_ == end_) return Next::kEnd;
        size_t start = begin_;
        begin_ = scan_ = end_;
        *line = Trim(start, end_);
        return Next::kLine;
      }
      if (!Fill()) return g_interrupted ? Next::kEnd : Next::kError;
    }
  }

  uint64_t bytes_read() const { return bytes_read_; }
  int error() const { return error_; }

 private:
  static constexpr size_t kInitialCapacity = size_t{1} << 20;

  std::string_view Trim(size_t start, size_t stop) const {
    if (stop > start && buffer_[stop - 1] == '\r') --stop;  // CRLF
    return std::string_view(buffer_.get() + start, stop - start);
  }

  // Reads more bytes after the partial line, moving it to the front (or growing the buffer) for room.
  bool Fill() {
    if (begin_ > 0) {
      std::memmove(buffer_.get(), buffer_.get() + begin_, end_ - begin_);
      end_ -= begin_;
      scan_ -= begin_;
      begin_ = 0;
    }
    if (end_ == capacity_) {
      // end_ <= max_line_ here, so the buffer is below max_line_ + 1 and may grow to it.
      size_t grown = std::min(capacity_ * 2, max_line_ + 1);
      std::unique_ptr<char[]> bigger(new char[grown]);
      std::memcpy(bigger.get(), buffer_.get(), end_);
      buffer_ = std::move(bigger);
      capacity_ = grown;
    }
    for (;;) {
      ssize_t n = ::read(fd_, buffer_.get() + end_, capacity_ - end_);
      if (n > 0) {
        end_ += static_cast<size_t>(n);
        bytes_read_ += static_cast<uint64_t>(n);
        return true;
      }
      if (n == 0) {
        eof_ = true;
        return true;
      }
      if (errno == EINTR && !g_interrupted) continue;
      error_ = errno;
      return false;
    }
  }

  const size_t max_line_;
  size_t capacity_;
  std::unique_ptr<char[]> buffer_;
  int fd_ = -1;
  size_t begin_ = 0;  // start of the current line
  size_t scan_ = 0;   // [begin_, scan_) holds no '\n'
  size_t end_ = 0;    // end of the bytes read
  bool eof_ = false;
  bool skipping_ = false;  // inside a line beyond the limit
  uint64_t skipped_ = 0;
  uint64_t bytes_read_ = 0;
  int error_ = 0;
};

class Importer {
 public:
  Importer(StorageEngine* storage, Progress* progress, size_t max_line)
      : storage_(storage), progress_(progress), reader_(max_line), max_line_(max_line) {}

  // Imports one input ("-": stdin). False when it could not be opened or read (reported; the caller goes
  // on with the other files) or when the storage failed (fatal()).
  bool ImportFile(const std::string& path) {
    const bool is_stdin = path == "-";
    name_ = is_stdin ? "<stdin>" : path;
    int fd = is_stdin ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      progress_->Message(Cat({"logdaemon import: ", path, ": cannot open: ", std::strerror(errno)}));
      ++failed_files_;
      return false;
    }
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);  // a hint; pipes refuse it, which is fine
    reader_.Reset(fd);
    bool ok = ReadLines();
    if (!ok && !fatal_) {
      std::string line = std::to_string(line_number_);
      progress_->Message(
          Cat({"logdaemon import: ", name_, ": cannot read", line_number_ == 0 ? "" : " after line ",
               line_number_ == 0 ? "" : line, ": ", std::strerror(reader_.error())}));
    }
    if (!is_stdin) ::close(fd);
    ++(ok ? files_ : failed_files_);
    return ok;
  }

  void ShowProgress() { progress_->Update(reader_.bytes_read(), imported_, rejected_); }

  // Rejections beyond those shown, once at the end.
  void ReportHidden() {
    if (rejected_ > kShownRejects) {
      progress_->Message(Cat({"… ", std::to_string(rejected_ - kShownRejects), " more rejected"}));
    }
  }

  bool fatal() const { return fatal_; }
  uint64_t files() const { return files_; }
  uint64_t failed_files() const { return failed_files_; }
  uint64_t lines() const { return lines_; }
  uint64_t blank() const { return blank_; }
  uint64_t imported() const { return imported_; }
  uint64_t rejected() const { return rejected_; }
  uint64_t bytes() const { return reader_.bytes_read(); }
  const RejectReasons& reasons() const { return reasons_; }
  const std::string& name() const { return name_; }
  uint64_t line_number() const { return line_number_; }

 private:
  bool ReadLines() {
    line_number_ = 0;
    uint64_t last_bytes = reader_.bytes_read();
    int since_check = 0;
    std::string_view line;
    uint64_t length = 0;
    for (;;) {
      LineReader::Next next = reader_.Read(&line, &length);
      if (next == LineReader::Next::kEnd) return true;
      if (next == LineReader::Next::kError) return false;
      ++line_number_;
      ++lines_;
      if (next == LineReader::Next::kTooLong) {
        std::string message = Cat({"line too long: ", std::to_string(length), " bytes (the limit is ",
                                   std::to_string(max_line_ >> 20), " MiB, --max-line-mb)"});
        Reject(message);
      } else if (line.find_first_not_of(" \t") == std::string_view::npos) {
        ++blank_;
      } else if (Status st = storage_->Append(line); st.ok()) {
        ++imported_;
      } else if (st.code() == Status::Code::kInvalidArgument || st.code() == Status::Code::kOutOfRange) {
        Reject(st.message());
      } else {
        // Closed or broken storage: nothing more can be imported.
        progress_->Message(Cat({"logdaemon import: storage: ", st.ToString()}));
        fatal_ = true;
        return false;
      }
      // The clock is read every 1024 lines or every MiB (lines may be huge), not per line.
      if (++since_check >= 1024 || reader_.bytes_read() - last_bytes >= (1u << 20)) {
        since_check = 0;
        last_bytes = reader_.bytes_read();
        if (g_interrupted) return true;
        ShowProgress();
      }
    }
  }

  void Reject(const std::string& message) {
    ++rejected_;
    reasons_.Add(message);
    if (rejected_ <= kShownRejects) {
      progress_->Message(Cat({name_, ":", std::to_string(line_number_), ": ", message}));
    }
  }

  StorageEngine* storage_;
  Progress* progress_;
  LineReader reader_;
  const size_t max_line_;
  RejectReasons reasons_;
  std::string name_;
  uint64_t line_number_ = 0;
  uint64_t files_ = 0, failed_files_ = 0, lines_ = 0, blank_ = 0, imported_ = 0, rejected_ = 0;
  bool fatal_ = false;
};

int ConfigError(const std::string& message) {
  std::fprintf(stderr, "logdaemon import: %s\n", message.c_str());
  return kExitError;
}

void PrintSummary(const Importer& importer, const StorageStats& stats, const std::string& directory,
                  double total_seconds, double finish_seconds) {
  std::printf("files:     %llu", Ull(importer.files()));
  if (importer.failed_files() > 0) std::printf(" (%llu could not be read)", Ull(importer.failed_files()));
  std::printf("\n");
  std::printf("lines:     %llu", Ull(importer.lines()));
  if (importer.blank() > 0) std::printf(" (%llu blank)", Ull(importer.blank()));
  std::printf("\nimported:  %llu\n", Ull(importer.imported()));
  std::printf("rejected:  %llu\n", Ull(importer.rejected()));
  importer.reasons().PrintByCount(stdout);
  double seconds = std::max(total_seconds, 1e-6);
  std::printf("speed:     %.1f MB in %.2f s (%.2f s of it flushing and compacting): %.1f MB/s, %.0f logs/s\n",
              Megabytes(importer.bytes()), total_seconds, finish_seconds,
              Megabytes(importer.bytes()) / seconds, static_cast<double>(importer.imported()) / seconds);
  std::printf("storage:   %s: %llu files written, %llu compactions (%llu files merged), %.1f MB written",
              directory.c_str(), Ull(stats.files_written), Ull(stats.compactions), Ull(stats.files_compacted),
              Megabytes(stats.bytes_written));
  if (stats.write_errors > 0) std::printf(", %llu write errors (retried)", Ull(stats.write_errors));
  std::printf("\n");
}

}  // namespace

int RunImport(const ImportOptions& options) {
  TuneAllocatorForBoundedMemory();
  auto compression = ParseCompression(options.compression);
  if (!compression.ok()) return ConfigError(Cat({"--compression: ", compression.status().message()}));
  if (options.compression_level < 0 || options.compression_level > 22) {
    return ConfigError(Cat(
        {"--compression-level: must be between 0 and 22, got ", std::to_string(options.compression_level)}));
  }
  const int compression_level = static_cast<int>(options.compression_level);
  if (Status st = CheckCompressionLevel(*compression, compression_level); !st.ok()) {
    return ConfigError(Cat({"--compression-level: ", st.message()}));
  }
  auto partitioning = ParsePartitioning(options.partition);
  if (!partitioning.ok()) return ConfigError(Cat({"--partition: ", partitioning.status().message()}));
  if (options.batch_size < 1) return ConfigError("--batch-size: must be at least 1");
  if (options.rotation_mb < 1 || options.rotation_mb > (int64_t{1} << 20)) {
    return ConfigError("--rotation-mb: must be between 1 and 1048576");
  }
  if (options.max_line_mb < 1 || options.max_line_mb > 4096) {
    return ConfigError("--max-line-mb: must be between 1 and 4096");
  }
  auto max_age = ParseTimeLimit(options.max_age);
  if (!max_age.ok()) return ConfigError(Cat({"--max-age: ", max_age.status().message()}));
  auto max_future = ParseTimeLimit(options.max_future);
  if (!max_future.ok()) return ConfigError(Cat({"--max-future: ", max_future.status().message()}));

  SchemaOptions schema_options;
  schema_options.schema_paths = options.schema_paths;
  schema_options.time_field = options.time_field;
  schema_options.time_field_explicit = options.time_field_explicit;
  auto schema = options.schema_file.empty() ? SchemaValidator::DefaultSchema(schema_options)
                                            : SchemaValidator::FromFile(options.schema_file, schema_options);
  if (!schema.ok()) return ConfigError(schema.status().message());

  std::vector<std::string> inputs = options.files;
  if (inputs.empty()) inputs.push_back("-");
  // The bar shows a percentage when every input's size is known up front (regular files only).
  uint64_t total_bytes = 0;
  for (const std::string& path : inputs) {
    struct stat st;
    if (path == "-" ? ::fstat(STDIN_FILENO, &st) != 0 : ::stat(path.c_str(), &st) != 0) continue;
    if (!S_ISREG(st.st_mode)) {
      total_bytes = 0;
      break;
    }
    total_bytes += static_cast<uint64_t>(st.st_size);
  }
  Progress progress(!options.quiet && ::isatty(STDERR_FILENO), total_bytes);

  const MemoryShares shares = MemoryShares::Of(ServerOptions{}.memory_limit);
  StorageOptions storage_options;
  storage_options.directory = options.storage;
  storage_options.compression = *compression;
  storage_options.compression_level = compression_level;
  storage_options.batch_size = static_cast<size_t>(options.batch_size);
  storage_options.flush_interval = kFlushInterval;
  storage_options.rotation_bytes = static_cast<uint64_t>(options.rotation_mb) << 20;
  // The queue holds what serve's ingest share would (a credit is a log, or a KiB of a long one:
  // storage/admission.h). It was 100 000 logs, about 100 MB of unencoded rows at most: a writer slowed
  // down (zstd's higher levels, long rows) filled it far past the budget the import keeps to.
  storage_options.queue_capacity = shares.ingest / storage::kBytesPerCredit;
  storage_options.overflow = OverflowPolicy::kBlock;
  storage_options.partitioning = *partitioning;
  storage_options.parquet_compat = options.parquet_compat;
  storage_options.max_age = *max_age;
  storage_options.max_future = *max_future;
  // The writer and compaction keep to serve's default shares of the memory budget too.
  storage_options.writer_memory_bytes = shares.writer;
  storage_options.merge_memory_bytes = shares.compaction;
  storage_options.on_error = [&progress](const Status& st) {
    progress.Message(Cat({"logdaemon import: storage: ", st.ToString()}));
  };

  // SIGINT stops reading and flushes what was read, so that the summary says where to resume. It is
  // blocked while the engine starts its threads (they inherit the mask), so that only this thread sees
  // it; SA_RESETHAND: a second Ctrl-C kills at once.
  sigset_t interrupt_set, old_set;
  sigemptyset(&interrupt_set);
  sigaddset(&interrupt_set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &interrupt_set, &old_set);
  auto storage = StorageEngine::Open(storage_options, std::move(*schema));
  struct sigaction action {};
  action.sa_handler = OnInterrupt;
  action.sa_flags = SA_RESETHAND;  // no SA_RESTART: a read waiting on a pipe returns EINTR
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
  if (!storage.ok()) return ConfigError(Cat({"storage: ", storage.status().message()}));

  // `logdaemon import` without FILE in a terminal would seem to hang: say what it waits for.
  if (std::find(inputs.begin(), inputs.end(), "-") != inputs.end() && ::isatty(STDIN_FILENO)) {
    progress.Message("logdaemon import: reading logs from the terminal (stdin); end with Ctrl-D");
  }
  const Clock::time_point start = Clock::now();
  Importer importer(storage->get(), &progress, static_cast<size_t>(options.max_line_mb) << 20);
  bool input_error = false;
  size_t next_input = 0;
  for (; next_input < inputs.size() && !g_interrupted; ++next_input) {
    if (!importer.ImportFile(inputs[next_input])) input_error = true;
    if (importer.fatal()) break;
  }
  importer.ReportHidden();
  const bool interrupted = g_interrupted != 0;

  // Flush makes every imported log durable; Compact then merges the flush files into few large ones.
  const Clock::time_point finish = Clock::now();
  bool storage_error = importer.fatal();
  progress.Phase("flushing…");
  if (Status st = (*storage)->Flush(); !st.ok()) {
    progress.Message(Cat({"logdaemon import: flush: ", st.ToString()}));
    storage_error = true;
  }
  if (!interrupted && !storage_error) {
    progress.Phase("compacting…");
    if (Status st = (*storage)->Compact(); !st.ok()) {
      progress.Message(Cat({"logdaemon import: compaction: ", st.ToString()}));
      storage_error = true;
    }
  }
  if (Status st = (*storage)->Close(); !st.ok()) {
    progress.Message(Cat({"logdaemon import: closing the storage: ", st.ToString()}));
    storage_error = true;
  }
  const Clock::time_point end = Clock::now();
  progress.Clear();

  if (interrupted) {
    std::fprintf(stderr,
                 "logdaemon import: interrupted: %s was read up to line %llu (flushed); %zu more input(s) "
                 "not started\n",
                 importer.name().c_str(), Ull(importer.line_number()), inputs.size() - next_input);
  }
  PrintSummary(importer, (*storage)->Stats(), options.storage, Seconds(end - start), Seconds(end - finish));
  std::fflush(stdout);
  if (interrupted) return kExitInterrupted;
  if (storage_error || input_error) return kExitError;
  return importer.rejected() > 0 ? kExitRejected : kExitOk;
}

}  // namespace logdaemon::cli
