// Uploader: the thread that ships sealed Parquet files to S3-compatible object storage (DESIGN.md §5b,
// docs/shipping.md).
//
// Every scan_interval it lists the storage directory (storage/catalog.h) and, for each visible data
// file not shipped yet, decides whether it is final: full (compaction never merges a full file again),
// or unchanged for ship_after, or compaction is off. A final file is taken (FileHolds::Hold — from then
// on compaction never merges it and retention never deletes it), recorded as claimed in the manifest
// (ship/manifest.h), uploaded under its key (ship/object_key.h) — one PUT with Content-MD5 below
// multipart_threshold, else a multipart upload whose parts are each sent with Content-MD5 and retried
// on their own, completed in one call — and recorded as shipped only once the server confirmed it
// (and its ETag, when it is an MD5, matches). Shipped files are deleted locally after local_retention.
//
// Because a shipped file is never merged, and an object's key is fixed by its file's name, the bucket
// never holds a row twice: a file uploaded again after a crash replaces its own object. A failure
// (endpoint down, 5xx, 429, timeout) is counted by reason, logged (once per distinct message) and
// retried with exponential backoff and jitter; a 4xx is logged with the server's code and message and
// retried at the longest backoff. Nothing local is deleted unless shipped.
//
// It is handed what it needs — the file system, the storage root, the FileHolds it shares with the
// compactor, and callbacks for its log lines — never the engine.
//
// Thread-safety: Start/Stop from one thread; counters() from any.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "logdaemon/status.h"
#include "ship/credentials.h"
#include "ship/manifest.h"
#include "ship/md5.h"
#include "ship/retry_policy.h"
#include "ship/s3_client.h"
#include "ship/ship_counters.h"
#include "ship/ship_options.h"
#include "storage/file_holds.h"
#include "storage/fs.h"

namespace logdaemon::ship {

struct UploaderLinks {
  storage::FileSystem* fs = nullptr;  // not owned; outlives the uploader
  std::string root;                   // the storage directory
  std::shared_ptr<storage::FileHolds> holds;
  std::function<void(const std::string&)> on_error;   // a failure worth a warning (rate-limited here)
  std::function<void(const std::string&)> on_notice;  // progress worth a line
  EnvLookup getenv;                                   // the environment (credentials)
  std::function<int64_t()> wall_seconds;              // now, Unix seconds (tests pass their own)
};

class Uploader {
 public:
  // Checks the options, reads the credentials and the manifest, and holds every file the manifest names
  // (call it before the storage engine opens, so that its compactor never sees them unheld).
  static Result<std::unique_ptr<Uploader>> Open(ShipOptions options, UploaderLinks links);
  ~Uploader();
  Uploader(const Uploader&) = delete;
  Uploader& operator=(const Uploader&) = delete;

  void Start();
  // Stops the thread (a request in flight is abandoned; it is redone at the next start).
  void Stop();
  const ShipCounters& counters() const { return counters_; }
  std::string Describe() const;  // for the start-up log line

  // One scan and the uploads it finds ready, on the calling thread (tests; the thread does the same).
  Status RunOnce();

 private:
  struct Candidate {
    std::string file;       // relative to the root: the manifest's and FileHolds' name
    std::string path;       // full path
    std::string partition;  // "dt=…" or ""
    std::string name;
    uint64_t size = 0;
    int64_t mtime = 0;
  };
  // The parts of a multipart upload in progress, by file.
  struct MultipartProgress {
    std::string upload_id;
    std::vector<std::string> etags;  // per part; "" until confirmed
    std::vector<Md5Digest> digests;
  };
  // Why the last upload failed (the backoff depends on it).
  struct Failure {
    FailureClass kind;
    std::string what;
  };

  Uploader(ShipOptions options, UploaderLinks links, S3Endpoint endpoint, Manifest manifest);
  void Run();
  // Lists the storage, deletes shipped files past local_retention, forgets manifest entries of files that
  // are gone, publishes the backlog, and returns the files ready to ship, oldest first.
  Result<std::vector<Candidate>> Scan();
  // Ships one file; OK also when it was skipped (merging, or gone). A failure is in failure_.
  Status ShipFile(const Candidate& file);
  Status PutWhole(const Candidate& file, const std::string& key, std::string* etag);
  Status PutMultipart(const Candidate& file, const std::string& key, std::string* etag);
  uint64_t PartSize(uint64_t file_size) const;
  Status StartMultipart(const Candidate& file, const std::string& key, MultipartProgress* progress);
  Status CompleteMultipart(const Candidate& file, const std::string& key, const MultipartProgress& progress,
                           std::string* etag);
  // Records a failed request: counts it, logs it (rate-limited), keeps it for the backoff.
  Status Fail(const Candidate& file, std::string_view step, FailureClass kind, const std::string& what);
  Status FailAnswer(const Candidate& file, std::string_view step, const S3Answer& answer);
  void Forget(const std::string& file);
  bool stopping() const { return stop_.load(std::memory_order_relaxed); }
  void WaitFor(std::chrono::milliseconds delay);

  const ShipOptions options_;
  const UploaderLinks links_;
  S3Client client_;
  Manifest manifest_;
  ShipCounters counters_;
  Backoff backoff_;
  std::map<std::string, MultipartProgress> multipart_;
  // Uploads started before a restart, to abort (file → upload id).
  std::map<std::string, std::string> stale_uploads_;
  std::optional<Failure> failure_;
  std::string last_logged_;
  int64_t last_logged_unix_ = 0;

  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::condition_variable cv_;
  std::thread thread_;
};

// The destination a manifest records ("<url>/<bucket>/<prefix>/host=<host>").
std::string ManifestDestination(const S3Endpoint& endpoint, const ShipOptions& options);

}  // namespace logdaemon::ship
