// IDNA2008 A-label validation for the `hostname` format (formats.h): whether an "xn--" label of a host
// name is a real A-label (RFC 5890 §2.3.2.1), i.e. the Punycode encoding of a valid U-label.
//
// Checked: the Punycode (RFC 3492 §6.2) decodes without error, overflow, surrogates or code points past
// U+10FFFF, to at most 63 code points of which at least one is non-ASCII; then the rules of RFC 5891
// §5.4 that are decidable without the full IDNA tables: the hyphen rules (§4.2.3.1), no leading
// combining mark (§4.2.3.2), the exceptions of RFC 5892 §2.6 plus other code points that are always
// DISALLOWED (C1 controls, private use, noncharacters), and the CONTEXTJ/CONTEXTO rules of RFC 5892
// Appendix A.
//
// NOT checked: the full derived property table of RFC 5892 (whether every other code point is PVALID),
// and the Bidi rule of RFC 5893. Some labels that IDNA2008 refuses therefore pass.
//
// The Unicode property tables behind these rules (combining marks, viramas, joining types, the Greek,
// Hebrew and Hiragana/Katakana/Han scripts; Unicode 17.0) were generated with the Python `regex` module
// as ranges of code points; idna.cc says how.
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>

namespace logdaemon::schema {

// Whether `label` is an IDNA2008 A-label, as far as the header says. False if `label` does not start
// with "xn--" (in any case).
// REQUIRES: `label` is an LDH label: 1-63 ASCII letters, digits and hyphens, neither first nor last a
// hyphen (the hostname check ensures this first).
bool IsValidALabel(std::string_view label);

}  // namespace logdaemon::schema
