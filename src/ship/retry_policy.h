// Retry policy of the uploader: which failures are retried, and how long to wait before the next
// attempt — exponential backoff with jitter, so that a fleet of daemons whose endpoint comes back does
// not retry in lockstep.
//
// Thread-safety: none; one per uploader.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

#include "ship/ship_counters.h"

namespace logdaemon::ship {

// What one failed request means.
struct FailureClass {
  ErrorReason reason;
  bool retry_soon;  // 5xx, 429, timeouts, connection failures: back off and retry; a 4xx: retried only
                    // at the longest backoff (credentials or a bucket may be fixed meanwhile)
};
// From an HTTP status (0 when there was no answer) and whether the transfer timed out.
FailureClass ClassifyFailure(long http_status, bool timed_out);

class Backoff {
 public:
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, uint64_t seed);
  // The wait before the next attempt after `failures` consecutive failures (1 for the first): a random
  // time in [d/2, d] with d = min(max, initial * 2^(failures-1)).
  std::chrono::milliseconds Delay(uint32_t failures);
  std::chrono::milliseconds max() const { return max_; }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  std::mt19937_64 random_;
};

}  // namespace logdaemon::ship
