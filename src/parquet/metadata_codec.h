// The Parquet metadata structs of format.h ⇄ thrift compact bytes, field ids as parquet.thrift gives
// them. Serialize writes the fields that are set, in id order. Parse skips fields it does not know
// (newer writers add some) and fields whose wire type is not the one expected, refuses structs that
// lack a required field (naming it), and checks every length against its input.
#pragma once

#include <cstddef>
#include <cstdint>

#include "logdaemon/status.h"
#include "parquet/byte_buffer.h"
#include "parquet/format.h"

namespace logdaemon::parquet {

// Each appends to *out.
void SerializeFileMetaData(const FileMetaData& metadata, ByteBuffer* out);
void SerializePageHeader(const PageHeader& header, ByteBuffer* out);
void SerializeColumnIndex(const ColumnIndex& index, ByteBuffer* out);
void SerializeOffsetIndex(const OffsetIndex& index, ByteBuffer* out);

Status ParseFileMetaData(const uint8_t* data, size_t size, FileMetaData* out);
// Parses the page header at data; *header_size receives the bytes it took.
Status ParsePageHeader(const uint8_t* data, size_t size, PageHeader* out, size_t* header_size);
Status ParseColumnIndex(const uint8_t* data, size_t size, ColumnIndex* out);
Status ParseOffsetIndex(const uint8_t* data, size_t size, OffsetIndex* out);

}  // namespace logdaemon::parquet
