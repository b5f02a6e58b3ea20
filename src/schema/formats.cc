#include "schema/formats.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "schema/regex.h"
#include "schema/rfc3339.h"

namespace logdaemon::schema {

namespace {

// ---------------------------------------------------------------------------------------------------
// ASCII character classes. Every format here is ASCII by its RFC (ABNF's ALPHA, DIGIT and HEXDIG are
// ASCII only); a byte >= 0x80 (any non-ASCII UTF-8) is never in a class.

constexpr bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
constexpr bool IsAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr bool IsHexDigit(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
constexpr char ToLower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToLower(a[i]) != ToLower(b[i])) return false;
  }
  return true;
}

bool StartsWithIgnoringAsciiCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && EqualsIgnoringAsciiCase(text.substr(0, prefix.size()), prefix);
}

// ---------------------------------------------------------------------------------------------------
// ipv4: RFC 2673 §3.2 dotted-quad, as RFC 3986's IPv4address: dec-octet = "0" / 1-9 DIGIT / ... 255.
// Leading zeros are refused: inet_aton() reads "010" as octal 8, so such text has no single meaning.

// One dec-octet at the start of `text`; its length in *length. False if there is none.
bool ReadDecOctet(std::string_view text, size_t* length) {
  size_t n = 0;
  int value = 0;
  while (n < text.size() && n < 4 && IsDigit(text[n])) value = value * 10 + (text[n++] - '0');
  if (n == 0 || n > 3 || value > 255 || (n > 1 && text[0] == '0')) return false;
  *length = n;
  return true;
}

bool IsIpv4(std::string_view text) {
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (text.empty() || text[0] != '.') return false;
      text.remove_prefix(1);
    }
    size_t length;
    if (!ReadDecOctet(text, &length)) return false;
    text.remove_prefix(length);
  }
  return text.empty();
}

// ---------------------------------------------------------------------------------------------------
// ipv6: the text forms of RFC 4291 §2.2 (as RFC 3986's IPv6address): eight groups of one to four hex
// digits, or fewer around a single "::" that stands for at least one zero group; the last 32 bits may
// be written as a dotted quad. No zone id (RFC 4007 "%eth0"), no brackets, no prefix length.

bool IsIpv6(std::string_view text) {
  const size_t n = text.size();
  size_t i = 0;
  int groups = 0;  // 16-bit groups written, the dotted quad counting two
  bool compressed = false;
  if (n >= 2 && text[0] == ':' && text[1] == ':') {
    compressed = true;
    i = 2;
  }
  while (i < n) {
    size_t digits = 0;
    while (i + digits < n && digits <= 4 && IsHexDigit(text[i + digits])) ++digits;
    if (i + digits < n && text[i + digits] == '.') {
      // The dotted quad ends the address and takes the place of two groups.
      if (!IsIpv4(text.substr(i))) return false;
      groups += 2;
      i = n;
      break;
    }
    if (digits == 0 || digits > 4) return false;
    ++groups;
    i += digits;
    if (i == n) break;
    if (text[i] != ':' || groups >= 8) return false;
    ++i;
    if (i < n && text[i] == ':') {
      if (compressed) return false;
      compressed = true;
      ++i;
    } else if (i == n) {
      return false;  // a single trailing ':'
    }
  }
  return compressed ? groups <= 7 : groups == 8;
}

// ---------------------------------------------------------------------------------------------------
// hostname: RFC 1123 §2.1 host names, i.e. RFC 952 labels of letters, digits and hyphens, 1-63
// characters, neither starting nor ending with a hyphen (RFC 1123 lets them start with a digit), at
// most 253 characters in all (255 octets on the wire). No trailing dot: that is a DNS name in
// absolute form, not a host name, and the JSON-Schema-Test-Suite agrees.
//
// A label that starts with "xn--" claims to be an IDNA A-label (RFC 5890 §2.3.2.1), and is valid only
// if it is one: its Punycode (RFC 3492) must decode to a U-label that passes the rules of RFC 5891
// §5.4 that are decidable here: the hyphen and leading-mark rules, the contextual rules of RFC 5892
// Appendix A and the exceptions of RFC 5892 §2.6. Not asserted: the full derived property table of
// RFC 5892 (whether each remaining code point is PVALID), and the Bidi rule of RFC 5893.

struct CodePointRange {
  char32_t first;
  char32_t last;
};

// Unicode 17.0 properties for the rules above, as sorted, disjoint, inclusive ranges. Generated with
// the Python `regex` module (2026.5.9): for each property P, the maximal runs of code points c (no
// surrogates) for which regex.match(P, chr(c)) holds, P being in table order \p{M}, \p{ccc=9},
// \p{jt=T}, [\p{jt=L}\p{jt=D}], [\p{jt=R}\p{jt=D}], \p{sc=Greek}, \p{sc=Hebrew} and
// [\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Han}].

