// The epoll backend of EventLoop: level-triggered, one recv() per readable connection per wake-up and one
// send() of everything its burst produced; EPOLLIN / EPOLLOUT interest changes only when a connection's
// state changes (paused, replies left over), never per message. With durable acks a reply is sent once
// its group commit is done (FrameHandler::Pump; the write-ahead log's sync thread wakes the loop).
// A connection waiting for the memory budget (Session::starved) has no EPOLLIN interest: its bytes wait
// in the kernel; the loop retries its reservation each turn, oldest first (RetryStarved).
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "ingest/connection_set.h"
#include "ingest/event_loop.h"

namespace logdaemon::ingest {

namespace {

// The smallest receive worth a syscall (FrameDecoder::WritableSpace).
constexpr size_t kMinRead = 4096;
constexpr int kMaxEvents = 256;

struct EpollConnection {
  EpollConnection(int fd, const SessionLimits& limits, MemoryAccount* account, int64_t now)
      : session(fd, limits, account, now) {}
  Session session;
  uint32_t interest = 0;  // the events registered with epoll
  size_t index = 0;       // its slot in the ConnectionSet
  bool broken = false;    // a read or write failed: close without sending more
  bool dirty = false;     // has replies waiting for this turn's commit
  bool starved = false;   // listed in starved_: waits for the memory budget
};

class EpollLoop final : public EventLoop {
 public:
  explicit EpollLoop(const LoopContext& context) : EventLoop(context) {}
  ~EpollLoop() override {
    Stop();
    Join();
    if (epoll_fd_ >= 0) ::close(epoll_fd_);
  }

