// UTF-8 for the --where language: decoding one code point at a time (LIKE's `_` is one character, not
// one byte), validating literals, and the simple case folding ILIKE compares with.
//
// Case folding is Unicode's *simple* folding (one code point to one code point, CaseFolding.txt status C
// and S) for the scripts logs are written in most: ASCII, Latin-1, Latin Extended-A and Additional, Greek,
// Cyrillic, Armenian, fullwidth Latin, Roman numerals, circled letters, and the Kelvin, Ångström and Ohm
// signs. Other code points fold to themselves. Full folding (ß → ss) is not done: it changes lengths.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace logdaemon::query::expr {

// What DecodeUtf8 returns for a byte that does not start a valid sequence: the byte, tagged so that it
// never equals a real code point (a valid pattern never contains one), yet still counts as one character.
constexpr uint32_t kInvalidByteTag = 0x8000'0000u;

// Decodes the code point at p (REQUIRES: p < end). Returns its length in bytes (1-4); an invalid or
// truncated sequence, an overlong form or a surrogate decodes as one byte, kInvalidByteTag | byte.
inline int DecodeUtf8(const char* p, const char* end, uint32_t* code_point) {
  const auto b0 = static_cast<unsigned char>(*p);
  if (b0 < 0x80) {
    *code_point = b0;
    return 1;
  }
  const auto continuation = [&](std::ptrdiff_t i) {
    return p + i < end && (static_cast<unsigned char>(p[i]) & 0xC0) == 0x80;
  };
  const auto bits = [&](std::ptrdiff_t i) {
    return static_cast<uint32_t>(static_cast<unsigned char>(p[i]) & 0x3F);
  };
  if (b0 >= 0xC2 && b0 <= 0xDF && continuation(1)) {
    *code_point = ((b0 & 0x1Fu) << 6) | bits(1);
    return 2;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF && continuation(1) && continuation(2)) {
    const uint32_t cp = ((b0 & 0x0Fu) << 12) | (bits(1) << 6) | bits(2);
    if (cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF)) {
      *code_point = cp;
      return 3;
    }
  } else if (b0 >= 0xF0 && b0 <= 0xF4 && continuation(1) && continuation(2) && continuation(3)) {
    const uint32_t cp = ((b0 & 0x07u) << 18) | (bits(1) << 12) | (bits(2) << 6) | bits(3);
    if (cp >= 0x10000 && cp <= 0x10FFFF) {
      *code_point = cp;
      return 4;
    }
  }
  *code_point = kInvalidByteTag | b0;
  return 1;
}

// The byte offset of the first byte that is not part of valid UTF-8 in `text`, or npos when it all is.
size_t FindInvalidUtf8(std::string_view text);

// Simple case folding (see the file comment); ASCII takes the first branch.
uint32_t FoldCase(uint32_t code_point);

}  // namespace logdaemon::query::expr
