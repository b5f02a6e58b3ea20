// Google Benchmark: parse + JSON Schema validation of realistic logs (bench/schema_logs.h) on one core,
// each log parsed in place from one NDJSON buffer with a reused simdjson parser, as an ingest thread
// parses frames in its receive buffer (DESIGN.md §3).
//   BM_Parse                        simdjson DOM parse only: the floor under every other line
//   BM_ParseValidate/default        parse + Validator, the built-in schema (src/schema/default_schema.cc)
//   BM_ParseValidate/rich           parse + Validator, bench/rich_schema.json
//   BM_ParseValidateMixed/<schema>  the same with one log in ten invalid, whose error line is built
// One iteration is the whole log set, so items_per_second is logs/s; bytes_per_second counts NDJSON
// bytes (newlines included). Rates are per wall-clock second, as ajv_bench.mjs measures them.
//
//   schema_bench [--logs_dir=DIR] [--benchmark_...]
// With --logs_dir the logs are read from DIR/logs.ndjson and DIR/logs_mixed.ndjson (bench/schema_export)
// instead of being built, so that the run provably checks the same bytes as bench/ajv_bench.mjs.
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "log_table.h"
#include "schema/default_schema.h"
#include "schema/schema_compiler.h"
#include "schema/validator.h"
#include "schema_logs.h"

namespace {

using namespace logdaemon;  // NOLINT: benchmark code

constexpr size_t kRows = 100'000;

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "schema_bench: %s\n", message.c_str());
  std::exit(1);
}

// NDJSON held with simdjson's padding after the last line, so every line can be parsed in place (the
// bytes after a line are the next lines, or the padding).
struct LogSet {
  simdjson::padded_string text;
  std::vector<std::string_view> lines;
  size_t invalid = 0;  // logs that must fail validation

  LogSet(const std::string& ndjson, size_t invalid_logs) : text(ndjson), invalid(invalid_logs) {
    std::string_view all(text.data(), text.size());
    for (size_t begin = 0; begin < all.size();) {
      size_t end = all.find('\n', begin);
      if (end == std::string_view::npos) end = all.size();
      lines.push_back(all.substr(begin, end - begin));
      begin = end + 1;
    }
  }
};

struct Inputs {
  std::unique_ptr<LogSet> valid, mixed;
  std::shared_ptr<const schema::CompiledSchema> default_schema, rich_schema;
};

// Built by main before any benchmark runs, and kept until the process exits.
Inputs* inputs = nullptr;

std::string ReadFile(const std::string& path) {
  auto text = schema::ReadFileToString(path, size_t{1} << 32);
  if (!text.ok()) Die(text.status().ToString());
  return std::move(*text);
}

std::shared_ptr<const schema::CompiledSchema> Compile(std::string_view text, const char* name) {
  auto compiled = schema::SchemaCompiler::Compile(text);
  if (!compiled.ok()) {
    Die(std::string("the ") + name + " schema does not compile: " + compiled.status().ToString());
  }
  return *compiled;
}

// Counts the logs of `set` that fail `compiled`; dies at the first log that does not parse.
size_t CountInvalid(const LogSet& set, const std::shared_ptr<const schema::CompiledSchema>& compiled,
                    std::string* first_error) {
  simdjson::dom::parser parser;
  schema::Validator validator(compiled);
  std::string error;
  size_t invalid = 0;
  for (std::string_view line : set.lines) {
    simdjson::dom::element doc;
    if (parser.parse(line.data(), line.size(), false).get(doc) != simdjson::SUCCESS) {
      Die("a log is not valid JSON: " + std::string(line.substr(0, 200)));
    }
    if (!validator.Validate(doc, &error)) {
      if (invalid++ == 0) *first_error = error + "\n  in " + std::string(line.substr(0, 200));
    }
  }
  return invalid;
}

// The benchmark is meaningless unless the valid logs are all valid and the mixed set fails exactly
// where it was broken: check both sets against both schemas before timing anything.
void CheckInputs(const Inputs& in) {
  const std::pair<const char*, const std::shared_ptr<const schema::CompiledSchema>*> schemas[] = {
      {"default", &in.default_schema}, {"rich", &in.rich_schema}};
  for (auto [name, compiled] : schemas) {
    std::string first_error;
    size_t invalid = CountInvalid(*in.valid, *compiled, &first_error);
    if (invalid != 0) {
      Die(std::to_string(invalid) + " valid logs fail the " + name + " schema; the first: " + first_error);
    }
    invalid = CountInvalid(*in.mixed, *compiled, &first_error);
    if (invalid != in.mixed->invalid) {
      Die("the mixed set has " + std::to_string(invalid) + " logs failing the " + name + " schema, not " +
          std::to_string(in.mixed->invalid));
    }
  }
}

