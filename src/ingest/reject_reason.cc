// The labels of RejectReason (include/logdaemon/server.h) and ServerStats' sum of rejections.
#include <numeric>

#include "logdaemon/server.h"

namespace logdaemon {

const char* RejectReasonLabel(RejectReason reason) {
  switch (reason) {
    case RejectReason::kInvalidJson:
      return "invalid_json";
    case RejectReason::kInvalidUtf8:
      return "invalid_utf8";
    case RejectReason::kNotObject:
      return "not_object";
    case RejectReason::kSchema:
      return "schema";
    case RejectReason::kUnstorable:
      return "unstorable";
    case RejectReason::kEmptyFrame:
      return "empty_frame";
    case RejectReason::kFrameTooLarge:
      return "frame_too_large";
    case RejectReason::kStorageUnavailable:
      return "storage_unavailable";
    case RejectReason::kTimeOutOfRange:
      return "time_out_of_range";
  }
  return "unknown";
}

uint64_t ServerStats::rejected_total() const {
  return std::accumulate(logs_rejected.begin(), logs_rejected.end(), uint64_t{0});
}

}  // namespace logdaemon
