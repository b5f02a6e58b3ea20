// logdaemon::StorageEngine (include/logdaemon/storage.h): the public face of storage::Engine.
#include "logdaemon/storage.h"

#include "storage/engine.h"

namespace logdaemon {

std::string_view CompressionName(Compression compression) {
  switch (compression) {
    case Compression::kNone:
      return "none";
    case Compression::kSnappy:
      return "snappy";
    case Compression::kZstd:
      return "zstd";
    case Compression::kGzip:
      return "gzip";
    case Compression::kLz4:
      return "lz4";
  }
  return "none";
}

Result<Compression> ParseCompression(std::string_view name) {
  for (Compression c : {Compression::kNone, Compression::kSnappy, Compression::kZstd, Compression::kGzip,
                        Compression::kLz4}) {
    if (name == CompressionName(c)) return c;
  }
  std::string msg = "unknown compression \"";
  msg += name;
  msg += "\" (expected none, snappy, zstd, gzip or lz4)";
  return Status::InvalidArgument(msg);
}

Status CheckCompressionLevel(Compression compression, int level) {
  if (level == 0) return Status::OK();
  const std::string got = ", got " + std::to_string(level);
  switch (compression) {
    case Compression::kZstd:
      if (level < 1 || level > 22) return Status::InvalidArgument("zstd levels are 1..22" + got);
      return Status::OK();
    case Compression::kGzip:
      if (level < 1 || level > 9) return Status::InvalidArgument("gzip levels are 1..9" + got);
      return Status::OK();
    case Compression::kSnappy:
    case Compression::kLz4:
    case Compression::kNone:
      break;
  }
  return Status::InvalidArgument(std::string(CompressionName(compression)) +
                                 " has no levels (only zstd and gzip do)" + got);
}

Result<Partitioning> ParsePartitioning(std::string_view name) {
  if (name == "day") return Partitioning::kDay;
  if (name == "hour") return Partitioning::kHour;
  if (name == "none") return Partitioning::kNone;
  std::string msg = "unknown partitioning \"";
  msg += name;
  msg += "\" (expected day, hour or none)";
  return Status::InvalidArgument(msg);
}

std::string_view AckModeName(AckMode mode) {
  return mode == AckMode::kDurable ? "durable" : "memory";
}

Result<AckMode> ParseAckMode(std::string_view name) {
  if (name == "durable") return AckMode::kDurable;
  if (name == "memory") return AckMode::kMemory;
  std::string msg = "unknown acknowledgement mode \"";
  msg += name;
  msg += "\" (expected durable or memory)";
  return Status::InvalidArgument(msg);
}

StorageEngine::StorageEngine(std::unique_ptr<storage::Engine> engine) : engine_(std::move(engine)) {}
StorageEngine::~StorageEngine() = default;

Result<std::unique_ptr<StorageEngine>> StorageEngine::Open(StorageOptions options, SchemaValidator schema) {
  auto engine = storage::Engine::Open(std::move(options), std::move(schema));
  if (!engine.ok()) return engine.status();
  return std::unique_ptr<StorageEngine>(new StorageEngine(std::move(*engine)));
}

Result<std::unique_ptr<StorageEngine>> StorageEngine::Open(std::string directory, Compression compression,
                                                           size_t batch_size, uint64_t rotation_bytes) {
  auto schema = SchemaValidator::DefaultSchema();
  if (!schema.ok()) return schema.status();
  StorageOptions options;
  options.directory = std::move(directory);
  options.compression = compression;
  options.batch_size = batch_size;
  options.rotation_bytes = rotation_bytes;
  return Open(std::move(options), std::move(*schema));
}

Status StorageEngine::Append(std::string_view json) {
  return engine_->Append(json);
}
Status StorageEngine::Flush() {
  return engine_->Flush();
}
Status StorageEngine::Compact() {
  return engine_->Compact();
}
Status StorageEngine::Close() {
  return engine_->Close();
}
StorageStats StorageEngine::Stats() const {
  return engine_->Stats();
}
void StorageEngine::ReleaseSpareMemory() {
  engine_->ReleaseSpareMemory();
}
const TableLayout& StorageEngine::layout() const {
  return engine_->layout();
}
const StorageOptions& StorageEngine::options() const {
  return engine_->options();
}

}  // namespace logdaemon
