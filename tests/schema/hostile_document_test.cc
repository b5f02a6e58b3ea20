// Hostile documents through SchemaValidator::Validate, the path every log frame takes: nesting far
// beyond the limit, megabyte strings, every kind of bad UTF-8, numbers beyond 64 bits, duplicate keys,
// empty input, non-objects, a catastrophic-backtracking pattern, huge uniqueItems arrays. Each must get
// a prompt one-line reply of the documented form:
//   "invalid JSON: <what> at byte N", "not an object: …", "schema: <pointer>: <keyword>: <why>".
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <string_view>

#include "logdaemon/schema.h"

namespace logdaemon {
namespace hostile_document_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using namespace std::string_view_literals;

constexpr std::string_view kSchema = R"({
  "type": "object",
  "properties": {
    "short": {"type": "string", "maxLength": 8},
    "text": {"type": "string", "maxLength": 1048576},
    "exact": {"type": "string", "minLength": 1048576, "maxLength": 1048576},
    "redos": {"type": "string", "pattern": "^(a+)+$"},
    "count": {"type": "number", "maximum": 1e300},
    "metadata": {"type": "object", "properties": {"pid": {"type": "integer", "minimum": 1}}},
    "tags": {"type": "array", "items": {"type": "string"}},
    "unique": {"type": "array", "uniqueItems": true},
    "map": {"type": "object", "additionalProperties": {"type": "integer"}}
  }
})";

class HostileDocument : public ::testing::Test {
 protected:
  void SetUp() override {
    auto validator = SchemaValidator::FromString(kSchema);
    ASSERT_TRUE(validator.ok()) << validator.status().message();
    validator_ = std::make_unique<SchemaValidator>(std::move(*validator));
  }

  // "OK" or the reply text.
  std::string Validate(std::string_view document) const {
    Status status = validator_->Validate(document);
    return status.ok() ? "OK" : status.message();
  }

  std::unique_ptr<SchemaValidator> validator_;
};

std::string Repeat(std::string_view text, size_t times) {
  std::string out;
  out.reserve(text.size() * times);
  for (size_t i = 0; i < times; ++i) out += text;
  return out;
}

bool IsValidUtf8(std::string_view text) {
  return simdjson::validate_utf8(text.data(), text.size());
}

// ---- Nesting -----------------------------------------------------------------------------------------

TEST_F(HostileDocument, TenThousandArraysDeep) {
  std::string document = "{\"tags\":" + Repeat("[", 10000) + Repeat("]", 10000) + "}";
  // The bracket that would be level 257: '{' is level 1 at byte 0, the first '[' is level 2 at byte 8.
  EXPECT_EQ(Validate(document), "invalid JSON: nesting deeper than 256 at byte 263");
}

TEST_F(HostileDocument, TenThousandObjectsDeep) {
  std::string document = Repeat(R"({"a":)", 10000) + "1" + Repeat("}", 10000);
  EXPECT_EQ(Validate(document), "invalid JSON: nesting deeper than 256 at byte 1280");
}

TEST_F(HostileDocument, NestingAtTheLimitIsAccepted) {
  std::string document = "{\"map\":{\"x\":1},\"deep\":" + Repeat("[", 255) + Repeat("]", 255) + "}";
  EXPECT_EQ(Validate(document), "OK");
  document = "{\"deep\":" + Repeat("[", 256) + Repeat("]", 256) + "}";
  EXPECT_THAT(Validate(document), StartsWith("invalid JSON: nesting deeper than 256 at byte "));
}

// ---- Large strings -------------------------------------------------------------------------------

