// S3Client: the handful of S3 API calls the uploader makes, over libcurl, each request signed with
// SigV4 by libcurl itself (CURLOPT_AWS_SIGV4, "aws:amz:<region>:s3"):
//   PutObject                 PUT    /key               (body streamed from the file, with Content-MD5)
//   CreateMultipartUpload     POST   /key?uploads
//   UploadPart                PUT    /key?partNumber=N&uploadId=…   (with Content-MD5)
//   CompleteMultipartUpload   POST   /key?uploadId=…     (the parts' numbers and ETags)
//   AbortMultipartUpload      DELETE /key?uploadId=…
// Bodies are read from the local file in pieces through storage::FileSystem (memory stays small for any
// file size). Answers are bounded (ship/s3_response.h). One request at a time.
//
// Thread-safety: none; one client per thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "ship/credentials.h"
#include "ship/ship_options.h"
#include "storage/fs.h"

namespace logdaemon::ship {

// Where requests go: the parsed endpoint and the bucket.
struct S3Endpoint {
  std::string scheme;  // "http" or "https"
  std::string host;    // "s3.eu-west-1.amazonaws.com", "127.0.0.1", "[::1]"
  std::string port;    // "" or "9000"
  std::string bucket;
  std::string region;
  bool virtual_host = false;

  // "https://bucket.host/key" or "https://host/bucket/key", the key percent-encoded as SigV4's canonical
  // path has it ('=' as %3D).
  std::string ObjectUrl(const std::string& key) const;
  // Human-readable, for logs: "http://127.0.0.1:4568/bucket" (no credentials in it).
  std::string Describe() const;
};

// "http(s)://host[:port]" (a trailing '/' allowed, nothing else after the authority) and the bucket
// (3 to 63 of [a-z0-9.-], starting and ending with a letter or digit).
Result<S3Endpoint> ParseEndpoint(std::string_view url, std::string_view bucket, std::string_view region,
                                 Addressing addressing);

// The outcome of one request. `status` is 0 when no answer came (then `transport_error` says why).
struct S3Answer {
  long status = 0;
  bool timed_out = false;
  std::string transport_error;
  std::string etag;  // unquoted
  std::string body;  // at most kMaxAnswerBytes
  bool ok() const { return status >= 200 && status < 300; }
  // "403 SignatureDoesNotMatch: …", "connection refused (…)", "timed out after …".
  std::string Describe() const;
};

// A byte range of a local file to send.
struct FileRange {
  storage::FileSystem* fs = nullptr;
  std::string path;
  uint64_t offset = 0;
  uint64_t length = 0;
};

class S3Client {
 public:
  S3Client(S3Endpoint endpoint, std::chrono::seconds request_timeout);
  ~S3Client();
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  void SetCredentials(Credentials credentials) { credentials_ = std::move(credentials); }
  // A request in flight is abandoned soon after *stop becomes true (the uploader is stopping).
  void SetStopFlag(const std::atomic<bool>* stop) { stop_ = stop; }
  const S3Endpoint& endpoint() const { return endpoint_; }

  S3Answer PutObject(const std::string& key, const FileRange& body, const std::string& content_md5);
  S3Answer CreateMultipartUpload(const std::string& key);
  S3Answer UploadPart(const std::string& key, const std::string& upload_id, uint32_t part_number,
                      const FileRange& body, const std::string& content_md5);
  S3Answer CompleteMultipartUpload(const std::string& key, const std::string& upload_id,
                                   const std::string& xml);
  S3Answer AbortMultipartUpload(const std::string& key, const std::string& upload_id);

 private:
  enum class Method { kPut, kPost, kDelete };
  S3Answer Send(Method method, const std::string& url, const FileRange* body, const std::string* post_body,
                const std::string& content_md5);

  S3Endpoint endpoint_;
  std::chrono::seconds timeout_;
  Credentials credentials_;
  const std::atomic<bool>* stop_ = nullptr;
  void* curl_ = nullptr;  // CURL*, reused (keeps the connection alive)
};

// Percent-encodes a query value (RFC 3986 unreserved characters stay).
std::string UrlEncode(std::string_view value);

}  // namespace logdaemon::ship
