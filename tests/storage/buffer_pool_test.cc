#include "storage/buffer_pool.h"

#include <gtest/gtest.h>

namespace logdaemon::storage {
namespace {

parquet::ByteBuffer BufferOf(size_t capacity) {
  parquet::ByteBuffer buffer;
  buffer.reserve(capacity);
  return buffer;
}

TEST(BufferPool, KeepsAtMostItsBuffersOfAtMostItsCapacity) {
  BufferPool pool(2, 1 << 20);
  pool.Give(BufferOf(4096));
  pool.Give(BufferOf(2 << 20));  // too big: freed
  pool.Give(BufferOf(8192));
  pool.Give(BufferOf(4096));  // pool full: freed
  EXPECT_EQ(pool.held_bytes(), 4096u + 8192u);
  EXPECT_GE(pool.Take().capacity(), 8192u);
  EXPECT_EQ(pool.held_bytes(), 4096u);
}

TEST(BufferPool, ClearFreesWhatItKept) {
  BufferPool pool(3, 1 << 20);
  pool.Give(BufferOf(4096));
  pool.Give(BufferOf(8192));
  pool.Clear();
  EXPECT_EQ(pool.held_bytes(), 0u);
  EXPECT_EQ(pool.Take().capacity(), 0u);  // a new buffer, not a kept one
  pool.Give(BufferOf(4096));              // and it keeps buffers again afterwards
  EXPECT_EQ(pool.held_bytes(), 4096u);
}

}  // namespace
}  // namespace logdaemon::storage
