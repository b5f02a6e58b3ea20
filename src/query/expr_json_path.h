// JsonPathReader: the value at a path (`http.status`, `tags.0`) inside one JSON text, read with
// simdjson's On-Demand parser, which skips everything off the path instead of building a tree.
//
// What a path yields: a string, a number (an integer that fits int64 as kInt64, any other number as
// kDouble) or a boolean as that Value; an object or an array as its JSON text (a kString: the stored text
// is minified, so this is its minified text, viewed in place); a JSON null, a missing member, an index
// past the end, a step into a scalar, or text that is not JSON as Null. Object members are matched by
// their unescaped name; with duplicate names, the first wins.
//
// The parser needs SIMDJSON_PADDING readable bytes after the text, which column data does not have: the
// text is copied into a reused padded buffer first. Strings are copied into a caller-owned buffer (the
// next Read reuses the parser's own), so that two values read from one row can be compared.
//
// Thread-safety: one reader per thread (it owns the parser and its buffers).
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "query/expr_ast.h"
#include "query/value.h"

namespace logdaemon::query::expr {

class JsonPathReader {
 public:
  JsonPathReader() = default;
  JsonPathReader(const JsonPathReader&) = delete;
  JsonPathReader& operator=(const JsonPathReader&) = delete;

  // The value at `steps` inside `json` (an empty path: the whole value). A string result is copied into
  // *storage and views it; an object or array result views `json`. Allocates only to grow its buffers.
  Value Read(std::string_view json, std::span<const PathStep> steps, std::string* storage);

 private:
  // Copies `json` into padded_ (growing it when needed).
  void LoadPadded(std::string_view json);

  simdjson::ondemand::parser parser_;
  std::unique_ptr<char[]> padded_;
  size_t padded_capacity_ = 0;
};

}  // namespace logdaemon::query::expr
