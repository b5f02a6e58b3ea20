// The thrift compact codec and the metadata structs: round trips, unknown fields skipped, and hostile
// bytes (every truncation, absurd sizes, deep nesting, missing required fields) refused cleanly.
#include "parquet/metadata_codec.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "parquet/thrift_compact.h"
#include "support/fixtures.h"

namespace logdaemon::parquet {
namespace metadata_codec_test {  // one per test file, for the unity build (tests/CMakeLists.txt)
namespace {

FileMetaData FullMetadata() {
  FileMetaData m;
  m.version = 2;
  SchemaElement root;
  root.name = "schema";
  root.num_children = 2;
  SchemaElement ts;
  ts.type = Type::kInt64;
  ts.repetition_type = Repetition::kRequired;
  ts.name = "timestamp";
  ts.converted_type = ConvertedType::kTimestampMicros;
  ts.logical_type = LogicalType::Timestamp(true, TimeUnit::kMicros);
  SchemaElement text;
  text.type = Type::kByteArray;
  text.repetition_type = Repetition::kOptional;
  text.name = "message";
  text.logical_type = LogicalType::String();
  text.field_id = 7;
  m.schema = {root, ts, text};
  m.num_rows = std::numeric_limits<int64_t>::max();
  RowGroup g;
  g.num_rows = 123;
  g.total_byte_size = 456;
  g.ordinal = 3;
  g.sorting_columns = std::vector<SortingColumn>{{0, true, false}};
  ColumnChunk c;
  c.file_offset = 4;
  ColumnMetaData md;
  md.type = Type::kInt64;
  md.encodings = {Encoding::kDeltaBinaryPacked, Encoding::kRle};
  md.path_in_schema = {"timestamp"};
  md.codec = Codec::kZstd;
  md.num_values = 123;
  md.total_compressed_size = 1000;
  md.total_uncompressed_size = 2000;
  md.data_page_offset = 4;
  md.dictionary_page_offset = 4;
  Statistics s;
  s.min_value = std::string("\x01\x02", 2);
  s.max_value = std::string(300, '\xFF');
  s.null_count = 0;
  s.is_max_value_exact = false;
  md.statistics = s;
  md.encoding_stats = std::vector<PageEncodingStats>{{PageType::kDataPage, Encoding::kDeltaBinaryPacked, 2}};
  c.meta_data = md;
  c.column_index_offset = 99999;
  c.column_index_length = 20;
  g.columns = {c, c};
  m.row_groups = {g};
  m.key_value_metadata = std::vector<KeyValue>{{"logdaemon.schema", "{}"}, {"no value", std::nullopt}};
  m.created_by = "logdaemon version 0.1.0 (build test)";
  m.column_orders = std::vector<ColumnOrder>{ColumnOrder::kTypeDefined, ColumnOrder::kTypeDefined};
  return m;
}

TEST(MetadataCodec, FileMetaDataRoundTrips) {
  FileMetaData m = FullMetadata();
  ByteBuffer bytes;
  SerializeFileMetaData(m, &bytes);
  FileMetaData back;
  ASSERT_TRUE(ParseFileMetaData(bytes.data(), bytes.size(), &back).ok());
  ByteBuffer again;
  SerializeFileMetaData(back, &again);
  EXPECT_EQ(bytes.view(), again.view());
  EXPECT_EQ(back.schema[1].logical_type, m.schema[1].logical_type);
  EXPECT_EQ(back.row_groups[0].columns[1].meta_data->statistics->max_value->size(), 300u);
  EXPECT_EQ(*back.row_groups[0].ordinal, 3);
  EXPECT_FALSE((*back.key_value_metadata)[1].value.has_value());
}

TEST(MetadataCodec, PageHeadersRoundTrip) {
  PageHeader v1;
  v1.type = PageType::kDataPage;
  v1.uncompressed_page_size = 100;
  v1.compressed_page_size = 50;
  v1.crc = -12345;
  v1.data_page_header =
      DataPageHeader{20000, Encoding::kRleDictionary, Encoding::kRle, Encoding::kRle, Statistics()};
  PageHeader v2;
  v2.type = PageType::kDataPageV2;
  v2.data_page_header_v2 = DataPageHeaderV2{10, 2, 10, Encoding::kPlain, 3, 0, false, std::nullopt};
  PageHeader dictionary;
  dictionary.type = PageType::kDictionaryPage;
  dictionary.dictionary_page_header = DictionaryPageHeader{7, Encoding::kPlain, true};
  for (const PageHeader& h : {v1, v2, dictionary}) {
    ByteBuffer bytes;
    SerializePageHeader(h, &bytes);
    bytes.append("page body", 9);
    PageHeader back;
    size_t size = 0;
    ASSERT_TRUE(ParsePageHeader(bytes.data(), bytes.size(), &back, &size).ok());
    EXPECT_EQ(size, bytes.size() - 9);
    ByteBuffer again;
    SerializePageHeader(back, &again);
    EXPECT_EQ(again.view(), bytes.view().substr(0, size));
  }
}

TEST(MetadataCodec, PageIndexRoundTrips) {
  ColumnIndex ci{{false, true, false},
                 {"a", "", "c"},
                 {"b", "", "d"},
                 BoundaryOrder::kAscending,
                 std::vector<int64_t>{0, 5, 1}};
  OffsetIndex oi{{{4, 100, 0}, {104, 90, 20000}}, std::nullopt};
  ByteBuffer a, b;
  SerializeColumnIndex(ci, &a);
  SerializeOffsetIndex(oi, &b);
  ColumnIndex ci2;
  OffsetIndex oi2;
  ASSERT_TRUE(ParseColumnIndex(a.data(), a.size(), &ci2).ok());
  ASSERT_TRUE(ParseOffsetIndex(b.data(), b.size(), &oi2).ok());
  EXPECT_EQ(ci2.null_pages, ci.null_pages);
  EXPECT_EQ(ci2.max_values, ci.max_values);
  EXPECT_EQ(oi2.page_locations[1].first_row_index, 20000);
}

TEST(MetadataCodec, EveryTruncationFailsCleanly) {
  ByteBuffer bytes;
  SerializeFileMetaData(FullMetadata(), &bytes);
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    std::vector<uint8_t> prefix(bytes.data(), bytes.data() + cut);  // exact size: ASan sees over-reads
    FileMetaData m;
    EXPECT_FALSE(ParseFileMetaData(prefix.data(), prefix.size(), &m).ok()) << "cut at " << cut;
  }
}

TEST(MetadataCodec, UnknownFieldsOfEveryTypeAreSkipped) {
  // A PageHeader with, before its real fields, unknown fields 20..27 of every wire type.
  ByteBuffer bytes;
  CompactWriter w(&bytes);
  w.StructBegin();
  w.FieldI32(1, static_cast<int32_t>(PageType::kDataPage));
  w.FieldI32(2, 10);
  w.FieldI32(3, 10);
  w.FieldBool(20, true);
  w.FieldI64(21, -5);
  w.FieldBinary(22, "future");
  w.FieldListBegin(23, CompactType::kStruct, 2);
  w.StructBegin();
  w.FieldI32(1, 1);
  w.StructEnd();
  w.StructBegin();
  w.StructEnd();
  w.FieldListBegin(24, CompactType::kBooleanTrue, 3);
  w.Bool(true);
  w.Bool(false);
  w.Bool(true);
  w.FieldStructBegin(25);
  w.FieldBinary(1, "nested");
  w.StructEnd();
  w.StructEnd();
  // A map field (id 26, type 11): 1 entry, binary → i32.
  bytes.data()[bytes.size() - 1] = 0x1B;  // replaces the outer stop byte with field delta 1, type MAP
  bytes.push_back(0x01);
  bytes.push_back(0x85);  // key BINARY, value I32
  bytes.push_back(0x01);
  bytes.push_back('k');
  bytes.push_back(0x02);
  bytes.push_back(0x00);  // stop
  PageHeader h;
  size_t size = 0;
  Status st = ParsePageHeader(bytes.data(), bytes.size(), &h, &size);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(size, bytes.size());
  EXPECT_EQ(h.compressed_page_size, 10);
}

TEST(MetadataCodec, HostileBytesAreRefused) {
  FileMetaData m;
  // A list claiming 2^31 elements in a few bytes.
  const uint8_t huge_list[] = {0x15, 0x02, 0x19, 0xFC, 0xFF, 0xFF, 0xFF, 0xFF, 0x07};
  EXPECT_FALSE(ParseFileMetaData(huge_list, sizeof(huge_list), &m).ok());
  // 10 000 nested structs.
  std::vector<uint8_t> deep;
  for (int i = 0; i < 10000; ++i) deep.push_back(0x1C);  // field +1, STRUCT
  Status st = ParseFileMetaData(deep.data(), deep.size(), &m);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("nesting"), std::string::npos) << st.message();
  // Required fields missing.
  const uint8_t empty_struct[] = {0x00};
  st = ParseFileMetaData(empty_struct, sizeof(empty_struct), &m);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("FileMetaData.version missing"), std::string::npos) << st.message();
  // A binary longer than the input.
  const uint8_t long_binary[] = {0x15, 0x02, 0x68, 0x7F, 'a'};
  EXPECT_FALSE(ParseFileMetaData(long_binary, sizeof(long_binary), &m).ok());
  // An endless varint.
  const uint8_t varint[] = {0x15, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
  EXPECT_FALSE(ParseFileMetaData(varint, sizeof(varint), &m).ok());
}

TEST(MetadataCodec, ParsesOtherWritersFooters) {
  std::string dir = testing_support::FixturesDir() + "/parquet-testing/data";
  LOGDAEMON_REQUIRE_FIXTURE_DIR(dir);
  std::ifstream in(dir + "/alltypes_plain.parquet", std::ios::binary);
  std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(file.size(), 12u);
  uint32_t length;
  std::memcpy(&length, file.data() + file.size() - 8, 4);
  FileMetaData m;
  ASSERT_TRUE(
      ParseFileMetaData(reinterpret_cast<const uint8_t*>(file.data()) + file.size() - 8 - length, length, &m)
          .ok());
  EXPECT_EQ(m.num_rows, 8);
  EXPECT_EQ(m.schema.size(), 12u);
  EXPECT_EQ(m.schema[1].name, "id");
}

}  // namespace
}  // namespace metadata_codec_test
}  // namespace logdaemon::parquet
