// The validator's hot-path promise (DESIGN.md §3): validating a valid document allocates nothing once
// the per-thread state is warm. Counted by replacing the global operator new for this test binary;
// the count is only read around the calls under test. Not in the AddressSanitizer build, whose own
// allocator the replacement would fight (and GCC's new/delete pairing check with it).
#if !defined(__SANITIZE_ADDRESS__)
#include <gtest/gtest.h>
#include <simdjson.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "schema/default_schema.h"
#include "schema/schema_compiler.h"
#include "schema/validator.h"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace logdaemon::schema {
namespace validator_allocation_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

constexpr const char* kRichSchema = R"({
  "type": "object",
  "required": ["timestamp", "level", "message"],
  "properties": {
    "timestamp": {"type": "string", "format": "date-time"},
    "level": {"enum": ["trace", "debug", "info", "warn", "error", "fatal"]},
    "message": {"type": "string", "minLength": 1, "maxLength": 65536},
    "service": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$"},
    "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": true, "maxItems": 8},
    "metadata": {
      "type": "object",
      "properties": {"pid": {"type": "integer", "minimum": 0}, "host": {"type": "string", "format": "hostname"}},
      "patternProperties": {"^x-": {"type": ["string", "number"]}},
      "additionalProperties": {"$ref": "#/definitions/scalar"}
    }
  },
  "definitions": {"scalar": {"anyOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}]}}
})";

long AllocationsWhileValidating(const std::string& schema_text, const std::string& document) {
  auto schema = SchemaCompiler::Compile(schema_text);
  EXPECT_TRUE(schema.ok()) << schema.status().ToString();
  if (!schema.ok()) return -1;
  Validator validator(*schema);
  simdjson::dom::parser parser;
  simdjson::padded_string padded(document);
  simdjson::dom::element element;
  EXPECT_EQ(parser.parse(padded).get(element), simdjson::SUCCESS);
  EXPECT_TRUE(validator.Validate(element));  // warm: scratch buffers reach their size
  long before = g_allocations.load();
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(validator.Validate(element));
  return g_allocations.load() - before;
}

TEST(ValidatorAllocation, ValidLogAgainstTheDefaultSchemaAllocatesNothing) {
  EXPECT_EQ(AllocationsWhileValidating(
                std::string(DefaultSchemaText()),
                R"({"timestamp":"2026-01-15T19:00:00.123+01:00","level":"info","message":"Hello",)"
                R"("service":"billing","trace_id":"abc","metadata":{"pid":1,"nested":{"a":[1,2]}},"x":1})"),
            0);
}

TEST(ValidatorAllocation, ValidLogAgainstARichSchemaAllocatesNothing) {
  EXPECT_EQ(
      AllocationsWhileValidating(
          kRichSchema, R"({"timestamp":"2026-01-15T19:00:00Z","level":"warn","message":"disk almost full",)"
                       R"("service":"storage-node","tags":["a","b","c"],)"
                       R"("metadata":{"pid":42,"host":"node-7.example.com","x-region":"eu","retry":true}})"),
      0);
}

// The counter itself works: explaining a failure builds a string.
TEST(ValidatorAllocation, ExplainingAFailureIsCounted) {
  auto schema = SchemaCompiler::Compile(std::string(DefaultSchemaText()));
  ASSERT_TRUE(schema.ok());
  Validator validator(*schema);
  simdjson::dom::parser parser;
  simdjson::padded_string padded(
      std::string(R"({"timestamp":"2026-01-15T19:00:00Z","level":"loud","message":"x"})"));
  simdjson::dom::element element;
  ASSERT_EQ(parser.parse(padded).get(element), simdjson::SUCCESS);
  std::string error;
  long before = g_allocations.load();
  EXPECT_FALSE(validator.Validate(element, &error));
  EXPECT_GT(g_allocations.load() - before, 0);
  EXPECT_NE(error.find("/level: enum"), std::string::npos) << error;
}

}  // namespace
}  // namespace validator_allocation_test
}  // namespace logdaemon::schema

#endif  // !defined(__SANITIZE_ADDRESS__)