TEST_F(HostileDocument, OneMebibyteString) {
  std::string mebibyte(1 << 20, 'x');
  EXPECT_EQ(Validate(R"({"text":")" + mebibyte + "\"}"), "OK");
  EXPECT_EQ(Validate(R"({"exact":")" + mebibyte + "\"}"), "OK");
  // Two-byte characters: a mebibyte of code points is two mebibytes of UTF-8, and still fits.
  EXPECT_EQ(Validate(R"({"exact":")" + Repeat("é", 1 << 20) + "\"}"), "OK");

  std::string error = Validate(R"({"short":")" + mebibyte + "\"}");
  EXPECT_THAT(error, StartsWith("schema: /short: maxLength: \"xxxxxxxx"));
  EXPECT_THAT(error, HasSubstr("is longer than 8 characters"));
  EXPECT_LT(error.size(), 300u);
  error = Validate(R"({"exact":")" + mebibyte + "y\"}");
  EXPECT_THAT(error, HasSubstr("is longer than 1048576 characters"));
  EXPECT_LT(error.size(), 300u);
}

TEST_F(HostileDocument, LongMultiByteValuesAreCutOnCharacterBoundaries) {
  for (size_t prefix = 0; prefix < 4; ++prefix) {
    std::string error = Validate(R"({"short":")" + std::string(prefix, 'a') + Repeat("é😀", 100000) + "\"}");
    EXPECT_THAT(error, StartsWith("schema: /short: maxLength: "));
    EXPECT_LT(error.size(), 300u);
    EXPECT_TRUE(IsValidUtf8(error)) << error;
  }
}

// Property names are cut for the message like values: on a character boundary, so that the reply stays
// valid UTF-8 whatever the client sent.
TEST(HostileDocumentKeys, LongMultiByteKeysAreCutOnCharacterBoundaries) {
  auto validator = SchemaValidator::FromString(
      R"({"type":"object","properties":{"m":{"propertyNames":{"maxLength":4}}},"additionalProperties":false})");
  ASSERT_TRUE(validator.ok()) << validator.status().message();
  for (size_t prefix = 0; prefix < 4; ++prefix) {
    std::string key = std::string(prefix, 'a') + Repeat("é😀", 100);
    std::string error = validator->Validate("{\"" + key + "\":1}").message();
    EXPECT_THAT(error, StartsWith("schema: (root): additionalProperties: property \""));
    EXPECT_LT(error.size(), 300u);
    EXPECT_TRUE(IsValidUtf8(error)) << error;
    error = validator->Validate("{\"m\":{\"" + key + "\":1}}").message();
    EXPECT_THAT(error, StartsWith("schema: /m: propertyNames: property name \""));
    EXPECT_LT(error.size(), 300u);
    EXPECT_TRUE(IsValidUtf8(error)) << error;
  }
}

TEST_F(HostileDocument, HugeKeysKeepTheMessageShort) {
  std::string key(1 << 20, 'k');
  std::string error = Validate(R"({"map":{")" + key + R"(":"x"}})");
  EXPECT_THAT(error, StartsWith("schema: …kkkk"));
  EXPECT_THAT(error, HasSubstr(": type: \"x\" is string, not integer"));
  EXPECT_LT(error.size(), 300u);
}

// ---- Bad UTF-8 and other bytes that are not JSON ------------------------------------------------------

TEST_F(HostileDocument, InvalidUtf8InValuesAndKeys) {
  EXPECT_EQ(Validate("{\"short\":\"\xff\"}"), "invalid JSON: invalid UTF-8 at byte 10");
  EXPECT_EQ(Validate("{\"\xff\":1}"), "invalid JSON: invalid UTF-8 at byte 2");
  EXPECT_EQ(Validate("{\"short\":\"ab\x80\"}"), "invalid JSON: invalid UTF-8 at byte 12");
  // A truncated sequence: the offset is that of the first byte no valid text could have there.
  EXPECT_EQ(Validate("{\"short\":\"\xe2\x82\"}"), "invalid JSON: invalid UTF-8 at byte 12");
}

