#include "storage/wal_coverage.h"

#include <algorithm>
#include <optional>

#include "parquet/file_reader.h"

namespace logdaemon::storage {

namespace {

// Parses a decimal number at the front of *text and consumes it.
bool TakeNumber(std::string_view* text, uint64_t* value) {
  size_t n = 0;
  uint64_t v = 0;
  while (n < text->size() && (*text)[n] >= '0' && (*text)[n] <= '9') {
    const uint64_t digit = static_cast<uint64_t>((*text)[n] - '0');
    if (v > (UINT64_MAX - digit) / 10) return false;
    v = v * 10 + digit;
    ++n;
  }
  if (n == 0) return false;
  text->remove_prefix(n);
  *value = v;
  return true;
}

}  // namespace

void WalCoverage::Insert(std::vector<LsnRange>* ranges, LsnRange range) {
  // The common case: at or after the end.
  if (ranges->empty() || ranges->back().last + 1 < range.first) {
    ranges->push_back(range);
    return;
  }
  if (ranges->back().first <= range.first) {
    ranges->back().last = std::max(ranges->back().last, range.last);
    return;
  }
  // Out of order (merging coverages): insert, then coalesce neighbours.
  auto it = std::lower_bound(ranges->begin(), ranges->end(), range,
                             [](const LsnRange& a, const LsnRange& b) { return a.first < b.first; });
  it = ranges->insert(it, range);
  size_t i = static_cast<size_t>(it - ranges->begin());
  if (i > 0 && (*ranges)[i - 1].last + 1 >= (*ranges)[i].first) --i;
  size_t j = i + 1;
  while (j < ranges->size() && (*ranges)[i].last + 1 >= (*ranges)[j].first) {
    (*ranges)[i].last = std::max((*ranges)[i].last, (*ranges)[j].last);
    ++j;
  }
  ranges->erase(ranges->begin() + static_cast<ptrdiff_t>(i) + 1, ranges->begin() + static_cast<ptrdiff_t>(j));
}

void WalCoverage::Add(uint32_t stream, uint64_t lsn) {
  std::vector<LsnRange>& ranges = streams_[stream];
  if (!ranges.empty() && ranges.back().last + 1 == lsn) {
    ranges.back().last = lsn;
    return;
  }
  Insert(&ranges, {lsn, lsn});
}

void WalCoverage::AddAll(uint32_t stream, const std::vector<uint64_t>& lsns) {
  if (lsns.empty()) return;
  std::vector<LsnRange>& ranges = streams_[stream];
  for (uint64_t lsn : lsns) {
    if (!ranges.empty() && ranges.back().last + 1 == lsn) {
      ranges.back().last = lsn;
    } else {
      Insert(&ranges, {lsn, lsn});
    }
  }
}

void WalCoverage::Merge(const WalCoverage& other) {
  for (const auto& [stream, ranges] : other.streams_) {
    std::vector<LsnRange>& mine = streams_[stream];
    for (const LsnRange& range : ranges) Insert(&mine, range);
  }
}

bool WalCoverage::Covers(uint32_t stream, uint64_t lsn) const {
  auto it = streams_.find(stream);
  if (it == streams_.end()) return false;
  const std::vector<LsnRange>& ranges = it->second;
  auto after = std::upper_bound(ranges.begin(), ranges.end(), lsn,
                                [](uint64_t value, const LsnRange& r) { return value < r.first; });
  return after != ranges.begin() && std::prev(after)->last >= lsn;
}

uint64_t WalCoverage::MinLsn(uint32_t stream) const {
  auto it = streams_.find(stream);
  return it == streams_.end() || it->second.empty() ? 0 : it->second.front().first;
}

uint64_t WalCoverage::MaxLsn(uint32_t stream) const {
  auto it = streams_.find(stream);
  return it == streams_.end() || it->second.empty() ? 0 : it->second.back().last;
}

std::string WalCoverage::Encode() const {
  std::string out;
  for (const auto& [stream, ranges] : streams_) {
    if (ranges.empty()) continue;
    if (!out.empty()) out += ';';
    out += std::to_string(stream);
    out += ':';
    for (size_t i = 0; i < ranges.size(); ++i) {
      if (i > 0) out += ',';
      out += std::to_string(ranges[i].first);
      if (ranges[i].last != ranges[i].first) {
        out += '-';
        out += std::to_string(ranges[i].last);
      }
    }
  }
  return out;
}

Result<WalCoverage> WalCoverage::Decode(std::string_view text) {
  WalCoverage coverage;
  const std::string_view whole = text;
  auto error = [&](std::string_view what) {
    return Status::InvalidArgument("write-ahead log coverage \"" + std::string(whole.substr(0, 80)) +
                                   "\": " + std::string(what) + " at offset " +
                                   std::to_string(whole.size() - text.size()));
  };
  while (!text.empty()) {
    uint64_t stream = 0;
    if (!TakeNumber(&text, &stream) || stream > UINT32_MAX) return error("a stream number expected");
    if (text.empty() || text.front() != ':') return error("':' expected");
    text.remove_prefix(1);
    std::vector<LsnRange>& ranges = coverage.streams_[static_cast<uint32_t>(stream)];
    for (;;) {
      LsnRange range;
      if (!TakeNumber(&text, &range.first)) return error("an LSN expected");
      range.last = range.first;
      if (!text.empty() && text.front() == '-') {
        text.remove_prefix(1);
        if (!TakeNumber(&text, &range.last) || range.last < range.first)
          return error("a range's end expected");
      }
      coverage.Insert(&ranges, range);
      if (text.empty() || text.front() == ';') break;
      if (text.front() != ',') return error("',' or ';' expected");
      text.remove_prefix(1);
    }
    if (!text.empty()) {
      text.remove_prefix(1);  // ';'
      if (text.empty()) return error("a stream expected after ';'");
    }
  }
  return coverage;
}

Status MergeFileCoverage(const parquet::FileReader& reader, std::string_view path, WalCoverage* coverage) {
  std::optional<std::string> text = reader.KeyValue(kWalCoverageKey);
  if (!text) return Status::OK();
  auto decoded = WalCoverage::Decode(*text);
  if (!decoded.ok()) return decoded.status().WithContext(path);
  coverage->Merge(*decoded);
  return Status::OK();
}

}  // namespace logdaemon::storage
