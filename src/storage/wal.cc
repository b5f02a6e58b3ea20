#include "storage/wal.h"

#include <pthread.h>

#include <algorithm>

#include "storage/wal_format.h"

namespace logdaemon::storage {

WalDirectory::WalDirectory(FileSystem* fs, std::string dir, std::string schema, uint64_t segment_bytes)
    : fs_(fs), dir_(std::move(dir)), schema_(std::move(schema)), segment_bytes_(segment_bytes) {}

std::string WalDirectory::SegmentPath(uint32_t stream, uint64_t first_lsn) const {
  return JoinPath(dir_, WalSegmentFileName(stream, first_lsn));
}

void WalDirectory::AddRecovered(const Segment& segment) {
  std::lock_guard lock(mutex_);
  segments_[{segment.stream, segment.first_lsn}] = segment;
  RecountBytesLocked();
  // Past the first LSN even of an empty segment: a new segment never takes an existing one's name.
  uint64_t& next = next_lsn_[segment.stream];
  next = std::max({next, segment.first_lsn + 1, segment.last_lsn + 1});
}

void WalDirectory::RaiseNextLsn(uint32_t stream, uint64_t next_lsn) {
  std::lock_guard lock(mutex_);
  uint64_t& next = next_lsn_[stream];
  next = std::max(next, next_lsn);
}

uint32_t WalDirectory::AcquireStream(uint64_t* next_lsn) {
  std::lock_guard lock(mutex_);
  uint32_t stream = 0;
  while (in_use_.count(stream) != 0) ++stream;
  in_use_.insert(stream);
  uint64_t& next = next_lsn_[stream];
  if (next == 0) next = 1;
  *next_lsn = next;
  return stream;
}

void WalDirectory::ReleaseStream(uint32_t stream, uint64_t next_lsn) {
  std::lock_guard lock(mutex_);
  in_use_.erase(stream);
  uint64_t& next = next_lsn_[stream];
  next = std::max(next, next_lsn);
}

std::string WalDirectory::SparePath(uint32_t stream, uint64_t first_lsn) const {
  return JoinPath(dir_, WalSpareFileName(stream, first_lsn));
}

Result<std::unique_ptr<WritableFile>> WalDirectory::CreateSegment(uint32_t stream, uint64_t first_lsn,
                                                                  uint64_t min_bytes, size_t* header_bytes) {
  const std::string path = SegmentPath(stream, first_lsn);
  const std::string header = EncodeWalSegmentHeader(stream, first_lsn, schema_);
  const bool marker = min_bytes == 0;
  const uint64_t capacity =
      marker ? header.size() : std::max<uint64_t>(segment_bytes_, header.size() + min_bytes);
  std::string start = header;
  if (!marker) start.append(kWalRecordHeaderBytes, '\0');  // the clean end, over a spare's old records
  Result<std::unique_ptr<WritableFile>> file = Status::NotFound("no spare");
  if (!marker && capacity == segment_bytes_) {
    if (std::optional<uint64_t> spare = TakeSpare(stream)) {
      file = ReuseSpare(stream, *spare, path, start);
      if (file.ok()) recycled_.fetch_add(1, std::memory_order_relaxed);
    }
  }
  if (!file.ok()) file = CreateFresh(path, start, marker ? 0 : capacity);
  if (!file.ok()) return file.status();
  *header_bytes = header.size();
  std::lock_guard lock(mutex_);
  Segment& segment = segments_[{stream, first_lsn}];  // replaces a marker of the same name
  segment = Segment{stream, first_lsn, first_lsn - 1, capacity, !marker};
  RecountBytesLocked();
  uint64_t& next = next_lsn_[stream];
  next = std::max(next, marker ? first_lsn + 1 : first_lsn);
  return file;
}

Result<std::unique_ptr<WritableFile>> WalDirectory::CreateFresh(const std::string& path,
                                                                const std::string& start, uint64_t capacity) {
  auto file = fs_->NewWritableFile(path);
  if (!file.ok()) return file.status();
  Status st = (*file)->WriteAt(0, reinterpret_cast<const uint8_t*>(start.data()), start.size());
  if (st.ok() && capacity > 0) st = (*file)->Preallocate(capacity);
  if (!st.ok()) {
    (void)(*file)->Close();
    (void)fs_->Remove(path);
    return st;
  }
  return file;
}

std::optional<uint64_t> WalDirectory::TakeSpare(uint32_t stream) {
  std::lock_guard lock(mutex_);
  auto it = spares_.find(stream);
  if (it == spares_.end() || it->second.empty()) return std::nullopt;
  const uint64_t first_lsn = it->second.back();
  it->second.pop_back();
  return first_lsn;
}

Result<std::unique_ptr<WritableFile>> WalDirectory::ReuseSpare(uint32_t stream, uint64_t spare_lsn,
                                                               const std::string& path,
                                                               const std::string& start) {
  const std::string spare_path = SparePath(stream, spare_lsn);
  // The new header and the clean end after it are durable before the file takes the segment's name, so
  // that the name never stands for the old header and records (nor does a crash in between leave more
  // than a spare, which recovery keeps or removes).
  Status st;
  {
    auto spare = fs_->OpenForOverwrite(spare_path);
    st = spare.ok() ? (*spare)->WriteAt(0, reinterpret_cast<const uint8_t*>(start.data()), start.size())
                    : spare.status();
    if (st.ok()) st = (*spare)->SyncData();
    if (spare.ok()) (void)(*spare)->Close();
  }
  if (st.ok()) st = fs_->Rename(spare_path, path);
  if (!st.ok()) {
    (void)fs_->Remove(spare_path);
    return st;
  }
  auto file = fs_->OpenForOverwrite(path);
  if (!file.ok()) (void)fs_->Remove(path);  // holds nothing yet
  return file;
}

Status WalDirectory::RecycleOrRemove(const Key& key, uint64_t bytes) {
  const std::string path = SegmentPath(key.first, key.second);
  bool keep = false;
  if (bytes == segment_bytes_) {
    std::lock_guard lock(mutex_);
    keep = spares_[key.first].size() < kSparesPerStream;
  }
  // Only one Trim runs at a time (trim_mutex_), and only Trim adds spares: the room checked stays.
  if (keep && fs_->Rename(path, SparePath(key.first, key.second)).ok()) {
    std::lock_guard lock(mutex_);
    spares_[key.first].push_back(key.second);
    return Status::OK();
  }
  return fs_->Remove(path);
}

Status WalDirectory::AdoptSpare(uint32_t stream, uint64_t first_lsn, uint64_t bytes) {
  {
    std::lock_guard lock(mutex_);
    std::vector<uint64_t>& spares = spares_[stream];
    if (bytes == segment_bytes_ && spares.size() < kSparesPerStream) {
      spares.push_back(first_lsn);
      return Status::OK();
    }
  }
  Status st = fs_->Remove(SparePath(stream, first_lsn));
  return st.code() == Status::Code::kNotFound ? Status::OK() : st;
}

Status WalDirectory::RemoveSpares() {
  std::map<uint32_t, std::vector<uint64_t>> spares;
  {
    std::lock_guard lock(mutex_);
    spares.swap(spares_);
  }
  Status first_error;
  for (const auto& [stream, first_lsns] : spares) {
    for (uint64_t first_lsn : first_lsns) {
      Status st = fs_->Remove(SparePath(stream, first_lsn));
      if (!st.ok() && st.code() != Status::Code::kNotFound && first_error.ok()) first_error = st;
    }
  }
  return first_error;
}

size_t WalDirectory::spare_count() const {
  std::lock_guard lock(mutex_);
  size_t count = 0;
  for (const auto& [stream, spares] : spares_) count += spares.size();
  return count;
}

void WalDirectory::CloseSegment(uint32_t stream, uint64_t first_lsn, uint64_t last_lsn) {
  std::lock_guard lock(mutex_);
  auto it = segments_.find({stream, first_lsn});
  if (it == segments_.end()) return;
  it->second.open = false;
  it->second.last_lsn = last_lsn;
  uint64_t& next = next_lsn_[stream];
  next = std::max(next, last_lsn + 1);
}

Status WalDirectory::SyncDir() {
  return fs_->SyncDir(dir_);
}

Status WalDirectory::Trim(const std::map<uint32_t, uint64_t>& stored_through) {
  std::lock_guard trim_lock(trim_mutex_);
  std::vector<Key> remove;
  struct Marker {
    uint32_t stream;
    uint64_t next_lsn;
    Key replaces;  // the stream's newest segment, which may go only once the marker is durable
  };
  std::vector<Marker> markers;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [stream, through] : stored_through) {
      auto begin = segments_.lower_bound({stream, 0});
      auto end = segments_.lower_bound({stream + 1, 0});
      if (begin == end) continue;
      auto newest = std::prev(end);
      for (auto it = begin; it != end; ++it) {
        const Segment& segment = it->second;
        if (segment.open || segment.last_lsn > through) continue;
        if (it == newest) {
          // The stream's last word on its LSNs: replaced by a marker, and only when no writer holds the
          // stream (its next segment will carry the LSN on). An empty segment is already a marker.
          if (in_use_.count(stream) != 0 || segment.last_lsn + 1 == segment.first_lsn) continue;
          markers.push_back({stream, segment.last_lsn + 1, it->first});
          // Decided under the lock: a writer taking the stream from now on starts after the marker, so
          // it never opens (and truncates) the marker's file.
          uint64_t& next = next_lsn_[stream];
          next = std::max(next, segment.last_lsn + 2);
        }
        remove.push_back(it->first);
      }
    }
  }
  if (remove.empty()) return Status::OK();
  Status first_error;
  // Markers first, durable, so that a crash between the two steps still knows where each stream stopped.
  for (const Marker& m : markers) {
    size_t header_bytes = 0;
    auto marker = CreateSegment(m.stream, m.next_lsn, /*min_bytes=*/0, &header_bytes);
    Status st = marker.ok() ? (*marker)->SyncData() : marker.status();
    if (marker.ok()) (void)(*marker)->Close();
    if (!st.ok()) {
      std::erase(remove, m.replaces);  // without its marker the newest segment must stay
      if (first_error.ok()) first_error = st;
    }
  }
  if (!markers.empty()) {
    if (Status st = SyncDir(); !st.ok()) return st;  // nothing removed: the markers may not be durable
  }
  for (const Key& key : remove) {
    uint64_t bytes = 0;
    {
      std::lock_guard lock(mutex_);
      auto it = segments_.find(key);
      if (it != segments_.end()) bytes = it->second.bytes;
    }
    Status st = RecycleOrRemove(key, bytes);
    if (!st.ok() && st.code() != Status::Code::kNotFound) {
      if (first_error.ok()) first_error = st;
      continue;
    }
    std::lock_guard lock(mutex_);
    segments_.erase(key);
    RecountBytesLocked();
  }
  return first_error;
}

