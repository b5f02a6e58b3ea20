// The comma-separated lists a query takes: `--level warn,error`, `--service`, `--fields` on the command
// line, and `level=`, `service=`, `fields=`, `facets=` in the HTTP query API. One parser, so that both
// front ends read a list the same way.
//
// Thread-safety: a pure function.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace logdaemon::query {

// The items of `text` split at commas, each without its leading and trailing spaces; empty items are
// dropped ("a, b,,c," gives a, b, c).
std::vector<std::string> SplitNameList(std::string_view text);

}  // namespace logdaemon::query
