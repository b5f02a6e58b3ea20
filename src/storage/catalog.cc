#include "storage/catalog.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <utility>

namespace logdaemon::storage {

namespace {

constexpr std::string_view kDayDirPrefix = "dt=";
constexpr std::string_view kHourDirPrefix = "hour=";

// The data files among `entries` of the directory `path`, superseded ones split off. Appends the
// partition to *partitions when it has any.
void AddPartition(std::string relative_path, std::string path, const std::vector<DirEntry>& entries,
                  std::vector<Partition>* partitions) {
  std::vector<DataFile> files;
  for (const DirEntry& entry : entries) {
    if (entry.is_dir) continue;
    std::optional<ParsedFileName> parsed = ParseDataFileName(entry.name);
    if (!parsed) continue;
    DataFile file;
    file.name = entry.name;
    file.path = JoinPath(path, entry.name);
    file.size = entry.size;
    file.parsed = *parsed;
    files.push_back(std::move(file));
  }
  if (files.empty()) return;
  Partition partition;
  partition.relative_path = std::move(relative_path);
  partition.path = std::move(path);
  SplitSuperseded(std::move(files), &partition.files, &partition.superseded, &partition.incomplete);
  partitions->push_back(std::move(partition));
}

// Lists `path`; a directory that vanished since its parent was listed (retention removing it while a
// query scans) counts as empty.
Status ListIfPresent(FileSystem* fs, const std::string& path, std::vector<DirEntry>* entries) {
  Status status = fs->ListDir(path, entries);
  if (status.code() == Status::Code::kNotFound) {
    entries->clear();
    return Status::OK();
  }
  return status;
}

}  // namespace

Status ScanStorage(FileSystem* fs, const std::string& root, std::vector<Partition>* partitions) {
  partitions->clear();
  std::vector<DirEntry> root_entries;
  if (Status status = ListIfPresent(fs, root, &root_entries); !status.ok()) return status;
  AddPartition("", root, root_entries, partitions);

  std::vector<DirEntry> day_entries;
  std::vector<DirEntry> hour_entries;
  for (const DirEntry& day : root_entries) {
    if (!day.is_dir || !day.name.starts_with(kDayDirPrefix)) continue;  // .tmp/ and anything foreign
    const std::string day_path = JoinPath(root, day.name);
    if (Status status = ListIfPresent(fs, day_path, &day_entries); !status.ok()) return status;
    AddPartition(day.name, day_path, day_entries, partitions);
    for (const DirEntry& hour : day_entries) {
      if (!hour.is_dir || !hour.name.starts_with(kHourDirPrefix)) continue;
      const std::string hour_path = JoinPath(day_path, hour.name);
      if (Status status = ListIfPresent(fs, hour_path, &hour_entries); !status.ok()) return status;
      AddPartition(day.name + "/" + hour.name, hour_path, hour_entries, partitions);
    }
  }
  std::sort(partitions->begin(), partitions->end(),
            [](const Partition& a, const Partition& b) { return a.relative_path < b.relative_path; });
  return Status::OK();
}

void SplitSuperseded(std::vector<DataFile> files, std::vector<DataFile>* visible,
                     std::vector<DataFile>* superseded, std::vector<DataFile>* incomplete) {
  visible->clear();
  superseded->clear();
  if (incomplete != nullptr) incomplete->clear();
  // Parts of a merged file count only when all of them are there (a crash can come between their
  // renames); until then they are hidden and their inputs stay visible.
  {
    std::map<std::tuple<uint64_t, uint64_t, uint32_t>, std::set<uint32_t>> sets;
    for (const DataFile& file : files) {
      const ParsedFileName& p = file.parsed;
      if (p.part.count > 0) sets[{p.range.first, p.range.last, p.part.count}].insert(p.part.index);
    }
    if (!sets.empty()) {
      std::vector<DataFile> complete;
      for (DataFile& file : files) {
        const ParsedFileName& p = file.parsed;
        bool hidden =
            p.part.count > 0 && sets[{p.range.first, p.range.last, p.part.count}].size() != p.part.count;
        if (!hidden) {
          complete.push_back(std::move(file));
        } else {
          (incomplete != nullptr ? incomplete : superseded)->push_back(std::move(file));
        }
      }
      files = std::move(complete);
    }
  }
  // Ordered by first ascending, then last descending: every file that can cover a file comes before it,
  // except files with the very same range, which are next to it. So one sweep suffices: a group of
  // equal ranges is superseded when some earlier file (all of which have other ranges) reaches as far.
  std::sort(files.begin(), files.end(), [](const DataFile& a, const DataFile& b) {
    const SequenceRange& x = a.parsed.range;
    const SequenceRange& y = b.parsed.range;
    if (x.first != y.first) return x.first < y.first;
    if (x.last != y.last) return x.last > y.last;
    return a.name < b.name;
  });
  bool any_earlier = false;
  uint64_t max_last_earlier = 0;  // over files with a range before the current group's
  size_t group_begin = 0;
  while (group_begin < files.size()) {
    const SequenceRange range = files[group_begin].parsed.range;
    size_t group_end = group_begin + 1;
    while (group_end < files.size() && files[group_end].parsed.range == range) ++group_end;
    const bool covered = any_earlier && max_last_earlier >= range.last;
    for (size_t i = group_begin; i < group_end; ++i) {
      (covered ? superseded : visible)->push_back(std::move(files[i]));
    }
    if (!any_earlier || range.last > max_last_earlier) max_last_earlier = range.last;
    any_earlier = true;
    group_begin = group_end;
  }
}

}  // namespace logdaemon::storage
