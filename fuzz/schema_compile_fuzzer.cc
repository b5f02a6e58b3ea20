// libFuzzer target: arbitrary bytes as a JSON Schema. Compiling it, deciding its table layout and, when
// it compiles, validating a few fixed documents (and the schema text itself, as an instance) must never
// crash, leak, hang or recurse without bound; compile errors are fine. With LOGDAEMON_FIXTURES_DIR set,
// http://localhost:1234/ maps to the JSON Schema test suite's remotes/, so remote references load files.
// See docs/fuzzing.md.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "schema/schema_compiler.h"
#include "schema/table_layout.h"
#include "schema/validator.h"

namespace {

using logdaemon::schema::CompileOptions;
using logdaemon::schema::SchemaCompiler;
using logdaemon::schema::Validator;

// Instances of every JSON type, nested a little, with the names and values log schemas look at.
constexpr std::string_view kDocuments[] = {
    R"({})",
    R"([])",
    R"(null)",
    R"(true)",
    R"(0)",
    R"(-1.5)",
    R"(18446744073709551615)",
    R"(1e300)",
    R"("")",
    R"("a")",
    R"("2026-01-15T19:00:00Z")",
    R"("é😀\u0000")",
    R"([1,1.0,"1",[1],{"1":1}])",
    R"([[1,2],[1,2],{"a":null}])",
    R"({"timestamp":"2026-01-15T19:00:00Z","level":"info","message":"hello","service":"api",
        "trace_id":"abc","metadata":{"pid":42,"host":"example.com","tags":["a","b"]}})",
    R"({"a":{"b":{"c":[true,false,null,{"d":-0.0}]}},"a/b~c":1,"":"empty","x-custom":"v"})",
};

struct Fixture {
  Fixture() {
    if (const char* dir = std::getenv("LOGDAEMON_FIXTURES_DIR"); dir != nullptr && *dir != '\0') {
      options.uri_prefixes.emplace_back("http://localhost:1234/",
                                        std::string(dir) + "/json-schema-test-suite/remotes/");
    }
    // Smaller than the defaults: a fuzzer input is small, and the limits themselves get exercised.
    options.max_document_bytes = size_t{1} << 20;
    options.max_documents = 16;
    for (std::string_view text : kDocuments) {
      auto& parser = parsers.emplace_back(std::make_unique<simdjson::dom::parser>());
      simdjson::dom::element element;
      if (parser->parse(text.data(), text.size()).get(element) != simdjson::SUCCESS) std::abort();
      documents.push_back(element);
    }
  }

  CompileOptions options;
  std::vector<std::unique_ptr<simdjson::dom::parser>> parsers;  // own the documents' DOMs
  std::vector<simdjson::dom::element> documents;
};

// Validating without asking why and asking why must agree, and a failure must say something.
void CheckDocument(Validator& validator, simdjson::dom::element document) {
  std::string error;
  bool valid = validator.Validate(document, &error);
  if (validator.Validate(document) != valid) std::abort();
  if (!valid && error.empty()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture* fixture = new Fixture();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto compiled = SchemaCompiler::Compile(text, fixture->options);
  if (!compiled.ok()) return 0;
  (void)logdaemon::schema::BuildTableLayout(**compiled, "timestamp", false);
  Validator validator(*compiled);
  for (simdjson::dom::element document : fixture->documents) CheckDocument(validator, document);
  // The schema is JSON too: validate it against itself.
  simdjson::dom::parser parser;
  simdjson::dom::element self;
  if (parser.parse(text.data(), text.size()).get(self) == simdjson::SUCCESS) CheckDocument(validator, self);
  return 0;
}
