// Shredder: a validated JSON log (a simdjson DOM object) becomes one row of a RowBatch (DESIGN.md §4).
//   kTimestamp  RFC 3339 date-time → UTC microseconds
//   kString     the string's bytes
//   kInt64      an integer (a float with an integral value, such as 3.0, counts; out of INT64 range is
//               an error that rejects the log)
//   kDouble     any number
//   kBoolean    true / false
//   kJson       the value as minified JSON text
// A property that is absent or JSON null is a null of its OPTIONAL column (a REQUIRED JSON column stores
// the text "null"). Properties the layout does not declare are gathered, in document order, into one
// minified JSON object in `_extra` (null when there are none). When a key occurs twice, the first
// occurrence is stored.
//
// No allocation per row once the batch's buffers have grown. Thread-safety: one thread per Shredder.
#pragma once

#include <simdjson.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "logdaemon/schema.h"
#include "logdaemon/status.h"
#include "logdaemon/storage.h"
#include "storage/row_batch.h"

namespace logdaemon::storage {

// The accepted range of a row's time value, UTC microseconds, both bounds included (DESIGN.md §4). The
// appender makes it absolute from the clock reading it already takes per log, so the check costs two
// integer comparisons.
struct TimeWindow {
  int64_t from = INT64_MIN;  // INT64_MIN: no lower bound
  int64_t to = INT64_MAX;    // INT64_MAX: no upper bound
  bool Contains(int64_t micros) const { return micros >= from && micros <= to; }
};

// The window around `now_micros` for the given limits (nullopt: that side is unbounded). The bounds are
// rounded outward to whole seconds, so that a refusal names readable bounds that the check really used.
TimeWindow WindowAround(int64_t now_micros, const std::optional<std::chrono::seconds>& max_age,
                        const std::optional<std::chrono::seconds>& max_future);

// "timestamp <time> outside the accepted window <from> .. <to>", times in RFC 3339 UTC ("(no limit)" for
// an unbounded side): the reply to a log the window refuses.
std::string TimeOutOfRangeMessage(int64_t micros, const TimeWindow& window);

class Shredder {
 public:
  Shredder(const TableLayout& layout, Partitioning partitioning);

  // Appends `document` (validated against the layout's schema, so types match) as one row of *batch.
  // `now_micros` (wall clock, UTC) stands in for the time of a row without one; `arrival_ns` is the
  // steady clock. On error the batch is unchanged and the status says which property was wrong:
  //   "/user_id: integer 18446744073709551615 is out of the INT64 range"  (InvalidArgument)
  // A row whose time value lies outside `window` is refused with OutOfRange (TimeOutOfRangeMessage); a
  // row without a time value is never refused by it.
  Status Append(simdjson::dom::element document, int64_t now_micros, int64_t arrival_ns,
                const TimeWindow& window, RowBatch* batch);

  // What Append would return for `document`, without writing a row: for a log that is accepted now and
  // stored later, from the write-ahead log (it is shredded then). Costs the checks only — no copies, no
  // JSON minified.
  Status Check(simdjson::dom::element document, const TimeWindow& window);

 private:
  // Columns up to this count are found by a linear scan (length first); beyond, by a hash table.
  static constexpr size_t kLinearScanColumns = 16;
  // Undeclared keys of one row up to this count are deduplicated by a linear scan; beyond, by a hash
  // table (a log with thousands of undeclared keys must not cost a quadratic scan).
  static constexpr size_t kLinearScanExtraKeys = 16;

  // Starts a row: clears the marks of the previous one.
  void NextRow();
  // The checks of a whole row, once its values are walked (Append and Check share them): the time window,
  // then the required properties.
  Status RowChecks(const std::optional<int64_t>& row_time, const TimeWindow& window) const;
  // The declared column named `key` (never `_extra` itself), or -1.
  int FindColumn(std::string_view key) const;
  // Whether `key` already went into this row's `_extra`; records it when not.
  bool ExtraKeySeen(std::string_view key);
  // Writes `value` as the row's value of column c (`column` nullptr: checks it only). Sets *row_time for
  // the time column.
  Status WriteValue(size_t c, simdjson::dom::element value, ColumnBuffer* column,
                    std::optional<int64_t>* row_time) const;

  std::vector<std::string> names_;  // per column, as in the layout
  std::vector<ColumnType> types_;
  std::vector<uint8_t> required_;
  int time_column_ = -1;
  int extra_column_ = -1;
  Partitioning partitioning_;
  // Open addressing over column indexes (slot = index + 1, 0 = empty) when there are many columns.
  // Indexes rather than views, so that moving the Shredder (and its strings) keeps it valid.
  std::vector<uint32_t> column_slots_;
  // seen_[c] == generation_: column c was written in the current row. Bumping the generation resets
  // every mark at once, without touching the array.
  std::vector<uint32_t> seen_;
  uint32_t generation_ = 0;
  // The undeclared keys of the current row (views into the document being shredded).
  std::vector<std::string_view> extra_keys_;
  std::vector<uint32_t> extra_slots_;  // open addressing over extra_keys_, once there are many
};

// Appends `value` as minified JSON to *out (strings escaped as JSON requires; numbers as simdjson holds
// them: integers exactly, doubles in the shortest form that reads back the same).
void AppendMinifiedJson(simdjson::dom::element value, parquet::ByteBuffer* out);

}  // namespace logdaemon::storage
