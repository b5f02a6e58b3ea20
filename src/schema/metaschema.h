// The JSON Schema draft-07 meta-schema, embedded: `$ref`s to "http://json-schema.org/draft-07/schema#"
// resolve to it without a network. logdaemon's own rendering of the rules of draft-07's validation and
// core specifications (every keyword and the form of its argument), not a copy of the published file.
#pragma once

#include <string_view>

namespace logdaemon::schema {

std::string_view Draft07MetaSchema();

}  // namespace logdaemon::schema
