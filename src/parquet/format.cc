#include "parquet/format.h"

namespace logdaemon::parquet {

namespace {

template <size_t N>
std::string Lookup(const char* const (&names)[N], int32_t value) {
  if (value >= 0 && static_cast<size_t>(value) < N && names[value] != nullptr) return names[value];
  return std::to_string(value);
}

const char* UnitName(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kMillis:
      return "MILLIS";
    case TimeUnit::kMicros:
      return "MICROS";
    case TimeUnit::kNanos:
      return "NANOS";
  }
  return "?";
}

}  // namespace

std::string TypeName(Type type) {
  static const char* const kNames[] = {"BOOLEAN", "INT32",  "INT64",      "INT96",
                                       "FLOAT",   "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"};
  return Lookup(kNames, static_cast<int32_t>(type));
}

std::string ConvertedTypeName(ConvertedType type) {
  static const char* const kNames[] = {"UTF8",
                                       "MAP",
                                       "MAP_KEY_VALUE",
                                       "LIST",
                                       "ENUM",
                                       "DECIMAL",
                                       "DATE",
                                       "TIME_MILLIS",
                                       "TIME_MICROS",
                                       "TIMESTAMP_MILLIS",
                                       "TIMESTAMP_MICROS",
                                       "UINT_8",
                                       "UINT_16",
                                       "UINT_32",
                                       "UINT_64",
                                       "INT_8",
                                       "INT_16",
                                       "INT_32",
                                       "INT_64",
                                       "JSON",
                                       "BSON",
                                       "INTERVAL"};
  return Lookup(kNames, static_cast<int32_t>(type));
}

std::string RepetitionName(Repetition repetition) {
  static const char* const kNames[] = {"REQUIRED", "OPTIONAL", "REPEATED"};
  return Lookup(kNames, static_cast<int32_t>(repetition));
}

std::string EncodingName(Encoding encoding) {
  static const char* const kNames[] = {"PLAIN",
                                       nullptr,
                                       "PLAIN_DICTIONARY",
                                       "RLE",
                                       "BIT_PACKED",
                                       "DELTA_BINARY_PACKED",
                                       "DELTA_LENGTH_BYTE_ARRAY",
                                       "DELTA_BYTE_ARRAY",
                                       "RLE_DICTIONARY",
                                       "BYTE_STREAM_SPLIT"};
  return Lookup(kNames, static_cast<int32_t>(encoding));
}

std::string CodecName(Codec codec) {
  static const char* const kNames[] = {"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO",
                                       "BROTLI",       "LZ4",    "ZSTD", "LZ4_RAW"};
  return Lookup(kNames, static_cast<int32_t>(codec));
}

std::string PageTypeName(PageType type) {
  static const char* const kNames[] = {"DATA_PAGE", "INDEX_PAGE", "DICTIONARY_PAGE", "DATA_PAGE_V2"};
  return Lookup(kNames, static_cast<int32_t>(type));
}

std::string LogicalTypeName(const LogicalType& type) {
  switch (type.kind) {
    case LogicalType::kString:
      return "STRING";
    case LogicalType::kMap:
      return "MAP";
    case LogicalType::kList:
      return "LIST";
    case LogicalType::kEnum:
      return "ENUM";
    case LogicalType::kDecimal:
      return "DECIMAL(precision=" + std::to_string(type.precision) + ", scale=" + std::to_string(type.scale) +
             ")";
    case LogicalType::kDate:
      return "DATE";
    case LogicalType::kTime:
    case LogicalType::kTimestamp:
      return std::string(type.kind == LogicalType::kTime ? "TIME" : "TIMESTAMP") +
             "(isAdjustedToUTC=" + (type.is_adjusted_to_utc ? "true" : "false") + ", " + UnitName(type.unit) +
             ")";
    case LogicalType::kInteger:
      return "INTEGER(bitWidth=" + std::to_string(type.bit_width) +
             ", isSigned=" + (type.is_signed ? "true" : "false") + ")";
    case LogicalType::kUnknown:
      return "UNKNOWN";
    case LogicalType::kJson:
      return "JSON";
    case LogicalType::kBson:
      return "BSON";
    case LogicalType::kUuid:
      return "UUID";
    case LogicalType::kFloat16:
      return "FLOAT16";
    case LogicalType::kVariant:
      return "VARIANT";
    case LogicalType::kGeometry:
      return "GEOMETRY";
    case LogicalType::kGeography:
      return "GEOGRAPHY";
  }
  return "UNKNOWN_LOGICAL_TYPE(" + std::to_string(type.kind) + ")";
}

}  // namespace logdaemon::parquet
