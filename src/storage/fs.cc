// The POSIX file system: the only place in storage that calls open / write / fsync / rename / unlink, and
// the one function (PosixError) that turns an errno into a Status.
#include "storage/fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace logdaemon::storage {

namespace {

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  PosixWritableFile(const PosixWritableFile&) = delete;
  PosixWritableFile& operator=(const PosixWritableFile&) = delete;
  ~PosixWritableFile() override { Close(); }

  Status Append(const uint8_t* data, size_t n) override {
    if (!status_.ok()) return status_;
    if (fd_ < 0) return FileError("write", path_, EBADF);
    while (n > 0) {
      const ssize_t written = ::write(fd_, data, n);
      if (written < 0) {
        if (errno == EINTR) continue;
        // Sticky: part of the data may be on disk, so the file can no longer be completed.
        status_ = FileError("write", path_, errno);
        return status_;
      }
      data += written;
      n -= static_cast<size_t>(written);
    }
    return Status::OK();
  }

  Status WriteAt(uint64_t offset, const uint8_t* data, size_t n) override {
    if (!status_.ok()) return status_;
    if (fd_ < 0) return FileError("pwrite", path_, EBADF);
    while (n > 0) {
      const ssize_t written = ::pwrite(fd_, data, n, static_cast<off_t>(offset));
      if (written < 0) {
        if (errno == EINTR) continue;
        status_ = FileError("pwrite", path_, errno);  // sticky, as for Append
        return status_;
      }
      data += written;
      offset += static_cast<uint64_t>(written);
      n -= static_cast<size_t>(written);
    }
    return Status::OK();
  }

  Status Sync() override {
    if (!status_.ok()) return status_;
    if (fd_ < 0) return FileError("fsync", path_, EBADF);
    if (::fsync(fd_) != 0) {
      // Sticky: after a failed fsync the kernel may have dropped the dirty pages, and a later fsync can
      // report success for data that never reached the disk.
      status_ = FileError("fsync", path_, errno);
      return status_;
    }
    return Status::OK();
  }

  Status SyncData() override {
    if (!status_.ok()) return status_;
    if (fd_ < 0) return FileError("fdatasync", path_, EBADF);
    if (::fdatasync(fd_) != 0) {
      status_ = FileError("fdatasync", path_, errno);  // sticky, as for fsync
      return status_;
    }
    return Status::OK();
  }

  Status Preallocate(uint64_t bytes) override {
    if (!status_.ok()) return status_;
    if (fd_ < 0) return FileError("fallocate", path_, EBADF);
    int rc;
    do {
      rc = ::fallocate(fd_, 0, 0, static_cast<off_t>(bytes));
    } while (rc != 0 && errno == EINTR);
    if (rc != 0 && errno != EOPNOTSUPP && errno != ENOSYS) return FileError("fallocate", path_, errno);
    return Status::OK();
  }

  Status Close() override {
    if (fd_ < 0) return Status::OK();
    const int fd = fd_;
    fd_ = -1;
    // No retry on EINTR: on Linux the descriptor is released even then, and a retry could close another.
    if (::close(fd) != 0 && errno != EINTR) return FileError("close", path_, errno);
    return Status::OK();
  }

 private:
  const std::string path_;
  int fd_;
  Status status_;  // the first failure; every later Append / Sync returns it
};