// clang-format off
// General_Category Mark (Mn, Mc, Me): 327 ranges.
constexpr CodePointRange kCombiningMarks[] = {
  {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x05BF, 0x05BF}, {0x05C1, 0x05C2},
  {0x05C4, 0x05C5}, {0x05C7, 0x05C7}, {0x0610, 0x061A}, {0x064B, 0x065F}, {0x0670, 0x0670},
  {0x06D6, 0x06DC}, {0x06DF, 0x06E4}, {0x06E7, 0x06E8}, {0x06EA, 0x06ED}, {0x0711, 0x0711},
  {0x0730, 0x074A}, {0x07A6, 0x07B0}, {0x07EB, 0x07F3}, {0x07FD, 0x07FD}, {0x0816, 0x0819},
  {0x081B, 0x0823}, {0x0825, 0x0827}, {0x0829, 0x082D}, {0x0859, 0x085B}, {0x0897, 0x089F},
  {0x08CA, 0x08E1}, {0x08E3, 0x0903}, {0x093A, 0x093C}, {0x093E, 0x094F}, {0x0951, 0x0957},
  {0x0962, 0x0963}, {0x0981, 0x0983}, {0x09BC, 0x09BC}, {0x09BE, 0x09C4}, {0x09C7, 0x09C8},
  {0x09CB, 0x09CD}, {0x09D7, 0x09D7}, {0x09E2, 0x09E3}, {0x09FE, 0x09FE}, {0x0A01, 0x0A03},
  {0x0A3C, 0x0A3C}, {0x0A3E, 0x0A42}, {0x0A47, 0x0A48}, {0x0A4B, 0x0A4D}, {0x0A51, 0x0A51},
  {0x0A70, 0x0A71}, {0x0A75, 0x0A75}, {0x0A81, 0x0A83}, {0x0ABC, 0x0ABC}, {0x0ABE, 0x0AC5},
  {0x0AC7, 0x0AC9}, {0x0ACB, 0x0ACD}, {0x0AE2, 0x0AE3}, {0x0AFA, 0x0AFF}, {0x0B01, 0x0B03},
  {0x0B3C, 0x0B3C}, {0x0B3E, 0x0B44}, {0x0B47, 0x0B48}, {0x0B4B, 0x0B4D}, {0x0B55, 0x0B57},
  {0x0B62, 0x0B63}, {0x0B82, 0x0B82}, {0x0BBE, 0x0BC2}, {0x0BC6, 0x0BC8}, {0x0BCA, 0x0BCD},
  {0x0BD7, 0x0BD7}, {0x0C00, 0x0C04}, {0x0C3C, 0x0C3C}, {0x0C3E, 0x0C44}, {0x0C46, 0x0C48},
  {0x0C4A, 0x0C4D}, {0x0C55, 0x0C56}, {0x0C62, 0x0C63}, {0x0C81, 0x0C83}, {0x0CBC, 0x0CBC},
  {0x0CBE, 0x0CC4}, {0x0CC6, 0x0CC8}, {0x0CCA, 0x0CCD}, {0x0CD5, 0x0CD6}, {0x0CE2, 0x0CE3},
  {0x0CF3, 0x0CF3}, {0x0D00, 0x0D03}, {0x0D3B, 0x0D3C}, {0x0D3E, 0x0D44}, {0x0D46, 0x0D48},
  {0x0D4A, 0x0D4D}, {0x0D57, 0x0D57}, {0x0D62, 0x0D63}, {0x0D81, 0x0D83}, {0x0DCA, 0x0DCA},
  {0x0DCF, 0x0DD4}, {0x0DD6, 0x0DD6}, {0x0DD8, 0x0DDF}, {0x0DF2, 0x0DF3}, {0x0E31, 0x0E31},
  {0x0E34, 0x0E3A}, {0x0E47, 0x0E4E}, {0x0EB1, 0x0EB1}, {0x0EB4, 0x0EBC}, {0x0EC8, 0x0ECE},
  {0x0F18, 0x0F19}, {0x0F35, 0x0F35}, {0x0F37, 0x0F37}, {0x0F39, 0x0F39}, {0x0F3E, 0x0F3F},
  {0x0F71, 0x0F84}, {0x0F86, 0x0F87}, {0x0F8D, 0x0F97}, {0x0F99, 0x0FBC}, {0x0FC6, 0x0FC6},
  {0x102B, 0x103E}, {0x1056, 0x1059}, {0x105E, 0x1060}, {0x1062, 0x1064}, {0x1067, 0x106D},
  {0x1071, 0x1074}, {0x1082, 0x108D}, {0x108F, 0x108F}, {0x109A, 0x109D}, {0x135D, 0x135F},
  {0x1712, 0x1715}, {0x1732, 0x1734}, {0x1752, 0x1753}, {0x1772, 0x1773}, {0x17B4, 0x17D3},
  {0x17DD, 0x17DD}, {0x180B, 0x180D}, {0x180F, 0x180F}, {0x1885, 0x1886}, {0x18A9, 0x18A9},
  {0x1920, 0x192B}, {0x1930, 0x193B}, {0x1A17, 0x1A1B}, {0x1A55, 0x1A5E}, {0x1A60, 0x1A7C},
  {0x1A7F, 0x1A7F}, {0x1AB0, 0x1ADD}, {0x1AE0, 0x1AEB}, {0x1B00, 0x1B04}, {0x1B34, 0x1B44},
  {0x1B6B, 0x1B73}, {0x1B80, 0x1B82}, {0x1BA1, 0x1BAD}, {0x1BE6, 0x1BF3}, {0x1C24, 0x1C37},
  {0x1CD0, 0x1CD2}, {0x1CD4, 0x1CE8}, {0x1CED, 0x1CED}, {0x1CF4, 0x1CF4}, {0x1CF7, 0x1CF9},
  {0x1DC0, 0x1DFF}, {0x20D0, 0x20F0}, {0x2CEF, 0x2CF1}, {0x2D7F, 0x2D7F}, {0x2DE0, 0x2DFF},
  {0x302A, 0x302F}, {0x3099, 0x309A}, {0xA66F, 0xA672}, {0xA674, 0xA67D}, {0xA69E, 0xA69F},
  {0xA6F0, 0xA6F1}, {0xA802, 0xA802}, {0xA806, 0xA806}, {0xA80B, 0xA80B}, {0xA823, 0xA827},
  {0xA82C, 0xA82C}, {0xA880, 0xA881}, {0xA8B4, 0xA8C5}, {0xA8E0, 0xA8F1}, {0xA8FF, 0xA8FF},
  {0xA926, 0xA92D}, {0xA947, 0xA953}, {0xA980, 0xA983}, {0xA9B3, 0xA9C0}, {0xA9E5, 0xA9E5},
  {0xAA29, 0xAA36}, {0xAA43, 0xAA43}, {0xAA4C, 0xAA4D}, {0xAA7B, 0xAA7D}, {0xAAB0, 0xAAB0},
  {0xAAB2, 0xAAB4}, {0xAAB7, 0xAAB8}, {0xAABE, 0xAABF}, {0xAAC1, 0xAAC1}, {0xAAEB, 0xAAEF},
  {0xAAF5, 0xAAF6}, {0xABE3, 0xABEA}, {0xABEC, 0xABED}, {0xFB1E, 0xFB1E}, {0xFE00, 0xFE0F},
  {0xFE20, 0xFE2F}, {0x101FD, 0x101FD}, {0x102E0, 0x102E0}, {0x10376, 0x1037A}, {0x10A01, 0x10A03},
  {0x10A05, 0x10A06}, {0x10A0C, 0x10A0F}, {0x10A38, 0x10A3A}, {0x10A3F, 0x10A3F}, {0x10AE5, 0x10AE6},
  {0x10D24, 0x10D27}, {0x10D69, 0x10D6D}, {0x10EAB, 0x10EAC}, {0x10EFA, 0x10EFF}, {0x10F46, 0x10F50},
  {0x10F82, 0x10F85}, {0x11000, 0x11002}, {0x11038, 0x11046}, {0x11070, 0x11070}, {0x11073, 0x11074},
  {0x1107F, 0x11082}, {0x110B0, 0x110BA}, {0x110C2, 0x110C2}, {0x11100, 0x11102}, {0x11127, 0x11134},
  {0x11145, 0x11146}, {0x11173, 0x11173}, {0x11180, 0x11182}, {0x111B3, 0x111C0}, {0x111C9, 0x111CC},
  {0x111CE, 0x111CF}, {0x1122C, 0x11237}, {0x1123E, 0x1123E}, {0x11241, 0x11241}, {0x112DF, 0x112EA},
  {0x11300, 0x11303}, {0x1133B, 0x1133C}, {0x1133E, 0x11344}, {0x11347, 0x11348}, {0x1134B, 0x1134D},
  {0x11357, 0x11357}, {0x11362, 0x11363}, {0x11366, 0x1136C}, {0x11370, 0x11374}, {0x113B8, 0x113C0},
  {0x113C2, 0x113C2}, {0x113C5, 0x113C5}, {0x113C7, 0x113CA}, {0x113CC, 0x113D0}, {0x113D2, 0x113D2},
  {0x113E1, 0x113E2}, {0x11435, 0x11446}, {0x1145E, 0x1145E}, {0x114B0, 0x114C3}, {0x115AF, 0x115B5},
  {0x115B8, 0x115C0}, {0x115DC, 0x115DD}, {0x11630, 0x11640}, {0x116AB, 0x116B7}, {0x1171D, 0x1172B},
  {0x1182C, 0x1183A}, {0x11930, 0x11935}, {0x11937, 0x11938}, {0x1193B, 0x1193E}, {0x11940, 0x11940},
  {0x11942, 0x11943}, {0x119D1, 0x119D7}, {0x119DA, 0x119E0}, {0x119E4, 0x119E4}, {0x11A01, 0x11A0A},
  {0x11A33, 0x11A39}, {0x11A3B, 0x11A3E}, {0x11A47, 0x11A47}, {0x11A51, 0x11A5B}, {0x11A8A, 0x11A99},
  {0x11B60, 0x11B67}, {0x11C2F, 0x11C36}, {0x11C38, 0x11C3F}, {0x11C92, 0x11CA7}, {0x11CA9, 0x11CB6},
  {0x11D31, 0x11D36}, {0x11D3A, 0x11D3A}, {0x11D3C, 0x11D3D}, {0x11D3F, 0x11D45}, {0x11D47, 0x11D47},
  {0x11D8A, 0x11D8E}, {0x11D90, 0x11D91}, {0x11D93, 0x11D97}, {0x11EF3, 0x11EF6}, {0x11F00, 0x11F01},
  {0x11F03, 0x11F03}, {0x11F34, 0x11F3A}, {0x11F3E, 0x11F42}, {0x11F5A, 0x11F5A}, {0x13440, 0x13440},
  {0x13447, 0x13455}, {0x1611E, 0x1612F}, {0x16AF0, 0x16AF4}, {0x16B30, 0x16B36}, {0x16F4F, 0x16F4F},
  {0x16F51, 0x16F87}, {0x16F8F, 0x16F92}, {0x16FE4, 0x16FE4}, {0x16FF0, 0x16FF1}, {0x1BC9D, 0x1BC9E},
  {0x1CF00, 0x1CF2D}, {0x1CF30, 0x1CF46}, {0x1D165, 0x1D169}, {0x1D16D, 0x1D172}, {0x1D17B, 0x1D182},
  {0x1D185, 0x1D18B}, {0x1D1AA, 0x1D1AD}, {0x1D242, 0x1D244}, {0x1DA00, 0x1DA36}, {0x1DA3B, 0x1DA6C},
  {0x1DA75, 0x1DA75}, {0x1DA84, 0x1DA84}, {0x1DA9B, 0x1DA9F}, {0x1DAA1, 0x1DAAF}, {0x1E000, 0x1E006},
  {0x1E008, 0x1E018}, {0x1E01B, 0x1E021}, {0x1E023, 0x1E024}, {0x1E026, 0x1E02A}, {0x1E08F, 0x1E08F},
  {0x1E130, 0x1E136}, {0x1E2AE, 0x1E2AE}, {0x1E2EC, 0x1E2EF}, {0x1E4EC, 0x1E4EF}, {0x1E5EE, 0x1E5EF},
  {0x1E6E3, 0x1E6E3}, {0x1E6E6, 0x1E6E6}, {0x1E6EE, 0x1E6EF}, {0x1E6F5, 0x1E6F5}, {0x1E8D0, 0x1E8D6},
  {0x1E944, 0x1E94A}, {0xE0100, 0xE01EF},
};

