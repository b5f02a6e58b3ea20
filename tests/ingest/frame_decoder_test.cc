#include "ingest/frame_decoder.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/reply_buffer.h"

// The hot path's promise (DESIGN.md §3): no allocation per message in the steady state.
// Counted with tests/support/allocation_counter.h (this is the one file of the binary that includes it).
#include "support/allocation_counter.h"

namespace logdaemon::ingest {
namespace frame_decoder_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

using Kind = FrameDecoder::Event::Kind;
constexpr uint32_t kMiB = 1024 * 1024;
constexpr size_t kBase = FrameDecoder::kReadChunk + FrameDecoder::kPadding;

std::string Header(uint32_t length) {
  std::string h(4, '\0');
  h[0] = static_cast<char>(length >> 24);
  h[1] = static_cast<char>(length >> 16);
  h[2] = static_cast<char>(length >> 8);
  h[3] = static_cast<char>(length);
  return h;
}

std::string Frame(std::string_view payload) {
  std::string f = Header(static_cast<uint32_t>(payload.size()));
  f.append(payload);
  return f;
}

// What the tests compare: an event with its frame copied out of the decoder's buffer.
struct Seen {
  Kind kind;
  std::string frame;
  uint32_t length;
  bool operator==(const Seen&) const = default;
};

// The padding guarantee, checked on the decoder's own buffer: the frame lies inside it and at least
// SIMDJSON_PADDING allocated bytes follow its end.
void ExpectPadded(const FrameDecoder& decoder, std::string_view frame) {
  const auto* begin = reinterpret_cast<const uint8_t*>(frame.data());
  ASSERT_GE(begin, decoder.data());
  const size_t end_offset = static_cast<size_t>(begin - decoder.data()) + frame.size();
  ASSERT_LE(end_offset, decoder.capacity());
  EXPECT_GE(decoder.capacity() - end_offset, simdjson::SIMDJSON_PADDING);
}

// Drains the decoder after a Commit, as the event loop does.
void Drain(FrameDecoder& decoder, std::vector<Seen>& seen) {
  for (;;) {
    FrameDecoder::Event e = decoder.Next();
    if (e.kind == Kind::kNeedMore) return;
    if (e.kind == Kind::kFrame) ExpectPadded(decoder, e.frame);
    seen.push_back({e.kind, std::string(e.frame), e.kind == Kind::kTooLarge ? e.length : 0});
    if (e.kind == Kind::kTooLarge) return;
  }
}

// Feeds `bytes` in reads of at most `chunk` bytes, like recv() would, and returns every event.
std::vector<Seen> Feed(FrameDecoder& decoder, std::string_view bytes, size_t chunk) {
  std::vector<Seen> seen;
  while (!bytes.empty() && !decoder.refused()) {
    std::span<uint8_t> space = decoder.WritableSpace(std::min<size_t>(chunk, 4096));
    EXPECT_FALSE(space.empty());
    const size_t n = std::min({chunk, space.size(), bytes.size()});
    std::memcpy(space.data(), bytes.data(), n);
    decoder.Commit(n);
    bytes.remove_prefix(n);
    Drain(decoder, seen);
    EXPECT_LE(decoder.capacity(), decoder.max_buffer_bytes());
  }
  return seen;
}

Seen F(std::string_view payload) {
  return {Kind::kFrame, std::string(payload), 0};
}
Seen Empty() {
  return {Kind::kEmptyFrame, "", 0};
}
Seen TooLarge(uint32_t length) {
  return {Kind::kTooLarge, "", length};
}

TEST(FrameDecoder, NothingAllocatedBeforeFirstRead) {
  FrameDecoder decoder(kMiB);
  EXPECT_EQ(decoder.capacity(), 0u);
  EXPECT_EQ(decoder.Next().kind, Kind::kNeedMore);
  EXPECT_FALSE(decoder.has_partial_frame());
  EXPECT_EQ(decoder.buffered(), 0u);
}

TEST(FrameDecoder, OneByteAtATime) {
  const std::vector<std::string> payloads = {R"({"a":1})", "x", std::string(300, 'y'), R"({"b":[1,2]})"};
  std::string stream;
  std::vector<Seen> expected;
  for (const auto& p : payloads) {
    stream += Frame(p);
    expected.push_back(F(p));
  }
  stream += Header(0);
  expected.push_back(Empty());

  FrameDecoder decoder(kMiB);
  std::vector<Seen> seen;
  size_t frame_start = 0;
  for (size_t i = 0; i < stream.size(); ++i) {
    std::span<uint8_t> space = decoder.WritableSpace(1);
    ASSERT_FALSE(space.empty());
    space[0] = static_cast<uint8_t>(stream[i]);
    decoder.Commit(1);
    const size_t before = seen.size();
    Drain(decoder, seen);
    // Between frames nothing is partial; inside one, the timeout must see a partial frame.
    if (seen.size() > before) frame_start = i + 1;
    EXPECT_EQ(decoder.has_partial_frame(), i + 1 > frame_start) << "at byte " << i;
  }
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(decoder.buffered(), 0u);
}

TEST(FrameDecoder, SplitAtEveryByteBoundary) {
  const std::string stream =
      Frame(R"({"level":"info"})") + Header(0) + Frame("z") + Frame(std::string(70, 'q'));
  const std::vector<Seen> expected = {F(R"({"level":"info"})"), Empty(), F("z"), F(std::string(70, 'q'))};
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    FrameDecoder decoder(kMiB);
    std::vector<Seen> seen = Feed(decoder, std::string_view(stream).substr(0, cut), stream.size());
    std::vector<Seen> rest = Feed(decoder, std::string_view(stream).substr(cut), stream.size());
    seen.insert(seen.end(), rest.begin(), rest.end());
    EXPECT_EQ(seen, expected) << "split at " << cut;
  }
}

