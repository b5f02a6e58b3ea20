// `logdaemon serve`: the daemon. Wires the parts together — the schema, the storage engine, the socket
// server, the Prometheus endpoint and the signal thread — runs until SIGTERM or SIGINT, then shuts down
// gracefully: stops accepting, answers and stores every frame already read, flushes everything to disk and
// exits 0. Nothing acknowledged is lost.
//
// Signals: SIGTERM, SIGINT: shut down (again during shutdown: a note that it is in progress). SIGUSR1: one
// info line of statistics. SIGHUP: ignored with a note (settings are read at start only). SIGPIPE: ignored.
//
// The daemon's own log goes to stderr through spdlog, at --log-level.
//
// Thread-safety: call once, from main, before any thread exists (the signal mask is set for the process).
#pragma once

#include "cli/serve_settings.h"

namespace logdaemon::cli {

// Exit code: 0 after a graceful shutdown; 1 when the daemon could not start (a schema that does not
// compile, a storage directory that cannot be opened, a socket another live daemon owns, a metrics port in
// use: "logdaemon serve: <message>" on stderr) or when the final flush failed.
int RunServe(const ServeSettings& settings);

// For main: resolves the command line and the --config file; a refused value is "logdaemon serve: <message>"
// on stderr and exit code 2. Otherwise RunServe.
int RunServeCommand(const ServeCommandLine& command_line);

}  // namespace logdaemon::cli
