// BodyReader and BodyBudget: a request body collected as it arrives, identity or gzip, inside its bounds —
// the size after decompression, the decompression ratio (gzip bombs), the bytes every body holds at once —
// and followed by simdjson's padding once finished.
#include "http/body_reader.h"

#include <simdjson.h>
#include <zlib.h>

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace logdaemon::http {
namespace body_reader_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using State = BodyReader::State;

constexpr size_t kMiB = 1 << 20;

// `data` as one gzip stream (a gzip header and trailer, as curl --compressed and the shippers send).
std::string Gzip(std::string_view data, int level = Z_DEFAULT_COMPRESSION) {
  z_stream stream{};
  EXPECT_EQ(deflateInit2(&stream, level, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

// Some NDJSON-like text that compresses like logs do (a few times, not a thousand).
std::string SomeLogs(size_t bytes) {
  std::string text;
  for (int i = 0; text.size() < bytes; ++i) {
    text += R"({"timestamp":"2026-01-15T10:00:00Z","level":"info","message":"request )" + std::to_string(i) +
            R"( served","user_id":)" + std::to_string(i * 7919 % 100003) + "}\n";
  }
  text.resize(bytes);
  return text;
}

// Feeds `bytes` in pieces of `piece` bytes; false as soon as the reader refuses.
bool FeedInPieces(BodyReader& reader, std::string_view bytes, size_t piece) {
  for (size_t at = 0; at < bytes.size(); at += piece) {
    if (!reader.Feed(bytes.substr(at, piece))) return false;
  }
  return true;
}

// The body after Finish() is followed by at least SIMDJSON_PADDING bytes of padding (spaces) in its buffer.
void ExpectPadded(BodyReader& reader) {
  const size_t size = reader.body().size();
  ASSERT_GE(reader.buffer().size(), size + simdjson::SIMDJSON_PADDING);
  EXPECT_EQ(reader.buffer().data(), reader.body().data());  // the body is the start of the buffer
  EXPECT_EQ(std::string_view(reader.buffer()).substr(size, simdjson::SIMDJSON_PADDING),
            std::string(simdjson::SIMDJSON_PADDING, ' '));
}

// ---- identity ------------------------------------------------------------------------------------------

TEST(BodyReader, IdentityBodyWholeOrByteByByteIsTheSameAndPadded) {
  const std::string logs = SomeLogs(100'000);
  for (size_t piece : {logs.size(), size_t{1}, size_t{7}, size_t{4096}}) {
    BodyReader reader("", kMiB, nullptr);
    ASSERT_TRUE(FeedInPieces(reader, logs, piece)) << piece;
    ASSERT_TRUE(reader.Finish()) << piece;
    EXPECT_EQ(reader.state(), State::kReading);
    EXPECT_EQ(reader.status_code(), 200);
    EXPECT_EQ(reader.error(), "");
    EXPECT_TRUE(reader.body() == logs) << "piece " << piece << ": " << reader.body().size() << " bytes";
    EXPECT_EQ(reader.compressed_bytes(), logs.size());
    ExpectPadded(reader);
  }
}

TEST(BodyReader, IdentityNamesAreCaseInsensitive) {
  for (std::string_view encoding : {"", "identity", "IDENTITY", "Identity"}) {
    BodyReader reader(encoding, kMiB, nullptr);
    EXPECT_EQ(reader.state(), State::kReading) << encoding;
    ASSERT_TRUE(reader.Feed("abc")) << encoding;
    ASSERT_TRUE(reader.Finish()) << encoding;
    EXPECT_EQ(reader.body(), "abc") << encoding;
  }
}

TEST(BodyReader, AnEmptyBodyIsEmptyAndPadded) {
  for (std::string_view encoding : {"", "gzip"}) {
    BodyReader reader(encoding, kMiB, nullptr);
    ASSERT_TRUE(reader.Finish()) << encoding;
    EXPECT_EQ(reader.body(), "") << encoding;
    ExpectPadded(reader);
  }
}

TEST(BodyReader, IdentityBodyOfExactlyTheLimitIsTakenAndOneByteMoreIs413) {
  constexpr size_t kLimit = 64 << 10;
  const std::string exact(kLimit, 'x');
  {
    BodyReader reader("", kLimit, nullptr);
    ASSERT_TRUE(FeedInPieces(reader, exact, 1000));
    ASSERT_TRUE(reader.Finish());
    EXPECT_EQ(reader.body().size(), kLimit);
    ExpectPadded(reader);
  }
  {
    BodyReader reader("", kLimit, nullptr);
    ASSERT_TRUE(FeedInPieces(reader, exact, 1000));
    EXPECT_FALSE(reader.Feed("y"));
    EXPECT_EQ(reader.state(), State::kTooLarge);
    EXPECT_EQ(reader.status_code(), 413);
    EXPECT_EQ(reader.error(), "request body too large (after decompression)");
    EXPECT_EQ(reader.body(), "");  // dropped at once
    EXPECT_FALSE(reader.Finish());
    EXPECT_EQ(reader.state(), State::kTooLarge);
  }
  {
    // All in one piece, over the limit from the start.
    BodyReader reader("", kLimit, nullptr);
    EXPECT_FALSE(reader.Feed(std::string(kLimit + 1, 'x')));
    EXPECT_EQ(reader.state(), State::kTooLarge);
  }
}

// ---- gzip ----------------------------------------------------------------------------------------------

TEST(BodyReader, GzipBodyWholeOrByteByByteInflatesToTheSameBytes) {
  const std::string logs = SomeLogs(300'000);
  const std::string gz = Gzip(logs);
  ASSERT_LT(gz.size(), logs.size() / 3);
  for (std::string_view encoding : {"gzip", "x-gzip", "GZIP", "X-Gzip"}) {
    for (size_t piece : {gz.size(), size_t{1}, size_t{13}, size_t{16384}}) {
      BodyReader reader(encoding, kMiB, nullptr);
      ASSERT_TRUE(FeedInPieces(reader, gz, piece))
          << encoding << " piece " << piece << ": " << reader.error();
      ASSERT_TRUE(reader.Finish()) << encoding << " piece " << piece << ": " << reader.error();
      EXPECT_TRUE(reader.body() == logs) << encoding << " piece " << piece;
      EXPECT_EQ(reader.compressed_bytes(), gz.size());
      ExpectPadded(reader);
    }
  }
}

TEST(BodyReader, GzipBodyOfExactlyTheLimitIsTakenAndOneByteMoreIs413) {
  constexpr size_t kLimit = 200'000;
  {
    BodyReader reader("gzip", kLimit, nullptr);
    ASSERT_TRUE(FeedInPieces(reader, Gzip(SomeLogs(kLimit)), 999)) << reader.error();
    ASSERT_TRUE(reader.Finish()) << reader.error();
    EXPECT_EQ(reader.body().size(), kLimit);
    ExpectPadded(reader);
  }
  {
    BodyReader reader("gzip", kLimit, nullptr);
    EXPECT_FALSE(FeedInPieces(reader, Gzip(SomeLogs(kLimit + 1)), 999));
    EXPECT_EQ(reader.state(), State::kTooLarge);
    EXPECT_EQ(reader.status_code(), 413);
    EXPECT_EQ(reader.body(), "");
  }
}

TEST(BodyReader, AGzipBombIsRefusedEarlyWithoutHoldingItsSize) {
  // 50 MiB of zeros compress to about 50 KiB (a ratio of about 1 000): refused long before the 20 MiB
  // bound is reached, by the ratio cap, after a small part of the compressed stream.
  const std::string bomb = Gzip(std::string(50 * kMiB, '\0'), 9);
  ASSERT_LT(bomb.size(), 100u << 10);
  BodyBudget budget(20 * kMiB + kMiB);
  BodyReader reader("gzip", 20 * kMiB, &budget);
  size_t fed = 0;
  constexpr size_t kPiece = 4096;
  while (fed < bomb.size() && reader.Feed(std::string_view(bomb).substr(fed, kPiece))) fed += kPiece;
  ASSERT_LT(fed, bomb.size()) << "the whole bomb was taken";
  EXPECT_TRUE(reader.state() == State::kBombLike || reader.state() == State::kTooLarge)
      << static_cast<int>(reader.state());
  EXPECT_EQ(reader.state(), State::kBombLike) << "the ratio cap is meant to stop it first";
  EXPECT_EQ(reader.status_code(), 413);
  EXPECT_EQ(reader.error(), "gzip body expands beyond the accepted decompression ratio");
  // Stopped within the first tenth of the stream: a few MiB inflated at most, not 20 or 50.
  EXPECT_LT(fed, bomb.size() / 10);
  EXPECT_EQ(reader.body(), "");
  EXPECT_EQ(budget.used(), 0u) << "a refused body gives its memory back at once";
  EXPECT_FALSE(reader.Finish());
}

TEST(BodyReader, ABombUnderTheRatioCheckThresholdMeetsTheSizeBound) {
  // A limit below kRatioCheckAfter: the size bound refuses it (413 too).
  const std::string bomb = Gzip(std::string(8 * kMiB, '\0'), 9);
  BodyReader reader("gzip", 512 << 10, nullptr);
  EXPECT_FALSE(reader.Feed(bomb));
  EXPECT_EQ(reader.state(), State::kTooLarge);
  EXPECT_EQ(reader.status_code(), 413);
}

TEST(BodyReader, WellCompressedLogsUnderTheRatioCapAreTaken) {
  // Highly repetitive logs (the same line over and over) compress about 100-300×; a few MiB of them
  // must pass when the ratio stays under kMaxRatio. Lines that differ keep the ratio well below.
  const std::string logs = SomeLogs(4 * kMiB);
  const std::string gz = Gzip(logs, 9);
  ASSERT_LT(logs.size() / gz.size(), BodyReader::kMaxRatio);
  BodyReader reader("gzip", 20 * kMiB, nullptr);
  ASSERT_TRUE(FeedInPieces(reader, gz, 32 << 10)) << reader.error();
  ASSERT_TRUE(reader.Finish()) << reader.error();
  EXPECT_TRUE(reader.body() == logs);
}

TEST(BodyReader, TruncatedGzipIsABadEncodingOnFinish) {
  const std::string gz = Gzip(SomeLogs(50'000));
  for (size_t keep : {size_t{1}, size_t{10}, gz.size() / 2, gz.size() - 8, gz.size() - 1}) {
    BodyReader reader("gzip", kMiB, nullptr);
    EXPECT_TRUE(reader.Feed(std::string_view(gz).substr(0, keep))) << keep << ": " << reader.error();
    EXPECT_FALSE(reader.Finish()) << keep;
    EXPECT_EQ(reader.state(), State::kBadEncoding) << keep;
    EXPECT_EQ(reader.status_code(), 400);
    EXPECT_EQ(reader.error(), "gzip body is corrupt or truncated");
    EXPECT_EQ(reader.body(), "");
  }
}

TEST(BodyReader, GarbageAfterTheGzipStreamIsABadEncoding) {
  const std::string gz = Gzip("{\"message\":\"x\"}\n");
  {
    // In the same piece as the stream's end.
    BodyReader reader("gzip", kMiB, nullptr);
    EXPECT_FALSE(reader.Feed(gz + "garbage"));
    EXPECT_EQ(reader.state(), State::kBadEncoding);
    EXPECT_EQ(reader.status_code(), 400);
  }
  {
    // In a later piece.
    BodyReader reader("gzip", kMiB, nullptr);
    ASSERT_TRUE(reader.Feed(gz));
    EXPECT_FALSE(reader.Feed("\n"));
    EXPECT_EQ(reader.state(), State::kBadEncoding);
    EXPECT_FALSE(reader.Finish());
  }
}

TEST(BodyReader, NotGzipAtAllIsABadEncoding) {
  for (std::string_view bytes : {std::string_view("{\"message\":\"plain\"}\n"),
                                 std::string_view("\x1f\x8b\x08\x00garbage garbage garbage", 27)}) {
    BodyReader reader("gzip", kMiB, nullptr);
    EXPECT_FALSE(reader.Feed(bytes)) << testing::PrintToString(bytes);
    EXPECT_EQ(reader.state(), State::kBadEncoding);
  }
  // A corrupt byte in the middle of the deflate data or the trailer's CRC.
  std::string gz = Gzip(SomeLogs(10'000));
  gz[gz.size() - 6] ^= 0x55;  // in the CRC-32
  BodyReader reader("gzip", kMiB, nullptr);
  const bool fed = reader.Feed(gz);
  EXPECT_FALSE(fed && reader.Finish());
  EXPECT_EQ(reader.state(), State::kBadEncoding);
}

// ---- encodings -----------------------------------------------------------------------------------------

TEST(BodyReader, OtherEncodingsAre415FromTheStart) {
  for (std::string_view encoding :
       {"br", "deflate", "compress", "zstd", "gzip, br", "gzip ", " gzip", "gz"}) {
    BodyReader reader(encoding, kMiB, nullptr);
    EXPECT_EQ(reader.state(), State::kUnsupported) << "'" << encoding << "'";
    EXPECT_EQ(reader.status_code(), 415);
    EXPECT_EQ(reader.error(), "unsupported Content-Encoding (gzip or identity)");
    EXPECT_FALSE(reader.Feed("abc"));
    EXPECT_FALSE(reader.Finish());
    EXPECT_EQ(reader.state(), State::kUnsupported);
  }
}

// ---- the budget ----------------------------------------------------------------------------------------

TEST(BodyBudget, ChargesUpToItsLimitAndNoFurther) {
  BodyBudget budget(100);
  EXPECT_TRUE(budget.TryCharge(60));
  EXPECT_FALSE(budget.TryCharge(41));
  EXPECT_TRUE(budget.TryCharge(40));
  EXPECT_EQ(budget.used(), 100u);
  EXPECT_FALSE(budget.TryCharge(1));
  budget.Release(100);
  EXPECT_EQ(budget.used(), 0u);
  EXPECT_EQ(budget.limit(), 100u);
}

TEST(BodyReader, ABodyIsChargedToTheBudgetAndReleasedOnDestruction) {
  BodyBudget budget(kMiB);
  {
    BodyReader reader("", kMiB / 2, &budget);
    ASSERT_TRUE(reader.Feed(std::string(10'000, 'x')));
    EXPECT_GE(budget.used(), 10'000u);
    ASSERT_TRUE(reader.Finish());
    EXPECT_GE(budget.used(), 10'000u + simdjson::SIMDJSON_PADDING);
    EXPECT_GE(budget.used(), reader.buffer().size()) << "every byte of the buffer is charged";
  }
  EXPECT_EQ(budget.used(), 0u);
}

TEST(BodyReader, ASpentBudgetIs503AndTheRefusedBodyGivesItsShareBack) {
  BodyBudget budget(64 << 10);
  auto first = std::make_unique<BodyReader>("", kMiB, &budget);
  ASSERT_TRUE(first->Feed(std::string(40 << 10, 'a')));
  const size_t held = budget.used();
  ASSERT_GE(held, 40u << 10);

  BodyReader second("", kMiB, &budget);
  ASSERT_TRUE(second.Feed(std::string(1000, 'b')));  // a small start fits beside the first
  EXPECT_FALSE(second.Feed(std::string(30 << 10, 'b')));
  EXPECT_EQ(second.state(), State::kNoMemory);
  EXPECT_EQ(second.status_code(), 503);
  EXPECT_EQ(second.error(), "too many request bytes in flight; try again later");
  EXPECT_EQ(second.body(), "");
  EXPECT_EQ(budget.used(), held) << "the refused body's charge is returned at once";
  EXPECT_FALSE(second.Finish());

  // Once the first is gone, the same body fits.
  first.reset();
  EXPECT_EQ(budget.used(), 0u);
  BodyReader third("", kMiB, &budget);
  ASSERT_TRUE(third.Feed(std::string(31 << 10, 'c')));
  ASSERT_TRUE(third.Finish());
}

TEST(BodyReader, GzipBodiesAreChargedToo) {
  BodyBudget budget(32 << 10);
  BodyReader reader("gzip", kMiB, &budget);
  EXPECT_FALSE(FeedInPieces(reader, Gzip(SomeLogs(200'000)), 4096));
  EXPECT_EQ(reader.state(), State::kNoMemory);
  EXPECT_EQ(budget.used(), 0u);
}

// The server's default budget is the body bound (HttpServerOptions::body_budget_bytes = 0): one body of
// the largest accepted size must fit in it, identity or gzip, and the next one too once it is gone.
TEST(BodyReader, ABodyOfTheLimitFitsTheDefaultBudget) {
  for (size_t limit : {size_t{1000}, size_t{64} << 10, kMiB, 20 * kMiB}) {
    BodyBudget budget(BodyReader::LargestCharge(limit));
    for (std::string_view encoding : {"", "gzip"}) {
      const std::string logs = SomeLogs(limit);
      const std::string bytes = encoding.empty() ? logs : Gzip(logs);
      BodyReader reader(encoding, limit, &budget);
      ASSERT_TRUE(FeedInPieces(reader, bytes, 16 << 10))
          << limit << " " << encoding << ": " << reader.error();
      ASSERT_TRUE(reader.Finish()) << limit << " " << encoding << ": " << reader.error();
      EXPECT_EQ(reader.body().size(), limit);
      EXPECT_LE(budget.used(), budget.limit());
    }
    EXPECT_EQ(budget.used(), 0u);
  }
}

}  // namespace
}  // namespace body_reader_test
}  // namespace logdaemon::http
