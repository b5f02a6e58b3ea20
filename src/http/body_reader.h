// BodyReader: collects one request's body as it arrives, decompressing gzip (zlib) on the fly, inside
// three bounds — the body's size after decompression (--http-max-body-mb: 413), the decompression ratio
// (a gzip bomb is refused long before it reaches the size bound), and the bytes all requests hold at once
// (BodyBudget: 503, try again later). The body ends with simdjson's padding, so its logs are parsed in
// place.
//
// Thread-safety: a BodyReader belongs to one request; BodyBudget is thread-safe.
#pragma once

#include <zlib.h>

#include <atomic>
#include <cstddef>
#include <string>
#include <string_view>

namespace logdaemon::http {

// The bytes every request body in memory holds at once, across connections.
class BodyBudget {
 public:
  explicit BodyBudget(size_t limit) : limit_(limit) {}
  bool TryCharge(size_t bytes) {
    size_t used = used_.load(std::memory_order_relaxed);
    do {
      if (used + bytes > limit_) return false;
    } while (!used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
    return true;
  }
  void Release(size_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }
  size_t used() const { return used_.load(std::memory_order_relaxed); }
  size_t limit() const { return limit_; }

 private:
  const size_t limit_;
  std::atomic<size_t> used_{0};
};

class BodyReader {
 public:
  enum class State {
    kReading,
    kTooLarge,     // beyond max_body_bytes after decompression (413)
    kBombLike,     // beyond the decompression-ratio cap (413)
    kBadEncoding,  // gzip data that does not inflate (400)
    kNoMemory,     // the body budget is spent (503)
    kUnsupported,  // a Content-Encoding other than gzip or identity (415)
  };
  // A ratio of decompressed to compressed bytes beyond this is refused once the body passes
  // kRatioCheckAfter bytes; real logs compress 5–30×, zlib's maximum is about 1 030×.
  static constexpr size_t kMaxRatio = 200;
  static constexpr size_t kRatioCheckAfter = 1 << 20;

  // The most one body within `max_body_bytes` charges to its budget: its buffer holds the body, one byte
  // more (a gzip body inflating past the bound is caught there) and simdjson's padding, and is at least
  // 4 KiB. A budget of at least this takes one body of the largest size.
  static size_t LargestCharge(size_t max_body_bytes);

  BodyReader(std::string_view content_encoding, size_t max_body_bytes, BodyBudget* budget);
  ~BodyReader();
  BodyReader(const BodyReader&) = delete;
  BodyReader& operator=(const BodyReader&) = delete;

  // Adds bytes as received; false once the body is refused (state() says why; later bytes are ignored).
  bool Feed(std::string_view bytes);
  // The end of the request: a gzip stream must be complete. Appends the padding.
  bool Finish();

  State state() const { return state_; }
  // The HTTP status and text for a refused body.
  int status_code() const;
  std::string_view error() const;

  // The body (decompressed; followed by simdjson's padding after Finish()).
  std::string_view body() const { return std::string_view(body_).substr(0, size_); }
  std::string& buffer() { return body_; }
  size_t compressed_bytes() const { return received_; }

 private:
  bool Append(const char* data, size_t length);
  bool Inflate(std::string_view bytes);
  bool Refuse(State state);
  bool Grow(size_t needed);  // charges the budget for capacity growth

  const size_t max_body_bytes_;
  BodyBudget* budget_;
  bool gzip_ = false;
  z_stream zstream_{};
  bool zstream_open_ = false;
  bool zstream_done_ = false;
  State state_ = State::kReading;
  std::string body_;
  size_t size_ = 0;     // the body's bytes in body_ (body_ may hold padding beyond)
  size_t charged_ = 0;  // bytes charged to the budget
  size_t received_ = 0;
};

}  // namespace logdaemon::http
