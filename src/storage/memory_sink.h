// MemorySink: a Parquet OutputSink into a ByteBuffer that can be moved out — the writer encodes a whole
// flush file in memory, so that a failed disk write can be retried from the same bytes and never leaves
// the rows half-written.
#pragma once

#include <utility>

#include "parquet/byte_buffer.h"
#include "parquet/io.h"

namespace logdaemon::storage {

class MemorySink final : public parquet::OutputSink {
 public:
  MemorySink() = default;
  // Encodes into `buffer` (emptied first), e.g. one recycled through a BufferPool.
  explicit MemorySink(parquet::ByteBuffer buffer) : buffer_(std::move(buffer)) { buffer_.clear(); }

  Status Append(const uint8_t* data, size_t n) override {
    buffer_.append(data, n);
    return Status::OK();
  }
  size_t size() const { return buffer_.size(); }
  size_t capacity() const { return buffer_.capacity(); }
  parquet::ByteBuffer Take() { return std::exchange(buffer_, parquet::ByteBuffer()); }

 private:
  parquet::ByteBuffer buffer_;
};

}  // namespace logdaemon::storage
