#include "query/scan_files.h"

#include <sys/stat.h>

#include <algorithm>
#include <charconv>

#include "schema/rfc3339.h"
#include "schema/time_units.h"

namespace logdaemon::query {

namespace {

// Listings taken again because a file went away before it could be opened. Each retry needs a merge to
// finish between a listing and the opening of its files (milliseconds apart), so a few suffice.
constexpr int kMaxListingAttempts = 8;

// An opened file's source, shared: the reader needs a source of its own, and the descriptor belongs to
// the ScanFile.
class SharedSource final : public parquet::InputSource {
 public:
  explicit SharedSource(std::shared_ptr<const parquet::InputSource> source) : source_(std::move(source)) {}
  uint64_t size() const override { return source_->size(); }
  Status ReadAt(uint64_t offset, size_t n, uint8_t* out) const override {
    return source_->ReadAt(offset, n, out);
  }

 private:
  std::shared_ptr<const parquet::InputSource> source_;
};

bool ByTime(const ScanFile& a, const ScanFile& b) {
  return a.min_time_micros != b.min_time_micros ? a.min_time_micros < b.min_time_micros
                                                : a.range.first < b.range.first;
}

}  // namespace

ScanFile ToScanFile(const storage::DataFile& file) {
  ScanFile out;
  out.path = file.path;
  out.min_time_micros = file.parsed.min_time_seconds * kMicrosPerSecond;
  out.range = file.parsed.range;
  return out;
}

std::optional<std::pair<int64_t, int64_t>> PartitionRange(std::string_view relative) {
  if (!relative.starts_with("dt=") || relative.size() < 13) return std::nullopt;
  std::string_view date = relative.substr(3, 10);
  if (!schema::IsRfc3339FullDate(date)) return std::nullopt;
  auto number = [](std::string_view s) {
    unsigned v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
  };
  const int64_t day =
      schema::DaysFromCivil(number(date.substr(0, 4)), number(date.substr(5, 2)), number(date.substr(8, 2)));
  int64_t begin = day * kMicrosPerDay;
  int64_t length = kMicrosPerDay;
  std::string_view rest = relative.substr(13);
  if (rest.starts_with("/hour=") && rest.size() == 8) {
    begin += int64_t{number(rest.substr(6, 2))} * kMicrosPerHour;
    length = kMicrosPerHour;
  } else if (!rest.empty()) {
    return std::nullopt;
  }
  return std::make_pair(begin, begin + length);
}

bool RangeExcluded(const ScanFilter& filter, int64_t begin, int64_t end_exclusive) {
  if (filter.until_micros && begin >= *filter.until_micros) return true;
  if (filter.since_micros && end_exclusive <= *filter.since_micros) return true;
  return false;
}

Status ListStorage(const std::string& dir, const ScanFilter& filter, ScanStats* stats, StorageListing* out) {
  *out = StorageListing{};
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status::NotFound("storage directory " + dir + " does not exist (--storage)");
  }
  if (Status s = storage::ScanStorage(storage::DefaultFileSystem(), dir, &out->partitions); !s.ok()) return s;
  const storage::DataFile* newest = nullptr;
  for (const storage::Partition& partition : out->partitions) {
    for (const storage::DataFile& file : partition.files) {
      const int64_t t = file.parsed.min_time_seconds;
      if (newest == nullptr || t > newest->parsed.min_time_seconds ||
          (t == newest->parsed.min_time_seconds && file.parsed.range.first > newest->parsed.range.first)) {
        newest = &file;
      }
    }
    ++stats->partitions;
    if (auto range = PartitionRange(partition.relative_path);
        range && RangeExcluded(filter, range->first, range->second)) {
      ++stats->partitions_pruned;
      stats->files += partition.files.size();
      stats->files_pruned += partition.files.size();
      continue;
    }
    for (const storage::DataFile& file : partition.files) {
      ++stats->files;
      ScanFile scan_file = ToScanFile(file);
      // A file's name carries the time of its earliest row (to the second): nothing in it is before.
      if (filter.until_micros && scan_file.min_time_micros >= *filter.until_micros) {
        ++stats->files_pruned;
        continue;
      }
      out->files.push_back(std::move(scan_file));
    }
  }
  if (newest != nullptr) out->newest = ToScanFile(*newest);
  std::sort(out->files.begin(), out->files.end(), ByTime);
  return Status::OK();
}

Status OpenScanFile(ScanFile* file) {
  if (file->source) return Status::OK();
  auto source = parquet::FileInputSource::Open(file->path);
  if (!source.ok()) return source.status();
  file->source = std::shared_ptr<const parquet::InputSource>(std::move(*source));
  return Status::OK();
}

Status OpenStorage(const std::string& dir, const ScanFilter& filter, ScanStats* stats, StorageListing* out) {
  Status status;
  for (int attempt = 0; attempt < kMaxListingAttempts; ++attempt) {
    ScanStats listing_stats = *stats;
    status = ListStorage(dir, filter, &listing_stats, out);
    if (!status.ok()) return status;
    for (ScanFile& file : out->files) {
      status = OpenScanFile(&file);
      if (!status.ok()) break;
    }
    if (status.ok() && !out->newest.path.empty()) {
      // Usually among the files; opened again when pruned (its descriptor is closed at the query's end).
      auto same = std::find_if(out->files.begin(), out->files.end(),
                               [&](const ScanFile& f) { return f.path == out->newest.path; });
      if (same != out->files.end()) {
        out->newest.source = same->source;
      } else {
        status = OpenScanFile(&out->newest);
      }
    }
    if (status.ok()) {
      *stats = listing_stats;
      return status;
    }
    if (status.code() != Status::Code::kNotFound) break;
  }
  if (status.code() == Status::Code::kResourceExhausted) {
    return Status::ResourceExhausted(status.message() +
                                     " (a query holds every file it reads open: raise `ulimit -n`, or narrow "
                                     "the query with --since/--until)");
  }
  return status;
}

Result<std::unique_ptr<parquet::FileReader>> OpenReader(const ScanFile& file) {
  return parquet::FileReader::Open(std::make_unique<SharedSource>(file.source), file.path);
}

}  // namespace logdaemon::query
