#include "cli/idle_memory.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

namespace logdaemon::cli {
namespace {

using Activity = IdleMemoryReturner::Activity;

// Plays a script of activity readings, one per tick, and records at which reading each trim came. Past the
// script's end it keeps returning its last reading (quiet ticks); the test waits for a few of those.
class Script {
 public:
  explicit Script(std::vector<Activity> readings) : readings_(std::move(readings)) {}

  Activity Next() {
    std::lock_guard lock(mutex_);
    const Activity reading = readings_[std::min(calls_, readings_.size() - 1)];
    ++calls_;
    done_.notify_all();
    return reading;
  }
  void Trimmed() {
    std::lock_guard lock(mutex_);
    trims_at_.push_back(calls_ - 1);  // the index of the reading that decided it
  }
  // Waits until the returner has read the whole script and three quiet readings past it, and has acted on
  // them (it reads the next one only after it has); returns where it trimmed.
  std::vector<size_t> PlayOut() {
    std::unique_lock lock(mutex_);
    done_.wait(lock, [this] { return calls_ >= readings_.size() + 4; });
    return trims_at_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable done_;
  const std::vector<Activity> readings_;
  size_t calls_ = 0;
  std::vector<size_t> trims_at_;
};

constexpr std::chrono::milliseconds kTick{2};

std::vector<size_t> TrimsFor(std::vector<Activity> readings) {
  Script script(std::move(readings));
  std::vector<size_t> trims;
  {
    IdleMemoryReturner returner([&] { return script.Next(); }, {}, kTick, [&] { script.Trimmed(); });
    trims = script.PlayOut();
    EXPECT_EQ(returner.trims(), trims.size());
  }
  return trims;
}

TEST(IdleMemoryReturner, TrimsOnceOnTheFirstQuietTickAfterABusyOne) {
  // Reading 0 is the start; each later one closes a tick.
  EXPECT_EQ(TrimsFor({{0, 0}, {5000, 0}, {12000, 0}, {12000, 0}, {12000, 0}, {12000, 0}}),
            (std::vector<size_t>{3}));
}

TEST(IdleMemoryReturner, NeverTrimsWhileBusyOrWhenNothingHappened) {
  EXPECT_EQ(TrimsFor({{0, 0}, {0, 0}, {0, 0}, {0, 0}}), std::vector<size_t>{});
  // Busy at every tick of the script: only the quiet ticks after it trim (the script's last reading
  // repeats), once.
  EXPECT_EQ(TrimsFor({{0, 0}, {1000, 0}, {2000, 0}, {3000, 0}}), (std::vector<size_t>{4}));
}

TEST(IdleMemoryReturner, ATrickleCountsAsQuietAndAMergeAsBusy) {
  // 999 logs a tick is quiet; a finished merge makes a tick busy whatever the logs; each busy stretch is
  // followed by one trim.
  EXPECT_EQ(TrimsFor({{0, 0}, {999, 0}, {1998, 0}, {1999, 1}, {2500, 1}, {2600, 1}, {2700, 2}, {2700, 2}}),
            (std::vector<size_t>{4, 7}));
}

TEST(IdleMemoryReturner, ARunningMergeIsBusyUntilItEnds) {
  // A long merge: no merge finishes and no log arrives for three ticks, but one is running.
  EXPECT_EQ(TrimsFor({{0, 0, false}, {0, 0, true}, {0, 0, true}, {0, 0, true}, {0, 1, false}, {0, 1, false}}),
            (std::vector<size_t>{5}));
}

TEST(IdleMemoryReturner, ReleasesTheSparesAndCountsWhatItGaveBack) {
  Script script({{0, 0}, {5000, 0}, {5000, 0}});
  int released = 0;
  IdleMemoryReturner returner([&] { return script.Next(); }, [&] { ++released; }, kTick,
                              [&] { script.Trimmed(); });
  script.PlayOut();
  EXPECT_EQ(returner.trims(), 1u);
  EXPECT_EQ(released, 1);  // the engine's spares are freed before each trim
  std::string page;
  returner.AppendMetrics(&page);
  EXPECT_NE(page.find("# TYPE logdaemon_memory_trims_total counter\nlogdaemon_memory_trims_total 1\n"),
            std::string::npos)
      << page;
  EXPECT_NE(page.find("# TYPE logdaemon_memory_returned_bytes_total counter\n"), std::string::npos) << page;
}

}  // namespace
}  // namespace logdaemon::cli
