// PLAIN encoding (Encodings.md): fixed-width values little-endian back to back, booleans bit-packed
// LSB first, byte arrays as a u32 little-endian length then the bytes.
#pragma once

#include <cstddef>
#include <cstdint>

#include "logdaemon/status.h"
#include "parquet/byte_buffer.h"
#include "parquet/column_data.h"

namespace logdaemon::parquet {

// Booleans given one byte per value (0 or 1), appended bit-packed.
void EncodePlainBoolean(const uint8_t* values, size_t n, ByteBuffer* out);
// Byte arrays given Arrow-style (value k = bytes[offsets[k] .. offsets[k+1])), appended.
void EncodePlainByteArray(const uint8_t* bytes, const uint32_t* offsets, size_t n, ByteBuffer* out);

// Appends num_values * width bytes.
Status DecodePlainFixed(const uint8_t* data, size_t size, size_t num_values, int width, ByteBuffer* out);
// Appends num_values bytes, 0 or 1.
Status DecodePlainBoolean(const uint8_t* data, size_t size, size_t num_values, ByteBuffer* out);
// Appends num_values byte arrays; *consumed receives the bytes read.
Status DecodePlainByteArray(const uint8_t* data, size_t size, size_t num_values, ByteArrayValues* out,
                            size_t* consumed);

}  // namespace logdaemon::parquet
