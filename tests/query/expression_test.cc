// The --where expression language (docs/query-expressions.md): parsing and precedence, every operator,
// SQL's three-valued logic, LIKE / ILIKE on characters, timestamps, JSON paths and the _extra fallback,
// bind and syntax errors with their exact columns, hostile input, row-group pruning (with a property test:
// pruning never drops a group holding a match) and the dictionary helpers.
#include "query/expression.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "query/expr_compare.h"
#include "query/expr_like.h"
#include "query/expr_unicode.h"

namespace logdaemon::query {
namespace expression_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using namespace std::string_literals;

// Concatenation without `"literal" + std::string` (GCC 12 reports a false -Wrestrict on it).
std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view part : parts) out.append(part);
  return out;
}

// ---- The table every test queries ---------------------------------------------------------------------

enum Column {
  kTimestamp,
  kLevel,
  kMessage,
  kService,
  kStatus,
  kLatency,
  kOk,
  kMetadata,
  kExtra,
  kAny,
  kP,
  kQ,
  kWeird,
  kMetier,
  kColumnCount
};

std::vector<ColumnInfo> Columns() {
  return {{"timestamp", ValueType::kTimestamp},
          {"level", ValueType::kString},
          {"message", ValueType::kString},
          {"service", ValueType::kString},
          {"status", ValueType::kInt64},
          {"latency", ValueType::kDouble},
          {"ok", ValueType::kBool},
          {"metadata", ValueType::kJson},
          {"_extra", ValueType::kJson},
          {"any", ValueType::kJson},
          {"p", ValueType::kBool},
          {"q", ValueType::kBool},
          {"Weird.Name", ValueType::kString},
          {"métier", ValueType::kString}};
}

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;
// 2026-01-15T00:00:00Z
constexpr int64_t kJan15 = 20'468 * kMicrosPerDay;

// One row: every column null until set.
struct Row {
  std::vector<Value> values = std::vector<Value>(kColumnCount);
  Row& Set(Column column, Value value) {
    values[column] = value;
    return *this;
  }
};

Row SampleRow() {
  static const std::string metadata =
      R"({"http":{"status":503,"method":"GET"},"tags":["a","b"],"ratio":0.5,"flag":true,"nothing":null,)"
      R"("code":"500","big":18446744073709551615,"esc\"aped":1,"caf\u00e9":2,"0":"zero","in":"keyword"})";
  static const std::string extra = R"({"user":{"id":5,"name":"Zoë"},"method":"GET","expected":503})";
  Row row;
  row.Set(kTimestamp, Value::Timestamp(kJan15 + 10 * 3600 * kMicrosPerSecond))  // 10:00Z
      .Set(kLevel, Value::String("error"))
      .Set(kMessage, Value::String("NullPointerException at Foo.bar"))
      .Set(kService, Value::String("api"))
      .Set(kStatus, Value::Int64(503))
      .Set(kLatency, Value::Double(12.5))
      .Set(kOk, Value::Bool(false))
      .Set(kMetadata, Value::Json(metadata))
      .Set(kExtra, Value::Json(extra))
      .Set(kMetier, Value::String("développeur"));
  return row;
}

std::unique_ptr<Expression> MustCompile(std::string_view text) {
  auto compiled = Expression::Compile(text, Columns());
  EXPECT_TRUE(compiled.ok()) << text << ": " << compiled.status().ToString();
  if (!compiled.ok()) return nullptr;
  return std::move(compiled).value();
}

bool Matches(std::string_view text, const Row& row) {
  auto expression = MustCompile(text);
  if (expression == nullptr) return false;
  EvalScratch scratch;
  return expression->Matches(ValueRow(row.values), &scratch);
}

// The truth value of `text` on `row`: 'T', 'F' or 'U' (neither it nor its negation matches).
char Truth(std::string_view text, const Row& row) {
  const bool is_true = Matches(text, row);
  const bool is_false = Matches("NOT ("s.append(text).append(")"), row);
  EXPECT_FALSE(is_true && is_false) << text;
  return is_true ? 'T' : (is_false ? 'F' : 'U');
}

// The message of the error compiling `text` ("" when it compiles), and where it points.
std::string CompileError(std::string_view text, size_t* offset = nullptr) {
  size_t error_offset = 12345;
  auto compiled = Expression::Compile(text, Columns(), &error_offset);
  if (compiled.ok()) return "";
  EXPECT_NE(error_offset, 12345u) << text;
  if (offset != nullptr) *offset = error_offset;
  return compiled.status().message();
}

