// JsonWriter: builds a JSON document into a string, for the `--json` output of commands. Keeps commas
// and nesting right so that callers only say what goes where.
//
// Thread-safety: none.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace logdaemon::cli {

class JsonWriter {
 public:
  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  // Inside an object: the next value's key.
  void Key(std::string_view key);
  void String(std::string_view value);  // invalid UTF-8 is replaced by U+FFFD
  void Int(int64_t value);
  void Uint(uint64_t value);
  void Double(double value);  // NaN and infinities as the strings "NaN", "Infinity", "-Infinity"
  void Bool(bool value);
  void Null();

  const std::string& str() const { return out_; }

 private:
  void BeforeValue();

  std::string out_;
  std::vector<bool> first_;  // per open container: no element yet
  bool after_key_ = false;
};

// Appends `value` to *out as a quoted JSON string.
void AppendJsonString(std::string_view value, std::string* out);

}  // namespace logdaemon::cli
