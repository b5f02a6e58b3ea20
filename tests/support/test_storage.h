// A storage engine as the query tests write with it: the built-in schema, logs kept until the test
// flushes (Flush, or Close), no answer "overloaded" (an append waits for the writer instead), and
// compaction only when asked for. Tests then control which files exist.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "logdaemon/schema.h"
#include "logdaemon/storage.h"

namespace logdaemon::testing_support {

inline std::unique_ptr<StorageEngine> OpenTestStorage(const std::string& dir, bool compaction = false) {
  StorageOptions options;
  options.directory = dir;
  options.batch_size = 1'000'000;
  options.flush_interval = std::chrono::hours(1);
  options.compaction = compaction;
  options.overflow = OverflowPolicy::kBlock;
  auto schema = SchemaValidator::DefaultSchema();
  EXPECT_TRUE(schema.ok()) << schema.status().ToString();
  if (!schema.ok()) return nullptr;
  auto engine = StorageEngine::Open(options, *schema);
  EXPECT_TRUE(engine.ok()) << engine.status().ToString();
  return engine.ok() ? std::move(*engine) : nullptr;
}

}  // namespace logdaemon::testing_support
