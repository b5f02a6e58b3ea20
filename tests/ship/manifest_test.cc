// The ship manifest (ship/manifest.h): what it records, that a save is atomic, and that a hostile or
// mistaken file is refused with its file, line and what is wrong.
#include "ship/manifest.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/temp_dir.h"

namespace logdaemon::ship {
namespace manifest_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

constexpr std::string_view kDest = "http://127.0.0.1:9000/logs/p/host=h";

std::string ErrorOf(std::string_view text) {
  auto parsed = Manifest::Parse(text, "m", kDest);
  return parsed.ok() ? std::string("(accepted)") : parsed.status().message();
}

std::string Header() {
  return "logdaemon-ship-manifest 1 " + std::string(kDest) + "\n";
}

TEST(ManifestTest, SaveThenLoadGivesTheSameEntries) {
  testing_support::TempDir dir("logdaemon_manifest");
  std::unique_ptr<storage::FileSystem> fs = storage::NewPosixFileSystem(0640);
  {
    Result<Manifest> m = Manifest::Load(fs.get(), dir.path(), std::string(kDest));
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    EXPECT_TRUE(m->entries().empty());
    m->entries()["dt=2026-01-15/logs_20260115_000000_000001.parquet"] = {ManifestEntry::State::kClaimed, 10,
                                                                         "", "", 0};
    m->entries()["dt=2026-01-15/logs_20260115_000000_000002.parquet"] = {ManifestEntry::State::kUploading, 20,
                                                                         "id-1/x+y", "", 0};
    m->entries()["logs_20260115_000000_000003.parquet"] = {ManifestEntry::State::kShipped, 30, "",
                                                           "9b2cf535f27731c974343645a3985328-2", 1767225600};
    ASSERT_TRUE(m->Save().ok());
    EXPECT_FALSE(std::filesystem::exists(m->path() + ".tmp"));
  }
  Result<Manifest> again = Manifest::Load(fs.get(), dir.path(), std::string(kDest));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  ASSERT_EQ(again->entries().size(), 3u);
  const ManifestEntry& up = again->entries().at("dt=2026-01-15/logs_20260115_000000_000002.parquet");
  EXPECT_EQ(up.state, ManifestEntry::State::kUploading);
  EXPECT_EQ(up.upload_id, "id-1/x+y");
  const ManifestEntry& shipped = again->entries().at("logs_20260115_000000_000003.parquet");
  EXPECT_EQ(shipped.state, ManifestEntry::State::kShipped);
  EXPECT_EQ(shipped.etag, "9b2cf535f27731c974343645a3985328-2");
  EXPECT_EQ(shipped.shipped_unix, 1767225600);
  EXPECT_EQ(shipped.size, 30u);
}

TEST(ManifestTest, ALeftoverTemporaryFileFromACrashIsIgnored) {
  testing_support::TempDir dir("logdaemon_manifest");
  std::unique_ptr<storage::FileSystem> fs = storage::NewPosixFileSystem(0640);
  std::filesystem::create_directories(dir.Sub(".ship"));
  std::ofstream(dir.Sub(".ship/manifest")) << Header() << "claimed a.parquet 5\n";
  std::ofstream(dir.Sub(".ship/manifest.tmp")) << "half a manif";  // kill -9 mid-save
  Result<Manifest> m = Manifest::Load(fs.get(), dir.path(), std::string(kDest));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->entries().size(), 1u);
}

TEST(ManifestTest, AManifestOfAnotherDestinationIsRefused) {
  std::string text = "logdaemon-ship-manifest 1 http://other/logs/host=h\n";
  EXPECT_EQ(ErrorOf(text), "m:1: records shipping to http://other/logs/host=h, not to " + std::string(kDest) +
                               "; move the manifest away to ship every local file to the new destination");
}

TEST(ManifestTest, HostileManifestsSayLineAndWhat) {
  const std::string h = Header();
  EXPECT_EQ(ErrorOf("PK\x03\x04 zip\n"), "m:1: not a logdaemon ship manifest (bad first line)");
  EXPECT_EQ(ErrorOf(h + "claimed a.parquet"), "m:0: does not end with a newline (cut short)");
  EXPECT_EQ(ErrorOf(h + "deleted a.parquet 5\n"),
            "m:2: expected a line starting with claimed, upload or shipped");
  EXPECT_EQ(ErrorOf(h + "claimed a.parquet\n"),
            "m:2: a 'claimed' line has 3 fields separated by one space, this one 2");
  EXPECT_EQ(ErrorOf(h + "claimed  a.parquet 5\n"),
            "m:2: a 'claimed' line has 3 fields separated by one space, this one 4");
  EXPECT_EQ(ErrorOf(h + "claimed ../../etc/passwd.parquet 5\n"), "m:2: not a data file path");
  EXPECT_EQ(ErrorOf(h + "claimed /abs.parquet 5\n"), "m:2: not a data file path");
  EXPECT_EQ(ErrorOf(h + "claimed a.txt 5\n"), "m:2: not a data file path");
  EXPECT_EQ(ErrorOf(h + "claimed a.parquet -5\n"), "m:2: the size is not a whole number");
  EXPECT_EQ(ErrorOf(h + "claimed a.parquet 99999999999999999999999\n"),
            "m:2: the size is not a whole number");
  EXPECT_EQ(ErrorOf(h + "upload a.parquet 5 \x01id\n"), "m:2: not an upload id");
  EXPECT_EQ(ErrorOf(h + "shipped a.parquet 5 \"quoted\" 1\n"), "m:2: not an ETag");
  EXPECT_EQ(ErrorOf(h + "shipped a.parquet 5 abc -1\n"),
            "m:2: the shipping time is not a whole number of seconds");
  EXPECT_EQ(ErrorOf(h + "claimed a.parquet 5\nclaimed a.parquet 6\n"), "m:3: a file listed twice");
  EXPECT_EQ(ErrorOf(h + "claimed a.parquet 5\n\n"),
            "m:3: expected a line starting with claimed, upload or shipped");
  EXPECT_EQ(ErrorOf(std::string(kMaxManifestBytes + 1, 'x')),
            "m: larger than 64 MiB; not a manifest the uploader wrote");
  EXPECT_EQ(ErrorOf(""), "(accepted)");
}

TEST(ManifestTest, UploadIdsAndEtagsAsServersSendThem) {
  EXPECT_TRUE(IsValidUploadId("2~iCw_lDY8VoNCtsBrjfNS3Ge4eMvxkHkN9WFOXQdSf-9oRCjAB_Gm0A"));
  EXPECT_FALSE(IsValidUploadId(""));
  EXPECT_FALSE(IsValidUploadId("a b"));
  EXPECT_FALSE(IsValidUploadId(std::string(1025, 'a')));
  EXPECT_TRUE(IsValidEtag("9b2cf535f27731c974343645a3985328"));
  EXPECT_TRUE(IsValidEtag("9b2cf535f27731c974343645a3985328-12"));
  EXPECT_FALSE(IsValidEtag("\"x\""));
  EXPECT_FALSE(IsValidEtag(std::string(65, 'a')));
}

}  // namespace
}  // namespace manifest_test
}  // namespace logdaemon::ship
