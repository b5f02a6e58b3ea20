// LikePattern: SQL LIKE / ILIKE, compiled once and matched per row without allocating.
//
// `%` matches any run of characters (also none), `_` exactly one character; characters are UTF-8 code
// points, not bytes (a byte that is not valid UTF-8 in the text counts as one character). With an escape
// character (LIKE 'x' ESCAPE '!'), "!%", "!_" and "!!" are literal. No other character is special: regex
// characters such as `.`, `*`, `[` or `\` match themselves. ILIKE compares the simple case folding of
// both sides (expr_unicode.h).
//
// The pattern is cut at its `%`s into segments of fixed length (in characters). The first segment must
// match at the start, the last at the end, and the middle ones are found leftmost, in order: since a
// segment has a fixed length, the leftmost match leaves the most text to the segments after it, so this
// finds a match whenever one exists, in O(text × pattern) at worst, and with memmem when a segment is
// plain bytes (LIKE without `_`), or a byte loop when it is ASCII (ILIKE without `_`).
//
// Thread-safety: immutable after Compile; Matches is const and may run on many threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace logdaemon::query::expr {

class LikePattern {
 public:
  LikePattern() = default;

  // REQUIRES: `pattern` is valid UTF-8. `escape` is the escape code point, or 0 for none. Returns false
  // (with *error set) when the pattern ends with a lone escape character or escapes something other
  // than %, _ or the escape character itself.
  bool Compile(std::string_view pattern, bool case_insensitive, uint32_t escape, std::string* error);

  bool Matches(std::string_view text) const;

  // The bytes every matching text starts with (case-sensitive patterns only; empty otherwise): for
  // pruning by min/max statistics.
  const std::string& required_prefix() const { return required_prefix_; }
  // True when a case-sensitive pattern has no wildcard: LIKE is then equality with required_prefix().
  bool is_exact() const { return is_exact_; }

 private:
  // How a segment is compared with the text.
  enum class SegmentMatch : uint8_t {
    kBytes,       // LIKE without `_`: byte for byte (memcmp, memmem)
    kAsciiFold,   // ILIKE of ASCII without `_`: byte for byte up to ASCII case
    kCodePoints,  // anything else: decode the text, one code point per atom
  };

  // One `%`-free piece of the pattern.
  struct Segment {
    std::vector<uint32_t> atoms;  // code points (folded for ILIKE), or kAnyCharacter for `_`
    std::string bytes;            // the UTF-8 of atoms, for kBytes and kAsciiFold
    SegmentMatch match = SegmentMatch::kCodePoints;
    // kAsciiFold is exact only on ASCII text when the segment holds 'k' or 's': KELVIN SIGN and LONG S
    // are the non-ASCII characters that fold to ASCII.
    bool ascii_text_only = false;
  };

  // The way `segment` is matched in a text that is all ASCII or not (`ascii_text`).
  static SegmentMatch MatchOf(const Segment& segment, bool ascii_text) {
    return segment.match == SegmentMatch::kAsciiFold && segment.ascii_text_only && !ascii_text
               ? SegmentMatch::kCodePoints
               : segment.match;
  }
  // Matches `segment` at text[pos..]; on success sets *end past the match.
  bool MatchAt(const Segment& segment, SegmentMatch how, std::string_view text, size_t pos,
               size_t* end) const;
  // The leftmost match of `segment` in text[pos..]; on success sets *end past it.
  bool FindFrom(const Segment& segment, SegmentMatch how, std::string_view text, size_t pos,
                size_t* end) const;
  // Where `segment` must start to end exactly at the end of the text, or npos.
  size_t SuffixStart(const Segment& segment, SegmentMatch how, std::string_view text) const;

  std::vector<Segment> segments_;  // segments_.size() - 1 is the number of `%` runs
  bool case_insensitive_ = false;
  bool needs_ascii_check_ = false;  // some segment is ascii_text_only
  bool is_exact_ = true;
  std::string required_prefix_;
};

}  // namespace logdaemon::query::expr
