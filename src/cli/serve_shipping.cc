#include "cli/serve_shipping.h"

#include <spdlog/spdlog.h>

#include "cli/ship_settings.h"
#include "ship/ship_metrics.h"
#include "ship/uploader.h"
#include "storage/file_holds.h"
#include "storage/fs.h"

namespace logdaemon::cli {

Result<std::unique_ptr<ServeShipping>> ServeShipping::Prepare(const ServeSettings& settings,
                                                              StorageOptions* storage_options,
                                                              std::shared_ptr<spdlog::logger> log) {
  if (!settings.ship.enabled()) return std::unique_ptr<ServeShipping>();
  Result<ship::ShipOptions> options = ShipOptionsFor(settings);
  if (!options.ok()) return options.status();
  std::unique_ptr<ServeShipping> shipping(new ServeShipping());
  shipping->fs_ = storage::NewPosixFileSystem(settings.file_mode);
  auto holds = std::make_shared<storage::FileHolds>();
  ship::UploaderLinks links;
  links.fs = shipping->fs_.get();
  links.root = settings.storage;
  links.holds = holds;
  links.on_error = [log](const std::string& line) { log->warn("{}", line); };
  links.on_notice = [log](const std::string& line) { log->info("{}", line); };
  Result<std::unique_ptr<ship::Uploader>> uploader =
      ship::Uploader::Open(std::move(*options), std::move(links));
  if (!uploader.ok()) return uploader.status();
  shipping->uploader_ = std::move(*uploader);
  storage_options->file_holds = std::move(holds);
  log->info("shipping sealed files to {}", shipping->uploader_->Describe());
  return shipping;
}

ServeShipping::~ServeShipping() {
  Stop();
}

void ServeShipping::Start() {
  uploader_->Start();
}

void ServeShipping::Stop() {
  if (uploader_) uploader_->Stop();
}

void ServeShipping::AppendMetrics(std::string* page) const {
  ship::AppendShipMetrics(uploader_->counters(), page);
}

std::string ServeShipping::StatsLine() const {
  return ship::ShipStatsLine(uploader_->counters());
}

}  // namespace logdaemon::cli
