#include "query/row_buffer.h"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <numeric>

namespace logdaemon::query {

namespace {
// String blocks start small (a row group's few matches need little) and double up to 1 MiB.
constexpr size_t kFirstBlockBytes = size_t{16} << 10;
constexpr size_t kMaxBlockBytes = size_t{1} << 20;
}  // namespace

std::string_view RowBuffer::Copy(std::string_view text) {
  if (text.empty()) return {};
  if (block_size_ - block_used_ < text.size()) {
    block_size_ = std::max(block_size_ == 0 ? kFirstBlockBytes : std::min(2 * block_size_, kMaxBlockBytes),
                           text.size());
    blocks_.push_back(std::make_unique<char[]>(block_size_));
    block_used_ = 0;
    string_bytes_ += block_size_;
  }
  char* at = blocks_.back().get() + block_used_;
  std::memcpy(at, text.data(), text.size());
  block_used_ += text.size();
  return {at, text.size()};
}

void RowBuffer::Add(int64_t time_micros, std::span<const Value> row) {
  times_.push_back(time_micros);
  for (size_t i = 0; i < width_; ++i) {
    Value v = i < row.size() ? row[i] : Value::Null();
    if (v.type == ValueType::kString || v.type == ValueType::kJson) v.s = Copy(v.s);
    values_.push_back(v);
  }
}

void RowBuffer::Append(RowBuffer&& other) {
  times_.insert(times_.end(), other.times_.begin(), other.times_.end());
  values_.insert(values_.end(), other.values_.begin(), other.values_.end());
  // In front: Copy() keeps filling the last block, which must stay this buffer's own.
  blocks_.insert(blocks_.begin(), std::make_move_iterator(other.blocks_.begin()),
                 std::make_move_iterator(other.blocks_.end()));
  string_bytes_ += other.string_bytes_;
  other.Clear();
}

std::vector<uint32_t> RowBuffer::Order(bool descending) const {
  std::vector<uint32_t> order(times_.size());
  std::iota(order.begin(), order.end(), 0u);
  if (descending) {
    std::stable_sort(order.begin(), order.end(),
                     [&](uint32_t a, uint32_t b) { return times_[a] > times_[b]; });
  } else {
    std::stable_sort(order.begin(), order.end(),
                     [&](uint32_t a, uint32_t b) { return times_[a] < times_[b]; });
  }
  return order;
}

void RowBuffer::KeepBest(size_t n, bool descending) {
  n = std::min(n, times_.size());
  // By time, then by position: a total order, so a partial sort picks what the stable sort of Order()
  // would put first.
  std::vector<uint32_t> order(times_.size());
  std::iota(order.begin(), order.end(), 0u);
  auto before = [&](uint32_t a, uint32_t b) {
    if (times_[a] != times_[b]) return descending ? times_[a] > times_[b] : times_[a] < times_[b];
    return a < b;
  };
  if (n < order.size()) {
    std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n), order.end(), before);
    order.resize(n);
  }
  std::sort(order.begin(), order.end());  // scan order, so that ties keep it when more rows come
  RowBuffer kept(width_);
  for (uint32_t i : order) kept.Add(times_[i], Row(i));
  *this = std::move(kept);
}

void RowBuffer::Clear() {
  times_.clear();
  values_.clear();
  blocks_.clear();
  block_used_ = block_size_ = string_bytes_ = 0;
}

}  // namespace logdaemon::query
