// FaultInjectingFileSystem: a FileSystem for tests that wraps a real one (by default DefaultFileSystem())
// and makes chosen operations fail the way a real disk does: the next N creates / writes / fsyncs /
// renames / directory fsyncs / removals fail with a given errno (ENOSPC, EIO, EACCES …), and a capacity
// turns the files written through it into a small disk that fills up. Error messages read like the real
// ones ("write <path>: No space left on device").
//
// What each Op covers: kCreate NewWritableFile and OpenForOverwrite; kWrite WritableFile::Append, WriteAt
// and Preallocate; kSync
// WritableFile::Sync and SyncData;
// kRename Rename; kSyncDir SyncDir; kRemove Remove and RemoveDir. CreateDirs and ListDir pass through.
//
// A failing write is sometimes partial, like a real short write followed by ENOSPC: every other injected
// write failure (the 1st, 3rd, … since construction) first writes the first half of the data. A write
// that fails stays failed, like the real WritableFile.
//
// A power cut (PowerCut) forgets what a real disk would: the bytes of each file written through this layer
// beyond what was fsynced (preallocated space reads as zeros again), what WriteAt overwrote in the durable
// part of a file since its last fsync (the old bytes come back), and the files whose directory entry
// was not made durable by a SyncDir of their directory since they were created or renamed. From then on
// every operation fails with EIO (the machine is off); a new file system on the same directory is the
// reboot. Removals are kept as done (a crash may also resurrect a removed file; that case is not modelled).
//
// Thread-safety: every method may be called from any thread; the state is behind one mutex. Files it
// creates must not outlive it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "storage/fs.h"

namespace logdaemon::storage {

class FaultInjectingFileSystem final : public FileSystem {
 public:
  enum class Op { kCreate, kWrite, kSync, kRename, kSyncDir, kRemove };

  // `base` is not owned; nullptr means DefaultFileSystem().
  explicit FaultInjectingFileSystem(FileSystem* base = nullptr);
  ~FaultInjectingFileSystem() override;
  FaultInjectingFileSystem(const FaultInjectingFileSystem&) = delete;
  FaultInjectingFileSystem& operator=(const FaultInjectingFileSystem&) = delete;

  // The next `count` calls of `op` fail with `error_number`; count < 0: every call until ClearFaults().
  // Replaces an earlier FailNext for the same op.
  void FailNext(Op op, int error_number, int count = 1);
  // 0: unlimited. Otherwise an Append that would take used_bytes() beyond `bytes` writes what fits and
  // fails with ENOSPC. Lowering it below used_bytes() deletes nothing; it only stops further growth.
  void SetCapacity(uint64_t bytes);
  // Cancels every pending FailNext (not the capacity).
  void ClearFaults();
  // While stalled, fsync waits (a disk that is slow, not failing): the publisher, and so the writer, falls
  // behind without any error. fdatasync (the write-ahead log's group commits) goes on. Unstall before
  // closing an engine.
  void StallSyncs(bool stall);
  // The bytes held by files written through this layer and not since removed, truncated or replaced.
  uint64_t used_bytes() const;
  // How many operations failed because of FailNext or the capacity.
  uint64_t injected_failures() const;
  // Simulates a power cut now (see the header comment). Errors undoing the real files are returned.
  Status PowerCut();

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> OpenForOverwrite(const std::string& path) override;
  Status ReadFile(const std::string& path, std::string* contents) override;
  Status ReadAt(const std::string& path, uint64_t offset, size_t length, std::string* out) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status SyncDir(const std::string& path) override;
  Status Remove(const std::string& path) override;
  Status RemoveDir(const std::string& path) override;
  Status CreateDirs(const std::string& path) override;
  Status ListDir(const std::string& path, std::vector<DirEntry>* entries) override;

 private:
  class FaultyWritableFile;
  // The bytes of one file written through this layer. Shared with its open WritableFile, so that its
  // writes keep being counted after a rename; `linked` is cleared when the path is removed or replaced.
  struct TrackedFile {
    uint64_t size = 0;           // bytes appended
    uint64_t reserved = 0;       // bytes preallocated; the file takes max(size, reserved) of the disk
    uint64_t synced = 0;         // bytes made durable by the last Sync / SyncData
    bool entry_durable = false;  // its directory entry survives a power cut (SyncDir since create/rename)
    bool linked = true;
    // Overwrites of durable bytes (below `synced`) since the last sync, oldest first, each with the bytes
    // it replaced: a power cut puts those back.
    std::vector<std::pair<uint64_t, std::string>> undo;
    uint64_t charge() const { return size > reserved ? size : reserved; }
  };
  struct Fault {
    int error_number = 0;
    int remaining = 0;  // < 0: unlimited
  };

  // Consumes one pending fault of `op`, if any, into *error_number. REQUIRES: mutex_ held.
  bool TakeFaultLocked(Op op, int* error_number);
  // Forgets the file at `path`, giving its bytes back. REQUIRES: mutex_ held.
  void UntrackLocked(const std::string& path);
  // Called by FaultyWritableFile::Append (no offset: at the end) and WriteAt.
  Status Write(const std::string& path, const std::shared_ptr<TrackedFile>& tracked, WritableFile* base,
               std::optional<uint64_t> offset, const uint8_t* data, size_t n);
  // Called by FaultyWritableFile::Sync and SyncData.
  Status Sync(const std::string& path, const std::shared_ptr<TrackedFile>& tracked, WritableFile* base,
              bool data_only);
  // EIO once the power is cut. REQUIRES: mutex_ held.
  bool PoweredOffLocked(Status* status, std::string_view op, const std::string& path);
  // Called by FaultyWritableFile::Preallocate: takes the reserved bytes from the capacity.
  Status Preallocate(const std::string& path, const std::shared_ptr<TrackedFile>& tracked, WritableFile* base,
                     uint64_t bytes);

  FileSystem* const base_;
  mutable std::mutex mutex_;
  std::map<Op, Fault> faults_;
  std::map<std::string, std::shared_ptr<TrackedFile>> files_;
  uint64_t capacity_ = 0;
  uint64_t used_bytes_ = 0;
  uint64_t injected_failures_ = 0;
  uint64_t injected_write_failures_ = 0;  // decides which injected write failures are partial
  bool powered_off_ = false;
  bool syncs_stalled_ = false;
  std::condition_variable stall_cv_;
};

}  // namespace logdaemon::storage
