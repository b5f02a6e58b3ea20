#include "parquet/byte_stream_split.h"

#include <string>

namespace logdaemon::parquet {

namespace {

// Gathers value i from byte i of each of the width streams (stream k starts at data + k * stride).
// Written for a width known at compile time (4, 8: the float and integer types) so that the inner
// loop unrolls; kWidth 0 takes the width at run time (FIXED_LEN_BYTE_ARRAY).
template <size_t kWidth>
void Gather(const uint8_t* data, size_t stride, size_t num_values, size_t width, uint8_t* dest) {
  if constexpr (kWidth != 0) width = kWidth;
  for (size_t i = 0; i < num_values; ++i) {
    for (size_t k = 0; k < width; ++k) dest[i * width + k] = data[k * stride + i];
  }
}

}  // namespace

Status DecodeByteStreamSplit(const uint8_t* data, size_t size, size_t num_values, int width,
                             ByteBuffer* out) {
  if (width <= 0) return Status::Corruption("BYTE_STREAM_SPLIT: value width " + std::to_string(width));
  const size_t w = static_cast<size_t>(width);
  if (size % w != 0) {
    return Status::Corruption("BYTE_STREAM_SPLIT: " + std::to_string(size) +
                              " bytes are not a whole number of " + std::to_string(w) + "-byte values");
  }
  const size_t stored = size / w;
  if (num_values > stored) {
    return Status::Corruption("BYTE_STREAM_SPLIT: " + std::to_string(stored) + " values stored, " +
                              std::to_string(num_values) + " needed");
  }
  uint8_t* dest = out->prepare(num_values * w);
  switch (w) {
    case 4:
      Gather<4>(data, stored, num_values, w, dest);
      break;
    case 8:
      Gather<8>(data, stored, num_values, w, dest);
      break;
    default:
      Gather<0>(data, stored, num_values, w, dest);
      break;
  }
  out->commit(num_values * w);
  return Status::OK();
}

void EncodeByteStreamSplit(const uint8_t* values, size_t n, int width, ByteBuffer* out) {
  const size_t w = static_cast<size_t>(width);
  uint8_t* dest = out->prepare(n * w);
  for (size_t k = 0; k < w; ++k) {
    for (size_t i = 0; i < n; ++i) dest[k * n + i] = values[i * w + k];
  }
  out->commit(n * w);
}

}  // namespace logdaemon::parquet
