// Validator (src/schema/validator.h) and SchemaValidator (include/logdaemon/schema.h): one test per
// keyword pinning the exact one-line error "<instance pointer>: <keyword>: <why>", the table layout a
// schema maps to (DESIGN.md §4), and one SchemaValidator shared by several threads.
#include "schema/validator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "logdaemon/schema.h"
#include "schema/schema_compiler.h"

namespace logdaemon::schema {
namespace validator_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

// "valid", or the validator's error for `document` against `schema`. A schema that does not compile or
// a document that does not parse fails the test.
std::string Check(std::string_view schema, std::string_view document) {
  auto compiled = SchemaCompiler::Compile(schema);
  if (!compiled.ok()) {
    ADD_FAILURE() << schema << ": " << compiled.status().message();
    return "(schema did not compile)";
  }
  simdjson::dom::parser parser;
  simdjson::padded_string padded(document);
  simdjson::dom::element element;
  if (parser.parse(padded).get(element) != simdjson::SUCCESS) {
    ADD_FAILURE() << "document does not parse: " << document;
    return "(document did not parse)";
  }
  Validator validator(*compiled);
  std::string error;
  bool valid = validator.Validate(element, &error);
  // Validate without asking why must agree.
  EXPECT_EQ(validator.Validate(element), valid) << schema << " / " << document;
  return valid ? "valid" : error;
}

// ---- Keywords for any instance -------------------------------------------------------------------------

TEST(ValidatorKeyword, Type) {
  EXPECT_EQ(Check(R"({"type":"string"})", "5"), "(root): type: 5 is integer, not string");
  EXPECT_EQ(Check(R"({"type":"string"})", "5.5"), "(root): type: 5.5 is number, not string");
  EXPECT_EQ(Check(R"({"type":"integer"})", "5.5"), "(root): type: 5.5 is number, not integer");
  EXPECT_EQ(Check(R"({"type":"integer"})", "5.0"), "valid");
  EXPECT_EQ(Check(R"({"type":"number"})", "[1,2]"), "(root): type: [1,2] is array, not number");
  EXPECT_EQ(Check(R"({"type":"object"})", "null"), "(root): type: null is null, not object");
  EXPECT_EQ(Check(R"({"type":"boolean"})", "{}"), "(root): type: {} is object, not boolean");
  EXPECT_EQ(Check(R"({"type":["string","null"]})", "true"),
            "(root): type: true is boolean, not null or string");
  EXPECT_EQ(Check(R"({"type":["integer","string"]})", "1.5"),
            "(root): type: 1.5 is number, not string or integer");
}

TEST(ValidatorKeyword, Enum) {
  EXPECT_EQ(Check(R"({"enum":["a","b"]})", R"("c")"), "(root): enum: \"c\" is not one of a, b");
  EXPECT_EQ(Check(R"({"enum":[1,"a",null,{"x":1}]})", "2"),
            "(root): enum: 2 is not one of 1, \"a\", null, {\"x\":1}");
  EXPECT_EQ(Check(R"({"enum":[1,"a",null,{"x":1}]})", R"({"x":1.0})"), "valid");
  EXPECT_EQ(Check(R"({"enum":[1,2,3,4,5,6,7,8,9,10,11,12]})", "13"),
            "(root): enum: 13 is not one of 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 (and 2 more)");
  EXPECT_EQ(Check(R"({"enum":[]})", "2"), "(root): enum: 2 is not allowed: the enum is empty");
}

// The issue's example, exactly, through the public API and the default schema.
TEST(ValidatorKeyword, EnumOfTheDefaultSchema) {
  auto validator = SchemaValidator::DefaultSchema();
  ASSERT_TRUE(validator.ok()) << validator.status().message();
  Status status =
      validator->Validate(R"({"timestamp":"2026-01-15T19:00:00Z","level":"verbose","message":"x"})");
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "schema: /level: enum: \"verbose\" is not one of trace, debug, info, warn, error, fatal");
  EXPECT_TRUE(
      validator->Validate(R"({"timestamp":"2026-01-15T19:00:00Z","level":"info","message":"x"})").ok());
  EXPECT_EQ(validator->Validate(R"({"timestamp":"2026-01-15T19:00:00Z","level":"info"})").message(),
            "schema: (root): required: missing property \"message\"");
  EXPECT_EQ(validator->Validate(R"({"timestamp":"yesterday","level":"info","message":"x"})").message(),
            "schema: /timestamp: format: \"yesterday\" is not a valid date-time");
  EXPECT_EQ(
      validator
          ->Validate(R"({"timestamp":"2026-01-15T19:00:00Z","level":"info","message":"x","metadata":[]})")
          .message(),
      "schema: /metadata: type: [] is array, not object");
  // Undeclared properties are allowed (and kept in _extra).
  EXPECT_TRUE(
      validator->Validate(R"({"timestamp":"2026-01-15T19:00:00Z","level":"info","message":"x","pid":7})")
          .ok());
}

