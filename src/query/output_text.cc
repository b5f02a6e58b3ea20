#include "query/output_text.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <iterator>

#include "schema/rfc3339.h"

namespace logdaemon::query {

void AppendTimestamp(int64_t micros_utc, std::string* out) {
  // The schema module writes "…:SS.ffffffZ" (always six digits); the fraction is then shortened here.
  schema::AppendRfc3339Micros(micros_utc, out);
  // Layout of the tail: '.' f f f f f f 'Z'.
  const size_t dot = out->size() - 8;
  std::string& text = *out;
  if (text.compare(dot + 1, 6, "000000") == 0) {
    text.resize(dot);
  } else if (text.compare(dot + 4, 3, "000") == 0) {
    text.resize(dot + 4);
  } else {
    text.resize(dot + 7);
  }
  text.push_back('Z');
}

std::string FormatTimestamp(int64_t micros_utc) {
  std::string text;
  AppendTimestamp(micros_utc, &text);
  return text;
}

void AppendInt64(int64_t value, std::string* out) {
  char buffer[24];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  (void)ec;  // 20 characters hold any int64
  out->append(buffer, static_cast<size_t>(end - buffer));
}

void AppendDouble(double value, std::string* out) {
  if (std::isnan(value)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(value)) {
    out->append(value < 0 ? "-Infinity" : "Infinity");
    return;
  }
  // 24 characters hold the longest shortest form ("-2.2250738585072014e-308").
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  (void)ec;
  out->append(buffer, static_cast<size_t>(end - buffer));
}

Utf8Step DecodeUtf8(const unsigned char* p, const unsigned char* limit) {
  const unsigned lead = p[0];
  if (lead < 0x80) return {lead, 1, true};
  // The sequence length and the range of its second byte (Table 3-7); the other continuation bytes are
  // always 80..BF.
  int length;
  unsigned second_low = 0x80, second_high = 0xBF;
  uint32_t code_point;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code_point = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code_point = lead & 0x0F;
    if (lead == 0xE0) second_low = 0xA0;   // no overlong forms
    if (lead == 0xED) second_high = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code_point = lead & 0x07;
    if (lead == 0xF0) second_low = 0x90;   // no overlong forms
    if (lead == 0xF4) second_high = 0x8F;  // nothing above U+10FFFF
  } else {
    return {0xFFFD, 1, false};  // 80..C1 and F5..FF never start a sequence
  }
  const ptrdiff_t available = limit - p;
  for (int i = 1; i < length; ++i) {
    const unsigned low = i == 1 ? second_low : 0x80u;
    const unsigned high = i == 1 ? second_high : 0xBFu;
    if (i >= available || p[i] < low || p[i] > high) return {0xFFFD, static_cast<uint8_t>(i), false};
    code_point = (code_point << 6) | (p[i] & 0x3F);
  }
  return {code_point, static_cast<uint8_t>(length), true};
}

void AppendValidUtf8(std::string_view text, std::string* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const limit = p + text.size();
  const auto* run = p;  // start of the bytes not yet copied
  while (p < limit) {
    if (*p < 0x80) {
      ++p;
      continue;
    }
    const Utf8Step step = DecodeUtf8(p, limit);
    if (!step.valid) {
      out->append(reinterpret_cast<const char*>(run), static_cast<size_t>(p - run));
      out->append(kReplacementCharacter);
      run = p + step.length;
    }
    p += step.length;
  }
  out->append(reinterpret_cast<const char*>(run), static_cast<size_t>(limit - run));
}

