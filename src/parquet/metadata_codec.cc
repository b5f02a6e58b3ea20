#include "parquet/metadata_codec.h"

#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "parquet/thrift_compact.h"

namespace logdaemon::parquet {

namespace {

using T = CompactType;

// ---------------------------------------------------------------------------------------------------
// Writing

void WriteStatistics(CompactWriter& w, const Statistics& s) {
  if (s.max) w.FieldBinary(1, *s.max);
  if (s.min) w.FieldBinary(2, *s.min);
  if (s.null_count) w.FieldI64(3, *s.null_count);
  if (s.distinct_count) w.FieldI64(4, *s.distinct_count);
  if (s.max_value) w.FieldBinary(5, *s.max_value);
  if (s.min_value) w.FieldBinary(6, *s.min_value);
  if (s.is_max_value_exact) w.FieldBool(7, *s.is_max_value_exact);
  if (s.is_min_value_exact) w.FieldBool(8, *s.is_min_value_exact);
  if (s.nan_count) w.FieldI64(9, *s.nan_count);
}

void WriteTimeUnit(CompactWriter& w, int16_t id, TimeUnit unit) {
  w.FieldStructBegin(id);
  w.FieldStructBegin(static_cast<int16_t>(unit));  // MILLIS=1, MICROS=2, NANOS=3: empty structs
  w.StructEnd();
  w.StructEnd();
}

void WriteLogicalType(CompactWriter& w, const LogicalType& t) {
  w.FieldStructBegin(static_cast<int16_t>(t.kind));
  switch (t.kind) {
    case LogicalType::kDecimal:
      w.FieldI32(1, t.scale);
      w.FieldI32(2, t.precision);
      break;
    case LogicalType::kTime:
    case LogicalType::kTimestamp:
      w.FieldBool(1, t.is_adjusted_to_utc);
      WriteTimeUnit(w, 2, t.unit);
      break;
    case LogicalType::kInteger:
      w.FieldI8(1, t.bit_width);
      w.FieldBool(2, t.is_signed);
      break;
    default:
      break;  // the other members are empty structs
  }
  w.StructEnd();
}

void WriteSchemaElement(CompactWriter& w, const SchemaElement& e) {
  w.StructBegin();
  if (e.type) w.FieldI32(1, static_cast<int32_t>(*e.type));
  if (e.type_length) w.FieldI32(2, *e.type_length);
  if (e.repetition_type) w.FieldI32(3, static_cast<int32_t>(*e.repetition_type));
  w.FieldBinary(4, e.name);
  if (e.num_children) w.FieldI32(5, *e.num_children);
  if (e.converted_type) w.FieldI32(6, static_cast<int32_t>(*e.converted_type));
  if (e.scale) w.FieldI32(7, *e.scale);
  if (e.precision) w.FieldI32(8, *e.precision);
  if (e.field_id) w.FieldI32(9, *e.field_id);
  if (e.logical_type) {
    w.FieldStructBegin(10);
    WriteLogicalType(w, *e.logical_type);
    w.StructEnd();
  }
  w.StructEnd();
}

void WriteKeyValues(CompactWriter& w, int16_t id, const std::vector<KeyValue>& kvs) {
  w.FieldListBegin(id, T::kStruct, kvs.size());
  for (const auto& kv : kvs) {
    w.StructBegin();
    w.FieldBinary(1, kv.key);
    if (kv.value) w.FieldBinary(2, *kv.value);
    w.StructEnd();
  }
}

void WriteColumnMetaData(CompactWriter& w, const ColumnMetaData& m) {
  w.FieldI32(1, static_cast<int32_t>(m.type));
  w.FieldListBegin(2, T::kI32, m.encodings.size());
  for (auto e : m.encodings) w.I32(static_cast<int32_t>(e));
  w.FieldListBegin(3, T::kBinary, m.path_in_schema.size());
  for (const auto& p : m.path_in_schema) w.Binary(p);
  w.FieldI32(4, static_cast<int32_t>(m.codec));
  w.FieldI64(5, m.num_values);
  w.FieldI64(6, m.total_uncompressed_size);
  w.FieldI64(7, m.total_compressed_size);
  if (m.key_value_metadata) WriteKeyValues(w, 8, *m.key_value_metadata);
  w.FieldI64(9, m.data_page_offset);
  if (m.index_page_offset) w.FieldI64(10, *m.index_page_offset);
  if (m.dictionary_page_offset) w.FieldI64(11, *m.dictionary_page_offset);
  if (m.statistics) {
    w.FieldStructBegin(12);
    WriteStatistics(w, *m.statistics);
    w.StructEnd();
  }
  if (m.encoding_stats) {
    w.FieldListBegin(13, T::kStruct, m.encoding_stats->size());
    for (const auto& s : *m.encoding_stats) {
      w.StructBegin();
      w.FieldI32(1, static_cast<int32_t>(s.page_type));
      w.FieldI32(2, static_cast<int32_t>(s.encoding));
      w.FieldI32(3, s.count);
      w.StructEnd();
    }
  }
  if (m.bloom_filter_offset) w.FieldI64(14, *m.bloom_filter_offset);
  if (m.bloom_filter_length) w.FieldI32(15, *m.bloom_filter_length);
}

void WriteColumnChunk(CompactWriter& w, const ColumnChunk& c) {
  w.StructBegin();
  if (c.file_path) w.FieldBinary(1, *c.file_path);
  w.FieldI64(2, c.file_offset);
  if (c.meta_data) {
    w.FieldStructBegin(3);
    WriteColumnMetaData(w, *c.meta_data);
    w.StructEnd();
  }
  if (c.offset_index_offset) w.FieldI64(4, *c.offset_index_offset);
  if (c.offset_index_length) w.FieldI32(5, *c.offset_index_length);
  if (c.column_index_offset) w.FieldI64(6, *c.column_index_offset);
  if (c.column_index_length) w.FieldI32(7, *c.column_index_length);
  w.StructEnd();
}

void WriteRowGroup(CompactWriter& w, const RowGroup& g) {
  w.StructBegin();
  w.FieldListBegin(1, T::kStruct, g.columns.size());
  for (const auto& c : g.columns) WriteColumnChunk(w, c);
  w.FieldI64(2, g.total_byte_size);
  w.FieldI64(3, g.num_rows);
  if (g.sorting_columns) {
    w.FieldListBegin(4, T::kStruct, g.sorting_columns->size());
    for (const auto& s : *g.sorting_columns) {
      w.StructBegin();
      w.FieldI32(1, s.column_idx);
      w.FieldBool(2, s.descending);
      w.FieldBool(3, s.nulls_first);
      w.StructEnd();
    }
  }
  if (g.file_offset) w.FieldI64(5, *g.file_offset);
  if (g.total_compressed_size) w.FieldI64(6, *g.total_compressed_size);
  if (g.ordinal) w.FieldI16(7, *g.ordinal);
  w.StructEnd();
}

// ---------------------------------------------------------------------------------------------------
// Reading

// One field of a struct being read: typed accessors that read the value when the wire type is the
// expected one, and leave it for skipping otherwise.
class Field {
 public:
  Field(CompactReader& reader, CompactType type) : reader_(reader), type_(type) {}
  bool handled() const { return handled_; }
  CompactReader& reader() { return reader_; }

