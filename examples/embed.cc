// The README's "Library Usage" in C++: a program that embeds the daemon. It opens a storage engine,
// loads the built-in schema, and runs a LogServer on its own thread until SIGINT or SIGTERM; then the
// server answers what it has read and stops, and closing the storage flushes every acknowledged log.
// Link logdaemon_ingest, logdaemon_storage and logdaemon_schema (include/logdaemon/server.h).
//
//   build/examples/embed [SOCKET [STORAGE_DIR]]     defaults: /tmp/custom_log.sock and ./logs
//
// Exit status: 0 after a clean stop, 1 when the storage, the schema or the socket could not be set up.
#include <logdaemon/schema.h>
#include <logdaemon/server.h>
#include <logdaemon/storage.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <string>
#include <thread>

static_assert(std::atomic<logdaemon::LogServer*>::is_always_lock_free);

namespace {

// The running server, for the signal handler (a lock-free atomic may be read there, and
// LogServer::Shutdown() is async-signal-safe).
std::atomic<logdaemon::LogServer*> g_server{nullptr};

void OnStopSignal(int) {
  if (logdaemon::LogServer* server = g_server.load()) server->Shutdown();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string socket_path = argc > 1 ? argv[1] : "/tmp/custom_log.sock";
  const std::string storage_dir = argc > 2 ? argv[2] : "logs";

  // 1. Initialize storage: snappy, a flush every 1000 logs, compacted files of up to 100 MiB.
  auto storage = logdaemon::StorageEngine::Open(storage_dir, logdaemon::Compression::kSnappy,
                                                1000,                // batch size
                                                100 * 1024 * 1024);  // 100 MiB rotation
  if (!storage.ok()) {
    std::fprintf(stderr, "embed: storage %s: %s\n", storage_dir.c_str(), storage.status().ToString().c_str());
    return 1;
  }

  // 2. Load the schema.
  auto validator = logdaemon::SchemaValidator::DefaultSchema();
  if (!validator.ok()) {
    std::fprintf(stderr, "embed: schema: %s\n", validator.status().ToString().c_str());
    return 1;
  }

  // 3. The server: socket, validator, max connections, flush interval in seconds.
  logdaemon::LogServer server(socket_path, std::move(*validator),
                              1000,  // max connections
                              5);    // flush interval

  // Stop on Ctrl-C or `kill`: installed before the server's threads start, whichever thread the signal
  // then lands on.
  g_server = &server;
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  // Run the server on its own thread (it starts its own io threads) until Shutdown().
  std::printf("embed: serving %s, storing into %s (Ctrl-C to stop)\n", socket_path.c_str(),
              storage_dir.c_str());
  std::fflush(stdout);
  logdaemon::Status run_status;
  std::thread server_thread([&] { run_status = server.Run(**storage); });
  server_thread.join();
  g_server = nullptr;

  // Closing the storage flushes every acknowledged log into a visible Parquet file.
  logdaemon::Status close_status = (*storage)->Close();
  if (!run_status.ok()) {
    std::fprintf(stderr, "embed: server: %s\n", run_status.ToString().c_str());
    return 1;
  }
  if (!close_status.ok()) {
    std::fprintf(stderr, "embed: closing the storage: %s\n", close_status.ToString().c_str());
    return 1;
  }
  const logdaemon::ServerStats stats = server.Stats();
  std::printf("embed: stopped; %llu logs accepted, %llu rejected\n",
              static_cast<unsigned long long>(stats.logs_accepted),
              static_cast<unsigned long long>(stats.rejected_total()));
  return 0;
}
