// Credentials for signing requests (SigV4): from the standard environment variables
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) or from a file in AWS's shared-credentials
// form (--ship-credentials-file; the profile from AWS_PROFILE, else "default"):
//   [default]
//   aws_access_key_id = AKIA…
//   aws_secret_access_key = …
//   aws_session_token = …        (optional)
// Never from a flag (a command line is visible to every user of the machine). Messages about a bad value
// name the variable or the file, line and key, never the value.
//
// Thread-safety: plain functions.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "logdaemon/status.h"

namespace logdaemon::ship {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty: none
};

inline constexpr size_t kMaxCredentialsFileBytes = size_t{1} << 20;

// `getenv` looks a variable up (nullptr: unset); tests pass their own.
using EnvLookup = std::function<const char*(const char*)>;
Result<Credentials> CredentialsFromEnvironment(const EnvLookup& getenv);
Result<Credentials> ParseCredentialsFile(std::string_view text, std::string_view name,
                                         std::string_view profile);
// Reads `path` (at most kMaxCredentialsFileBytes) and parses it with the profile from AWS_PROFILE.
Result<Credentials> LoadCredentialsFile(const std::string& path, const EnvLookup& getenv);
// The file when `path` is not empty, else the environment.
Result<Credentials> LoadCredentials(const std::string& path, const EnvLookup& getenv);

}  // namespace logdaemon::ship