TEST(ValidatorKeyword, Const) {
  EXPECT_EQ(Check(R"({"const":"abc"})", R"("abd")"), "(root): const: \"abd\" is not \"abc\"");
  EXPECT_EQ(Check(R"({"const":{"a":[1,2]}})", R"({"a":[1]})"),
            "(root): const: {\"a\":[1]} is not {\"a\":[1,2]}");
  EXPECT_EQ(Check(R"({"const":{"a":[1,2]}})", R"({"a":[1.0,2]})"), "valid");
  EXPECT_EQ(Check(R"({"const":null})", "false"), "(root): const: false is not null");
}

// ---- Numbers -------------------------------------------------------------------------------------------

TEST(ValidatorKeyword, MultipleOf) {
  EXPECT_EQ(Check(R"({"multipleOf":3})", "10"), "(root): multipleOf: 10 is not a multiple of 3");
  EXPECT_EQ(Check(R"({"multipleOf":3})", "-9"), "valid");
  EXPECT_EQ(Check(R"({"multipleOf":0.1})", "0.35"), "(root): multipleOf: 0.35 is not a multiple of 0.1");
  EXPECT_EQ(Check(R"({"multipleOf":0.01})", "0.07"), "valid");
  EXPECT_EQ(Check(R"({"multipleOf":0.0001})", "0.0075"), "valid");
  EXPECT_EQ(Check(R"({"multipleOf":7})", "18446744073709551615"),
            "(root): multipleOf: 18446744073709551615 is not a multiple of 7");
}

TEST(ValidatorKeyword, MinimumAndMaximum) {
  EXPECT_EQ(Check(R"({"minimum":5})", "4"), "(root): minimum: 4 is less than 5");
  EXPECT_EQ(Check(R"({"minimum":5})", "5"), "valid");
  EXPECT_EQ(Check(R"({"minimum":5.5})", "4"), "(root): minimum: 4 is less than 5.5");
  EXPECT_EQ(Check(R"({"maximum":5})", "6"), "(root): maximum: 6 is greater than 5");
  EXPECT_EQ(Check(R"({"maximum":5})", "5.0"), "valid");
  EXPECT_EQ(Check(R"({"maximum":0.1})", "0.30000000000000004"),
            "(root): maximum: 0.30000000000000004 is greater than 0.1");
}

TEST(ValidatorKeyword, ExclusiveMinimumAndMaximum) {
  EXPECT_EQ(Check(R"({"exclusiveMinimum":5})", "5"), "(root): exclusiveMinimum: 5 is not greater than 5");
  EXPECT_EQ(Check(R"({"exclusiveMinimum":5})", "5.000001"), "valid");
  EXPECT_EQ(Check(R"({"exclusiveMaximum":5})", "5"), "(root): exclusiveMaximum: 5 is not less than 5");
  EXPECT_EQ(Check(R"({"exclusiveMaximum":5})", "4.999"), "valid");
}

TEST(ValidatorKeyword, NumberKeywordsIgnoreOtherTypes) {
  EXPECT_EQ(Check(R"({"minimum":5,"multipleOf":2})", R"("1")"), "valid");
}

// ---- Strings -------------------------------------------------------------------------------------------

TEST(ValidatorKeyword, MinLengthCountsCodePoints) {
  EXPECT_EQ(Check(R"({"minLength":2})", R"("é")"), "(root): minLength: \"é\" is shorter than 2 characters");
  EXPECT_EQ(Check(R"({"minLength":1})", R"("")"), "(root): minLength: \"\" is shorter than 1 character");
  EXPECT_EQ(Check(R"({"minLength":2})", R"("😀😀")"), "valid");
  EXPECT_EQ(Check(R"({"minLength":3})", R"("😀😀")"), "(root): minLength: \"😀😀\" is shorter than 3 characters");
}

