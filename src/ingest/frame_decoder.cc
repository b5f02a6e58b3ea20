#include "ingest/frame_decoder.h"

#include <simdjson.h>

#include <algorithm>
#include <cassert>
#include <cstring>
#include <utility>

namespace logdaemon::ingest {

static_assert(FrameDecoder::kPadding >= simdjson::SIMDJSON_PADDING,
              "frames must be parseable in place by simdjson");

namespace {

// The largest buffer a busy connection reads into.
constexpr size_t kMaxBusyCapacity = FrameDecoder::kReadChunk + FrameDecoder::kPadding;

// What a buffer of `capacity` bytes costs the budget: everything beyond the free allowance.
size_t ChargeOf(size_t capacity) {
  return capacity > FrameDecoder::kInitialCapacity ? capacity - FrameDecoder::kInitialCapacity : 0;
}

}  // namespace

FrameDecoder::FrameDecoder(uint32_t max_frame_bytes, MemoryAccount* account)
    : max_frame_bytes_(max_frame_bytes),
      // The largest frame with its header and padding (a frame in progress is read up to its end only),
      // or a busy connection's read.
      max_capacity_(std::max(size_t{max_frame_bytes} + kHeaderBytes + kPadding, kMaxBusyCapacity)),
      account_(account) {}

FrameDecoder::~FrameDecoder() {
  RefundTo(0);
  SetBusy(false);
}

void FrameDecoder::SetBusy(bool busy) {
  if (busy == busy_) return;
  busy_ = busy;
  if (account_ != nullptr) account_->BusyReaders(busy ? 1 : -1);
}

FrameDecoder::FrameDecoder(FrameDecoder&& other) noexcept
    : max_frame_bytes_(other.max_frame_bytes_),
      max_capacity_(other.max_capacity_),
      account_(other.account_),
      buffer_(std::move(other.buffer_)),
      capacity_(std::exchange(other.capacity_, 0)),
      charged_(std::exchange(other.charged_, 0)),
      begin_(std::exchange(other.begin_, 0)),
      end_(std::exchange(other.end_, 0)),
      offered_(other.offered_),
      quiet_reads_(other.quiet_reads_),
      busy_(std::exchange(other.busy_, false)),  // the account counts the connection once
      starved_(other.starved_),
      refused_(other.refused_),
      refused_length_(other.refused_length_) {}

FrameDecoder& FrameDecoder::operator=(FrameDecoder&& other) noexcept {
  if (this == &other) return *this;
  RefundTo(0);
  SetBusy(false);
  max_frame_bytes_ = other.max_frame_bytes_;
  max_capacity_ = other.max_capacity_;
  account_ = other.account_;
  buffer_ = std::move(other.buffer_);
  capacity_ = std::exchange(other.capacity_, 0);
  charged_ = std::exchange(other.charged_, 0);
  begin_ = std::exchange(other.begin_, 0);
  end_ = std::exchange(other.end_, 0);
  offered_ = other.offered_;
  quiet_reads_ = other.quiet_reads_;
  busy_ = std::exchange(other.busy_, false);
  starved_ = other.starved_;
  refused_ = other.refused_;
  refused_length_ = other.refused_length_;
  return *this;
}

FrameDecoder::Plan FrameDecoder::PlanCapacity(size_t want) const {
  size_t needed = buffered() + want + kPadding;
  if (buffered() >= kHeaderBytes && PeekLength() <= max_frame_bytes_) {
    const size_t frame = kHeaderBytes + size_t{PeekLength()};
    // A frame in progress is reserved whole, and read up to its end only: what follows it waits for the
    // buffer to shrink back, so a reservation is never exceeded.
    if (frame > buffered()) needed = frame + kPadding;
  }
  needed = std::min(std::max(needed, kInitialCapacity), max_capacity_);
  const size_t preferred = std::max(needed, busy_ ? BusyCapacity() : kInitialCapacity);
  return {needed, std::min(preferred, max_capacity_)};
}

bool FrameDecoder::ChargeFor(size_t capacity) {
  const size_t charge = ChargeOf(capacity);
  if (charge <= charged_) return true;
  if (account_ != nullptr && !account_->TryCharge(charge - charged_)) return false;
  charged_ = charge;
  return true;
}

void FrameDecoder::RefundTo(size_t capacity) {
  const size_t charge = ChargeOf(capacity);
  if (charge >= charged_) return;
  if (account_ != nullptr) account_->Refund(charged_ - charge);
  charged_ = charge;
}

bool FrameDecoder::Resize(const Plan& plan) {
  if (plan.preferred == capacity_) return true;
  if (plan.preferred < capacity_) {
    // Shrinking: a big frame was consumed, or a busy connection went quiet.
    Reallocate(plan.preferred);
    RefundTo(capacity_);
    return true;
  }
  if (ChargeFor(plan.preferred)) {
    Reallocate(plan.preferred);
    return true;
  }
  // Growing for speed only, and the budget has no room: read on at the size we have.
  if (capacity_ >= plan.needed) return true;
  if (plan.needed == plan.preferred || !ChargeFor(plan.needed)) return false;
  Reallocate(plan.needed);
  return true;
}

std::span<uint8_t> FrameDecoder::WritableSpace(size_t at_least) {
  if (refused_) return {};
  const size_t want = std::clamp<size_t>(at_least, 1, kReadChunk);
  if (begin_ == end_) begin_ = end_ = 0;  // nothing buffered: start over at the front, no copy
  starved_ = !Resize(PlanCapacity(want));
  if (starved_) return {};
  if (free_bytes() < want && begin_ > 0) {
    // Compaction: only the unconsumed tail (at most one partial frame after Next() drained) moves.
    std::memmove(buffer_.get(), buffer_.get() + begin_, buffered());
    end_ -= begin_;
    begin_ = 0;
  }
  offered_ = free_bytes();
  return {buffer_.get() + end_, offered_};
}

void FrameDecoder::Commit(size_t n) {
  const size_t writable = capacity_ >= end_ + kPadding ? capacity_ - kPadding - end_ : 0;
  assert(n <= writable);
  n = std::min(n, writable);  // never past the padding, even on a caller's bug
  end_ += n;
  // A read that fills what was offered says the client has more waiting: read kReadChunk at a time. Not
  // when a frame's reservation was filled to its end: that says nothing about what follows.
  if (n > 0 && n == offered_ && capacity_ <= kMaxBusyCapacity) {
    SetBusy(true);
    quiet_reads_ = 0;
  } else if (n < kInitialRead / 2) {
    if (busy_ && ++quiet_reads_ >= kQuietReads) SetBusy(false);
  } else {
    quiet_reads_ = 0;
  }
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

void FrameDecoder::Trim() {
  if (capacity_ <= kInitialCapacity || refused_) return;
  const Plan plan = PlanCapacity(1);
  if (plan.preferred < capacity_) {
    Reallocate(plan.preferred);
    RefundTo(capacity_);
  }
}

void FrameDecoder::ReleaseIfEmpty() {
  if (buffered() != 0) return;
  buffer_.reset();
  capacity_ = begin_ = end_ = 0;
  RefundTo(0);
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
