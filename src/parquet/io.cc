#include "parquet/io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace logdaemon::parquet {

namespace {
Status ErrnoStatus(const std::string& what, int err) {
  return Status::IOError(what + ": " + std::strerror(err));
}
}  // namespace

Status FdOutputSink::Append(const uint8_t* data, size_t n) {
  while (n > 0) {
    ssize_t written = ::write(fd_, data, n);
    if (written < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("write", errno);
    }
    data += written;
    n -= static_cast<size_t>(written);
  }
  return Status::OK();
}

Result<std::unique_ptr<FileInputSource>> FileInputSource::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    // A file that is not there is NotFound, so that a reader racing compaction (which removes merged
    // inputs) can tell it from a failure and look again.
    if (errno == ENOENT) return Status::NotFound(path + ": " + std::strerror(ENOENT));
    // Out of descriptors is a limit, not a broken file: callers can say which limit to raise.
    if (errno == EMFILE || errno == ENFILE)
      return Status::ResourceExhausted(path + ": " + std::strerror(errno));
    return ErrnoStatus(path, errno);
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return ErrnoStatus(path, err);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument(path + ": not a regular file");
  }
  return std::unique_ptr<FileInputSource>(new FileInputSource(fd, static_cast<uint64_t>(st.st_size)));
}

FileInputSource::~FileInputSource() {
  ::close(fd_);
}

Status FileInputSource::ReadAt(uint64_t offset, size_t n, uint8_t* out) const {
  while (n > 0) {
    ssize_t got = ::pread(fd_, out, n, static_cast<off_t>(offset));
    if (got < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("pread", errno);
    }
    // The file shrank under us: another process truncated it.
    if (got == 0) return Status::IOError("unexpected end of file (file truncated while reading?)");
    out += got;
    offset += static_cast<uint64_t>(got);
    n -= static_cast<size_t>(got);
  }
  return Status::OK();
}

Status MemoryInputSource::ReadAt(uint64_t offset, size_t n, uint8_t* out) const {
  if (offset > size_ || n > size_ - offset) return Status::IOError("read past the end of the buffer");
  if (n != 0) std::memcpy(out, data_ + offset, n);
  return Status::OK();
}

}  // namespace logdaemon::parquet
