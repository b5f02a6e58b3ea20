#include "storage/storage_context.h"

#include "storage/file_names.h"

namespace logdaemon::storage {

StorageContext::StorageContext(StorageOptions options, SchemaValidator schema)
    : options_(std::move(options)),
      schema_(std::move(schema)),
      own_fs_(options_.file_system == nullptr && options_.file_mode != kDefaultFileMode
                  ? NewPosixFileSystem(options_.file_mode)
                  : nullptr),
      fs_(options_.file_system != nullptr ? options_.file_system
          : own_fs_                       ? own_fs_.get()
                                          : DefaultFileSystem()) {}

std::string StorageContext::tmp_dir() const {
  return JoinPath(options_.directory, kTmpDirName);
}

}  // namespace logdaemon::storage
