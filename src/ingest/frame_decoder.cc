#include "ingest/frame_decoder.h"

#include <simdjson.h>

#include <algorithm>
#include <cassert>
#include <cstring>

namespace logdaemon::ingest {

static_assert(FrameDecoder::kPadding >= simdjson::SIMDJSON_PADDING,
              "frames must be parseable in place by simdjson");

namespace {
constexpr size_t kBaseCapacity = FrameDecoder::kReadChunk + FrameDecoder::kPadding;
}  // namespace

FrameDecoder::FrameDecoder(uint32_t max_frame_bytes)
    : max_frame_bytes_(max_frame_bytes),
      // The largest frame, its header and padding, plus the read that completes it: Next() drains every
      // complete frame before the next read, so what is buffered then is at most one partial frame.
      max_capacity_(size_t{max_frame_bytes} + kHeaderBytes + kPadding + kReadChunk) {}

std::span<uint8_t> FrameDecoder::WritableSpace(size_t at_least) {
  if (refused_) return {};
  const size_t want = std::clamp<size_t>(at_least, 1, kReadChunk);
  if (begin_ == end_) begin_ = end_ = 0;  // nothing buffered: start over at the front, no copy

  // A buffer grown for a big frame goes back to the base size once what it holds fits there again.
  const bool pending_frame_fits =
      buffered() < kHeaderBytes || size_t{kHeaderBytes} + PeekLength() <= kReadChunk;
  if (capacity_ > kBaseCapacity && buffered() + want <= kReadChunk && pending_frame_fits) {
    Reallocate(kBaseCapacity);
  }
  if (capacity_ == 0) Reallocate(kBaseCapacity);

  auto free_bytes = [this] { return capacity_ - kPadding - end_; };
  if (free_bytes() < want && begin_ > 0) {
    // Compaction: only the unconsumed tail (at most one partial frame after Next() drained) moves.
    std::memmove(buffer_.get(), buffer_.get() + begin_, buffered());
    end_ -= begin_;
    begin_ = 0;
  }
  if (free_bytes() < want) {
    // Grow by doubling, not to the declared length at once: a header alone must not make us allocate
    // up to max_frame_bytes for a client that then sends nothing.
    const size_t needed = buffered() + want + kPadding;
    size_t target = std::max(needed, capacity_ * 2);
    if (buffered() >= kHeaderBytes) {
      target = std::min(target, std::max(needed, size_t{kHeaderBytes} + PeekLength() + kPadding));
    }
    target = std::min(target, max_capacity_);
    if (target > capacity_) Reallocate(target);
  }
  return {buffer_.get() + end_, free_bytes()};
}

void FrameDecoder::Commit(size_t n) {
  const size_t writable = capacity_ >= end_ + kPadding ? capacity_ - kPadding - end_ : 0;
  assert(n <= writable);
  end_ += std::min(n, writable);  // never past the padding, even on a caller's bug
}

FrameDecoder::Event FrameDecoder::Next() {
  if (refused_) return {Event::Kind::kTooLarge, {}, refused_length_};
  if (buffered() < kHeaderBytes) return {};
  const uint32_t length = PeekLength();
  if (length > max_frame_bytes_) {
    refused_ = true;
    refused_length_ = length;
    begin_ = end_ = 0;  // the rest of the stream cannot be trusted: drop it
    return {Event::Kind::kTooLarge, {}, length};
  }
  if (length == 0) {
    begin_ += kHeaderBytes;
    return {Event::Kind::kEmptyFrame, {}, 0};
  }
  if (buffered() - kHeaderBytes < length) return {};
  const char* payload = reinterpret_cast<const char*>(buffer_.get() + begin_ + kHeaderBytes);
  begin_ += kHeaderBytes + length;
  return {Event::Kind::kFrame, std::string_view(payload, length), length};
}

bool FrameDecoder::has_partial_frame() const {
  if (refused_ || buffered() == 0) return false;
  if (buffered() < kHeaderBytes) return true;
  const uint32_t length = PeekLength();
  return length <= max_frame_bytes_ && buffered() - kHeaderBytes < length;
}

void FrameDecoder::ReleaseIfEmpty() {
  if (buffered() != 0) return;
  buffer_.reset();
  capacity_ = begin_ = end_ = 0;
}

void FrameDecoder::Reallocate(size_t capacity) {
  // for_overwrite: no zero-filling of a buffer recv() is about to fill.
  auto fresh = std::make_unique_for_overwrite<uint8_t[]>(capacity);
  if (buffered() != 0) std::memcpy(fresh.get(), buffer_.get() + begin_, buffered());
  end_ = buffered();
  begin_ = 0;
  buffer_ = std::move(fresh);
  capacity_ = capacity;
}

uint32_t FrameDecoder::PeekLength() const {
  const uint8_t* p = buffer_.get() + begin_;
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}

}  // namespace logdaemon::ingest
