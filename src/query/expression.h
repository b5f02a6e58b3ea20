// Expression: a compiled `logdaemon query --where` condition (docs/query-expressions.md), e.g.
//
//     level = 'error' AND metadata.http.status >= 500
//
// Parse checks the syntax; Bind resolves the names against the stored table's columns and checks the
// types; then, per row group, MayMatch tells from the column statistics whether any row can match
// (pruning), and per row Matches evaluates the condition in SQL's three-valued logic: a row matches only
// when the condition is TRUE (a comparison with NULL, or with a JSON path that is not there, is unknown).
//
// Errors name their place: the Status message starts with "column N: " (characters, 1-based), and the
// optional *error_offset out-parameter gets the byte offset for RenderErrorCaret.
//
// Thread-safety: an Expression is immutable once bound; its const methods may be called from many threads
// at once, each thread with its own EvalScratch (which holds the JSON parser and its buffers).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "logdaemon/status.h"
#include "query/value.h"

namespace logdaemon::query {

namespace expr {
struct Ast;
struct EvalState;
}  // namespace expr

// The current row, as an expression reads it.
class RowView {
 public:
  virtual ~RowView() = default;
  // The value of `column` (an index into the columns given to Bind) in this row: of that column's type,
  // or Null. JSON columns as kJson text. Only columns in referenced_columns() are asked for. String
  // views must stay valid until the Matches call returns.
  virtual Value Get(int column) const = 0;
};

// A row held as one Value per column, indexed by column: for scanners that decode into an array, and
// for tests. Columns past the end read as Null.
class ValueRow final : public RowView {
 public:
  explicit ValueRow(std::span<const Value> values) : values_(values) {}
  Value Get(int column) const override {
    return column >= 0 && static_cast<size_t>(column) < values_.size() ? values_[static_cast<size_t>(column)]
                                                                       : Value::Null();
  }

 private:
  std::span<const Value> values_;
};

// What a row group's footer says about one column, for MayMatch. min and max must bound every non-null
// value of the column in the group (a truncated string max is not a bound: leave has_min_max false), and
// be of the column's type (timestamps as kTimestamp).
struct ColumnStats {
  bool has_min_max = false;
  Value min;
  Value max;
  int64_t null_count = -1;  // -1 when the footer does not say
  int64_t num_rows = -1;    // rows in the group; 0: none can match; -1: unknown
};

// Per-thread working memory for Matches: the JSON parser and the buffers of values read from JSON.
// Reused across rows; allocates only while its buffers grow.
class EvalScratch {
 public:
  EvalScratch();
  ~EvalScratch();
  EvalScratch(const EvalScratch&) = delete;
  EvalScratch& operator=(const EvalScratch&) = delete;

 private:
  friend class Expression;
  std::unique_ptr<expr::EvalState> state_;
};

class Expression {
 public:
  ~Expression();
  Expression(const Expression&) = delete;
  Expression& operator=(const Expression&) = delete;

  // Syntax only: names are not resolved yet. On error, *error_offset (if given) gets its byte offset.
  static Result<std::unique_ptr<Expression>> Parse(std::string_view text, size_t* error_offset = nullptr);

  // Resolves names against the table's `columns` (their indexes are what RowView::Get and the stats
  // callback receive) and checks types. REQUIRES: not bound yet.
  Status Bind(const std::vector<ColumnInfo>& columns, size_t* error_offset = nullptr);

  // Parse, then Bind.
  static Result<std::unique_ptr<Expression>> Compile(std::string_view text,
                                                     const std::vector<ColumnInfo>& columns,
                                                     size_t* error_offset = nullptr);

  bool bound() const { return bound_; }
  const std::string& text() const { return text_; }

  // The columns the expression reads, ascending, without repeats. REQUIRES: bound.
  const std::vector<int>& referenced_columns() const { return referenced_columns_; }

  // True when some operand reads JSON (a path, or a JSON column), so Matches needs an EvalScratch.
  bool needs_scratch() const { return needs_scratch_; }

  // True when the condition is TRUE for `row`. `scratch` may be null when !needs_scratch(). Allocates
  // nothing (values read from JSON go to the scratch's reused buffers). REQUIRES: bound.
  bool Matches(const RowView& row, EvalScratch* scratch) const;

  // False only when no row of a row group can match, judging by `stats` (the callback returns null for
  // a column without statistics). Conservative: true whenever unsure. REQUIRES: bound.
  bool MayMatch(const std::function<const ColumnStats*(int column)>& stats) const;

  // --- Dictionary-friendly evaluation ---
  // True when every operand that reads the row reads one plain (not JSON) column, stored in *column:
  // the expression can then be decided once per distinct value, e.g. per dictionary entry.
  bool IsSingleColumnPredicate(int* column) const;
  // The result of Matches for a row whose single column (see above) holds `value` (Null for a null).
  // REQUIRES: IsSingleColumnPredicate().
  bool MatchesValue(const Value& value) const;
  // The terms of the top-level AND ("a AND (b OR c) AND d" → a, b OR c, d; anything else → itself), each a
  // bound Expression of its own. A row matches this expression exactly when it matches all of them.
  std::vector<std::unique_ptr<Expression>> Conjuncts() const;

  // The expression normalized (keywords in capitals, names quoted where needed, minimal parentheses;
  // once bound: resolved names such as _extra.user.id, times as RFC 3339). Parses back to itself.
  std::string ToString() const;

 private:
  Expression();

  std::string text_;
  std::unique_ptr<expr::Ast> ast_;
  bool bound_ = false;
  bool needs_scratch_ = false;
  std::vector<std::string> column_names_;
  std::vector<int> referenced_columns_;
};

// The two-line picture of where an error is, for a terminal:
//   "  level = AND x\n          ^"
std::string RenderErrorCaret(std::string_view text, size_t error_offset);

// "<option>: <status message>\n<caret picture>": what the command line prints for a bad --where.
std::string FormatExpressionError(std::string_view option, std::string_view text, const Status& status,
                                  size_t error_offset);

// `text` as a string literal ('it''s'), and `name` as a name (bare when it can be, else "double quoted"):
// for building expressions from other options.
std::string QuoteStringLiteral(std::string_view text);
std::string QuoteName(std::string_view name);

}  // namespace logdaemon::query
