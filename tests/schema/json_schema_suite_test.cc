// The official JSON Schema test suite (json-schema-org/JSON-Schema-Test-Suite, draft7), run in place from
// ../shared/fixtures: every case of every required file must pass, remote references included
// (http://localhost:1234/ is mapped to the suite's remotes/ directory, as the suite intends); in
// optional/format/, every case of the formats logdaemon asserts passes but those listed in
// kExpectedFormatFailures, each with its reason, and a listed case that passes fails the test too (the
// list is out of date). The rest of optional/ fails only the cases listed in kExpectedOptionalFailures,
// and the formats that are annotations only fail exactly the cases the suite expects invalid. A failing
// case is named by file, group and description. The per-file tables are printed for the issue notes.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "schema/schema_compiler.h"
#include "schema/validator.h"
#include "support/fixtures.h"

namespace logdaemon::schema {
namespace json_schema_suite_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using testing_support::FixturesDir;

std::string SuiteDir() {
  return FixturesDir() + "/json-schema-test-suite";
}

// A case that did not come out as the suite expects: `test` is "group description / test description".
struct CaseFailure {
  std::string test;
  std::string detail;
};

struct FileResult {
  int passed = 0;
  int total = 0;
  int expected_invalid = 0;  // cases the suite expects to fail validation
  std::vector<CaseFailure> failures;
};

// A case that fails on purpose. `test` is named as in CaseFailure; kWholeFile when the file cannot be
// loaded at all.
struct ExpectedFailure {
  const char* file;
  const char* test;
  const char* reason;
};

constexpr const char* kWholeFile = "(the whole file)";

FileResult RunFile(const std::string& path) {
  FileResult result;
  simdjson::dom::parser parser;
  simdjson::dom::element groups;
  simdjson::padded_string text;
  simdjson::error_code load_error = simdjson::padded_string::load(path).get(text);
  if (load_error == simdjson::SUCCESS) load_error = parser.parse(text).get(groups);
  if (load_error != simdjson::SUCCESS) {
    result.failures.push_back(
        {kWholeFile, std::string("cannot be loaded: ") + simdjson::error_message(load_error)});
    return result;
  }
  CompileOptions options;
  options.uri_prefixes.emplace_back("http://localhost:1234/", SuiteDir() + "/remotes/");
  for (simdjson::dom::element group : ArrayOf(groups)) {
    std::string group_name(StringOf(group["description"].value_unsafe()));
    std::string schema_text = simdjson::minify(group["schema"].value_unsafe());
    auto compiled = SchemaCompiler::Compile(schema_text, options);
    for (simdjson::dom::element test : ArrayOf(group["tests"].value_unsafe())) {
      ++result.total;
      std::string description(StringOf(test["description"].value_unsafe()));
      bool expected = test["valid"].value_unsafe().get_bool().value_unsafe();
      if (!expected) ++result.expected_invalid;
      std::string test_name = group_name + " / " + description;
      if (!compiled.ok()) {
        result.failures.push_back({test_name, "schema did not compile: " + compiled.status().message()});
        continue;
      }
      Validator validator(*compiled);
      std::string error;
      bool valid = validator.Validate(test["data"].value_unsafe(), &error);
      if (valid == expected) {
        ++result.passed;
        // Every failure explains itself in the documented form.
        if (!valid && error.find(": ") == std::string::npos) {
          result.failures.push_back({test_name, "malformed error \"" + error + "\""});
          --result.passed;
        }
      } else {
        result.failures.push_back({test_name, std::string("expected ") + (expected ? "valid" : "invalid") +
                                                  (valid ? ", got valid" : ", got: " + error)});
      }
    }
  }
  return result;
}

void PrintTable(const std::string& title, const std::map<std::string, FileResult>& results) {
  std::printf("%s\n", title.c_str());
  int passed = 0, total = 0;
  for (const auto& [name, r] : results) {
    if (!r.failures.empty() && r.failures[0].test == kWholeFile) {
      std::printf("  %-32s %s\n", name.c_str(), r.failures[0].detail.c_str());
      continue;
    }
    std::printf("  %-32s %4d / %-4d %6.1f %%\n", name.c_str(), r.passed, r.total,
                r.total ? 100.0 * r.passed / r.total : 100.0);
    passed += r.passed;
    total += r.total;
  }
  std::printf("  %-32s %4d / %-4d\n", "total", passed, total);
}

TEST(JsonSchemaTestSuite, EveryRequiredDraft7CasePasses) {
  std::string dir = SuiteDir() + "/tests/draft7";
  LOGDAEMON_REQUIRE_FIXTURE_DIR(dir);
  std::map<std::string, FileResult> results;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    results[entry.path().filename().string()] = RunFile(entry.path().string());
  }
  ASSERT_GE(results.size(), 35u) << "the draft7 directory looks incomplete";
  PrintTable("draft7 (required)", results);
  for (const auto& [name, r] : results) {
    EXPECT_GT(r.total, 0) << name;
    for (const CaseFailure& failure : r.failures) {
      ADD_FAILURE() << name << ": " << failure.test << ": " << failure.detail;
    }
  }
}

