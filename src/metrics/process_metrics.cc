// The process metrics of process_metrics.h, from /proc as proc(5) lays it out.
//
// Thread-safety: no shared state; every call reads and parses on its own.
#include "metrics/process_metrics.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <limits>
#include <string>
#include <system_error>

namespace logdaemon::metrics {
namespace {

// Decimal digits and nothing else (no sign, no spaces): the whole of `text`.
bool ParseUnsigned(std::string_view text, uint64_t& value) {
  if (text.empty()) return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

// The next run of characters up to a space, tab or newline, starting at `pos` (leading separators
// skipped); empty at the end of `text`. Advances `pos` past the token.
std::string_view NextToken(std::string_view text, size_t& pos) {
  auto is_separator = [](char c) { return c == ' ' || c == '\t' || c == '\n'; };
  while (pos < text.size() && is_separator(text[pos])) ++pos;
  const size_t start = pos;
  while (pos < text.size() && !is_separator(text[pos])) ++pos;
  return text.substr(start, pos - start);
}

// Whether a line of `text` starts with `prefix`; if one does, `rest` is the rest of the first such line
// (without its newline).
bool FindLine(std::string_view text, std::string_view prefix, std::string_view& rest) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    if (line.starts_with(prefix)) {
      rest = line.substr(prefix.size());
      return true;
    }
    pos = end + 1;
  }
  return false;
}

// The fields of /proc/self/stat this file needs, in their own units.
struct StatFields {
  uint64_t utime_ticks = 0;
  uint64_t stime_ticks = 0;
  uint64_t start_ticks = 0;  // after boot
  uint64_t vsize_bytes = 0;
  uint64_t rss_pages = 0;
};

// "pid (comm) state ppid …": comm is the thread's name (the executable's, or whatever prctl(PR_SET_NAME)
// set), which may hold spaces and parentheses, so the fields start after the *last* ')'. proc(5) numbers
// the fields from 1: state is field 3, the first after comm.
Status ParseSelfStat(std::string_view text, StatFields& fields) {
  const size_t comm_start = text.find('(');
  const size_t comm_end = text.rfind(')');
  if (comm_start == std::string_view::npos || comm_end == std::string_view::npos || comm_end < comm_start) {
    return Status::Corruption("/proc/self/stat: no '(comm)' after the pid");
  }
  struct Wanted {
    int field;  // proc(5) number
    const char* name;
    uint64_t* value;
  };
  const Wanted wanted[] = {
      {14, "utime", &fields.utime_ticks},     {15, "stime", &fields.stime_ticks},
      {22, "starttime", &fields.start_ticks}, {23, "vsize", &fields.vsize_bytes},
      {24, "rss", &fields.rss_pages},
  };
  const std::string_view after_comm = text.substr(comm_end + 1);
  size_t pos = 0;
  int field = 3;
  for (const Wanted& w : wanted) {
    std::string_view token;
    for (; field <= w.field; ++field) {
      token = NextToken(after_comm, pos);
      if (token.empty()) {
        return Status::Corruption("/proc/self/stat: ends before field " + std::to_string(w.field) + " (" +
                                  w.name + ")");
      }
    }
    if (!ParseUnsigned(token, *w.value)) {
      return Status::Corruption("/proc/self/stat: field " + std::to_string(w.field) + " (" + w.name +
                                ") is not a number: '" + std::string(token) + "'");
    }
  }
  return Status::OK();
}

// /proc/stat: "btime 1700000000", the boot time in seconds since the epoch.
Status ParseBootTime(std::string_view text, uint64_t& boot_time) {
  std::string_view rest;
  if (!FindLine(text, "btime ", rest)) return Status::Corruption("/proc/stat: no 'btime' line");
  size_t pos = 0;
  const std::string_view token = NextToken(rest, pos);
  if (!ParseUnsigned(token, boot_time)) {
    return Status::Corruption("/proc/stat: btime is not a number: '" + std::string(token) + "'");
  }
  return Status::OK();
}

// /proc/self/limits: "Max open files   <soft>   <hard>   files"; the soft limit is the one open(2) obeys.
Status ParseMaxOpenFiles(std::string_view text, uint64_t& max_fds) {
  std::string_view rest;
  if (!FindLine(text, "Max open files ", rest)) {
    return Status::Corruption("/proc/self/limits: no 'Max open files' line");
  }
  size_t pos = 0;
  const std::string_view soft = NextToken(rest, pos);
  if (soft == "unlimited") {
    max_fds = std::numeric_limits<uint64_t>::max();
    return Status::OK();
  }
  if (!ParseUnsigned(soft, max_fds)) {
    return Status::Corruption("/proc/self/limits: the soft limit of open files is not a number: '" +
                              std::string(soft) + "'");
  }
  return Status::OK();
}

Status ErrnoStatus(std::string_view what, int error) {
  return Status::IOError(std::string(what) + ": " + std::generic_category().message(error));
}

// The whole of a /proc file (their size reads as 0, so read until the end).
Status ReadWholeFile(const char* path, std::string& text) {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(path, errno);
  text.clear();
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      ::close(fd);
      return ErrnoStatus(path, error);
    }
    if (n == 0) break;
    text.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return Status::OK();
}

