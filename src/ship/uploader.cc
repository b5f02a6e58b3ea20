#include "ship/uploader.h"

#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "ship/object_key.h"
#include "ship/s3_response.h"
#include "storage/catalog.h"

namespace logdaemon::ship {

namespace {

constexpr std::chrono::milliseconds kInitialBackoff{500};
constexpr uint64_t kMaxParts = 10'000;
// A failure with the same message is logged again at most this often (the count is in the metrics).
constexpr int64_t kRelogSeconds = 60;

bool IsMd5Hex(std::string_view etag) {
  return etag.size() == 32 && std::all_of(etag.begin(), etag.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// The modification time of a file (Unix seconds), or -1.
int64_t ModifiedAt(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int64_t>(st.st_mtime);
}

}  // namespace

std::string_view AddressingName(Addressing addressing) {
  switch (addressing) {
    case Addressing::kAuto:
      return "auto";
    case Addressing::kPath:
      return "path";
    case Addressing::kVirtual:
      return "virtual";
  }
  return "auto";
}

std::string ManifestDestination(const S3Endpoint& endpoint, const ShipOptions& options) {
  std::string out =
      endpoint.scheme + "://" + endpoint.host + (endpoint.port.empty() ? "" : ":" + endpoint.port);
  out.append("/").append(endpoint.bucket).append("/");
  if (!options.prefix.empty()) out.append(options.prefix).append("/");
  return out.append("host=").append(options.host);
}

Result<std::unique_ptr<Uploader>> Uploader::Open(ShipOptions options, UploaderLinks links) {
  if (options.bucket.empty()) return Status::InvalidArgument("--ship-bucket is required with --ship-url");
  Result<S3Endpoint> endpoint =
      ParseEndpoint(options.url, options.bucket, options.region, options.addressing);
  if (!endpoint.ok()) return endpoint.status().WithContext("--ship-url/--ship-bucket/--ship-region");
  if (Status st = CheckPrefix(options.prefix); !st.ok()) return st.WithContext("--ship-prefix");
  if (Status st = CheckHost(options.host); !st.ok()) return st.WithContext("--ship-host");
  if (options.part_size == 0 || options.multipart_threshold == 0) {
    return Status::InvalidArgument("the multipart threshold and part size must be above 0");
  }
  if (!links.getenv) links.getenv = [](const char* name) -> const char* { return std::getenv(name); };
  if (!links.wall_seconds) links.wall_seconds = [] { return static_cast<int64_t>(::time(nullptr)); };
  Result<Credentials> credentials = LoadCredentials(options.credentials_file, links.getenv);
  if (!credentials.ok()) return credentials.status();  // names the variable or the file already
  Result<Manifest> manifest = Manifest::Load(links.fs, links.root, ManifestDestination(*endpoint, options));
  if (!manifest.ok()) return manifest.status();
  std::unique_ptr<Uploader> uploader(
      new Uploader(std::move(options), std::move(links), std::move(*endpoint), std::move(*manifest)));
  uploader->client_.SetCredentials(std::move(*credentials));
  // Every file the manifest names stays out of compaction from now on; uploads that were in progress
  // at a crash are aborted (their parts are invisible) and done again.
  bool changed = false;
  for (auto& [file, entry] : uploader->manifest_.entries()) {
    uploader->links_.holds->Hold(file);
    if (entry.state == ManifestEntry::State::kShipped) {
      uploader->links_.holds->MarkDeletable(file);
    } else if (entry.state == ManifestEntry::State::kUploading) {
      uploader->stale_uploads_[file] = entry.upload_id;
      entry.state = ManifestEntry::State::kClaimed;
      entry.upload_id.clear();
      changed = true;
    }
  }
  if (changed) {
    if (Status st = uploader->manifest_.Save(); !st.ok()) return st;
  }
  return uploader;
}

Uploader::Uploader(ShipOptions options, UploaderLinks links, S3Endpoint endpoint, Manifest manifest)
    : options_(std::move(options)),
      links_(std::move(links)),
      client_(std::move(endpoint), options_.request_timeout),
      manifest_(std::move(manifest)),
      backoff_(kInitialBackoff, options_.max_backoff, std::random_device{}()) {
  client_.SetStopFlag(&stop_);
}

Uploader::~Uploader() {
  Stop();
}

std::string Uploader::Describe() const {
  std::string out = client_.endpoint().Describe();
  out.append(", keys ");
  if (!options_.prefix.empty()) out.append(options_.prefix).append("/");
  out.append("dt=…/host=").append(options_.host).append("/…");
  out.append(", credentials from ")
      .append(options_.credentials_file.empty() ? std::string("the environment") : options_.credentials_file);
  return out;
}

void Uploader::Start() {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "ld-shipper");
    Run();
  });
}