TEST(FrameDecoder, ManyPipelinedFramesInOneReadOnceBusy) {
  std::string stream;
  std::vector<Seen> expected;
  for (int i = 0; i < 1000; ++i) {
    std::string p = R"({"n":)" + std::to_string(i) + "}";
    stream += Frame(p);
    expected.push_back(F(p));
  }
  ASSERT_LE(stream.size(), FrameDecoder::kReadChunk);
  FrameDecoder decoder(kMiB);
  // A connection starts with the small initial buffer; a read that fills it marks a busy client.
  std::span<uint8_t> first = decoder.WritableSpace(4096);
  ASSERT_EQ(first.size(), FrameDecoder::kInitialRead);
  std::memcpy(first.data(), stream.data(), first.size());
  decoder.Commit(first.size());
  std::vector<Seen> seen;
  Drain(decoder, seen);
  const std::string_view rest = std::string_view(stream).substr(first.size());
  std::span<uint8_t> space = decoder.WritableSpace(4096);
  ASSERT_GE(space.size(), rest.size());  // then the rest of the burst fits one recv()
  std::memcpy(space.data(), rest.data(), rest.size());
  decoder.Commit(rest.size());
  Drain(decoder, seen);
  EXPECT_EQ(seen, expected);
}

TEST(FrameDecoder, FrameOfExactlyMaxBytes) {
  for (uint32_t max : {uint32_t{1}, uint32_t{1000}, kMiB}) {
    FrameDecoder decoder(max);
    const std::string payload(max, 'm');
    EXPECT_EQ(Feed(decoder, Frame(payload) + Frame("k"), 64 * 1024), (std::vector<Seen>{F(payload), F("k")}))
        << max;
    EXPECT_FALSE(decoder.refused());
  }
}

TEST(FrameDecoder, MaxPlusOneIsTooLargeAndRefusesInput) {
  FrameDecoder decoder(1000);
  const std::string stream = Frame("ok") + Header(1001) + std::string(1001, 'x') + Frame("after");
  EXPECT_EQ(Feed(decoder, stream, stream.size()), (std::vector<Seen>{F("ok"), TooLarge(1001)}));
  EXPECT_TRUE(decoder.refused());
  EXPECT_TRUE(decoder.WritableSpace(1).empty());
  decoder.Commit(0);
  EXPECT_EQ(decoder.buffered(), 0u);
  EXPECT_FALSE(decoder.has_partial_frame());
  // Sticky: asking again reports the same error, never a frame from the untrusted rest.
  FrameDecoder::Event again = decoder.Next();
  EXPECT_EQ(again.kind, Kind::kTooLarge);
  EXPECT_EQ(again.length, 1001u);
}

TEST(FrameDecoder, EmptyFrameAndTheConnectionGoesOn) {
  FrameDecoder decoder(kMiB);
  const std::string stream = Header(0) + Header(0) + Frame("{}");
  EXPECT_EQ(Feed(decoder, stream, 1), (std::vector<Seen>{Empty(), Empty(), F("{}")}));
}

