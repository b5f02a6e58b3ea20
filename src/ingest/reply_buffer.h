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
// Durable acknowledgements: a reply appended after an `OK` that waits for its group commit waits too
// (replies keep their order). Pending() covers the committed replies only. The loop's UncommittedReplies
// tracks the buffers whose replies wait: those of the group forming, and those of each group being made
// durable (sealed at the end of its bytes; up to kSealedStages groups, finishing in order). In memory mode
// every reply is committed as it is appended.
//
// Thread-safety: none; a buffer belongs to its connection's loop.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace logdaemon::ingest {

class ReplyBuffer;

// The reply buffers of one loop that hold replies waiting for a group commit: those waiting for the group
// forming, and those waiting for each group in flight (each up to where it was sealed). Buffers whose
// replies were released are collected for the loop to send (TakeReleased).
class UncommittedReplies {
 public:
  // Groups in flight at once (storage::WalStream::kMaxGroupsInFlight).
  static constexpr size_t kSealedStages = 2;
  UncommittedReplies() = default;
  UncommittedReplies(const UncommittedReplies&) = delete;
  UncommittedReplies& operator=(const UncommittedReplies&) = delete;
  ~UncommittedReplies();

  // The replies appended to `buffer` from now on wait for the group forming (listed once).
  void Add(ReplyBuffer* buffer);
  // The forming group was sealed (handed to the sync thread): its buffers wait up to their current end.
  // REQUIRES: fewer than kSealedStages groups in flight.
  void SealForming();
  // Nothing is in flight and the forming group has no `OK` (only replies that waited for order): release.
  void CommitForming();
  // The oldest group in flight is durable: its replies are released.
  void CommitSealed();
  // A group in flight failed, and every group behind it with it: each waiting `OK` becomes
  // "ERROR: <reason>", everything is released; returns how many `OK`s were refused.
  size_t FailAll(std::string_view reason);
  bool forming_empty() const { return forming_.empty(); }
  size_t sealed_groups() const { return sealed_groups_; }
  // The buffers that got replies to send since the last call.
  std::vector<ReplyBuffer*> TakeReleased();

 private:
  friend class ReplyBuffer;
  void Remove(ReplyBuffer* buffer);  // a listed buffer being destroyed
  void Released(ReplyBuffer* buffer);
  std::vector<ReplyBuffer*> forming_;
  // The groups in flight, a ring: stage (oldest_ + i) % kSealedStages is the i-th oldest.
  std::array<std::vector<ReplyBuffer*>, kSealedStages> sealed_;
  size_t oldest_ = 0;
  size_t sealed_groups_ = 0;
  std::vector<ReplyBuffer*> released_;
};

class ReplyBuffer {
 public:
  static constexpr size_t kDefaultHighWater = 64 * 1024;
  static constexpr size_t kMaxReasonBytes = 1024;

  explicit ReplyBuffer(size_t high_water = kDefaultHighWater) : high_water_(high_water) {}
  ~ReplyBuffer();
  ReplyBuffer(const ReplyBuffer&) = delete;
  ReplyBuffer& operator=(const ReplyBuffer&) = delete;

  void AppendOk();
  // "ERROR: " + reason + "\n", the reason sanitised and capped as above.
  void AppendError(std::string_view reason);

  // The committed bytes to send, oldest first; valid until the next Append*(), Commit() or Consume().
  std::span<const uint8_t> Pending() const {
    return {reinterpret_cast<const uint8_t*>(bytes_.data()) + head_, committed_ - head_};
  }
  // The first n bytes of Pending() were sent.
  void Consume(size_t n);

  // Every reply appended so far may be sent.
  void Commit() { committed_ = bytes_.size(); }
  // Replies appended and not yet committed (durable mode: waiting for the group commit).
  bool has_uncommitted() const { return committed_ < bytes_.size(); }
  // Has replies waiting for a group commit (a reply appended behind them must wait too).
  bool waiting() const { return in_forming_ || in_sealed(); }
  // For the loop: which connection this buffer belongs to.
  void set_owner(void* owner) { owner_ = owner; }
  void* owner() const { return owner_; }

  size_t pending_bytes() const { return bytes_.size() - head_; }
  // Allocated bytes, for the memory budget (the Session charges what exceeds its allowance).
  size_t capacity() const { return bytes_.capacity(); }
  // Room for `capacity` bytes of unsent replies with no allocation while they are appended (the sent
  // prefix is dropped first).
  void GrowTo(size_t capacity);
  // Frees the storage when nothing is pending: a drained connection gives its memory back.
  void ReleaseIfEmpty();
  bool empty() const { return pending_bytes() == 0; }
  bool Full() const { return pending_bytes() >= high_water_; }
  size_t high_water() const { return high_water_; }

 private:
  // Makes room for n more bytes, moving the unsent bytes to the front rather than growing when that
  // suffices.
  void Reserve(size_t n);

  friend class UncommittedReplies;
  // Rewrites each `OK` line after committed_ as "ERROR: <reason>"; returns how many.
  size_t FailUncommitted(std::string_view reason);

  size_t high_water_;
  std::string bytes_;
  size_t head_ = 0;       // bytes_[0, head_) were sent
  size_t committed_ = 0;  // bytes_[head_, committed_) may be sent
  bool in_sealed() const {
    for (bool in : in_sealed_) {
      if (in) return true;
    }
    return false;
  }
  // Drops the first n bytes (sent) from every offset.
  void ShiftOffsets(size_t n);

  // Per sealed stage: where the replies of that group in flight end (while in_sealed_[stage]).
  std::array<size_t, UncommittedReplies::kSealedStages> sealed_{};
  UncommittedReplies* list_ = nullptr;  // set while in any of its lists
  bool in_forming_ = false;
  std::array<bool, UncommittedReplies::kSealedStages> in_sealed_{};
  bool in_released_ = false;
  void* owner_ = nullptr;
};

}  // namespace logdaemon::ingest