// The files of optional/format/ whose formats logdaemon asserts: one per format (schema/formats.h), and
// ecmascript-regex.json, more "format": "regex".
const char* const kAssertedFormatFiles[] = {"date-time.json",    "date.json",
                                            "time.json",         "email.json",
                                            "hostname.json",     "idn-hostname.json",
                                            "ipv4.json",         "ipv6.json",
                                            "uri.json",          "uri-reference.json",
                                            "json-pointer.json", "relative-json-pointer.json",
                                            "regex.json",        "ecmascript-regex.json"};

// The cases of the asserted formats that fail, by file (in optional/format/) and case, each with why.
// Empty when every case passes.
const ExpectedFailure kExpectedFormatFailures[] = {
    {"ecmascript-regex.json",
     "ECMA 262 lookbehind is valid, including variable width / a variable-width lookbehind (ES2018)",
     "PCRE2 10.42 (Debian 12) refuses a lookbehind of variable width, which ES2018 allows "
     "(docs/json-schema.md, Regular expressions)"},
    {"idn-hostname.json",
     "validation of internationalized host names / Bidi domain name with a digit-first label is invalid",
     "libidn2 2.3.3 (Debian 12) checks the Bidi rule (RFC 5893) within each label that has right-to-left "
     "characters, not across the labels of a name (RFC 5893 section 2), so the ASCII label 0a passes "
     "(docs/json-schema.md, Formats)"},
    {"idn-hostname.json",
     "validation of internationalized host names / right-to-left label mixing both digit types is invalid",
     "libidn2 2.3.3 (Debian 12) does not check the Bidi rule's condition 4 (European and Arabic-Indic "
     "digits in one right-to-left label) (docs/json-schema.md, Formats)"},
};

// Checks `results` (by file name) against `expected`: every failure must be listed, and every listed
// case must fail.
void CheckExpectedFailures(const std::map<std::string, FileResult>& results,
                           std::span<const ExpectedFailure> expected) {
  std::set<std::pair<std::string, std::string>> listed;
  for (const ExpectedFailure& e : expected) listed.emplace(e.file, e.test);
  std::set<std::pair<std::string, std::string>> failed;
  for (const auto& [name, r] : results) {
    for (const CaseFailure& failure : r.failures) {
      failed.emplace(name, failure.test);
      if (!listed.contains({name, failure.test})) {
        ADD_FAILURE() << name << ": " << failure.test << ": " << failure.detail
                      << " (a new failure: fix it, or list it with its reason)";
      }
    }
  }
  for (const ExpectedFailure& e : expected) {
    EXPECT_TRUE(failed.contains({e.file, e.test})) << e.file << ": " << e.test << " is listed as failing ("
                                                   << e.reason << ") but passes: remove it from the list";
  }
}

TEST(JsonSchemaTestSuite, AssertedFormatsFailOnlyTheListedCases) {
  std::string dir = SuiteDir() + "/tests/draft7/optional/format";
  LOGDAEMON_REQUIRE_FIXTURE_DIR(dir);
  std::map<std::string, FileResult> results;
  for (const char* name : kAssertedFormatFiles) {
    std::string file = dir + "/" + name;
    ASSERT_TRUE(std::filesystem::exists(file)) << file;
    results[name] = RunFile(file);
    EXPECT_GT(results[name].total, 0) << name;
  }
  PrintTable("draft7 optional/format (asserted formats)", results);
  CheckExpectedFailures(results, kExpectedFormatFailures);
}