TEST_F(HostileDocument, OverlongEncodings) {
  EXPECT_EQ(Validate("{\"short\":\"\xc0\xaf\"}"), "invalid JSON: invalid UTF-8 at byte 10");  // '/'
  EXPECT_EQ(Validate("{\"short\":\"\xe0\x80\xaf\"}"), "invalid JSON: invalid UTF-8 at byte 11");
  EXPECT_EQ(Validate("{\"\xc1\xbf\":1}"), "invalid JSON: invalid UTF-8 at byte 2");
  // Beyond U+10FFFF.
  EXPECT_EQ(Validate("{\"short\":\"\xf4\x90\x80\x80\"}"), "invalid JSON: invalid UTF-8 at byte 11");
}

TEST_F(HostileDocument, Surrogates) {
  // Encoded as UTF-8 (CESU-8): invalid bytes.
  EXPECT_EQ(Validate("{\"short\":\"\xed\xa0\x80\"}"), "invalid JSON: invalid UTF-8 at byte 11");
  // Lone escapes, and a pair in the wrong order.
  EXPECT_EQ(Validate(R"({"short":"\ud800"})"), "invalid JSON: unpaired surrogate in a \\u escape at byte 16");
  EXPECT_EQ(Validate(R"({"short":"\udc00\ud800"})"),
            "invalid JSON: unpaired surrogate in a \\u escape at byte 13");
  // A proper pair is one character.
  EXPECT_EQ(Validate(R"({"short":"\ud83d\ude00"})"), "OK");
}

TEST_F(HostileDocument, NulBytes) {
  // A raw NUL inside a string is a control character, which JSON forbids; after the document it is
  // trailing content.
  EXPECT_THAT(Validate("{\"short\":\"a\x00b\"}"sv), StartsWith("invalid JSON: "));
  EXPECT_THAT(Validate("{\"short\":\"a\x00b\"}"sv), HasSubstr(" at byte 11"));
  EXPECT_THAT(Validate("{}\x00"sv), StartsWith("invalid JSON: "));
  EXPECT_THAT(Validate("{}\x00"sv), HasSubstr(" at byte 2"));
  EXPECT_THAT(Validate("\x00{}"sv), StartsWith("invalid JSON: "));
  // Escaped, NUL is an ordinary character, counted as one, and shown escaped.
  EXPECT_EQ(Validate(R"({"short":"\u0000\u0000"})"), "OK");
  EXPECT_EQ(
      Validate(R"({"short":"\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000"})"),
      "schema: /short: maxLength: \"\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\" is "
      "longer than 8 characters");
  // In a key: the pointer stays on one line.
  EXPECT_EQ(Validate(R"({"map":{"a\u0000b\nc":"x"}})"),
            "schema: /map/a?b?c: type: \"x\" is string, not integer");
}

// ---- Numbers ---------------------------------------------------------------------------------------

// simdjson refuses magnitudes beyond a double and integers beyond 64 bits (docs/json-schema.md says
// so); the reply must still be of the documented form, "invalid JSON: <what> at byte N".
TEST_F(HostileDocument, HugeNumbersAreRefusedWithAPosition) {
  for (std::string_view number :
       {"1e400"sv, "-1e400"sv, "123456789012345678901234567890"sv, "-123456789012345678901234567890"sv}) {
    std::string error = Validate("{\"count\":" + std::string(number) + "}");
    EXPECT_THAT(error, StartsWith("invalid JSON: ")) << number;
    EXPECT_THAT(error, HasSubstr(" at byte 9")) << number;
  }
}

TEST_F(HostileDocument, LargeNumbersWithinRange) {
  EXPECT_EQ(Validate(R"({"count":1e308})"), "schema: /count: maximum: 1e+308 is greater than 1e+300");
  EXPECT_EQ(Validate(R"({"count":1e301})"), "schema: /count: maximum: 1e+301 is greater than 1e+300");
  EXPECT_EQ(Validate(R"({"count":18446744073709551615})"), "OK");
  EXPECT_EQ(Validate(R"({"count":-9223372036854775808})"), "OK");
  EXPECT_EQ(Validate(R"({"count":1e-400})"), "OK");  // underflows to 0
  EXPECT_EQ(Validate(R"({"metadata":{"pid":1.0}})"), "OK");
  EXPECT_EQ(Validate(R"({"metadata":{"pid":1.5}})"),
            "schema: /metadata/pid: type: 1.5 is number, not integer");
}

