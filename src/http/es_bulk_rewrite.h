// The bulk API's document rewriting (http/es_bulk.h, "Document rewriting"): `@timestamp` renamed to the
// time field, `level` added from `log.level`. Internal to the bulk parser.
//
// Most documents need no change and are never walked: a document is looked at only when its text
// contains one of the source keys in quotes (a memmem each). Those are walked over their top-level
// members in the raw text, nested values skipped by counting brackets (no recursion, any depth), without
// validating: the admission path parses and judges every document afterwards, rewritten or not. (Not
// simdjson On-Demand: built without -march, its compile-time kernel is the slow scalar fallback.)
//
// Thread-safety: a DocumentRewriter is used by one thread at a time.
#pragma once

#include <string>
#include <string_view>

namespace logdaemon::http {

struct BulkOptions;

class DocumentRewriter {
 public:
  explicit DocumentRewriter(const BulkOptions& options);

  // Appends the rewritten `doc` to *out and returns true when it needs a change; false (and *out
  // untouched) otherwise, also when `doc` is not a JSON object as far as the walk can tell (the
  // admission path then refuses it with its own words).
  bool Rewrite(std::string_view doc, std::string* out);

  // A level value (the raw text between its quotes) spelled as the default schema spells it: ASCII
  // lower case, common aliases mapped (http/es_bulk.h).
  static void NormalizeLevel(std::string_view level, std::string* out);

 private:
  struct Found;
  bool Scan(std::string_view doc, size_t brace, Found* found);
  bool ScanLevelParent(std::string_view doc, size_t value_begin, Found* found);

  std::string time_field_;
  std::string source_;               // "@timestamp", or "" (off)
  std::string quoted_source_;        // "\"@timestamp\""
  std::string level_field_;          // "level", or "" (off)
  std::string level_key_;            // "log.level": the dotted top-level key
  std::string level_parent_;         // "log", or "" when level_source has no dot
  std::string level_child_;          // "level"
  std::string quoted_level_key_;     // "\"log.level\""
  std::string quoted_level_parent_;  // "\"log\""
  std::string level_;                // the level value found, reused
};

}  // namespace logdaemon::http
