// DELTA_LENGTH_BYTE_ARRAY (the lengths DELTA_BINARY_PACKED, then all bytes back to back) and
// DELTA_BYTE_ARRAY (prefix lengths shared with the previous value, DELTA_BINARY_PACKED, then the
// suffixes as DELTA_LENGTH_BYTE_ARRAY), from Encodings.md. logdaemon reads both; the encoders exist for
// tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "logdaemon/status.h"
#include "parquet/byte_buffer.h"
#include "parquet/column_data.h"

namespace logdaemon::parquet {

// Both append num_values values to *out.
Status DecodeDeltaLengthByteArray(const uint8_t* data, size_t size, size_t num_values, ByteArrayValues* out);
Status DecodeDeltaByteArray(const uint8_t* data, size_t size, size_t num_values, ByteArrayValues* out);

void EncodeDeltaLengthByteArray(const std::vector<std::string>& values, ByteBuffer* out);
void EncodeDeltaByteArray(const std::vector<std::string>& values, ByteBuffer* out);

}  // namespace logdaemon::parquet
