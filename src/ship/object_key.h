// Object keys in the bucket: "<prefix>/dt=YYYY-MM-DD/host=<host>/<file name>" (and ".../dt=…/hour=HH/
// host=…/…" with hourly partitions), so that every host writes under its own `host=` directory and
// engines see dt (hour) and host as Hive partition columns. A file of unpartitioned storage is placed by
// the date of its earliest row (from its name).
//
// Keys are made of characters that need no escaping in a URL or a SigV4 canonical request: the prefix
// and host are checked with CheckPrefix / CheckHost before they are used.
#pragma once

#include <string>
#include <string_view>

#include "logdaemon/status.h"

namespace logdaemon::ship {

// A prefix: empty, or segments of [A-Za-z0-9._=-] joined by '/' (no empty segment, no "." or "..",
// at most 512 bytes).
Status CheckPrefix(std::string_view prefix);
// A host name for the `host=` partition: 1 to 253 bytes of [A-Za-z0-9._-], not "." or "..".
Status CheckHost(std::string_view host);

// `partition` is the file's partition directory relative to the storage root ("dt=2026-01-15",
// "dt=2026-01-15/hour=19", or "" for unpartitioned storage); `file_name` a data file name
// (storage/file_names.h). InvalidArgument for anything else.
Result<std::string> ObjectKey(std::string_view prefix, std::string_view host, std::string_view partition,
                              std::string_view file_name);

}  // namespace logdaemon::ship
