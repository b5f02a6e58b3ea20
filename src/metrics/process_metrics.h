// The daemon's own process metrics: the six that every official Prometheus client library exports under the
// same names (https://prometheus.io/docs/instrumenting/writing_clientlibs/#process-metrics) — CPU time,
// resident and virtual memory, open and maximum file descriptors, start time. Linux only: they are read
// from /proc, the way client_golang and client_python read them.
//
// ParseProcessMetrics turns the text of those files into the numbers (tests feed it fixtures);
// ReadProcessMetrics reads the files of the calling process and parses them.
//
// Thread-safety: both are safe to call from any thread; ParseProcessMetrics is a pure function.
#pragma once

#include <cstdint>
#include <string_view>

#include "logdaemon/status.h"

namespace logdaemon::metrics {

struct ProcessMetrics {
  double cpu_seconds = 0;              // user + system CPU time since the start
  uint64_t resident_memory_bytes = 0;  // resident set size
  uint64_t virtual_memory_bytes = 0;   // size of the virtual address space
  uint64_t open_fds = 0;               // open file descriptors
  uint64_t max_fds = 0;                // soft RLIMIT_NOFILE; "unlimited" reads as UINT64_MAX (RLIM_INFINITY)
  double start_time_seconds = 0;       // when the process started, seconds since the Unix epoch
};

// What ReadProcessMetrics reads, as text and numbers. The views are only read during the call.
struct ProcSnapshot {
  std::string_view self_stat;       // /proc/self/stat: "pid (comm) state ppid …", one line
  std::string_view system_stat;     // /proc/stat: only its "btime <seconds since the epoch>" line is used
  std::string_view self_limits;     // /proc/self/limits: only its "Max open files" line is used
  uint64_t open_fds = 0;            // entries of /proc/self/fd
  long clock_ticks_per_second = 0;  // sysconf(_SC_CLK_TCK): the unit of utime, stime and starttime
  long page_size = 0;               // sysconf(_SC_PAGESIZE): the unit of rss
};

// Corruption when a file does not have the layout proc(5) documents (a field missing or not a number);
// InvalidArgument when the clock tick or page size is not positive. Never reads outside the views.
Result<ProcessMetrics> ParseProcessMetrics(const ProcSnapshot& snapshot);

// Reads /proc/self/stat, /proc/stat, /proc/self/limits and /proc/self/fd of the calling process. IOError
// when one cannot be read (no /proc mounted, not Linux), or what ParseProcessMetrics returns. The
// descriptor that lists /proc/self/fd is counted among the open ones, as the client libraries count it.
Result<ProcessMetrics> ReadProcessMetrics();

}  // namespace logdaemon::metrics
