// FileSystem: the few file operations the storage engine needs, behind an interface so that tests can
// inject faults (ENOSPC, EIO, EACCES at write, fsync or rename) and a small "disk" (FaultInjectingFileSystem,
// storage/fault_fs.h). Errors are IOError statuses naming the path and the errno text.
//
// Thread-safety: the real file system is stateless; FaultInjectingFileSystem is internally locked.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "logdaemon/status.h"
#include "parquet/io.h"

namespace logdaemon::storage {

// A file being written; appends go to the end. Closing without Sync does not make it durable.
class WritableFile : public parquet::OutputSink {
 public:
  // Status Append(const uint8_t* data, size_t n) from OutputSink.
  // Writes `n` bytes at `offset` (pwrite), not moving where Append writes. The write-ahead log writes its
  // segments this way, so that a recycled segment's new records overwrite the old ones in place.
  virtual Status WriteAt(uint64_t offset, const uint8_t* data, size_t n) = 0;
  virtual Status Sync() = 0;   // fsync
  virtual Status Close() = 0;  // idempotent
  // fdatasync: the data and what is needed to read it back (the size), not the other metadata. The
  // write-ahead log's group commit uses it.
  virtual Status SyncData() { return Sync(); }
  // Reserves the first `bytes` of the file on disk (fallocate), so that later appends within them cannot
  // fail for want of space; the file reads as zeros beyond what was appended. A file system that cannot
  // reserve space makes this a no-op.
  virtual Status Preallocate(uint64_t bytes) {
    (void)bytes;
    return Status::OK();
  }
};

struct DirEntry {
  std::string name;
  bool is_dir = false;
  uint64_t size = 0;  // regular files
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // Creates or truncates `path` for writing (mode 0644).
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) = 0;
  // Opens an existing file for writing in place: nothing is truncated (a recycled write-ahead log
  // segment, overwritten with WriteAt). NotFound when absent.
  virtual Result<std::unique_ptr<WritableFile>> OpenForOverwrite(const std::string& path) = 0;
  // The whole content of a file (write-ahead log segments, at recovery); NotFound when absent.
  virtual Status ReadFile(const std::string& path, std::string* contents) = 0;
  // `length` bytes from `offset` (the write-ahead log's backlog, read back); IOError when the file is
  // shorter.
  virtual Status ReadAt(const std::string& path, uint64_t offset, size_t length, std::string* out) = 0;
  // rename(2): atomic replacement within one file system.
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  virtual Status SyncDir(const std::string& path) = 0;
  virtual Status Remove(const std::string& path) = 0;      // a file; NotFound when absent
  virtual Status RemoveDir(const std::string& path) = 0;   // an empty directory
  virtual Status CreateDirs(const std::string& path) = 0;  // mkdir -p; OK when it exists
  // Entries of a directory except "." and ".."; NotFound when it does not exist.
  virtual Status ListDir(const std::string& path, std::vector<DirEntry>* entries) = 0;
};

// The process-wide POSIX implementation: files are created with mode 0640 and directories 0750 (before
// the umask), so logs are not world-readable.
FileSystem* DefaultFileSystem();
inline constexpr uint32_t kDefaultFileMode = 0640;
// A POSIX file system creating files with `file_mode` and directories with DirectoryModeFor(file_mode).
std::unique_ptr<FileSystem> NewPosixFileSystem(uint32_t file_mode);
// The directory mode that goes with a file mode: search (x) wherever read or write is allowed
// (0640 -> 0750, 0600 -> 0700, 0644 -> 0755).
uint32_t DirectoryModeFor(uint32_t file_mode);

// "<op> <path>: <errno text>" as an IOError, or NotFound for ENOENT when the caller's contract has one.
// The errno text comes from std::generic_category(), which is thread-safe, unlike strerror().
Status FileError(std::string_view op, const std::string& path, int error_number,
                 bool enoent_is_not_found = false);

// `directory` + "/" + `name`; either alone when the other is empty ("" is the storage root's partition).
std::string JoinPath(const std::string& directory, std::string_view name);

}  // namespace logdaemon::storage
