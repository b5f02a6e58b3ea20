// The built-in log schema (the original specification's "Log Format", DESIGN.md §4): used by `serve` and
// `validate-schema --data` when no --schema is given, and printed by `logdaemon validate-schema --default`.
#pragma once

#include <string_view>

namespace logdaemon::schema {

std::string_view DefaultSchemaText();

}  // namespace logdaemon::schema
