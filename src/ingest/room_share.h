// RoomShare: how much of the write-ahead log's room one connection holds (DESIGN.md §2, fairness).
//
// With durable acks the room every connection shares is the write-ahead log (up to --wal-max-mb): a log
// holds room from the moment it is logged until its segment is trimmed. A loop's stream is trimmed in
// LSN order, so what a connection holds is the bytes it admitted at LSNs at or above the stream's oldest
// live record. Each connection keeps a few (LSN, bytes) marks — consecutive logs share one mark, and
// when the marks run out the two oldest merge (conservatively: the merged mark is released with the later
// one) — so the check costs no allocation and O(1) per log.
//
// Thread-safety: none; a connection's loop owns it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace logdaemon::ingest {

class RoomShare {
 public:
  // Records `bytes` admitted as the record `lsn` (LSNs only grow within a stream).
  void Add(uint64_t lsn, uint64_t bytes) {
    held_ += bytes;
    if (size_ > 0) {
      Mark& last = At(size_ - 1);
      if (last.bytes < kMarkBytes) {
        last.last_lsn = lsn;
        last.bytes += bytes;
        return;
      }
    }
    if (size_ == kMarks) {
      // Merge the two oldest marks.
      Mark& oldest = At(0);
      Mark& next = At(1);
      next.bytes += oldest.bytes;
      head_ = (head_ + 1) % kMarks;
      --size_;
    }
    At(size_) = Mark{lsn, bytes};
    ++size_;
  }

  // The bytes admitted at LSNs >= `oldest_live` (those below were trimmed: their room is free again).
  uint64_t Held(uint64_t oldest_live) {
    while (size_ > 0 && At(0).last_lsn < oldest_live) {
      held_ -= At(0).bytes;
      head_ = (head_ + 1) % kMarks;
      --size_;
    }
    return held_;
  }

 private:
  struct Mark {
    uint64_t last_lsn = 0;
    uint64_t bytes = 0;
  };
  static constexpr size_t kMarks = 8;
  // A mark grows until it holds this much; segments are trimmed whole, so finer marks buy nothing.
  static constexpr uint64_t kMarkBytes = uint64_t{1} << 20;

  Mark& At(size_t i) { return marks_[(head_ + i) % kMarks]; }

  std::array<Mark, kMarks> marks_{};
  size_t head_ = 0;
  size_t size_ = 0;
  uint64_t held_ = 0;
};

}  // namespace logdaemon::ingest
