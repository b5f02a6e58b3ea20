// The Parquet file format's metadata, as plain C++ structs: the enums and structs of the specification's
// parquet.thrift (apache/parquet-format), with the same field names and meanings. Column writers fill
// these; metadata_codec turns them into thrift compact bytes and back. Nothing here knows about logs.
//
// Optional thrift fields are std::optional; required ones are plain members. Fields that logdaemon never
// writes and does not need to read (encryption, bloom filter headers, geospatial statistics, size
// statistics) are skipped by the decoder, except where a flag records that they were present.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace logdaemon::parquet {

// Every Parquet file starts and ends with these four bytes: "PAR1".
inline constexpr char kMagic[4] = {'P', 'A', 'R', '1'};
// The footer is: FileMetaData (thrift compact), its length as u32 little-endian, then "PAR1".
inline constexpr size_t kFooterTrailerSize = 8;

enum class Type : int32_t {
  kBoolean = 0,
  kInt32 = 1,
  kInt64 = 2,
  kInt96 = 3,  // deprecated; read only
  kFloat = 4,
  kDouble = 5,
  kByteArray = 6,
  kFixedLenByteArray = 7,
};

enum class ConvertedType : int32_t {
  kUtf8 = 0,
  kMap = 1,
  kMapKeyValue = 2,
  kList = 3,
  kEnum = 4,
  kDecimal = 5,
  kDate = 6,
  kTimeMillis = 7,
  kTimeMicros = 8,
  kTimestampMillis = 9,
  kTimestampMicros = 10,
  kUint8 = 11,
  kUint16 = 12,
  kUint32 = 13,
  kUint64 = 14,
  kInt8 = 15,
  kInt16 = 16,
  kInt32 = 17,
  kInt64 = 18,
  kJson = 19,
  kBson = 20,
  kInterval = 21,
};

enum class Repetition : int32_t { kRequired = 0, kOptional = 1, kRepeated = 2 };

enum class Encoding : int32_t {
  kPlain = 0,
  kPlainDictionary = 2,  // deprecated spelling of a dictionary; read only
  kRle = 3,
  kBitPacked = 4,  // deprecated levels encoding; read only
  kDeltaBinaryPacked = 5,
  kDeltaLengthByteArray = 6,
  kDeltaByteArray = 7,
  kRleDictionary = 8,
  kByteStreamSplit = 9,
};

enum class Codec : int32_t {
  kUncompressed = 0,
  kSnappy = 1,
  kGzip = 2,
  kLzo = 3,     // not supported
  kBrotli = 4,  // not supported
  kLz4 = 5,     // deprecated "Hadoop" LZ4 framing; read only
  kZstd = 6,
  kLz4Raw = 7,
};

enum class PageType : int32_t { kDataPage = 0, kIndexPage = 1, kDictionaryPage = 2, kDataPageV2 = 3 };

enum class BoundaryOrder : int32_t { kUnordered = 0, kAscending = 1, kDescending = 2 };

struct Statistics {
  std::optional<std::string> max;  // deprecated: signed/unspecified order; read only
  std::optional<std::string> min;  // deprecated
  std::optional<int64_t> null_count;
  std::optional<int64_t> distinct_count;
  std::optional<std::string> max_value;  // plain-encoded value (BYTE_ARRAY: the bytes, no length)
  std::optional<std::string> min_value;
  std::optional<bool> is_max_value_exact;
  std::optional<bool> is_min_value_exact;
  std::optional<int64_t> nan_count;
};

enum class TimeUnit : int32_t { kMillis = 1, kMicros = 2, kNanos = 3 };  // union field ids

// The LogicalType union. `kind` is the field id of the member that was set; members carrying
// parameters fill the fields below. A kind this code does not know is kept as its field id, so a reader
// can fall back to the physical type (as the specification asks of old readers).
struct LogicalType {
  enum Kind : int32_t {
    kString = 1,
    kMap = 2,
    kList = 3,
    kEnum = 4,
    kDecimal = 5,
    kDate = 6,
    kTime = 7,
    kTimestamp = 8,
    kInteger = 10,
    kUnknown = 11,  // the spec's "UNKNOWN": always-null column
    kJson = 12,
    kBson = 13,
    kUuid = 14,
    kFloat16 = 15,
    kVariant = 16,
    kGeometry = 17,
    kGeography = 18,
  };
  int32_t kind = kString;
  // kDecimal
  int32_t scale = 0;
  int32_t precision = 0;
  // kTime, kTimestamp
  bool is_adjusted_to_utc = false;
  TimeUnit unit = TimeUnit::kMicros;
  // kInteger
  int8_t bit_width = 0;
  bool is_signed = false;

  static LogicalType String() { return LogicalType{kString}; }
  static LogicalType Json() { return LogicalType{kJson}; }
  static LogicalType Timestamp(bool utc, TimeUnit unit) {
    LogicalType t{kTimestamp};
    t.is_adjusted_to_utc = utc;
    t.unit = unit;
    return t;
  }
  bool operator==(const LogicalType&) const = default;
};

struct SchemaElement {
  std::optional<Type> type;  // absent for group nodes (the root)
  std::optional<int32_t> type_length;
  std::optional<Repetition> repetition_type;
  std::string name;
  std::optional<int32_t> num_children;
  std::optional<ConvertedType> converted_type;
  std::optional<int32_t> scale;
  std::optional<int32_t> precision;
  std::optional<int32_t> field_id;
  std::optional<LogicalType> logical_type;
};

