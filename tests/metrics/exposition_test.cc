// Prometheus text format 0.0.4 as TextExposition writes it: exact expected text for each rule.
#include "metrics/exposition.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace logdaemon::metrics {
namespace exposition_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

TEST(TextExposition, CounterWithoutLabels) {
  TextExposition out;
  out.Counter("requests_total", "Requests served.", 42);
  EXPECT_EQ(out.text(),
            "# HELP requests_total Requests served.\n"
            "# TYPE requests_total counter\n"
            "requests_total 42\n");
}

TEST(TextExposition, GaugeWithLabels) {
  TextExposition out;
  out.Gauge("build_info", "Build.", 1, {{"version", "0.1.0"}, {"revision", "abc"}});
  EXPECT_EQ(out.text(),
            "# HELP build_info Build.\n"
            "# TYPE build_info gauge\n"
            "build_info{version=\"0.1.0\",revision=\"abc\"} 1\n");
}

TEST(TextExposition, FamilyHeaderWrittenOnceForSeveralLabelSets) {
  TextExposition out;
  out.Counter("rejected_total", "Rejected.", 3, {{"reason", "schema"}});
  out.Counter("rejected_total", "Rejected.", 0, {{"reason", "invalid_json"}});
  out.Counter("other_total", "Other.", 1);
  EXPECT_EQ(out.text(),
            "# HELP rejected_total Rejected.\n"
            "# TYPE rejected_total counter\n"
            "rejected_total{reason=\"schema\"} 3\n"
            "rejected_total{reason=\"invalid_json\"} 0\n"
            "# HELP other_total Other.\n"
            "# TYPE other_total counter\n"
            "other_total 1\n");
}

TEST(TextExposition, LabelValuesEscapeBackslashQuoteAndNewline) {
  TextExposition out;
  out.Gauge("g", "h", 1, {{"path", "C:\\dir\n\"x\""}});
  EXPECT_EQ(out.text(),
            "# HELP g h\n"
            "# TYPE g gauge\n"
            "g{path=\"C:\\\\dir\\n\\\"x\\\"\"} 1\n");
}

TEST(TextExposition, HelpEscapesBackslashAndNewlineButNotQuotes) {
  TextExposition out;
  out.Counter("c", "a \"quoted\" \\ help\nsecond line", 0);
  EXPECT_EQ(out.text(),
            "# HELP c a \"quoted\" \\\\ help\\nsecond line\n"
            "# TYPE c counter\n"
            "c 0\n");
}

TEST(TextExposition, LabelValuesKeepUtf8AsIs) {
  TextExposition out;
  out.Gauge("g", "h", 1, {{"name", "h\xC3\xA9llo"}});
  EXPECT_EQ(out.text(), "# HELP g h\n# TYPE g gauge\ng{name=\"h\xC3\xA9llo\"} 1\n");
}

// The value column alone, for the number formatting rules.
std::string ValueText(double value) {
  TextExposition out;
  out.Gauge("v", "v", value);
  const std::string& text = out.text();
  const size_t start = text.rfind("\nv ") + 3;
  return text.substr(start, text.size() - start - 1);
}

TEST(TextExposition, IntegersPrintAsIntegers) {
  EXPECT_EQ(ValueText(0), "0");
  EXPECT_EQ(ValueText(-0.0), "0");
  EXPECT_EQ(ValueText(7), "7");
  EXPECT_EQ(ValueText(-12), "-12");
  EXPECT_EQ(ValueText(1e15), "1000000000000000");
  EXPECT_EQ(ValueText(9007199254740991.0), "9007199254740991");  // 2^53 - 1
}

TEST(TextExposition, FractionsUseTheShortestTextThatReadsBackExactly) {
  EXPECT_EQ(ValueText(0.5), "0.5");
  EXPECT_EQ(ValueText(0.1), "0.1");
  EXPECT_EQ(ValueText(2.5), "2.5");
  EXPECT_EQ(ValueText(-1.25), "-1.25");
  EXPECT_EQ(ValueText(1e300), "1e+300");
  EXPECT_EQ(ValueText(1.0 / 3.0), "0.3333333333333333");
  for (double value : {0.1, 1.0 / 3.0, 123456.789, 1e-300, 6.02214076e23, 0.30000000000000004}) {
    EXPECT_EQ(std::stod(ValueText(value)), value) << ValueText(value);
  }
}

