#include "http/es_bulk_rewrite.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <utility>

#include "http/es_bulk.h"
#include "query/output_json.h"

namespace logdaemon::http {

namespace {

// A key as it is written in a document, or "" (the mapping is then off) when it would need escaping:
// keys are compared as written, and such a key cannot be found by its plain bytes.
std::string Literal(std::string_view key) {
  for (char c : key) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) return std::string();
  }
  return std::string(key);
}

std::string Quoted(std::string_view key) {
  std::string quoted;
  if (key.empty()) return quoted;
  quoted.push_back('"');
  quoted.append(key);
  quoted.push_back('"');
  return quoted;
}

// memmem, not std::string_view::find: find memcmps at every occurrence of the needle's first byte, and a
// quoted key's first byte is a quote, of which a document has dozens.
bool Contains(std::string_view text, std::string_view needle) {
  return !needle.empty() && memmem(text.data(), text.size(), needle.data(), needle.size()) != nullptr;
}

size_t SkipSpace(std::string_view text, size_t pos) {
  while (pos < text.size() &&
         (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n' || text[pos] == '\r')) {
    ++pos;
  }
  return pos;
}

// A set of bytes as a table: std::string_view::find_first_of tests each byte against the set in turn.
class ByteSet {
 public:
  constexpr explicit ByteSet(std::string_view bytes) {
    for (char c : bytes) in_[static_cast<unsigned char>(c)] = true;
  }
  // The first position at or after `pos` whose byte is in the set, or npos.
  size_t Find(std::string_view text, size_t pos) const {
    for (; pos < text.size(); ++pos) {
      if (in_[static_cast<unsigned char>(text[pos])]) return pos;
    }
    return std::string_view::npos;
  }

 private:
  bool in_[256] = {};
};

constexpr ByteSet kScalarEnd(",}] \t\r\n");
constexpr ByteSet kNested("\"{}[]");

// `pos` at a string's opening quote: the position after its closing quote, or npos. A quote closes the
// string unless an odd number of backslashes precede it; memchr finds the quotes.
size_t SkipString(std::string_view text, size_t pos) {
  const size_t open = pos;
  for (++pos; pos < text.size(); ++pos) {
    const void* quote = std::memchr(text.data() + pos, '"', text.size() - pos);
    if (quote == nullptr) return std::string_view::npos;
    pos = static_cast<size_t>(static_cast<const char*>(quote) - text.data());
    size_t backslashes = 0;
    while (pos - backslashes - 1 > open && text[pos - backslashes - 1] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return pos + 1;
  }
  return std::string_view::npos;
}

// `pos` at a value's first byte: the position after it, or npos. Brackets are counted, not matched in
// kind, and scalars not checked: the admission validates.
size_t SkipValue(std::string_view text, size_t pos) {
  if (pos >= text.size()) return std::string_view::npos;
  if (text[pos] == '"') return SkipString(text, pos);
  if (text[pos] != '{' && text[pos] != '[') {
    const size_t end = kScalarEnd.Find(text, pos);
    return end == pos ? std::string_view::npos : end;
  }
  size_t depth = 0;
  while ((pos = kNested.Find(text, pos)) != std::string_view::npos) {
    if (text[pos] == '"') {
      pos = SkipString(text, pos);
      if (pos == std::string_view::npos) return pos;
      continue;
    }
    if (text[pos] == '{' || text[pos] == '[') {
      ++depth;
    } else if (--depth == 0) {
      return pos + 1;
    }
    ++pos;
  }
  return std::string_view::npos;
}

// The members of one object in raw text: key (as written, without its quotes) and value spans.
class MemberWalker {
 public:
  MemberWalker(std::string_view text, size_t open_brace) : text_(text), pos_(open_brace + 1) {}

  struct Member {
    std::string_view key;  // raw, between the quotes
    size_t key_begin;      // the opening quote
    size_t value_begin;
    size_t value_end;
  };

  // The next member; false at the object's end (ok()) or where the text is not an object (!ok()).
  bool Next(Member* member) {
    pos_ = SkipSpace(text_, pos_);
    if (pos_ >= text_.size()) return Fail();
    if (text_[pos_] == '}') return false;
    if (!first_) {
      if (text_[pos_] != ',') return Fail();
      pos_ = SkipSpace(text_, pos_ + 1);
    }
    first_ = false;
    if (pos_ >= text_.size() || text_[pos_] != '"') return Fail();
    const size_t key_end = SkipString(text_, pos_);
    if (key_end == std::string_view::npos) return Fail();
    member->key_begin = pos_;
    member->key = text_.substr(pos_ + 1, key_end - pos_ - 2);
    pos_ = SkipSpace(text_, key_end);
    if (pos_ >= text_.size() || text_[pos_] != ':') return Fail();
    member->value_begin = SkipSpace(text_, pos_ + 1);
    member->value_end = SkipValue(text_, member->value_begin);
    if (member->value_end == std::string_view::npos) return Fail();
    pos_ = member->value_end;
    return true;
  }
  bool ok() const { return ok_; }

 private:
  bool Fail() {
    ok_ = false;
    return false;
  }

  std::string_view text_;
  size_t pos_;
  bool first_ = true;
  bool ok_ = true;
};

// A string value's raw contents, or false when the value is not a string.
bool StringContents(std::string_view doc, const MemberWalker::Member& member, std::string_view* contents) {
  if (doc[member.value_begin] != '"') return false;
  *contents = doc.substr(member.value_begin + 1, member.value_end - member.value_begin - 2);
  return true;
}

}  // namespace

// What the walk over a document's top-level keys found.
struct DocumentRewriter::Found {
  bool has_time = false;
  size_t source_begin = 0;  // the source key's bytes, quotes included: [source_begin, source_end)
  size_t source_end = 0;
  bool has_level = false;
  bool level_found = false;  // level_ holds the value (raw JSON string contents)
};

DocumentRewriter::DocumentRewriter(const BulkOptions& options)
    : time_field_(Literal(options.time_field)),
      source_(time_field_.empty() ? "" : Literal(options.timestamp_source)),
      quoted_source_(Quoted(source_)),
      level_field_(Literal(options.level_field)) {
  if (!level_field_.empty()) {
    level_key_ = Literal(options.level_source);
    if (size_t dot = level_key_.find('.');
        dot != std::string::npos && dot > 0 && dot + 1 < level_key_.size()) {
      level_parent_ = level_key_.substr(0, dot);
      level_child_ = level_key_.substr(dot + 1);
    }
    quoted_level_key_ = Quoted(level_key_);
    quoted_level_parent_ = Quoted(level_parent_);
  }
}

void DocumentRewriter::NormalizeLevel(std::string_view level, std::string* out) {
  out->clear();
  for (char c : level) out->push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  // The names syslog, Python, Java and Go loggers use for the default schema's six levels.
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 12> kAliases = {{
      {"warning", "warn"},
      {"err", "error"},
      {"critical", "fatal"},
      {"crit", "fatal"},
      {"alert", "fatal"},
      {"emerg", "fatal"},
      {"emergency", "fatal"},
      {"panic", "fatal"},
      {"information", "info"},
      {"informational", "info"},
      {"notice", "info"},
      {"dbg", "debug"},
  }};
  for (const auto& [alias, name] : kAliases) {
    if (*out == alias) {
      out->assign(name);
      return;
    }
  }
}

bool DocumentRewriter::Rewrite(std::string_view doc, std::string* out) {
  // The cheap test first: most documents carry none of the keys, and are never walked.
  const bool maybe_time = Contains(doc, quoted_source_);
  const bool maybe_level = Contains(doc, quoted_level_key_) || Contains(doc, quoted_level_parent_);
  if (!maybe_time && !maybe_level) return false;
  const size_t brace = SkipSpace(doc, 0);
  if (brace >= doc.size() || doc[brace] != '{') return false;

  Found found;
  if (!Scan(doc, brace, &found)) return false;
  const bool rename = found.source_end != 0 && !found.has_time;
  const bool add_level = found.level_found && !found.has_level;
  if (!rename && !add_level) return false;

  // The document is the original bytes: up to its '{', the level member, then the rest with the source
  // key replaced. The level member goes first, so it needs a comma after it: the object has at least the
  // member it came from.
  out->append(doc.substr(0, brace + 1));
  if (add_level) {
    query::AppendJsonString(level_field_, out);
    out->append(":\"");
    out->append(level_);  // raw string contents, as valid inside quotes as where they came from
    out->append("\",");
  }
  if (rename) {
    out->append(doc.substr(brace + 1, found.source_begin - brace - 1));
    query::AppendJsonString(time_field_, out);
    out->append(doc.substr(found.source_end));
  } else {
    out->append(doc.substr(brace + 1));
  }
  return true;
}

bool DocumentRewriter::Scan(std::string_view doc, size_t brace, Found* found) {
  MemberWalker walker(doc, brace);
  MemberWalker::Member member;
  while (walker.Next(&member)) {
    // Keys compare raw (as written): the names were checked to need no escaping (Literal()).
    const std::string_view key = member.key;
    std::string_view level;
    if (!time_field_.empty() && key == time_field_) {
      found->has_time = true;
    } else if (!source_.empty() && key == source_ && found->source_end == 0) {
      found->source_begin = member.key_begin;
      found->source_end = member.key_begin + source_.size() + 2;
    } else if (!level_field_.empty() && key == level_field_) {
      found->has_level = true;
    } else if (!level_key_.empty() && key == level_key_ && !found->level_found) {
      if (StringContents(doc, member, &level)) {
        NormalizeLevel(level, &level_);
        found->level_found = true;
      }
    } else if (!level_parent_.empty() && key == level_parent_ && !found->level_found) {
      if (!ScanLevelParent(doc, member.value_begin, found)) return false;
    }
  }
  return walker.ok();
}

bool DocumentRewriter::ScanLevelParent(std::string_view doc, size_t value_begin, Found* found) {
  if (doc[value_begin] != '{') return true;  // "log": "a line": nothing to take
  MemberWalker walker(doc, value_begin);
  MemberWalker::Member member;
  while (walker.Next(&member)) {
    std::string_view level;
    if (member.key == level_child_ && StringContents(doc, member, &level)) {
      NormalizeLevel(level, &level_);
      found->level_found = true;
      return true;
    }
  }
  return walker.ok();
}

}  // namespace logdaemon::http
