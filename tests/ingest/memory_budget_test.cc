// The ingest memory budget (src/ingest/memory_budget.h) and how the frame decoder charges it
// (src/ingest/frame_decoder.h): one test per rule of docs/server.md, "Memory under hostile clients".
#include "ingest/memory_budget.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "ingest/frame_decoder.h"

namespace logdaemon::ingest {
namespace memory_budget_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

constexpr size_t kKiB = 1024;
constexpr size_t kMiB = 1024 * 1024;
constexpr size_t kChunk = MemoryAccount::kChunk;

std::string Header(uint32_t length) {
  return {static_cast<char>(length >> 24), static_cast<char>(length >> 16), static_cast<char>(length >> 8),
          static_cast<char>(length)};
}

// Copies up to `bytes.size()` bytes into the decoder's writable space, as recv() would; returns how many
// (0 when the decoder gave no space).
size_t Read(FrameDecoder& decoder, std::string_view bytes) {
  std::span<uint8_t> space = decoder.WritableSpace(4096);
  const size_t n = std::min(space.size(), bytes.size());
  if (n > 0) std::memcpy(space.data(), bytes.data(), n);
  decoder.Commit(n);
  return n;
}

// Feeds all of `bytes` (which must fit the budget) and returns the frames decoded.
size_t FeedAll(FrameDecoder& decoder, std::string_view bytes) {
  size_t frames = 0;
  while (!bytes.empty()) {
    const size_t n = Read(decoder, bytes);
    EXPECT_GT(n, 0u) << "starved: " << decoder.starved();
    if (n == 0) break;
    bytes.remove_prefix(n);
    for (auto e = decoder.Next(); e.kind != FrameDecoder::Event::Kind::kNeedMore; e = decoder.Next()) {
      if (e.kind == FrameDecoder::Event::Kind::kFrame) ++frames;
    }
  }
  return frames;
}

TEST(MemoryBudget, AcquiresAllOrNothingWithinTheLimit) {
  MemoryBudget budget(100);
  EXPECT_TRUE(budget.TryAcquire(60));
  EXPECT_FALSE(budget.TryAcquire(41));
  EXPECT_EQ(budget.used(), 60u);
  EXPECT_TRUE(budget.TryAcquire(40));
  EXPECT_FALSE(budget.TryAcquire(1));
  budget.Release(100);
  EXPECT_EQ(budget.used(), 0u);
}

TEST(MemoryBudget, ForcedAcquireMayPassTheLimitAndBlocksOthersUntilReleased) {
  MemoryBudget budget(100);
  budget.Acquire(150);
  EXPECT_EQ(budget.used(), 150u);
  EXPECT_FALSE(budget.TryAcquire(1));
  budget.Release(150);
  EXPECT_TRUE(budget.TryAcquire(100));
}

TEST(MemoryBudget, ConcurrentAcquirersNeverPassTheLimit) {
  MemoryBudget budget(1000);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100000; ++i) {
        if (budget.TryAcquire(7)) {
          EXPECT_LE(budget.used(), 1000u);
          budget.Release(7);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(budget.used(), 0u);
}

TEST(MemoryAccount, TakesTheBudgetInChunksNotPerCharge) {
  MemoryBudget budget(10 * kMiB);
  MemoryAccount account(&budget);
  ASSERT_TRUE(account.TryCharge(100));
  EXPECT_EQ(budget.used(), kChunk);  // one chunk taken for what follows
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(account.TryCharge(100));
  EXPECT_EQ(budget.used(), kChunk);  // the small charges came out of the chunk in hand
  EXPECT_EQ(account.charged(), 10100u);
  account.Refund(10100);
  EXPECT_EQ(budget.used(), 0u);  // nothing charged: nothing kept in hand
}

TEST(MemoryAccount, KeepsAtMostTwoChunksSpare) {
  MemoryBudget budget(10 * kMiB);
  MemoryAccount account(&budget);
  ASSERT_TRUE(account.TryCharge(kMiB));
  ASSERT_TRUE(account.TryCharge(1));
  account.Refund(kMiB);
  EXPECT_EQ(account.charged(), 1u);
  EXPECT_LE(account.held(), 1 + MemoryAccount::kMaxSpare);
  EXPECT_EQ(budget.used(), account.held());
  account.Refund(1);
  EXPECT_EQ(budget.used(), 0u);
}

TEST(MemoryAccount, UsesTheBudgetsLastBytesWhenAChunkDoesNotFit) {
  MemoryBudget budget(kChunk + 100);
  MemoryAccount account(&budget);
  ASSERT_TRUE(account.TryCharge(kChunk + 100));  // two chunks do not fit; the exact amount does
  EXPECT_EQ(budget.used(), kChunk + 100);
  EXPECT_FALSE(account.TryCharge(1));
  EXPECT_EQ(account.charged(), kChunk + 100);  // a refused charge changes nothing
  account.Refund(kChunk + 100);
}

TEST(MemoryAccount, AccountsShareOneBudget) {
  MemoryBudget budget(4 * kChunk);
  MemoryAccount a(&budget), b(&budget);
  ASSERT_TRUE(a.TryCharge(3 * kChunk));
  EXPECT_FALSE(b.TryCharge(2 * kChunk));
  ASSERT_TRUE(b.TryCharge(kChunk));
  a.Refund(3 * kChunk);
  EXPECT_TRUE(b.TryCharge(2 * kChunk));
  b.Refund(3 * kChunk);
  EXPECT_EQ(budget.used(), 0u);
}

TEST(MemoryAccount, WithoutABudgetEveryChargeSucceeds) {
  MemoryAccount account(nullptr);
  EXPECT_TRUE(account.TryCharge(size_t{1} << 40));
  account.Refund(size_t{1} << 40);
  EXPECT_EQ(account.charged(), 0u);
}

// ---- the frame decoder's charges ---------------------------------------------------------------------

TEST(DecoderCharging, SmallFramesLiveInTheFreeAllowance) {
  MemoryBudget budget(kMiB);
  MemoryAccount account(&budget);
  FrameDecoder decoder(kMiB, &account);
  std::string frames;
  for (int i = 0; i < 20; ++i) frames += Header(100) + std::string(100, 'x');
  for (int i = 0; i < 10; ++i) EXPECT_EQ(FeedAll(decoder, frames), 20u);
  EXPECT_EQ(decoder.capacity(), FrameDecoder::kInitialCapacity);
  EXPECT_EQ(decoder.charged(), 0u);
  EXPECT_EQ(budget.used(), 0u);
}

TEST(DecoderCharging, ALargeFrameReservesItsWholeSizeAtItsHeader) {
  MemoryBudget budget(4 * kMiB);
  MemoryAccount account(&budget);
  FrameDecoder decoder(kMiB, &account);
  ASSERT_EQ(Read(decoder, Header(kMiB) + "{\"a\":"), 9u);
  EXPECT_EQ(decoder.Next().kind, FrameDecoder::Event::Kind::kNeedMore);
  ASSERT_FALSE(decoder.WritableSpace(4096).empty());
  const size_t whole = kMiB + FrameDecoder::kHeaderBytes + FrameDecoder::kPadding;
  EXPECT_EQ(decoder.capacity(), whole);
  EXPECT_EQ(decoder.charged(), whole - FrameDecoder::kInitialCapacity);
  EXPECT_EQ(account.charged(), decoder.charged());
  EXPECT_GE(budget.used(), decoder.charged());
}

TEST(DecoderCharging, WithoutRoomTheConnectionIsNotReadAndOthersAre) {
  MemoryBudget budget(kMiB + kMiB / 2);
  MemoryAccount account(&budget);
  FrameDecoder holder(kMiB, &account), waiter(kMiB, &account), small(kMiB, &account);
  ASSERT_EQ(Read(holder, Header(kMiB) + "h"), 5u);
  ASSERT_EQ(Read(waiter, Header(kMiB) + "w"), 5u);
  ASSERT_FALSE(holder.WritableSpace(4096).empty());  // the first reserves its frame
  EXPECT_TRUE(waiter.WritableSpace(4096).empty());   // the second finds no room
  EXPECT_TRUE(waiter.starved());
  EXPECT_EQ(waiter.charged(), 0u);
  // A client of small logs is not held up by the budget.
  EXPECT_EQ(FeedAll(small, Header(2) + "{}"), 1u);
  // The holder reads on to the end of its frame: a reservation never waits for more budget.
  EXPECT_EQ(FeedAll(holder, std::string(kMiB - 1, 'x')), 1u);
  EXPECT_TRUE(waiter.WritableSpace(4096).empty());  // not until the holder gives it back
  holder.Trim();
  EXPECT_EQ(holder.charged(), 0u);
  EXPECT_FALSE(waiter.WritableSpace(4096).empty());
  EXPECT_FALSE(waiter.starved());
  EXPECT_EQ(FeedAll(waiter, std::string(kMiB - 1, 'y')), 1u);
}

TEST(DecoderCharging, AFrameFillsItsReservationOnlyNeverMore) {
  MemoryBudget budget(4 * kMiB);
  MemoryAccount account(&budget);
  FrameDecoder decoder(kMiB, &account);
  const std::string big = Header(200 * kKiB) + std::string(200 * kKiB, 'b');
  const std::string stream = big + big;
  ASSERT_EQ(Read(decoder, stream), FrameDecoder::kInitialRead);
  size_t taken = FrameDecoder::kInitialRead;
  // Reads stop at the first frame's end: what follows waits for the buffer to shrink back.
  while (taken < big.size()) {
    const size_t n = Read(decoder, std::string_view(stream).substr(taken));
    ASSERT_GT(n, 0u);
    taken += n;
    EXPECT_LE(taken, big.size());
    EXPECT_LE(decoder.capacity(), big.size() + FrameDecoder::kPadding);
  }
  EXPECT_EQ(decoder.Next().kind, FrameDecoder::Event::Kind::kFrame);
}

TEST(DecoderCharging, ShrinksAndRefundsAfterTheFrame) {
  MemoryBudget budget(4 * kMiB);
  MemoryAccount account(&budget);
  FrameDecoder decoder(kMiB, &account);
  EXPECT_EQ(FeedAll(decoder, Header(kMiB) + std::string(kMiB, 'z')), 1u);
  decoder.Trim();
  EXPECT_LE(decoder.capacity(), FrameDecoder::kReadChunk + FrameDecoder::kPadding);
  // What is left is at most a busy connection's read buffer, charged beyond the allowance.
  EXPECT_EQ(decoder.charged(), decoder.capacity() - FrameDecoder::kInitialCapacity);
  decoder.ReleaseIfEmpty();
  EXPECT_EQ(decoder.charged(), 0u);
  EXPECT_EQ(budget.used(), 0u);
}

TEST(DecoderCharging, DestructionAndMoveRefund) {
  MemoryBudget budget(4 * kMiB);
  MemoryAccount account(&budget);
  {
    FrameDecoder decoder(kMiB, &account);
    ASSERT_EQ(Read(decoder, Header(kMiB) + "x"), 5u);
    ASSERT_FALSE(decoder.WritableSpace(1).empty());
    FrameDecoder moved(std::move(decoder));
    EXPECT_EQ(decoder.charged(), 0u);
    EXPECT_GT(moved.charged(), 0u);
    FrameDecoder other(kMiB, &account);
    ASSERT_EQ(Read(other, Header(kMiB) + "y"), 5u);
    ASSERT_FALSE(other.WritableSpace(1).empty());
    other = std::move(moved);  // other's own reservation is refunded, moved's is taken over
    EXPECT_EQ(account.charged(), other.charged());
  }
  EXPECT_EQ(account.charged(), 0u);
  EXPECT_EQ(budget.used(), 0u);
}

TEST(DecoderCharging, BusyConnectionsReadMoreWhenTheBudgetHasRoomOnly) {
  // A read that fills the buffer makes the decoder read kReadChunk at a time: charged, best effort.
  MemoryBudget roomy(kMiB);
  MemoryAccount roomy_account(&roomy);
  FrameDecoder busy(kMiB, &roomy_account);
  std::string frames;
  while (frames.size() < 4 * FrameDecoder::kReadChunk) frames += Header(50) + std::string(50, 'p');
  FeedAll(busy, frames);
  EXPECT_EQ(busy.capacity(), FrameDecoder::kReadChunk + FrameDecoder::kPadding);
  EXPECT_GT(busy.charged(), 0u);

  // With the budget full, the same client goes on at the initial size, not starved.
  MemoryBudget full(kChunk);
  MemoryAccount full_account(&full);
  ASSERT_TRUE(full_account.TryCharge(kChunk));
  FrameDecoder thrifty(kMiB, &full_account);
  FeedAll(thrifty, frames);
  EXPECT_EQ(thrifty.capacity(), FrameDecoder::kInitialCapacity);
  EXPECT_FALSE(thrifty.starved());
  full_account.Refund(kChunk);
}

TEST(DecoderCharging, QuietBusyConnectionsShrinkBack) {
  MemoryBudget budget(kMiB);
  MemoryAccount account(&budget);
  FrameDecoder decoder(kMiB, &account);
  std::string frames;
  while (frames.size() < 2 * FrameDecoder::kReadChunk) frames += Header(50) + std::string(50, 'p');
  FeedAll(decoder, frames);
  ASSERT_GT(decoder.charged(), 0u);
  const std::string one = Header(50) + std::string(50, 'q');
  for (int i = 0; i < FrameDecoder::kQuietReads + 1; ++i) EXPECT_EQ(FeedAll(decoder, one), 1u);
  decoder.WritableSpace(1);
  EXPECT_EQ(decoder.capacity(), FrameDecoder::kInitialCapacity);
  EXPECT_EQ(decoder.charged(), 0u);
}

// ---- what busy connections read at once ---------------------------------------------------------

TEST(MemoryAccount, BusyReadsHalveAsMoreConnectionsAreBusyAndGrowBackWithAMargin) {
  MemoryAccount account(nullptr);
  constexpr size_t kMax = MemoryAccount::kMaxBusyRead;
  constexpr size_t kPerLoop = MemoryAccount::kBusyReadBytes;
  EXPECT_EQ(account.busy_read(), kMax);
  // Up to kPerLoop / kMax busy connections read kMax each.
  const int at_max = static_cast<int>(kPerLoop / kMax);
  account.BusyReaders(at_max);
  EXPECT_EQ(account.busy_read(), kMax);
  account.BusyReaders(1);  // one more: together they would pass kPerLoop
  EXPECT_EQ(account.busy_read(), kMax / 2);
  account.BusyReaders(1000);
  EXPECT_EQ(account.busy_read(), MemoryAccount::kMinBusyRead);  // never below the floor
  EXPECT_EQ(account.busy_readers(), static_cast<size_t>(at_max + 1001));
  // Back at the boundary the size does not grow back yet: only once the next size up would use at
  // most half of kPerLoop.
  account.BusyReaders(-1001);
  EXPECT_EQ(account.busy_read(), kMax / 2);
  account.BusyReaders(-(at_max / 2));
  EXPECT_EQ(account.busy_readers(), static_cast<size_t>(at_max - at_max / 2));
  EXPECT_EQ(account.busy_read(), kMax);
  account.BusyReaders(-(at_max - at_max / 2));
  EXPECT_EQ(account.busy_readers(), 0u);
  EXPECT_EQ(account.busy_read(), kMax);
}

TEST(DecoderCharging, ManyBusyConnectionsOfALoopReadLessEachAndOneAloneReadsTheWholeChunk) {
  MemoryBudget budget(64 * kMiB);
  MemoryAccount account(&budget);
  std::string frames;
  while (frames.size() < 4 * FrameDecoder::kReadChunk) frames += Header(50) + std::string(50, 'p');
  std::vector<FrameDecoder> decoders;
  for (int i = 0; i < 100; ++i) decoders.emplace_back(kMiB, &account);
  for (FrameDecoder& decoder : decoders) FeedAll(decoder, frames);
  EXPECT_EQ(account.busy_readers(), 100u);
  EXPECT_EQ(account.busy_read(), MemoryAccount::kMinBusyRead);
  // Every decoder reads the loop's size once it reads again: 100 of them hold 1.6 MiB, not 6.4.
  size_t held = 0;
  for (FrameDecoder& decoder : decoders) {
    EXPECT_EQ(FeedAll(decoder, frames), frames.size() / 54);
    EXPECT_EQ(decoder.capacity(), MemoryAccount::kMinBusyRead + FrameDecoder::kPadding);
    held += decoder.capacity();
  }
  EXPECT_LE(held, 100 * (MemoryAccount::kMinBusyRead + FrameDecoder::kPadding));
  // All but one go away (moved ones are counted once): the one left reads the whole chunk again.
  FrameDecoder last = std::move(decoders.back());
  decoders.clear();
  EXPECT_EQ(account.busy_readers(), 1u);
  EXPECT_EQ(FeedAll(last, frames), frames.size() / 54);
  EXPECT_EQ(last.capacity(), FrameDecoder::kReadChunk + FrameDecoder::kPadding);
}

}  // namespace
}  // namespace memory_budget_test
}  // namespace logdaemon::ingest