TEST(FrameDecoder, FourGiBLengthRefusedWithoutAllocating) {
  FrameDecoder decoder(kMiB);
  EXPECT_EQ(Feed(decoder, Header(0xFFFFFFFF) + "garbage", 4096), (std::vector<Seen>{TooLarge(0xFFFFFFFF)}));
  EXPECT_LE(decoder.capacity(), kBase);
  EXPECT_EQ(decoder.buffered(), 0u);
}

TEST(FrameDecoder, HeaderAloneFillsOnlyTheInitialBuffer) {
  // A client announcing 1 MiB and sending a few bytes has filled no more than the initial buffer; the
  // next read reserves the whole frame (memory_budget_test.cc), allocated but untouched until bytes come.
  FrameDecoder decoder(kMiB);
  EXPECT_TRUE(Feed(decoder, Header(kMiB) + "{\"a\":", 4096).empty());
  EXPECT_TRUE(decoder.has_partial_frame());
  EXPECT_EQ(decoder.capacity(), FrameDecoder::kInitialCapacity);
}

TEST(FrameDecoder, PaddingAfterEveryFrameLetsSimdjsonParseInPlace) {
  std::mt19937 rng(7);
  std::string stream;
  size_t frames = 0;
  for (int i = 0; i < 300; ++i) {
    // Sizes around the buffer's edges too, so frames end right before the padding.
    const size_t n = std::uniform_int_distribution<size_t>(1, i % 50 == 0 ? 200000 : 3000)(rng);
    std::string p = R"({"s":")" + std::string(n, 'a') + R"("})";
    stream += Frame(p);
    ++frames;
  }
  FrameDecoder decoder(kMiB);
  simdjson::ondemand::parser parser;
  size_t parsed = 0;
  std::string_view rest = stream;
  while (!rest.empty()) {
    std::span<uint8_t> space = decoder.WritableSpace(512);
    const size_t n = std::min({space.size(), rest.size(), size_t{1} + rest.size() % 70000});
    std::memcpy(space.data(), rest.data(), n);
    decoder.Commit(n);
    rest.remove_prefix(n);
    for (auto e = decoder.Next(); e.kind == Kind::kFrame; e = decoder.Next()) {
      ExpectPadded(decoder, e.frame);
      const size_t capacity_after =
          decoder.capacity() -
          static_cast<size_t>(reinterpret_cast<const uint8_t*>(e.frame.data()) - decoder.data());
      simdjson::padded_string_view view(e.frame.data(), e.frame.size(), capacity_after);
      auto doc = parser.iterate(view);
      std::string_view s;
      ASSERT_EQ(doc["s"].get_string().get(s), simdjson::SUCCESS);
      EXPECT_EQ(s.size() + 8, e.frame.size());  // {"s":"…"}
      ++parsed;
    }
  }
  EXPECT_EQ(parsed, frames);
}

TEST(FrameDecoder, ShrinksBackAfterABigFrame) {
  FrameDecoder decoder(kMiB);
  const std::string big = Frame(std::string(900 * 1024, 'b'));
  EXPECT_EQ(Feed(decoder, big, 64 * 1024).size(), 1u);
  EXPECT_GT(decoder.capacity(), kBase);
  EXPECT_LE(decoder.capacity(), decoder.max_buffer_bytes());
  decoder.WritableSpace(4096);
  EXPECT_EQ(decoder.capacity(), kBase);

  // Also when a small partial frame follows the big one in the same read.
  const std::string stream = big + Frame("tail").substr(0, 5);
  EXPECT_EQ(Feed(decoder, stream, stream.size()).size(), 1u);
  EXPECT_TRUE(decoder.has_partial_frame());
  decoder.WritableSpace(4096);
  EXPECT_EQ(decoder.capacity(), kBase);
  EXPECT_EQ(Feed(decoder, Frame("tail").substr(5), 100), (std::vector<Seen>{F("tail")}));

  decoder.ReleaseIfEmpty();  // an idle connection holds no buffer at all
  EXPECT_EQ(decoder.capacity(), 0u);
  EXPECT_EQ(Feed(decoder, Frame("again"), 100), (std::vector<Seen>{F("again")}));
}

