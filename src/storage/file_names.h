// Names in the storage directory (DESIGN.md §5), shared by the writer, compaction, recovery, retention
// and `query`:
//   dt=YYYY-MM-DD/                       a day partition (UTC date of the time field)
//   dt=YYYY-MM-DD/hour=HH/               an hour partition
//   logs_YYYYMMDD_HHMMSS_<first>.parquet         a flush file: one flush sequence number
//   logs_YYYYMMDD_HHMMSS_<first>-<last>.parquet  a merged file: it covers flushes first..last
//   logs_YYYYMMDD_HHMMSS_<first>-<last>_<k>of<n>.parquet
//                                        part k of a merged file written as n parts (each at most the
//                                        rotation size); the parts count only once all n are there
//   .tmp/                                files being written; never read; cleared at start
// The date and time in a file name are those of the earliest row it holds (UTC, to the second).
// Sequence numbers are printed with at least six digits and compared as numbers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "logdaemon/storage.h"

namespace logdaemon::storage {

inline constexpr std::string_view kTmpDirName = ".tmp";
inline constexpr std::string_view kParquetSuffix = ".parquet";

// The range of flush sequence numbers a file covers (first <= last).
struct SequenceRange {
  uint64_t first = 0;
  uint64_t last = 0;
  bool Covers(const SequenceRange& other) const { return first <= other.first && other.last <= last; }
  bool operator==(const SequenceRange&) const = default;
};

// Part `index` (1-based) of `count`; count 0 for a file that is not split into parts.
struct FilePart {
  uint32_t index = 0;
  uint32_t count = 0;
  bool operator==(const FilePart&) const = default;
};
inline constexpr uint32_t kMaxFileParts = 100000;

struct ParsedFileName {
  int64_t min_time_seconds = 0;  // from YYYYMMDD_HHMMSS, Unix seconds UTC
  SequenceRange range;
  FilePart part;
};

// "logs_20260115_190000_000001-000480.parquet" for min time 2026-01-15T19:00:00Z and range 1..480;
// the range prints as one number when first == last; a part adds "_<k>of<n>".
std::string DataFileName(int64_t min_time_micros, SequenceRange range, FilePart part = {});
// std::nullopt for anything that is not a data file name (including other .parquet files).
std::optional<ParsedFileName> ParseDataFileName(std::string_view name);

// A partition key: the number of whole days (kDay) or hours (kHour) since the epoch of a UTC time;
// always 0 for kNone.
int64_t PartitionKey(Partitioning partitioning, int64_t time_micros);
// The partition's directory relative to the storage root: "dt=2026-01-15", "dt=2026-01-15/hour=19", or
// "" for kNone.
std::string PartitionPath(Partitioning partitioning, int64_t key);
// The first instant (Unix micros) of a partition key; 0 for kNone.
int64_t PartitionStartMicros(Partitioning partitioning, int64_t key);

}  // namespace logdaemon::storage
