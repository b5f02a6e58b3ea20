#include "cli/reject_reasons.h"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace logdaemon::cli {

std::string ReasonClass(std::string_view message) {
  if (message.starts_with("schema: ")) {
    // The pointer ends at the second ": " and the keyword at the third. A message with fewer parts is
    // its own class.
    size_t pointer_end = message.find(": ", 8);
    size_t keyword_end =
        pointer_end == std::string_view::npos ? pointer_end : message.find(": ", pointer_end + 2);
    return std::string(message.substr(0, keyword_end));
  }
  // "frame too large (N > MAX)": one class, whatever the sizes.
  if (message.starts_with("frame too large")) return "frame too large";
  // "timestamp <time> outside the accepted window <from> .. <to>": one class, whatever the times.
  if (message.starts_with("timestamp ") && message.find(" outside the accepted window ") != message.npos) {
    return "timestamp outside the accepted window";
  }
  return std::string(message.substr(0, message.find(':')));
}

namespace {

void PrintLine(std::FILE* out, uint64_t count, const std::string& reason) {
  std::fprintf(out, "  %8llu  %s\n", static_cast<unsigned long long>(count), reason.c_str());
}

}  // namespace

void RejectReasons::PrintByName(std::FILE* out) const {
  for (const auto& [reason, count] : counts_) PrintLine(out, count, reason);
}

void RejectReasons::PrintByCount(std::FILE* out) const {
  std::vector<std::pair<std::string, uint64_t>> sorted(counts_.begin(), counts_.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& [reason, count] : sorted) PrintLine(out, count, reason);
}

}  // namespace logdaemon::cli
