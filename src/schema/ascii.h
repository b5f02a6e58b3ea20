// ASCII character classes and case folding for the text formats of JSON Schema (hostnames, URIs, email
// addresses, IDNA labels). Every format here is ASCII by its RFC (ABNF's ALPHA, DIGIT and HEXDIG); a byte
// >= 0x80 (any non-ASCII UTF-8) is never in a class, and case folding never touches it.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string_view>

namespace logdaemon::schema::ascii {

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

constexpr bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToLower(a[i]) != ToLower(b[i])) return false;
  }
  return true;
}

constexpr bool StartsWithIgnoringCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && EqualsIgnoringCase(text.substr(0, prefix.size()), prefix);
}

}  // namespace logdaemon::schema::ascii