// Entries of /proc/self/fd but "." and "..": one per open descriptor, this listing's own included.
Status CountOpenFds(uint64_t& count) {
  constexpr const char* kPath = "/proc/self/fd";
  DIR* dir = ::opendir(kPath);
  if (dir == nullptr) return ErrnoStatus(kPath, errno);
  count = 0;
  for (;;) {
    errno = 0;
    const dirent* entry = ::readdir(dir);
    if (entry == nullptr) break;
    if (entry->d_name[0] != '.') ++count;
  }
  const int error = errno;
  ::closedir(dir);
  return error == 0 ? Status::OK() : ErrnoStatus(kPath, error);
}

}  // namespace

Result<ProcessMetrics> ParseProcessMetrics(const ProcSnapshot& snapshot) {
  if (snapshot.clock_ticks_per_second <= 0) {
    return Status::InvalidArgument("clock ticks per second must be positive, not " +
                                   std::to_string(snapshot.clock_ticks_per_second));
  }
  if (snapshot.page_size <= 0) {
    return Status::InvalidArgument("page size must be positive, not " + std::to_string(snapshot.page_size));
  }
  StatFields stat;
  if (Status st = ParseSelfStat(snapshot.self_stat, stat); !st.ok()) return st;
  uint64_t boot_time = 0;
  if (Status st = ParseBootTime(snapshot.system_stat, boot_time); !st.ok()) return st;
  ProcessMetrics metrics;
  if (Status st = ParseMaxOpenFiles(snapshot.self_limits, metrics.max_fds); !st.ok()) return st;

  const auto ticks = static_cast<double>(snapshot.clock_ticks_per_second);
  metrics.cpu_seconds = static_cast<double>(stat.utime_ticks + stat.stime_ticks) / ticks;
  metrics.resident_memory_bytes = stat.rss_pages * static_cast<uint64_t>(snapshot.page_size);
  metrics.virtual_memory_bytes = stat.vsize_bytes;
  metrics.open_fds = snapshot.open_fds;
  metrics.start_time_seconds = static_cast<double>(boot_time) + static_cast<double>(stat.start_ticks) / ticks;
  return metrics;
}

Result<ProcessMetrics> ReadProcessMetrics() {
  std::string self_stat;
  std::string system_stat;
  std::string self_limits;
  if (Status st = ReadWholeFile("/proc/self/stat", self_stat); !st.ok()) return st;
  if (Status st = ReadWholeFile("/proc/stat", system_stat); !st.ok()) return st;
  if (Status st = ReadWholeFile("/proc/self/limits", self_limits); !st.ok()) return st;
  ProcSnapshot snapshot{.self_stat = self_stat, .system_stat = system_stat, .self_limits = self_limits};
  if (Status st = CountOpenFds(snapshot.open_fds); !st.ok()) return st;
  snapshot.clock_ticks_per_second = ::sysconf(_SC_CLK_TCK);
  snapshot.page_size = ::sysconf(_SC_PAGESIZE);
  return ParseProcessMetrics(snapshot);
}

}  // namespace logdaemon::metrics
