// libFuzzer target: arbitrary bytes as a log frame's JSON, validated by SchemaValidator::Validate (the
// whole path of a frame: parse, syntax-error description, validation, error explanation) against a fixed
// schema that uses every kind of keyword (patterns, enums, nested objects, patternProperties,
// uniqueItems, oneOf, formats, recursion through $ref). Must never crash, leak or hang; every refusal
// must be one of the documented replies, on one short line of valid UTF-8. See docs/fuzzing.md.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "logdaemon/schema.h"

namespace {

constexpr std::string_view kSchema = R"json({
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "required": ["timestamp", "level", "message"],
  "properties": {
    "timestamp": {"type": "string", "format": "date-time"},
    "level": {"enum": ["trace", "debug", "info", "warn", "error", "fatal"]},
    "message": {"type": "string", "minLength": 1, "maxLength": 4096},
    "service": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$"},
    "host": {"oneOf": [{"format": "ipv4"}, {"format": "ipv6"}, {"format": "hostname"}], "type": "string"},
    "email": {"type": "string", "format": "email"},
    "url": {"type": "string", "format": "uri"},
    "pointer": {"type": "string", "format": "json-pointer"},
    "regex": {"type": "string", "format": "regex"},
    "day": {"type": "string", "format": "date"},
    "duration_ms": {"type": "number", "minimum": 0, "exclusiveMaximum": 1e9, "multipleOf": 0.001},
    "count": {"type": "integer", "multipleOf": 3, "maximum": 9007199254740993},
    "ok": {"const": true},
    "tags": {"type": "array", "items": {"type": "string", "maxLength": 32}, "uniqueItems": true, "maxItems": 64},
    "pair": {"type": "array", "items": [{"type": "integer"}, {"type": "string"}], "additionalItems": false},
    "values": {"type": "array", "uniqueItems": true, "contains": {"type": "object"}},
    "tree": {"$ref": "#/definitions/node"},
    "metadata": {
      "type": "object",
      "properties": {"pid": {"type": "integer", "minimum": 1}, "user": {"$ref": "#/definitions/user"}},
      "patternProperties": {"^x-": {"type": ["string", "number"]}, "^(a+)+$": {"type": "null"}},
      "additionalProperties": {"$ref": "#/definitions/scalar"},
      "propertyNames": {"maxLength": 64, "pattern": "^[^\\s]+$"},
      "dependencies": {"pid": ["host"], "user": {"required": ["pid"]}},
      "maxProperties": 32
    }
  },
  "if": {"properties": {"level": {"const": "error"}}},
  "then": {"required": ["service"]},
  "else": {"not": {"required": ["stack"]}},
  "definitions": {
    "scalar": {"anyOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}, {"type": "null"}]},
    "user": {"type": "object", "required": ["id"], "properties": {"id": {"type": ["integer", "string"]}},
             "additionalProperties": false},
    "node": {"type": "object", "properties": {"name": {"type": "string"},
             "children": {"type": "array", "items": {"$ref": "#/definitions/node"}}}}
  }
})json";

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// A reply goes back on the wire as "ERROR: <message>\n": one line, valid UTF-8, short whatever the input.
bool IsOneShortLine(std::string_view message) {
  if (message.size() > 512 || !simdjson::validate_utf8(message.data(), message.size())) return false;
  for (char c : message) {
    if (static_cast<unsigned char>(c) < 0x20) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const logdaemon::SchemaValidator* validator = [] {
    auto built = logdaemon::SchemaValidator::FromString(kSchema);
    if (!built.ok()) std::abort();
    return new logdaemon::SchemaValidator(std::move(*built));
  }();
  logdaemon::Status status = validator->Validate(std::string_view(reinterpret_cast<const char*>(data), size));
  if (status.ok()) return 0;
  const std::string& message = status.message();
  if (!StartsWith(message, "invalid JSON: ") && !StartsWith(message, "not an object: ") &&
      !StartsWith(message, "schema: ")) {
    std::abort();
  }
  if (!IsOneShortLine(message)) std::abort();
  return 0;
}