void Uploader::Stop() {
  {
    std::lock_guard lock(mutex_);
    stop_.store(true);
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void Uploader::WaitFor(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  cv_.wait_for(lock, delay, [&] { return stopping(); });
}

void Uploader::Run() {
  uint32_t failures = 0;
  while (!stopping()) {
    failure_.reset();
    Status st = RunOnce();
    if (stopping()) break;
    if (st.ok()) {
      failures = 0;
      WaitFor(options_.scan_interval);
      continue;
    }
    ++failures;
    // A 4xx (credentials, bucket, permissions) is not helped by a quick retry: the longest wait.
    const bool soon = failure_ && failure_->kind.retry_soon;
    WaitFor(soon ? backoff_.Delay(failures) : backoff_.max());
  }
}

Status Uploader::RunOnce() {
  Result<std::vector<Candidate>> ready = Scan();
  if (!ready.ok()) {
    // The storage directory or the manifest cannot be read or written: retried at the longest backoff.
    counters_.CountError(ErrorReason::kLocal);
    if (links_.on_error) links_.on_error("ship: " + ready.status().message());
    return ready.status();
  }
  for (const Candidate& file : *ready) {
    if (stopping()) break;
    if (Status st = ShipFile(file); !st.ok()) return st;
  }
  return Status::OK();
}

Result<std::vector<Uploader::Candidate>> Uploader::Scan() {
  std::vector<storage::Partition> partitions;
  if (Status st = storage::ScanStorage(links_.fs, links_.root, &partitions); !st.ok()) return st;
  const int64_t now = links_.wall_seconds();
  std::vector<Candidate> ready;
  std::map<std::string, bool> seen;
  uint64_t backlog_files = 0, backlog_bytes = 0;
  int64_t oldest = now;
  bool changed = false;
  for (const storage::Partition& partition : partitions) {
    // Shipped files past local_retention. A part of a merged file goes only with all its siblings: a set
    // with a part missing is incomplete, and the engine would hide (and at its next start delete) the rest.
    std::set<std::string> expired;
    for (const storage::DataFile& data : partition.files) {
      auto entry = manifest_.entries().find(storage::HeldName(partition.relative_path, data.name));
      if (entry != manifest_.entries().end() && entry->second.state == ManifestEntry::State::kShipped &&
          now - entry->second.shipped_unix >= options_.local_retention.count()) {
        expired.insert(data.name);
      }
    }
    auto deletable = [&](const storage::DataFile& data) {
      if (expired.count(data.name) == 0) return false;
      if (data.parsed.part.count == 0) return true;
      return std::all_of(partition.files.begin(), partition.files.end(), [&](const storage::DataFile& other) {
        return other.parsed.range != data.parsed.range || expired.count(other.name) > 0;
      });
    };
    for (const storage::DataFile& data : partition.files) {
      Candidate file{storage::HeldName(partition.relative_path, data.name),
                     data.path,
                     partition.relative_path,
                     data.name,
                     data.size,
                     ModifiedAt(data.path)};
      if (file.mtime < 0) continue;  // gone since the listing
      seen[file.file] = true;
      auto entry = manifest_.entries().find(file.file);
      if (entry != manifest_.entries().end() && entry->second.state == ManifestEntry::State::kShipped) {
        if (deletable(data)) {
          Status removed = links_.fs->Remove(file.path);
          if (!removed.ok() && removed.code() != Status::Code::kNotFound) return removed;
          counters_.files_deleted_locally.fetch_add(1, std::memory_order_relaxed);
          Forget(file.file);
          changed = true;
        }
        continue;
      }
      ++backlog_files;
      backlog_bytes += file.size;
      oldest = std::min(oldest, file.mtime);
      const bool final_file = entry != manifest_.entries().end() || !options_.compaction ||
                              file.size >= options_.full_bytes ||
                              now - file.mtime >= options_.ship_after.count();
      if (final_file) ready.push_back(std::move(file));
    }
  }
  // Files the manifest names that are gone (retention, an operator): nothing to hold any more.
  for (auto it = manifest_.entries().begin(); it != manifest_.entries().end();) {
    if (seen.count(it->first) > 0) {
      ++it;
      continue;
    }
    links_.holds->Release(it->first);
    multipart_.erase(it->first);
    it = manifest_.entries().erase(it);
    changed = true;
  }
  if (changed) {
    if (Status st = manifest_.Save(); !st.ok()) return st;
  }
  counters_.backlog_files.store(backlog_files, std::memory_order_relaxed);
  counters_.backlog_bytes.store(backlog_bytes, std::memory_order_relaxed);
  counters_.backlog_oldest_seconds.store(
      backlog_files > 0 ? static_cast<uint64_t>(std::max<int64_t>(0, now - oldest)) : 0,
      std::memory_order_relaxed);
  std::sort(ready.begin(), ready.end(), [](const Candidate& a, const Candidate& b) {
    return a.mtime != b.mtime ? a.mtime < b.mtime : a.file < b.file;
  });
  return ready;
}

void Uploader::Forget(const std::string& file) {
  manifest_.entries().erase(file);
  multipart_.erase(file);
  links_.holds->Release(file);
}

Status Uploader::Fail(const Candidate& file, std::string_view step, FailureClass kind,
                      const std::string& what) {
  counters_.CountError(kind.reason);
  failure_ = Failure{kind, what};
  std::string line = "ship: " + file.file + ": " + std::string(step) + " failed: " + what;
  const int64_t now = links_.wall_seconds();
  if (line != last_logged_ || now - last_logged_unix_ >= kRelogSeconds) {
    if (links_.on_error) {
      links_.on_error(line + (kind.retry_soon ? " (retrying with backoff)"
                                              : " (retrying every " +
                                                    std::to_string(backoff_.max().count() / 1000) + " s)"));
    }
    last_logged_ = line;
    last_logged_unix_ = now;
  }
  return Status::Unavailable(line);
}

Status Uploader::FailAnswer(const Candidate& file, std::string_view step, const S3Answer& answer) {
  return Fail(file, step, ClassifyFailure(answer.status, answer.timed_out), answer.Describe());
}

Status Uploader::ShipFile(const Candidate& file) {
  Result<std::string> key = ObjectKey(options_.prefix, options_.host, file.partition, file.name);
  if (!key.ok()) return Status::OK();  // not ours to ship (an odd directory): left alone
  auto entry = manifest_.entries().find(file.file);
  if (entry == manifest_.entries().end()) {
    // Taken for good before the first byte goes out; a file being merged is about to be superseded.
    if (!links_.holds->Hold(file.file)) return Status::OK();
    // A merge that ended between the listing and the hold removed it: nothing to ship.
    if (ModifiedAt(file.path) < 0) {
      links_.holds->Release(file.file);
      return Status::OK();
    }
    ManifestEntry claimed;
    claimed.size = file.size;
    entry = manifest_.entries().emplace(file.file, claimed).first;
    if (Status st = manifest_.Save(); !st.ok()) {
      Forget(file.file);
      return Fail(file, "recording the claim", {ErrorReason::kLocal, true}, st.message());
    }
  }
  if (auto stale = stale_uploads_.find(file.file); stale != stale_uploads_.end()) {
    // Best effort: an upload left from before a restart holds invisible parts until it is aborted.
    (void)client_.AbortMultipartUpload(*key, stale->second);
    stale_uploads_.erase(stale);
  }
  if (!options_.credentials_file.empty()) {
    // Re-read each time: a fixed or rotated file is used without a restart.
    Result<Credentials> credentials = LoadCredentialsFile(options_.credentials_file, links_.getenv);
    if (!credentials.ok()) {
      return Fail(file, "reading the credentials", {ErrorReason::kLocal, false},
                  credentials.status().message());
    }
    client_.SetCredentials(std::move(*credentials));
  }
  std::string etag;
  Status uploaded = file.size >= options_.multipart_threshold ? PutMultipart(file, *key, &etag)
                                                              : PutWhole(file, *key, &etag);
  if (!uploaded.ok()) return uploaded;
  if (stopping()) return Status::OK();
  ManifestEntry& shipped = manifest_.entries()[file.file];
  shipped.state = ManifestEntry::State::kShipped;
  shipped.size = file.size;
  shipped.upload_id.clear();
  shipped.etag = IsValidEtag(etag) ? etag : std::string("unknown");
  shipped.shipped_unix = links_.wall_seconds();
  multipart_.erase(file.file);
  if (Status st = manifest_.Save(); !st.ok()) {
    // Shipped, but not recorded: it is uploaded again (same key, same bytes) once the disk recovers.
    shipped.state = ManifestEntry::State::kClaimed;
    return Fail(file, "recording the upload", {ErrorReason::kLocal, true}, st.message());
  }
  links_.holds->MarkDeletable(file.file);
  // The backlog gauges follow each upload, not only the next scan (this thread alone writes them).
  const uint64_t files_left = counters_.backlog_files.load(std::memory_order_relaxed);
  const uint64_t bytes_left = counters_.backlog_bytes.load(std::memory_order_relaxed);
  counters_.backlog_files.store(files_left - std::min<uint64_t>(files_left, 1), std::memory_order_relaxed);
  counters_.backlog_bytes.store(bytes_left - std::min(bytes_left, file.size), std::memory_order_relaxed);
  if (files_left <= 1) counters_.backlog_oldest_seconds.store(0, std::memory_order_relaxed);
  counters_.files_shipped.fetch_add(1, std::memory_order_relaxed);
  counters_.bytes_shipped.fetch_add(file.size, std::memory_order_relaxed);
  counters_.last_success_unix.store(shipped.shipped_unix, std::memory_order_relaxed);
  return Status::OK();
}

Status Uploader::PutWhole(const Candidate& file, const std::string& key, std::string* etag) {
  Result<Md5Digest> digest = Md5OfFileRange(links_.fs, file.path, 0, file.size);
  if (!digest.ok()) return Fail(file, "reading", {ErrorReason::kLocal, true}, digest.status().message());
  const FileRange body{links_.fs, file.path, 0, file.size};
  S3Answer answer = client_.PutObject(key, body, Base64(*digest));
  if (stopping()) return Status::OK();
  if (!answer.ok()) return FailAnswer(file, "PUT " + key, answer);
  if (IsMd5Hex(answer.etag) && Lower(answer.etag) != Hex(*digest)) {
    return Fail(file, "PUT " + key, {ErrorReason::kChecksum, true},
                "the server's ETag " + answer.etag + " is not the file's MD5 " + Hex(*digest));
  }
  *etag = answer.etag;
  return Status::OK();
}

uint64_t Uploader::PartSize(uint64_t file_size) const {
  // S3 allows 10 000 parts: a file too large for that many of part_size gets larger parts.
  return std::max(options_.part_size, (file_size + kMaxParts - 1) / kMaxParts);
}

Status Uploader::StartMultipart(const Candidate& file, const std::string& key, MultipartProgress* progress) {
  S3Answer answer = client_.CreateMultipartUpload(key);
  if (stopping()) return Status::OK();
  if (!answer.ok()) return FailAnswer(file, "starting the multipart upload of " + key, answer);
  std::optional<std::string> id = XmlTagText(answer.body, "UploadId");
  if (!id || !IsValidUploadId(*id)) {
    return Fail(file, "starting the multipart upload of " + key, {ErrorReason::kProtocol, true},
                "the answer has no usable <UploadId>: " + Printable(answer.body, 160));
  }
  const uint64_t parts = (file.size + PartSize(file.size) - 1) / PartSize(file.size);
  progress->upload_id = *id;
  progress->etags.assign(parts, "");
  progress->digests.assign(parts, Md5Digest{});
  ManifestEntry& entry = manifest_.entries()[file.file];
  entry.state = ManifestEntry::State::kUploading;
  entry.upload_id = *id;
  if (Status st = manifest_.Save(); !st.ok()) {
    (void)client_.AbortMultipartUpload(key, *id);
    progress->upload_id.clear();
    return Fail(file, "recording the multipart upload", {ErrorReason::kLocal, true}, st.message());
  }
  return Status::OK();
}

Status Uploader::PutMultipart(const Candidate& file, const std::string& key, std::string* etag) {
  MultipartProgress& progress = multipart_[file.file];
  if (progress.upload_id.empty()) {
    if (Status st = StartMultipart(file, key, &progress); !st.ok() || stopping()) return st;
  }
  // Each part on its own: a part that failed is sent again, the confirmed ones are not.
  for (size_t i = 0; i < progress.etags.size(); ++i) {
    if (!progress.etags[i].empty()) continue;
    const uint64_t offset = i * PartSize(file.size);
    const uint64_t length = std::min(PartSize(file.size), file.size - offset);
    Result<Md5Digest> digest = Md5OfFileRange(links_.fs, file.path, offset, length);
    if (!digest.ok()) return Fail(file, "reading", {ErrorReason::kLocal, true}, digest.status().message());
    const FileRange body{links_.fs, file.path, offset, length};
    const std::string step = "part " + std::to_string(i + 1) + " of " + std::to_string(progress.etags.size());
    S3Answer answer =
        client_.UploadPart(key, progress.upload_id, static_cast<uint32_t>(i + 1), body, Base64(*digest));
    if (stopping()) return Status::OK();
    if (answer.status == 404) {
      // NoSuchUpload: the server forgot the upload (aborted, expired): start over.
      progress.upload_id.clear();
      return FailAnswer(file, step, answer);
    }
    if (!answer.ok()) return FailAnswer(file, step, answer);
    if (!IsValidEtag(answer.etag) || (IsMd5Hex(answer.etag) && Lower(answer.etag) != Hex(*digest))) {
      return Fail(
          file, step, {ErrorReason::kChecksum, true},
          "the server's ETag '" + Printable(answer.etag, 80) + "' is not the part's MD5 " + Hex(*digest));
    }
    progress.etags[i] = answer.etag;
    progress.digests[i] = *digest;
    counters_.parts_uploaded.fetch_add(1, std::memory_order_relaxed);
  }
  return CompleteMultipart(file, key, progress, etag);
}

Status Uploader::CompleteMultipart(const Candidate& file, const std::string& key,
                                   const MultipartProgress& progress, std::string* etag) {
  std::string xml = "<CompleteMultipartUpload>";
  std::string digests;
  for (size_t i = 0; i < progress.etags.size(); ++i) {
    xml.append("<Part><PartNumber>").append(std::to_string(i + 1)).append("</PartNumber><ETag>\"");
    xml.append(progress.etags[i]).append("\"</ETag></Part>");
    digests.append(reinterpret_cast<const char*>(progress.digests[i].data()), progress.digests[i].size());
  }
  xml.append("</CompleteMultipartUpload>");
  const std::string expected = Hex(Md5(digests)) + "-" + std::to_string(progress.etags.size());
  S3Answer answer = client_.CompleteMultipartUpload(key, progress.upload_id, xml);
  if (stopping()) return Status::OK();
  // S3 may answer 200 and still fail: the error is then in the body.
  if (answer.ok() && answer.body.find("<Error>") != std::string::npos) {
    answer.status = 500;
  }
  if (answer.status == 404) multipart_[file.file].upload_id.clear();
  if (!answer.ok()) return FailAnswer(file, "completing the multipart upload of " + key, answer);
  std::string returned = UnquoteEtag(XmlTagText(answer.body, "ETag").value_or(answer.etag));
  const size_t dash = returned.find('-');
  if (dash == 32 && IsMd5Hex(returned.substr(0, 32)) && Lower(returned) != expected) {
    return Fail(file, "completing the multipart upload of " + key, {ErrorReason::kChecksum, true},
                "the server's ETag " + Printable(returned, 80) + " is not the parts' checksum " + expected);
  }
  *etag = IsValidEtag(returned) ? returned : expected;
  return Status::OK();
}

}  // namespace logdaemon::ship
