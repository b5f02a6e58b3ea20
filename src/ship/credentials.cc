#include "ship/credentials.h"

#include <fstream>

namespace logdaemon::ship {

namespace {

// What is wrong with a value, without showing it; "" when it is fine.
std::string CheckValue(std::string_view value, size_t max_bytes, bool alphanumeric) {
  if (value.empty()) return "is empty";
  if (value.size() > max_bytes) return "is longer than " + std::to_string(max_bytes) + " bytes";
  for (size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c <= 0x20 || c >= 0x7f) {
      return "has a space, control or non-ASCII character at byte " + std::to_string(i + 1);
    }
    if (alphanumeric && !((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
      return "has a character other than a letter or digit at byte " + std::to_string(i + 1);
    }
  }
  return "";
}

Status CheckCredentials(const Credentials& c, std::string_view where_id, std::string_view where_secret,
                        std::string_view where_token) {
  if (std::string bad = CheckValue(c.access_key_id, 128, true); !bad.empty())
    return Status::InvalidArgument(std::string(where_id) + " " + bad);
  if (std::string bad = CheckValue(c.secret_access_key, 128, false); !bad.empty())
    return Status::InvalidArgument(std::string(where_secret) + " " + bad);
  if (!c.session_token.empty()) {
    if (std::string bad = CheckValue(c.session_token, 8192, false); !bad.empty())
      return Status::InvalidArgument(std::string(where_token) + " " + bad);
  }
  return Status::OK();
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<Credentials> CredentialsFromEnvironment(const EnvLookup& getenv) {
  const char* id = getenv("AWS_ACCESS_KEY_ID");
  const char* secret = getenv("AWS_SECRET_ACCESS_KEY");
  const char* token = getenv("AWS_SESSION_TOKEN");
  if (id == nullptr || secret == nullptr) {
    return Status::InvalidArgument(
        "no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for "
        "temporary "
        "ones), or give --ship-credentials-file");
  }
  Credentials c{id, secret, token != nullptr ? token : ""};
  if (Status st = CheckCredentials(c, "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN");
      !st.ok())
    return st;
  return c;
}

Result<Credentials> ParseCredentialsFile(std::string_view text, std::string_view name,
                                         std::string_view profile) {
  Credentials c;
  bool in_profile = false, found_profile = false;
  size_t id_line = 0, secret_line = 0, token_line = 0;
  size_t number = 0, start = 0;
  auto at = [&](size_t line) { return std::string(name) + ":" + std::to_string(line) + ":"; };
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = Trim(text.substr(start, end - start));
    start = end + 1;
    ++number;
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']') return Status::InvalidArgument(at(number) + " a section header without ']'");
      std::string_view section = Trim(line.substr(1, line.size() - 2));
      if (section.starts_with("profile ")) section = Trim(section.substr(8));
      in_profile = section == profile;
      found_profile = found_profile || in_profile;
      continue;
    }
    size_t equals = line.find('=');
    if (equals == std::string_view::npos) {
      return Status::InvalidArgument(at(number) + " expected 'key = value' or a [section] header");
    }
    if (!in_profile) continue;
    std::string_view key = Trim(line.substr(0, equals));
    std::string_view value = Trim(line.substr(equals + 1));
    if (key == "aws_access_key_id") {
      c.access_key_id = value;
      id_line = number;
    } else if (key == "aws_secret_access_key") {
      c.secret_access_key = value;
      secret_line = number;
    } else if (key == "aws_session_token") {
      c.session_token = value;
      token_line = number;
    }
  }
  if (!found_profile) {
    return Status::InvalidArgument(std::string(name) + ": no [" + std::string(profile.substr(0, 64)) +
                                   "] profile (AWS_PROFILE chooses another)");
  }
  if (id_line == 0 || secret_line == 0) {
    return Status::InvalidArgument(std::string(name) + ": the [" + std::string(profile.substr(0, 64)) +
                                   "] profile needs aws_access_key_id and aws_secret_access_key");
  }
  if (Status st =
          CheckCredentials(c, at(id_line) + " aws_access_key_id", at(secret_line) + " aws_secret_access_key",
                           at(token_line) + " aws_session_token");
      !st.ok())
    return st;
  return c;
}

Result<Credentials> LoadCredentialsFile(const std::string& path, const EnvLookup& getenv) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path + ": cannot open the credentials file");
  std::string text(kMaxCredentialsFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return Status::IOError(path + ": cannot read the credentials file");
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxCredentialsFileBytes) {
    return Status::InvalidArgument(path + ": larger than 1 MiB; not a credentials file");
  }
  const char* profile = getenv("AWS_PROFILE");
  return ParseCredentialsFile(text, path, profile != nullptr && *profile != '\0' ? profile : "default");
}

Result<Credentials> LoadCredentials(const std::string& path, const EnvLookup& getenv) {
  return path.empty() ? CredentialsFromEnvironment(getenv) : LoadCredentialsFile(path, getenv);
}

}  // namespace logdaemon::ship