size_t WalDirectory::segment_count() const {
  std::lock_guard lock(mutex_);
  return segments_.size();
}

void WalDirectory::RecountBytesLocked() {
  // A few segments per stream: recounting on each change is cheaper than keeping a sum right.
  uint64_t total = 0;
  std::array<uint64_t, kTrackedStreams> oldest;
  oldest.fill(UINT64_MAX);  // no segment: nothing held
  for (const auto& [key, segment] : segments_) {
    total += segment.bytes;
    if (key.first < kTrackedStreams) oldest[key.first] = std::min(oldest[key.first], key.second);
  }
  disk_bytes_.store(total, std::memory_order_relaxed);
  for (uint32_t s = 0; s < kTrackedStreams; ++s) oldest_lsn_[s].store(oldest[s], std::memory_order_relaxed);
}

std::vector<WalDirectory::Segment> WalDirectory::Segments() const {
  std::lock_guard lock(mutex_);
  std::vector<Segment> out;
  for (const auto& [key, segment] : segments_) out.push_back(segment);
  return out;
}

// ---- WalStream --------------------------------------------------------------------------------------

WalStream::WalStream(WalDirectory* dir, WalCounters* counters) : dir_(dir), counters_(counters) {
  stream_ = dir_->AcquireStream(&next_lsn_);
}

