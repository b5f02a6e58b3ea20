#include "ingest/memory_budget.h"

#include <algorithm>
#include <cassert>

namespace logdaemon::ingest {

bool MemoryBudget::TryAcquire(size_t bytes) {
  size_t used = used_.load(std::memory_order_relaxed);
  do {
    if (used > limit_ || bytes > limit_ - used) return false;
  } while (!used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
  return true;
}

MemoryAccount::~MemoryAccount() {
  assert(charged_ == 0);
  if (budget_ != nullptr && held_ > 0) budget_->Release(held_);
}

bool MemoryAccount::TryCharge(size_t bytes) {
  const size_t spare = held_ - charged_;
  if (bytes > spare && budget_ != nullptr) {
    const size_t missing = bytes - spare;
    // A whole chunk more when the budget has it, so that the next small charges find it in hand; else
    // exactly what is missing, so that the budget's last bytes can still be used.
    const size_t rounded = (missing + kChunk - 1) / kChunk * kChunk;
    if (budget_->TryAcquire(rounded)) {
      held_ += rounded;
    } else if (budget_->TryAcquire(missing)) {
      held_ += missing;
    } else {
      return false;
    }
  } else if (bytes > spare) {
    held_ += bytes - spare;  // no budget: unlimited
  }
  charged_ += bytes;
  return true;
}

void MemoryAccount::ForceCharge(size_t bytes) {
  const size_t spare = held_ - charged_;
  if (bytes > spare) {
    if (budget_ != nullptr) budget_->Acquire(bytes - spare);
    held_ += bytes - spare;
  }
  charged_ += bytes;
}

void MemoryAccount::Refund(size_t bytes) {
  assert(bytes <= charged_);
  charged_ -= bytes < charged_ ? bytes : charged_;
  ReturnSpare();
}

void MemoryAccount::BusyReaders(int delta) {
  assert(delta >= 0 || busy_readers_ >= static_cast<size_t>(-delta));
  busy_readers_ = delta >= 0 ? busy_readers_ + static_cast<size_t>(delta)
                             : busy_readers_ - std::min(busy_readers_, static_cast<size_t>(-delta));
  while (busy_read_ > kMinBusyRead && busy_readers_ * busy_read_ > kBusyReadBytes) busy_read_ /= 2;
  while (busy_read_ < kMaxBusyRead && busy_readers_ * busy_read_ * 2 <= kBusyReadBytes / 2) busy_read_ *= 2;
}

void MemoryAccount::ReturnSpare() {
  const size_t keep = charged_ == 0 ? 0 : kMaxSpare;
  const size_t spare = held_ - charged_;
  if (spare <= keep) return;
  if (budget_ != nullptr) budget_->Release(spare - keep);
  held_ -= spare - keep;
}

}  // namespace logdaemon::ingest
