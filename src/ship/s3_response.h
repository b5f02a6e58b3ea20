// The few things the uploader reads from an S3 server's answers, parsed defensively: the body is
// bounded (kMaxAnswerBytes), a tag's text is taken from its first occurrence, entities are decoded, and
// nothing the server sends is trusted beyond that (an upload id or ETag is checked before it is used or
// stored; an error message is cut short and stripped of control characters before it is logged).
//
// Thread-safety: plain functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace logdaemon::ship {

inline constexpr size_t kMaxAnswerBytes = size_t{64} << 10;

// The text of the first <tag>…</tag> in `xml` (entities decoded), or nullopt.
std::optional<std::string> XmlTagText(std::string_view xml, std::string_view tag);
// An error answer as a log line shows it: "403 InvalidAccessKeyId: The AWS Access Key Id you provided
// does not exist in our records." (from <Code> and <Message>), or the status and the body's start when it
// is not S3's XML. At most ~300 bytes, printable.
std::string DescribeErrorAnswer(long http_status, std::string_view body);
// An ETag header's value without quotes or spaces ("\"abc\"" → "abc").
std::string UnquoteEtag(std::string_view value);
// Printable ASCII only (others become '?'), cut at `max` bytes with "…".
std::string Printable(std::string_view text, size_t max);

}  // namespace logdaemon::ship