TEST(ValidatorKeyword, MaxLengthCountsCodePoints) {
  EXPECT_EQ(Check(R"({"maxLength":1})", R"("é")"), "valid");
  EXPECT_EQ(Check(R"({"maxLength":1})", R"("éé")"), "(root): maxLength: \"éé\" is longer than 1 character");
  EXPECT_EQ(Check(R"({"maxLength":2})", R"("😀😀")"), "valid");
  EXPECT_EQ(Check(R"({"maxLength":2})", R"("\u00e9\ud83d\ude00")"), "valid");
  EXPECT_EQ(Check(R"({"maxLength":0})", R"("a")"), "(root): maxLength: \"a\" is longer than 0 characters");
}

TEST(ValidatorKeyword, Pattern) {
  EXPECT_EQ(Check(R"({"pattern":"^[a-z]+$"})", R"("abc1")"),
            "(root): pattern: \"abc1\" does not match ^[a-z]+$");
  // ECMA-262 search semantics: not anchored.
  EXPECT_EQ(Check(R"({"pattern":"b"})", R"("abc")"), "valid");
  // `$` only at the very end.
  EXPECT_EQ(Check(R"({"pattern":"^a$"})", R"("a\n")"), "(root): pattern: \"a\\u000a\" does not match ^a$");
  EXPECT_EQ(Check(R"({"pattern":"^\\d+$"})", R"("١٢")"), "(root): pattern: \"١٢\" does not match ^\\d+$");
}

TEST(ValidatorKeyword, Format) {
  EXPECT_EQ(Check(R"({"format":"date-time"})", R"("2026-01-15 19:00:00")"),
            "(root): format: \"2026-01-15 19:00:00\" is not a valid date-time");
  EXPECT_EQ(Check(R"({"format":"date-time"})", R"("2026-01-15T19:00:00+01:00")"), "valid");
  EXPECT_EQ(Check(R"({"format":"date"})", R"("2026-02-30")"),
            "(root): format: \"2026-02-30\" is not a valid date");
  EXPECT_EQ(Check(R"({"format":"email"})", R"("nope")"), "(root): format: \"nope\" is not a valid email");
  EXPECT_EQ(Check(R"({"format":"ipv4"})", R"("1.2.3")"), "(root): format: \"1.2.3\" is not a valid ipv4");
  EXPECT_EQ(Check(R"({"format":"hostname"})", R"("-x")"), "(root): format: \"-x\" is not a valid hostname");
  // Formats logdaemon does not assert are annotations.
  EXPECT_EQ(Check(R"({"format":"idn-email"})", R"("nope")"), "valid");
  EXPECT_EQ(Check(R"({"format":"made-up"})", R"("x")"), "valid");
}

// ---- Arrays --------------------------------------------------------------------------------------------

TEST(ValidatorKeyword, Items) {
  EXPECT_EQ(Check(R"({"items":{"type":"integer"}})", R"([1,"x"])"), "/1: type: \"x\" is string, not integer");
  EXPECT_EQ(Check(R"({"items":[{"type":"integer"},{"type":"string"}]})", "[1,2]"),
            "/1: type: 2 is integer, not string");
  EXPECT_EQ(Check(R"({"items":[{"type":"integer"},{"type":"string"}]})", "[1]"), "valid");
  EXPECT_EQ(Check(R"({"items":false})", "[1]"), "/0: false: no value is allowed here");
}

TEST(ValidatorKeyword, AdditionalItems) {
  EXPECT_EQ(Check(R"({"items":[{"type":"integer"}],"additionalItems":false})", "[1,2,3]"),
            "(root): additionalItems: 3 items, at most 1 allowed");
  EXPECT_EQ(Check(R"({"items":[{"type":"integer"}],"additionalItems":{"type":"string"}})", R"([1,"a",3])"),
            "/2: type: 3 is integer, not string");
  // Without an array-form `items`, additionalItems means nothing.
  EXPECT_EQ(Check(R"({"additionalItems":false})", "[1,2,3]"), "valid");
}

TEST(ValidatorKeyword, MinItemsAndMaxItems) {
  EXPECT_EQ(Check(R"({"minItems":2})", "[1]"), "(root): minItems: 1 item, fewer than 2");
  EXPECT_EQ(Check(R"({"minItems":1})", "[]"), "(root): minItems: 0 items, fewer than 1");
  EXPECT_EQ(Check(R"({"maxItems":2})", "[1,2,3]"), "(root): maxItems: 3 items, more than 2");
  EXPECT_EQ(Check(R"({"maxItems":0})", "[1]"), "(root): maxItems: 1 item, more than 0");
}