// The other files of optional/format/: formats that are annotations only (docs/json-schema.md), so every
// string passes, and exactly the cases the suite expects invalid fail.
const char* const kAnnotationFormatFiles[] = {"idn-email.json", "iri.json", "iri-reference.json",
                                              "uri-template.json", "unknown.json"};

constexpr const char* kContentIsAnnotation =
    "contentMediaType and contentEncoding are annotations in draft-07 (section 8: checking them is "
    "optional), and logdaemon does not check them";

// The cases of optional/*.json that fail, by file and case, each with why.
const ExpectedFailure kExpectedOptionalFailures[] = {
    {"bignum.json", kWholeFile,
     "simdjson refuses integers beyond 64 bits (\"Problem while parsing a number\"), so the file cannot be "
     "parsed"},
    {"content.json", "validation of string-encoded content based on media type / an invalid JSON document",
     kContentIsAnnotation},
    {"content.json",
     "validation of binary string-encoding / an invalid base64 string (% is not a valid character)",
     kContentIsAnnotation},
    {"content.json",
     "validation of binary-encoded media type documents / a validly-encoded invalid JSON document",
     kContentIsAnnotation},
    {"content.json",
     "validation of binary-encoded media type documents / an invalid base64 string that is valid JSON",
     kContentIsAnnotation},
    {"cross-draft.json", "refs to future drafts are processed as future drafts / missing bar is invalid",
     "the referenced 2019-09 document is compiled as draft-07 (only the root's $schema is checked), where "
     "dependentRequired is an unknown keyword"},
};

// The rest of optional/: each file passes but the cases listed above, and each annotation-only format
// fails exactly its invalid cases; a file named in no table fails the test, so a new one is not ignored.
// The table is printed to show where logdaemon stands.
TEST(JsonSchemaTestSuite, OptionalFilesFailOnlyAsListed) {
  std::string dir = SuiteDir() + "/tests/draft7/optional";
  LOGDAEMON_REQUIRE_FIXTURE_DIR(dir);
  std::map<std::string, FileResult> results;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    results[entry.path().filename().string()] = RunFile(entry.path().string());
  }
  ASSERT_GE(results.size(), 8u) << "the optional directory looks incomplete";
  std::map<std::string, FileResult> annotations;
  const std::set<std::string> asserted(std::begin(kAssertedFormatFiles), std::end(kAssertedFormatFiles));
  const std::set<std::string> annotation(std::begin(kAnnotationFormatFiles),
                                         std::end(kAnnotationFormatFiles));
  for (const auto& entry : std::filesystem::directory_iterator(dir + "/format")) {
    const std::string name = entry.path().filename().string();
    if (annotation.contains(name)) {
      annotations[name] = RunFile(entry.path().string());
    } else if (!asserted.contains(name)) {
      ADD_FAILURE() << "format/" << name
                    << " is new: add it to kAssertedFormatFiles or kAnnotationFormatFiles";
    }
  }
  EXPECT_EQ(annotations.size(), annotation.size()) << "an annotation-only format file is missing";
  PrintTable("draft7 optional", results);
  PrintTable("draft7 optional/format (annotation-only formats)", annotations);

  for (const auto& [name, r] : results) {
    const bool loaded = r.failures.empty() || r.failures[0].test != kWholeFile;
    if (loaded) {
      EXPECT_GT(r.total, 0) << name;
    }
  }
  CheckExpectedFailures(results, kExpectedOptionalFailures);
  for (const auto& [name, r] : annotations) {
    EXPECT_GT(r.total, 0) << name;
    EXPECT_EQ(r.passed, r.total - r.expected_invalid)
        << "format/" << name << ": a case expected valid failed";
    EXPECT_EQ(r.failures.size(), static_cast<size_t>(r.expected_invalid)) << "format/" << name;
    for (const CaseFailure& failure : r.failures) {
      EXPECT_EQ(failure.detail, "expected invalid, got valid") << "format/" << name << ": " << failure.test;
    }
  }
}

}  // namespace
}  // namespace json_schema_suite_test
}  // namespace logdaemon::schema
