// What the uploader reads from a server's answers (ship/s3_response.h) and where its requests go
// (S3Endpoint in ship/s3_client.h): hostile answers are bounded, made printable and never trusted.
#include "ship/s3_response.h"

#include <gtest/gtest.h>

#include "ship/s3_client.h"

namespace logdaemon::ship {
namespace s3_response_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

TEST(S3ResponseTest, ErrorAnswersShowCodeAndMessage) {
  EXPECT_EQ(
      DescribeErrorAnswer(403,
                          "<?xml version=\"1.0\"?><Error><Code>InvalidAccessKeyId</Code><Message>The AWS "
                          "Access Key Id you provided does not exist in our records.</Message></Error>"),
      "403 InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records.");
  EXPECT_EQ(DescribeErrorAnswer(404, "<Error><Code>NoSuchBucket</Code></Error>"), "404 NoSuchBucket");
  EXPECT_EQ(DescribeErrorAnswer(503, ""), "503 (no body)");
  EXPECT_EQ(DescribeErrorAnswer(502, "<html>Bad gateway</html>"), "502 <html>Bad gateway</html>");
}

TEST(S3ResponseTest, HostileAnswersAreCutAndMadePrintable) {
  std::string message =
      "<Error><Code>X\x1b[31m</Code><Message>" + std::string(5000, 'm') + "</Message></Error>";
  std::string shown = DescribeErrorAnswer(400, message);
  EXPECT_LT(shown.size(), 400u);
  EXPECT_EQ(shown.find('\x1b'), std::string::npos);
  std::string binary(300, '\0');
  shown = DescribeErrorAnswer(500, binary);
  EXPECT_EQ(shown.find('\0'), std::string::npos);
  EXPECT_LT(shown.size(), 200u);
}

TEST(S3ResponseTest, TagsAreReadFromTheirFirstOccurrenceWithEntitiesDecoded) {
  EXPECT_EQ(XmlTagText("<a><UploadId>x&amp;y&lt;z&quot;</UploadId><UploadId>2</UploadId></a>", "UploadId"),
            "x&y<z\"");
  EXPECT_EQ(XmlTagText("<UploadId>unterminated", "UploadId"), std::nullopt);
  EXPECT_EQ(XmlTagText("no tags", "UploadId"), std::nullopt);
  EXPECT_EQ(XmlTagText("<ETag>&quot;abc&quot;</ETag>", "ETag"), "\"abc\"");
  EXPECT_EQ(XmlTagText("&unknown;<T>&bogus;</T>", "T"), "&bogus;");
  // Beyond the bounded answer, nothing is found.
  EXPECT_EQ(XmlTagText(std::string(kMaxAnswerBytes, ' ') + "<T>x</T>", "T"), std::nullopt);
}

TEST(S3ResponseTest, EtagsLoseTheirQuotes) {
  EXPECT_EQ(UnquoteEtag(" \"9b2cf535f27731c974343645a3985328\"\r\n"), "9b2cf535f27731c974343645a3985328");
  EXPECT_EQ(UnquoteEtag("abc-3"), "abc-3");
}

TEST(S3EndpointTest, PathStyleAndVirtualHostUrls) {
  Result<S3Endpoint> path = ParseEndpoint("http://127.0.0.1:9000/", "logs", "us-east-1", Addressing::kAuto);
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  EXPECT_FALSE(path->virtual_host);
  EXPECT_EQ(path->ObjectUrl("p/dt=2026-01-15/host=h/f.parquet"),
            "http://127.0.0.1:9000/logs/p/dt%3D2026-01-15/host%3Dh/f.parquet");
  Result<S3Endpoint> aws =
      ParseEndpoint("https://s3.eu-west-1.amazonaws.com", "logs", "eu-west-1", Addressing::kAuto);
  ASSERT_TRUE(aws.ok());
  EXPECT_TRUE(aws->virtual_host);
  EXPECT_EQ(aws->ObjectUrl("k"), "https://logs.s3.eu-west-1.amazonaws.com/k");
  Result<S3Endpoint> dotted =
      ParseEndpoint("https://s3.amazonaws.com", "my.logs", "us-east-1", Addressing::kAuto);
  ASSERT_TRUE(dotted.ok());
  EXPECT_FALSE(dotted->virtual_host);  // a dotted bucket does not match the wildcard certificate
  Result<S3Endpoint> v6 = ParseEndpoint("http://[::1]:4568", "logs", "us-east-1", Addressing::kPath);
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->ObjectUrl("k"), "http://[::1]:4568/logs/k");
  EXPECT_FALSE(ParseEndpoint("http://[::1]:4568", "logs", "us-east-1", Addressing::kVirtual).ok());
}

TEST(S3EndpointTest, HostileEndpointsAreRefused) {
  for (const char* url :
       {"", "s3.amazonaws.com", "http://", "http://h/x", "http://h?x", "http://u@h",
        "http://h:", "http://h:65536", "http://h:1a", "http://[zz]:1", "http://h\r\nX: y"}) {
    EXPECT_FALSE(ParseEndpoint(url, "logs", "us-east-1", Addressing::kPath).ok()) << url;
  }
  EXPECT_FALSE(ParseEndpoint("http://h", "logs", "us east", Addressing::kPath).ok());
  EXPECT_FALSE(ParseEndpoint("http://h", "Logs", "us-east-1", Addressing::kPath).ok());
}

TEST(S3EndpointTest, QueryValuesArePercentEncoded) {
  EXPECT_EQ(UrlEncode("a+b/c=d~e"), "a%2Bb%2Fc%3Dd~e");
}

}  // namespace
}  // namespace s3_response_test
}  // namespace logdaemon::ship
