// The data files a query reads: the visible files of a storage directory (storage/catalog.h), pruned by
// their partition's date and their name's time, and opened at once.
//
// Opening at listing time matters on a live storage: the daemon's compaction merges files and removes
// its inputs while a query runs. An open descriptor keeps a removed file readable, so a query reads the
// files of one moment, each once. A file removed between the listing and its opening is NotFound; the
// listing is then taken again (the merged file that replaced it is visible by then).
//
// Thread-safety: the functions are reentrant; a ScanFile's source may be read from several threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "logdaemon/status.h"
#include "parquet/file_reader.h"
#include "parquet/io.h"
#include "query/scan.h"
#include "storage/catalog.h"

namespace logdaemon::query {

struct ScanFile {
  std::string path;
  int64_t min_time_micros = 0;  // of its earliest row, to the second (from its name)
  storage::SequenceRange range;
  std::shared_ptr<const parquet::InputSource> source;  // open; null until OpenScanFiles
};

// A catalog entry as a ScanFile (not opened yet).
ScanFile ToScanFile(const storage::DataFile& file);

// The storage directory's visible files, by earliest time then sequence.
struct StorageListing {
  std::vector<storage::Partition> partitions;
  // The visible files the filter's time range does not exclude (by partition date and file name), by
  // earliest time then sequence.
  std::vector<ScanFile> files;
  // The newest visible file, pruned or not (its schema is the table's current one, so a query that
  // prunes everything still knows its columns); empty path when the storage holds no file.
  ScanFile newest;
};

// Lists `dir` and prunes by `filter`'s time range; counts partitions and files (scanned and pruned) in
// *stats. A missing directory is NotFound naming --storage.
Status ListStorage(const std::string& dir, const ScanFilter& filter, ScanStats* stats, StorageListing* out);

// Opens every file of the listing (and its newest). When a file has gone (compaction merged it), lists
// again and starts over, a few times; then gives up with the NotFound.
Status OpenStorage(const std::string& dir, const ScanFilter& filter, ScanStats* stats, StorageListing* out);

// Opens `file`'s source (when not open yet).
Status OpenScanFile(ScanFile* file);

// A reader over an opened file's source (each call parses the footer again; readers are not kept, so
// that memory does not grow with the number of files).
Result<std::unique_ptr<parquet::FileReader>> OpenReader(const ScanFile& file);

// The UTC time range [begin, end) a partition directory holds: "dt=2026-01-15" or
// "dt=2026-01-15/hour=19"; nullopt for the root or a name that is not one of those.
std::optional<std::pair<int64_t, int64_t>> PartitionRange(std::string_view relative);

// Whether [begin, end_exclusive) lies outside the filter's --since/--until.
bool RangeExcluded(const ScanFilter& filter, int64_t begin, int64_t end_exclusive);

}  // namespace logdaemon::query
