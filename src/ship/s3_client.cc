#include "ship/s3_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>

#include "ship/s3_response.h"

namespace logdaemon::ship {

namespace {

// curl_global_init is not thread-safe; it runs once, from the first client.
void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool BucketChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

bool HostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
         c == '_';
}

// The body being sent: read from the file in pieces as curl asks for them.
struct UploadSource {
  const FileRange* range = nullptr;
  uint64_t sent = 0;
  std::string piece;
  size_t piece_used = 0;
  std::string error;
};

size_t ReadBody(char* buffer, size_t size, size_t count, void* user) {
  auto* source = static_cast<UploadSource*>(user);
  const size_t room = size * count;
  if (source->piece_used == source->piece.size()) {
    const uint64_t left = source->range->length - source->sent;
    if (left == 0) return 0;
    const size_t want = static_cast<size_t>(std::min<uint64_t>(left, size_t{256} << 10));
    Status st = source->range->fs->ReadAt(source->range->path, source->range->offset + source->sent, want,
                                          &source->piece);
    if (!st.ok() || source->piece.size() != want) {
      source->error = st.ok() ? source->range->path + ": shorter than expected" : st.message();
      return CURL_READFUNC_ABORT;
    }
    source->piece_used = 0;
  }
  const size_t n = std::min(room, source->piece.size() - source->piece_used);
  std::copy_n(source->piece.data() + source->piece_used, n, buffer);
  source->piece_used += n;
  source->sent += n;
  return n;
}

size_t CollectBody(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  const size_t n = size * count;
  const size_t keep = std::min(n, kMaxAnswerBytes - std::min(kMaxAnswerBytes, body->size()));
  body->append(data, keep);
  return n;  // the rest is read and dropped: a huge answer costs nothing
}

size_t CollectHeader(char* data, size_t size, size_t count, void* user) {
  auto* answer = static_cast<S3Answer*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  constexpr std::string_view kEtag = "etag:";
  if (line.size() > kEtag.size() && line.size() < 512) {
    std::string lower(line.substr(0, kEtag.size()));
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == kEtag) answer->etag = UnquoteEtag(line.substr(kEtag.size()));
  }
  return n;
}

int CheckStop(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* stop = static_cast<const std::atomic<bool>*>(user);
  return stop != nullptr && stop->load(std::memory_order_relaxed) ? 1 : 0;
}

struct HeaderList {
  curl_slist* list = nullptr;
  ~HeaderList() { curl_slist_free_all(list); }
  void Add(const std::string& header) { list = curl_slist_append(list, header.c_str()); }
};

}  // namespace

