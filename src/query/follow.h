// `logdaemon query --follow`: like `tail -f` for the storage directory. Prints the stored logs that match
// (only the last `limit` of them in storage order when a limit is given, like `tail -n N -f`), then,
// until stopped, the matching logs of every file the daemon publishes, file by file as they appear. A
// storage directory that does not exist yet is waited for.
//
// How new logs are found: the storage directory and its partitions are watched with inotify (a file is
// published by a rename into its partition), and listed again on each change and at least every
// `relist_interval`. Each visible file's range of flush sequence numbers is compared with those already
// shown (query/seen_ranges.h): a file whose range is new is opened at once (an open file stays readable
// after compaction removes it), scanned with the query, and its range marked seen. A merged file covers
// only ranges already seen, and is skipped.
//
// The one loss: when compaction merges a flush file into a bigger one before the follower could open
// it (flush files wait for several others before they are merged, so this takes a follower that is
// stalled, say by a blocked output), the merged file mixes shown and unseen logs that cannot be told
// apart. The follower then says so on the `warn` callback, naming the flushes, the file and how many
// logs were not shown, and goes on; it never prints a log twice.
//
// Thread-safety: Follow runs on the calling thread; it calls the callbacks there.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "logdaemon/status.h"
#include "query/scan.h"

namespace logdaemon::query {

struct FollowOptions {
  // Readable (a byte written by a signal handler, say): stop. -1: none.
  int stop_fd = -1;
  // The output: an error or hang-up on it (the reader of a pipe went away) stops. -1: not watched.
  int output_fd = -1;
  // The storage is listed again at least this often, whatever inotify says (it may be unavailable, or
  // its queue may overflow).
  std::chrono::milliseconds relist_interval{1000};
  // After each batch of rows (the stored logs, then each batch of new files): flush the output.
  std::function<void()> flush;
  // A line (no newline) saying that some logs could not be shown.
  std::function<void(const std::string&)> warn;
  // False: the stored logs are not printed (they are marked seen all the same): only logs of files
  // published after the start (the HTTP tail with backlog=0). `request.limit` is then not used.
  bool print_stored = true;
};

// Updated by the follower as it goes; atomics, so that another thread may watch them.
struct FollowStats {
  std::atomic<uint64_t> files_read{0};      // files scanned after the stored logs were printed
  std::atomic<uint64_t> flushes_missed{0};  // flushes merged before they could be read
  std::atomic<uint64_t> logs_missed{0};     // their logs, where the count is known
  ScanStats scan;                           // what was read, set when Follow returns (--explain)
};

// Runs until options.stop_fd is readable, the output goes away, `row` returns false, or an error (which
// is returned; a stop is OK). `request.order` may be kStorage or kAscending (it orders the stored logs;
// new logs come as their files do); count_only and group_counts must not be set.
Status Follow(const ScanRequest& request, const FollowOptions& options, const Scanner::BeginFn& begin,
              const Scanner::RowFn& row, FollowStats* stats = nullptr);

}  // namespace logdaemon::query
