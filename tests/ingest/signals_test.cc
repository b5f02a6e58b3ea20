// ingest::SignalThread: signals sent to the process reach the handler on the signal thread, by number;
// stopping is clean with or without signals; unblocked signals are refused; signals after the thread is
// gone stay pending.
#include "ingest/signals.h"

#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace logdaemon::ingest {
namespace signals_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

// The test signals are blocked while the process starts, before gtest or any test creates a thread, so
// every thread of this binary inherits the mask: a SIGUSR1 sent to the process can never reach a thread
// where its default action (terminate) would apply.
const bool kSignalsBlocked = [] { return BlockSignals({SIGUSR1, SIGUSR2}).ok(); }();

// Waits for the expected signals without assuming anything about timing: the generous deadline only turns
// a broken signal path into a failure instead of a hang.
class Recorder {
 public:
  void Record(int signal) {
    std::lock_guard<std::mutex> lock(mutex_);
    signals_.push_back(signal);
    threads_.push_back(std::this_thread::get_id());
    changed_.notify_all();
  }

  bool WaitFor(size_t count) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(60), [&] { return signals_.size() >= count; });
  }

  std::vector<int> signals() {
    std::lock_guard<std::mutex> lock(mutex_);
    return signals_;
  }
  std::vector<std::thread::id> threads() {
    std::lock_guard<std::mutex> lock(mutex_);
    return threads_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<int> signals_;
  std::vector<std::thread::id> threads_;
};

// Takes a pending SIGUSR1/SIGUSR2 off the process, if there is one, so that one test leaves nothing behind.
int TakePending(int signal) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, signal);
  timespec zero{0, 0};
  return sigtimedwait(&set, nullptr, &zero);
}

TEST(SignalThreadTest, SignalsAreBlockedAtStart) {
  ASSERT_TRUE(kSignalsBlocked);
}

TEST(SignalThreadTest, SignalSentToTheProcessReachesTheHandlerOnTheSignalThread) {
  Recorder recorder;
  auto thread = SignalThread::Start({SIGUSR1}, [&](int signal) { recorder.Record(signal); });
  ASSERT_TRUE(thread.ok()) << thread.status().ToString();
  ASSERT_EQ(kill(getpid(), SIGUSR1), 0);
  ASSERT_TRUE(recorder.WaitFor(1));
  EXPECT_EQ(recorder.signals(), std::vector<int>{SIGUSR1});
  EXPECT_NE(recorder.threads().front(), std::this_thread::get_id());
}

TEST(SignalThreadTest, EachSignalIsReportedByItsNumber) {
  Recorder recorder;
  auto thread = SignalThread::Start({SIGUSR1, SIGUSR2}, [&](int signal) { recorder.Record(signal); });
  ASSERT_TRUE(thread.ok()) << thread.status().ToString();
  ASSERT_EQ(kill(getpid(), SIGUSR2), 0);
  ASSERT_TRUE(recorder.WaitFor(1));
  ASSERT_EQ(kill(getpid(), SIGUSR1), 0);
  ASSERT_TRUE(recorder.WaitFor(2));
  EXPECT_EQ(recorder.signals(), (std::vector<int>{SIGUSR2, SIGUSR1}));
}

TEST(SignalThreadTest, TheSameSignalAgainIsHandledAgain) {
  Recorder recorder;
  auto thread = SignalThread::Start({SIGUSR1}, [&](int signal) { recorder.Record(signal); });
  ASSERT_TRUE(thread.ok()) << thread.status().ToString();
  for (size_t i = 1; i <= 5; ++i) {
    ASSERT_EQ(kill(getpid(), SIGUSR1), 0);
    ASSERT_TRUE(recorder.WaitFor(i)) << "signal " << i;
  }
  EXPECT_EQ(recorder.signals().size(), 5u);
}

TEST(SignalThreadTest, StopsCleanlyWithoutAnySignal) {
  for (int i = 0; i < 20; ++i) {
    auto thread = SignalThread::Start({SIGUSR1, SIGUSR2}, [](int) { FAIL() << "no signal was sent"; });
    ASSERT_TRUE(thread.ok()) << thread.status().ToString();
  }  // each destructor stops and joins its thread
}

TEST(SignalThreadTest, SignalAfterStopStaysPendingInsteadOfKillingTheProcess) {
  Recorder recorder;
  {
    auto thread = SignalThread::Start({SIGUSR2}, [&](int signal) { recorder.Record(signal); });
    ASSERT_TRUE(thread.ok()) << thread.status().ToString();
  }
  ASSERT_EQ(kill(getpid(), SIGUSR2), 0);
  EXPECT_EQ(TakePending(SIGUSR2), SIGUSR2);
  EXPECT_TRUE(recorder.signals().empty());
}

TEST(SignalThreadTest, HandlerMayTakeItsTimeAndStopWaitsForIt) {
  std::mutex mutex;
  std::condition_variable cv;
  bool entered = false;
  bool finished = false;
  auto thread = SignalThread::Start({SIGUSR1}, [&](int) {
    std::unique_lock<std::mutex> lock(mutex);
    entered = true;
    cv.notify_all();
    lock.unlock();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    lock.lock();
    finished = true;
  });
  ASSERT_TRUE(thread.ok()) << thread.status().ToString();
  ASSERT_EQ(kill(getpid(), SIGUSR1), 0);
  {
    std::unique_lock<std::mutex> lock(mutex);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] { return entered; }));
  }
  thread->reset();  // joins after the handler call in progress
  std::lock_guard<std::mutex> lock(mutex);
  EXPECT_TRUE(finished);
}

TEST(SignalThreadTest, RefusesASignalThatIsNotBlocked) {
  // SIGWINCH is not blocked in this process; its default action is to do nothing, so nothing is sent.
  auto thread = SignalThread::Start({SIGUSR1, SIGWINCH}, [](int) {});
  ASSERT_FALSE(thread.ok());
  EXPECT_EQ(thread.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(thread.status().message().find("SIGWINCH"), std::string::npos) << thread.status().message();
}

TEST(SignalThreadTest, RefusesWhatIsNotASignal) {
  auto thread = SignalThread::Start({12345}, [](int) {});
  ASSERT_FALSE(thread.ok());
  EXPECT_EQ(thread.status().code(), Status::Code::kInvalidArgument);
  EXPECT_FALSE(BlockSignals({-1}).ok());
}

}  // namespace
}  // namespace signals_test
}  // namespace logdaemon::ingest
