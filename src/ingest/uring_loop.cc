// The io_uring backend of EventLoop (liburing). Every connection has at most one recv and one send in
// flight; the recv reads straight into the frame decoder's buffer, the send takes the replies a burst
// produced (moved out of the ReplyBuffer, so that buffer may grow while the kernel reads this one). One
// io_uring_enter per loop turn submits every connection's requests and waits for completions, so the
// syscall count is per turn, not per connection or message. A ring belongs to its loop's thread
// (SINGLE_ISSUER + DEFER_TASKRUN where the kernel has them: completions are processed when we ask).
//
// Closing a connection with requests in flight: shutdown(2) makes them complete, and the connection is
// freed once none is left.
//
// A connection waiting for the memory budget (Session::starved) has no recv posted: its bytes wait in the
// kernel; the loop retries its reservation each turn, oldest first (RetryStarved). The copy of the
// replies a send holds is charged to the budget too, beyond the same allowance as the replies.
#include <liburing.h>
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

constexpr size_t kMinRead = 4096;
constexpr unsigned kRingEntries = 1024;
constexpr unsigned kCompletionEntries = 8192;

enum Op : uintptr_t { kWake = 0, kRecv = 1, kSend = 2, kOpMask = 3 };

struct UringConnection {
  UringConnection(int fd, const SessionLimits& limits, MemoryAccount* memory, int64_t now)
      : session(fd, limits, memory, now), account(memory) {}
  ~UringConnection() { account->Refund(sending_charged); }
  Session session;
  MemoryAccount* account;
  std::string sending;         // the bytes of the send in flight
  size_t sent = 0;             // of `sending`, already taken by the kernel
  size_t sending_charged = 0;  // `sending`'s capacity beyond Session::kReplyAllowance
  bool recv_in_flight = false;
  bool send_in_flight = false;
  bool read_shut = false;  // shutdown(SHUT_RD) done: no recv is submitted any more
  bool retiring = false;   // closing: waiting for the requests in flight
  bool dirty = false;      // has replies waiting for this turn's commit
  bool starved = false;    // listed in starved_: waits for the memory budget
  size_t index = 0;
};

class UringLoop final : public EventLoop {
 public:
  explicit UringLoop(const LoopContext& context) : EventLoop(context) {}
  ~UringLoop() override {
    Stop();
    Join();
    if (ring_ready_) io_uring_queue_exit(&ring_);
  }

 protected:
  Status Init() override {
    io_uring_params params{};
    params.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    params.cq_entries = kCompletionEntries;
    int rc = io_uring_queue_init_params(kRingEntries, &ring_, &params);
    if (rc == -EINVAL) {
      // Kernels before 6.1 lack SINGLE_ISSUER / DEFER_TASKRUN.
      params = io_uring_params{};
      params.flags = IORING_SETUP_CQSIZE;
      params.cq_entries = kCompletionEntries;
      rc = io_uring_queue_init_params(kRingEntries, &ring_, &params);
    }
    if (rc < 0) return Status::IOError(std::string("io_uring_queue_init: ") + std::strerror(-rc));
    ring_ready_ = true;
    return Status::OK();
  }

