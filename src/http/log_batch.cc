#include "http/log_batch.h"

#include <simdjson.h>

namespace logdaemon::http {

void LogBatch::Add(std::string_view json) {
  BeginLog();
  buffer_.append(json);
  EndLog();
}

void LogBatch::Finish() {
  buffer_.append(simdjson::SIMDJSON_PADDING, ' ');
}

size_t LogBatch::text_bytes() const {
  size_t bytes = 0;
  for (const Span& span : spans_) bytes += span.length;
  return bytes;
}

}  // namespace logdaemon::http
