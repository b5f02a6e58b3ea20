#include "query/dictionary_eval.h"

#include <algorithm>

namespace logdaemon::query {

bool DictionaryFilter::Prepare(const ColumnSource& source) {
  if (!source.dictionary_encoded()) return false;
  if (source.generation() != generation_) {
    generation_ = source.generation();
    const parquet::ByteArrayValues& dictionary = source.dictionary();
    passes_.assign(dictionary.count(), 0);
    for (size_t i = 0; i < dictionary.count(); ++i) {
      passes_[i] = std::find(wanted_.begin(), wanted_.end(), dictionary[i]) != wanted_.end();
    }
  }
  return true;
}

size_t DictionaryFilter::Select(const ColumnSource& source, size_t begin, size_t end, uint32_t* rows) const {
  size_t n = 0;
  if (source.has_nulls()) {
    for (size_t r = begin; r < end; ++r) {
      rows[n] = static_cast<uint32_t>(r);
      n += Passes(source, r) ? 1 : 0;
    }
    return n;
  }
  // Every row is written and the count advances only for those that pass: no branch to mispredict.
  const uint32_t* indices = source.dict_indices(begin);
  const uint8_t* passes = passes_.data();
  for (size_t i = 0; i < end - begin; ++i) {
    rows[n] = static_cast<uint32_t>(begin + i);
    n += passes[indices[i]];
  }
  return n;
}

size_t DictionaryFilter::Refine(const ColumnSource& source, uint32_t* rows, size_t n) const {
  size_t kept = 0;
  for (size_t i = 0; i < n; ++i) {
    rows[kept] = rows[i];
    kept += Passes(source, rows[i]) ? 1 : 0;
  }
  return kept;
}

void DictionaryCounts::Switch(const ColumnSource& source, GroupCount* groups) {
  if (source_ != &source || source.generation() != generation_) {
    Fold(groups);
    source_ = &source;
    generation_ = source.generation();
    counts_.assign(source.dictionary().count(), 0);
  }
}

void DictionaryCounts::AddEntries(const ColumnSource& source, std::span<const uint32_t> entries,
                                  GroupCount* groups) {
  Switch(source, groups);
  for (uint32_t entry : entries) {
    if (entry == parquet::kNullDictIndex) {
      ++nulls_;
    } else {
      ++counts_[entry];
    }
  }
}

void DictionaryCounts::Add(const ColumnSource& source, std::span<const uint32_t> rows, GroupCount* groups) {
  Switch(source, groups);
  for (uint32_t r : rows) {
    const int64_t entry = source.dict_index(r);
    if (entry < 0) {
      ++nulls_;
    } else {
      ++counts_[static_cast<size_t>(entry)];
    }
  }
}

void DictionaryCounts::Fold(GroupCount* groups) {
  if (source_ != nullptr && source_->generation() == generation_) {
    const parquet::ByteArrayValues& dictionary = source_->dictionary();
    const bool json = source_->type() == ValueType::kJson;
    for (size_t i = 0; i < counts_.size(); ++i) {
      if (counts_[i] == 0) continue;
      groups->Add(json ? Value::Json(dictionary[i]) : Value::String(dictionary[i]), counts_[i]);
    }
  }
  if (nulls_ != 0) groups->Add(Value::Null(), nulls_);
  source_ = nullptr;
  generation_ = ~uint64_t{0};
  counts_.clear();
  nulls_ = 0;
}

}  // namespace logdaemon::query
