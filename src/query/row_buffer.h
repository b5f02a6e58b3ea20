// RowBuffer: matching rows copied out of the row groups they came from (whose memory goes away), so that
// `--order` can sort them by time. Values are stored row-major; strings are copied into blocks that are
// never moved, so the stored Values' views stay valid until Clear().
//
// Thread-safety: none.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "query/value.h"

namespace logdaemon::query {

class RowBuffer {
 public:
  explicit RowBuffer(size_t width) : width_(width) {}

  void Add(int64_t time_micros, std::span<const Value> row);
  // Takes `other`'s rows (same width) after this buffer's, without copying their strings: the blocks
  // holding them change owner. `other` is left empty.
  void Append(RowBuffer&& other);
  size_t size() const { return times_.size(); }
  // Bytes held (values and copied strings), for the caller's memory cap.
  size_t bytes() const { return values_.size() * sizeof(Value) + string_bytes_; }

  // The row indexes ordered by time (stable: equal times keep their scan order), newest first if desc.
  std::vector<uint32_t> Order(bool descending) const;
  // Keeps only the n rows that Order(descending) would put first, in their scan order (so that rows
  // added later still sort after them on equal times), their strings copied into fresh blocks: --order
  // with --limit holds no more than it can print.
  void KeepBest(size_t n, bool descending);
  int64_t time(size_t i) const { return times_[i]; }
  std::span<const Value> Row(size_t i) const { return {values_.data() + i * width_, width_}; }
  void Clear();

 private:
  std::string_view Copy(std::string_view text);

  size_t width_;
  std::vector<int64_t> times_;
  std::vector<Value> values_;
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t block_used_ = 0, block_size_ = 0;
  size_t string_bytes_ = 0;
};

}  // namespace logdaemon::query
