// The bytes of a RowWriter on their way to a FILE*: writers append a row to buffer(), then call
// RowDone(), which hands the buffer to fwrite once it holds 64 KiB. One fwrite per 64 KiB instead of one
// (with its stream lock) per row; the buffer keeps its capacity, so rows cost no allocation.
//
// The first failed write (short count or ferror: EPIPE, ENOSPC, EIO) is sticky: failed() turns true and
// later output is dropped, so a caller that checks failed() stops early and one that does not wastes
// nothing but CPU.
//
// Thread-safety: none; one writer's.
#pragma once

#include <cstdio>
#include <string>

namespace logdaemon::query {

class OutputSink {
 public:
  // `out` is not closed.
  explicit OutputSink(std::FILE* out);
  OutputSink(const OutputSink&) = delete;
  OutputSink& operator=(const OutputSink&) = delete;

  std::string& buffer() { return buffer_; }

  // The end of a row: writes the buffer out when it is full enough.
  void RowDone() {
    if (buffer_.size() >= kChunkBytes) Drain();
  }
  // Writes the buffer out and flushes the stream.
  void Flush();

  bool failed() const { return failed_; }

 private:
  static constexpr size_t kChunkBytes = 64 * 1024;

  void Drain();

  std::FILE* out_;
  std::string buffer_;
  bool failed_ = false;
};

}  // namespace logdaemon::query
