// The uploader (ship/uploader.h) against a scripted S3 server on a loopback port: what it sends, what it
// records, and what it does with hostile or failing answers — a wrong ETag, a 4xx, an upload id missing,
// a 200 that carries an error, a huge body — and across a restart (a stale multipart upload is aborted)
// and local retention (only shipped files are deleted).
#include "ship/uploader.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "ship/md5.h"
#include "storage/file_holds.h"
#include "support/temp_dir.h"

namespace logdaemon::ship {
namespace uploader_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

struct Request {
  std::string method, target, body;
  std::map<std::string, std::string> headers;  // lower-case names
};
struct Response {
  int status = 200;
  std::string body;
  std::string etag;  // sent as ETag: "<etag>" when not empty
};

// A one-request-per-connection HTTP/1.1 server: each request is recorded and answered by `handler`.
class FakeS3 {
 public:
  explicit FakeS3(std::function<Response(const Request&)> handler) : handler_(std::move(handler)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    socklen_t length = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeS3() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<Request> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  size_t Count(std::string_view method, std::string_view target_part) {
    size_t n = 0;
    for (const Request& r : requests())
      n += r.method == method && r.target.find(target_part) != std::string::npos;
    return n;
  }

 private:
  void Serve() {
    while (!stop_) {
      int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) return;
      Handle(client);
      ::close(client);
    }
  }
  void Handle(int client) {
    std::string data;
    char buffer[65536];
    size_t head_end;
    while ((head_end = data.find("\r\n\r\n")) == std::string::npos) {
      ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
      if (n <= 0) return;
      data.append(buffer, static_cast<size_t>(n));
    }
    Request request;
    std::string head = data.substr(0, head_end);
    size_t line_end = head.find("\r\n");
    std::string first = head.substr(0, line_end);
    request.method = first.substr(0, first.find(' '));
    request.target = first.substr(first.find(' ') + 1, first.rfind(' ') - first.find(' ') - 1);
    size_t at = line_end + 2;
    while (at < head.size()) {
      size_t end = head.find("\r\n", at);
      if (end == std::string::npos) end = head.size();
      std::string line = head.substr(at, end - at);
      size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(c));
      request.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
      at = end + 2;
    }
    size_t length =
        request.headers.count("content-length") ? std::stoul(request.headers["content-length"]) : 0;
    request.body = data.substr(head_end + 4);
    while (request.body.size() < length) {
      ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
      if (n <= 0) return;
      request.body.append(buffer, static_cast<size_t>(n));
    }
    Response response = handler_(request);
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(request);
    }
    std::string out = "HTTP/1.1 " + std::to_string(response.status) +
                      " X\r\nContent-Length: " + std::to_string(response.body.size()) +
                      "\r\nConnection: close\r\n";
    if (!response.etag.empty()) out += "ETag: \"" + response.etag + "\"\r\n";
    out += "\r\n" + response.body;
    for (size_t sent = 0; sent < out.size();) {
      ssize_t n = ::send(client, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<size_t>(n);
    }
  }

  std::function<Response(const Request&)> handler_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<Request> requests_;
  std::thread thread_;
};

constexpr const char* kSecret = "uploader-test-SECRET-7";
constexpr const char* kFile = "dt=2026-01-15/logs_20260115_000000_000001.parquet";

struct Rig {
  testing_support::TempDir dir{"logdaemon_uploader"};
  std::unique_ptr<storage::FileSystem> fs = storage::NewPosixFileSystem(0640);
  std::shared_ptr<storage::FileHolds> holds = std::make_shared<storage::FileHolds>();
  std::vector<std::string> errors;
  int64_t now = 2'000'000'000;
  ShipOptions options;

