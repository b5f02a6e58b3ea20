// The settings of object-storage shipping (`serve --ship-*`, `--local-retention`; docs/shipping.md):
// their apply functions, which serve_settings.cc's table of settings names, and the checks that need
// more than one of them. Values land in ServeSettings::ship (ship/ship_options.h).
#pragma once

#include <string>
#include <vector>

#include "cli/serve_settings.h"
#include "logdaemon/status.h"
#include "ship/ship_options.h"

namespace logdaemon::cli {

Status ApplyShipUrl(const std::vector<std::string>& v, ServeSettings* s);
Status ApplyShipBucket(const std::vector<std::string>& v, ServeSettings* s);
Status ApplyShipPrefix(const std::vector<std::string>& v, ServeSettings* s);
Status ApplyShipRegion(const std::vector<std::string>& v, ServeSettings* s);
Status ApplyShipAddressing(const std::vector<std::string>& v, ServeSettings* s);
Status ApplyShipHost(const std::vector<std::string>& v, ServeSettings* s);
Status ApplyShipCredentialsFile(const std::vector<std::string>& v, ServeSettings* s);
Status ApplyShipAfter(const std::vector<std::string>& v, ServeSettings* s);
Status ApplyLocalRetention(const std::vector<std::string>& v, ServeSettings* s);
Status ApplyShipMultipartThreshold(const std::vector<std::string>& v, ServeSettings* s);
Status ApplyShipPartSize(const std::vector<std::string>& v, ServeSettings* s);

// With --ship-url: a bucket is given and the endpoint, bucket and region parse.
Status CheckShipSettings(const ServeSettings& settings);

// The uploader's options: the ship settings, the host name (this machine's when not given) and what
// follows from the storage settings (the full size of a file, whether compaction runs).
Result<ship::ShipOptions> ShipOptionsFor(const ServeSettings& settings);

}  // namespace logdaemon::cli
