// DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY (Encodings.md):
//
//   DELTA_LENGTH_BYTE_ARRAY: <lengths, DELTA_BINARY_PACKED> <all values' bytes back to back>
//   DELTA_BYTE_ARRAY:        <prefix lengths, DELTA_BINARY_PACKED> <suffixes, DELTA_LENGTH_BYTE_ARRAY>
//                            value i = the first prefix_i bytes of value i-1, then suffix i
//
// logdaemon reads both (other writers use them). The writer uses DELTA_LENGTH_BYTE_ARRAY for the pages of
// a string column without its dictionary (PlainToDeltaLength: a page collects its values PLAIN);
// the other encoders exist for tests and are simple.
// Decoders allocate nothing per value: lengths are decoded a slice at a time straight into the output
// offsets, and the values' bytes are copied once.
//
// Thread-safety: plain functions, no shared state.
#pragma once

#include <cstddef>
#include <cstdint>

#include "logdaemon/status.h"
#include "parquet/byte_buffer.h"
#include "parquet/column_data.h"

namespace logdaemon::parquet {

// Both append num_values values to *out, and leave it unchanged on error. Corruption: a length
// negative or past the data, fewer stored lengths than num_values, a prefix longer than the previous
// value; NotSupported once *out would hold 4 GiB or more (its offsets are u32). Stored lengths beyond
// num_values are decoded (to find where the bytes start) and ignored.
Status DecodeDeltaLengthByteArray(const uint8_t* data, size_t size, size_t num_values, ByteArrayValues* out);
Status DecodeDeltaByteArray(const uint8_t* data, size_t size, size_t num_values, ByteArrayValues* out);

// Append the encoding of n byte arrays given as in ColumnBatch: value k = bytes[offsets[k] ..
// offsets[k+1]).
void EncodeDeltaLengthByteArray(const uint8_t* bytes, const uint32_t* offsets, size_t n, ByteBuffer* out);
void EncodeDeltaByteArray(const uint8_t* bytes, const uint32_t* offsets, size_t n, ByteBuffer* out);
// Turns *page, PLAIN BYTE_ARRAY values (each a u32 length, then its bytes), into their
// DELTA_LENGTH_BYTE_ARRAY encoding, in place: a writer's page is not copied. *lengths is scratch for the
// encoded lengths (small), reused from page to page. REQUIRES: *page is well-formed PLAIN.
void PlainToDeltaLength(ByteBuffer* page, ByteBuffer* lengths);

}  // namespace logdaemon::parquet
