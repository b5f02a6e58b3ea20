#include "ingest/session.h"

#include <unistd.h>

#include <algorithm>

namespace logdaemon::ingest {

namespace {

// The longest reply: "ERROR: " + a reason of at most kMaxReasonBytes + "\n".
constexpr size_t kMaxReplyBytes = ReplyBuffer::kMaxReasonBytes + 8;

size_t ReplyChargeOf(size_t capacity) {
  return capacity > Session::kReplyAllowance ? capacity - Session::kReplyAllowance : 0;
}

}  // namespace

Session::Session(int fd, const SessionLimits& limits, MemoryAccount* account, int64_t now_ns)
    : fd_(fd),
      account_(account),
      decoder_(limits.max_frame_bytes, account),
      replies_(limits.max_pending_reply_bytes),
      idle_timeout_ns_(limits.idle_timeout_ns),
      last_progress_ns_(now_ns) {}

Session::~Session() {
  Close();
  if (account_ != nullptr && reply_charged_ > 0) account_->Refund(reply_charged_);
}

void Session::Close() {
  if (fd_ >= 0) ::close(fd_);  // also takes it out of an epoll set
  fd_ = -1;
}

std::span<uint8_t> Session::ReadSpace(size_t at_least, CounterValues& counters) {
  std::span<uint8_t> space = decoder_.WritableSpace(at_least);
  if (decoder_.starved()) {
    if (!deferred_) ++counters.reads_deferred;
    deferred_ = true;
  } else {
    deferred_ = false;
  }
  return space;
}

bool Session::RoomForReply() {
  const size_t need = replies_.pending_bytes() + kMaxReplyBytes;
  if (need <= replies_.capacity()) return true;
  // Doubling (so a burst of replies grows the buffer a few times, not per reply), within the cap.
  const size_t target = std::max(
      {need, kReplyAllowance, std::min(2 * replies_.capacity(), replies_.high_water() + kMaxReplyBytes)});
  const size_t charge = ReplyChargeOf(target);
  if (charge > reply_charged_) {
    if (account_ != nullptr && !account_->TryCharge(charge - reply_charged_)) return false;
    reply_charged_ = charge;
  }
  replies_.GrowTo(target);
  SettleReplyCharge();  // the string may round the capacity up
  return true;
}

void Session::SettleReplyCharge() {
  const size_t charge = ReplyChargeOf(replies_.capacity());
  if (account_ != nullptr) {
    if (charge > reply_charged_) account_->ForceCharge(charge - reply_charged_);
    if (charge < reply_charged_) account_->Refund(reply_charged_ - charge);
  }
  reply_charged_ = charge;
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
    if (decoder_.buffered() >= FrameDecoder::kHeaderBytes && !RoomForReply()) {
      // The budget is out: the frames wait until the client has read the replies it has.
      frames_held_ = true;
      if (!paused_) ++handler.counters().reads_deferred;
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
  if (!frames_held_ && !waiting_for_room_)
    decoder_.Trim();  // a big frame's reservation goes back now, not at the next read
  if (decoder_.has_partial_frame()) {
    if (partial_since_ns_ == 0) partial_since_ns_ = now_ns;
  } else {
    partial_since_ns_ = 0;
  }
}

void Session::OnSent(size_t bytes_sent, FrameHandler& handler, int64_t now_ns) {
  if (bytes_sent > 0) last_progress_ns_ = now_ns;
  if (replies_.empty() && replies_.capacity() > kReplyAllowance) {
    replies_.ReleaseIfEmpty();
    SettleReplyCharge();
  }
  if (frames_held_ && !replies_.Full()) {
    paused_ = false;
    HandleFrames(handler);
    if (!frames_held_ && !waiting_for_room_) decoder_.Trim();
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
