// PLAIN encoding (Encodings.md): fixed-width values little-endian back to back; BOOLEAN bit-packed LSB
// first; BYTE_ARRAY as a u32 little-endian length, then the bytes.
//
//   INT64 / DOUBLE  [8 bytes LE] [8 bytes LE] ...
//   BOOLEAN         [b7..b0] [b15..b8] ...   value i is bit (i % 8) of byte i / 8; last byte zero-padded
//   BYTE_ARRAY      [u32 LE length][bytes] [u32 LE length][bytes] ...
//
// Encoders append to a ByteBuffer; decoders append to the reader's buffers and check every length
// against the bytes given. Thread-safety: plain functions, no shared state.
#pragma once

#include <cstddef>
#include <cstdint>

#include "logdaemon/status.h"
#include "parquet/byte_buffer.h"
#include "parquet/column_data.h"

namespace logdaemon::parquet {

void EncodePlainInt64(const int64_t* values, size_t n, ByteBuffer* out);
void EncodePlainDouble(const double* values, size_t n, ByteBuffer* out);  // bit patterns, as stored
// Booleans given one byte per value (only the lowest bit counts).
void EncodePlainBoolean(const uint8_t* values, size_t n, ByteBuffer* out);
// Byte arrays given Arrow-style as in ColumnBatch: value k = bytes[offsets[k] .. offsets[k+1]).
// offsets[0] need not be 0 (a slice of a batch).
void EncodePlainByteArray(const uint8_t* bytes, const uint32_t* offsets, size_t n, ByteBuffer* out);

// Appends num_values * width bytes. Corruption if the data holds fewer, or width <= 0.
Status DecodePlainFixed(const uint8_t* data, size_t size, size_t num_values, int width, ByteBuffer* out);
// Appends num_values bytes, each 0 or 1. Corruption if the data holds fewer bits.
Status DecodePlainBoolean(const uint8_t* data, size_t size, size_t num_values, ByteBuffer* out);
// Appends num_values byte arrays; *consumed receives the bytes read. Corruption on a length past the
// end; NotSupported once *out would hold 4 GiB or more (its offsets are u32). *out is unchanged on
// error.
Status DecodePlainByteArray(const uint8_t* data, size_t size, size_t num_values, ByteArrayValues* out,
                            size_t* consumed);

}  // namespace logdaemon::parquet
