// Where Parquet bytes go to and come from. The format code never calls the OS directly: writers append
// to an OutputSink, readers read from an InputSource. The storage engine passes its own sink (its
// file-system layer, where tests inject ENOSPC and EIO); tests and the fuzzer use memory.
//
// Thread-safety: a sink has one writer. An InputSource's ReadAt may be called from several threads at
// once (it is a positional read), as FileReaders scan in parallel.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "logdaemon/status.h"
#include "parquet/byte_buffer.h"

namespace logdaemon::parquet {

class OutputSink {
 public:
  virtual ~OutputSink() = default;
  // Appends all n bytes, or fails; a failed sink stays failed (the file is abandoned by its owner).
  virtual Status Append(const uint8_t* data, size_t n) = 0;
};

// Appends to an open file descriptor with write(2), retrying short writes and EINTR. Does not own or
// close the descriptor.
class FdOutputSink final : public OutputSink {
 public:
  explicit FdOutputSink(int fd) : fd_(fd) {}
  Status Append(const uint8_t* data, size_t n) override;

 private:
  int fd_;
};

// Collects the bytes in memory (tests, fuzz corpora, small files).
class BufferOutputSink final : public OutputSink {
 public:
  Status Append(const uint8_t* data, size_t n) override {
    buffer_.append(data, n);
    return Status::OK();
  }
  const ByteBuffer& buffer() const { return buffer_; }

 private:
  ByteBuffer buffer_;
};

class InputSource {
 public:
  virtual ~InputSource() = default;
  virtual uint64_t size() const = 0;
  // Reads exactly n bytes at offset into out. REQUIRES: offset + n <= size() (callers check first).
  virtual Status ReadAt(uint64_t offset, size_t n, uint8_t* out) const = 0;
};

// A file read with pread(2); owns its descriptor, so the file stays readable after it is unlinked.
// Open fails with NotFound when the path does not exist, ResourceExhausted when out of descriptors.
class FileInputSource final : public InputSource {
 public:
  static Result<std::unique_ptr<FileInputSource>> Open(const std::string& path);
  ~FileInputSource() override;
  FileInputSource(const FileInputSource&) = delete;
  FileInputSource& operator=(const FileInputSource&) = delete;

  uint64_t size() const override { return size_; }
  Status ReadAt(uint64_t offset, size_t n, uint8_t* out) const override;

 private:
  FileInputSource(int fd, uint64_t size) : fd_(fd), size_(size) {}
  int fd_;
  uint64_t size_;
};

// Bytes already in memory; does not own them.
class MemoryInputSource final : public InputSource {
 public:
  MemoryInputSource(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint64_t size() const override { return size_; }
  Status ReadAt(uint64_t offset, size_t n, uint8_t* out) const override;

 private:
  const uint8_t* data_;
  size_t size_;
};

}  // namespace logdaemon::parquet
