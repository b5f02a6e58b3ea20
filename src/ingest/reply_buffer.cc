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
    sealed_.fill(0);
  }
}

void ReplyBuffer::ShiftOffsets(size_t n) {
  committed_ -= n;
  for (size_t& end : sealed_) end = end >= n ? end - n : 0;
}

void ReplyBuffer::Reserve(size_t n) {
  if (head_ == 0 || bytes_.size() + n <= bytes_.capacity()) return;
  // Compact only when the tail is out of room: the sent prefix is dropped by one memmove of the unsent
  // bytes, and the capacity is reused instead of grown.
  bytes_.erase(0, head_);
  ShiftOffsets(head_);
  head_ = 0;
}

void ReplyBuffer::GrowTo(size_t capacity) {
  if (head_ > 0) {
    bytes_.erase(0, head_);
    ShiftOffsets(head_);
    head_ = 0;
  }
  bytes_.reserve(capacity);
}

void ReplyBuffer::ReleaseIfEmpty() {
  if (!bytes_.empty()) return;
  std::string().swap(bytes_);
  head_ = committed_ = 0;
  sealed_.fill(0);
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
  auto unlist = [](ReplyBuffer* buffer) {
    buffer->list_ = nullptr;
    buffer->in_forming_ = buffer->in_released_ = false;
    buffer->in_sealed_.fill(false);
  };
  for (ReplyBuffer* buffer : forming_) unlist(buffer);
  for (auto& stage : sealed_) {
    for (ReplyBuffer* buffer : stage) unlist(buffer);
  }
  for (ReplyBuffer* buffer : released_) unlist(buffer);
}

void UncommittedReplies::Add(ReplyBuffer* buffer) {
  if (buffer->in_forming_) return;
  buffer->list_ = this;
  buffer->in_forming_ = true;
  forming_.push_back(buffer);
}

void UncommittedReplies::SealForming() {
  assert(sealed_groups_ < kSealedStages);
  const size_t stage = (oldest_ + sealed_groups_) % kSealedStages;
  ++sealed_groups_;
  for (ReplyBuffer* buffer : forming_) {
    buffer->in_forming_ = false;
    buffer->sealed_[stage] = buffer->bytes_.size();
    buffer->in_sealed_[stage] = true;
    sealed_[stage].push_back(buffer);
  }
  forming_.clear();
}

void UncommittedReplies::Released(ReplyBuffer* buffer) {
  if (buffer->in_released_) return;
  buffer->in_released_ = true;
  released_.push_back(buffer);
}

void UncommittedReplies::CommitForming() {
  for (ReplyBuffer* buffer : forming_) {
    buffer->in_forming_ = false;
    buffer->Commit();
    Released(buffer);
  }
  forming_.clear();
}

void UncommittedReplies::CommitSealed() {
  if (sealed_groups_ == 0) return;
  const size_t stage = oldest_;
  for (ReplyBuffer* buffer : sealed_[stage]) {
    buffer->in_sealed_[stage] = false;
    buffer->committed_ = std::max(buffer->committed_, buffer->sealed_[stage]);
    Released(buffer);
  }
  sealed_[stage].clear();
  oldest_ = (oldest_ + 1) % kSealedStages;
  --sealed_groups_;
}

size_t UncommittedReplies::FailAll(std::string_view reason) {
  size_t failed = 0;
  auto fail = [&](ReplyBuffer* buffer) {
    if (buffer->in_sealed() || buffer->in_forming_) failed += buffer->FailUncommitted(reason);
    buffer->in_sealed_.fill(false);
    buffer->in_forming_ = false;
    Released(buffer);
  };
  for (size_t i = 0; i < sealed_groups_; ++i) {
    std::vector<ReplyBuffer*>& stage = sealed_[(oldest_ + i) % kSealedStages];
    for (ReplyBuffer* buffer : stage) fail(buffer);
    stage.clear();
  }
  for (ReplyBuffer* buffer : forming_) fail(buffer);
  forming_.clear();
  oldest_ = 0;
  sealed_groups_ = 0;
  return failed;
}

std::vector<ReplyBuffer*> UncommittedReplies::TakeReleased() {
  std::vector<ReplyBuffer*> out;
  out.swap(released_);
  for (ReplyBuffer* buffer : out) {
    buffer->in_released_ = false;
    if (!buffer->in_forming_ && !buffer->in_sealed()) buffer->list_ = nullptr;  // in no list any more
  }
  return out;
}

void UncommittedReplies::Remove(ReplyBuffer* buffer) {
  std::erase(forming_, buffer);
  for (auto& stage : sealed_) std::erase(stage, buffer);
  std::erase(released_, buffer);
}

}  // namespace logdaemon::ingest