  explicit Rig(const std::string& url) {
    options.url = url;
    options.bucket = "bucket";
    options.prefix = "p";
    options.host = "h";
    options.ship_after = std::chrono::seconds(0);
    options.max_backoff = std::chrono::milliseconds(10);
  }
  std::string Write(const std::string& relative, size_t bytes) {
    std::string content;
    for (size_t i = 0; i < bytes; ++i) content += static_cast<char>('a' + (i * 7) % 26);
    std::filesystem::create_directories(std::filesystem::path(dir.Sub(relative)).parent_path());
    std::ofstream(dir.Sub(relative), std::ios::binary) << content;
    return content;
  }
  Result<std::unique_ptr<Uploader>> Open() {
    UploaderLinks links;
    links.fs = fs.get();
    links.root = dir.path();
    links.holds = holds;
    links.on_error = [this](const std::string& line) { errors.push_back(line); };
    links.getenv = [](const char* name) -> const char* {
      if (std::string_view(name) == "AWS_ACCESS_KEY_ID") return "AKIATEST";
      if (std::string_view(name) == "AWS_SECRET_ACCESS_KEY") return kSecret;
      return nullptr;
    };
    links.wall_seconds = [this] { return now; };
    return Uploader::Open(options, std::move(links));
  }
  std::string Manifest() {
    std::ifstream in(dir.Sub(".ship/manifest"));
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  std::string AllErrors() {
    std::string all;
    for (const std::string& e : errors) all += e + "\n";
    return all;
  }
};

uint64_t Errors(const Uploader& u, ErrorReason reason) {
  return u.counters().errors[static_cast<size_t>(reason)].load();
}

TEST(UploaderTest, ShipsAFileWithItsChecksumUnderItsKeyAndRecordsIt) {
  FakeS3 s3([](const Request& r) { return Response{200, "", Hex(Md5(r.body))}; });
  Rig rig(s3.url());
  const std::string content = rig.Write(kFile, 3000);
  auto uploader = rig.Open();
  ASSERT_TRUE(uploader.ok()) << uploader.status().ToString();
  ASSERT_TRUE((*uploader)->RunOnce().ok()) << rig.AllErrors();
  std::vector<Request> requests = s3.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "PUT");
  EXPECT_EQ(requests[0].target, "/bucket/p/dt%3D2026-01-15/host%3Dh/logs_20260115_000000_000001.parquet");
  EXPECT_EQ(requests[0].body, content);
  EXPECT_EQ(requests[0].headers["content-md5"], Base64(Md5(content)));
  EXPECT_EQ(requests[0].headers["authorization"].rfind("AWS4-HMAC-SHA256 Credential=AKIATEST/", 0), 0u);
  EXPECT_EQ(requests[0].headers["authorization"].find(kSecret), std::string::npos);
  EXPECT_NE(rig.Manifest().find(std::string("shipped ") + kFile + " 3000 " + Hex(Md5(content))),
            std::string::npos)
      << rig.Manifest();
  EXPECT_TRUE(rig.holds->IsHeld(kFile));
  EXPECT_TRUE(rig.holds->MayDelete(kFile));
  EXPECT_EQ((*uploader)->counters().files_shipped.load(), 1u);
  EXPECT_EQ((*uploader)->counters().bytes_shipped.load(), 3000u);
  // Shipped once: the next scan sends nothing.
  ASSERT_TRUE((*uploader)->RunOnce().ok());
  EXPECT_EQ(s3.requests().size(), 1u);
}

TEST(UploaderTest, AnEtagThatIsNotTheFilesMd5IsNotShipped) {
  FakeS3 s3([](const Request&) { return Response{200, "", "0123456789abcdef0123456789abcdef"}; });
  Rig rig(s3.url());
  rig.Write(kFile, 100);
  auto uploader = rig.Open();
  ASSERT_TRUE(uploader.ok());
  EXPECT_FALSE((*uploader)->RunOnce().ok());
  EXPECT_EQ(Errors(**uploader, ErrorReason::kChecksum), 1u);
  EXPECT_EQ((*uploader)->counters().files_shipped.load(), 0u);
  EXPECT_NE(rig.Manifest().find(std::string("claimed ") + kFile), std::string::npos);
  EXPECT_TRUE(rig.holds->IsHeld(kFile));      // taken: compaction must not merge it meanwhile
  EXPECT_FALSE(rig.holds->MayDelete(kFile));  // but not shipped: retention keeps it
  EXPECT_NE(rig.AllErrors().find("is not the file's MD5"), std::string::npos) << rig.AllErrors();
}