// Canonical_Combining_Class Virama (9): 58 ranges.
constexpr CodePointRange kViramas[] = {
  {0x094D, 0x094D}, {0x09CD, 0x09CD}, {0x0A4D, 0x0A4D}, {0x0ACD, 0x0ACD}, {0x0B4D, 0x0B4D},
  {0x0BCD, 0x0BCD}, {0x0C4D, 0x0C4D}, {0x0CCD, 0x0CCD}, {0x0D3B, 0x0D3C}, {0x0D4D, 0x0D4D},
  {0x0DCA, 0x0DCA}, {0x0E3A, 0x0E3A}, {0x0EBA, 0x0EBA}, {0x0F84, 0x0F84}, {0x1039, 0x103A},
  {0x1714, 0x1715}, {0x1734, 0x1734}, {0x17D2, 0x17D2}, {0x1A60, 0x1A60}, {0x1B44, 0x1B44},
  {0x1BAA, 0x1BAB}, {0x1BF2, 0x1BF3}, {0x2D7F, 0x2D7F}, {0xA806, 0xA806}, {0xA82C, 0xA82C},
  {0xA8C4, 0xA8C4}, {0xA953, 0xA953}, {0xA9C0, 0xA9C0}, {0xAAF6, 0xAAF6}, {0xABED, 0xABED},
  {0x10A3F, 0x10A3F}, {0x11046, 0x11046}, {0x11070, 0x11070}, {0x1107F, 0x1107F}, {0x110B9, 0x110B9},
  {0x11133, 0x11134}, {0x111C0, 0x111C0}, {0x11235, 0x11235}, {0x112EA, 0x112EA}, {0x1134D, 0x1134D},
  {0x113CE, 0x113D0}, {0x11442, 0x11442}, {0x114C2, 0x114C2}, {0x115BF, 0x115BF}, {0x1163F, 0x1163F},
  {0x116B6, 0x116B6}, {0x1172B, 0x1172B}, {0x11839, 0x11839}, {0x1193D, 0x1193E}, {0x119E0, 0x119E0},
  {0x11A34, 0x11A34}, {0x11A47, 0x11A47}, {0x11A99, 0x11A99}, {0x11C3F, 0x11C3F}, {0x11D44, 0x11D45},
  {0x11D97, 0x11D97}, {0x11F41, 0x11F42}, {0x1612F, 0x1612F},
};

