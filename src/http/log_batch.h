// LogBatch: the logs one HTTP request carries, as JSON object texts in one buffer, each of them readable
// by simdjson in place (DESIGN.md §2b). The endpoints decode a body (NDJSON lines, Elasticsearch bulk
// documents, OTLP log records) into a LogBatch; the admission path then takes its logs one by one.
//
// A log is a span of the buffer. Finish() appends simdjson's padding after the last byte, so every span
// may be parsed without a copy (bytes after a span are the next logs' or the padding: readable).
// No allocation per log once the buffer and the span list have grown.
//
// Thread-safety: none.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace logdaemon::http {

class LogBatch {
 public:
  // Appends a log by copying its text.
  void Add(std::string_view json);
  // Or writes it straight into the buffer: BeginLog(), append to buffer(), EndLog().
  void BeginLog() { begin_ = buffer_.size(); }
  std::string& buffer() { return buffer_; }
  void EndLog() { spans_.push_back({begin_, buffer_.size() - begin_}); }
  // Adds a log that is already in the buffer (NDJSON: the body is the buffer, each line a span).
  void AddSpan(size_t offset, size_t length) { spans_.push_back({offset, length}); }
  // Takes `body` as the buffer (its logs are then added with AddSpan).
  void AdoptBuffer(std::string&& body) {
    buffer_ = std::move(body);
    spans_.clear();
  }

  // Appends the padding; call once, after the last log and before reading them.
  void Finish();

  size_t size() const { return spans_.size(); }
  bool empty() const { return spans_.empty(); }
  // The i-th log; followed by at least simdjson::SIMDJSON_PADDING readable bytes after Finish().
  std::string_view log(size_t i) const { return {buffer_.data() + spans_[i].offset, spans_[i].length}; }
  // Bytes of log text (without padding), for the body-size and memory limits.
  size_t text_bytes() const;
  void Clear() {
    buffer_.clear();
    spans_.clear();
  }

 private:
  struct Span {
    size_t offset;
    size_t length;
  };
  std::string buffer_;
  std::vector<Span> spans_;
  size_t begin_ = 0;
};

}  // namespace logdaemon::http