std::string Normalized(std::string_view text) {
  auto parsed = Expression::Parse(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.status().ToString();
  return parsed.ok() ? (*parsed)->ToString() : "";
}

// ---- Parsing ------------------------------------------------------------------------------------------

TEST(ExpressionParse, NotBindsTighterThanAndWhichBindsTighterThanOr) {
  EXPECT_EQ(Normalized("a = 1 OR b = 2 AND c = 3"), "a = 1 OR b = 2 AND c = 3");
  EXPECT_EQ(Normalized("(a = 1 OR b = 2) AND c = 3"), "(a = 1 OR b = 2) AND c = 3");
  EXPECT_EQ(Normalized("((a = 1))"), "a = 1");
  EXPECT_EQ(Normalized("NOT a = 1 AND b = 2"), "NOT (a = 1) AND b = 2");
  EXPECT_EQ(Normalized("NOT (a = 1 AND b = 2)"), "NOT (a = 1 AND b = 2)");
  EXPECT_EQ(Normalized("NOT NOT p"), "NOT NOT p");
  EXPECT_EQ(Normalized("a = 1 AND (b = 2 AND c = 3)"), "a = 1 AND b = 2 AND c = 3");

  // The same, by evaluation: p OR q AND FALSE is p OR (q AND FALSE).
  Row row;
  row.Set(kP, Value::Bool(true)).Set(kQ, Value::Bool(true));
  EXPECT_TRUE(Matches("p OR q AND FALSE", row));
  EXPECT_FALSE(Matches("(p OR q) AND FALSE", row));
  EXPECT_FALSE(Matches("NOT p AND q", row));  // (NOT p) AND q
  EXPECT_TRUE(Matches("NOT p OR q", row));    // (NOT p) OR q
}

TEST(ExpressionParse, KeywordsIgnoreCaseAndOperatorsHaveOneSpelling) {
  EXPECT_EQ(Normalized("x in (1,2) and not y like 'a%' or z is not null"),
            "x IN (1, 2) AND NOT (y LIKE 'a%') OR z IS NOT NULL");
  EXPECT_EQ(Normalized("x <> 1 AND y == 2 AND z != 3"), "x != 1 AND y = 2 AND z != 3");
  EXPECT_EQ(Normalized("x NOT IN (1) AND y NOT ILIKE 'a' ESCAPE '!' AND z IS NULL"),
            "x NOT IN (1) AND y NOT ILIKE 'a' ESCAPE '!' AND z IS NULL");
  EXPECT_EQ(Normalized("x>=-5 and y<2.5e3 and z<=-0.25"), "x >= -5 AND y < 2500.0 AND z <= -0.25");
  EXPECT_EQ(Normalized("TRUE and false and Null is null"), "TRUE AND FALSE AND NULL IS NULL");
}

TEST(ExpressionParse, NamesPathsAndQuotes) {
  EXPECT_EQ(Normalized("metadata.http.status >= 500"), "metadata.http.status >= 500");
  EXPECT_EQ(Normalized("\"odd name\".\"a b\" = 1"), "\"odd name\".\"a b\" = 1");
  EXPECT_EQ(Normalized("`back``tick` = 1"), "\"back`tick\" = 1");
  EXPECT_EQ(Normalized("\"say \"\"hi\"\"\" = 'it''s'"), "\"say \"\"hi\"\"\" = 'it''s'");
  EXPECT_EQ(Normalized("\"and\" = 1"), "\"and\" = 1");  // a reserved word as a name needs quotes
  EXPECT_EQ(Normalized("tags.0 = 'a' AND tags[1] = 'b' AND m.\"0\" = 1"),
            "tags.0 = 'a' AND tags[1] = 'b' AND m.\"0\" = 1");
  EXPECT_EQ(Normalized("metadata.in = 1 AND metadata.NULL = 2"), "metadata.in = 1 AND metadata.NULL = 2");
  EXPECT_EQ(Normalized("métier = 'x'"), "métier = 'x'");
  EXPECT_EQ(Normalized("'日本語' = x"), "'日本語' = x");
  EXPECT_EQ(Normalized("x = 99999999999999999999"), "x = 1e+20");  // beyond int64: a double
}

// ---- Operators ----------------------------------------------------------------------------------------

TEST(ExpressionEval, ComparisonsOnEveryColumnType) {
  const Row row = SampleRow();
  EXPECT_EQ(Truth("level = 'error'", row), 'T');
  EXPECT_EQ(Truth("level != 'error'", row), 'F');
  EXPECT_EQ(Truth("level <> 'warn'", row), 'T');
  EXPECT_EQ(Truth("level < 'f'", row), 'T');
  EXPECT_EQ(Truth("level <= 'error'", row), 'T');
  EXPECT_EQ(Truth("level > 'error'", row), 'F');
  EXPECT_EQ(Truth("level >= 'error'", row), 'T');
  EXPECT_EQ(Truth("status = 503", row), 'T');
  EXPECT_EQ(Truth("status > 500 AND status < 504", row), 'T');
  EXPECT_EQ(Truth("status >= 503.5", row), 'F');
  EXPECT_EQ(Truth("status = 503.0", row), 'T');
  EXPECT_EQ(Truth("latency = 12.5", row), 'T');
  EXPECT_EQ(Truth("latency > 12", row), 'T');
  EXPECT_EQ(Truth("latency < -1", row), 'F');
  EXPECT_EQ(Truth("ok = FALSE", row), 'T');
  EXPECT_EQ(Truth("ok", row), 'F');
  EXPECT_EQ(Truth("NOT ok", row), 'T');
  EXPECT_EQ(Truth("ok < TRUE", row), 'T');
  EXPECT_EQ(Truth("503 = status", row), 'T');  // a literal on the left
  EXPECT_EQ(Truth("status = status", row), 'T');
  EXPECT_EQ(Truth("level = service", row), 'F');
  EXPECT_EQ(Truth("1 = 1", row), 'T');
  EXPECT_EQ(Truth("'a' < 'b'", row), 'T');
}

TEST(ExpressionEval, StringsCompareByteWiseWhichIsCodePointOrder) {
  Row row;
  row.Set(kLevel, Value::String("é"));  // U+00E9: after every ASCII letter, before U+4E00
  EXPECT_EQ(Truth("level > 'z'", row), 'T');
  EXPECT_EQ(Truth("level < '一'", row), 'T');
  EXPECT_EQ(Truth("level = 'é'", row), 'T');
  EXPECT_EQ(Truth("level = 'É'", row), 'F');
}

TEST(ExpressionEval, IntegersAndDoublesCompareExactly) {
  Row row;
  row.Set(kStatus, Value::Int64(9007199254740993));  // 2^53 + 1: not a double
  EXPECT_EQ(Truth("status > 9007199254740992.0", row), 'T');
  EXPECT_EQ(Truth("status = 9007199254740992.0", row), 'F');
  row.Set(kStatus, Value::Int64(INT64_MAX));
  EXPECT_EQ(Truth("status < 9223372036854775808.0", row), 'T');
  EXPECT_EQ(Truth("status < 99999999999999999999", row), 'T');
  row.Set(kStatus, Value::Int64(INT64_MIN));
  EXPECT_EQ(Truth("status = -9223372036854775808", row), 'T');
  EXPECT_EQ(Truth("status > -9223372036854775809", row), 'F');  // read as a double: -2^63, equal
  row.Set(kStatus, Value::Int64(-3));
  EXPECT_EQ(Truth("status < -2.5", row), 'T');
  EXPECT_EQ(Truth("status > -3.5", row), 'T');
  row.Set(kLatency, Value::Double(std::numeric_limits<double>::quiet_NaN()));
  EXPECT_EQ(Truth("latency = 1", row), 'U');  // NaN has no order: unknown
  EXPECT_EQ(Truth("latency != 1", row), 'U');
}

TEST(ExpressionEval, InListsWithMixedNumbersAndNull) {
  const Row row = SampleRow();
  EXPECT_EQ(Truth("status IN (200, 503)", row), 'T');
  EXPECT_EQ(Truth("status IN (200, 503.0)", row), 'T');
  EXPECT_EQ(Truth("status IN (200.5, 404)", row), 'F');
  EXPECT_EQ(Truth("status NOT IN (200, 404)", row), 'T');
  EXPECT_EQ(Truth("latency IN (1, 12.5)", row), 'T');
  EXPECT_EQ(Truth("latency IN (12, 13)", row), 'F');
  EXPECT_EQ(Truth("level IN ('warn', 'error')", row), 'T');
  EXPECT_EQ(Truth("level IN ('ERROR')", row), 'F');
  // SQL: x IN (…, NULL) is TRUE on a match, else unknown; NOT IN with a NULL is never TRUE.
  EXPECT_EQ(Truth("status IN (503, NULL)", row), 'T');
  EXPECT_EQ(Truth("status IN (1, NULL)", row), 'U');
  EXPECT_EQ(Truth("status NOT IN (1, NULL)", row), 'U');
  EXPECT_EQ(Truth("status NOT IN (503, NULL)", row), 'F');
  Row nulls;
  EXPECT_EQ(Truth("status IN (1, 2)", nulls), 'U');
  EXPECT_EQ(Truth("status NOT IN (1, 2)", nulls), 'U');
  EXPECT_EQ(Truth("timestamp IN ('2026-01-15T10:00:00Z', '2026-01-16')", row), 'T');
}

TEST(ExpressionEval, LongInListsAreSearchedLikeShortOnes) {
  std::string numbers;
  std::string strings;
  for (int i = 0; i < 200; i += 3) {
    numbers.append(numbers.empty() ? "" : ", ").append(std::to_string(i));
    strings.append(strings.empty() ? "'" : ", '").append(std::to_string(i)).append("'");
  }
  numbers.append(", 100.5");  // a double among the integers
  auto in_numbers = MustCompile(Cat({"status IN (", numbers, ")"}));
  auto not_in_strings = MustCompile(Cat({"level NOT IN (", strings, ")"}));
  auto in_with_null = MustCompile(Cat({"status IN (", numbers, ", NULL)"}));
  ASSERT_TRUE(in_numbers && not_in_strings && in_with_null);
  for (int i = -5; i < 210; ++i) {
    Row row;
    const std::string text = std::to_string(i);
    row.Set(kStatus, Value::Int64(i)).Set(kLevel, Value::String(text));
    const bool listed = i >= 0 && i < 200 && i % 3 == 0;
    EXPECT_EQ(in_numbers->Matches(ValueRow(row.values), nullptr), listed) << i;
    EXPECT_EQ(not_in_strings->Matches(ValueRow(row.values), nullptr), !listed) << i;
    EXPECT_EQ(in_with_null->Matches(ValueRow(row.values), nullptr), listed) << i;
  }
  Row row;
  row.Set(kStatus, Value::Double(100.5));  // a scan of another schema version: still found
  EXPECT_TRUE(in_numbers->Matches(ValueRow(row.values), nullptr));
}

TEST(ExpressionEval, IsNullAndIsNotNull) {
  const Row row = SampleRow();
  EXPECT_EQ(Truth("service IS NULL", row), 'F');
  EXPECT_EQ(Truth("service IS NOT NULL", row), 'T');
  Row nulls;
  EXPECT_EQ(Truth("service IS NULL", nulls), 'T');
  EXPECT_EQ(Truth("service IS NOT NULL", nulls), 'F');
  EXPECT_EQ(Truth("NULL IS NULL", nulls), 'T');
}

// ---- Three-valued logic -------------------------------------------------------------------------------

TEST(ExpressionEval, KleeneTruthTables) {
  const Value values[3] = {Value::Bool(true), Value::Bool(false), Value::Null()};
  const char names[3] = {'T', 'F', 'U'};
  // Rows: p; columns: q.
  const char* kAnd[3] = {"TFU", "FFF", "UFU"};
  const char* kOr[3] = {"TTT", "TFU", "TUU"};
  for (int p = 0; p < 3; ++p) {
    Row row;
    row.Set(kP, values[p]);
    EXPECT_EQ(Truth("NOT p", row), names[p] == 'U' ? 'U' : (names[p] == 'T' ? 'F' : 'T'));
    for (int q = 0; q < 3; ++q) {
      row.Set(kQ, values[q]);
      EXPECT_EQ(Truth("p AND q", row), kAnd[p][q]) << names[p] << " AND " << names[q];
      EXPECT_EQ(Truth("p OR q", row), kOr[p][q]) << names[p] << " OR " << names[q];
      EXPECT_EQ(Truth("p AND q AND p", row), kAnd[p][q]);
    }
  }
}

TEST(ExpressionEval, ComparisonsWithNullAreUnknown) {
  const Row row = SampleRow();
  for (const char* text : {"status = NULL", "status != NULL", "NULL = NULL", "status < NULL",
                           "status IN (NULL)", "NULL LIKE 'a'", "NULL"}) {
    EXPECT_EQ(Truth(text, row), 'U') << text;
  }
  Row nulls;
  EXPECT_EQ(Truth("status = 1", nulls), 'U');
  EXPECT_EQ(Truth("status != 1", nulls), 'U');
  EXPECT_EQ(Truth("level LIKE '%'", nulls), 'U');
  EXPECT_EQ(Truth("level NOT LIKE '%'", nulls), 'U');
  EXPECT_EQ(Truth("ok", nulls), 'U');
  EXPECT_EQ(Truth("status = 1 OR TRUE", nulls), 'T');
  EXPECT_EQ(Truth("status = 1 AND FALSE", nulls), 'F');
}

// ---- LIKE and ILIKE -----------------------------------------------------------------------------------

bool Like(std::string_view text, std::string_view pattern, bool case_insensitive = false,
          uint32_t escape = 0) {
  expr::LikePattern like;
  std::string error;
  EXPECT_TRUE(like.Compile(pattern, case_insensitive, escape, &error)) << pattern << ": " << error;
  return like.Matches(text);
}

TEST(LikePattern, PercentAndUnderscore) {
  EXPECT_TRUE(Like("", ""));
  EXPECT_FALSE(Like("a", ""));
  EXPECT_TRUE(Like("", "%"));
  EXPECT_TRUE(Like("anything", "%"));
  EXPECT_TRUE(Like("", "%%"));
  EXPECT_FALSE(Like("", "_"));
  EXPECT_TRUE(Like("a", "_"));
  EXPECT_FALSE(Like("ab", "_"));
  EXPECT_TRUE(Like("abc", "abc"));
  EXPECT_FALSE(Like("abcd", "abc"));
  EXPECT_FALSE(Like("xabc", "abc"));
  EXPECT_TRUE(Like("abc", "a%"));
  EXPECT_TRUE(Like("abc", "%c"));
  EXPECT_TRUE(Like("abc", "%b%"));
  EXPECT_FALSE(Like("abc", "%d%"));
  EXPECT_TRUE(Like("abc", "a_c"));
  EXPECT_TRUE(Like("axxbyyc", "a%b%c"));
  EXPECT_FALSE(Like("acb", "a%b%c"));
  EXPECT_TRUE(Like("aaa", "%a%a%a%"));
  EXPECT_FALSE(Like("aa", "%a%a%a%"));
  EXPECT_TRUE(Like("abab", "%ab"));
  EXPECT_TRUE(Like("mississippi", "%iss%ppi"));
  EXPECT_TRUE(Like("mississippi", "m%i_s%i"));
  EXPECT_TRUE(Like("NullPointerException at x", "%Exception%"));
  EXPECT_FALSE(Like("NullPointerException at x", "%exception%"));
}

TEST(LikePattern, UnderscoreIsOneCharacterNotOneByte) {
  EXPECT_TRUE(Like("é", "_"));
  EXPECT_TRUE(Like("日本", "__"));
  EXPECT_FALSE(Like("日本", "_"));
  EXPECT_FALSE(Like("日本", "___"));
  EXPECT_TRUE(Like("aéc", "a_c"));
  EXPECT_TRUE(Like("😀x", "_x"));
  EXPECT_TRUE(Like("x😀", "%_"));
  EXPECT_TRUE(Like("xé", "%é"));
  EXPECT_TRUE(Like("éé", "%_é"));
  EXPECT_FALSE(Like("é", "%__"));
  EXPECT_TRUE(Like("ab日本cd", "ab%cd"));
  EXPECT_TRUE(Like("ab日本cd", "%_本_%"));
  // A byte that is not UTF-8 in the text is one character of its own.
  EXPECT_TRUE(
      Like("a\xFF"
           "b",
           "a_b"));
  EXPECT_TRUE(
      Like("a\xE2\x82"
           "b",
           "a__b"));  // a truncated sequence: two characters
  EXPECT_TRUE(Like("\xE2\x82", "%_"));
  EXPECT_TRUE(Like("\x82\xE2\x82\xAC", "_€"));  // a stray continuation byte, then €
}

TEST(LikePattern, RegexAndGlobCharactersAreNotSpecial) {
  EXPECT_TRUE(Like("a.c", "a.c"));
  EXPECT_FALSE(Like("abc", "a.c"));
  EXPECT_TRUE(Like("a*c", "a*c"));
  EXPECT_FALSE(Like("abbc", "ab*c"));
  EXPECT_TRUE(Like("[x]", "[x]"));
  EXPECT_FALSE(Like("x", "[x]"));
  EXPECT_TRUE(Like("a\\b", "a\\b"));  // no escape character unless ESCAPE gives one
  EXPECT_TRUE(Like("a\\%", "a\\%"));
  EXPECT_TRUE(Like("a\\xyz", "a\\%"));
  EXPECT_TRUE(Like("^$(|)+?{}", "^$(|)+?{}"));
}

TEST(LikePattern, EscapeMakesWildcardsLiteral) {
  EXPECT_TRUE(Like("100%", "100!%", false, '!'));
  EXPECT_FALSE(Like("1000", "100!%", false, '!'));
  EXPECT_TRUE(Like("a_b", "a!_b", false, '!'));
  EXPECT_FALSE(Like("axb", "a!_b", false, '!'));
  EXPECT_TRUE(Like("a!b", "a!!b", false, '!'));
  EXPECT_TRUE(Like("50% off", "%!%%", false, '!'));
  expr::LikePattern like;
  std::string error;
  EXPECT_FALSE(like.Compile("abc!", false, '!', &error));
  EXPECT_FALSE(like.Compile("a!bc", false, '!', &error));
  EXPECT_NE(error.find("escape"), std::string::npos);
}

TEST(LikePattern, IlikeFoldsAsciiAndOtherScripts) {
  EXPECT_TRUE(Like("ERROR", "error", true));
  EXPECT_TRUE(Like("Error: Disk Full", "%disk%", true));
  EXPECT_TRUE(Like("ÉCOLE", "école", true));
  EXPECT_TRUE(Like("ΣΊΣΥΦΟΣ", "σίσυφος", true));  // final sigma folds with sigma
  EXPECT_TRUE(Like("ПРИВЕТ МИР", "привет%", true));
  EXPECT_TRUE(Like("ЁЛКА", "ёлка", true));
  EXPECT_TRUE(Like("ŁÓDŹ", "łódź", true));
  EXPECT_TRUE(Like("ẞ", "ß", true));
  EXPECT_TRUE(Like("\u212A", "k", true));  // KELVIN SIGN
  EXPECT_TRUE(Like("ＡＢＣ", "ａｂｃ", true));
  EXPECT_TRUE(Like("NullPointerException", "%EXCEPTION", true));
  EXPECT_TRUE(Like("xÉy", "x_Y", true));
  EXPECT_FALSE(Like("ERROR", "error", false));
  EXPECT_FALSE(Like("ss", "ß", true));  // full folding is not done
}

TEST(LikePattern, CaseFoldingIsIdempotent) {
  for (uint32_t cp = 0; cp < 0x20000; ++cp) {
    const uint32_t folded = expr::FoldCase(cp);
    ASSERT_EQ(expr::FoldCase(folded), folded) << std::hex << cp;
  }
}

// A reference matcher straight from the definition, on code points.
bool ReferenceLike(const std::u32string& text, size_t t, const std::u32string& pattern, size_t p) {
  if (p == pattern.size()) return t == text.size();
  if (pattern[p] == U'%') {
    for (size_t k = t; k <= text.size(); ++k) {
      if (ReferenceLike(text, k, pattern, p + 1)) return true;
    }
    return false;
  }
  if (t == text.size()) return false;
  if (pattern[p] != U'_' && pattern[p] != text[t]) return false;
  return ReferenceLike(text, t + 1, pattern, p + 1);
}

std::string Utf8(const std::u32string& text) {
  std::string out;
  for (char32_t c : text) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xE0 | (c >> 12)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

TEST(LikePattern, AgreesWithTheDefinitionOnRandomInputs) {
  std::mt19937 random(6);
  const std::u32string text_alphabet = U"abé日";
  const std::u32string pattern_alphabet = U"abé日%_";
  for (int round = 0; round < 20000; ++round) {
    std::u32string text;
    std::u32string pattern;
    const int text_length = static_cast<int>(random() % 7);
    const int pattern_length = static_cast<int>(random() % 6);
    for (int i = 0; i < text_length; ++i) text.push_back(text_alphabet[random() % text_alphabet.size()]);
    for (int i = 0; i < pattern_length; ++i)
      pattern.push_back(pattern_alphabet[random() % pattern_alphabet.size()]);
    ASSERT_EQ(Like(Utf8(text), Utf8(pattern)), ReferenceLike(text, 0, pattern, 0))
        << Utf8(text) << " LIKE " << Utf8(pattern);
  }
}

std::u32string Folded(std::u32string text) {
  for (char32_t& c : text) c = expr::FoldCase(c);
  return text;
}

TEST(LikePattern, IlikeAgreesWithTheDefinitionOnRandomInputs) {
  std::mt19937 random(7);
  // Letters with non-ASCII preimages (KELVIN SIGN, LONG S), both cases, and non-ASCII letters.
  const std::u32string text_alphabet = U"aAkKsS\u212A\u017FéÉ";
  const std::u32string pattern_alphabet = U"aAkKsS\u212Aé%_";
  for (int round = 0; round < 40000; ++round) {
    std::u32string text;
    std::u32string pattern;
    const int text_length = static_cast<int>(random() % 7);
    const int pattern_length = static_cast<int>(random() % 6);
    for (int i = 0; i < text_length; ++i) text.push_back(text_alphabet[random() % text_alphabet.size()]);
    for (int i = 0; i < pattern_length; ++i)
      pattern.push_back(pattern_alphabet[random() % pattern_alphabet.size()]);
    ASSERT_EQ(Like(Utf8(text), Utf8(pattern), true), ReferenceLike(Folded(text), 0, Folded(pattern), 0))
        << Utf8(text) << " ILIKE " << Utf8(pattern);
  }
}

TEST(ExpressionEval, LikeAndIlikeInExpressions) {
  const Row row = SampleRow();
  EXPECT_EQ(Truth("message LIKE '%Exception%'", row), 'T');
  EXPECT_EQ(Truth("message LIKE '%exception%'", row), 'F');
  EXPECT_EQ(Truth("message ILIKE '%exception%'", row), 'T');
  EXPECT_EQ(Truth("message NOT ILIKE '%exception%'", row), 'F');
  EXPECT_EQ(Truth("message NOT LIKE 'Null%'", row), 'F');
  EXPECT_EQ(Truth("métier LIKE 'd_veloppeur'", row), 'T');
  EXPECT_EQ(Truth("'abc' LIKE 'a%'", row), 'T');
  EXPECT_EQ(Truth("message LIKE '%Foo.bar'", row), 'T');
  EXPECT_EQ(Truth("message LIKE '%Foo_bar'", row), 'T');
  EXPECT_EQ(Truth("message LIKE '%Foo.ba'", row), 'F');
}

// ---- Timestamps ---------------------------------------------------------------------------------------

TEST(ExpressionEval, TimestampsCompareWithRfc3339AndDates) {
  const Row row = SampleRow();  // 2026-01-15T10:00:00Z
  EXPECT_EQ(Truth("timestamp >= '2026-01-15'", row), 'T');
  EXPECT_EQ(Truth("timestamp < '2026-01-16'", row), 'T');
  EXPECT_EQ(Truth("timestamp = '2026-01-15T10:00:00Z'", row), 'T');
  EXPECT_EQ(Truth("timestamp = '2026-01-15T12:00:00+02:00'", row), 'T');
  EXPECT_EQ(Truth("timestamp = '2026-01-15 10:00:00Z'", row), 'T');
  EXPECT_EQ(Truth("timestamp = '2026-01-15T10:00:00'", row), 'T');  // no offset: UTC
  EXPECT_EQ(Truth("timestamp = '2026-01-15 10:00:00.000000'", row), 'T');
  EXPECT_EQ(Truth("timestamp = '2026-01-15 10:00'", row), 'T');  // seconds left out
  EXPECT_EQ(Truth("timestamp > '2026-01-15T10:00:00.000001Z'", row), 'F');
  EXPECT_EQ(Truth("'2026-01-15' < timestamp", row), 'T');
  EXPECT_EQ(Truth("timestamp = '2026-01-15'", row), 'F');  // a date is its midnight
  Row midnight;
  midnight.Set(kTimestamp, Value::Timestamp(kJan15));
  EXPECT_EQ(Truth("timestamp = '2026-01-15'", midnight), 'T');
  EXPECT_EQ(Truth("timestamp < '2026-01-15T00:00:00.000001Z'", midnight), 'T');

  auto bound = MustCompile("timestamp >= '2026-01-15T12:00:00+02:00'");
  ASSERT_NE(bound, nullptr);
  EXPECT_EQ(bound->ToString(), "timestamp >= '2026-01-15T10:00:00.000000Z'");
}

TEST(ExpressionBind, TimestampLiteralsMustParse) {
  size_t offset = 0;
  EXPECT_EQ(CompileError("timestamp > '2026-13-01'", &offset),
            "column 13: '2026-13-01' is not a time to compare with timestamp: write RFC 3339 "
            "('2026-01-15T10:00:00Z', '2026-01-15T10:00:00+02:00') or a date ('2026-01-15', midnight UTC)");
  EXPECT_EQ(offset, 12u);
  EXPECT_NE(CompileError("timestamp > 'yesterday'"), "");
  EXPECT_NE(CompileError("timestamp > '2026-02-30'"), "");
  EXPECT_NE(CompileError("timestamp IN ('2026-01-15', 'x')"), "");
  EXPECT_EQ(
      CompileError("timestamp > 5"),
      "column 13: cannot compare timestamp (timestamp column) with 5 (integer): write a time as a string, "
      "'2026-01-15T10:00:00Z' or '2026-01-15'");
}

// ---- JSON paths and _extra ----------------------------------------------------------------------------

TEST(ExpressionJson, PathsReadNestedValues) {
  const Row row = SampleRow();
  EXPECT_EQ(Truth("metadata.http.status >= 500", row), 'T');
  EXPECT_EQ(Truth("metadata.http.status = 503.0", row), 'T');
  EXPECT_EQ(Truth("metadata.http.method = 'GET'", row), 'T');
  EXPECT_EQ(Truth("metadata.http.method IN ('PUT', 'GET')", row), 'T');
  EXPECT_EQ(Truth("metadata.http.method LIKE 'G%'", row), 'T');
  EXPECT_EQ(Truth("metadata.ratio < 1", row), 'T');
  EXPECT_EQ(Truth("metadata.flag", row), 'T');
  EXPECT_EQ(Truth("metadata.flag = TRUE", row), 'T');
  EXPECT_EQ(Truth("metadata.big > 1", row), 'T');  // beyond int64: a double
  EXPECT_EQ(Truth("metadata.\"esc\"\"aped\" = 1", row), 'T');
  EXPECT_EQ(Truth("metadata.café = 2", row), 'T');  // the stored key is escaped: matched unescaped
  EXPECT_EQ(Truth("metadata.in = 'keyword'", row), 'T');
  EXPECT_EQ(Truth("metadata.\"0\" = 'zero'", row), 'T');
  EXPECT_EQ(Truth("metadata.0 = 'zero'", row), 'T');  // digits name a member of an object
}

TEST(ExpressionJson, ArraysByIndexAndContainersAsText) {
  const Row row = SampleRow();
  EXPECT_EQ(Truth("metadata.tags.0 = 'a'", row), 'T');
  EXPECT_EQ(Truth("metadata.tags[1] = 'b'", row), 'T');
  EXPECT_EQ(Truth("metadata.tags[2] IS NULL", row), 'T');
  EXPECT_EQ(Truth("metadata.tags[2] = 'c'", row), 'U');
  EXPECT_EQ(Truth("metadata.tags = '[\"a\",\"b\"]'", row), 'T');
  EXPECT_EQ(Truth("metadata.http = '{\"status\":503,\"method\":\"GET\"}'", row), 'T');
  EXPECT_EQ(Truth("metadata.http LIKE '%503%'", row), 'T');
  EXPECT_EQ(Truth("metadata LIKE '%\"flag\":true%'", row), 'T');  // a whole JSON column: its text
  EXPECT_EQ(Truth("metadata.http[0] IS NULL", row), 'T');         // [N] never names a member
}

TEST(ExpressionJson, MissingPathsNullsAndMismatchedTypesAreUnknown) {
  const Row row = SampleRow();
  EXPECT_EQ(Truth("metadata.missing IS NULL", row), 'T');
  EXPECT_EQ(Truth("metadata.missing = 1", row), 'U');
  EXPECT_EQ(Truth("metadata.missing != 1", row), 'U');
  EXPECT_EQ(Truth("metadata.http.status.deeper = 1", row), 'U');
  EXPECT_EQ(Truth("metadata.nothing IS NULL", row), 'T');  // JSON null is NULL
  EXPECT_EQ(Truth("metadata.nothing IS NOT NULL", row), 'F');
  // A number stored as a string is a string; a string literal against a number is unknown.
  EXPECT_EQ(Truth("metadata.code = '500'", row), 'T');
  EXPECT_EQ(Truth("metadata.code = 500", row), 'U');
  EXPECT_EQ(Truth("metadata.http.status = '503'", row), 'U');
  EXPECT_EQ(Truth("metadata.http.status LIKE '5%'", row), 'U');
  EXPECT_EQ(Truth("metadata.code IN (500, '500')", row), 'T');
  EXPECT_EQ(Truth("metadata.flag = 1", row), 'U');

  Row nulls;
  EXPECT_EQ(Truth("metadata.http.status = 1", nulls), 'U');
  EXPECT_EQ(Truth("metadata.http.status IS NULL", nulls), 'T');
  EXPECT_EQ(Truth("metadata IS NULL", nulls), 'T');
  EXPECT_EQ(Truth("metadata IS NULL", row), 'F');

  Row broken;
  broken.Set(kMetadata, Value::Json("{\"http\":{\"status\":"));
  EXPECT_EQ(Truth("metadata.http.status = 1", broken), 'U');
  broken.Set(kMetadata, Value::Json("not json at all"));
  EXPECT_EQ(Truth("metadata.a IS NULL", broken), 'T');
  broken.Set(kMetadata, Value::Json(""));
  EXPECT_EQ(Truth("metadata.a IS NULL", broken), 'T');
  EXPECT_EQ(Truth("metadata IS NULL", broken), 'T');
}

TEST(ExpressionJson, AJsonColumnHoldingScalarsComparesByValue) {
  Row row;
  row.Set(kAny, Value::Json("500"));
  EXPECT_EQ(Truth("any = 500", row), 'T');
  EXPECT_EQ(Truth("any > 499.5", row), 'T');
  EXPECT_EQ(Truth("any = '500'", row), 'U');
  row.Set(kAny, Value::Json("\"abc\""));
  EXPECT_EQ(Truth("any = 'abc'", row), 'T');
  EXPECT_EQ(Truth("any LIKE 'a%'", row), 'T');
  row.Set(kAny, Value::Json("true"));
  EXPECT_EQ(Truth("any", row), 'T');
  row.Set(kAny, Value::Json("null"));
  EXPECT_EQ(Truth("any IS NULL", row), 'T');
  row.Set(kAny, Value::Json("[1,2]"));
  EXPECT_EQ(Truth("any = '[1,2]'", row), 'T');
  EXPECT_EQ(Truth("any[1] = 2", row), 'T');
}

TEST(ExpressionJson, TwoJsonValuesInOneComparison) {
  const Row row = SampleRow();
  EXPECT_EQ(Truth("metadata.http.method = _extra.method", row), 'T');
  EXPECT_EQ(Truth("metadata.http.status = _extra.expected", row), 'T');
  EXPECT_EQ(Truth("metadata.http.method = metadata.code", row), 'F');
  EXPECT_EQ(Truth("metadata.tags[0] < metadata.tags[1]", row), 'T');
}

TEST(ExpressionJson, UndeclaredFieldsAreReadFromExtra) {
  const Row row = SampleRow();
  EXPECT_EQ(Truth("user.id = 5", row), 'T');
  EXPECT_EQ(Truth("user.name = 'Zoë'", row), 'T');
  EXPECT_EQ(Truth("_extra.user.id = 5", row), 'T');
  EXPECT_EQ(Truth("user.missing IS NULL", row), 'T');
  auto bound = MustCompile("user.id = 5 AND \"user\".name IS NOT NULL");
  ASSERT_NE(bound, nullptr);
  EXPECT_EQ(bound->ToString(), "_extra.user.id = 5 AND _extra.user.name IS NOT NULL");
  EXPECT_EQ(bound->referenced_columns(), std::vector<int>{kExtra});

  // A single name is a column or an error, never a guess.
  EXPECT_EQ(CompileError("user = 'x'"),
            "column 1: unknown column 'user'; the columns are: timestamp, level, message, service, status, "
            "latency, ok, metadata, _extra, any, p, q, Weird.Name, métier; a field the schema does not "
            "declare is read as _extra.user");

  // Without an _extra column a dotted unknown name is an error.
  auto parsed = Expression::Parse("user.id = 5");
  ASSERT_TRUE(parsed.ok());
  Status status = (*parsed)->Bind({{"level", ValueType::kString}});
  EXPECT_EQ(
      status.message(),
      "column 1: unknown column 'user' (and no _extra column holds the fields the schema does not declare)");
}

TEST(ExpressionBind, NamesResolveExactlyThenIgnoringAsciiCase) {
  const Row row = SampleRow();
  EXPECT_EQ(Truth("LEVEL = 'error'", row), 'T');
  EXPECT_EQ(Truth("\"Weird.Name\" IS NULL", row), 'T');
  EXPECT_NE(CompileError("\"LEVEL\" = 'error'"), "");  // quoted: exact
  auto parsed = Expression::Parse("Level = 'x'");
  ASSERT_TRUE(parsed.ok());
  // Two columns equal up to case: only the exact spelling names one.
  EXPECT_FALSE((*parsed)->Bind({{"level", ValueType::kString}, {"LEVEL", ValueType::kString}}).ok());
  auto exact =
      Expression::Compile("LEVEL = 'x'", {{"level", ValueType::kString}, {"LEVEL", ValueType::kString}});
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ((*exact)->referenced_columns(), std::vector<int>{1});
}

// ---- Bind errors --------------------------------------------------------------------------------------

TEST(ExpressionBind, TypeMismatchesNameTheColumnAndTheTypes) {
  size_t offset = 0;
  EXPECT_EQ(CompileError("level = 5", &offset),
            "column 9: cannot compare level (string column) with 5 (integer): write text in single quotes");
  EXPECT_EQ(offset, 8u);
  EXPECT_EQ(
      CompileError("status = 'x'"),
      "column 10: cannot compare status (integer column) with 'x' (string): write text in single quotes");
  EXPECT_EQ(CompileError("ok = 1"), "column 6: cannot compare ok (boolean column) with 1 (integer)");
  EXPECT_EQ(
      CompileError("level = status"),
      "column 7: cannot compare level (string column) with status (integer column): write text in single "
      "quotes");
  EXPECT_EQ(
      CompileError("status IN (1, 'a')"),
      "column 15: cannot compare status (integer column) with 'a' (string): write text in single quotes");
  EXPECT_EQ(CompileError("status LIKE '5%'"),
            "column 1: LIKE matches text, and status (integer column) is not text");
  EXPECT_EQ(CompileError("level"),
            "column 1: level is not a condition (it is string): compare it, as in level = '…'");
  EXPECT_EQ(CompileError("status AND ok"),
            "column 1: status is not a condition (it is integer): compare it, as in status = …");
  EXPECT_EQ(CompileError("level.x = 1"),
            "column 1: column level is string, not JSON: it has no fields to read");
  EXPECT_EQ(CompileError("nope = 1").substr(0, 34), "column 1: unknown column 'nope'; t");
  EXPECT_EQ(CompileError("'a' = 1"),
            "column 7: cannot compare 'a' (string) with 1 (integer): write text in single quotes");
  // JSON values are typed per row: no bind error.
  EXPECT_EQ(CompileError("metadata.x = 1 AND metadata.x = 'a' AND metadata.x LIKE 'a' AND metadata.x"), "");
  EXPECT_EQ(CompileError("status = NULL AND level IN (NULL)"), "");
}

TEST(ExpressionBind, BindTwiceIsAnError) {
  auto parsed = Expression::Parse("level = 'x'");
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE((*parsed)->Bind(Columns()).ok());
  EXPECT_FALSE((*parsed)->Bind(Columns()).ok());
}

// ---- Syntax errors ------------------------------------------------------------------------------------

std::string ParseError(std::string_view text, size_t* offset = nullptr) {
  size_t error_offset = 12345;
  auto parsed = Expression::Parse(text, &error_offset);
  if (parsed.ok()) return "";
  if (offset != nullptr) *offset = error_offset;
  return parsed.status().message();
}

TEST(ExpressionSyntax, ErrorsPointAtTheirColumn) {
  size_t offset = 0;
  EXPECT_EQ(ParseError("level = ", &offset), "column 9: expected a value after '=', got end of input");
  EXPECT_EQ(offset, 8u);
  EXPECT_EQ(ParseError("metadata.a = ", &offset), "column 14: expected a value after '=', got end of input");
  EXPECT_EQ(ParseError("level = AND x", &offset), "column 9: expected a value after '=', got AND");
  EXPECT_EQ(offset, 8u);
  EXPECT_EQ(ParseError("(level = 'a'"),
            "column 13: expected ')' to close the '(' at column 1, got end of input");
  EXPECT_EQ(ParseError("level = 'a')"), "column 12: ')' without a matching '('");
  EXPECT_EQ(
      ParseError("level 'error'"),
      "column 7: expected an operator (= != < <= > >= IN LIKE ILIKE IS) after level, got string 'error'");
  EXPECT_EQ(ParseError("level = 'abc"), "column 9: unterminated string: the ' here is never closed");
  EXPECT_EQ(ParseError("\"level = 1"), "column 1: unterminated quoted name: the \" here is never closed");
  EXPECT_EQ(ParseError("a = 1 b = 2"), "column 7: expected AND, OR or the end of the expression, got b");
  EXPECT_EQ(ParseError("a IN 1"), "column 6: expected '(' after IN, got 1");
  EXPECT_EQ(ParseError("a IN ()"), "column 7: expected a literal value in the IN list, got ')'");
  EXPECT_EQ(ParseError("a IN (1 2)"), "column 9: expected ',' or ')' in the IN list, got 2");
  EXPECT_EQ(ParseError("a IN (b)"), "column 7: expected a literal value in the IN list, got b");
  EXPECT_EQ(ParseError("a IS 5"), "column 6: expected NULL or NOT NULL after IS, got 5");
  EXPECT_EQ(ParseError("a IS NOT 5"), "column 10: expected NULL after IS NOT, got 5");
  EXPECT_EQ(ParseError("a NOT = 1"), "column 7: expected IN, LIKE or ILIKE after NOT, got '='");
  EXPECT_EQ(ParseError("a LIKE b"), "column 8: expected a 'pattern' string after LIKE, got b");
  EXPECT_EQ(ParseError("a LIKE 'x' ESCAPE 'ab'"), "column 19: ESCAPE takes exactly one character");
  EXPECT_EQ(ParseError("a LIKE 'x!' ESCAPE '!'"),
            "column 8: the LIKE pattern ends with its escape character");
  EXPECT_EQ(ParseError("metadata. = 1"), "column 11: expected a field name after '.', got '='");
  EXPECT_EQ(ParseError("tags[x] = 1"), "column 6: expected an array index (0, 1, …) after '[', got x");
  EXPECT_EQ(ParseError("tags[0 = 1"), "column 8: expected ']' after the array index, got '='");
  EXPECT_EQ(ParseError("a = 5abc"), "column 5: invalid number '5abc'");
  EXPECT_EQ(ParseError("a = 1.2.3"), "column 5: invalid number '1.2.3'");
  EXPECT_EQ(ParseError("a = 1e999"), "column 5: number out of range: 1e999");
  EXPECT_EQ(ParseError("a ! 1"), "column 3: unexpected '!' (not equal is != or <>)");
  EXPECT_EQ(ParseError("a = 1 AND"), "column 10: expected a condition, got end of input");
  EXPECT_EQ(ParseError("AND a = 1"), "column 1: expected a condition, got AND");
  EXPECT_EQ(ParseError("a = - 1"), "column 5: unexpected character '-'");
  EXPECT_EQ(ParseError(""), "column 1: the expression is empty");
  EXPECT_EQ(ParseError("   "), "column 1: the expression is empty");
  EXPECT_EQ(ParseError("()"), "column 2: expected a condition, got ')'");
}

TEST(ExpressionSyntax, ColumnsCountCharactersAndLines) {
  EXPECT_EQ(ParseError("métier = = 1"), "column 10: expected a value after '=', got '='");
  EXPECT_EQ(ParseError("'日本語' = = 1"), "column 9: expected a value after '=', got '='");
  EXPECT_EQ(ParseError("level = 'a'\nAND = 5"), "line 2, column 5: expected a condition, got '='");
  EXPECT_EQ(
      ParseError("level = ’error’"),
      "column 9: U+2019 is a typographic quote: write strings in straight single quotes ('error'), names in "
      "double quotes");
}

TEST(ExpressionSyntax, CaretPicture) {
  EXPECT_EQ(RenderErrorCaret("level = AND x", 8), "  level = AND x\n          ^");
  EXPECT_EQ(RenderErrorCaret("level = ", 8), "  level = \n          ^");
  EXPECT_EQ(RenderErrorCaret("métier = = 1", 10), "  métier = = 1\n           ^");
  EXPECT_EQ(RenderErrorCaret("a\tb = ", 3), "  a b = \n     ^");
  EXPECT_EQ(RenderErrorCaret("a = 1\nAND = 5", 10), "  AND = 5\n      ^");
  EXPECT_EQ(RenderErrorCaret("a\x01"
                             "b",
                             2),
            "  a?b\n    ^");

  // A long line shows a window around the caret.
  const std::string long_text = std::string(1000, 'x') + " = = 1" + std::string(1000, 'y');
  const std::string picture = RenderErrorCaret(long_text, 1003);
  const size_t newline = picture.find('\n');
  ASSERT_NE(newline, std::string::npos);
  EXPECT_LT(newline, 320u);
  EXPECT_EQ(picture.substr(0, 5), "  …");
  // The caret is under the second '=' of the window.
  const std::string line = picture.substr(0, newline);
  const std::string caret = picture.substr(newline + 1);
  EXPECT_EQ(caret.back(), '^');
  // Count characters (the ellipsis is one) up to the caret.
  size_t characters = 0;
  size_t byte = 0;
  while (characters < caret.size() - 1) {
    uint32_t cp;
    byte += static_cast<size_t>(expr::DecodeUtf8(line.data() + byte, line.data() + line.size(), &cp));
    ++characters;
  }
  EXPECT_EQ(line[byte], '=');

  size_t offset = 0;
  const std::string text = "level = AND x";
  auto parsed = Expression::Parse(text, &offset);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(FormatExpressionError("--where", text, parsed.status(), offset),
            "--where: column 9: expected a value after '=', got AND\n  level = AND x\n          ^");
}

// ---- Hostile input ------------------------------------------------------------------------------------

TEST(ExpressionHostile, DeepNestingIsAnErrorNotACrash) {
  const std::string parentheses = std::string(10000, '(') + "p" + std::string(10000, ')');
  size_t offset = 0;
  EXPECT_EQ(ParseError(parentheses, &offset),
            "column 257: the expression nests parentheses and NOTs more than 256 deep");
  EXPECT_EQ(offset, 256u);
  std::string nots;
  for (int i = 0; i < 10000; ++i) nots.append("NOT ");
  nots.append("p");
  EXPECT_NE(ParseError(nots).find("more than 256 deep"), std::string::npos);
  std::string mixed;
  for (int i = 0; i < 5000; ++i) mixed.append("NOT (");
  EXPECT_NE(ParseError(mixed + "p" + std::string(5000, ')')).find("more than 256 deep"), std::string::npos);

  // Up to the limit it works, and evaluates.
  const std::string deepest = std::string(256, '(') + "p" + std::string(256, ')');
  Row row;
  row.Set(kP, Value::Bool(true));
  EXPECT_TRUE(Matches(deepest, row));
  std::string even_nots;
  for (int i = 0; i < 256; ++i) even_nots.append("NOT ");
  EXPECT_TRUE(Matches(even_nots + "p", row));
}

TEST(ExpressionHostile, LongInputsParseAndEvaluate) {
  // 1 MB of OR terms: one node with many children, no recursion per term.
  std::string ors;
  while (ors.size() < (1u << 20)) ors.append("status = 1 OR ");
  ors.append("status = 503");
  Row row = SampleRow();
  EXPECT_TRUE(Matches(ors, row));
  auto bound = MustCompile(ors);
  ASSERT_NE(bound, nullptr);
  EXPECT_TRUE(bound->MayMatch([](int) { return nullptr; }));
  EXPECT_EQ(bound->ToString().size(), ors.size());

  // A 1 MB string literal, and a 100 000-item IN list.
  const std::string big(1 << 20, 'z');
  row.Set(kMessage, Value::String(big));
  EXPECT_TRUE(Matches(Cat({"message = '", big, "'"}), row));
  EXPECT_TRUE(Matches(Cat({"message LIKE '%", big.substr(0, 1000), "%'"}), row));
  std::string list = "status IN (";
  for (int i = 0; i < 100000; ++i) list.append(std::to_string(i * 7)).append(", ");
  list.append("-1)");
  row.Set(kStatus, Value::Int64(7 * 4242));
  EXPECT_TRUE(Matches(list, row));
  row.Set(kStatus, Value::Int64(7 * 4242 + 1));
  EXPECT_FALSE(Matches(list, row));
}

TEST(ExpressionHostile, InvalidUtf8AndNulBytes) {
  size_t offset = 0;
  EXPECT_EQ(ParseError("level = 'ab\xFF'", &offset), "column 12: invalid UTF-8 in a string");
  EXPECT_EQ(offset, 11u);
  EXPECT_EQ(ParseError("level = 'it''s \xC3'"), "column 16: invalid UTF-8 in a string");
  EXPECT_EQ(ParseError("\"na\xC0\x80me\" = 1"), "column 4: invalid UTF-8 in a quoted name");
  EXPECT_EQ(ParseError("level\xFF = 1"), "column 6: unexpected character byte 0xFF (not UTF-8)");
  EXPECT_EQ(ParseError("level = 1\0"s + "x"), "column 10: unexpected character U+0000");
  EXPECT_EQ(ParseError("level = \xC2\xA0 1"), "column 9: unexpected character U+00A0");
  // A NUL inside a string literal is a character like any other.
  Row row;
  const std::string with_nul("a\0b", 3);
  row.Set(kLevel, Value::String(with_nul));
  EXPECT_TRUE(Matches("level = 'a\0b'"s, row));
  EXPECT_TRUE(Matches("level LIKE 'a_b'", row));
  EXPECT_FALSE(Matches("level = 'a'", row));
}

TEST(ExpressionHostile, HostileJsonTextsReadAsNull) {
  Row row;
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  row.Set(kMetadata, Value::Json(deep));
  EXPECT_EQ(Truth("metadata[0][0][0] = 1", row), 'U');
  EXPECT_EQ(Truth("metadata.x IS NULL", row), 'T');
  EXPECT_EQ(Truth("metadata LIKE '[[%'", row), 'T');
  const std::string objects = [] {
    std::string text;
    for (int i = 0; i < 5000; ++i) text.append("{\"a\":");
    text.append("1");
    for (int i = 0; i < 5000; ++i) text.append("}");
    return text;
  }();
  row.Set(kMetadata, Value::Json(objects));
  EXPECT_EQ(Truth("metadata.a.a.a IS NULL", row), 'F');
  for (const char* text :
       {"{\"a\":\"\xFF\"}", "{\"a\":\"\\ud800\"}", "{\"a\":1,}", "{\"a\"", "{", "\"", "nul", "{\"a\":1e999}",
        "{\"a\":123456789012345678901234567890}", "{\"a\":\"x\"}garbage"}) {
    row.Set(kMetadata, Value::Json(text));
    Truth("metadata.a = 1", row);  // any answer, no crash
    Truth("metadata.a IS NULL", row);
    Truth("metadata LIKE '%a%'", row);
  }
  std::string big = "{\"pad\":\"";
  big.append(1 << 20, 'p').append("\",\"a\":7}");
  row.Set(kMetadata, Value::Json(big));
  EXPECT_EQ(Truth("metadata.a = 7", row), 'T');
}

TEST(ExpressionApi, ThreadsShareOneExpressionWithTheirOwnScratch) {
  auto expression = MustCompile("metadata.http.status >= 500 AND level IN ('error', 'warn')");
  ASSERT_NE(expression, nullptr);
  const Row row = SampleRow();
  std::vector<int> counts(2, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      EvalScratch scratch;
      for (int i = 0; i < 5000; ++i)
        counts[static_cast<size_t>(t)] += expression->Matches(ValueRow(row.values), &scratch);
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(counts, (std::vector<int>{5000, 5000}));
}

// Random token soup and random bytes: Parse and Bind either fail cleanly or produce an expression that
// evaluates, prunes and prints back to itself.
TEST(ExpressionHostile, RandomInputNeverCrashes) {
  const char* pieces[] = {"level", "status", "metadata", ".",    "http",  "[",    "0",      "]",    "(",
                          ")",     "'x'",    "'",        "\"",   "=",     "!=",   "<",      ">=",   "IN",
                          "NOT",   "AND",    "OR",       "LIKE", "ILIKE", "IS",   "NULL",   "TRUE", "1",
                          "-2.5",  ",",      " ",        "user", "é",     "\xFF", "ESCAPE", "`",    "1e5"};
  std::mt19937 random(42);
  const Row row = SampleRow();
  EvalScratch scratch;
  int compiled = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    const int count = static_cast<int>(random() % 12);
    for (int i = 0; i < count; ++i) {
      if (random() % 10 == 0) {
        text.push_back(static_cast<char>(random() % 256));
      } else {
        text.append(pieces[random() % (sizeof pieces / sizeof pieces[0])]).append(random() % 2 ? " " : "");
      }
    }
    auto parsed = Expression::Parse(text);
    if (!parsed.ok()) continue;
    const std::string printed = (*parsed)->ToString();
    auto reparsed = Expression::Parse(printed);
    ASSERT_TRUE(reparsed.ok()) << text << " → " << printed << ": " << reparsed.status().ToString();
    EXPECT_EQ((*reparsed)->ToString(), printed);
    if (!(*parsed)->Bind(Columns()).ok()) continue;
    ++compiled;
    (*parsed)->Matches(ValueRow(row.values), &scratch);
    (*parsed)->MayMatch([](int) { return nullptr; });
  }
  EXPECT_GT(compiled, 50);
}

// ---- Pruning ------------------------------------------------------------------------------------------

// Statistics for some columns; the others have none.
class Stats {
 public:
  Stats& Set(Column column, Value min, Value max, int64_t null_count = 0, int64_t num_rows = 100) {
    ColumnStats& stats = stats_[column];
    stats.has_min_max = true;
    stats.min = min;
    stats.max = max;
    stats.null_count = null_count;
    stats.num_rows = num_rows;
    present_[column] = true;
    return *this;
  }
  Stats& Nulls(Column column, int64_t null_count, int64_t num_rows = 100) {
    ColumnStats& stats = stats_[column];
    stats.null_count = null_count;
    stats.num_rows = num_rows;
    present_[column] = true;
    return *this;
  }
  std::function<const ColumnStats*(int)> Callback() const {
    return [this](int column) { return present_[column] ? &stats_[column] : nullptr; };
  }

 private:
  ColumnStats stats_[kColumnCount];
  bool present_[kColumnCount] = {};
};

bool MayMatch(std::string_view text, const Stats& stats) {
  auto expression = MustCompile(text);
  return expression == nullptr || expression->MayMatch(stats.Callback());
}

TEST(ExpressionPruning, ComparisonsAgainstMinMax) {
  Stats stats;
  stats.Set(kStatus, Value::Int64(100), Value::Int64(400));
  EXPECT_FALSE(MayMatch("status > 400", stats));
  EXPECT_TRUE(MayMatch("status >= 400", stats));
  EXPECT_FALSE(MayMatch("status < 100", stats));
  EXPECT_TRUE(MayMatch("status <= 100", stats));
  EXPECT_FALSE(MayMatch("status = 500", stats));
  EXPECT_TRUE(MayMatch("status = 250", stats));
  EXPECT_FALSE(MayMatch("status > 400.5", stats));
  EXPECT_TRUE(MayMatch("status > 399.5", stats));
  EXPECT_FALSE(MayMatch("500 < status", stats));
  EXPECT_TRUE(MayMatch("status != 250", stats));
  EXPECT_FALSE(MayMatch("status = 500 AND level = 'x'", stats));
  EXPECT_TRUE(MayMatch("status = 500 OR level = 'x'", stats));  // level has no statistics
  EXPECT_FALSE(MayMatch("status = 500 OR status = 0", stats));
  EXPECT_TRUE(MayMatch("NOT (status = 500)", stats));
  EXPECT_FALSE(MayMatch("NOT (status <= 400)", stats));
  EXPECT_FALSE(MayMatch("status = NULL", stats));
}

TEST(ExpressionPruning, NotNeedsTheFalseSideToo) {
  Stats single;
  single.Set(kStatus, Value::Int64(5), Value::Int64(5));
  EXPECT_FALSE(MayMatch("NOT (status = 5)", single));
  EXPECT_FALSE(MayMatch("status != 5", single));
  EXPECT_FALSE(MayMatch("NOT NOT (status != 5)", single));
  EXPECT_TRUE(MayMatch("NOT (status != 5)", single));
  EXPECT_FALSE(MayMatch("status NOT IN (5, 6)", single));
  EXPECT_TRUE(MayMatch("status NOT IN (6, 7)", single));
  // Nulls make the comparison unknown, never TRUE under NOT.
  Stats with_nulls;
  with_nulls.Set(kStatus, Value::Int64(5), Value::Int64(5), 10);
  EXPECT_FALSE(MayMatch("NOT (status = 5)", with_nulls));
  EXPECT_TRUE(MayMatch("NOT (status = 5) OR status IS NULL", with_nulls));
}

TEST(ExpressionPruning, InListsStringsAndLikePrefixes) {
  Stats stats;
  stats.Set(kLevel, Value::String("debug"), Value::String("info"));
  EXPECT_TRUE(MayMatch("level IN ('warn', 'error')", stats));
  EXPECT_FALSE(MayMatch("level IN ('warn', 'fatal2')",
                        Stats().Set(kLevel, Value::String("info"), Value::String("info"))));
  EXPECT_FALSE(MayMatch("level IN ('warn', 'trace')", stats));
  EXPECT_FALSE(MayMatch("level IN (NULL)", stats));
  EXPECT_TRUE(MayMatch("level NOT IN ('warn')", stats));

  Stats services;
  services.Set(kService, Value::String("web"), Value::String("zzz"));
  EXPECT_FALSE(MayMatch("service LIKE 'api%'", services));
  EXPECT_TRUE(MayMatch("service LIKE 'we%'", services));
  EXPECT_TRUE(MayMatch("service LIKE 'x%'", services));
  EXPECT_FALSE(MayMatch("service LIKE 'zzzz%'", services));
  EXPECT_TRUE(MayMatch("service LIKE 'zzz%'", services));
  EXPECT_TRUE(MayMatch("service LIKE 'a%'", Stats().Set(kService, Value::String("ab"), Value::String("b"))));
  EXPECT_TRUE(
      MayMatch("service LIKE 'web1%'", Stats().Set(kService, Value::String("web123"), Value::String("x"))));
  EXPECT_FALSE(MayMatch("service LIKE 'api'", services));
  EXPECT_TRUE(MayMatch("service LIKE '%api'", services));
  EXPECT_TRUE(MayMatch("service LIKE '_pi%'", services));
  EXPECT_TRUE(MayMatch("service ILIKE 'API%'", services));  // ILIKE is not pruned
  EXPECT_TRUE(MayMatch("service NOT LIKE 'api%'", services));
}

TEST(ExpressionPruning, NullCountsAndEmptyGroups) {
  Stats no_nulls;
  no_nulls.Nulls(kService, 0);
  EXPECT_FALSE(MayMatch("service IS NULL", no_nulls));
  EXPECT_TRUE(MayMatch("service IS NOT NULL", no_nulls));
  Stats all_nulls;
  all_nulls.Nulls(kService, 100);
  EXPECT_TRUE(MayMatch("service IS NULL", all_nulls));
  EXPECT_FALSE(MayMatch("service IS NOT NULL", all_nulls));
  EXPECT_FALSE(MayMatch("service = 'x'", all_nulls));
  EXPECT_FALSE(MayMatch("NOT (service = 'x')", all_nulls));
  Stats unknown_nulls;
  unknown_nulls.Nulls(kService, -1);
  EXPECT_TRUE(MayMatch("service IS NULL", unknown_nulls));
  EXPECT_TRUE(MayMatch("service IS NOT NULL", unknown_nulls));

  Stats empty;
  empty.Nulls(kService, 0, 0);
  EXPECT_FALSE(MayMatch("service IS NULL OR service IS NOT NULL", empty));

  // A path into a JSON column that is null in every row reads NULL everywhere.
  Stats no_extra;
  no_extra.Nulls(kExtra, 100);
  EXPECT_FALSE(MayMatch("user.id = 5", no_extra));
  EXPECT_TRUE(MayMatch("user.id IS NULL", no_extra));
  Stats some_extra;
  some_extra.Nulls(kExtra, 99);
  EXPECT_TRUE(MayMatch("user.id = 5", some_extra));
  EXPECT_TRUE(MayMatch("_extra IS NULL", Stats().Nulls(kExtra, 0)));  // the text may be JSON null

  EXPECT_TRUE(MayMatch("status = 1", Stats()));  // no statistics: anything
  // An unknown row count prunes nothing by it.
  auto expression = MustCompile("service IS NULL");
  ASSERT_NE(expression, nullptr);
  ColumnStats unknown_rows;
  unknown_rows.null_count = 3;
  EXPECT_TRUE(expression->MayMatch([&](int) { return &unknown_rows; }));
  auto not_null = MustCompile("service IS NOT NULL");
  ASSERT_NE(not_null, nullptr);
  EXPECT_TRUE(not_null->MayMatch([&](int) { return &unknown_rows; }));
}

TEST(ExpressionPruning, TimestampsAndBooleans) {
  Stats stats;
  stats.Set(kTimestamp, Value::Timestamp(kJan15), Value::Timestamp(kJan15 + kMicrosPerDay - 1));
  EXPECT_FALSE(MayMatch("timestamp >= '2026-01-16'", stats));
  EXPECT_TRUE(MayMatch("timestamp >= '2026-01-15T23:59:59Z'", stats));
  EXPECT_FALSE(MayMatch("timestamp < '2026-01-15'", stats));
  Stats falses;
  falses.Set(kOk, Value::Bool(false), Value::Bool(false));
  EXPECT_FALSE(MayMatch("ok", falses));
  EXPECT_TRUE(MayMatch("NOT ok", falses));
  EXPECT_FALSE(MayMatch("ok = TRUE", falses));
}

// Values drawn from small domains so that random comparisons hit, miss and tie.
Value RandomValue(Column column, std::mt19937& random, bool allow_null) {
  if (allow_null && random() % 5 == 0) return Value::Null();
  switch (column) {
    case kStatus:
      return Value::Int64(static_cast<int64_t>(random() % 6));
    case kLatency:
      return Value::Double(static_cast<double>(random() % 9) / 2.0);
    case kLevel: {
      static const char* kWords[] = {"a", "ab", "abc", "b", "ba", "é", "", "c"};
      return Value::String(kWords[random() % 8]);
    }
    case kOk:
      return Value::Bool(random() % 2 == 0);
    case kTimestamp:
      return Value::Timestamp(kJan15 + static_cast<int64_t>(random() % 4) * kMicrosPerDay);
    default:
      return Value::Null();
  }
}

std::string RandomLiteral(Column column, std::mt19937& random) {
  if (random() % 12 == 0) return "NULL";
  switch (column) {
    case kStatus:
      return random() % 4 == 0 ? std::to_string(static_cast<int>(random() % 8) - 1) + ".5"
                               : std::to_string(static_cast<int>(random() % 8) - 1);
    case kLatency:
      return random() % 2 ? std::to_string(random() % 6) : std::to_string(random() % 6) + ".5";
    case kLevel: {
      static const char* kWords[] = {"'a'", "'ab'", "'abc'", "'b'",  "'ba'",
                                     "'é'", "''",   "'c'",   "'aa'", "'bz'"};
      return kWords[random() % 10];
    }
    case kOk:
      return random() % 2 ? "TRUE" : "FALSE";
    case kTimestamp: {
      static const char* kTimes[] = {"'2026-01-14'", "'2026-01-15'",           "'2026-01-16T00:00:00Z'",
                                     "'2026-01-17'", "'2026-01-18T12:00:00Z'", "'2026-01-19'"};
      return kTimes[random() % 6];
    }
    default:
      return "NULL";
  }
}

std::string RandomCondition(std::mt19937& random, int depth) {
  static const Column kColumns[] = {kStatus, kLatency, kLevel, kOk, kTimestamp};
  static const char* kNames[] = {"status", "latency", "level", "ok", "timestamp"};
  static const char* kOperators[] = {"=", "!=", "<", "<=", ">", ">="};
  const int choice = static_cast<int>(random() % (depth > 0 ? 10 : 6));
  const int c = static_cast<int>(random() % 5);
  const Column column = kColumns[c];
  const std::string name = kNames[c];
  switch (choice) {
    case 0:
    case 1:
      if (random() % 4 == 0)
        return Cat({RandomLiteral(column, random), " ", kOperators[random() % 6], " ", name});
      return Cat({name, " ", kOperators[random() % 6], " ", RandomLiteral(column, random)});
    case 2: {
      std::string in = name + (random() % 3 == 0 ? " NOT IN (" : " IN (");
      const int items = 1 + static_cast<int>(random() % 3);
      for (int i = 0; i < items; ++i) in.append(i ? ", " : "").append(RandomLiteral(column, random));
      return in + ")";
    }
    case 3:
      return name + (random() % 2 ? " IS NULL" : " IS NOT NULL");
    case 4: {
      static const char* kPatterns[] = {"'a%'", "'ab%'", "'%b'", "'a_'", "'b'", "'%'", "''", "'é%'", "'c%'"};
      return std::string("level ") + (random() % 3 == 0 ? "NOT LIKE " : "LIKE ") + kPatterns[random() % 9];
    }
    case 5:
      return random() % 2 ? "ok" : "NOT ok";
    case 6:
      return Cat({"NOT (", RandomCondition(random, depth - 1), ")"});
    case 7:
    case 8:
      return Cat({"(", RandomCondition(random, depth - 1), choice == 7 ? " AND " : " OR ",
                  RandomCondition(random, depth - 1), ")"});
    default:
      return Cat({RandomCondition(random, depth - 1), " AND ", RandomCondition(random, depth - 1), " OR ",
                  RandomCondition(random, depth - 1)});
  }
}

// Exact statistics of `rows`, sometimes without min/max or null counts, or missing altogether.
struct GroupStats {
  ColumnStats stats[kColumnCount];
  bool present[kColumnCount] = {};
};

GroupStats StatsOf(const std::vector<Row>& rows, std::mt19937& random) {
  GroupStats group;
  for (int c = 0; c < kColumnCount; ++c) {
    ColumnStats& stats = group.stats[c];
    stats.num_rows = static_cast<int64_t>(rows.size());
    stats.null_count = 0;
    for (const Row& row : rows) {
      const Value& value = row.values[static_cast<size_t>(c)];
      if (value.is_null()) {
        ++stats.null_count;
        continue;
      }
      int order;
      if (!stats.has_min_max) {
        stats.has_min_max = true;
        stats.min = stats.max = value;
      } else {
        if (expr::OrderValues(value, stats.min, &order) && order < 0) stats.min = value;
        if (expr::OrderValues(value, stats.max, &order) && order > 0) stats.max = value;
      }
    }
    group.present[c] = random() % 10 != 0;
    if (random() % 6 == 0) stats.has_min_max = false;
    if (random() % 6 == 0) stats.null_count = -1;
  }
  return group;
}

TEST(ExpressionPruning, NeverPrunesAGroupWithAMatchingRow) {
  std::mt19937 random(2026);
  int pruned = 0;
  int groups_with_matches = 0;
  EvalScratch scratch;
  for (int round = 0; round < 3000; ++round) {
    const std::string text = RandomCondition(random, 3);
    auto expression = MustCompile(text);
    ASSERT_NE(expression, nullptr) << text;
    for (int g = 0; g < 10; ++g) {
      std::vector<Row> rows(1 + random() % 5);
      for (Row& row : rows) {
        for (Column column : {kStatus, kLatency, kLevel, kOk, kTimestamp}) {
          row.Set(column, RandomValue(column, random, true));
        }
      }
      const GroupStats group = StatsOf(rows, random);
      const bool may_match = expression->MayMatch(
          [&](int column) { return group.present[column] ? &group.stats[column] : nullptr; });
      bool any_match = false;
      for (const Row& row : rows)
        any_match = any_match || expression->Matches(ValueRow(row.values), &scratch);
      if (any_match) {
        ++groups_with_matches;
        ASSERT_TRUE(may_match) << text;
      }
      if (!may_match) ++pruned;
    }
  }
  // The property is not trivially true: many groups are pruned, many match.
  EXPECT_GT(pruned, 3000);
  EXPECT_GT(groups_with_matches, 3000);
}

// ---- Round trips --------------------------------------------------------------------------------------

TEST(ExpressionPrint, BoundExpressionsPrintBackToThemselves) {
  std::mt19937 random(7);
  EvalScratch scratch;
  for (int round = 0; round < 2000; ++round) {
    const std::string text = RandomCondition(random, 3);
    auto expression = MustCompile(text);
    ASSERT_NE(expression, nullptr);
    const std::string printed = expression->ToString();
    auto again = MustCompile(printed);
    ASSERT_NE(again, nullptr) << text << " → " << printed;
    EXPECT_EQ(again->ToString(), printed) << text;
    for (int r = 0; r < 5; ++r) {
      Row row;
      for (Column column : {kStatus, kLatency, kLevel, kOk, kTimestamp}) {
        row.Set(column, RandomValue(column, random, true));
      }
      ASSERT_EQ(expression->Matches(ValueRow(row.values), &scratch),
                again->Matches(ValueRow(row.values), &scratch))
          << text << " → " << printed;
    }
  }
}

// ---- Dictionary helpers and conjuncts ------------------------------------------------------------------

TEST(ExpressionDictionary, SingleColumnPredicatesEvaluatePerDistinctValue) {
  auto levels = MustCompile("level IN ('warn', 'error')");
  ASSERT_NE(levels, nullptr);
  int column = -1;
  ASSERT_TRUE(levels->IsSingleColumnPredicate(&column));
  EXPECT_EQ(column, kLevel);
  const char* dictionary[] = {"debug", "info", "warn", "error"};
  std::vector<bool> bitmap;
  for (const char* entry : dictionary) bitmap.push_back(levels->MatchesValue(Value::String(entry)));
  EXPECT_EQ(bitmap, (std::vector<bool>{false, false, true, true}));
  EXPECT_FALSE(levels->MatchesValue(Value::Null()));

  auto grep = MustCompile("message LIKE '%exception%' OR message IS NULL");
  ASSERT_NE(grep, nullptr);
  ASSERT_TRUE(grep->IsSingleColumnPredicate(&column));
  EXPECT_EQ(column, kMessage);
  EXPECT_TRUE(grep->MatchesValue(Value::String("an exception")));
  EXPECT_FALSE(grep->MatchesValue(Value::String("fine")));
  EXPECT_TRUE(grep->MatchesValue(Value::Null()));

  EXPECT_FALSE(MustCompile("level = 'a' AND service = 'b'")->IsSingleColumnPredicate(&column));
  EXPECT_FALSE(MustCompile("metadata.a = 1")->IsSingleColumnPredicate(&column));
  EXPECT_FALSE(MustCompile("metadata IS NULL")->IsSingleColumnPredicate(&column));
  EXPECT_FALSE(MustCompile("TRUE")->IsSingleColumnPredicate(&column));
  EXPECT_TRUE(MustCompile("NOT (level = 'a') AND level < 'x'")->IsSingleColumnPredicate(&column));
}

TEST(ExpressionDictionary, ConjunctsSplitTheTopLevelAnd) {
  auto expression = MustCompile(
      "level IN ('warn', 'error') AND (service = 'api' OR status > 500) AND "
      "metadata.http.status >= 500 AND user.id = 5");
  ASSERT_NE(expression, nullptr);
  auto conjuncts = expression->Conjuncts();
  ASSERT_EQ(conjuncts.size(), 4u);
  EXPECT_EQ(conjuncts[0]->ToString(), "level IN ('warn', 'error')");
  EXPECT_EQ(conjuncts[1]->ToString(), "service = 'api' OR status > 500");
  EXPECT_EQ(conjuncts[2]->ToString(), "metadata.http.status >= 500");
  EXPECT_EQ(conjuncts[3]->ToString(), "_extra.user.id = 5");
  EXPECT_EQ(conjuncts[0]->referenced_columns(), std::vector<int>{kLevel});
  EXPECT_EQ(conjuncts[1]->referenced_columns(), (std::vector<int>{kService, kStatus}));
  EXPECT_FALSE(conjuncts[0]->needs_scratch());
  EXPECT_TRUE(conjuncts[2]->needs_scratch());
  int column;
  EXPECT_TRUE(conjuncts[0]->IsSingleColumnPredicate(&column));
  EXPECT_EQ(expression->referenced_columns(),
            (std::vector<int>{kLevel, kService, kStatus, kMetadata, kExtra}));

  auto single = MustCompile("level = 'x' OR status = 1");
  ASSERT_NE(single, nullptr);
  EXPECT_EQ(single->Conjuncts().size(), 1u);

  // Matching all conjuncts is matching the whole, on random rows; long IN lists survive the copy.
  std::string long_in = "status IN (";
  for (int i = 0; i < 40; i += 2) long_in.append(std::to_string(i)).append(", ");
  long_in.append("99)");
  auto combined =
      MustCompile(long_in + " AND level LIKE 'a%' AND (ok OR latency > 1) AND timestamp >= '2026-01-16'");
  ASSERT_NE(combined, nullptr);
  auto parts = combined->Conjuncts();
  ASSERT_EQ(parts.size(), 4u);
  std::mt19937 random(3);
  EvalScratch scratch;
  int matches = 0;
  for (int r = 0; r < 2000; ++r) {
    Row row;
    row.Set(kStatus, Value::Int64(static_cast<int64_t>(random() % 45)));
    for (Column c : {kLatency, kLevel, kOk, kTimestamp}) row.Set(c, RandomValue(c, random, true));
    bool all = true;
    for (const auto& part : parts) all = all && part->Matches(ValueRow(row.values), &scratch);
    const bool whole = combined->Matches(ValueRow(row.values), &scratch);
    ASSERT_EQ(all, whole);
    matches += whole;
  }
  EXPECT_GT(matches, 10);
}

TEST(ExpressionApi, QuotingHelpersBuildExpressions) {
  EXPECT_EQ(QuoteStringLiteral("it's"), "'it''s'");
  EXPECT_EQ(QuoteName("level"), "level");
  EXPECT_EQ(QuoteName("Weird.Name"), "\"Weird.Name\"");
  EXPECT_EQ(QuoteName("and"), "\"and\"");
  EXPECT_EQ(QuoteName("a\"b"), "\"a\"\"b\"");
  Row row = SampleRow();
  row.Set(kWeird, Value::String("it's"));
  EXPECT_TRUE(Matches(Cat({QuoteName("Weird.Name"), " = ", QuoteStringLiteral("it's")}), row));
}

TEST(ExpressionApi, MatchesWithoutScratchWhenNoJsonIsRead) {
  auto plain = MustCompile("level = 'error' AND status >= 500");
  ASSERT_NE(plain, nullptr);
  EXPECT_FALSE(plain->needs_scratch());
  const Row row = SampleRow();
  EXPECT_TRUE(plain->Matches(ValueRow(row.values), nullptr));
  auto json = MustCompile("metadata.http.status >= 500");
  ASSERT_NE(json, nullptr);
  EXPECT_TRUE(json->needs_scratch());
  EXPECT_FALSE(json->Matches(ValueRow(row.values), nullptr));  // without scratch JSON reads as NULL
  EvalScratch scratch;
  EXPECT_TRUE(json->Matches(ValueRow(row.values), &scratch));
}

}  // namespace
}  // namespace expression_test
}  // namespace logdaemon::query
