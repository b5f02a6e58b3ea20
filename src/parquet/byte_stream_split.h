// BYTE_STREAM_SPLIT (Encodings.md): for values of K bytes, K streams of N bytes each, stream k holding
// byte k of every value, the streams back to back with no padding:
//
//   values  AA BB CC DD | 00 11 22 33 | A3 B4 C5 D6       (three 4-byte values)
//   encoded AA 00 A3 | BB 11 B4 | CC 22 C5 | DD 33 D6     (four streams of three bytes)
//
// There is no header: N is the data's size / K. logdaemon reads it (FLOAT, DOUBLE, INT32, INT64,
// FIXED_LEN_BYTE_ARRAY); the encoder exists for tests. Thread-safety: plain functions.
#pragma once

#include <cstddef>
#include <cstdint>

#include "logdaemon/status.h"
#include "parquet/byte_buffer.h"

namespace logdaemon::parquet {

// Appends num_values values of `width` bytes. The data holds exactly size / width values; corruption
// if size is not a multiple of width, if num_values exceeds size / width, or if width <= 0.
Status DecodeByteStreamSplit(const uint8_t* data, size_t size, size_t num_values, int width, ByteBuffer* out);
// Appends the encoding of n values of `width` bytes (n * width bytes at values). REQUIRES: width > 0.
void EncodeByteStreamSplit(const uint8_t* values, size_t n, int width, ByteBuffer* out);

}  // namespace logdaemon::parquet