WalStream::~WalStream() {
  while (in_flight()) (void)Wait();
  if (thread_.joinable()) {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  DropForming();  // never acknowledged
  dir_->ReleaseStream(stream_, next_lsn_);
}

void WalStream::CloseCurrent(uint64_t last_lsn) {
  if (!segment_) return;
  (void)segment_->Close();
  segment_.reset();
  dir_->CloseSegment(stream_, segment_first_lsn_, last_lsn);
}

Status WalStream::OpenSegment(size_t record_bytes) {
  size_t header_bytes = 0;
  auto file = dir_->CreateSegment(stream_, next_lsn_, record_bytes, &header_bytes);
  if (!file.ok()) return file.status();
  segment_ = std::shared_ptr<WritableFile>(std::move(*file));
  segment_first_lsn_ = next_lsn_;
  segment_used_ = header_bytes;
  segment_capacity_ = std::max<uint64_t>(dir_->segment_bytes(), header_bytes + record_bytes);
  forming_.dir_sync = true;
  return Status::OK();
}

Result<uint64_t> WalStream::Add(std::string_view payload) {
  const size_t record_bytes = WalRecordBytes(payload.size());
  if (!segment_ || segment_used_ + record_bytes > segment_capacity_) {
    if (segment_) {
      // Roll: the old segment is closed once the group that ends it is written (by the sync thread).
      if (forming_.chunks.empty() || forming_.chunks.back().file != segment_) {
        Chunk chunk;  // nothing to write, only the segment to close
        chunk.file = segment_;
        chunk.segment_first_lsn = segment_first_lsn_;
        forming_.chunks.push_back(std::move(chunk));
      }
      forming_.chunks.back().close_after = true;
      forming_.chunks.back().last_lsn = next_lsn_ - 1;
      segment_.reset();
    }
    if (Status st = OpenSegment(record_bytes); !st.ok()) {
      return Status::Unavailable("storage unavailable: " + st.message());
    }
  }
  if (forming_.chunks.empty() || forming_.chunks.back().file != segment_) {
    Chunk chunk;
    chunk.file = segment_;
    chunk.segment_first_lsn = segment_first_lsn_;
    chunk.offset = segment_used_;
    chunk.capacity = segment_capacity_;
    forming_.chunks.push_back(std::move(chunk));
  }
  Chunk& chunk = forming_.chunks.back();
  const uint64_t lsn = next_lsn_++;
  last_record_offset_ = segment_used_;
  AppendWalRecord(lsn, payload, &chunk.bytes);
  chunk.last_lsn = lsn;
  segment_used_ += record_bytes;
  forming_bytes_ += record_bytes;
  ++forming_.records;
  return lsn;
}

void WalStream::Seal() {
  if (!can_seal() || forming_.chunks.empty()) return;
  if (!thread_.joinable()) {
    thread_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "ld-wal-sync");
      SyncThread();
    });
  }
  forming_.epoch = epoch_;
  {
    std::lock_guard lock(mutex_);
    sealed_.push_back(std::move(forming_));
  }
  cv_.notify_all();
  forming_ = Group();
  forming_bytes_ = 0;
  ++in_flight_;
}

