// Where a --where expression went wrong, said the way a user finds it: "column 14: <message>" (1-based,
// counted in characters, not bytes; "line 2, column 5" when the text has several lines), and the
// two-line caret picture:
//
//     level = AND x
//             ^
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "logdaemon/status.h"

namespace logdaemon::query::expr {

// "column N" or "line L, column N" for the byte `offset` of `text` (offset == text.size(): end of input).
std::string DescribeLocation(std::string_view text, size_t offset);

// InvalidArgument("<location>: <message>").
Status ErrorAt(std::string_view text, size_t offset, std::string_view message);

// The line of `text` holding `offset`, indented by two spaces, then a line with a caret under that
// character. Long lines are cut to a window around the caret (with "…"); tabs show as spaces and other
// control characters and bytes that are not UTF-8 as '?', so that the caret stays aligned and the
// terminal safe.
std::string RenderCaret(std::string_view text, size_t offset);

// `text` cut to `max_characters` characters ("…" after the cut), control characters and bytes that are
// not UTF-8 shown as '?': for quoting user input in a message.
std::string ShownText(std::string_view text, size_t max_characters = 40);

}  // namespace logdaemon::query::expr
