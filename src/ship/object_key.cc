#include "ship/object_key.h"

#include <cstdio>

#include "storage/file_names.h"

namespace logdaemon::ship {

namespace {

bool KeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-';
}

std::string Quoted(std::string_view text) {
  std::string out = "'";
  for (char c : text.substr(0, 64)) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned char>(c));
      out += hex;
    } else {
      out += c;
    }
  }
  out += text.size() > 64 ? "'…" : "'";
  return out;
}

// "dt=YYYY-MM-DD" or "dt=YYYY-MM-DD/hour=HH", exactly.
bool IsPartitionPath(std::string_view p) {
  auto digits = [&](size_t at, size_t n) {
    for (size_t i = at; i < at + n; ++i) {
      if (i >= p.size() || p[i] < '0' || p[i] > '9') return false;
    }
    return true;
  };
  if (p.size() != 13 && p.size() != 21) return false;
  if (p.substr(0, 3) != "dt=" || !digits(3, 4) || p[7] != '-' || !digits(8, 2) || p[10] != '-' ||
      !digits(11, 2))
    return false;
  return p.size() == 13 || (p.substr(13, 6) == "/hour=" && digits(19, 2));
}

}  // namespace

Status CheckPrefix(std::string_view prefix) {
  if (prefix.size() > 512) return Status::InvalidArgument("a prefix of at most 512 bytes is expected");
  if (prefix.empty()) return Status::OK();
  size_t start = 0;
  while (start <= prefix.size()) {
    size_t slash = prefix.find('/', start);
    std::string_view segment = prefix.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (segment.empty() || segment == "." || segment == "..") {
      return Status::InvalidArgument("expected segments joined by '/' with none empty, '.' or '..', got " +
                                     Quoted(prefix));
    }
    for (char c : segment) {
      if (!KeyChar(c) && c != '=') {
        return Status::InvalidArgument("expected only letters, digits, '.', '_', '-', '=' and '/', got " +
                                       Quoted(prefix));
      }
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return Status::OK();
}

Status CheckHost(std::string_view host) {
  bool ok = !host.empty() && host.size() <= 253 && host != "." && host != "..";
  for (char c : host) ok = ok && KeyChar(c);
  if (!ok) {
    return Status::InvalidArgument("expected 1 to 253 letters, digits, '.', '_' or '-', got " + Quoted(host));
  }
  return Status::OK();
}

Result<std::string> ObjectKey(std::string_view prefix, std::string_view host, std::string_view partition,
                              std::string_view file_name) {
  if (Status st = CheckPrefix(prefix); !st.ok()) return st.WithContext("object key prefix");
  if (Status st = CheckHost(host); !st.ok()) return st.WithContext("object key host");
  std::optional<storage::ParsedFileName> parsed = storage::ParseDataFileName(file_name);
  if (!parsed) return Status::InvalidArgument("not a data file name: " + Quoted(file_name));
  std::string dated;
  if (partition.empty()) {
    const int64_t day = storage::PartitionKey(Partitioning::kDay, parsed->min_time_seconds * 1'000'000);
    dated = storage::PartitionPath(Partitioning::kDay, day);
  } else if (IsPartitionPath(partition)) {
    dated = partition;
  } else {
    return Status::InvalidArgument("not a partition directory: " + Quoted(partition));
  }
  std::string key;
  if (!prefix.empty()) key.append(prefix).append("/");
  key.append(dated).append("/host=").append(host).append("/").append(file_name);
  return key;
}

}  // namespace logdaemon::ship