bool WalStream::Poll(Status* status) {
  if (in_flight_ == 0) return false;
  {
    std::lock_guard lock(mutex_);
    if (done_.empty()) return false;
    *status = std::move(done_.front());
    done_.pop_front();
  }
  --in_flight_;
  Finish(*status);
  return true;
}

Status WalStream::Wait() {
  if (in_flight_ == 0) return Status::OK();
  Status status;
  {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return !done_.empty(); });
    status = std::move(done_.front());
    done_.pop_front();
  }
  --in_flight_;
  Finish(status);
  return status;
}

Status WalStream::Commit() {
  Status first;
  while (in_flight()) {
    if (Status st = Wait(); !st.ok() && first.ok()) first = st;
  }
  Seal();
  if (Status st = Wait(); !st.ok() && first.ok()) first = st;
  return first;
}

void WalStream::Finish(const Status& status) {
  if (status.ok()) return;
  // What this segment holds can no longer be trusted to end cleanly, and what forms behind the failed
  // group is refused with it: the next record starts a new segment. Groups sealed from now on are written
  // again (a new epoch); those sealed before fail unwritten.
  DropForming();
  ++epoch_;
}

void WalStream::CloseIfRolled(Chunk& chunk) {
  if (!chunk.close_after) return;
  (void)chunk.file->Close();
  dir_->CloseSegment(stream_, chunk.segment_first_lsn, chunk.last_lsn);
}

