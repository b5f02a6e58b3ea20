// The output formats of `logdaemon query` (query/output.h, docs/query.md "Formats"): the exact bytes of
// each format for every value type, nulls, escaping of hostile text, colours, widths and the table's
// sampling boundary, and failed writes.
#include "query/output.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "query/output_csv.h"
#include "query/output_json.h"
#include "query/output_table.h"
#include "query/output_text.h"
// Counted with tests/support/allocation_counter.h (this is the one file of the binary that includes it).
#include "support/allocation_counter.h"

namespace logdaemon::query {
namespace output_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using namespace std::string_view_literals;

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kDay = 86'400 * kSecond;
// 2026-01-15T19:00:00Z
constexpr int64_t kTime = 20'468 * kDay + 19 * 3'600 * kSecond;

// A FILE* whose bytes the test can read (open_memstream).
class Capture {
 public:
  Capture() : file_(open_memstream(&data_, &size_)) {}
  ~Capture() {
    std::fclose(file_);
    std::free(data_);
  }
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;

  std::FILE* file() { return file_; }
  std::string text() {
    std::fflush(file_);
    return std::string(data_, size_);
  }

 private:
  char* data_ = nullptr;
  size_t size_ = 0;
  std::FILE* file_;
};

using Rows = std::vector<std::vector<Value>>;

std::string Render(const OutputOptions& options, const std::vector<ColumnInfo>& columns, const Rows& rows) {
  Capture capture;
  std::unique_ptr<RowWriter> writer = MakeRowWriter(options, capture.file());
  writer->Begin(columns);
  for (const std::vector<Value>& row : rows) writer->Row(row);
  writer->End();
  EXPECT_FALSE(writer->failed());
  return capture.text();
}

OutputOptions Format(OutputFormat format) {
  OutputOptions options;
  options.format = format;
  return options;
}

std::string Json(const std::vector<ColumnInfo>& columns, const Rows& rows) {
  return Render(Format(OutputFormat::kJson), columns, rows);
}
std::string Csv(const std::vector<ColumnInfo>& columns, const Rows& rows) {
  return Render(Format(OutputFormat::kCsv), columns, rows);
}

std::string JsonString(std::string_view text) {
  std::string out;
  AppendJsonString(text, &out);
  return out;
}
std::string CsvField(std::string_view text) {
  std::string out;
  AppendCsvField(text, &out);
  return out;
}
std::string Terminal(std::string_view text, size_t max_width = 1000, size_t* width = nullptr) {
  std::string out;
  const size_t w = AppendTerminalText(text, max_width, &out);
  if (width != nullptr) *width = w;
  return out;
}

// One column of every type, and the row that fills them.
const std::vector<ColumnInfo> kAllTypes = {
    {"timestamp", ValueType::kTimestamp}, {"level", ValueType::kString}, {"count", ValueType::kInt64},
    {"ratio", ValueType::kDouble},        {"ok", ValueType::kBool},      {"metadata", ValueType::kJson},
};
std::vector<Value> AllTypesRow() {
  return {Value::Timestamp(kTime), Value::String("info"),
          Value::Int64(-42),       Value::Double(0.1),
          Value::Bool(true),       Value::Json(R"({"http":{"status":500},"tags":["a","b"]})")};
}

// ---- text forms of values --------------------------------------------------------------------------

TEST(OutputText, TimestampsAreUtcWithTheShortestExactFraction) {
  EXPECT_EQ(FormatTimestamp(kTime), "2026-01-15T19:00:00Z");
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatTimestamp(kTime + 120'000), "2026-01-15T19:00:00.120Z");
  EXPECT_EQ(FormatTimestamp(kTime + 1'000), "2026-01-15T19:00:00.001Z");
  EXPECT_EQ(FormatTimestamp(kTime + 1), "2026-01-15T19:00:00.000001Z");
  EXPECT_EQ(FormatTimestamp(kTime + 123'456), "2026-01-15T19:00:00.123456Z");
  EXPECT_EQ(FormatTimestamp(kTime + 123'450), "2026-01-15T19:00:00.123450Z");
  EXPECT_EQ(FormatTimestamp(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatTimestamp(-kSecond), "1969-12-31T23:59:59Z");
  EXPECT_EQ(FormatTimestamp(-719'528 * kDay), "0000-01-01T00:00:00Z");
  EXPECT_EQ(FormatTimestamp(2'932'897 * kDay), "+10000-01-01T00:00:00Z");
  EXPECT_EQ(FormatTimestamp(std::numeric_limits<int64_t>::max()), "+294247-01-10T04:00:54.775807Z");
  EXPECT_EQ(FormatTimestamp(std::numeric_limits<int64_t>::min()), "-290308-12-21T19:59:05.224192Z");
}

TEST(OutputText, DoublesAreTheShortestRoundTrip) {
  auto text = [](double value) {
    std::string out;
    AppendDouble(value, &out);
    return out;
  };
  EXPECT_EQ(text(0.1), "0.1");
  EXPECT_EQ(text(12), "12");
  EXPECT_EQ(text(-0.0), "-0");
  EXPECT_EQ(text(1e100), "1e+100");
  EXPECT_EQ(text(123456789.125), "123456789.125");
  EXPECT_EQ(text(5e-324), "5e-324");
  EXPECT_EQ(text(1.7976931348623157e308), "1.7976931348623157e+308");
  EXPECT_EQ(text(std::nan("")), "NaN");
  EXPECT_EQ(text(INFINITY), "Infinity");
  EXPECT_EQ(text(-INFINITY), "-Infinity");
  for (double value : {0.3, 1.0 / 3, 2.0 / 3e-300, 6.02214076e23}) {
    EXPECT_EQ(std::strtod(text(value).c_str(), nullptr), value);
  }
}

TEST(OutputText, Int64Extremes) {
  std::string out;
  AppendInt64(std::numeric_limits<int64_t>::min(), &out);
  out.push_back(' ');
  AppendInt64(std::numeric_limits<int64_t>::max(), &out);
  EXPECT_EQ(out, "-9223372036854775808 9223372036854775807");
}

TEST(OutputText, Utf8DecodingFollowsTable3_7) {
  auto step = [](std::string_view bytes) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    return DecodeUtf8(p, p + bytes.size());
  };
  EXPECT_EQ(step("A").code_point, 0x41u);
  EXPECT_EQ(step("\xC3\xA9").code_point, 0xE9u);
  EXPECT_EQ(step("\xE6\x97\xA5").code_point, 0x65E5u);
  EXPECT_EQ(step("\xF0\x9F\x8E\x89").code_point, 0x1F389u);
  EXPECT_EQ(step("\xF4\x8F\xBF\xBF").code_point, 0x10FFFFu);
  EXPECT_EQ(step("\xF0\x9F\x8E\x89").length, 4);
  // Ill-formed, with the length of the maximal subpart one U+FFFD replaces.
  const std::pair<std::string_view, int> kIllFormed[] = {
      {"\x80", 1},
      {"\xBF", 1},
      {"\xC0\xAF", 1},
      {"\xC1\xBF", 1},
      {"\xC3", 1},
      {"\xC3"
       "A",
       1},
      {"\xE0\x80\x80", 1},
      {"\xE0\xA0", 2},
      {"\xED\xA0\x80", 1},
      {"\xE2\x82"
       "A",
       2},
      {"\xF0\x8F\xBF\xBF", 1},
      {"\xF4\x90\x80\x80", 1},
      {"\xF5\x80\x80\x80", 1},
      {"\xFF", 1},
      {"\xF0\x9F\x8E", 3},
      {"\xF0\x9F\x8E"
       "A",
       3},
  };
  for (const auto& [bytes, length] : kIllFormed) {
    const Utf8Step s = step(bytes);
    EXPECT_FALSE(s.valid) << testing::PrintToString(bytes);
    EXPECT_EQ(s.length, length) << testing::PrintToString(bytes);
  }
}

TEST(OutputText, InvalidUtf8BecomesReplacementCharacters) {
  auto valid = [](std::string_view text) {
    std::string out;
    AppendValidUtf8(text, &out);
    return out;
  };
  EXPECT_EQ(valid("plain é 日本 🎉"), "plain é 日本 🎉");
  EXPECT_EQ(valid("a\xFF"
                  "b"),
            "a\uFFFDb");
  EXPECT_EQ(valid("\xED\xA0\x80"), "\uFFFD\uFFFD\uFFFD");  // a surrogate: three maximal subparts
  EXPECT_EQ(valid("\xE2\x82"
                  "A"),
            "\uFFFDA");
  EXPECT_EQ(valid("end\xF0\x9F\x8E"), "end\uFFFD");
  EXPECT_EQ(valid(""), "");
}

TEST(OutputText, DisplayWidths) {
  EXPECT_EQ(CodePointDisplayWidth('a'), 1);
  EXPECT_EQ(CodePointDisplayWidth(0xE9), 1);     // é
  EXPECT_EQ(CodePointDisplayWidth(0x301), 0);    // combining acute accent
  EXPECT_EQ(CodePointDisplayWidth(0x200D), 0);   // zero width joiner
  EXPECT_EQ(CodePointDisplayWidth(0x65E5), 2);   // 日
  EXPECT_EQ(CodePointDisplayWidth(0xAC00), 2);   // 가
  EXPECT_EQ(CodePointDisplayWidth(0xFF21), 2);   // fullwidth A
  EXPECT_EQ(CodePointDisplayWidth(0x1F389), 2);  // 🎉
  EXPECT_EQ(CodePointDisplayWidth(0x20000), 2);  // CJK extension B
  EXPECT_EQ(CodePointDisplayWidth(0x3042), 2);   // あ
  EXPECT_EQ(CodePointDisplayWidth(0x3099), 0);   // combining voiced sound mark
  EXPECT_EQ(CodePointDisplayWidth(0x0416), 1);   // Ж
  EXPECT_EQ(CodePointDisplayWidth(0x10FFFF), 1);
}

// ---- json -------------------------------------------------------------------------------------------

TEST(JsonOutput, EveryTypeWithItsJsonType) {
  EXPECT_EQ(Json(kAllTypes, {AllTypesRow()}),
            R"({"timestamp":"2026-01-15T19:00:00Z","level":"info","count":-42,"ratio":0.1,"ok":true,)"
            R"("metadata":{"http":{"status":500},"tags":["a","b"]}})"
            "\n");
}

TEST(JsonOutput, OneLinePerRowInOrder) {
  const std::vector<ColumnInfo> columns = {{"n", ValueType::kInt64}};
  EXPECT_EQ(Json(columns, {{Value::Int64(1)}, {Value::Int64(2)}, {Value::Int64(3)}}),
            "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n");
  EXPECT_EQ(Json(columns, {}), "");
}

TEST(JsonOutput, NullsAreLeftOut) {
  std::vector<Value> row = AllTypesRow();
  row[1] = Value::Null();
  row[5] = Value::Null();
  EXPECT_EQ(Json(kAllTypes, {row}),
            R"({"timestamp":"2026-01-15T19:00:00Z","count":-42,"ratio":0.1,"ok":true})"
            "\n");
  row[0] = Value::Null();
  EXPECT_EQ(Json(kAllTypes, {row}), R"({"count":-42,"ratio":0.1,"ok":true})"
                                    "\n");
  const std::vector<Value> nulls(kAllTypes.size(), Value::Null());
  EXPECT_EQ(Json(kAllTypes, {nulls}), "{}\n");
}

TEST(JsonOutput, FalseZeroAndEmptyStringAreNotNull) {
  const std::vector<ColumnInfo> columns = {{"b", ValueType::kBool},
                                           {"i", ValueType::kInt64},
                                           {"d", ValueType::kDouble},
                                           {"s", ValueType::kString}};
  EXPECT_EQ(Json(columns, {{Value::Bool(false), Value::Int64(0), Value::Double(0), Value::String("")}}),
            R"({"b":false,"i":0,"d":0,"s":""})"
            "\n");
}

TEST(JsonOutput, ExtraMembersAreMergedAfterTheDeclaredColumns) {
  const std::vector<ColumnInfo> columns = {
      {"level", ValueType::kString}, {"message", ValueType::kString}, {"_extra", ValueType::kJson}};
  EXPECT_EQ(
      Json(columns, {{Value::String("info"), Value::String("hi"), Value::Json(R"({"user":"ann","n":[1]})")}}),
      R"({"level":"info","message":"hi","user":"ann","n":[1]})"
      "\n");
  // No undeclared property: `_extra` is null or (from another writer) an empty object.
  EXPECT_EQ(Json(columns, {{Value::String("info"), Value::String("hi"), Value::Null()}}),
            R"({"level":"info","message":"hi"})"
            "\n");
  EXPECT_EQ(Json(columns, {{Value::String("info"), Value::String("hi"), Value::Json("{}")}}),
            R"({"level":"info","message":"hi"})"
            "\n");
  // Nothing before it.
  EXPECT_EQ(Json(columns, {{Value::Null(), Value::Null(), Value::Json(R"({"a":1})")}}), R"({"a":1})"
                                                                                        "\n");
  EXPECT_EQ(Json(columns, {{Value::Null(), Value::Null(), Value::Json("{}")}}), "{}\n");
}

TEST(JsonOutput, ExtraIsMergedLastWhereverItStands) {
  const std::vector<ColumnInfo> columns = {{"_extra", ValueType::kJson}, {"level", ValueType::kString}};
  EXPECT_EQ(Json(columns, {{Value::Json(R"({"a":1})"), Value::String("warn")}}), R"({"level":"warn","a":1})"
                                                                                 "\n");
  EXPECT_EQ(Json({{"_extra", ValueType::kJson}}, {{Value::Json(R"({"a":{"b":null}})")}}),
            R"({"a":{"b":null}})"
            "\n");
}

TEST(JsonOutput, ExtraThatIsNotAnObjectStaysAMember) {
  const std::vector<ColumnInfo> columns = {{"level", ValueType::kString}, {"_extra", ValueType::kJson}};
  EXPECT_EQ(Json(columns, {{Value::String("info"), Value::Json("[1,2]")}}),
            R"({"level":"info","_extra":[1,2]})"
            "\n");
  // A column named _extra that is not JSON is an ordinary column.
  EXPECT_EQ(Json({{"_extra", ValueType::kString}}, {{Value::String("{}")}}), R"({"_extra":"{}"})"
                                                                             "\n");
}

TEST(JsonOutput, EmptyJsonTextIsWrittenAsNull) {
  EXPECT_EQ(Json({{"m", ValueType::kJson}}, {{Value::Json("")}}), R"({"m":null})"
                                                                  "\n");
}

TEST(JsonOutput, NonFiniteDoublesAreNull) {
  const std::vector<ColumnInfo> columns = {{"d", ValueType::kDouble}};
  EXPECT_EQ(Json(columns, {{Value::Double(std::nan(""))}, {Value::Double(-INFINITY)}, {Value::Double(1e-7)}}),
            "{\"d\":null}\n{\"d\":null}\n{\"d\":1e-07}\n");
}

TEST(JsonOutput, StringsAreEscapedAsRfc8259Requires) {
  EXPECT_EQ(JsonString("plain"), R"("plain")");
  EXPECT_EQ(JsonString(R"(say "hi" \ bye)"), R"("say \"hi\" \\ bye")");
  EXPECT_EQ(JsonString("a\nb\rc\td\be\ff"), R"("a\nb\rc\td\be\ff")");
  EXPECT_EQ(JsonString("\x01\x1f\x1b[31m"sv), R"("\u0001\u001f\u001b[31m")");
  EXPECT_EQ(JsonString("nul\0byte"sv), R"("nul\u0000byte")");
  EXPECT_EQ(JsonString("\x7f/</script>"), "\"\x7f/</script>\"");  // DEL and '/' need no escape
  EXPECT_EQ(JsonString(""), R"("")");
}

TEST(JsonOutput, UnicodePassesThroughAndInvalidBytesAreReplaced) {
  EXPECT_EQ(JsonString("é 日本 🎉 \u2028 \uFEFF"), "\"é 日本 🎉 \u2028 \uFEFF\"");
  EXPECT_EQ(JsonString("\xFF"), "\"\uFFFD\"");
  EXPECT_EQ(JsonString("a\xC3\"b"), "\"a\uFFFD\\\"b\"");  // a cut sequence before a quote
  EXPECT_EQ(JsonString("\xED\xA0\x80\n"), "\"\uFFFD\uFFFD\uFFFD\\n\"");
  EXPECT_EQ(JsonString("\xC0\xAF"), "\"\uFFFD\uFFFD\"");  // overlong '/'
  EXPECT_EQ(JsonString("x\xF0\x9F\x8E"), "\"x\uFFFD\"");
}

TEST(JsonOutput, KeysAreEscapedToo) {
  EXPECT_EQ(Json({{"a\"b\n", ValueType::kInt64}}, {{Value::Int64(1)}}), R"({"a\"b\n":1})"
                                                                        "\n");
}

TEST(JsonOutput, InvalidUtf8InsideJsonColumnsIsReplaced) {
  EXPECT_EQ(Json({{"m", ValueType::kJson}}, {{Value::Json("{\"a\":\"\xFF\"}")}}),
            "{\"m\":{\"a\":\"\uFFFD\"}}\n");
}

TEST(JsonOutput, TimestampsWithFractions) {
  EXPECT_EQ(Json({{"t", ValueType::kTimestamp}}, {{Value::Timestamp(kTime + 5'000)}, {Value::Timestamp(-1)}}),
            "{\"t\":\"2026-01-15T19:00:00.005Z\"}\n{\"t\":\"1969-12-31T23:59:59.999999Z\"}\n");
}

TEST(JsonOutput, ManyRowsCrossTheBufferChunks) {
  const std::vector<ColumnInfo> columns = {{"n", ValueType::kInt64}, {"s", ValueType::kString}};
  const std::string text(100, 'x');
  Rows rows;
  std::string expected;
  for (int i = 0; i < 5'000; ++i) {
    rows.push_back({Value::Int64(i), Value::String(text)});
    expected.append("{\"n\":").append(std::to_string(i)).append(",\"s\":\"").append(text).append("\"}\n");
  }
  EXPECT_EQ(Json(columns, rows), expected);
}

// ---- csv --------------------------------------------------------------------------------------------

TEST(CsvOutput, HeaderThenEveryTypeWithCrlf) {
  EXPECT_EQ(Csv(kAllTypes, {AllTypesRow()}),
            "timestamp,level,count,ratio,ok,metadata\r\n"
            "2026-01-15T19:00:00Z,info,-42,0.1,true,\"{\"\"http\"\":{\"\"status\"\":500},\"\"tags\"\":["
            "\"\"a\"\",\"\"b\"\"]}\"\r\n");
}

TEST(CsvOutput, NullIsEmptyAndEmptyStringIsQuoted) {
  const std::vector<ColumnInfo> columns = {{"a", ValueType::kString},
                                           {"b", ValueType::kString},
                                           {"c", ValueType::kInt64},
                                           {"d", ValueType::kBool}};
  EXPECT_EQ(Csv(columns, {{Value::Null(), Value::String(""), Value::Null(), Value::Bool(false)},
                          {Value::Null(), Value::Null(), Value::Null(), Value::Null()}}),
            "a,b,c,d\r\n,\"\",,false\r\n,,,\r\n");
}

TEST(CsvOutput, FieldsAreQuotedOnlyWhenTheyMustBe) {
  EXPECT_EQ(CsvField("plain text"), "plain text");
  EXPECT_EQ(CsvField(" padded "), " padded ");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("\""), "\"\"\"\"");
  EXPECT_EQ(CsvField("line\nbreak"), "\"line\nbreak\"");
  EXPECT_EQ(CsvField("cr\r"), "\"cr\r\"");
  EXPECT_EQ(CsvField("tab\tand\x1b"), "tab\tand\x1b");
  EXPECT_EQ(CsvField("nul\0"sv), "nul\0"sv);
  EXPECT_EQ(CsvField("日本 🎉"), "日本 🎉");
  EXPECT_EQ(CsvField(""), "\"\"");
}

TEST(CsvOutput, InvalidUtf8IsReplacedQuotedOrNot) {
  EXPECT_EQ(CsvField("a\xFF"
                     "b"),
            "a\uFFFDb");
  EXPECT_EQ(CsvField("\xE2\x82\",\xC3"), "\"\uFFFD\"\",\uFFFD\"");
}

TEST(CsvOutput, HeaderNamesAreFieldsToo) {
  EXPECT_EQ(
      Csv({{"a,b", ValueType::kInt64}, {"c\"", ValueType::kInt64}}, {{Value::Int64(1), Value::Int64(2)}}),
      "\"a,b\",\"c\"\"\"\r\n1,2\r\n");
}

TEST(CsvOutput, TimestampsAndDoubles) {
  EXPECT_EQ(Csv({{"t", ValueType::kTimestamp}, {"d", ValueType::kDouble}},
                {{Value::Timestamp(kTime + 250'000), Value::Double(1e21)}}),
            "t,d\r\n2026-01-15T19:00:00.250Z,1e+21\r\n");
}

TEST(CsvOutput, NoColumnsWritesNothing) {
  EXPECT_EQ(Csv({}, {{}, {}}), "");
}

// ---- table ------------------------------------------------------------------------------------------

OutputOptions Table(size_t sample_rows = 1000, size_t max_width = 80) {
  OutputOptions options;
  options.format = OutputFormat::kTable;
  options.table_sample_rows = sample_rows;
  options.table_max_column_width = max_width;
  return options;
}

const std::vector<ColumnInfo> kLogColumns = {{"timestamp", ValueType::kTimestamp},
                                             {"level", ValueType::kString},
                                             {"status", ValueType::kInt64},
                                             {"message", ValueType::kString}};

TEST(TableOutput, HeaderRuleAndAlignedColumns) {
  const Rows rows = {
      {Value::Timestamp(kTime), Value::String("info"), Value::Int64(200), Value::String("Hello world")},
      {Value::Timestamp(kTime + 1'500'000), Value::String("error"), Value::Int64(50300),
       Value::String("boom")},
  };
  EXPECT_EQ(Render(Table(), kLogColumns, rows),
            "timestamp                 level  status  message\n"
            "------------------------  -----  ------  -----------\n"
            "2026-01-15T19:00:00Z      info      200  Hello world\n"
            "2026-01-15T19:00:01.500Z  error   50300  boom\n");
}

TEST(TableOutput, NullsAreEmptyCells) {
  const Rows rows = {
      {Value::Timestamp(kTime), Value::Null(), Value::Null(), Value::Null()},
      {Value::Null(), Value::String("warn"), Value::Int64(1), Value::String("x")},
  };
  EXPECT_EQ(Render(Table(), kLogColumns, rows),
            "timestamp             level  status  message\n"
            "--------------------  -----  ------  -------\n"
            "2026-01-15T19:00:00Z\n"
            "                      warn        1  x\n");
}

TEST(TableOutput, LinesHaveNoTrailingSpaces) {
  OutputOptions options = Table();
  const std::vector<ColumnInfo> columns = {{"a", ValueType::kString}, {"", ValueType::kString}};
  EXPECT_EQ(Render(options, columns, {{Value::String("x"), Value::Null()}, {Value::Null(), Value::Null()}}),
            "a\n"
            "-  -\n"
            "x\n"
            "\n");
  options.color = true;
  EXPECT_EQ(Render(options, columns, {}),
            "\x1b[1ma\x1b[0m\n"
            "-  -\n");
}

TEST(TableOutput, EmptyResultPrintsTheHeader) {
  EXPECT_EQ(Render(Table(), {{"level", ValueType::kString}, {"n", ValueType::kInt64}}, {}),
            "level  n\n"
            "-----  -\n");
}

TEST(TableOutput, NoColumnsPrintsNothing) {
  EXPECT_EQ(Render(Table(), {}, {{}, {}}), "");
}

TEST(TableOutput, EveryTypeAsText) {
  EXPECT_EQ(Render(Table(), kAllTypes, {AllTypesRow()}),
            "timestamp             level  count  ratio  ok    metadata\n"
            "--------------------  -----  -----  -----  ----  ----------------------------------------\n"
            "2026-01-15T19:00:00Z  info     -42    0.1  true  "
            "{\"http\":{\"status\":500},\"tags\":[\"a\",\"b\"]}\n");
}

TEST(TableOutput, WideTextIsCutWithAnEllipsis) {
  const std::vector<ColumnInfo> columns = {{"message", ValueType::kString}, {"n", ValueType::kInt64}};
  EXPECT_EQ(Render(Table(1000, 10), columns,
                   {{Value::String("abcdefghijklmnop"), Value::Int64(1)},
                    {Value::String("short"), Value::Int64(2)},
                    {Value::String("abcdefghij"), Value::Int64(3)}}),
            "message     n\n"
            "----------  -\n"
            "abcdefghi…  1\n"
            "short       2\n"
            "abcdefghij  3\n");
}

TEST(TableOutput, HeadersAreCutToo) {
  EXPECT_EQ(Render(Table(1000, 4), {{"a_long_name", ValueType::kString}}, {{Value::String("x")}}),
            "a_l…\n"
            "----\n"
            "x\n");
}

TEST(TableOutput, NumbersAndTimesAreNeverCut) {
  const std::vector<ColumnInfo> columns = {
      {"t", ValueType::kTimestamp}, {"n", ValueType::kInt64}, {"s", ValueType::kString}};
  EXPECT_EQ(Render(Table(1000, 5), columns,
                   {{Value::Timestamp(kTime), Value::Int64(1234567), Value::String("abcdefg")}}),
            "t          n  s\n"
            "-----  -----  -----\n"
            "2026-01-15T19:00:00Z  1234567  abcd…\n");
}

TEST(TableOutput, DisplayWidthCountsWideAndCombiningCharacters) {
  const std::vector<ColumnInfo> columns = {{"s", ValueType::kString}, {"n", ValueType::kInt64}};
  EXPECT_EQ(
      Render(Table(1000, 8), columns,
             {{Value::String("日本語テキスト"), Value::Int64(1)},   // 14 columns: cut after 6, "…" makes 7
              {Value::String("e\u0301te\u0301"), Value::Int64(2)},  // 3 columns, 5 code points
              {Value::String("🎉🎉🎉🎉"), Value::Int64(3)}}),           // exactly 8: not cut
      "s         n\n"
      "--------  -\n"
      "日本語…   1\n"
      "e\u0301te\u0301       2\n"
      "🎉🎉🎉🎉  3\n");
}

TEST(TableOutput, TerminalTextIsMadeSafe) {
  size_t width;
  EXPECT_EQ(Terminal("a\tb", 1000, &width), "a b");
  EXPECT_EQ(width, 3u);
  EXPECT_EQ(Terminal("line1\nline2\r\n", 1000, &width), "line1\\nline2\\r\\n");
  EXPECT_EQ(width, 16u);
  EXPECT_EQ(Terminal("\x1b[2J\x1b]0;title\x07", 1000, &width), "\\x1b[2J\\x1b]0;title\\x07");
  EXPECT_EQ(Terminal("nul\0del\x7f"sv), "nul\\x00del\\x7f");
  EXPECT_EQ(Terminal("c1\xC2\x85\xC2\x9B"), "c1\\u0085\\u009b");  // NEL and CSI
  EXPECT_EQ(Terminal("\xC2\xA0nbsp"), "\xC2\xA0nbsp");
  EXPECT_EQ(Terminal("bad\xFF\xC3", 1000, &width), "bad\uFFFD\uFFFD");
  EXPECT_EQ(width, 5u);
}

TEST(TableOutput, TerminalTextIsCutAtTheWidth) {
  size_t width;
  EXPECT_EQ(Terminal("abcdef", 6, &width), "abcdef");
  EXPECT_EQ(width, 6u);
  EXPECT_EQ(Terminal("abcdefg", 6, &width), "abcde…");
  EXPECT_EQ(width, 6u);
  EXPECT_EQ(Terminal("a\nbcdef", 4, &width), "a\\n…");  // escapes count their width
  EXPECT_EQ(width, 4u);
  EXPECT_EQ(Terminal("日本語", 5, &width), "日本…");
  EXPECT_EQ(width, 5u);
  EXPECT_EQ(Terminal("日本語", 4, &width), "日…");  // 語 does not fit beside "…"
  EXPECT_EQ(width, 3u);
  EXPECT_EQ(Terminal("ab", 1, &width), "…");
  EXPECT_EQ(width, 1u);
  EXPECT_EQ(Terminal("ab", 0, &width), "");
  EXPECT_EQ(width, 0u);
  EXPECT_EQ(Terminal("", 0, &width), "");
  // A huge text is read only as far as the cut.
  const std::string huge(10'000'000, 'x');
  EXPECT_EQ(Terminal(huge, 3, &width), "xx…");
}

TEST(TableOutput, ColoursByLevelWhenAsked) {
  OutputOptions options = Table();
  options.color = true;
  options.level_column = 1;
  const std::vector<ColumnInfo> columns = {
      {"n", ValueType::kInt64}, {"level", ValueType::kString}, {"m", ValueType::kString}};
  const Rows rows = {
      {Value::Int64(1), Value::String("error"), Value::String("a")},
      {Value::Int64(2), Value::String("WARN"), Value::String("b")},
      {Value::Int64(3), Value::String("info"), Value::String("c")},
      {Value::Int64(4), Value::String("debug"), Value::String("d")},
      {Value::Int64(5), Value::String("fatal"), Value::String("e")},
      {Value::Int64(6), Value::String("custom"), Value::String("f")},
      {Value::Int64(7), Value::Null(), Value::String("\x1b[31mg")},
  };
  EXPECT_EQ(Render(options, columns, rows),
            "\x1b[1mn  level   m\x1b[0m\n"
            "-  ------  ---------\n"
            "1  \x1b[31merror\x1b[0m   a\n"
            "2  \x1b[33mWARN\x1b[0m    b\n"
            "3  \x1b[32minfo\x1b[0m    c\n"
            "4  \x1b[2mdebug\x1b[0m   d\n"
            "5  \x1b[1;31mfatal\x1b[0m   e\n"
            "6  custom  f\n"
            "7          \\x1b[31mg\n");
}

TEST(TableOutput, NoColourCodesWithoutColour) {
  OutputOptions options = Table();
  options.level_column = 0;
  const std::string text = Render(options, {{"level", ValueType::kString}}, {{Value::String("error")}});
  EXPECT_EQ(text, "level\n-----\nerror\n");
}

TEST(TableOutput, RowsAfterTheSampleUseItsWidths) {
  const std::vector<ColumnInfo> columns = {{"s", ValueType::kString}, {"n", ValueType::kInt64}};
  const Rows rows = {
      {Value::String("a"), Value::Int64(1)},
      {Value::String("bbb"), Value::Int64(2)},
      // Sampled up to here: "s" is 3 wide.
      {Value::String("cc"), Value::Int64(3)},
      {Value::String("dddd"), Value::Int64(40)},
      {Value::String("eeeeeeeeee"), Value::Int64(5)},
  };
  EXPECT_EQ(Render(Table(2), columns, rows),
            "s    n\n"
            "---  -\n"
            "a    1\n"
            "bbb  2\n"
            "cc   3\n"
            "dd…  40\n"
            "ee…  5\n");
  // The same rows all sampled: widths from all of them.
  EXPECT_EQ(Render(Table(5), columns, rows),
            "s            n\n"
            "----------  --\n"
            "a            1\n"
            "bbb          2\n"
            "cc           3\n"
            "dddd        40\n"
            "eeeeeeeeee   5\n");
}

TEST(TableOutput, NothingIsPrintedUntilTheSampleIsFullOrFlushed) {
  Capture capture;
  std::unique_ptr<RowWriter> writer = MakeRowWriter(Table(3), capture.file());
  writer->Begin({{"s", ValueType::kString}});
  const Value first[] = {Value::String("one")};
  writer->Row(first);
  EXPECT_EQ(capture.text(), "");
  writer->Flush();  // --follow between batches: the widths are fixed now
  EXPECT_EQ(capture.text(), "s\n---\none\n");
  const Value second[] = {Value::String("three")};
  writer->Row(second);
  writer->Flush();
  EXPECT_EQ(capture.text(), "s\n---\none\nth…\n");
  writer->End();
  EXPECT_EQ(capture.text(), "s\n---\none\nth…\n");
}

TEST(TableOutput, SampleOfExactlyAllRowsPrintsEachOnce) {
  const std::vector<ColumnInfo> columns = {{"s", ValueType::kString}};
  EXPECT_EQ(Render(Table(2), columns, {{Value::String("a")}, {Value::String("b")}}), "s\n-\na\nb\n");
  EXPECT_EQ(Render(Table(1), columns, {{Value::String("a")}}), "s\n-\na\n");
}

TEST(TableOutput, NoSamplingTakesWidthsFromTheHeader) {
  const std::vector<ColumnInfo> columns = {{"name", ValueType::kString}, {"n", ValueType::kInt64}};
  EXPECT_EQ(Render(Table(0), columns,
                   {{Value::String("ab"), Value::Int64(1)}, {Value::String("abcdef"), Value::Int64(22)}}),
            "name  n\n"
            "----  -\n"
            "ab    1\n"
            "abc…  22\n");
}

TEST(TableOutput, AColumnOfNullsStillShowsThatLaterTextWasCut) {
  EXPECT_EQ(Render(Table(1), {{"", ValueType::kString}}, {{Value::Null()}, {Value::String("late")}}),
            "\n-\n\n…\n");
}

TEST(TableOutput, SampledValuesAreCopied) {
  Capture capture;
  std::unique_ptr<RowWriter> writer = MakeRowWriter(Table(), capture.file());
  writer->Begin({{"s", ValueType::kString}, {"j", ValueType::kJson}});
  for (int i = 0; i < 3; ++i) {
    // The row's bytes die with the iteration, as a row group's do once the scan moves on.
    auto text = std::make_unique<std::string>(std::string("row ").append(std::to_string(i)));
    auto json = std::make_unique<std::string>(std::string("[").append(std::to_string(i)).append("]"));
    const Value row[] = {Value::String(*text), Value::Json(*json)};
    writer->Row(row);
  }
  writer->End();
  EXPECT_EQ(capture.text(), "s      j\n-----  ---\nrow 0  [0]\nrow 1  [1]\nrow 2  [2]\n");
}

TEST(TableOutput, ManyRowsStreamAfterTheSample) {
  const std::vector<ColumnInfo> columns = {{"n", ValueType::kInt64}};
  Rows rows;
  std::string expected = "    n\n-----\n";
  for (int i = 0; i < 20'000; ++i) {
    rows.push_back({Value::Int64(i)});
    const std::string number = std::to_string(i);
    expected += std::string(5 - std::min<size_t>(5, number.size()), ' ') + number + "\n";
  }
  // The sample (0..999) makes the column 3 wide; wider numbers overflow it, never cut.
  std::string sampled_expected = "  n\n---\n";
  for (int i = 0; i < 20'000; ++i) {
    const std::string number = std::to_string(i);
    sampled_expected += std::string(3 - std::min<size_t>(3, number.size()), ' ') + number + "\n";
  }
  EXPECT_EQ(Render(Table(), columns, rows), sampled_expected);
  EXPECT_EQ(Render(Table(100'000), columns, rows), expected);
}

// ---- random bytes: every format stays well-formed ---------------------------------------------------

// Strings of random bytes, biased toward the interesting ones (controls, quotes, UTF-8 lead and
// continuation bytes), from a fixed seed.
std::vector<std::string> RandomTexts() {
  std::mt19937 random(20260115);
  const std::string_view kInteresting = "\"\\,\r\n\t\x1b\x7f\xc2\x85\xe2\x80\xa6\xed\xa0\xf0\x9f\xbf\xff"sv;
  std::vector<std::string> texts;
  for (int i = 0; i < 2'000; ++i) {
    std::string text(random() % 40, '\0');
    for (char& c : text) {
      c = random() % 2 ? kInteresting[random() % kInteresting.size()] : static_cast<char>(random() % 256);
    }
    texts.push_back(std::move(text));
  }
  return texts;
}

bool IsValidUtf8(std::string_view text) {
  return simdjson::validate_utf8(text.data(), text.size());
}

TEST(RandomBytes, JsonStringsParseBackToTheValidText) {
  simdjson::dom::parser parser;
  for (const std::string& text : RandomTexts()) {
    const std::string json = JsonString(text);
    ASSERT_TRUE(IsValidUtf8(json)) << testing::PrintToString(text);
    std::string_view parsed;
    ASSERT_EQ(parser.parse(json).get_string().get(parsed), simdjson::SUCCESS) << testing::PrintToString(text);
    std::string expected;
    AppendValidUtf8(text, &expected);
    EXPECT_EQ(parsed, expected);
  }
}

// A strict RFC 4180 reader of one field: what a CSV reader gets back.
std::string ReadCsvField(std::string_view field) {
  if (field.empty() || field.front() != '"') return std::string(field);
  EXPECT_GE(field.size(), 2u);
  EXPECT_EQ(field.back(), '"');
  std::string value;
  for (size_t i = 1; i + 1 < field.size(); ++i) {
    value.push_back(field[i]);
    if (field[i] == '"') {
      EXPECT_EQ(field[i + 1], '"') << "a lone quote inside a quoted field";
      ++i;
    }
  }
  return value;
}

TEST(RandomBytes, CsvFieldsReadBackToTheValidText) {
  for (const std::string& text : RandomTexts()) {
    const std::string field = CsvField(text);
    ASSERT_TRUE(IsValidUtf8(field)) << testing::PrintToString(text);
    const bool quoted = !field.empty() && field.front() == '"';
    if (!quoted) {
      EXPECT_EQ(field.find_first_of(",\"\r\n"), std::string::npos);
    }
    std::string expected;
    AppendValidUtf8(text, &expected);
    EXPECT_EQ(ReadCsvField(field), expected) << testing::PrintToString(text);
  }
}

TEST(RandomBytes, TerminalTextHasNoControlsAndFitsItsWidth) {
  for (const std::string& text : RandomTexts()) {
    for (size_t max_width : {size_t{0}, size_t{1}, size_t{5}, size_t{1000}}) {
      size_t width;
      const std::string shown = Terminal(text, max_width, &width);
      ASSERT_TRUE(IsValidUtf8(shown)) << testing::PrintToString(text);
      EXPECT_LE(width, max_width);
      size_t measured = 0;
      const auto* p = reinterpret_cast<const unsigned char*>(shown.data());
      const auto* const limit = p + shown.size();
      while (p < limit) {
        const Utf8Step step = DecodeUtf8(p, limit);
        ASSERT_TRUE(step.valid);
        EXPECT_TRUE(step.code_point >= 0xA0 || (step.code_point >= 0x20 && step.code_point < 0x7F))
            << "control character U+" << std::hex << step.code_point << " in "
            << testing::PrintToString(shown);
        measured += static_cast<size_t>(CodePointDisplayWidth(step.code_point));
        p += step.length;
      }
      EXPECT_EQ(measured, width) << testing::PrintToString(shown);
    }
  }
}

// ---- all formats ------------------------------------------------------------------------------------

TEST(Output, FewerValuesThanColumnsAreNulls) {
  const std::vector<ColumnInfo> columns = {{"a", ValueType::kInt64}, {"b", ValueType::kInt64}};
  const Rows rows = {{Value::Int64(1)}};
  EXPECT_EQ(Json(columns, rows), "{\"a\":1}\n");
  EXPECT_EQ(Csv(columns, rows), "a,b\r\n1\r\n");
  EXPECT_EQ(Render(Table(), columns, rows), "a  b\n-  -\n1\n");
}

TEST(Output, AWriteThatFailsIsNoticed) {
  // /dev/full fails every write with ENOSPC, like a full disk or a closed pipe.
  for (OutputFormat format : {OutputFormat::kJson, OutputFormat::kCsv, OutputFormat::kTable}) {
    std::FILE* full = std::fopen("/dev/full", "w");
    ASSERT_NE(full, nullptr);
    std::unique_ptr<RowWriter> writer = MakeRowWriter(Format(format), full);
    writer->Begin(kAllTypes);
    const std::vector<Value> row = AllTypesRow();
    for (int i = 0; i < 10 && !writer->failed(); ++i) writer->Row(row);
    EXPECT_FALSE(writer->failed());  // still buffered
    writer->End();
    EXPECT_TRUE(writer->failed()) << static_cast<int>(format);
    writer->Row(row);  // later calls write nothing
    writer->End();
    EXPECT_TRUE(writer->failed());
    std::fclose(full);
  }
}

TEST(Output, AClosedPipeStopsTheWriterEarly) {
  // `query | head`: with SIGPIPE ignored (as the command does), writes fail with EPIPE.
  struct sigaction ignore = {}, previous = {};
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(sigaction(SIGPIPE, &ignore, &previous), 0);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  close(fds[0]);
  std::FILE* out = fdopen(fds[1], "w");
  ASSERT_NE(out, nullptr);
  std::unique_ptr<RowWriter> writer = MakeRowWriter(Format(OutputFormat::kJson), out);
  writer->Begin(kAllTypes);
  const std::vector<Value> row = AllTypesRow();
  int rows = 0;
  for (; rows < 1'000'000 && !writer->failed(); ++rows) writer->Row(row);
  EXPECT_TRUE(writer->failed());
  EXPECT_LT(rows, 2'000);  // the first 64 KiB chunk fails
  writer->End();
  std::fclose(out);
  ASSERT_EQ(sigaction(SIGPIPE, &previous, nullptr), 0);
}

TEST(Output, RowsAllocateNothingOnceWarm) {
  std::vector<ColumnInfo> columns = kAllTypes;
  columns.push_back({"_extra", ValueType::kJson});
  std::vector<Value> row = AllTypesRow();
  row.push_back(Value::Json(R"({"user":"ann"})"));
  row[1] = Value::String("a \"quoted\" message\nwith é and \xFF");
  for (OutputFormat format : {OutputFormat::kJson, OutputFormat::kCsv, OutputFormat::kTable}) {
    std::FILE* null_device = std::fopen("/dev/null", "w");
    ASSERT_NE(null_device, nullptr);
    OutputOptions options = Format(format);
    options.table_sample_rows = 10;
    std::unique_ptr<RowWriter> writer = MakeRowWriter(options, null_device);
    writer->Begin(columns);
    for (int i = 0; i < 2'000; ++i) writer->Row(row);  // past the table's sample and a few chunks
    const long before = g_allocations.load();
    for (int i = 0; i < 10'000; ++i) writer->Row(row);
    EXPECT_EQ(g_allocations.load() - before, 0) << static_cast<int>(format);
    writer->End();
    EXPECT_FALSE(writer->failed());
    std::fclose(null_device);
  }
}

}  // namespace
}  // namespace output_test
}  // namespace logdaemon::query
