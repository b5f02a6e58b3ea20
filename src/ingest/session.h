// Session: one client connection's protocol state, shared by both event-loop backends: the frame
// decoder (receive buffer), the replies not yet sent, and the timers of the idle / half-frame timeout.
// The backends do the I/O; the session decides what the bytes mean and when the connection may read,
// must write, or is done (DESIGN.md §2).
//
// Memory: the decoder charges its buffer beyond a small allowance to the loop's MemoryAccount (see
// frame_decoder.h), and so does the session for its replies beyond kReplyAllowance: before a frame is
// answered there must be room for its reply within the charged capacity; if the budget cannot give more,
// the frames wait (like replies that are full) until the client reads what is pending. A drained reply
// buffer is freed.
//
// Thread-safety: none; a session belongs to its loop's thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "ingest/frame_decoder.h"
#include "ingest/frame_handler.h"
#include "ingest/memory_budget.h"
#include "ingest/reply_buffer.h"
#include "ingest/room_share.h"

namespace logdaemon::ingest {

struct SessionLimits {
  uint32_t max_frame_bytes = 1 << 20;
  size_t max_pending_reply_bytes = 64 << 10;
  int64_t idle_timeout_ns = 300'000'000'000;
};

class Session {
 public:
  // Replies a connection may hold without charging the budget.
  static constexpr size_t kReplyAllowance = 4 * 1024;

  // Takes ownership of the connected socket `fd`: closed by Close() or the destructor. `account`: the
  // loop's share of the memory budget (nullptr: unlimited); it must outlive the session.
  Session(int fd, const SessionLimits& limits, MemoryAccount* account, int64_t now_ns);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  int fd() const { return fd_; }
  void Close();
  FrameDecoder& decoder() { return decoder_; }
  ReplyBuffer& replies() { return replies_; }

  // Where to read into: decoder().WritableSpace(at_least). Empty when the session must not read; then
  // starved() says whether it waits for the memory budget (counted once per wait in reads_deferred).
  std::span<uint8_t> ReadSpace(size_t at_least, CounterValues& counters);
  bool starved() const { return decoder_.starved(); }

  // After `n` bytes were read into ReadSpace(): commits them and answers every complete
  // frame while the replies have room.
  void OnRead(size_t n, FrameHandler& handler, int64_t now_ns);
  // The peer shut down its side (recv returned 0): what was read is answered, then the session is done.
  void OnPeerClosed() { peer_closed_ = true; }
  // Replies were sent: bytes_sent > 0 is progress for the idle timer. Frames held back while the replies
  // were full are answered now that there is room.
  void OnSent(size_t bytes_sent, FrameHandler& handler, int64_t now_ns);
  // Stops taking input (shutdown): buffered frames are still answered as the replies drain.
  void StopReading() { stop_reading_ = true; }
  // --overflow block: a frame found no room, so the session holds it and reads nothing more until a
  // retry (the loop calls RetryHeld while the handler reports room_waiting()) admits it.
  bool waiting_for_room() const { return waiting_for_room_; }
  void RetryHeld(FrameHandler& handler);

  // Whether to read more: not closing, not shut down by the peer, and the replies are below the
  // high-water mark (a client that does not read its replies is not read from either).
  // Also not while frames wait for room for their replies or for the log (--overflow block), or the
  // decoder for its reservation (the loop retries those).
  bool WantsRead() const {
    return !closing_ && !peer_closed_ && !stop_reading_ && !waiting_for_room_ && !replies_.Full() &&
           !frames_held_ && !decoder_.starved();
  }
  // Nothing more will be sent or read: close it once the last replies are out.
  bool Done() const;
  // The idle timeout or the half-frame timeout has passed.
  bool TimedOut(int64_t now_ns) const;
  // Whether the session stopped reading because its replies are full (for the reads_paused counter).
  bool paused() const { return paused_; }

 private:
  void HandleFrames(FrameHandler& handler);
  // Room for one more reply in the replies' capacity, growing it (charged) if needed; false if the budget
  // has no room.
  bool RoomForReply();
  // Brings the replies' charge in line with their capacity (growth the session did not plan, such as a
  // failed group commit's longer replies, is charged even past the limit).
  void SettleReplyCharge();

  int fd_;
  MemoryAccount* account_;
  FrameDecoder decoder_;
  ReplyBuffer replies_;
  RoomShare share_;  // what this connection holds of the write-ahead log's room
  int64_t idle_timeout_ns_;
  int64_t last_progress_ns_;
  int64_t partial_since_ns_ = 0;  // 0: no partial frame buffered
  bool closing_ = false;          // a frame was too large: answer it, then close
  bool peer_closed_ = false;
  bool stop_reading_ = false;
  size_t reply_charged_ = 0;  // charged for the replies' capacity beyond kReplyAllowance
  bool paused_ = false;
  bool frames_held_ = false;  // complete frames are buffered but were not answered (replies full)
  bool waiting_for_room_ = false;
  bool deferred_ = false;  // counted in reads_deferred for the current wait
};

}  // namespace logdaemon::ingest
