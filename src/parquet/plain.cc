#include "parquet/plain.h"

#include <cstring>
#include <limits>
#include <string>

namespace logdaemon::parquet {

void EncodePlainBoolean(const uint8_t* values, size_t n, ByteBuffer* out) {
  size_t bytes = (n + 7) / 8;
  uint8_t* dest = out->prepare(bytes);
  std::memset(dest, 0, bytes);
  for (size_t i = 0; i < n; ++i) dest[i >> 3] |= static_cast<uint8_t>((values[i] & 1) << (i & 7));
  out->commit(bytes);
}

void EncodePlainByteArray(const uint8_t* bytes, const uint32_t* offsets, size_t n, ByteBuffer* out) {
  if (n == 0) return;
  size_t total = offsets[n] - offsets[0] + 4 * n;
  uint8_t* dest = out->prepare(total);
  for (size_t i = 0; i < n; ++i) {
    uint32_t length = offsets[i + 1] - offsets[i];
    std::memcpy(dest, &length, 4);
    if (length != 0) std::memcpy(dest + 4, bytes + offsets[i], length);
    dest += 4 + length;
  }
  out->commit(total);
}

Status DecodePlainFixed(const uint8_t* data, size_t size, size_t num_values, int width, ByteBuffer* out) {
  if (width <= 0) return Status::Corruption("PLAIN: bad value width");
  size_t w = static_cast<size_t>(width);
  if (num_values > size / w) {
    return Status::Corruption("PLAIN: " + std::to_string(num_values) + " values of " + std::to_string(w) +
                              " bytes need more than the page's " + std::to_string(size) + " bytes");
  }
  out->append(data, num_values * w);
  return Status::OK();
}

Status DecodePlainBoolean(const uint8_t* data, size_t size, size_t num_values, ByteBuffer* out) {
  if ((num_values + 7) / 8 > size) {
    return Status::Corruption("PLAIN booleans: " + std::to_string(num_values) + " values need more than " +
                              std::to_string(size) + " bytes");
  }
  uint8_t* dest = out->prepare(num_values);
  for (size_t i = 0; i < num_values; ++i) dest[i] = (data[i >> 3] >> (i & 7)) & 1;
  out->commit(num_values);
  return Status::OK();
}

Status DecodePlainByteArray(const uint8_t* data, size_t size, size_t num_values, ByteArrayValues* out,
                            size_t* consumed) {
  // Each value takes at least its 4-byte length: this bounds what we reserve.
  if (num_values > size / 4) {
    return Status::Corruption("PLAIN byte arrays: " + std::to_string(num_values) + " values cannot fit in " +
                              std::to_string(size) + " bytes");
  }
  out->offsets.reserve(out->offsets.size() + num_values);
  size_t position = 0;
  for (size_t i = 0; i < num_values; ++i) {
    if (size - position < 4) return Status::Corruption("PLAIN byte arrays: truncated length");
    uint32_t length;
    std::memcpy(&length, data + position, 4);
    position += 4;
    if (length > size - position) {
      return Status::Corruption("PLAIN byte arrays: value of " + std::to_string(length) +
                                " bytes past the page end");
    }
    if (out->bytes.size() + length > std::numeric_limits<uint32_t>::max()) {
      return Status::NotSupported("column chunk holds over 4 GiB of byte arrays");
    }
    out->bytes.append(data + position, length);
    out->offsets.push_back(static_cast<uint32_t>(out->bytes.size()));
    position += length;
  }
  *consumed = position;
  return Status::OK();
}

}  // namespace logdaemon::parquet
