// URI references as JSON Schema uses them to identify schemas (`$id`) and to point at them (`$ref`):
// splitting (RFC 3986 §3) and resolving a reference against a base URI (RFC 3986 §5.2, with
// remove_dot_segments). No normalisation beyond that, and nothing is ever fetched.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace logdaemon::schema {

struct UriReference {
  std::string_view scheme;  // without ':'
  std::string_view authority;
  std::string_view path;
  std::string_view query;     // without '?'
  std::string_view fragment;  // without '#'
  bool has_scheme = false;
  bool has_authority = false;
  bool has_query = false;
  bool has_fragment = false;
};

// Splits `text` into its components (the regular expression of RFC 3986 Appendix B; every string
// splits). The views point into `text`.
UriReference SplitUriReference(std::string_view text);

// The target URI of `reference` resolved against `base` (RFC 3986 §5.2). An empty base leaves the
// reference as it is (but for its dot segments).
std::string ResolveUriReference(std::string_view base, std::string_view reference);

// `uri` without its fragment ("http://x/a.json#/b" → "http://x/a.json").
std::string_view WithoutFragment(std::string_view uri);

// The fragment of `uri` without '#', or "" when it has none.
std::string_view FragmentOf(std::string_view uri);

// Decodes %XX escapes (as found in `$ref` fragments); invalid escapes stay as they are.
std::string PercentDecode(std::string_view text);

}  // namespace logdaemon::schema