// ---- Duplicate keys ------------------------------------------------------------------------------

// Every member is validated, duplicates included: a bad value cannot hide behind a good one.
TEST_F(HostileDocument, DuplicateKeysAreEachValidated) {
  EXPECT_EQ(Validate(R"({"short":"ok","short":"ok too"})"), "OK");
  EXPECT_EQ(Validate(R"({"short":"ok","short":"far too long"})"),
            "schema: /short: maxLength: \"far too long\" is longer than 8 characters");
  EXPECT_EQ(Validate(R"({"short":"far too long","short":"ok"})"),
            "schema: /short: maxLength: \"far too long\" is longer than 8 characters");
  EXPECT_EQ(Validate(R"({"short":"ok","short":5})"), "schema: /short: type: 5 is integer, not string");
}

// An object with a duplicated key must not pass for one with another key: {"a":1,"a":1} has no "b".
TEST(HostileDocumentKeys, DuplicateKeysDoNotMakeObjectsEqual) {
  auto validator = SchemaValidator::FromString(R"({"type":"object","properties":{
      "c":{"const":{"a":1,"b":2}},"e":{"enum":[{"a":1,"b":2}]},"u":{"uniqueItems":true}}})");
  ASSERT_TRUE(validator.ok()) << validator.status().message();
  auto validate = [&](std::string_view document) {
    Status status = validator->Validate(document);
    return status.ok() ? std::string("OK") : status.message();
  };
  EXPECT_EQ(validate(R"({"c":{"a":1,"b":2}})"), "OK");
  EXPECT_EQ(validate(R"({"c":{"a":1,"a":1}})"),
            "schema: /c: const: {\"a\":1,\"a\":1} is not {\"a\":1,\"b\":2}");
  EXPECT_EQ(validate(R"({"e":{"a":1,"a":1}})"),
            "schema: /e: enum: {\"a\":1,\"a\":1} is not one of {\"a\":1,\"b\":2}");
  EXPECT_EQ(validate(R"({"u":[{"a":1,"b":2},{"a":1,"a":1}]})"), "OK");
  EXPECT_EQ(validate(R"({"u":[{"a":1,"a":1},{"a":1,"b":2}]})"), "OK");
}

// ---- Not a document, not an object --------------------------------------------------------------

TEST_F(HostileDocument, EmptyAndWhitespaceOnly) {
  EXPECT_EQ(Validate(""), "invalid JSON: empty document at byte 0");
  EXPECT_EQ(Validate(" \t\r\n "), "invalid JSON: empty document at byte 5");
}

TEST_F(HostileDocument, TopLevelValuesOtherThanObjects) {
  for (std::string_view document : {"[]"sv, "[{}]"sv, "\"x\""sv, "5"sv, "-1.5"sv, "true"sv, "null"sv}) {
    EXPECT_EQ(Validate(document), "not an object: a log is one JSON object") << document;
  }
}

TEST_F(HostileDocument, TruncatedAndTrailing) {
  EXPECT_EQ(Validate(R"({"short":"x")"), "invalid JSON: unexpected end of input at byte 12");
  EXPECT_EQ(Validate(R"({"short":"x"}})"), "invalid JSON: trailing content after the JSON value at byte 13");
  EXPECT_EQ(Validate(R"({"short":"x"} {})"),
            "invalid JSON: trailing content after the JSON value at byte 14");
}

// ---- Catastrophic backtracking ---------------------------------------------------------------------

