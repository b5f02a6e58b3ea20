// Prometheus text exposition format 0.0.4: the writer behind exposition.h.
//
// Thread-safety: none (one TextExposition per scrape).
#include "metrics/exposition.h"

#include <cassert>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>

namespace logdaemon::metrics {
namespace {

bool IsNameStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}
bool IsNameChar(char c) {
  return IsNameStart(c) || (c >= '0' && c <= '9');
}

// [a-zA-Z_:][a-zA-Z0-9_:]*
[[maybe_unused]] bool IsValidMetricName(std::string_view name) {
  if (name.empty() || !IsNameStart(name[0])) return false;
  for (char c : name) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

// [a-zA-Z_][a-zA-Z0-9_]*, and not the reserved "__" prefix.
[[maybe_unused]] bool IsValidLabelName(std::string_view name) {
  if (name.empty() || name[0] == ':' || !IsNameStart(name[0]) || name.starts_with("__")) return false;
  for (char c : name) {
    if (c == ':' || !IsNameChar(c)) return false;
  }
  return true;
}

// HELP text escapes backslash and newline; label values also escape the double quote.
void AppendEscaped(std::string& out, std::string_view text, bool escape_quote) {
  for (char c : text) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '"':
        if (escape_quote) {
          out += "\\\"";
        } else {
          out += c;
        }
        break;
      default:
        out += c;
    }
  }
}

// Integers (exactly representable ones, below 2^53) as integers; other finite values in the shortest form
// that reads back to the same double; infinities and NaN as Prometheus spells them.
void AppendValue(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
    return;
  }
  if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buffer[64];
  std::to_chars_result result;
  constexpr double kExactIntegerLimit = 9007199254740992.0;  // 2^53
  if (value == std::trunc(value) && std::fabs(value) < kExactIntegerLimit) {
    result = std::to_chars(buffer, buffer + sizeof(buffer), static_cast<int64_t>(value));
  } else {
    result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  }
  assert(result.ec == std::errc());
  out.append(buffer, result.ptr);
}

void AppendLabels(std::string& out, std::initializer_list<Label> labels, std::string_view le = {}) {
  if (labels.size() == 0 && le.empty()) return;
  out += '{';
  bool first = true;
  for (const Label& label : labels) {
    assert(IsValidLabelName(label.first));
    if (!first) out += ',';
    first = false;
    out += label.first;
    out += "=\"";
    AppendEscaped(out, label.second, /*escape_quote=*/true);
    out += '"';
  }
  if (!le.empty()) {
    if (!first) out += ',';
    out += "le=\"";
    out += le;
    out += '"';
  }
  out += '}';
}

void AppendSample(std::string& out, std::string_view name, std::string_view suffix,
                  std::initializer_list<Label> labels, double value, std::string_view le = {}) {
  out += name;
  out += suffix;
  AppendLabels(out, labels, le);
  out += ' ';
  AppendValue(out, value);
  out += '\n';
}

}  // namespace

void TextExposition::Family(std::string_view name, std::string_view help, std::string_view type) {
  assert(IsValidMetricName(name));
  // Samples of one family must be contiguous: a repeated name continues the family just written.
  if (name == last_family_) {
    assert(type == last_type_);
    return;
  }
  [[maybe_unused]] const bool first_time = written_families_.insert(std::string(name)).second;
  assert(first_time && "a metric family's samples must be contiguous");
  last_family_.assign(name);
  last_type_.assign(type);
  text_ += "# HELP ";
  text_ += name;
  text_ += ' ';
  AppendEscaped(text_, help, /*escape_quote=*/false);
  text_ += "\n# TYPE ";
  text_ += name;
  text_ += ' ';
  text_ += type;
  text_ += '\n';
}

void TextExposition::Counter(std::string_view name, std::string_view help, double value,
                             std::initializer_list<Label> labels) {
  Family(name, help, "counter");
  AppendSample(text_, name, "", labels, value);
}

void TextExposition::Gauge(std::string_view name, std::string_view help, double value,
                           std::initializer_list<Label> labels) {
  Family(name, help, "gauge");
  AppendSample(text_, name, "", labels, value);
}

void TextExposition::Histogram(std::string_view name, std::string_view help,
                               std::span<const double> upper_bounds, std::span<const uint64_t> bucket_counts,
                               double sum) {
  assert(bucket_counts.size() == upper_bounds.size() + 1);
  Family(name, help, "histogram");
  // A missing count (a caller's short vector) reads as zero rather than past the end.
  auto count_at = [&](size_t i) -> uint64_t { return i < bucket_counts.size() ? bucket_counts[i] : 0; };
  uint64_t cumulative = 0;
  std::string le;
  for (size_t i = 0; i < upper_bounds.size(); ++i) {
    cumulative += count_at(i);
    le.clear();
    AppendValue(le, upper_bounds[i]);
    AppendSample(text_, name, "_bucket", {}, static_cast<double>(cumulative), le);
  }
  cumulative += count_at(upper_bounds.size());
  AppendSample(text_, name, "_bucket", {}, static_cast<double>(cumulative), "+Inf");
  AppendSample(text_, name, "_sum", {}, sum);
  AppendSample(text_, name, "_count", {}, static_cast<double>(cumulative));
}

}  // namespace logdaemon::metrics
