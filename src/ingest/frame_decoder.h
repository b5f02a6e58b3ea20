// FrameDecoder: the incremental decoder of one connection's byte stream into frames (DESIGN.md §1–2):
// a u32 big-endian length, then that many bytes. It owns the receive buffer, so an event loop reads
// straight into it (WritableSpace + Commit: no copy) and gets frames back as views into it (Next: no
// copy, no allocation per frame once the buffer has its size).
//
// Guarantees:
// - Padding: every frame returned has at least kPadding (>= simdjson::SIMDJSON_PADDING) allocated,
//   readable bytes after its end, so simdjson can parse it in place without copying it.
// - Memory: the buffer is allocated on first use (a connection that sent nothing holds none), never
//   exceeds max_frame_bytes + 4 + kPadding + kReadChunk, grows by doubling only as bytes actually arrive
//   (a hostile "4 GiB" or "1 MiB" header alone allocates nothing extra), and shrinks back to its base size
//   once a big frame has been consumed, so many connections do not each keep their largest frame's buffer.
// - A length > max_frame_bytes is reported once and the decoder then refuses all input: after a bad
//   length the rest of the stream cannot be trusted (the server answers and closes).
//
// Thread-safety: none; a decoder belongs to its connection's loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

namespace logdaemon::ingest {

class FrameDecoder {
 public:
  // Slack kept after the committed bytes; checked against simdjson::SIMDJSON_PADDING in the .cc so this
  // header does not pull in simdjson.
  static constexpr size_t kPadding = 64;
  // The base buffer size (plus kPadding): enough for one large recv() of many pipelined small frames.
  // Frames larger than this make the buffer grow for as long as they are buffered.
  static constexpr size_t kReadChunk = 64 * 1024;
  static constexpr size_t kHeaderBytes = 4;

  struct Event {
    enum class Kind {
      kNeedMore,    // no complete frame buffered: read more
      kFrame,       // `frame` holds the payload
      kEmptyFrame,  // length 0: answer "ERROR: empty frame" and continue
      kTooLarge,    // `length` > max_frame_bytes(): answer and close; sticky, input is refused
    };
    Kind kind = Kind::kNeedMore;
    // kFrame: the payload, valid until the next WritableSpace(), Commit() or ReleaseIfEmpty(); followed
    // by at least kPadding readable bytes.
    std::string_view frame;
    // kTooLarge: the length the header declared.
    uint32_t length = 0;
  };

  explicit FrameDecoder(uint32_t max_frame_bytes);

  FrameDecoder(const FrameDecoder&) = delete;
  FrameDecoder& operator=(const FrameDecoder&) = delete;
  // A moved-from decoder may only be destroyed or assigned to.
  FrameDecoder(FrameDecoder&&) noexcept = default;
  FrameDecoder& operator=(FrameDecoder&&) noexcept = default;

  // Free space to recv() into, at least min(at_least, kReadChunk) bytes unless the decoder refuses input
  // (then empty). Usually larger: it is all the free space. Call it after Next() returned kNeedMore; it
  // may move buffered bytes (compaction) or reallocate, invalidating earlier frames. Pass the smallest
  // read worth a syscall, not kReadChunk, or a buffer holding a partial frame would grow needlessly.
  std::span<uint8_t> WritableSpace(size_t at_least);
  // Makes the first n bytes of the last WritableSpace() part of the stream.
  void Commit(size_t n);

  // The next event; call until kNeedMore (or kTooLarge) after each Commit().
  Event Next();
  // Puts back the kFrame the last Next() returned, to be returned again (its log found no room yet).
  void Unread(const Event& frame) { begin_ -= kHeaderBytes + frame.frame.size(); }

  // For the idle / half-frame timeout: bytes of a frame not yet complete are buffered.
  bool has_partial_frame() const;
  // Committed bytes not yet returned by Next().
  size_t buffered() const { return end_ - begin_; }
  // Allocated buffer size (0 until first use); bounded by max_buffer_bytes().
  size_t capacity() const { return capacity_; }
  // The buffer's start (nullptr before first use), for checking the padding guarantee.
  const uint8_t* data() const { return buffer_.get(); }
  size_t max_buffer_bytes() const { return max_capacity_; }
  uint32_t max_frame_bytes() const { return max_frame_bytes_; }
  // True once a too-large length was seen: no more input is taken.
  bool refused() const { return refused_; }

  // Frees the buffer if it holds nothing, for connections going idle (call from the idle timer, not per
  // read, or each read would allocate again).
  void ReleaseIfEmpty();

 private:
  // Allocates `capacity` bytes and moves the buffered bytes to its front.
  void Reallocate(size_t capacity);
  // Length declared by the header at begin_; needs buffered() >= kHeaderBytes.
  uint32_t PeekLength() const;

  uint32_t max_frame_bytes_;
  size_t max_capacity_;
  std::unique_ptr<uint8_t[]> buffer_;
  size_t capacity_ = 0;
  size_t begin_ = 0;  // first byte not yet returned by Next()
  size_t end_ = 0;    // one past the last committed byte; end_ + kPadding <= capacity_
  bool refused_ = false;
  uint32_t refused_length_ = 0;
};

}  // namespace logdaemon::ingest
