#include "http/body_reader.h"

#include <simdjson.h>
#include <strings.h>

#include <algorithm>

namespace logdaemon::http {

namespace {

bool IsIdentity(std::string_view encoding) {
  return encoding.empty() || (encoding.size() == 8 && ::strncasecmp(encoding.data(), "identity", 8) == 0);
}
bool IsGzip(std::string_view encoding) {
  return (encoding.size() == 4 && ::strncasecmp(encoding.data(), "gzip", 4) == 0) ||
         (encoding.size() == 6 && ::strncasecmp(encoding.data(), "x-gzip", 6) == 0);
}

constexpr size_t kInflateChunk = 64 * 1024;
constexpr size_t kMinCapacity = 4096;

}  // namespace

size_t BodyReader::LargestCharge(size_t max_body_bytes) {
  // Grow() never asks for more than the bound plus one byte (Inflate's room), and adds the padding.
  return std::max(max_body_bytes + 1, kMinCapacity) + simdjson::SIMDJSON_PADDING;
}

BodyReader::BodyReader(std::string_view content_encoding, size_t max_body_bytes, BodyBudget* budget)
    : max_body_bytes_(max_body_bytes), budget_(budget) {
  if (IsGzip(content_encoding)) {
    gzip_ = true;
    // 16 + MAX_WBITS: a gzip header and trailer, not a zlib one.
    if (inflateInit2(&zstream_, 16 + MAX_WBITS) != Z_OK) {
      state_ = State::kNoMemory;
      return;
    }
    zstream_open_ = true;
  } else if (!IsIdentity(content_encoding)) {
    state_ = State::kUnsupported;
  }
}

BodyReader::~BodyReader() {
  if (zstream_open_) inflateEnd(&zstream_);
  if (budget_ != nullptr) budget_->Release(charged_);
}

bool BodyReader::Refuse(State state) {
  state_ = state;
  // The body is dropped at once: a refused request must not hold memory until it is answered.
  std::string().swap(body_);
  size_ = 0;
  if (budget_ != nullptr) budget_->Release(charged_);
  charged_ = 0;
  return false;
}

bool BodyReader::Grow(size_t needed) {
  if (needed <= body_.size()) return true;
  // Doubling (with the padding's room), capped at the bound plus the padding.
  size_t capacity = std::max(needed, std::min(body_.size() * 2, max_body_bytes_));
  capacity = std::max(capacity, kMinCapacity) + simdjson::SIMDJSON_PADDING;
  if (budget_ != nullptr) {
    if (capacity > charged_ && !budget_->TryCharge(capacity - charged_)) return Refuse(State::kNoMemory);
    if (capacity > charged_) charged_ = capacity;
  }
  body_.resize(capacity);
  return true;
}

bool BodyReader::Append(const char* data, size_t length) {
  if (size_ + length > max_body_bytes_) return Refuse(State::kTooLarge);
  if (!Grow(size_ + length)) return false;
  std::copy(data, data + length, body_.data() + size_);
  size_ += length;
  return true;
}

bool BodyReader::Inflate(std::string_view bytes) {
  zstream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  zstream_.avail_in = static_cast<uInt>(bytes.size());
  while (zstream_.avail_in > 0 && !zstream_done_) {
    const size_t room = std::min(kInflateChunk, max_body_bytes_ + 1 - std::min(size_, max_body_bytes_ + 1));
    if (room == 0) return Refuse(State::kTooLarge);
    if (!Grow(size_ + room)) return false;
    zstream_.next_out = reinterpret_cast<Bytef*>(body_.data() + size_);
    zstream_.avail_out = static_cast<uInt>(room);
    const int rc = inflate(&zstream_, Z_NO_FLUSH);
    size_ += room - zstream_.avail_out;
    if (rc == Z_STREAM_END) {
      zstream_done_ = true;
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return Refuse(State::kBadEncoding);
    }
    if (size_ > max_body_bytes_) return Refuse(State::kTooLarge);
    if (size_ > kRatioCheckAfter && size_ / std::max<size_t>(received_, 1) > kMaxRatio)
      return Refuse(State::kBombLike);
    if (rc == Z_BUF_ERROR && zstream_.avail_out > 0) break;  // needs more input
  }
  // Bytes after the end of the gzip stream are not part of any log.
  if (zstream_done_ && zstream_.avail_in > 0) return Refuse(State::kBadEncoding);
  return true;
}

bool BodyReader::Feed(std::string_view bytes) {
  if (state_ != State::kReading) return false;
  received_ += bytes.size();
  return gzip_ ? Inflate(bytes) : Append(bytes.data(), bytes.size());
}

bool BodyReader::Finish() {
  if (state_ != State::kReading) return false;
  if (gzip_ && !zstream_done_ && received_ > 0) return Refuse(State::kBadEncoding);
  if (!Grow(size_ + simdjson::SIMDJSON_PADDING)) return false;
  std::fill(body_.begin() + static_cast<ptrdiff_t>(size_), body_.end(), ' ');
  return true;
}

int BodyReader::status_code() const {
  switch (state_) {
    case State::kReading:
      return 200;
    case State::kTooLarge:
    case State::kBombLike:
      return 413;
    case State::kBadEncoding:
      return 400;
    case State::kNoMemory:
      return 503;
    case State::kUnsupported:
      return 415;
  }
  return 500;
}

std::string_view BodyReader::error() const {
  switch (state_) {
    case State::kReading:
      return "";
    case State::kTooLarge:
      return "request body too large (after decompression)";
    case State::kBombLike:
      return "gzip body expands beyond the accepted decompression ratio";
    case State::kBadEncoding:
      return "gzip body is corrupt or truncated";
    case State::kNoMemory:
      return "too many request bytes in flight; try again later";
    case State::kUnsupported:
      return "unsupported Content-Encoding (gzip or identity)";
  }
  return "";
}

}  // namespace logdaemon::http