TEST(FrameDecoder, RandomBytesNeverCrashOrOutgrowTheBound) {
  std::mt19937_64 rng(12345);
  constexpr uint32_t kMax = 100000;
  FrameDecoder decoder(kMax);
  size_t frames = 0, refusals = 0;
  for (int i = 0; i < 100000; ++i) {
    if (decoder.refused()) {
      ++refusals;
      decoder = FrameDecoder(kMax);
    }
    std::span<uint8_t> space = decoder.WritableSpace(std::uniform_int_distribution<size_t>(0, 70000)(rng));
    ASSERT_FALSE(space.empty());
    const size_t n = std::min(space.size(), std::uniform_int_distribution<size_t>(0, 3000)(rng));
    for (size_t j = 0; j < n; ++j) space[j] = static_cast<uint8_t>(rng());
    // Often a plausible header, so that frames of every size get decoded, not only refusals.
    if (n >= 4 && rng() % 2 == 0) {
      const uint32_t len = static_cast<uint32_t>(rng() % (kMax + 2));
      space[0] = static_cast<uint8_t>(len >> 24);
      space[1] = static_cast<uint8_t>(len >> 16);
      space[2] = static_cast<uint8_t>(len >> 8);
      space[3] = static_cast<uint8_t>(len);
    }
    decoder.Commit(n);
    for (auto e = decoder.Next(); e.kind != Kind::kNeedMore; e = decoder.Next()) {
      if (e.kind == Kind::kTooLarge) {
        ASSERT_GT(e.length, kMax);
        break;
      }
      if (e.kind == Kind::kFrame) {
        ASSERT_LE(e.frame.size(), kMax);
        ExpectPadded(decoder, e.frame);
        ++frames;
      }
    }
    ASSERT_LE(decoder.capacity(), decoder.max_buffer_bytes());
    ASSERT_LE(decoder.buffered(), size_t{kMax} + 4);
  }
  EXPECT_GT(frames, 100u);
  EXPECT_GT(refusals, 100u);
}

// The count the next test relies on moves when something is allocated (in both builds: the replaced
// operator new, or the sanitizer's hook).
TEST(AllocationCounter, CountsAnAllocation) {
  const long before = g_allocations.load();
  auto* volatile p = new std::string(100, 'x');  // volatile: the allocation may not be elided
  const long after = g_allocations.load();
  delete p;
  EXPECT_GE(after - before, 1);
}

TEST(FrameDecoder, SteadyStateAllocatesNothingPerFrameOrReply) {
  // The loop's hot path: recv() bursts of pipelined frames (cut anywhere, so partial frames are
  // compacted), one reply each, one send() per burst that takes only part of the replies.
  std::string stream;
  for (int i = 0; i < 200; ++i) {
    stream += i % 17 == 0 ? Header(0)
                          : Frame(R"({"timestamp":"2026-01-15T19:00:00Z","n":)" + std::to_string(i) + "}");
  }
  FrameDecoder decoder(kMiB);
  ReplyBuffer replies;
  size_t frames = 0;
  auto burst = [&](size_t cut) {
    std::string_view rest = stream;
    while (!rest.empty()) {
      std::span<uint8_t> space = decoder.WritableSpace(4096);
      const size_t n = std::min({space.size(), rest.size(), cut});
      std::memcpy(space.data(), rest.data(), n);
      decoder.Commit(n);
      rest.remove_prefix(n);
      for (auto e = decoder.Next(); e.kind != Kind::kNeedMore; e = decoder.Next()) {
        if (e.kind == Kind::kFrame) {
          replies.AppendOk();
          ++frames;
        } else {
          replies.AppendError("empty frame");
        }
      }
      replies.Commit();  // the turn's group commit (memory mode: every reply at once)
      replies.Consume(replies.pending_bytes() / 2 + (replies.Full() ? replies.pending_bytes() / 2 : 0));
    }
  };
  const long cold = g_allocations.load();
  for (size_t cut : {997, 5000, 65536}) burst(cut);  // warm-up: buffers reach their size
  EXPECT_GT(g_allocations.load() - cold, 0);         // the counter works: cold buffers are allocated
  frames = 0;
  const long before = g_allocations.load();
  for (int round = 0; round < 100; ++round) burst(round % 2 == 0 ? 997 : 5000 + round);
  EXPECT_EQ(g_allocations.load() - before, 0);
  EXPECT_GT(frames, 10000u);
}

}  // namespace
}  // namespace frame_decoder_test
}  // namespace logdaemon::ingest
