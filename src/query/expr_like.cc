#include "query/expr_like.h"

#include <cstring>

#include "query/expr_unicode.h"

namespace logdaemon::query::expr {

namespace {

// `_` in a segment. Not a code point, and not an invalid-byte tag either.
constexpr uint32_t kAnyCharacter = 0xFFFF'FFFFu;

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// The start of the character that ends at `pos` (REQUIRES: pos > 0), the way DecodeUtf8 walking
// forward from the start of the text cuts it: a lead byte is never inside another character, so the
// character is either a valid sequence from the nearest lead byte that ends exactly at `pos`, or the
// single byte before `pos`.
size_t PreviousCharacterStart(std::string_view text, size_t pos) {
  const size_t limit = pos >= 4 ? pos - 4 : 0;
  for (size_t start = pos - 1;; --start) {
    const auto byte = static_cast<unsigned char>(text[start]);
    if ((byte & 0xC0) != 0x80) {  // a lead byte (or ASCII): the candidate start
      uint32_t cp;
      const int length = DecodeUtf8(text.data() + start, text.data() + pos, &cp);
      return start + static_cast<size_t>(length) == pos ? start : pos - 1;
    }
    if (start == limit) break;
  }
  return pos - 1;
}

// Whether text[0..length) equals `lower` (lower case ASCII) up to ASCII case.
bool EqualsFoldingAscii(const char* text, const char* lower, size_t length) {
  for (size_t i = 0; i < length; ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
    if (c != lower[i]) return false;
  }
  return true;
}

}  // namespace

bool LikePattern::Compile(std::string_view pattern, bool case_insensitive, uint32_t escape,
                          std::string* error) {
  segments_.clear();
  segments_.emplace_back();
  case_insensitive_ = case_insensitive;
  const char* p = pattern.data();
  const char* end = p + pattern.size();
  while (p < end) {
    uint32_t cp;
    p += DecodeUtf8(p, end, &cp);
    if (escape != 0 && cp == escape) {
      if (p == end) {
        *error = "the LIKE pattern ends with its escape character";
        return false;
      }
      p += DecodeUtf8(p, end, &cp);
      if (cp != '%' && cp != '_' && cp != escape) {
        *error = "in a LIKE pattern, the escape character must be followed by %, _ or itself";
        return false;
      }
      segments_.back().atoms.push_back(case_insensitive ? FoldCase(cp) : cp);
    } else if (cp == '%') {
      segments_.emplace_back();
    } else if (cp == '_') {
      segments_.back().atoms.push_back(kAnyCharacter);
    } else {
      segments_.back().atoms.push_back(case_insensitive ? FoldCase(cp) : cp);
    }
  }

  is_exact_ = segments_.size() == 1 && !case_insensitive;
  needs_ascii_check_ = false;
  for (Segment& segment : segments_) {
    bool any_character = false;
    bool ascii = true;
    bool folds_from_non_ascii = false;
    for (uint32_t atom : segment.atoms) {
      any_character = any_character || atom == kAnyCharacter;
      ascii = ascii && atom < 0x80;
      folds_from_non_ascii = folds_from_non_ascii || atom == 'k' || atom == 's';
    }
    if (any_character) {
      segment.match = SegmentMatch::kCodePoints;
    } else if (!case_insensitive) {
      segment.match = SegmentMatch::kBytes;
    } else if (ascii) {
      segment.match = SegmentMatch::kAsciiFold;
      segment.ascii_text_only = folds_from_non_ascii;
      needs_ascii_check_ = needs_ascii_check_ || folds_from_non_ascii;
    }
    if (segment.match != SegmentMatch::kCodePoints) {
      for (uint32_t atom : segment.atoms) AppendUtf8(atom, &segment.bytes);
    }
  }
  for (uint32_t atom : segments_.front().atoms) {
    if (atom == kAnyCharacter) is_exact_ = false;
  }

  required_prefix_.clear();
  if (!case_insensitive) {
    for (uint32_t atom : segments_.front().atoms) {
      if (atom == kAnyCharacter) break;
      AppendUtf8(atom, &required_prefix_);
    }
  }
  return true;
}

bool LikePattern::MatchAt(const Segment& segment, SegmentMatch how, std::string_view text, size_t pos,
                          size_t* end) const {
  if (how != SegmentMatch::kCodePoints) {
    const size_t length = segment.bytes.size();
    if (text.size() - pos < length) return false;
    if (how == SegmentMatch::kBytes) {
      if (std::memcmp(text.data() + pos, segment.bytes.data(), length) != 0) return false;
    } else if (!EqualsFoldingAscii(text.data() + pos, segment.bytes.data(), length)) {
      return false;
    }
    *end = pos + length;
    return true;
  }
  const char* p = text.data() + pos;
  const char* limit = text.data() + text.size();
  for (uint32_t atom : segment.atoms) {
    if (p == limit) return false;
    uint32_t cp;
    const int length = DecodeUtf8(p, limit, &cp);
    if (atom != kAnyCharacter && atom != (case_insensitive_ ? FoldCase(cp) : cp)) return false;
    p += length;
  }
  *end = static_cast<size_t>(p - text.data());
  return true;
}

bool LikePattern::FindFrom(const Segment& segment, SegmentMatch how, std::string_view text, size_t pos,
                           size_t* end) const {
  if (segment.atoms.empty()) {
    *end = pos;
    return true;
  }
  if (how == SegmentMatch::kBytes) {
    const void* found =
        memmem(text.data() + pos, text.size() - pos, segment.bytes.data(), segment.bytes.size());
    if (found == nullptr) return false;
    *end = static_cast<size_t>(static_cast<const char*>(found) - text.data()) + segment.bytes.size();
    return true;
  }
  if (how == SegmentMatch::kAsciiFold) {
    // Candidates: where the first byte matches up to case. A byte >= 0x80 never equals an ASCII atom,
    // so every match starts (and ends) on a character boundary.
    const size_t length = segment.bytes.size();
    const char first = segment.bytes[0];
    const bool letter = first >= 'a' && first <= 'z';
    for (size_t i = pos; i + length <= text.size(); ++i) {
      const char c = letter ? static_cast<char>(text[i] | 0x20) : text[i];
      if (c == first && EqualsFoldingAscii(text.data() + i + 1, segment.bytes.data() + 1, length - 1)) {
        *end = i + length;
        return true;
      }
    }
    return false;
  }
  const char* limit = text.data() + text.size();
  while (pos < text.size()) {
    if (MatchAt(segment, how, text, pos, end)) return true;
    uint32_t cp;
    pos += static_cast<size_t>(DecodeUtf8(text.data() + pos, limit, &cp));
  }
  return false;
}

size_t LikePattern::SuffixStart(const Segment& segment, SegmentMatch how, std::string_view text) const {
  if (how != SegmentMatch::kCodePoints) {
    return text.size() >= segment.bytes.size() ? text.size() - segment.bytes.size() : std::string_view::npos;
  }
  size_t pos = text.size();
  for (size_t i = 0; i < segment.atoms.size(); ++i) {
    if (pos == 0) return std::string_view::npos;
    pos = PreviousCharacterStart(text, pos);
  }
  return pos;
}

bool LikePattern::Matches(std::string_view text) const {
  bool ascii_text = true;
  if (needs_ascii_check_) {
    for (char c : text) ascii_text = ascii_text && static_cast<unsigned char>(c) < 0x80;
  }
  const Segment& first = segments_.front();
  size_t pos = 0;
  if (!MatchAt(first, MatchOf(first, ascii_text), text, 0, &pos)) return false;
  if (segments_.size() == 1) return pos == text.size();
  for (size_t i = 1; i + 1 < segments_.size(); ++i) {
    if (!FindFrom(segments_[i], MatchOf(segments_[i], ascii_text), text, pos, &pos)) return false;
  }
  const Segment& last = segments_.back();
  const SegmentMatch how = MatchOf(last, ascii_text);
  const size_t start = SuffixStart(last, how, text);
  size_t end;
  return start != std::string_view::npos && start >= pos && MatchAt(last, how, text, start, &end) &&
         end == text.size();
}

}  // namespace logdaemon::query::expr
