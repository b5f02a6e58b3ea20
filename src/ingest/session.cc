#include "ingest/session.h"

#include <unistd.h>

namespace logdaemon::ingest {

Session::Session(int fd, const SessionLimits& limits, int64_t now_ns)
    : fd_(fd),
      decoder_(limits.max_frame_bytes),
      replies_(limits.max_pending_reply_bytes),
      idle_timeout_ns_(limits.idle_timeout_ns),
      last_progress_ns_(now_ns) {}

void Session::Close() {
  if (fd_ >= 0) ::close(fd_);  // also takes it out of an epoll set
  fd_ = -1;
}

void Session::HandleFrames(FrameHandler& handler) {
  frames_held_ = false;
  waiting_for_room_ = false;
  while (!closing_) {
    if (replies_.Full()) {
      // Checked between frames: the replies exceed the high-water mark by one reply at most.
      frames_held_ = true;
      if (!paused_) ++handler.counters().reads_paused;
      paused_ = true;
      return;
    }
    FrameDecoder::Event event = decoder_.Next();
    switch (event.kind) {
      case FrameDecoder::Event::Kind::kNeedMore:
        return;
      case FrameDecoder::Event::Kind::kFrame:
        if (!handler.Handle(event.frame, replies_, &share_)) {
          decoder_.Unread(event);
          if (!waiting_for_room_) ++handler.counters().reads_paused;
          waiting_for_room_ = true;
          return;
        }
        break;
      case FrameDecoder::Event::Kind::kEmptyFrame:
        handler.RejectEmpty(replies_);
        break;
      case FrameDecoder::Event::Kind::kTooLarge:
        // The rest of the stream cannot be trusted: answer, then close.
        handler.RejectTooLarge(event.length, decoder_.max_frame_bytes(), replies_);
        closing_ = true;
        return;
    }
  }
}

void Session::OnRead(size_t n, FrameHandler& handler, int64_t now_ns) {
  decoder_.Commit(n);
  last_progress_ns_ = now_ns;
  HandleFrames(handler);
  if (decoder_.has_partial_frame()) {
    if (partial_since_ns_ == 0) partial_since_ns_ = now_ns;
  } else {
    partial_since_ns_ = 0;
  }
}

void Session::OnSent(size_t bytes_sent, FrameHandler& handler, int64_t now_ns) {
  if (bytes_sent > 0) last_progress_ns_ = now_ns;
  if (frames_held_ && !replies_.Full()) {
    paused_ = false;
    HandleFrames(handler);
  }
}

void Session::RetryHeld(FrameHandler& handler) {
  if (!waiting_for_room_) return;
  waiting_for_room_ = false;
  HandleFrames(handler);
}

bool Session::Done() const {
  // Frames held back while the replies were full are answered once they drain (OnSent), and frames
  // waiting for room once there is room.
  return replies_.empty() && !frames_held_ && !waiting_for_room_ &&
         (closing_ || peer_closed_ || stop_reading_);
}

bool Session::TimedOut(int64_t now_ns) const {
  if (waiting_for_room_) return false;  // the daemon keeps it waiting, not the client
  if (now_ns - last_progress_ns_ > idle_timeout_ns_) return true;
  return partial_since_ns_ != 0 && now_ns - partial_since_ns_ > idle_timeout_ns_;
}

}  // namespace logdaemon::ingest
