// Catalog: what is in a storage directory — its partitions and their data files — and which files are
// visible: a file is superseded (hidden) when another file of the same partition directory covers its
// whole sequence range with a wider one (a merged file that replaced it; its inputs may survive a crash
// for a moment). A merged file written in parts covers its range only once every part is there. Used by the
// engine (recovery, compaction, retention) and by `query`.
//
// Partitions are found by walking the directory: `dt=…` directories (and `hour=…` below them) and the
// root itself. Other files and directories (and `.tmp/`) are ignored.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "logdaemon/status.h"
#include "storage/file_names.h"
#include "storage/fs.h"

namespace logdaemon::storage {

struct DataFile {
  std::string name;  // the file name
  std::string path;  // full path
  uint64_t size = 0;
  ParsedFileName parsed;
};

struct Partition {
  std::string relative_path;         // "" for the root, "dt=2026-01-15", "dt=2026-01-15/hour=19"
  std::string path;                  // full path
  std::vector<DataFile> files;       // visible files, ordered by range.first
  std::vector<DataFile> superseded;  // hidden by a merged file, ordered by range.first
  std::vector<DataFile> incomplete;  // parts of a merged file whose other parts are missing (a crash)
};

// Every partition with at least one data file, ordered by relative_path (so by time for dt=…). A
// missing `root` is an empty catalog.
Status ScanStorage(FileSystem* fs, const std::string& root, std::vector<Partition>* partitions);

// Splits `files` (any order) into visible and superseded, each sorted by range.first. Among files with
// the same range all stay visible: the parts of one merged file (`_<k>of<n>`), which count only when
// all n are present — parts of an incomplete set go to *incomplete (or, when it is null, to
// *superseded) and cover nothing.
void SplitSuperseded(std::vector<DataFile> files, std::vector<DataFile>* visible,
                     std::vector<DataFile>* superseded, std::vector<DataFile>* incomplete = nullptr);

}  // namespace logdaemon::storage
