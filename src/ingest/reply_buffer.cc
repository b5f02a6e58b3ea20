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

void ReplyBuffer::Consume(size_t n) {
  assert(n <= pending_bytes());
  head_ += std::min(n, pending_bytes());
  if (head_ == bytes_.size()) {
    bytes_.clear();  // keeps the capacity
    head_ = 0;
  }
}

void ReplyBuffer::Reserve(size_t n) {
  if (head_ == 0 || bytes_.size() + n <= bytes_.capacity()) return;
  // Compact only when the tail is out of room: the sent prefix is dropped by one memmove of the unsent
  // bytes, and the capacity is reused instead of grown.
  bytes_.erase(0, head_);
  head_ = 0;
}

}  // namespace logdaemon::ingest
