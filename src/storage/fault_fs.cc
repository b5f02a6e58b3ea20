#include "storage/fault_fs.h"

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <optional>
#include <system_error>
#include <utility>

namespace logdaemon::storage {

class FaultInjectingFileSystem::FaultyWritableFile final : public WritableFile {
 public:
  FaultyWritableFile(FaultInjectingFileSystem* fs, std::string path, std::shared_ptr<TrackedFile> tracked,
                     std::unique_ptr<WritableFile> base)
      : fs_(fs), path_(std::move(path)), tracked_(std::move(tracked)), base_(std::move(base)) {}
  FaultyWritableFile(const FaultyWritableFile&) = delete;
  FaultyWritableFile& operator=(const FaultyWritableFile&) = delete;
  ~FaultyWritableFile() override { Close(); }

  Status Append(const uint8_t* data, size_t n) override {
    if (!status_.ok()) return status_;
    status_ = fs_->Write(path_, tracked_, base_.get(), std::nullopt, data, n);
    return status_;
  }

  Status WriteAt(uint64_t offset, const uint8_t* data, size_t n) override {
    if (!status_.ok()) return status_;
    status_ = fs_->Write(path_, tracked_, base_.get(), offset, data, n);
    return status_;
  }

  Status Sync() override {
    if (!status_.ok()) return status_;
    status_ = fs_->Sync(path_, tracked_, base_.get(), /*data_only=*/false);
    return status_;
  }

  Status SyncData() override {
    if (!status_.ok()) return status_;
    status_ = fs_->Sync(path_, tracked_, base_.get(), /*data_only=*/true);
    return status_;
  }

  Status Preallocate(uint64_t bytes) override {
    if (!status_.ok()) return status_;
    return fs_->Preallocate(path_, tracked_, base_.get(), bytes);
  }

  Status Close() override { return base_->Close(); }

 private:
  FaultInjectingFileSystem* const fs_;
  const std::string path_;
  const std::shared_ptr<TrackedFile> tracked_;
  const std::unique_ptr<WritableFile> base_;
  Status status_;  // sticky, like the real file
};

FaultInjectingFileSystem::FaultInjectingFileSystem(FileSystem* base)
    : base_(base != nullptr ? base : DefaultFileSystem()) {}

FaultInjectingFileSystem::~FaultInjectingFileSystem() = default;

void FaultInjectingFileSystem::FailNext(Op op, int error_number, int count) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (count == 0) {
    faults_.erase(op);
    return;
  }
  faults_[op] = Fault{error_number, count};
}

void FaultInjectingFileSystem::SetCapacity(uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  capacity_ = bytes;
}

void FaultInjectingFileSystem::ClearFaults() {
  std::lock_guard<std::mutex> lock(mutex_);
  faults_.clear();
}

uint64_t FaultInjectingFileSystem::used_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return used_bytes_;
}

uint64_t FaultInjectingFileSystem::injected_failures() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return injected_failures_;
}

bool FaultInjectingFileSystem::TakeFaultLocked(Op op, int* error_number) {
  auto it = faults_.find(op);
  if (it == faults_.end()) return false;
  *error_number = it->second.error_number;
  if (it->second.remaining > 0 && --it->second.remaining == 0) faults_.erase(it);
  ++injected_failures_;
  return true;
}

void FaultInjectingFileSystem::UntrackLocked(const std::string& path) {
  auto it = files_.find(path);
  if (it == files_.end()) return;
  used_bytes_ -= it->second->charge();
  it->second->linked = false;
  files_.erase(it);
}

Result<std::unique_ptr<WritableFile>> FaultInjectingFileSystem::NewWritableFile(const std::string& path) {
  // The lock is held across the base call (and in Rename and Remove), so that a power cut sees the
  // namespace and what is tracked agree.
  std::lock_guard<std::mutex> lock(mutex_);
  Status off;
  if (PoweredOffLocked(&off, "open", path)) return off;
  int err;
  if (TakeFaultLocked(Op::kCreate, &err)) return FileError("open", path, err);
  Result<std::unique_ptr<WritableFile>> base = base_->NewWritableFile(path);
  if (!base.ok()) return base.status();
  auto tracked = std::make_shared<TrackedFile>();
  UntrackLocked(path);  // O_TRUNC gave the old bytes back
  files_[path] = tracked;
  return std::unique_ptr<WritableFile>(
      std::make_unique<FaultyWritableFile>(this, path, std::move(tracked), std::move(*base)));
}

