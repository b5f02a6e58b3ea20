#include "cli/progress.h"

#include <algorithm>

namespace logdaemon::cli {

Progress::Progress(bool enabled, uint64_t total_bytes, std::FILE* out)
    : enabled_(enabled), total_bytes_(total_bytes), out_(out) {}

void Progress::Update(uint64_t bytes, uint64_t logs, uint64_t rejected) {
  if (!enabled_) return;
  Clock::time_point now = Clock::now();
  if (now < next_draw_) return;
  next_draw_ = now + std::chrono::milliseconds(100);
  double elapsed = std::max(std::chrono::duration<double>(now - start_).count(), 1e-3);
  auto megabytes = [](uint64_t b) { return static_cast<double>(b) / 1e6; };
  char line[160];
  int n = 0;
  if (total_bytes_ > 0) {
    constexpr int kWidth = 24;
    double fraction = std::min(1.0, static_cast<double>(bytes) / static_cast<double>(total_bytes_));
    int filled = static_cast<int>(fraction * kWidth);
    char bar[kWidth + 1];
    for (int i = 0; i < kWidth; ++i) bar[i] = i < filled ? '#' : '-';
    bar[kWidth] = '\0';
    n = std::snprintf(line, sizeof(line), "%3d%% [%s] %.1f/%.1f MB", static_cast<int>(fraction * 100), bar,
                      megabytes(bytes), megabytes(total_bytes_));
  } else {
    n = std::snprintf(line, sizeof(line), "%.1f MB read", megabytes(bytes));
  }
  if (n > 0 && static_cast<size_t>(n) < sizeof(line)) {
    double rate = static_cast<double>(logs) / elapsed;
    const char* unit = rate >= 1e6 ? "M" : rate >= 1e3 ? "k" : "";
    double scaled = rate >= 1e6 ? rate / 1e6 : rate >= 1e3 ? rate / 1e3 : rate;
    std::snprintf(line + n, sizeof(line) - static_cast<size_t>(n), "  %.*f%s logs/s  %llu rejected",
                  *unit != '\0' ? 2 : 0, scaled, unit, static_cast<unsigned long long>(rejected));
  }
  std::lock_guard lock(mutex_);
  Draw(line);
}

void Progress::Phase(const char* text) {
  if (!enabled_) return;
  std::lock_guard lock(mutex_);
  Draw(text);
}

void Progress::Message(const std::string& text) {
  std::lock_guard lock(mutex_);
  if (drawn_) std::fputs("\r\033[K", out_);
  std::fprintf(out_, "%s\n", text.c_str());
  if (drawn_) std::fputs(bar_.c_str(), out_);
  std::fflush(out_);
}

void Progress::Clear() {
  std::lock_guard lock(mutex_);
  if (drawn_) {
    std::fputs("\r\033[K", out_);
    std::fflush(out_);
  }
  drawn_ = false;
}

void Progress::Draw(const char* text) {
  bar_ = text;
  std::fprintf(out_, "\r%s\033[K", text);
  std::fflush(out_);
  drawn_ = true;
}

}  // namespace logdaemon::cli
