// ReplyBuffer: the reply bytes one connection still has to send (DESIGN.md §2): "OK\n" or
// "ERROR: <reason>\n" per frame, in order. The loop appends while it handles a burst of frames, sends
// Pending() with one send(), and Consume()s what the kernel took.
//
// A client that never reads must not make the server buffer without bound: once pending_bytes() reaches
// the high-water mark, Full() tells the loop to stop handling frames (and reading) for that connection
// until it drains. Checked between frames, that bounds a connection at high_water + one reply
// (kMaxReasonBytes + 8 bytes).
//
// Every reply is one line: a reason's control characters (newlines among them) become spaces, and a
// reason is cut to kMaxReasonBytes on a UTF-8 character boundary. The storage keeps its capacity, so the
// steady state allocates nothing per reply.
//
// Thread-safety: none; a buffer belongs to its connection's loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace logdaemon::ingest {

class ReplyBuffer {
 public:
  static constexpr size_t kDefaultHighWater = 64 * 1024;
  static constexpr size_t kMaxReasonBytes = 1024;

  explicit ReplyBuffer(size_t high_water = kDefaultHighWater) : high_water_(high_water) {}

  void AppendOk();
  // "ERROR: " + reason + "\n", the reason sanitised and capped as above.
  void AppendError(std::string_view reason);

  // The bytes to send, oldest first; valid until the next Append*() or Consume().
  std::span<const uint8_t> Pending() const {
    return {reinterpret_cast<const uint8_t*>(bytes_.data()) + head_, bytes_.size() - head_};
  }
  // The first n bytes of Pending() were sent.
  void Consume(size_t n);

  size_t pending_bytes() const { return bytes_.size() - head_; }
  bool empty() const { return pending_bytes() == 0; }
  bool Full() const { return pending_bytes() >= high_water_; }
  size_t high_water() const { return high_water_; }

 private:
  // Makes room for n more bytes, moving the unsent bytes to the front rather than growing when that
  // suffices.
  void Reserve(size_t n);

  size_t high_water_;
  std::string bytes_;
  size_t head_ = 0;  // bytes_[0, head_) were sent
};

}  // namespace logdaemon::ingest
