#include "schema/idna.h"

#include <idn2.h>

#include <algorithm>
#include <cstdint>
#include <memory>

namespace logdaemon::schema {

namespace {

constexpr size_t kMaxLabelBytes = 63;  // RFC 1035 §2.3.4, for the A-label; a U-label is longer in UTF-8

// libidn2 allocates its outputs; idn2_free releases them.
struct Idn2Free {
  void operator()(uint8_t* p) const { idn2_free(p); }
};
using Idn2String = std::unique_ptr<uint8_t, Idn2Free>;

// libidn2 reads NUL-terminated strings: a label with a NUL inside would be checked only up to it.
bool HasNul(std::string_view text) {
  return text.find('\0') != std::string_view::npos;
}

char LowerAscii(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

bool IsValidALabel(std::string_view label) {
  if (label.size() < 4 || label.size() > kMaxLabelBytes || HasNul(label)) return false;
  // A-labels compare without regard to case (RFC 5890 §2.3.2.1); libidn2's round-trip check compares
  // bytes with its own lower-case Punycode encoder, so it is handed the lower-case form.
  std::string lower(label);
  std::transform(lower.begin(), lower.end(), lower.begin(), LowerAscii);
  if (lower.compare(0, 4, "xn--") != 0) return false;
  uint8_t* checked = nullptr;
  const int rc = idn2_register_u8(nullptr, reinterpret_cast<const uint8_t*>(lower.c_str()), &checked, 0);
  Idn2String owned(checked);
  return rc == IDN2_OK;
}

std::optional<std::string> ALabelOf(std::string_view ulabel) {
  if (ulabel.empty() || HasNul(ulabel)) return std::nullopt;
  const std::string terminated(ulabel);
  uint8_t* alabel = nullptr;
  // No IDN2_NFC_INPUT: a U-label must be in NFC already (RFC 5891 §5.3), not normalized into one.
  const int rc = idn2_register_u8(reinterpret_cast<const uint8_t*>(terminated.c_str()), nullptr, &alabel, 0);
  Idn2String owned(alabel);
  if (rc != IDN2_OK || alabel == nullptr) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(alabel));
}

}  // namespace logdaemon::schema
