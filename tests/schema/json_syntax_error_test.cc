#include "schema/json_syntax_error.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace logdaemon::schema {
namespace json_syntax_error_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using namespace std::string_view_literals;

// simdjson's own default, so that the scanner and simdjson draw the depth line in the same place.
constexpr size_t kDepth = simdjson::DEFAULT_MAX_DEPTH;

// simdjson refuses some valid RFC 8259 numbers for limits of its own: magnitudes beyond a double
// (1e400) and integers too long for 64 bits, both as NUMBER_ERROR (3.0). The scanner rightly accepts them,
// and DescribeJsonSyntaxError falls back to simdjson's message. This spots such numbers, to excuse them.
bool HasNumberBeyondSimdjsonLimits(std::string_view text) {
  size_t run = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool digit = text[i] >= '0' && text[i] <= '9';
    run = digit ? run + 1 : 0;
    if (run >= 19) return true;
    // An exponent of three digits or more, possibly signed.
    if (text[i] == 'e' || text[i] == 'E') {
      size_t j = i + 1;
      if (j < text.size() && (text[j] == '+' || text[j] == '-')) ++j;
      const size_t digits_start = j;
      while (j < text.size() && text[j] >= '0' && text[j] <= '9') ++j;
      if (j - digits_start >= 3) return true;
    }
  }
  return false;
}

simdjson::error_code SimdjsonError(std::string_view text) {
  simdjson::dom::parser parser;  // max depth: kDepth
  simdjson::padded_string padded(text.data(), text.size());
  return parser.parse(padded).error();
}

// Whether simdjson accepts `text` must agree with found == false, except for simdjson's number limits.
void ExpectAgreesWithSimdjson(std::string_view text, const JsonSyntaxError& error) {
  const simdjson::error_code simdjson_error = SimdjsonError(text);
  const bool simdjson_accepts = simdjson_error == simdjson::SUCCESS;
  if (!error.found && !simdjson_accepts && simdjson_error == simdjson::NUMBER_ERROR &&
      HasNumberBeyondSimdjsonLimits(text)) {
    return;
  }
  EXPECT_EQ(simdjson_accepts, !error.found)
      << "text: " << testing::PrintToString(std::string(text))
      << "\nscanner: " << (error.found ? error.what + " at byte " + std::to_string(error.offset) : "valid")
      << "\nsimdjson: " << simdjson::error_message(simdjson_error);
}

// "valid" or "<what> @<offset>", checked against simdjson on the way.
std::string Scan(std::string_view text, size_t max_depth = kDepth) {
  const JsonSyntaxError error = FindJsonSyntaxError(text, max_depth);
  if (max_depth == kDepth) ExpectAgreesWithSimdjson(text, error);
  if (!error.found) return "valid";
  return error.what + " @" + std::to_string(error.offset);
}

// ---- Valid documents ---------------------------------------------------------------------------------

