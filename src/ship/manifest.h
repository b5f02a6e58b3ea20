// Manifest: the uploader's crash-safe record of which local files are taken for shipping and which are
// shipped (DESIGN.md §5b). It lives in <storage>/.ship/manifest and is rewritten whole on each change
// (written to manifest.tmp, fsynced, renamed over, directory fsynced), so after kill -9 or a power cut
// it is the last state saved, never a torn one.
//
// Text, one line each:
//   logdaemon-ship-manifest 1 <destination>
//   claimed <file> <size>                        taken for shipping (compaction leaves it alone)
//   upload <file> <size> <upload id>             a multipart upload was started for it
//   shipped <file> <size> <etag> <unix seconds>  the object is confirmed under its key
// <file> is the path relative to the storage root ("dt=2026-01-15/logs_….parquet"); <destination> is
// "<url>/<bucket>/<prefix>/host=<host>", so that a manifest of another bucket is not taken for this one.
//
// Order of events for one file: claimed is saved before the first byte is sent; shipped only after the
// server confirmed the object and its checksum. A file claimed or uploading at a crash is uploaded again
// (a PUT replaces the object whole; an unfinished multipart upload is aborted), so a restart never
// leaves a partial object under a final key nor a row twice in the bucket.
//
// Thread-safety: none (the uploader thread owns it).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "logdaemon/status.h"
#include "storage/fs.h"

namespace logdaemon::ship {

struct ManifestEntry {
  enum class State { kClaimed, kUploading, kShipped };
  State state = State::kClaimed;
  uint64_t size = 0;
  std::string upload_id;     // kUploading
  std::string etag;          // kShipped: without quotes
  int64_t shipped_unix = 0;  // kShipped
};

inline constexpr size_t kMaxManifestBytes = size_t{64} << 20;
inline constexpr std::string_view kManifestDir = ".ship";

// An upload id as a server may send it: 1 to 1024 printable ASCII bytes without spaces. An ETag
// (unquoted): 1 to 64 bytes of [0-9a-zA-Z-].
bool IsValidUploadId(std::string_view id);
bool IsValidEtag(std::string_view etag);

class Manifest {
 public:
  // Reads <root>/.ship/manifest (none: empty). An unreadable or malformed file, or one that records
  // another destination, is an error naming the file, the line and what is wrong: the operator decides.
  static Result<Manifest> Load(storage::FileSystem* fs, const std::string& root, std::string destination);
  // The parsing alone; `name` names the text in messages.
  static Result<std::map<std::string, ManifestEntry>> Parse(std::string_view text, std::string_view name,
                                                            std::string_view destination);
  std::string Serialize() const;
  // Writes the current entries (atomically, durably).
  Status Save();

  std::map<std::string, ManifestEntry>& entries() { return entries_; }
  const std::map<std::string, ManifestEntry>& entries() const { return entries_; }
  const std::string& path() const { return path_; }

 private:
  storage::FileSystem* fs_ = nullptr;
  std::string dir_;
  std::string path_;
  std::string destination_;
  std::map<std::string, ManifestEntry> entries_;
};

}  // namespace logdaemon::ship