void WalStream::DropForming() {
  // Segments rolled away from within the group are closed as they are, and so is the current one.
  for (Chunk& chunk : forming_.chunks) CloseIfRolled(chunk);
  forming_ = Group();
  forming_bytes_ = 0;
  CloseCurrent(next_lsn_ - 1);
}

void WalStream::SyncThread() {
  for (;;) {
    Group group;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return stop_ || !sealed_.empty(); });
      if (sealed_.empty()) return;
      group = std::move(sealed_.front());
      sealed_.pop_front();
    }
    Status status;
    if (failed_epoch_ && *failed_epoch_ == group.epoch) {
      status = RefuseGroup(group, failure_);
    } else {
      status = WriteGroup(group);
      if (!status.ok()) {
        failed_epoch_ = group.epoch;
        failure_ = status;
      }
    }
    {
      std::lock_guard lock(mutex_);
      done_.push_back(std::move(status));
    }
    cv_.notify_all();
    if (notify_) notify_();
  }
}

Status WalStream::RefuseGroup(Group& group, const Status& failure) {
  for (Chunk& chunk : group.chunks) CloseIfRolled(chunk);
  if (counters_) counters_->failed_commits.fetch_add(1, std::memory_order_relaxed);
  return failure;
}

Status WalStream::WriteGroup(Group& group) {
  Status st;
  uint64_t syncs = 0;
  uint64_t bytes = 0;
  for (Chunk& chunk : group.chunks) {
    if (!st.ok() || chunk.bytes.empty()) continue;
    const size_t records = chunk.bytes.size();
    // The clean end after the records (storage/wal_format.h), which the next group writes over.
    const uint64_t end = chunk.offset + records;
    const uint64_t room = chunk.capacity > end ? chunk.capacity - end : 0;
    chunk.bytes.append(static_cast<size_t>(std::min<uint64_t>(kWalRecordHeaderBytes, room)), '\0');
    st = chunk.file->WriteAt(chunk.offset, reinterpret_cast<const uint8_t*>(chunk.bytes.data()),
                             chunk.bytes.size());
    bytes += records;
  }
  for (Chunk& chunk : group.chunks) {
    if (st.ok() && !chunk.bytes.empty()) {
      st = chunk.file->SyncData();
      ++syncs;
    }
    CloseIfRolled(chunk);
  }
  if (st.ok() && group.dir_sync) {
    st = dir_->SyncDir();
    ++syncs;
  }
  if (counters_) {
    counters_->bytes.fetch_add(bytes, std::memory_order_relaxed);
    counters_->syncs.fetch_add(syncs, std::memory_order_relaxed);
    if (st.ok()) {
      counters_->commits.fetch_add(1, std::memory_order_relaxed);
      counters_->records.fetch_add(group.records, std::memory_order_relaxed);
    } else {
      counters_->failed_commits.fetch_add(1, std::memory_order_relaxed);
    }
  }
  return st;
}

}  // namespace logdaemon::storage