class PosixFileSystem final : public FileSystem {
 public:
  explicit PosixFileSystem(uint32_t file_mode)
      : file_mode_(static_cast<mode_t>(file_mode)),
        dir_mode_(static_cast<mode_t>(DirectoryModeFor(file_mode))) {}

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    int fd;
    do {
      fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, file_mode_);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return FileError("open", path, errno);
    return std::unique_ptr<WritableFile>(std::make_unique<PosixWritableFile>(path, fd));
  }

  Result<std::unique_ptr<WritableFile>> OpenForOverwrite(const std::string& path) override {
    int fd;
    do {
      fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return FileError("open", path, errno, /*enoent_is_not_found=*/true);
    return std::unique_ptr<WritableFile>(std::make_unique<PosixWritableFile>(path, fd));
  }

  Status ReadFile(const std::string& path, std::string* contents) override {
    contents->clear();
    int fd;
    do {
      fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return FileError("open", path, errno, /*enoent_is_not_found=*/true);
    Status status;
    struct stat st;
    if (::fstat(fd, &st) == 0 && st.st_size > 0) contents->reserve(static_cast<size_t>(st.st_size));
    char buffer[1 << 16];
    for (;;) {
      const ssize_t got = ::read(fd, buffer, sizeof(buffer));
      if (got == 0) break;
      if (got < 0) {
        if (errno == EINTR) continue;
        status = FileError("read", path, errno);
        break;
      }
      contents->append(buffer, static_cast<size_t>(got));
    }
    ::close(fd);
    return status;
  }

  Status ReadAt(const std::string& path, uint64_t offset, size_t length, std::string* out) override {
    int fd;
    do {
      fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return FileError("open", path, errno, /*enoent_is_not_found=*/true);
    out->resize(length);
    Status status;
    size_t done = 0;
    while (done < length) {
      const ssize_t got = ::pread(fd, out->data() + done, length - done, static_cast<off_t>(offset + done));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) {
        status = FileError("read", path, errno);
        break;
      }
      if (got == 0) {
        status = Status::IOError(path + ": " + std::to_string(length) + " bytes at offset " +
                                 std::to_string(offset) + " are past the end of the file");
        break;
      }
      done += static_cast<size_t>(got);
    }
    ::close(fd);
    return status;
  }

  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return FileError("rename", from + " to " + to, errno);
    return Status::OK();
  }

  Status SyncDir(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return FileError("open", path, errno);
    Status status;
    if (::fsync(fd) != 0) status = FileError("fsync", path, errno);
    ::close(fd);
    return status;
  }

  Status Remove(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return FileError("unlink", path, errno, /*enoent_is_not_found=*/true);
    return Status::OK();
  }

  Status RemoveDir(const std::string& path) override {
    if (::rmdir(path.c_str()) != 0) return FileError("rmdir", path, errno);
    return Status::OK();
  }

  Status CreateDirs(const std::string& path) override {
    if (path.empty()) return Status::OK();
    // Create each prefix that ends before a '/', then the whole path; "a//b/" and "/x" work as well.
    size_t pos = 0;
    while (pos != std::string::npos) {
      pos = path.find('/', pos + 1);
      const std::string prefix = path.substr(0, pos);
      if (prefix.empty() || prefix.back() == '/') continue;
      if (::mkdir(prefix.c_str(), dir_mode_) == 0) continue;
      const int err = errno;
      struct stat st;
      // EEXIST for an existing directory is fine; so is EACCES on an ancestor that exists (mkdir -p
      // does not need write access to directories it does not create).
      if ((err == EEXIST || err == EACCES) && ::stat(prefix.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
        continue;
      }
      return FileError("mkdir", prefix, err == EEXIST ? ENOTDIR : err);
    }
    return Status::OK();
  }

  Status ListDir(const std::string& path, std::vector<DirEntry>* entries) override {
    entries->clear();
    DIR* dir = ::opendir(path.c_str());
    if (dir == nullptr) return FileError("opendir", path, errno, /*enoent_is_not_found=*/true);
    const int dir_fd = ::dirfd(dir);
    Status status;
    while (true) {
      errno = 0;
      const struct dirent* entry = ::readdir(dir);
      if (entry == nullptr) {
        if (errno != 0) status = FileError("readdir", path, errno);
        break;
      }
      const std::string_view name(entry->d_name);
      if (name == "." || name == "..") continue;
      struct stat st;
      if (::fstatat(dir_fd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) continue;  // removed since readdir saw it
        std::string entry_path = path;
        entry_path += '/';
        entry_path += name;
        status = FileError("stat", entry_path, errno);
        break;
      }
      DirEntry out;
      out.name = std::string(name);
      out.is_dir = S_ISDIR(st.st_mode);
      out.size = S_ISREG(st.st_mode) ? static_cast<uint64_t>(st.st_size) : 0;
      entries->push_back(std::move(out));
    }
    ::closedir(dir);
    if (!status.ok()) entries->clear();
    return status;
  }

 private:
  const mode_t file_mode_;
  const mode_t dir_mode_;
};

}  // namespace

FileSystem* DefaultFileSystem() {
  // Never destroyed, so that it outlives every static user.
  static PosixFileSystem* const file_system = new PosixFileSystem(kDefaultFileMode);
  return file_system;
}

std::unique_ptr<FileSystem> NewPosixFileSystem(uint32_t file_mode) {
  return std::make_unique<PosixFileSystem>(file_mode);
}

uint32_t DirectoryModeFor(uint32_t file_mode) {
  uint32_t mode = file_mode & 0777;
  for (uint32_t shift : {6u, 3u, 0u}) {
    if ((mode >> shift) & 06) mode |= 01u << shift;
  }
  return mode;
}

Status FileError(std::string_view op, const std::string& path, int error_number, bool enoent_is_not_found) {
  std::string message(op);
  message += ' ';
  message += path;
  message += ": ";
  message += std::generic_category().message(error_number);
  if (enoent_is_not_found && error_number == ENOENT) return Status::NotFound(message);
  return Status::IOError(message);
}

std::string JoinPath(const std::string& directory, std::string_view name) {
  if (directory.empty()) return std::string(name);
  if (name.empty()) return directory;
  std::string path = directory;
  if (path.back() != '/') path += '/';
  path.append(name);
  return path;
}

}  // namespace logdaemon::storage
