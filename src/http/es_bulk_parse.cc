// ParseBulk (http/es_bulk.h): the bulk body's lines, its action lines, and the documents handed to the
// LogBatch. Whole-request refusals use Elasticsearch's own reasons (BulkRequestParser), so that what a
// shipper logs reads the same whichever server refused it.
#include <simdjson.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "http/es_bulk.h"
#include "http/es_bulk_rewrite.h"
#include "schema/json_syntax_error.h"
#include "schema/json_value.h"

namespace logdaemon::http {

namespace {

// Action lines are small objects ({"index":{"_index":..,"_source":{"includes":[..]}}}): a deeper one is
// refused as malformed before it costs anything.
constexpr size_t kMaxActionDepth = 32;
// How much of a too-long id the item's reason quotes, and of a name a whole-request refusal quotes:
// the reason must not grow with what a client sends.
constexpr size_t kQuotedIdBytes = 64;
constexpr size_t kQuotedNameBytes = 256;

// The body's lines, split on '\n' as Elasticsearch does; the last one may lack its '\n'.
class BodyLines {
 public:
  explicit BodyLines(std::string_view body) : body_(body) {}
  // The next line without its '\n' (a '\r' before it is kept: see Document()), and its offset.
  bool Next(std::string_view* line, size_t* offset) {
    if (pos_ >= body_.size()) return false;
    size_t end = body_.find('\n', pos_);
    if (end == std::string_view::npos) end = body_.size();
    *offset = pos_;
    *line = body_.substr(pos_, end - pos_);
    pos_ = end + 1;
    ++number_;
    return true;
  }
  size_t number() const { return number_; }  // 1-based number of the last line returned