void BM_Parse(benchmark::State& state) {
  const LogSet& set = *inputs->valid;
  simdjson::dom::parser parser;
  size_t fields = 0;
  for (auto _ : state) {
    for (std::string_view line : set.lines) {
      simdjson::dom::object object;
      if (parser.parse(line.data(), line.size(), false).get(object) != simdjson::SUCCESS) {
        state.SkipWithError("parse failed");
        return;
      }
      fields += object.size();  // touch the result, as validation would
    }
  }
  benchmark::DoNotOptimize(fields);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * set.lines.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * set.text.size()));
}

// Parse and validate each log as the ingest path will: always asking for the error line, which the
// validator builds only for a failing log.
void ParseValidate(benchmark::State& state, const LogSet& set,
                   const std::shared_ptr<const schema::CompiledSchema>& compiled) {
  simdjson::dom::parser parser;
  schema::Validator validator(compiled);
  std::string error;
  size_t invalid = 0;
  for (auto _ : state) {
    invalid = 0;
    for (std::string_view line : set.lines) {
      simdjson::dom::element doc;
      if (parser.parse(line.data(), line.size(), false).get(doc) != simdjson::SUCCESS) {
        state.SkipWithError("parse failed");
        return;
      }
      invalid += !validator.Validate(doc, &error);
    }
  }
  if (invalid != set.invalid) state.SkipWithError("unexpected number of invalid logs");
  benchmark::DoNotOptimize(error);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * set.lines.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * set.text.size()));
}

void BM_ParseValidate(benchmark::State& state, bool rich) {
  ParseValidate(state, *inputs->valid, rich ? inputs->rich_schema : inputs->default_schema);
}

void BM_ParseValidateMixed(benchmark::State& state, bool rich) {
  ParseValidate(state, *inputs->mixed, rich ? inputs->rich_schema : inputs->default_schema);
}

BENCHMARK(BM_Parse)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_ParseValidate, default, false)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_ParseValidate, rich, true)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_ParseValidateMixed, default, false)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_ParseValidateMixed, rich, true)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  // Our one flag is taken out before Google Benchmark sees the others (it rejects unknown flags).
  std::string logs_dir;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    constexpr std::string_view kFlag = "--logs_dir=";
    if (std::string_view(argv[i]).starts_with(kFlag)) {
      logs_dir = argv[i] + kFlag.size();
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;

  std::string valid, mixed;
  if (logs_dir.empty()) {
    if (!bench::BuildValidLogs(bench::CorpusPath(), kRows, &valid)) {
      Die("cannot read the corpus at " + bench::CorpusPath());
    }
    size_t ignored;
    mixed = bench::MakeMixedLogs(valid, &ignored);
  } else {
    valid = ReadFile(logs_dir + "/logs.ndjson");
    mixed = ReadFile(logs_dir + "/logs_mixed.ndjson");
  }
  // How many logs the mixed set breaks is known by comparing it with the valid set line by line.
  size_t broken = 0;
  {
    LogSet a(valid, 0), b(mixed, 0);
    if (a.lines.size() != b.lines.size()) Die("the valid and mixed log sets differ in length");
    for (size_t i = 0; i < a.lines.size(); ++i) broken += a.lines[i] != b.lines[i];
  }
  inputs = new Inputs{std::make_unique<LogSet>(valid, 0), std::make_unique<LogSet>(mixed, broken),
                      Compile(schema::DefaultSchemaText(), "default"),
                      Compile(ReadFile(LOGDAEMON_RICH_SCHEMA), "rich")};
  CheckInputs(*inputs);
  benchmark::AddCustomContext("logs", std::to_string(inputs->valid->lines.size()) + " (" +
                                          std::to_string(inputs->valid->text.size()) + " bytes), " +
                                          std::to_string(broken) + " invalid in the mixed set");
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