TEST(ValidatorKeyword, UniqueItems) {
  EXPECT_EQ(Check(R"({"uniqueItems":true})", "[1,2,1.0]"), "(root): uniqueItems: items 0 and 2 are equal");
  EXPECT_EQ(Check(R"({"uniqueItems":true})", R"([{"a":1,"b":2},{"b":2,"a":1}])"),
            "(root): uniqueItems: items 0 and 1 are equal");
  EXPECT_EQ(Check(R"({"uniqueItems":true})", R"([[1],["1"],true,1,"true",null,{}])"), "valid");
  EXPECT_EQ(Check(R"({"uniqueItems":false})", "[1,1]"), "valid");
}

TEST(ValidatorKeyword, Contains) {
  EXPECT_EQ(Check(R"({"contains":{"type":"string"}})", "[1,2]"),
            "(root): contains: no item matches the contains schema");
  EXPECT_EQ(Check(R"({"contains":{"type":"string"}})", "[]"),
            "(root): contains: no item matches the contains schema");
  EXPECT_EQ(Check(R"({"contains":{"type":"string"}})", R"([1,"a"])"), "valid");
}

// ---- Objects -------------------------------------------------------------------------------------------

TEST(ValidatorKeyword, MinPropertiesAndMaxProperties) {
  EXPECT_EQ(Check(R"({"minProperties":2})", R"({"a":1})"), "(root): minProperties: 1 property, fewer than 2");
  EXPECT_EQ(Check(R"({"maxProperties":1})", R"({"a":1,"b":2})"),
            "(root): maxProperties: 2 properties, more than 1");
}

TEST(ValidatorKeyword, Required) {
  EXPECT_EQ(Check(R"({"required":["a","b"]})", R"({"a":1})"), "(root): required: missing property \"b\"");
  EXPECT_EQ(Check(R"({"required":["a","b"]})", R"({"b":1,"a":null})"), "valid");
  EXPECT_EQ(Check(R"({"properties":{"o":{"required":["x/y"]}}})", R"({"o":{}})"),
            "/o: required: missing property \"x/y\"");
}

// More names than fit the validator's presence bits (64) and its linear scan (16).
TEST(ValidatorKeyword, RequiredWithManyNames) {
  std::string schema = R"({"required":[)";
  std::string document = "{";
  for (int i = 0; i < 100; ++i) {
    schema += (i ? ",\"p" : "\"p") + std::to_string(i) + "\"";
    if (i != 77) document += (document.size() > 1 ? ",\"p" : "\"p") + std::to_string(i) + "\":1";
  }
  schema += "]}";
  EXPECT_EQ(Check(schema, document + "}"), "(root): required: missing property \"p77\"");
  EXPECT_EQ(Check(schema, document + ",\"p77\":1}"), "valid");
}

TEST(ValidatorKeyword, Properties) {
  EXPECT_EQ(Check(R"({"properties":{"a":{"type":"string"}}})", R"({"a":1})"),
            "/a: type: 1 is integer, not string");
  EXPECT_EQ(Check(R"({"properties":{"a":{"type":"string"}}})", R"({"b":1})"), "valid");
  EXPECT_EQ(Check(R"({"properties":{"a":false}})", R"({"a":1})"), "/a: false: no value is allowed here");
}

TEST(ValidatorKeyword, AdditionalPropertiesFalse) {
  EXPECT_EQ(Check(R"({"properties":{"a":{}},"additionalProperties":false})", R"({"a":1,"b":2})"),
            "(root): additionalProperties: property \"b\" is not allowed");
  EXPECT_EQ(Check(R"({"properties":{"a":{}},"patternProperties":{"^x-":{}},"additionalProperties":false})",
                  R"({"a":1,"x-b":2})"),
            "valid");
}

TEST(ValidatorKeyword, AdditionalPropertiesSchema) {
  EXPECT_EQ(Check(R"({"additionalProperties":{"type":"string"}})", R"({"a":1})"),
            "/a: type: 1 is integer, not string");
}

TEST(ValidatorKeyword, PatternProperties) {
  EXPECT_EQ(Check(R"({"patternProperties":{"^x":{"type":"string"}}})", R"({"xa":1})"),
            "/xa: type: 1 is integer, not string");
  EXPECT_EQ(Check(R"({"patternProperties":{"^x":{"type":"string"}}})", R"({"ax":1})"), "valid");
}