  Status I32(int32_t* v) { return Take(T::kI32) ? reader_.ReadI32(v) : Status::OK(); }
  Status I64(int64_t* v) { return Take(T::kI64) ? reader_.ReadI64(v) : Status::OK(); }
  Status I16(int16_t* v) { return Take(T::kI16) ? reader_.ReadI16(v) : Status::OK(); }
  Status I8(int8_t* v) { return Take(T::kByte) ? reader_.ReadI8(v) : Status::OK(); }
  Status Binary(std::string* v) { return Take(T::kBinary) ? reader_.ReadBinary(v) : Status::OK(); }
  Status Bool(bool* v) {
    if (type_ == T::kBooleanTrue || type_ == T::kBooleanFalse) {
      handled_ = true;
      *v = type_ == T::kBooleanTrue;
    }
    return Status::OK();
  }
  template <typename E>
  Status Enum(E* v) {
    int32_t raw = 0;
    Status st = I32(&raw);
    if (handled_) *v = static_cast<E>(raw);
    return st;
  }
  // std::optional members: set only when the field is really there.
  template <typename V>
  Status Optional(std::optional<V>* v) {
    V value{};
    Status st = Plain(&value);
    if (handled_ && st.ok()) *v = std::move(value);
    return st;
  }
  Status Struct(const std::function<Status(CompactReader&)>& parse) {
    return Take(T::kStruct) ? parse(reader_) : Status::OK();
  }
  // A list whose elements have wire type `element`; each is read by `read(reader, index)`.
  Status List(CompactType element, const std::function<Status(CompactReader&, size_t count)>& start,
              const std::function<Status(CompactReader&, size_t)>& read) {
    if (!Take(T::kList)) return Status::OK();
    CompactType got;
    size_t count;
    if (Status st = reader_.ReadListHeader(&got, &count); !st.ok()) return st;
    bool boolean_list = element == T::kBooleanTrue && (got == T::kBooleanTrue || got == T::kBooleanFalse);
    if (got != element && !boolean_list && count > 0) {
      // Not the element type the spec says: skip the elements.
      bool discard = false;
      for (size_t i = 0; i < count; ++i) {
        Status st = (got == T::kBooleanTrue || got == T::kBooleanFalse) ? reader_.ReadBoolElement(&discard)
                                                                        : reader_.Skip(got);
        if (!st.ok()) return st;
      }
      return Status::OK();
    }
    if (Status st = start(reader_, count); !st.ok()) return st;
    for (size_t i = 0; i < count; ++i) {
      if (Status st = read(reader_, i); !st.ok()) return st;
    }
    return Status::OK();
  }

