#include "query/follow.h"

#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "query/scan_files.h"
#include "query/seen_ranges.h"
#include "storage/fs.h"

namespace logdaemon::query {

namespace {

constexpr uint32_t kWatchMask = IN_CREATE | IN_MOVED_TO | IN_ONLYDIR;

std::string RangeText(storage::SequenceRange r) {
  return r.first == r.last ? std::to_string(r.first) : std::to_string(r.first) + "-" + std::to_string(r.last);
}

// inotify watches on the storage root and its partition directories: a file is published by a rename
// into its partition (IN_MOVED_TO), a partition appears as a new directory (IN_CREATE). The events only
// wake the follower; what changed is found by listing the storage again.
class StorageWatch {
 public:
  StorageWatch() : fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {}  // -1 (no inotify): the timer only
  ~StorageWatch() {
    if (fd_ >= 0) ::close(fd_);
  }
  StorageWatch(const StorageWatch&) = delete;
  StorageWatch& operator=(const StorageWatch&) = delete;

  int fd() const { return fd_; }

  // Watches `path` (once); true when it was not watched before (its files may have come unnoticed).
  bool Watch(const std::string& path) {
    if (fd_ < 0 || watched_.count(path) != 0) return false;
    const int wd = ::inotify_add_watch(fd_, path.c_str(), kWatchMask);
    if (wd < 0) return false;  // gone again, or out of watches: the timer still lists it
    watched_.insert(path);
    paths_[wd] = path;
    return true;
  }

  // Reads the pending events; watches the directories they announce (partitions, and hours in them).
  // True when any arrived.
  bool Drain() {
    if (fd_ < 0) return false;
    bool any = false;
    alignas(struct inotify_event) char buffer[16384];
    for (;;) {
      const ssize_t n = ::read(fd_, buffer, sizeof(buffer));
      if (n <= 0) break;  // EAGAIN: nothing more
      any = true;
      for (ssize_t at = 0; at < n;) {
        const auto* event = reinterpret_cast<const struct inotify_event*>(buffer + at);
        at += static_cast<ssize_t>(sizeof(struct inotify_event) + event->len);
        if ((event->mask & IN_ISDIR) == 0 || event->len == 0) continue;
        auto parent = paths_.find(event->wd);
        if (parent == paths_.end()) continue;
        const std::string name = event->name;
        if (name.starts_with("dt=") || name.starts_with("hour="))
          Watch(storage::JoinPath(parent->second, name));
      }
    }
    return any;
  }

 private:
  int fd_ = -1;
  std::set<std::string> watched_;
  std::map<int, std::string> paths_;
};

// A row copied out of the scan, its strings with it (the scan's values are views valid for one call).
class OwnedRow {
 public:
  explicit OwnedRow(std::span<const Value> values) : values_(values.begin(), values.end()) {
    size_t bytes = 0;
    for (const Value& v : values_) {
      if (v.type == ValueType::kString || v.type == ValueType::kJson) bytes += v.s.size();
    }
    text_ = std::make_unique<char[]>(bytes);  // never moves, so the views below stay valid
    char* at = text_.get();
    for (Value& v : values_) {
      if (v.type != ValueType::kString && v.type != ValueType::kJson) continue;
      std::memcpy(at, v.s.data(), v.s.size());
      v.s = std::string_view(at, v.s.size());
      at += v.s.size();
    }
  }
  std::span<const Value> values() const { return values_; }

 private:
  std::vector<Value> values_;
  std::unique_ptr<char[]> text_;
};

class Follower {
 public:
  Follower(const ScanRequest& request, const FollowOptions& options, const Scanner::BeginFn& begin,
           const Scanner::RowFn& row, FollowStats* stats)
      : request_(request), options_(options), begin_(begin), row_(row), stats_(stats) {}

  Status Run();
  const ScanStats& scan_stats() const { return scanner_.stats(); }

 private:
  // Prints the stored logs and marks every visible file seen.
  Status PrintStored();
  // Lists the storage and prints the files it gained; *found tells whether there were any.
  Status PrintNew(bool* found);
  // Watches the root and the partitions of `listing`; true when a watch is new.
  bool WatchPartitions(const StorageListing& listing);
  // Waits for a change, a stop or the relist interval; false when the follow must stop.
  bool Wait();
  void Flush() {
    if (options_.flush) options_.flush();
  }
  bool Print(std::span<const Value> values) {
    if (!row_(values)) stopped_ = true;
    return !stopped_;
  }

