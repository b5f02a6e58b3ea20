#include "storage/shredder.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <functional>

#include "schema/json_value.h"
#include "schema/rfc3339.h"
#include "schema/time_units.h"
#include "storage/file_names.h"

namespace logdaemon::storage {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// Bytes a JSON string cannot hold raw: '"', '\\' and the control characters. Everything else (UTF-8
// sequences included) passes through unchanged.
constexpr std::array<bool, 256> MakeEscapeTable() {
  std::array<bool, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[static_cast<size_t>(c)] = true;
  table['"'] = true;
  table['\\'] = true;
  return table;
}
constexpr std::array<bool, 256> kNeedsEscape = MakeEscapeTable();

void AppendJsonString(std::string_view text, parquet::ByteBuffer* out) {
  out->push_back('"');
  size_t run = 0;  // start of the bytes not yet copied
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (!kNeedsEscape[c]) continue;
    out->append(text.data() + run, i - run);
    run = i + 1;
    char escaped[6] = {'\\', 0, 0, 0, 0, 0};
    size_t n = 2;
    switch (c) {
      case '"':
        escaped[1] = '"';
        break;
      case '\\':
        escaped[1] = '\\';
        break;
      case '\b':
        escaped[1] = 'b';
        break;
      case '\f':
        escaped[1] = 'f';
        break;
      case '\n':
        escaped[1] = 'n';
        break;
      case '\r':
        escaped[1] = 'r';
        break;
      case '\t':
        escaped[1] = 't';
        break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        escaped[1] = 'u';
        escaped[2] = '0';
        escaped[3] = '0';
        escaped[4] = kHex[c >> 4];
        escaped[5] = kHex[c & 0xf];
        n = 6;
        break;
      }
    }
    out->append(escaped, n);
  }
  out->append(text.data() + run, text.size() - run);
  out->push_back('"');
}

template <typename T>
void AppendNumber(T value, parquet::ByteBuffer* out) {
  // 24 bytes hold any int64 / uint64 and any shortest round-trip double ("-2.2250738585072014e-308").
  constexpr size_t kMax = 32;
  char* first = reinterpret_cast<char*>(out->prepare(kMax));
  auto [end, ec] = std::to_chars(first, first + kMax, value);
  (void)ec;  // cannot fail with this much room
  out->commit(static_cast<size_t>(end - first));
}

std::string_view JsonTypeName(element_type type) {
  switch (type) {
    case element_type::ARRAY:
      return "array";
    case element_type::OBJECT:
      return "object";
    case element_type::INT64:
    case element_type::UINT64:
      return "integer";
    case element_type::DOUBLE:
      return "number";
    case element_type::STRING:
      return "string";
    case element_type::BOOL:
      return "boolean";
    case element_type::NULL_VALUE:
      return "null";
  }
  return "value";
}

std::string_view ExpectedName(ColumnType type) {
  switch (type) {
    case ColumnType::kTimestamp:
      return "a date-time string";
    case ColumnType::kString:
      return "string";
    case ColumnType::kInt64:
      return "integer";
    case ColumnType::kDouble:
      return "number";
    case ColumnType::kBoolean:
      return "boolean";
    case ColumnType::kJson:
      return "JSON";
  }
  return "value";
}