TEST(JsonSyntaxError, ValidDocumentsHaveNone) {
  EXPECT_EQ(Scan("{}"), "valid");
  EXPECT_EQ(Scan("[]"), "valid");
  EXPECT_EQ(Scan(" \t\r\n[ ] \n"), "valid");
  EXPECT_EQ(Scan(R"({"a":{"b":{"c":[1,{"d":null}]}},"e":[],"f":{}})"), "valid");
  EXPECT_EQ(Scan(R"( { "a" : [ true , false , null ] , "b" : "x" } )"), "valid");
  EXPECT_EQ(Scan("0"), "valid");
  EXPECT_EQ(Scan("-0"), "valid");
  EXPECT_EQ(Scan("1e-7"), "valid");
  EXPECT_EQ(Scan("1E+2"), "valid");
  EXPECT_EQ(Scan("[-0.0, 0.5, -12.5e-3, 10E5, 123456789, 1e-400]"), "valid");
  EXPECT_EQ(Scan(" true "), "valid");
  EXPECT_EQ(Scan("null"), "valid");
  EXPECT_EQ(Scan(R"("")"), "valid");
  EXPECT_EQ(Scan(R"("\" \\ \/ \b \f \n \r \t")"), "valid");
  EXPECT_EQ(Scan(R"("\u0000 \u00e9 \u20AC \uFFFF")"), "valid");
  EXPECT_EQ(Scan(R"("\ud83d\ude00 \uDBFF\uDFFF \uD800\uDC00")"), "valid");
  EXPECT_EQ(Scan("\"\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf \xed\x9f\xbf \x7f\""), "valid");
  EXPECT_EQ(Scan(R"({"":"","a\u0062":[[[[]]]]})"), "valid");
}

// ---- One test per rule, with the offset of the first offending byte ----------------------------------

TEST(JsonSyntaxError, EmptyDocument) {
  EXPECT_EQ(Scan(""), "empty document @0");
  EXPECT_EQ(Scan(" \n\t\r"), "empty document @4");
}

TEST(JsonSyntaxError, UnexpectedEndOfInput) {
  EXPECT_EQ(Scan("["), "unexpected end of input @1");
  EXPECT_EQ(Scan("{"), "unexpected end of input @1");
  EXPECT_EQ(Scan("[1,"), "unexpected end of input @3");
  EXPECT_EQ(Scan("[1 "), "unexpected end of input @3");
  EXPECT_EQ(Scan(R"({"a")"), "unexpected end of input @4");
  EXPECT_EQ(Scan(R"({"a": )"), "unexpected end of input @6");
  EXPECT_EQ(Scan(R"({"a":1,)"), "unexpected end of input @7");
}

TEST(JsonSyntaxError, UnexpectedCharacter) {
  EXPECT_EQ(Scan("[,]"), "unexpected character ',' @1");
  EXPECT_EQ(Scan("[1,]"), "unexpected character ']' @3");
  EXPECT_EQ(Scan(R"({"a":1,})"), "unexpected character '}' @7");
  EXPECT_EQ(Scan("{]"), "unexpected character ']' @1");
  EXPECT_EQ(Scan("+1"), "unexpected character '+' @0");
  EXPECT_EQ(Scan(".5"), "unexpected character '.' @0");
  EXPECT_EQ(Scan("'a'"), "unexpected character ''' @0");
  EXPECT_EQ(Scan("True"), "unexpected character 'T' @0");
  EXPECT_EQ(Scan("[}"), "unexpected character '}' @1");
}

TEST(JsonSyntaxError, UnprintableBytesAreShownInHex) {
  EXPECT_EQ(Scan("\xff"), "unexpected byte 0xff @0");
  EXPECT_EQ(Scan("[\x01]"), "unexpected byte 0x01 @1");
  EXPECT_EQ(Scan("\0"sv), "unexpected byte 0x00 @0");
  EXPECT_EQ(Scan("\xef\xbb\xbf{}"), "unexpected byte 0xef @0");  // RFC 8259 §8.1: no byte order mark
  EXPECT_EQ(Scan("\"\\\x01\""), "invalid escape in a string: byte 0x01 after '\\' @2");
}

TEST(JsonSyntaxError, ExpectedColonAfterAnObjectKey) {
  EXPECT_EQ(Scan(R"({"a" 1})"), "expected ':' after an object key @5");
  EXPECT_EQ(Scan(R"({"a",1})"), "expected ':' after an object key @4");
  EXPECT_EQ(Scan(R"({"a"})"), "expected ':' after an object key @4");
}

TEST(JsonSyntaxError, ExpectedCommaOrBraceAfterAnObjectMember) {
  EXPECT_EQ(Scan(R"({"a":1 "b":2})"), "expected ',' or '}' after an object member @7");
  EXPECT_EQ(Scan(R"({"a":1])"), "expected ',' or '}' after an object member @6");
  EXPECT_EQ(Scan(R"({"a":"b":"c"})"), "expected ',' or '}' after an object member @8");
}

TEST(JsonSyntaxError, ExpectedCommaOrBracketAfterAnArrayElement) {
  EXPECT_EQ(Scan("[1 2]"), "expected ',' or ']' after an array element @3");
  EXPECT_EQ(Scan("[1}"), "expected ',' or ']' after an array element @2");
  EXPECT_EQ(Scan(R"(["a":1])"), "expected ',' or ']' after an array element @4");
  EXPECT_EQ(Scan("[[]{}]"), "expected ',' or ']' after an array element @3");
}

TEST(JsonSyntaxError, ObjectKeysMustBeStrings) {
  EXPECT_EQ(Scan("{a:1}"), "object keys must be strings @1");
  EXPECT_EQ(Scan(R"({"a":1, 2:3})"), "object keys must be strings @8");
  EXPECT_EQ(Scan("{[]:1}"), "object keys must be strings @1");
  EXPECT_EQ(Scan("{null:1}"), "object keys must be strings @1");
}

TEST(JsonSyntaxError, UnterminatedString) {
  EXPECT_EQ(Scan(R"("abc)"), "unterminated string @4");
  EXPECT_EQ(Scan(R"(["a\)"), "unterminated string @4");
  EXPECT_EQ(Scan(R"("a\")"), "unterminated string @4");
  EXPECT_EQ(Scan(R"("\u12)"), "unterminated string @5");
  EXPECT_EQ(Scan(R"("\ud800)"), "unterminated string @7");
  EXPECT_EQ(Scan(R"("\ud800\)"), "unterminated string @8");
  EXPECT_EQ(Scan("\"\xe2\x82"), "unterminated string @3");  // in the middle of a UTF-8 sequence
}

TEST(JsonSyntaxError, InvalidEscape) {
  EXPECT_EQ(Scan(R"("a\qb")"), "invalid escape '\\q' in a string @3");
  EXPECT_EQ(Scan(R"("\x41")"), "invalid escape '\\x' in a string @2");
  EXPECT_EQ(Scan(R"("\U0041")"), "invalid escape '\\U' in a string @2");
  EXPECT_EQ(Scan(R"("\')"), "invalid escape '\\'' in a string @2");
}

TEST(JsonSyntaxError, InvalidUnicodeEscape) {
  EXPECT_EQ(Scan(R"("\u12G4")"), "invalid \\u escape @5");
  EXPECT_EQ(Scan(R"("\u")"), "invalid \\u escape @3");
  EXPECT_EQ(Scan(R"("\u12")"), "invalid \\u escape @5");
  EXPECT_EQ(Scan(R"("\ud800\uZ")"), "invalid \\u escape @9");
  EXPECT_EQ(Scan(R"("\ud800\udcZ0")"), "invalid \\u escape @11");
}

TEST(JsonSyntaxError, UnpairedSurrogateInAUnicodeEscape) {
  // A high surrogate must be followed at once by \u and a low one; the offset is the first byte that
  // breaks the pair.
  EXPECT_EQ(Scan(R"("\ud800")"), "unpaired surrogate in a \\u escape @7");
  EXPECT_EQ(Scan(R"("\ud800x")"), "unpaired surrogate in a \\u escape @7");
  EXPECT_EQ(Scan(R"("\ud800\n")"), "unpaired surrogate in a \\u escape @8");
  EXPECT_EQ(Scan(R"("\ud800\u0041")"), "unpaired surrogate in a \\u escape @9");
  EXPECT_EQ(Scan(R"("\ud800\ud800")"), "unpaired surrogate in a \\u escape @10");
  // A low surrogate alone: its second digit (C-F after D) is what makes it one.
  EXPECT_EQ(Scan(R"("\udc00")"), "unpaired surrogate in a \\u escape @4");
  EXPECT_EQ(Scan(R"("\uDFFF")"), "unpaired surrogate in a \\u escape @4");
  EXPECT_EQ(Scan(R"("\ude00\ud83d")"), "unpaired surrogate in a \\u escape @4");
}

TEST(JsonSyntaxError, ControlCharacterInAString) {
  EXPECT_EQ(Scan("\"a\nb\""), "control character U+000A in a string (must be escaped) @2");
  EXPECT_EQ(Scan("\"\t\""), "control character U+0009 in a string (must be escaped) @1");
  EXPECT_EQ(Scan("\"\x1f\""), "control character U+001F in a string (must be escaped) @1");
  EXPECT_EQ(Scan("[\"\0\"]"sv), "control character U+0000 in a string (must be escaped) @2");
}

TEST(JsonSyntaxError, InvalidNumber) {
  EXPECT_EQ(Scan("01"), "invalid number @1");
  EXPECT_EQ(Scan("-01"), "invalid number @2");
  EXPECT_EQ(Scan("-"), "invalid number @1");
  EXPECT_EQ(Scan("-a"), "invalid number @1");
  EXPECT_EQ(Scan("[-]"), "invalid number @2");
  EXPECT_EQ(Scan("1."), "invalid number @2");
  EXPECT_EQ(Scan("1.e5"), "invalid number @2");
  EXPECT_EQ(Scan("1e"), "invalid number @2");
  EXPECT_EQ(Scan("1e+"), "invalid number @3");
  EXPECT_EQ(Scan("1e+-1"), "invalid number @3");
  EXPECT_EQ(Scan("[1.5.3]"), "invalid number @4");
  EXPECT_EQ(Scan("0x1f"), "invalid number @1");
  EXPECT_EQ(Scan("[1a]"), "invalid number @2");
  EXPECT_EQ(Scan("1e5e"), "invalid number @3");
  EXPECT_EQ(Scan("- 1"), "invalid number @1");
}

TEST(JsonSyntaxError, InvalidLiteral) {
  EXPECT_EQ(Scan("tru"), "invalid literal @3");
  EXPECT_EQ(Scan("[nul]"), "invalid literal @4");
  EXPECT_EQ(Scan("fals"), "invalid literal @4");
  EXPECT_EQ(Scan("nulL"), "invalid literal @3");
  EXPECT_EQ(Scan("truex"), "invalid literal @4");
  EXPECT_EQ(Scan("[false1]"), "invalid literal @6");
}

TEST(JsonSyntaxError, InvalidUtf8) {
  // RFC 3629 §4; the offset is the first byte that cannot continue a valid sequence.
  EXPECT_EQ(Scan("\"\x80\""), "invalid UTF-8 @1");              // a continuation byte alone
  EXPECT_EQ(Scan("\"\xc0\x80\""), "invalid UTF-8 @1");          // overlong U+0000
  EXPECT_EQ(Scan("\"\xc1\xbf\""), "invalid UTF-8 @1");          // overlong U+007F
  EXPECT_EQ(Scan("\"\xe0\x9f\xbf\""), "invalid UTF-8 @2");      // overlong U+07FF
  EXPECT_EQ(Scan("\"\xed\xa0\x80\""), "invalid UTF-8 @2");      // U+D800, a surrogate
  EXPECT_EQ(Scan("\"\xf0\x8f\xbf\xbf\""), "invalid UTF-8 @2");  // overlong U+FFFF
  EXPECT_EQ(Scan("\"\xf4\x90\x80\x80\""), "invalid UTF-8 @2");  // U+110000
  EXPECT_EQ(Scan("\"\xf5\x80\x80\x80\""), "invalid UTF-8 @1");
  EXPECT_EQ(Scan("\"\xff\""), "invalid UTF-8 @1");
  EXPECT_EQ(Scan("\"\xc3(\""), "invalid UTF-8 @2");  // a lead byte without its continuation
  EXPECT_EQ(Scan("\"\xe2\x82\""), "invalid UTF-8 @3");
}

TEST(JsonSyntaxError, TrailingContentAfterTheJsonValue) {
  EXPECT_EQ(Scan("1 2"), "trailing content after the JSON value @2");
  EXPECT_EQ(Scan("{} x"), "trailing content after the JSON value @3");
  EXPECT_EQ(Scan("[]]"), "trailing content after the JSON value @2");
  EXPECT_EQ(Scan("\"a\"\"b\""), "trailing content after the JSON value @3");
  EXPECT_EQ(Scan("[1]\0"sv), "trailing content after the JSON value @3");
}

TEST(JsonSyntaxError, NestingDeeperThanMaxDepth) {
  EXPECT_EQ(Scan("[[[]]]", 3), "valid");
  EXPECT_EQ(Scan("[[[[]]]]", 3), "nesting deeper than 3 @3");
  EXPECT_EQ(Scan(R"({"a":[{"b":[]}]})", 3), "nesting deeper than 3 @11");
  EXPECT_EQ(Scan("[]", 0), "nesting deeper than 0 @0");
  EXPECT_EQ(Scan("1", 0), "valid");
  // simdjson's own limit, from both sides.
  EXPECT_EQ(Scan(std::string(kDepth, '[') + std::string(kDepth, ']')), "valid");
  EXPECT_EQ(Scan(std::string(kDepth + 1, '[') + std::string(kDepth + 1, ']')),
            "nesting deeper than 1024 @1024");
}

// ---- Messages ----------------------------------------------------------------------------------------

TEST(JsonSyntaxError, DescribeSaysWhatAndWhere) {
  EXPECT_EQ(DescribeJsonSyntaxError(R"({"a" 1})", kDepth, "TAPE_ERROR"),
            "expected ':' after an object key at byte 5");
  EXPECT_EQ(DescribeJsonSyntaxError("", kDepth, "EMPTY"), "empty document at byte 0");
}

TEST(JsonSyntaxError, DescribeFallsBackWhenTheTextIsValid) {
  EXPECT_EQ(DescribeJsonSyntaxError("[1]", kDepth, "capacity exceeded"), "capacity exceeded");
}

// Valid JSON that simdjson refuses for its own number limits: the number is named with its position.
TEST(JsonSyntaxError, DescribeNamesNumbersOutOfSimdjsonsRange) {
  for (std::string_view text : {"[1e400]"sv, "[123456789012345678901234567890]"sv, "[-9223372036854775809]"sv,
                                "[18446744073709551616]"sv}) {
    EXPECT_NE(SimdjsonError(text), simdjson::SUCCESS) << text;
    EXPECT_EQ(DescribeJsonSyntaxError(text, kDepth, "NUMBER_ERROR"),
              "number out of range (64-bit integers and doubles only) at byte 1")
        << text;
  }
  EXPECT_EQ(DescribeJsonSyntaxError(R"({"1e999":"1e999","n":-1e999})", kDepth, "x"),
            "number out of range (64-bit integers and doubles only) at byte 21");
}

TEST(JsonSyntaxError, LineAndColumnAreOneBased) {
  const std::string_view text = "{\n  \"a\" 1\r\n}";
  EXPECT_EQ(LineAndColumn(text, 0), "line 1, column 1");
  EXPECT_EQ(LineAndColumn(text, 1), "line 1, column 2");  // the '\n' ends line 1
  EXPECT_EQ(LineAndColumn(text, 2), "line 2, column 1");
  EXPECT_EQ(LineAndColumn(text, 8), "line 2, column 7");
  EXPECT_EQ(LineAndColumn(text, FindJsonSyntaxError(text, kDepth).offset), "line 2, column 7");
  EXPECT_EQ(LineAndColumn(text, 11), "line 3, column 1");
  EXPECT_EQ(LineAndColumn(text, text.size()), "line 3, column 2");
  EXPECT_EQ(LineAndColumn(text, 1000), "line 3, column 2");  // clamped to the end
  EXPECT_EQ(LineAndColumn("", 0), "line 1, column 1");
}

// ---- Hostile inputs ----------------------------------------------------------------------------------

TEST(JsonSyntaxError, MillionDeepNestingStopsAtTheLimit) {
  const std::string open(1'000'000, '[');
  EXPECT_EQ(Scan(open, 1024), "nesting deeper than 1024 @1024");
  EXPECT_EQ(Scan(open + std::string(1'000'000, ']'), 1024), "nesting deeper than 1024 @1024");
  // No limit at all: still no recursion, and every level is remembered.
  const size_t unlimited = SIZE_MAX;
  EXPECT_EQ(Scan(open, unlimited), "unexpected end of input @1000000");
  EXPECT_EQ(Scan(open + std::string(1'000'000, ']'), unlimited), "valid");
  EXPECT_EQ(Scan(open + std::string(999'999, ']') + "}", unlimited),
            "expected ',' or ']' after an array element @1999999");
}

// Alternating arrays and objects far beyond the levels kept inline, so that every level's kind must
// come back right when it closes.
TEST(JsonSyntaxError, DeepMixedNestingRemembersEachLevel) {
  constexpr size_t kLevels = 100'000;
  std::string text;
  for (size_t i = 0; i < kLevels; ++i) text += i % 3 == 0 ? R"({"k":)" : "[";
  std::string closing;
  for (size_t i = kLevels; i-- > 0;) closing += i % 3 == 0 ? "}" : "]";
  EXPECT_EQ(Scan(text + "0" + closing, kLevels), "valid");
  EXPECT_EQ(Scan(text + "0" + closing, kLevels - 1),
            "nesting deeper than 99999 @" + std::to_string(text.size() - 5));
  // The wrong closer at one level deep inside, swapped on the way out.
  std::string swapped = closing;
  const size_t at = 60'000;  // closes level kLevels - 1 - at, an object since that index is 39999 = 3·13333
  ASSERT_EQ(swapped[at], '}');
  swapped[at] = ']';
  EXPECT_EQ(Scan(text + "0" + swapped, kLevels),
            "expected ',' or '}' after an object member @" + std::to_string(text.size() + 1 + at));
}

TEST(JsonSyntaxError, TenMegabyteString) {
  const std::string body(10 << 20, 'a');
  const std::string valid = "\"" + body + "\"";
  EXPECT_EQ(Scan(valid), "valid");
  EXPECT_EQ(Scan("\"" + body), "unterminated string @" + std::to_string(body.size() + 1));
  EXPECT_EQ(Scan("\"" + body + "\n\""),
            "control character U+000A in a string (must be escaped) @" + std::to_string(body.size() + 1));
}

// A valid document with a bit of everything, to truncate and mutate.
constexpr std::string_view kDocument =
    "{\"name\": \"caf\xc3\xa9 \\u00e9\\ud83d\\ude00\", \"n\": [-0, 1e-7, 1E+2, -12.5e-3, 0.5],"
    " \"flags\": {\"on\": true, \"off\": false, \"none\": null}, \"empty\": [[], {}], \"esc\": "
    "\"\\\"\\\\/\"}";

// Every proper prefix of a document that opens with a bracket is invalid, and the error is at or
// before the cut.
TEST(JsonSyntaxError, EveryTruncationOfAValidDocumentIsAnError) {
  ASSERT_EQ(Scan(kDocument), "valid");
  for (size_t length = 0; length < kDocument.size(); ++length) {
    const std::string_view prefix = kDocument.substr(0, length);
    const JsonSyntaxError error = FindJsonSyntaxError(prefix, kDepth);
    EXPECT_TRUE(error.found) << "length " << length;
    EXPECT_LE(error.offset, length) << "length " << length;
    ExpectAgreesWithSimdjson(prefix, error);
  }
}

// The offset is the first byte no valid document could have there, so the text before it is a prefix
// of some valid document: scanning just that prefix finds nothing wrong before its end.
void ExpectNothingWrongBeforeTheOffset(std::string_view text, const JsonSyntaxError& error) {
  if (!error.found || error.what.starts_with("nesting deeper")) return;
  ASSERT_LE(error.offset, text.size());
  const JsonSyntaxError prefix_error = FindJsonSyntaxError(text.substr(0, error.offset), kDepth);
  if (prefix_error.found) {
    EXPECT_EQ(prefix_error.offset, error.offset)
        << testing::PrintToString(std::string(text)) << ": " << error.what << " / " << prefix_error.what;
  }
}

TEST(JsonSyntaxError, SingleByteEditsAgreeWithSimdjson) {
  const std::string_view replacements = "{}[],:\" \\tfnrue0123456789-+.Eabdu\x01\x7f\x80\xc3\xed\xff";
  size_t changed = 0;
  for (size_t i = 0; i < kDocument.size(); ++i) {
    for (char replacement : replacements) {
      std::string text(kDocument);
      text[i] = replacement;
      const JsonSyntaxError error = FindJsonSyntaxError(text, kDepth);
      ExpectAgreesWithSimdjson(text, error);
      ExpectNothingWrongBeforeTheOffset(text, error);
      ++changed;
    }
    std::string deleted(kDocument);
    deleted.erase(i, 1);
    const JsonSyntaxError error = FindJsonSyntaxError(deleted, kDepth);
    ExpectAgreesWithSimdjson(deleted, error);
    ExpectNothingWrongBeforeTheOffset(deleted, error);
  }
  EXPECT_GT(changed, 1000u);
}

TEST(JsonSyntaxError, RandomBytesNeverCrash) {
  std::mt19937_64 rng(20240611);
  // A third of the inputs from all 256 byte values, a third from JSON's own bytes, which get further,
  // and a third are the valid document with a few random edits, which get deepest.
  const std::string_view json_bytes = "{}[],:\"\\ \n0123456789-+.eEtruefalsnul\\u\\ud83d\\ude00\xc3\xa9";
  size_t found = 0;
  constexpr int kInputs = 30'000;
  for (int n = 0; n < kInputs; ++n) {
    std::string text;
    if (n % 3 == 2) {
      text = kDocument;
      for (int edits = 1 + static_cast<int>(rng() % 4); edits > 0; --edits) {
        const size_t at = rng() % text.size();
        const char byte = json_bytes[rng() % json_bytes.size()];
        switch (rng() % 3) {
          case 0:
            text[at] = byte;
            break;
          case 1:
            text.insert(text.begin() + at, byte);
            break;
          default:
            text.erase(at, 1);
            break;
        }
      }
    } else {
      text.resize(rng() % 48);
      for (char& c : text) c = n % 3 == 0 ? static_cast<char>(rng()) : json_bytes[rng() % json_bytes.size()];
    }
    const JsonSyntaxError error = FindJsonSyntaxError(text, kDepth);
    ASSERT_LE(error.offset, text.size());
    ExpectAgreesWithSimdjson(text, error);
    ExpectNothingWrongBeforeTheOffset(text, error);
    found += error.found;
    // A small depth limit on the same inputs exercises that path as well.
    ASSERT_LE(FindJsonSyntaxError(text, 2).offset, text.size());
  }
  EXPECT_GT(found, kInputs / 2u);
}

}  // namespace
}  // namespace json_syntax_error_test
}  // namespace logdaemon::schema
