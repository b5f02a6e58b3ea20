// IDNA2008 (RFC 5890-5893) for the hostname formats (formats.h), through GNU libidn2 (Debian's
// libidn2-0): whether an "xn--" label is a real A-label, and the A-label of a U-label.
//
// libidn2's registration protocol (idn2_register_u8, RFC 5891 §4) does the checking: the Punycode decodes
// and re-encodes to the same label, the U-label is NFC, its code points are PVALID or pass their
// CONTEXTJ/CONTEXTO rules (RFC 5892, libidn2's Unicode tables), the hyphen and leading-combining-mark
// rules, and the Bidi rule (RFC 5893) within the label. Not checked by libidn2: the Bidi rule across the
// labels of a domain name (RFC 5893 §2: in a name with a right-to-left label, every label must satisfy
// it), and its rule 4 (European and Arabic-Indic digits mixed in one right-to-left label).
//
// Thread-safety: pure functions (libidn2 keeps no state between calls).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace logdaemon::schema {

// Whether `label` is an IDNA2008 A-label. False if `label` does not start with "xn--" (in any case).
// REQUIRES: `label` is an LDH label: 1-63 ASCII letters, digits and hyphens, neither first nor last a
// hyphen (the hostname check ensures this first).
bool IsValidALabel(std::string_view label);

// The A-label ("xn--…", lower case) of `ulabel`, a label with at least one non-ASCII code point, if it is
// a valid U-label (RFC 5890 §2.3.2.1); nullopt otherwise (also when it holds a NUL, or is not UTF-8).
std::optional<std::string> ALabelOf(std::string_view ulabel);

}  // namespace logdaemon::schema
