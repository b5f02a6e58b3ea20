// Where the third-party test fixtures are (../shared/fixtures), and what to do when they are not:
// tests skip with a message, unless LOGDAEMON_REQUIRE_FIXTURES=1 (CI), under which they fail.
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <string>

namespace logdaemon::testing_support {

inline std::string FixturesDir() {
  const char* env = std::getenv("LOGDAEMON_FIXTURES_DIR");
  return env != nullptr && *env != '\0' ? env : LOGDAEMON_FIXTURES_DIR;
}

inline bool FixturesRequired() {
  const char* env = std::getenv("LOGDAEMON_REQUIRE_FIXTURES");
  return env != nullptr && std::string(env) == "1";
}

inline bool IsDirectory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace logdaemon::testing_support

// Skips the test (or fails it under LOGDAEMON_REQUIRE_FIXTURES=1) when `dir` is absent.
#define LOGDAEMON_REQUIRE_FIXTURE_DIR(dir)                                                           \
  do {                                                                                               \
    if (!::logdaemon::testing_support::IsDirectory(dir)) {                                           \
      if (::logdaemon::testing_support::FixturesRequired()) FAIL() << "fixtures missing: " << (dir); \
      GTEST_SKIP() << "fixtures not found at " << (dir) << " (a plain clone); skipping";             \
    }                                                                                                \
  } while (0)