 private:
  bool Take(CompactType expected) {
    if (type_ != expected) return false;
    handled_ = true;
    return true;
  }
  Status Plain(int32_t* v) { return I32(v); }
  Status Plain(int64_t* v) { return I64(v); }
  Status Plain(int16_t* v) { return I16(v); }
  Status Plain(bool* v) { return Bool(v); }
  Status Plain(std::string* v) { return Binary(v); }
  template <typename E>
  Status Plain(E* v) {
    return Enum(v);
  }

  CompactReader& reader_;
  CompactType type_;
  bool handled_ = false;
};

// Reads a struct, handing each field to `field(id, Field&)`; fields it does not take are skipped.
// *seen receives a bit per field id 1..63 that was taken.
Status ReadStruct(CompactReader& r, uint64_t* seen, const std::function<Status(int16_t, Field&)>& field) {
  if (Status st = r.StructBegin(); !st.ok()) return st;
  uint64_t mask = 0;
  while (true) {
    int16_t id = 0;
    CompactType type;
    if (Status st = r.ReadFieldHeader(&id, &type); !st.ok()) return st;
    if (type == T::kStop) break;
    Field f(r, type);
    if (Status st = field(id, f); !st.ok()) return st;
    if (f.handled()) {
      if (id > 0 && id < 64) mask |= uint64_t{1} << id;
    } else if (Status st = r.Skip(type); !st.ok()) {
      return st;
    }
  }
  r.StructEnd();
  if (seen) *seen = mask;
  return Status::OK();
}

Status Require(uint64_t seen, const char* struct_name,
               std::initializer_list<std::pair<int, const char*>> fields) {
  for (const auto& [id, name] : fields) {
    if ((seen & (uint64_t{1} << id)) == 0) {
      return Status::Corruption(std::string("thrift: ") + struct_name + "." + name + " missing");
    }
  }
  return Status::OK();
}

Status ReadStatistics(CompactReader& r, Statistics* s) {
  return ReadStruct(r, nullptr, [&](int16_t id, Field& f) -> Status {
    switch (id) {
      case 1:
        return f.Optional(&s->max);
      case 2:
        return f.Optional(&s->min);
      case 3:
        return f.Optional(&s->null_count);
      case 4:
        return f.Optional(&s->distinct_count);
      case 5:
        return f.Optional(&s->max_value);
      case 6:
        return f.Optional(&s->min_value);
      case 7:
        return f.Optional(&s->is_max_value_exact);
      case 8:
        return f.Optional(&s->is_min_value_exact);
      case 9:
        return f.Optional(&s->nan_count);
    }
    return Status::OK();
  });
}

// A union: exactly one field is set; its id is the member.
Status ReadUnion(CompactReader& r, int32_t* member, const std::function<Status(int16_t, Field&)>& field) {
  *member = -1;
  return ReadStruct(r, nullptr, [&](int16_t id, Field& f) -> Status {
    if (*member == -1) *member = id;
    return field(id, f);
  });
}

Status ReadTimeUnit(CompactReader& r, TimeUnit* unit) {
  int32_t member = -1;
  if (Status st = ReadUnion(r, &member, [](int16_t, Field&) { return Status::OK(); }); !st.ok()) return st;
  if (member < 1 || member > 3)
    return Status::Corruption("thrift: unknown TimeUnit " + std::to_string(member));
  *unit = static_cast<TimeUnit>(member);
  return Status::OK();
}

Status ReadLogicalType(CompactReader& r, LogicalType* t) {
  int32_t member = -1;
  Status st = ReadUnion(r, &member, [&](int16_t id, Field& f) -> Status {
    if (id == LogicalType::kDecimal) {
      return f.Struct([&](CompactReader& rr) {
        return ReadStruct(rr, nullptr, [&](int16_t fid, Field& ff) -> Status {
          if (fid == 1) return ff.I32(&t->scale);
          if (fid == 2) return ff.I32(&t->precision);
          return Status::OK();
        });
      });
    }
    if (id == LogicalType::kTime || id == LogicalType::kTimestamp) {
      return f.Struct([&](CompactReader& rr) {
        return ReadStruct(rr, nullptr, [&](int16_t fid, Field& ff) -> Status {
          if (fid == 1) return ff.Bool(&t->is_adjusted_to_utc);
          if (fid == 2) return ff.Struct([&](CompactReader& rrr) { return ReadTimeUnit(rrr, &t->unit); });
          return Status::OK();
        });
      });
    }
    if (id == LogicalType::kInteger) {
      return f.Struct([&](CompactReader& rr) {
        return ReadStruct(rr, nullptr, [&](int16_t fid, Field& ff) -> Status {
          if (fid == 1) return ff.I8(&t->bit_width);
          if (fid == 2) return ff.Bool(&t->is_signed);
          return Status::OK();
        });
      });
    }
    return Status::OK();  // empty-struct members and unknown ones are skipped
  });
  if (!st.ok()) return st;
  if (member < 0) return Status::Corruption("thrift: empty LogicalType");
  t->kind = member;
  return Status::OK();
}

Status ReadSchemaElement(CompactReader& r, SchemaElement* e) {
  uint64_t seen = 0;
  Status st = ReadStruct(r, &seen, [&](int16_t id, Field& f) -> Status {
    switch (id) {
      case 1:
        return f.Optional(&e->type);
      case 2:
        return f.Optional(&e->type_length);
      case 3:
        return f.Optional(&e->repetition_type);
      case 4:
        return f.Binary(&e->name);
      case 5:
        return f.Optional(&e->num_children);
      case 6:
        return f.Optional(&e->converted_type);
      case 7:
        return f.Optional(&e->scale);
      case 8:
        return f.Optional(&e->precision);
      case 9:
        return f.Optional(&e->field_id);
      case 10:
        return f.Struct([&](CompactReader& rr) { return ReadLogicalType(rr, &e->logical_type.emplace()); });
    }
    return Status::OK();
  });
  if (!st.ok()) return st;
  return Require(seen, "SchemaElement", {{4, "name"}});
}

Status ReadKeyValues(Field& f, std::optional<std::vector<KeyValue>>* out) {
  return f.List(
      T::kStruct,
      [&](CompactReader&, size_t count) {
        out->emplace().reserve(count);
        return Status::OK();
      },
      [&](CompactReader& r, size_t) {
        KeyValue& kv = (*out)->emplace_back();
        uint64_t seen = 0;
        Status st = ReadStruct(r, &seen, [&](int16_t id, Field& ff) -> Status {
          if (id == 1) return ff.Binary(&kv.key);
          if (id == 2) return ff.Optional(&kv.value);
          return Status::OK();
        });
        if (!st.ok()) return st;
        return Require(seen, "KeyValue", {{1, "key"}});
      });
}

Status ReadColumnMetaData(CompactReader& r, ColumnMetaData* m) {
  uint64_t seen = 0;
  Status st = ReadStruct(r, &seen, [&](int16_t id, Field& f) -> Status {
    switch (id) {
      case 1:
        return f.Enum(&m->type);
      case 2:
        return f.List(
            T::kI32,
            [&](CompactReader&, size_t count) {
              m->encodings.reserve(count);
              return Status::OK();
            },
            [&](CompactReader& rr, size_t) {
              int32_t e;
              Status s = rr.ReadI32(&e);
              m->encodings.push_back(static_cast<Encoding>(e));
              return s;
            });
      case 3:
        return f.List(
            T::kBinary,
            [&](CompactReader&, size_t count) {
              m->path_in_schema.reserve(count);
              return Status::OK();
            },
            [&](CompactReader& rr, size_t) { return rr.ReadBinary(&m->path_in_schema.emplace_back()); });
      case 4:
        return f.Enum(&m->codec);
      case 5:
        return f.I64(&m->num_values);
      case 6:
        return f.I64(&m->total_uncompressed_size);
      case 7:
        return f.I64(&m->total_compressed_size);
      case 8:
        return ReadKeyValues(f, &m->key_value_metadata);
      case 9:
        return f.I64(&m->data_page_offset);
      case 10:
        return f.Optional(&m->index_page_offset);
      case 11:
        return f.Optional(&m->dictionary_page_offset);
      case 12:
        return f.Struct([&](CompactReader& rr) { return ReadStatistics(rr, &m->statistics.emplace()); });
      case 13:
        return f.List(
            T::kStruct,
            [&](CompactReader&, size_t count) {
              m->encoding_stats.emplace().reserve(count);
              return Status::OK();
            },
            [&](CompactReader& rr, size_t) {
              PageEncodingStats& s = m->encoding_stats->emplace_back();
              return ReadStruct(rr, nullptr, [&](int16_t fid, Field& ff) -> Status {
                if (fid == 1) return ff.Enum(&s.page_type);
                if (fid == 2) return ff.Enum(&s.encoding);
                if (fid == 3) return ff.I32(&s.count);
                return Status::OK();
              });
            });
      case 14:
        return f.Optional(&m->bloom_filter_offset);
      case 15:
        return f.Optional(&m->bloom_filter_length);
    }
    return Status::OK();
  });
  if (!st.ok()) return st;
  return Require(seen, "ColumnMetaData",
                 {{1, "type"},
                  {2, "encodings"},
                  {3, "path_in_schema"},
                  {4, "codec"},
                  {5, "num_values"},
                  {6, "total_uncompressed_size"},
                  {7, "total_compressed_size"},
                  {9, "data_page_offset"}});
}

Status ReadColumnChunk(CompactReader& r, ColumnChunk* c) {
  uint64_t seen = 0;
  return ReadStruct(r, &seen, [&](int16_t id, Field& f) -> Status {
    switch (id) {
      case 1:
        return f.Optional(&c->file_path);
      case 2:
        return f.I64(&c->file_offset);
      case 3:
        return f.Struct([&](CompactReader& rr) { return ReadColumnMetaData(rr, &c->meta_data.emplace()); });
      case 4:
        return f.Optional(&c->offset_index_offset);
      case 5:
        return f.Optional(&c->offset_index_length);
      case 6:
        return f.Optional(&c->column_index_offset);
      case 7:
        return f.Optional(&c->column_index_length);
      case 8:
      case 9:
        c->encrypted = true;
        return Status::OK();  // skipped; the reader refuses the column
    }
    return Status::OK();
  });
}

Status ReadRowGroup(CompactReader& r, RowGroup* g) {
  uint64_t seen = 0;
  Status st = ReadStruct(r, &seen, [&](int16_t id, Field& f) -> Status {
    switch (id) {
      case 1:
        return f.List(
            T::kStruct,
            [&](CompactReader&, size_t count) {
              g->columns.reserve(count);
              return Status::OK();
            },
            [&](CompactReader& rr, size_t) { return ReadColumnChunk(rr, &g->columns.emplace_back()); });
      case 2:
        return f.I64(&g->total_byte_size);
      case 3:
        return f.I64(&g->num_rows);
      case 4:
        return f.List(
            T::kStruct,
            [&](CompactReader&, size_t count) {
              g->sorting_columns.emplace().reserve(count);
              return Status::OK();
            },
            [&](CompactReader& rr, size_t) {
              SortingColumn& s = g->sorting_columns->emplace_back();
              return ReadStruct(rr, nullptr, [&](int16_t fid, Field& ff) -> Status {
                if (fid == 1) return ff.I32(&s.column_idx);
                if (fid == 2) return ff.Bool(&s.descending);
                if (fid == 3) return ff.Bool(&s.nulls_first);
                return Status::OK();
              });
            });
      case 5:
        return f.Optional(&g->file_offset);
      case 6:
        return f.Optional(&g->total_compressed_size);
      case 7:
        return f.Optional(&g->ordinal);
    }
    return Status::OK();
  });
  if (!st.ok()) return st;
  return Require(seen, "RowGroup", {{1, "columns"}, {2, "total_byte_size"}, {3, "num_rows"}});
}

}  // namespace

void SerializeFileMetaData(const FileMetaData& m, ByteBuffer* out) {
  CompactWriter w(out);
  w.StructBegin();
  w.FieldI32(1, m.version);
  w.FieldListBegin(2, T::kStruct, m.schema.size());
  for (const auto& e : m.schema) WriteSchemaElement(w, e);
  w.FieldI64(3, m.num_rows);
  w.FieldListBegin(4, T::kStruct, m.row_groups.size());
  for (const auto& g : m.row_groups) WriteRowGroup(w, g);
  if (m.key_value_metadata) WriteKeyValues(w, 5, *m.key_value_metadata);
  if (m.created_by) w.FieldBinary(6, *m.created_by);
  if (m.column_orders) {
    w.FieldListBegin(7, T::kStruct, m.column_orders->size());
    for (auto order : *m.column_orders) {
      w.StructBegin();
      w.FieldStructBegin(static_cast<int16_t>(order));
      w.StructEnd();
      w.StructEnd();
    }
  }
  w.StructEnd();
}

void SerializePageHeader(const PageHeader& h, ByteBuffer* out) {
  CompactWriter w(out);
  w.StructBegin();
  w.FieldI32(1, static_cast<int32_t>(h.type));
  w.FieldI32(2, h.uncompressed_page_size);
  w.FieldI32(3, h.compressed_page_size);
  if (h.crc) w.FieldI32(4, *h.crc);
  if (h.data_page_header) {
    const DataPageHeader& d = *h.data_page_header;
    w.FieldStructBegin(5);
    w.FieldI32(1, d.num_values);
    w.FieldI32(2, static_cast<int32_t>(d.encoding));
    w.FieldI32(3, static_cast<int32_t>(d.definition_level_encoding));
    w.FieldI32(4, static_cast<int32_t>(d.repetition_level_encoding));
    if (d.statistics) {
      w.FieldStructBegin(5);
      WriteStatistics(w, *d.statistics);
      w.StructEnd();
    }
    w.StructEnd();
  }
  if (h.dictionary_page_header) {
    const DictionaryPageHeader& d = *h.dictionary_page_header;
    w.FieldStructBegin(7);
    w.FieldI32(1, d.num_values);
    w.FieldI32(2, static_cast<int32_t>(d.encoding));
    if (d.is_sorted) w.FieldBool(3, *d.is_sorted);
    w.StructEnd();
  }
  if (h.data_page_header_v2) {
    const DataPageHeaderV2& d = *h.data_page_header_v2;
    w.FieldStructBegin(8);
    w.FieldI32(1, d.num_values);
    w.FieldI32(2, d.num_nulls);
    w.FieldI32(3, d.num_rows);
    w.FieldI32(4, static_cast<int32_t>(d.encoding));
    w.FieldI32(5, d.definition_levels_byte_length);
    w.FieldI32(6, d.repetition_levels_byte_length);
    if (d.is_compressed) w.FieldBool(7, *d.is_compressed);
    if (d.statistics) {
      w.FieldStructBegin(8);
      WriteStatistics(w, *d.statistics);
      w.StructEnd();
    }
    w.StructEnd();
  }
  w.StructEnd();
}

void SerializeColumnIndex(const ColumnIndex& c, ByteBuffer* out) {
  CompactWriter w(out);
  w.StructBegin();
  w.FieldListBegin(1, T::kBooleanTrue, c.null_pages.size());
  for (bool b : c.null_pages) w.Bool(b);
  w.FieldListBegin(2, T::kBinary, c.min_values.size());
  for (const auto& v : c.min_values) w.Binary(v);
  w.FieldListBegin(3, T::kBinary, c.max_values.size());
  for (const auto& v : c.max_values) w.Binary(v);
  w.FieldI32(4, static_cast<int32_t>(c.boundary_order));
  if (c.null_counts) {
    w.FieldListBegin(5, T::kI64, c.null_counts->size());
    for (int64_t n : *c.null_counts) w.I64(n);
  }
  w.StructEnd();
}

void SerializeOffsetIndex(const OffsetIndex& o, ByteBuffer* out) {
  CompactWriter w(out);
  w.StructBegin();
  w.FieldListBegin(1, T::kStruct, o.page_locations.size());
  for (const auto& p : o.page_locations) {
    w.StructBegin();
    w.FieldI64(1, p.offset);
    w.FieldI32(2, p.compressed_page_size);
    w.FieldI64(3, p.first_row_index);
    w.StructEnd();
  }
  if (o.unencoded_byte_array_data_bytes) {
    w.FieldListBegin(2, T::kI64, o.unencoded_byte_array_data_bytes->size());
    for (int64_t n : *o.unencoded_byte_array_data_bytes) w.I64(n);
  }
  w.StructEnd();
}

Status ParseFileMetaData(const uint8_t* data, size_t size, FileMetaData* m) {
  *m = FileMetaData();
  CompactReader r(data, size);
  uint64_t seen = 0;
  Status st = ReadStruct(r, &seen, [&](int16_t id, Field& f) -> Status {
    switch (id) {
      case 1:
        return f.I32(&m->version);
      case 2:
        return f.List(
            T::kStruct,
            [&](CompactReader&, size_t count) {
              m->schema.reserve(count);
              return Status::OK();
            },
            [&](CompactReader& rr, size_t) { return ReadSchemaElement(rr, &m->schema.emplace_back()); });
      case 3:
        return f.I64(&m->num_rows);
      case 4:
        return f.List(
            T::kStruct,
            [&](CompactReader&, size_t count) {
              m->row_groups.reserve(count);
              return Status::OK();
            },
            [&](CompactReader& rr, size_t) { return ReadRowGroup(rr, &m->row_groups.emplace_back()); });
      case 5:
        return ReadKeyValues(f, &m->key_value_metadata);
      case 6:
        return f.Optional(&m->created_by);
      case 7:
        return f.List(
            T::kStruct,
            [&](CompactReader&, size_t count) {
              m->column_orders.emplace().reserve(count);
              return Status::OK();
            },
            [&](CompactReader& rr, size_t) {
              int32_t member = -1;
              Status s = ReadUnion(rr, &member, [](int16_t, Field&) { return Status::OK(); });
              m->column_orders->push_back(static_cast<ColumnOrder>(member));
              return s;
            });
      case 8:
        m->encrypted = true;
        return Status::OK();  // skipped; the reader refuses the file
    }
    return Status::OK();
  });
  if (!st.ok()) return st;
  return Require(seen, "FileMetaData", {{1, "version"}, {2, "schema"}, {3, "num_rows"}, {4, "row_groups"}});
}

Status ParsePageHeader(const uint8_t* data, size_t size, PageHeader* h, size_t* header_size) {
  *h = PageHeader();
  CompactReader r(data, size);
  uint64_t seen = 0;
  Status st = ReadStruct(r, &seen, [&](int16_t id, Field& f) -> Status {
    switch (id) {
      case 1:
        return f.Enum(&h->type);
      case 2:
        return f.I32(&h->uncompressed_page_size);
      case 3:
        return f.I32(&h->compressed_page_size);
      case 4:
        return f.Optional(&h->crc);
      case 5:
        return f.Struct([&](CompactReader& rr) {
          DataPageHeader& d = h->data_page_header.emplace();
          uint64_t dseen = 0;
          Status s = ReadStruct(rr, &dseen, [&](int16_t fid, Field& ff) -> Status {
            switch (fid) {
              case 1:
                return ff.I32(&d.num_values);
              case 2:
                return ff.Enum(&d.encoding);
              case 3:
                return ff.Enum(&d.definition_level_encoding);
              case 4:
                return ff.Enum(&d.repetition_level_encoding);
              case 5:
                return ff.Struct(
                    [&](CompactReader& r3) { return ReadStatistics(r3, &d.statistics.emplace()); });
            }
            return Status::OK();
          });
          if (!s.ok()) return s;
          return Require(dseen, "DataPageHeader", {{1, "num_values"}, {2, "encoding"}});
        });
      case 7:
        return f.Struct([&](CompactReader& rr) {
          DictionaryPageHeader& d = h->dictionary_page_header.emplace();
          uint64_t dseen = 0;
          Status s = ReadStruct(rr, &dseen, [&](int16_t fid, Field& ff) -> Status {
            switch (fid) {
              case 1:
                return ff.I32(&d.num_values);
              case 2:
                return ff.Enum(&d.encoding);
              case 3:
                return ff.Optional(&d.is_sorted);
            }
            return Status::OK();
          });
          if (!s.ok()) return s;
          return Require(dseen, "DictionaryPageHeader", {{1, "num_values"}, {2, "encoding"}});
        });
      case 8:
        return f.Struct([&](CompactReader& rr) {
          DataPageHeaderV2& d = h->data_page_header_v2.emplace();
          uint64_t dseen = 0;
          Status s = ReadStruct(rr, &dseen, [&](int16_t fid, Field& ff) -> Status {
            switch (fid) {
              case 1:
                return ff.I32(&d.num_values);
              case 2:
                return ff.I32(&d.num_nulls);
              case 3:
                return ff.I32(&d.num_rows);
              case 4:
                return ff.Enum(&d.encoding);
              case 5:
                return ff.I32(&d.definition_levels_byte_length);
              case 6:
                return ff.I32(&d.repetition_levels_byte_length);
              case 7:
                return ff.Optional(&d.is_compressed);
              case 8:
                return ff.Struct(
                    [&](CompactReader& r3) { return ReadStatistics(r3, &d.statistics.emplace()); });
            }
            return Status::OK();
          });
          if (!s.ok()) return s;
          return Require(dseen, "DataPageHeaderV2",
                         {{1, "num_values"},
                          {2, "num_nulls"},
                          {3, "num_rows"},
                          {4, "encoding"},
                          {5, "definition_levels_byte_length"},
                          {6, "repetition_levels_byte_length"}});
        });
    }
    return Status::OK();
  });
  if (!st.ok()) return st;
  if (Status req = Require(seen, "PageHeader",
                           {{1, "type"}, {2, "uncompressed_page_size"}, {3, "compressed_page_size"}});
      !req.ok()) {
    return req;
  }
  *header_size = r.position();
  return Status::OK();
}

Status ParseColumnIndex(const uint8_t* data, size_t size, ColumnIndex* c) {
  *c = ColumnIndex();
  CompactReader r(data, size);
  uint64_t seen = 0;
  Status st = ReadStruct(r, &seen, [&](int16_t id, Field& f) -> Status {
    switch (id) {
      case 1:
        return f.List(
            T::kBooleanTrue,
            [&](CompactReader&, size_t count) {
              c->null_pages.reserve(count);
              return Status::OK();
            },
            [&](CompactReader& rr, size_t) {
              bool b = false;
              Status s = rr.ReadBoolElement(&b);
              c->null_pages.push_back(b);
              return s;
            });
      case 2:
        return f.List(
            T::kBinary,
            [&](CompactReader&, size_t count) {
              c->min_values.reserve(count);
              return Status::OK();
            },
            [&](CompactReader& rr, size_t) { return rr.ReadBinary(&c->min_values.emplace_back()); });
      case 3:
        return f.List(
            T::kBinary,
            [&](CompactReader&, size_t count) {
              c->max_values.reserve(count);
              return Status::OK();
            },
            [&](CompactReader& rr, size_t) { return rr.ReadBinary(&c->max_values.emplace_back()); });
      case 4:
        return f.Enum(&c->boundary_order);
      case 5:
        return f.List(
            T::kI64,
            [&](CompactReader&, size_t count) {
              c->null_counts.emplace().reserve(count);
              return Status::OK();
            },
            [&](CompactReader& rr, size_t) { return rr.ReadI64(&c->null_counts->emplace_back()); });
    }
    return Status::OK();
  });
  if (!st.ok()) return st;
  return Require(seen, "ColumnIndex",
                 {{1, "null_pages"}, {2, "min_values"}, {3, "max_values"}, {4, "boundary_order"}});
}

Status ParseOffsetIndex(const uint8_t* data, size_t size, OffsetIndex* o) {
  *o = OffsetIndex();
  CompactReader r(data, size);
  uint64_t seen = 0;
  Status st = ReadStruct(r, &seen, [&](int16_t id, Field& f) -> Status {
    switch (id) {
      case 1:
        return f.List(
            T::kStruct,
            [&](CompactReader&, size_t count) {
              o->page_locations.reserve(count);
              return Status::OK();
            },
            [&](CompactReader& rr, size_t) {
              PageLocation& p = o->page_locations.emplace_back();
              uint64_t pseen = 0;
              Status s = ReadStruct(rr, &pseen, [&](int16_t fid, Field& ff) -> Status {
                if (fid == 1) return ff.I64(&p.offset);
                if (fid == 2) return ff.I32(&p.compressed_page_size);
                if (fid == 3) return ff.I64(&p.first_row_index);
                return Status::OK();
              });
              if (!s.ok()) return s;
              return Require(pseen, "PageLocation",
                             {{1, "offset"}, {2, "compressed_page_size"}, {3, "first_row_index"}});
            });
      case 2:
        return f.List(
            T::kI64,
            [&](CompactReader&, size_t count) {
              o->unencoded_byte_array_data_bytes.emplace().reserve(count);
              return Status::OK();
            },
            [&](CompactReader& rr, size_t) {
              return rr.ReadI64(&o->unencoded_byte_array_data_bytes->emplace_back());
            });
    }
    return Status::OK();
  });
  if (!st.ok()) return st;
  return Require(seen, "OffsetIndex", {{1, "page_locations"}});
}

}  // namespace logdaemon::parquet