  void Run() override {
    ArmWake();
    int64_t next_timeout_check = NowNs();
    int64_t drain_deadline = 0;
    for (;;) {
      __kernel_timespec timeout{};
      timeout.tv_nsec = WaitMillis() * 1'000'000;
      io_uring_cqe* cqe = nullptr;
      (void)io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &timeout, nullptr);
      const int64_t now = NowNs();
      unsigned head;
      unsigned seen = 0;
      io_uring_for_each_cqe(&ring_, head, cqe) {
        Complete(cqe->user_data, cqe->res, now);
        ++seen;
      }
      io_uring_cq_advance(&ring_, seen);
      RetryRoomWaiting(connections_, [this](UringConnection* c) { MarkDirty(c); });
      PumpAndSend(now);
      FlushClosed();
      RetryStarved(now);
      handler_->Tick();
      if (stopping()) {
        if (drain_deadline == 0) {
          drain_deadline = now + std::chrono::nanoseconds(kDrainTimeout).count();
          for (int fd : TakeInbox()) AddConnection(fd, now);
          for (auto& c : connections_) {
            c->session.StopReading();
            ShutRead(c.get());
            AfterIo(c.get(), now);
          }
          FlushClosed();
        }
        if (connections_.empty()) break;
        if (now > drain_deadline) {
          for (auto& c : connections_) Retire(c.get());
          drain_deadline = INT64_MAX;  // now wait for the requests in flight to complete
        }
      }
      if (now >= next_timeout_check) {
        next_timeout_check = now + 1'000'000'000;
        for (auto& c : connections_) {
          if (!c->retiring && c->session.TimedOut(now)) {
            ++counters_.local.connections_timed_out;
            Retire(c.get());
          }
        }
        FlushClosed();
      }
      counters_.Publish();
    }
  }

 private:
  io_uring_sqe* Sqe() {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    while (sqe == nullptr) {
      (void)io_uring_submit(&ring_);
      sqe = io_uring_get_sqe(&ring_);
    }
    return sqe;
  }

  void ArmWake() {
    io_uring_sqe* sqe = Sqe();
    io_uring_prep_read(sqe, wake_fd(), &wake_value_, sizeof(wake_value_), 0);
    io_uring_sqe_set_data64(sqe, kWake);
  }

  void AddConnection(int fd, int64_t now) {
    ++counters_.local.connections_accepted;
    UringConnection* raw =
        connections_.Add(std::make_unique<UringConnection>(fd, context_.limits, &account_, now));
    raw->session.replies().set_owner(raw);
    if (stopping()) {
      raw->session.StopReading();
      ShutRead(raw);
    }
    AfterIo(raw, now);
  }

  void Complete(uint64_t user_data, int res, int64_t now) {
    if (user_data == kWake) {
      for (int fd : TakeInbox()) AddConnection(fd, now);
      ArmWake();
      return;
    }
    auto* c = reinterpret_cast<UringConnection*>(user_data & ~uint64_t{kOpMask});
    if ((user_data & kOpMask) == kRecv) {
      c->recv_in_flight = false;
      if (res > 0) {
        counters_.local.bytes_received += static_cast<uint64_t>(res);
        if (!c->retiring) c->session.OnRead(static_cast<size_t>(res), *handler_, now);
      } else if (res == 0) {
        c->session.OnPeerClosed();
      } else if (res != -EAGAIN && res != -EINTR) {
        Retire(c);
      }
    } else {
      c->send_in_flight = false;
      if (res >= 0) {
        c->sent += static_cast<size_t>(res);
        if (c->sent < c->sending.size()) {
          SubmitSend(c);  // the rest of the same bytes
        } else {
          c->sending.clear();
          c->sent = 0;
          if (c->sending.capacity() > Session::kReplyAllowance) {
            std::string().swap(c->sending);  // a drained connection gives its memory back
            SettleSendingCharge(c);
          }
        }
        if (!c->retiring) c->session.OnSent(static_cast<size_t>(res), *handler_, now);
      } else if (res != -EAGAIN && res != -EINTR) {
        Retire(c);
      }
    }
    AfterIo(c, now);
  }

  void MarkDirty(UringConnection* c) {
    if (c->dirty) return;
    c->dirty = true;
    dirty_.push_back(c);
  }

  // Collects a finished group commit and seals the next, then submits the sends of the replies it
  // released.
  void PumpAndSend(int64_t now) {
    handler_->Pump();
    for (ReplyBuffer* replies : handler_->TakeReleased())
      MarkDirty(static_cast<UringConnection*>(replies->owner()));
    std::vector<UringConnection*> batch;
    batch.swap(dirty_);
    for (UringConnection* c : batch) {
      c->dirty = false;
      AfterIo(c, now);
    }
  }

  // Submits what the connection now needs: the next send, the next recv, or its closing.
  void AfterIo(UringConnection* c, int64_t /*now*/) {
    if (c->retiring) {
      if (!c->recv_in_flight && !c->send_in_flight) connections_.QueueClose(c);
      return;
    }
    Session& s = c->session;
    if (!c->send_in_flight && c->sending.empty() && !s.replies().Pending().empty()) {
      std::span<const uint8_t> pending = s.replies().Pending();
      c->sending.assign(reinterpret_cast<const char*>(pending.data()), pending.size());
      SettleSendingCharge(c);  // bytes that exist already: charged even past the limit
      s.replies().Consume(pending.size());
      c->sent = 0;
      SubmitSend(c);
    }
    if (s.WantsRead() && !c->recv_in_flight && !c->read_shut) {
      std::span<uint8_t> space = s.ReadSpace(kMinRead, counters_.local);
      if (!space.empty()) {
        io_uring_sqe* sqe = Sqe();
        io_uring_prep_recv(sqe, s.fd(), space.data(), space.size(), 0);
        io_uring_sqe_set_data64(sqe, reinterpret_cast<uintptr_t>(c) | kRecv);
        c->recv_in_flight = true;
      } else if (s.starved() && !c->starved) {
        c->starved = true;
        starved_.push_back(c);
      }
    }
    if (s.Done() && !c->send_in_flight && c->sending.empty()) Retire(c);
  }

  void SubmitSend(UringConnection* c) {
    io_uring_sqe* sqe = Sqe();
    io_uring_prep_send(sqe, c->session.fd(), c->sending.data() + c->sent, c->sending.size() - c->sent,
                       MSG_NOSIGNAL);
    io_uring_sqe_set_data64(sqe, reinterpret_cast<uintptr_t>(c) | kSend);
    c->send_in_flight = true;
  }

  void ShutRead(UringConnection* c) {
    if (c->read_shut) return;
    c->read_shut = true;
    if (c->recv_in_flight) ::shutdown(c->session.fd(), SHUT_RD);  // completes the recv with 0
  }

  // Closes the connection once its requests in flight have completed (shutdown makes them complete).
  void Retire(UringConnection* c) {
    if (c->retiring) return;
    c->retiring = true;
    if (c->recv_in_flight || c->send_in_flight) {
      ::shutdown(c->session.fd(), SHUT_RDWR);
    } else {
      connections_.QueueClose(c);
    }
  }

  void SettleSendingCharge(UringConnection* c) {
    const size_t capacity = c->sending.capacity();
    const size_t charge = capacity > Session::kReplyAllowance ? capacity - Session::kReplyAllowance : 0;
    if (charge > c->sending_charged) account_.ForceCharge(charge - c->sending_charged);
    if (charge < c->sending_charged) account_.Refund(c->sending_charged - charge);
    c->sending_charged = charge;
  }

  // Gives the connections waiting for the memory budget their reservation (AfterIo posts their recv),
  // oldest first, and stops at the first that still cannot have it (the budget is full: one cheap check
  // per turn). Budget freed by another loop is seen within a tick.
  void RetryStarved(int64_t now) {
    size_t served = 0;
    // By index: serving one may list another (the vector may grow).
    for (; served < starved_.size(); ++served) {
      UringConnection* c = starved_[served];
      if (!c->retiring && c->session.ReadSpace(kMinRead, counters_.local).empty() && c->session.starved())
        break;
      c->starved = false;
      AfterIo(c, now);
    }
    starved_.erase(starved_.begin(), starved_.begin() + static_cast<std::ptrdiff_t>(served));
  }

  void FlushClosed() {
    connections_.CloseQueued([this](UringConnection* c) {
      if (c->starved) std::erase(starved_, c);
      ConnectionClosed();
    });
  }

  io_uring ring_{};
  bool ring_ready_ = false;
  uint64_t wake_value_ = 0;
  ConnectionSet<UringConnection> connections_;
  std::vector<UringConnection*> dirty_;    // connections with replies waiting for the turn's commit
  std::vector<UringConnection*> starved_;  // waiting for the memory budget, oldest first
};

}  // namespace

std::unique_ptr<EventLoop> NewUringLoop(const LoopContext& context) {
  return std::make_unique<UringLoop>(context);
}

bool UringAvailable() {
  io_uring ring;
  if (io_uring_queue_init(8, &ring, 0) != 0) return false;
  io_uring_probe* probe = io_uring_get_probe_ring(&ring);
  const bool ok = probe != nullptr && io_uring_opcode_supported(probe, IORING_OP_RECV) &&
                  io_uring_opcode_supported(probe, IORING_OP_SEND);
  if (probe != nullptr) io_uring_free_probe(probe);
  io_uring_queue_exit(&ring);
  return ok;
}

}  // namespace logdaemon::ingest
