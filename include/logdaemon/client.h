// The client side of the wire protocol (DESIGN.md §2): connect to a logdaemon Unix socket, send one log
// and wait for its reply, or pipeline a batch of logs with a bounded number of unanswered frames.
//
// A frame is a u32 big-endian length followed by that many bytes of JSON; the server answers every frame,
// in order, with "OK\n" or "ERROR: <reason>\n". A rejected log (an ERROR reply) is not a failure of the
// call: it is reported as a Reply with ok == false. The calls fail (non-OK Status) only when the exchange
// itself breaks: the server closes the connection, a read times out, a reply is not a protocol line.
// After such a failure the stream is out of step with the server, so the Client is unusable and every
// further call returns Unavailable; connect again.
//
// Thread-safety: a Client is not thread-safe. Use one Client per thread (or serialize all calls on it
// yourself); distinct Clients are independent. SIGPIPE is never raised by a Client (writes use
// MSG_NOSIGNAL), so a server that goes away cannot kill the process.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "logdaemon/status.h"

namespace logdaemon {

// The server's answer to one log.
struct Reply {
  bool ok = false;
  std::string error;  // when !ok: the text after "ERROR: ", without the newline
};

class Client {
 public:
  // The length prefix is a u32.
  static constexpr size_t kMaxFrameBytes = 0xFFFFFFFFu;
  // A reply line longer than this (without its newline) is not something the server sends.
  static constexpr size_t kMaxReplyLineBytes = 64 * 1024;
  static constexpr std::chrono::milliseconds kDefaultReplyTimeout{30000};

  using ReplyCallback = std::function<void(size_t index, const Reply& reply)>;

  // Connects to the server's socket. `timeout` bounds the wait while the server's listen backlog is full
  // (0: no limit). Errors: NotFound (no such socket), Unavailable (connection refused: nobody is
  // listening; timed out), InvalidArgument (the path is not a socket, or too long for sun_path), IOError
  // (permission denied, anything else).
  static Result<std::unique_ptr<Client>> Connect(const std::string& socket_path,
                                                 std::chrono::milliseconds timeout = std::chrono::seconds(5));

  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // How long a call waits without any progress (no byte read or written) before it fails with IOError.
  // 0: no limit. Default kDefaultReplyTimeout.
  void set_reply_timeout(std::chrono::milliseconds timeout) { reply_timeout_ = timeout; }
  std::chrono::milliseconds reply_timeout() const { return reply_timeout_; }

  // Sends one log (one frame) and waits for its reply. An empty log is sent as it is (the server answers
  // "ERROR: empty frame"). A log longer than kMaxFrameBytes is refused locally with InvalidArgument.
  Result<Reply> Send(std::string_view json);

  // Sends every log in order, keeping at most `window` (>= 1) frames unanswered, and calls
  // on_reply(index, reply) for each reply in order (on_reply may be empty). Writes and reads are
  // interleaved with poll(), so the call never deadlocks when both socket buffers are full. Returns OK
  // once every log has its reply, whatever the replies say. Any log longer than kMaxFrameBytes makes the
  // call fail with InvalidArgument before anything is sent. The Reply passed to on_reply is reused: copy
  // what you keep.
  Status SendAll(std::span<const std::string_view> logs, size_t window, const ReplyCallback& on_reply);
  Status SendAll(std::span<const std::string> logs, size_t window, const ReplyCallback& on_reply);

  // False after a call failed: the connection is closed and every call returns Unavailable.
  bool usable() const { return fd_ >= 0; }
  const std::string& socket_path() const { return socket_path_; }

 private:
  Client(int fd, std::string socket_path);

  template <typename GetLog, typename OnReply>
  Status Pipeline(size_t count, const GetLog& get, size_t window, const OnReply& on_reply);
  template <typename OnReply>
  Status ParseReplies(size_t& received, size_t sent, const OnReply& on_reply);
  void AppendFrame(std::string_view log);
  Status Fail(Status status);

  int fd_;
  std::string socket_path_;
  std::chrono::milliseconds reply_timeout_ = kDefaultReplyTimeout;
  Status failure_;  // why the Client became unusable

  // Frames not yet written: [wpos_, wbuf_.size()). Small frames are coalesced into one send().
  std::string wbuf_;
  size_t wpos_ = 0;
  // Bytes read but not yet parsed: [rstart_, rend_). Allocated once; a partial line is moved to the front.
  std::unique_ptr<char[]> rbuf_;
  size_t rstart_ = 0;
  size_t rend_ = 0;
  Reply reply_;  // reused for every reply, so parsing does not allocate per log
};

}  // namespace logdaemon