namespace {

struct WidthRange {
  uint32_t first;
  uint32_t last;
  int width;
};

// Sorted, disjoint. Zero-width: combining marks of the common scripts, Hangul medial and final jamo,
// zero-width spaces and joiners, bidi and invisible format characters, variation selectors. Wide: East
// Asian Wide and Fullwidth blocks (Unicode UAX #11) and the emoji blocks.
constexpr WidthRange kWidthRanges[] = {
    {0x0300, 0x036F, 0},   {0x0483, 0x0489, 0},   {0x0591, 0x05BD, 0},   {0x05BF, 0x05BF, 0},
    {0x05C1, 0x05C2, 0},   {0x05C4, 0x05C5, 0},   {0x05C7, 0x05C7, 0},   {0x0610, 0x061A, 0},
    {0x064B, 0x065F, 0},   {0x0670, 0x0670, 0},   {0x06D6, 0x06DC, 0},   {0x06DF, 0x06E4, 0},
    {0x0900, 0x0902, 0},   {0x093A, 0x093A, 0},   {0x093C, 0x093C, 0},   {0x0941, 0x0948, 0},
    {0x094D, 0x094D, 0},   {0x0E31, 0x0E31, 0},   {0x0E34, 0x0E3A, 0},   {0x0E47, 0x0E4E, 0},
    {0x1100, 0x115F, 2},   {0x1160, 0x11FF, 0},   {0x1AB0, 0x1AFF, 0},   {0x1DC0, 0x1DFF, 0},
    {0x200B, 0x200F, 0},   {0x202A, 0x202E, 0},   {0x2060, 0x2064, 0},   {0x20D0, 0x20FF, 0},
    {0x231A, 0x231B, 2},   {0x2329, 0x232A, 2},   {0x23E9, 0x23EC, 2},   {0x23F0, 0x23F0, 2},
    {0x23F3, 0x23F3, 2},   {0x25FD, 0x25FE, 2},   {0x2614, 0x2615, 2},   {0x2648, 0x2653, 2},
    {0x267F, 0x267F, 2},   {0x2693, 0x2693, 2},   {0x26A1, 0x26A1, 2},   {0x26AA, 0x26AB, 2},
    {0x26BD, 0x26BE, 2},   {0x26C4, 0x26C5, 2},   {0x26CE, 0x26CE, 2},   {0x26D4, 0x26D4, 2},
    {0x26EA, 0x26EA, 2},   {0x26F2, 0x26F3, 2},   {0x26F5, 0x26F5, 2},   {0x26FA, 0x26FA, 2},
    {0x26FD, 0x26FD, 2},   {0x2705, 0x2705, 2},   {0x270A, 0x270B, 2},   {0x2728, 0x2728, 2},
    {0x274C, 0x274C, 2},   {0x274E, 0x274E, 2},   {0x2753, 0x2755, 2},   {0x2757, 0x2757, 2},
    {0x2795, 0x2797, 2},   {0x27B0, 0x27B0, 2},   {0x27BF, 0x27BF, 2},   {0x2B1B, 0x2B1C, 2},
    {0x2B50, 0x2B50, 2},   {0x2B55, 0x2B55, 2},   {0x2E80, 0x3029, 2},   {0x302A, 0x302D, 0},
    {0x302E, 0x303E, 2},   {0x3041, 0x3098, 2},   {0x3099, 0x309A, 0},   {0x309B, 0x33FF, 2},
    {0x3400, 0x4DBF, 2},   {0x4E00, 0x9FFF, 2},   {0xA000, 0xA4CF, 2},   {0xA960, 0xA97F, 2},
    {0xAC00, 0xD7A3, 2},   {0xF900, 0xFAFF, 2},   {0xFE00, 0xFE0F, 0},   {0xFE10, 0xFE19, 2},
    {0xFE20, 0xFE2F, 0},   {0xFE30, 0xFE6F, 2},   {0xFEFF, 0xFEFF, 0},   {0xFF00, 0xFF60, 2},
    {0xFFE0, 0xFFE6, 2},   {0x16FE0, 0x16FE4, 2}, {0x17000, 0x18AFF, 2}, {0x1B000, 0x1B2FF, 2},
    {0x1F004, 0x1F004, 2}, {0x1F0CF, 0x1F0CF, 2}, {0x1F18E, 0x1F18E, 2}, {0x1F191, 0x1F19A, 2},
    {0x1F200, 0x1F251, 2}, {0x1F300, 0x1F64F, 2}, {0x1F680, 0x1F6FF, 2}, {0x1F900, 0x1F9FF, 2},
    {0x1FA70, 0x1FAFF, 2}, {0x20000, 0x2FFFD, 2}, {0x30000, 0x3FFFD, 2}, {0xE0001, 0xE007F, 0},
    {0xE0100, 0xE01EF, 0},
};

constexpr bool SortedAndDisjoint() {
  for (size_t i = 0; i < std::size(kWidthRanges); ++i) {
    if (kWidthRanges[i].first > kWidthRanges[i].last) return false;
    if (i > 0 && kWidthRanges[i - 1].last >= kWidthRanges[i].first) return false;
  }
  return true;
}
static_assert(SortedAndDisjoint(), "the binary search needs sorted, disjoint ranges");

}  // namespace

int CodePointDisplayWidth(uint32_t code_point) {
  if (code_point < 0x300) return 1;
  const auto* it = std::upper_bound(std::begin(kWidthRanges), std::end(kWidthRanges), code_point,
                                    [](uint32_t cp, const WidthRange& range) { return cp < range.first; });
  if (it == std::begin(kWidthRanges)) return 1;
  --it;
  return code_point <= it->last ? it->width : 1;
}

}  // namespace logdaemon::query
