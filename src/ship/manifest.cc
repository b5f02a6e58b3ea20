#include "ship/manifest.h"

#include <charconv>
#include <vector>

namespace logdaemon::ship {

namespace {

constexpr std::string_view kMagic = "logdaemon-ship-manifest 1 ";

std::vector<std::string_view> SplitSpaces(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (start <= line.size()) {
    size_t space = line.find(' ', start);
    fields.push_back(line.substr(start, space == std::string_view::npos ? space : space - start));
    if (space == std::string_view::npos) break;
    start = space + 1;
  }
  return fields;
}

template <typename T>
bool ParseNumber(std::string_view text, T* out) {
  if (text.empty() || text.size() > 20) return false;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return error == std::errc() && end == text.data() + text.size();
}

// A file path as the uploader writes it: "dt=…/name.parquet" or "name.parquet", printable, no spaces,
// no "..", no leading '/'.
bool IsValidFile(std::string_view file) {
  if (file.empty() || file.size() > 1024 || file.front() == '/' || file.find("..") != std::string_view::npos)
    return false;
  for (char c : file) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) return false;
  }
  return file.ends_with(".parquet");
}

Status LineError(std::string_view name, size_t line, std::string_view what) {
  std::string message(name);
  message.append(":").append(std::to_string(line)).append(": ").append(what);
  return Status::Corruption(message);
}

// One entry line; the error text says what is wrong with it.
Result<std::pair<std::string, ManifestEntry>> ParseEntry(std::string_view line) {
  std::vector<std::string_view> f = SplitSpaces(line);
  ManifestEntry entry;
  size_t want = 0;
  if (f[0] == "claimed") {
    entry.state = ManifestEntry::State::kClaimed;
    want = 3;
  } else if (f[0] == "upload") {
    entry.state = ManifestEntry::State::kUploading;
    want = 4;
  } else if (f[0] == "shipped") {
    entry.state = ManifestEntry::State::kShipped;
    want = 5;
  } else {
    return Status::Corruption("expected a line starting with claimed, upload or shipped");
  }
  if (f.size() != want) {
    return Status::Corruption("a '" + std::string(f[0]) + "' line has " + std::to_string(want) +
                              " fields separated by one space, this one " + std::to_string(f.size()));
  }
  if (!IsValidFile(f[1])) return Status::Corruption("not a data file path");
  if (!ParseNumber(f[2], &entry.size)) return Status::Corruption("the size is not a whole number");
  if (entry.state == ManifestEntry::State::kUploading) {
    if (!IsValidUploadId(f[3])) return Status::Corruption("not an upload id");
    entry.upload_id = f[3];
  }
  if (entry.state == ManifestEntry::State::kShipped) {
    if (!IsValidEtag(f[3])) return Status::Corruption("not an ETag");
    entry.etag = f[3];
    if (!ParseNumber(f[4], &entry.shipped_unix) || entry.shipped_unix < 0) {
      return Status::Corruption("the shipping time is not a whole number of seconds");
    }
  }
  return std::pair<std::string, ManifestEntry>(std::string(f[1]), std::move(entry));
}

}  // namespace

bool IsValidUploadId(std::string_view id) {
  if (id.empty() || id.size() > 1024) return false;
  for (char c : id) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) return false;
  }
  return true;
}

bool IsValidEtag(std::string_view etag) {
  if (etag.empty() || etag.size() > 64) return false;
  for (char c : etag) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
    if (!ok) return false;
  }
  return true;
}

Result<std::map<std::string, ManifestEntry>> Manifest::Parse(std::string_view text, std::string_view name,
                                                             std::string_view destination) {
  std::map<std::string, ManifestEntry> entries;
  if (text.size() > kMaxManifestBytes) {
    return Status::Corruption(std::string(name) + ": larger than " + std::to_string(kMaxManifestBytes >> 20) +
                              " MiB; not a manifest the uploader wrote");
  }
  if (!text.empty() && text.back() != '\n')
    return LineError(name, 0, "does not end with a newline (cut short)");
  size_t number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++number;
    if (number == 1) {
      if (!line.starts_with(kMagic))
        return LineError(name, 1, "not a logdaemon ship manifest (bad first line)");
      std::string_view recorded = line.substr(kMagic.size());
      if (recorded != destination) {
        return LineError(name, 1,
                         "records shipping to " + std::string(recorded.substr(0, 300)) + ", not to " +
                             std::string(destination) +
                             "; move the manifest away to ship every local file to the new destination");
      }
      continue;
    }
    Result<std::pair<std::string, ManifestEntry>> entry = ParseEntry(line);
    if (!entry.ok()) return LineError(name, number, entry.status().message());
    if (!entries.emplace(std::move(entry->first), std::move(entry->second)).second) {
      return LineError(name, number, "a file listed twice");
    }
  }
  return entries;
}

Result<Manifest> Manifest::Load(storage::FileSystem* fs, const std::string& root, std::string destination) {
  Manifest manifest;
  manifest.fs_ = fs;
  manifest.dir_ = storage::JoinPath(root, kManifestDir);
  manifest.path_ = storage::JoinPath(manifest.dir_, "manifest");
  manifest.destination_ = std::move(destination);
  if (Status st = fs->CreateDirs(manifest.dir_); !st.ok()) return st.WithContext("ship manifest directory");
  std::string text;
  Status read = fs->ReadFile(manifest.path_, &text);
  if (read.code() == Status::Code::kNotFound) return manifest;
  if (!read.ok()) return read.WithContext("ship manifest");
  Result<std::map<std::string, ManifestEntry>> entries = Parse(text, manifest.path_, manifest.destination_);
  if (!entries.ok()) return entries.status();
  manifest.entries_ = std::move(*entries);
  return manifest;
}

std::string Manifest::Serialize() const {
  std::string out(kMagic);
  out.append(destination_).append("\n");
  for (const auto& [file, entry] : entries_) {
    switch (entry.state) {
      case ManifestEntry::State::kClaimed:
        out.append("claimed ").append(file).append(" ").append(std::to_string(entry.size));
        break;
      case ManifestEntry::State::kUploading:
        out.append("upload ").append(file).append(" ").append(std::to_string(entry.size)).append(" ");
        out.append(entry.upload_id);
        break;
      case ManifestEntry::State::kShipped:
        out.append("shipped ").append(file).append(" ").append(std::to_string(entry.size)).append(" ");
        out.append(entry.etag).append(" ").append(std::to_string(entry.shipped_unix));
        break;
    }
    out.append("\n");
  }
  return out;
}

Status Manifest::Save() {
  const std::string tmp = path_ + ".tmp";
  Result<std::unique_ptr<storage::WritableFile>> file = fs_->NewWritableFile(tmp);
  if (!file.ok()) return file.status().WithContext("ship manifest");
  const std::string text = Serialize();
  Status st = (*file)->Append(reinterpret_cast<const uint8_t*>(text.data()), text.size());
  if (st.ok()) st = (*file)->Sync();
  if (Status closed = (*file)->Close(); st.ok()) st = closed;
  if (st.ok()) st = fs_->Rename(tmp, path_);
  if (st.ok()) st = fs_->SyncDir(dir_);
  return st.WithContext("saving the ship manifest " + path_);
}

}  // namespace logdaemon::ship
