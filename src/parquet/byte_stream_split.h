// BYTE_STREAM_SPLIT (Encodings.md): the k-th bytes of all values stored together, stream after stream.
#pragma once

#include <cstddef>
#include <cstdint>

#include "logdaemon/status.h"
#include "parquet/byte_buffer.h"

namespace logdaemon::parquet {

// Appends num_values values of `width` bytes. The data holds size / width values; num_values may not
// exceed that.
Status DecodeByteStreamSplit(const uint8_t* data, size_t size, size_t num_values, int width, ByteBuffer* out);
// Appends the encoding of n values of `width` bytes (for tests).
void EncodeByteStreamSplit(const uint8_t* values, size_t n, int width, ByteBuffer* out);

}  // namespace logdaemon::parquet