// Joining_Type T: 375 ranges.
constexpr CodePointRange kJoinTransparent[] = {
  {0x00AD, 0x00AD}, {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x05BF, 0x05BF},
  {0x05C1, 0x05C2}, {0x05C4, 0x05C5}, {0x05C7, 0x05C7}, {0x0610, 0x061A}, {0x061C, 0x061C},
  {0x064B, 0x065F}, {0x0670, 0x0670}, {0x06D6, 0x06DC}, {0x06DF, 0x06E4}, {0x06E7, 0x06E8},
  {0x06EA, 0x06ED}, {0x070F, 0x070F}, {0x0711, 0x0711}, {0x0730, 0x074A}, {0x07A6, 0x07B0},
  {0x07EB, 0x07F3}, {0x07FD, 0x07FD}, {0x0816, 0x0819}, {0x081B, 0x0823}, {0x0825, 0x0827},
  {0x0829, 0x082D}, {0x0859, 0x085B}, {0x0897, 0x089F}, {0x08CA, 0x08E1}, {0x08E3, 0x0902},
  {0x093A, 0x093A}, {0x093C, 0x093C}, {0x0941, 0x0948}, {0x094D, 0x094D}, {0x0951, 0x0957},
  {0x0962, 0x0963}, {0x0981, 0x0981}, {0x09BC, 0x09BC}, {0x09C1, 0x09C4}, {0x09CD, 0x09CD},
  {0x09E2, 0x09E3}, {0x09FE, 0x09FE}, {0x0A01, 0x0A02}, {0x0A3C, 0x0A3C}, {0x0A41, 0x0A42},
  {0x0A47, 0x0A48}, {0x0A4B, 0x0A4D}, {0x0A51, 0x0A51}, {0x0A70, 0x0A71}, {0x0A75, 0x0A75},
  {0x0A81, 0x0A82}, {0x0ABC, 0x0ABC}, {0x0AC1, 0x0AC5}, {0x0AC7, 0x0AC8}, {0x0ACD, 0x0ACD},
  {0x0AE2, 0x0AE3}, {0x0AFA, 0x0AFF}, {0x0B01, 0x0B01}, {0x0B3C, 0x0B3C}, {0x0B3F, 0x0B3F},
  {0x0B41, 0x0B44}, {0x0B4D, 0x0B4D}, {0x0B55, 0x0B56}, {0x0B62, 0x0B63}, {0x0B82, 0x0B82},
  {0x0BC0, 0x0BC0}, {0x0BCD, 0x0BCD}, {0x0C00, 0x0C00}, {0x0C04, 0x0C04}, {0x0C3C, 0x0C3C},
  {0x0C3E, 0x0C40}, {0x0C46, 0x0C48}, {0x0C4A, 0x0C4D}, {0x0C55, 0x0C56}, {0x0C62, 0x0C63},
  {0x0C81, 0x0C81}, {0x0CBC, 0x0CBC}, {0x0CBF, 0x0CBF}, {0x0CC6, 0x0CC6}, {0x0CCC, 0x0CCD},
  {0x0CE2, 0x0CE3}, {0x0D00, 0x0D01}, {0x0D3B, 0x0D3C}, {0x0D41, 0x0D44}, {0x0D4D, 0x0D4D},
  {0x0D62, 0x0D63}, {0x0D81, 0x0D81}, {0x0DCA, 0x0DCA}, {0x0DD2, 0x0DD4}, {0x0DD6, 0x0DD6},
  {0x0E31, 0x0E31}, {0x0E34, 0x0E3A}, {0x0E47, 0x0E4E}, {0x0EB1, 0x0EB1}, {0x0EB4, 0x0EBC},
  {0x0EC8, 0x0ECE}, {0x0F18, 0x0F19}, {0x0F35, 0x0F35}, {0x0F37, 0x0F37}, {0x0F39, 0x0F39},
  {0x0F71, 0x0F7E}, {0x0F80, 0x0F84}, {0x0F86, 0x0F87}, {0x0F8D, 0x0F97}, {0x0F99, 0x0FBC},
  {0x0FC6, 0x0FC6}, {0x102D, 0x1030}, {0x1032, 0x1037}, {0x1039, 0x103A}, {0x103D, 0x103E},
  {0x1058, 0x1059}, {0x105E, 0x1060}, {0x1071, 0x1074}, {0x1082, 0x1082}, {0x1085, 0x1086},
  {0x108D, 0x108D}, {0x109D, 0x109D}, {0x135D, 0x135F}, {0x1712, 0x1714}, {0x1732, 0x1733},
  {0x1752, 0x1753}, {0x1772, 0x1773}, {0x17B4, 0x17B5}, {0x17B7, 0x17BD}, {0x17C6, 0x17C6},
  {0x17C9, 0x17D3}, {0x17DD, 0x17DD}, {0x180B, 0x180D}, {0x180F, 0x180F}, {0x1885, 0x1886},
  {0x18A9, 0x18A9}, {0x1920, 0x1922}, {0x1927, 0x1928}, {0x1932, 0x1932}, {0x1939, 0x193B},
  {0x1A17, 0x1A18}, {0x1A1B, 0x1A1B}, {0x1A56, 0x1A56}, {0x1A58, 0x1A5E}, {0x1A60, 0x1A60},
  {0x1A62, 0x1A62}, {0x1A65, 0x1A6C}, {0x1A73, 0x1A7C}, {0x1A7F, 0x1A7F}, {0x1AB0, 0x1ADD},
  {0x1AE0, 0x1AEB}, {0x1B00, 0x1B03}, {0x1B34, 0x1B34}, {0x1B36, 0x1B3A}, {0x1B3C, 0x1B3C},
  {0x1B42, 0x1B42}, {0x1B6B, 0x1B73}, {0x1B80, 0x1B81}, {0x1BA2, 0x1BA5}, {0x1BA8, 0x1BA9},
  {0x1BAB, 0x1BAD}, {0x1BE6, 0x1BE6}, {0x1BE8, 0x1BE9}, {0x1BED, 0x1BED}, {0x1BEF, 0x1BF1},
  {0x1C2C, 0x1C33}, {0x1C36, 0x1C37}, {0x1CD0, 0x1CD2}, {0x1CD4, 0x1CE0}, {0x1CE2, 0x1CE8},
  {0x1CED, 0x1CED}, {0x1CF4, 0x1CF4}, {0x1CF8, 0x1CF9}, {0x1DC0, 0x1DFF}, {0x200B, 0x200B},
  {0x200E, 0x200F}, {0x202A, 0x202E}, {0x2060, 0x2064}, {0x206A, 0x206F}, {0x20D0, 0x20F0},
  {0x2CEF, 0x2CF1}, {0x2D7F, 0x2D7F}, {0x2DE0, 0x2DFF}, {0x302A, 0x302D}, {0x3099, 0x309A},
  {0xA66F, 0xA672}, {0xA674, 0xA67D}, {0xA69E, 0xA69F}, {0xA6F0, 0xA6F1}, {0xA802, 0xA802},
  {0xA806, 0xA806}, {0xA80B, 0xA80B}, {0xA825, 0xA826}, {0xA82C, 0xA82C}, {0xA8C4, 0xA8C5},
  {0xA8E0, 0xA8F1}, {0xA8FF, 0xA8FF}, {0xA926, 0xA92D}, {0xA947, 0xA951}, {0xA980, 0xA982},
  {0xA9B3, 0xA9B3}, {0xA9B6, 0xA9B9}, {0xA9BC, 0xA9BD}, {0xA9E5, 0xA9E5}, {0xAA29, 0xAA2E},
  {0xAA31, 0xAA32}, {0xAA35, 0xAA36}, {0xAA43, 0xAA43}, {0xAA4C, 0xAA4C}, {0xAA7C, 0xAA7C},
  {0xAAB0, 0xAAB0}, {0xAAB2, 0xAAB4}, {0xAAB7, 0xAAB8}, {0xAABE, 0xAABF}, {0xAAC1, 0xAAC1},
  {0xAAEC, 0xAAED}, {0xAAF6, 0xAAF6}, {0xABE5, 0xABE5}, {0xABE8, 0xABE8}, {0xABED, 0xABED},
  {0xFB1E, 0xFB1E}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF}, {0xFFF9, 0xFFFB},
  {0x101FD, 0x101FD}, {0x102E0, 0x102E0}, {0x10376, 0x1037A}, {0x10A01, 0x10A03}, {0x10A05, 0x10A06},
  {0x10A0C, 0x10A0F}, {0x10A38, 0x10A3A}, {0x10A3F, 0x10A3F}, {0x10AE5, 0x10AE6}, {0x10D24, 0x10D27},
  {0x10D69, 0x10D6D}, {0x10EAB, 0x10EAC}, {0x10EFA, 0x10EFF}, {0x10F46, 0x10F50}, {0x10F82, 0x10F85},
  {0x11001, 0x11001}, {0x11038, 0x11046}, {0x11070, 0x11070}, {0x11073, 0x11074}, {0x1107F, 0x11081},
  {0x110B3, 0x110B6}, {0x110B9, 0x110BA}, {0x110C2, 0x110C2}, {0x11100, 0x11102}, {0x11127, 0x1112B},
  {0x1112D, 0x11134}, {0x11173, 0x11173}, {0x11180, 0x11181}, {0x111B6, 0x111BE}, {0x111C9, 0x111CC},
  {0x111CF, 0x111CF}, {0x1122F, 0x11231}, {0x11234, 0x11234}, {0x11236, 0x11237}, {0x1123E, 0x1123E},
  {0x11241, 0x11241}, {0x112DF, 0x112DF}, {0x112E3, 0x112EA}, {0x11300, 0x11301}, {0x1133B, 0x1133C},
  {0x11340, 0x11340}, {0x11366, 0x1136C}, {0x11370, 0x11374}, {0x113BB, 0x113C0}, {0x113CE, 0x113CE},
  {0x113D0, 0x113D0}, {0x113D2, 0x113D2}, {0x113E1, 0x113E2}, {0x11438, 0x1143F}, {0x11442, 0x11444},
  {0x11446, 0x11446}, {0x1145E, 0x1145E}, {0x114B3, 0x114B8}, {0x114BA, 0x114BA}, {0x114BF, 0x114C0},
  {0x114C2, 0x114C3}, {0x115B2, 0x115B5}, {0x115BC, 0x115BD}, {0x115BF, 0x115C0}, {0x115DC, 0x115DD},
  {0x11633, 0x1163A}, {0x1163D, 0x1163D}, {0x1163F, 0x11640}, {0x116AB, 0x116AB}, {0x116AD, 0x116AD},
  {0x116B0, 0x116B5}, {0x116B7, 0x116B7}, {0x1171D, 0x1171D}, {0x1171F, 0x1171F}, {0x11722, 0x11725},
  {0x11727, 0x1172B}, {0x1182F, 0x11837}, {0x11839, 0x1183A}, {0x1193B, 0x1193C}, {0x1193E, 0x1193E},
  {0x11943, 0x11943}, {0x119D4, 0x119D7}, {0x119DA, 0x119DB}, {0x119E0, 0x119E0}, {0x11A01, 0x11A0A},
  {0x11A33, 0x11A38}, {0x11A3B, 0x11A3E}, {0x11A47, 0x11A47}, {0x11A51, 0x11A56}, {0x11A59, 0x11A5B},
  {0x11A8A, 0x11A96}, {0x11A98, 0x11A99}, {0x11B60, 0x11B60}, {0x11B62, 0x11B64}, {0x11B66, 0x11B66},
  {0x11C30, 0x11C36}, {0x11C38, 0x11C3D}, {0x11C3F, 0x11C3F}, {0x11C92, 0x11CA7}, {0x11CAA, 0x11CB0},
  {0x11CB2, 0x11CB3}, {0x11CB5, 0x11CB6}, {0x11D31, 0x11D36}, {0x11D3A, 0x11D3A}, {0x11D3C, 0x11D3D},
  {0x11D3F, 0x11D45}, {0x11D47, 0x11D47}, {0x11D90, 0x11D91}, {0x11D95, 0x11D95}, {0x11D97, 0x11D97},
  {0x11EF3, 0x11EF4}, {0x11F00, 0x11F01}, {0x11F36, 0x11F3A}, {0x11F40, 0x11F40}, {0x11F42, 0x11F42},
  {0x11F5A, 0x11F5A}, {0x13430, 0x13440}, {0x13447, 0x13455}, {0x1611E, 0x16129}, {0x1612D, 0x1612F},
  {0x16AF0, 0x16AF4}, {0x16B30, 0x16B36}, {0x16F4F, 0x16F4F}, {0x16F8F, 0x16F92}, {0x16FE4, 0x16FE4},
  {0x1BC9D, 0x1BC9E}, {0x1BCA0, 0x1BCA3}, {0x1CF00, 0x1CF2D}, {0x1CF30, 0x1CF46}, {0x1D167, 0x1D169},
  {0x1D173, 0x1D182}, {0x1D185, 0x1D18B}, {0x1D1AA, 0x1D1AD}, {0x1D242, 0x1D244}, {0x1DA00, 0x1DA36},
  {0x1DA3B, 0x1DA6C}, {0x1DA75, 0x1DA75}, {0x1DA84, 0x1DA84}, {0x1DA9B, 0x1DA9F}, {0x1DAA1, 0x1DAAF},
  {0x1E000, 0x1E006}, {0x1E008, 0x1E018}, {0x1E01B, 0x1E021}, {0x1E023, 0x1E024}, {0x1E026, 0x1E02A},
  {0x1E08F, 0x1E08F}, {0x1E130, 0x1E136}, {0x1E2AE, 0x1E2AE}, {0x1E2EC, 0x1E2EF}, {0x1E4EC, 0x1E4EF},
  {0x1E5EE, 0x1E5EF}, {0x1E6E3, 0x1E6E3}, {0x1E6E6, 0x1E6E6}, {0x1E6EE, 0x1E6EF}, {0x1E6F5, 0x1E6F5},
  {0x1E8D0, 0x1E8D6}, {0x1E944, 0x1E94B}, {0xE0001, 0xE0001}, {0xE0020, 0xE007F}, {0xE0100, 0xE01EF},
};

