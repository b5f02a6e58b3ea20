// The OTLP mapping (otlp_logs.h has the table): a decoded ExportLogsServiceRequest, whichever encoding it
// came in, written as our logs. Shared by the protobuf and the JSON decoder, so both map alike.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "http/log_batch.h"
#include "http/otlp/logs.pb.h"
#include "http/otlp_logs.h"
#include "logdaemon/status.h"

namespace logdaemon::http {

// InvalidArgument when an AnyValue of a log (body, attributes, resource attributes) nests deeper than
// kMaxOtlpAnyValueDepth. Checked before anything is appended, so that a rejected request adds nothing.
Status CheckOtlpDepth(const otlp::ExportLogsServiceRequest& request);

// Appends one JSON object per LogRecord to *logs. `now_unix_nano` stands for the time of records that
// carry neither time. REQUIRES: CheckOtlpDepth(request).ok() (deeper values would be written as null).
void AppendOtlpLogs(const otlp::ExportLogsServiceRequest& request, const OtlpMapping& mapping,
                    uint64_t now_unix_nano, LogBatch* logs);

}  // namespace logdaemon::http
