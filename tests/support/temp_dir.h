// TempDir: a fresh directory under the test temporary directory, removed with everything in it when the
// object goes away. Tests that write files (storage, sockets, CLI inputs) each take one.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace logdaemon::testing_support {

class TempDir {
 public:
  // `prefix` names the directory, so that a leftover one says which test made it.
  explicit TempDir(std::string_view prefix = "logdaemon") {
    std::string pattern = ::testing::TempDir();
    pattern.append(prefix).append("_XXXXXX");
    const char* made = ::mkdtemp(pattern.data());
    EXPECT_NE(made, nullptr) << pattern;
    if (made != nullptr) path_ = made;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path()/name.
  std::string Sub(std::string_view name) const {
    std::string sub = path_;
    sub += '/';
    sub.append(name);
    return sub;
  }

 private:
  std::string path_;
};

}  // namespace logdaemon::testing_support