// Joining_Type L or D: 78 ranges.
constexpr CodePointRange kJoinLeftOrDual[] = {
  {0x0620, 0x0620}, {0x0626, 0x0626}, {0x0628, 0x0628}, {0x062A, 0x062E}, {0x0633, 0x063F},
  {0x0641, 0x0647}, {0x0649, 0x064A}, {0x066E, 0x066F}, {0x0678, 0x0687}, {0x069A, 0x06BF},
  {0x06C1, 0x06C2}, {0x06CC, 0x06CC}, {0x06CE, 0x06CE}, {0x06D0, 0x06D1}, {0x06FA, 0x06FC},
  {0x06FF, 0x06FF}, {0x0712, 0x0714}, {0x071A, 0x071D}, {0x071F, 0x0727}, {0x0729, 0x0729},
  {0x072B, 0x072B}, {0x072D, 0x072E}, {0x074E, 0x0758}, {0x075C, 0x076A}, {0x076D, 0x0770},
  {0x0772, 0x0772}, {0x0775, 0x0777}, {0x077A, 0x077F}, {0x07CA, 0x07EA}, {0x0841, 0x0845},
  {0x0848, 0x0848}, {0x084A, 0x0853}, {0x0855, 0x0855}, {0x0860, 0x0860}, {0x0862, 0x0865},
  {0x0868, 0x0868}, {0x0886, 0x0886}, {0x0889, 0x088D}, {0x088F, 0x088F}, {0x08A0, 0x08A9},
  {0x08AF, 0x08B0}, {0x08B3, 0x08B8}, {0x08BA, 0x08C8}, {0x1807, 0x1807}, {0x1820, 0x1878},
  {0x1887, 0x18A8}, {0x18AA, 0x18AA}, {0xA840, 0xA872}, {0x10AC0, 0x10AC4}, {0x10ACD, 0x10ACD},
  {0x10AD3, 0x10ADC}, {0x10ADE, 0x10AE0}, {0x10AEB, 0x10AEE}, {0x10B80, 0x10B80}, {0x10B82, 0x10B82},
  {0x10B86, 0x10B88}, {0x10B8A, 0x10B8B}, {0x10B8D, 0x10B8D}, {0x10B90, 0x10B90}, {0x10BAD, 0x10BAE},
  {0x10D00, 0x10D21}, {0x10D23, 0x10D23}, {0x10EC3, 0x10EC4}, {0x10EC6, 0x10EC7}, {0x10F30, 0x10F32},
  {0x10F34, 0x10F44}, {0x10F51, 0x10F53}, {0x10F70, 0x10F73}, {0x10F76, 0x10F81}, {0x10FB0, 0x10FB0},
  {0x10FB2, 0x10FB3}, {0x10FB8, 0x10FB8}, {0x10FBB, 0x10FBC}, {0x10FBE, 0x10FBF}, {0x10FC1, 0x10FC1},
  {0x10FC4, 0x10FC4}, {0x10FCA, 0x10FCB}, {0x1E900, 0x1E943},
};

// Joining_Type R or D: 49 ranges.
constexpr CodePointRange kJoinRightOrDual[] = {
  {0x0620, 0x0620}, {0x0622, 0x063F}, {0x0641, 0x064A}, {0x066E, 0x066F}, {0x0671, 0x0673},
  {0x0675, 0x06D3}, {0x06D5, 0x06D5}, {0x06EE, 0x06EF}, {0x06FA, 0x06FC}, {0x06FF, 0x06FF},
  {0x0710, 0x0710}, {0x0712, 0x072F}, {0x074D, 0x077F}, {0x07CA, 0x07EA}, {0x0840, 0x0858},
  {0x0860, 0x0860}, {0x0862, 0x0865}, {0x0867, 0x086A}, {0x0870, 0x0882}, {0x0886, 0x0886},
  {0x0889, 0x088F}, {0x08A0, 0x08AC}, {0x08AE, 0x08C8}, {0x1807, 0x1807}, {0x1820, 0x1878},
  {0x1887, 0x18A8}, {0x18AA, 0x18AA}, {0xA840, 0xA871}, {0x10AC0, 0x10AC5}, {0x10AC7, 0x10AC7},
  {0x10AC9, 0x10ACA}, {0x10ACE, 0x10AD6}, {0x10AD8, 0x10AE1}, {0x10AE4, 0x10AE4}, {0x10AEB, 0x10AEF},
  {0x10B80, 0x10B91}, {0x10BA9, 0x10BAE}, {0x10D01, 0x10D23}, {0x10EC2, 0x10EC4}, {0x10EC6, 0x10EC7},
  {0x10F30, 0x10F44}, {0x10F51, 0x10F54}, {0x10F70, 0x10F81}, {0x10FB0, 0x10FB0}, {0x10FB2, 0x10FB6},
  {0x10FB8, 0x10FBF}, {0x10FC1, 0x10FC4}, {0x10FC9, 0x10FCA}, {0x1E900, 0x1E943},
};

// Script Greek: 36 ranges.
constexpr CodePointRange kGreekScript[] = {
  {0x0370, 0x0373}, {0x0375, 0x0377}, {0x037A, 0x037D}, {0x037F, 0x037F}, {0x0384, 0x0384},
  {0x0386, 0x0386}, {0x0388, 0x038A}, {0x038C, 0x038C}, {0x038E, 0x03A1}, {0x03A3, 0x03E1},
  {0x03F0, 0x03FF}, {0x1D26, 0x1D2A}, {0x1D5D, 0x1D61}, {0x1D66, 0x1D6A}, {0x1DBF, 0x1DBF},
  {0x1F00, 0x1F15}, {0x1F18, 0x1F1D}, {0x1F20, 0x1F45}, {0x1F48, 0x1F4D}, {0x1F50, 0x1F57},
  {0x1F59, 0x1F59}, {0x1F5B, 0x1F5B}, {0x1F5D, 0x1F5D}, {0x1F5F, 0x1F7D}, {0x1F80, 0x1FB4},
  {0x1FB6, 0x1FC4}, {0x1FC6, 0x1FD3}, {0x1FD6, 0x1FDB}, {0x1FDD, 0x1FEF}, {0x1FF2, 0x1FF4},
  {0x1FF6, 0x1FFE}, {0x2126, 0x2126}, {0xAB65, 0xAB65}, {0x10140, 0x1018E}, {0x101A0, 0x101A0},
  {0x1D200, 0x1D245},
};