 protected:
  Status Init() override {
    epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) return Status::IOError(std::string("epoll_create1: ") + std::strerror(errno));
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = nullptr;  // the wake-up eventfd
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd(), &ev) != 0)
      return Status::IOError(std::string("epoll_ctl: ") + std::strerror(errno));
    return Status::OK();
  }

  void Run() override {
    epoll_event events[kMaxEvents];
    int64_t next_timeout_check = NowNs();
    int64_t drain_deadline = 0;
    for (;;) {
      const int n = ::epoll_wait(epoll_fd_, events, kMaxEvents, WaitMillis());
      const int64_t now = NowNs();
      for (int i = 0; i < n; ++i) {
        auto* c = static_cast<EpollConnection*>(events[i].data.ptr);
        if (c == nullptr) {
          uint64_t value;
          (void)!::read(wake_fd(), &value, sizeof(value));
          for (int fd : TakeInbox()) AddConnection(fd, now);
          continue;
        }
        if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) Read(c, now);
        if (!c->broken && (events[i].events & EPOLLOUT)) Send(c, now);
        Update(c);
      }
      RetryRoomWaiting(connections_, [this](EpollConnection* c) { MarkDirty(c); });
      PumpAndSend(now);
      FlushClosed();
      RetryStarved();
      handler_->Tick();
      if (stopping()) {
        if (drain_deadline == 0) {
          drain_deadline = now + std::chrono::nanoseconds(kDrainTimeout).count();
          for (int fd : TakeInbox()) AddConnection(fd, now);
          for (auto& c : connections_) {
            c->session.StopReading();
            Update(c.get());
          }
          FlushClosed();
        }
        if (connections_.empty() || now > drain_deadline) break;
      }
      if (now >= next_timeout_check) {
        next_timeout_check = now + 1'000'000'000;
        CloseTimedOut(now);
      }
      counters_.Publish();
    }
    for (auto& c : connections_) c->broken = true;
    for (auto& c : connections_) connections_.QueueClose(c.get());
    FlushClosed();
  }

 private:
  void AddConnection(int fd, int64_t now) {
    auto c = std::make_unique<EpollConnection>(fd, context_.limits, &account_, now);
    c->session.replies().set_owner(c.get());
    c->interest = EPOLLIN;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = c.get();
    ++counters_.local.connections_accepted;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      ConnectionClosed();  // `c` closes the socket
      return;
    }
    connections_.Add(std::move(c));
  }

  void Read(EpollConnection* c, int64_t now) {
    Session& s = c->session;
    if (!s.WantsRead()) return;
    std::span<uint8_t> space = s.ReadSpace(kMinRead, counters_.local);
    if (space.empty()) {
      if (s.starved()) Starve(c);  // Update() drops EPOLLIN
      return;
    }
    const ssize_t got = ::recv(s.fd(), space.data(), space.size(), MSG_DONTWAIT);
    if (got > 0) {
      counters_.local.bytes_received += static_cast<uint64_t>(got);
      s.OnRead(static_cast<size_t>(got), *handler_, now);
      MarkDirty(c);
    } else if (got == 0) {
      s.OnPeerClosed();
    } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      c->broken = true;
    }
  }

  void Send(EpollConnection* c, int64_t now) {
    Session& s = c->session;
    // Sending makes room, and room lets held-back frames be answered: repeat while both progress.
    while (!s.replies().Pending().empty()) {
      std::span<const uint8_t> pending = s.replies().Pending();
      const ssize_t sent = ::send(s.fd(), pending.data(), pending.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      if (sent < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) c->broken = true;
        return;
      }
      s.replies().Consume(static_cast<size_t>(sent));
      s.OnSent(static_cast<size_t>(sent), *handler_, now);
      if (s.replies().has_uncommitted()) MarkDirty(c);         // frames held back were answered
      if (static_cast<size_t>(sent) < pending.size()) return;  // the socket buffer is full
    }
  }

  void MarkDirty(EpollConnection* c) {
    if (c->dirty) return;
    c->dirty = true;
    dirty_.push_back(c);
  }

  // Collects a finished group commit and seals the next, then sends what is ready: the replies of the
  // connections read this turn and those a commit released. Sending may answer frames held back, whose
  // group is sealed by the next Pump.
  void PumpAndSend(int64_t now) {
    for (;;) {
      handler_->Pump();
      for (ReplyBuffer* replies : handler_->TakeReleased())
        MarkDirty(static_cast<EpollConnection*>(replies->owner()));
      if (dirty_.empty()) return;
      std::vector<EpollConnection*> batch;
      batch.swap(dirty_);
      for (EpollConnection* c : batch) {
        c->dirty = false;
        if (!c->broken) Send(c, now);
        Update(c);
      }
    }
  }

  // Registers the events the connection now waits for, or queues it for closing.
  void Update(EpollConnection* c) {
    Session& s = c->session;
    if (c->broken || s.Done()) {
      connections_.QueueClose(c);  // FlushClosed skips a connection queued twice
      return;
    }
    uint32_t want = 0;
    if (s.WantsRead()) want |= EPOLLIN;
    if (!s.replies().Pending().empty()) want |= EPOLLOUT;
    // Waiting for nothing (the budget, a group commit): EPOLLHUP is reported even with no events asked
    // for, and level-triggered it would wake the loop at every turn; one-shot reports it once at most.
    if (want == 0) want = EPOLLONESHOT;
    if (want == c->interest) return;
    epoll_event ev{};
    ev.events = want;
    ev.data.ptr = c;
    (void)::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, s.fd(), &ev);
    c->interest = want;
  }

  void CloseTimedOut(int64_t now) {
    for (auto& c : connections_) {
      if (c->session.TimedOut(now)) {
        ++counters_.local.connections_timed_out;
        c->broken = true;
        c->interest = 0;
        connections_.QueueClose(c.get());
      }
    }
    FlushClosed();
  }

  void Starve(EpollConnection* c) {
    if (c->starved) return;
    c->starved = true;
    starved_.push_back(c);
  }

  // Gives the connections waiting for the memory budget their reservation, oldest first, and stops at the
  // first that still cannot have it (the budget is full: one cheap check per turn). Budget freed by
  // another loop is seen within a tick.
  void RetryStarved() {
    size_t served = 0;
    // By index: serving one may list another (the vector may grow).
    for (; served < starved_.size(); ++served) {
      EpollConnection* c = starved_[served];
      if (!c->broken && c->session.ReadSpace(kMinRead, counters_.local).empty() && c->session.starved())
        break;
      c->starved = false;
      Update(c);
    }
    starved_.erase(starved_.begin(), starved_.begin() + static_cast<std::ptrdiff_t>(served));
  }

  void FlushClosed() {
    connections_.CloseQueued([this](EpollConnection* c) {
      if (c->starved) std::erase(starved_, c);
      ConnectionClosed();
    });
  }

  int epoll_fd_ = -1;
  ConnectionSet<EpollConnection> connections_;
  std::vector<EpollConnection*> dirty_;    // connections with replies waiting for the turn's commit
  std::vector<EpollConnection*> starved_;  // waiting for the memory budget, oldest first
};

}  // namespace

std::unique_ptr<EventLoop> NewEpollLoop(const LoopContext& context) {
  return std::make_unique<EpollLoop>(context);
}

}  // namespace logdaemon::ingest
