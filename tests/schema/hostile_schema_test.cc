// Hostile schemas (the issue's "Proof", part 2): a schema is configuration, but it comes from users and
// from files on disk, so the compiler must refuse every malformed one with a one-line error that says
// where, and must never hang, overflow its stack or take seconds on a large one. Covered: text that is
// not JSON, every keyword family given the wrong type, unresolvable and cyclic `$ref`s, invalid regexes,
// nesting far beyond the limit, megabyte-sized schemas, and references to other files
// (`--schema-path`, `SchemaValidator::FromFile`).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>
#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "logdaemon/schema.h"
#include "schema/schema_compiler.h"
#include "schema/validator.h"

namespace logdaemon::schema {
namespace hostile_schema_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// "OK", or the compile error's message.
std::string CompileError(std::string_view schema, const CompileOptions& options = {}) {
  auto compiled = SchemaCompiler::Compile(schema, options);
  return compiled.ok() ? "OK" : compiled.status().message();
}

// "valid" or the one-line error of validating `document` (which must parse) against a compiled schema.
std::string Check(const std::shared_ptr<const CompiledSchema>& schema, std::string_view document) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(document);
  simdjson::dom::element element;
  if (parser.parse(padded).get(element) != simdjson::SUCCESS) return "the test's document does not parse";
  Validator validator(schema);
  std::string error;
  return validator.Validate(element, &error) ? "valid" : error;
}

