#include "query/output_sink.h"

namespace logdaemon::query {

OutputSink::OutputSink(std::FILE* out) : out_(out) {
  // Room for a full chunk and the row that crosses its end, so the common case never reallocates.
  buffer_.reserve(2 * kChunkBytes);
}

void OutputSink::Drain() {
  if (!failed_ && !buffer_.empty()) {
    const size_t written = std::fwrite(buffer_.data(), 1, buffer_.size(), out_);
    if (written != buffer_.size() || std::ferror(out_)) failed_ = true;
  }
  buffer_.clear();
}

void OutputSink::Flush() {
  Drain();
  if (!failed_ && (std::fflush(out_) != 0 || std::ferror(out_))) failed_ = true;
}

}  // namespace logdaemon::query
