#include "storage/wal_recovery.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "storage/wal_format.h"

namespace logdaemon::storage {

namespace {

struct FoundSegment {
  std::string name;
  std::string path;
  uint32_t stream = 0;
  uint64_t first_lsn = 0;
  uint64_t last_lsn = 0;  // first_lsn - 1 when empty
  uint64_t bytes = 0;
  uint64_t records = 0;
  bool same_schema = true;
};

// Reads one segment's records, calling visit(lsn, payload) for each; reports a torn tail once.
Status ReadSegment(FileSystem* fs, const FoundSegment& segment, std::string* contents,
                   const std::function<Status(uint64_t, std::string_view)>& visit, bool* torn,
                   std::string* torn_reason, size_t* torn_at) {
  if (Status st = fs->ReadFile(segment.path, contents); !st.ok()) return st;
  auto header = DecodeWalSegmentHeader(*contents);
  if (!header.ok()) return header.status();
  WalRecordReader reader(std::string_view(*contents).substr(header->header_bytes), header->first_lsn);
  uint64_t lsn = 0;
  std::string_view payload;
  while (reader.Next(&lsn, &payload)) {
    if (Status st = visit(lsn, payload); !st.ok()) return st;
  }
  *torn = reader.torn();
  *torn_reason = reader.torn_reason();
  *torn_at = header->header_bytes + reader.end_offset();
  return Status::OK();
}

// Step 1: every segment, registered in `dir`.
Status ScanSegments(WalDirectory* dir, const WalRecoveryCallbacks& callbacks, WalRecoveryStats* stats,
                    std::vector<FoundSegment>* found) {
  FileSystem* fs = dir->fs();
  std::vector<DirEntry> entries;
  if (Status st = fs->ListDir(dir->path(), &entries); !st.ok()) {
    if (st.code() == Status::Code::kNotFound) return Status::OK();
    return st;
  }
  std::string contents;
  for (const DirEntry& entry : entries) {
    if (auto spare = ParseWalSpareFileName(entry.name); spare && !entry.is_dir) {
      if (Status st = dir->AdoptSpare(spare->stream, spare->first_lsn, entry.size); !st.ok()) return st;
      continue;
    }
    auto name = ParseWalSegmentFileName(entry.name);
    if (!name || entry.is_dir) continue;
    FoundSegment segment;
    segment.name = entry.name;
    segment.path = JoinPath(dir->path(), entry.name);
    segment.stream = name->stream;
    segment.first_lsn = name->first_lsn;
    segment.bytes = entry.size;
    if (Status st = fs->ReadFile(segment.path, &contents); !st.ok()) return st;
    auto header = DecodeWalSegmentHeader(contents);
    if (!header.ok() || header->stream != name->stream || header->first_lsn != name->first_lsn) {
      // Never used (see the header comment): set aside, not deleted, in case a person wants to look.
      ++stats->torn_tails;
      const std::string why = header.ok() ? "its header names another segment" : header.status().message();
      if (Status st = fs->Rename(segment.path, segment.path + ".corrupt"); !st.ok()) return st;
      callbacks.report("write-ahead log: " + segment.path + ": " + why + "; set aside as " + entry.name +
                       ".corrupt (its records were never acknowledged)");
      continue;
    }
    segment.same_schema = header->schema == dir->schema();
    WalRecordReader reader(std::string_view(contents).substr(header->header_bytes), header->first_lsn);
    uint64_t lsn = 0;
    std::string_view payload;
    while (reader.Next(&lsn, &payload)) ++segment.records;
    segment.last_lsn = reader.next_lsn() - 1;
    if (reader.torn()) {
      ++stats->torn_tails;
      ++stats->segments_cut;
      callbacks.report("write-ahead log: " + segment.path + ": cut at byte " +
                       std::to_string(header->header_bytes + reader.end_offset()) + " (" +
                       reader.torn_reason() + "): a group commit that never completed, never acknowledged");
    }
    ++stats->segments;
    stats->records += segment.records;
    dir->AddRecovered({segment.stream, segment.first_lsn, segment.last_lsn, segment.bytes, false});
    found->push_back(std::move(segment));
  }
  std::sort(found->begin(), found->end(), [](const FoundSegment& a, const FoundSegment& b) {
    return std::pair(a.stream, a.first_lsn) < std::pair(b.stream, b.first_lsn);
  });
  return Status::OK();
}

// Step 3: records not stored that another schema validated stop the start-up.
Status CheckSchemas(FileSystem* fs, const std::vector<FoundSegment>& found, const WalCoverage& coverage,
                    const std::string& wal_path) {
  uint64_t foreign = 0;
  std::string first;
  std::string contents;
  for (const FoundSegment& segment : found) {
    if (segment.same_schema || segment.records == 0) continue;
    bool torn = false;
    std::string reason;
    size_t at = 0;
    Status st = ReadSegment(
        fs, segment, &contents,
        [&](uint64_t lsn, std::string_view) {
          if (!coverage.Covers(segment.stream, lsn)) ++foreign;
          return Status::OK();
        },
        &torn, &reason, &at);
    if (!st.ok()) return st;
    if (foreign > 0 && first.empty()) first = segment.name;
  }
  if (foreign == 0) return Status::OK();
  return Status::InvalidArgument(
      "the write-ahead log in " + wal_path + " holds " + std::to_string(foreign) +
      " acknowledged logs not yet stored that were validated under a different schema (first in " + first +
      "). Start once with the schema they were written with (--schema; it is in each segment's header), "
      "so that they are stored, then restart with the new one; or, to discard them, move " +
      wal_path + " away");
}

}  // namespace

Status RecoverWal(WalDirectory* dir, const WalRecoveryCallbacks& callbacks, WalRecoveryStats* stats) {
  std::vector<FoundSegment> found;
  if (Status st = ScanSegments(dir, callbacks, stats, &found); !st.ok()) return st;

  std::map<uint32_t, uint64_t> stored_through;  // per stream: every record up to it is stored
  for (const FoundSegment& segment : found) {
    uint64_t& through = stored_through[segment.stream];
    through = std::max(through, segment.last_lsn);
  }
  // The files' coverage is read when a record may need replaying, and also when no segment tells where
  // a stream stopped (none at all, or one set aside): LSNs must continue past every one a file holds.
  if (stats->records > 0 || found.empty() || stats->torn_tails > stats->segments_cut) {
    auto coverage = callbacks.coverage();
    if (!coverage.ok()) return coverage.status().WithContext("reading which logs the files hold");
    for (const auto& [stream, ranges] : coverage->streams()) {
      if (!ranges.empty()) dir->RaiseNextLsn(stream, ranges.back().last + 1);
    }
    if (Status st = CheckSchemas(dir->fs(), found, *coverage, dir->path()); !st.ok()) return st;
    std::string contents;
    for (const FoundSegment& segment : found) {
      if (segment.records == 0) continue;
      bool torn = false;
      std::string reason;
      size_t at = 0;
      Status st = ReadSegment(
          dir->fs(), segment, &contents,
          [&](uint64_t lsn, std::string_view payload) -> Status {
            if (coverage->Covers(segment.stream, lsn)) {
              ++stats->covered;
              return Status::OK();
            }
            uint64_t& through = stored_through[segment.stream];
            through = std::min(through, lsn - 1);
            ++stats->replayed;
            return callbacks.replay(segment.stream, lsn, payload);
          },
          &torn, &reason, &at);
      if (!st.ok()) return st.WithContext("replaying " + segment.path);
    }
    if (stats->replayed > 0) {
      callbacks.report("write-ahead log: " + std::to_string(stats->replayed) + " acknowledged logs of " +
                       std::to_string(stats->records) + " were not in any file yet; storing them now");
    }
  }
  // Segments whose records are all in files go now; the replayed ones once their files are durable.
  return dir->Trim(stored_through);
}

}  // namespace logdaemon::storage