struct DataPageHeader {
  int32_t num_values = 0;  // including nulls
  Encoding encoding = Encoding::kPlain;
  Encoding definition_level_encoding = Encoding::kRle;
  Encoding repetition_level_encoding = Encoding::kRle;
  std::optional<Statistics> statistics;
};

struct DictionaryPageHeader {
  int32_t num_values = 0;
  Encoding encoding = Encoding::kPlain;
  std::optional<bool> is_sorted;
};

struct DataPageHeaderV2 {
  int32_t num_values = 0;
  int32_t num_nulls = 0;
  int32_t num_rows = 0;
  Encoding encoding = Encoding::kPlain;
  int32_t definition_levels_byte_length = 0;
  int32_t repetition_levels_byte_length = 0;
  std::optional<bool> is_compressed;  // absent means true
  std::optional<Statistics> statistics;
};

struct PageHeader {
  PageType type = PageType::kDataPage;
  int32_t uncompressed_page_size = 0;
  int32_t compressed_page_size = 0;
  std::optional<int32_t> crc;  // CRC-32 of the page bytes after the header (compressed form)
  std::optional<DataPageHeader> data_page_header;
  std::optional<DictionaryPageHeader> dictionary_page_header;
  std::optional<DataPageHeaderV2> data_page_header_v2;
  // index_page_header (field 6) is an empty struct in the spec; it is skipped.
};

struct KeyValue {
  std::string key;
  std::optional<std::string> value;
};

struct SortingColumn {
  int32_t column_idx = 0;
  bool descending = false;
  bool nulls_first = false;
};

struct PageEncodingStats {
  PageType page_type = PageType::kDataPage;
  Encoding encoding = Encoding::kPlain;
  int32_t count = 0;
};

struct ColumnMetaData {
  Type type = Type::kInt64;
  std::vector<Encoding> encodings;
  std::vector<std::string> path_in_schema;
  Codec codec = Codec::kUncompressed;
  int64_t num_values = 0;               // including nulls
  int64_t total_uncompressed_size = 0;  // page headers included
  int64_t total_compressed_size = 0;    // page headers included
  std::optional<std::vector<KeyValue>> key_value_metadata;
  int64_t data_page_offset = 0;
  std::optional<int64_t> index_page_offset;
  std::optional<int64_t> dictionary_page_offset;
  std::optional<Statistics> statistics;
  std::optional<std::vector<PageEncodingStats>> encoding_stats;
  std::optional<int64_t> bloom_filter_offset;
  std::optional<int32_t> bloom_filter_length;
};

struct ColumnChunk {
  std::optional<std::string> file_path;  // set only when the chunk lives in another file: not supported
  int64_t file_offset = 0;               // deprecated; writers set it to the chunk's metadata position
  std::optional<ColumnMetaData> meta_data;
  std::optional<int64_t> offset_index_offset;
  std::optional<int32_t> offset_index_length;
  std::optional<int64_t> column_index_offset;
  std::optional<int32_t> column_index_length;
  bool encrypted = false;  // crypto_metadata or encrypted_column_metadata present: not supported
};

struct RowGroup {
  std::vector<ColumnChunk> columns;
  int64_t total_byte_size = 0;  // uncompressed
  int64_t num_rows = 0;
  std::optional<std::vector<SortingColumn>> sorting_columns;
  std::optional<int64_t> file_offset;
  std::optional<int64_t> total_compressed_size;
  std::optional<int16_t> ordinal;
};

// The ColumnOrder union: field id of the member set (1 = TYPE_ORDER, the order logdaemon writes).
enum class ColumnOrder : int32_t { kTypeDefined = 1, kIeee754TotalOrder = 2, kInt96Timestamp = 3 };

struct FileMetaData {
  int32_t version = 1;
  std::vector<SchemaElement> schema;  // depth-first; schema[0] is the root group
  int64_t num_rows = 0;
  std::vector<RowGroup> row_groups;
  std::optional<std::vector<KeyValue>> key_value_metadata;
  std::optional<std::string> created_by;
  std::optional<std::vector<ColumnOrder>> column_orders;
  bool encrypted = false;  // encryption_algorithm present (plaintext footer of an encrypted file)
};

struct PageLocation {
  int64_t offset = 0;
  int32_t compressed_page_size = 0;  // page header included
  int64_t first_row_index = 0;
};

struct OffsetIndex {
  std::vector<PageLocation> page_locations;
  std::optional<std::vector<int64_t>> unencoded_byte_array_data_bytes;
};

struct ColumnIndex {
  std::vector<bool> null_pages;
  std::vector<std::string> min_values;
  std::vector<std::string> max_values;
  BoundaryOrder boundary_order = BoundaryOrder::kUnordered;
  std::optional<std::vector<int64_t>> null_counts;
};

// Names as the specification spells them ("INT64", "RLE_DICTIONARY", "SNAPPY" ...), for messages and
// `logdaemon inspect`. Unknown values print as their number.
std::string TypeName(Type type);
std::string ConvertedTypeName(ConvertedType type);
std::string RepetitionName(Repetition repetition);
std::string EncodingName(Encoding encoding);
std::string CodecName(Codec codec);
std::string PageTypeName(PageType type);
std::string LogicalTypeName(const LogicalType& type);  // e.g. "TIMESTAMP(isAdjustedToUTC=true, MICROS)"

}  // namespace logdaemon::parquet
