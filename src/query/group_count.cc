#include "query/group_count.h"

#include <algorithm>
#include <cstring>

namespace logdaemon::query {

void GroupCount::Add(const Value& value, uint64_t count) {
  probe_.type = value.type;
  switch (value.type) {
    case ValueType::kNull:
      probe_.bytes.clear();
      break;
    case ValueType::kBool:
      probe_.bytes.assign(1, value.b ? '\1' : '\0');
      break;
    case ValueType::kInt64:
    case ValueType::kTimestamp:
      probe_.bytes.assign(reinterpret_cast<const char*>(&value.i), sizeof(value.i));
      break;
    case ValueType::kDouble:
      probe_.bytes.assign(reinterpret_cast<const char*>(&value.d), sizeof(value.d));
      break;
    case ValueType::kString:
    case ValueType::kJson:
      probe_.bytes.assign(value.s);
      break;
  }
  auto it = counts_.find(probe_);
  if (it != counts_.end()) {
    it->second += count;
  } else {
    counts_.emplace(probe_, count);
  }
}

void GroupCount::Merge(const GroupCount& other) {
  for (const auto& [key, count] : other.counts_) counts_[key] += count;
}

Value GroupCount::ValueOf(const Key& key) {
  switch (key.type) {
    case ValueType::kNull:
      return Value::Null();
    case ValueType::kBool:
      return Value::Bool(key.bytes[0] != 0);
    case ValueType::kInt64:
    case ValueType::kTimestamp: {
      int64_t v;
      std::memcpy(&v, key.bytes.data(), sizeof(v));
      return key.type == ValueType::kInt64 ? Value::Int64(v) : Value::Timestamp(v);
    }
    case ValueType::kDouble: {
      double v;
      std::memcpy(&v, key.bytes.data(), sizeof(v));
      return Value::Double(v);
    }
    case ValueType::kString:
      return Value::String(key.bytes);
    case ValueType::kJson:
      return Value::Json(key.bytes);
  }
  return Value::Null();
}

std::vector<std::pair<Value, uint64_t>> GroupCount::Sorted() const {
  std::vector<std::pair<const Key*, uint64_t>> groups;
  groups.reserve(counts_.size());
  for (const auto& [key, count] : counts_) groups.emplace_back(&key, count);
  std::sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) {
    if (a.second != b.second) return a.second > b.second;
    const bool a_null = a.first->type == ValueType::kNull, b_null = b.first->type == ValueType::kNull;
    if (a_null != b_null) return b_null;
    const Value va = ValueOf(*a.first), vb = ValueOf(*b.first);
    switch (va.type) {
      case ValueType::kInt64:
      case ValueType::kTimestamp:
        return va.i < vb.i;
      case ValueType::kDouble:
        return va.d < vb.d;
      case ValueType::kBool:
        return va.b < vb.b;
      default:
        return a.first->bytes < b.first->bytes;
    }
  });
  std::vector<std::pair<Value, uint64_t>> sorted;
  sorted.reserve(groups.size());
  for (const auto& [key, count] : groups) sorted.emplace_back(ValueOf(*key), count);
  return sorted;
}

}  // namespace logdaemon::query