// Script Hebrew: 9 ranges.
constexpr CodePointRange kHebrewScript[] = {
  {0x0591, 0x05C7}, {0x05D0, 0x05EA}, {0x05EF, 0x05F4}, {0xFB1D, 0xFB36}, {0xFB38, 0xFB3C},
  {0xFB3E, 0xFB3E}, {0xFB40, 0xFB41}, {0xFB43, 0xFB44}, {0xFB46, 0xFB4F},
};

// Script Hiragana, Katakana or Han: 39 ranges.
constexpr CodePointRange kHiraganaKatakanaHanScripts[] = {
  {0x2E80, 0x2E99}, {0x2E9B, 0x2EF3}, {0x2F00, 0x2FD5}, {0x3005, 0x3005}, {0x3007, 0x3007},
  {0x3021, 0x3029}, {0x3038, 0x303B}, {0x3041, 0x3096}, {0x309D, 0x309F}, {0x30A1, 0x30FA},
  {0x30FD, 0x30FF}, {0x31F0, 0x31FF}, {0x32D0, 0x32FE}, {0x3300, 0x3357}, {0x3400, 0x4DBF},
  {0x4E00, 0x9FFF}, {0xF900, 0xFA6D}, {0xFA70, 0xFAD9}, {0xFF66, 0xFF6F}, {0xFF71, 0xFF9D},
  {0x16FE2, 0x16FE3}, {0x16FF0, 0x16FF6}, {0x1AFF0, 0x1AFF3}, {0x1AFF5, 0x1AFFB}, {0x1AFFD, 0x1AFFE},
  {0x1B000, 0x1B122}, {0x1B132, 0x1B132}, {0x1B150, 0x1B152}, {0x1B155, 0x1B155}, {0x1B164, 0x1B167},
  {0x1F200, 0x1F200}, {0x20000, 0x2A6DF}, {0x2A700, 0x2B81D}, {0x2B820, 0x2CEAD}, {0x2CEB0, 0x2EBE0},
  {0x2EBF0, 0x2EE5D}, {0x2F800, 0x2FA1D}, {0x30000, 0x3134A}, {0x31350, 0x33479},
};
// clang-format on

bool InRanges(std::span<const CodePointRange> table, char32_t c) {
  auto after =
      std::upper_bound(table.begin(), table.end(), c,
                       [](char32_t value, const CodePointRange& range) { return value < range.first; });
  return after != table.begin() && c <= (after - 1)->last;
}

constexpr char32_t kMaxCodePoint = 0x10FFFF;
constexpr size_t kMaxLabelLength = 63;

// Punycode (RFC 3492 §5) parameters for IDNA.
constexpr uint32_t kBase = 36;
constexpr uint32_t kTMin = 1;
constexpr uint32_t kTMax = 26;
constexpr uint32_t kSkew = 38;
constexpr uint32_t kDamp = 700;
constexpr uint32_t kInitialBias = 72;
constexpr char32_t kInitialN = 0x80;

// RFC 3492 §6.1.
uint32_t AdaptBias(uint32_t delta, uint32_t num_points, bool first_time) {
  delta = first_time ? delta / kDamp : delta / 2;
  delta += delta / num_points;
  uint32_t k = 0;
  while (delta > ((kBase - kTMin) * kTMax) / 2) {
    delta /= kBase - kTMin;
    k += kBase;
  }
  return k + (kBase - kTMin + 1) * delta / (delta + kSkew);
}

// The value of a Punycode digit ("a"-"z" = 0-25, "0"-"9" = 26-35, either case), or kBase if `c` is none.
uint32_t PunycodeDigit(char c) {
  if (c >= 'a' && c <= 'z') return static_cast<uint32_t>(c - 'a');
  if (c >= 'A' && c <= 'Z') return static_cast<uint32_t>(c - 'A');
  if (c >= '0' && c <= '9') return static_cast<uint32_t>(c - '0') + 26;
  return kBase;
}

// RFC 3492 §6.2: decodes `encoded` (the A-label without "xn--", ASCII) into out[0, *length). Fails on
// a bad digit, a truncated number, overflow, or a code point beyond U+10FFFF or in the surrogates.
// Basic code points come out in lower case: A-labels compare case-insensitively (RFC 5890 §2.3.2.1).
bool DecodePunycode(std::string_view encoded, std::array<char32_t, kMaxLabelLength>* out, size_t* length) {
  // Any insertion index past this is not representable: i / (length + 1) is added to a code point.
  constexpr uint64_t kIndexLimit = uint64_t{kMaxCodePoint + 1} * (kMaxLabelLength + 1);
  size_t count = 0;
  size_t in = 0;
  const size_t delimiter = encoded.rfind('-');
  if (delimiter != std::string_view::npos) {
    if (delimiter > out->size()) return false;
    for (; count < delimiter; ++count) (*out)[count] = static_cast<char32_t>(ToLower(encoded[count]));
    in = delimiter + 1;
  }
  uint64_t n = kInitialN;
  uint64_t i = 0;
  uint32_t bias = kInitialBias;
  while (in < encoded.size()) {
    const uint64_t old_i = i;
    uint64_t w = 1;
    for (uint32_t k = kBase;; k += kBase) {
      if (in == encoded.size()) return false;  // the number is cut off
      const uint32_t digit = PunycodeDigit(encoded[in++]);
      if (digit >= kBase) return false;
      i += digit * w;  // digit < 36 and w <= kIndexLimit + 1: no overflow in 64 bits
      if (i > kIndexLimit) return false;
      const uint32_t t = k <= bias ? kTMin : k >= bias + kTMax ? kTMax : k - bias;
      if (digit < t) break;
      // Saturate: any further digit that counts is >= t >= 1, so i then passes kIndexLimit.
      w = std::min(w * (kBase - t), kIndexLimit + 1);
    }
    bias = AdaptBias(static_cast<uint32_t>(i - old_i), static_cast<uint32_t>(count + 1), old_i == 0);
    n += i / (count + 1);
    i %= count + 1;
    if (n > kMaxCodePoint || (n >= 0xD800 && n <= 0xDFFF)) return false;
    if (count == out->size()) return false;
    std::copy_backward(out->begin() + static_cast<ptrdiff_t>(i), out->begin() + static_cast<ptrdiff_t>(count),
                       out->begin() + static_cast<ptrdiff_t>(count + 1));
    (*out)[i] = static_cast<char32_t>(n);
    ++count;
    ++i;
  }
  *length = count;
  return true;
}