TEST(ValidatorKeyword, Dependencies) {
  EXPECT_EQ(Check(R"({"dependencies":{"a":["b"]}})", R"({"a":1})"),
            "(root): dependencies: property \"a\" requires property \"b\"");
  EXPECT_EQ(Check(R"({"dependencies":{"a":["b"]}})", R"({"b":1})"), "valid");
  EXPECT_EQ(Check(R"({"dependencies":{"a":{"required":["c"]}}})", R"({"a":1})"),
            "(root): required: missing property \"c\"");
  EXPECT_EQ(Check(R"({"dependencies":{"a":{"properties":{"c":{"type":"string"}}}}})", R"({"a":1,"c":2})"),
            "/c: type: 2 is integer, not string");
}

TEST(ValidatorKeyword, PropertyNames) {
  EXPECT_EQ(Check(R"({"propertyNames":{"maxLength":3}})", R"({"abcd":1})"),
            "(root): propertyNames: property name \"abcd\" is invalid (maxLength: \"abcd\" is longer than 3 "
            "characters)");
  EXPECT_EQ(
      Check(R"({"propertyNames":{"pattern":"^[a-z]+$"}})", R"({"ab1":1})"),
      "(root): propertyNames: property name \"ab1\" is invalid (pattern: \"ab1\" does not match ^[a-z]+$)");
  EXPECT_EQ(Check(R"({"propertyNames":{"enum":["a"]}})", R"({"b":1})"),
            "(root): propertyNames: property name \"b\" is invalid (enum: \"b\" is not one of a)");
  EXPECT_EQ(Check(R"({"propertyNames":false})", R"({"a":1})"),
            "(root): propertyNames: property name \"a\" is invalid (false: no value is allowed here)");
  EXPECT_EQ(Check(R"({"propertyNames":false})", "{}"), "valid");
}

// ---- Applicators ---------------------------------------------------------------------------------------

TEST(ValidatorKeyword, AllOfReportsTheFailingBranch) {
  EXPECT_EQ(Check(R"({"allOf":[{"type":"number"},{"minimum":3}]})", "2"),
            "(root): minimum: 2 is less than 3");
}

TEST(ValidatorKeyword, AnyOf) {
  EXPECT_EQ(Check(R"({"anyOf":[{"type":"string"},{"type":"integer"}]})", "1.5"),
            "(root): anyOf: 1.5 matches none of the 2 alternatives");
  EXPECT_EQ(Check(R"({"anyOf":[{"type":"string"},{"type":"integer"}]})", "1"), "valid");
}

TEST(ValidatorKeyword, OneOf) {
  EXPECT_EQ(Check(R"({"oneOf":[{"type":"string"},{"type":"integer"}]})", "1.5"),
            "(root): oneOf: 1.5 matches none of the 2 alternatives");
  EXPECT_EQ(Check(R"({"oneOf":[{"type":"number"},{"type":"integer"},{"minimum":0}]})", "1"),
            "(root): oneOf: 1 matches alternatives 0 and 1, but must match exactly one");
  EXPECT_EQ(Check(R"({"oneOf":[{"type":"number"},{"type":"integer"}]})", "1.5"), "valid");
}

TEST(ValidatorKeyword, Not) {
  EXPECT_EQ(Check(R"({"not":{"type":"string"}})", R"("x")"),
            "(root): not: \"x\" matches a schema it must not match");
  EXPECT_EQ(Check(R"({"not":{"type":"string"}})", "1"), "valid");
}

TEST(ValidatorKeyword, IfThenElse) {
  constexpr std::string_view kSchema =
      R"({"if":{"type":"string"},"then":{"minLength":3},"else":{"type":"integer"}})";
  EXPECT_EQ(Check(kSchema, R"("ab")"), "(root): minLength: \"ab\" is shorter than 3 characters");
  EXPECT_EQ(Check(kSchema, "1.5"), "(root): type: 1.5 is number, not integer");
  EXPECT_EQ(Check(kSchema, R"("abc")"), "valid");
  EXPECT_EQ(Check(kSchema, "2"), "valid");
  // Without `if`, then and else mean nothing.
  EXPECT_EQ(Check(R"({"then":false,"else":false})", "1"), "valid");
}

TEST(ValidatorKeyword, BooleanSchemas) {
  EXPECT_EQ(Check("false", "1"), "(root): false: no value is allowed here");
  EXPECT_EQ(Check("true", "1"), "valid");
  EXPECT_EQ(Check("{}", R"({"anything":[1,{"at":"all"}]})"), "valid");
}

TEST(ValidatorKeyword, RefAndNestedPointers) {
  EXPECT_EQ(Check(R"({"definitions":{"s":{"type":"string"}},
                     "properties":{"a":{"properties":{"b":{"items":{"$ref":"#/definitions/s"}}}}}})",
                  R"({"a":{"b":["x",3]}})"),
            "/a/b/1: type: 3 is integer, not string");
}