Result<std::unique_ptr<WritableFile>> FaultInjectingFileSystem::OpenForOverwrite(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  Status off;
  if (PoweredOffLocked(&off, "open", path)) return off;
  int err;
  if (TakeFaultLocked(Op::kCreate, &err)) return FileError("open", path, err);
  Result<std::unique_ptr<WritableFile>> base = base_->OpenForOverwrite(path);
  if (!base.ok()) return base.status();
  std::shared_ptr<TrackedFile>& tracked = files_[path];
  if (!tracked) {
    // Written before this layer existed (before the "reboot"): all of it is durable, entry included.
    std::error_code error;
    const uint64_t size = std::filesystem::file_size(path, error);
    tracked = std::make_shared<TrackedFile>();
    tracked->size = tracked->synced = tracked->reserved = error ? 0 : size;
    tracked->entry_durable = true;
    used_bytes_ += tracked->charge();
  }
  return std::unique_ptr<WritableFile>(
      std::make_unique<FaultyWritableFile>(this, path, tracked, std::move(*base)));
}

Status FaultInjectingFileSystem::Write(const std::string& path, const std::shared_ptr<TrackedFile>& tracked,
                                       WritableFile* base, std::optional<uint64_t> offset,
                                       const uint8_t* data, size_t n) {
  // Held across the base write, so that concurrent writes cannot both take the last free bytes.
  std::lock_guard<std::mutex> lock(mutex_);
  const char* op = offset ? "pwrite" : "write";
  if (Status off; PoweredOffLocked(&off, op, path)) return off;
  const uint64_t at = offset.value_or(tracked->size);
  int err = 0;
  size_t to_write = n;
  // Bytes written within what the file already takes (written or preallocated) take no more of the disk:
  // with the free room, a write may reach fits_end.
  const uint64_t room = capacity_ > used_bytes_ ? capacity_ - used_bytes_ : 0;
  const uint64_t fits_end = tracked->charge() + room;
  const bool bounded = capacity_ != 0 && tracked->linked;
  if (TakeFaultLocked(Op::kWrite, &err)) {
    // Every other injected failure is a short write first, so that tests see partial files.
    to_write = (injected_write_failures_++ % 2 == 0) ? n / 2 : 0;
  } else if (bounded && (at + n > fits_end || used_bytes_ > capacity_)) {  // over it: even what is paid for
    err = ENOSPC;
    ++injected_failures_;
  }
  if (bounded) {  // an injected short write does not overfill the disk either
    to_write = static_cast<size_t>(std::min<uint64_t>(to_write, fits_end > at ? fits_end - at : 0));
  }
  if (to_write > 0) {
    if (at < tracked->synced) {  // overwriting durable bytes: a power cut puts them back
      const size_t durable = static_cast<size_t>(std::min<uint64_t>(to_write, tracked->synced - at));
      std::string old;
      if (Status st = base_->ReadAt(path, at, durable, &old); !st.ok()) return st;
      tracked->undo.emplace_back(at, std::move(old));
    }
    Status status = offset ? base->WriteAt(at, data, to_write) : base->Append(data, to_write);
    if (!status.ok()) return status;
    const uint64_t before = tracked->charge();
    tracked->size = std::max<uint64_t>(tracked->size, at + to_write);
    if (tracked->linked) used_bytes_ += tracked->charge() - before;
  }
  if (err != 0) return FileError(op, path, err);
  return Status::OK();
}

bool FaultInjectingFileSystem::PoweredOffLocked(Status* status, std::string_view op,
                                                const std::string& path) {
  if (!powered_off_) return false;
  *status = FileError(op, path, EIO);
  return true;
}

void FaultInjectingFileSystem::StallSyncs(bool stall) {
  std::lock_guard<std::mutex> lock(mutex_);
  syncs_stalled_ = stall;
  stall_cv_.notify_all();
}

Status FaultInjectingFileSystem::Sync(const std::string& path, const std::shared_ptr<TrackedFile>& tracked,
                                      WritableFile* base, bool data_only) {
  const char* op = data_only ? "fdatasync" : "fsync";
  uint64_t size = 0;
  size_t undone = 0;  // the overwrites this sync makes durable
  {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!data_only) stall_cv_.wait(lock, [&] { return !syncs_stalled_; });
    Status off;
    if (PoweredOffLocked(&off, op, path)) return off;
    int err;
    if (TakeFaultLocked(Op::kSync, &err)) return FileError(op, path, err);
    size = tracked->size;
    undone = tracked->undo.size();
  }
  Status status = data_only ? base->SyncData() : base->Sync();
  if (!status.ok()) return status;
  std::lock_guard<std::mutex> lock(mutex_);
  // The power went out while syncing: whether the bytes made it is unknown, so it failed.
  if (PoweredOffLocked(&status, op, path)) return status;
  tracked->synced = std::max(tracked->synced, size);
  tracked->undo.erase(tracked->undo.begin(), tracked->undo.begin() + static_cast<std::ptrdiff_t>(undone));
  return status;
}

