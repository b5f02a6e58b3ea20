// StorageContext: what the engine's threads read and never change — the options, the schema (and its
// table layout), the file system, and the storage directory's paths — and EngineEvents, the callbacks
// its threads report through. The engine owns both and hands its writer, publisher, compactor and
// appenders these (with EngineCounters) instead of itself, so they depend on this header, not on
// storage/engine.h.
//
// Thread-safety: immutable after construction; the file system is thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "logdaemon/schema.h"
#include "logdaemon/status.h"
#include "logdaemon/storage.h"
#include "storage/fs.h"

namespace logdaemon::storage {

class StorageContext {
 public:
  StorageContext(StorageOptions options, SchemaValidator schema);
  StorageContext(const StorageContext&) = delete;
  StorageContext& operator=(const StorageContext&) = delete;

  const StorageOptions& options() const { return options_; }
  const SchemaValidator& schema() const { return schema_; }
  const TableLayout& layout() const { return schema_.layout(); }
  // The injected file system (StorageOptions::file_system), else the real one with options().file_mode.
  FileSystem* fs() const { return fs_; }
  // The storage directory, and its .tmp/ where files are written before they are renamed into place.
  const std::string& root() const { return options_.directory; }
  std::string tmp_dir() const;

 private:
  StorageOptions options_;
  SchemaValidator schema_;
  std::unique_ptr<FileSystem> own_fs_;  // the real file system with options_.file_mode, unless injected
  FileSystem* fs_;
};

// What the engine's threads report to it; set by the engine, called on the reporting thread.
struct EngineEvents {
  // A background error (the engine reports it once per distinct burst).
  std::function<void(const Status&)> on_error;
  // A line worth the daemon's log that is not an error.
  std::function<void(const std::string&)> on_notice;
  // The publisher published a file (the compactor looks again).
  std::function<void()> on_published;
  // The writer freed room (rows encoded, the write-ahead log trimmed): producers waiting for it wake up.
  std::function<void()> on_room;
  // The writer woke up (at least every WriterLinks::tick_ns): the engine's shared appender hands over
  // its batch when it is old.
  std::function<void()> on_tick;
};

}  // namespace logdaemon::storage
