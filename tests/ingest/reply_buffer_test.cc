#include "ingest/reply_buffer.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <random>
#include <string>
#include <string_view>

namespace logdaemon::ingest {
namespace reply_buffer_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

// What may be sent now (committed replies only).
std::string SendableText(const ReplyBuffer& replies) {
  auto p = replies.Pending();
  return std::string(reinterpret_cast<const char*>(p.data()), p.size());
}

// Commits what was appended (as memory mode does for every reply), then what may be sent.
std::string PendingText(ReplyBuffer& replies) {
  replies.Commit();
  return SendableText(replies);
}

// The error line's reason, without "ERROR: " and "\n".
std::string OnlyReason(ReplyBuffer& replies) {
  std::string text = PendingText(replies);
  EXPECT_TRUE(text.starts_with("ERROR: ") && text.ends_with("\n")) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
  return text.substr(7, text.size() - 8);
}

TEST(ReplyBuffer, RepliesInOrder) {
  ReplyBuffer replies;
  EXPECT_TRUE(replies.empty());
  replies.AppendOk();
  replies.AppendError("invalid JSON: unclosed string, at byte 7");
  replies.AppendOk();
  replies.AppendError("empty frame");
  EXPECT_EQ(PendingText(replies),
            "OK\nERROR: invalid JSON: unclosed string, at byte 7\nOK\nERROR: empty frame\n");
  EXPECT_EQ(replies.pending_bytes(), PendingText(replies).size());
}

TEST(ReplyBuffer, PartialConsumesKeepEveryByteInOrder) {
  ReplyBuffer replies;
  for (int i = 0; i < 10; ++i) replies.AppendOk();
  std::string sent;
  while (!replies.empty()) {
    sent += PendingText(replies).substr(0, 1);
    replies.Consume(1);
  }
  std::string expected;
  for (int i = 0; i < 10; ++i) expected += "OK\n";
  EXPECT_EQ(sent, expected);
}

TEST(ReplyBuffer, InterleavedAppendsAndPartialSendsMatchAModel) {
  std::mt19937 rng(3);
  ReplyBuffer replies(4096);
  std::string model, sent, all;
  for (int i = 0; i < 20000; ++i) {
    if (rng() % 3 != 0) {
      if (rng() % 2 == 0) {
        replies.AppendOk();
        model += "OK\n";
      } else {
        // Built with append: GCC 12 warns falsely (-Wrestrict) on "lit" + std::string.
        std::string reason = "r";
        reason.append(std::to_string(i));
        replies.AppendError(reason);
        model.append("ERROR: ").append(reason).append("\n");
      }
    } else {
      const size_t n = std::uniform_int_distribution<size_t>(0, replies.pending_bytes())(rng);
      sent += PendingText(replies).substr(0, n);
      replies.Consume(n);
    }
    ASSERT_EQ(sent + PendingText(replies), model);
  }
}

TEST(ReplyBuffer, HighWaterMarkStopsReadingUntilDrained) {
  ReplyBuffer replies(10);
  EXPECT_EQ(replies.high_water(), 10u);
  replies.AppendOk();
  replies.AppendOk();
  replies.AppendOk();
  EXPECT_FALSE(replies.Full());  // 9 bytes
  replies.AppendOk();
  EXPECT_TRUE(replies.Full());  // 12 bytes
  replies.Commit();
  replies.Consume(3);
  EXPECT_FALSE(replies.Full());  // 9 bytes
  EXPECT_EQ(ReplyBuffer().high_water(), 64u * 1024);
}

TEST(ReplyBuffer, ReasonStaysOneLine) {
  ReplyBuffer replies;
  replies.AppendError("schema: /a\nOK\r\nERROR: fake\x01\x7f end");
  EXPECT_EQ(OnlyReason(replies), "schema: /a OK  ERROR: fake   end");
}

TEST(ReplyBuffer, LongReasonsCutOnUtf8Boundaries) {
  // 1-, 2-, 3- and 4-byte characters at every alignment against the cap.
  for (std::string_view ch : {"a", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"}) {
    for (size_t shift = 0; shift < 4; ++shift) {
      std::string reason(shift, 'x');
      while (reason.size() < 3000) reason += ch;
      ReplyBuffer replies;
      replies.AppendError(reason);
      const std::string got = OnlyReason(replies);
      EXPECT_LE(got.size(), ReplyBuffer::kMaxReasonBytes);
      EXPECT_GT(got.size(), ReplyBuffer::kMaxReasonBytes - 4);
      EXPECT_TRUE(simdjson::validate_utf8(got.data(), got.size())) << ch.size() << " " << shift;
      EXPECT_EQ(got, reason.substr(0, got.size()));
    }
  }
  // Exactly the cap: kept whole.
  ReplyBuffer replies;
  replies.AppendError(std::string(ReplyBuffer::kMaxReasonBytes, 'z'));
  EXPECT_EQ(OnlyReason(replies).size(), ReplyBuffer::kMaxReasonBytes);
  // Invalid UTF-8 (continuation bytes only) cannot make the cut back up further than one character.
  ReplyBuffer invalid;
  invalid.AppendError(std::string(3000, '\x80'));
  EXPECT_EQ(OnlyReason(invalid).size(), ReplyBuffer::kMaxReasonBytes - 3);
}

// Durable acknowledgements: replies wait for their group commit, in order.
TEST(ReplyBuffer, UncommittedRepliesAreNotSendable) {
  ReplyBuffer replies;
  replies.AppendOk();
  replies.Commit();
  replies.AppendOk();
  replies.AppendError("schema: /level: must be one of the enum values");
  EXPECT_TRUE(replies.has_uncommitted());
  EXPECT_EQ(SendableText(replies), "OK\n");
  EXPECT_FALSE(replies.empty());
  replies.Consume(3);
  EXPECT_EQ(SendableText(replies), "");
  EXPECT_FALSE(replies.empty());  // the waiting replies still count (Session::Done)
  replies.Commit();
  EXPECT_EQ(SendableText(replies), "OK\nERROR: schema: /level: must be one of the enum values\n");
}

TEST(UncommittedReplies, ASealedGroupReleasesItsRepliesOnlyUpToTheSeal) {
  UncommittedReplies list;
  ReplyBuffer a;
  ReplyBuffer b;
  a.AppendOk();
  list.Add(&a);
  b.AppendOk();
  list.Add(&b);
  list.SealForming();  // group 1 in flight: a's and b's first OK
  EXPECT_TRUE(list.forming_empty());
  a.AppendOk();  // group 2, forming
  list.Add(&a);
  list.CommitSealed();  // group 1 durable
  EXPECT_EQ(SendableText(a), "OK\n");
  EXPECT_EQ(SendableText(b), "OK\n");
  EXPECT_TRUE(a.has_uncommitted());
  std::vector<ReplyBuffer*> released = list.TakeReleased();
  EXPECT_EQ(released.size(), 2u);
  EXPECT_TRUE(list.TakeReleased().empty());
  list.SealForming();
  list.CommitSealed();
  a.Consume(3);
  EXPECT_EQ(SendableText(a), "OK\n");
  EXPECT_EQ(list.TakeReleased(), std::vector<ReplyBuffer*>{&a});
}

TEST(UncommittedReplies, TwoGroupsInFlightReleaseTheirRepliesInTurn) {
  UncommittedReplies list;
  ReplyBuffer a;
  ReplyBuffer b;
  a.AppendOk();
  list.Add(&a);
  list.SealForming();  // group 1: a's first OK
  a.AppendOk();
  list.Add(&a);
  b.AppendOk();
  list.Add(&b);
  list.SealForming();  // group 2: a's second OK, b's OK
  EXPECT_EQ(list.sealed_groups(), 2u);
  a.AppendError("invalid JSON: unexpected end at byte 3");  // behind both: waits
  list.Add(&a);
  list.CommitSealed();  // group 1 durable
  EXPECT_EQ(SendableText(a), "OK\n");
  EXPECT_EQ(SendableText(b), "");
  EXPECT_EQ(list.TakeReleased(), std::vector<ReplyBuffer*>{&a});
  a.Consume(3);
  a.GrowTo(256);        // drops the sent bytes: where group 2's replies end moves with the rest
  list.CommitSealed();  // group 2 durable
  EXPECT_EQ(SendableText(a), "OK\n");
  EXPECT_EQ(SendableText(b), "OK\n");
  EXPECT_EQ(list.sealed_groups(), 0u);
  list.CommitForming();  // nothing in flight any more: the error goes too
  EXPECT_EQ(SendableText(a), "OK\nERROR: invalid JSON: unexpected end at byte 3\n");
}

TEST(UncommittedReplies, AFailureRefusesEveryGroupInFlightAndTheFormingOne) {
  UncommittedReplies list;
  ReplyBuffer a;
  a.AppendOk();
  list.Add(&a);
  list.SealForming();
  a.AppendOk();
  list.Add(&a);
  list.SealForming();
  a.AppendOk();
  list.Add(&a);
  EXPECT_EQ(list.FailAll("storage unavailable: pwrite wal/00000-1.wal: Input/output error"), 3u);
  EXPECT_EQ(list.sealed_groups(), 0u);
  EXPECT_FALSE(a.has_uncommitted());
  EXPECT_EQ(list.FailAll("again"), 0u);  // the groups behind the failed one report it too: nothing left
  a.AppendOk();                          // a new group after the failure starts at the first stage again
  list.Add(&a);
  list.SealForming();
  list.CommitSealed();
  EXPECT_EQ(SendableText(a),
            "ERROR: storage unavailable: pwrite wal/00000-1.wal: Input/output error\n"
            "ERROR: storage unavailable: pwrite wal/00000-1.wal: Input/output error\n"
            "ERROR: storage unavailable: pwrite wal/00000-1.wal: Input/output error\n"
            "OK\n");
}

TEST(UncommittedReplies, RepliesThatOnlyWaitedForOrderAreReleasedWithoutACommit) {
  UncommittedReplies list;
  ReplyBuffer replies;
  replies.AppendError("schema: /level: must be a string");  // behind an OK in flight: waits
  list.Add(&replies);
  list.CommitForming();
  EXPECT_EQ(SendableText(replies), "ERROR: schema: /level: must be a string\n");
  EXPECT_EQ(list.TakeReleased().size(), 1u);
}

TEST(UncommittedReplies, FailAllTurnsEachWaitingOkIntoTheErrorAndKeepsOtherReplies) {
  UncommittedReplies list;
  ReplyBuffer replies;
  replies.AppendOk();
  replies.Commit();  // sent before the group: stays OK
  replies.AppendOk();
  list.Add(&replies);
  list.SealForming();  // in flight
  replies.AppendError("invalid JSON: unexpected end at byte 3");
  replies.AppendOk();
  list.Add(&replies);  // forming behind it: refused with it
  EXPECT_EQ(list.FailAll("storage unavailable: fdatasync wal/00000-1.wal: Input/output error"), 2u);
  EXPECT_EQ(SendableText(replies),
            "OK\n"
            "ERROR: storage unavailable: fdatasync wal/00000-1.wal: Input/output error\n"
            "ERROR: invalid JSON: unexpected end at byte 3\n"
            "ERROR: storage unavailable: fdatasync wal/00000-1.wal: Input/output error\n");
  EXPECT_FALSE(replies.has_uncommitted());
  EXPECT_EQ(list.TakeReleased().size(), 1u);
}

TEST(UncommittedReplies, ABufferDestroyedWhileListedLeavesTheList) {
  UncommittedReplies list;
  ReplyBuffer kept;
  kept.AppendOk();
  list.Add(&kept);
  {
    ReplyBuffer closed;  // its connection closed mid-turn
    closed.AppendOk();
    list.Add(&closed);
    list.SealForming();
  }
  list.CommitSealed();  // would touch freed memory under ASan if the buffer had stayed listed
  EXPECT_EQ(SendableText(kept), "OK\n");
  EXPECT_EQ(list.TakeReleased(), std::vector<ReplyBuffer*>{&kept});
}

TEST(UncommittedReplies, AListGoneFirstLeavesNoDanglingPointer) {
  ReplyBuffer replies;
  {
    UncommittedReplies list;
    replies.AppendOk();
    list.Add(&replies);
  }
  replies.Commit();  // and its destructor must not touch the list
  EXPECT_EQ(SendableText(replies), "OK\n");
}

}  // namespace
}  // namespace reply_buffer_test
}  // namespace logdaemon::ingest
