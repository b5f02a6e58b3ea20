#include "ingest/reply_buffer.h"

#include <algorithm>
#include <cassert>

namespace logdaemon::ingest {

namespace {

constexpr std::string_view kOk = "OK\n";
constexpr std::string_view kErrorPrefix = "ERROR: ";

// The longest prefix of `text` of at most `limit` bytes that does not split a UTF-8 sequence: back up
// over continuation bytes (10xxxxxx) at the cut, at most 3 of them (the longest sequence is 4 bytes), so
// invalid input cannot make it back up further.
std::string_view CutOnUtf8Boundary(std::string_view text, size_t limit) {
  if (text.size() <= limit) return text;
  size_t cut = limit;
  for (int i = 0; i < 3 && cut > 0 && (static_cast<uint8_t>(text[cut]) & 0xC0) == 0x80; ++i) --cut;
  return text.substr(0, cut);
}

}  // namespace

void ReplyBuffer::AppendOk() {
  Reserve(kOk.size());
  bytes_.append(kOk);
}

void ReplyBuffer::AppendError(std::string_view reason) {
  reason = CutOnUtf8Boundary(reason, kMaxReasonBytes);
  Reserve(kErrorPrefix.size() + reason.size() + 1);
  bytes_.append(kErrorPrefix);
  const size_t start = bytes_.size();
  bytes_.append(reason);
  // Clients read replies line by line: a newline (or any control character) inside a reason would read
  // as an extra reply and shift every later one.
  std::replace_if(
      bytes_.begin() + static_cast<std::ptrdiff_t>(start), bytes_.end(),
      [](char c) { return static_cast<uint8_t>(c) < 0x20 || c == 0x7f; }, ' ');
  bytes_.push_back('\n');
}

ReplyBuffer::~ReplyBuffer() {
  if (list_ != nullptr) list_->Remove(this);
}

void ReplyBuffer::Consume(size_t n) {
  assert(n <= committed_ - head_);
  head_ += std::min(n, committed_ - head_);
  if (head_ == bytes_.size()) {
    bytes_.clear();  // keeps the capacity
    head_ = committed_ = 0;
  }
}

void ReplyBuffer::Reserve(size_t n) {
  if (head_ == 0 || bytes_.size() + n <= bytes_.capacity()) return;
  // Compact only when the tail is out of room: the sent prefix is dropped by one memmove of the unsent
  // bytes, and the capacity is reused instead of grown.
  bytes_.erase(0, head_);
  committed_ -= head_;
  head_ = 0;
}

size_t ReplyBuffer::FailUncommitted(std::string_view reason) {
  // The failure path: rebuild the uncommitted tail line by line.
  const std::string tail = bytes_.substr(committed_);
  bytes_.resize(committed_);
  size_t failed = 0;
  for (size_t at = 0; at < tail.size();) {
    size_t end = tail.find('\n', at);
    end = end == std::string::npos ? tail.size() : end + 1;
    const std::string_view line(tail.data() + at, end - at);
    if (line == kOk) {
      AppendError(reason);
      ++failed;
    } else {
      bytes_.append(line);
    }
    at = end;
  }
  committed_ = bytes_.size();
  return failed;
}

UncommittedReplies::~UncommittedReplies() {
  for (ReplyBuffer* buffer : buffers_) buffer->list_ = nullptr;
}

void UncommittedReplies::Add(ReplyBuffer* buffer) {
  if (buffer->list_ == this) return;
  assert(buffer->list_ == nullptr);
  buffer->list_ = this;
  buffers_.push_back(buffer);
}

void UncommittedReplies::CommitAll() {
  for (ReplyBuffer* buffer : buffers_) {
    buffer->Commit();
    buffer->list_ = nullptr;
  }
  buffers_.clear();
}

size_t UncommittedReplies::FailAll(std::string_view reason) {
  size_t failed = 0;
  for (ReplyBuffer* buffer : buffers_) {
    failed += buffer->FailUncommitted(reason);
    buffer->list_ = nullptr;
  }
  buffers_.clear();
  return failed;
}

void UncommittedReplies::Remove(ReplyBuffer* buffer) {
  std::erase(buffers_, buffer);
}

}  // namespace logdaemon::ingest
