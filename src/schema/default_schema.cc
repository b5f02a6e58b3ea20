#include "schema/default_schema.h"

namespace logdaemon::schema {

std::string_view DefaultSchemaText() {
  // timestamp, level and message are required; service, trace_id and metadata optional; anything else
  // is allowed and kept in the `_extra` column.
  static constexpr std::string_view kText = R"json({
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "logdaemon default log schema",
  "type": "object",
  "required": ["timestamp", "level", "message"],
  "properties": {
    "timestamp": {"type": "string", "format": "date-time"},
    "level": {"type": "string", "enum": ["trace", "debug", "info", "warn", "error", "fatal"]},
    "message": {"type": "string"},
    "service": {"type": "string"},
    "trace_id": {"type": "string"},
    "metadata": {"type": "object"}
  }
}
)json";
  return kText;
}

}  // namespace logdaemon::schema