  const ScanRequest& request_;
  const FollowOptions& options_;
  const Scanner::BeginFn& begin_;
  const Scanner::RowFn& row_;
  FollowStats* stats_;
  StorageWatch watch_;
  Scanner scanner_;
  bool prepared_ = false;
  bool stopped_ = false;
  SeenRanges seen_;
};

bool Follower::WatchPartitions(const StorageListing& listing) {
  bool added = watch_.Watch(request_.storage_dir);
  for (const storage::Partition& partition : listing.partitions) {
    // A day partition's hours come as directories inside it: watch the day too.
    const size_t slash = partition.relative_path.find('/');
    if (slash != std::string::npos) {
      added |=
          watch_.Watch(storage::JoinPath(request_.storage_dir, partition.relative_path.substr(0, slash)));
    }
    added |= watch_.Watch(partition.path);
  }
  return added;
}

Status Follower::PrintStored() {
  // Like `tail -F`: a storage directory the daemon has not created yet is waited for.
  struct stat dir;
  if (::stat(request_.storage_dir.c_str(), &dir) != 0 && errno == ENOENT) {
    if (options_.warn) {
      options_.warn("--follow: waiting for the storage directory " + request_.storage_dir + " to appear");
    }
    while (::stat(request_.storage_dir.c_str(), &dir) != 0 && errno == ENOENT) {
      if (!Wait()) {
        stopped_ = true;
        return Status::OK();
      }
    }
  }
  StorageListing listing;
  ScanStats* scan_stats = scanner_.mutable_stats();
  if (Status st = OpenStorage(request_.storage_dir, request_.filter, scan_stats, &listing); !st.ok())
    return st;
  WatchPartitions(listing);
  // Every visible file is seen from here on, whether it is printed or pruned. The rows of the files
  // read are counted (from their footers), to say how many logs a merge of seen and unseen flushes hid.
  std::map<uint64_t, uint64_t> rows_by_range;
  for (const ScanFile& file : listing.files) {
    auto reader = OpenReader(file);
    if (!reader.ok()) return reader.status();
    rows_by_range[file.range.first] += static_cast<uint64_t>((*reader)->num_rows());
  }
  for (const storage::Partition& partition : listing.partitions) {
    for (const storage::DataFile& file : partition.files) {
      if (seen_.CoveredCount(file.parsed.range) != 0) continue;  // another part of a merged file
      auto rows = rows_by_range.find(file.parsed.range.first);
      seen_.Add(file.parsed.range,
                rows != rows_by_range.end() ? std::optional<uint64_t>(rows->second) : std::nullopt);
    }
  }
  if (listing.files.empty() && listing.newest.path.empty()) {  // nothing yet to prepare on
    Flush();  // the stored logs (none) are shown: a caller may wait for this
    return Status::OK();
  }
  if (Status st = scanner_.Prepare(request_, &listing.newest, listing.files, begin_); !st.ok()) return st;
  prepared_ = true;
  if (!options_.print_stored) {
    Flush();
    return Status::OK();
  }
  if (request_.limit == 0) {
    Status st = scanner_.Execute(listing.files, request_.order, 0,
                                 [&](std::span<const Value> values) { return Print(values); });
    Flush();
    return st;
  }
  // The last `limit` logs in storage order (like `tail -n N -f`): files are scanned newest first, each
  // keeping only the rows still wanted, until there are enough.
  std::vector<std::deque<OwnedRow>> tails;  // newest file first
  size_t have = 0;
  for (size_t i = listing.files.size(); i-- > 0 && have < request_.limit;) {
    const size_t want = request_.limit - have;
    std::deque<OwnedRow> tail;
    Status st = scanner_.Execute(std::span(&listing.files[i], 1), Order::kStorage, 0,
                                 [&](std::span<const Value> values) {
                                   tail.emplace_back(values);
                                   if (tail.size() > want) tail.pop_front();
                                   return true;
                                 });
    if (!st.ok()) return st;
    have += tail.size();
    tails.push_back(std::move(tail));
  }
  for (auto file = tails.rbegin(); file != tails.rend() && !stopped_; ++file) {
    for (const OwnedRow& kept : *file) {
      if (!Print(kept.values())) break;
    }
  }
  Flush();
  return Status::OK();
}

Status Follower::PrintNew(bool* found) {
  *found = false;
  StorageListing listing;
  ScanStats listing_stats;
  if (Status st = ListStorage(request_.storage_dir, request_.filter, &listing_stats, &listing); !st.ok()) {
    return st;
  }
  if (WatchPartitions(listing)) *found = true;  // a new watch: list again, in case files came unnoticed

  // The visible files by range (the parts of a merged file share one), and the smallest first sequence.
  std::map<uint64_t, std::vector<const storage::DataFile*>> by_range;
  uint64_t oldest = UINT64_MAX;
  for (const storage::Partition& partition : listing.partitions) {
    for (const storage::DataFile& file : partition.files) {
      by_range[file.parsed.range.first].push_back(&file);
      oldest = std::min(oldest, file.parsed.range.first);
    }
  }
  if (oldest != UINT64_MAX) seen_.ForgetBefore(oldest);  // retention removed those: nothing can cover them

  std::set<std::string> in_range;  // the files the query's time range does not exclude
  for (const ScanFile& file : listing.files) in_range.insert(file.path);

  std::vector<ScanFile> batch;  // new files to print, by sequence
  for (const auto& [first, files] : by_range) {
    const storage::SequenceRange range = files.front()->parsed.range;
    const uint64_t length = range.last - range.first + 1;
    const uint64_t covered = seen_.CoveredCount(range);
    if (covered == length) {
      seen_.Collapse(range, seen_.RowsWithin(range));  // a merged file: its inputs' ranges become one
      continue;
    }
    // Open them now: once open, a compaction removing them takes nothing away.
    std::vector<ScanFile> opened;
    uint64_t rows = 0;
    bool gone = false;
    for (const storage::DataFile* file : files) {
      ScanFile scan_file = ToScanFile(*file);
      Status st = OpenScanFile(&scan_file);
      if (st.code() == Status::Code::kNotFound) {
        gone = true;  // merged meanwhile: the next listing shows the merged file
        break;
      }
      if (!st.ok()) return st;
      auto reader = OpenReader(scan_file);
      if (!reader.ok()) return reader.status();
      rows += static_cast<uint64_t>((*reader)->num_rows());
      opened.push_back(std::move(scan_file));
    }
    if (gone) {
      *found = true;
      continue;
    }
    if (covered != 0) {
      // Compaction merged flushes we had not read with some we had: their logs cannot be told apart.
      const std::vector<storage::SequenceRange> gaps = seen_.Gaps(range);
      const std::optional<uint64_t> shown = seen_.RowsWithin(range);
      const bool count_known = shown.has_value() && rows >= *shown;
      const uint64_t missed = count_known ? rows - *shown : 0;
      uint64_t flushes = 0;
      std::string gap_text;
      for (const storage::SequenceRange& gap : gaps) {
        flushes += gap.last - gap.first + 1;
        gap_text.append(gap_text.empty() ? "" : ", ").append(RangeText(gap));
      }
      if (!count_known || missed != 0) {
        if (stats_ != nullptr) {
          stats_->flushes_missed += flushes;
          stats_->logs_missed += missed;
        }
        if (options_.warn) {
          options_.warn("--follow: flushes " + gap_text + " were merged into " + files.front()->name +
                        " before they could be read; " +
                        (count_known ? std::to_string(missed) + " logs of them are" : "their logs are") +
                        " not shown (query that file's time range to see them)");
        }
      }
      seen_.Collapse(range, rows);
      continue;
    }
    seen_.Add(range, rows);
    for (ScanFile& file : opened) {
      if (in_range.count(file.path) != 0) batch.push_back(std::move(file));
    }
  }
  if (batch.empty()) return Status::OK();
  *found = true;
  if (!prepared_) {
    const ScanFile* newest = &batch.back();
    if (Status st = scanner_.Prepare(request_, newest, batch, begin_); !st.ok()) return st;
    prepared_ = true;
  }
  if (stats_ != nullptr) stats_->files_read += batch.size();
  Status st = scanner_.Execute(batch, Order::kStorage, 0,
                               [&](std::span<const Value> values) { return Print(values); });
  Flush();
  return st;
}

bool Follower::Wait() {
  struct pollfd fds[3];
  nfds_t n = 0;
  const int timeout = static_cast<int>(options_.relist_interval.count());
  if (watch_.fd() >= 0) fds[n++] = {watch_.fd(), POLLIN, 0};
  const nfds_t stop_at = n;
  if (options_.stop_fd >= 0) fds[n++] = {options_.stop_fd, POLLIN, 0};
  const nfds_t output_at = n;
  if (options_.output_fd >= 0) fds[n++] = {options_.output_fd, 0, 0};
  const int ready = ::poll(fds, n, timeout);
  if (ready < 0 && errno != EINTR) return true;  // a poll failure: carry on by the timer
  if (ready <= 0) return true;
  if (options_.stop_fd >= 0 && (fds[stop_at].revents & (POLLIN | POLLHUP | POLLERR)) != 0) return false;
  if (options_.output_fd >= 0 && (fds[output_at].revents & (POLLERR | POLLHUP)) != 0) return false;
  watch_.Drain();
  return true;
}

Status Follower::Run() {
  if (Status st = PrintStored(); !st.ok()) return st;
  // Files may come while a batch is printed (or before the watches were set): list again until a
  // listing brings nothing new, then wait.
  bool found = true;
  while (!stopped_) {
    while (found && !stopped_) {
      if (Status st = PrintNew(&found); !st.ok()) return st;
    }
    if (stopped_ || !Wait()) break;
    found = true;
  }
  return Status::OK();
}

}  // namespace

Status Follow(const ScanRequest& request, const FollowOptions& options, const Scanner::BeginFn& begin,
              const Scanner::RowFn& row, FollowStats* stats) {
  if (request.count_only || request.group_counts != nullptr) {
    return Status::InvalidArgument("--follow prints logs: it does not go with --count or --count-by");
  }
  if (request.order == Order::kDescending) {
    return Status::InvalidArgument("--follow prints the newest logs last: it does not go with --order desc");
  }
  Follower follower(request, options, begin, row, stats);
  Status status = follower.Run();
  if (stats != nullptr) stats->scan = follower.scan_stats();
  return status;
}

}  // namespace logdaemon::query
