// SchemaCompiler: JSON Schema draft-07 text → CompiledSchema. Parses the document (simdjson), finds every
// schema's base URI (`$id`), resolves every `$ref` (JSON pointers, `$id` base URIs and location-
// independent "#name" identifiers, `definitions`, recursion), loads referenced documents from local
// directories only (never from a network), compiles `pattern` and `patternProperties` with PCRE2, checks
// every keyword's argument, and refuses schemas that would make validation loop forever.
//
// Errors say where: "#/properties/level/enum: must be an array, got \"x\"", "#/items/$ref: cannot resolve
// \"other.json#/a\" (resolved to \"file:///s/other.json#/a\")".
//
// Thread-safety: Compile is reentrant; the result is immutable and shareable.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "logdaemon/status.h"
#include "schema/compiled_schema.h"

namespace logdaemon::schema {

struct CompileOptions {
  // The root document's base URI when it has no `$id` of its own ("" for none). CompileFile sets
  // "file://<absolute path>".
  std::string base_uri;
  // Local copies of remote schemas: a reference whose URI starts with `first` is read from the file at
  // `second` + the rest of the URI ("http://localhost:1234/" → "remotes/": "http://localhost:1234/a/b.json"
  // is "remotes/a/b.json").
  std::vector<std::pair<std::string, std::string>> uri_prefixes;
  // Directories whose *.json files (recursively) are registered under their own `$id`.
  std::vector<std::string> schema_dirs;
  // Limits for hostile schemas.
  size_t max_depth = 512;                 // nesting of the schema document
  size_t max_document_bytes = 64u << 20;  // each document
  size_t max_documents = 1000;            // referenced documents loaded
};

// The (default) text of the `--schema-path` flag: "DIR" registers DIR's schemas by `$id`;
// "URI=DIR" maps a URI prefix to DIR. Returns an error naming the argument when it is malformed.
Status AddSchemaPath(std::string_view argument, CompileOptions* options);

class SchemaCompiler {
 public:
  static Result<std::shared_ptr<const CompiledSchema>> Compile(std::string_view text,
                                                               const CompileOptions& options = {});
  // Reads `path`; references relative to it resolve to files beside it ("common.json#/definitions/x").
  static Result<std::shared_ptr<const CompiledSchema>> CompileFile(const std::string& path,
                                                                   CompileOptions options = {});
  // The same for `text`, the contents of `path` read already (errors are prefixed with `path`).
  static Result<std::shared_ptr<const CompiledSchema>> CompileFileText(const std::string& path,
                                                                       std::string_view text,
                                                                       CompileOptions options = {});
};

// Reads a whole file (for schemas and the CLI's data files); errors name the path and the errno text.
Result<std::string> ReadFileToString(const std::string& path, size_t max_bytes);

}  // namespace logdaemon::schema