// "/<name>" as a JSON Pointer: '~' and '/' escaped.
std::string Pointer(std::string_view name) {
  std::string out = "/";
  for (char c : name) {
    if (c == '~') {
      out.append("~0");
    } else if (c == '/') {
      out.append("~1");
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Status PropertyError(std::string_view name, std::string_view what) {
  std::string msg = Pointer(name);
  msg.append(": ");
  msg.append(what);
  return Status::InvalidArgument(msg);
}

Status TypeError(std::string_view name, ColumnType expected, element_type got) {
  std::string what = "expected ";
  what.append(ExpectedName(expected));
  what.append(", got ");
  what.append(JsonTypeName(got));
  return PropertyError(name, what);
}

// A value quoted for an error message, cut to a readable length (at a UTF-8 boundary).
std::string Quoted(element value) {
  parquet::ByteBuffer buffer;
  AppendMinifiedJson(value, &buffer);
  std::string_view text = buffer.view();
  constexpr size_t kMaxBytes = 100;
  if (text.size() <= kMaxBytes) return std::string(text);
  size_t cut = kMaxBytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  std::string out(text.substr(0, cut));
  out.append("…");
  return out;
}

size_t HashKey(std::string_view key) {
  return std::hash<std::string_view>{}(key);
}

// Open addressing with linear probing over indexes into some list of names: slot = index + 1, 0 empty.
// slots.size() is a power of two and at most half full.
template <typename NameAt>
int ProbeFind(const std::vector<uint32_t>& slots, std::string_view key, NameAt name_at) {
  size_t mask = slots.size() - 1;
  for (size_t i = HashKey(key) & mask;; i = (i + 1) & mask) {
    uint32_t slot = slots[i];
    if (slot == 0) return -1;
    if (name_at(slot - 1) == key) return static_cast<int>(slot - 1);
  }
}

void ProbeInsert(std::vector<uint32_t>* slots, std::string_view key, uint32_t index) {
  size_t mask = slots->size() - 1;
  size_t i = HashKey(key) & mask;
  while ((*slots)[i] != 0) i = (i + 1) & mask;
  (*slots)[i] = index + 1;
}

size_t TableSizeFor(size_t count) {
  size_t size = 16;
  while (size < count * 2) size *= 2;
  return size;
}

// A limit as microseconds: a negative one counts as 0, a huge one saturates instead of wrapping.
int64_t LimitMicros(std::chrono::seconds seconds) {
  const int64_t s = seconds.count();
  if (s <= 0) return 0;
  if (s >= INT64_MAX / kMicrosPerSecond) return INT64_MAX;
  return s * kMicrosPerSecond;
}

int64_t FloorToSecond(int64_t micros) {
  int64_t rest = micros % kMicrosPerSecond;
  return rest < 0 ? micros - rest - kMicrosPerSecond : micros - rest;
}

// An instant for a message: RFC 3339 UTC, the fraction only when there is one.
void AppendInstant(int64_t micros, std::string* out) {
  schema::AppendRfc3339Micros(micros, out);
  constexpr std::string_view kNoFraction = ".000000Z";
  if (out->ends_with(kNoFraction)) {
    out->resize(out->size() - kNoFraction.size());
    out->push_back('Z');
  }
}

}  // namespace

TimeWindow WindowAround(int64_t now_micros, const std::optional<std::chrono::seconds>& max_age,
                        const std::optional<std::chrono::seconds>& max_future) {
  TimeWindow window;
  const int64_t floor = FloorToSecond(now_micros);
  if (max_age) {
    const int64_t age = LimitMicros(*max_age);
    window.from = floor < INT64_MIN + age ? INT64_MIN : floor - age;
  }
  if (max_future) {
    const int64_t ceil = floor == now_micros ? floor : floor + kMicrosPerSecond;
    const int64_t future = LimitMicros(*max_future);
    window.to = ceil > INT64_MAX - future ? INT64_MAX : ceil + future;
  }
  return window;
}

std::string TimeOutOfRangeMessage(int64_t micros, const TimeWindow& window) {
  std::string message = "timestamp ";
  AppendInstant(micros, &message);
  message.append(" outside the accepted window ");
  if (window.from == INT64_MIN) {
    message.append("(no limit)");
  } else {
    AppendInstant(window.from, &message);
  }
  message.append(" .. ");
  if (window.to == INT64_MAX) {
    message.append("(no limit)");
  } else {
    AppendInstant(window.to, &message);
  }
  return message;
}

void AppendMinifiedJson(element value, parquet::ByteBuffer* out) {
  switch (value.type()) {
    case element_type::OBJECT: {
      simdjson::dom::object object = schema::ObjectOf(value);
      out->push_back('{');
      bool first = true;
      for (simdjson::dom::key_value_pair field : object) {
        if (!first) out->push_back(',');
        first = false;
        AppendJsonString(field.key, out);
        out->push_back(':');
        AppendMinifiedJson(field.value, out);
      }
      out->push_back('}');
      return;
    }
    case element_type::ARRAY: {
      simdjson::dom::array array = schema::ArrayOf(value);
      out->push_back('[');
      bool first = true;
      for (element item : array) {
        if (!first) out->push_back(',');
        first = false;
        AppendMinifiedJson(item, out);
      }
      out->push_back(']');
      return;
    }
    case element_type::STRING:
      AppendJsonString(schema::StringOf(value), out);
      return;
    case element_type::INT64:
      AppendNumber(value.get_int64().value_unsafe(), out);
      return;
    case element_type::UINT64:
      AppendNumber(value.get_uint64().value_unsafe(), out);
      return;
    case element_type::DOUBLE:
      AppendNumber(value.get_double().value_unsafe(), out);
      return;
    case element_type::BOOL:
      out->append(value.get_bool().value_unsafe() ? std::string_view("true") : std::string_view("false"));
      return;
    case element_type::NULL_VALUE:
      out->append(std::string_view("null"));
      return;
  }
}

Shredder::Shredder(const TableLayout& layout, Partitioning partitioning)
    : time_column_(layout.time_column), extra_column_(layout.extra_column), partitioning_(partitioning) {
  for (const Column& column : layout.columns) {
    names_.push_back(column.name);
    types_.push_back(column.type);
    required_.push_back(column.required);
  }
  seen_.assign(names_.size(), 0);
  if (names_.size() > kLinearScanColumns) {
    column_slots_.assign(TableSizeFor(names_.size()), 0);
    for (size_t c = 0; c < names_.size(); ++c) {
      if (static_cast<int>(c) != extra_column_)
        ProbeInsert(&column_slots_, names_[c], static_cast<uint32_t>(c));
    }
  }
}

int Shredder::FindColumn(std::string_view key) const {
  if (!column_slots_.empty()) {
    return ProbeFind(column_slots_, key, [this](uint32_t c) { return std::string_view(names_[c]); });
  }
  for (size_t c = 0; c < names_.size(); ++c) {
    const std::string& name = names_[c];
    if (name.size() == key.size() && std::memcmp(name.data(), key.data(), key.size()) == 0 &&
        static_cast<int>(c) != extra_column_) {
      return static_cast<int>(c);
    }
  }
  return -1;
}

bool Shredder::ExtraKeySeen(std::string_view key) {
  size_t count = extra_keys_.size();
  if (count < kLinearScanExtraKeys) {
    for (std::string_view seen : extra_keys_) {
      if (seen == key) return true;
    }
  } else {
    if (count == kLinearScanExtraKeys || count * 2 > extra_slots_.size()) {
      // Entering hashed mode, or the table is half full: (re)build it. assign() keeps the capacity.
      extra_slots_.assign(TableSizeFor(count + 1), 0);
      for (size_t k = 0; k < count; ++k) ProbeInsert(&extra_slots_, extra_keys_[k], static_cast<uint32_t>(k));
    }
    if (ProbeFind(extra_slots_, key, [this](uint32_t k) { return extra_keys_[k]; }) >= 0) return true;
    ProbeInsert(&extra_slots_, key, static_cast<uint32_t>(count));
  }
  extra_keys_.push_back(key);
  return false;
}

Status Shredder::WriteValue(size_t c, element value, ColumnBuffer* column,
                            std::optional<int64_t>* row_time) const {
  element_type json_type = value.type();
  ColumnType type = types_[c];
  if (json_type == element_type::NULL_VALUE) {
    if (!required_[c]) {
      if (column != nullptr) column->AppendNull();
      return Status::OK();
    }
    if (type == ColumnType::kJson) {
      if (column != nullptr) column->bytes.append("null");
      return Status::OK();
    }
    return TypeError(names_[c], type, json_type);
  }
  // Every check comes before MarkPresent, so a failing value leaves nothing behind in its column; a
  // check only (no column) returns right there.
  switch (type) {
    case ColumnType::kJson:
      if (column == nullptr) return Status::OK();
      column->MarkPresent();
      AppendMinifiedJson(value, &column->bytes.bytes);
      column->bytes.offsets.push_back(static_cast<uint32_t>(column->bytes.bytes.size()));
      return Status::OK();
    case ColumnType::kString:
      if (json_type != element_type::STRING) return TypeError(names_[c], type, json_type);
      if (column == nullptr) return Status::OK();
      column->MarkPresent();
      column->bytes.append(schema::StringOf(value));
      return Status::OK();
    case ColumnType::kTimestamp: {
      if (json_type != element_type::STRING) return TypeError(names_[c], type, json_type);
      int64_t micros = 0;
      if (!schema::ParseRfc3339DateTime(schema::StringOf(value), &micros)) {
        std::string what = Quoted(value);
        what.append(" is not an RFC 3339 date-time");
        return PropertyError(names_[c], what);
      }
      if (static_cast<int>(c) == time_column_) *row_time = micros;
      if (column == nullptr) return Status::OK();
      column->MarkPresent();
      column->int64s.push_back(micros);
      return Status::OK();
    }
    case ColumnType::kInt64: {
      int64_t v = 0;
      if (json_type == element_type::INT64) {
        v = value.get_int64().value_unsafe();
      } else if (json_type == element_type::DOUBLE) {
        double d = value.get_double().value_unsafe();
        if (d != std::trunc(d)) {
          std::string what = Quoted(value);
          what.append(" is not an integer");
          return PropertyError(names_[c], what);
        }
        // [-2^63, 2^63): both bounds are exact doubles.
        if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) {
          std::string what = "integer ";
          what.append(Quoted(value));
          what.append(" is out of the INT64 range");
          return PropertyError(names_[c], what);
        }
        v = static_cast<int64_t>(d);
      } else if (json_type == element_type::UINT64) {
        // simdjson uses UINT64 only above INT64_MAX.
        std::string what = "integer ";
        what.append(Quoted(value));
        what.append(" is out of the INT64 range");
        return PropertyError(names_[c], what);
      } else {
        return TypeError(names_[c], type, json_type);
      }
      if (column == nullptr) return Status::OK();
      column->MarkPresent();
      column->int64s.push_back(v);
      return Status::OK();
    }
    case ColumnType::kDouble: {
      double d = 0;
      if (json_type == element_type::DOUBLE) {
        d = value.get_double().value_unsafe();
      } else if (json_type == element_type::INT64) {
        d = static_cast<double>(value.get_int64().value_unsafe());
      } else if (json_type == element_type::UINT64) {
        d = static_cast<double>(value.get_uint64().value_unsafe());
      } else {
        return TypeError(names_[c], type, json_type);
      }
      if (column == nullptr) return Status::OK();
      column->MarkPresent();
      column->doubles.push_back(d);
      return Status::OK();
    }
    case ColumnType::kBoolean:
      if (json_type != element_type::BOOL) return TypeError(names_[c], type, json_type);
      if (column == nullptr) return Status::OK();
      column->MarkPresent();
      column->booleans.push_back(value.get_bool().value_unsafe() ? 1 : 0);
      return Status::OK();
  }
  return TypeError(names_[c], type, json_type);
}

void Shredder::NextRow() {
  if (++generation_ == 0) {
    // Wrapped after 2^32 rows: old marks could collide with the new generations.
    std::fill(seen_.begin(), seen_.end(), 0);
    generation_ = 1;
  }
  extra_keys_.clear();
}

Status Shredder::Check(element document, const TimeWindow& window) {
  simdjson::dom::object object;
  if (document.get_object().get(object) != simdjson::SUCCESS) return Status::InvalidArgument("not an object");
  NextRow();
  std::optional<int64_t> row_time;
  // Append's walk without its writes: undeclared keys go into `_extra`, which cannot fail; of a declared
  // key only the first occurrence counts.
  for (simdjson::dom::key_value_pair field : object) {
    const int c = FindColumn(field.key);
    if (c < 0) continue;
    const size_t col = static_cast<size_t>(c);
    if (seen_[col] == generation_) continue;
    seen_[col] = generation_;
    if (Status status = WriteValue(col, field.value, nullptr, &row_time); !status.ok()) return status;
  }
  return RowChecks(row_time, window);
}

Status Shredder::RowChecks(const std::optional<int64_t>& row_time, const TimeWindow& window) const {
  if (row_time && !window.Contains(*row_time))
    return Status::OutOfRange(TimeOutOfRangeMessage(*row_time, window));
  for (size_t c = 0; c < names_.size(); ++c) {
    if (seen_[c] != generation_ && required_[c] && static_cast<int>(c) != extra_column_) {
      return PropertyError(names_[c], "required property is missing");
    }
  }
  return Status::OK();
}

Status Shredder::Append(element document, int64_t now_micros, int64_t arrival_ns, const TimeWindow& window,
                        RowBatch* batch) {
  simdjson::dom::object object;
  if (document.get_object().get(object) != simdjson::SUCCESS) return Status::InvalidArgument("not an object");
  std::vector<ColumnBuffer>& columns = batch->columns();
  NextRow();
  parquet::ByteBuffer* extra =
      extra_column_ >= 0 ? &columns[static_cast<size_t>(extra_column_)].bytes.bytes : nullptr;
  bool extra_open = false;
  std::optional<int64_t> row_time;  // the time column's value, when the log has one

  for (simdjson::dom::key_value_pair field : object) {
    int c = FindColumn(field.key);
    if (c < 0) {
      // Undeclared: written straight into `_extra`'s bytes; its offset is pushed once the object closes.
      if (extra == nullptr || ExtraKeySeen(field.key)) continue;
      extra->push_back(extra_open ? ',' : '{');
      extra_open = true;
      AppendJsonString(field.key, extra);
      extra->push_back(':');
      AppendMinifiedJson(field.value, extra);
      continue;
    }
    size_t col = static_cast<size_t>(c);
    if (seen_[col] == generation_) continue;  // a duplicate key: the first occurrence is kept
    seen_[col] = generation_;
    Status status = WriteValue(col, field.value, &columns[col], &row_time);
    if (!status.ok()) {
      batch->RollbackRow();
      return status;
    }
  }
  if (Status status = RowChecks(row_time, window); !status.ok()) {
    batch->RollbackRow();
    return status;
  }

  if (extra != nullptr) {
    ColumnBuffer& column = columns[static_cast<size_t>(extra_column_)];
    if (extra_open) {
      extra->push_back('}');
      column.MarkPresent();
      column.bytes.offsets.push_back(static_cast<uint32_t>(extra->size()));
    } else {
      column.AppendNull();
    }
    seen_[static_cast<size_t>(extra_column_)] = generation_;
  }
  for (size_t c = 0; c < names_.size(); ++c) {
    if (seen_[c] != generation_) columns[c].AppendNull();  // optional: RowChecks found every required one
  }
  const int64_t time = row_time.value_or(now_micros);
  batch->CommitRow(PartitionKey(partitioning_, time), time, arrival_ns);
  return Status::OK();
}

}  // namespace logdaemon::storage
