// The uploader's counters as /metrics shows them (logdaemon_ship_*, docs/metrics.md) and as the SIGUSR1
// stats line ends ("shipped_files=… shipped_bytes=… ship_backlog_files=… …").
//
// Thread-safety: plain functions over relaxed atomics.
#pragma once

#include <string>

#include "ship/ship_counters.h"

namespace logdaemon::ship {

void AppendShipMetrics(const ShipCounters& counters, std::string* page);
std::string ShipStatsLine(const ShipCounters& counters);

}  // namespace logdaemon::ship