TEST(UploaderTest, AClientErrorIsLoggedWithTheServersMessageAndNeverTheSecret) {
  FakeS3 s3([](const Request&) {
    return Response{403, "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>", ""};
  });
  Rig rig(s3.url());
  rig.Write(kFile, 100);
  auto uploader = rig.Open();
  ASSERT_TRUE(uploader.ok());
  EXPECT_FALSE((*uploader)->RunOnce().ok());
  EXPECT_EQ(Errors(**uploader, ErrorReason::kClient), 1u);
  EXPECT_NE(rig.AllErrors().find("403 AccessDenied: Access Denied (retrying every 0 s)"), std::string::npos)
      << rig.AllErrors();
  EXPECT_EQ(rig.AllErrors().find(kSecret), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(rig.dir.Sub(kFile)));
}

TEST(UploaderTest, AHugeHostileAnswerIsBoundedAndPrintable) {
  std::string garbage(4 << 20, '\x1b');
  FakeS3 s3([&](const Request&) { return Response{500, garbage, ""}; });
  Rig rig(s3.url());
  rig.Write(kFile, 100);
  auto uploader = rig.Open();
  ASSERT_TRUE(uploader.ok());
  EXPECT_FALSE((*uploader)->RunOnce().ok());
  EXPECT_EQ(Errors(**uploader, ErrorReason::kServer), 1u);
  ASSERT_EQ(rig.errors.size(), 1u);
  EXPECT_LT(rig.errors[0].size(), 600u);
  EXPECT_EQ(rig.errors[0].find('\x1b'), std::string::npos);
}

TEST(UploaderTest, MultipartPartsAreRetriedOnTheirOwnAndCompletedWithTheirEtags) {
  std::atomic<int> part2_attempts{0};
  FakeS3 s3([&](const Request& r) {
    if (r.method == "POST" && r.target.find("?uploads") != std::string::npos) {
      return Response{
          200, "<InitiateMultipartUploadResult><UploadId>u-1</UploadId></InitiateMultipartUploadResult>", ""};
    }
    if (r.method == "PUT" && r.target.find("partNumber=2&") != std::string::npos && part2_attempts++ == 0) {
      return Response{500, "<Error><Code>InternalError</Code><Message>try again</Message></Error>", ""};
    }
    if (r.method == "PUT") return Response{200, "", Hex(Md5(r.body))};
    return Response{
        200, "<CompleteMultipartUploadResult><ETag>\"abc-3\"</ETag></CompleteMultipartUploadResult>", ""};
  });
  Rig rig(s3.url());
  rig.options.multipart_threshold = 1024;
  rig.options.part_size = 1024;
  const std::string content = rig.Write(kFile, 2500);
  auto uploader = rig.Open();
  ASSERT_TRUE(uploader.ok());
  EXPECT_FALSE((*uploader)->RunOnce().ok());  // part 2 answered 500
  EXPECT_NE(rig.Manifest().find(std::string("upload ") + kFile + " 2500 u-1"), std::string::npos)
      << rig.Manifest();
  ASSERT_TRUE((*uploader)->RunOnce().ok()) << rig.AllErrors();
  EXPECT_EQ(s3.Count("POST", "?uploads"), 1u);
  EXPECT_EQ(s3.Count("PUT", "partNumber=1&uploadId=u-1"), 1u);  // confirmed parts are not sent again
  EXPECT_EQ(s3.Count("PUT", "partNumber=2&uploadId=u-1"), 2u);
  EXPECT_EQ(s3.Count("PUT", "partNumber=3&uploadId=u-1"), 1u);
  const Request complete = s3.requests().back();
  EXPECT_EQ(complete.target,
            "/bucket/p/dt%3D2026-01-15/host%3Dh/logs_20260115_000000_000001.parquet?uploadId=u-1");
  EXPECT_EQ(complete.body, "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"" +
                               Hex(Md5(content.substr(0, 1024))) +
                               "\"</ETag></Part><Part><PartNumber>2</PartNumber><ETag>\"" +
                               Hex(Md5(content.substr(1024, 1024))) +
                               "\"</ETag></Part><Part><PartNumber>3</PartNumber><ETag>\"" +
                               Hex(Md5(content.substr(2048))) + "\"</ETag></Part></CompleteMultipartUpload>");
  EXPECT_EQ((*uploader)->counters().parts_uploaded.load(), 3u);
  EXPECT_NE(rig.Manifest().find(std::string("shipped ") + kFile + " 2500 abc-3"), std::string::npos);
}