Status FaultInjectingFileSystem::PowerCut() {
  std::lock_guard<std::mutex> lock(mutex_);
  powered_off_ = true;
  Status first;
  for (auto& [path, tracked] : files_) {
    if (!tracked->linked) continue;
    std::error_code error;
    if (!tracked->entry_durable) {
      std::filesystem::remove(path, error);
    } else {
      // Overwritten durable bytes come back, newest overwrite undone first.
      if (!tracked->undo.empty()) {
        Result<std::unique_ptr<WritableFile>> file = base_->OpenForOverwrite(path);
        Status st = file.status();
        for (auto it = tracked->undo.rbegin(); st.ok() && it != tracked->undo.rend(); ++it) {
          st = (*file)->WriteAt(it->first, reinterpret_cast<const uint8_t*>(it->second.data()),
                                it->second.size());
        }
        if (!st.ok() && first.ok()) first = st;
        tracked->undo.clear();
      }
      // What was not synced is gone; preallocated space reads as zeros again.
      std::filesystem::resize_file(path, tracked->synced, error);
      if (!error && tracked->reserved > tracked->synced)
        std::filesystem::resize_file(path, tracked->reserved, error);
    }
    if (error && first.ok()) first = FileError("power cut", path, error.value());
  }
  return first;
}

Status FaultInjectingFileSystem::Preallocate(const std::string& path,
                                             const std::shared_ptr<TrackedFile>& tracked, WritableFile* base,
                                             uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  int err;
  if (TakeFaultLocked(Op::kWrite, &err)) return FileError("fallocate", path, err);
  const uint64_t extra = bytes > tracked->charge() ? bytes - tracked->charge() : 0;
  if (capacity_ != 0 && tracked->linked && used_bytes_ + extra > capacity_) {
    ++injected_failures_;
    return FileError("fallocate", path, ENOSPC);
  }
  if (Status status = base->Preallocate(bytes); !status.ok()) return status;
  if (bytes > tracked->reserved) tracked->reserved = bytes;
  if (tracked->linked) used_bytes_ += extra;
  return Status::OK();
}

Status FaultInjectingFileSystem::ReadFile(const std::string& path, std::string* contents) {
  return base_->ReadFile(path, contents);
}

Status FaultInjectingFileSystem::ReadAt(const std::string& path, uint64_t offset, size_t length,
                                        std::string* out) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (Status off; PoweredOffLocked(&off, "read", path)) return off;
  }
  return base_->ReadAt(path, offset, length, out);
}

Status FaultInjectingFileSystem::Rename(const std::string& from, const std::string& to) {
  std::lock_guard<std::mutex> lock(mutex_);
  Status off;
  if (PoweredOffLocked(&off, "rename", from)) return off;
  int err;
  if (TakeFaultLocked(Op::kRename, &err)) return FileError("rename", from + " to " + to, err);
  Status status = base_->Rename(from, to);
  if (!status.ok()) return status;
  if (from == to) return status;  // rename(2) does nothing then
  UntrackLocked(to);              // the replaced file's bytes are freed
  auto it = files_.find(from);
  if (it != files_.end()) {
    std::shared_ptr<TrackedFile> tracked = std::move(it->second);
    files_.erase(it);
    tracked->entry_durable = false;  // the new entry needs a SyncDir of its directory
    files_[to] = std::move(tracked);
  }
  return status;
}

Status FaultInjectingFileSystem::SyncDir(const std::string& path) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    Status off;
    if (PoweredOffLocked(&off, "fsync", path)) return off;
    int err;
    if (TakeFaultLocked(Op::kSyncDir, &err)) return FileError("fsync", path, err);
  }
  Status status = base_->SyncDir(path);
  if (!status.ok()) return status;
  std::lock_guard<std::mutex> lock(mutex_);
  if (PoweredOffLocked(&status, "fsync", path)) return status;
  const std::filesystem::path dir = std::filesystem::path(path).lexically_normal();
  for (auto& [file, tracked] : files_) {
    if (std::filesystem::path(file).parent_path().lexically_normal() == dir) tracked->entry_durable = true;
  }
  return status;
}

Status FaultInjectingFileSystem::Remove(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  Status off;
  if (PoweredOffLocked(&off, "unlink", path)) return off;
  int err;
  if (TakeFaultLocked(Op::kRemove, &err)) return FileError("unlink", path, err, true);
  Status status = base_->Remove(path);
  if (status.ok() || status.code() == Status::Code::kNotFound) UntrackLocked(path);
  return status;
}

Status FaultInjectingFileSystem::RemoveDir(const std::string& path) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    int err;
    if (TakeFaultLocked(Op::kRemove, &err)) return FileError("rmdir", path, err);
  }
  return base_->RemoveDir(path);
}

Status FaultInjectingFileSystem::CreateDirs(const std::string& path) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    Status off;
    if (PoweredOffLocked(&off, "mkdir", path)) return off;
  }
  return base_->CreateDirs(path);
}

Status FaultInjectingFileSystem::ListDir(const std::string& path, std::vector<DirEntry>* entries) {
  return base_->ListDir(path, entries);
}

}  // namespace logdaemon::storage