// ---- The message itself: one short line of valid UTF-8, numbers as people write them ------------------

bool IsValidUtf8(std::string_view text) {
  return simdjson::validate_utf8(text.data(), text.size());
}

TEST(ValidatorMessage, BoundsAreShownAsWritten) {
  EXPECT_EQ(Check(R"({"maximum":100})", "101"), "(root): maximum: 101 is greater than 100");
  EXPECT_EQ(Check(R"({"minimum":250})", "7"), "(root): minimum: 7 is less than 250");
  EXPECT_EQ(Check(R"({"exclusiveMaximum":1000})", "1000"),
            "(root): exclusiveMaximum: 1000 is not less than 1000");
  EXPECT_EQ(Check(R"({"exclusiveMinimum":65536})", "1"),
            "(root): exclusiveMinimum: 1 is not greater than 65536");
}

TEST(ValidatorMessage, IntegralDoublesAreNotShownInExponentForm) {
  std::string error = Check(R"({"type":"string"})", "150.0");
  EXPECT_THAT(error, ::testing::StartsWith("(root): type: 150"));
  EXPECT_THAT(error, ::testing::Not(::testing::HasSubstr("e+")));
  error = Check(R"({"enum":[1,2]})", "2500.0");
  EXPECT_THAT(error, ::testing::StartsWith("(root): enum: 2500"));
  EXPECT_THAT(error, ::testing::Not(::testing::HasSubstr("e+")));
}

// Schema strings shown in a message (enum values, patterns) must not break the one-line reply.
TEST(ValidatorMessage, SchemaStringsWithControlCharactersStayOnOneLine) {
  std::string error = Check(R"({"enum":["a\nb","c"]})", R"("x")");
  EXPECT_THAT(error, ::testing::StartsWith("(root): enum: \"x\" is not one of "));
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  error = Check(R"({"pattern":"^x\ny$"})", R"("x")");
  EXPECT_THAT(error, ::testing::StartsWith("(root): pattern: \"x\" does not match "));
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
}

TEST(ValidatorMessage, LongPatternsAreCutOnCharacterBoundaries) {
  std::string pattern = "^";
  for (int i = 0; i < 100; ++i) pattern += "é";
  std::string error = Check("{\"pattern\":\"" + pattern + "\"}", R"("x")");
  EXPECT_THAT(error, ::testing::StartsWith("(root): pattern: \"x\" does not match ^éé"));
  EXPECT_LT(error.size(), 300u);
  EXPECT_TRUE(IsValidUtf8(error)) << error;
}

// The property-name form of the backtracking-limit message shows the pattern too; it must be cut like
// every other value.
TEST(ValidatorMessage, LongPatternPropertiesPatternsAreCut) {
  std::string pattern = "^(a+)+$|" + std::string(1000, 'b');
  std::string key = std::string(40, 'a') + "!";
  std::string error = Check("{\"patternProperties\":{\"" + pattern + "\":{}}}", "{\"" + key + "\":1}");
  EXPECT_THAT(error, ::testing::StartsWith("(root): patternProperties: matching the property name \"aaaa"));
  EXPECT_THAT(error, ::testing::HasSubstr("exceeded the backtracking limit"));
  EXPECT_LT(error.size(), 300u);
}

// ---- Table layout (DESIGN.md §4) -----------------------------------------------------------------------

// "name TYPE REQUIRED|OPTIONAL" per column, and the time and _extra indexes.
std::string Describe(const TableLayout& layout) {
  std::string out;
  for (const Column& column : layout.columns) {
    out += column.name + " " + std::string(ColumnTypeName(column.type)) +
           (column.required ? " REQUIRED" : " OPTIONAL") + "; ";
  }
  return out + "time=" + std::to_string(layout.time_column) + " extra=" + std::to_string(layout.extra_column);
}

std::string LayoutOf(std::string_view schema, const SchemaOptions& options = {}) {
  auto validator = SchemaValidator::FromString(schema, options);
  return validator.ok() ? Describe(validator->layout()) : "error: " + validator.status().message();
}

