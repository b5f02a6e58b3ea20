// FrameDecoder: the incremental decoder of one connection's byte stream into frames (DESIGN.md §1–2):
// a u32 big-endian length, then that many bytes. It owns the receive buffer, so an event loop reads
// straight into it (WritableSpace + Commit: no copy) and gets frames back as views into it (Next: no
// copy, no allocation per frame once the buffer has its size).
//
// Guarantees:
// - Padding: every frame returned has at least kPadding (>= simdjson::SIMDJSON_PADDING) allocated,
//   readable bytes after its end, so simdjson can parse it in place without copying it.
// - Memory (docs/server.md, "Memory under hostile clients"): the buffer is allocated on first use (a
//   connection that sent nothing holds none) at kInitialCapacity, the connection's free allowance. Every
//   byte of capacity beyond it is charged to the loop's MemoryAccount (the ingest budget shared by all
//   io threads):
//   - a frame whose header is in but which does not fit reserves its whole size at once (never more than
//     max_frame_bytes + 4 + kPadding); if the budget cannot give it, WritableSpace() is empty and
//     starved() is true: the connection is not read until a later WritableSpace() gets the reservation.
//     A decoder that holds its reservation always reads on, so reservations cannot deadlock;
//   - a connection whose reads fill the buffer (pipelined bursts) reads up to kReadChunk at a time (its
//     loop's MemoryAccount::busy_read(): less when many of the loop's connections are busy), if the
//     budget has room (else it goes on at the initial size), and goes back to the initial size after
//     kQuietReads reads in a row of less than kInitialRead / 2;
//   - once a big frame has been consumed the buffer shrinks back and the charge is refunded.
//   The allocation of a reserved frame is one untouched block: pages count in RSS only as bytes arrive.
// - A length > max_frame_bytes is reported once and the decoder then refuses all input: after a bad
//   length the rest of the stream cannot be trusted (the server answers and closes).
//
// Thread-safety: none; a decoder belongs to its connection's loop (and so does its account).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "ingest/memory_budget.h"

namespace logdaemon::ingest {

class FrameDecoder {
 public:
  // Slack kept after the committed bytes; checked against simdjson::SIMDJSON_PADDING in the .cc so this
  // header does not pull in simdjson.
  static constexpr size_t kPadding = 64;
  // What a busy connection reads at once at most (plus kPadding): one large recv() of many pipelined
  // frames.
  static constexpr size_t kReadChunk = MemoryAccount::kMaxBusyRead;
  // What a connection reads at first, and its free allowance: kInitialCapacity is never charged.
  static constexpr size_t kInitialRead = 8 * 1024;
  static constexpr size_t kInitialCapacity = kInitialRead + kPadding;
  // Reads in a row of less than kInitialRead / 2 after which a busy connection's buffer shrinks back.
  static constexpr int kQuietReads = 32;
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

  // `account`: where capacity beyond kInitialCapacity is charged; nullptr: unlimited. It must outlive
  // the decoder (the destructor refunds it).
  explicit FrameDecoder(uint32_t max_frame_bytes, MemoryAccount* account = nullptr);
  ~FrameDecoder();

  FrameDecoder(const FrameDecoder&) = delete;
  FrameDecoder& operator=(const FrameDecoder&) = delete;
  // A moved-from decoder holds nothing and may only be destroyed or assigned to. The charge moves along.
  FrameDecoder(FrameDecoder&& other) noexcept;
  FrameDecoder& operator=(FrameDecoder&& other) noexcept;

  // Free space to recv() into: at least min(at_least, kReadChunk) bytes, or the rest of the frame being
  // received if that is less. Empty when the decoder refuses input, or when the frame being received
  // needs a reservation the budget cannot give now (starved(); call again later). Usually larger: it is
  // all the free space. Call it after Next() returned kNeedMore; it may move buffered bytes (compaction)
  // or reallocate, invalidating earlier frames.
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
  // The last WritableSpace() was empty for lack of budget: the connection waits for its reservation.
  bool starved() const { return starved_; }
  // Bytes of capacity charged to the account (capacity() beyond kInitialCapacity).
  size_t charged() const { return charged_; }

  // Shrinks the buffer back (refunding the budget) if it is larger than what it holds needs: call after
  // Next() drained, so a consumed big frame's reservation is returned even if no read follows soon. Does
  // nothing (and costs a comparison) otherwise.
  void Trim();
  // Frees the buffer if it holds nothing, for connections going idle (call from the idle timer, not per
  // read, or each read would allocate again).
  void ReleaseIfEmpty();

 private:
  // The capacity the next read needs (`needed`: the whole frame being received, else room for `want`
  // bytes) and the one it should have (`preferred`: kReadChunk for busy connections).
  struct Plan {
    size_t needed;
    size_t preferred;
  };
  Plan PlanCapacity(size_t want) const;
  // Resizes to the plan, charging growth and refunding shrinkage; false if even `needed` is not in the
  // budget (nothing changes then).
  bool Resize(const Plan& plan);
  // Charges the account for a capacity of `capacity` (only what exceeds charged()); false if it cannot.
  bool ChargeFor(size_t capacity);
  // Refunds everything charged beyond what `capacity` costs.
  void RefundTo(size_t capacity);
  // Allocates `capacity` bytes and moves the buffered bytes to its front.
  void Reallocate(size_t capacity);
  // Marks the connection busy or not, and tells the loop's account.
  void SetBusy(bool busy);
  // A busy connection's buffer: what its loop lets it read at once, plus the padding.
  size_t BusyCapacity() const {
    return (account_ != nullptr ? account_->busy_read() : kReadChunk) + kPadding;
  }
  // Length declared by the header at begin_; needs buffered() >= kHeaderBytes.
  uint32_t PeekLength() const;
  size_t free_bytes() const { return capacity_ - kPadding - end_; }

  uint32_t max_frame_bytes_;
  size_t max_capacity_;
  MemoryAccount* account_;
  std::unique_ptr<uint8_t[]> buffer_;
  size_t capacity_ = 0;
  size_t charged_ = 0;
  size_t begin_ = 0;    // first byte not yet returned by Next()
  size_t end_ = 0;      // one past the last committed byte; end_ + kPadding <= capacity_
  size_t offered_ = 0;  // the size of the last WritableSpace(): a read that fills it marks a busy client
  int quiet_reads_ = 0;
  bool busy_ = false;
  bool starved_ = false;
  bool refused_ = false;
  uint32_t refused_length_ = 0;
};

}  // namespace logdaemon::ingest