// Code points that are DISALLOWED whatever the tables say, and cheap to know: RFC 5892 §2.6's
// exceptions, C1 controls, private use (General_Category Co) and noncharacters.
bool IsDisallowed(char32_t c) {
  switch (c) {
    case 0x0640:  // ARABIC TATWEEL
    case 0x07FA:  // NKO LAJANYALAN
    case 0x302E:  // HANGUL SINGLE DOT TONE MARK
    case 0x302F:  // HANGUL DOUBLE DOT TONE MARK
    case 0x3031:  // VERTICAL KANA REPEAT MARK … VERTICAL KANA REPEAT MARK LOWER HALF
    case 0x3032:
    case 0x3033:
    case 0x3034:
    case 0x3035:
    case 0x303B:  // VERTICAL IDEOGRAPHIC ITERATION MARK
      return true;
    default:
      break;
  }
  if (c >= 0x80 && c <= 0x9F) return true;
  if ((c >= 0xE000 && c <= 0xF8FF) || c >= 0xF0000) return true;
  return (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE;
}

// RFC 5892 Appendix A: the CONTEXTJ and CONTEXTO rules, for the code point at label[at]. Code points
// without a rule pass.
bool PassesContextRule(std::span<const char32_t> label, size_t at) {
  const char32_t c = label[at];
  const bool has_before = at > 0;
  const bool has_after = at + 1 < label.size();
  switch (c) {
    case 0x200C: {  // A.1 ZERO WIDTH NON-JOINER
      if (has_before && InRanges(kViramas, label[at - 1])) return true;
      // (Joining_Type:{L,D})(Joining_Type:T)* ZWNJ (Joining_Type:T)*(Joining_Type:{R,D})
      size_t left = at;
      while (left > 0 && InRanges(kJoinTransparent, label[left - 1])) --left;
      size_t right = at + 1;
      while (right < label.size() && InRanges(kJoinTransparent, label[right])) ++right;
      return left > 0 && InRanges(kJoinLeftOrDual, label[left - 1]) && right < label.size() &&
             InRanges(kJoinRightOrDual, label[right]);
    }
    case 0x200D:  // A.2 ZERO WIDTH JOINER
      return has_before && InRanges(kViramas, label[at - 1]);
    case 0x00B7:  // A.3 MIDDLE DOT, only in Catalan "l·l"
      return has_before && has_after && label[at - 1] == 'l' && label[at + 1] == 'l';
    case 0x0375:  // A.4 GREEK LOWER NUMERAL SIGN (KERAIA)
      return has_after && InRanges(kGreekScript, label[at + 1]);
    case 0x05F3:  // A.5 HEBREW PUNCTUATION GERESH
    case 0x05F4:  // A.6 HEBREW PUNCTUATION GERSHAYIM
      return has_before && InRanges(kHebrewScript, label[at - 1]);
    case 0x30FB:  // A.7 KATAKANA MIDDLE DOT
      return std::any_of(label.begin(), label.end(),
                         [](char32_t x) { return InRanges(kHiraganaKatakanaHanScripts, x); });
    default:
      break;
  }
  if (c >= 0x0660 && c <= 0x0669) {  // A.8 ARABIC-INDIC DIGITS, not mixed with the extended ones
    return std::none_of(label.begin(), label.end(), [](char32_t x) { return x >= 0x06F0 && x <= 0x06F9; });
  }
  if (c >= 0x06F0 && c <= 0x06F9) {  // A.9 EXTENDED ARABIC-INDIC DIGITS, likewise
    return std::none_of(label.begin(), label.end(), [](char32_t x) { return x >= 0x0660 && x <= 0x0669; });
  }
  return true;
}

// RFC 5891 §5.4 on the decoded label, as far as the header of this section says.
bool IsULabel(std::span<const char32_t> label) {
  // An A-label of ASCII only ("xn--abc-") is not the encoding of any U-label (RFC 5890 §2.3.2.1).
  if (std::none_of(label.begin(), label.end(), [](char32_t c) { return c >= 0x80; })) return false;
  // §4.2.3.1: no leading or trailing hyphen, no "--" in the third and fourth positions.
  if (label.front() == '-' || label.back() == '-') return false;
  if (label.size() >= 4 && label[2] == '-' && label[3] == '-') return false;
  // §4.2.3.2: a combining mark cannot begin a label.
  if (InRanges(kCombiningMarks, label.front())) return false;
  for (size_t at = 0; at < label.size(); ++at) {
    if (IsDisallowed(label[at]) || !PassesContextRule(label, at)) return false;
  }
  return true;
}

// REQUIRES: `label` is an LDH label (IsLdhLabel).
bool IsALabel(std::string_view label) {
  std::array<char32_t, kMaxLabelLength> decoded;
  size_t length = 0;
  if (!DecodePunycode(label.substr(4), &decoded, &length)) return false;
  return IsULabel(std::span<const char32_t>(decoded.data(), length));
}

bool IsLdhLabel(std::string_view label) {
  if (label.empty() || label.size() > kMaxLabelLength) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  return std::all_of(label.begin(), label.end(), [](char c) { return IsAlpha(c) || IsDigit(c) || c == '-'; });
}

bool IsHostname(std::string_view text) {
  if (text.empty() || text.size() > 253) return false;
  while (true) {
    const size_t dot = text.find('.');
    const std::string_view label = text.substr(0, dot);
    if (!IsLdhLabel(label)) return false;  // also an empty label: leading, trailing or double dot
    if (StartsWithIgnoringAsciiCase(label, "xn--") && !IsALabel(label)) return false;
    if (dot == std::string_view::npos) return true;
    text.remove_prefix(dot + 1);
  }
}

// ---------------------------------------------------------------------------------------------------
// email: RFC 5321 §4.1.2 Mailbox = Local-part "@" ( Domain / address-literal ), ASCII only (RFC 6531's
// UTF-8 addresses are the idn-email format, not asserted). Not the RFC 5322 header syntax: no comments,
// no display names, no folding white space.

// atext (RFC 5322 §3.2.3): letters, digits and !#$%&'*+-/=?^_`{|}~.
constexpr bool IsAtext(char c) {
  constexpr std::string_view kSymbols = "!#$%&'*+-/=?^_`{|}~";
  return IsAlpha(c) || IsDigit(c) || kSymbols.find(c) != std::string_view::npos;
}

// Local-part = Dot-string / Quoted-string at the start of `text`; its length in *length.
bool ReadLocalPart(std::string_view text, size_t* length) {
  size_t i = 0;
  if (!text.empty() && text[0] == '"') {
    // Quoted-string = DQUOTE *( qtextSMTP / quoted-pairSMTP ) DQUOTE: printable ASCII and space, with
    // '"' and '\' only as quoted pairs ("\" followed by any printable character or space).
    for (i = 1; i < text.size() && text[i] != '"'; ++i) {
      const char c = text[i];
      if (c == '\\') {
        ++i;
        if (i == text.size() || text[i] < 32 || text[i] > 126) return false;
      } else if (c < 32 || c > 126) {
        return false;
      }
    }
    if (i == text.size()) return false;  // no closing quote
    *length = i + 1;
    return true;
  }
  // Dot-string = Atom *("." Atom): no leading, trailing or doubled dot.
  while (true) {
    const size_t atom = i;
    while (i < text.size() && IsAtext(text[i])) ++i;
    if (i == atom) return false;
    if (i == text.size() || text[i] != '.') break;
    ++i;
  }
  *length = i;
  return true;
}

bool IsEmail(std::string_view text) {
  // The forward-path holds at most 256 octets (RFC 5321 §4.5.3.1.3), "<" and ">" included.
  if (text.size() > 254) return false;
  size_t local_length;
  if (!ReadLocalPart(text, &local_length) || local_length > 64) return false;  // §4.5.3.1.1
  if (local_length == text.size() || text[local_length] != '@') return false;
  const std::string_view domain = text.substr(local_length + 1);
  if (!domain.empty() && domain.front() == '[') {
    // address-literal: the IPv4 and IPv6 forms. General-address-literal needs a Standardized-tag
    // registered with IANA, and none but "IPv6" is. The dotted quad follows the ipv4 format (RFC 5321's
    // Snum would allow leading zeros, whose meaning differs between readers).
    if (domain.size() < 2 || domain.back() != ']') return false;
    const std::string_view literal = domain.substr(1, domain.size() - 2);
    if (StartsWithIgnoringAsciiCase(literal, "IPv6:")) return IsIpv6(literal.substr(5));
    return IsIpv4(literal);
  }
  // Domain = sub-domain *("." sub-domain), sub-domain = Let-dig [Ldh-str]: host name labels.
  return IsHostname(domain);
}

// ---------------------------------------------------------------------------------------------------
// uri and uri-reference: RFC 3986's URI (§3, a scheme is required) and URI-reference (§4.1: a URI or a
// relative-ref). ASCII only: an IRI (RFC 3987) is another format.

constexpr bool IsUnreserved(char c) {
  return IsAlpha(c) || IsDigit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

constexpr bool IsSubDelim(char c) {
  constexpr std::string_view kSubDelims = "!$&'()*+,;=";
  return kSubDelims.find(c) != std::string_view::npos;
}

constexpr bool IsRegNameChar(char c) {
  return IsUnreserved(c) || IsSubDelim(c);
}
constexpr bool IsUserinfoChar(char c) {
  return IsRegNameChar(c) || c == ':';
}
constexpr bool IsPchar(char c) {
  return IsRegNameChar(c) || c == ':' || c == '@';
}
constexpr bool IsPathChar(char c) {
  return IsPchar(c) || c == '/';
}
constexpr bool IsQueryOrFragmentChar(char c) {
  return IsPchar(c) || c == '/' || c == '?';
}

// Whether every character of `text` is allowed by `allowed` or is part of a pct-encoded "%" HEXDIG
// HEXDIG.
template <typename Allowed>
bool IsPercentEncodedRun(std::string_view text, Allowed allowed) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%') {
      if (i + 2 >= text.size() || !IsHexDigit(text[i + 1]) || !IsHexDigit(text[i + 2])) return false;
      i += 2;
    } else if (!allowed(text[i])) {
      return false;
    }
  }
  return true;
}

// scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
bool IsScheme(std::string_view text) {
  if (text.empty() || !IsAlpha(text[0])) return false;
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return IsAlpha(c) || IsDigit(c) || c == '+' || c == '-' || c == '.'; });
}

// IP-literal = "[" ( IPv6address / IPvFuture ) "]", given without its brackets.
// IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
bool IsIpLiteral(std::string_view text) {
  if (!text.empty() && (text[0] == 'v' || text[0] == 'V')) {
    size_t i = 1;
    while (i < text.size() && IsHexDigit(text[i])) ++i;
    if (i == 1 || i == text.size() || text[i] != '.' || i + 1 == text.size()) return false;
    return std::all_of(text.begin() + static_cast<ptrdiff_t>(i) + 1, text.end(), IsUserinfoChar);
  }
  return IsIpv6(text);
}

// authority = [ userinfo "@" ] host [ ":" port ]
bool IsAuthority(std::string_view text) {
  const size_t at = text.find('@');
  if (at != std::string_view::npos) {
    if (!IsPercentEncodedRun(text.substr(0, at), IsUserinfoChar)) return false;
    text.remove_prefix(at + 1);
  }
  std::string_view port;
  if (!text.empty() && text[0] == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || !IsIpLiteral(text.substr(1, close - 1))) return false;
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty() && rest[0] != ':') return false;
    if (!rest.empty()) port = rest.substr(1);
  } else {
    // reg-name (which also covers IPv4address: "999.999.999.999" is a valid reg-name) has no ':'.
    const size_t colon = text.find(':');
    if (!IsPercentEncodedRun(text.substr(0, colon), IsRegNameChar)) return false;
    if (colon != std::string_view::npos) port = text.substr(colon + 1);
  }
  return std::all_of(port.begin(), port.end(), IsDigit);  // port = *DIGIT
}

// hier-part [ "?" query ] [ "#" fragment ] after "scheme:", or relative-part [ "?" query ] [ "#"
// fragment ] (a relative-ref) when `relative`. The path forms need no separate checks but one: a
// path-abempty follows the authority by construction, "//" always starts an authority, and only
// path-noscheme forbids something more (a ':' in the first segment, which would read as a scheme).
bool IsHierPartAndRest(std::string_view text, bool relative) {
  const size_t hash = text.find('#');
  if (hash != std::string_view::npos) {
    if (!IsPercentEncodedRun(text.substr(hash + 1), IsQueryOrFragmentChar)) return false;
    text = text.substr(0, hash);
  }
  const size_t question = text.find('?');
  if (question != std::string_view::npos) {
    if (!IsPercentEncodedRun(text.substr(question + 1), IsQueryOrFragmentChar)) return false;
    text = text.substr(0, question);
  }
  if (text.size() >= 2 && text[0] == '/' && text[1] == '/') {
    const size_t path = text.find('/', 2);
    if (!IsAuthority(text.substr(2, path == std::string_view::npos ? std::string_view::npos : path - 2))) {
      return false;
    }
    text = path == std::string_view::npos ? std::string_view() : text.substr(path);
  } else if (relative && text.substr(0, text.find('/')).find(':') != std::string_view::npos) {
    return false;
  }
  return IsPercentEncodedRun(text, IsPathChar);
}

bool IsUri(std::string_view text) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos || !IsScheme(text.substr(0, colon))) return false;
  return IsHierPartAndRest(text.substr(colon + 1), /*relative=*/false);
}

bool IsUriReference(std::string_view text) {
  // A URI when what precedes the first ':' (and any '/', '?', '#') is a scheme. Otherwise a
  // relative-ref, which then cannot have a ':' before its first '/' anyway.
  const size_t delimiter = text.find_first_of(":/?#");
  if (delimiter != std::string_view::npos && text[delimiter] == ':' && IsScheme(text.substr(0, delimiter))) {
    return IsHierPartAndRest(text.substr(delimiter + 1), /*relative=*/false);
  }
  return IsHierPartAndRest(text, /*relative=*/true);
}

// ---------------------------------------------------------------------------------------------------
// json-pointer (RFC 6901 §3): "" or a sequence of "/" reference-token, where '~' is only the start of
// the escapes "~0" and "~1". Any other character is allowed (the value is the JSON-unescaped string).

bool IsJsonPointer(std::string_view text) {
  if (text.empty()) return true;
  if (text[0] != '/') return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '~') {
      if (i + 1 == text.size() || (text[i + 1] != '0' && text[i + 1] != '1')) return false;
      ++i;
    }
  }
  return true;
}

// relative-json-pointer (draft-handrews-relative-json-pointer-01 §3): a non-negative-integer ("0" or
// a digit 1-9 and more digits; any size) followed by "#" or a json-pointer.
bool IsRelativeJsonPointer(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && IsDigit(text[digits])) ++digits;
  if (digits == 0 || (digits > 1 && text[0] == '0')) return false;
  const std::string_view rest = text.substr(digits);
  return rest == "#" || IsJsonPointer(rest);
}

struct NamedFormat {
  std::string_view name;
  Format format;
};

constexpr NamedFormat kNamedFormats[] = {
    {"date-time", Format::kDateTime},
    {"date", Format::kDate},
    {"time", Format::kTime},
    {"email", Format::kEmail},
    {"hostname", Format::kHostname},
    {"ipv4", Format::kIpv4},
    {"ipv6", Format::kIpv6},
    {"uri", Format::kUri},
    {"uri-reference", Format::kUriReference},
    {"json-pointer", Format::kJsonPointer},
    {"relative-json-pointer", Format::kRelativeJsonPointer},
    {"regex", Format::kRegex},
};

}  // namespace

Format FormatFromName(std::string_view name) {
  for (const NamedFormat& named : kNamedFormats) {
    if (named.name == name) return named.format;
  }
  return Format::kUnknown;
}

std::string_view FormatName(Format format) {
  for (const NamedFormat& named : kNamedFormats) {
    if (named.format == format) return named.name;
  }
  return "unknown";
}

bool CheckFormat(Format format, std::string_view value) {
  int64_t micros;
  switch (format) {
    case Format::kUnknown:
      return true;
    case Format::kDateTime:
      return ParseRfc3339DateTime(value, &micros);
    case Format::kDate:
      return IsRfc3339FullDate(value);
    case Format::kTime:
      return IsRfc3339FullTime(value);
    case Format::kEmail:
      return IsEmail(value);
    case Format::kHostname:
      return IsHostname(value);
    case Format::kIpv4:
      return IsIpv4(value);
    case Format::kIpv6:
      return IsIpv6(value);
    case Format::kUri:
      return IsUri(value);
    case Format::kUriReference:
      return IsUriReference(value);
    case Format::kJsonPointer:
      return IsJsonPointer(value);
    case Format::kRelativeJsonPointer:
      return IsRelativeJsonPointer(value);
    case Format::kRegex:
      return EcmaRegex::IsValid(value);
  }
  return true;
}

}  // namespace logdaemon::schema