TEST(TableLayout, DefaultSchema) {
  auto validator = SchemaValidator::DefaultSchema();
  ASSERT_TRUE(validator.ok()) << validator.status().message();
  EXPECT_EQ(Describe(validator->layout()),
            "timestamp TIMESTAMP REQUIRED; level STRING REQUIRED; message STRING REQUIRED; service STRING "
            "OPTIONAL; "
            "trace_id STRING OPTIONAL; metadata JSON OPTIONAL; _extra JSON OPTIONAL; time=0 extra=6");
  EXPECT_EQ(validator->layout().columns[validator->layout().extra_column].name, TableLayout::kExtraColumn);
}

TEST(TableLayout, OriginalSpecificationCustomSchema) {
  EXPECT_EQ(
      LayoutOf(R"({"$schema": "http://json-schema.org/draft-07/schema#","type":"object",
      "required":["timestamp","level","message","app_id"],
      "properties":{"timestamp":{"type":"string","format":"date-time"},
                    "level":{"type":"string","enum":["debug","info","error"]},
                    "message":{"type":"string"},"app_id":{"type":"string"},"user_id":{"type":"integer"}}})"),
      "timestamp TIMESTAMP REQUIRED; level STRING REQUIRED; message STRING REQUIRED; app_id STRING REQUIRED; "
      "user_id INT64 OPTIONAL; _extra JSON OPTIONAL; time=0 extra=5");
}

TEST(TableLayout, ScalarTypes) {
  EXPECT_EQ(
      LayoutOf(R"({"required":["n","b"],"properties":{"n":{"type":"number"},"b":{"type":"boolean"},
                         "i":{"type":"integer","minimum":0},"s":{"type":"string","format":"date"}}})"),
      "n DOUBLE REQUIRED; b BOOLEAN REQUIRED; i INT64 OPTIONAL; s STRING OPTIONAL; _extra JSON OPTIONAL; "
      "time=-1 extra=4");
}

TEST(TableLayout, JsonColumns) {
  EXPECT_EQ(
      LayoutOf(R"({"properties":{"o":{"type":"object"},"a":{"type":"array"},"m":{"type":["string","integer"]},
                         "any":{},"t":true,"e":{"enum":[1,"x"]}}})"),
      "o JSON OPTIONAL; a JSON OPTIONAL; m JSON OPTIONAL; any JSON OPTIONAL; t JSON OPTIONAL; e JSON "
      "OPTIONAL; "
      "_extra JSON OPTIONAL; time=-1 extra=6");
}

TEST(TableLayout, StringsWithoutType) {
  EXPECT_EQ(LayoutOf(R"({"properties":{"e":{"enum":["a","b"]},"c":{"const":"x"}}})"),
            "e STRING OPTIONAL; c STRING OPTIONAL; _extra JSON OPTIONAL; time=-1 extra=2");
}

TEST(TableLayout, NullableIsOptionalEvenIfRequired) {
  EXPECT_EQ(LayoutOf(R"({"required":["s","i"],"properties":{"s":{"type":["string","null"]},
                         "i":{"type":["null","integer"]}}})"),
            "s STRING OPTIONAL; i INT64 OPTIONAL; _extra JSON OPTIONAL; time=-1 extra=2");
}

TEST(TableLayout, RefsAreFollowed) {
  EXPECT_EQ(LayoutOf(R"({"required":["when"],"properties":{"when":{"$ref":"#/definitions/time"}},
                         "definitions":{"time":{"type":"string","format":"date-time"}}})"),
            "when TIMESTAMP REQUIRED; _extra JSON OPTIONAL; time=-1 extra=1");
}

TEST(TableLayout, AdditionalPropertiesFalseHasNoExtra) {
  EXPECT_EQ(LayoutOf(R"({"properties":{"a":{"type":"string"}},"additionalProperties":false})"),
            "a STRING OPTIONAL; time=-1 extra=-1");
  // Names matching a pattern are not columns: they still go to _extra.
  EXPECT_EQ(LayoutOf(R"({"properties":{"a":{"type":"string"}},"patternProperties":{"^x-":{}},
                         "additionalProperties":false})"),
            "a STRING OPTIONAL; _extra JSON OPTIONAL; time=-1 extra=1");
}

TEST(TableLayout, PropertyNamedExtraIsRefused) {
  EXPECT_EQ(LayoutOf(R"({"properties":{"_extra":{"type":"object"}}})"),
            "error: #/properties/_extra: the name _extra is reserved for undeclared properties");
}