// Runs `check` in a child process (a death test), so that a stack overflow or a crash fails this one
// test instead of ending the whole binary. `check` returns "" when all is well, else what went wrong.
void ExpectInChildProcess(const std::function<std::string()>& check) {
  EXPECT_EXIT(
      {
        std::string problem = check();
        std::fputs(problem.c_str(), stderr);
        std::_Exit(problem.empty() ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

// `open` repeated `depth` times, then `middle`, then `close` repeated `depth` times.
std::string Nest(std::string_view open, std::string_view middle, std::string_view close, size_t depth) {
  std::string text;
  text.reserve((open.size() + close.size()) * depth + middle.size());
  for (size_t i = 0; i < depth; ++i) text += open;
  text += middle;
  for (size_t i = 0; i < depth; ++i) text += close;
  return text;
}

// The byte offset of the opening bracket that is `depth` levels deep (1-based), in text without strings
// that hold brackets.
size_t OffsetOfDepth(std::string_view text, size_t depth) {
  size_t level = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '{' || text[i] == '[') {
      if (++level == depth) return i;
    } else if (text[i] == '}' || text[i] == ']') {
      --level;
    }
  }
  return std::string::npos;
}

// ---- Not JSON ---------------------------------------------------------------------------------------

TEST(HostileSchemaText, GarbageIsNotJson) {
  EXPECT_EQ(CompileError("garbage"), "not valid JSON: unexpected character 'g' at byte 0 (line 1, column 1)");
}

TEST(HostileSchemaText, TruncatedDocumentIsNotJson) {
  EXPECT_EQ(CompileError("{\"type\":"),
            "not valid JSON: unexpected end of input at byte 8 (line 1, column 9)");
  EXPECT_EQ(CompileError("{\n  \"properties\": {\n    \"a\": {\"type\": \"string\"}"),
            "not valid JSON: unexpected end of input at byte 47 (line 3, column 28)");
}

TEST(HostileSchemaText, EmptyAndBlankTextIsNotJson) {
  EXPECT_EQ(CompileError(""), "not valid JSON: empty document at byte 0 (line 1, column 1)");
  EXPECT_EQ(CompileError(" \n\t "), "not valid JSON: empty document at byte 4 (line 2, column 3)");
}

TEST(HostileSchemaText, BinaryIsNotJson) {
  using namespace std::string_view_literals;
  EXPECT_EQ(CompileError("\x00\x01\x02\xff\xfe"sv),
            "not valid JSON: unexpected byte 0x00 at byte 0 (line 1, column 1)");
  EXPECT_EQ(CompileError("{\"type\":\"string\"}\x00"sv),
            "not valid JSON: trailing content after the JSON value at byte 17 (line 1, column 18)");
}

TEST(HostileSchemaText, InvalidUtf8IsNotJson) {
  EXPECT_EQ(CompileError("{\"type\":\"\xff\"}"),
            "not valid JSON: invalid UTF-8 at byte 9 (line 1, column 10)");
  // An overlong encoding of '/' and a UTF-16 surrogate encoded as UTF-8, in a property name.
  EXPECT_EQ(CompileError("{\"properties\":{\"\xc0\xaf\":{}}}"),
            "not valid JSON: invalid UTF-8 at byte 16 (line 1, column 17)");
  EXPECT_EQ(CompileError("{\"properties\":{\"\xed\xa0\x80\":{}}}"),
            "not valid JSON: invalid UTF-8 at byte 17 (line 1, column 18)");
}

TEST(HostileSchemaText, SchemaMustBeAnObjectOrBoolean) {
  EXPECT_EQ(CompileError("5"), "#: a schema must be an object or a boolean, got 5");
  EXPECT_EQ(CompileError("\"x\""), "#: a schema must be an object or a boolean, got \"x\"");
  EXPECT_EQ(CompileError("[]"), "#: a schema must be an object or a boolean, got []");
  EXPECT_EQ(CompileError("true"), "OK");
  EXPECT_EQ(CompileError("false"), "OK");
}

TEST(HostileSchemaText, EmptyFileIsNotJson) {
  std::string path = ::testing::TempDir() + "hostile_schema_empty.json";
  { std::ofstream(path, std::ios::binary | std::ios::trunc); }
  auto compiled = SchemaCompiler::CompileFile(path);
  ASSERT_FALSE(compiled.ok());
  EXPECT_EQ(compiled.status().message(),
            path + ": not valid JSON: empty document at byte 0 (line 1, column 1)");
  auto validator = SchemaValidator::FromFile(path);
  ASSERT_FALSE(validator.ok());
  EXPECT_EQ(validator.status().message(),
            path + ": not valid JSON: empty document at byte 0 (line 1, column 1)");
  std::filesystem::remove(path);
}

TEST(HostileSchemaText, MissingFileAndDirectoryAreIoErrors) {
  auto missing = SchemaValidator::FromFile("/nonexistent/logdaemon/schema.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kIOError);
  EXPECT_EQ(missing.status().message(), "/nonexistent/logdaemon/schema.json: No such file or directory");
  auto directory = SchemaValidator::FromFile(::testing::TempDir());
  ASSERT_FALSE(directory.ok());
  EXPECT_THAT(directory.status().message(), HasSubstr("Is a directory"));
}

// ---- Keywords given the wrong type: one per family, with the exact message -----------------------

TEST(HostileSchemaKeywords, Type) {
  const std::string expected =
      "must be a type name (null, boolean, integer, number, string, array, object) or an array of them, got ";
  EXPECT_EQ(CompileError(R"({"properties":{"x":{"type":5}}})"), "#/properties/x/type: " + expected + "5");
  EXPECT_EQ(CompileError(R"({"type":"strin"})"), "#/type: " + expected + "\"strin\"");
  EXPECT_EQ(CompileError(R"({"type":["string",5]})"), "#/type: " + expected + "5 in the array");
}

TEST(HostileSchemaKeywords, MinLength) {
  EXPECT_EQ(CompileError(R"({"properties":{"x":{"minLength":"x"}}})"),
            "#/properties/x/minLength: must be a non-negative integer, got \"x\"");
  EXPECT_EQ(CompileError(R"({"properties":{"x":{"minLength":-1}}})"),
            "#/properties/x/minLength: must be a non-negative integer, got -1");
  EXPECT_EQ(CompileError(R"({"minLength":1.5})"), "#/minLength: must be a non-negative integer, got 1.5");
  // 2.0 is an integer (draft-07 counts integral numbers as integers).
  EXPECT_EQ(CompileError(R"({"minLength":2.0})"), "OK");
}

TEST(HostileSchemaKeywords, OtherCounts) {
  for (const char* keyword : {"maxLength", "minItems", "maxItems", "minProperties", "maxProperties"}) {
    EXPECT_EQ(CompileError(std::string("{\"") + keyword + "\":null}"),
              std::string("#/") + keyword + ": must be a non-negative integer, got null");
  }
  // Absurdly large counts are fine: they just never fail.
  EXPECT_EQ(CompileError(R"({"minItems":1e30,"maxLength":18446744073709551615})"), "OK");
}

TEST(HostileSchemaKeywords, Required) {
  EXPECT_EQ(CompileError(R"({"required":"x"})"), "#/required: must be an array of strings, got \"x\"");
  EXPECT_EQ(CompileError(R"({"required":[1]})"), "#/required: must be an array of strings, got 1 in it");
}

TEST(HostileSchemaKeywords, Properties) {
  EXPECT_EQ(CompileError(R"({"properties":[]})"), "#/properties: must be an object of schemas, got []");
  EXPECT_EQ(CompileError(R"({"properties":{"a":3}})"),
            "#/properties/a: a schema must be an object or a boolean, got 3");
  EXPECT_EQ(CompileError(R"({"patternProperties":[]})"),
            "#/patternProperties: must be an object of schemas, got []");
  EXPECT_EQ(CompileError(R"({"additionalProperties":"x"})"),
            "#/additionalProperties: a schema must be an object or a boolean, got \"x\"");
  EXPECT_EQ(CompileError(R"({"propertyNames":5})"),
            "#/propertyNames: a schema must be an object or a boolean, got 5");
}

TEST(HostileSchemaKeywords, Enum) {
  EXPECT_EQ(CompileError(R"({"enum":{}})"), "#/enum: must be an array, got {}");
  EXPECT_EQ(CompileError(R"({"properties":{"level":{"enum":"info"}}})"),
            "#/properties/level/enum: must be an array, got \"info\"");
}

TEST(HostileSchemaKeywords, Items) {
  EXPECT_EQ(CompileError(R"({"items":3})"), "#/items: a schema must be an object or a boolean, got 3");
  EXPECT_EQ(CompileError(R"({"items":[{},"x"]})"),
            "#/items/1: a schema must be an object or a boolean, got \"x\"");
  EXPECT_EQ(CompileError(R"({"items":[],"additionalItems":5})"),
            "#/additionalItems: a schema must be an object or a boolean, got 5");
  EXPECT_EQ(CompileError(R"({"contains":5})"), "#/contains: a schema must be an object or a boolean, got 5");
  EXPECT_EQ(CompileError(R"({"uniqueItems":1})"), "#/uniqueItems: must be a boolean, got 1");
}

TEST(HostileSchemaKeywords, Pattern) {
  EXPECT_EQ(CompileError(R"({"pattern":7})"), "#/pattern: must be a string, got 7");
  EXPECT_EQ(CompileError(R"({"format":5})"), "#/format: must be a string, got 5");
}

TEST(HostileSchemaKeywords, MultipleOf) {
  EXPECT_EQ(CompileError(R"({"multipleOf":0})"), "#/multipleOf: must be a number greater than 0, got 0");
  EXPECT_EQ(CompileError(R"({"multipleOf":-2})"), "#/multipleOf: must be a number greater than 0, got -2");
  EXPECT_EQ(CompileError(R"({"multipleOf":"2"})"),
            "#/multipleOf: must be a number greater than 0, got \"2\"");
}

TEST(HostileSchemaKeywords, Bounds) {
  // draft-04's boolean form gets a hint.
  EXPECT_EQ(
      CompileError(R"({"maximum":10,"exclusiveMaximum":true})"),
      "#/exclusiveMaximum: must be a number, got true (the boolean form is draft-04's; draft-07 takes the "
      "bound itself)");
  EXPECT_EQ(CompileError(R"({"minimum":"0"})"), "#/minimum: must be a number, got \"0\"");
  EXPECT_EQ(CompileError(R"({"exclusiveMinimum":null})"), "#/exclusiveMinimum: must be a number, got null");
}

TEST(HostileSchemaKeywords, Applicators) {
  EXPECT_EQ(CompileError(R"({"allOf":[]})"), "#/allOf: must be a non-empty array of schemas, got []");
  EXPECT_EQ(CompileError(R"({"anyOf":{}})"), "#/anyOf: must be a non-empty array of schemas, got {}");
  EXPECT_EQ(CompileError(R"({"oneOf":[{}, 5]})"),
            "#/oneOf/1: a schema must be an object or a boolean, got 5");
  EXPECT_EQ(CompileError(R"({"not":5})"), "#/not: a schema must be an object or a boolean, got 5");
  EXPECT_EQ(CompileError(R"({"if":5})"), "#/if: a schema must be an object or a boolean, got 5");
}

TEST(HostileSchemaKeywords, Dependencies) {
  EXPECT_EQ(CompileError(R"({"dependencies":[]})"), "#/dependencies: must be an object, got []");
  EXPECT_EQ(CompileError(R"({"dependencies":{"a":["b",1]}})"),
            "#/dependencies/a: must be a schema or an array of strings, got 1 in the array");
  EXPECT_EQ(CompileError(R"({"dependencies":{"a":3}})"),
            "#/dependencies/a: a schema must be an object or a boolean, got 3");
}

TEST(HostileSchemaKeywords, Definitions) {
  EXPECT_EQ(CompileError(R"({"definitions":[]})"), "#/definitions: must be an object of schemas, got []");
  // Unused definitions are compiled too, so a mistake in one is reported now.
  EXPECT_EQ(CompileError(R"({"definitions":{"unused":{"minLength":-1}}})"),
            "#/definitions/unused/minLength: must be a non-negative integer, got -1");
}

TEST(HostileSchemaKeywords, IdentifiersAndDraft) {
  EXPECT_EQ(CompileError(R"({"$ref":5})"), "#/$ref: must be a string, got 5");
  EXPECT_EQ(CompileError(R"({"$id":5})"), "#/$id: must be a string, got 5");
  EXPECT_EQ(CompileError(R"({"$schema":5})"), "#/$schema: must be a string, got 5");
  EXPECT_EQ(
      CompileError(R"({"$schema":"http://json-schema.org/draft-04/schema#"})"),
      "#/$schema: \"http://json-schema.org/draft-04/schema#\" is not supported: logdaemon implements JSON "
      "Schema draft-07");
}

TEST(HostileSchemaKeywords, PointerTokensInLocationsAreEscaped) {
  EXPECT_EQ(CompileError(R"({"properties":{"a/b~c":{"minLength":"x"}}})"),
            "#/properties/a~1b~0c/minLength: must be a non-negative integer, got \"x\"");
}

// A Status message is one line (status.h): names and patterns from the schema are quoted into it, so
// their control characters must be escaped.
TEST(HostileSchemaKeywords, ControlCharactersInNamesAndPatternsStayOnOneLine) {
  std::string error = CompileError(R"({"properties":{"a\nb":{"minLength":"x"}}})");
  EXPECT_THAT(error, HasSubstr("minLength: must be a non-negative integer, got \"x\""));
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  error = CompileError(R"({"pattern":"(\n"})");
  EXPECT_THAT(error, StartsWith("#/pattern: invalid regex "));
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  error = CompileError(R"({"patternProperties":{"\t[":{}}})");
  EXPECT_THAT(error, HasSubstr("missing terminating ] for character class"));
  EXPECT_EQ(error.find('\t'), std::string::npos) << error;
}

TEST(HostileSchemaKeywords, LongValuesInMessagesAreCut) {
  std::string schema = "{\"enum\":\"" + std::string(100000, 'x') + "\"}";
  std::string error = CompileError(schema);
  EXPECT_THAT(error, StartsWith("#/enum: must be an array, got \"xxxx"));
  EXPECT_LT(error.size(), 200u);
}

// ---- Unresolvable references ------------------------------------------------------------------------

TEST(HostileSchemaRefs, LocalPointerLeadingNowhere) {
  EXPECT_EQ(CompileError(R"({"properties":{"a":{"$ref":"#/definitions/nope"}}})"),
            "#/properties/a/$ref: cannot resolve \"#/definitions/nope\": the JSON pointer leads nowhere");
  EXPECT_EQ(CompileError(R"({"items":[{}],"not":{"$ref":"#/items/7"}})"),
            "#/not/$ref: cannot resolve \"#/items/7\": the JSON pointer leads nowhere");
}

TEST(HostileSchemaRefs, UnknownAnchor) {
  EXPECT_EQ(CompileError(R"({"items":{"$ref":"#nope"}})"),
            "#/items/$ref: cannot resolve \"#nope\": no schema has the identifier #nope");
}

TEST(HostileSchemaRefs, RemoteUrlWithoutMappingIsNeverFetched) {
  EXPECT_EQ(CompileError(R"({"items":{"$ref":"http://example.com/s.json#/definitions/a"}})"),
            "#/items/$ref: cannot resolve \"http://example.com/s.json#/definitions/a\": no schema has this "
            "identifier and remote schemas are never fetched; map it to a local directory with --schema-path "
            "URI=DIR");
  EXPECT_EQ(CompileError(R"({"properties":{"user":{"$ref":"https://example.com/user.json"}}})"),
            "#/properties/user/$ref: cannot resolve \"https://example.com/user.json\": no schema has this "
            "identifier and remote schemas are never fetched; map it to a local directory with --schema-path "
            "URI=DIR");
}

TEST(HostileSchemaRefs, RelativeReferenceIsResolvedAgainstTheId) {
  std::string error =
      CompileError(R"({"$id":"http://example.com/root.json","items":{"$ref":"other.json#/a"}})");
  EXPECT_THAT(
      error,
      StartsWith("#/items/$ref: cannot resolve \"other.json#/a\" (\"http://example.com/other.json#/a\")"));
}

// ---- Invalid regexes ---------------------------------------------------------------------------------

TEST(HostileSchemaRegex, InvalidPattern) {
  EXPECT_EQ(CompileError(R"({"properties":{"s":{"pattern":"("}}})"),
            "#/properties/s/pattern: invalid regex \"(\": missing closing parenthesis at offset 1");
}

TEST(HostileSchemaRegex, InvalidPatternPropertiesKey) {
  EXPECT_EQ(
      CompileError(R"({"patternProperties":{"[":{}}})"),
      "#/patternProperties/[: invalid regex \"[\": missing terminating ] for character class at offset 1");
}

TEST(HostileSchemaRegex, ParenthesesNestedTooDeep) {
  std::string pattern = Nest("(", "a", ")", 5000);
  std::string error = CompileError("{\"pattern\":\"" + pattern + "\"}");
  EXPECT_THAT(error, StartsWith("#/pattern: invalid regex \"(((("));
  EXPECT_THAT(error, HasSubstr("parentheses are too deeply nested"));
}

// ---- References that loop without progress: compile errors naming the place, never a hang ---------

constexpr std::string_view kNeverEnds =
    ": this schema applies itself again to the same value (through $ref and allOf/anyOf/oneOf/not/if/"
    "dependencies), so validation would never end";

TEST(HostileSchemaLoops, RefToItself) {
  EXPECT_EQ(CompileError(R"({"$ref":"#"})"),
            "#/$ref: the reference leads back to itself without validating anything");
  EXPECT_EQ(CompileError(R"({"properties":{"a":{"$ref":"#/properties/a"}}})"),
            "#/properties/a/$ref: the reference leads back to itself without validating anything");
}

TEST(HostileSchemaLoops, RefsThroughDefinitions) {
  EXPECT_EQ(
      CompileError(R"({"definitions":{"a":{"$ref":"#/definitions/b"},"b":{"$ref":"#/definitions/a"}}})"),
      "#/definitions/a/$ref: the reference leads back to itself without validating anything");
  EXPECT_EQ(CompileError(R"({"$ref":"#/definitions/a","definitions":{"a":{"$ref":"#"}}})"),
            "#/$ref: the reference leads back to itself without validating anything");
}

TEST(HostileSchemaLoops, ThroughAllOf) {
  EXPECT_EQ(CompileError(R"({"allOf":[{"$ref":"#"}]})"), "#" + std::string(kNeverEnds));
  EXPECT_EQ(CompileError(R"({"properties":{"x":{"allOf":[{"type":"object"},{"$ref":"#/properties/x"}]}}})"),
            "#/properties/x" + std::string(kNeverEnds));
}

TEST(HostileSchemaLoops, ThroughAnyOfOneOfNotIf) {
  EXPECT_EQ(CompileError(R"({"anyOf":[{"type":"string"},{"$ref":"#"}]})"), "#" + std::string(kNeverEnds));
  EXPECT_EQ(CompileError(R"({"oneOf":[{"$ref":"#"}]})"), "#" + std::string(kNeverEnds));
  EXPECT_EQ(CompileError(R"({"not":{"$ref":"#"}})"), "#" + std::string(kNeverEnds));
  EXPECT_EQ(CompileError(R"({"if":{"$ref":"#"},"then":true})"), "#" + std::string(kNeverEnds));
  EXPECT_EQ(CompileError(R"({"if":true,"then":{"$ref":"#"}})"), "#" + std::string(kNeverEnds));
  EXPECT_EQ(CompileError(R"({"if":true,"then":true,"else":{"$ref":"#"}})"), "#" + std::string(kNeverEnds));
}

TEST(HostileSchemaLoops, ThroughDependencies) {
  EXPECT_EQ(CompileError(R"({"dependencies":{"a":{"$ref":"#"}}})"), "#" + std::string(kNeverEnds));
}

TEST(HostileSchemaLoops, ThroughDefinitionsTwoSteps) {
  EXPECT_EQ(CompileError(R"({"definitions":{"a":{"anyOf":[{"$ref":"#/definitions/b"}]},
                              "b":{"not":{"$ref":"#/definitions/a"}}}})"),
            "#/definitions/a" + std::string(kNeverEnds));
}

// ---- Legitimate recursion ------------------------------------------------------------------------

// A tree: each step descends into a smaller value, so recursion ends with the document.
constexpr std::string_view kTreeSchema = R"({
  "type": "object",
  "required": ["value"],
  "properties": {
    "value": {"type": "integer"},
    "children": {"type": "array", "items": {"$ref": "#"}}
  },
  "additionalProperties": false
})";

std::string DeepTree(size_t depth, std::string_view leaf) {
  return Nest(R"({"value":1,"children":[)", leaf, "]}", depth);
}

TEST(HostileSchemaRecursion, TreeSchemaValidatesDeepDocuments) {
  auto schema = SchemaCompiler::Compile(kTreeSchema);
  ASSERT_TRUE(schema.ok()) << schema.status().message();
  // 100 levels of the tree are 200 levels of JSON, under the document limit of 256.
  EXPECT_EQ(Check(*schema, DeepTree(100, R"({"value":2})")), "valid");
  std::string bad = Check(*schema, DeepTree(100, R"({"value":"x"})"));
  EXPECT_THAT(bad, StartsWith("…"));
  EXPECT_THAT(bad, HasSubstr("/children/0/value: type: \"x\" is string, not integer"));
  EXPECT_EQ(Check(*schema, DeepTree(3, R"({"value":2,"extra":1})")),
            "/children/0/children/0/children/0: additionalProperties: property \"extra\" is not allowed");
}

TEST(HostileSchemaRecursion, ThroughDefinitionsAndProperties) {
  auto schema = SchemaCompiler::Compile(R"({
    "definitions": {"node": {"type": "object", "properties": {"next": {"$ref": "#/definitions/node"}}}},
    "type": "object",
    "properties": {"list": {"$ref": "#/definitions/node"}}
  })");
  ASSERT_TRUE(schema.ok()) << schema.status().message();
  EXPECT_EQ(Check(*schema, "{\"list\":" + Nest(R"({"next":)", "{}", "}", 200) + "}"), "valid");
  EXPECT_EQ(Check(*schema, R"({"list":{"next":{"next":5}}})"),
            "/list/next/next: type: 5 is integer, not object");
}

// A root that is only a `$ref` to a recursive definition is the commonest way to write a recursive
// schema; the recursion goes through `items`, so it makes progress.
TEST(HostileSchemaRecursion, RootRefToRecursiveDefinition) {
  auto schema = SchemaCompiler::Compile(R"({
    "$ref": "#/definitions/tree",
    "definitions": {
      "tree": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#"}}}}
    }
  })");
  ASSERT_TRUE(schema.ok()) << schema.status().message();
  EXPECT_EQ(Check(*schema, R"({"children":[{"children":[]}]})"), "valid");
  EXPECT_EQ(Check(*schema, R"({"children":[{"children":5}]})"),
            "/children/0/children: type: 5 is integer, not array");
}

// The same through an alias in `definitions`: a → b, and b recurses through `items` into a.
TEST(HostileSchemaRecursion, RecursionThroughARefAlias) {
  auto schema = SchemaCompiler::Compile(R"({
    "type": "object",
    "properties": {"list": {"$ref": "#/definitions/a"}},
    "definitions": {
      "a": {"$ref": "#/definitions/b"},
      "b": {"type": "array", "items": {"$ref": "#/definitions/a"}}
    }
  })");
  ASSERT_TRUE(schema.ok()) << schema.status().message();
  EXPECT_EQ(Check(*schema, R"({"list":[[],[[]]]})"), "valid");
  EXPECT_EQ(Check(*schema, R"({"list":[[],[[5]]]})"), "/list/1/0/0: type: 5 is integer, not array");
}

// ---- Nesting far beyond the limit --------------------------------------------------------------

TEST(HostileSchemaNesting, TenThousandArraysDeep) {
  std::string schema = "{\"enum\":" + Nest("[", "", "]", 10000) + "}";
  EXPECT_EQ(CompileError(schema), "not valid JSON: nesting deeper than 512 at byte " +
                                      std::to_string(OffsetOfDepth(schema, 513)) + " (line 1, column " +
                                      std::to_string(OffsetOfDepth(schema, 513) + 1) + ")");
}

TEST(HostileSchemaNesting, TenThousandObjectsDeep) {
  std::string schema = Nest(R"({"properties":{"a":)", "{}", "}}", 10000);
  EXPECT_EQ(CompileError(schema), "not valid JSON: nesting deeper than 512 at byte " +
                                      std::to_string(OffsetOfDepth(schema, 513)) + " (line 1, column " +
                                      std::to_string(OffsetOfDepth(schema, 513) + 1) + ")");
}

TEST(HostileSchemaNesting, TenThousandApplicatorsDeep) {
  std::string schema = Nest(R"({"allOf":[)", "{}", "]}", 10000);
  EXPECT_THAT(CompileError(schema), StartsWith("not valid JSON: nesting deeper than 512 at byte "));
  CompileOptions options;
  options.max_depth = 64;
  EXPECT_THAT(CompileError(Nest(R"({"not":)", "{}", "}", 100), options),
              StartsWith("not valid JSON: nesting deeper than 64 at byte "));
}

// Just under the limit, a schema compiles and validates without running out of stack (the sanitizer
// build has the largest frames).
TEST(HostileSchemaNesting, JustUnderTheLimitCompilesAndValidates) {
  std::string nots = Nest(R"({"not":)", R"({"type":"string"})", "}", 510);  // even: "not" cancels out
  auto schema = SchemaCompiler::Compile(nots);
  ASSERT_TRUE(schema.ok()) << schema.status().message();
  EXPECT_EQ(Check(*schema, "\"x\""), "valid");
  EXPECT_THAT(Check(*schema, "1"), StartsWith("(root): "));

  std::string properties = Nest(R"({"properties":{"a":)", R"({"type":"integer"})", "}}", 255);
  schema = SchemaCompiler::Compile(properties);
  ASSERT_TRUE(schema.ok()) << schema.status().message();
  std::string document = Nest(R"({"a":)", "1", "}", 255);
  EXPECT_EQ(Check(*schema, document), "valid");
  std::string bad = Check(*schema, Nest(R"({"a":)", "\"x\"", "}", 255));
  EXPECT_THAT(bad, StartsWith("…"));
  EXPECT_THAT(bad, HasSubstr("/a/a: type: \"x\" is string, not integer"));
}

// ---- Megabyte-sized schemas ----------------------------------------------------------------------

TEST(HostileSchemaSize, TwentyThousandProperties) {
  std::string schema = R"({"type":"object","required":["p0","p19999"],"properties":{)";
  for (int i = 0; i < 20000; ++i) {
    if (i) schema += ',';
    schema += "\"p" + std::to_string(i) +
              "\":{\"type\":\"string\",\"maxLength\":" + std::to_string(i % 50 + 1) +
              ",\"pattern\":\"^[a-z]*$\"}";
  }
  schema += "},\"additionalProperties\":false}";
  ASSERT_GT(schema.size(), 1000000u);
  auto validator = SchemaValidator::FromString(schema);
  ASSERT_TRUE(validator.ok()) << validator.status().message();
  EXPECT_EQ(validator->layout().columns.size(), 20000u);
  EXPECT_EQ(validator->layout().extra_column, -1);
  EXPECT_TRUE(validator->Validate(R"({"p0":"a","p19999":"abc","p12345":"xyz"})").ok());
  EXPECT_EQ(validator->Validate(R"({"p0":"a"})").message(),
            "schema: (root): required: missing property \"p19999\"");
  EXPECT_EQ(validator->Validate(R"({"p0":"ab","p19999":"x"})").message(),
            "schema: /p0: maxLength: \"ab\" is longer than 1 character");
  EXPECT_EQ(validator->Validate(R"({"p0":"a","p19999":"x","p12345":"A"})").message(),
            "schema: /p12345: pattern: \"A\" does not match ^[a-z]*$");
  EXPECT_EQ(validator->Validate(R"({"p0":"a","p19999":"x","p20000":"y"})").message(),
            "schema: (root): additionalProperties: property \"p20000\" is not allowed");
}

TEST(HostileSchemaSize, EnumOfFiftyThousandStrings) {
  std::string schema = R"({"type":"object","properties":{"code":{"enum":[)";
  for (int i = 0; i < 50000; ++i) {
    if (i) schema += ',';
    schema += "\"code-" + std::to_string(i) + "\"";
  }
  schema += "]}}}";
  ASSERT_GT(schema.size(), 500000u);
  auto validator = SchemaValidator::FromString(schema);
  ASSERT_TRUE(validator.ok()) << validator.status().message();
  EXPECT_EQ(validator->layout().columns[0].type, ColumnType::kString);
  EXPECT_TRUE(validator->Validate(R"({"code":"code-0"})").ok());
  EXPECT_TRUE(validator->Validate(R"({"code":"code-49999"})").ok());
  // The message lists ten values and counts the rest.
  EXPECT_EQ(
      validator->Validate(R"({"code":"code-50000"})").message(),
      "schema: /code: enum: \"code-50000\" is not one of code-0, code-1, code-2, code-3, code-4, code-5, "
      "code-6, code-7, code-8, code-9 (and 49990 more)");
}

// `n` definitions, each a `$ref` to the next, the last an integer; `wrap` puts each reference inside
// another keyword ("%" stands for the reference).
std::string RefChain(int n, std::string_view wrap = "%") {
  std::string schema = R"({"type":"object","properties":{"x":{"$ref":"#/definitions/d0"}},"definitions":{)";
  for (int i = 0; i < n; ++i) {
    std::string ref = "{\"$ref\":\"#/definitions/d" + std::to_string(i + 1) + "\"}";
    std::string value(wrap);
    value.replace(value.find('%'), 1, ref);
    schema += "\"d" + std::to_string(i) + "\":" + value + ",";
  }
  schema += "\"d" + std::to_string(n) + "\":{\"type\":\"integer\"}}}";
  return schema;
}

// 5 000 definitions chained by `$ref` compile and validate. Here and below, the compile runs in a child
// process, so that a stack overflow fails this test alone.
TEST(HostileSchemaSize, FiveThousandDefinitionsChainedByRef) {
  ExpectInChildProcess([] {
    auto schema = SchemaCompiler::Compile(RefChain(5000));
    if (!schema.ok()) return "did not compile: " + schema.status().message();
    std::string valid = Check(*schema, R"({"x":5})");
    if (valid != "valid") return "{\"x\":5}: " + valid;
    std::string invalid = Check(*schema, R"({"x":"a"})");
    if (invalid != "/x: type: \"a\" is string, not integer") return "{\"x\":\"a\"}: " + invalid;
    return std::string();
  });
}

// Longer chains, of plain references and of references inside allOf or properties (half a megabyte,
// far under the 64 MiB document limit), must compile or be refused with a clean error, never crash.
TEST(HostileSchemaSize, LongReferenceChainsNeverCrash) {
  for (std::string_view wrap : {std::string_view("%"), std::string_view(R"({"allOf":[%]})"),
                                std::string_view(R"({"properties":{"a":%}})")}) {
    SCOPED_TRACE(wrap);
    ExpectInChildProcess([wrap] {
      auto schema = SchemaCompiler::Compile(RefChain(10000, wrap));
      if (!schema.ok()) {
        const std::string& message = schema.status().message();
        return message.rfind("#/definitions/", 0) == 0 ? std::string() : "unexpected error: " + message;
      }
      std::string result = Check(*schema, R"({"x":{"a":5}})");
      return result.find('\n') == std::string::npos ? std::string() : "multi-line error: " + result;
    });
  }
}

// ---- Hostile limits on referenced documents ----------------------------------------------------------

class SchemaFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "logdaemon_schema_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes `text` to `name` under the temporary directory (creating subdirectories); returns its path.
  std::string Write(const std::string& name, std::string_view text) {
    std::filesystem::path path = std::filesystem::path(dir_) / name;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
    return path.string();
  }

  std::string dir_;
};

TEST_F(SchemaFiles, FromFileResolvesASiblingFile) {
  std::string main = Write("main.json", R"({
    "type": "object",
    "required": ["timestamp", "level", "message"],
    "properties": {
      "timestamp": {"type": "string", "format": "date-time"},
      "level": {"$ref": "common.json#/definitions/level"},
      "message": {"type": "string"},
      "user": {"$ref": "common.json#/definitions/user"}
    }
  })");
  Write("common.json", R"({"definitions": {
    "level": {"type": "string", "enum": ["info", "error"]},
    "user": {"type": "object", "properties": {"id": {"$ref": "#/definitions/id"}}},
    "id": {"type": "integer", "minimum": 1}
  }})");
  auto validator = SchemaValidator::FromFile(main);
  ASSERT_TRUE(validator.ok()) << validator.status().message();
  EXPECT_EQ(validator->layout().columns[1].name, "level");
  EXPECT_EQ(validator->layout().columns[1].type, ColumnType::kString);
  EXPECT_TRUE(
      validator->Validate(R"({"timestamp":"2026-01-15T19:00:00Z","level":"info","message":"m"})").ok());
  EXPECT_EQ(
      validator->Validate(R"({"timestamp":"2026-01-15T19:00:00Z","level":"debug","message":"m"})").message(),
      "schema: /level: enum: \"debug\" is not one of info, error");
  EXPECT_EQ(
      validator
          ->Validate(R"({"timestamp":"2026-01-15T19:00:00Z","level":"info","message":"m","user":{"id":0}})")
          .message(),
      "schema: /user/id: minimum: 0 is less than 1");
}

TEST_F(SchemaFiles, MissingSiblingFileIsNamed) {
  std::string main =
      Write("main.json", R"({"properties": {"level": {"$ref": "missing.json#/definitions/level"}}})");
  auto validator = SchemaValidator::FromFile(main);
  ASSERT_FALSE(validator.ok());
  EXPECT_THAT(validator.status().message(),
              StartsWith(main +
                         ": #/properties/level/$ref: cannot resolve \"missing.json#/definitions/level\" "
                         "(\"file://" +
                         dir_ + "/missing.json#/definitions/level\")"));
}

TEST_F(SchemaFiles, ErrorsInsideASiblingFileAreNamed) {
  std::string main = Write("main.json", R"({"properties": {"level": {"$ref": "bad.json"}}})");
  Write("bad.json", "{\"enum\": ");
  auto validator = SchemaValidator::FromFile(main);
  ASSERT_FALSE(validator.ok());
  EXPECT_THAT(validator.status().message(), HasSubstr("bad.json"));
  EXPECT_THAT(validator.status().message(), HasSubstr("not valid JSON: unexpected end of input at byte 9"));
}

TEST_F(SchemaFiles, CyclesAcrossFilesAreRefused) {
  std::string a = Write("a.json", R"({"$ref": "b.json"})");
  Write("b.json", R"({"$ref": "a.json"})");
  auto validator = SchemaValidator::FromFile(a);
  ASSERT_FALSE(validator.ok());
  EXPECT_THAT(validator.status().message(),
              HasSubstr("the reference leads back to itself without validating"));
  // Recursion across files through `items` is fine.
  std::string c = Write("c.json", R"({"type": "object", "properties": {"list": {"$ref": "d.json"}}})");
  Write("d.json", R"({"type": "array", "items": {"$ref": "c.json"}})");
  auto recursive = SchemaValidator::FromFile(c);
  ASSERT_TRUE(recursive.ok()) << recursive.status().message();
  EXPECT_TRUE(recursive->Validate(R"({"list":[{"list":[]}]})").ok());
  EXPECT_EQ(recursive->Validate(R"({"list":[{"list":[7]}]})").message(),
            "schema: /list/0/list/0: type: 7 is integer, not object");
}

TEST_F(SchemaFiles, SchemaPathMapsAUriPrefixToADirectory) {
  Write("schemas/log/v2.json", R"({"definitions": {"level": {"enum": ["info", "error"]}}})");
  CompileOptions options;
  ASSERT_TRUE(AddSchemaPath("https://schemas.example.com/=" + dir_ + "/schemas", &options).ok());
  ASSERT_EQ(options.uri_prefixes.size(), 1u);
  EXPECT_EQ(options.uri_prefixes[0].first, "https://schemas.example.com/");
  EXPECT_EQ(options.uri_prefixes[0].second, dir_ + "/schemas/");
  auto schema = SchemaCompiler::Compile(
      R"({"properties": {"level": {"$ref": "https://schemas.example.com/log/v2.json#/definitions/level"}}})",
      options);
  ASSERT_TRUE(schema.ok()) << schema.status().message();
  EXPECT_EQ(Check(*schema, R"({"level":"info"})"), "valid");
  EXPECT_EQ(Check(*schema, R"({"level":"x"})"), "/level: enum: \"x\" is not one of info, error");

  // The same through the public options.
  SchemaOptions public_options;
  public_options.schema_paths.push_back("https://schemas.example.com/=" + dir_ + "/schemas");
  auto validator = SchemaValidator::FromString(
      R"({"properties": {"level": {"$ref": "https://schemas.example.com/log/v2.json#/definitions/level"}}})",
      public_options);
  ASSERT_TRUE(validator.ok()) << validator.status().message();
  EXPECT_EQ(validator->Validate(R"({"level":"x"})").message(),
            "schema: /level: enum: \"x\" is not one of info, error");
}

TEST_F(SchemaFiles, SchemaPathDirectoryRegistersSchemasByTheirId) {
  Write("lib/anything.json", R"({"$id": "https://example.com/level.json", "enum": ["info", "error"]})");
  Write("lib/not-a-schema.txt", "not JSON, and not read");
  CompileOptions options;
  ASSERT_TRUE(AddSchemaPath(dir_ + "/lib", &options).ok());
  ASSERT_EQ(options.schema_dirs.size(), 1u);
  auto schema = SchemaCompiler::Compile(
      R"({"properties": {"level": {"$ref": "https://example.com/level.json"}}})", options);
  ASSERT_TRUE(schema.ok()) << schema.status().message();
  EXPECT_EQ(Check(*schema, R"({"level":"x"})"), "/level: enum: \"x\" is not one of info, error");
}

TEST_F(SchemaFiles, MappedDirectoryCannotBeLeft) {
  Write("secret.json", R"({"enum": ["leaked"]})");
  Write("schemas/ok.json", R"({"enum": ["fine"]})");
  CompileOptions options;
  ASSERT_TRUE(AddSchemaPath("https://s.example.com/=" + dir_ + "/schemas", &options).ok());
  EXPECT_EQ(CompileError(R"({"$ref": "https://s.example.com/ok.json"})", options), "OK");
  for (const char* ref :
       {"https://s.example.com/../secret.json", "https://s.example.com/a/../../secret.json",
        "https://s.example.com/%2e%2e/secret.json", "https://s.example.com/..%2fsecret.json"}) {
    EXPECT_THAT(CompileError(std::string("{\"$ref\": \"") + ref + "\"}", options),
                StartsWith("#/$ref: cannot resolve"))
        << ref;
  }
}

// A $ref is untrusted text: under a mapped prefix it names a file, and a name the file system cannot
// even look up (ENAMETOOLONG, a NUL byte, a path through a regular file) is simply not found — the
// schema fuzzer found std::filesystem throwing here and terminating the process.
TEST_F(SchemaFiles, RefsNamingImpossibleFilesAreUnresolvedNotFatal) {
  Write("schemas/ok.json", R"({"enum": ["fine"]})");
  CompileOptions options;
  ASSERT_TRUE(AddSchemaPath("https://s.example.com/=" + dir_ + "/schemas", &options).ok());
  const std::string long_name(4000, 'a');
  for (const std::string& ref :
       {"https://s.example.com/" + std::string(300, 'x') + ".json", "https://s.example.com/" + long_name,
        "https://s.example.com/" + std::string(100, 'd') + "/" + long_name,
        std::string("https://s.example.com/ok.json/inside.json"),
        std::string("https://s.example.com/a\\u0000b.json")}) {
    EXPECT_THAT(CompileError("{\"$ref\": \"" + ref + "\"}", options), StartsWith("#/$ref: cannot resolve"))
        << ref.substr(0, 80);
  }
  EXPECT_EQ(CompileError(R"({"$ref": "https://s.example.com/ok.json"})", options), "OK");
}

TEST_F(SchemaFiles, MalformedSchemaPathArguments) {
  CompileOptions options;
  EXPECT_EQ(AddSchemaPath("", &options).message(), "--schema-path: empty");
  EXPECT_EQ(AddSchemaPath(dir_ + "/nope", &options).message(),
            "--schema-path " + dir_ + "/nope: not a directory");
  EXPECT_EQ(AddSchemaPath("https://x.example/=", &options).message(),
            "--schema-path https://x.example/=: no directory");
  EXPECT_EQ(AddSchemaPath("https://x.example/=" + dir_ + "/nope", &options).message(),
            "--schema-path https://x.example/=" + dir_ + "/nope: " + dir_ + "/nope is not a directory");
  SchemaOptions public_options;
  public_options.schema_paths.push_back(dir_ + "/nope");
  auto validator = SchemaValidator::FromString("{}", public_options);
  ASSERT_FALSE(validator.ok());
  EXPECT_EQ(validator.status().message(), "--schema-path " + dir_ + "/nope: not a directory");
}

TEST_F(SchemaFiles, DocumentCountAndSizeLimits) {
  Write("one.json", R"({"$ref": "two.json"})");
  Write("two.json", R"({"$ref": "three.json"})");
  Write("three.json", R"({"type": "integer"})");
  CompileOptions options;
  options.max_documents = 2;
  auto schema =
      SchemaCompiler::CompileFile(Write("main.json", R"({"items": {"$ref": "one.json"}})"), options);
  ASSERT_FALSE(schema.ok());
  EXPECT_THAT(schema.status().message(), HasSubstr("more than 2 referenced schema documents"));

  Write("big.json", "{\"enum\": [\"" + std::string(4096, 'x') + "\"]}");
  options = CompileOptions();
  options.max_document_bytes = 1024;
  schema = SchemaCompiler::CompileFile(Write("small.json", R"({"items": {"$ref": "big.json"}})"), options);
  ASSERT_FALSE(schema.ok());
  EXPECT_THAT(schema.status().message(), HasSubstr("big.json: larger than the limit of 1024 bytes"));
}

}  // namespace
}  // namespace hostile_schema_test
}  // namespace logdaemon::schema
