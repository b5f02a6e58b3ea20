// ConnectionSet: an event loop's open connections, shared by both backends. Closing is deferred to the
// end of a loop turn (QueueClose, then CloseQueued), because completions or events handled later in the
// same turn may still point at a connection; a connection queued twice is closed once. Removal swaps
// with the last element, so adding and closing are O(1).
//
// T has a `Session session` and a `size_t index` (its slot, kept up to date here).
//
// Thread-safety: none; the loop's own.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace logdaemon::ingest {

template <typename T>
class ConnectionSet {
 public:
  T* Add(std::unique_ptr<T> connection) {
    connection->index = connections_.size();
    connections_.push_back(std::move(connection));
    return connections_.back().get();
  }
  void QueueClose(T* connection) { to_close_.push_back(connection); }

  // Closes every queued connection's socket, calls on_closed(connection) once for each (before it is
  // freed), and frees them.
  template <typename OnClosed>
  void CloseQueued(OnClosed on_closed) {
    for (T* c : to_close_) {
      if (c->index == kClosed) continue;  // queued twice in one turn
      c->session.Close();
      on_closed(c);
      const size_t index = c->index;
      c->index = kClosed;
      if (index != connections_.size() - 1) {
        connections_[index].swap(connections_.back());
        connections_[index]->index = index;
      }
      closed_.push_back(std::move(connections_.back()));
      connections_.pop_back();
    }
    to_close_.clear();
    closed_.clear();  // only now: every pointer in to_close_ was looked at
  }

  bool empty() const { return connections_.empty(); }
  auto begin() { return connections_.begin(); }
  auto end() { return connections_.end(); }

 private:
  static constexpr size_t kClosed = ~size_t{0};

  std::vector<std::unique_ptr<T>> connections_;
  std::vector<T*> to_close_;
  std::vector<std::unique_ptr<T>> closed_;
};

}  // namespace logdaemon::ingest