TEST(TextExposition, InfinitiesAndNaNAreSpelledAsPrometheusDoes) {
  EXPECT_EQ(ValueText(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(ValueText(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(ValueText(std::nan("")), "NaN");
}

TEST(TextExposition, HistogramBucketsAreCumulativeWithSumAndCount) {
  const double bounds[] = {1, 2.5, 5};
  const uint64_t counts[] = {1, 2, 0, 3};  // per bucket; the last one is above 5
  TextExposition out;
  out.Histogram("latency_ms", "Latency.", bounds, counts, 20.5);
  EXPECT_EQ(out.text(),
            "# HELP latency_ms Latency.\n"
            "# TYPE latency_ms histogram\n"
            "latency_ms_bucket{le=\"1\"} 1\n"
            "latency_ms_bucket{le=\"2.5\"} 3\n"
            "latency_ms_bucket{le=\"5\"} 3\n"
            "latency_ms_bucket{le=\"+Inf\"} 6\n"
            "latency_ms_sum 20.5\n"
            "latency_ms_count 6\n");
}

TEST(TextExposition, EmptyHistogramHasZeroBucketsSumAndCount) {
  const double bounds[] = {10};
  const uint64_t counts[] = {0, 0};
  TextExposition out;
  out.Histogram("h", "H.", bounds, counts, 0);
  EXPECT_EQ(out.text(),
            "# HELP h H.\n# TYPE h histogram\n"
            "h_bucket{le=\"10\"} 0\nh_bucket{le=\"+Inf\"} 0\nh_sum 0\nh_count 0\n");
}

TEST(TextExposition, FamiliesFollowEachOtherInCallOrder) {
  const double bounds[] = {1};
  const uint64_t counts[] = {2, 1};
  TextExposition out;
  out.Counter("a_total", "A.", 1);
  out.Histogram("b", "B.", bounds, counts, 3);
  out.Gauge("c", "C.", 2);
  EXPECT_EQ(
      out.text(),
      "# HELP a_total A.\n# TYPE a_total counter\na_total 1\n"
      "# HELP b B.\n# TYPE b histogram\nb_bucket{le=\"1\"} 2\nb_bucket{le=\"+Inf\"} 3\nb_sum 3\nb_count 3\n"
      "# HELP c C.\n# TYPE c gauge\nc 2\n");
}

TEST(TextExposition, TakeMovesTheTextOut) {
  TextExposition out;
  out.Counter("x_total", "X.", 5);
  const std::string text = out.Take();
  EXPECT_EQ(text, "# HELP x_total X.\n# TYPE x_total counter\nx_total 5\n");
}

TEST(TextExposition, NamesWithColonsAndDigitsAreValid) {
  TextExposition out;
  out.Counter("job:requests_total:rate5m", "Recorded.", 1, {{"le_bound2", "x"}});
  EXPECT_EQ(out.text(),
            "# HELP job:requests_total:rate5m Recorded.\n"
            "# TYPE job:requests_total:rate5m counter\n"
            "job:requests_total:rate5m{le_bound2=\"x\"} 1\n");
}

#ifndef NDEBUG
// Programming errors, caught by assertions in builds that keep them.
TEST(TextExpositionDeathTest, AnInvalidNameAsserts) {
  EXPECT_DEATH(TextExposition().Counter("bad name", "h", 1), "IsValidMetricName");
  EXPECT_DEATH(TextExposition().Counter("0starts_with_digit", "h", 1), "IsValidMetricName");
  EXPECT_DEATH(TextExposition().Gauge("g", "h", 1, {{"__reserved", "x"}}), "IsValidLabelName");
}

TEST(TextExpositionDeathTest, ASplitFamilyAsserts) {
  TextExposition out;
  out.Counter("a_total", "A.", 1);
  out.Counter("b_total", "B.", 1);
  EXPECT_DEATH(out.Counter("a_total", "A.", 2), "contiguous");
}
#endif

}  // namespace
}  // namespace exposition_test
}  // namespace logdaemon::metrics
