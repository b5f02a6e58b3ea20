// Writes the JSON Schema benchmark's inputs for the validators we compare against (bench/ajv_bench.mjs):
// the log sets of bench/schema_logs.h and the default schema's text, byte for byte what schema_bench
// validates.
//   schema_export OUT_DIR [ROWS]   writes OUT_DIR/logs.ndjson, logs_mixed.ndjson, default_schema.json
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>

#include "log_table.h"
#include "schema/default_schema.h"
#include "schema_logs.h"

using namespace logdaemon;  // NOLINT: a benchmark tool

namespace {

bool Write(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) std::fprintf(stderr, "schema_export: cannot write %s\n", path.c_str());
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: schema_export OUT_DIR [ROWS]\n");
    return 2;
  }
  std::string dir = argv[1];
  size_t rows = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 100'000;
  std::string valid;
  if (!bench::BuildValidLogs(bench::CorpusPath(), rows, &valid)) {
    std::fprintf(stderr, "schema_export: cannot read the corpus at %s\n", bench::CorpusPath().c_str());
    return 1;
  }
  size_t invalid = 0;
  std::string mixed = bench::MakeMixedLogs(valid, &invalid);
  if (!Write(dir + "/logs.ndjson", valid) || !Write(dir + "/logs_mixed.ndjson", mixed) ||
      !Write(dir + "/default_schema.json", schema::DefaultSchemaText())) {
    return 1;
  }
  std::printf("schema_export: %zu logs (%zu bytes), %zu invalid in the mixed set\n", rows, valid.size(),
              invalid);
  return 0;
}