TEST(UploaderTest, AnAnswerWithoutAnUploadIdOrA200CarryingAnErrorIsNotShipped) {
  bool complete_fails = false;
  FakeS3 s3([&](const Request& r) {
    if (r.target.find("?uploads") != std::string::npos) {
      return complete_fails ? Response{200, "<UploadId>u-2</UploadId>", ""}
                            : Response{200, "<x>no id</x>", ""};
    }
    if (r.method == "PUT") return Response{200, "", Hex(Md5(r.body))};
    return Response{
        200, "<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>",
        ""};
  });
  Rig rig(s3.url());
  rig.options.multipart_threshold = 1024;
  rig.options.part_size = 1024;
  rig.Write(kFile, 1500);
  auto uploader = rig.Open();
  ASSERT_TRUE(uploader.ok());
  EXPECT_FALSE((*uploader)->RunOnce().ok());
  EXPECT_EQ(Errors(**uploader, ErrorReason::kProtocol), 1u);
  complete_fails = true;
  EXPECT_FALSE((*uploader)->RunOnce().ok());
  EXPECT_EQ(Errors(**uploader, ErrorReason::kServer), 1u);
  EXPECT_NE(rig.AllErrors().find("InternalError: We encountered an internal error."), std::string::npos);
  EXPECT_EQ((*uploader)->counters().files_shipped.load(), 0u);
  EXPECT_EQ(rig.Manifest().find("shipped "), std::string::npos);
}

TEST(UploaderTest, ARestartAbortsTheUploadACrashLeftAndShipsTheFileAgain) {
  FakeS3 s3([](const Request& r) {
    return Response{r.method == "DELETE" ? 204 : 200, "", Hex(Md5(r.body))};
  });
  Rig rig(s3.url());
  rig.Write(kFile, 100);
  std::filesystem::create_directories(rig.dir.Sub(".ship"));
  std::ofstream(rig.dir.Sub(".ship/manifest"))
      << "logdaemon-ship-manifest 1 " << s3.url() << "/bucket/p/host=h\nupload " << kFile << " 100 u-old\n";
  auto uploader = rig.Open();
  ASSERT_TRUE(uploader.ok()) << uploader.status().ToString();
  EXPECT_TRUE(rig.holds->IsHeld(kFile));  // before anything runs: the compactor must not take it
  ASSERT_TRUE((*uploader)->RunOnce().ok()) << rig.AllErrors();
  EXPECT_EQ(s3.Count("DELETE", "?uploadId=u-old"), 1u);
  EXPECT_EQ(s3.Count("PUT", "logs_20260115_000000_000001.parquet"), 1u);
  EXPECT_NE(rig.Manifest().find(std::string("shipped ") + kFile), std::string::npos);
}

