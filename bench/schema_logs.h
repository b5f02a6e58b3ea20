// The log sets of the JSON Schema benchmark (bench/schema_bench.cc, bench/ajv_bench.mjs): NDJSON, one
// object per line, built deterministically from the corpus so that our validator and ajv check exactly
// the same bytes (bench/schema_export.cc writes them to files for ajv).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace logdaemon::bench {

// `rows` logs, every one valid against the default schema and bench/rich_schema.json: the log table's
// NDJSON (log_table.h) with an "x-request-id" extension field on one log in ten, which the rich schema's
// patternProperties checks. Returns false when the corpus cannot be read.
bool BuildValidLogs(const std::string& corpus_path, size_t rows, std::string* ndjson);

// The same logs with one in ten made invalid against both schemas, in turn: a level outside the enum, an
// impossible date (February 30th), the required message missing, a timestamp that is a number. Returns
// the NDJSON; *invalid gets the number of invalid logs.
std::string MakeMixedLogs(std::string_view valid_ndjson, size_t* invalid);

}  // namespace logdaemon::bench
