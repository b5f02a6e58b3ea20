// Rejected logs counted by reason class, for the summaries of `validate-schema --data` and `import`:
// millions of rejections collapse into a few lines such as "schema: /level: enum" or "invalid JSON".
//
// Thread-safety: none.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>

namespace logdaemon::cli {

// The reason class of a rejection message: the category and, for schema errors, the instance pointer
// and keyword ("schema: /level: enum: …" → "schema: /level: enum"); otherwise the text before the first
// ':' ("invalid JSON: unterminated string at byte 8" → "invalid JSON").
std::string ReasonClass(std::string_view message);

class RejectReasons {
 public:
  void Add(std::string_view message) { ++counts_[ReasonClass(message)]; }
  bool empty() const { return counts_.empty(); }

  // One line per class: "  <count>  <class>", sorted by class name (validate-schema's order).
  void PrintByName(std::FILE* out) const;
  // The same lines, largest count first (ties by name).
  void PrintByCount(std::FILE* out) const;

 private:
  std::map<std::string, uint64_t, std::less<>> counts_;
};

}  // namespace logdaemon::cli
