// POST /api/v1/ingest: NDJSON, one log per line, with the socket protocol's semantics per line. The answer:
//   {"accepted":N,"rejected":M,"errors":[{"line":L,"error":"<what the socket would reply after ERROR: >"}]}
// Lines are numbered from 1; blank lines (and a final line without its newline) are allowed, and a CR
// before the LF is not part of the log. At most kMaxListedErrors errors are listed ("errors_truncated"
// counts the rest), so a body of bad lines cannot make a larger answer than itself.
#include "http/endpoints.h"
#include "schema/json_value.h"

namespace logdaemon::http {

namespace {

constexpr size_t kMaxListedErrors = 1000;

bool IsBlank(std::string_view line) {
  for (char c : line)
    if (c != ' ' && c != '\t') return false;
  return true;
}

// Adds each non-blank line of `body` (whose bytes are the start of logs->buffer()) as a log; line numbers
// of the logs go to *lines.
void SplitLines(std::string_view body, LogBatch* logs, std::vector<uint32_t>* lines) {
  size_t start = 0;
  uint32_t number = 0;
  while (start < body.size()) {
    size_t end = body.find('\n', start);
    if (end == std::string_view::npos) end = body.size();
    ++number;
    size_t length = end - start;
    if (length > 0 && body[start + length - 1] == '\r') --length;
    if (!IsBlank(body.substr(start, length))) {
      logs->AddSpan(start, length);
      lines->push_back(number);
    }
    start = end + 1;
  }
}

}  // namespace

Response HandleNdjson(LogBatch* logs, std::string_view body, IngestContext& context,
                      ingest::CounterValues* counters) {
  std::vector<uint32_t> lines;
  SplitLines(body, logs, &lines);
  BatchOutcome outcome;
  {
    AdmitterPool::Lease admitter = context.pool->Acquire();
    outcome = AdmitBatch(*admitter, *logs, counters);
  }
  if (outcome.accepted == 0 && outcome.no_room > 0 && outcome.rejected == 0)
    return JsonError(429, "overloaded: no room for these logs now; send them again later",
                     context.retry_after_seconds);
  Response response;
  if (outcome.accepted == 0 && outcome.storage_unavailable) {
    // Nothing stored, and the reason is the daemon's, not the logs': the client should retry.
    response.status = 503;
    response.headers.emplace_back("Retry-After", std::to_string(context.retry_after_seconds));
  }
  std::string& out = response.body;
  out.assign("{\"accepted\":").append(std::to_string(outcome.accepted));
  out.append(",\"rejected\":").append(std::to_string(outcome.rejected + outcome.no_room));
  out.append(",\"errors\":[");
  const size_t listed = std::min(outcome.messages.size(), kMaxListedErrors);
  for (size_t i = 0; i < listed; ++i) {
    if (i > 0) out.push_back(',');
    out.append("{\"line\":").append(std::to_string(lines[outcome.messages[i].first])).append(",\"error\":");
    schema::AppendJsonString(outcome.messages[i].second, &out);
    out.push_back('}');
  }
  out.push_back(']');
  if (listed < outcome.messages.size())
    out.append(",\"errors_truncated\":").append(std::to_string(outcome.messages.size() - listed));
  out.append("}\n");
  return response;
}

Response JsonError(int status, std::string_view message, int retry_after_seconds) {
  Response response;
  response.status = status;
  response.body.assign("{\"error\":");
  schema::AppendJsonString(message, &response.body);
  response.body.append("}\n");
  if (status == 429 || status == 503)
    response.headers.emplace_back("Retry-After", std::to_string(retry_after_seconds));
  return response;
}

}  // namespace logdaemon::http
