#include "query/output.h"

#include "query/output_csv.h"
#include "query/output_json.h"
#include "query/output_table.h"

namespace logdaemon::query {

RowWriter::~RowWriter() = default;

std::unique_ptr<RowWriter> MakeRowWriter(const OutputOptions& options, std::FILE* out) {
  switch (options.format) {
    case OutputFormat::kJson:
      return MakeJsonWriter(out);
    case OutputFormat::kCsv:
      return MakeCsvWriter(out);
    case OutputFormat::kTable:
      break;
  }
  return MakeTableWriter(options, out);
}

}  // namespace logdaemon::query
