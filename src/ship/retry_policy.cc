#include "ship/retry_policy.h"

#include <algorithm>

namespace logdaemon::ship {

FailureClass ClassifyFailure(long http_status, bool timed_out) {
  if (timed_out || http_status == 408) return {ErrorReason::kTimeout, true};
  if (http_status == 0) return {ErrorReason::kConnect, true};
  if (http_status == 429 || http_status >= 500) return {ErrorReason::kServer, true};
  if (http_status >= 400) return {ErrorReason::kClient, false};
  // A 1xx or 3xx where an answer was due: not an S3 server we can use as it is.
  return {ErrorReason::kProtocol, false};
}

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, uint64_t seed)
    : initial_(std::max(initial, std::chrono::milliseconds(1))),
      max_(std::max(max, initial_)),
      random_(seed) {}

std::chrono::milliseconds Backoff::Delay(uint32_t failures) {
  int64_t d = initial_.count();
  for (uint32_t i = 1; i < failures && d < max_.count(); ++i) d *= 2;
  d = std::min<int64_t>(d, max_.count());
  std::uniform_int_distribution<int64_t> pick(d / 2, d);
  return std::chrono::milliseconds(pick(random_));
}

}  // namespace logdaemon::ship
