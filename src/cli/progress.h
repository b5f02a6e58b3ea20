// The progress bar of the bulk commands (`import`, `ingest`) on a terminal's stderr: bytes read (with a
// percentage when the total is known), logs per second and rejections, redrawn in place at most ten
// times a second. Messages printed while a bar is shown go through Message(), so that they appear above
// the bar instead of being overwritten by it.
//
// Thread-safety: Update() and Clear() from one thread; Message() and Phase() from any thread (a storage
// engine reports its errors from its own threads).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>

namespace logdaemon::cli {

class Progress {
 public:
  // `enabled`: draw the bar (callers pass "stderr is a terminal and not --quiet"); messages are printed
  // either way. `total_bytes`: the size of the input, 0 when unknown (stdin, a pipe). `out`: where both
  // go (stderr; tests pass a file).
  Progress(bool enabled, uint64_t total_bytes, std::FILE* out = stderr);
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  bool enabled() const { return enabled_; }

  // Redraws the bar with these totals. Cheap when it is not time to redraw yet.
  void Update(uint64_t bytes, uint64_t logs, uint64_t rejected);

  // A phase without byte progress ("flushing…"), shown in place of the bar.
  void Phase(const char* text);

  // One line, above the bar.
  void Message(const std::string& text);

  // Erases the bar (before a summary is printed).
  void Clear();

 private:
  using Clock = std::chrono::steady_clock;

  void Draw(const char* text);

  const bool enabled_;
  const uint64_t total_bytes_;
  std::FILE* const out_;
  const Clock::time_point start_ = Clock::now();
  Clock::time_point next_draw_ = start_ + std::chrono::milliseconds(100);  // no rate from 0 s
  std::mutex mutex_;
  std::string bar_;
  bool drawn_ = false;
};

}  // namespace logdaemon::cli
