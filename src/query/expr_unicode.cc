#include "query/expr_unicode.h"

namespace logdaemon::query::expr {

size_t FindInvalidUtf8(std::string_view text) {
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    uint32_t code_point;
    const int length = DecodeUtf8(p, end, &code_point);
    if (code_point & kInvalidByteTag) return static_cast<size_t>(p - text.data());
    p += length;
  }
  return std::string_view::npos;
}

namespace {

// Blocks where upper and lower case alternate: the upper case letter sits at an even (or, with
// odd_upper, odd) code point and its lower case right after it.
constexpr uint32_t FoldAlternating(uint32_t cp, bool odd_upper) {
  return ((cp & 1u) == (odd_upper ? 1u : 0u)) ? cp + 1 : cp;
}

uint32_t FoldNonAscii(uint32_t cp) {
  if (cp < 0x100) {
    if (cp == 0xB5) return 0x3BC;  // MICRO SIGN → GREEK SMALL LETTER MU
    if ((cp >= 0xC0 && cp <= 0xD6) || (cp >= 0xD8 && cp <= 0xDE)) return cp + 0x20;
    return cp;
  }
  if (cp < 0x180) {  // Latin Extended-A
    if (cp <= 0x12F) return FoldAlternating(cp, false);
    if (cp >= 0x132 && cp <= 0x137) return FoldAlternating(cp, false);
    if (cp >= 0x139 && cp <= 0x148) return FoldAlternating(cp, true);
    if (cp >= 0x14A && cp <= 0x177) return FoldAlternating(cp, false);
    if (cp == 0x178) return 0xFF;
    if (cp >= 0x179 && cp <= 0x17E) return FoldAlternating(cp, true);
    if (cp == 0x17F) return 's';  // LATIN SMALL LETTER LONG S
    return cp;                    // 0x130 (İ) has only a full folding; 0x131, 0x138, 0x149 none
  }
  if (cp >= 0x370 && cp < 0x400) {  // Greek
    if (cp == 0x386) return 0x3AC;
    if (cp >= 0x388 && cp <= 0x38A) return cp + 37;
    if (cp == 0x38C) return 0x3CC;
    if (cp == 0x38E || cp == 0x38F) return cp + 63;
    if ((cp >= 0x391 && cp <= 0x3A1) || (cp >= 0x3A3 && cp <= 0x3AB)) return cp + 32;
    if (cp == 0x3C2) return 0x3C3;  // final sigma folds to sigma
    if (cp >= 0x3D8 && cp <= 0x3EF) return FoldAlternating(cp, false);
    return cp;
  }
  if (cp >= 0x400 && cp < 0x530) {  // Cyrillic and its supplement
    if (cp <= 0x40F) return cp + 80;
    if (cp <= 0x42F) return cp + 32;
    if (cp >= 0x460 && cp <= 0x481) return FoldAlternating(cp, false);
    if (cp >= 0x48A && cp <= 0x4BF) return FoldAlternating(cp, false);
    if (cp == 0x4C0) return 0x4CF;
    if (cp >= 0x4C1 && cp <= 0x4CE) return FoldAlternating(cp, true);
    if (cp >= 0x4D0) return FoldAlternating(cp, false);
    return cp;
  }
  if (cp >= 0x531 && cp <= 0x556) return cp + 48;  // Armenian
  if (cp >= 0x1E00 && cp <= 0x1EFF) {              // Latin Extended Additional
    if (cp <= 0x1E95 || cp >= 0x1EA0) return FoldAlternating(cp, false);
    if (cp == 0x1E9B) return 0x1E61;
    if (cp == 0x1E9E) return 0xDF;  // CAPITAL SHARP S
    return cp;
  }
  if (cp >= 0x2100 && cp < 0x2500) {
    if (cp == 0x2126) return 0x3C9;                    // OHM SIGN → ω
    if (cp == 0x212A) return 'k';                      // KELVIN SIGN
    if (cp == 0x212B) return 0xE5;                     // ANGSTROM SIGN → å
    if (cp >= 0x2160 && cp <= 0x216F) return cp + 16;  // Roman numerals
    if (cp >= 0x24B6 && cp <= 0x24CF) return cp + 26;  // circled letters
    return cp;
  }
  if (cp >= 0xFF21 && cp <= 0xFF3A) return cp + 32;    // fullwidth Latin
  if (cp >= 0x10400 && cp <= 0x10427) return cp + 40;  // Deseret
  return cp;
}

}  // namespace

uint32_t FoldCase(uint32_t code_point) {
  if (code_point < 0x80) {
    return code_point >= 'A' && code_point <= 'Z' ? code_point + ('a' - 'A') : code_point;
  }
  if (code_point & kInvalidByteTag) return code_point;
  return FoldNonAscii(code_point);
}

}  // namespace logdaemon::query::expr