TEST(TableLayout, TimeField) {
  SchemaOptions options;
  options.time_field = "ts";
  options.time_field_explicit = true;
  EXPECT_EQ(LayoutOf(R"({"properties":{"a":{},"ts":{"type":"string","format":"date-time"}}})", options),
            "a JSON OPTIONAL; ts TIMESTAMP OPTIONAL; _extra JSON OPTIONAL; time=1 extra=2");
  EXPECT_EQ(LayoutOf(R"({"properties":{"timestamp":{"type":"string","format":"date-time"}}})", options),
            "error: the time field \"ts\" is not a property of the schema");
  EXPECT_EQ(LayoutOf(R"({"properties":{"ts":{"type":"string"}}})", options),
            "error: #/properties/ts: the time field \"ts\" must be {\"type\": \"string\", \"format\": "
            "\"date-time\"}");
  // The default time field may be absent: then there is none.
  EXPECT_EQ(LayoutOf(R"({"properties":{"a":{"type":"string"}}})"),
            "a STRING OPTIONAL; _extra JSON OPTIONAL; time=-1 extra=1");
}

TEST(TableLayout, RootMustAcceptObjects) {
  EXPECT_EQ(LayoutOf(R"({"type":"array"})"),
            "error: #/type: the schema must accept objects: every log is a JSON object");
  EXPECT_EQ(LayoutOf("false"), "error: the schema is `false`: it accepts no log");
  EXPECT_EQ(LayoutOf("true"), "_extra JSON OPTIONAL; time=-1 extra=0");
}

// ---- Threads -----------------------------------------------------------------------------------------

// One SchemaValidator (and a second one, so that each thread's state switches schemas) used by four
// threads at once gives every thread the same answers as one thread alone.
TEST(SchemaValidatorThreads, FourThreadsShareOneValidator) {
  auto first = SchemaValidator::DefaultSchema();
  ASSERT_TRUE(first.ok());
  auto second = SchemaValidator::FromString(R"({"type":"object","required":["n"],
      "properties":{"n":{"type":"integer","multipleOf":3}},"additionalProperties":false})");
  ASSERT_TRUE(second.ok());
  std::vector<std::string> documents;
  for (int i = 0; i < 64; ++i) {
    switch (i % 4) {
      case 0:
        documents.push_back(R"({"timestamp":"2026-01-15T19:00:00Z","level":"info","message":"m)" +
                            std::to_string(i) + "\"}");
        break;
      case 1:
        documents.push_back(R"({"timestamp":"2026-01-15T19:00:00Z","level":"l)" + std::to_string(i) +
                            R"(","message":"m"})");
        break;
      case 2:
        documents.push_back(R"({"n":)" + std::to_string(i) + "}");
        break;
      default:
        documents.push_back("{\"n\":" + std::string(i, '[') + "}");
        break;
    }
  }
  const SchemaValidator* validators[] = {&*first, &*second};
  std::vector<std::string> expected;
  for (const std::string& document : documents) {
    for (const SchemaValidator* validator : validators)
      expected.push_back(validator->Validate(document).ToString());
  }
  // expected[2 * document + validator]
  ASSERT_EQ(expected[0], "OK");
  ASSERT_EQ(expected[1],
            "invalid argument: schema: (root): additionalProperties: property \"timestamp\" is not allowed");
  ASSERT_EQ(expected[2 * 2], "invalid argument: schema: (root): required: missing property \"timestamp\"");
  ASSERT_EQ(expected[2 * 2 + 1], "invalid argument: schema: /n: multipleOf: 2 is not a multiple of 3");
  ASSERT_EQ(expected[2 * 6 + 1], "OK");

  constexpr int kThreads = 4;
  constexpr int kRounds = 200;
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < kRounds; ++round) {
        for (size_t d = 0; d < documents.size(); ++d) {
          // Each thread walks the documents in its own order.
          size_t index = (d * (2 * t + 1) + round) % documents.size();
          for (int v = 0; v < 2; ++v) {
            if (validators[v]->Validate(documents[index]).ToString() != expected[index * 2 + v])
              ++mismatches[t];
          }
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
}

// A copy shares the compiled schema, and outlives the original.
TEST(SchemaValidatorThreads, CopiesShareTheCompiledSchema) {
  auto validator = SchemaValidator::DefaultSchema();
  ASSERT_TRUE(validator.ok());
  SchemaValidator copy = *validator;
  EXPECT_EQ(copy.compiled(), validator->compiled());
  validator = Status::InvalidArgument("gone");
  EXPECT_TRUE(copy.Validate(R"({"timestamp":"2026-01-15T19:00:00Z","level":"info","message":"x"})").ok());
  EXPECT_EQ(copy.layout().time_column, 0);
}

}  // namespace
}  // namespace validator_test
}  // namespace logdaemon::schema
