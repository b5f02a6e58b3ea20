#include "parquet/byte_stream_split.h"

#include <string>

namespace logdaemon::parquet {

Status DecodeByteStreamSplit(const uint8_t* data, size_t size, size_t num_values, int width,
                             ByteBuffer* out) {
  if (width <= 0) return Status::Corruption("BYTE_STREAM_SPLIT: bad value width");
  size_t w = static_cast<size_t>(width);
  if (size % w != 0)
    return Status::Corruption("BYTE_STREAM_SPLIT: size is not a multiple of the value width");
  size_t stored = size / w;
  if (num_values > stored) {
    return Status::Corruption("BYTE_STREAM_SPLIT: " + std::to_string(stored) + " values stored, " +
                              std::to_string(num_values) + " needed");
  }
  uint8_t* dest = out->prepare(num_values * w);
  for (size_t stream = 0; stream < w; ++stream) {
    const uint8_t* source = data + stream * stored;
    for (size_t i = 0; i < num_values; ++i) dest[i * w + stream] = source[i];
  }
  out->commit(num_values * w);
  return Status::OK();
}

void EncodeByteStreamSplit(const uint8_t* values, size_t n, int width, ByteBuffer* out) {
  size_t w = static_cast<size_t>(width);
  uint8_t* dest = out->prepare(n * w);
  for (size_t stream = 0; stream < w; ++stream) {
    for (size_t i = 0; i < n; ++i) dest[stream * n + i] = values[i * w + stream];
  }
  out->commit(n * w);
}

}  // namespace logdaemon::parquet
