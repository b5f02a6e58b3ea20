// WalCoverage: which write-ahead log records a Parquet file holds (DESIGN.md §5 invariant 2). Per stream,
// a sorted list of disjoint LSN ranges. A flush file records the coverage of its rows in its key-value
// metadata under kWalCoverageKey; a merged file records the union of its inputs'. At start-up, records
// that no visible file covers are replayed — so each acknowledged log is stored exactly once.
//
// Text form (readable in `logdaemon inspect`): streams separated by ';', each "<stream>:<ranges>", ranges
// separated by ',', each "<first>-<last>" or "<lsn>":  "0:1-480,502-610;1:7-9".
//
// Thread-safety: none; a value type.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "logdaemon/status.h"

namespace logdaemon::parquet {
class FileReader;
}

namespace logdaemon::storage {

inline constexpr std::string_view kWalCoverageKey = "logdaemon.wal";

struct LsnRange {
  uint64_t first = 0;
  uint64_t last = 0;
  bool operator==(const LsnRange&) const = default;
};

class WalCoverage {
 public:
  // Adds one LSN. Cheapest when LSNs come in increasing order (they do: a stream's rows reach the
  // writer in LSN order).
  void Add(uint32_t stream, uint64_t lsn);
  // Adds the LSNs of `lsns` (one stream), in the order given.
  void AddAll(uint32_t stream, const std::vector<uint64_t>& lsns);
  void Merge(const WalCoverage& other);

  bool Covers(uint32_t stream, uint64_t lsn) const;
  bool empty() const { return streams_.empty(); }
  // The smallest and largest LSN covered in `stream`; 0 when none.
  uint64_t MinLsn(uint32_t stream) const;
  uint64_t MaxLsn(uint32_t stream) const;
  const std::map<uint32_t, std::vector<LsnRange>>& streams() const { return streams_; }
  void Clear() { streams_.clear(); }

  std::string Encode() const;
  // InvalidArgument naming what is wrong; accepts exactly what Encode() makes (ranges may touch or come
  // in any order: they are normalised).
  static Result<WalCoverage> Decode(std::string_view text);

  bool operator==(const WalCoverage&) const = default;

 private:
  void Insert(std::vector<LsnRange>* ranges, LsnRange range);

  std::map<uint32_t, std::vector<LsnRange>> streams_;
};

// Merges the coverage recorded in a Parquet file's metadata into *coverage (none: written without a
// write-ahead log). InvalidArgument naming `path` when it does not decode.
Status MergeFileCoverage(const parquet::FileReader& reader, std::string_view path, WalCoverage* coverage);

}  // namespace logdaemon::storage