TEST_F(HostileDocument, CatastrophicPatternStopsAtTheBacktrackingLimit) {
  for (size_t n : {30, 40, 50}) {
    std::string value = std::string(n, 'a') + "!";
    std::string error = Validate(R"({"redos":")" + value + "\"}");
    EXPECT_THAT(error, StartsWith("schema: /redos: pattern: matching \"aaaa")) << n;
    EXPECT_THAT(error, HasSubstr("against ^(a+)+$ exceeded the backtracking limit")) << n;
  }
  EXPECT_EQ(Validate(R"({"redos":")" + std::string(50, 'a') + "\"}"), "OK");
  EXPECT_EQ(Validate(R"({"redos":"b"})"), "schema: /redos: pattern: \"b\" does not match ^(a+)+$");
}

// ---- uniqueItems on large arrays ---------------------------------------------------------------------

std::string NumberArray(size_t n) {
  std::string out = "[";
  for (size_t i = 0; i < n; ++i) {
    if (i) out += ',';
    out += std::to_string(i);
  }
  return out + "]";
}

TEST_F(HostileDocument, UniqueItemsOnAHundredThousandItems) {
  std::string distinct = NumberArray(100000);
  EXPECT_EQ(Validate(R"({"unique":)" + distinct + "}"), "OK");
  std::string duplicate = distinct;
  duplicate.back() = ',';
  duplicate += "99999.0]";  // equal to 99999 by value
  EXPECT_EQ(Validate(R"({"unique":)" + duplicate + "}"),
            "schema: /unique: uniqueItems: items 99999 and 100000 are equal");

  std::string objects = "[";
  for (size_t i = 0; i < 100000; ++i)
    objects += "{\"a\":" + std::to_string(i) + ",\"b\":[\"" + std::to_string(i) + "\"]},";
  EXPECT_EQ(Validate(R"({"unique":)" + objects + "{\"b\":[\"7\"],\"a\":7}]}"),
            "schema: /unique: uniqueItems: items 7 and 100000 are equal");
  objects.back() = ']';
  EXPECT_EQ(Validate(R"({"unique":)" + objects + "}"), "OK");

  // Values whose hashes may collide but that differ.
  EXPECT_EQ(Validate(R"({"unique":[0,-0.0,1,1.0]})"),
            "schema: /unique: uniqueItems: items 0 and 1 are equal");
  std::string many = "[";
  for (size_t i = 0; i < 20; ++i) {
    std::string number = std::to_string(i);
    many.append("[").append(number).append("],{\"k\":").append(number).append("},");
  }
  many += "\"[]\",\"{}\",[],{},null,false,true]";
  EXPECT_EQ(Validate(R"({"unique":)" + many + "}"), "OK");
}

// ---- Where the error is --------------------------------------------------------------------------

TEST_F(HostileDocument, ErrorPointers) {
  EXPECT_EQ(Validate(R"({"metadata":{"pid":0}})"), "schema: /metadata/pid: minimum: 0 is less than 1");
  EXPECT_EQ(Validate(R"({"tags":["a","b","c",4]})"), "schema: /tags/3: type: 4 is integer, not string");
  EXPECT_EQ(Validate(R"({"map":{"a/b~c":"x"}})"), "schema: /map/a~1b~0c: type: \"x\" is string, not integer");
  EXPECT_EQ(Validate(R"({"map":{"":"x"}})"), "schema: /map/: type: \"x\" is string, not integer");
  EXPECT_EQ(Validate(R"({"map":{"é":"x"}})"), "schema: /map/é: type: \"x\" is string, not integer");
  auto strict = SchemaValidator::FromString(R"({"type":"object","minProperties":1})");
  ASSERT_TRUE(strict.ok());
  EXPECT_EQ(strict->Validate("{}").message(), "schema: (root): minProperties: 0 properties, fewer than 1");
}

}  // namespace
}  // namespace hostile_document_test
}  // namespace logdaemon