Result<S3Endpoint> ParseEndpoint(std::string_view url, std::string_view bucket, std::string_view region,
                                 Addressing addressing) {
  S3Endpoint endpoint;
  if (url.starts_with("https://")) {
    endpoint.scheme = "https";
    url.remove_prefix(8);
  } else if (url.starts_with("http://")) {
    endpoint.scheme = "http";
    url.remove_prefix(7);
  } else {
    return Status::InvalidArgument("expected an http:// or https:// URL, got '" + Printable(url, 80) + "'");
  }
  if (url.ends_with("/")) url.remove_suffix(1);
  std::string_view host = url, port;
  if (host.starts_with("[")) {
    size_t close = host.find(']');
    if (close == std::string_view::npos) return Status::InvalidArgument("an IPv6 address without ']'");
    port = host.substr(close + 1);
    host = host.substr(0, close + 1);
    if (!port.empty() && port.front() != ':') return Status::InvalidArgument("expected ':PORT' after ']'");
  } else if (size_t colon = host.find(':'); colon != std::string_view::npos) {
    port = host.substr(colon);
    host = host.substr(0, colon);
  }
  if (!port.empty()) {
    port.remove_prefix(1);
    bool digits = !port.empty() && port.size() <= 5 && std::all_of(port.begin(), port.end(), ::isdigit);
    if (!digits || std::stoi(std::string(port)) == 0 || std::stoi(std::string(port)) > 65535)
      return Status::InvalidArgument("the port must be 1 to 65535, got '" + Printable(port, 16) + "'");
  }
  const bool bracketed = host.starts_with("[");
  bool host_ok = !host.empty() && host.size() <= 253;
  for (char c : bracketed ? host.substr(1, host.size() - 2) : host) {
    host_ok = host_ok && (bracketed ? (std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.')
                                    : HostChar(c));
  }
  if (!host_ok) {
    return Status::InvalidArgument("expected http(s)://HOST[:PORT] with nothing after it, got '" +
                                   Printable(url, 80) + "'");
  }
  bool bucket_ok = bucket.size() >= 3 && bucket.size() <= 63 &&
                   std::all_of(bucket.begin(), bucket.end(), BucketChar) && bucket.front() != '.' &&
                   bucket.front() != '-' && bucket.back() != '.' && bucket.back() != '-';
  if (!bucket_ok) {
    return Status::InvalidArgument(
        "a bucket name is 3 to 63 of a-z, 0-9, '.' and '-', starting and ending with a "
        "letter or digit; got '" +
        Printable(bucket, 80) + "'");
  }
  bool region_ok = !region.empty() && region.size() <= 64;
  for (char c : region)
    region_ok = region_ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
  if (!region_ok)
    return Status::InvalidArgument("a region is letters, digits and '-', got '" + Printable(region, 80) +
                                   "'");
  endpoint.host = host;
  endpoint.port = port;
  endpoint.bucket = bucket;
  endpoint.region = region;
  switch (addressing) {
    case Addressing::kPath:
      endpoint.virtual_host = false;
      break;
    case Addressing::kVirtual:
      endpoint.virtual_host = true;
      break;
    case Addressing::kAuto:
      // A bucket with dots does not match a wildcard TLS certificate: path-style then.
      endpoint.virtual_host = host.ends_with(".amazonaws.com") && bucket.find('.') == std::string_view::npos;
      break;
  }
  if (endpoint.virtual_host && bracketed) {
    return Status::InvalidArgument("virtual-host addressing needs a host name, not an IP address");
  }
  return endpoint;
}

std::string S3Endpoint::ObjectUrl(const std::string& key) const {
  std::string url = scheme + "://";
  if (virtual_host) url.append(bucket).append(".");
  url.append(host);
  if (!port.empty()) url.append(":").append(port);
  url.append("/");
  if (!virtual_host) url.append(bucket).append("/");
  // libcurl signs the path as it is sent, and S3 signs the path it received decoded and then encoded
  // again (every byte but the unreserved ones and '/'): so it is sent encoded that way ("dt%3D2026-…").
  for (char c : key) url.append(c == '/' ? std::string("/") : UrlEncode(std::string_view(&c, 1)));
  return url;
}

std::string S3Endpoint::Describe() const {
  return scheme + "://" + host + (port.empty() ? "" : ":" + port) + "/" + bucket +
         (virtual_host ? " (virtual-host addressing)" : " (path-style addressing)");
}

std::string S3Answer::Describe() const {
  if (status != 0) return DescribeErrorAnswer(status, body);
  if (timed_out) return "timed out (" + transport_error + ")";
  return transport_error.empty() ? std::string("no answer") : transport_error;
}

std::string UrlEncode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

S3Client::S3Client(S3Endpoint endpoint, std::chrono::seconds request_timeout)
    : endpoint_(std::move(endpoint)), timeout_(request_timeout) {
  GlobalInit();
  curl_ = curl_easy_init();
}

S3Client::~S3Client() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

S3Answer S3Client::Send(Method method, const std::string& url, const FileRange* body,
                        const std::string* post_body, const std::string& content_md5) {
  S3Answer answer;
  CURL* curl = static_cast<CURL*>(curl_);
  if (curl == nullptr) {
    answer.transport_error = "libcurl could not be initialised";
    return answer;
  }
  curl_easy_reset(curl);
  const std::string sigv4 = "aws:amz:" + endpoint_.region + ":s3";
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, sigv4.c_str());
  curl_easy_setopt(curl, CURLOPT_USERNAME, credentials_.access_key_id.c_str());
  curl_easy_setopt(curl, CURLOPT_PASSWORD, credentials_.secret_access_key.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, static_cast<long>(timeout_.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  // A server that stops sending mid-answer (or mid-upload) is given up after 30 s below 1 KiB/s.
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 30L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, CollectBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, CollectHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &answer);
  if (stop_ != nullptr) {
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, CheckStop);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, stop_);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  }
  HeaderList headers;
  // The body is not hashed into the signature (it is streamed); its integrity is Content-MD5's job.
  headers.Add("x-amz-content-sha256: UNSIGNED-PAYLOAD");
  if (!credentials_.session_token.empty()) headers.Add("x-amz-security-token: " + credentials_.session_token);
  if (!content_md5.empty()) headers.Add("Content-MD5: " + content_md5);
  headers.Add("Expect:");  // no 100-continue round trip
  UploadSource source;
  source.range = body;
  switch (method) {
    case Method::kPut:
      curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadBody);
      curl_easy_setopt(curl, CURLOPT_READDATA, &source);
      curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(body->length));
      headers.Add("Content-Type: application/vnd.apache.parquet");
      break;
    case Method::kPost:
      curl_easy_setopt(curl, CURLOPT_POST, 1L);
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, post_body->c_str());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(post_body->size()));
      headers.Add("Content-Type: application/xml");
      break;
    case Method::kDelete:
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "DELETE");
      break;
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.list);
  const CURLcode code = curl_easy_perform(curl);
  if (code != CURLE_OK) {
    answer.status = 0;
    answer.timed_out = code == CURLE_OPERATION_TIMEDOUT;
    answer.transport_error =
        source.error.empty() ? curl_easy_strerror(code) : "reading the file: " + source.error;
    return answer;
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
  return answer;
}

S3Answer S3Client::PutObject(const std::string& key, const FileRange& body, const std::string& content_md5) {
  return Send(Method::kPut, endpoint_.ObjectUrl(key), &body, nullptr, content_md5);
}

S3Answer S3Client::CreateMultipartUpload(const std::string& key) {
  const std::string empty;
  return Send(Method::kPost, endpoint_.ObjectUrl(key) + "?uploads=", nullptr, &empty, "");
}

S3Answer S3Client::UploadPart(const std::string& key, const std::string& upload_id, uint32_t part_number,
                              const FileRange& body, const std::string& content_md5) {
  const std::string url = endpoint_.ObjectUrl(key) + "?partNumber=" + std::to_string(part_number) +
                          "&uploadId=" + UrlEncode(upload_id);
  return Send(Method::kPut, url, &body, nullptr, content_md5);
}

S3Answer S3Client::CompleteMultipartUpload(const std::string& key, const std::string& upload_id,
                                           const std::string& xml) {
  return Send(Method::kPost, endpoint_.ObjectUrl(key) + "?uploadId=" + UrlEncode(upload_id), nullptr, &xml,
              "");
}

S3Answer S3Client::AbortMultipartUpload(const std::string& key, const std::string& upload_id) {
  return Send(Method::kDelete, endpoint_.ObjectUrl(key) + "?uploadId=" + UrlEncode(upload_id), nullptr,
              nullptr, "");
}

}  // namespace logdaemon::ship
