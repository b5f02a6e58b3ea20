// ECMA-262 regular expressions (the `pattern`, `patternProperties` and `format: regex` of JSON Schema)
// compiled once with PCRE2 and its JIT, and matched without allocation.
//
// PCRE2 is not ECMA-262; the pattern is compiled with UTF and Unicode properties on, `$` matching only at
// the very end (as ECMA-262 without the m flag), ECMA-style escapes \uHHHH, \u{H…} and \xHH
// (PCRE2_ALT_BSUX, PCRE2_EXTRA_ALT_BSUX), and \d, \w and \b kept ASCII as in ECMA-262 while \s takes
// ECMA-262's Unicode white space. Differences that remain are listed in docs/json-schema.md.
//
// Matching is bounded: a match that exceeds the match limit (catastrophic backtracking on a hostile
// pattern or value) is reported as kLimitExceeded, never as a hang.
//
// Thread-safety: an EcmaRegex is immutable after Compile and may be shared between threads; each thread
// matches with its own RegexMatcher.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "logdaemon/status.h"

struct pcre2_real_code_8;
struct pcre2_real_match_data_8;
struct pcre2_real_match_context_8;
struct pcre2_real_jit_stack_8;

namespace logdaemon::schema {

class EcmaRegex {
 public:
  // Compiles `pattern`; the error says what is wrong and at which character offset.
  static Result<std::unique_ptr<EcmaRegex>> Compile(std::string_view pattern);
  // Whether `pattern` compiles (the `regex` format).
  static bool IsValid(std::string_view pattern);

  ~EcmaRegex();
  EcmaRegex(const EcmaRegex&) = delete;
  EcmaRegex& operator=(const EcmaRegex&) = delete;

  const std::string& pattern() const { return pattern_; }

 private:
  friend class RegexMatcher;
  EcmaRegex(std::string pattern, pcre2_real_code_8* code, bool jit);

  std::string pattern_;
  pcre2_real_code_8* code_;
  bool jit_;
  // Patterns such as "^x-" (an anchor, then plain characters): the prefix every match starts with, tested
  // before PCRE2 is called; when it is the whole pattern, PCRE2 is never called.
  bool anchored_literal_ = false;
  bool literal_is_whole_ = false;
  std::string literal_prefix_;
};

enum class MatchResult { kNoMatch, kMatch, kLimitExceeded };

// Per-thread matching state (PCRE2 match data, match context with limits, JIT stack).
class RegexMatcher {
 public:
  RegexMatcher();
  ~RegexMatcher();
  RegexMatcher(const RegexMatcher&) = delete;
  RegexMatcher& operator=(const RegexMatcher&) = delete;

  // Searches `subject` (valid UTF-8) for `regex` anywhere, as ECMA-262's RegExp.prototype.test.
  MatchResult Search(const EcmaRegex& regex, std::string_view subject);

 private:
  pcre2_real_match_data_8* match_data_;
  pcre2_real_match_context_8* match_context_;
  pcre2_real_jit_stack_8* jit_stack_;
};

}  // namespace logdaemon::schema