TEST(UploaderTest, LocalRetentionDeletesOnlyShippedFilesAndTheManifestForgetsThem) {
  FakeS3 s3([](const Request&) { return Response{503, "", ""}; });  // nothing new gets shipped
  Rig rig(s3.url());
  const std::string old_file = "dt=2026-01-14/logs_20260114_000000_000001.parquet";
  rig.Write(old_file, 100);
  rig.Write(kFile, 100);
  std::filesystem::create_directories(rig.dir.Sub(".ship"));
  std::ofstream(rig.dir.Sub(".ship/manifest"))
      << "logdaemon-ship-manifest 1 " << s3.url() << "/bucket/p/host=h\nshipped " << old_file << " 100 abc "
      << rig.now - 90'000 << "\n";
  auto uploader = rig.Open();
  ASSERT_TRUE(uploader.ok()) << uploader.status().ToString();
  EXPECT_FALSE((*uploader)->RunOnce().ok());  // the unshipped file meets 503s
  EXPECT_FALSE(std::filesystem::exists(rig.dir.Sub(old_file)));
  EXPECT_TRUE(std::filesystem::exists(rig.dir.Sub(kFile)));
  EXPECT_EQ((*uploader)->counters().files_deleted_locally.load(), 1u);
  EXPECT_EQ(rig.Manifest().find(old_file), std::string::npos);
  EXPECT_FALSE(rig.holds->IsHeld(old_file));
  EXPECT_EQ((*uploader)->counters().backlog_files.load(), 1u);
  EXPECT_EQ((*uploader)->counters().backlog_bytes.load(), 100u);
}

TEST(UploaderTest, APartOfAMergedFileIsDeletedLocallyOnlyWithAllItsSiblings) {
  FakeS3 s3([](const Request&) { return Response{503, "", ""}; });
  Rig rig(s3.url());
  const std::string part = "dt=2026-01-15/logs_20260115_000000_000001-000009_";
  for (int k = 1; k <= 3; ++k) rig.Write(part + std::to_string(k) + "of3.parquet", 100);
  std::filesystem::create_directories(rig.dir.Sub(".ship"));
  std::ofstream(rig.dir.Sub(".ship/manifest"))
      << "logdaemon-ship-manifest 1 " << s3.url() << "/bucket/p/host=h\n"
      << "shipped " << part << "1of3.parquet 100 abc " << rig.now - 90'000 << "\n"
      << "shipped " << part << "2of3.parquet 100 abc " << rig.now - 90'000 << "\n";
  auto uploader = rig.Open();
  ASSERT_TRUE(uploader.ok()) << uploader.status().ToString();
  EXPECT_FALSE((*uploader)->RunOnce().ok());  // part 3 meets 503s
  for (int k = 1; k <= 3; ++k) {
    EXPECT_TRUE(std::filesystem::exists(rig.dir.Sub(part + std::to_string(k) + "of3.parquet"))) << k;
  }
  EXPECT_EQ((*uploader)->counters().files_deleted_locally.load(), 0u);
}

TEST(UploaderTest, AFileNotFinalYetWaits) {
  FakeS3 s3([](const Request& r) { return Response{200, "", Hex(Md5(r.body))}; });
  Rig rig(s3.url());
  rig.options.ship_after = std::chrono::seconds(600);
  rig.Write(kFile, 100);
  rig.now = static_cast<int64_t>(::time(nullptr));
  auto uploader = rig.Open();
  ASSERT_TRUE(uploader.ok());
  ASSERT_TRUE((*uploader)->RunOnce().ok());
  EXPECT_EQ(s3.requests().size(), 0u);
  EXPECT_FALSE(rig.holds->IsHeld(kFile));  // compaction may still merge it
  EXPECT_EQ((*uploader)->counters().backlog_files.load(), 1u);
}

}  // namespace
}  // namespace uploader_test
}  // namespace logdaemon::ship
