#include "schema/metaschema.h"

namespace logdaemon::schema {

std::string_view Draft07MetaSchema() {
  // Written from draft-07's keyword definitions (draft-handrews-json-schema-validation-01 §6-§10,
  // draft-handrews-json-schema-01 §8): what each keyword's value must be.
  static constexpr std::string_view kText = R"json({
  "$schema": "http://json-schema.org/draft-07/schema#",
  "$id": "http://json-schema.org/draft-07/schema#",
  "title": "JSON Schema draft-07 (logdaemon's rendering)",
  "definitions": {
    "count": {"type": "integer", "minimum": 0},
    "countDefaultZero": {"allOf": [{"$ref": "#/definitions/count"}, {"default": 0}]},
    "schemas": {"type": "array", "minItems": 1, "items": {"$ref": "#"}},
    "typeName": {"enum": ["null", "boolean", "object", "array", "number", "string", "integer"]},
    "names": {"type": "array", "items": {"type": "string"}, "uniqueItems": true, "default": []}
  },
  "type": ["object", "boolean"],
  "properties": {
    "$id": {"type": "string", "format": "uri-reference"},
    "$schema": {"type": "string", "format": "uri"},
    "$ref": {"type": "string", "format": "uri-reference"},
    "$comment": {"type": "string"},
    "title": {"type": "string"},
    "description": {"type": "string"},
    "default": true,
    "readOnly": {"type": "boolean", "default": false},
    "writeOnly": {"type": "boolean", "default": false},
    "examples": {"type": "array", "items": true},
    "multipleOf": {"type": "number", "exclusiveMinimum": 0},
    "maximum": {"type": "number"},
    "exclusiveMaximum": {"type": "number"},
    "minimum": {"type": "number"},
    "exclusiveMinimum": {"type": "number"},
    "maxLength": {"$ref": "#/definitions/count"},
    "minLength": {"$ref": "#/definitions/countDefaultZero"},
    "pattern": {"type": "string", "format": "regex"},
    "additionalItems": {"$ref": "#"},
    "items": {"anyOf": [{"$ref": "#"}, {"type": "array", "items": {"$ref": "#"}}], "default": true},
    "maxItems": {"$ref": "#/definitions/count"},
    "minItems": {"$ref": "#/definitions/countDefaultZero"},
    "uniqueItems": {"type": "boolean", "default": false},
    "contains": {"$ref": "#"},
    "maxProperties": {"$ref": "#/definitions/count"},
    "minProperties": {"$ref": "#/definitions/countDefaultZero"},
    "required": {"$ref": "#/definitions/names"},
    "additionalProperties": {"$ref": "#"},
    "definitions": {"type": "object", "additionalProperties": {"$ref": "#"}, "default": {}},
    "properties": {"type": "object", "additionalProperties": {"$ref": "#"}, "default": {}},
    "patternProperties": {
      "type": "object",
      "additionalProperties": {"$ref": "#"},
      "propertyNames": {"format": "regex"},
      "default": {}
    },
    "dependencies": {
      "type": "object",
      "additionalProperties": {"anyOf": [{"$ref": "#"}, {"$ref": "#/definitions/names"}]}
    },
    "propertyNames": {"$ref": "#"},
    "const": true,
    "enum": {"type": "array", "items": true},
    "type": {
      "anyOf": [
        {"$ref": "#/definitions/typeName"},
        {"type": "array", "items": {"$ref": "#/definitions/typeName"}, "minItems": 1, "uniqueItems": true}
      ]
    },
    "format": {"type": "string"},
    "contentMediaType": {"type": "string"},
    "contentEncoding": {"type": "string"},
    "if": {"$ref": "#"},
    "then": {"$ref": "#"},
    "else": {"$ref": "#"},
    "allOf": {"$ref": "#/definitions/schemas"},
    "anyOf": {"$ref": "#/definitions/schemas"},
    "oneOf": {"$ref": "#/definitions/schemas"},
    "not": {"$ref": "#"}
  },
  "default": true
})json";
  return kText;
}

}  // namespace logdaemon::schema