 private:
  std::string_view body_;
  size_t pos_ = 0;
  size_t number_ = 0;
};

bool IsBlank(std::string_view line) {
  for (char c : line) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

// A document line without the '\r' of a CRLF line end (Elasticsearch drops it too).
std::string_view Document(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// The Jackson token names Elasticsearch's messages use.
std::string_view TokenName(simdjson::dom::element_type type) {
  switch (type) {
    case simdjson::dom::element_type::ARRAY:
      return "START_ARRAY";
    case simdjson::dom::element_type::OBJECT:
      return "START_OBJECT";
    case simdjson::dom::element_type::STRING:
      return "VALUE_STRING";
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE:
      return "VALUE_NUMBER";
    case simdjson::dom::element_type::BOOL:
      return "VALUE_BOOLEAN";
    case simdjson::dom::element_type::NULL_VALUE:
      return "VALUE_NULL";
  }
  return "VALUE_EMBEDDED_OBJECT";
}

// `text` as a message quotes it: cut (on a character boundary) when long.
std::string Quoted(std::string_view text, size_t max_bytes) {
  std::string quoted(schema::Utf8Prefix(text, max_bytes));
  if (quoted.size() < text.size()) quoted.append("...");
  return quoted;
}

Status Malformed(size_t line, std::string_view what) {
  return Status::InvalidArgument("Malformed action/metadata line [" + std::to_string(line) + "], " +
                                 std::string(what));
}

// A scalar's text as Elasticsearch's parser.text() gives it: a string's value, a number's digits.
std::string ScalarText(simdjson::dom::element value) {
  std::string_view text;
  if (value.get_string().get(text) == simdjson::SUCCESS) return std::string(text);
  return simdjson::to_string(value);
}

void Refuse(BulkItem* item, std::string_view type, std::string reason) {
  item->log = -1;
  item->status = 400;
  item->error_type = type;
  item->error_reason = std::move(reason);
}

void RefuseUnsupported(BulkItem* item) {
  Refuse(item, "illegal_argument_exception",
         "logdaemon stores logs append-only: the bulk action [" + item->action +
             "] is not supported, only [index] and [create]");
}

// Elasticsearch refuses these ids for the whole request; here only their item is refused.
void CheckId(bool id_given, BulkItem* item) {
  if (!id_given) return;
  if (item->id.empty()) {
    Refuse(item, "illegal_argument_exception", "if _id is specified it must not be empty");
  } else if (item->id.size() > kMaxIdBytes) {
    Refuse(item, "illegal_argument_exception",
           "id [" + Quoted(item->id, kQuotedIdBytes) +
               "] is too long, must be no longer than 512 bytes but was: " + std::to_string(item->id.size()));
  }
}

// One metadata parameter of an action ({"index":{"_index":"x","_id":"1"}}).
Status ParseParameter(std::string_view key, simdjson::dom::element value, size_t line, BulkItem* item,
                      bool* id_given) {
  const simdjson::dom::element_type type = value.type();
  if (type == simdjson::dom::element_type::ARRAY ||
      (type == simdjson::dom::element_type::OBJECT && key != "_source" && key != "dynamic_templates")) {
    return Malformed(line, "expected a simple value for field [" + Quoted(key, kQuotedNameBytes) +
                               "] but found [" + std::string(TokenName(type)) + "]");
  }
  if (type == simdjson::dom::element_type::OBJECT || type == simdjson::dom::element_type::NULL_VALUE) {
    return Status::OK();  // null: as if absent, as in Elasticsearch
  }
  if (key == "_index") {
    if (std::string index = ScalarText(value); !index.empty()) item->index = std::move(index);
  } else if (key == "_id") {
    item->id = ScalarText(value);
    *id_given = true;
  } else if (key == "op_type" && item->action == "index") {
    std::string op_type = ScalarText(value);
    if (op_type == "create") {
      item->action = "create";  // Elasticsearch answers such an item under "create"
    } else if (op_type != "index") {
      return Status::InvalidArgument("opType must be 'create' or 'index', found: [" +
                                     Quoted(op_type, kQuotedNameBytes) + "]");
    }
  }
  // Anything else (routing, pipeline, version, if_seq_no, require_alias, _type, ...) changes nothing
  // for a log store and is ignored (see the file comment of http/es_bulk.h).
  return Status::OK();
}

// Parses an action line into *item. Not OK: the whole request is refused.
Status ParseAction(std::string_view text, size_t line, std::string_view default_index,
                   simdjson::dom::parser& parser, BulkItem* item) {
  simdjson::dom::element root;
  // realloc_if_needed = false: the line is followed by the rest of the body and its padding.
  if (auto error = parser.parse(text.data(), text.size(), false).get(root); error != simdjson::SUCCESS) {
    return Malformed(line, "not valid JSON: " + schema::DescribeJsonSyntaxError(
                                                    text, kMaxActionDepth, simdjson::error_message(error)));
  }
  simdjson::dom::object action;
  if (root.get_object().get(action) != simdjson::SUCCESS) {
    return Malformed(line, "expected START_OBJECT but found [" + std::string(TokenName(root.type())) + "]");
  }
  auto first = action.begin();
  if (first == action.end()) return Malformed(line, "expected FIELD_NAME but found [END_OBJECT]");
  const std::string_view name = first.key();
  if (name != "index" && name != "create" && name != "update" && name != "delete") {
    return Malformed(line, "expected one of [create, delete, index, update] but found [" +
                               Quoted(name, kQuotedNameBytes) + "]");
  }
  item->action = name;
  item->index = default_index;
  simdjson::dom::object metadata;
  if (first.value().get_object().get(metadata) != simdjson::SUCCESS) {
    return Malformed(line, "expected START_OBJECT or END_OBJECT but found [" +
                               std::string(TokenName(first.value().type())) + "]");
  }
  bool id_given = false;
  for (auto [key, value] : metadata) {
    if (Status status = ParseParameter(key, value, line, item, &id_given); !status.ok()) return status;
  }
  // Elasticsearch 8 ignores keys after the first with a warning that they "will be rejected in a future
  // version"; two actions on one line are ambiguous, so they are refused now.
  if (action.size() > 1) return Malformed(line, "expected END_OBJECT but found [FIELD_NAME]");
  if (item->action == "index" || item->action == "create") CheckId(id_given, item);
  return Status::OK();
}

// Takes the documents into the LogBatch.
// Copied: each document, rewritten or not, is written once into the batch's buffer as it comes.
// Adopted (the body is the batch's buffer): a document is a span of the body; a rewritten one that is
// no longer than the original (the usual rename: "@timestamp" -> "timestamp") is written over the
// original, in place; a longer one is kept aside and appended after the body at the end. Nothing is
// appended to the buffer while the body is read: that could move it, and the body with it.
class DocumentSink {
 public:
  DocumentSink(std::string_view body, const BulkOptions& options, LogBatch* logs)
      : logs_(logs), rewriter_(options) {
    std::string& buffer = logs->buffer();
    const auto buffer_at = reinterpret_cast<uintptr_t>(buffer.data());
    const auto body_at = reinterpret_cast<uintptr_t>(body.data());
    adopted_ = !body.empty() && body_at >= buffer_at && body_at + body.size() <= buffer_at + buffer.size();
    if (adopted_) {
      body_offset_ = body_at - buffer_at;
    } else {
      buffer.reserve(buffer.size() + body.size() + body.size() / 8 + simdjson::SIMDJSON_PADDING);
    }
  }

  // Takes the document at `offset` in the body; returns its index in the batch.
  int64_t Add(std::string_view doc, size_t offset) {
    const auto index = static_cast<int64_t>(adopted_ ? pending_.size() : logs_->size());
    if (!adopted_) {
      logs_->BeginLog();
      if (!rewriter_.Rewrite(doc, &logs_->buffer())) logs_->buffer().append(doc);
      logs_->EndLog();
      return index;
    }
    scratch_.clear();
    if (!rewriter_.Rewrite(doc, &scratch_)) {
      pending_.push_back({true, offset, doc.size()});
    } else if (scratch_.size() <= doc.size()) {
      std::memcpy(logs_->buffer().data() + body_offset_ + offset, scratch_.data(), scratch_.size());
      pending_.push_back({true, offset, scratch_.size()});
    } else {
      pending_.push_back({false, rewritten_.size(), scratch_.size()});
      rewritten_.append(scratch_);
    }
    return index;
  }

  void Finish() {
    if (adopted_) {
      std::string& buffer = logs_->buffer();
      const size_t rewritten_offset = buffer.size();
      buffer.append(rewritten_);
      for (const Pending& p : pending_) {
        logs_->AddSpan((p.in_body ? body_offset_ : rewritten_offset) + p.offset, p.length);
      }
    }
    logs_->Finish();
  }

 private:
  struct Pending {
    bool in_body;
    size_t offset;  // in the body, or in rewritten_
    size_t length;
  };

  LogBatch* logs_;
  DocumentRewriter rewriter_;
  bool adopted_ = false;
  size_t body_offset_ = 0;
  std::vector<Pending> pending_;
  std::string rewritten_;  // adopted: rewritten documents longer than their original
  std::string scratch_;
};

}  // namespace

Status ParseBulk(std::string_view body, std::string_view url_index, const BulkOptions& options,
                 LogBatch* logs, std::vector<BulkItem>* items) {
  items->clear();
  simdjson::dom::parser parser;
  if (parser.allocate(4096, kMaxActionDepth) != simdjson::SUCCESS) {
    return Status::InvalidArgument("out of memory for the bulk request's action lines");
  }
  DocumentSink documents(body, options, logs);
  const std::string_view default_index = url_index.empty() ? kDefaultIndex : url_index;
  BodyLines lines(body);
  std::string_view line;
  size_t offset = 0;
  while (lines.Next(&line, &offset)) {
    if (IsBlank(line)) continue;  // Elasticsearch skips blank lines where an action is expected
    BulkItem& item = items->emplace_back();
    const size_t action_line = lines.number();
    if (Status status = ParseAction(line, action_line, default_index, parser, &item); !status.ok()) {
      return status;
    }
    if (item.action == "delete") {  // the only action without a document line
      RefuseUnsupported(&item);
      continue;
    }
    if (!lines.Next(&line, &offset)) {
      Refuse(&item, "illegal_argument_exception",
             "the [" + item.action + "] action on line [" + std::to_string(action_line) +
                 "] has no document line after it");
      break;
    }
    if (item.action == "update") {
      RefuseUnsupported(&item);
      continue;
    }
    if (item.status != 0) continue;  // refused for its id: its document is skipped
    item.log = documents.Add(Document(line), offset);
  }
  if (items->empty()) return Status::InvalidArgument("Validation Failed: 1: no requests added;");
  documents.Finish();
  return Status::OK();
}

}  // namespace logdaemon::http
