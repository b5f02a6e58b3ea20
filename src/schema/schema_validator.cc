// SchemaValidator (include/logdaemon/schema.h): the public face of src/schema/.
#include <simdjson.h>

#include "logdaemon/schema.h"
#include "schema/default_schema.h"
#include "schema/json_syntax_error.h"
#include "schema/schema_compiler.h"
#include "schema/table_layout.h"
#include "schema/validator.h"

namespace logdaemon {

using schema::CompiledSchema;
using schema::CompileOptions;
using schema::SchemaCompiler;

namespace {

Result<CompileOptions> OptionsFrom(const SchemaOptions& options) {
  CompileOptions compile;
  for (const std::string& path : options.schema_paths) {
    if (Status st = schema::AddSchemaPath(path, &compile); !st.ok()) return st;
  }
  return compile;
}

// One parser and one validator per thread, rebuilt when the thread moves to another schema.
struct ThreadState {
  simdjson::dom::parser parser;
  // Capacity grows with the documents; the depth limit stays.
  bool ready = parser.allocate(64 * 1024, SchemaValidator::kMaxDocumentDepth) == simdjson::SUCCESS;
  std::shared_ptr<const CompiledSchema> schema;
  std::unique_ptr<schema::Validator> validator;
  std::string error;
  std::string buffer;  // the document, padded for simdjson; its capacity is kept between calls
};

}  // namespace

Result<SchemaValidator> SchemaValidator::Build(std::string text,
                                               Result<std::shared_ptr<const CompiledSchema>> compiled,
                                               const SchemaOptions& options) {
  if (!compiled.ok()) return compiled.status();
  auto layout = schema::BuildTableLayout(**compiled, options.time_field, options.time_field_explicit);
  if (!layout.ok()) return layout.status();
  SchemaValidator validator;
  validator.compiled_ = std::move(*compiled);
  validator.layout_ = std::make_shared<const TableLayout>(std::move(*layout));
  validator.text_ = std::make_shared<const std::string>(std::move(text));
  return validator;
}

Result<SchemaValidator> SchemaValidator::DefaultSchema(const SchemaOptions& options) {
  return FromString(schema::DefaultSchemaText(), options);
}

Result<SchemaValidator> SchemaValidator::FromString(std::string_view text, const SchemaOptions& options) {
  auto compile = OptionsFrom(options);
  if (!compile.ok()) return compile.status();
  return Build(std::string(text), SchemaCompiler::Compile(text, *compile), options);
}

Result<SchemaValidator> SchemaValidator::FromFile(const std::string& path, const SchemaOptions& options) {
  auto compile = OptionsFrom(options);
  if (!compile.ok()) return compile.status();
  auto text = schema::ReadFileToString(path, compile->max_document_bytes);
  if (!text.ok()) return text.status();
  auto compiled = SchemaCompiler::CompileFileText(path, *text, *compile);
  auto built = Build(std::move(*text), std::move(compiled), options);
  if (!built.ok() && built.status().message().rfind(path, 0) != 0) return built.status().WithContext(path);
  return built;
}

Status SchemaValidator::Validate(std::string_view json) const {
  thread_local ThreadState state;
  if (!state.ready) return Status::IOError("out of memory for the JSON parser");
  if (state.schema != compiled_) {
    state.schema = compiled_;
    state.validator = std::make_unique<schema::Validator>(compiled_);
  }
  // A reused padded copy: simdjson reads up to SIMDJSON_PADDING bytes past the end.
  state.buffer.assign(json);
  state.buffer.resize(json.size() + simdjson::SIMDJSON_PADDING);
  simdjson::dom::element document;
  if (auto error = state.parser.parse(state.buffer.data(), json.size(), false).get(document);
      error != simdjson::SUCCESS) {
    return Status::InvalidArgument(
        "invalid JSON: " +
        schema::DescribeJsonSyntaxError(json, kMaxDocumentDepth, simdjson::error_message(error)));
  }
  if (document.type() != simdjson::dom::element_type::OBJECT) {
    return Status::InvalidArgument("not an object: a log is one JSON object");
  }
  if (!state.validator->Validate(document, &state.error))
    return Status::InvalidArgument("schema: " + state.error);
  return Status::OK();
}

}  // namespace logdaemon
