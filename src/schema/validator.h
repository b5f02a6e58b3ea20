// Validator: checks JSON documents (simdjson DOM values) against a CompiledSchema.
//
// The common case — a valid document — walks the compiled nodes with no allocation, no lock and no
// string building. Only when a document fails is it walked a second time to say why, as one short line:
//   <instance JSON pointer>: <keyword>: <why>
//   /level: enum: "verbose" is not one of trace, debug, info, warn, error, fatal
// The pointer of the document itself is "(root)". Values in messages are cut to a few dozen bytes, so the
// line fits an `ERROR:` reply whatever the document holds.
//
// Thread-safety: a Validator is used by one thread at a time (it holds scratch buffers and PCRE2 match
// state); give each thread its own. Any number of Validators may share one CompiledSchema.
#pragma once

#include <simdjson.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "schema/compiled_schema.h"
#include "schema/regex.h"

namespace logdaemon::schema {

class Validator {
 public:
  explicit Validator(std::shared_ptr<const CompiledSchema> schema);
  Validator(const Validator&) = delete;
  Validator& operator=(const Validator&) = delete;

  // Whether `instance` is valid. When it is not and `error` is non-null, *error is set to the one-line
  // reason: the first failing check in the order type, enum/const, the keywords of the value's kind,
  // then the applicators.
  bool Validate(simdjson::dom::element instance, std::string* error = nullptr);

  const CompiledSchema& schema() const { return *schema_; }

  // Evaluation depth (nested instance values × applicators) beyond which a document is refused rather
  // than risking the stack. The parser's own depth limit normally stops deeper input first.
  static constexpr int kMaxEvaluationDepth = 2048;

 private:
  // A value being validated: a DOM element, or an object's key (what propertyNames looks at).
  struct Value {
    simdjson::dom::element element;
    std::string_view key;
    bool is_key = false;
  };
  struct PathSegment {
    std::string_view key;
    size_t index;
    bool is_index;
  };

  bool ValidateNode(NodeIndex index, const Value& value, int depth);
  bool ValidateType(const Node& node, const Value& value, simdjson::dom::element_type type);
  bool ValidateEnumConst(const Node& node, const Value& value);
  bool ValidateNumber(const Node& node, const Value& value, simdjson::dom::element_type type);
  bool ValidateString(const Node& node, const Value& value);
  bool ValidateArray(const Node& node, const Value& value, int depth);
  bool ValidateObject(const Node& node, const Value& value, int depth);
  bool ValidateUniqueItems(simdjson::dom::array array);
  bool ValidateApplicators(const Node& node, const Value& value, int depth);
  bool Present(const Node& node, uint32_t entry, uint64_t seen, simdjson::dom::object object) const;
  // Validates without letting failures inside become the reported error (anyOf branches, not, if…).
  bool Probe(NodeIndex index, const Value& value, int depth);

  // Records the error of the first failing keyword when explaining; always returns false. `why` is only
  // called then, so the fast path never builds a string.
  template <typename Why>
  bool Fail(const char* keyword, Why&& why) {
    if (explaining_ && suppressed_ == 0 && error_.empty()) RecordError(keyword, why());
    return false;
  }
  void RecordError(const char* keyword, const std::string& why);
  void PushKey(std::string_view key) {
    if (explaining_) path_.push_back({key, 0, false});
  }
  void PushIndex(size_t index) {
    if (explaining_) path_.push_back({{}, index, true});
  }
  void Pop() {
    if (explaining_) path_.pop_back();
  }
  static std::string Show(const Value& value);

  std::shared_ptr<const CompiledSchema> schema_;
  const Node* nodes_;
  RegexMatcher matcher_;
  bool explaining_ = false;
  int suppressed_ = 0;
  std::string error_;
  std::vector<PathSegment> path_;
  std::vector<simdjson::dom::element> items_scratch_;
  std::vector<std::pair<uint64_t, uint32_t>> hash_scratch_;
};

}  // namespace logdaemon::schema
