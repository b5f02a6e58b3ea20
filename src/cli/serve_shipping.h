// ServeShipping: object-storage shipping as `logdaemon serve` runs it (docs/shipping.md) — the uploader
// (ship/uploader.h), the FileHolds it shares with the storage engine's compactor, and the file system it
// reads through. Made before the engine opens (the holds must be in the engine's options before its
// compactor runs), started once the engine runs, stopped before it closes.
//
// Thread-safety: Start/Stop from the main thread; AppendMetrics and StatsLine from any.
#pragma once

#include <memory>
#include <string>

#include <spdlog/logger.h>

#include "cli/serve_settings.h"
#include "logdaemon/status.h"
#include "logdaemon/storage.h"

namespace logdaemon::ship {
class Uploader;
}
namespace logdaemon::storage {
class FileSystem;
}

namespace logdaemon::cli {

class ServeShipping {
 public:
  // nullptr when shipping is off; else the uploader, ready to start, and storage_options->file_holds set.
  static Result<std::unique_ptr<ServeShipping>> Prepare(const ServeSettings& settings,
                                                        StorageOptions* storage_options,
                                                        std::shared_ptr<spdlog::logger> log);
  ~ServeShipping();

  void Start();
  void Stop();
  void AppendMetrics(std::string* page) const;
  std::string StatsLine() const;  // " shipped_files=… …" (with its leading space)

 private:
  ServeShipping() = default;
  std::unique_ptr<storage::FileSystem> fs_;
  std::unique_ptr<ship::Uploader> uploader_;
};

}  // namespace logdaemon::cli
