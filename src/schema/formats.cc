#include "schema/formats.h"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>

#include "schema/ascii.h"
#include "schema/idna.h"
#include "schema/regex.h"
#include "schema/rfc3339.h"

namespace logdaemon::schema {

namespace {

using ascii::EqualsIgnoringCase;
using ascii::IsAlpha;
using ascii::IsDigit;
using ascii::IsHexDigit;
using ascii::StartsWithIgnoringCase;
using ascii::ToLower;

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
// if it is one: see idna.h for what is checked.

constexpr size_t kMaxLabelLength = 63;  // RFC 1035 §2.3.4

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
    if (StartsWithIgnoringCase(label, "xn--") && !IsValidALabel(label)) return false;
    if (dot == std::string_view::npos) return true;
    text.remove_prefix(dot + 1);
  }
}

// ---------------------------------------------------------------------------------------------------
// idn-hostname: RFC 5890 internationalized host names. Labels are separated by "." or one of the dots
// RFC 3490 §3.1 also separates labels with (U+3002 ideographic full stop, U+FF0E fullwidth full stop,
// U+FF61 halfwidth ideographic full stop). An ASCII label follows the hostname rules above (an "xn--"
// label must be an A-label); any other label must be a U-label (idna.h: libidn2 decides). The name's
// A-label form, the one on the wire, is at most 253 characters.

constexpr std::string_view kLabelSeparators[] = {".", "\u3002", "\uff0e", "\uff61"};

// The length of the label separator at the start of `text`, or 0.
size_t SeparatorAt(std::string_view text) {
  for (std::string_view separator : kLabelSeparators) {
    if (text.starts_with(separator)) return separator.size();
  }
  return 0;
}

bool IsAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// The length of `label` in its A-label form, or 0 when it is not a valid label.
size_t WireLength(std::string_view label) {
  if (IsAscii(label)) {
    if (!IsLdhLabel(label)) return 0;
    if (StartsWithIgnoringCase(label, "xn--") && !IsValidALabel(label)) return 0;
    return label.size();
  }
  std::optional<std::string> alabel = ALabelOf(label);
  return alabel ? alabel->size() : 0;
}

bool IsIdnHostname(std::string_view text) {
  if (text.empty()) return false;
  size_t wire_length = 0;
  size_t start = 0;
  for (size_t i = 0; i <= text.size();) {
    const size_t separator = i < text.size() ? SeparatorAt(text.substr(i)) : 1;  // the end closes a label
    if (separator == 0) {
      ++i;
      continue;
    }
    const size_t label_length = WireLength(text.substr(start, i - start));
    if (label_length == 0) return false;  // also an empty label: leading, trailing or double dot
    wire_length += label_length + (start == 0 ? 0 : 1);
    if (wire_length > 253) return false;
    i += separator;
    start = i;
  }
  return true;
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
    if (StartsWithIgnoringCase(literal, "IPv6:")) return IsIpv6(literal.substr(5));
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
    {"idn-hostname", Format::kIdnHostname},
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
    case Format::kIdnHostname:
      return IsIdnHostname(value);
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
